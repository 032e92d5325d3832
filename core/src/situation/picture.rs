//! The merged picture of an area and a quarter: the coordinator's summary, priorities and
//! actions, draft until the council agrees it; and its print for the council.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;

use super::{area_in_scope, comparison, current_period, guard, picture_id, PERIODS_SHOWN};
use crate::audit::{self, Entry};
use crate::auth::Authed;
use crate::db::valid_id;
use crate::gate::{require, who};
use domain::situation::{
    Period, PictureAction, PictureDto, PictureInput, PicturePrint, PictureStatus,
};
use domain::{AppError, Capability};

#[derive(Deserialize)]
struct ActionRow {
    who: String,
    what: String,
    by: NaiveDate,
}

#[derive(Deserialize)]
struct PictureRow {
    id: String,
    area: String,
    period: String,
    status: String,
    summary: String,
    priorities: Vec<String>,
    actions: Vec<ActionRow>,
    updated_at: DateTime<Utc>,
    agreed_at: Option<DateTime<Utc>>,
}

impl PictureRow {
    fn dto(self) -> Result<PictureDto, AppError> {
        Ok(PictureDto {
            period: Period::parse(&self.period).map_err(|_| AppError::Internal)?,
            status: PictureStatus::parse_field("status", &self.status)
                .map_err(|_| AppError::Internal)?,
            id: self.id,
            area: self.area,
            summary: self.summary,
            priorities: self.priorities,
            actions: self
                .actions
                .into_iter()
                .map(|r| PictureAction {
                    who: r.who,
                    what: r.what,
                    by: r.by,
                })
                .collect(),
            updated_at: self.updated_at,
            agreed_at: self.agreed_at,
        })
    }
}

const FIELDS: &str = "record::id(id) AS id, area, period, status, summary, priorities, actions,
    updated_at, agreed_at";

async fn by_id(a: &Authed, id: &str) -> Result<Option<PictureDto>, AppError> {
    if !valid_id(id) {
        return Ok(None);
    }
    let row: Option<PictureRow> = a
        .state()
        .db()
        .q(format!(
            "SELECT {FIELDS} FROM type::record('situation_picture', $id)"
        ))
        .bind("id", id)
        .run()
        .await?
        .first(0)?;
    row.map(PictureRow::dto).transpose()
}

/// The picture of an area and period, draft or agreed, if one has been started (the caller
/// decides who may see a draft).
pub(crate) async fn get(
    a: &Authed,
    area_id: &str,
    period: Period,
) -> Result<Option<PictureDto>, AppError> {
    by_id(a, &picture_id(area_id, period)).await
}

/// Saves the coordinator's picture (creating it the first time). Marking it agreed records
/// when and by whom; setting it back to draft opens the period for contributions again.
/// Refused with a `deny` entry for anyone without `CoordinateSituation`, and — nothing written
/// — when a text names or numbers a person.
pub async fn save_picture(a: &Authed, input: PictureInput) -> Result<PictureDto, AppError> {
    let action = "situation.picture.save";
    require(a, Capability::CoordinateSituation, action).await?;
    let area = area_in_scope(a, &input.area, action).await?;
    if input.period > current_period(a) {
        return Err(AppError::problem("period", domain::error::Problem::PeriodNotBegun, "Perioden har inte börjat än: en lägesbild gäller innevarande eller ett tidigare kvartal."));
    }
    let texts = input.texts();
    let fields: Vec<(&'static str, &str)> = texts.iter().map(|(f, t)| (*f, t.as_str())).collect();
    guard::check(a, action, &fields).await?;
    let id = picture_id(&area.id, input.period);
    let mut e = Entry::new(action);
    e.reason = Some(format!("situation_picture:{id} {}", input.status.as_str()));
    let body = "
        LET $old = (SELECT agreed_at, agreed_by FROM type::record('situation_picture', $id))[0];
        UPSERT type::record('situation_picture', $id) CONTENT {
            area: $area, period: $period, status: $status, summary: $summary,
            priorities: $priorities, actions: $actions,
            updated_by: $by, updated_at: <datetime>$now,
            agreed_by: IF $status = 'agreed' THEN ($old.agreed_by ?? $by) ELSE NONE END,
            agreed_at: IF $status = 'agreed' THEN ($old.agreed_at ?? <datetime>$now) ELSE NONE END
        } RETURN NONE;";
    let actions: Vec<serde_json::Value> = input
        .actions
        .iter()
        .map(|x| json!({ "who": x.who, "what": x.what, "by": x.by }))
        .collect();
    let vars = [
        ("id", json!(id)),
        ("area", json!(area.id)),
        ("period", json!(input.period.code())),
        ("status", json!(input.status.as_str())),
        ("summary", json!(input.summary)),
        ("priorities", json!(input.priorities)),
        ("actions", json!(actions)),
        ("by", json!(a.user_id())),
        ("now", json!(a.state().clock().now())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    by_id(a, &id).await?.ok_or(AppError::Internal)
}

/// The picture as printed for the council, with the comparison with earlier periods and the
/// organisations that contributed. Contributors print agreed pictures only; a draft is the
/// coordinator's. Anything else is not found (after a `deny` entry).
pub async fn print(a: &Authed, id: &str) -> Result<PicturePrint, AppError> {
    let action = "situation.print";
    require(a, Capability::ContributeSituation, action).await?;
    let picture = by_id(a, id).await?;
    // An unknown id is refused the way an area outside the user's municipalities is.
    let area_id = picture.as_ref().map_or("", |p| p.area.as_str()).to_string();
    let area = area_in_scope(a, &area_id, action).await?;
    let Some(picture) = picture
        .filter(|p| p.status == PictureStatus::Agreed || a.can(Capability::CoordinateSituation))
    else {
        let mut e = Entry::new(action);
        e.decision = "deny".into();
        e.reason = Some(format!("situation_picture:{id} draft"));
        audit::append(a.state(), &who(a), e).await?;
        return Err(AppError::NotFound);
    };
    let comparison = comparison(a, &area.id, &picture.period.recent(PERIODS_SHOWN)).await?;
    let mut contributors: Vec<String> = a
        .state()
        .db()
        .q(
            "LET $orgs = array::distinct(SELECT VALUE org FROM situation_contribution
                WHERE area = $area AND period = $period);
            SELECT VALUE name FROM fn::records('org', $orgs) WHERE id != NONE;",
        )
        .bind("area", &area.id)
        .bind("period", picture.period.code())
        .run()
        .await?
        .all(1)?;
    contributors.sort();
    Ok(PicturePrint {
        area,
        picture,
        comparison,
        contributors,
    })
}
