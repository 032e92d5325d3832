//! Who is signed in. Sign-in and sign-out themselves are plain form posts (`POST /api/login`,
//! `POST /api/logout`) handled by the server binary so they work without JavaScript.

use leptos::prelude::*;

use crate::domain::{AppError, Me};

/// The signed-in user, or `None` when there is no valid session.
#[server(endpoint = "me")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    match crate::server::auth::require_user().await {
        Ok(a) => Ok(Some(a.me().clone())),
        Err(AppError::Unauthenticated) => Ok(None),
        Err(e) => super::reply(Err(e)),
    }
}

/// Signs in again in place, after the session ended in the middle of a save: sets a new session
/// cookie and returns who is now signed in (the page resends the save only for the same user).
/// Counts against the same slow-down and lock-out as the sign-in page.
#[server(endpoint = "reauth")]
pub async fn sign_in_again(username: String, password: String) -> Result<Me, AppError> {
    let r = async {
        let state = use_context::<crate::server::AppState>().ok_or(AppError::Internal)?;
        let (token, me) = crate::server::auth::login(&state, &username, &password).await?;
        let opts = use_context::<leptos_axum::ResponseOptions>().ok_or(AppError::Internal)?;
        let cookie =
            http::HeaderValue::from_str(&crate::server::auth::session_cookie(&state, &token))
                .map_err(|_| AppError::Internal)?;
        opts.insert_header(http::header::SET_COOKIE, cookie);
        Ok(me)
    }
    .await;
    super::reply(r)
}
