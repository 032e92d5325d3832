//! The receiving unit's work: its queue, an audited read of one referral, and the status
//! changes. Only the social-services unit a referral is sent to sees it; anyone else asking for
//! it gets the same answer as for a referral that does not exist, after one `deny` entry.

use domain::Problem;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value as Json};

use super::super::audit::{self, Entry};
use super::super::auth::Authed;
use super::super::gate::{require, who};
use super::super::vault;
use super::person::{self, STALE};
use super::{display_pnr, key_of, open_field, received, units, ReferralRec};
use domain::input::{text, MAX_TEXT};
use domain::person::{Personnummer, Phone};
use domain::referral::{ReferralRow, ReferralStatus, ReferralStep, ReferralView};
use domain::{AppError, Capability};

pub use super::accept::{accept, AcceptDecision};

/// Names of organisations and users by id.
pub(crate) async fn names(a: &Authed) -> Result<HashMap<String, String>, AppError> {
    #[derive(Deserialize)]
    struct N {
        id: String,
        name: String,
    }
    let mut rows = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, name FROM org;
            SELECT record::id(id) AS id, display_name AS name FROM user;")
        .run()
        .await?;
    let mut out = HashMap::new();
    for i in 0..2 {
        for n in rows.all::<N>(i)? {
            out.insert(n.id, n.name);
        }
    }
    Ok(out)
}

/// The unit's active case workers and program leads, (id, name) by name: who may be made
/// responsible for a case opened from a referral or a council decision.
pub async fn workers(a: &Authed) -> Result<Vec<(String, String)>, AppError> {
    require(a, Capability::HandleReferrals, "referral.workers").await?;
    #[derive(Deserialize)]
    struct U {
        id: String,
        display_name: String,
    }
    let rows: Vec<U> = a
        .state()
        .db()
        .q(
            "SELECT record::id(id) AS id, display_name FROM user WHERE org = $org AND active = true
            AND role IN ['case_worker', 'program_lead'] ORDER BY display_name",
        )
        .bind("org", a.org_id())
        .run()
        .await?
        .all(0)?;
    Ok(rows.into_iter().map(|u| (u.id, u.display_name)).collect())
}

/// The unit's referrals: those waiting (new, forwarded to it, under review) first, the most
/// urgent and then the oldest at the top; with `decided`, also those accepted or declined.
pub async fn queue(a: &Authed, decided: bool) -> Result<Vec<ReferralRow>, AppError> {
    require(a, Capability::HandleReferrals, "referral.queue").await?;
    let statuses: Vec<&str> = ReferralStatus::ALL
        .into_iter()
        .filter(|s| decided || s.is_open())
        .map(|s| s.as_str())
        .collect();
    let recs: Vec<ReferralRec> = a
        .state()
        .db()
        .q("SELECT *, record::id(id) AS id FROM referral WHERE receiving_org = $org AND status IN $st")
        .bind("org", a.org_id())
        .bind("st", statuses)
        .run()
        .await?
        .all(0)?;
    let names = names(a).await?;
    let mut rows: Vec<ReferralRow> = recs
        .iter()
        .map(|r| r.row(names.get(&r.org).cloned().unwrap_or_default()))
        .collect::<Result<_, _>>()?;
    rows.sort_by(|x, y| {
        (
            !x.status.is_open(),
            std::cmp::Reverse(x.urgency as u8),
            x.received_at,
        )
            .cmp(&(
                !y.status.is_open(),
                std::cmp::Reverse(y.urgency as u8),
                y.received_at,
            ))
    });
    Ok(rows)
}

/// The id of a referral the unit has received, by its number (the demo loader's handle on
/// the referrals it sends).
#[cfg(any(test, feature = "fixtures"))]
pub(crate) async fn id_by_number(a: &Authed, number: &str) -> Result<Option<String>, AppError> {
    Ok(a.state()
        .db()
        .q("SELECT VALUE record::id(id) FROM referral WHERE number = $n AND receiving_org = $org")
        .bind("n", number)
        .bind("org", a.org_id())
        .run()
        .await?
        .first(0)?)
}

