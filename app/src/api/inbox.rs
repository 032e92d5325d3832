//! The owning unit's inbox: possible duplicates and break-glass notices.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::require_user;
use domain::inbox::{DuplicateDto, NotificationDto};
use domain::AppError;
#[cfg(feature = "ssr")]
use utvag_core::inbox;

#[server(endpoint = "inbox/duplicates")]
pub async fn list_duplicates() -> Result<Vec<DuplicateDto>, AppError> {
    super::reply(async { inbox::duplicates(&require_user().await?).await }.await)
}

/// `outcome` is `linked` (the same person) or `dismissed`.
#[server(endpoint = "inbox/settle_duplicate")]
pub async fn settle_duplicate(id: String, outcome: String) -> Result<(), AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            let outcome = domain::inbox::DuplicateOutcome::parse(&outcome)?;
            inbox::settle(&a, &id, outcome).await
        }
        .await,
    )
}

#[server(endpoint = "inbox/notifications")]
pub async fn list_notifications() -> Result<Vec<NotificationDto>, AppError> {
    super::reply(async { inbox::notifications(&require_user().await?).await }.await)
}

#[server(endpoint = "inbox/notification_read")]
pub async fn mark_notification_read(id: String) -> Result<(), AppError> {
    super::reply(async { inbox::mark_read(&require_user().await?, &id).await }.await)
}
