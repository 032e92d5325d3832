//! Black-box tests of what every browser gets, read as raw HTTP: the security headers and the
//! script nonce, metrics kept off the public listener, the redirect of signed-out visitors, the
//! one access page for cases one may not open, plain (no-JavaScript) form posts whose redirect
//! carries no text, and pages that render while another server of the process is built.

mod groups;
mod handover;
mod referrals;
mod situation;

use crate::common::{client, page, signed_in, spawn_app, spawn_app_with};
use reqwest::StatusCode;
use utvag_core::config::CoreSettings;
use utvag_core::demo::demo_people;

fn location_of(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn csp_nonce(csp: &str) -> String {
    let start = csp.find("'nonce-").expect("a nonce in the CSP") + "'nonce-".len();
    let end = csp[start..].find('\'').unwrap() + start;
    csp[start..end].to_string()
}

/// Every `<script …>` start tag of a page.
fn script_tags(body: &str) -> Vec<&str> {
    body.match_indices("<script")
        .map(|(i, _)| &body[i..i + body[i..].find('>').unwrap() + 1])
        .collect()
}

#[tokio::test]
async fn every_page_carries_a_strict_csp_whose_nonce_is_on_every_script() {
    let app = spawn_app().await;
    let c = signed_in(&app, "handlaggare").await;
    let resp = page(&app, &c, "/").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let csp = resp
        .headers()
        .get("content-security-policy")
        .expect("the page has a CSP")
        .to_str()
        .unwrap()
        .to_string();
    for directive in [
        "default-src 'self'",
        "'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp_nonce(&csp);
    assert_eq!(nonce.len(), 32, "128 bits as hex: {nonce}");
    assert!(
        resp.headers().get("strict-transport-security").is_none(),
        "no HSTS on plain http in demo mode"
    );
    let body = resp.text().await.unwrap();
    let scripts = script_tags(&body);
    assert!(
        !scripts.is_empty(),
        "the page has its hydration script: {body}"
    );
    for tag in &scripts {
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")),
            "a script without this response's nonce: {tag}"
        );
    }
    assert!(
        !body.contains(" onclick="),
        "inline event handlers would be blocked by the CSP"
    );
    // A fresh nonce for every response, on the sign-in page too.
    let again = page(&app, &client(), "/logga-in").await;
    let csp2 = again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(csp_nonce(&csp2), nonce);
}

#[tokio::test]
async fn hsts_is_sent_when_cookies_are_secure() {
    let mut settings = CoreSettings::for_tests();
    settings.secure_cookies = true;
    let app = spawn_app_with(settings).await;
    let resp = page(&app, &client(), "/logga-in").await;
    assert_eq!(
        resp.headers()["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
}

#[tokio::test]
async fn metrics_are_not_on_the_public_listener_but_on_their_own() {
    let app = spawn_app().await;
    let c = signed_in(&app, "admin").await;
    let resp = c.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(!resp.text().await.unwrap().contains("http_requests_total"));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (addr, _handle) = server::serve_metrics(listener, std::future::pending())
        .await
        .unwrap();
    let body = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("http_requests_total"), "{body}");
}

#[tokio::test]
async fn signed_out_page_requests_redirect_to_sign_in_and_name_the_page() {
    let app = spawn_app().await;
    let anon = client();
    for (path, next) in [
        ("/", "/logga-in?next=/"),
        ("/arenden/abc123", "/logga-in?next=/arenden/abc123"),
        (
            "/arenden/abc123/plan?x=1",
            "/logga-in?next=/arenden/abc123/plan%3Fx%3D1",
        ),
        ("/granskning", "/logga-in?next=/granskning"),
    ] {
        let resp = page(&app, &anon, path).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location_of(&resp), next, "{path}");
    }
    // A session that is no longer valid says so.
    let stale = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = stale
        .get(app.url("/arenden"))
        .header("accept", "text/html")
        .header(
            "cookie",
            "utvag_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location_of(&resp).starts_with("/logga-in?next=/arenden"));
    // The sign-in page itself answers.
    assert_eq!(
        page(&app, &anon, "/logga-in").await.status(),
        StatusCode::OK
    );
    // Signed in, the start page renders.
    let c = signed_in(&app, "handlaggare").await;
    assert_eq!(page(&app, &c, "/").await.status(), StatusCode::OK);
}

/// The page with what differs per response (the nonce, which leptos also writes into the
/// `crossorigin` of its preload links) and the requested id taken out.
async fn normalised(resp: reqwest::Response, id: &str) -> (StatusCode, String) {
    let status = resp.status();
    let nonce = csp_nonce(resp.headers()["content-security-policy"].to_str().unwrap());
    let body = resp.text().await.unwrap();
    (status, body.replace(id, "<ID>").replace(&nonce, "<NONCE>"))
}

#[tokio::test]
async fn the_access_page_is_the_same_for_a_case_that_does_not_exist_and_one_of_another_organisation(
) {
    let app = spawn_app().await;
    let owner = signed_in(&app, "handlaggare").await;
    // Demo person 1's case belongs to Göteborg.
    let p = &demo_people()[1];
    let rows: serde_json::Value = app
        .call(&owner, "cases/search", &[("q", &p.personnummer)])
        .await
        .json()
        .await
        .unwrap();
    let case_id = rows[0]["case_id"].as_str().unwrap().to_string();
    let missing: String = "x".repeat(case_id.len());
    for username in ["handlaggare.malmo", "passus", "polis"] {
        let c = signed_in(&app, username).await;
        let real = normalised(
            page(&app, &c, &format!("/arenden/{case_id}")).await,
            &case_id,
        )
        .await;
        let none = normalised(
            page(&app, &c, &format!("/arenden/{missing}")).await,
            &missing,
        )
        .await;
        assert_eq!(real.0, StatusCode::NOT_FOUND, "{username}");
        assert!(
            real.1.contains("Du har inte åtkomst till det här ärendet"),
            "{username}: {}",
            real.1
        );
        assert!(!real.1.contains(&p.last_name), "{username}");
        assert_eq!(
            real, none,
            "{username}: the access page tells whether the case exists"
        );
    }
    // Staff of the owning organisation off the team are offered break-glass there.
    let colleague = signed_in(&app, "handlaggare2").await;
    let body = page(&app, &colleague, &format!("/arenden/{case_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(body.contains("Begär nödåtkomst"), "{body}");
}

#[tokio::test]
async fn a_failed_plain_form_post_keeps_its_text_out_of_the_address_and_shows_it_once() {
    let app = spawn_app().await;
    let c = signed_in(&app, "handlaggare").await;
    let p = &demo_people()[0];
    let rows: serde_json::Value = app
        .call(&c, "cases/search", &[("q", &p.personnummer)])
        .await
        .json()
        .await
        .unwrap();
    let case_id = rows[0]["case_id"].as_str().unwrap().to_string();
    let notes_page = format!("/arenden/{case_id}/anteckningar");
    // A note one character too long, posted by a browser without JavaScript.
    let marker = "Skyddsadressen Hemliggatan 7";
    let text = format!("{marker} {}", "x".repeat(20_000));
    let resp = c
        .post(app.url("/api/notes/add"))
        .header("accept", "text/html")
        .header("referer", app.url(&notes_page))
        .form(&[("case_id", case_id.as_str()), ("text", text.as_str())])
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_redirection(), "{}", resp.status());
    let to = location_of(&resp);
    for leak in [
        "Skyddsadress",
        "Hemliggatan",
        "xxxx",
        "__err",
        "tecken",
        "Anteckningen",
    ] {
        assert!(!to.contains(leak), "{leak} in the address: {to}");
    }
    assert!(to.contains("__flash="), "{to}");
    assert!(to.len() < app.url(&notes_page).len() + 60, "{to}");
    let to = to.strip_prefix(&app.base).unwrap_or(&to).to_string();
    // The page shows the error and the text, once.
    let shown = page(&app, &c, &to).await;
    assert_eq!(shown.status(), StatusCode::OK);
    let body = shown.text().await.unwrap();
    assert!(body.contains("Anteckningen får vara högst"), "{body}");
    assert!(body.contains(marker), "the typed text is back in the form");
    let again = page(&app, &c, &to).await.text().await.unwrap();
    assert!(!again.contains(marker) && !again.contains("Anteckningen får vara högst"));
    // Nothing was saved.
    let notes: serde_json::Value = app
        .call(&c, "notes/list", &[("case_id", &case_id)])
        .await
        .json()
        .await
        .unwrap();
    assert!(!notes.to_string().contains(marker));
}

/// leptos lists a server's pages by rendering the app with the loading of every resource of the
/// process suspended. A page rendered while another server of the same process was built (the
/// tests build many side by side) waited for its data for ever: pages are listed once per
/// process, so building servers in a loop beside leaves every page answering.
#[tokio::test]
async fn pages_render_while_another_server_of_the_process_is_built() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let app = spawn_app().await;
    let c = signed_in(&app, "handlaggare").await;
    // A site of one small file, so that building a server is mostly listing its pages.
    let site = crate::common::TempDir::new("routes-site");
    std::fs::create_dir_all(site.0.join("pkg")).unwrap();
    std::fs::write(site.0.join("pkg/utvag.css"), "main {}").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let builder = {
        let (state, stop, root) = (app.state.clone(), Arc::clone(&stop), site.0.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let mut built = 0;
            rt.block_on(async {
                while !stop.load(Ordering::Relaxed) {
                    let options = server::leptos_options(&root, "127.0.0.1:0".parse().unwrap());
                    drop(server::router(state.clone(), options, 16));
                    built += 1;
                    tokio::task::yield_now().await;
                }
            });
            built
        })
    };
    for path in ["/arenden", "/", "/lagesbild"].iter().cycle().take(12) {
        let resp = tokio::time::timeout(std::time::Duration::from_secs(30), page(&app, &c, path))
            .await
            .unwrap_or_else(|_| panic!("{path} was not answered while servers were built"));
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
    }
    stop.store(true, Ordering::Relaxed);
    assert!(builder.join().unwrap() > 0, "no server was built beside");
}
