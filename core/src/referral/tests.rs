use serde_json::Value as Json;

use super::*;
use crate::audit::Who;
use crate::casework::fixtures::entries_since;
use crate::demo::demo_people;
use crate::state::AppState;
use crate::testing::as_user;
use crate::{audit, participants, shred};
use domain::referral::{ReferralForm, ReferralInput, ReferralReceipt};
use domain::SspfLevel;

/// The demo organisations, users, cases and referrals (the rest of the demo data is not
/// needed here).
async fn setup() -> AppState {
    crate::testing::cases_store().await
}

/// A referral form from the police for the person with `pnr`.
fn form(pnr: &str, first: &str, municipality: &str) -> ReferralForm {
    ReferralForm {
        referred_on: String::new(),
        kind: "police".into(),
        reasons: vec!["recruitment".into(), "threats".into()],
        urgency: "urgent".into(),
        description: format!("Oro för {first}: ses med äldre i nätverket."),
        personnummer: pnr.into(),
        first_name: first.into(),
        last_name: "Testsson".into(),
        phone: String::new(),
        municipality: municipality.into(),
        referrer_contact: String::new(),
    }
}

async fn send(state: &AppState, user: &str, f: &ReferralForm) -> Result<ReferralReceipt, AppError> {
    let a = as_user(state, user).await;
    let input = ReferralInput::parse(f, state.clock().today())?;
    submit(&a, input).await
}

async fn q(state: &AppState, sql: &str, k: &str, v: &str) -> Json {
    state.db().q(sql).bind(k, v).run().await.unwrap().value(0)
}

/// The id of the referral with `number`.
async fn id_of(state: &AppState, number: &str) -> String {
    q(
        state,
        "SELECT VALUE record::id(id) FROM referral WHERE number = $n",
        "n",
        number,
    )
    .await[0]
        .as_str()
        .unwrap()
        .to_string()
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

async fn seq(state: &AppState) -> i64 {
    audit::head(state).await.unwrap().0
}

fn fresh_pnr(seed: u64) -> String {
    domain::person::fictional_personnummer(900 + seed)
        .as_str()
        .to_string()
}

#[tokio::test]
async fn a_referral_for_a_known_personnummer_links_to_the_existing_participant_and_creates_no_second_one(
) {
    let state = setup().await;
    let w = as_user(&state, "handlaggare").await;
    let p = &demo_people()[1];
    assert!(p.gbg);
    let hit = &participants::search(&w, &p.personnummer).await.unwrap()[0];
    let existing = q(
        &state,
        "SELECT VALUE participant FROM ONLY type::record('case', $c)",
        "c",
        &hit.case_id,
    )
    .await;
    let before = count(&state, "participant").await;
    let r = send(
        &state,
        "polis",
        &form(&p.personnummer, &p.first_name, "göteborg"),
    )
    .await
    .unwrap();
    assert_eq!(count(&state, "participant").await, before);
    let id = id_of(&state, &r.number).await;
    let stored = q(
        &state,
        "SELECT participant, municipality, receiving_org, status FROM ONLY type::record('referral', $r)",
        "r",
        &id,
    )
    .await;
    assert_eq!(stored["participant"], existing);
    assert_eq!(stored["municipality"], "Göteborg");
    assert_eq!(stored["receiving_org"], crate::demo::ORG_GBG);
    assert_eq!(stored["status"], "new");
    // The receiving unit is told that it knows the person; the log reviewer sees the link.
    let v = open(&w, &id).await.unwrap();
    assert!(v.known_here);
    assert_eq!(v.first_name, p.first_name);
    let reason = q(
        &state,
        "SELECT VALUE reason FROM audit WHERE action = 'referral.submit' AND reason CONTAINS $r",
        "r",
        &id,
    )
    .await;
    assert!(
        reason[0].as_str().unwrap().ends_with("person:known"),
        "{reason}"
    );
}

#[tokio::test]
async fn the_referrers_answers_are_the_same_for_a_known_and_an_unknown_person() {
    let state = setup().await;
    let known = &demo_people()[1];
    let before = count(&state, "participant").await;
    let a = send(
        &state,
        "polis",
        &form(&known.personnummer, "Kim", "Göteborg"),
    )
    .await
    .unwrap();
    let b = send(&state, "polis", &form(&fresh_pnr(1), "Kim", "Göteborg"))
        .await
        .unwrap();
    // The unknown person is registered with the receiving unit, without a case.
    assert_eq!(count(&state, "participant").await, before + 1);
    assert_ne!(a.number, b.number);
    let year = chrono::Datelike::year(&state.clock().today());
    for r in [&a, &b] {
        assert!(r.number.starts_with(&format!("R-{year}-")), "{}", r.number);
        assert_eq!(r.number.len(), "R-2026-0001".len());
    }
    let blank = |r: &ReferralReceipt| {
        serde_json::to_string(r)
            .unwrap()
            .replace(&r.number, "NUMMER")
    };
    assert_eq!(blank(&a), blank(&b));
    // The list of sent referrals says the same of both.
    let polis = as_user(&state, "polis").await;
    let list = submitted(&polis).await.unwrap();
    let rows: Vec<String> = list
        .iter()
        .filter(|s| s.number == a.number || s.number == b.number)
        .map(|s| {
            serde_json::to_string(s)
                .unwrap()
                .replace(&s.number, "NUMMER")
        })
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0], rows[1]);
}

