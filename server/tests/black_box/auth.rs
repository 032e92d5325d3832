//! Black-box tests of sign-in, sessions and the request guards.

use crate::common::{client, location, session_cookie, spawn_app, spawn_app_with, PASSWORD};
use reqwest::StatusCode;
use utvag_core::config::CoreSettings;

#[tokio::test]
async fn sign_in_call_protected_endpoint_sign_out_and_the_same_cookie_is_refused() {
    let app = spawn_app().await;
    let c = client();
    let resp = app.login(&c, "admin", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], "/");
    let token = session_cookie(&resp).expect("session cookie");
    let set_cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );

    let users = app.call(&c, "admin/users", &[]).await;
    assert_eq!(users.status(), StatusCode::OK);
    let body: serde_json::Value = users.json().await.unwrap();
    assert!(body
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["username"] == "handlaggare"));

    let out = c.post(app.url("/api/logout")).send().await.unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);

    // A fresh client replaying the old token: the server has forgotten it.
    let replay = client();
    let resp = replay
        .post(app.url("/api/admin/users"))
        .header("cookie", format!("utvag_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let err: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(err, serde_json::json!("Unauthenticated"));
}

#[tokio::test]
async fn a_new_token_is_issued_at_every_sign_in() {
    let app = spawn_app().await;
    let a = session_cookie(&app.login(&client(), "handlaggare", PASSWORD).await).unwrap();
    let b = session_cookie(&app.login(&client(), "handlaggare", PASSWORD).await).unwrap();
    assert_ne!(a, b);
    assert_eq!(a.len(), 43, "256-bit token, base64url");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    let wrong = app
        .login(&client(), "handlaggare", "fel-lösenord-123")
        .await;
    let unknown = app.login(&client(), "finns.inte", "fel-lösenord-123").await;
    for r in [&wrong, &unknown] {
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()["location"], "/logga-in?fel=1");
        assert!(session_cookie(r).is_none());
    }
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    let app = spawn_app().await;
    for _ in 0..5 {
        app.login(&client(), "passus", "inte-rätt-lösenord").await;
    }
    let locked = app.login(&client(), "passus", PASSWORD).await;
    assert!(
        session_cookie(&locked).is_none(),
        "locked account must refuse even the right password"
    );
    app.state.clock().advance(chrono::Duration::minutes(16));
    let later = app.login(&client(), "passus", PASSWORD).await;
    assert!(session_cookie(&later).is_some(), "lock expires");
}

