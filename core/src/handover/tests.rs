use chrono::Duration;
use serde_json::Value as Json;

use super::*;
use crate::casework::{self, fixtures::audit_seqs, TimelineFilter};
use crate::demo::{ORG_MALMO, ORG_PASSUS};
use crate::gate::case_by_id;
use crate::participants;
use crate::testing::{as_user, setup, worker_partner_police};
use crate::AppState;
use domain::handover::{HandoverInput, SnapshotItem};

/// An open case of `w`'s with Passus and the police on the team. The unit's list also holds
/// colleagues' cases `w` may not open; those are passed over.
async fn shared_case(w: &crate::auth::Authed) -> String {
    for r in participants::list(w, participants::ListFilter::default())
        .await
        .unwrap()
    {
        let Ok(v) = participants::view(w, &r.case_id).await else {
            continue;
        };
        let parts: Vec<&str> = v.team.iter().map(|m| m.part.as_str()).collect();
        if parts.contains(&"mentor") && parts.contains(&"police_contact") && !v.status.is_closed() {
            return r.case_id;
        }
    }
    panic!("demo data has a case shared with Passus and the police");
}

fn input(parts: &[&str]) -> HandoverInput {
    HandoverInput {
        to_org: ORG_MALMO.into(),
        parts: parts.iter().map(|s| s.to_string()).collect(),
        note: "Flyttar till Malmö i maj, behöver boende.".into(),
        read_days: "30".into(),
    }
}

async fn value(state: &AppState, sql: &str, k: &str, v: &str) -> Json {
    state.db().q(sql).bind(k, v).run().await.unwrap().value(0)
}

