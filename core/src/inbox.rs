//! The owning unit's inbox: possible duplicates that other organisations registered (the
//! registering side learns nothing; only the unit that owns the person sees it) and notices to
//! the responsible case worker that someone used break-glass on their case.
//!
//! Listing and settling are audited like every other read and write, refusals included.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::audit::{self, Entry};
use super::auth::Authed;
use super::gate::{check_id, refuse_unknown, require, who};
use domain::inbox::{DuplicateDto, DuplicateOutcome, NotificationDto};
use domain::{AppError, Capability};

/// Open possible duplicates of the user's organisation's participants.
pub async fn duplicates(a: &Authed) -> Result<Vec<DuplicateDto>, AppError> {
    const ACTION: &str = "duplicate.list";
    require(a, Capability::HandleDuplicates, ACTION).await?;
    #[derive(Deserialize)]
    struct Row {
        id: String,
        existing: String,
        new_org: String,
        other_org: Option<String>,
        found_at: DateTime<Utc>,
        case_id: Option<String>,
    }
    // The candidates and their participants' policy facts in one round trip.
    let mut facts = a
        .state()
        .db()
        .q("LET $rows = (SELECT record::id(id) AS id, existing, new_org, found_at,
                   (SELECT VALUE name FROM ONLY type::record('org', $parent.new_org)) AS other_org,
                   (SELECT VALUE record::id(id) FROM case WHERE participant = $parent.existing ORDER BY opened_at DESC LIMIT 1)[0] AS case_id
            FROM duplicate_candidate WHERE existing_org = $org AND status = 'open' ORDER BY found_at DESC LIMIT 200);
            LET $ps = array::distinct($rows.existing);
            RETURN $rows;"
            .to_string()
            + super::subject::FACTS)
        .bind("org", a.org_id())
        .bind("user", a.user_id())
        .bind("now", a.state().clock().now())
        .run()
        .await?;
    let subjects = super::subject::from_rows(&mut facts, 3)?;
    let rows: Vec<Row> = facts.all(2)?;
    let mut e = Entry::new(ACTION);
    e.participants = rows.iter().map(|r| r.existing.clone()).collect();
    e.participants.sort();
    e.participants.dedup();
    e.purpose = Some("duplicates".into());
    audit::append(a.state(), &who(a), e).await?;
    // A duplicate registered by social services of another municipality can start a handover
    // of our case, for those who manage it.
    let receivers: Vec<String> = if a.can(Capability::ManageCase) {
        super::handover::receivers(a)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect()
    } else {
        Vec::new()
    };
    let act = super::subject::actor(a);
    Ok(rows
        .into_iter()
        .map(|r| DuplicateDto {
            can_hand_over: r.case_id.is_some()
                && receivers.contains(&r.new_org)
                && subjects
                    .get(&r.existing)
                    .is_some_and(|s| super::access::may_manage(&act, s)),
            id: r.id,
            participant_id: r.existing,
            case_id: r.case_id,
            other_org: r.other_org.unwrap_or_default(),
            other_org_id: r.new_org,
            found_at: r.found_at,
        })
        .collect())
}

/// No case id, so that a refusal's entry names none.
const NO_CASE: &str = "";

/// Settles a possible duplicate of the user's own organisation. Another organisation's entry
/// answers as one that does not exist.
pub async fn settle(a: &Authed, id: &str, outcome: DuplicateOutcome) -> Result<(), AppError> {
    const ACTION: &str = "duplicate.settle";
    require(a, Capability::HandleDuplicates, ACTION).await?;
    // Refused like an unknown case, with an entry that names no case (the duplicate's id is not
    // a case id); whoever may handle duplicates lists cases, so the answer is `NotFound`.
    if check_id(id).is_err() {
        return Err(refuse_unknown(a, ACTION, NO_CASE).await);
    }
    let existing: Option<String> = a
        .state()
        .db()
        .q("SELECT VALUE existing FROM ONLY type::record('duplicate_candidate', $id) WHERE existing_org = $org")
        .bind("id", id)
        .bind("org", a.org_id())
        .run()
        .await?
        .first(0)?;
    let Some(existing) = existing else {
        return Err(refuse_unknown(a, ACTION, NO_CASE).await);
    };
    let mut vars = serde_json::Map::new();
    for (k, v) in [
        ("id", json!(id)),
        ("org", json!(a.org_id())),
        ("outcome", json!(outcome.as_str())),
        ("user", json!(a.user_id())),
        ("now", json!(a.state().clock().now())),
    ] {
        vars.insert(k.into(), v);
    }
    let body = "
        IF (SELECT VALUE status FROM ONLY type::record('duplicate_candidate', $id)) != 'open' {
            THROW 'conflict:already_done:Någon annan har redan hanterat den här möjliga dubbletten.';
        };
        UPDATE type::record('duplicate_candidate', $id) SET status = $outcome, resolved_at = <datetime>$now,
            resolved_by = $user WHERE existing_org = $org RETURN NONE;
    ";
    let mut e = Entry::new(ACTION);
    e.participants = vec![existing];
    e.reason = Some(format!("duplicate:{id} {}", outcome.as_str()));
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    Ok(())
}

/// Unread break-glass notices to the user.
pub async fn notifications(a: &Authed) -> Result<Vec<NotificationDto>, AppError> {
    if !a.can(Capability::ListCases) {
        return Ok(Vec::new());
    }
    #[derive(Deserialize)]
    struct Row {
        id: String,
        case: String,
        by: Option<String>,
        at: DateTime<Utc>,
        until: Option<DateTime<Utc>>,
    }
    let rows: Vec<Row> = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, case, at, until,
                   (SELECT VALUE display_name FROM ONLY type::record('user', $parent.by_user)) AS by
            FROM notification WHERE user = $user AND read_at = NONE ORDER BY at DESC LIMIT 50")
        .bind("user", a.user_id())
        .run()
        .await?
        .all(0)?;
    Ok(rows
        .into_iter()
        .map(|r| NotificationDto {
            id: r.id,
            case_id: r.case,
            by: r.by.unwrap_or_default(),
            at: r.at,
            until: r.until,
        })
        .collect())
}

/// Marks one of the user's notices as read (someone else's answers as unknown).
pub async fn mark_read(a: &Authed, id: &str) -> Result<(), AppError> {
    check_id(id)?;
    let updated: Option<String> = a
        .state()
        .db()
        .q("UPDATE type::record('notification', $id) SET read_at = <datetime>$now WHERE user = $user AND read_at = NONE RETURN VALUE record::id(id)")
        .bind("id", id)
        .bind("user", a.user_id())
        .bind("now", a.state().clock().now())
        .run()
        .await?
        .first(0)?;
    updated.map(|_| ()).ok_or(AppError::NotFound)
}
