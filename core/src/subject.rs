//! Loads what the access policy needs to know about participants, one or many at a time.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::access::{Actor, Grant, Member, Subject};
use super::auth::Authed;
use domain::{AppError, Category, Protection};

#[derive(Deserialize)]
struct PRow {
    id: String,
    owner_org: String,
    protection: String,
    shredded: bool,
}

#[derive(Deserialize)]
struct MRow {
    participant: String,
    user: String,
    org: String,
    until: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct CRow {
    id: String,
    participant: String,
    recipient_org: String,
    categories: Vec<String>,
    valid_from: DateTime<Utc>,
    valid_until: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct BRow {
    id: String,
    participant: String,
    expires_at: DateTime<Utc>,
}

pub(crate) fn actor(who: &Authed) -> Actor<'_> {
    Actor {
        user_id: who.user_id(),
        org_id: who.org_id(),
        role: who.role(),
    }
}

/// Policy facts for each of `participants` that exists. Team = members of the participant's
/// cases (open or closed; a closed case keeps its team for follow-up reading).
pub(crate) async fn load(
    who: &Authed,
    participants: &[String],
) -> Result<HashMap<String, Subject>, AppError> {
    if participants.is_empty() {
        return Ok(HashMap::new());
    }
    let now = who.state().clock().now();
    let mut rows = who
        .state()
        .db()
        .q(FACTS)
        .bind("ps", participants)
        .bind("org", who.org_id())
        .bind("user", who.user_id())
        .bind("now", now)
        .run()
        .await?;
    from_rows(&mut rows, 0)
}

/// The policy facts of the participants in `$ps`, for the reader `$user` of organisation
/// `$org` at `$now`: four statements, read by [`from_rows`]. A caller may run them after its
/// own statements in the same round trip (the case gate does).
pub(crate) const FACTS: &str = "
    SELECT record::id(id) AS id, owner_org, protection, shredded FROM fn::records('participant', $ps) WHERE id != NONE;
    SELECT participant, user, org, until FROM case_member WHERE participant IN $ps;
    SELECT record::id(id) AS id, participant, recipient_org, categories, valid_from, valid_until, revoked_at FROM consent WHERE participant IN $ps AND recipient_org = $org;
    SELECT record::id(id) AS id, participant, expires_at FROM break_glass WHERE user = $user AND participant IN $ps AND expires_at > <datetime>$now;";

/// The subjects from the results of [`FACTS`], whose first statement is number `at`.
pub(crate) fn from_rows(
    rows: &mut crate::db::Rows,
    at: usize,
) -> Result<HashMap<String, Subject>, AppError> {
    let ps: Vec<PRow> = rows.all(at)?;
    let ms: Vec<MRow> = rows.all(at + 1)?;
    let cs: Vec<CRow> = rows.all(at + 2)?;
    let bs: Vec<BRow> = rows.all(at + 3)?;
    let mut out: HashMap<String, Subject> = HashMap::with_capacity(ps.len());
    for p in ps {
        out.insert(
            p.id,
            Subject {
                owner_org: p.owner_org,
                team: Vec::new(),
                protection: Protection::parse(&p.protection).map_err(|_| AppError::Internal)?,
                grants: Vec::new(),
                break_glass: Vec::new(),
                shredded: p.shredded,
            },
        );
    }
    for m in ms {
        if let Some(s) = out.get_mut(&m.participant) {
            s.team.push(Member {
                user_id: m.user,
                org_id: m.org,
                until: m.until,
            });
        }
    }
    for c in cs {
        if let Some(s) = out.get_mut(&c.participant) {
            s.grants.push(Grant {
                id: c.id,
                recipient_org: c.recipient_org,
                categories: c
                    .categories
                    .iter()
                    .filter_map(|x| Category::parse(x).ok())
                    .collect(),
                valid_from: c.valid_from,
                valid_until: c.valid_until,
                revoked_at: c.revoked_at,
            });
        }
    }
    for b in bs {
        if let Some(s) = out.get_mut(&b.participant) {
            s.break_glass.push((b.id, b.expires_at));
        }
    }
    Ok(out)
}

pub(crate) async fn load_one(who: &Authed, participant: &str) -> Result<Subject, AppError> {
    load(who, &[participant.to_string()])
        .await?
        .remove(participant)
        .ok_or(AppError::NotFound)
}