#[tokio::test]
async fn the_referrer_sees_only_number_and_date_and_never_the_status_the_person_or_the_queue() {
    let state = setup().await;
    let r = send(&state, "skola", &{
        let mut f = form(&fresh_pnr(2), "Noor", "Göteborg");
        f.kind = "school".into();
        f
    })
    .await
    .unwrap();
    let id = id_of(&state, &r.number).await;
    let w = as_user(&state, "handlaggare").await;
    start_review(&w, &id, 1).await.unwrap();
    let skola = as_user(&state, "skola").await;
    let list = submitted(&skola).await.unwrap();
    let mine = list.iter().find(|s| s.number == r.number).unwrap();
    let json = serde_json::to_value(mine).unwrap();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["number", "received_on", "referred_on"]);
    let all = serde_json::to_string(&list).unwrap();
    for secret in ["Noor", "under_review", "Testsson", &fresh_pnr(2)] {
        assert!(!all.contains(secret), "{secret} in {all}");
    }
    // Another organisation's referrals are not on the list.
    let polis = as_user(&state, "polis").await;
    assert!(submitted(&polis)
        .await
        .unwrap()
        .iter()
        .all(|s| s.number != r.number));
    // Neither the queue nor the referral itself, each refusal with one deny entry.
    for who in [&skola, &polis] {
        let from = seq(&state).await;
        assert_eq!(queue(who, false).await.unwrap_err(), AppError::Forbidden);
        assert_eq!(open(who, &id).await.unwrap_err(), AppError::Forbidden);
        assert_eq!(
            start_review(who, &id, 2).await.unwrap_err(),
            AppError::Forbidden
        );
        let got = entries_since(&state, from).await;
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got.iter().all(|(_, d)| d == "deny"), "{got:?}");
    }
}

#[tokio::test]
async fn another_unit_gets_the_same_answer_as_for_an_unknown_id_each_after_one_deny_entry() {
    let state = setup().await;
    let r = send(&state, "polis", &form(&fresh_pnr(3), "Alex", "Göteborg"))
        .await
        .unwrap();
    let id = id_of(&state, &r.number).await;
    let malmo = as_user(&state, "handlaggare.malmo").await;
    assert!(queue(&malmo, true)
        .await
        .unwrap()
        .iter()
        .all(|x| x.number != r.number));
    for asked in [id.as_str(), "finnsinte0000000000000000000000", "../x"] {
        let from = seq(&state).await;
        assert_eq!(open(&malmo, asked).await.unwrap_err(), AppError::NotFound);
        assert_eq!(
            decline(&malmo, asked, 1, "Inte vårt").await.unwrap_err(),
            AppError::NotFound
        );
        let got = entries_since(&state, from).await;
        assert_eq!(
            got,
            vec![
                ("referral.read".to_string(), "deny".to_string()),
                ("referral.decline".to_string(), "deny".to_string())
            ]
        );
    }
    let stored = q(
        &state,
        "SELECT VALUE status FROM ONLY type::record('referral', $r)",
        "r",
        &id,
    )
    .await;
    assert_eq!(stored, "new");
}

