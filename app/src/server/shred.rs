//! Crypto-shredding (gallring of sealed data): deleting a participant's DEK makes every copy of
//! their sealed fields unreadable — live store, backups, exports — and their blind-index rows
//! are deleted. An explicit shred needs two administrators: one asks, another confirms.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::audit::{self, Entry, Who};
use super::auth::Authed;
use super::db::new_id;
use super::participants::{check_id, who};
use super::state::AppState;
use crate::domain::{AppError, Role};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShredRequest {
    pub id: String,
    pub participant: String,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub confirmed_by: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
}

/// First administrator: asks for a participant to be shredded.
pub async fn request(a: &Authed, participant: &str, reason: &str) -> Result<String, AppError> {
    a.require_role(&[Role::Admin])?;
    check_id(participant)?;
    let reason = reason.trim();
    if reason.chars().count() < 10 || reason.chars().count() > 1000 {
        return Err(AppError::invalid("reason", "Ange skälet till gallringen (10–1000 tecken), t.ex. beslut och diarienummer."));
    }
    let id = new_id();
    let mut vars = serde_json::Map::new();
    for (k, v) in [
        ("id", json!(id)),
        ("pid", json!(participant)),
        ("reason", json!(reason)),
        ("by", json!(a.user_id())),
        ("now", json!(a.state().clock().now())),
    ] {
        vars.insert(k.into(), v);
    }
    let body = "
        IF !record::exists(type::record('participant', $pid)) { THROW 'invalid:participant:Det finns ingen deltagare med det id:t.' };
        IF (SELECT VALUE shredded FROM ONLY type::record('participant', $pid)) { THROW 'invalid:participant:Deltagarens uppgifter är redan gallrade.' };
        CREATE type::record('shred_request', $id) CONTENT { participant: $pid, reason: $reason, requested_by: $by,
            requested_at: <datetime>$now, confirmed_by: NONE, done_at: NONE } RETURN NONE;
    ";
    let mut e = Entry::new("shred.request");
    e.participants = vec![participant.to_string()];
    e.reason = Some(reason.to_string());
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    Ok(id)
}

pub async fn pending(a: &Authed) -> Result<Vec<ShredRequest>, AppError> {
    a.require_role(&[Role::Admin])?;
    Ok(a
        .state()
        .db()
        .q("SELECT *, record::id(id) AS id FROM shred_request ORDER BY requested_at DESC LIMIT 200")
        .run()
        .await?
        .all(0)?)
}

/// Second administrator: confirms, and the participant is shredded.
pub async fn confirm(a: &Authed, request_id: &str) -> Result<(), AppError> {
    a.require_role(&[Role::Admin])?;
    check_id(request_id)?;
    let r: Option<ShredRequest> = a
        .state()
        .db()
        .q("SELECT *, record::id(id) AS id FROM ONLY type::record('shred_request', $id)")
        .bind("id", request_id)
        .run()
        .await?
        .first(0)?;
    let r = r.ok_or(AppError::NotFound)?;
    if r.requested_by == a.user_id() {
        return Err(AppError::invalid("", "En annan administratör måste bekräfta gallringen."));
    }
    if r.done_at.is_some() {
        return Err(AppError::invalid("", "Gallringen är redan genomförd."));
    }
    shred(a.state(), &who(a), &r.participant, Some(request_id), &r.reason).await
}

/// Deletes the DEK and blind-index rows and marks the participant shredded, in one audited
/// transaction. Used by the confirmed admin action and by the retention job.
pub(in crate::server) async fn shred(
    state: &AppState,
    actor: &Who,
    participant: &str,
    request_id: Option<&str>,
    reason: &str,
) -> Result<(), AppError> {
    let mut vars = serde_json::Map::new();
    for (k, v) in [
        ("pid", json!(participant)),
        ("rid", json!(request_id)),
        ("by", json!(actor.user)),
        ("now", json!(state.clock().now())),
    ] {
        vars.insert(k.into(), v);
    }
    let body = "
        DELETE type::record('participant_key', $pid);
        DELETE blind_index WHERE participant = $pid;
        UPDATE type::record('participant', $pid) SET shredded = true, version += 1 RETURN NONE;
        IF $rid != NONE { UPDATE type::record('shred_request', $rid) SET confirmed_by = $by, done_at = <datetime>$now RETURN NONE };
    ";
    let mut e = Entry::new("participant.shred");
    e.participants = vec![participant.to_string()];
    e.reason = Some(reason.to_string());
    audit::commit(state, actor, e, body, vars).await?;
    state.deks().remove(participant);
    Ok(())
}