/// (action, decision) of the entries after `from`.
async fn entries_since(state: &AppState, from: usize) -> Vec<(String, String)> {
    let v = state
        .db()
        .q("SELECT action, decision, seq FROM audit ORDER BY seq")
        .run()
        .await
        .unwrap()
        .value(0);
    v.as_array().unwrap()[from..]
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["decision"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn before_acceptance_the_receiver_sees_only_the_chosen_summary_and_the_gate_refuses_it_the_case(
) {
    let state = setup().await;
    let (w, _, _) = worker_partner_police(&state).await;
    let case = shared_case(&w).await;
    let hid = offer(&w, &case, &input(&["person", "plan"])).await.unwrap();

    let m = as_user(&state, "handlaggare.malmo").await;
    let lists = lists(&m).await.unwrap();
    let row = lists.incoming.iter().find(|r| r.id == hid).unwrap();
    assert_eq!(row.case_id, None, "no case id before acceptance");
    assert_eq!(row.status, HandoverStatus::Pending);

    let v = view(&m, &hid).await.unwrap();
    assert!(v.can_decide && v.incoming && !v.can_withdraw);
    assert_eq!(v.case_id, None);
    assert_eq!(v.parts, vec![HandoverPart::Person, HandoverPart::Plan]);
    let parts: Vec<HandoverPart> = v.sections.iter().map(|s| s.part).collect();
    assert_eq!(parts, vec![HandoverPart::Person, HandoverPart::Plan]);
    assert_eq!(
        v.note.as_deref(),
        Some("Flyttar till Malmö i maj, behöver boende.")
    );
    // The person's name is in the summary; nothing of safety or living is.
    let own = participants::view(&w, &case).await.unwrap();
    let items: Vec<&SnapshotItem> = v.sections.iter().flat_map(|s| s.items.iter()).collect();
    assert!(
        items.contains(&&SnapshotItem::Name {
            first: own.first_name.clone(),
            last: own.last_name.clone(),
        }),
        "{items:?}"
    );
    assert!(
        v.sections.iter().all(|s| s.rows.is_empty()),
        "no Swedish rows"
    );
    assert!(!items.iter().any(|i| matches!(
        i,
        SnapshotItem::Assessment { .. }
            | SnapshotItem::Measure { .. }
            | SnapshotItem::Housing { .. }
            | SnapshotItem::Occupation { .. }
    )));

    // The case itself stays closed to the receiver, as for a case that does not exist.
    for r in [
        participants::view(&m, &case).await.err(),
        casework::plan(&m, &case).await.err(),
        casework::safety(&m, &case).await.err(),
        casework::timeline(&m, &case, "", TimelineFilter::default(), 20)
            .await
            .err(),
    ] {
        assert_eq!(r, Some(AppError::NotFound));
    }
    let listed = participants::list(&m, participants::ListFilter::default())
        .await
        .unwrap();
    assert!(!listed.iter().any(|r| r.case_id == case));

    // The sender sees the destination and may withdraw.
    let s = view(&w, &hid).await.unwrap();
    assert!(s.can_withdraw && !s.can_decide);
    assert_eq!(s.to_municipality, "Malmö");
    assert_eq!(s.case_id.as_deref(), Some(case.as_str()));
}

#[tokio::test]
async fn after_acceptance_ownership_has_moved_the_partners_are_gone_and_the_sender_reads_until_its_period_ends(
) {
    let state = setup().await;
    let (w, partner, police) = worker_partner_police(&state).await;
    let case = shared_case(&w).await;
    assert!(casework::plan(&partner, &case).await.is_ok());
    let hid = offer(&w, &case, &input(&["person", "status"]))
        .await
        .unwrap();
    let m = as_user(&state, "handlaggare.malmo").await;
    let accepted = accept(&m, &hid).await.unwrap();
    assert_eq!(accepted, case);

    let c = case_by_id(&m, &case).await.unwrap();
    assert_eq!(c.owner_org, ORG_MALMO);
    assert_eq!(c.responsible, m.user_id());
    let p = value(
        &state,
        "SELECT VALUE owner_org FROM ONLY type::record('participant', $p)",
        "p",
        &c.participant,
    )
    .await;
    assert_eq!(p, ORG_MALMO);
    let still_open = value(
        &state,
        "SELECT VALUE case FROM ONLY type::record('open_case', $p)",
        "p",
        &c.participant,
    )
    .await;
    assert_eq!(still_open, case.as_str(), "open_case follows the same case");

    // The receiver reads and manages the case, history included.
    let v = participants::view(&m, &case).await.unwrap();
    assert!(v.can_edit);
    assert!(casework::plan(&m, &case).await.is_ok());
    let tl = casework::timeline(&m, &case, "", TimelineFilter::default(), 200)
        .await
        .unwrap();
    assert!(tl.events.len() > 2, "earlier events stay readable");

    // Partner and police had their relation with the sending program: now nothing.
    for x in [&partner, &police] {
        assert_eq!(
            participants::view(x, &case).await.err(),
            Some(AppError::NotFound)
        );
        let l = participants::list(x, participants::ListFilter::default())
            .await
            .unwrap();
        assert!(!l.iter().any(|r| r.case_id == case));
    }
    let members = value(
        &state,
        "SELECT VALUE org FROM case_member WHERE participant = $p",
        "p",
        &c.participant,
    )
    .await;
    assert!(!members
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o == ORG_PASSUS || o == crate::demo::ORG_POLICE));

    // The sending case worker reads but may not change the case, for 30 days.
    let sv = participants::view(&w, &case).await.unwrap();
    assert!(!sv.can_edit);
    assert!(casework::plan(&w, &case).await.is_ok());
    assert!(casework::add_note(&w, &case, "Ska inte gå.").await.is_err());
    // Nor is it the sending team's work any more.
    let work = crate::worklist::my_work(&w).await.unwrap();
    assert!(!work.cases.iter().any(|c| c.case_id == case));
    assert!(view(&w, &hid).await.is_ok());
    state.clock().advance(Duration::days(29));
    assert!(participants::view(&w, &case).await.is_ok());
    state.clock().advance(Duration::days(2));
    assert_eq!(
        participants::view(&w, &case).await.err(),
        Some(AppError::NotFound)
    );
    assert_eq!(view(&w, &hid).await.err(), Some(AppError::NotFound));
    let l = participants::list(&w, participants::ListFilter::default())
        .await
        .unwrap();
    assert!(!l.iter().any(|r| r.case_id == case));
    // The receiver is not affected by the sender's period.
    assert!(participants::view(&m, &case).await.is_ok());
    state.clock().reset();
}

#[tokio::test]
async fn a_failing_accept_writes_nothing() {
    let state = setup().await;
    let (w, _, _) = worker_partner_police(&state).await;
    let case = shared_case(&w).await;
    let hid = offer(&w, &case, &input(&["person"])).await.unwrap();
    let m = as_user(&state, "handlaggare.malmo").await;
    let members = |s: &AppState| {
        let s = s.clone();
        let case = case.clone();
        async move {
            value(
                &s,
                "SELECT user, org, until FROM case_member WHERE case = $c ORDER BY user",
                "c",
                &case,
            )
            .await
        }
    };
    let before_members = members(&state).await;
    let before_log = audit_seqs(&state).await;
    let err = receive::accept_with(&m, &hid, "THROW 'conflict:stale:Avbrutet i test.';")
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict { .. }), "{err:?}");
    assert_eq!(members(&state).await, before_members);
    assert_eq!(
        case_by_id(&w, &case).await.unwrap().owner_org,
        crate::demo::ORG_GBG
    );
    let h = value(
        &state,
        "SELECT VALUE status FROM ONLY type::record('handover', $h)",
        "h",
        &hid,
    )
    .await;
    assert_eq!(h, "pending");
    // The refused write left no entry (the view before it left its own read entry only).
    let after = entries_since(&state, before_log).await;
    assert!(
        !after.iter().any(|(a, _)| a == "handover.accept"),
        "{after:?}"
    );
    // And the real accept still goes through.
    accept(&m, &hid).await.unwrap();
}

