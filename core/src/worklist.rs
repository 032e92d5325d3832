//! The start page's work lists, one query set for every role: what is due within the week on
//! the reader's open cases (plan reviews, plan actions, threat reassessments), the partner's
//! open actions, and the police contact's threat picture. Every part passes the access policy
//! per participant and category; the whole list is one audit entry.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::access::{self, Purpose};
use super::audit::{self, Entry};
use super::auth::Authed;
use super::casework::threat_summary;
use super::crypto::Aad;
use super::gate::who;
use super::participants::{candidates, Candidate, ListFilter};
use super::subject::actor;
use super::vault;
use domain::casework::{ActionStatus, WorkCase, WorkCount, WorkItem, WorkList};
use domain::time::stored_date;
use domain::{AppError, CaseStatus, Category, Protection, Role, Shown};

/// How far ahead "this week" reaches.
pub const HORIZON_DAYS: i64 = 7;
/// How long before a consent runs out the owning team is reminded.
pub const CONSENT_NOTICE_DAYS: i64 = 14;
/// After how long without a logged contact a case is on the list.
pub const NO_CONTACT_DAYS: i64 = 30;

#[derive(Deserialize)]
struct CaseRow {
    id: String,
    next_review: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct ActionRow {
    id: String,
    case: String,
    title: String,
    owner_org: String,
    due: Option<DateTime<Utc>>,
    status: String,
}

#[derive(Deserialize)]
struct AssessmentRow {
    case: String,
    level: String,
    date: DateTime<Utc>,
    next_review: DateTime<Utc>,
}

#[derive(Deserialize)]
struct ConsentRow {
    participant: String,
    recipient_org: String,
    valid_until: DateTime<Utc>,
}

#[derive(Deserialize)]
struct ContactRow {
    case: String,
    last: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct OrgRow {
    id: String,
    name: String,
}

/// The reader's work list. Case workers see the cases they are on; program leads their
/// organisation's open cases; partners and police the cases they have a relation to (team,
/// consent or legal basis, break-glass). Police see only cases where they may read `safety`.
pub async fn my_work(a: &Authed) -> Result<WorkList, AppError> {
    let (list, shown, used) = collect(a, true).await?;
    let mut e = Entry::new("worklist.read");
    e.participants = shown.into_iter().collect();
    e.categories = used.into_iter().map(str::to_string).collect();
    e.purpose = Some(Purpose::List.as_str().into());
    audit::append(a.state(), &who(a), e).await?;
    Ok(list)
}

/// How many things on the reader's work list are due this week, and how many of them are
/// late: the number in the navigation. Decrypts nothing and names no one, so it is not a read
/// of personal data and leaves no audit entry.
pub async fn count(a: &Authed) -> Result<WorkCount, AppError> {
    let (list, _, _) = collect(a, false).await?;
    let items = list.cases.iter().flat_map(|c| c.items.iter());
    Ok(items.fold(WorkCount::default(), |mut n, i| {
        n.due += 1;
        n.overdue += usize::from(i.overdue(list.today));
        n
    }))
}

type Collected = (WorkList, BTreeSet<String>, BTreeSet<&'static str>);

/// The work list; with `decrypt`, names and action titles opened (and the participants shown
/// and categories used returned for the audit entry), without it only dates and kinds.
async fn collect(a: &Authed, decrypt: bool) -> Result<Collected, AppError> {
    super::gate::require(a, domain::Capability::ListCases, "worklist.read").await?;
    let now = a.state().clock().now();
    let today = a.state().clock().today();
    let horizon = today + Duration::days(HORIZON_DAYS);
    let filter = ListFilter {
        status: None,
        mine: a.role() == Role::CaseWorker,
    };
    // The cases with their participants' list rows and policy facts.
    let cases: Vec<Candidate> = candidates(a, &filter)
        .await?
        .into_iter()
        .filter(|c| CaseStatus::parse(&c.case.status).is_ok_and(|s| !s.is_closed()))
        .collect();
    let case_ids: Vec<String> = cases.iter().map(|c| c.case.id.clone()).collect();
    let pids: Vec<String> = cases
        .iter()
        .map(|c| c.case.participant.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // The last contact of each case is read through the (case, at) index, one case at a time:
    // `case IN $cs` is served by the index only up to 32 values and beyond that scans every
    // contact (a million in a large program), while a lookup per case costs about 0.3 ms
    // whatever the table's size. The other tables here are a few rows per case, where a scan
    // beyond 32 values costs no more than the lookups would.
    let mut rows = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, next_review FROM fn::records('case', $cs) WHERE id != NONE;
            SELECT record::id(id) AS id, case, title, owner_org, due, status FROM action WHERE case IN $cs AND status IN ['planned', 'in_progress'];
            SELECT case, level, date, next_review, created_at FROM assessment WHERE case IN $cs ORDER BY date DESC, created_at DESC;
            SELECT participant, recipient_org, valid_until FROM consent WHERE participant IN $ps AND revoked_at = NONE
              AND valid_until != NONE AND valid_until > <datetime>$today AND valid_until <= <datetime>$soon;
            RETURN array::map($cs, |$c| { case: $c, last: (SELECT VALUE at FROM contact WHERE case = $c ORDER BY at DESC LIMIT 1)[0] });
            SELECT record::id(id) AS id, name FROM org;")
        .bind("cs", &case_ids)
        .bind("ps", &pids)
        .bind("today", stored_date(today))
        .bind("soon", stored_date(today + Duration::days(CONSENT_NOTICE_DAYS)))
        .run()
        .await?;
    let reviews: HashMap<String, Option<DateTime<Utc>>> = rows
        .all::<CaseRow>(0)?
        .into_iter()
        .map(|c| (c.id, c.next_review))
        .collect();
    let mut actions: HashMap<String, Vec<ActionRow>> = HashMap::new();
    for x in rows.all::<ActionRow>(1)? {
        actions.entry(x.case.clone()).or_default().push(x);
    }
    let mut latest: HashMap<String, AssessmentRow> = HashMap::new();
    for x in rows.all::<AssessmentRow>(2)? {
        latest.entry(x.case.clone()).or_insert(x);
    }
    let mut expiring: HashMap<String, Vec<ConsentRow>> = HashMap::new();
    for x in rows.all::<ConsentRow>(3)? {
        expiring.entry(x.participant.clone()).or_default().push(x);
    }
    let last_contact: HashMap<String, Option<DateTime<Utc>>> = rows
        .all::<ContactRow>(4)?
        .into_iter()
        .map(|c| (c.case, c.last))
        .collect();
    let org_names: HashMap<String, String> = rows
        .all::<OrgRow>(5)?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();

    let act = actor(a);
    let mut shown: BTreeSet<String> = BTreeSet::new();
    let mut used: BTreeSet<&'static str> = BTreeSet::new();
    let mut out = Vec::new();
    for Candidate {
        case: c,
        person: p,
        subject: subj,
    } in cases
    {
        let subj = &subj;
        if p.shredded {
            continue;
        }
        // A case handed over to another municipality is no longer the sending team's work: it
        // only reads it for a while.
        if access::may(&act, subj, Category::Plan, Purpose::List, now)
            == access::Decision::Allow(access::Basis::HandedOver)
        {
            continue;
        }
        let may = |cat: Category| access::may(&act, subj, cat, Purpose::List, now).allowed();
        let (sees_identity, sees_plan, sees_safety, sees_contacts) = (
            may(Category::Identity),
            may(Category::Plan),
            may(Category::Safety),
            may(Category::Contacts),
        );
        if a.role() == Role::Police && !sees_safety {
            continue;
        }
        if !(sees_identity || sees_plan || sees_safety || sees_contacts) {
            continue;
        }
        let needs_key = decrypt && (sees_identity || (sees_plan && actions.contains_key(&c.id)));
        let dek = if needs_key {
            vault::dek(a.state(), &p.id).await?
        } else {
            None
        };
        let name = match (&dek, sees_identity) {
            (Some(k), true) => {
                used.insert(Category::Identity.as_str());
                vault::show_name(a.state(), k, &p.id, &p.first_name, &p.last_name)
            }
            _ => Shown::Masked,
        };
        let mut items = Vec::new();
        let mut my_actions = Vec::new();
        if sees_plan {
            used.insert(Category::Plan.as_str());
            if let Some(due) = reviews.get(&c.id).copied().flatten() {
                let due = due.date_naive();
                if due <= horizon {
                    items.push(WorkItem::Review { due });
                }
            }
            // Outside the owning organisation only one's own organisation's actions count.
            let all_actions = a.can(domain::Capability::ManageCase) && subj.owner_org == a.org_id();
            for x in actions.get(&c.id).map(Vec::as_slice).unwrap_or_default() {
                let mine = x.owner_org == a.org_id();
                if !(mine || all_actions) {
                    continue;
                }
                let title = match &dek {
                    Some(k) => {
                        let at = Aad::new("action", &x.id, "title");
                        vault::show(a.state(), &p.id, k, at, &x.title).text()
                    }
                    None if decrypt => continue,
                    None => String::new(),
                };
                let item = WorkItem::Action {
                    id: x.id.clone(),
                    title,
                    due: x.due.map(|d| d.date_naive()),
                    status: ActionStatus::parse(&x.status).unwrap_or(ActionStatus::Planned),
                    mine,
                };
                if item.due().is_some_and(|d| d <= horizon) {
                    items.push(item.clone());
                }
                if mine {
                    my_actions.push(item);
                }
            }
        }
        let threat = if sees_safety {
            used.insert(Category::Safety.as_str());
            latest.get(&c.id).map(|t| {
                let s = threat_summary(&t.level, t.date, t.next_review, today);
                if s.next_review <= horizon {
                    items.push(WorkItem::Reassessment { due: s.next_review });
                }
                s
            })
        } else {
            None
        };
        // The owning team keeps consents and contact going.
        if access::may_manage(&act, subj) {
            for x in expiring.get(&p.id).map(Vec::as_slice).unwrap_or_default() {
                items.push(WorkItem::ConsentExpiring {
                    org: org_names.get(&x.recipient_org).cloned().unwrap_or_default(),
                    until: x.valid_until.date_naive(),
                });
            }
            // Since the last contact, or since the case was opened when there has been none.
            let last = last_contact.get(&c.id).copied().flatten();
            let since = last.unwrap_or(c.opened_at);
            let due = (since + Duration::days(NO_CONTACT_DAYS)).date_naive();
            if due <= horizon {
                items.push(WorkItem::NoContact {
                    last: last.map(|l| l.date_naive()),
                    due,
                });
            }
        }
        items.sort_by_key(|i| i.due());
        my_actions.sort_by_key(|i| (i.due().is_none(), i.due()));
        shown.insert(p.id.clone());
        out.push(WorkCase {
            case_id: c.id,
            name,
            protection: Protection::parse(&p.protection)
                .unwrap_or(Protection::SkyddadFolkbokforing),
            status: CaseStatus::parse(&c.status).unwrap_or(CaseStatus::Referred),
            items,
            my_actions,
            threat,
            sees_safety,
            may_log_contact: sees_contacts,
        });
    }
    out.sort_by_key(|w| {
        (
            w.items.first().and_then(WorkItem::due).is_none(),
            w.items.first().and_then(WorkItem::due),
        )
    });
    let list = WorkList {
        today,
        horizon,
        cases: out,
    };
    Ok((list, shown, used))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{as_user, setup, shared_case, worker_partner_police};
    use crate::{casework, demo};
    use domain::casework::LifeDomain;

    fn action_ids(items: &[WorkItem]) -> Vec<String> {
        items
            .iter()
            .filter_map(|i| match i {
                WorkItem::Action { id, .. } => Some(id.clone()),
                _ => None,
            })
            .collect()
    }

    fn entry<'a>(w: &'a WorkList, case: &str) -> Option<&'a WorkCase> {
        w.cases.iter().find(|c| c.case_id == case)
    }

    #[tokio::test]
    async fn the_week_follows_the_clock_and_each_role_sees_only_what_the_policy_allows() {
        let state = setup().await;
        let (w, partner, police) = worker_partner_police(&state).await;
        let case = shared_case(&w).await;
        let today = state.clock().today();
        let day = |n: i64| (today + Duration::days(n)).to_string();
        let goal = casework::add_goal(&w, &case, LifeDomain::Housing, "Eget boende", "")
            .await
            .unwrap();
        let soon = casework::add_action(
            &w,
            &case,
            &goal,
            "Boka visning",
            demo::ORG_PASSUS,
            "",
            &day(3),
        )
        .await
        .unwrap();
        let later = casework::add_action(
            &w,
            &case,
            &goal,
            "Söka lägenhet",
            demo::ORG_GBG,
            "",
            &day(30),
        )
        .await
        .unwrap();

        // The case worker: this week's action, not next month's.
        let mine = my_work(&w).await.unwrap();
        let c = entry(&mine, &case).expect("the case worker's case is listed");
        assert!(matches!(c.name, Shown::Value(_)));
        let due = action_ids(&c.items);
        assert!(due.contains(&soon) && !due.contains(&later), "{due:?}");

        // Passus: its own action, also among its open actions; never the social services' one.
        let theirs = my_work(&partner).await.unwrap();
        let c = entry(&theirs, &case).expect("the partner's participant is listed");
        let open = action_ids(&c.my_actions);
        assert!(open.contains(&soon) && !open.contains(&later), "{open:?}");
        assert!(!action_ids(&c.items).contains(&later));
        assert!(
            c.threat.is_none() && !c.sees_safety,
            "no safety for the partner"
        );

        // The police: the case, with safety, and no plan actions at all.
        let police_list = my_work(&police).await.unwrap();
        let c = entry(&police_list, &case).expect("police with a legal basis see the case");
        assert!(c.sees_safety);
        assert!(action_ids(&c.items).is_empty() && c.my_actions.is_empty());

        // A month on, the later action is overdue and on the list; the first is still overdue.
        state.clock().advance(Duration::days(35));
        let mine = my_work(&w).await.unwrap();
        let c = entry(&mine, &case).unwrap();
        let today = state.clock().today();
        for id in [&soon, &later] {
            let item = c
                .items
                .iter()
                .find(|i| matches!(i, WorkItem::Action { id: x, .. } if x == id))
                .expect("overdue actions stay on the list");
            assert!(item.overdue(today));
        }
        // Done actions leave the list.
        casework::update_action(&w, &case, &soon, 1, ActionStatus::Done, "")
            .await
            .unwrap();
        let mine = my_work(&w).await.unwrap();
        assert!(!action_ids(&entry(&mine, &case).unwrap().items).contains(&soon));
        state.clock().reset();
    }

    #[tokio::test]
    async fn the_list_is_one_audit_entry_and_admins_get_none() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let before = audit::verify(&state).await.unwrap().head_seq;
        let list = my_work(&w).await.unwrap();
        assert!(!list.cases.is_empty());
        let after = audit::verify(&state).await.unwrap().head_seq;
        assert_eq!(after, before + 1);
        let admin = as_user(&state, "admin").await;
        assert_eq!(my_work(&admin).await.unwrap_err(), AppError::Forbidden);
    }

