//! Offering a case to another municipality's social services, and withdrawing the offer.

use domain::Problem;
use serde::Deserialize;
use serde_json::json;

use super::super::access::Purpose;
use super::super::audit;
use super::super::auth::Authed;
use super::super::casework;
use super::super::db::new_id;
use super::super::gate::{require, who, CaseGate};
use super::super::participants;
use super::super::vault;
use super::{categories_of, entry, visible, Side, EVENT};
use domain::casework::{GoalStatus, MeasureStatus};
use domain::event::EventLine;
use domain::handover::{
    HandoverInput, HandoverPart, HandoverStatus, ReceiverOrg, SnapshotItem as Item,
    SnapshotSection, ValidHandover,
};
use domain::{AppError, Capability, CaseStatus, Shown};

/// Active social-services units of municipalities the user's unit does not serve: where a case
/// may be handed over to.
pub async fn receivers(a: &Authed) -> Result<Vec<ReceiverOrg>, AppError> {
    require(a, Capability::ManageCase, "handover.receivers").await?;
    #[derive(Deserialize)]
    struct Row {
        id: String,
        name: String,
        municipalities: Vec<String>,
    }
    let rows: Vec<Row> = a
        .state()
        .db()
        .q(
            "LET $mine = (SELECT VALUE municipalities FROM ONLY type::record('org', $org)) ?? [];
            SELECT record::id(id) AS id, name, municipalities FROM org
              WHERE kind = 'social_services' AND active = true AND record::id(id) != $org
                AND array::len(array::intersect(municipalities, $mine)) = 0
              ORDER BY name;",
        )
        .bind("org", a.org_id())
        .run()
        .await?
        .all(1)?;
    Ok(rows
        .into_iter()
        .map(|r| ReceiverOrg {
            id: r.id,
            name: r.name,
            municipalities: r.municipalities,
        })
        .collect())
}

/// The chosen parts of the case as the sender reads them now, frozen as labelled rows. Each
/// part is read through the casework reader of its tab (and so audited as the sender's read).
async fn snapshot(
    a: &Authed,
    case_id: &str,
    parts: &[HandoverPart],
) -> Result<Vec<SnapshotSection>, AppError> {
    let mut out = Vec::new();
    let needs_view = parts
        .iter()
        .any(|p| matches!(p, HandoverPart::Person | HandoverPart::Status));
    let view = if needs_view {
        Some(participants::view(a, case_id).await?)
    } else {
        None
    };
    for part in parts {
        let mut items = Vec::new();
        match part {
            HandoverPart::Person => {
                if let Some(v) = &view {
                    items.extend([
                        Item::Name {
                            first: v.first_name.clone(),
                            last: v.last_name.clone(),
                        },
                        Item::Personnummer {
                            value: v.personnummer.clone(),
                        },
                        Item::BirthYear { year: v.birth_year },
                        Item::Gender { gender: v.gender },
                        Item::Protection {
                            protection: v.protection,
                        },
                    ]);
                }
            }
            HandoverPart::Status => {
                if let Some(v) = &view {
                    items.extend([
                        Item::Status { status: v.status },
                        Item::SspfLevel {
                            level: v.sspf_level,
                        },
                        Item::Opened {
                            on: domain::time::swedish_date(v.opened_at),
                        },
                    ]);
                }
            }
            HandoverPart::Plan => {
                let p = casework::plan(a, case_id).await?;
                for g in &p.goals {
                    items.push(Item::Goal {
                        domain: g.domain,
                        text: g.text.clone(),
                        status: g.status,
                        by: g.target_date,
                    });
                    items.extend(g.actions.iter().map(|x| Item::Action {
                        title: x.title.clone(),
                        owner: x.owner_org.clone(),
                        status: x.status,
                        due: x.due,
                    }));
                }
                let count = p
                    .goals
                    .iter()
                    .filter(|g| g.status == GoalStatus::Open)
                    .count();
                items.push(Item::OpenGoals { count });
                items.push(Item::NextReview { on: p.next_review });
            }
            HandoverPart::Safety => {
                let s = casework::safety(a, case_id).await?;
                items.extend(s.measures.iter().map(|m| Item::Measure {
                    kind: m.kind,
                    status: m.status,
                    start: m.start,
                    end: m.end,
                    details: if m.status == MeasureStatus::Denied {
                        Shown::Empty
                    } else {
                        m.details.clone()
                    },
                }));
                items.extend(s.assessments.iter().take(3).map(|x| Item::Assessment {
                    on: x.date,
                    level: x.level,
                    next: x.next_review,
                }));
            }
            HandoverPart::Living => {
                // The kind and dates of housing, never an address: where the person lived is
                // what the move may be about.
                let l = casework::living(a, case_id).await?;
                items.extend(l.housing.iter().map(|h| Item::Housing {
                    kind: h.kind,
                    from: h.from,
                    to: h.to,
                }));
                items.extend(l.occupation.iter().map(|o| Item::Occupation {
                    kind: o.kind,
                    from: o.from,
                    to: o.to,
                    outcome: o.outcome.clone(),
                }));
            }
        }
        if items.is_empty() {
            items.push(Item::Nothing);
        }
        out.push(SnapshotSection {
            part: *part,
            rows: Vec::new(),
            items,
        });
    }
    Ok(out)
}

