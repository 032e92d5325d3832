use serde_json::Value as Json;

use super::*;
use crate::casework::fixtures::entries_since;
use crate::demo::{ORG_PASSUS, ORG_POLICE, ORG_SCHOOL};
use crate::state::AppState;
use crate::testing::{as_user, shared_case};
use crate::{audit, referral};
use domain::council::{DecisionInput, InterventionInput, InterventionKind, ItemKind, ItemStatus};
use domain::referral::{ReferralForm, ReferralInput};
use domain::SspfLevel;

/// The demo organisations, users and cases (the rest of the demo data is not needed here).
async fn setup() -> AppState {
    crate::testing::cases_store().await
}

/// A police referral of a new person in Göteborg; returns the referral's id at the unit.
async fn police_referral(state: &AppState, seed: u64, first: &str) -> String {
    let polis = as_user(state, "polis").await;
    let f = ReferralForm {
        referred_on: String::new(),
        kind: "police".into(),
        reasons: vec!["recruitment".into()],
        urgency: "urgent".into(),
        description: format!("Oro för {first}."),
        personnummer: domain::person::fictional_personnummer(700 + seed)
            .as_str()
            .to_string(),
        first_name: first.into(),
        last_name: "Rådsson".into(),
        phone: String::new(),
        municipality: "Göteborg".into(),
        referrer_contact: String::new(),
    };
    let input = ReferralInput::parse(&f, state.clock().today()).unwrap();
    let receipt = referral::submit(&polis, input).await.unwrap();
    let v = state
        .db()
        .q("SELECT VALUE record::id(id) FROM referral WHERE number = $n")
        .bind("n", receipt.number)
        .run()
        .await
        .unwrap()
        .value(0);
    v[0].as_str().unwrap().to_string()
}

async fn meeting(a: &Authed) -> String {
    let date = swedish_date(a.state().clock().now()) + chrono::Duration::days(7);
    create(
        a,
        MeetingInput {
            date: date.to_string(),
            members: vec![ORG_POLICE.into(), ORG_PASSUS.into()],
        },
    )
    .await
    .unwrap()
}

fn iv(kind: InterventionKind, org: &str, days: i64, today: chrono::NaiveDate) -> InterventionInput {
    InterventionInput {
        kind,
        provider_org: org.into(),
        follow_up: (today + chrono::Duration::days(days)).to_string(),
    }
}

fn decision(ivs: Vec<InterventionInput>) -> DecisionInput {
    DecisionInput {
        priority: 1,
        sspf: SspfLevel::Individual,
        responsible: String::new(),
        interventions: ivs,
        note: "Behöver stöd snabbt.".into(),
    }
}

async fn count(state: &AppState, table: &str) -> u64 {
    let v = state
        .db()
        .q("SELECT count() AS n FROM type::table($t) GROUP ALL")
        .bind("t", table)
        .run()
        .await
        .unwrap()
        .value(0);
    v[0]["n"].as_u64().unwrap_or(0)
}

async fn value(state: &AppState, sql: &str, k: &str, v: impl serde::Serialize) -> Json {
    state.db().q(sql).bind(k, v).run().await.unwrap().value(0)
}

