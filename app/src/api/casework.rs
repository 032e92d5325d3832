//! Casework server functions: plan, safety, housing/occupation, contacts, notes, timeline.

// A plain form post names one argument per field; the browser's generated call has the same list.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::require_user;
use domain::casework::{LivingDto, NoteDto, PlanDto, SafetyDto, WorkCount, WorkList};
use domain::event::TimelinePage;
use domain::AppError;
#[cfg(feature = "ssr")]
use utvag_core::casework;

#[cfg(feature = "ssr")]
use domain::casework::*;

#[server(endpoint = "plan/get")]
pub async fn get_plan(case_id: String) -> Result<PlanDto, AppError> {
    super::reply(async { casework::plan(&require_user().await?, &case_id).await }.await)
}

#[server(endpoint = "plan/goal_add")]
pub async fn add_goal(
    case_id: String,
    domain: String,
    text: String,
    #[server(default)] target_date: String,
) -> Result<String, AppError> {
    super::reply(
        async {
            casework::add_goal(
                &require_user().await?,
                &case_id,
                LifeDomain::parse(&domain)?,
                &text,
                &target_date,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "plan/action_add")]
pub async fn add_action(
    case_id: String,
    goal_id: String,
    title: String,
    owner_org: String,
    #[server(default)] responsible: String,
    #[server(default)] due: String,
    #[server(default)] with_guardians: String,
) -> Result<String, AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            // A checkbox sends its value only when ticked.
            if with_guardians == "on" {
                casework::add_guardian_action(
                    &a,
                    &case_id,
                    &goal_id,
                    &title,
                    &owner_org,
                    &responsible,
                    &due,
                )
                .await
            } else {
                casework::add_action(
                    &a,
                    &case_id,
                    &goal_id,
                    &title,
                    &owner_org,
                    &responsible,
                    &due,
                )
                .await
            }
        }
        .await,
    )
}

#[server(endpoint = "plan/action_update")]
pub async fn update_action(
    case_id: String,
    action_id: String,
    version: i64,
    status: String,
    #[server(default)] comment: String,
) -> Result<(), AppError> {
    super::reply(
        async {
            casework::update_action(
                &require_user().await?,
                &case_id,
                &action_id,
                version,
                ActionStatus::parse(&status)?,
                &comment,
            )
            .await
        }
        .await,
    )
}

/// A goal reached, given up, or opened again.
#[server(endpoint = "plan/goal_status")]
pub async fn set_goal_status(
    case_id: String,
    goal_id: String,
    version: i64,
    status: String,
) -> Result<(), AppError> {
    super::reply(
        async {
            casework::set_goal_status(
                &require_user().await?,
                &case_id,
                &goal_id,
                version,
                GoalStatus::parse(&status)?,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "plan/review_add")]
pub async fn add_review(
    case_id: String,
    date: String,
    #[server(default)] present: String,
    summary: String,
    #[server(default)] next_review: String,
) -> Result<String, AppError> {
    super::reply(
        async {
            casework::add_review(
                &require_user().await?,
                &case_id,
                &date,
                &present,
                &summary,
                &next_review,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "safety/get")]
pub async fn get_safety(case_id: String) -> Result<SafetyDto, AppError> {
    super::reply(async { casework::safety(&require_user().await?, &case_id).await }.await)
}

#[server(endpoint = "safety/measure_add")]
pub async fn add_measure(
    case_id: String,
    kind: String,
    status: String,
    #[server(default)] start: String,
    #[server(default)] end: String,
    #[server(default)] details: String,
) -> Result<String, AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            casework::add_measure(
                &a,
                &case_id,
                MeasureKind::parse(&kind)?,
                MeasureStatus::parse(&status)?,
                &start,
                &end,
                &details,
            )
            .await
        }
        .await,
    )
}

/// Changes a protective measure's status, dates, responsible organisation and details. One
/// argument per form field, as a plain post names them.
#[server(endpoint = "safety/measure_update")]
pub async fn update_measure(
    case_id: String,
    measure_id: String,
    version: i64,
    status: String,
    #[server(default)] start: String,
    #[server(default)] end: String,
    responsible_org: String,
    #[server(default)] details: String,
) -> Result<(), AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            let edit = casework::MeasureEdit {
                status: MeasureStatus::parse(&status)?,
                start: &start,
                end: &end,
                responsible_org: &responsible_org,
                details: &details,
            };
            casework::update_measure(&a, &case_id, &measure_id, version, edit).await
        }
        .await,
    )
}

