//! A decision per agenda item. For a referral it accepts the referral (the case is opened or
//! joined as `referral::accept` does) and, in the same transaction, adds a goal for the
//! council's interventions with one plan action per intervention (title = intervention and
//! provider, responsible = the providing organisation, due = the follow-up date), a timeline
//! event and the item's decision. For a case item the same goal, actions and event are added to
//! the existing case. A provider that does not exist aborts the whole transaction.

use domain::Problem;
use serde::Deserialize;
use serde_json::{json, Map, Value as Json};

use super::super::audit::{self, Entry};
use super::super::auth::Authed;
use super::super::casework;
use super::super::db::{new_id, valid_id};
use super::super::decoy;
use super::super::gate::{require, who, CaseGate};
use super::super::referral::{self, accept, review::names, AcceptDecision};
use super::super::{access::Purpose, crypto::Dek, vault};
use super::agenda::ItemRec;
use super::refuse_record;
use domain::council::{DecisionInput, InterventionView, ItemKind, ItemStatus};
use domain::event::EventLine;
use domain::input::{date, optional_text, MAX_TEXT};
use domain::time::swedish_date;
use domain::{AppError, Capability};

/// The item, if the user's unit chairs its meeting; otherwise one `deny` entry naming the item
/// and `NotFound`, the same for an item that does not exist. The capability is asked first
/// (refused with its own entry), so a unit that may not handle referrals is answered alike for
/// every id too; an unknown id is followed to the decoy item's meeting as a real one is to its
/// own, so that it takes as long.
async fn chaired_item(a: &Authed, item_id: &str, action: &str) -> Result<ItemRec, AppError> {
    require(a, Capability::HandleReferrals, action).await?;
    let found = decoy::fetch_or_decoy::<ItemRec>(a.state().db(), "council_item", item_id).await?;
    let meeting = match &found {
        Some((_, rec)) => super::load(a, &rec.meeting).await?,
        None => None,
    };
    let rec = match (found, meeting) {
        (Some((true, rec)), Some(m)) if m.org == a.org_id() => rec,
        _ => return Err(refuse_record(a, action, "council_item", item_id).await),
    };
    if rec.status()? != ItemStatus::Open {
        return Err(AppError::problem(
            "",
            domain::error::Problem::AlreadyDone,
            "Punkten är redan avgjord. Ladda om sidan.",
        ));
    }
    Ok(rec)
}

/// A responsible case worker of the unit, or the deciding user when none is named.
async fn responsible(a: &Authed, u: &str) -> Result<String, AppError> {
    let u = u.trim();
    if u.is_empty() {
        return Ok(a.user_id().to_string());
    }
    let ok: Vec<Json> = a
        .state()
        .db()
        .q(
            "SELECT VALUE id FROM user WHERE record::id(id) = $u AND org = $org AND active = true
            AND role IN ['case_worker', 'program_lead']",
        )
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
    Ok(u.to_string())
}

/// The statements the decision adds, after the accept's (or on their own for a case). Binds
/// `$c_*` variables; uses `$cid`, `$pid`, `$org`, `$user`, `$now` of the surrounding write.
const DECISION: &str = "
    IF (SELECT VALUE status FROM ONLY type::record('council_item', $c_item)) != 'open' {
        THROW 'conflict:already_done:Punkten har avgjorts av någon annan. Ladda om sidan.';
    };
    FOR $o IN $c_orgs {
        IF !record::exists(type::record('org', $o)) {
            THROW 'invalid:provider_org:unknown:Den utförande organisationen finns inte.';
        };
    };
    CREATE type::record('goal', $c_gid) CONTENT { case: $cid, participant: $pid, domain: 'leaving_network',
        text: $c_gtext, status: 'open', target_date: NONE, version: 1, created_at: <datetime>$now,
        created_by: $user } RETURN NONE;
    FOR $x IN $c_actions {
        CREATE type::record('action', $x.id) CONTENT { case: $cid, participant: $pid, goal: $c_gid,
            title: $x.title, owner_org: $x.org, responsible: $x.resp, due: <datetime>$x.due,
            status: 'planned', comment: NONE, version: 1, created_at: <datetime>$now, created_by: $user } RETURN NONE;
    };
    UPDATE type::record('council_item', $c_item) SET status = 'decided', case = $cid, priority = $c_prio,
        responsible = $c_resp, note = $c_note, decided_by = $user, decided_at = <datetime>$now RETURN NONE;
    FOR $i IN $c_iv {
        UPDATE type::record('council_item', $c_item) SET interventions += { kind: $i.kind, org: $i.org,
            follow_up: <datetime>$i.follow_up } RETURN NONE;
    };
    CREATE type::record('event', $c_eid) CONTENT { case: $cid, participant: $pid, kind: 'action', category: 'plan',
        org: $org, author: $user, at: <datetime>$now, line: $c_eline, text: $c_etext, source: 'council_item:' + $c_item,
        corrected: false } RETURN NONE;
    UPDATE type::record('case', $cid) SET last_entry_at = <datetime>$now RETURN NONE;
    fn::stat_refresh($cid);";

