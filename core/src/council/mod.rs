//! The collaboration council (samverkansråd): a social-services unit chairs meetings with
//! member organisations (police, Passus, school ...), puts its referrals and cases on the
//! agenda, and records a decision per item — priority, interventions with their providers and
//! follow-up dates — which accepts a referral and writes the plan actions in one transaction.
//!
//! - [`agenda`]: the chair's agenda and what may be put on it.
//! - [`decide`]: a decision or a decline per item.
//! - [`minutes`]: the minutes, filtered per reader: the chair sees everything, a member
//!   organisation only its own interventions and a name only where the case policy lets it
//!   read the person's identity.
//!
//! A meeting exists only for its chair and its members: anyone else asking gets `NotFound`,
//! the same as for an id that does not exist, after one `deny` entry.

pub mod agenda;
pub mod decide;
pub mod minutes;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::audit::{self, Entry};
use super::auth::Authed;
use super::db::{new_id, valid_id};
use super::gate::{require, who};
use domain::council::{MeetingInput, MeetingRow, MeetingStatus};
use domain::input::date;
use domain::time::swedish_date;
use domain::{AppError, Capability};

pub use agenda::{add_item, agenda};
pub use decide::{decide, decline};
pub use minutes::minutes;

/// A meeting as stored.
#[derive(Deserialize, Clone)]
pub(crate) struct MeetingRec {
    pub id: String,
    pub org: String,
    pub municipality: String,
    pub date: DateTime<Utc>,
    pub members: Vec<String>,
    pub status: String,
}

impl MeetingRec {
    pub fn row(&self, a: &Authed, names: &HashMap<String, String>) -> Result<MeetingRow, AppError> {
        let name = |id: &String| names.get(id).cloned().unwrap_or_else(|| id.clone());
        Ok(MeetingRow {
            id: self.id.clone(),
            date: self.date.date_naive(),
            municipality: self.municipality.clone(),
            chair: name(&self.org),
            members: self.members.iter().map(name).collect(),
            status: MeetingStatus::parse(&self.status).map_err(|_| AppError::Internal)?,
            chaired: self.org == a.org_id(),
        })
    }
}

/// The meeting `id`, or `None` (an id no meeting has reads the decoy meeting in its place:
/// `crate::decoy::fetch`).
pub(crate) async fn load(a: &Authed, id: &str) -> Result<Option<MeetingRec>, AppError> {
    Ok(crate::decoy::fetch(a.state().db(), "council_meeting", id).await?)
}

/// The answer to a meeting that does not exist or is not the asker's: one `deny` entry and
/// `NotFound`, alike.
pub(crate) async fn refuse(a: &Authed, action: &str, id: &str) -> AppError {
    refuse_record(a, action, "council_meeting", id).await
}

/// The refusal of a record of `table` (a meeting, an item on an agenda) by an id from the
/// outside: one `deny` entry naming the id when it can be one, and `NotFound`.
pub(crate) async fn refuse_record(a: &Authed, action: &str, table: &str, id: &str) -> AppError {
    let mut e = Entry::new(action);
    e.decision = "deny".into();
    e.reason = valid_id(id).then(|| format!("{table}:{id}"));
    if let Err(err) = audit::append(a.state(), &who(a), e).await {
        return err;
    }
    AppError::NotFound
}

/// The meeting, if the user's unit chairs it (with `HandleReferrals`, refused with its own
/// entry); otherwise the audited refusal.
pub(crate) async fn chaired(a: &Authed, id: &str, action: &str) -> Result<MeetingRec, AppError> {
    require(a, Capability::HandleReferrals, action).await?;
    match load(a, id).await? {
        Some(m) if m.org == a.org_id() => Ok(m),
        _ => Err(refuse(a, action, id).await),
    }
}

