//! The organisations, for every signed-in user: the pages choose owners, recipients and
//! filters from them. Creating and changing them is in `admin`.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::require_user;
use domain::{AppError, OrgDto};
#[cfg(feature = "ssr")]
use utvag_core::identity;

/// All organisations (the endpoint keeps its first address, which docs/api.md lists).
#[server(endpoint = "admin/orgs")]
pub async fn list_orgs() -> Result<Vec<OrgDto>, AppError> {
    super::reply(async { identity::list_orgs(&require_user().await?).await }.await)
}
