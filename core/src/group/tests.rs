use super::*;
use crate::casework::fixtures::{audit_seqs, last_entry};
use crate::casework::{timeline, TimelineFilter};
use crate::participants;
use crate::testing::{as_user, setup, shared_case, worker_partner_police};
use domain::casework::EventKind;

fn input(name: &str) -> GroupInput {
    GroupInput::parse(name, "Syns ofta tillsammans vid torget på kvällarna.").unwrap()
}

fn today(state: &AppState) -> String {
    state.clock().today().to_string()
}

/// A new group of the Göteborg unit with the demo case shared with Passus and the police linked
/// from today.
async fn group_with_shared_case(state: &AppState) -> (String, String, String) {
    let w = as_user(state, "handlaggare").await;
    let case = shared_case(&w).await;
    let g = create(&w, input("Gruppen vid Testtorget")).await.unwrap();
    let link = link_case(&w, &g, &case, &today(state), "").await.unwrap();
    (g, case, link)
}

#[tokio::test]
async fn group_links_are_invisible_to_partners_police_school_and_leisure() {
    let state = setup().await;
    let (g, case, _) = group_with_shared_case(&state).await;
    let (w, partner, police) = worker_partner_police(&state).await;
    let school = as_user(&state, "skola").await;
    let leisure = as_user(&state, "fritid").await;
    for who in [&partner, &police, &school, &leisure] {
        let role = who.role().as_str();
        for (what, err) in [
            ("list", list(who).await.map(drop).unwrap_err()),
            ("view", view(who, &g).await.map(drop).unwrap_err()),
            ("case", case_groups(who, &case).await.map(drop).unwrap_err()),
            (
                "link",
                link_case(who, &g, &case, "2026-01-01", "")
                    .await
                    .map(drop)
                    .unwrap_err(),
            ),
        ] {
            assert_eq!(err, AppError::Forbidden, "{role} {what}");
        }
        // One refusal, one entry.
        let before = audit_seqs(&state).await;
        view(who, &g).await.unwrap_err();
        assert_eq!(audit_seqs(&state).await, before + 1, "{role}");
        let (action, decision, _) = last_entry(&state).await;
        assert_eq!((action.as_str(), decision.as_str()), ("group.read", "deny"));
    }
    // The partner and the police are on the case's team and read (parts of) its timeline, but
    // the link event is not there at all — not even as another actor's event.
    for who in [&partner, &police] {
        let t = timeline(who, &case, "", TimelineFilter::default(), 200)
            .await
            .unwrap();
        assert!(
            t.events.iter().all(|e| e.kind != EventKind::Group),
            "{}",
            who.role().as_str()
        );
    }
    // The owning case worker sees the event, the group on the case and the group view.
    let t = timeline(&w, &case, "", TimelineFilter::default(), 200)
        .await
        .unwrap();
    assert!(t.events.iter().any(|e| e.kind == EventKind::Group));
    // (The demo may have linked the same case to its own group.)
    let on_case: Vec<_> = case_groups(&w, &case)
        .await
        .unwrap()
        .into_iter()
        .filter(|x| x.group_id == g)
        .collect();
    assert_eq!(on_case.len(), 1);
    assert_eq!(on_case[0].name, "Gruppen vid Testtorget");
    assert!(on_case[0].current);
    let v = view(&w, &g).await.unwrap();
    assert!(v.members.iter().any(|m| m.case_id == case && m.current));
    // The overview names the group for the owning case worker only.
    let overview = participants::view(&w, &case).await.unwrap();
    assert_eq!(
        overview
            .summary
            .groups
            .iter()
            .filter(|x| x.group_id == g)
            .count(),
        1
    );
    for who in [&partner, &police] {
        let overview = participants::view(who, &case).await.unwrap();
        assert!(overview.summary.groups.is_empty());
    }
}

#[tokio::test]
async fn an_unknown_group_and_another_units_group_get_the_same_answer_after_one_deny_entry() {
    let state = setup().await;
    let (g, _, link) = group_with_shared_case(&state).await;
    let malmo = as_user(&state, "handlaggare.malmo").await;
    for id in [g.as_str(), "finnsinte", "../x", ""] {
        let before = audit_seqs(&state).await;
        assert_eq!(
            view(&malmo, id).await.unwrap_err(),
            AppError::NotFound,
            "{id}"
        );
        assert_eq!(audit_seqs(&state).await, before + 1, "{id}");
        let (action, decision, _) = last_entry(&state).await;
        assert_eq!((action.as_str(), decision.as_str()), ("group.read", "deny"));
    }
    for id in [link.as_str(), "finnsinte"] {
        let before = audit_seqs(&state).await;
        assert_eq!(
            end_link(&malmo, id, "").await.unwrap_err(),
            AppError::NotFound,
            "{id}"
        );
        assert_eq!(audit_seqs(&state).await, before + 1, "{id}");
    }
    // Malmö's list does not hold Göteborg's group.
    assert!(list(&malmo).await.unwrap().iter().all(|x| x.id != g));
}

#[tokio::test]
async fn a_group_is_sealed_with_its_own_key_and_links_follow_their_periods() {
    let state = setup().await;
    let (g, case, link) = group_with_shared_case(&state).await;
    let w = as_user(&state, "handlaggare").await;
    let raw: Vec<serde_json::Value> = state
        .db()
        .q("SELECT * FROM type::record('sspf_group', $g)")
        .bind("g", &g)
        .run()
        .await
        .unwrap()
        .all(0)
        .unwrap();
    let raw = format!("{raw:?}");
    assert!(
        !raw.contains("Testtorget") && !raw.contains("torget på"),
        "{raw}"
    );
    assert!(vault::dek(&state, &key_id(&g)).await.unwrap().is_some());
    // An overlapping second link is refused beside the case field; nothing is written.
    let e = link_case(&w, &g, &case, "2020-01-01", "")
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("case_id"));
    // Ending the link: not before it began, and then it no longer holds.
    let e = end_link(&w, &link, "2000-01-01").await.unwrap_err();
    assert_eq!(e.field(), Some("to"));
    end_link(&w, &link, "").await.unwrap();
    let v = view(&w, &g).await.unwrap();
    let m = v.members.iter().find(|m| m.link_id == link).unwrap();
    assert_eq!(m.to, Some(state.clock().today()));
    assert_eq!(
        v.group.description,
        "Syns ofta tillsammans vid torget på kvällarna."
    );
    // A case of another unit cannot be linked: it is answered as one that does not exist.
    let malmo = as_user(&state, "handlaggare.malmo").await;
    let other = participants::list(&malmo, participants::ListFilter::default())
        .await
        .unwrap()[0]
        .case_id
        .clone();
    assert_eq!(
        link_case(&w, &g, &other, &today(&state), "")
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    // A link made in error is removed, with its event.
    remove_link(&w, &link).await.unwrap();
    assert!(view(&w, &g).await.unwrap().members.is_empty());
    assert!(case_groups(&w, &case)
        .await
        .unwrap()
        .iter()
        .all(|x| x.group_id != g));
}

#[tokio::test]
async fn shredding_a_member_leaves_the_group_readable() {
    let state = setup().await;
    let (g, case, _) = group_with_shared_case(&state).await;
    let w = as_user(&state, "handlaggare").await;
    let pid = crate::gate::case_by_id(&w, &case)
        .await
        .unwrap()
        .participant;
    crate::shred::shred(&state, &Who::system(), &pid, None, "test")
        .await
        .unwrap();
    let v = view(&w, &g).await.unwrap();
    assert_eq!(v.group.name, "Gruppen vid Testtorget");
}
