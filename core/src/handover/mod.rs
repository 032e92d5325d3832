//! Handover of a case to the social services of another municipality (people who leave a
//! network often must move).
//!
//! - [`offer`](offer::offer): the case's managing team chooses the parts to share; they are
//!   frozen into a summary sealed with the participant's key, with a covering note. The timeline
//!   event names no destination.
//! - The receiving unit sees only that summary ([`view`]) until it accepts; the case gate still
//!   refuses it the case itself.
//! - [`accept`](receive::accept) moves ownership in one transaction: the case and the person
//!   belong to the receiving unit, the accepting user is responsible, members of other
//!   organisations leave the team (the sender's partners and police had their relation with the
//!   sender's program, so they never learn where the person went), and the sending team keeps
//!   reading — never changing — the case until `sender_until` (`case_member.until`, honoured by
//!   `access::may`). [`decline`](receive::decline) and [`withdraw`](offer::withdraw) end a
//!   pending handover.
//!
//! Who may see a handover is decided here: case workers and program leads of the receiving
//! unit, and of the sending unit those on the person's team and its program leads (until the
//! read period after acceptance ends). Everyone else gets the answer for an id that does not
//! exist, after the same `deny` entry.

mod offer;
mod receive;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::access::{self, Purpose};
use super::audit::{self, Entry};
use super::auth::Authed;
use super::gate::{check_id, refuse_unknown, require, who, CaseGate};
use super::subject::{self, actor};
use super::vault;
use domain::handover::{
    HandoverLists, HandoverPart, HandoverRow, HandoverStatus, HandoverView, SnapshotSection,
};
use domain::{AppError, Capability, Role};

pub use offer::{offer, receivers, withdraw};
pub use receive::{accept, decline};

/// A handover as stored (sealed fields as ciphertext).
/// The timeline row of a handover step: category `location`, the strictest there is (never by
/// consent for a protected person), with the sending unit as its organisation.
pub(crate) const EVENT: &str = "
    CREATE type::record('event', $eid) CONTENT { case: $cid, participant: $pid, kind: 'status', category: 'location',
        org: $eorg, author: $user, at: <datetime>$now, line: $eline, text: $etext, source: 'handover:' + $hid, corrected: false } RETURN NONE;
    UPDATE type::record('case', $cid) SET last_entry_at = <datetime>$now RETURN NONE;";

/// A known handover asked of the wrong side (the receiver withdrawing, the sender accepting):
/// one `deny` entry, and the answer for a refused act.
pub(crate) async fn refuse_side(a: &Authed, action: &str, r: &HandoverRec) -> AppError {
    let mut e = Entry::new(action);
    e.participants = vec![r.participant.clone()];
    e.decision = "deny".into();
    e.reason = Some(format!("handover:{}", r.id));
    if let Err(err) = audit::append(a.state(), &who(a), e).await {
        return err;
    }
    AppError::Forbidden
}

#[derive(Deserialize, Clone)]
pub(crate) struct HandoverRec {
    pub id: String,
    pub case: String,
    pub participant: String,
    pub from_org: String,
    pub to_org: String,
    pub parts: Vec<String>,
    pub snapshot: String,
    pub note: Option<String>,
    pub status: String,
    pub read_days: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decline_reason: Option<String>,
    pub sender_until: Option<DateTime<Utc>>,
}

impl HandoverRec {
    fn status(&self) -> HandoverStatus {
        HandoverStatus::parse(&self.status).unwrap_or(HandoverStatus::Withdrawn)
    }
}

/// Which side of a handover the reader is on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Side {
    Sender,
    Receiver,
}

/// The handover `id` (`true` beside it), or the decoy handover read in its place (`false`) for
/// an id no handover has: `crate::decoy::fetch_or_decoy`. `None` only on a store without decoys.
async fn load(a: &Authed, id: &str) -> Result<Option<(bool, HandoverRec)>, AppError> {
    Ok(crate::decoy::fetch_or_decoy(a.state().db(), "handover", id).await?)
}

