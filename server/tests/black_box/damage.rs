//! A store edited by hand: two participants' sealed personnummer swapped and one character of a
//! sealed name changed. The AAD binding refuses each moved or altered value; the case page still
//! answers, with each such value marked damaged in its own place and the rest readable; log review
//! flags them; `utvag integrity check` names them by place and prints no value.

use reqwest::StatusCode;
use utvag_core::config::{CoreSettings, DbSettings, KeySource};
use utvag_core::demo::demo_people;
use utvag_core::integrity::tamper;
use utvag_core::AppState;

use crate::common::{page, signed_in, spawn_app, utvag, TempDir, TestApp};

const NOTICE: &str = domain::DAMAGED;

/// The case and participant ids of demo person `i`, found as its case worker would.
async fn case_of(app: &TestApp, c: &reqwest::Client, i: usize) -> (String, String) {
    let p = &demo_people()[i];
    let rows: serde_json::Value = app
        .call(c, "cases/search", &[("q", &p.personnummer)])
        .await
        .json()
        .await
        .unwrap();
    (
        rows[0]["case_id"].as_str().unwrap().to_string(),
        rows[0]["participant_id"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_hand_edited_value_is_marked_damaged_in_its_place_and_the_case_page_answers() {
    let app = spawn_app().await;
    let c = signed_in(&app, "handlaggare").await;
    let (case_a, a) = case_of(&app, &c, 0).await;
    let (case_b, b) = case_of(&app, &c, 2).await;
    tamper::swap(&app.state, "participant", "personnummer", &a, &b).await;
    tamper::alter(&app.state, "participant", &b, "last_name").await;

    let (pa, pb) = (&demo_people()[0], &demo_people()[2]);
    let body = |resp: reqwest::Response| async move {
        let status = resp.status();
        (status, resp.text().await.unwrap())
    };
    let (status, html) = body(page(&app, &c, &format!("/arenden/{case_a}")).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(NOTICE), "{html}");
    assert!(
        html.contains(&pa.first_name) && html.contains(&pa.last_name),
        "{html}"
    );
    // Neither person's personnummer shows anywhere: the swapped value does not open.
    for p in [pa, pb] {
        assert!(!html.contains(&p.personnummer[..8]), "{html}");
    }
    let (status, html) = body(page(&app, &c, &format!("/arenden/{case_b}")).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(NOTICE), "{html}");
    assert!(!html.contains(&pb.last_name), "{html}");
    // The case data as the browser fetches it, and the case list, answer too.
    let view = app.call(&c, "cases/get", &[("case_id", &case_b)]).await;
    assert_eq!(view.status(), StatusCode::OK);
    let view: serde_json::Value = view.json().await.unwrap();
    assert_eq!(view["personnummer"], "Damaged");
    assert_eq!(view["last_name"], "Damaged");
    assert_eq!(view["first_name"]["Value"], pb.first_name);
    let list = page(&app, &c, "/arenden").await;
    assert_eq!(list.status(), StatusCode::OK);

    // Log review flags them (each value once, however often it was read).
    let auditor = signed_in(&app, "granskare").await;
    let mut flagged = Vec::new();
    for _ in 0..100 {
        let rows: serde_json::Value = app
            .call(&auditor, "audit/flagged", &[("days", "30")])
            .await
            .json()
            .await
            .unwrap();
        flagged = rows
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| {
                r["flags"]
                    .as_array()
                    .is_some_and(|f| f.iter().any(|x| x == "Damaged"))
            })
            .cloned()
            .collect();
        if flagged.len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(flagged.len(), 3, "{flagged:?}");
}

#[tokio::test]
async fn a_damaged_timeline_event_is_marked_in_the_pages_own_words() {
    let app = spawn_app().await;
    let c = signed_in(&app, "handlaggare").await;
    let (case, _) = case_of(&app, &c, 0).await;
    let event = tamper::event_with(&app.state, &case, "line").await;
    tamper::alter(&app.state, "event", &event, "line").await;
    c.post(app.url("/api/sprak"))
        .header("referer", app.url("/"))
        .form(&[("sprak", "en")])
        .send()
        .await
        .unwrap();
    let resp = page(&app, &c, &format!("/arenden/{case}/tidslinje")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    // The notice in English, where the event is; the domain's Swedish notice is not shown
    // (it is only in the page's data for hydration).
    assert_eq!(html.matches("data-testid=\"damaged\"").count(), 1, "{html}");
    assert!(html.contains(">this information cannot be read"), "{html}");
    assert!(!html.contains(&format!(">{NOTICE}<")), "{html}");
}

#[tokio::test]
async fn integrity_check_names_each_damaged_value_by_place_and_prints_no_value() {
    let dir = TempDir::new("integrity");
    let demo = utvag(&dir.0, &[], &["demo"]);
    assert!(demo.status.success(), "{demo:?}");
    let clean = utvag(&dir.0, &[], &["integrity", "check"]);
    let said = String::from_utf8_lossy(&clean.stdout);
    assert!(clean.status.success(), "{clean:?}");
    assert!(said.contains("integrity intact"), "{said}");

    // Edit the store by hand while no app has it open.
    let mut settings = CoreSettings::for_tests();
    settings.db = DbSettings {
        url: format!("surrealkv://{}", dir.0.join("data/store.db").display()),
        // The binary's default namespace and database.
        namespace: "utvag".into(),
        database: "utvag".into(),
        username: None,
        password: None,
        ..settings.db
    };
    settings.keys = KeySource::File {
        path: dir.0.join("data/utvag.key"),
        create_if_missing: false,
    };
    let (a, b) = {
        let state = AppState::init(settings).await.unwrap();
        let ids = tamper::people_with(&state, "personnummer", 2).await;
        tamper::swap(&state, "participant", "personnummer", &ids[0], &ids[1]).await;
        tamper::alter(&state, "participant", &ids[1], "first_name").await;
        (ids[0].clone(), ids[1].clone())
    };

    // The embedded store closes in a background task once its last handle is gone.
    let mut out = utvag(&dir.0, &[], &["integrity", "check"]);
    for _ in 0..40 {
        if !String::from_utf8_lossy(&out.stderr).contains("already locked") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        out = utvag(&dir.0, &[], &["integrity", "check"]);
    }
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{said}\n{err}");
    for (rec, field) in [
        (&a, "personnummer"),
        (&b, "personnummer"),
        (&b, "first_name"),
    ] {
        assert!(
            said.contains(&format!("table participant, record {rec}, field {field}")),
            "{said}\n{err}"
        );
    }
    assert_eq!(said.matches("damaged: ").count(), 3, "{said}");
    assert!(err.contains("3 damaged"), "{err}");
    for p in demo_people() {
        assert!(!said.contains(&p.personnummer[..8]) && !said.contains(&p.last_name));
        assert!(!err.contains(&p.personnummer[..8]) && !err.contains(&p.last_name));
    }
}