#[tokio::test]
async fn a_decision_on_a_referral_opens_the_case_with_one_plan_action_per_intervention_and_the_events(
) {
    let state = setup().await;
    let chair = as_user(&state, "handlaggare").await;
    let today = state.clock().today();
    let rid = police_referral(&state, 1, "Adam").await;
    let m = meeting(&chair).await;
    let item = add_item(&chair, &m, ItemKind::Referral, &rid)
        .await
        .unwrap();
    // Putting a new referral on the agenda takes it under review.
    let st = value(
        &state,
        "SELECT VALUE status FROM ONLY type::record('referral', $id)",
        "id",
        &rid,
    )
    .await;
    assert_eq!(st, "under_review");

    let d = decision(vec![
        iv(InterventionKind::Mentoring, ORG_PASSUS, 30, today),
        iv(InterventionKind::PoliceProtection, ORG_POLICE, 14, today),
    ]);
    let cid = decide(&chair, &item, d).await.unwrap();

    let r = value(
        &state,
        "SELECT status, case FROM ONLY type::record('referral', $id)",
        "id",
        &rid,
    )
    .await;
    assert_eq!(r["status"], "accepted");
    assert_eq!(r["case"], cid.as_str());
    let c = value(
        &state,
        "SELECT referral, open FROM ONLY type::record('case', $id)",
        "id",
        &cid,
    )
    .await;
    assert_eq!(c["referral"], rid.as_str());
    assert_eq!(c["open"], true);

    let actions = value(
        &state,
        "SELECT owner_org, due, status FROM action WHERE case = $c ORDER BY due",
        "c",
        &cid,
    )
    .await;
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert_eq!(actions[0]["owner_org"], ORG_POLICE);
    assert_eq!(actions[1]["owner_org"], ORG_PASSUS);
    assert!(actions[1]["due"]
        .as_str()
        .unwrap()
        .starts_with(&(today + chrono::Duration::days(30)).to_string()));

    // The plan shows them with the provider's name, through the ordinary plan read.
    let plan = crate::casework::plan(&chair, &cid).await.unwrap();
    let titles: Vec<String> = plan
        .goals
        .iter()
        .flat_map(|g| g.actions.iter().map(|a| format!("{:?}", a.title)))
        .collect();
    assert!(
        titles.iter().any(|t| t.contains("Mentorskap – Passus")),
        "{titles:?}"
    );

    // The case's opening event and the council's decision event.
    let events = value(
        &state,
        "SELECT source FROM event WHERE case = $c",
        "c",
        &cid,
    )
    .await;
    let sources: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"].as_str().unwrap())
        .collect();
    assert!(
        sources.contains(&format!("referral:{rid}").as_str()),
        "{sources:?}"
    );
    assert!(
        sources.contains(&format!("council_item:{item}").as_str()),
        "{sources:?}"
    );

    let i = value(
        &state,
        "SELECT status, priority FROM ONLY type::record('council_item', $id)",
        "id",
        &item,
    )
    .await;
    assert_eq!(i["status"], "decided");
    assert_eq!(i["priority"], 1);

    // A second decision on the same item is refused.
    let again = decide(
        &chair,
        &item,
        decision(vec![iv(InterventionKind::Other, ORG_PASSUS, 5, today)]),
    )
    .await;
    assert!(again.is_err());
}

#[tokio::test]
async fn a_decision_with_an_unknown_provider_writes_nothing_at_all() {
    let state = setup().await;
    let chair = as_user(&state, "handlaggare").await;
    let today = state.clock().today();
    let rid = police_referral(&state, 2, "Bertil").await;
    let m = meeting(&chair).await;
    let item = add_item(&chair, &m, ItemKind::Referral, &rid)
        .await
        .unwrap();
    let tables = [
        "case",
        "open_case",
        "case_member",
        "goal",
        "action",
        "event",
        "audit",
    ];
    let mut before = Vec::new();
    for t in tables {
        before.push(count(&state, t).await);
    }
    let d = decision(vec![
        iv(InterventionKind::Mentoring, ORG_PASSUS, 30, today),
        iv(InterventionKind::HousingSupport, "finns_inte", 30, today),
    ]);
    let e = decide(&chair, &item, d).await.unwrap_err();
    assert!(
        matches!(&e, AppError::Invalid { field, .. } if field == "provider_org"),
        "{e:?}"
    );
    for (t, n) in tables.iter().zip(before) {
        assert_eq!(count(&state, t).await, n, "{t} changed");
    }
    let r = value(
        &state,
        "SELECT status, case FROM ONLY type::record('referral', $id)",
        "id",
        &rid,
    )
    .await;
    assert_eq!(r["status"], "under_review");
    assert_eq!(r["case"], Json::Null);
    let i = value(
        &state,
        "SELECT VALUE status FROM ONLY type::record('council_item', $id)",
        "id",
        &item,
    )
    .await;
    assert_eq!(i, "open");
}