/// The user ids of the sending unit's members of the person's team (full or reading), from
/// the person's policy facts, fetched by key; for the decoy handover (`real` false), from the
/// decoy's facts row, which has a team of the same size.
async fn sending_members(
    a: &Authed,
    real: bool,
    participant: &str,
    org: &str,
) -> Result<Vec<String>, AppError> {
    let facts = if real {
        "policy_facts"
    } else {
        "decoy_policy_facts"
    };
    let users: Vec<String> = a
        .state()
        .db()
        .q("RETURN type::record($facts, $p).team[WHERE org = $org].user")
        .bind("facts", facts)
        .bind("p", participant)
        .bind("org", org)
        .run()
        .await?
        .all(0)?;
    Ok(users)
}

/// The reader's side of `r` (the decoy when `real` is false), if any. A case worker who is not
/// the receiver is looked up in the sending unit's part of the person's team for every
/// handover, another unit's and the decoy too, and only then refused: otherwise a colleague of
/// the sender who is not on the team would be refused one read later than for an id that does
/// not exist, and the time would tell them that their unit has handed the person over.
async fn side_of(a: &Authed, real: bool, r: &HandoverRec) -> Result<Option<Side>, AppError> {
    if !a.can(Capability::ManageCase) {
        return Ok(None);
    }
    if a.org_id() == r.to_org {
        return Ok(Some(Side::Receiver));
    }
    // After acceptance the sending unit knows the handover only for its read period.
    let now = a.state().clock().now();
    let sending = a.org_id() == r.from_org
        && !(r.status() == HandoverStatus::Accepted && r.sender_until.is_none_or(|u| now >= u));
    if a.role() == Role::ProgramLead {
        return Ok(sending.then_some(Side::Sender));
    }
    let members = sending_members(a, real, &r.participant, &r.from_org).await?;
    Ok((sending && members.iter().any(|u| u == a.user_id())).then_some(Side::Sender))
}

/// The handover `id` and the reader's side, or the answer for an id that does not exist after
/// one `deny` entry (an unknown id and another unit's handover are answered alike, after the
/// same reads).
pub(crate) async fn visible(
    a: &Authed,
    id: &str,
    action: &str,
) -> Result<(HandoverRec, Side), AppError> {
    // The entry of a refusal names no case: the handover's id is not a case id.
    const NO_CASE: &str = "";
    if check_id(id).is_err() {
        return Err(refuse_unknown(a, action, NO_CASE).await);
    }
    let Some((real, r)) = load(a, id).await? else {
        return Err(refuse_unknown(a, action, NO_CASE).await);
    };
    // Decided for the decoy too, and thrown away.
    match (real, side_of(a, real, &r).await?) {
        (true, Some(s)) => Ok((r, s)),
        _ => Err(refuse_unknown(a, action, NO_CASE).await),
    }
}

/// The entry of an allowed act on a handover.
fn entry(action: &str, r: &HandoverRec, side: Side) -> Entry {
    let mut e = Entry::new(action);
    e.participants = vec![r.participant.clone()];
    e.reason = Some(format!("handover:{}", r.id));
    e.basis = Some(
        match side {
            Side::Sender => "sending_unit",
            Side::Receiver => "receiving_unit",
        }
        .into(),
    );
    // Before acceptance the receiver has no relation to the case: its entry names none.
    if side == Side::Sender || r.status() == HandoverStatus::Accepted {
        e.case_id = Some(r.case.clone());
    }
    e
}

fn parts_of(r: &HandoverRec) -> Vec<HandoverPart> {
    r.parts
        .iter()
        .filter_map(|p| HandoverPart::parse(p).ok())
        .collect()
}

fn categories_of(parts: &[HandoverPart]) -> Vec<String> {
    let mut c: Vec<String> = parts
        .iter()
        .flat_map(|p| p.categories().iter().map(|c| c.as_str().to_string()))
        .collect();
    c.sort();
    c.dedup();
    c
}