#[tokio::test]
async fn idle_session_expires_and_is_refused() {
    let app = spawn_app().await;
    let c = client();
    app.login(&c, "admin", PASSWORD).await;
    assert_eq!(
        app.call(&c, "admin/users", &[]).await.status(),
        StatusCode::OK
    );
    app.state.clock().advance(chrono::Duration::minutes(31));
    assert_eq!(
        app.call(&c, "admin/users", &[]).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn request_from_another_origin_is_refused() {
    let app = spawn_app().await;
    let c = client();
    let resp = c
        .post(app.url("/api/login"))
        .header("origin", "http://evil.example")
        .form(&[("username", "admin"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(session_cookie(&resp).is_none());
    let resp = c
        .post(app.url("/api/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("username", "admin"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // The same request from the page itself is fine.
    let host = app.base.trim_start_matches("http://").to_string();
    let ok = c
        .post(app.url("/api/login"))
        .header("origin", format!("http://{host}"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("username", "admin"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(session_cookie(&ok).is_some());
}

#[tokio::test]
async fn oversized_and_malformed_bodies_get_clear_errors() {
    let app = spawn_app().await;
    let c = client();
    app.login(&c, "admin", PASSWORD).await;
    let big = "x".repeat(1024 * 1024);
    let resp = app
        .call(
            &c,
            "admin/org_create",
            &[("name", &big), ("kind", "ngo"), ("municipalities", "Lund")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let resp = c
        .post(app.url("/api/admin/org_create"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("%%%&&&=\u{0}")
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error(), "{}", resp.status());

    let resp = app
        .call(
            &c,
            "admin/org_create",
            &[
                ("name", "Ny förening"),
                ("kind", "bogus"),
                ("municipalities", "Lund"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(err["Invalid"]["field"], "kind");
}

#[tokio::test]
async fn non_admin_cannot_manage_accounts() {
    let app = spawn_app().await;
    let c = client();
    app.login(&c, "handlaggare", PASSWORD).await;
    assert_eq!(
        app.call(&c, "admin/users", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let resp = app
        .call(
            &c,
            "admin/org_create",
            &[
                ("name", "X-förening"),
                ("kind", "ngo"),
                ("municipalities", "Lund"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn deactivated_user_loses_the_session_at_once() {
    let app = spawn_app().await;
    let admin = client();
    app.login(&admin, "admin", PASSWORD).await;
    let worker = client();
    app.login(&worker, "passus", PASSWORD).await;
    assert_eq!(
        app.call(&worker, "me", &[])
            .await
            .json::<serde_json::Value>()
            .await
            .unwrap()["username"],
        "passus"
    );
    let users: serde_json::Value = app
        .call(&admin, "admin/users", &[])
        .await
        .json()
        .await
        .unwrap();
    let u = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "passus")
        .unwrap()
        .clone();
    let version = u["version"].to_string();
    let resp = app
        .call(
            &admin,
            "admin/user_update",
            &[
                ("id", u["id"].as_str().unwrap()),
                ("version", &version),
                ("display_name", "Ahmed Yusuf"),
                ("org_id", u["org_id"].as_str().unwrap()),
                ("role", "partner"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK, "{:?}", resp.text().await);
    assert_eq!(
        app.call(&worker, "me", &[])
            .await
            .json::<serde_json::Value>()
            .await
            .unwrap(),
        serde_json::Value::Null
    );
    // Saving again with the old version is a conflict, not a silent overwrite.
    let stale = app
        .call(
            &admin,
            "admin/user_update",
            &[
                ("id", u["id"].as_str().unwrap()),
                ("version", &version),
                ("display_name", "Someone Else"),
                ("org_id", u["org_id"].as_str().unwrap()),
                ("role", "partner"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn health_and_metrics_answer() {
    let app = spawn_app().await;
    let h: serde_json::Value = client()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["database"], "reachable");
    server::telemetry::metrics();
    app.login(&client(), "admin", "wrong-password-x").await;
    // A site file of the build and one of a build this instance does not have.
    let id = server::site::build_id(std::path::Path::new("../target/site/pkg")).unwrap();
    for path in [
        format!("/build/{id}/pkg/utvag.js"),
        "/build/0123456789abcdef/pkg/utvag.js".to_string(),
    ] {
        client().get(app.url(&path)).send().await.unwrap();
    }
    // Metrics are served on their own listener (`--metrics-addr`), not the public one.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (addr, _handle) = server::serve_metrics(listener, std::future::pending())
        .await
        .unwrap();
    let m = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(m.contains("http_requests_total"), "{m}");
    assert!(m.contains("utvag_login_failures_total"), "{m}");
    // Every build's files under one label: the addresses do not multiply the series.
    assert!(m.contains(r#"route="/build""#), "{m}");
    assert!(!m.contains(r#"route="/build/"#), "{m}");
}

/// The `Set-Cookie` pair named `name`, if any.
fn cookie_named(resp: &reqwest::Response, name: &str) -> Option<(String, String)> {
    resp.headers().get_all("set-cookie").iter().find_map(|v| {
        let s = v.to_str().ok()?;
        let (k, rest) = s.split_once('=')?;
        let val = rest.split(';').next()?;
        (k == name && !val.is_empty()).then(|| (val.to_string(), s.to_string()))
    })
}

#[tokio::test]
async fn a_burst_from_one_address_gets_429_with_retry_after() {
    let mut settings = CoreSettings::for_tests();
    settings.sign_in.attempts_per_minute = 5;
    let app = spawn_app_with(settings).await;
    // Fifteen guesses at once, each claiming another address in X-Forwarded-For (not trusted:
    // no proxy is configured). Even split across a minute boundary one window gets more than 5.
    let mut set = tokio::task::JoinSet::new();
    for i in 0..15 {
        let url = app.url("/api/login");
        set.spawn(async move {
            client()
                .post(url)
                .header("x-forwarded-for", format!("198.51.100.{i}"))
                .form(&[
                    ("username", format!("gissning{i}")),
                    ("password", "fel".repeat(4)),
                ])
                .send()
                .await
                .unwrap()
        });
    }
    let mut limited = 0;
    while let Some(r) = set.join_next().await {
        let r = r.unwrap();
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
            let wait: i64 = r.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&wait), "{wait}");
            assert!(session_cookie(&r).is_none());
        } else {
            assert_eq!(location(&r).as_deref(), Some("/logga-in?fel=1"));
        }
    }
    assert!(limited >= 4, "{limited} of 15 refused with 429");
}

#[tokio::test]
async fn the_password_alone_reaches_no_case_data() {
    let app = spawn_app().await;
    let c = client();
    let first = app.password_step(&c, "handlaggare", PASSWORD).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&first).as_deref(), Some("/logga-in/kod"));
    assert!(session_cookie(&first).is_some(), "a pending session");
    for (endpoint, args) in [
        ("cases/list", vec![("status", ""), ("mine", "")]),
        ("cases/search", vec![("q", "19850312-1234")]),
    ] {
        let r = app.call(&c, endpoint, &args).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{endpoint}");
        let body = r.text().await.unwrap();
        assert_eq!(body, "\"Unauthenticated\"", "{endpoint}");
    }
    assert_eq!(
        app.call(&c, "me", &[])
            .await
            .json::<serde_json::Value>()
            .await
            .unwrap(),
        serde_json::Value::Null
    );
    let page = c.get(app.url("/arenden")).send().await.unwrap();
    assert!(page.status().is_redirection(), "{}", page.status());
    assert!(location(&page).unwrap().starts_with("/logga-in"));
}

#[tokio::test]
async fn sign_in_with_the_second_factor_and_a_code_works_once() {
    let app = spawn_app().await;
    let c = client();
    let first = app.password_step(&c, "handlaggare", PASSWORD).await;
    let pending = session_cookie(&first).unwrap();
    let code = app.demo_code("handlaggare").await;
    let wrong = if code == "123456" { "654321" } else { "123456" };
    let r = app.call(&c, "login/kod", &[("code", wrong)]).await;
    assert_eq!(location(&r).as_deref(), Some("/logga-in/kod?fel=1"));
    assert!(session_cookie(&r).is_none());
    let r = app.call(&c, "login/kod", &[("code", &code)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r).as_deref(), Some("/"));
    let full = session_cookie(&r).unwrap();
    assert_ne!(full, pending, "a new token for the complete session");
    let me: serde_json::Value = app.call(&c, "me", &[]).await.json().await.unwrap();
    assert_eq!(me["username"], "handlaggare");
    assert_eq!(
        app.call(&c, "cases/list", &[("status", ""), ("mine", "")])
            .await
            .status(),
        StatusCode::OK
    );
    // The same code in another sign-in is refused.
    let other = client();
    app.password_step(&other, "handlaggare", PASSWORD).await;
    let r = app.call(&other, "login/kod", &[("code", &code)]).await;
    assert_eq!(location(&r).as_deref(), Some("/logga-in/kod?fel=1"));
    // The page asked for before signing in is where a completed sign-in goes.
    let third = client();
    let r = third
        .post(app.url("/api/login"))
        .form(&[
            ("username", "polis"),
            ("password", PASSWORD),
            ("next", "/arenden?status=open"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&r).as_deref(),
        Some("/logga-in/kod?next=/arenden%3Fstatus%3Dopen")
    );
    let code = app.demo_code("polis").await;
    let r = app
        .call(
            &third,
            "login/kod",
            &[("code", &code), ("next", "/arenden?status=open")],
        )
        .await;
    assert_eq!(location(&r).as_deref(), Some("/arenden?status=open"));
}

#[tokio::test]
async fn secure_cookies_carry_the_host_prefix_and_only_that_name_counts() {
    let mut settings = CoreSettings::for_tests();
    settings.secure_cookies = true;
    let app = spawn_app_with(settings).await;
    let first = app.password_step(&client(), "admin", PASSWORD).await;
    let (pending, header) = cookie_named(&first, "__Host-utvag_session").expect("__Host- cookie");
    assert!(
        header.contains("; Secure") && header.contains("Path=/") && !header.contains("Domain"),
        "{header}"
    );
    let code = app.demo_code("admin").await;
    let r = client()
        .post(app.url("/api/login/kod"))
        .header("cookie", format!("__Host-utvag_session={pending}"))
        .form(&[("code", code.as_str())])
        .send()
        .await
        .unwrap();
    let (full, _) = cookie_named(&r, "__Host-utvag_session").expect("complete session");
    let me = |cookie: String| {
        let url = app.url("/api/me");
        async move {
            client()
                .post(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        me(format!("__Host-utvag_session={full}")).await["username"],
        "admin"
    );
    assert_eq!(
        me(format!("utvag_session={full}")).await,
        serde_json::Value::Null
    );
}

#[tokio::test]
async fn a_user_whose_password_an_administrator_set_is_told_once_after_signing_in() {
    let app = spawn_app().await;
    let admin = client();
    app.login(&admin, "admin", PASSWORD).await;
    let new_password = "ett-nytt-långt-lösenord";
    let r = app
        .call(
            &admin,
            "admin/user_password",
            &[("id", "demo_handlaggare"), ("password", new_password)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
    let first = app.login(&client(), "handlaggare", new_password).await;
    let to = location(&first).unwrap();
    assert!(to.starts_with("/logga-in/aterstallt?vid="), "{to}");
    assert!(session_cookie(&first).is_some());
    let again = app.login(&client(), "handlaggare", new_password).await;
    assert_eq!(location(&again).as_deref(), Some("/"));
}

#[tokio::test]
async fn an_administrator_resets_a_lost_second_factor_and_the_user_must_enrol_again() {
    let app = spawn_app().await;
    let partner = client();
    app.login(&partner, "passus", PASSWORD).await;
    let r = app
        .call(
            &partner,
            "admin/user_mfa_reset",
            &[("id", "demo_handlaggare")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Until an administrator resets it, the code step is next.
    let before = app.password_step(&client(), "handlaggare", PASSWORD).await;
    assert_eq!(location(&before).as_deref(), Some("/logga-in/kod"));

    let admin = client();
    app.login(&admin, "admin", PASSWORD).await;
    let r = app
        .call(
            &admin,
            "admin/user_mfa_reset",
            &[("id", "demo_handlaggare")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
    let after = app.password_step(&client(), "handlaggare", PASSWORD).await;
    let to = location(&after).unwrap_or_default();
    assert!(to.starts_with("/logga-in/aktivera"), "{to}");

    // Both attempts are in the log, the refusal included.
    let reviewer = app.authed("granskare").await;
    let rows = utvag_core::audit::review::reads_by_user(&reviewer, "admin")
        .await
        .unwrap();
    assert!(rows
        .iter()
        .any(|r| r.row.action == "user.mfa_reset" && r.row.decision == "allow"));
    let rows = utvag_core::audit::review::reads_by_user(&reviewer, "passus")
        .await
        .unwrap();
    assert!(rows
        .iter()
        .any(|r| r.row.action == "user.mfa_reset" && r.row.decision == "deny"));
}

#[test]
fn the_demo_code_command_prints_the_code_a_demo_user_signs_in_with() {
    let run = |user: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_utvag"))
            .args(["demo-code", user])
            .output()
            .unwrap()
    };
    let out = run("handlaggare");
    assert!(out.status.success(), "{out:?}");
    let code = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let secret = utvag_core::totp::demo_secret("handlaggare");
    let now = chrono::Utc::now();
    let expected = [
        utvag_core::totp::code_at(&secret, now),
        utvag_core::totp::code_at(&secret, now - chrono::Duration::seconds(30)),
    ];
    assert!(expected.contains(&code), "{code} {expected:?}");
    assert!(!run("someone").status.success());
}
