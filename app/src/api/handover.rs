//! Handover of a case to another municipality's social services: the receivers, the offer, both
//! lists, one handover, and the answers (accept, decline, withdraw).

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::require_user;
use domain::handover::{HandoverInput, HandoverLists, HandoverView, ReceiverOrg};
use domain::AppError;
#[cfg(feature = "ssr")]
use utvag_core::handover;

/// Social-services units of other municipalities that may receive a case.
#[server(endpoint = "handover/receivers")]
pub async fn handover_receivers() -> Result<Vec<ReceiverOrg>, AppError> {
    super::reply(async { handover::receivers(&require_user().await?).await }.await)
}

/// Offers the case (fields as `form[to_org]`, parts as `form[parts][0]`…); returns the
/// handover's id. Posted as a plain form, success goes on to the handover's page.
#[server(endpoint = "handover/offer")]
pub async fn offer_handover(case_id: String, form: HandoverInput) -> Result<String, AppError> {
    let r = super::reply(
        async { handover::offer(&require_user().await?, &case_id, &form).await }.await,
    );
    if let Ok(id) = &r {
        if super::plain_form_post() {
            leptos_axum::redirect(&format!("/overlamningar/{id}"));
        }
    }
    r
}

/// The unit's incoming and outgoing handovers.
#[server(endpoint = "handover/list")]
pub async fn list_handovers() -> Result<HandoverLists, AppError> {
    super::reply(async { handover::lists(&require_user().await?).await }.await)
}

#[server(endpoint = "handover/get")]
pub async fn get_handover(id: String) -> Result<HandoverView, AppError> {
    super::reply(async { handover::view(&require_user().await?, &id).await }.await)
}

/// The case's pending handover offered by the user's unit, if any (for the case frame).
#[server(endpoint = "handover/pending")]
pub async fn pending_handover(case_id: String) -> Result<Option<String>, AppError> {
    super::reply(async { handover::pending_for_case(&require_user().await?, &case_id).await }.await)
}

/// Accepts a handover; returns the case id, now the user's unit's.
#[server(endpoint = "handover/accept")]
pub async fn accept_handover(id: String) -> Result<String, AppError> {
    let r = super::reply(async { handover::accept(&require_user().await?, &id).await }.await);
    if let Ok(case_id) = &r {
        if super::plain_form_post() {
            leptos_axum::redirect(&format!("/arenden/{case_id}"));
        }
    }
    r
}

#[server(endpoint = "handover/decline")]
pub async fn decline_handover(
    id: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    super::reply(async { handover::decline(&require_user().await?, &id, &reason).await }.await)
}

#[server(endpoint = "handover/withdraw")]
pub async fn withdraw_handover(id: String) -> Result<(), AppError> {
    super::reply(async { handover::withdraw(&require_user().await?, &id).await }.await)
}
