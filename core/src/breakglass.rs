//! Break-glass: time-limited access to one participant on a written reason, always reviewed.

use chrono::{DateTime, Duration, Utc};
use domain::Problem;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::access::{self, Purpose};
use super::audit::{self, Entry};
use super::auth::Authed;
use super::db::new_id;
use super::gate::{check_id, require, who, CaseGate};
use super::subject::actor;
use super::vault;
use domain::{AppError, Capability, Category};

/// How long a break-glass grant lasts.
pub const GRANT_MINUTES: i64 = 60;
const MIN_REASON: usize = 20;

/// Opens break-glass access to the participant of `case_id` for the asking user.
///
/// Only staff of the owning organisation who are not on the team may (`access::may_break_glass`);
/// anyone else is answered as for a case that does not exist, after the same audited refusal.
/// The grant never opens `location` of a protected person (the policy), the reason is sealed
/// with the participant's key, and the responsible case worker is notified in the same
/// transaction.
pub async fn request(a: &Authed, case_id: &str, reason: &str) -> Result<DateTime<Utc>, AppError> {
    const ACTION: &str = "break_glass.grant";
    let reason = reason.trim();
    let n = reason.chars().count();
    if n < MIN_REASON {
        return Err(AppError::problem(
            "reason",
            domain::error::Problem::Length {
                min: MIN_REASON,
                max: 2000,
            },
            format!("Skriv varför du behöver åtkomst (minst {MIN_REASON} tecken). Motiveringen granskas."),
        ));
    }
    if n > 2000 {
        return Err(AppError::problem(
            "reason",
            domain::error::Problem::TooLong { max: 2000 },
            "Motiveringen får vara högst 2000 tecken.",
        ));
    }
    let g = CaseGate::open(a, case_id, ACTION, Purpose::CaseWork).await?;
    let already = g.may(Category::Identity);
    if already || !access::may_break_glass(&actor(a), &g.subject) {
        let err = g.deny(ACTION, &[]).await;
        if !g.related() || matches!(err, AppError::Internal) {
            return Err(err);
        }
        let on_team = g.subject.team.iter().any(|m| m.user_id == a.user_id());
        return Err(if g.subject.shredded {
            AppError::shredded()
        } else if already || on_team {
            AppError::problem(
                "reason",
                Problem::HasAccess,
                "Du har redan åtkomst till ärendet.",
            )
        } else {
            AppError::problem(
                "reason",
                Problem::BreakGlassOwnOrg,
                "Nödåtkomst kan bara ges till personal i den organisation som äger ärendet.",
            )
        });
    }
    let (c, now) = (&g.case, g.now);
    let dek = vault::dek(a.state(), &c.participant)
        .await?
        .ok_or(AppError::NotFound)?;
    let id = new_id();
    let sealed = vault::seal(&dek, "break_glass", &id, "reason", reason)?;
    let until = now + Duration::minutes(GRANT_MINUTES);
    let mut vars = serde_json::Map::new();
    for (k, v) in [
        ("id", json!(id)),
        ("nid", json!(new_id())),
        ("user", json!(a.user_id())),
        ("org", json!(a.org_id())),
        ("pid", json!(c.participant)),
        ("cid", json!(c.id)),
        ("responsible", json!(c.responsible)),
        ("reason", json!(sealed)),
        ("now", json!(now)),
        ("until", json!(until)),
    ] {
        vars.insert(k.into(), v);
    }
    let body = "CREATE type::record('break_glass', $id) CONTENT { user: $user, org: $org, participant: $pid, reason: $reason,
        granted_at: <datetime>$now, expires_at: <datetime>$until, review: 'pending', reviewed_by: NONE, reviewed_at: NONE,
        review_comment: NONE } RETURN NONE;
        CREATE type::record('notification', $nid) CONTENT { user: $responsible, kind: 'break_glass', participant: $pid,
        case: $cid, by_user: $user, at: <datetime>$now, until: <datetime>$until, read_at: NONE } RETURN NONE;";
    let mut e = Entry::new(ACTION);
    e.participants = vec![c.participant.clone()];
    e.case_id = Some(c.id.clone());
    // The reason is sealed with the person's data; the entry points at it.
    e.reason = Some(format!("break_glass:{id}"));
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

/// The log reviewer's queue of break-glass grants. Reasons and review comments are sealed with
/// the participant's key: they are opened here for the reviewer (a shredded participant's read
/// "gallrad"), and the read is one `break_glass.queue` entry naming the participants.
pub async fn queue(a: &Authed, include_reviewed: bool) -> Result<Vec<GrantRow>, AppError> {
    require(a, Capability::ReviewLog, "break_glass.queue").await?;
    let mut rows: Vec<GrantRow> = a
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
    for r in &mut rows {
        match vault::dek(a.state(), &r.participant).await? {
            Some(dek) => {
                r.reason = vault::open(&dek, "break_glass", &r.id, "reason", &r.reason)?.expose();
                if let Some(c) = &r.review_comment {
                    r.review_comment = Some(
                        vault::open(&dek, "break_glass", &r.id, "review_comment", c)?.expose(),
                    );
                }
            }
            None => {
                r.reason = SHREDDED.into();
                r.review_comment = r.review_comment.as_ref().map(|_| SHREDDED.into());
            }
        }
    }
    let mut e = Entry::new("break_glass.queue");
    e.participants = rows.iter().map(|r| r.participant.clone()).collect();
    e.participants.sort();
    e.participants.dedup();
    e.purpose = Some("log_review".into());
    audit::append(a.state(), &who(a), e).await?;
    Ok(rows)
}

