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
