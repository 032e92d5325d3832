//! Observations: an organisation's contribution to an area's picture, and the page of one area
//! and period.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::{area_in_scope, comparison, current_period, guard, picture_id, PERIODS_SHOWN};
use crate::audit::{self, Entry};
use crate::auth::Authed;
use crate::db::new_id;
use crate::gate::who;
use domain::situation::{
    ConcernLevel, ContributionDto, ContributionInput, Days, ObservationCategory, Period,
    PictureStatus, SituationView, TimeOfDay,
};
use domain::{AppError, Capability};

#[derive(Deserialize)]
struct ContributionRow {
    id: String,
    org: String,
    org_name: Option<String>,
    category: String,
    level: String,
    place: Option<String>,
    time_of_day: Option<String>,
    days: Option<String>,
    text: String,
    created_at: DateTime<Utc>,
}

impl ContributionRow {
    fn dto(self) -> Result<ContributionDto, AppError> {
        let bad = |_| AppError::Internal;
        Ok(ContributionDto {
            category: ObservationCategory::parse_field("category", &self.category).map_err(bad)?,
            level: ConcernLevel::parse_field("level", &self.level).map_err(bad)?,
            time_of_day: self
                .time_of_day
                .map(|t| TimeOfDay::parse_field("time_of_day", &t))
                .transpose()
                .map_err(bad)?,
            days: self
                .days
                .map(|d| Days::parse_field("days", &d))
                .transpose()
                .map_err(bad)?,
            org_name: self.org_name.unwrap_or_else(|| self.org.clone()),
            org_id: self.org,
            id: self.id,
            place: self.place,
            text: self.text,
            created_at: self.created_at,
        })
    }
}

/// Adds one observation for the user's organisation. Refused — nothing written, a `deny`
/// entry — when a text names or numbers a person, when the area is outside the user's
/// municipalities, when the period has not begun, or when the period's picture is agreed.
pub async fn contribute(a: &Authed, input: ContributionInput) -> Result<ContributionDto, AppError> {
    let action = "situation.contribute";
    let area = area_in_scope(a, &input.area, action).await?;
    if input.period > current_period(a) {
        return Err(AppError::problem(
            "period",
            domain::error::Problem::PeriodNotBegun,
            "Perioden har inte börjat än: bidra till innevarande eller ett tidigare kvartal.",
        ));
    }
    guard::check(a, action, &input.texts()).await?;
    let id = new_id();
    let mut e = Entry::new(action);
    e.reason = Some(format!(
        "situation_contribution:{id} area:{} period:{}",
        area.id,
        input.period.code()
    ));
    let body = "
        IF (SELECT VALUE status FROM type::record('situation_picture', $pid))[0] = 'agreed' {
            THROW 'conflict:finalised:Lägesbilden för perioden är redan fastställd. Kontakta samordnaren om något behöver läggas till.';
        };
        CREATE type::record('situation_contribution', $id) CONTENT {
            area: $area, period: $period, org: $org, author: $author,
            category: $category, level: $level, place: $place, time_of_day: $tod, days: $days,
            text: $text, created_at: <datetime>$now
        } RETURN NONE;";
    let vars = [
        ("id", json!(id)),
        ("pid", json!(picture_id(&area.id, input.period))),
        ("area", json!(area.id)),
        ("period", json!(input.period.code())),
        ("org", json!(a.org_id())),
        ("author", json!(a.user_id())),
        ("category", json!(input.category.as_str())),
        ("level", json!(input.level.as_str())),
        ("place", json!(input.place)),
        ("tod", json!(input.time_of_day.map(|t| t.as_str()))),
        ("days", json!(input.days.map(|d| d.as_str()))),
        ("text", json!(input.text)),
        ("now", json!(a.state().clock().now())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    Ok(ContributionDto {
        id,
        org_id: a.org_id().to_string(),
        org_name: a.me().org_name.clone(),
        category: input.category,
        level: input.level,
        place: input.place,
        time_of_day: input.time_of_day,
        days: input.days,
        text: input.text,
        created_at: a.state().clock().now(),
    })
}

/// Observations of one area and period: every organisation's for the coordinator, the reader's
/// own organisation's otherwise.
pub(crate) async fn contributions(
    a: &Authed,
    area_id: &str,
    period: Period,
    all: bool,
) -> Result<Vec<ContributionDto>, AppError> {
    let filter = if all { "" } else { " AND org = $org" };
    let rows: Vec<ContributionRow> = a
        .state()
        .db()
        .q(format!(
            "SELECT record::id(id) AS id, org,
                (SELECT VALUE name FROM ONLY type::record('org', $parent.org)) AS org_name,
                category, level, place, time_of_day, days, text, created_at
             FROM situation_contribution WHERE area = $area AND period = $period{filter}
             ORDER BY category, created_at"
        ))
        .bind("area", area_id)
        .bind("period", period.code())
        .bind("org", a.org_id())
        .run()
        .await?
        .all(0)?;
    rows.into_iter().map(ContributionRow::dto).collect()
}

/// The page of one area and period.
pub async fn view(a: &Authed, area_id: &str, period: &str) -> Result<SituationView, AppError> {
    let action = "situation.read";
    let area = area_in_scope(a, area_id, action).await?;
    let period = Period::parse(period).map_err(|_| AppError::NotFound)?;
    let coordinator = a.can(Capability::CoordinateSituation);
    let picture = super::picture::get(a, &area.id, period).await?;
    let agreed = picture
        .as_ref()
        .is_some_and(|p| p.status == PictureStatus::Agreed);
    let draft_pending = picture.is_some() && !agreed && !coordinator;
    let picture = picture.filter(|p| coordinator || p.status == PictureStatus::Agreed);
    let contributions = contributions(a, &area.id, period, coordinator).await?;
    let comparison = comparison(a, &area.id, &period.recent(PERIODS_SHOWN)).await?;
    Ok(SituationView {
        open_for_contributions: !agreed && period <= current_period(a),
        area,
        period,
        picture,
        draft_pending,
        contributions,
        comparison,
        may_coordinate: coordinator,
    })
}
