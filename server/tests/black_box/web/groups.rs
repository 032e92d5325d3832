//! SSPF groups read as raw HTTP: the pages and endpoints of a partner (Passus), the police, the
//! school and leisure services never carry the demo group's name, its id or the group section —
//! not on the case list, any page of a linked case they may open, the timeline, the plan, nor
//! `/grupper` — while the owning case worker's same pages do, so the test looks at the right
//! pages.

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{page, signed_in};
use crate::common::{spawn_app, TestApp};
use utvag_core::demo_groups::{DEMO_GROUP, DEMO_GROUP_NAME};

/// Everything that would give the group away.
const NEEDLES: [&str; 3] = [DEMO_GROUP_NAME, DEMO_GROUP, "SSPF-grupp"];

async fn body(app: &TestApp, c: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let resp = page(app, c, path).await;
    (resp.status(), resp.text().await.unwrap())
}

/// The ids of the demo group's linked cases, as the owning case worker's group view gives them.
async fn linked_cases(app: &TestApp, worker: &reqwest::Client) -> Vec<String> {
    let resp = app.call(worker, "groups/get", &[("id", DEMO_GROUP)]).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["group"]["name"], DEMO_GROUP_NAME);
    v["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["case_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn group_links_are_invisible_to_partners_police_school_and_leisure() {
    let app = spawn_app().await;
    let worker = signed_in(&app, "handlaggare").await;
    let cases = linked_cases(&app, &worker).await;
    assert!(cases.len() >= 2, "{cases:?}");

    let mut paths = vec![
        "/".to_string(),
        "/arenden".to_string(),
        "/grupper".to_string(),
        format!("/grupper/{DEMO_GROUP}"),
    ];
    for c in &cases {
        for tab in ["", "/tidslinje", "/plan", "/vardnadshavare", "/effekt"] {
            paths.push(format!("/arenden/{c}{tab}"));
        }
    }

    // The owning case worker sees the group where it belongs: the proof that these are the pages
    // that would show it.
    let (_, list) = body(&app, &worker, "/grupper").await;
    assert!(list.contains(DEMO_GROUP_NAME), "the group list");
    let (_, view) = body(&app, &worker, &format!("/grupper/{DEMO_GROUP}")).await;
    assert!(view.contains(DEMO_GROUP_NAME) && view.contains("Kopplade ärenden"));
    let mut overview_shows_it = false;
    let mut timeline_shows_it = false;
    for c in &cases {
        let (status, b) = body(&app, &worker, &format!("/arenden/{c}")).await;
        if status == StatusCode::OK && b.contains(DEMO_GROUP_NAME) && b.contains("SSPF-grupper") {
            overview_shows_it = true;
        }
        let (status, b) = body(&app, &worker, &format!("/arenden/{c}/tidslinje")).await;
        if status == StatusCode::OK && b.contains("SSPF-grupp") {
            timeline_shows_it = true;
        }
    }
    assert!(overview_shows_it && timeline_shows_it);

    let mut opened = 0;
    for user in ["passus", "polis", "skola", "fritid"] {
        let c = signed_in(&app, user).await;
        for path in &paths {
            let (status, b) = body(&app, &c, path).await;
            if status == StatusCode::OK && path.starts_with("/arenden/") && b.contains("case-name")
            {
                opened += 1;
            }
            for needle in NEEDLES {
                assert!(!b.contains(needle), "{user} {path}: {needle} in the body");
            }
            assert!(
                !b.contains("href=\"/grupper\""),
                "{user} {path}: the nav link"
            );
        }
        // The endpoints themselves refuse, and say nothing of the group.
        for (endpoint, args) in [
            ("groups/list", vec![]),
            ("groups/get", vec![("id", DEMO_GROUP)]),
            ("groups/of_case", vec![("case_id", cases[0].as_str())]),
            (
                "groups/link",
                vec![
                    ("group_id", DEMO_GROUP),
                    ("case_id", cases[0].as_str()),
                    ("from", "2026-01-01"),
                ],
            ),
        ] {
            let resp = app.call(&c, endpoint, &args).await;
            assert!(
                resp.status().is_client_error(),
                "{user} {endpoint}: {}",
                resp.status()
            );
            let b = resp.text().await.unwrap();
            for needle in NEEDLES {
                assert!(!b.contains(needle), "{user} {endpoint}: {needle}");
            }
        }
    }
    // The partner and the police are on the shared linked case's team and open its pages: the
    // absence above is not just a refused case.
    assert!(
        opened > 0,
        "no linked case page was opened by a team partner"
    );
}
