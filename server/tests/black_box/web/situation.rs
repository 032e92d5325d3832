//! Situation pictures as a browser without JavaScript uses them, read as raw HTTP: a school
//! contributes with a plain form post; an observation holding a personnummer comes back to the
//! form with the message and is not saved; the program lead sees the school's observation; the
//! school may not merge and reads no case content.

use reqwest::StatusCode;
use serde_json::Value;

use super::location_of;
use crate::common::{page, signed_in};
use crate::common::{spawn_app, TestApp};
use domain::situation::Period;
use utvag_core::demo::demo_people;

fn current(app: &TestApp) -> String {
    Period::of(app.state.clock().today()).code()
}

async fn view(app: &TestApp, c: &reqwest::Client, period: &str) -> Value {
    let resp = app
        .call(
            c,
            "situation/view",
            &[("area", "angered"), ("period", period)],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

fn texts(v: &Value) -> Vec<String> {
    v["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_school_contributes_without_javascript_and_a_personnummer_is_sent_back_unsaved() {
    let app = spawn_app().await;
    let c = signed_in(&app, "skola").await;
    let p = current(&app);
    let area_page = format!("/lagesbild/angered/{p}");
    let overview = page(&app, &c, "/lagesbild").await;
    assert_eq!(overview.status(), StatusCode::OK);
    assert!(overview.text().await.unwrap().contains(&area_page));
    let form = page(&app, &c, &area_page).await.text().await.unwrap();
    assert!(
        form.contains("action=\"/api/situation/contribute\""),
        "{form}"
    );
    let before = texts(&view(&app, &c, &p).await);

    let person = &demo_people()[0];
    let post = |text: String| {
        let period = p.clone();
        let c = c.clone();
        let referer = app.url(&area_page);
        let url = app.url("/api/situation/contribute");
        async move {
            c.post(url)
                .header("accept", "text/html")
                .header("referer", referer)
                .form(&[
                    ("area", "angered"),
                    ("period", period.as_str()),
                    ("category", "youth_voice"),
                    ("level", "high"),
                    ("place", ""),
                    ("time_of_day", ""),
                    ("days", ""),
                    ("text", text.as_str()),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let refused = post(format!(
        "Eleven med personnummer {} berättar om hot",
        person.personnummer
    ))
    .await;
    assert!(refused.status().is_redirection(), "{}", refused.status());
    let to = location_of(&refused);
    assert!(
        !to.contains(&person.personnummer) && to.contains("__flash="),
        "{to}"
    );
    let to = to.strip_prefix(&app.base).unwrap_or(&to).to_string();
    let back = page(&app, &c, &to).await.text().await.unwrap();
    assert!(
        back.contains("ser ut att innehålla ett personnummer"),
        "{back}"
    );
    assert_eq!(texts(&view(&app, &c, &p).await), before, "nothing saved");

    let ok = "Elever berättar om bilar som väntar vid skolan på fredagar.";
    let saved = post(ok.to_string()).await;
    assert!(saved.status().is_redirection(), "{}", saved.status());
    assert!(texts(&view(&app, &c, &p).await).contains(&ok.to_string()));
    let shown = page(&app, &c, &area_page).await.text().await.unwrap();
    assert!(shown.contains(ok));

    // The program lead sees the school's observation; the school may not merge.
    let lead = signed_in(&app, "programledare").await;
    assert!(texts(&view(&app, &lead, &p).await).contains(&ok.to_string()));
    let lead_page = page(&app, &lead, &area_page).await.text().await.unwrap();
    assert!(lead_page.contains(ok) && lead_page.contains("action=\"/api/situation/save\""));
    let merge = app
        .call(
            &c,
            "situation/save",
            &[
                ("area", "angered"),
                ("period", p.as_str()),
                ("summary", "Bilden"),
                ("priorities", ""),
                ("actions", ""),
                ("status", "agreed"),
            ],
        )
        .await;
    assert_eq!(merge.status(), StatusCode::FORBIDDEN);
    assert!(!form.contains("action=\"/api/situation/save\""));
}

#[tokio::test]
async fn a_school_user_reads_no_case_content() {
    let app = spawn_app().await;
    let c = signed_in(&app, "skola").await;
    let person = &demo_people()[0];
    let secrets = [
        person.first_name.as_str(),
        person.last_name.as_str(),
        person.personnummer.as_str(),
        person.phone.as_str(),
    ];
    for (endpoint, args) in [
        ("cases/search", vec![("q", person.personnummer.as_str())]),
        ("cases/list", vec![("status", "")]),
    ] {
        let resp = app.call(&c, endpoint, &args).await;
        assert!(
            matches!(resp.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{endpoint}: {}",
            resp.status()
        );
        let body = resp.text().await.unwrap();
        assert!(
            !secrets.iter().any(|s| body.contains(s)),
            "{endpoint}: {body}"
        );
    }
    let p = current(&app);
    for path in [
        "/".to_string(),
        "/lagesbild".to_string(),
        format!("/lagesbild/angered/{p}"),
        format!("/lagesbild/hisingen_skola/{p}"),
    ] {
        let body = page(&app, &c, &path).await.text().await.unwrap();
        assert!(!body.contains(person.personnummer.as_str()), "{path}");
        assert!(!body.contains(person.phone.as_str()), "{path}");
        assert!(
            !body.contains(&format!("{} {}", person.first_name, person.last_name)),
            "{path}"
        );
    }
}
