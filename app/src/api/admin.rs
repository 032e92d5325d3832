//! Organisations and accounts (admin only).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::require_user;
use domain::{AppError, OrgDto, UserDto};
#[cfg(feature = "ssr")]
use utvag_core::identity;

#[server(endpoint = "admin/org_create")]
pub async fn create_org(
    name: String,
    kind: String,
    municipalities: String,
) -> Result<OrgDto, AppError> {
    super::reply(
        async {
            let who = require_user().await?;
            identity::require_admin(&who, "org.create").await?;
            let input = identity::OrgInput::parse(&name, &kind, &municipalities)?;
            identity::create_org(&who, input).await
        }
        .await,
    )
}

#[server(endpoint = "admin/org_update")]
pub async fn update_org(
    id: String,
    version: i64,
    name: String,
    kind: String,
    municipalities: String,
    #[server(default)] active: Option<String>,
) -> Result<OrgDto, AppError> {
    super::reply(
        async {
            let who = require_user().await?;
            identity::require_admin(&who, "org.update").await?;
            let input = identity::OrgInput::parse(&name, &kind, &municipalities)?;
            identity::update_org(&who, &id, version, input, active.is_some()).await
        }
        .await,
    )
}

#[server(endpoint = "admin/users")]
pub async fn list_users() -> Result<Vec<UserDto>, AppError> {
    super::reply(async { identity::list_users(&require_user().await?).await }.await)
}

#[server(endpoint = "admin/user_create")]
pub async fn create_user(
    username: String,
    display_name: String,
    org_id: String,
    role: String,
    password: String,
) -> Result<String, AppError> {
    use domain::{DisplayName, NewPassword, Role, Username};
    super::reply(
        async {
            let who = require_user().await?;
            identity::require_admin(&who, "user.create").await?;
            let input = identity::NewUserInput {
                username: Username::parse(&username)?,
                display_name: DisplayName::parse("display_name", &display_name)?,
                org_id,
                role: Role::parse(&role)?,
                password: NewPassword::parse(&password)?,
            };
            identity::create_user(&who, input).await
        }
        .await,
    )
}

#[server(endpoint = "admin/user_update")]
pub async fn update_user(
    id: String,
    version: i64,
    display_name: String,
    org_id: String,
    role: String,
    #[server(default)] active: Option<String>,
) -> Result<(), AppError> {
    use domain::{DisplayName, Role};
    super::reply(
        async {
            let who = require_user().await?;
            identity::require_admin(&who, "user.update").await?;
            let u = identity::UserUpdate {
                display_name: DisplayName::parse("display_name", &display_name)?,
                org_id,
                role: Role::parse(&role)?,
                active: active.is_some(),
            };
            identity::update_user(&who, &id, version, u).await
        }
        .await,
    )
}

#[server(endpoint = "admin/user_password")]
pub async fn reset_password(id: String, password: String) -> Result<(), AppError> {
    use domain::NewPassword;
    super::reply(
        async {
            let who = require_user().await?;
            identity::require_admin(&who, "user.password_reset").await?;
            identity::reset_password(&who, &id, NewPassword::parse(&password)?).await
        }
        .await,
    )
}

/// Removes a user's second factor (lost phone): they enrol again at their next sign-in, are
/// told that an administrator did it, and the act is flagged in log review.
#[server(endpoint = "admin/user_mfa_reset")]
pub async fn reset_second_factor(id: String) -> Result<(), AppError> {
    super::reply(async { utvag_core::mfa::reset(&require_user().await?, &id).await }.await)
}

/// Crypto-shredding, first administrator: asks for a participant's data to be shredded.
#[server(endpoint = "admin/shred_request")]
pub async fn request_shred(participant_id: String, reason: String) -> Result<String, AppError> {
    super::reply(
        async {
            utvag_core::shred::request(&require_user().await?, &participant_id, &reason).await
        }
        .await,
    )
}

/// Crypto-shredding, second administrator: confirms, and it is done.
#[server(endpoint = "admin/shred_confirm")]
pub async fn confirm_shred(request_id: String) -> Result<(), AppError> {
    super::reply(
        async { utvag_core::shred::confirm(&require_user().await?, &request_id).await }.await,
    )
}

#[server(endpoint = "admin/shred_list")]
pub async fn list_shred_requests() -> Result<Vec<domain::ShredRequestDto>, AppError> {
    super::reply(
        async {
            let rows = utvag_core::shred::pending(&require_user().await?).await?;
            Ok(rows
                .into_iter()
                .map(|r| domain::ShredRequestDto {
                    id: r.id,
                    participant_id: r.participant,
                    reason: r.reason,
                    requested_by: r.requested_by,
                    requested_at: r.requested_at,
                    done_at: r.done_at,
                })
                .collect())
        }
        .await,
    )
}

/// The retention settings and the latest automatic runs.
#[server(endpoint = "admin/retention")]
pub async fn retention_status() -> Result<domain::RetentionStatus, AppError> {
    super::reply(async { utvag_core::retention::status(&require_user().await?).await }.await)
}

/// What retention would remove if it ran now (nothing is changed; the look is audited).
#[server(endpoint = "admin/retention_preview")]
pub async fn retention_preview() -> Result<domain::RetentionPreview, AppError> {
    super::reply(
        async {
            let r = utvag_core::retention::preview(&require_user().await?).await?;
            Ok(domain::RetentionPreview {
                participants: r.participants.len(),
                cases: r.cases,
                audit_entries: r.audit_entries,
                case_cutoff: r.case_cutoff,
                audit_cutoff: r.audit_cutoff,
            })
        }
        .await,
    )
}
