//! Situation pictures (lägesbild): the overview, one area and period, observations, the merged
//! picture and its print.

// A plain form post names one argument per field; the browser's generated call has the same list.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::require_user;
use domain::situation::{
    ContributionDto, PictureDto, PicturePrint, SituationOverview, SituationView,
};
#[cfg(feature = "ssr")]
use domain::situation::{ContributionInput, PictureInput};
use domain::AppError;
#[cfg(feature = "ssr")]
use utvag_core::situation;

#[server(endpoint = "situation/overview")]
pub async fn load_overview() -> Result<SituationOverview, AppError> {
    super::reply(async { situation::overview(&require_user().await?).await }.await)
}

#[server(endpoint = "situation/view")]
pub async fn load_area(area: String, period: String) -> Result<SituationView, AppError> {
    super::reply(async { situation::view(&require_user().await?, &area, &period).await }.await)
}

/// One observation for the user's organisation (a plain form post works without JavaScript).
#[server(endpoint = "situation/contribute")]
pub async fn contribute(
    area: String,
    period: String,
    category: String,
    level: String,
    place: String,
    time_of_day: String,
    days: String,
    text: String,
) -> Result<ContributionDto, AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            let input = ContributionInput::parse(
                &area,
                &period,
                &category,
                &level,
                &place,
                &time_of_day,
                &days,
                &text,
            )?;
            situation::contribute(&a, input).await
        }
        .await,
    )
}

/// The coordinator's merged picture: summary, priorities (one per line), actions (one per
/// line, `vem; vad; ÅÅÅÅ-MM-DD`) and status.
#[server(endpoint = "situation/save")]
pub async fn save_picture(
    area: String,
    period: String,
    summary: String,
    priorities: String,
    actions: String,
    status: String,
) -> Result<PictureDto, AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            let input =
                PictureInput::parse(&area, &period, &summary, &priorities, &actions, &status)?;
            situation::save_picture(&a, input).await
        }
        .await,
    )
}

#[server(endpoint = "situation/print")]
pub async fn load_print(id: String) -> Result<PicturePrint, AppError> {
    super::reply(async { situation::print(&require_user().await?, &id).await }.await)
}
