//! The site's files (`/pkg`): sent compressed from the copies written at build time, cached by
//! the browser and revalidated on each use; pages are never stored.

use reqwest::header;
use reqwest::StatusCode;

use crate::common::{client, page, spawn_app};

#[tokio::test]
async fn site_files_come_precompressed_with_a_validator_and_pages_are_not_stored() {
    let app = spawn_app().await;
    let c = client();
    // The build wrote brotli and gzip copies of the wasm (`make site`).
    let pkg = std::path::Path::new("../target/site/pkg");
    let raw = std::fs::metadata(pkg.join("utvag_bg.wasm")).unwrap().len();
    let br = std::fs::metadata(pkg.join("utvag_bg.wasm.br"))
        .expect("make site writes utvag_bg.wasm.br")
        .len();
    assert!(br < raw / 2, "brotli {br} of {raw} bytes");

    for (accept, encoding, len) in [
        ("br", Some("br"), Some(br)),
        ("gzip", Some("gzip"), None),
        ("identity", None, Some(raw)),
    ] {
        let r = c
            .get(app.url("/pkg/utvag_bg.wasm"))
            .header(header::ACCEPT_ENCODING, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers()
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            encoding,
            "asked for {accept}"
        );
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/wasm");
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-cache");
        assert!(r.headers()[header::VARY]
            .to_str()
            .unwrap()
            .contains("accept-encoding"));
        let modified = r.headers()[header::LAST_MODIFIED]
            .to_str()
            .unwrap()
            .to_string();
        if let Some(len) = len {
            assert_eq!(r.bytes().await.unwrap().len() as u64, len);
        }
        // Unchanged since: 304 without a body.
        let again = c
            .get(app.url("/pkg/utvag_bg.wasm"))
            .header(header::ACCEPT_ENCODING, accept)
            .header(header::IF_MODIFIED_SINCE, modified)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert!(again.bytes().await.unwrap().is_empty());
    }

    let sign_in = page(&app, &c, "/logga-in").await;
    assert_eq!(sign_in.headers()[header::CACHE_CONTROL], "no-store");
}
