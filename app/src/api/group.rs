//! SSPF groups of the reader's social-services unit: the list, one group's view, creating a
//! group, and linking cases to it for a period. Only case workers and program leads of the
//! owning unit get anything; the core refuses everyone else with one audit entry.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::require_user;
use domain::group::{CaseGroupDto, GroupDto, GroupView};
use domain::AppError;
#[cfg(feature = "ssr")]
use utvag_core::group;

#[server(endpoint = "groups/list")]
pub async fn list_groups() -> Result<Vec<GroupDto>, AppError> {
    super::reply(async { group::list(&require_user().await?).await }.await)
}

#[server(endpoint = "groups/get")]
pub async fn get_group(id: String) -> Result<GroupView, AppError> {
    super::reply(async { group::view(&require_user().await?, &id).await }.await)
}

#[server(endpoint = "groups/create")]
pub async fn create_group(
    name: String,
    #[server(default)] description: String,
) -> Result<String, AppError> {
    super::reply(
        async {
            let input = domain::group::GroupInput::parse(&name, &description)?;
            group::create(&require_user().await?, input).await
        }
        .await,
    )
}

#[server(endpoint = "groups/link")]
pub async fn link_case(
    group_id: String,
    case_id: String,
    from: String,
    #[server(default)] to: String,
) -> Result<String, AppError> {
    super::reply(
        async { group::link_case(&require_user().await?, &group_id, &case_id, &from, &to).await }
            .await,
    )
}

#[server(endpoint = "groups/link_end")]
pub async fn end_link(link_id: String, #[server(default)] to: String) -> Result<(), AppError> {
    super::reply(async { group::end_link(&require_user().await?, &link_id, &to).await }.await)
}

#[server(endpoint = "groups/link_remove")]
pub async fn remove_link(link_id: String) -> Result<(), AppError> {
    super::reply(async { group::remove_link(&require_user().await?, &link_id).await }.await)
}

#[server(endpoint = "groups/of_case")]
pub async fn case_groups(case_id: String) -> Result<Vec<CaseGroupDto>, AppError> {
    super::reply(async { group::case_groups(&require_user().await?, &case_id).await }.await)
}