/// One referral, its sealed fields opened: one `referral.read` entry.
pub async fn open(a: &Authed, id: &str) -> Result<ReferralView, AppError> {
    let r = received(a, id, "referral.read").await?;
    let names = names(a).await?;
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let dek = vault::dek(a.state(), &r.participant).await?;
    let shredded = "(gallrad)".to_string();
    let field = |f: &str, stored: &str| match &dek {
        Some(k) => open_field(k, &r.id, f, stored),
        None => Ok(shredded.clone()),
    };
    let opt = |f: &str, stored: &Option<String>| stored.as_deref().map(|s| field(f, s)).transpose();
    let known: Vec<Json> = a
        .state()
        .db()
        .q("SELECT VALUE id FROM case WHERE participant = $p AND owner_org = $org LIMIT 1")
        .bind("p", &r.participant)
        .bind("org", a.org_id())
        .run()
        .await?
        .all(0)?;
    let view = ReferralView {
        row: r.row(name(&r.org))?,
        description: field("description", &r.description)?,
        personnummer: display_pnr(&field("personnummer", &r.personnummer)?),
        first_name: field("first_name", &r.first_name)?,
        last_name: field("last_name", &r.last_name)?,
        phone: opt("phone", &r.phone)?,
        referrer_contact: opt("referrer_contact", &r.referrer_contact)?,
        submitted_by: format!("{}, {}", name(&r.created_by), name(&r.org)),
        decline_reason: opt("decline_reason", &r.decline_reason)?,
        case_id: r.case.clone(),
        known_here: !known.is_empty(),
        forwarded_from: r.forwarded_from.as_deref().map(name),
        steps: r
            .transitions
            .iter()
            .map(|t| {
                Ok(ReferralStep {
                    to: ReferralStatus::parse(&t.to).map_err(|_| AppError::Internal)?,
                    at: t.at,
                    by: name(&t.by),
                })
            })
            .collect::<Result<_, AppError>>()?,
        version: r.version,
    };
    let mut e = Entry::new("referral.read");
    e.participants = vec![r.participant.clone()];
    e.categories = vec!["identity".into(), "contact_info".into(), "notes".into()];
    e.basis = Some("receiving_unit".into());
    e.reason = Some(format!("referral:{}", r.id));
    audit::append(a.state(), &who(a), e).await?;
    Ok(view)
}

/// Checks the version and the transition of a referral the unit has received.
pub(crate) fn check(r: &ReferralRec, version: i64, to: ReferralStatus) -> Result<(), AppError> {
    if r.version != version {
        return Err(AppError::conflict(Problem::Stale, CHANGED));
    }
    r.status()?.check_transition(to)
}

pub(crate) const CHANGED: &str =
    "Remissen har ändrats av någon annan. Ladda om sidan och försök igen.";

/// The statements that move a referral on (`$rid`, `$v`, `$from`, `$to`, `$now`, `$user`),
/// checking inside the transaction that nobody changed it meanwhile.
pub(crate) const MOVE: &str = "
    LET $cur = (SELECT VALUE version FROM ONLY type::record('referral', $rid));
    IF $cur != $v { THROW 'conflict:stale:Remissen har ändrats av någon annan. Ladda om sidan och försök igen.' };
    UPDATE type::record('referral', $rid) SET status = $to, version = $v + 1,
        transitions += { from: $from, to: $to, at: <datetime>$now, by: $user } RETURN NONE;
";

/// Variables of [`MOVE`].
pub(crate) fn move_vars(
    a: &Authed,
    r: &ReferralRec,
    to: ReferralStatus,
    now: DateTime<Utc>,
) -> serde_json::Map<String, Json> {
    let mut vars = serde_json::Map::new();
    for (k, v) in [
        ("rid", json!(r.id)),
        ("v", json!(r.version)),
        ("from", json!(r.status)),
        ("to", json!(to.as_str())),
        ("now", json!(now)),
        ("user", json!(a.user_id())),
        ("org", json!(a.org_id())),
    ] {
        vars.insert(k.into(), v);
    }
    vars
}

pub(crate) fn entry(action: &str, r: &ReferralRec) -> Entry {
    let mut e = Entry::new(action);
    e.participants = vec![r.participant.clone()];
    e.reason = Some(format!("referral:{}", r.id));
    e
}

/// Marks a referral as under review.
pub async fn start_review(a: &Authed, id: &str, version: i64) -> Result<(), AppError> {
    let r = received(a, id, "referral.start_review").await?;
    check(&r, version, ReferralStatus::UnderReview)?;
    let vars = move_vars(a, &r, ReferralStatus::UnderReview, a.state().clock().now());
    let e = entry("referral.start_review", &r);
    audit::commit(a.state(), &who(a), e, MOVE, vars).await?;
    Ok(())
}

/// Declines a referral; the reason is required and sealed.
pub async fn decline(a: &Authed, id: &str, version: i64, reason: &str) -> Result<(), AppError> {
    let r = received(a, id, "referral.decline").await?;
    let reason = text("reason", "Skälet till avslaget", reason, true, MAX_TEXT)?;
    check(&r, version, ReferralStatus::Declined)?;
    let dek = key_of(a, &r.participant).await?;
    let mut vars = move_vars(a, &r, ReferralStatus::Declined, a.state().clock().now());
    vars.insert(
        "reason".into(),
        json!(vault::seal(
            &dek,
            "referral",
            &r.id,
            "decline_reason",
            &reason
        )?),
    );
    let body = format!(
        "{MOVE} UPDATE type::record('referral', $rid) SET decline_reason = $reason RETURN NONE;"
    );
    let mut e = entry("referral.decline", &r);
    e.categories = vec!["notes".into()];
    audit::commit(a.state(), &who(a), e, &body, vars).await?;
    Ok(())
}