#[derive(Deserialize)]
struct ListRow {
    id: String,
    case: String,
    participant: String,
    from_org: String,
    to_org: String,
    from_name: Option<String>,
    to_name: Option<String>,
    status: String,
    created_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
    sender_until: Option<DateTime<Utc>>,
}

/// The unit's incoming and outgoing handovers (outgoing: those the reader may see). One entry.
pub async fn lists(a: &Authed) -> Result<HandoverLists, AppError> {
    const ACTION: &str = "handover.list";
    require(a, Capability::ManageCase, ACTION).await?;
    const Q: &str = concat!(
        "SELECT record::id(id) AS id, case, participant, from_org, to_org, status, created_at, decided_at, sender_until,
                (SELECT VALUE name FROM ONLY type::record('org', $parent.from_org)) AS from_name,
                (SELECT VALUE name FROM ONLY type::record('org', $parent.to_org)) AS to_name
             FROM handover WHERE to_org = $org ORDER BY created_at DESC LIMIT 200;
             SELECT record::id(id) AS id, case, participant, from_org, to_org, status, created_at, decided_at, sender_until,
                (SELECT VALUE name FROM ONLY type::record('org', $parent.from_org)) AS from_name,
                (SELECT VALUE name FROM ONLY type::record('org', $parent.to_org)) AS to_name
             FROM handover WHERE from_org = $org ORDER BY created_at DESC LIMIT 200;
             RETURN ",
        crate::participants::on_teams_of_user!(),
        ";"
    );
    let mut rows = a
        .state()
        .db()
        .q(Q)
        .bind("org", a.org_id())
        .bind("user", a.user_id())
        .run()
        .await?;
    let incoming: Vec<ListRow> = rows.all(0)?;
    let outgoing: Vec<ListRow> = rows.all(1)?;
    let mine: Vec<String> = rows.all(2)?;
    let now = a.state().clock().now();
    let lead = a.role() == Role::ProgramLead;
    let outgoing: Vec<ListRow> = outgoing
        .into_iter()
        .filter(|r| {
            let known = lead || mine.contains(&r.participant);
            let ended = r.status == HandoverStatus::Accepted.as_str()
                && r.sender_until.is_none_or(|u| now >= u);
            known && !ended
        })
        .collect();
    let mut e = Entry::new(ACTION);
    e.participants = incoming
        .iter()
        .chain(outgoing.iter())
        .map(|r| r.participant.clone())
        .collect();
    e.participants.sort();
    e.participants.dedup();
    e.purpose = Some("handover".into());
    audit::append(a.state(), &who(a), e).await?;
    let row = |r: ListRow, incoming: bool| {
        let status = HandoverStatus::parse(&r.status).unwrap_or(HandoverStatus::Withdrawn);
        HandoverRow {
            case_id: (!incoming || status == HandoverStatus::Accepted).then_some(r.case),
            id: r.id,
            from_org: r.from_name.unwrap_or(r.from_org),
            to_org: r.to_name.unwrap_or(r.to_org),
            status,
            created_at: r.created_at,
            decided_at: r.decided_at,
        }
    };
    Ok(HandoverLists {
        incoming: incoming.into_iter().map(|r| row(r, true)).collect(),
        outgoing: outgoing.into_iter().map(|r| row(r, false)).collect(),
    })
}

