//! Server functions, one file per resource. Each body is three steps: who is asking
//! (`require_user`), ask the core, map to a DTO. No queries, crypto or policy here.
//!
//! Stable endpoints under `/api/` are listed in docs/api.md.

pub mod admin;
pub mod audit;
pub mod cases;
pub mod casework;
pub mod consent;
pub mod session;

/// Sets the HTTP status of a failed server-function call so clients and logs see 401/403/404/….
#[cfg(feature = "ssr")]
pub(crate) fn reply<T>(r: Result<T, crate::domain::AppError>) -> Result<T, crate::domain::AppError> {
    if let Err(e) = &r {
        if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(code) = http::StatusCode::from_u16(e.status()) {
                opts.set_status(code);
            }
        }
    }
    r
}
