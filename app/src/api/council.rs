//! The collaboration council: the meetings list, planning a meeting, the chair's agenda and
//! decisions, and the minutes each member is shown.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::api::require_user;
use domain::council::{AgendaView, DecisionForm, MeetingRow, MinutesView};
#[cfg(feature = "ssr")]
use domain::council::{ItemKind, MeetingInput};
use domain::AppError;
#[cfg(feature = "ssr")]
use utvag_core::council;

/// The meetings the user's organisation chairs or sits on, the latest first.
#[server(endpoint = "council/list")]
pub async fn list_meetings() -> Result<Vec<MeetingRow>, AppError> {
    super::reply(async { council::list(&require_user().await?).await }.await)
}

/// The organisations a meeting can invite: (id, name).
#[server(endpoint = "council/member_choices")]
pub async fn member_choices() -> Result<Vec<(String, String)>, AppError> {
    super::reply(async { council::member_choices(&require_user().await?).await }.await)
}

/// Plans a meeting (members as `members[0]`, `members[1]` …); a plain post goes on to its agenda.
#[server(endpoint = "council/create")]
pub async fn create_meeting(
    #[server(default)] date: String,
    #[server(default)] members: Vec<String>,
) -> Result<String, AppError> {
    let r = super::reply(
        async {
            let a = require_user().await?;
            council::create(&a, MeetingInput { date, members }).await
        }
        .await,
    );
    if let Ok(id) = &r {
        if super::plain_form_post() {
            leptos_axum::redirect(&format!("/samverkansrad/{id}"));
        }
    }
    r
}

/// The agenda of a meeting the user's unit chairs, with what may be put on it.
#[server(endpoint = "council/agenda")]
pub async fn get_agenda(id: String) -> Result<AgendaView, AppError> {
    super::reply(async { council::agenda(&require_user().await?, &id).await }.await)
}

/// Puts a referral or a case of the unit on a planned meeting's agenda.
#[server(endpoint = "council/add_item")]
pub async fn add_agenda_item(
    meeting: String,
    #[server(default)] target: String,
) -> Result<String, AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            let (kind, id) = ItemKind::target(&target)?;
            council::add_item(&a, &meeting, kind, id).await
        }
        .await,
    )
}

/// Records the council's decision on an item; returns the case's id.
#[server(endpoint = "council/decide")]
pub async fn decide_item(item: String, form: DecisionForm) -> Result<String, AppError> {
    super::reply(
        async {
            let a = require_user().await?;
            council::decide(&a, &item, form.parse()?).await
        }
        .await,
    )
}

/// Declines a referral item with a reason.
#[server(endpoint = "council/decline")]
pub async fn decline_item(item: String, #[server(default)] reason: String) -> Result<(), AppError> {
    super::reply(async { council::decline(&require_user().await?, &item, &reason).await }.await)
}

/// Marks a planned meeting as held.
#[server(endpoint = "council/held")]
pub async fn mark_meeting_held(id: String) -> Result<(), AppError> {
    super::reply(async { council::mark_held(&require_user().await?, &id).await }.await)
}

/// The minutes as the reader may see them.
#[server(endpoint = "council/minutes")]
pub async fn get_minutes(id: String) -> Result<MinutesView, AppError> {
    super::reply(async { council::minutes(&require_user().await?, &id).await }.await)
}
