//! The chair's agenda: the items in order with their decisions, and what may be put on it —
//! the unit's referrals waiting (new or under review) and its open cases whose plan review is
//! due by the meeting day. Putting a case on the agenda needs no flag on the case: the plan's
//! own next-review date says the case is up for review, so the council sees it.

use domain::Problem;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::super::audit::{self, Entry};
use super::super::auth::Authed;
use super::super::db::{new_id, valid_id};
use super::super::gate::{refuse_unknown, who};
use super::super::referral::{self, review::names, review::workers};
use super::{chaired, MeetingRec};
use domain::council::{
    AgendaItem, AgendaView, Candidate, InterventionKind, InterventionView, ItemKind, ItemLabel,
    ItemStatus, MeetingStatus,
};
use domain::referral::ReferralStatus;
use domain::time::swedish_date;
use domain::AppError;

/// An item as stored.
#[derive(Deserialize, Clone)]
pub(crate) struct ItemRec {
    pub id: String,
    pub meeting: String,
    pub position: i64,
    pub kind: String,
    pub referral: Option<String>,
    pub case: Option<String>,
    pub participant: String,
    pub status: String,
    pub priority: Option<i64>,
    pub interventions: Vec<InterventionRec>,
    pub note: Option<String>,
}

#[derive(Deserialize, Clone)]
pub(crate) struct InterventionRec {
    pub kind: String,
    pub org: String,
    pub follow_up: DateTime<Utc>,
}

impl InterventionRec {
    pub fn view(&self, names: &HashMap<String, String>) -> Result<InterventionView, AppError> {
        Ok(InterventionView {
            kind: InterventionKind::parse(&self.kind).map_err(|_| AppError::Internal)?,
            provider: names.get(&self.org).cloned().unwrap_or_default(),
            follow_up: self.follow_up.date_naive(),
        })
    }
}

impl ItemRec {
    pub fn status(&self) -> Result<ItemStatus, AppError> {
        ItemStatus::parse(&self.status).map_err(|_| AppError::Internal)
    }
    pub fn priority(&self) -> Option<u8> {
        self.priority.and_then(|p| u8::try_from(p).ok())
    }
}

pub(crate) async fn items(a: &Authed, meeting: &str) -> Result<Vec<ItemRec>, AppError> {
    Ok(a.state()
        .db()
        .q("SELECT *, record::id(id) AS id FROM council_item WHERE meeting = $m ORDER BY position")
        .bind("m", meeting)
        .run()
        .await?
        .all(0)?)
}

/// The agenda of a meeting the user's unit chairs: one `council.agenda` entry naming the
/// people on it (their referral numbers and decisions are read; no name is).
pub async fn agenda(a: &Authed, id: &str) -> Result<AgendaView, AppError> {
    let m = chaired(a, id, "council.agenda").await?;
    let names = names(a).await?;
    let recs = items(a, &m.id).await?;
    #[derive(Deserialize)]
    struct Num {
        id: String,
        number: String,
    }
    let rids: Vec<String> = recs.iter().filter_map(|r| r.referral.clone()).collect();
    let numbers: HashMap<String, String> = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, number FROM fn::records('referral', $ids) WHERE id != NONE")
        .bind("ids", rids)
        .run()
        .await?
        .all::<Num>(0)?
        .into_iter()
        .map(|n| (n.id, n.number))
        .collect();
    let mut out = Vec::with_capacity(recs.len());
    for r in &recs {
        let kind = ItemKind::parse(&r.kind).map_err(|_| AppError::Internal)?;
        let label = match (&r.referral, kind) {
            (Some(rid), ItemKind::Referral) => ItemLabel::Referral {
                number: numbers.get(rid).cloned().unwrap_or_default(),
            },
            _ => ItemLabel::Case {
                position: r.position,
            },
        };
        out.push(AgendaItem {
            id: r.id.clone(),
            position: r.position,
            kind,
            label,
            status: r.status()?,
            priority: r.priority(),
            interventions: r
                .interventions
                .iter()
                .map(|i| i.view(&names))
                .collect::<Result<_, _>>()?,
            case_id: r.case.clone(),
        });
    }
    let candidates = if m.status == MeetingStatus::Planned.as_str() {
        candidates(a, &m, &recs).await?
    } else {
        Vec::new()
    };
    let mut e = Entry::new("council.agenda");
    e.participants = recs.iter().map(|r| r.participant.clone()).collect();
    e.categories = vec!["plan".into()];
    e.basis = Some("council_chair".into());
    e.reason = Some(format!("council_meeting:{}", m.id));
    audit::append(a.state(), &who(a), e).await?;
    let name = |o: &String| {
        (
            o.clone(),
            names.get(o).cloned().unwrap_or_else(|| o.clone()),
        )
    };
    let providers = std::iter::once(&m.org)
        .chain(&m.members)
        .map(name)
        .collect();
    Ok(AgendaView {
        meeting: m.row(a, &names)?,
        items: out,
        candidates,
        providers,
        workers: workers(a).await?,
    })
}