#[tokio::test]
async fn the_minutes_show_a_member_only_its_own_interventions_and_a_name_only_with_identity_access()
{
    let state = setup().await;
    // The program lead chairs: it manages every case of the unit.
    let chair = as_user(&state, "programledare").await;
    let w = as_user(&state, "handlaggare").await;
    let today = state.clock().today();
    let shared = shared_case(&w).await;
    let m = meeting(&chair).await;
    // Item 1: a case the police (identity by law) and Passus (no identity) are on.
    let i1 = add_item(&chair, &m, ItemKind::Case, &shared).await.unwrap();
    decide(
        &chair,
        &i1,
        decision(vec![
            iv(InterventionKind::Mentoring, ORG_PASSUS, 30, today),
            iv(InterventionKind::PoliceProtection, ORG_POLICE, 14, today),
        ]),
    )
    .await
    .unwrap();
    // Item 2: a new person the police referred but has no relation to.
    let rid = police_referral(&state, 3, "Cecilia").await;
    let i2 = add_item(&chair, &m, ItemKind::Referral, &rid)
        .await
        .unwrap();
    decide(
        &chair,
        &i2,
        decision(vec![
            iv(InterventionKind::Mentoring, ORG_PASSUS, 30, today),
            iv(InterventionKind::SchoolMeasure, ORG_SCHOOL, 20, today),
        ]),
    )
    .await
    .unwrap();

    let full = minutes(&chair, &m).await.unwrap();
    assert!(full.full);
    assert_eq!(full.items.len(), 2);
    assert_eq!(full.items[1].name.as_deref(), Some("Cecilia Rådsson"));
    assert!(full.items[0].name.is_some());
    assert_eq!(full.items[0].interventions.len(), 2);
    assert_eq!(full.items[1].interventions.len(), 2);
    assert_eq!(full.items[1].note.as_deref(), Some("Behöver stöd snabbt."));
    assert_eq!(full.items[0].status, ItemStatus::Decided);

    let polis = as_user(&state, "polis").await;
    let p = minutes(&polis, &m).await.unwrap();
    assert!(!p.full);
    // The shared case: identity by law, so the name; only the police's own intervention.
    assert_eq!(p.items[0].name, full.items[0].name);
    assert_eq!(p.items[0].interventions.len(), 1);
    assert_eq!(
        p.items[0].interventions[0].kind,
        InterventionKind::PoliceProtection
    );
    // The referred person: no relation, no name, and no intervention of the police's.
    assert_eq!(p.items[1].name, None);
    assert!(p.items[1].interventions.is_empty());
    assert!(p.items.iter().all(|i| i.note.is_none()));

    let passus = as_user(&state, "passus").await;
    let ps = minutes(&passus, &m).await.unwrap();
    // Passus is on the shared case's team but without identity consent.
    assert_eq!(ps.items[0].name, None);
    assert_eq!(ps.items[0].interventions.len(), 1);
    assert_eq!(
        ps.items[0].interventions[0].kind,
        InterventionKind::Mentoring
    );
    assert_eq!(ps.items[1].name, None);
    assert_eq!(ps.items[1].interventions.len(), 1);
}

#[tokio::test]
async fn a_non_member_gets_not_found_after_one_deny_entry_as_for_an_unknown_meeting() {
    let state = setup().await;
    let chair = as_user(&state, "handlaggare").await;
    let m = meeting(&chair).await;
    for user in ["skola", "handlaggare.malmo"] {
        let a = as_user(&state, user).await;
        for id in [m.as_str(), "finns_inte"] {
            let from = audit::head(&state).await.unwrap().0;
            let e = minutes(&a, id).await.unwrap_err();
            assert_eq!(e, AppError::NotFound, "{user} {id}");
            assert_eq!(
                entries_since(&state, from).await,
                vec![("council.minutes".to_string(), "deny".to_string())],
                "{user} {id}"
            );
        }
    }
    // Nor does the agenda open for another unit, nor for a member organisation.
    let malmo = as_user(&state, "handlaggare.malmo").await;
    assert_eq!(agenda(&malmo, &m).await.unwrap_err(), AppError::NotFound);
    // The member's list shows the meeting; the outsider's does not.
    let polis = as_user(&state, "polis").await;
    assert!(list(&polis)
        .await
        .unwrap()
        .iter()
        .any(|r| r.id == m && !r.chaired));
    assert!(list(&malmo).await.unwrap().is_empty());
}