/// One handover as the reader's side sees it: the frozen summary of the chosen parts, never
/// live case data. One entry.
pub async fn view(a: &Authed, id: &str) -> Result<HandoverView, AppError> {
    const ACTION: &str = "handover.read";
    let (r, side) = visible(a, id, ACTION).await?;
    let parts = parts_of(&r);
    let status = r.status();
    #[derive(Deserialize)]
    struct OrgName {
        id: String,
        name: String,
        municipalities: Vec<String>,
    }
    #[derive(Deserialize)]
    struct UserName {
        id: String,
        display_name: String,
    }
    let users: Vec<&str> = std::iter::once(r.created_by.as_str())
        .chain(r.decided_by.as_deref())
        .collect();
    let mut rows = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, name, municipalities FROM fn::records('org', $orgs) WHERE id != NONE;
            SELECT record::id(id) AS id, display_name FROM fn::records('user', $users) WHERE id != NONE;")
        .bind("orgs", [&r.from_org, &r.to_org])
        .bind("users", &users)
        .run()
        .await?;
    let orgs: Vec<OrgName> = rows.all(0)?;
    let people: Vec<UserName> = rows.all(1)?;
    let org = |id: &str| orgs.iter().find(|o| o.id == id);
    let user = |id: &str| {
        people
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.display_name.clone())
    };
    // A shredded person's summary is gone with the key.
    let dek = vault::dek(a.state(), &r.participant).await?;
    let open = |field: &str, v: &Option<String>| -> Result<Option<String>, AppError> {
        match (v, &dek) {
            (Some(s), Some(k)) => Ok(Some(vault::open(k, "handover", &r.id, field, s)?.expose())),
            _ => Ok(None),
        }
    };
    let sections: Vec<SnapshotSection> = match open("snapshot", &Some(r.snapshot.clone()))? {
        Some(json) => serde_json::from_str(&json).map_err(|_| AppError::Internal)?,
        None => Vec::new(),
    };
    let note = open("note", &r.note)?;
    let decline_reason = open("decline_reason", &r.decline_reason)?;
    let can_withdraw = side == Side::Sender && status == HandoverStatus::Pending && {
        let s = subject::load_one(a, &r.participant).await?;
        access::may_manage(&actor(a), &s)
    };
    let mut e = entry(ACTION, &r, side);
    e.categories = categories_of(&parts);
    e.purpose = Some("handover".into());
    audit::append(a.state(), &who(a), e).await?;
    Ok(HandoverView {
        case_id: (side == Side::Sender || status == HandoverStatus::Accepted)
            .then(|| r.case.clone()),
        id: r.id,
        from_org: org(&r.from_org).map(|o| o.name.clone()).unwrap_or_default(),
        to_org: org(&r.to_org).map(|o| o.name.clone()).unwrap_or_default(),
        to_municipality: org(&r.to_org)
            .and_then(|o| o.municipalities.first().cloned())
            .unwrap_or_default(),
        status,
        created_at: r.created_at,
        created_by: user(&r.created_by).unwrap_or_default(),
        decided_at: r.decided_at,
        decided_by: r.decided_by.as_deref().and_then(user),
        read_days: u32::try_from(r.read_days).unwrap_or_default(),
        sender_until: r.sender_until,
        parts,
        sections,
        note,
        decline_reason,
        can_decide: side == Side::Receiver && status == HandoverStatus::Pending,
        can_withdraw,
        incoming: side == Side::Receiver,
    })
}

/// The case's pending handover offered by the user's unit, for the offer page of the case's
/// managing team: through the case gate (anyone else is refused as for an unknown case), one
/// entry.
pub async fn pending_for_case(a: &Authed, case_id: &str) -> Result<Option<String>, AppError> {
    const ACTION: &str = "handover.pending";
    let gate = CaseGate::open(a, case_id, ACTION, Purpose::CaseWork).await?;
    gate.require_manage(ACTION).await?;
    let id: Option<String> = a
        .state()
        .db()
        .q("SELECT VALUE record::id(id) FROM handover WHERE case = $c AND status = 'pending' LIMIT 1")
        .bind("c", &gate.case.id)
        .run()
        .await?
        .first(0)?;
    let mut e = Entry::new(ACTION);
    e.participants = vec![gate.case.participant.clone()];
    e.case_id = Some(gate.case.id.clone());
    e.basis = gate.basis_summary();
    audit::append(a.state(), &who(a), e).await?;
    Ok(id)
}