#[tokio::test]
async fn log_reviewers_and_administrators_neither_refer_nor_review() {
    let state = setup().await;
    let r = send(&state, "polis", &form(&fresh_pnr(4), "Robin", "Göteborg"))
        .await
        .unwrap();
    let id = id_of(&state, &r.number).await;
    for user in ["granskare", "admin"] {
        let a = as_user(&state, user).await;
        let from = seq(&state).await;
        let input = ReferralInput::parse(
            &form(&fresh_pnr(5), "Sam", "Göteborg"),
            state.clock().today(),
        )
        .unwrap();
        assert_eq!(submit(&a, input).await.unwrap_err(), AppError::Forbidden);
        assert_eq!(submitted(&a).await.unwrap_err(), AppError::Forbidden);
        assert_eq!(queue(&a, false).await.unwrap_err(), AppError::Forbidden);
        assert_eq!(open(&a, &id).await.unwrap_err(), AppError::Forbidden);
        let d = AcceptDecision {
            version: 1,
            sspf: SspfLevel::Individual,
            responsible: None,
        };
        assert_eq!(accept(&a, &id, d).await.unwrap_err(), AppError::Forbidden);
        let got = entries_since(&state, from).await;
        assert_eq!(got.len(), 5, "{user}: {got:?}");
        assert!(got.iter().all(|(_, d)| d == "deny"), "{got:?}");
    }
}

#[tokio::test]
async fn the_status_follows_its_flow_and_a_wrong_or_stale_change_is_refused_without_a_write() {
    let state = setup().await;
    let w = as_user(&state, "handlaggare").await;
    let r = send(&state, "polis", &form(&fresh_pnr(6), "Mio", "Göteborg"))
        .await
        .unwrap();
    let id = id_of(&state, &r.number).await;
    let d = |version| AcceptDecision {
        version,
        sspf: SspfLevel::Individual,
        responsible: None,
    };
    let from = seq(&state).await;
    // A new referral is reviewed before it is accepted.
    assert!(matches!(
        accept(&w, &id, d(1)).await.unwrap_err(),
        AppError::Invalid { .. }
    ));
    // A decline needs its reason.
    assert!(matches!(
        decline(&w, &id, 1, "  ").await.unwrap_err(),
        AppError::Invalid { ref field, .. } if field == "reason"
    ));
    assert!(entries_since(&state, from).await.is_empty());
    start_review(&w, &id, 1).await.unwrap();
    // The same change again, on the version it was made on, is stale.
    assert!(matches!(
        start_review(&w, &id, 1).await.unwrap_err(),
        AppError::Conflict { .. }
    ));
    assert!(matches!(
        start_review(&w, &id, 2).await.unwrap_err(),
        AppError::Invalid { .. }
    ));
    decline(
        &w,
        &id,
        2,
        "Ingen koppling till kriminella nätverk enligt samtal.",
    )
    .await
    .unwrap();
    let v = open(&w, &id).await.unwrap();
    assert_eq!(v.row.status, ReferralStatus::Declined);
    assert_eq!(
        v.decline_reason.as_deref(),
        Some("Ingen koppling till kriminella nätverk enligt samtal.")
    );
    assert_eq!(
        v.steps.iter().map(|s| s.to).collect::<Vec<_>>(),
        [
            ReferralStatus::New,
            ReferralStatus::UnderReview,
            ReferralStatus::Declined
        ]
    );
    // A decision is final.
    assert!(matches!(
        accept(&w, &id, d(3)).await.unwrap_err(),
        AppError::Invalid { .. }
    ));
    // The declined reason is sealed.
    let raw = q(
        &state,
        "SELECT VALUE decline_reason FROM ONLY type::record('referral', $r)",
        "r",
        &id,
    )
    .await;
    assert!(!raw.to_string().contains("koppling"), "{raw}");
    // Declined referrals leave the waiting queue.
    assert!(queue(&w, false).await.unwrap().iter().all(|x| x.id != id));
    assert!(queue(&w, true).await.unwrap().iter().any(|x| x.id == id));
}

