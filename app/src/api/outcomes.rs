//! The program lead's outcomes dashboard and the funder report (program leads only).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::require_user;
use domain::stats::Outcomes;
use domain::AppError;
#[cfg(feature = "ssr")]
use utvag_core::outcomes;

/// The outcomes for a period (`YYYY-MM-DD`, empty: the last twelve months) and a municipality
/// (empty: all), optionally limited to one funded project's participants (`project`; the period
/// then defaults to the project's). `report` marks the printable funder report in the audit log.
#[server(endpoint = "outcomes")]
pub async fn load_outcomes(
    from: String,
    to: String,
    municipality: String,
    report: bool,
    #[server(default)] project: String,
) -> Result<Outcomes, AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            let p = if project.is_empty() {
                outcomes::Period::parse(&from, &to, &municipality, a.state_today())?
            } else {
                outcomes::project_period(&a, &project, &from, &to, &municipality).await?
            };
            let action = if report {
                "outcomes.report"
            } else {
                "outcomes.read"
            };
            outcomes::outcomes(&a, &p, action).await
        }
        .await,
    )
}
