//! Log review (auditor only): who read a participant, what a user read, a search of the log,
//! break-glass review, chain verification.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::require_user;
use domain::audit::AuditSearchDto;
use domain::{AppError, AuditRow, BreakGlassRow, FlaggedRow, VerificationDto};
#[cfg(feature = "ssr")]
use utvag_core::{audit::review, breakglass};

#[cfg(feature = "ssr")]
fn to_dto(rows: Vec<review::ReviewRow>) -> Vec<AuditRow> {
    rows.into_iter().map(AuditRow::from).collect()
}

#[server(endpoint = "audit/participant")]
pub async fn reads_of_participant(participant_id: String) -> Result<Vec<AuditRow>, AppError> {
    super::reply(
        async {
            review::reads_of_participant(&require_user().await?, &participant_id)
                .await
                .map(to_dto)
        }
        .await,
    )
}

#[server(endpoint = "audit/user")]
pub async fn reads_by_user(username: String) -> Result<Vec<AuditRow>, AppError> {
    super::reply(
        async {
            review::reads_by_user(&require_user().await?, &username)
                .await
                .map(to_dto)
        }
        .await,
    )
}

/// Searches the log by participant id, username, organisation id, action and period (first and
/// last day, ÅÅÅÅ-MM-DD, Swedish time); empty arguments match anything. Newest first, capped.
#[server(endpoint = "audit/search")]
pub async fn search_audit(
    #[server(default)] participant_id: String,
    #[server(default)] username: String,
    #[server(default)] org: String,
    #[server(default)] action: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<AuditSearchDto, AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            let s =
                review::LogSearch::parse(&participant_id, &username, &org, &action, &from, &to)?;
            let found = review::search(&a, &s).await?;
            Ok(AuditSearchDto {
                rows: to_dto(found.rows),
                capped: found.capped,
                limit: review::SEARCH_LIMIT,
            })
        }
        .await,
    )
}

/// Reads of single files in the last `days` days that stand out (outside the case team, outside
/// working hours, bursts, protected persons), newest first.
#[server(endpoint = "audit/flagged")]
pub async fn flagged_reads(days: i64) -> Result<Vec<FlaggedRow>, AppError> {
    super::reply(
        async {
            let found = review::flagged_reads(&require_user().await?, days).await?;
            let (reads, flags): (Vec<_>, Vec<_>) =
                found.into_iter().map(|f| (f.read, f.flags)).unzip();
            Ok(to_dto(reads)
                .into_iter()
                .zip(flags)
                .map(|(row, flags)| FlaggedRow { row, flags })
                .collect())
        }
        .await,
    )
}

#[server(endpoint = "audit/break_glass")]
pub async fn break_glass_queue(
    #[server(default)] all: Option<String>,
) -> Result<Vec<BreakGlassRow>, AppError> {
    super::reply(
        async {
            let rows = breakglass::queue(&require_user().await?, all.is_some()).await?;
            Ok(rows
                .into_iter()
                .map(|g| BreakGlassRow {
                    id: g.id,
                    user: g.user_name.unwrap_or(g.user),
                    org: g.org_name.unwrap_or_default(),
                    participant_id: g.participant,
                    reason: g.reason,
                    granted_at: g.granted_at,
                    expires_at: g.expires_at,
                    review: g.review,
                    review_comment: g.review_comment,
                })
                .collect())
        }
        .await,
    )
}

/// `decision` is `justified` or `escalated`.
#[server(endpoint = "audit/break_glass_review")]
pub async fn review_break_glass(
    id: String,
    decision: String,
    comment: String,
) -> Result<(), AppError> {
    super::reply(
        async { breakglass::review(&require_user().await?, &id, &decision, &comment).await }.await,
    )
}

#[server(endpoint = "audit/verify")]
pub async fn verify_audit_chain() -> Result<VerificationDto, AppError> {
    super::reply(
        async {
            let v = review::verify_chain(&require_user().await?).await?;
            Ok(VerificationDto {
                entries: v.entries,
                head_seq: v.head_seq,
                broken_at: v.broken_at,
                problem: v.problem,
                checked_at: v.checked_at,
                anchor: v.anchor,
            })
        }
        .await,
    )
}

#[server(endpoint = "audit/last_verification")]
pub async fn last_verification() -> Result<Option<VerificationDto>, AppError> {
    super::reply(
        async {
            Ok(review::last_verification(&require_user().await?)
                .await?
                .map(|v| VerificationDto {
                    entries: v.entries,
                    head_seq: v.head_seq,
                    broken_at: v.broken_at,
                    problem: v.problem,
                    checked_at: v.checked_at,
                    anchor: v.anchor,
                }))
        }
        .await,
    )
}
