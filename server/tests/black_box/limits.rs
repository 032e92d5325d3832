//! Back-pressure: an instance handles a bounded number of requests at once and refuses the
//! rest at once with 503 and `Retry-After`, while its health checks still answer.

use reqwest::StatusCode;
use tokio::io::AsyncWriteExt;
use utvag_core::config::CoreSettings;

use crate::common::{client, spawn_app_limited};

#[tokio::test]
async fn a_request_over_the_limit_gets_503_at_once_and_health_still_answers() {
    let app = spawn_app_limited(CoreSettings::for_tests(), 1).await;
    let addr = app.base.trim_start_matches("http://").to_string();
    // A sign-in whose body never finishes arriving holds the only permit.
    let mut held = tokio::net::TcpStream::connect(&addr).await.unwrap();
    held.write_all(
        format!(
            "POST /api/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nusername="
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let c = client();
    let mut refused = None;
    for _ in 0..100 {
        let r = c.get(app.url("/logga-in")).send().await.unwrap();
        if r.status() == StatusCode::SERVICE_UNAVAILABLE {
            refused = Some(r);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let r = refused.expect("a request over the limit is refused");
    assert_eq!(r.headers()["retry-after"], "1");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.text().await.unwrap().contains("Försök igen om en stund"));
    // Health is outside the limit: live without the database, ready with it.
    let live = c.get(app.url("/healthz/live")).send().await.unwrap();
    assert_eq!(live.status(), StatusCode::OK);
    let ready = c.get(app.url("/healthz/ready")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(
        ready.json::<serde_json::Value>().await.unwrap()["database"],
        "reachable"
    );

    // Once the held request ends, its permit is back.
    drop(held);
    let mut served = false;
    for _ in 0..100 {
        if c.get(app.url("/logga-in")).send().await.unwrap().status() == StatusCode::OK {
            served = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(served, "the permit of the ended request came back");
}
