//! The program lead's outcomes dashboard and the funder report (program leads only).

use leptos::prelude::*;

use crate::domain::stats::Outcomes;
use crate::domain::AppError;
#[cfg(feature = "ssr")]
use crate::server::{auth::require_user, outcomes};

/// The outcomes for a period (`YYYY-MM-DD`, empty: the last twelve months) and a municipality
/// (empty: all). `report` marks the printable funder report in the audit log.
#[server(endpoint = "outcomes")]
pub async fn load_outcomes(
    from: String,
    to: String,
    municipality: String,
    report: bool,
) -> Result<Outcomes, AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            let p = outcomes::Period::parse(&from, &to, &municipality, a.state_today())?;
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
