//! The language switch (`POST /api/sprak`): the cookie, the way back, the account.

use crate::common::{
    case_of, client, location, page, participant_form, signed_in, spawn_app, PASSWORD,
};
use reqwest::StatusCode;
use utvag_core::demo::demo_people;

fn language_cookie(resp: &reqwest::Response) -> Option<String> {
    resp.headers().get_all("set-cookie").iter().find_map(|v| {
        let s = v.to_str().ok()?;
        s.starts_with("utvag_lang=").then(|| s.to_string())
    })
}

async fn switch(
    app: &crate::common::TestApp,
    c: &reqwest::Client,
    language: &str,
    back: &str,
) -> reqwest::Response {
    // The page the switch was on, as a browser names it.
    let referer = if back.starts_with('/') && !back.starts_with("//") {
        app.url(back)
    } else {
        back.to_string()
    };
    c.post(app.url("/api/sprak"))
        .header("referer", referer)
        .form(&[("sprak", language)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_switch_sets_the_cookie_and_returns_to_the_page_only_on_this_site() {
    let app = spawn_app().await;
    let c = client();
    let resp = switch(&app, &c, "en", "/logga-in?utloggad=1").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&resp).as_deref(), Some("/logga-in?utloggad=1"));
    let cookie = language_cookie(&resp).expect("language cookie");
    assert!(cookie.starts_with("utvag_lang=en; Path=/;"), "{cookie}");

    // The next page comes in English, with the language on <html>.
    let body = page(&app, &c, "/logga-in").await.text().await.unwrap();
    assert!(
        body.contains("<html lang=\"en\""),
        "{}",
        &body[..body.len().min(400)]
    );

    // The server's own pages follow the cookie too.
    let missing = page(&app, &c, "/finns/inte").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let body = missing.text().await.unwrap();
    assert!(body.contains("<html lang=\"en\">"), "{body}");

    // Only a path of this site is returned to, whatever the Referer names.
    for (referer, to) in [
        ("https://evil.example/", "/"),
        ("https://evil.example//evil.example/x", "/"),
        ("http://evil.example/arenden", "/arenden"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
    ] {
        let resp = switch(&app, &client(), "sv", referer).await;
        assert_eq!(location(&resp).as_deref(), Some(to), "{referer:?}");
    }

    // An unknown language changes nothing.
    let resp = switch(&app, &client(), "de", "/logga-in").await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(language_cookie(&resp), None);
}

#[tokio::test]
async fn a_signed_in_choice_is_kept_in_the_account_and_set_again_at_the_next_sign_in() {
    let app = spawn_app().await;
    let c = client();
    let first = app.login(&c, "handlaggare", PASSWORD).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert_eq!(language_cookie(&first), None, "no choice made yet");
    switch(&app, &c, "en", "/").await;

    let again = app.login(&client(), "handlaggare", PASSWORD).await;
    let cookie = language_cookie(&again).expect("the account's language at sign-in");
    assert!(cookie.starts_with("utvag_lang=en;"), "{cookie}");

    // Someone else's sign-in is not affected.
    let other = app.login(&client(), "passus", PASSWORD).await;
    assert_eq!(language_cookie(&other), None);
}

/// A plain (no-JavaScript) post refused, and the page it returns to, on an English page.
async fn refused_page(
    app: &crate::common::TestApp,
    c: &reqwest::Client,
    api: &str,
    from: &str,
    form: &[(&str, &str)],
) -> String {
    let resp = c
        .post(app.url(api))
        .header("accept", "text/html")
        .header("referer", app.url(from))
        .form(form)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_redirection(), "{}", resp.status());
    let to = location(&resp).unwrap();
    let to = to.strip_prefix(&app.base).unwrap_or(&to).to_string();
    page(app, c, &to).await.text().await.unwrap()
}

#[tokio::test]
async fn refusals_on_an_english_page_are_in_english() {
    let app = spawn_app().await;
    let c = signed_in(&app, "handlaggare").await;
    let p = &demo_people()[0];
    let case_id = case_of(&c, &app.base, &p.personnummer).await;
    switch(&app, &c, "en", "/").await;

    // A contact dated the day after tomorrow: a date rule with a code, named in English, and
    // the summary typed is back in the form.
    let later = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%dT10:00")
        .to_string();
    let body = refused_page(
        &app,
        &c,
        "/api/contacts/add",
        &format!("/arenden/{case_id}/kontakt"),
        &[
            ("case_id", case_id.as_str()),
            ("kind", "phone"),
            ("at", later.as_str()),
            ("summary", "Samtal Qx7"),
        ],
    )
    .await;
    assert!(body.contains("The date cannot be in the future."), "{body}");
    assert!(!body.contains("i förväg"), "{body}");
    assert!(body.contains("Samtal Qx7"), "the summary is kept");

    // A search for neither a personnummer nor a phone number: a rule of the core, in English,
    // with no Swedish beside it.
    let body = refused_page(&app, &c, "/api/cases/search", "/arenden", &[("q", "abc")]).await;
    assert!(
        body.contains("Search for a full personal identity number"),
        "{body}"
    );
    assert!(!body.contains("Sök på"), "{body}");

    // A person the unit already has: refused inside the database's transaction (a `THROW`),
    // whose code crosses to the page, which names it in English.
    let mut form = participant_form("Nora", "Nyström", &p.personnummer, "", "");
    form.push(("sspf_level".into(), "individual".into()));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let body = refused_page(&app, &c, "/api/participants/register", "/arenden/ny", &form).await;
    assert!(
        body.contains("Your unit already has a person with that personal identity number."),
        "{body}"
    );
    assert!(!body.contains("Det finns redan en person"), "{body}");
    assert!(body.contains("Nyström"), "what was typed is kept");
}
