//! Participants and cases.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::require_user;
use domain::{AppError, CaseRow, CaseView, ParticipantForm, ParticipantVersion};
#[cfg(feature = "ssr")]
use utvag_core::{breakglass, participant_history, participants};

/// The case list: `status` empty for all; `mine` = "on" for only my cases.
#[server(endpoint = "cases/list")]
pub async fn list_cases(
    #[server(default)] status: String,
    #[server(default)] mine: Option<String>,
) -> Result<Vec<CaseRow>, AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            let status = match status.as_str() {
                "" => None,
                s => Some(domain::CaseStatus::parse(s)?),
            };
            participants::list(
                &a,
                participants::ListFilter {
                    status,
                    mine: mine.is_some(),
                },
            )
            .await
        }
        .await,
    )
}

/// Exact search on a full personnummer or phone number.
#[server(endpoint = "cases/search")]
pub async fn search_cases(q: String) -> Result<Vec<CaseRow>, AppError> {
    super::reply(async { participants::search(&require_user().await?, &q).await }.await)
}

/// Registers a participant and opens their case; returns the case id.
#[server(endpoint = "participants/register")]
pub async fn register_participant(
    form: ParticipantForm,
    sspf_level: String,
    #[server(default)] referral_source: String,
) -> Result<String, AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            let today = a.state_today();
            let v = participants::ValidParticipant::parse(&form, today)?;
            let sspf = domain::SspfLevel::parse(&sspf_level)?;
            participants::register(&a, v, sspf, &referral_source).await
        }
        .await,
    )
}

#[server(endpoint = "cases/get")]
pub async fn get_case(case_id: String) -> Result<CaseView, AppError> {
    super::reply(async { participants::view(&require_user().await?, &case_id).await }.await)
}

#[server(endpoint = "participants/update")]
pub async fn update_participant(
    case_id: String,
    version: i64,
    form: ParticipantForm,
) -> Result<(), AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            let v = participants::ValidParticipant::parse(&form, a.state_today())?;
            participants::update(&a, &case_id, version, v).await
        }
        .await,
    )
}

/// The earlier versions of the participant's details, newest first.
#[server(endpoint = "participants/history")]
pub async fn participant_history(case_id: String) -> Result<Vec<ParticipantVersion>, AppError> {
    super::reply(
        async { participant_history::history(&require_user().await?, &case_id).await }.await,
    )
}

#[server(endpoint = "cases/transition")]
pub async fn transition_case(case_id: String, version: i64, to: String) -> Result<(), AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            participants::transition(&a, &case_id, version, domain::CaseStatus::parse(&to)?).await
        }
        .await,
    )
}

#[server(endpoint = "cases/team_add")]
pub async fn add_team_member(
    case_id: String,
    username: String,
    part: String,
) -> Result<(), AppError> {
    super::reply(
        async {
            participants::add_member(&require_user().await?, &case_id, &username, &part).await
        }
        .await,
    )
}

#[server(endpoint = "cases/team_remove")]
pub async fn remove_team_member(case_id: String, user_id: String) -> Result<(), AppError> {
    super::reply(
        async { participants::remove_member(&require_user().await?, &case_id, &user_id).await }
            .await,
    )
}

/// (username, display name, organisation) of accounts that can join a case team.
#[server(endpoint = "cases/team_candidates")]
pub async fn team_candidates() -> Result<Vec<(String, String, String)>, AppError> {
    super::reply(async { participants::team_candidates(&require_user().await?).await }.await)
}

/// Break-glass: time-limited access on a written reason; returns when it ends.
#[server(endpoint = "cases/break_glass")]
pub async fn break_glass(
    case_id: String,
    reason: String,
) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    super::reply(
        async { breakglass::request(&require_user().await?, &case_id, &reason).await }.await,
    )
}