    fn has_consent_notice(w: &WorkList, case: &str, org: &str) -> bool {
        entry(w, case).is_some_and(|c| {
            c.items
                .iter()
                .any(|i| matches!(i, WorkItem::ConsentExpiring { org: o, .. } if o == org))
        })
    }

    fn has_no_contact(w: &WorkList, case: &str) -> bool {
        entry(w, case).is_some_and(|c| {
            c.items
                .iter()
                .any(|i| matches!(i, WorkItem::NoContact { .. }))
        })
    }

    #[tokio::test]
    async fn reminders_of_consents_and_missing_contact_come_and_go_as_the_days_pass() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        let today = state.clock().today();
        let malmo = "Socialtjänsten Malmö";
        let n = crate::consent::NewConsent::parse(
            demo::ORG_MALMO,
            &["contacts".to_string()],
            "samtycke",
            "",
            "",
            &(today + Duration::days(20)).to_string(),
            today,
        )
        .unwrap();
        crate::consent::add(&w, &case, n).await.unwrap();
        let contact = |note: &'static str| {
            let (w, case) = (w.clone(), case.clone());
            async move {
                casework::add_contact(
                    &w,
                    &case,
                    "",
                    domain::casework::ContactKind::Phone,
                    "10",
                    note,
                )
                .await
                .unwrap()
            }
        };
        contact("Samtal om veckan.").await;