/// Deciding or declining an item of a meeting the asker's unit does not chair is answered as
/// for an item that does not exist, by a unit that handles referrals and by one that may not
/// (the capability is checked before the item is looked up), each after one `deny` entry; and
/// the item is left open.
#[tokio::test]
async fn another_units_item_is_answered_as_an_unknown_item_each_after_one_deny_entry() {
    let state = setup().await;
    let chair = as_user(&state, "handlaggare").await;
    let rid = police_referral(&state, 3, "Cilla").await;
    let m = meeting(&chair).await;
    let item = add_item(&chair, &m, ItemKind::Referral, &rid)
        .await
        .unwrap();
    let unknown = crate::db::new_id();
    for user in ["handlaggare.malmo", "polis", "passus"] {
        let a = as_user(&state, user).await;
        let mut answers = Vec::new();
        for id in [item.as_str(), unknown.as_str(), "../x"] {
            let from = audit::head(&state).await.unwrap().0;
            let decided = decide(&a, id, decision(vec![])).await.unwrap_err();
            let declined = super::decide::decline(&a, id, "Inte vår")
                .await
                .unwrap_err();
            assert_eq!(
                entries_since(&state, from).await,
                vec![
                    ("council.decide".to_string(), "deny".to_string()),
                    ("council.decline".to_string(), "deny".to_string())
                ],
                "{user} {id}"
            );
            if user == "handlaggare.malmo" && id != "../x" {
                // For the log reviewer: the item asked for, whether it exists or not.
                let reasons = value(
                    &state,
                    "SELECT VALUE reason FROM audit WHERE seq > $from ORDER BY seq",
                    "from",
                    from,
                )
                .await;
                let want = format!("council_item:{id}");
                assert_eq!(reasons, serde_json::json!([want, want]), "{id}");
            }
            answers.push((decided, declined));
        }
        assert!(
            answers.windows(2).all(|w| w[0] == w[1]),
            "{user}: {answers:?}"
        );
    }
    let status = value(
        &state,
        "SELECT VALUE status FROM ONLY type::record('council_item', $i)",
        "i",
        &item,
    )
    .await;
    assert_eq!(status, "open");
}

#[tokio::test]
async fn the_demo_has_two_held_meetings_with_decided_actions_and_a_planned_one_with_an_agenda() {
    let state = crate::testing::setup().await;
    let mut r = state
        .db()
        .q("SELECT status, date FROM council_meeting ORDER BY date;
            SELECT meeting, status, case, interventions FROM council_item;")
        .run()
        .await
        .unwrap();
    let meetings: Vec<Json> = r.all(0).unwrap();
    let statuses: Vec<&str> = meetings
        .iter()
        .map(|m| m["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["held", "held", "planned"]);
    let items: Vec<Json> = r.all(1).unwrap();
    let decided: Vec<&Json> = items.iter().filter(|i| i["status"] == "decided").collect();
    assert!(decided.len() >= 3, "{items:?}");
    assert_eq!(items.iter().filter(|i| i["status"] == "open").count(), 1);
    // Every decided intervention is a plan action on the item's case, owned by its provider.
    for i in decided {
        let case = i["case"].as_str().unwrap();
        let owners: Vec<String> = state
            .db()
            .q("SELECT VALUE owner_org FROM action WHERE case = $c")
            .bind("c", case)
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap();
        for iv in i["interventions"].as_array().unwrap() {
            let org = iv["org"].as_str().unwrap();
            assert!(
                owners.iter().any(|o| o == org),
                "{org} not among {owners:?}"
            );
        }
    }
}