/// Plans a meeting chaired by the user's unit, in the unit's (first) municipality.
pub async fn create(a: &Authed, input: MeetingInput) -> Result<String, AppError> {
    require(a, Capability::HandleReferrals, "council.create").await?;
    let today = swedish_date(a.state().clock().now());
    let day = date("date", &input.date, today, true)?.unwrap_or(today);
    let mut members: Vec<String> = input
        .members
        .iter()
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty() && m != a.org_id())
        .collect();
    members.sort();
    members.dedup();
    if members.is_empty() {
        return Err(AppError::problem(
            "members",
            domain::error::Problem::Choose,
            "Välj minst en organisation som deltar i rådet.",
        ));
    }
    if members.iter().any(|m| !valid_id(m)) {
        return Err(AppError::problem(
            "members",
            domain::error::Problem::Choose,
            "Välj organisationer ur listan.",
        ));
    }
    let db = a.state().db();
    let known: Vec<String> = db
        .q("SELECT VALUE record::id(id) FROM fn::records('org', $m) WHERE id != NONE AND active = true")
        .bind("m", &members)
        .run()
        .await?
        .all(0)?;
    if known.len() != members.len() {
        return Err(AppError::problem(
            "members",
            domain::error::Problem::Choose,
            "Välj organisationer ur listan.",
        ));
    }
    let municipality: Option<String> = db
        .q("SELECT VALUE municipalities[0] FROM ONLY type::record('org', $org)")
        .bind("org", a.org_id())
        .run()
        .await?
        .first(0)?;
    let id = new_id();
    let mut vars = serde_json::Map::new();
    for (k, v) in [
        ("id", json!(id)),
        ("org", json!(a.org_id())),
        ("mun", json!(municipality.unwrap_or_default())),
        ("date", json!(super::referral::day(day))),
        ("members", json!(members)),
        ("user", json!(a.user_id())),
        ("now", json!(a.state().clock().now())),
    ] {
        vars.insert(k.into(), v);
    }
    let body =
        "CREATE type::record('council_meeting', $id) CONTENT { org: $org, municipality: $mun,
        date: <datetime>$date, members: $members, status: 'planned', created_by: $user,
        created_at: <datetime>$now } RETURN NONE;";
    let mut e = Entry::new("council.create");
    e.reason = Some(format!("council_meeting:{id}"));
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    Ok(id)
}

/// The meetings the user's organisation chairs or is a member of, the latest first. A list of
/// dates and organisations: no person, so no audit entry.
pub async fn list(a: &Authed) -> Result<Vec<MeetingRow>, AppError> {
    if !a.can(Capability::HandleReferrals) {
        require(a, Capability::AttendCouncil, "council.list").await?;
    }
    let recs: Vec<MeetingRec> = a
        .state()
        .db()
        .q("SELECT *, record::id(id) AS id FROM council_meeting
            WHERE org = $org OR $org IN members ORDER BY date DESC LIMIT 200")
        .bind("org", a.org_id())
        .run()
        .await?
        .all(0)?;
    let names = super::referral::review::names(a).await?;
    recs.iter().map(|m| m.row(a, &names)).collect()
}

/// The organisations a meeting can invite: every active organisation but the chair's own,
/// (id, name) by name.
pub async fn member_choices(a: &Authed) -> Result<Vec<(String, String)>, AppError> {
    require(a, Capability::HandleReferrals, "council.member_choices").await?;
    #[derive(Deserialize)]
    struct O {
        id: String,
        name: String,
    }
    let rows: Vec<O> = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, name FROM org WHERE active = true AND id != type::record('org', $org)
            ORDER BY name")
        .bind("org", a.org_id())
        .run()
        .await?
        .all(0)?;
    Ok(rows.into_iter().map(|o| (o.id, o.name)).collect())
}

/// Marks a planned meeting as held.
pub async fn mark_held(a: &Authed, id: &str) -> Result<(), AppError> {
    let m = chaired(a, id, "council.mark_held").await?;
    if m.status == MeetingStatus::Held.as_str() {
        return Ok(());
    }
    let mut vars = serde_json::Map::new();
    vars.insert("id".into(), json!(m.id));
    let mut e = Entry::new("council.mark_held");
    e.reason = Some(format!("council_meeting:{}", m.id));
    audit::commit(
        a.state(),
        &who(a),
        e,
        "UPDATE type::record('council_meeting', $id) SET status = 'held' RETURN NONE;",
        vars,
    )
    .await
    .map(drop)
}