/// The `$c_*` variables of [`DECISION`], each sealed field sealed under the person's key.
async fn decision_vars(
    a: &Authed,
    item: &ItemRec,
    d: &DecisionInput,
    resp: &str,
    dek: &Dek,
    cid: &str,
) -> Result<Map<String, Json>, AppError> {
    d.check_priority()?;
    if d.interventions.is_empty() {
        return Err(AppError::problem(
            "interventions",
            Problem::InterventionRequired,
            "Lägg till minst en insats med utförare och uppföljningsdatum.",
        ));
    }
    let note = optional_text("note", "Motiveringen", &d.note, MAX_TEXT)?;
    let today = swedish_date(a.state().clock().now());
    let names = names(a).await?;
    let (mut ivs, mut actions, mut orgs, mut lines) = (vec![], vec![], vec![], vec![]);
    for (i, iv) in d.interventions.iter().enumerate() {
        let field = format!("follow_up_{i}");
        let due = date(&field, &iv.follow_up, today, true)?.unwrap_or(today);
        let org = iv.provider_org.trim();
        if !valid_id(org) {
            return Err(AppError::problem(
                "provider_org",
                domain::error::Problem::Choose,
                "Välj vilken organisation som utför insatsen.",
            ));
        }
        // An unknown organisation has no name; the transaction refuses it (`DECISION`).
        let provider = names.get(org).cloned().unwrap_or_else(|| org.to_string());
        let title = format!("{} – {provider}", iv.kind.label());
        let aid = new_id();
        actions.push(json!({
            "id": aid,
            "org": org,
            "title": vault::seal(dek, "action", &aid, "title", &title)?,
            "resp": vault::seal(dek, "action", &aid, "responsible", &provider)?,
            "due": super::super::referral::day(due),
        }));
        ivs.push(json!({ "kind": iv.kind.as_str(), "org": org, "follow_up": super::super::referral::day(due) }));
        orgs.push(org.to_string());
        lines.push(InterventionView {
            kind: iv.kind,
            provider,
            follow_up: due,
        });
    }
    let gid = new_id();
    let eid = new_id();
    let gtext = "Insatser beslutade av samverkansrådet";
    let line = EventLine::CouncilDecided {
        priority: d.priority,
        interventions: lines,
    };
    let (eline, etext) = casework::sealed_event(dek, &eid, Some(&line), "")?;
    let sealed_note = match note {
        Some(n) => Some(vault::seal(dek, "council_item", &item.id, "note", &n)?),
        None => None,
    };
    let mut vars = Map::new();
    for (k, v) in [
        ("c_item", json!(item.id)),
        ("c_orgs", json!(orgs)),
        ("c_gid", json!(gid)),
        (
            "c_gtext",
            json!(vault::seal(dek, "goal", &gid, "text", gtext)?),
        ),
        ("c_actions", json!(actions)),
        ("c_prio", json!(d.priority)),
        ("c_iv", json!(ivs)),
        ("c_resp", json!(resp)),
        ("c_note", json!(sealed_note)),
        ("c_eid", json!(eid)),
        ("c_eline", eline),
        ("c_etext", etext),
        ("cid", json!(cid)),
    ] {
        vars.insert(k.into(), v);
    }
    Ok(vars)
}

