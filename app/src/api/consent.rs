//! The consent and legal-basis ledger of a case.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::require_user;
use domain::{AppError, ConsentDto};
#[cfg(feature = "ssr")]
use utvag_core::consent;

#[server(endpoint = "consents/list")]
pub async fn list_consents(case_id: String) -> Result<Vec<ConsentDto>, AppError> {
    super::reply(async { consent::list(&require_user().await?, &case_id).await }.await)
}

/// `basis` is `samtycke` or `lag` (then `provision` names it); dates as ÅÅÅÅ-MM-DD.
#[server(endpoint = "consents/add")]
pub async fn add_consent(
    case_id: String,
    recipient_org: String,
    #[server(default)] categories: Vec<String>,
    basis: String,
    #[server(default)] provision: String,
    #[server(default)] valid_from: String,
    #[server(default)] valid_until: String,
) -> Result<String, AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            let n = consent::NewConsent::parse(
                &recipient_org,
                &categories,
                &basis,
                &provision,
                &valid_from,
                &valid_until,
                a.state_today(),
            )?;
            consent::add(&a, &case_id, n).await
        }
        .await,
    )
}

#[server(endpoint = "consents/revoke")]
pub async fn revoke_consent(case_id: String, consent_id: String) -> Result<(), AppError> {
    super::reply(
        async { consent::revoke(&require_user().await?, &case_id, &consent_id).await }.await,
    )
}