/// The timeline line of an offer: it names no destination, so that whoever reads the timeline
/// of the sending unit's case (partners included) learns nothing of where the person goes.
pub(crate) const OFFER_EVENT: EventLine = EventLine::HandoverOffered;

/// Offers the case to another municipality's social services with the chosen parts. Only the
/// case's managing team (and its program lead) may; one pending handover per case. Returns the
/// handover's id.
pub async fn offer(a: &Authed, case_id: &str, input: &HandoverInput) -> Result<String, AppError> {
    const ACTION: &str = "handover.offer";
    let gate = CaseGate::open(a, case_id, ACTION, Purpose::CaseWork).await?;
    gate.require_manage(ACTION).await?;
    let v = ValidHandover::parse(input)?;
    let status = CaseStatus::parse(&gate.case.status).map_err(|_| AppError::Internal)?;
    if status.is_closed() {
        return Err(AppError::problem(
            "",
            Problem::CaseClosed,
            "Ärendet är avslutat. Bara ett öppet ärende kan lämnas över.",
        ));
    }
    if !receivers(a).await?.iter().any(|r| r.id == v.to_org) {
        return Err(AppError::problem(
            "to_org",
            domain::error::Problem::Choose,
            "Välj en socialtjänst i en annan kommun.",
        ));
    }
    let busy: Vec<serde_json::Value> = a
        .state()
        .db()
        .q("SELECT VALUE id FROM handover WHERE case = $c AND status = 'pending'")
        .bind("c", case_id)
        .run()
        .await?
        .all(0)?;
    if !busy.is_empty() {
        return Err(AppError::conflict(
            Problem::HandoverPending,
            "Ärendet har redan en överlämning som väntar på svar.",
        ));
    }
    let dek = vault::dek(a.state(), &gate.case.participant)
        .await?
        .ok_or_else(AppError::shredded)?;
    let sections = snapshot(a, case_id, &v.parts).await?;
    let hid = new_id();
    let eid = new_id();
    let (eline, etext) = casework::sealed_event(&dek, &eid, Some(&OFFER_EVENT), "")?;
    let snap = serde_json::to_string(&sections).map_err(|_| AppError::Internal)?;
    let now = a.state().clock().now();
    let mut vars = serde_json::Map::new();
    for (k, val) in [
        ("hid", json!(hid)),
        ("cid", json!(gate.case.id)),
        ("pid", json!(gate.case.participant)),
        ("from", json!(a.org_id())),
        ("eorg", json!(a.org_id())),
        ("to", json!(v.to_org)),
        (
            "parts",
            json!(v.parts.iter().map(|p| p.as_str()).collect::<Vec<_>>()),
        ),
        (
            "snap",
            json!(vault::seal(&dek, "handover", &hid, "snapshot", &snap)?),
        ),
        (
            "note",
            json!(vault::seal_opt(
                &dek,
                "handover",
                &hid,
                "note",
                v.note.as_deref().unwrap_or_default()
            )?),
        ),
        ("days", json!(v.read_days)),
        ("user", json!(a.user_id())),
        ("now", json!(now)),
        ("eid", json!(eid)),
        ("eline", eline),
        ("etext", etext),
    ] {
        vars.insert(k.into(), val);
    }
    let body = format!(
        "IF array::len((SELECT VALUE id FROM handover WHERE case = $cid AND status = 'pending')) > 0 {{
            THROW 'conflict:handover_pending:Ärendet har redan en överlämning som väntar på svar.';
        }};
        IF (SELECT VALUE owner_org FROM ONLY type::record('case', $cid)) != $from {{
            THROW 'conflict:owner_changed:Ärendet har bytt ansvarig enhet. Ladda om sidan.';
        }};
        CREATE type::record('handover', $hid) CONTENT {{
            case: $cid, participant: $pid, from_org: $from, to_org: $to, parts: $parts, snapshot: $snap,
            note: $note, status: 'pending', read_days: $days, created_by: $user, created_at: <datetime>$now,
            decided_by: NONE, decided_at: NONE, decline_reason: NONE, sender_until: NONE }} RETURN NONE;
        {EVENT}"
    );
    let mut e = audit::Entry::new(ACTION);
    e.participants = vec![gate.case.participant.clone()];
    e.case_id = Some(gate.case.id.clone());
    e.categories = categories_of(&v.parts);
    e.basis = gate.basis_summary();
    e.reason = Some(format!("handover:{hid}"));
    audit::commit(a.state(), &who(a), e, &body, vars).await?;
    Ok(hid)
}

