//! The log reviewer's questions: who has read this person's data, what did this user read, and
//! is the chain intact. Every question asked is itself audited.

use serde::{Deserialize, Serialize};

use super::audit::{self, Entry, Row, Verification};
use super::auth::Authed;
use super::participants::{check_id, who};
use crate::domain::{AppError, Role};

/// An audit row with names resolved for the reviewer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReviewRow {
    pub row: Row,
    pub actor_name: String,
    pub org_name: String,
}

async fn named(a: &Authed, rows: Vec<Row>) -> Result<Vec<ReviewRow>, AppError> {
    #[derive(Deserialize)]
    struct N {
        id: String,
        name: String,
    }
    let users: Vec<N> = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, display_name AS name FROM user")
        .run()
        .await?
        .all(0)?;
    let orgs: Vec<N> = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, name FROM org")
        .run()
        .await?
        .all(0)?;
    let find = |list: &[N], id: &str| {
        list.iter()
            .find(|n| n.id == id)
            .map(|n| n.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    Ok(rows
        .into_iter()
        .map(|r| ReviewRow {
            actor_name: find(&users, &r.actor),
            org_name: find(&orgs, &r.actor_org),
            row: r,
        })
        .collect())
}

/// "Who has read this person's data": every entry naming the participant, newest first.
pub async fn reads_of_participant(
    a: &Authed,
    participant: &str,
) -> Result<Vec<ReviewRow>, AppError> {
    a.require_role(&[Role::Auditor])?;
    check_id(participant)?;
    let rows = audit::reads_of_participant(a.state(), participant, 1000).await?;
    let mut e = Entry::new("audit.query_participant");
    e.participants = vec![participant.to_string()];
    audit::append(a.state(), &who(a), e).await?;
    named(a, rows).await
}

/// "What did this user read": every entry by the user, newest first.
pub async fn reads_by_user(a: &Authed, username: &str) -> Result<Vec<ReviewRow>, AppError> {
    a.require_role(&[Role::Auditor])?;
    let uid: Option<String> = a
        .state()
        .db()
        .q("SELECT VALUE record::id(id) FROM user WHERE username = $u LIMIT 1")
        .bind("u", username.trim().to_lowercase())
        .run()
        .await?
        .first(0)?;
    let uid = uid.ok_or_else(|| {
        AppError::invalid("username", "Det finns ingen användare med det namnet.")
    })?;
    let rows = audit::by_user(a.state(), &uid, 1000).await?;
    let mut e = Entry::new("audit.query_user");
    e.reason = Some(uid);
    audit::append(a.state(), &who(a), e).await?;
    named(a, rows).await
}

/// Verifies the whole chain and records the result.
pub async fn verify_chain(a: &Authed) -> Result<Verification, AppError> {
    a.require_role(&[Role::Auditor])?;
    let v = audit::verify(a.state()).await?;
    record_verification(a.state(), &v).await?;
    let mut e = Entry::new("audit.verify");
    e.reason = Some(match &v.broken_at {
        None => format!("ok: {} entries", v.entries),
        Some(at) => format!("broken at {at}"),
    });
    audit::append(a.state(), &who(a), e).await?;
    Ok(v)
}

pub(in crate::server) async fn record_verification(
    state: &super::state::AppState,
    v: &Verification,
) -> Result<(), AppError> {
    state
        .db()
        .q("CREATE audit_verification CONTENT { checked_at: <datetime>$at, entries: $n, head_seq: $h, broken_at: $b, problem: $p }")
        .bind("at", v.checked_at)
        .bind("n", v.entries)
        .bind("h", v.head_seq)
        .bind("b", v.broken_at)
        .bind("p", &v.problem)
        .run()
        .await?;
    Ok(())
}

/// The last recorded verification, for the reviewer's start page.
pub async fn last_verification(a: &Authed) -> Result<Option<Verification>, AppError> {
    a.require_role(&[Role::Auditor])?;
    Ok(a
        .state()
        .db()
        .q("SELECT checked_at, entries, head_seq, broken_at, problem FROM audit_verification ORDER BY checked_at DESC LIMIT 1")
        .run()
        .await?
        .first(0)?)
}
