//! Server functions, one file per resource. Each body is three steps: who is asking
//! (`require_user`), ask the core, map to a DTO. No queries, crypto or policy here.
//!
//! Stable endpoints under `/api/` are listed in docs/api.md.

pub mod admin;
pub mod audit;
pub mod cases;
pub mod casework;
pub mod consent;
pub mod council;
pub mod effect;
pub mod extract;
pub mod group;
pub mod guardian;
pub mod handover;
pub mod inbox;
pub mod orgs;
pub mod outcomes;
pub mod referral;
pub mod session;
pub mod situation;

/// Sets the HTTP status of a failed server-function call so clients and logs see 401/403/404/….
///
/// Not for a plain HTML form post (no JavaScript): that must stay the redirect back to the
/// form. The router keeps the error and the submitted values server-side for that redirect
/// (`utvag_core::flash`), so the address carries only an opaque key, never text.
#[cfg(feature = "ssr")]
pub(crate) fn reply<T>(r: Result<T, domain::AppError>) -> Result<T, domain::AppError> {
    if let Err(e) = &r {
        if plain_form_post() {
            return r;
        }
        if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(code) = http::StatusCode::from_u16(e.status()) {
                opts.set_status(code);
            }
        }
    }
    r
}

/// Whether this is a server-function endpoint posted to by an HTML form rather than by the
/// app's client code (which asks for JSON).
#[cfg(feature = "ssr")]
fn plain_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|p| {
        p.uri.path().starts_with("/api/")
            && p.headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|a| a.contains("text/html"))
    })
}

/// The signed-in user of the request this server function runs for. The core checks the
/// session; this only hands it the request from the server function's context.
#[cfg(feature = "ssr")]
pub async fn require_user() -> Result<utvag_core::auth::Authed, domain::AppError> {
    let (state, parts) = request_context()?;
    utvag_core::auth::user_of_request(&state, &parts).await
}

/// The half-signed-in user (password given, second factor pending) of this request.
#[cfg(feature = "ssr")]
pub async fn require_pending() -> Result<utvag_core::auth::Pending, domain::AppError> {
    let (state, parts) = request_context()?;
    utvag_core::auth::pending_of_request(&state, &parts).await
}

#[cfg(feature = "ssr")]
fn request_context() -> Result<(utvag_core::AppState, http::request::Parts), domain::AppError> {
    use leptos::prelude::use_context;
    let state = use_context::<utvag_core::AppState>().ok_or(domain::AppError::Internal)?;
    let parts = use_context::<http::request::Parts>().ok_or(domain::AppError::Unauthenticated)?;
    Ok((state, parts))
}