/// Ends a protective measure; `end` empty for today.
#[server(endpoint = "safety/measure_end")]
pub async fn end_measure(
    case_id: String,
    measure_id: String,
    version: i64,
    #[server(default)] end: String,
) -> Result<(), AppError> {
    super::reply(
        async {
            casework::end_measure(&require_user().await?, &case_id, &measure_id, version, &end)
                .await
        }
        .await,
    )
}

#[server(endpoint = "safety/assessment_add")]
pub async fn add_assessment(
    case_id: String,
    level: String,
    #[server(default)] date: String,
    next_review: String,
    basis: String,
) -> Result<String, AppError> {
    super::reply(
        async {
            casework::add_assessment(
                &require_user().await?,
                &case_id,
                ThreatLevel::parse(&level)?,
                &date,
                &next_review,
                &basis,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "living/get")]
pub async fn get_living(case_id: String) -> Result<LivingDto, AppError> {
    super::reply(async { casework::living(&require_user().await?, &case_id).await }.await)
}

#[server(endpoint = "living/housing_add")]
pub async fn add_housing(
    case_id: String,
    kind: String,
    #[server(default)] address: String,
    from: String,
) -> Result<String, AppError> {
    super::reply(
        async {
            casework::add_housing(
                &require_user().await?,
                &case_id,
                HousingType::parse(&kind)?,
                &address,
                &from,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "living/occupation_add")]
pub async fn add_occupation(
    case_id: String,
    kind: String,
    from: String,
    #[server(default)] outcome: String,
) -> Result<String, AppError> {
    super::reply(
        async {
            casework::add_occupation(
                &require_user().await?,
                &case_id,
                OccupationType::parse(&kind)?,
                &from,
                &outcome,
            )
            .await
        }
        .await,
    )
}

/// The contact log's one-tap entry. `at` as `ÅÅÅÅ-MM-DDTHH:MM` on a Swedish clock (a
/// `datetime-local` field; the core reads it with `domain::input::swedish_time`) or empty for now.
#[server(endpoint = "contacts/add")]
pub async fn add_contact(
    case_id: String,
    #[server(default)] at: String,
    kind: String,
    #[server(default)] minutes: String,
    summary: String,
) -> Result<String, AppError> {
    super::reply(
        async {
            casework::add_contact(
                &require_user().await?,
                &case_id,
                &at,
                ContactKind::parse(&kind)?,
                &minutes,
                &summary,
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "notes/list")]
pub async fn list_notes(case_id: String) -> Result<Vec<NoteDto>, AppError> {
    super::reply(async { casework::notes(&require_user().await?, &case_id).await }.await)
}

#[server(endpoint = "notes/add")]
pub async fn add_note(case_id: String, text: String) -> Result<String, AppError> {
    super::reply(async { casework::add_note(&require_user().await?, &case_id, &text).await }.await)
}

#[server(endpoint = "notes/edit")]
pub async fn edit_note(
    case_id: String,
    note_id: String,
    version: i64,
    text: String,
) -> Result<(), AppError> {
    super::reply(
        async {
            casework::edit_note(&require_user().await?, &case_id, &note_id, version, &text).await
        }
        .await,
    )
}

/// A page of the shared timeline, newest first. `cursor` from the previous page's `next`;
/// `category` and `org` (organisation id) filter; `limit` 1–200 (default 50).
#[server(endpoint = "timeline/page")]
pub async fn get_timeline(
    case_id: String,
    #[server(default)] cursor: String,
    #[server(default)] category: String,
    #[server(default)] org: String,
    #[server(default)] limit: Option<u32>,
) -> Result<TimelinePage, AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            let filter = casework::TimelineFilter {
                category: match category.as_str() {
                    "" => None,
                    c => Some(domain::Category::parse(c)?),
                },
                org: (!org.is_empty()).then_some(org),
            };
            casework::timeline(&a, &case_id, &cursor, filter, limit.unwrap_or(50) as usize).await
        }
        .await,
    )
}

/// How many things on the reader's work list are due this week, and how many are late.
#[server(endpoint = "worklist/count")]
pub async fn get_work_count() -> Result<WorkCount, AppError> {
    super::reply(async { utvag_core::worklist::count(&require_user().await?).await }.await)
}

/// The start page's work list: what is due this week on the reader's cases.
#[server(endpoint = "worklist")]
pub async fn get_worklist() -> Result<WorkList, AppError> {
    super::reply(async { utvag_core::worklist::my_work(&require_user().await?).await }.await)
}
