//! Who is signed in. Sign-in and sign-out themselves are plain form posts (`POST /api/login`,
//! `POST /api/login/kod`, `POST /api/logout`) handled by the server binary so they work without
//! JavaScript.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use domain::{AppError, Me};

/// The signed-in user, or `None` when there is no valid session.
#[server(endpoint = "me")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    match crate::api::require_user().await {
        Ok(a) => Ok(Some(a.me().clone())),
        Err(AppError::Unauthenticated) => Ok(None),
        Err(e) => super::reply(Err(e)),
    }
}

/// Who the page being rendered is for, from the session the router checked before rendering
/// (no second lookup, no round trip): `None` without a valid session.
#[cfg(feature = "ssr")]
pub fn page_user() -> Result<Option<Me>, AppError> {
    let parts = use_context::<http::request::Parts>();
    parts
        .and_then(|p| p.extensions.get::<utvag_core::auth::PageSession>().cloned())
        .map_or(Ok(None), |r| match r.0 {
            Ok(a) => Ok(Some(a.me().clone())),
            Err(AppError::Unauthenticated) => Ok(None),
            Err(e) => Err(e),
        })
}

/// Signs in again in place, after the session ended in the middle of a save: sets a new session
/// cookie and returns who is now signed in (the page resends the save only for the same user).
/// Takes the code from the authenticator app too when the user's role needs a second factor.
/// Counts against the same allowance, slow-down and lock-out as the sign-in page.
#[server(endpoint = "reauth")]
pub async fn sign_in_again(
    username: String,
    password: String,
    #[server(default)] code: String,
) -> Result<Me, AppError> {
    let r = async {
        use utvag_core::auth;
        let state = use_context::<utvag_core::AppState>().ok_or(AppError::Internal)?;
        let parts = use_context::<http::request::Parts>().ok_or(AppError::Internal)?;
        let client = auth::client_of(&state, &parts);
        let opts = use_context::<leptos_axum::ResponseOptions>().ok_or(AppError::Internal)?;
        let (token, me) = match auth::reauth(&state, client, &username, &password, &code).await {
            Err(AppError::TooManyRequests) => {
                if let Ok(v) =
                    http::HeaderValue::from_str(&auth::retry_after_seconds(&state).to_string())
                {
                    opts.insert_header(http::header::RETRY_AFTER, v);
                }
                return Err(AppError::TooManyRequests);
            }
            r => r?,
        };
        let cookie = http::HeaderValue::from_str(&auth::session_cookie(&state, &token))
            .map_err(|_| AppError::Internal)?;
        opts.insert_header(http::header::SET_COOKIE, cookie);
        Ok(me)
    }
    .await;
    super::reply(r)
}

/// What the enrolment page shows a user who must set up the second factor.
#[derive(Clone, Serialize, Deserialize)]
pub struct Enrolment {
    pub username: String,
    /// The QR code as an SVG element, drawn on the server.
    pub qr_svg: String,
    /// The secret in base32, for typing into the app by hand.
    pub secret: String,
    /// Shown only during enrolment; afterwards only their hashes exist.
    pub recovery_codes: Vec<String>,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolment")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// The second-factor enrolment of the pending session in the cookie (after the password, for a
/// user who has none yet). Nothing else is open to such a session.
#[server(endpoint = "mfa/enrolment")]
pub async fn mfa_enrolment() -> Result<Enrolment, AppError> {
    let r = async {
        let p = crate::api::require_pending().await?;
        let e = utvag_core::mfa::enrolment(&p).await?;
        Ok(Enrolment {
            username: p.username().to_string(),
            qr_svg: e.qr_svg,
            secret: e.secret_base32,
            recovery_codes: e.recovery_codes,
        })
    }
    .await;
    super::reply(r)
}