/// Withdraws a pending handover (the sending case's managing team).
pub async fn withdraw(a: &Authed, id: &str) -> Result<(), AppError> {
    const ACTION: &str = "handover.withdraw";
    let (r, side) = visible(a, id, ACTION).await?;
    if side != Side::Sender {
        return Err(super::refuse_side(a, ACTION, &r).await);
    }
    let gate = CaseGate::open(a, &r.case, ACTION, Purpose::CaseWork).await?;
    gate.require_manage(ACTION).await?;
    if r.status() != HandoverStatus::Pending {
        return Err(AppError::conflict(
            Problem::AlreadyAnswered,
            "Överlämningen är redan besvarad eller återkallad.",
        ));
    }
    let dek = vault::dek(a.state(), &r.participant)
        .await?
        .ok_or_else(AppError::shredded)?;
    let eid = new_id();
    let withdrawn = EventLine::HandoverWithdrawn;
    let (eline, etext) = casework::sealed_event(&dek, &eid, Some(&withdrawn), "")?;
    let mut vars = serde_json::Map::new();
    for (k, val) in [
        ("hid", json!(r.id)),
        ("cid", json!(r.case)),
        ("pid", json!(r.participant)),
        ("eorg", json!(r.from_org)),
        ("user", json!(a.user_id())),
        ("now", json!(a.state().clock().now())),
        ("eid", json!(eid)),
        ("eline", eline),
        ("etext", etext),
    ] {
        vars.insert(k.into(), val);
    }
    let body = format!(
        "IF (SELECT VALUE status FROM ONLY type::record('handover', $hid)) != 'pending' {{
            THROW 'conflict:already_answered:Överlämningen är redan besvarad eller återkallad.';
        }};
        UPDATE type::record('handover', $hid) SET status = 'withdrawn', decided_by = $user,
            decided_at = <datetime>$now RETURN NONE;
        {EVENT}"
    );
    let e = entry(ACTION, &r, side);
    audit::commit(a.state(), &who(a), e, &body, vars).await?;
    Ok(())
}
