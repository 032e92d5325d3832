//! The site's files (`/pkg`): sent compressed from the copies written at build time, cached by
//! the browser and revalidated on each use; pages are never stored. The pages behind sign-in
//! come as chunks of the wasm, which a page names for preloading.

use reqwest::header;
use reqwest::StatusCode;

use crate::common::{client, page, signed_in, spawn_app};

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

/// The addresses of the page's `<link>` tags with `rel` (attributes in any order).
fn links<'a>(html: &'a str, rel: &str) -> Vec<&'a str> {
    let rel = format!(r#"rel="{rel}""#);
    html.split("<link")
        .skip(1)
        .filter_map(|tag| {
            let tag = tag.split('>').next()?;
            if !tag.contains(&rel) {
                return None;
            }
            tag.split(r#"href=""#).nth(1)?.split('"').next()
        })
        .collect()
}

/// The wasm chunks a page names for preloading (`<link rel="preload" href="/pkg/….wasm">`,
/// written by leptos from the split manifest), in the order named.
fn preloaded_chunks(html: &str) -> Vec<String> {
    links(html, "preload")
        .into_iter()
        .filter_map(|href| {
            let file = href.strip_prefix("/pkg/")?;
            (file.ends_with(".wasm") && file != "utvag_bg.wasm").then(|| file.to_string())
        })
        .collect()
}

#[tokio::test]
async fn a_page_behind_sign_in_names_its_chunks_and_the_sign_in_page_needs_only_the_main_module() {
    let app = spawn_app().await;
    // `make site` split the wasm and wrote which chunks each lazy page needs.
    let manifest: std::collections::HashMap<String, Vec<String>> = serde_json::from_str(
        &std::fs::read_to_string("../target/site/pkg/__wasm_split_manifest.json")
            .expect("make site writes the split manifest"),
    )
    .unwrap();
    // The role-specific pages apart, and the rest of the pages behind sign-in as one more group
    // (keys are `<group>_<hash>`, app/src/app.rs `lazy_pages!`).
    let groups: std::collections::BTreeSet<&str> = manifest
        .keys()
        .filter_map(|k| k.rsplit_once('_').map(|(group, _)| group))
        .collect();
    assert_eq!(
        groups,
        ["admin", "extract", "outcomes", "review", "work"].into(),
        "the split groups"
    );

    // The sign-in page is in the first download: it names no chunk.
    let sign_in = page(&app, &client(), "/logga-in")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        preloaded_chunks(&sign_in).is_empty(),
        "the sign-in page preloads no chunk"
    );

    // The case list is a lazy page: the server names its chunks, and each is served like the
    // main module, compressed and revalidated.
    let c = signed_in(&app, "handlaggare").await;
    let cases = page(&app, &c, "/arenden").await;
    assert_eq!(cases.status(), StatusCode::OK);
    let html = cases.text().await.unwrap();
    let chunks = preloaded_chunks(&html);
    assert!(!chunks.is_empty(), "the case list names its chunks");
    let named: std::collections::HashSet<String> = manifest
        .values()
        .flatten()
        .map(|m| format!("{m}.wasm"))
        .collect();
    for chunk in &chunks {
        assert!(named.contains(chunk), "{chunk} is a chunk of the manifest");
        let r = c
            .get(app.url(&format!("/pkg/{chunk}")))
            .header(header::ACCEPT_ENCODING, "br")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{chunk}");
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/wasm");
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-cache");
    }
    // And the loader that fetches them, as a module.
    assert!(
        links(&html, "modulepreload")
            .iter()
            .any(|href| href.starts_with("/pkg/__wasm_split.")),
        "the page names the chunks' loader"
    );
}
