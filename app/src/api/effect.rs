//! Outcome ratings and funded projects: a case's rating sets and its project enrolments, and
//! the program lead's list of projects.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::require_user;
use domain::project::{EnrolmentsDto, ProjectDto};
use domain::rating::{RatingFields, RatingsDto};
use domain::AppError;
#[cfg(feature = "ssr")]
use utvag_core::{casework, project};

#[server(endpoint = "ratings/get")]
pub async fn get_ratings(case_id: String) -> Result<RatingsDto, AppError> {
    super::reply(async { casework::ratings(&require_user().await?, &case_id).await }.await)
}

#[server(endpoint = "ratings/add")]
pub async fn add_rating(case_id: String, form: RatingFields) -> Result<String, AppError> {
    super::reply(
        async { casework::add_rating(&require_user().await?, &case_id, &form.into_form()).await }
            .await,
    )
}

#[server(endpoint = "projects/enrolments")]
pub async fn get_enrolments(case_id: String) -> Result<EnrolmentsDto, AppError> {
    super::reply(async { casework::enrolments(&require_user().await?, &case_id).await }.await)
}

#[server(endpoint = "projects/enrol")]
pub async fn enrol(
    case_id: String,
    project: String,
    entry: String,
    #[server(default)] exit: String,
) -> Result<String, AppError> {
    super::reply(
        async { casework::enrol(&require_user().await?, &case_id, &project, &entry, &exit).await }
            .await,
    )
}

#[server(endpoint = "projects/exit")]
pub async fn end_enrolment(
    case_id: String,
    enrolment_id: String,
    exit: String,
) -> Result<(), AppError> {
    super::reply(
        async {
            casework::end_enrolment(&require_user().await?, &case_id, &enrolment_id, &exit).await
        }
        .await,
    )
}

#[server(endpoint = "projects/list")]
pub async fn list_projects() -> Result<Vec<ProjectDto>, AppError> {
    super::reply(async { project::list(&require_user().await?).await }.await)
}

#[server(endpoint = "projects/create")]
pub async fn create_project(
    name: String,
    funder: String,
    #[server(default)] number: String,
    from: String,
    to: String,
    cofinancing: String,
) -> Result<ProjectDto, AppError> {
    super::reply(
        async {
            let input = domain::project::ProjectInput::parse(
                &name,
                &funder,
                &number,
                &from,
                &to,
                &cofinancing,
            )?;
            project::create(&require_user().await?, input).await
        }
        .await,
    )
}