        // Day 0: twenty days of consent left, and a contact today — nothing to remind of.
        let l = my_work(&w).await.unwrap();
        assert!(!has_consent_notice(&l, &case, malmo) && !has_no_contact(&l, &case));

        // Day 7: thirteen days left — the owning team is reminded.
        state.clock().advance(Duration::days(7));
        let l = my_work(&w).await.unwrap();
        assert!(has_consent_notice(&l, &case, malmo));
        assert!(!has_no_contact(&l, &case));

        // Day 24: the consent has run out (no reminder any more); thirty days without contact
        // fall within the week.
        state.clock().advance(Duration::days(17));
        let l = my_work(&w).await.unwrap();
        assert!(!has_consent_notice(&l, &case, malmo));
        assert!(has_no_contact(&l, &case));
        let n = count(&w).await.unwrap();
        assert!(n.due >= 1);

        // A contact today takes the case off the list again.
        contact("Hembesök.").await;
        let l = my_work(&w).await.unwrap();
        assert!(!has_no_contact(&l, &case));
        state.clock().reset();
    }

    #[tokio::test]
    async fn the_count_in_the_navigation_decrypts_nothing_and_is_not_audited() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let before = audit::verify(&state).await.unwrap().head_seq;
        let n = count(&w).await.unwrap();
        let list = my_work(&w).await.unwrap();
        let due: usize = list.cases.iter().map(|c| c.items.len()).sum();
        assert_eq!(n.due, due);
        // Only the full list (names, titles) is a read of personal data.
        assert_eq!(audit::verify(&state).await.unwrap().head_seq, before + 1);
    }
}
