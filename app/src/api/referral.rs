//! Referrals: sending one (also as a plain form without JavaScript), the sender's own list,
//! and the receiving unit's queue, detail and decisions.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::require_user;
use domain::referral::{
    ReferralForm, ReferralReceipt, ReferralRow, ReferralView, SubmittedReferral,
};
use domain::AppError;
#[cfg(feature = "ssr")]
use utvag_core::referral;

/// Sends a referral (fields as `form[personnummer]`, reasons as `form[reasons][0]`…). Posted
/// as a plain form, success goes on to the receipt page.
#[server(endpoint = "referrals/submit")]
pub async fn submit_referral(form: ReferralForm) -> Result<ReferralReceipt, AppError> {
    let r = super::reply(
        async {
            let a = require_user().await?;
            let input = domain::referral::ReferralInput::parse(&form, a.state_today())?;
            referral::submit(&a, input).await
        }
        .await,
    );
    if let Ok(receipt) = &r {
        if super::plain_form_post() {
            leptos_axum::redirect(&format!("/remisser/skickad/{}", receipt.number));
        }
    }
    r
}

/// The sending organisation's own referrals (number and dates only).
#[server(endpoint = "referrals/submitted")]
pub async fn list_submitted() -> Result<Vec<SubmittedReferral>, AppError> {
    super::reply(async { referral::submitted(&require_user().await?).await }.await)
}

/// One of the sending organisation's own referrals by its number, for the receipt page.
#[server(endpoint = "referrals/receipt")]
pub async fn get_receipt(number: String) -> Result<SubmittedReferral, AppError> {
    super::reply(
        async {
            referral::submitted(&require_user().await?)
                .await?
                .into_iter()
                .find(|s| s.number == number)
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// The receiving unit's queue; with `decided`, also accepted and declined referrals.
#[server(endpoint = "referrals/queue")]
pub async fn referral_queue(
    #[server(default)] decided: bool,
) -> Result<Vec<ReferralRow>, AppError> {
    super::reply(async { referral::queue(&require_user().await?, decided).await }.await)
}

#[server(endpoint = "referrals/get")]
pub async fn get_referral(id: String) -> Result<ReferralView, AppError> {
    super::reply(async { referral::open(&require_user().await?, &id).await }.await)
}

/// The other social-services units a referral can be forwarded to: (id, name).
#[server(endpoint = "referrals/forward_targets")]
pub async fn forward_targets() -> Result<Vec<(String, String)>, AppError> {
    super::reply(async { referral::forward_targets(&require_user().await?).await }.await)
}

#[server(endpoint = "referrals/start_review")]
pub async fn start_referral_review(id: String, version: i64) -> Result<(), AppError> {
    super::reply(async { referral::start_review(&require_user().await?, &id, version).await }.await)
}

/// The unit's case workers and program leads who may be made responsible: (id, name).
#[server(endpoint = "referrals/workers")]
pub async fn referral_workers() -> Result<Vec<(String, String)>, AppError> {
    super::reply(async { referral::workers(&require_user().await?).await }.await)
}

/// Accepts a referral under review and opens (or joins) the person's case; returns its id.
/// `responsible` is a user id of the unit; empty makes the accepting user responsible.
#[server(endpoint = "referrals/accept")]
pub async fn accept_referral(
    id: String,
    version: i64,
    #[server(default)] sspf_level: String,
    #[server(default)] responsible: String,
) -> Result<String, AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            let sspf = match sspf_level.as_str() {
                "" => domain::SspfLevel::Individual,
                s => domain::SspfLevel::parse(s)?,
            };
            let d = referral::AcceptDecision {
                version,
                sspf,
                responsible: Some(responsible).filter(|r| !r.trim().is_empty()),
            };
            referral::accept(&a, &id, d).await
        }
        .await,
    )
}

#[server(endpoint = "referrals/decline")]
pub async fn decline_referral(
    id: String,
    version: i64,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    super::reply(
        async { referral::decline(&require_user().await?, &id, version, &reason).await }.await,
    )
}

#[server(endpoint = "referrals/forward")]
pub async fn forward_referral(
    id: String,
    version: i64,
    #[server(default)] to_org: String,
) -> Result<(), AppError> {
    super::reply(
        async { referral::forward(&require_user().await?, &id, version, &to_org).await }.await,
    )
}
