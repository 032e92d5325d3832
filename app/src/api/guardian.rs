//! A young person's guardians and parents on a case: the list with the consent warning, adding,
//! changing and removing one, and recording the guardians' consent.

// The form's fields are the server function's arguments (the browser's call repeats them).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::require_user;
use domain::guardian::GuardiansDto;
use domain::AppError;
#[cfg(feature = "ssr")]
use utvag_core::casework;

#[cfg(feature = "ssr")]
fn parse(
    name: &str,
    relation: &str,
    custody: &str,
    phone: &str,
    email: &str,
    address: &str,
) -> Result<domain::guardian::GuardianInput, AppError> {
    // A checkbox sends its value only when ticked.
    let custody = matches!(custody, "on" | "true" | "ja");
    domain::guardian::GuardianInput::parse(name, relation, custody, phone, email, address)
}

#[server(endpoint = "guardians/get")]
pub async fn get_guardians(case_id: String) -> Result<GuardiansDto, AppError> {
    super::reply(async { casework::guardians(&require_user().await?, &case_id).await }.await)
}

#[server(endpoint = "guardians/add")]
pub async fn add_guardian(
    case_id: String,
    name: String,
    relation: String,
    #[server(default)] custody: String,
    #[server(default)] phone: String,
    #[server(default)] email: String,
    #[server(default)] address: String,
) -> Result<String, AppError> {
    super::reply(
        async {
            let g = parse(&name, &relation, &custody, &phone, &email, &address)?;
            casework::add_guardian(&require_user().await?, &case_id, g).await
        }
        .await,
    )
}

#[server(endpoint = "guardians/update")]
pub async fn update_guardian(
    case_id: String,
    guardian_id: String,
    name: String,
    relation: String,
    #[server(default)] custody: String,
    #[server(default)] phone: String,
    #[server(default)] email: String,
    #[server(default)] address: String,
) -> Result<(), AppError> {
    super::reply(
        async {
            let g = parse(&name, &relation, &custody, &phone, &email, &address)?;
            casework::update_guardian(&require_user().await?, &case_id, &guardian_id, g).await
        }
        .await,
    )
}

#[server(endpoint = "guardians/remove")]
pub async fn remove_guardian(case_id: String, guardian_id: String) -> Result<(), AppError> {
    super::reply(
        async { casework::remove_guardian(&require_user().await?, &case_id, &guardian_id).await }
            .await,
    )
}

#[server(endpoint = "guardians/consent")]
pub async fn record_consent(
    case_id: String,
    guardian_id: String,
    given_on: String,
    scope: String,
) -> Result<(), AppError> {
    super::reply(
        async {
            casework::record_consent(
                &require_user().await?,
                &case_id,
                &guardian_id,
                &given_on,
                &scope,
            )
            .await
        }
        .await,
    )
}
