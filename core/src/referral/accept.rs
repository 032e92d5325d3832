//! Accepting a referral: the receiving unit opens a case for the person (or, if the person
//! already has an open case with the unit, links the referral to it), with a timeline event,
//! in the transaction that marks the referral accepted.
//!
//! Kept apart from the review page's flow so that the collaboration council can accept a
//! referral through the same function with its own decision data.

use serde::Deserialize;
use serde_json::json;

use super::super::audit;
use super::super::auth::Authed;
use super::super::casework;
use super::super::db::new_id;
use super::super::gate::who;
use super::super::vault;
use super::review::{check, entry, move_vars, MOVE};
use super::{key_of, received};
use domain::event::EventLine;
use domain::referral::{ReferralStatus, ReferrerKind};
use domain::{AppError, SspfLevel};

/// What the receiving unit decides when it accepts a referral.
#[derive(Debug, Clone)]
pub struct AcceptDecision {
    /// The referral's version the decision was made on.
    pub version: i64,
    pub sspf: SspfLevel,
    /// The responsible case worker (a user id of the unit); the deciding user when `None`.
    pub responsible: Option<String>,
}

/// Accepts a referral under review and returns the id of the case it opened or joined.
pub async fn accept(a: &Authed, id: &str, d: AcceptDecision) -> Result<String, AppError> {
    let p = prepare(a, id, d).await?;
    audit::commit(a.state(), &who(a), p.entry, &p.body, p.vars).await?;
    Ok(p.case_id)
}

/// An accept made ready but not written: its statements, their variables and its audit entry.
/// The council appends its own statements (plan actions, its decision) and commits it all in
/// one transaction.
pub(crate) struct Prepared {
    pub case_id: String,
    pub body: String,
    pub vars: serde_json::Map<String, serde_json::Value>,
    pub entry: audit::Entry,
    pub dek: std::sync::Arc<super::super::crypto::Dek>,
}

/// Checks and prepares the accept of a referral under review (see [`accept`]).
pub(crate) async fn prepare(a: &Authed, id: &str, d: AcceptDecision) -> Result<Prepared, AppError> {
    let r = received(a, id, "referral.accept").await?;
    check(&r, d.version, ReferralStatus::Accepted)?;
    let dek = key_of(a, &r.participant).await?;
    let db = a.state().db();
    let responsible = match d.responsible.as_deref().map(str::trim) {
        None | Some("") => a.user_id().to_string(),
        Some(u) => {
            let ok: Vec<serde_json::Value> = db
                .q("SELECT VALUE id FROM user WHERE record::id(id) = $u AND org = $org AND active = true
                    AND role IN ['case_worker', 'program_lead']")
                .bind("u", u)
                .bind("org", a.org_id())
                .run()
                .await?
                .all(0)?;
            if ok.is_empty() {
                return Err(AppError::problem(
                    "responsible",
                    domain::error::Problem::Choose,
                    "Välj en handläggare i er verksamhet som ansvarig.",
                ));
            }
            u.to_string()
        }
    };
    #[derive(Deserialize)]
    struct Open {
        case: String,
    }
    let open: Option<Open> = db
        .q("SELECT case FROM ONLY type::record('open_case', $p)")
        .bind("p", &r.participant)
        .run()
        .await?
        .first(0)?;
    let (cid, new_case) = match open {
        Some(o) => (o.case, false),
        None => (new_id(), true),
    };
    let kind = ReferrerKind::parse(&r.kind).map_err(|_| AppError::Internal)?;
    let source = format!("Remiss {} ({})", r.number, kind.label());
    let eid = new_id();
    let number = r.number.clone();
    let line = if new_case {
        EventLine::ReferralOpened { number, kind }
    } else {
        EventLine::ReferralLinked { number, kind }
    };
    let (eline, etext) = casework::sealed_event(&dek, &eid, Some(&line), "")?;
    let now = a.state().clock().now();
    let mut vars = move_vars(a, &r, ReferralStatus::Accepted, now);
    for (k, v) in [
        ("cid", json!(cid)),
        ("pid", json!(r.participant)),
        ("mid", json!(new_id())),
        ("eid", json!(eid)),
        ("newcase", json!(new_case)),
        ("resp", json!(responsible)),
        ("sspf", json!(d.sspf.as_str())),
        (
            "src",
            json!(vault::seal(&dek, "case", &cid, "referral_source", &source)?),
        ),
        ("eline", eline),
        ("etext", etext),
    ] {
        vars.insert(k.into(), v);
    }
    // The case as `participants::register` opens one (status `referred`, the responsible case
    // worker on the team), with the referral linked.
    let body = format!(
        "{MOVE}
        UPDATE type::record('referral', $rid) SET case = $cid RETURN NONE;
        IF $newcase {{
            IF (SELECT * FROM ONLY type::record('open_case', $pid)) != NONE {{
                THROW 'conflict:stale:Personen fick ett öppet ärende under tiden. Ladda om sidan och försök igen.';
            }};
            CREATE type::record('case', $cid) CONTENT {{
                participant: $pid, owner_org: $org, status: 'referred', open: true, sspf_level: $sspf,
                referral_source: $src, referral: $rid, responsible: $resp,
                municipality: (SELECT VALUE municipality FROM ONLY type::record('participant', $pid)),
                opened_at: <datetime>$now, closed_at: NONE, last_entry_at: <datetime>$now,
                transitions: [{{ from: NONE, to: 'referred', at: <datetime>$now, by: $user }}], version: 1 }} RETURN NONE;
            CREATE type::record('open_case', $pid) CONTENT {{ case: $cid }} RETURN NONE;
            CREATE type::record('case_member', $mid) CONTENT {{ case: $cid, participant: $pid, user: $resp, org: $org,
                part: 'responsible', added_at: <datetime>$now, added_by: $user }} RETURN NONE;
        }} ELSE {{
            UPDATE type::record('case', $cid) SET referral = referral ?? $rid, last_entry_at = <datetime>$now RETURN NONE;
        }};
        CREATE type::record('event', $eid) CONTENT {{ case: $cid, participant: $pid, kind: 'status', category: 'plan',
            org: $org, author: $user, at: <datetime>$now, line: $eline, text: $etext, source: 'referral:' + $rid, corrected: false }} RETURN NONE;
        fn::stat_refresh($cid);"
    );
    let mut e = entry("referral.accept", &r);
    e.case_id = Some(cid.clone());
    e.categories = vec!["identity".into(), "plan".into()];
    e.basis = Some("receiving_unit".into());
    Ok(Prepared {
        case_id: cid,
        body,
        vars,
        entry: e,
        dek,
    })
}
