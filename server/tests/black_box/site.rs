//! The site's files: sent compressed from the copies written at build time. A page names the
//! files of its own build (`/build/<id>/pkg/…`), which are cached for good; the same files at
//! `/pkg/…` are revalidated on each use; pages are never stored. The pages behind sign-in come
//! as chunks of the wasm, which a page names for preloading.

use reqwest::header;
use reqwest::StatusCode;

use crate::common::{client, page, signed_in, spawn_app, spawn_app_serving};

/// The address of the files of the build `make site` wrote, as the server names it.
fn own_build() -> String {
    let id = server::site::build_id(std::path::Path::new("../target/site/pkg"))
        .expect("make site writes target/site/pkg");
    format!("/build/{id}/pkg/")
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `path` asked for in the encoding `accept`: found, sent in `encoding`, and marked as varying
/// with the encoding asked for.
async fn served(
    app: &crate::common::TestApp,
    c: &reqwest::Client,
    path: &str,
    accept: &str,
    encoding: Option<&str>,
) -> reqwest::Response {
    let r = c
        .get(app.url(path))
        .header(header::ACCEPT_ENCODING, accept)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    assert_eq!(
        r.headers()
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap()),
        encoding,
        "{path} asked for {accept}"
    );
    assert!(r.headers()[header::VARY]
        .to_str()
        .unwrap()
        .contains("accept-encoding"));
    r
}

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
        let r = served(&app, &c, "/pkg/utvag_bg.wasm", accept, encoding).await;
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/wasm");
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-cache");
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

/// The wasm chunks a page names for preloading (`<link rel="preload"
/// href="/build/<id>/pkg/….wasm">`, written by leptos from the split manifest), in the order
/// named. A chunk named at any other address is not counted, and the tests then fail.
fn preloaded_chunks(html: &str) -> Vec<String> {
    let build = own_build();
    links(html, "preload")
        .into_iter()
        .filter_map(|href| {
            let file = href.strip_prefix(build.as_str())?;
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
    // main module, compressed, at its build's address and cached for good.
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
            .get(app.url(&format!("{}{chunk}", own_build())))
            .header(header::ACCEPT_ENCODING, "br")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{chunk}");
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(r.headers()[header::CONTENT_TYPE], "application/wasm");
        assert_eq!(r.headers()[header::CACHE_CONTROL], IMMUTABLE);
    }
    // And the loader that fetches them (by addresses relative to its own), as a module.
    assert!(
        links(&html, "modulepreload")
            .iter()
            .any(|href| href.starts_with(&format!("{}__wasm_split.", own_build()))),
        "the page names the chunks' loader"
    );
}

/// The sign-in page's code, style and wasm, each at its build's address.
#[tokio::test]
async fn a_page_names_the_files_of_the_build_that_rendered_it_which_are_cached_for_good() {
    let app = spawn_app().await;
    let c = client();
    let html = page(&app, &c, "/logga-in").await.text().await.unwrap();
    let build = own_build();
    assert_eq!(
        links(&html, "stylesheet"),
        [format!("{build}utvag.css").as_str()],
        "the stylesheet"
    );
    assert_eq!(
        links(&html, "modulepreload"),
        [format!("{build}utvag.js").as_str()]
    );
    assert!(
        links(&html, "preload").contains(&format!("{build}utvag_bg.wasm").as_str()),
        "the main module: {:?}",
        links(&html, "preload")
    );
    assert!(
        html.contains(&format!("\"{}\", \"pkg\"", build.trim_end_matches("/pkg/"))),
        "the hydration script imports from the build's address"
    );
    // No address of the page's leads to the files without a build.
    assert!(!html.contains("\"/pkg/"), "an address without its build");

    let raw = std::fs::read("../target/site/pkg/utvag_bg.wasm").unwrap();
    for (accept, encoding) in [("br", Some("br")), ("identity", None)] {
        let r = served(&app, &c, &format!("{build}utvag_bg.wasm"), accept, encoding).await;
        assert_eq!(r.headers()[header::CACHE_CONTROL], IMMUTABLE);
        if encoding.is_none() {
            assert_eq!(r.bytes().await.unwrap(), raw);
        }
    }
    // A file the build does not have, and a build this server does not have, are not found,
    // and their answers are not kept: the file may come with the next build.
    for path in [
        format!("{build}chunk_9999.wasm"),
        "/build/0123456789abcdef/pkg/utvag_bg.wasm".to_string(),
    ] {
        let r = c.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store", "{path}");
    }
}

/// During a rolling upgrade, a tab opened from an instance of the previous build asks an
/// instance of the next for the previous build's chunks: the build kept under `builds/` is
/// served under its own id, beside the instance's own.
#[tokio::test]
async fn a_build_kept_beside_the_site_is_served_under_its_own_address() {
    let root = std::env::temp_dir().join(format!("utvag-site-kept-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let kept = root.join("builds").join("2026-11-30");
    std::fs::create_dir_all(&kept).unwrap();
    std::os::unix::fs::symlink(
        std::fs::canonicalize("../target/site/pkg").unwrap(),
        root.join("pkg"),
    )
    .unwrap();
    let previous_chunk = b"\0asm previous build's chunk";
    std::fs::write(kept.join("chunk_6.wasm"), previous_chunk).unwrap();
    std::fs::write(kept.join("utvag.js"), b"// previous build").unwrap();
    let previous = server::site::build_id(&kept).unwrap();

    let app = spawn_app_serving(
        utvag_core::config::CoreSettings::for_tests(),
        server::DEFAULT_MAX_IN_FLIGHT,
        &root,
    )
    .await;
    let c = client();
    // The instance's own build is the one its pages name.
    let html = page(&app, &c, "/logga-in").await.text().await.unwrap();
    assert!(html.contains(&format!("{}utvag.js", own_build())));
    assert!(
        !html.contains(&previous),
        "a page names the instance's own build"
    );
    // The previous build's chunk, as the previous build wrote it.
    let r = c
        .get(app.url(&format!("/build/{previous}/pkg/chunk_6.wasm")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CACHE_CONTROL], IMMUTABLE);
    assert_eq!(r.bytes().await.unwrap().as_ref(), previous_chunk);
    // And the own build's chunk of the same name is the own build's.
    let own = c
        .get(app.url(&format!("{}chunk_6.wasm", own_build())))
        .header(header::ACCEPT_ENCODING, "identity")
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    assert_eq!(
        own.bytes().await.unwrap(),
        std::fs::read("../target/site/pkg/chunk_6.wasm").unwrap()
    );
    // A name under `builds/` is no address: only the id the files give.
    let by_name = c
        .get(app.url("/build/2026-11-30/pkg/chunk_6.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(by_name.status(), StatusCode::NOT_FOUND);
    let _ = std::fs::remove_dir_all(&root);
}
