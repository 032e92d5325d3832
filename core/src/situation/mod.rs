//! Situation pictures (lägesbild, the general level of SSPF).
//!
//! Per area and quarter, every organisation with `ContributeSituation` adds observations for
//! itself (`contribute`); the coordinator (`CoordinateSituation`, the program lead) merges them
//! into one picture with an agreed summary, priorities and actions, compares the period with the
//! earlier ones and prints it for the council (`picture`). Nothing here is personal data: every
//! free text passes `guard` (no personnummer, phone number or registered name) before it is
//! written, so the tables are not sealed and a picture is readable by everyone working in its
//! municipality. Case content is never read here.
//!
//! Who sees what: an area is reachable by users whose organisation works in its municipality.
//! Contributors see their own organisation's observations and the agreed pictures; the
//! coordinator sees every observation and the draft. Every write is audited in its transaction;
//! every refusal leaves a `deny` entry.

mod contribute;
pub(crate) mod guard;
mod picture;

use std::collections::HashMap;

use serde::Deserialize;

use crate::area;
use crate::audit::{self, Entry};
use crate::auth::Authed;
use crate::gate::{require, who};
use domain::situation::{
    ConcernLevel, ObservationCategory, OverviewCell, OverviewRow, Period, PeriodCounts,
    PictureStatus, SituationOverview,
};
use domain::{AppError, AreaDto, Capability};

pub use contribute::{contribute, view};
pub use picture::{print, save_picture};

/// How many quarters the overview and the comparison show (this one and three before it).
pub const PERIODS_SHOWN: usize = 4;

/// The record id of an area's picture for a period.
pub(crate) fn picture_id(area: &str, period: Period) -> String {
    format!("{area}_{}", period.code())
}

/// The municipalities the user's organisation works in.
pub(crate) async fn municipalities(a: &Authed) -> Result<Vec<String>, AppError> {
    // `all`: the statement's value is the array of names itself.
    Ok(a.state()
        .db()
        .q("(SELECT VALUE municipalities FROM ONLY type::record('org', $o)) ?? []")
        .bind("o", a.org_id())
        .run()
        .await?
        .all(0)?)
}

/// The area, when the user may work with situation pictures there. An unknown area and an area
/// outside the user's municipalities are answered alike, after one `deny` entry.
pub(crate) async fn area_in_scope(
    a: &Authed,
    area_id: &str,
    action: &str,
) -> Result<AreaDto, AppError> {
    require(a, Capability::ContributeSituation, action).await?;
    let munis = municipalities(a).await?;
    match area::get(a.state().db(), area_id).await? {
        Some(ar) if munis.contains(&ar.municipality) => Ok(ar),
        _ => {
            let mut e = Entry::new(action);
            e.decision = "deny".into();
            e.reason = Some("area:out_of_scope".into());
            audit::append(a.state(), &who(a), e).await?;
            Err(AppError::NotFound)
        }
    }
}

/// The current quarter.
pub(crate) fn current_period(a: &Authed) -> Period {
    Period::of(a.state().clock().today())
}

#[derive(Deserialize)]
struct CountRow {
    period: String,
    category: String,
    level: String,
    n: u32,
}

/// Observations per category and level for `periods` of one area, in the order given, every
/// combination present (zeros included).
pub(crate) async fn comparison(
    a: &Authed,
    area_id: &str,
    periods: &[Period],
) -> Result<Vec<PeriodCounts>, AppError> {
    let codes: Vec<String> = periods.iter().map(|p| p.code()).collect();
    let rows: Vec<CountRow> = a
        .state()
        .db()
        .q(
            "SELECT period, category, level, count() AS n FROM situation_contribution
            WHERE area = $area AND period IN $periods GROUP BY period, category, level",
        )
        .bind("area", area_id)
        .bind("periods", &codes)
        .run()
        .await?
        .all(0)?;
    let mut by: HashMap<(String, String, String), u32> = HashMap::new();
    for r in rows {
        by.insert((r.period, r.category, r.level), r.n);
    }
    Ok(periods
        .iter()
        .map(|p| PeriodCounts {
            period: *p,
            cells: ObservationCategory::ALL
                .iter()
                .flat_map(|c| ConcernLevel::ALL.iter().map(move |l| (*c, *l)))
                .map(|(c, l)| {
                    let key = (p.code(), c.as_str().to_string(), l.as_str().to_string());
                    (c, l, by.get(&key).copied().unwrap_or(0))
                })
                .collect(),
        })
        .collect())
}

#[derive(Deserialize)]
struct CellRow {
    area: String,
    period: String,
    n: u32,
}

#[derive(Deserialize)]
struct StatusRow {
    area: String,
    period: String,
    status: String,
}

/// The areas of the user's municipalities × this quarter and the three before it: the
/// picture's status and the number of observations (all for the coordinator, the own
/// organisation's otherwise).
pub async fn overview(a: &Authed) -> Result<SituationOverview, AppError> {
    require(a, Capability::ContributeSituation, "situation.overview").await?;
    let munis = municipalities(a).await?;
    let areas: Vec<AreaDto> = area::list(a)
        .await?
        .into_iter()
        .filter(|ar| ar.active && munis.contains(&ar.municipality))
        .collect();
    let periods = current_period(a).recent(PERIODS_SHOWN);
    let codes: Vec<String> = periods.iter().map(|p| p.code()).collect();
    let ids: Vec<&str> = areas.iter().map(|ar| ar.id.as_str()).collect();
    let coordinator = a.can(Capability::CoordinateSituation);
    let count_sql = if coordinator {
        "SELECT area, period, count() AS n FROM situation_contribution
         WHERE area IN $areas AND period IN $periods GROUP BY area, period"
    } else {
        "SELECT area, period, count() AS n FROM situation_contribution
         WHERE area IN $areas AND period IN $periods AND org = $org GROUP BY area, period"
    };
    let mut rows = a
        .state()
        .db()
        .q(format!(
            "{count_sql};
             SELECT area, period, status FROM situation_picture
             WHERE area IN $areas AND period IN $periods;"
        ))
        .bind("areas", &ids)
        .bind("periods", &codes)
        .bind("org", a.org_id())
        .run()
        .await?;
    let counts: Vec<CellRow> = rows.all(0)?;
    let statuses: Vec<StatusRow> = rows.all(1)?;
    let rows = areas
        .into_iter()
        .map(|ar| OverviewRow {
            cells: periods
                .iter()
                .map(|p| OverviewCell {
                    period: *p,
                    status: statuses
                        .iter()
                        .find(|s| s.area == ar.id && s.period == p.code())
                        .and_then(|s| PictureStatus::parse_field("status", &s.status).ok()),
                    contributions: counts
                        .iter()
                        .find(|c| c.area == ar.id && c.period == p.code())
                        .map_or(0, |c| c.n),
                })
                .collect(),
            area: ar,
        })
        .collect();
    Ok(SituationOverview {
        periods,
        rows,
        may_coordinate: coordinator,
    })
}

#[cfg(test)]
mod tests;