/// Records the council's decision on an open item and returns the case id.
pub async fn decide(a: &Authed, item_id: &str, d: DecisionInput) -> Result<String, AppError> {
    let action = "council.decide";
    let item = chaired_item(a, item_id, action).await?;
    let resp = responsible(a, &d.responsible).await?;
    match ItemKind::parse(&item.kind).map_err(|_| AppError::Internal)? {
        ItemKind::Referral => {
            let rid = item.referral.clone().ok_or(AppError::Internal)?;
            let version = referral::load(a, &rid)
                .await?
                .map(|r| r.version)
                .ok_or(AppError::NotFound)?;
            let p = accept::prepare(
                a,
                &rid,
                AcceptDecision {
                    version,
                    sspf: d.sspf,
                    responsible: Some(resp.clone()),
                },
            )
            .await?;
            let extra = decision_vars(a, &item, &d, &resp, &p.dek, &p.case_id).await?;
            let mut vars = p.vars;
            vars.extend(extra);
            let body = format!("{}\n{DECISION}", p.body);
            let mut e = p.entry;
            e.action = action.into();
            e.basis = Some("council_chair".into());
            audit::commit(a.state(), &who(a), e, &body, vars).await?;
            Ok(p.case_id)
        }
        ItemKind::Case => {
            let cid = item.case.clone().ok_or(AppError::Internal)?;
            let g = CaseGate::open(a, &cid, action, Purpose::CaseWork).await?;
            g.require_manage(action).await?;
            let dek = vault::dek(a.state(), &g.case.participant)
                .await?
                .ok_or_else(AppError::shredded)?;
            let mut vars = decision_vars(a, &item, &d, &resp, &dek, &cid).await?;
            for (k, v) in [
                ("pid", json!(g.case.participant)),
                ("org", json!(a.org_id())),
                ("user", json!(a.user_id())),
                ("now", json!(a.state().clock().now())),
            ] {
                vars.insert(k.into(), v);
            }
            let mut e = Entry::new(action);
            e.participants = vec![g.case.participant.clone()];
            e.case_id = Some(cid.clone());
            e.categories = vec!["plan".into()];
            e.basis = g.basis_summary();
            e.reason = Some(format!("council_item:{}", item.id));
            audit::commit(a.state(), &who(a), e, DECISION, vars).await?;
            Ok(cid)
        }
    }
}

/// Declines a referral item with a reason, through the referral's own decline (the reason is
/// sealed on the referral), and marks the item declined. A referral already declined (a first
/// attempt that stopped between the two steps) only marks the item.
pub async fn decline(a: &Authed, item_id: &str, reason: &str) -> Result<(), AppError> {
    let action = "council.decline";
    let item = chaired_item(a, item_id, action).await?;
    let rid = match (&item.referral, item.kind.as_str()) {
        (Some(r), "referral") => r.clone(),
        _ => {
            return Err(AppError::problem(
                "",
                Problem::DeclineReferralOnly,
                "Bara en remiss kan avslås. Ett ärende avslutas på ärendesidan.",
            ))
        }
    };
    #[derive(Deserialize)]
    struct S {
        status: String,
        version: i64,
    }
    let s: Option<S> = a
        .state()
        .db()
        .q("SELECT status, version FROM ONLY type::record('referral', $id)")
        .bind("id", &rid)
        .run()
        .await?
        .first(0)?;
    let s = s.ok_or(AppError::NotFound)?;
    if s.status != "declined" {
        referral::decline(a, &rid, s.version, reason).await?;
    }
    let mut vars = Map::new();
    vars.insert("id".into(), json!(item.id));
    vars.insert("user".into(), json!(a.user_id()));
    vars.insert("now".into(), json!(a.state().clock().now()));
    let mut e = Entry::new(action);
    e.participants = vec![item.participant.clone()];
    e.basis = Some("council_chair".into());
    e.reason = Some(format!("council_item:{}", item.id));
    audit::commit(
        a.state(),
        &who(a),
        e,
        "UPDATE type::record('council_item', $id) SET status = 'declined', decided_by = $user,
            decided_at = <datetime>$now RETURN NONE;",
        vars,
    )
    .await
    .map(drop)
}