/// Forwards a referral to another social-services unit, where it waits like a new one. The
/// person is linked anew among that unit's participants and the referral resealed with that
/// participant's key; a participant this unit held only for this referral is removed.
pub async fn forward(a: &Authed, id: &str, version: i64, to_org: &str) -> Result<(), AppError> {
    let r = received(a, id, "referral.forward").await?;
    let Some((to, _, municipalities)) = units(a)
        .await?
        .into_iter()
        .find(|(o, ..)| o == to_org && o != a.org_id())
    else {
        return Err(AppError::problem(
            "to_org",
            domain::error::Problem::Choose,
            "Välj en annan socialtjänst att skicka remissen till.",
        ));
    };
    check(&r, version, ReferralStatus::Forwarded)?;
    for attempt in 0..3 {
        match attempt_forward(a, &r, &to, &municipalities[0]).await {
            Err(AppError::Conflict { message, .. }) if message == STALE && attempt < 2 => continue,
            other => return other,
        }
    }
    Err(AppError::Internal)
}

async fn attempt_forward(
    a: &Authed,
    r: &ReferralRec,
    to: &str,
    municipality: &str,
) -> Result<(), AppError> {
    let old = key_of(a, &r.participant).await?;
    let open = |f: &str, s: &str| open_field(&old, &r.id, f, s);
    let opt = |f: &str, s: &Option<String>| s.as_deref().map(|s| open(f, s)).transpose();
    let today = a.state().clock().today();
    let pnr = Personnummer::parse(&open("personnummer", &r.personnummer)?, today)
        .map_err(|_| AppError::Internal)?;
    let phone = opt("phone", &r.phone)?
        .map(|p| Phone::parse(&p))
        .transpose()
        .map_err(|_| AppError::Internal)?;
    let (first, last) = (
        open("first_name", &r.first_name)?,
        open("last_name", &r.last_name)?,
    );
    let linked = person::link(a, to, municipality, &pnr, &first, &last, phone.as_ref()).await?;
    let reseal = |f: &str, v: &str| vault::seal(&linked.dek, "referral", &r.id, f, v);
    let reseal_opt = |f: &str, s: &Option<String>| -> Result<Option<String>, AppError> {
        opt(f, s)?.map(|v| reseal(f, &v)).transpose()
    };
    let sealed = json!({
        "description": reseal("description", &open("description", &r.description)?)?,
        "personnummer": reseal("personnummer", pnr.as_str())?,
        "first_name": reseal("first_name", &first)?,
        "last_name": reseal("last_name", &last)?,
        "phone": reseal_opt("phone", &r.phone)?,
        "referrer_contact": reseal_opt("referrer_contact", &r.referrer_contact)?,
    });
    let mut vars = move_vars(a, r, ReferralStatus::Forwarded, a.state().clock().now());
    for (k, v) in linked.vars.iter().cloned() {
        vars.insert(k.into(), v);
    }
    vars.insert("recv".into(), json!(to));
    vars.insert("old".into(), json!(r.participant));
    vars.insert("s".into(), sealed);
    let body = format!(
        "{MOVE}
        {}
        UPDATE type::record('referral', $rid) SET receiving_org = $recv, forwarded_from = $org,
            participant = $pid, description = $s.description, personnummer = $s.personnummer,
            first_name = $s.first_name, last_name = $s.last_name, phone = $s.phone,
            referrer_contact = $s.referrer_contact RETURN NONE;
        IF $old != $pid
            AND (SELECT VALUE id FROM case WHERE participant = $old) = []
            AND (SELECT VALUE id FROM referral WHERE participant = $old) = [] {{
            DELETE blind_index WHERE participant = $old;
            DELETE type::record('participant_key', $old);
            DELETE type::record('participant', $old);
        }};",
        person::BODY
    );
    let mut e = entry("referral.forward", r);
    e.participants = vec![r.participant.clone()];
    if linked.pid != r.participant {
        e.participants.push(linked.pid.clone());
    }
    e.reason = Some(format!(
        "referral:{} to:{to} person:{}",
        r.id,
        if linked.existing { "known" } else { "new" }
    ));
    audit::commit(a.state(), &who(a), e, &body, vars).await?;
    if !linked.existing {
        a.state()
            .deks()
            .insert(linked.pid.clone(), linked.dek.clone());
    }
    Ok(())
}
