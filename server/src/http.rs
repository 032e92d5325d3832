//! The axum router: pages, server functions, sign-in/sign-out form posts and health, with the
//! same-origin guard and body limit in front of every state-changing request, the security
//! headers (CSP with a per-response nonce, HSTS on https) on every response, and a redirect to
//! the sign-in page for every page asked for without a session. Metrics have their own router
//! for their own listener.

use std::time::Instant;

use app::app::{shell, App};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Form, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::language::Language;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use serde::Deserialize;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use utvag_core::AppState;
use utvag_core::{auth, flash, identity};

/// Largest request body accepted anywhere (long notes are well below this).
pub const BODY_LIMIT: usize = 256 * 1024;

#[derive(Clone)]
struct Ctx {
    state: AppState,
}

/// The app's pages, found once per process.
///
/// leptos finds them by rendering the app with the loading of every resource suspended, and it
/// suspends them with one flag for the whole process: a page that another server of the same
/// process (the tests run many side by side) rendered meanwhile waited for its data for ever and
/// was never answered. Found once, before the process's first server exists, the flag is never
/// set while a page renders.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The router of every page and endpoint. At most `max_in_flight` requests are handled at
/// once; the health checks are outside that limit, so an overloaded instance still says so.
pub fn router(state: AppState, options: LeptosOptions, max_in_flight: usize) -> Router {
    let routes = page_routes();
    let builds = crate::site::Builds::of(
        std::path::Path::new(options.site_root.as_ref()),
        &options.site_pkg_dir,
    );
    tracing::info!(build = %builds.own, kept = builds.dirs.len() - 1, "site files");
    let site_root = builds.root();
    let ctx = Ctx {
        state: state.clone(),
    };
    let ctx_pages = ctx.clone();
    let ctx_flash = ctx.clone();
    let plain = Router::new()
        .route("/api/login", post(login))
        .route("/api/login/kod", post(login_code))
        .route("/api/logout", post(logout))
        .route("/api/sprak", post(choose_language))
        .route("/api/rapport.csv", get(report_csv))
        .with_state(ctx.clone());
    let health = Router::new()
        .route("/healthz", get(ready))
        .route("/healthz/ready", get(ready))
        .route("/healthz/live", get(live))
        .with_state(ctx);
    let state_for_leptos = state.clone();
    let leptos = Router::new()
        .leptos_routes_with_context(
            &options,
            routes,
            move || {
                provide_context(state_for_leptos.clone());
                // The nonce the CSP header names replaces the one leptos made for this
                // response, so the hydration script and the data scripts carry the same one.
                if let Some(n) = use_context::<http::request::Parts>()
                    .and_then(|p| p.extensions.get::<CspNonce>().cloned())
                {
                    provide_context(leptos::nonce::Nonce::from_value(n.0));
                }
                // A failed plain form post's error, kept server-side, for the page's action.
                if let Some(f) = use_context::<http::request::Parts>()
                    .and_then(|p| p.extensions.get::<FormFlash>().cloned())
                {
                    provide_context(leptos::server::ServerActionError::new(
                        &f.0.path, &f.0.error,
                    ));
                }
            },
            {
                let options = options.clone();
                move || shell(options.clone(), site_root.clone())
            },
        )
        .with_state(options)
        .layer(middleware::from_fn_with_state(ctx_pages, who_is_signed_in));
    let mut site = Router::new().nest_service(
        "/pkg",
        site_files(&builds.dirs[&builds.own], Keep::Revalidated),
    );
    for (id, dir) in &builds.dirs {
        site = site.nest_service(&format!("/build/{id}/pkg"), site_files(dir, Keep::ForGood));
    }
    site.merge(plain)
        .merge(leptos)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            InFlight(std::sync::Arc::new(tokio::sync::Semaphore::new(
                max_in_flight.max(1),
            ))),
            shed_load,
        ))
        .merge(health)
        .layer(middleware::from_fn_with_state(
            ctx_flash,
            keep_form_errors_off_the_address,
        ))
        .layer(middleware::from_fn(error_status))
        .layer(middleware::from_fn(same_origin_only))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(middleware::from_fn(contain_panics))
        .layer(middleware::from_fn(record_metrics))
        .layer(middleware::from_fn_with_state(
            Hsts(state.secure_cookies()),
            security_headers,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// How the browser may keep a site file.
#[derive(Clone, Copy)]
enum Keep {
    /// At `/pkg/…`: cached but revalidated on every use (`no-cache` with `Last-Modified`: an
    /// unchanged file is a `304` without a body, a new build is picked up at once).
    Revalidated,
    /// At `/build/<id>/pkg/…` (`crate::site`): cached for good, as the address changes with the
    /// contents; a file the build does not have is a `404` that is not stored.
    ForGood,
}

/// The wasm, its JS and the stylesheet in `dir`: sent brotli- or gzip-compressed from the
/// copies written at build time (`scripts/precompress.mjs`) when the browser accepts them, and
/// kept by the browser as `keep` says. Pages stay `no-store`.
fn site_files(dir: &std::path::Path, keep: Keep) -> Router {
    Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(middleware::map_response(
            move |mut r: Response| async move {
                let found = r.status().is_success() || r.status() == StatusCode::NOT_MODIFIED;
                let value = match keep {
                    Keep::Revalidated => "no-cache",
                    Keep::ForGood if found => "public, max-age=31536000, immutable",
                    Keep::ForGood => "no-store",
                };
                r.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
                r
            },
        ))
        // The same address answers in three encodings: a shared cache must keep them apart.
        .layer(SetResponseHeaderLayer::overriding(
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        ))
}

/// The policy every HTML response carries. Scripts run only from this site and only when they
/// carry this response's nonce (the hydration script and leptos's data scripts do); the wasm
/// module needs `wasm-unsafe-eval`. No inline styles, no plugins, no framing, forms post only
/// here.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// `Strict-Transport-Security` as sent when the site is served over https.
pub const HSTS: &str = "max-age=63072000; includeSubDomains";

/// The nonce of one response: 128 random bits from the operating system's generator.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

impl CspNonce {
    fn new() -> Option<CspNonce> {
        use ring::rand::SecureRandom;
        let mut bytes = [0u8; 16];
        ring::rand::SystemRandom::new().fill(&mut bytes).ok()?;
        Some(CspNonce(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }
}

/// Whether HSTS is sent (secure cookies, i.e. outside demo mode).
#[derive(Clone, Copy)]
struct Hsts(bool);

/// Gives every request a fresh nonce and every HTML response the policy naming it; HSTS on
/// every response when the site runs on https.
async fn security_headers(State(hsts): State<Hsts>, mut req: Request, next: Next) -> Response {
    let Some(nonce) = CspNonce::new() else {
        tracing::error!("no randomness for the CSP nonce");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    req.extensions_mut().insert(nonce.clone());
    let mut resp = next.run(req).await;
    let is_html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if is_html {
        if let Ok(v) = HeaderValue::from_str(&content_security_policy(&nonce.0)) {
            resp.headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    if hsts.0 {
        resp.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    resp
}

/// Pages anyone may open without a session: the sign-in steps.
fn is_public_page(path: &str) -> bool {
    path == "/logga-in" || path.starts_with("/logga-in/")
}

/// Page requests carry who is signed in (or why that could not be checked), so the layout
/// renders at once, without a suspended load that would render the page more than once and
/// leave more than one audit entry per view, and the page's server functions need not look the
/// session up again. Server-function calls from the browser authenticate for themselves.
///
/// A page asked for without a live session answers `303` to the sign-in page with the page in
/// `next`, before anything renders — the same with and without JavaScript.
async fn who_is_signed_in(State(ctx): State<Ctx>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if matches!(*req.method(), Method::GET | Method::HEAD) && !path.starts_with("/api/") {
        let cookie = req
            .headers()
            .get(header::COOKIE)
            .and_then(|v| v.to_str().ok());
        let token = auth::token_from_cookie_header(&ctx.state, cookie);
        if let Some(token) = &token {
            let who = auth::authenticate(&ctx.state, Some(token)).await;
            let expired = matches!(who, Err(domain::AppError::Unauthenticated));
            if !expired || is_public_page(&path) {
                req.extensions_mut().insert(auth::PageSession(who));
            } else {
                return to_sign_in(&req, true);
            }
            if let Some(id) = query_value(req.uri().query().unwrap_or(""), FLASH_PARAM) {
                match flash::take(&ctx.state, token, &id).await {
                    Ok(Some(f)) => {
                        let f = std::sync::Arc::new(f);
                        req.extensions_mut().insert(FormFlash(f.clone()));
                        let resp = next.run(req).await;
                        return refill_form(resp, &f.path, &f.values).await;
                    }
                    Ok(None) => {}
                    Err(e) => tracing::error!(error = ?e, "form flash could not be read"),
                }
            }
        } else if !is_public_page(&path) {
            return to_sign_in(&req, false);
        }
    }
    next.run(req).await
}

/// `303 See Other` to the sign-in page, which returns to this page afterwards.
fn to_sign_in(req: &Request, expired: bool) -> Response {
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let mut to = domain::next::sign_in_then(here);
    if expired {
        to.push_str(if to.contains('?') { "&" } else { "?" });
        to.push_str("fel=session");
    }
    Redirect::to(&to).into_response()
}

/// The query parameter that carries a form flash's key.
const FLASH_PARAM: &str = "__flash";

/// A failed plain form post's error and values, read for the page it returned to.
#[derive(Clone)]
struct FormFlash(std::sync::Arc<flash::Flash>);

/// One value of a query string, decoded.
fn query_value(query: &str, key: &str) -> Option<String> {
    form_pairs(query.as_bytes())
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// `application/x-www-form-urlencoded` pairs, decoded (`+` is a space).
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len() => {
                    let hex = |c: u8| (c as char).to_digit(16);
                    match (hex(b[i + 1]), hex(b[i + 2])) {
                        (Some(h), Some(l)) => {
                            out.push((h * 16 + l) as u8);
                            i += 2;
                        }
                        _ => out.push(b'%'),
                    }
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Fields whose values are never kept, not even sealed: secrets typed into a form.
fn is_secret_field(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("password") || n.contains("losenord") || n.contains("code") || n.contains("kod")
}

/// A plain HTML form post (no JavaScript) to a server function that fails is sent back to the
/// form with the error in the address (`?__err=…&__path=…`), where proxy logs and the browser
/// history keep it. This keeps the error and the submitted values server-side instead
/// (`flash`, sealed under the session) and sends the browser back with only `?__flash=<key>`;
/// the page reads it once and shows the error and the values again. Without a session nothing
/// is kept and the address carries no error either.
async fn keep_form_errors_off_the_address(
    State(ctx): State<Ctx>,
    req: Request,
    next: Next,
) -> Response {
    let plain_form_post = req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
    if !plain_form_post {
        return next.run(req).await;
    }
    let cookie = req
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok());
    let token = auth::token_from_cookie_header(&ctx.state, cookie);
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "").into_response();
    };
    let values: Vec<(String, String)> = form_pairs(&bytes)
        .into_iter()
        .filter(|(k, _)| !is_secret_field(k))
        .collect();
    let mut resp = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let Some(location) = resp
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    else {
        return resp;
    };
    let (base, query) = location.split_once('?').unwrap_or((&location, ""));
    let pairs = form_pairs(query.as_bytes());
    let error = pairs
        .iter()
        .find(|(k, _)| k == "__err")
        .map(|(_, v)| v.clone());
    let path = pairs
        .iter()
        .find(|(k, _)| k == "__path")
        .map(|(_, v)| v.clone());
    let mut kept: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(k, _)| k != "__err" && k != "__path" && k != FLASH_PARAM)
        .collect();
    if let (Some(error), Some(path), Some(token)) = (error, path, token) {
        let f = flash::Flash {
            path,
            error,
            values,
        };
        match flash::put(&ctx.state, &token, &f).await {
            Ok(id) => kept.push((FLASH_PARAM.to_string(), id)),
            Err(e) => tracing::error!(error = ?e, "form flash could not be stored"),
        }
    }
    let mut to = base.to_string();
    if !kept.is_empty() {
        to.push('?');
        to.push_str(
            &kept
                .iter()
                .map(|(k, v)| format!("{}={}", domain::next::encode(k), domain::next::encode(v)))
                .collect::<Vec<_>>()
                .join("&"),
        );
    }
    if let Ok(v) = HeaderValue::from_str(&to) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// The page a failed plain form post returned to, with the submitted values back in its form
/// fields (inputs other than hidden, password and buttons; text areas; selects), so the user
/// corrects the error instead of typing everything again.
async fn refill_form(resp: Response, path: &str, values: &[(String, String)]) -> Response {
    let is_html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if !is_html || values.is_empty() {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let html = fill_values(&String::from_utf8_lossy(&bytes), path, values);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(html))
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The value of attribute `name` in a start tag, as written.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(&tag[start..end])
}

/// `tag` without attribute `name`.
fn without_attr(tag: &str, name: &str) -> String {
    let needle = format!(" {name}=\"");
    match tag.find(&needle) {
        Some(i) => {
            let vstart = i + needle.len();
            match tag[vstart..].find('"') {
                Some(e) => format!("{}{}", &tag[..i], &tag[vstart + e + 1..]),
                None => tag.to_string(),
            }
        }
        None => tag.to_string(),
    }
}

/// Puts submitted values back into the form that was posted: the one whose `action` is the
/// server function's path and whose hidden fields (ids, versions) match what was submitted — a
/// page can hold several forms for the same action, one per note for instance.
fn fill_values(html: &str, path: &str, values: &[(String, String)]) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    while let Some(i) = rest.find("<form") {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest
            .find("</form>")
            .map_or(rest.len(), |e| e + "</form>".len());
        let form = &rest[..end];
        let open = &form[..form.find('>').map_or(form.len(), |e| e + 1)];
        if attr(open, "action") == Some(path) && hidden_fields_match(form, values) {
            out.push_str(&fill_fields(form, values));
        } else {
            out.push_str(form);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Whether every hidden field of a form holds the value that was submitted for it.
fn hidden_fields_match(form: &str, values: &[(String, String)]) -> bool {
    form.match_indices("<input ").all(|(i, _)| {
        let tag = &form[i..i + form[i..].find('>').unwrap_or(0) + 1];
        if attr(tag, "type") != Some("hidden") {
            return true;
        }
        match (attr(tag, "name"), attr(tag, "value")) {
            (Some(n), Some(v)) => values.iter().any(|(k, sv)| k == n && escape_html(sv) == v),
            _ => true,
        }
    })
}

/// Puts submitted values back into the fields of one form.
fn fill_fields(html: &str, values: &[(String, String)]) -> String {
    let value_of = |name: &str| {
        let unescaped = name.replace("&amp;", "&").replace("&quot;", "\"");
        values
            .iter()
            .find(|(k, _)| *k == unescaped)
            .map(|(_, v)| v.as_str())
    };
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..=end];
        let lower = tag.to_ascii_lowercase();
        if lower.starts_with("<input ") {
            let ty = attr(tag, "type").unwrap_or("text").to_ascii_lowercase();
            let skip = matches!(
                ty.as_str(),
                "hidden" | "password" | "submit" | "button" | "reset" | "file" | "radio"
            );
            match attr(tag, "name").and_then(value_of) {
                Some(v) if !skip && ty == "checkbox" => {
                    let t = without_attr(tag, "checked").replace(" checked", "");
                    let on = attr(tag, "value").unwrap_or("on") == escape_html(v);
                    let (head, close) = split_close(&t);
                    out.push_str(head);
                    if on {
                        out.push_str(" checked");
                    }
                    out.push_str(close);
                }
                Some(v) if !skip => {
                    let t = without_attr(tag, "value");
                    let (head, close) = split_close(&t);
                    out.push_str(head);
                    out.push_str(&format!(" value=\"{}\"", escape_html(v)));
                    out.push_str(close);
                }
                _ => out.push_str(tag),
            }
            rest = &rest[end + 1..];
        } else if lower.starts_with("<textarea ") {
            match attr(tag, "name").and_then(value_of) {
                Some(v) => match rest.find("</textarea>") {
                    Some(close) => {
                        out.push_str(tag);
                        out.push_str(&escape_html(v));
                        rest = &rest[close..];
                    }
                    None => {
                        out.push_str(tag);
                        rest = &rest[end + 1..];
                    }
                },
                None => {
                    out.push_str(tag);
                    rest = &rest[end + 1..];
                }
            }
        } else if lower.starts_with("<select ") {
            match (attr(tag, "name").and_then(value_of), rest.find("</select>")) {
                (Some(v), Some(close)) => {
                    let inner = &rest[..close];
                    let want = format!(" value=\"{}\"", escape_html(v));
                    let mut sel = String::new();
                    let mut r = inner;
                    while let Some(o) = r.find("<option") {
                        sel.push_str(&r[..o]);
                        r = &r[o..];
                        let Some(oe) = r.find('>') else { break };
                        let otag = r[..oe]
                            .replace(" selected=\"\"", "")
                            .replace(" selected", "");
                        sel.push_str(&otag);
                        if otag.contains(&want) {
                            sel.push_str(" selected");
                        }
                        sel.push('>');
                        r = &r[oe + 1..];
                    }
                    sel.push_str(r);
                    out.push_str(&sel);
                    rest = &rest[close..];
                }
                _ => {
                    out.push_str(tag);
                    rest = &rest[end + 1..];
                }
            }
        } else {
            out.push_str(tag);
            rest = &rest[end + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// A start tag split before its closing `>` or `/>`.
fn split_close(tag: &str) -> (&str, &str) {
    if let Some(h) = tag.strip_suffix("/>") {
        (h.trim_end(), "/>")
    } else {
        (&tag[..tag.len() - 1], ">")
    }
}

/// Refuses state-changing requests that a browser marks as coming from another site.
///
/// Browsers send `Sec-Fetch-Site` and `Origin` on every POST; a request without either is not
/// from a browser (no ambient cookies to abuse) and is let through for API clients and tests.
pub async fn same_origin_only(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    if !is_same_origin(req.headers()) {
        tracing::warn!(path = %req.uri().path(), "cross-origin request refused");
        return (
            StatusCode::FORBIDDEN,
            "Förfrågan kom från en annan webbplats och avvisades.",
        )
            .into_response();
    }
    next.run(req).await
}

pub fn is_same_origin(h: &HeaderMap) -> bool {
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site != "same-origin" {
            return false;
        }
    }
    if let Some(origin) = h.get(header::ORIGIN) {
        let Some(host) = h.get(header::HOST).and_then(|v| v.to_str().ok()) else {
            return false;
        };
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        let host_of_origin = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        if host_of_origin != Some(host) {
            return false;
        }
    }
    true
}

async fn record_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| {
            let path = req.uri().path();
            if path.starts_with("/pkg/") {
                "/pkg".into()
            } else if path.starts_with("/build/") {
                // One label for every build's files, not one per build and file.
                "/build".into()
            } else {
                "other".into()
            }
        });
    let method = req.method().to_string();
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method, "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route)
        .record(start.elapsed().as_secs_f64());
    resp
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    /// The page the visitor asked for before signing in (checked by `safe_next`).
    #[serde(default)]
    next: String,
}

/// `?next=…` (prefixed by `sep`) for a page that passes the destination on, if it is safe.
fn next_query(sep: char, next: &str) -> String {
    match domain::next::safe_next(next) {
        Some(n) if n != "/" => format!("{sep}next={}", domain::next::encode(&n)),
        _ => String::new(),
    }
}

/// Where a completed sign-in goes: the page asked for, or the start page — by way of a notice
/// when an administrator has set the user's password or removed their second factor since the
/// last sign-in (so someone signing in as them with it does not go unnoticed by the user).
async fn signed_in_to(state: &AppState, me: &domain::Me, next: &str) -> String {
    match utvag_core::identity::take_admin_reset_notice(state, &me.user_id).await {
        Ok(Some(at)) => format!(
            "/logga-in/aterstallt?vid={}{}",
            at.timestamp(),
            next_query('&', next)
        ),
        _ => domain::next::safe_next(next).unwrap_or_else(|| "/".to_string()),
    }
}

/// `POST /api/login`: a plain form post of the password step. Sets a session cookie and
/// redirects to the start page, or — for a role that needs a second factor — to the code page
/// (or the enrolment) with a pending session that opens nothing else; back to the sign-in page
/// with a generic error; 429 when the client address has used up its attempts for the minute.
async fn login(
    State(ctx): State<Ctx>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return Redirect::to("/logga-in?fel=1").into_response();
    };
    let client = client_of(&ctx.state, peer, &headers);
    match auth::sign_in(&ctx.state, client, &form.username, &form.password).await {
        Ok(s) => {
            let to = match s.next {
                auth::Next::Done => signed_in_to(&ctx.state, &s.me, &form.next).await,
                auth::Next::SecondFactor => {
                    format!("/logga-in/kod{}", next_query('?', &form.next))
                }
                auth::Next::Enrol => format!("/logga-in/aktivera{}", next_query('?', &form.next)),
            };
            let resp = with_cookie(
                Redirect::to(&to).into_response(),
                &auth::session_cookie(&ctx.state, &s.token),
            );
            // The account's language only once the sign-in is complete.
            if matches!(s.next, auth::Next::Done) {
                with_chosen_language(&ctx.state, &s.me, resp).await
            } else {
                resp
            }
        }
        Err(e) => sign_in_refused(
            &ctx.state,
            language_of(&headers),
            e,
            "/logga-in",
            &form.next,
        ),
    }
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

/// `POST /api/login/kod`: the second step, a code for the pending session in the cookie (from
/// the code page or the enrolment page). Success replaces the cookie with a complete session.
async fn login_code(
    State(ctx): State<Ctx>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    form: Result<Form<CodeForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let client = client_of(&ctx.state, peer, &headers);
    let cookie = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    let token = auth::token_from_cookie_header(&ctx.state, cookie);
    let page = match auth::pending(&ctx.state, token.as_deref()).await {
        Ok(p) if p.must_enrol() => "/logga-in/aktivera",
        Ok(_) => "/logga-in/kod",
        Err(_) => return Redirect::to("/logga-in?fel=session").into_response(),
    };
    let (Some(token), Ok(Form(form))) = (token, form) else {
        return Redirect::to(&format!("{page}?fel=1")).into_response();
    };
    match auth::second_factor(&ctx.state, client, &token, &form.code).await {
        Ok((token, me)) => {
            let resp = with_cookie(
                Redirect::to(&signed_in_to(&ctx.state, &me, &form.next).await).into_response(),
                &auth::session_cookie(&ctx.state, &token),
            );
            with_chosen_language(&ctx.state, &me, resp).await
        }
        Err(domain::AppError::Unauthenticated) => {
            Redirect::to("/logga-in?fel=session").into_response()
        }
        Err(e) => sign_in_refused(&ctx.state, language_of(&headers), e, page, &form.next),
    }
}

/// The client address of a sign-in request (see `auth::client_address`).
fn client_of(
    state: &AppState,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: &HeaderMap,
) -> std::net::IpAddr {
    let xff = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    auth::client_address(state, peer.map(|p| p.0 .0.ip()), xff)
}

fn with_cookie(mut resp: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

/// A refused sign-in step: 429 with `Retry-After` past the address's allowance, otherwise back
/// to `page` with the generic error.
fn sign_in_refused(
    state: &AppState,
    language: Language,
    e: domain::AppError,
    page: &str,
    next: &str,
) -> Response {
    let next = next_query('&', next);
    match e {
        domain::AppError::TooManyRequests => {
            let wait = auth::retry_after_seconds(state);
            let body = app::server_pages::too_many_attempts(language, wait);
            (
                StatusCode::TOO_MANY_REQUESTS,
                [
                    (header::RETRY_AFTER, wait.to_string()),
                    (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
                ],
                body,
            )
                .into_response()
        }
        domain::AppError::Invalid { .. } => {
            Redirect::to(&format!("{page}?fel=1{next}")).into_response()
        }
        _ => Redirect::to(&format!("{page}?fel=fel{next}")).into_response(),
    }
}

#[derive(Deserialize)]
struct LanguageForm {
    #[serde(default)]
    sprak: String,
}

/// `POST /api/sprak`: the language switch, a plain form on every page. Remembers the choice in
/// the language cookie and, for a signed-in person, in their account; then back to the page it
/// was made on. An unknown language changes nothing.
async fn choose_language(
    State(ctx): State<Ctx>,
    headers: HeaderMap,
    form: Result<Form<LanguageForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let form = form.map(|Form(f)| f).unwrap_or(LanguageForm {
        sprak: String::new(),
    });
    // Back to the page the switch was on: the path of the `Referer` (sent for same-origin
    // requests, see `Referrer-Policy`), if it is one of this site's; the start page otherwise.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(referer_path)
        .and_then(|p| domain::next::safe_local_path(&p))
        .unwrap_or_else(|| "/".to_string());
    let mut resp = Redirect::to(&back).into_response();
    let Some(language) = Language::from_code(&form.sprak) else {
        return resp;
    };
    let cookie = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    if let Some(token) = auth::token_from_cookie_header(&ctx.state, cookie) {
        if let Ok(who) = auth::authenticate(&ctx.state, Some(&token)).await {
            if let Err(e) = identity::set_own_language(&who, language).await {
                tracing::error!(error = ?e, "the chosen language could not be saved");
            }
        }
    }
    append_cookie(&mut resp, &language.set_cookie(ctx.state.secure_cookies()));
    resp
}

/// The path and query of a `Referer` URL. Only the path is kept, so the redirect that follows
/// never leaves this site whatever host the header names.
fn referer_path(referer: &str) -> Option<String> {
    let rest = referer
        .strip_prefix("http://")
        .or_else(|| referer.strip_prefix("https://"))?;
    let at = rest.find('/')?;
    Some(rest[at..].split('#').next().unwrap_or("/").to_string())
}

/// The language cookie for the account's chosen language, if it chose one, on a sign-in's
/// answer.
async fn with_chosen_language(state: &AppState, me: &domain::Me, mut resp: Response) -> Response {
    match identity::language_of(state, &me.user_id).await {
        Ok(Some(language)) => {
            append_cookie(&mut resp, &language.set_cookie(state.secure_cookies()));
        }
        Ok(None) => {}
        Err(e) => tracing::error!(error = ?e, "the chosen language could not be read"),
    }
    resp
}

/// The interface language of a request: the language cookie's, Swedish without one.
fn language_of(headers: &HeaderMap) -> Language {
    language_in(headers.get(header::COOKIE))
}

/// The interface language named in a request's `Cookie` header, Swedish without one.
fn language_in(cookies: Option<&HeaderValue>) -> Language {
    cookies
        .and_then(|v| v.to_str().ok())
        .and_then(Language::from_cookie_header)
        .unwrap_or_default()
}

fn append_cookie(resp: &mut Response, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// `POST /api/logout`: ends the session on the server and clears the cookie.
#[derive(Deserialize)]
struct ReportQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    kommun: String,
    /// A funded project: the report of its enrolled participants only.
    #[serde(default)]
    projekt: String,
}

/// The funder report as a CSV download (program leads only; audited by the core).
async fn report_csv(
    State(ctx): State<Ctx>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<ReportQuery>,
) -> Response {
    use utvag_core::outcomes;
    let cookie = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    let token = auth::token_from_cookie_header(&ctx.state, cookie);
    let result = async {
        let a = auth::authenticate(&ctx.state, token.as_deref()).await?;
        let p = if q.projekt.is_empty() {
            outcomes::Period::parse(&q.from, &q.to, &q.kommun, a.state_today())?
        } else {
            outcomes::project_period(&a, &q.projekt, &q.from, &q.to, &q.kommun).await?
        };
        let body = outcomes::report_csv(&a, &p).await?;
        Ok::<_, domain::AppError>((p, body))
    }
    .await;
    match result {
        Ok((p, body)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"utvag-rapport-{}-{}.csv\"",
                        outcomes::month_key(p.from),
                        outcomes::month_key(p.to)
                    ),
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => (
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            e.to_string(),
        )
            .into_response(),
    }
}

async fn logout(State(ctx): State<Ctx>, headers: HeaderMap) -> Response {
    let cookie = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    if let Some(token) = auth::token_from_cookie_header(&ctx.state, cookie) {
        if let Err(e) = auth::logout(&ctx.state, &token).await {
            tracing::error!(error = ?e, "sign-out failed");
        }
    }
    let mut resp = Redirect::to("/logga-in?utloggad=1").into_response();
    if let Ok(v) = HeaderValue::from_str(&auth::clear_cookie(&ctx.state)) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

/// The permits for requests handled at once.
#[derive(Clone)]
struct InFlight(std::sync::Arc<tokio::sync::Semaphore>);

/// Answers 503 with `Retry-After` at once when the instance already handles as many requests
/// as it may, instead of queueing them into timeouts; a load balancer sends the retry to
/// another instance.
async fn shed_load(State(limit): State<InFlight>, req: Request, next: Next) -> Response {
    let Ok(permit) = limit.0.try_acquire_owned() else {
        metrics::counter!("utvag_requests_shed_total").increment(1);
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [
                (header::RETRY_AFTER, "1"),
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            ],
            "Utväg har många förfrågningar just nu. Försök igen om en stund.",
        )
            .into_response();
    };
    let resp = next.run(req).await;
    drop(permit);
    resp
}

/// Liveness: the process answers. Touches nothing else, so a slow database does not get a
/// healthy process restarted.
async fn live() -> Response {
    (
        StatusCode::OK,
        Json(serde_json::json!({ "status": "live" })),
    )
        .into_response()
}

/// Readiness (also `/healthz`): a round trip to the database; 503 while it cannot be reached,
/// so a load balancer sends requests elsewhere.
async fn ready(State(ctx): State<Ctx>) -> Response {
    let db = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        ctx.state.database_reachable(),
    )
    .await
    .unwrap_or(false);
    let body = serde_json::json!({ "status": if db { "ok" } else { "degraded" }, "database": if db { "reachable" } else { "unreachable" } });
    let code = if db {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body)).into_response()
}

/// The metrics endpoint, served only on its own listener (`--metrics-addr`), never on the
/// public one: the counters name routes and statuses an outsider has no business seeing.
pub fn metrics_router() -> Router {
    Router::new().route("/metrics", get(metrics_text))
}

async fn metrics_text() -> Response {
    let body = crate::telemetry::metrics().render();
    Response::builder()
        .header(header::CONTENT_TYPE, "text/plain; version=0.0.4")
        .body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Any path that is neither a page, an endpoint nor a file.
async fn not_found(headers: HeaderMap) -> Response {
    let body = app::server_pages::not_found(language_of(&headers));
    (StatusCode::NOT_FOUND, Html(body)).into_response()
}

/// A request whose handling panicked answers `500` — a page in the request's language, or for a
/// server function the opaque internal error — instead of a dropped connection, and is counted
/// in `utvag_requests_failed_total`. The panic's message and place went to standard error
/// (Rust's panic hook); the log line here says that a request failed. A panic while the body is
/// already being sent is not caught here: the connection closes. Whatever the request had begun
/// in the store was a transaction, dropped with it (every write commits its data and its audit
/// entry together), so nothing is left half-written.
async fn contain_panics(req: Request, next: Next) -> Response {
    use futures_util::FutureExt;
    let is_api = req.uri().path().starts_with("/api/");
    // Only the cookies are kept (a reference count, not a copy): the language is read from them
    // on the fault's path alone.
    let cookies = req.headers().get(header::COOKIE).cloned();
    match std::panic::AssertUnwindSafe(next.run(req))
        .catch_unwind()
        .await
    {
        Ok(resp) => resp,
        Err(_) => {
            tracing::error!(api = is_api, "a request failed inside the server");
            metrics::counter!("utvag_requests_failed_total").increment(1);
            if is_api {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(domain::AppError::Internal),
                )
                    .into_response()
            } else {
                let body = app::server_pages::failed(language_in(cookies.as_ref()));
                (StatusCode::INTERNAL_SERVER_ERROR, Html(body)).into_response()
            }
        }
    }
}

/// A server function whose arguments cannot even be decoded answers before its body runs, with
/// status 500 and an `AppError` body; give such answers the status their error names (422).
async fn error_status(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    if !is_api || resp.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if let Ok(e) = serde_json::from_slice::<domain::AppError>(&bytes) {
        if let Ok(code) = StatusCode::from_u16(e.status()) {
            parts.status = code;
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_that_panics_gets_the_fault_page_and_the_next_one_is_served() {
        use tower::ServiceExt;
        async fn fault() -> &'static str {
            panic!("a fault")
        }
        let router = Router::new()
            .route("/sida", get(fault))
            .route("/api/fel", post(fault))
            .route("/ok", get(|| async { "ok" }))
            .layer(middleware::from_fn(contain_panics));
        let ask = |method: Method, uri: &str| {
            Request::builder()
                .method(method)
                .uri(uri)
                .header(header::COOKIE, "utvag_lang=en")
                .body(Body::empty())
                .unwrap()
        };
        let page = router
            .clone()
            .oneshot(ask(Method::GET, "/sida"))
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(page.into_body(), 1 << 16)
            .await
            .unwrap();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(body.contains("<html lang=\"en\">"), "{body}");
        assert!(!body.contains("a fault"), "{body}");
        let api = router
            .clone()
            .oneshot(ask(Method::POST, "/api/fel"))
            .await
            .unwrap();
        assert_eq!(api.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(api.into_body(), 1 << 16)
            .await
            .unwrap();
        assert_eq!(
            serde_json::from_slice::<domain::AppError>(&body).unwrap(),
            domain::AppError::Internal
        );
        let ok = router.oneshot(ask(Method::GET, "/ok")).await.unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
    }

    #[test]
    fn submitted_values_go_back_into_the_form() {
        let html = r#"<form action="/api/other" method="post"><textarea name="comment"></textarea></form><form action="/api/x" method="post"><input type="hidden" name="case_id" value="xyz"/><textarea name="comment"></textarea></form><form action="/api/x" method="post"><input type="hidden" name="case_id" value="abc"/><input id="t" name="title" type="text" required/><input name="due" type="date" value="2026-01-01"/><input name="password" type="password"/><textarea name="comment" rows="4"></textarea><select name="status"><option value="planned" selected>Planerad</option><option value="done">Klar</option></select><input type="checkbox" name="all"/></form>"#;
        let values = vec![
            ("case_id".to_string(), "abc".to_string()),
            ("title".to_string(), "Ring \"Kim\" <nu>".to_string()),
            ("due".to_string(), "2026-03-01".to_string()),
            ("password".to_string(), "hemligt".to_string()),
            ("comment".to_string(), "Rad ett\nrad två & tre".to_string()),
            ("status".to_string(), "done".to_string()),
            ("all".to_string(), "on".to_string()),
        ];
        let out = fill_values(html, "/api/x", &values);
        assert!(
            out.starts_with(r#"<form action="/api/other" method="post"><textarea name="comment"></textarea></form><form action="/api/x" method="post"><input type="hidden" name="case_id" value="xyz"/><textarea name="comment"></textarea></form>"#),
            "only the posted form is filled: {out}"
        );
        assert!(
            out.contains(r#"value="Ring &quot;Kim&quot; &lt;nu&gt;""#),
            "{out}"
        );
        assert!(
            out.contains(r#"value="2026-03-01""#) && !out.contains("2026-01-01"),
            "{out}"
        );
        assert!(
            !out.contains("hemligt"),
            "passwords are never put back: {out}"
        );
        assert!(
            out.contains("Rad ett\nrad två &amp; tre</textarea>"),
            "{out}"
        );
        assert!(out.contains(r#"<option value="done" selected>"#), "{out}");
        assert!(out.contains(r#"<option value="planned">"#), "{out}");
        assert!(out.contains(r#"name="all" checked/>"#), "{out}");
    }

    #[test]
    fn form_bodies_and_queries_decode() {
        assert_eq!(
            form_pairs(b"a=1&b=Hej+d%C3%A5&c=%2&d"),
            vec![
                ("a".to_string(), "1".to_string()),
                ("b".to_string(), "Hej då".to_string()),
                ("c".to_string(), "%2".to_string()),
                ("d".to_string(), String::new()),
            ]
        );
        assert_eq!(
            query_value("x=1&__flash=ab", "__flash").as_deref(),
            Some("ab")
        );
        assert!(
            is_secret_field("password")
                && is_secret_field("new_password")
                && is_secret_field("code")
        );
    }

    #[test]
    fn the_policy_names_the_nonce_and_allows_no_inline_script() {
        let p = content_security_policy("abc123");
        assert!(p.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        assert!(!p.contains("unsafe-inline"));
        let (a, b) = (CspNonce::new().unwrap(), CspNonce::new().unwrap());
        assert_eq!(a.0.len(), 32);
        assert_ne!(a.0, b.0);
    }

    /// The language context's effects never run on the server: the one it has could run on
    /// another thread while the page's render was cleaned up and read a disposed value. A
    /// probe effect beside it shows the runtime does run effects that are not paused.
    #[tokio::test]
    async fn the_language_context_runs_no_effect_on_the_server() {
        use app::components::language::paused_language_context;
        use app::i18n::Locale;
        use leptos::prelude::{Effect, Owner};
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;

        let _ = any_spawner::Executor::init_tokio();
        let probe = |owner: &Owner| {
            let ran = Arc::new(AtomicBool::new(false));
            let seen = Arc::clone(&ran);
            owner.with(|| Effect::new_isomorphic(move |_| seen.store(true, Ordering::SeqCst)));
            ran
        };
        let plain = Owner::new_root(None);
        let plain_ran = probe(&plain);

        let page = Owner::new_root(None);
        let page_ran = probe(&page);
        let i18n = paused_language_context(&page);
        for _ in 0..16 {
            tokio::task::yield_now().await;
        }
        assert!(plain_ran.load(Ordering::SeqCst), "the runtime runs effects");
        assert!(
            !page_ran.load(Ordering::SeqCst),
            "an effect under the language context ran on the server"
        );
        // Paused, the context still answers: Swedish without a cookie.
        assert_eq!(i18n.get_locale_untracked(), Locale::sv);
    }
}
