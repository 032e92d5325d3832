//! The axum router: pages, server functions, sign-in/sign-out form posts, health and metrics,
//! with the same-origin guard and body limit in front of every state-changing request.

use std::time::Instant;

use app::app::{shell, App};
use app::server::auth;
use app::server::AppState;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Form, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use serde::Deserialize;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Largest request body accepted anywhere (long notes are well below this).
pub const BODY_LIMIT: usize = 256 * 1024;

#[derive(Clone)]
struct Ctx {
    state: AppState,
}

pub fn router(state: AppState, options: LeptosOptions) -> Router {
    let routes = generate_route_list(App);
    let pkg_dir = format!("{}/{}", options.site_root, options.site_pkg_dir);
    let ctx = Ctx {
        state: state.clone(),
    };
    let ctx_pages = ctx.clone();
    let plain = Router::new()
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/rapport.csv", get(report_csv))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .with_state(ctx);
    let state_for_leptos = state.clone();
    let leptos = Router::new()
        .leptos_routes_with_context(
            &options,
            routes,
            move || provide_context(state_for_leptos.clone()),
            {
                let options = options.clone();
                move || shell(options.clone())
            },
        )
        .with_state(options)
        .layer(middleware::from_fn_with_state(ctx_pages, who_is_signed_in));
    Router::new()
        .nest_service("/pkg", ServeDir::new(pkg_dir))
        .merge(plain)
        .merge(leptos)
        .fallback(not_found)
        .layer(middleware::from_fn(error_status))
        .layer(middleware::from_fn(same_origin_only))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(middleware::from_fn(record_metrics))
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

/// Page requests carry who is signed in (or why that could not be checked), so the layout
/// renders at once, without a suspended load that would render the page more than once and
/// leave more than one audit entry per view, and the page's server functions need not look the
/// session up again. Server-function calls from the browser authenticate for themselves.
async fn who_is_signed_in(State(ctx): State<Ctx>, mut req: Request, next: Next) -> Response {
    if req.method() == Method::GET && !req.uri().path().starts_with("/api/") {
        let cookie = req
            .headers()
            .get(header::COOKIE)
            .and_then(|v| v.to_str().ok());
        if let Some(token) = auth::token_from_cookie_header(cookie) {
            let who = auth::authenticate(&ctx.state, Some(&token)).await;
            req.extensions_mut().insert(auth::PageSession(who));
        }
    }
    next.run(req).await
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
            if req.uri().path().starts_with("/pkg/") {
                "/pkg".into()
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
}

/// `POST /api/login`: a plain form post. Sets a new session cookie and redirects to the start
/// page, or back to the sign-in page with a generic error.
async fn login(
    State(ctx): State<Ctx>,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return Redirect::to("/logga-in?fel=1").into_response();
    };
    match auth::login(&ctx.state, &form.username, &form.password).await {
        Ok((token, _me)) => {
            let mut resp = Redirect::to("/").into_response();
            if let Ok(v) = HeaderValue::from_str(&auth::session_cookie(&ctx.state, &token)) {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            resp
        }
        Err(app::domain::AppError::Invalid { .. }) => {
            Redirect::to("/logga-in?fel=1").into_response()
        }
        Err(_) => Redirect::to("/logga-in?fel=fel").into_response(),
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
}

/// The funder report as a CSV download (program leads only; audited by the core).
async fn report_csv(
    State(ctx): State<Ctx>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<ReportQuery>,
) -> Response {
    use app::server::outcomes;
    let cookie = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    let token = auth::token_from_cookie_header(cookie);
    let result = async {
        let a = auth::authenticate(&ctx.state, token.as_deref()).await?;
        let p = outcomes::Period::parse(&q.from, &q.to, &q.kommun, a.state_today())?;
        let body = outcomes::report_csv(&a, &p).await?;
        Ok::<_, app::domain::AppError>((p, body))
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
                        p.from, p.to
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
    if let Some(token) = auth::token_from_cookie_header(cookie) {
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

async fn healthz(State(ctx): State<Ctx>) -> Response {
    let db = ctx.state.database_reachable().await;
    let body = serde_json::json!({ "status": if db { "ok" } else { "degraded" }, "database": if db { "reachable" } else { "unreachable" } });
    let code = if db {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body)).into_response()
}

async fn metrics_text() -> Response {
    let body = crate::telemetry::metrics().render();
    Response::builder()
        .header(header::CONTENT_TYPE, "text/plain; version=0.0.4")
        .body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Any path that is neither a page, an endpoint nor a file.
async fn not_found() -> Response {
    let body = "<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>Sidan finns inte – Utväg</title>\
                <link rel=\"stylesheet\" href=\"/pkg/utvag.css\"></head><body><main id=\"main\" class=\"page narrow\">\
                <h1>Sidan finns inte</h1><p>Adressen leder inte till någon sida. <a href=\"/\">Gå till startsidan</a>.</p>\
                </main></body></html>";
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
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
    if let Ok(e) = serde_json::from_slice::<app::domain::AppError>(&bytes) {
        if let Ok(code) = StatusCode::from_u16(e.status()) {
            parts.status = code;
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
