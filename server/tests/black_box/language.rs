//! The language switch (`POST /api/sprak`): the cookie, the way back, the account.

use crate::common::{client, location, page, spawn_app, PASSWORD};
use reqwest::StatusCode;

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
