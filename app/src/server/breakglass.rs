//! Break-glass: time-limited access to one participant on a written reason, always reviewed.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::access::{self, Purpose};
use super::audit::{self, Entry};
use super::auth::Authed;
use super::db::new_id;
use super::participants::{case_by_id, check_id, who};
use super::subject::{self, actor};
use crate::domain::{AppError, Category, Role};

/// How long a break-glass grant lasts.
pub const GRANT_MINUTES: i64 = 60;
const MIN_REASON: usize = 20;

/// Opens break-glass access to the participant of `case_id` for the asking user.
pub async fn request(a: &Authed, case_id: &str, reason: &str) -> Result<DateTime<Utc>, AppError> {
    a.require_role(&[
        Role::CaseWorker,
        Role::ProgramLead,
        Role::Partner,
        Role::Police,
    ])?;
    let reason = reason.trim();
    let n = reason.chars().count();
    if n < MIN_REASON {
        return Err(AppError::invalid("reason", format!("Skriv varför du behöver åtkomst (minst {MIN_REASON} tecken). Motiveringen granskas.")));
    }
    if n > 2000 {
        return Err(AppError::invalid(
            "reason",
            "Motiveringen får vara högst 2000 tecken.",
        ));
    }
    let c = case_by_id(a, case_id).await?;
    let subj = subject::load_one(a, &c.participant).await?;
    let now = a.state().clock().now();
    if subj.shredded {
        return Err(AppError::invalid("", "Uppgifterna är gallrade."));
    }
    if access::may(&actor(a), &subj, Category::Identity, Purpose::CaseWork, now).allowed() {
        return Err(AppError::invalid(
            "reason",
            "Du har redan åtkomst till ärendet.",
        ));
    }
    let until = now + Duration::minutes(GRANT_MINUTES);
    let mut vars = serde_json::Map::new();
    for (k, v) in [
        ("id", json!(new_id())),
        ("user", json!(a.user_id())),
        ("org", json!(a.org_id())),
        ("pid", json!(c.participant)),
        ("reason", json!(reason)),
        ("now", json!(now)),
        ("until", json!(until)),
    ] {
        vars.insert(k.into(), v);
    }
    let body = "CREATE type::record('break_glass', $id) CONTENT { user: $user, org: $org, participant: $pid, reason: $reason,
        granted_at: <datetime>$now, expires_at: <datetime>$until, review: 'pending', reviewed_by: NONE, reviewed_at: NONE,
        review_comment: NONE } RETURN NONE;";
    let mut e = Entry::new("break_glass.grant");
    e.participants = vec![c.participant.clone()];
    e.case_id = Some(c.id.clone());
    e.reason = Some(reason.to_string());
    e.basis = Some("break_glass".into());
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    Ok(until)
}

/// A break-glass grant as the log reviewer sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GrantRow {
    pub id: String,
    pub user: String,
    pub user_name: Option<String>,
    pub org_name: Option<String>,
    pub participant: String,
    pub reason: String,
    pub granted_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub review: String,
    pub review_comment: Option<String>,
}

pub async fn queue(a: &Authed, include_reviewed: bool) -> Result<Vec<GrantRow>, AppError> {
    a.require_role(&[Role::Auditor])?;
    let rows: Vec<GrantRow> = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, user, participant, reason, granted_at, expires_at, review, review_comment,
                   (SELECT VALUE display_name FROM ONLY type::record('user', $parent.user)) AS user_name,
                   (SELECT VALUE name FROM ONLY type::record('org', $parent.org)) AS org_name
            FROM break_glass WHERE $all OR review = 'pending' ORDER BY granted_at DESC LIMIT 500")
        .bind("all", include_reviewed)
        .run()
        .await?
        .all(0)?;
    Ok(rows)
}

/// The reviewer's judgement on a grant: `justified` or `escalated`, with a comment.
pub async fn review(a: &Authed, id: &str, decision: &str, comment: &str) -> Result<(), AppError> {
    a.require_role(&[Role::Auditor])?;
    check_id(id)?;
    if !matches!(decision, "justified" | "escalated") {
        return Err(AppError::invalid(
            "decision",
            "Välj befogad eller eskalera.",
        ));
    }
    let comment = comment.trim();
    if comment.chars().count() < 5 || comment.chars().count() > 2000 {
        return Err(AppError::invalid(
            "comment",
            "Skriv en kommentar (5–2000 tecken).",
        ));
    }
    let pid: Option<String> = a
        .state()
        .db()
        .q("SELECT VALUE participant FROM ONLY type::record('break_glass', $id)")
        .bind("id", id)
        .run()
        .await?
        .first(0)?;
    let pid = pid.ok_or(AppError::NotFound)?;
    let mut vars = serde_json::Map::new();
    for (k, v) in [
        ("id", json!(id)),
        ("d", json!(decision)),
        ("c", json!(comment)),
        ("by", json!(a.user_id())),
        ("now", json!(a.state().clock().now())),
    ] {
        vars.insert(k.into(), v);
    }
    let body = "
        IF (SELECT VALUE review FROM ONLY type::record('break_glass', $id)) != 'pending' { THROW 'invalid:decision:Åtkomsten är redan granskad.' };
        UPDATE type::record('break_glass', $id) SET review = $d, review_comment = $c, reviewed_by = $by, reviewed_at = <datetime>$now RETURN NONE;
    ";
    let mut e = Entry::new("break_glass.review");
    e.participants = vec![pid];
    e.reason = Some(format!("{decision}: {comment}"));
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    Ok(())
}