#[tokio::test]
async fn an_unknown_id_and_another_units_handover_get_the_same_answer_after_one_deny_entry() {
    let state = setup().await;
    let (w, partner, police) = worker_partner_police(&state).await;
    let case = shared_case(&w).await;
    let hid = offer(&w, &case, &input(&["person"])).await.unwrap();
    // Partners, police, a school and a colleague of the sender who is not on the team.
    let outsiders = [
        partner,
        police,
        as_user(&state, "skola").await,
        as_user(&state, "handlaggare2").await,
    ];
    for o in &outsiders {
        for id in [hid.as_str(), "finns-inte", "inte ett id!"] {
            let before = audit_seqs(&state).await;
            let err = view(o, id).await.unwrap_err();
            let expect = if o.can(Capability::ListCases) {
                AppError::NotFound
            } else {
                AppError::Forbidden
            };
            assert_eq!(err, expect, "{} {id}", o.user_id());
            let after = entries_since(&state, before).await;
            assert_eq!(
                after,
                vec![("handover.read".to_string(), "deny".to_string())],
                "{} {id}",
                o.user_id()
            );
            assert!(accept(o, id).await.is_err());
        }
        let l = lists(o).await;
        if let Ok(l) = l {
            assert!(l.incoming.is_empty() || !l.incoming.iter().any(|r| r.id == hid));
            assert!(!l.outgoing.iter().any(|r| r.id == hid));
        }
    }
    // The sender may not accept its own offer, and the receiver may not withdraw it.
    assert_eq!(accept(&w, &hid).await.err(), Some(AppError::Forbidden));
    let m = as_user(&state, "handlaggare.malmo").await;
    assert_eq!(withdraw(&m, &hid).await.err(), Some(AppError::Forbidden));
}

#[tokio::test]
async fn an_offer_goes_only_to_another_municipality_once_and_names_no_destination_on_the_timeline()
{
    let state = setup().await;
    let (w, partner, _) = worker_partner_police(&state).await;
    let case = shared_case(&w).await;
    let rs = receivers(&w).await.unwrap();
    assert_eq!(
        rs.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        vec![ORG_MALMO]
    );
    let mut own = input(&["person"]);
    own.to_org = crate::demo::ORG_GBG.into();
    assert!(matches!(
        offer(&w, &case, &own).await,
        Err(AppError::Invalid { field, .. }) if field == "to_org"
    ));
    let mut police = input(&["person"]);
    police.to_org = crate::demo::ORG_POLICE.into();
    assert!(matches!(
        offer(&w, &case, &police).await,
        Err(AppError::Invalid { field, .. }) if field == "to_org"
    ));
    // A partner on the team does not manage the case.
    assert_eq!(
        offer(&partner, &case, &input(&["person"])).await.err(),
        Some(AppError::Forbidden)
    );
    let hid = offer(&w, &case, &input(&["plan"])).await.unwrap();
    assert!(matches!(
        offer(&w, &case, &input(&["plan"])).await,
        Err(AppError::Conflict { .. })
    ));
    // The partner's timeline: no destination anywhere, and the event's text not at all.
    let tl = casework::timeline(&partner, &case, "", TimelineFilter::default(), 200)
        .await
        .unwrap();
    let dump = serde_json::to_string(&tl).unwrap();
    assert!(
        !dump.contains("Malmö") && !dump.contains(ORG_MALMO),
        "{dump}"
    );
    assert!(!dump.contains("handover_offered"), "{dump}");
    let own_tl = casework::timeline(&w, &case, "", TimelineFilter::default(), 5)
        .await
        .unwrap();
    assert_eq!(own_tl.events[0].line, Some(offer::OFFER_EVENT));
    // Withdrawn, a new offer may be made; declined, the case stays.
    withdraw(&w, &hid).await.unwrap();
    let hid2 = offer(&w, &case, &input(&["plan"])).await.unwrap();
    let m = as_user(&state, "handlaggare.malmo").await;
    assert!(matches!(
        decline(&m, &hid2, " ").await,
        Err(AppError::Invalid { field, .. }) if field == "reason"
    ));
    decline(&m, &hid2, "Personen har inte flyttat hit.")
        .await
        .unwrap();
    assert_eq!(
        case_by_id(&w, &case).await.unwrap().owner_org,
        crate::demo::ORG_GBG
    );
    let v = view(&w, &hid2).await.unwrap();
    assert_eq!(v.status, HandoverStatus::Declined);
    assert_eq!(
        v.decline_reason.as_deref(),
        Some("Personen har inte flyttat hit.")
    );
    assert!(accept(&m, &hid2).await.is_err());
}