/// The unit's waiting referrals and the open cases whose review is due by the meeting day,
/// less those already on the agenda.
async fn candidates(
    a: &Authed,
    m: &MeetingRec,
    on: &[ItemRec],
) -> Result<Vec<Candidate>, AppError> {
    #[derive(Deserialize)]
    struct R {
        id: String,
        number: String,
    }
    #[derive(Deserialize)]
    struct C {
        id: String,
        opened_at: DateTime<Utc>,
        next_review: DateTime<Utc>,
    }
    let mut rows = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, number, created_at FROM referral
                WHERE receiving_org = $org AND status IN ['new', 'forwarded', 'under_review'] ORDER BY created_at;
            SELECT record::id(id) AS id, opened_at, next_review FROM case
                WHERE owner_org = $org AND open = true AND next_review != NONE AND next_review <= <datetime>$day
                ORDER BY next_review LIMIT 50;")
        .bind("org", a.org_id())
        .bind("day", m.date)
        .run()
        .await?;
    let taken = |id: &str| {
        on.iter().any(|i| {
            i.referral.as_deref() == Some(id) || (i.kind == "case" && i.case.as_deref() == Some(id))
        })
    };
    let mut out: Vec<Candidate> = rows
        .all::<R>(0)?
        .into_iter()
        .filter(|r| !taken(&r.id))
        .map(|r| Candidate {
            kind: ItemKind::Referral,
            label: ItemLabel::Referral { number: r.number },
            id: r.id,
        })
        .collect();
    out.extend(
        rows.all::<C>(1)?
            .into_iter()
            .filter(|c| !taken(&c.id))
            .map(|c| Candidate {
                kind: ItemKind::Case,
                label: ItemLabel::OpenCase {
                    opened: swedish_date(c.opened_at),
                    follow_up: swedish_date(c.next_review),
                },
                id: c.id,
            }),
    );
    Ok(out)
}

/// Puts a referral or a case of the unit on a planned meeting's agenda, last. A referral still
/// `new` is taken under review by it (the council reviews it). Returns the item's id.
pub async fn add_item(
    a: &Authed,
    meeting_id: &str,
    kind: ItemKind,
    target: &str,
) -> Result<String, AppError> {
    let action = "council.add_item";
    let m = chaired(a, meeting_id, action).await?;
    if m.status != MeetingStatus::Planned.as_str() {
        return Err(AppError::problem(
            "",
            Problem::MeetingHeld,
            "Mötet är genomfört. Lägg punkten på ett planerat möte.",
        ));
    }
    let (referral, case, participant) = match kind {
        ItemKind::Referral => {
            let r = referral::received(a, target, action).await?;
            match r.status()? {
                ReferralStatus::New | ReferralStatus::Forwarded => {
                    referral::start_review(a, &r.id, r.version).await?
                }
                ReferralStatus::UnderReview => {}
                _ => {
                    return Err(AppError::problem(
                        "target",
                        domain::error::Problem::AlreadyDone,
                        "Remissen är redan avgjord.",
                    ))
                }
            }
            (Some(r.id), None, r.participant)
        }
        ItemKind::Case => {
            let c = match super::super::gate::case_by_id(a, target).await {
                Ok(c) if c.owner_org == a.org_id() => c,
                Ok(_) | Err(AppError::NotFound) => {
                    return Err(refuse_unknown(a, action, target).await)
                }
                Err(e) => return Err(e),
            };
            (None, Some(c.id), c.participant)
        }
    };
    if !valid_id(&participant) {
        return Err(AppError::Internal);
    }
    let id = new_id();
    let mut vars = serde_json::Map::new();
    for (k, v) in [
        ("id", json!(id)),
        ("m", json!(m.id)),
        ("kind", json!(kind.as_str())),
        ("rid", json!(referral)),
        ("cid", json!(case)),
        ("pid", json!(participant)),
        ("org", json!(a.org_id())),
        ("user", json!(a.user_id())),
        ("now", json!(a.state().clock().now())),
    ] {
        vars.insert(k.into(), v);
    }
    let body = "
        IF (SELECT VALUE id FROM council_item WHERE meeting = $m AND participant = $pid AND status = 'open') != [] {
            THROW 'invalid:target:already_on_agenda:Personen står redan på dagordningen.';
        };
        LET $last = (SELECT VALUE position FROM council_item WHERE meeting = $m ORDER BY position DESC LIMIT 1)[0] ?? 0;
        CREATE type::record('council_item', $id) CONTENT { meeting: $m, position: $last + 1, kind: $kind,
            referral: $rid, case: $cid, participant: $pid, org: $org, status: 'open', priority: NONE,
            interventions: [], responsible: NONE, note: NONE, decided_by: NONE, decided_at: NONE,
            added_by: $user, added_at: <datetime>$now } RETURN NONE;";
    let mut e = Entry::new(action);
    e.participants = vec![participant];
    e.case_id = case;
    e.basis = Some("council_chair".into());
    e.reason = Some(format!("council_meeting:{}", m.id));
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    Ok(id)
}