#[tokio::test]
async fn accepting_opens_a_case_linked_to_the_referral_with_a_timeline_event() {
    let state = setup().await;
    let w = as_user(&state, "handlaggare").await;
    let r = send(&state, "fritid", &{
        let mut f = form(&fresh_pnr(7), "Elvin", "Göteborg");
        f.kind = "leisure".into();
        f
    })
    .await
    .unwrap();
    let id = id_of(&state, &r.number).await;
    assert!(!open(&w, &id).await.unwrap().known_here);
    start_review(&w, &id, 1).await.unwrap();
    let case_id = accept(
        &w,
        &id,
        AcceptDecision {
            version: 2,
            sspf: SspfLevel::Individual,
            responsible: None,
        },
    )
    .await
    .unwrap();
    let c = q(
        &state,
        "SELECT referral, owner_org, status, responsible FROM ONLY type::record('case', $c)",
        "c",
        &case_id,
    )
    .await;
    assert_eq!(c["referral"], id.as_str());
    assert_eq!(c["owner_org"], crate::demo::ORG_GBG);
    assert_eq!(c["status"], "referred");
    let v = open(&w, &id).await.unwrap();
    assert_eq!(v.row.status, ReferralStatus::Accepted);
    assert_eq!(v.case_id.as_deref(), Some(case_id.as_str()));
    // The case worker sees the person on the new case, and its timeline names the referral.
    let cv = participants::view(&w, &case_id).await.unwrap();
    assert_eq!(cv.first_name, domain::Shown::Value("Elvin".to_string()));
    let tl = crate::casework::timeline(&w, &case_id, "", Default::default(), 50)
        .await
        .unwrap();
    let json = serde_json::to_string(&tl).unwrap();
    assert!(json.contains(&r.number), "{json}");
    let events = q(
        &state,
        "SELECT VALUE source FROM event WHERE case = $c",
        "c",
        &case_id,
    )
    .await;
    assert_eq!(events, serde_json::json!([format!("referral:{id}")]));
    // The accept and its entry are one write: exactly one allow entry with the case.
    let acc = state
        .db()
        .q("SELECT VALUE case_id FROM audit WHERE action = 'referral.accept' AND case_id = $c")
        .bind("c", &case_id)
        .run()
        .await
        .unwrap()
        .value(0);
    assert_eq!(acc, serde_json::json!([case_id]));
    // The register extract of the case holds the referral.
    let x = crate::extract::extract(&w, &case_id).await.unwrap();
    assert!(x.sections.iter().any(|s| s.table == "referral"));
}

#[tokio::test]
async fn a_forwarded_referral_moves_to_the_other_units_queue_with_the_person_relinked() {
    let state = setup().await;
    let w = as_user(&state, "handlaggare").await;
    let malmo = as_user(&state, "handlaggare.malmo").await;
    let before = count(&state, "participant").await;
    let r = send(&state, "polis", &form(&fresh_pnr(8), "Juno", "Göteborg"))
        .await
        .unwrap();
    let id = id_of(&state, &r.number).await;
    assert!(matches!(
        forward(&w, &id, 1, crate::demo::ORG_GBG).await.unwrap_err(),
        AppError::Invalid { ref field, .. } if field == "to_org"
    ));
    forward(&w, &id, 1, crate::demo::ORG_MALMO).await.unwrap();
    // The Göteborg participant made for the referral alone is gone; Malmö's took its place.
    assert_eq!(count(&state, "participant").await, before + 1);
    assert!(queue(&w, true).await.unwrap().iter().all(|x| x.id != id));
    assert_eq!(open(&w, &id).await.unwrap_err(), AppError::NotFound);
    let row = queue(&malmo, false)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.id == id)
        .unwrap();
    assert_eq!(row.status, ReferralStatus::Forwarded);
    let v = open(&malmo, &id).await.unwrap();
    assert_eq!(v.first_name, "Juno");
    assert!(v.forwarded_from.unwrap().contains("Göteborg"));
    start_review(&malmo, &id, 2).await.unwrap();
    let case_id = accept(
        &malmo,
        &id,
        AcceptDecision {
            version: 3,
            sspf: SspfLevel::Individual,
            responsible: None,
        },
    )
    .await
    .unwrap();
    let owner = q(
        &state,
        "SELECT VALUE owner_org FROM ONLY type::record('case', $c)",
        "c",
        &case_id,
    )
    .await;
    assert_eq!(owner, crate::demo::ORG_MALMO);
}