#[tokio::test]
async fn the_demo_has_one_completed_and_one_pending_handover_from_goteborg_to_malmo() {
    let state = setup().await;
    let m = as_user(&state, "handlaggare.malmo").await;
    let l = lists(&m).await.unwrap();
    let statuses: Vec<HandoverStatus> = l.incoming.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        vec![HandoverStatus::Pending, HandoverStatus::Accepted],
        "newest first"
    );
    // The pending one is for Malmö to accept; the completed one's case is Malmö's.
    let pending = &l.incoming[0];
    let v = view(&m, &pending.id).await.unwrap();
    assert!(v.can_decide && v.case_id.is_none());
    let done = l.incoming[1].case_id.clone().unwrap();
    assert_eq!(case_by_id(&m, &done).await.unwrap().owner_org, ORG_MALMO);
    // The accepting colleague is responsible and reads it with its history.
    let m2 = as_user(&state, "handlaggare2.malmo").await;
    let c = participants::view(&m2, &done).await.unwrap();
    assert!(c.can_edit);
    // Göteborg's read period of the completed one has ended: it lists only the pending one.
    let w = as_user(&state, "handlaggare").await;
    let out = lists(&w).await.unwrap().outgoing;
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].status, HandoverStatus::Pending);
    assert_eq!(
        participants::view(&w, &done).await.err(),
        Some(AppError::NotFound)
    );
}

#[tokio::test]
async fn a_possible_duplicate_from_another_municipality_can_start_a_handover_for_those_who_manage_the_case(
) {
    let state = setup().await;
    let (w, _, _) = worker_partner_police(&state).await;
    let case = shared_case(&w).await;
    let own = participants::view(&w, &case).await.unwrap();
    // Malmö registers the same personnummer: a possible duplicate for Göteborg.
    let m = as_user(&state, "handlaggare.malmo").await;
    let form = domain::ParticipantForm {
        first_name: "Samma".into(),
        last_name: "Person".into(),
        personnummer: own.personnummer.value().unwrap().clone(),
        gender: "unknown".into(),
        municipality: "Malmö".into(),
        protection: "none".into(),
        ..Default::default()
    };
    let v = participants::ValidParticipant::parse(&form, state.clock().today()).unwrap();
    participants::register(&m, v, domain::SspfLevel::Individual, "")
        .await
        .unwrap();
    let dups = crate::inbox::duplicates(&w).await.unwrap();
    let d = dups
        .iter()
        .find(|d| d.case_id.as_deref() == Some(case.as_str()))
        .unwrap();
    assert!(d.can_hand_over);
    assert_eq!(d.other_org_id, ORG_MALMO);
    // A colleague who does not manage the case sees the duplicate but no handover.
    let other = as_user(&state, "handlaggare2").await;
    let dups = crate::inbox::duplicates(&other).await.unwrap();
    let d = dups
        .iter()
        .find(|d| d.case_id.as_deref() == Some(case.as_str()))
        .unwrap();
    assert!(!d.can_hand_over);
}