/// What the reviewer reads where a shredded participant's sealed text was.
const SHREDDED: &str = "(gallrad)";

/// The reviewer's judgement on a grant: `justified` or `escalated`, with a comment (sealed with
/// the participant's key like the reason).
pub async fn review(a: &Authed, id: &str, decision: &str, comment: &str) -> Result<(), AppError> {
    require(a, Capability::ReviewLog, "break_glass.review").await?;
    check_id(id)?;
    if !matches!(decision, "justified" | "escalated") {
        return Err(AppError::problem(
            "decision",
            domain::error::Problem::Choose,
            "Välj befogad eller eskalera.",
        ));
    }
    let comment = comment.trim();
    if comment.chars().count() < 5 || comment.chars().count() > 2000 {
        return Err(AppError::problem(
            "comment",
            domain::error::Problem::Length { min: 5, max: 2000 },
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
    let sealed = match vault::dek(a.state(), &pid).await? {
        Some(dek) => vault::seal(&dek, "break_glass", id, "review_comment", comment)?,
        None => {
            return Err(AppError::problem(
                "comment",
                domain::error::Problem::Shredded,
                "Personens uppgifter är gallrade; granskningen kan inte längre registreras.",
            ))
        }
    };
    let mut vars = serde_json::Map::new();
    for (k, v) in [
        ("id", json!(id)),
        ("d", json!(decision)),
        ("c", json!(sealed)),
        ("by", json!(a.user_id())),
        ("now", json!(a.state().clock().now())),
    ] {
        vars.insert(k.into(), v);
    }
    let body = "
        IF (SELECT VALUE review FROM ONLY type::record('break_glass', $id)) != 'pending' { THROW 'invalid:decision:already_done:Åtkomsten är redan granskad.' };
        UPDATE type::record('break_glass', $id) SET review = $d, review_comment = $c, reviewed_by = $by, reviewed_at = <datetime>$now RETURN NONE;
    ";
    let mut e = Entry::new("break_glass.review");
    e.participants = vec![pid];
    e.reason = Some(format!("{decision}: break_glass:{id}"));
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{as_user, setup, shared_case};

    #[tokio::test]
    async fn the_reason_and_the_review_comment_are_sealed_with_the_persons_key() {
        let state = setup().await;
        let owner = as_user(&state, "handlaggare").await;
        let case = shared_case(&owner).await;
        let colleague = as_user(&state, "handlaggare2").await;
        let reason = "Akut hotbild, behöver se kontaktuppgifter Kx81";
        request(&colleague, &case, reason).await.unwrap();
        let reviewer = as_user(&state, "granskare").await;
        let q = queue(&reviewer, false).await.unwrap();
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].reason, reason);
        review(&reviewer, &q[0].id, "justified", "Stämmer med beslut Kx82")
            .await
            .unwrap();
        let raw = state
            .db()
            .q("SELECT reason, review_comment FROM break_glass")
            .run()
            .await
            .unwrap()
            .value(0)
            .to_string();
        assert!(
            !raw.contains("kontaktuppgifter Kx81") && !raw.contains("beslut Kx82"),
            "{raw}"
        );
        // Nor is either copied into the audit log in clear.
        let log = state
            .db()
            .q("SELECT VALUE reason FROM audit")
            .run()
            .await
            .unwrap()
            .value(0)
            .to_string();
        assert!(!log.contains("Kx81") && !log.contains("Kx82"), "{log}");
        let q = queue(&reviewer, true).await.unwrap();
        assert_eq!(
            q[0].review_comment.as_deref(),
            Some("Stämmer med beslut Kx82")
        );
    }

    #[tokio::test]
    async fn a_partner_or_the_police_on_the_team_cannot_break_glass() {
        let state = setup().await;
        let owner = as_user(&state, "handlaggare").await;
        let case = shared_case(&owner).await;
        for u in ["passus", "polis", "handlaggare.malmo"] {
            let a = as_user(&state, u).await;
            let err = request(&a, &case, "Behöver allt i ärendet just nu för en bedömning")
                .await
                .unwrap_err();
            assert!(
                matches!(err, AppError::NotFound | AppError::Invalid { .. }),
                "{u}: {err:?}"
            );
        }
        let n: Vec<String> = state
            .db()
            .q("SELECT VALUE record::id(id) FROM break_glass")
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap();
        assert!(n.is_empty());
    }
}