#[tokio::test]
async fn shredding_the_person_leaves_the_referral_unreadable() {
    let state = setup().await;
    let w = as_user(&state, "handlaggare").await;
    let r = send(&state, "polis", &form(&fresh_pnr(9), "Tindra", "Göteborg"))
        .await
        .unwrap();
    let id = id_of(&state, &r.number).await;
    let pid = q(
        &state,
        "SELECT VALUE participant FROM ONLY type::record('referral', $r)",
        "r",
        &id,
    )
    .await;
    shred::shred(&state, &Who::system(), pid.as_str().unwrap(), None, "test")
        .await
        .unwrap();
    let v = open(&w, &id).await.unwrap();
    assert_eq!(v.first_name, "(gallrad)");
    assert!(!serde_json::to_string(&v).unwrap().contains("Tindra"));
    assert!(matches!(
        start_review(&w, &id, 1).await,
        Ok(()) | Err(AppError::Invalid { .. })
    ));
}

#[tokio::test]
async fn the_accepting_worker_may_name_a_colleague_responsible_but_no_one_outside_the_unit() {
    let state = setup().await;
    let w = as_user(&state, "handlaggare").await;
    let team = workers(&w).await.unwrap();
    let colleague = team
        .iter()
        .find(|(id, _)| id != w.user_id())
        .map(|(id, _)| id.clone())
        .expect("a colleague in the unit");
    let passus = as_user(&state, "passus").await;
    assert!(!team.iter().any(|(id, _)| id == passus.user_id()));
    assert_eq!(workers(&passus).await.unwrap_err(), AppError::Forbidden);
    let mut ids = Vec::new();
    for (i, first) in [(8, "Fanny"), (9, "Gustav")] {
        let r = send(&state, "polis", &form(&fresh_pnr(i), first, "Göteborg"))
            .await
            .unwrap();
        let id = id_of(&state, &r.number).await;
        start_review(&w, &id, 1).await.unwrap();
        ids.push(id);
    }
    let decision = |who: &str| AcceptDecision {
        version: 2,
        sspf: SspfLevel::Individual,
        responsible: Some(who.to_string()),
    };
    // Someone outside the unit is refused beside the field, and nothing is accepted.
    let err = accept(&w, &ids[0], decision(passus.user_id()))
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("responsible"));
    assert_eq!(
        open(&w, &ids[0]).await.unwrap().row.status,
        ReferralStatus::UnderReview
    );
    let case_id = accept(&w, &ids[1], decision(&colleague)).await.unwrap();
    let c = q(
        &state,
        "SELECT VALUE responsible FROM ONLY type::record('case', $c)",
        "c",
        &case_id,
    )
    .await;
    assert_eq!(c, colleague.as_str());
    let members = q(
        &state,
        "SELECT VALUE user FROM case_member WHERE case = $c AND part = 'responsible'",
        "c",
        &case_id,
    )
    .await;
    assert_eq!(members, serde_json::json!([colleague]));
}

#[tokio::test]
async fn registering_a_person_known_only_from_a_referral_points_to_the_referral_queue_and_writes_nothing(
) {
    let state = setup().await;
    let w = as_user(&state, "handlaggare").await;
    let pnr = fresh_pnr(10);
    send(&state, "polis", &form(&pnr, "Hugo", "Göteborg"))
        .await
        .unwrap();
    let count = || async {
        q(
            &state,
            "RETURN [count(SELECT id FROM participant), count(SELECT id FROM case)]",
            "x",
            "",
        )
        .await
    };
    let before = count().await;
    let f = domain::ParticipantForm {
        first_name: "Hugo".into(),
        last_name: "Testsson".into(),
        personnummer: pnr,
        gender: "male".into(),
        municipality: "Göteborg".into(),
        protection: "none".into(),
        ..Default::default()
    };
    let v = participants::ValidParticipant::parse(&f, state.clock().today()).unwrap();
    let err = participants::register(&w, v, SspfLevel::Individual, "")
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("personnummer"));
    assert!(err.to_string().contains("Remisser"), "{err}");
    assert_eq!(count().await, before);
}
