//! The receiving unit's answer: accept (ownership moves, in one transaction) or decline.

use chrono::Duration;
use domain::Problem;
use serde::Deserialize;
use serde_json::json;

use super::super::audit;
use super::super::auth::Authed;
use super::super::casework;
use super::super::db::new_id;
use super::super::gate::who;
use super::super::vault;
use super::{entry, refuse_side, visible, HandoverRec, Side, EVENT};
use domain::event::EventLine;
use domain::handover::{decline_reason, HandoverStatus};
use domain::AppError;

fn still_pending(r: &HandoverRec) -> Result<(), AppError> {
    if r.status() == HandoverStatus::Pending {
        Ok(())
    } else {
        Err(AppError::conflict(
            Problem::AlreadyAnswered,
            "Överlämningen är redan besvarad eller återkallad.",
        ))
    }
}

/// The statements of an accept, apart for the test that makes one fail halfway.
pub(super) const ACCEPT: &str = "
    IF (SELECT VALUE status FROM ONLY type::record('handover', $hid)) != 'pending' {
        THROW 'conflict:already_answered:Överlämningen är redan besvarad eller återkallad.';
    };
    LET $c = (SELECT owner_org, open FROM ONLY type::record('case', $cid));
    IF $c.owner_org != $from OR $c.open != true {
        THROW 'conflict:cannot_take_over:Ärendet kan inte längre tas över. Kontakta den avsändande enheten.';
    };
    -- Members of other organisations leave with the sending program; the sending team reads
    -- for its period; the accepting user is responsible.
    DELETE case_member WHERE participant = $pid AND org != $from;
    UPDATE case_member SET until = <datetime>$until WHERE participant = $pid AND org = $from AND until = NONE;
    CREATE type::record('case_member', $mid) CONTENT { case: $cid, participant: $pid, user: $user, org: $to,
        part: 'responsible', added_at: <datetime>$now, added_by: $user, until: NONE } RETURN NONE;
    UPDATE type::record('case', $cid) SET owner_org = $to, municipality = $muni, responsible = $user,
        version += 1 RETURN NONE;
    UPDATE type::record('participant', $pid) SET owner_org = $to,
        municipality = IF protection = 'none' THEN $muni ELSE municipality END, version += 1 RETURN NONE;
    UPDATE type::record('handover', $hid) SET status = 'accepted', decided_by = $user,
        decided_at = <datetime>$now, sender_until = <datetime>$until RETURN NONE;";

/// Accepts a pending handover: the case and the person now belong to the user's unit, the user
/// is responsible, other organisations' members leave the team, and the sending team reads the
/// case until its period ends. One transaction. Returns the case id.
pub async fn accept(a: &Authed, id: &str) -> Result<String, AppError> {
    accept_with(a, id, "").await
}

/// [`accept`] with `tail` appended to its statements (tests make it fail after every write).
pub(super) async fn accept_with(a: &Authed, id: &str, tail: &str) -> Result<String, AppError> {
    const ACTION: &str = "handover.accept";
    let (r, side) = visible(a, id, ACTION).await?;
    if side != Side::Receiver {
        return Err(refuse_side(a, ACTION, &r).await);
    }
    still_pending(&r)?;
    let dek = vault::dek(a.state(), &r.participant)
        .await?
        .ok_or_else(AppError::shredded)?;
    #[derive(Deserialize)]
    struct Org {
        name: String,
        municipalities: Vec<String>,
    }
    let org: Option<Org> = a
        .state()
        .db()
        .q("SELECT name, municipalities FROM ONLY type::record('org', $org)")
        .bind("org", a.org_id())
        .run()
        .await?
        .first(0)?;
    let org = org.ok_or(AppError::Internal)?;
    let muni = org
        .municipalities
        .first()
        .cloned()
        .ok_or(AppError::Internal)?;
    let now = a.state().clock().now();
    let until = now + Duration::days(r.read_days);
    let eid = new_id();
    let line = EventLine::HandoverTaken {
        org: org.name.clone(),
    };
    let (eline, etext) = casework::sealed_event(&dek, &eid, Some(&line), "")?;
    let mut vars = serde_json::Map::new();
    for (k, val) in [
        ("hid", json!(r.id)),
        ("cid", json!(r.case)),
        ("pid", json!(r.participant)),
        ("from", json!(r.from_org)),
        ("to", json!(a.org_id())),
        ("eorg", json!(a.org_id())),
        ("muni", json!(muni)),
        ("mid", json!(new_id())),
        ("until", json!(until)),
        ("user", json!(a.user_id())),
        ("now", json!(now)),
        ("eid", json!(eid)),
        ("eline", eline),
        ("etext", etext),
    ] {
        vars.insert(k.into(), val);
    }
    let body = format!("{ACCEPT}\n{EVENT}\nfn::stat_refresh($cid);\n{tail}");
    let mut e = entry(ACTION, &r, side);
    e.case_id = Some(r.case.clone());
    e.categories = vec!["identity".into(), "plan".into()];
    audit::commit(a.state(), &who(a), e, &body, vars).await?;
    Ok(r.case)
}

/// Declines a pending handover with a reason (sealed). The sending unit sees the reason; the
/// case stays where it was. No timeline event: the case's readers on the sending side (its
/// partners included) are not to learn of the receiving unit.
pub async fn decline(a: &Authed, id: &str, reason: &str) -> Result<(), AppError> {
    const ACTION: &str = "handover.decline";
    let (r, side) = visible(a, id, ACTION).await?;
    if side != Side::Receiver {
        return Err(refuse_side(a, ACTION, &r).await);
    }
    still_pending(&r)?;
    let reason = decline_reason(reason)?;
    let dek = vault::dek(a.state(), &r.participant)
        .await?
        .ok_or_else(AppError::shredded)?;
    let mut vars = serde_json::Map::new();
    for (k, val) in [
        ("hid", json!(r.id)),
        ("user", json!(a.user_id())),
        ("now", json!(a.state().clock().now())),
        (
            "reason",
            json!(vault::seal(
                &dek,
                "handover",
                &r.id,
                "decline_reason",
                &reason
            )?),
        ),
    ] {
        vars.insert(k.into(), val);
    }
    let body = "
        IF (SELECT VALUE status FROM ONLY type::record('handover', $hid)) != 'pending' {
            THROW 'conflict:already_answered:Överlämningen är redan besvarad eller återkallad.';
        };
        UPDATE type::record('handover', $hid) SET status = 'declined', decided_by = $user,
            decided_at = <datetime>$now, decline_reason = $reason RETURN NONE;";
    let e = entry(ACTION, &r, side);
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    Ok(())
}
