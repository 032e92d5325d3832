//! Links between cases and groups: a case of the group's own unit joins a group from a date and
//! leaves it on a date, or a link made in error is removed. Each change is one transaction with
//! its timeline event (kind `group`, which the timeline shows only to the unit's group workers)
//! and its audit entry.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value as Json};

use super::{current, group_key, open_group, own_group, reference, refuse_group, GroupRow};
use crate::access::Purpose;
use crate::audit::{self, Entry};
use crate::auth::Authed;
use crate::db::new_id;
use crate::gate::{self, who, CaseGate};
use crate::vault;
use domain::event::EventLine;
use domain::group::{CaseGroupDto, LinkPeriod};
use domain::time::{stored_date, swedish_date};
use domain::{AppError, Capability, Category};

/// The timeline row of a link change, the case's last-entry time and its statistics row — as
/// every casework write leaves them.
const EVENT: &str = "
    CREATE type::record('event', $eid) CONTENT { case: $cid, participant: $pid, kind: 'group', category: 'plan',
        org: $org, author: $user, at: <datetime>$now, line: $eline, text: $etext, source: $esrc, corrected: false } RETURN NONE;
    UPDATE type::record('case', $cid) SET last_entry_at = <datetime>$now RETURN NONE;
    fn::stat_refresh($cid);";

/// Opens the case for a change of its group links: a case of the group's unit that the reader
/// manages (its team or a program lead). Anything else is refused by the gate with one entry —
/// another unit's case as one that does not exist.
async fn managed_case<'a>(
    a: &'a Authed,
    g: &GroupRow,
    case_id: &str,
    action: &str,
) -> Result<CaseGate<'a>, AppError> {
    let gate = CaseGate::open(a, case_id, action, Purpose::CaseWork).await?;
    if gate.case.owner_org != g.org || !gate.manages() {
        return Err(gate.deny(action, &[Category::Plan]).await);
    }
    Ok(gate)
}

/// Runs a link change with its event and audit entry in one transaction.
async fn commit_change(
    a: &Authed,
    gate: &CaseGate<'_>,
    action: &str,
    (group, record): (&str, &str),
    body: &str,
    line: EventLine,
    mut vars: Map<String, Json>,
) -> Result<(), AppError> {
    let dek = vault::dek(a.state(), &gate.case.participant)
        .await?
        .ok_or_else(AppError::shredded)?;
    let eid = new_id();
    let (eline, etext) = crate::casework::sealed_event(&dek, &eid, Some(&line), "")?;
    for (k, v) in [
        ("eid", json!(eid)),
        ("eline", eline),
        ("etext", etext),
        ("esrc", json!(format!("group_link:{record}"))),
        ("cid", json!(gate.case.id)),
        ("pid", json!(gate.case.participant)),
        ("org", json!(a.org_id())),
        ("user", json!(a.user_id())),
        ("now", json!(gate.now)),
        ("link", json!(record)),
        ("g", json!(group)),
    ] {
        vars.insert(k.into(), v);
    }
    let mut e = Entry::new(action);
    e.participants = vec![gate.case.participant.clone()];
    e.case_id = Some(gate.case.id.clone());
    e.categories = vec![Category::Plan.as_str().into()];
    e.purpose = Some(Purpose::CaseWork.as_str().into());
    e.reason = reference(group);
    audit::commit(a.state(), &who(a), e, &format!("{body}\n{EVENT}"), vars).await?;
    Ok(())
}

/// Links a case of the unit to the group for a period. A period that overlaps another link of
/// the same case to the same group is refused.
pub async fn link_case(
    a: &Authed,
    group: &str,
    case_id: &str,
    from: &str,
    to: &str,
) -> Result<String, AppError> {
    let g = own_group(a, group, "group.link").await?;
    let period = LinkPeriod::parse(from, to)?;
    let gate = managed_case(a, &g, case_id, "group.link").await?;
    let id = new_id();
    let body = "
        FOR $l IN (SELECT from, to FROM group_link WHERE group = $g AND case = $cid) {
            IF ($l.to = NONE OR $l.to >= <datetime>$from) AND ($to = NONE OR <datetime>$to >= $l.from) {
                THROW 'invalid:case_id:link_overlap:Ärendet är redan kopplat till gruppen under en del av perioden.';
            };
        };
        CREATE type::record('group_link', $link) CONTENT { group: $g, case: $cid, participant: $pid, org: $org,
            from: <datetime>$from, to: IF $to = NONE THEN NONE ELSE <datetime>$to END,
            added_by: $user, added_at: <datetime>$now } RETURN NONE;";
    let mut vars = Map::new();
    vars.insert("from".into(), json!(stored_date(period.from)));
    vars.insert("to".into(), json!(period.to.map(stored_date)));
    let line = EventLine::GroupLinked {
        from: period.from,
        to: period.to,
    };
    commit_change(a, &gate, "group.link", (&g.id, &id), body, line, vars).await?;
    Ok(id)
}

#[derive(Deserialize)]
struct Link {
    group: String,
    case: String,
    from: DateTime<Utc>,
}

/// The link and its group, for a reader of the group's unit; an unknown link is refused as an
/// unknown group is.
async fn own_link(a: &Authed, link: &str, action: &str) -> Result<(Link, GroupRow), AppError> {
    gate::require(a, Capability::ManageGroups, action).await?;
    let l = match crate::decoy::fetch_or_decoy::<Link>(a.state().db(), "group_link", link).await? {
        Some((true, l)) => l,
        Some((false, decoy)) => {
            // The decoy's group is looked up as a real link's is, and dropped: an unknown link
            // is answered in the time another unit's is.
            drop(
                crate::decoy::fetch::<GroupRow>(a.state().db(), "sspf_group", &decoy.group).await?,
            );
            return Err(refuse_group(a, action, "").await);
        }
        None => return Err(refuse_group(a, action, "").await),
    };
    let g = own_group(a, &l.group, action).await?;
    Ok((l, g))
}

/// Ends a link on a date (not before it began).
pub async fn end_link(a: &Authed, link: &str, to: &str) -> Result<(), AppError> {
    let (l, g) = own_link(a, link, "group.link_end").await?;
    let today = swedish_date(a.state().clock().now());
    let to = domain::input::any_date("to", to)?.unwrap_or(today);
    if to < l.from.date_naive() {
        return Err(AppError::problem(
            "to",
            domain::error::Problem::EndBeforeStart,
            "Kopplingen kan inte sluta innan den har börjat.",
        ));
    }
    let gate = managed_case(a, &g, &l.case, "group.link_end").await?;
    let mut vars = Map::new();
    vars.insert("to".into(), json!(stored_date(to)));
    let body = "UPDATE type::record('group_link', $link) SET to = <datetime>$to RETURN NONE;";
    let line = EventLine::GroupLinkEnded { to };
    commit_change(a, &gate, "group.link_end", (&g.id, link), body, line, vars).await
}

/// Removes a link made in error (the page asks for confirmation first).
pub async fn remove_link(a: &Authed, link: &str) -> Result<(), AppError> {
    let (l, g) = own_link(a, link, "group.link_remove").await?;
    let gate = managed_case(a, &g, &l.case, "group.link_remove").await?;
    let body = "DELETE type::record('group_link', $link);";
    commit_change(
        a,
        &gate,
        "group.link_remove",
        (&g.id, link),
        body,
        EventLine::GroupLinkRemoved,
        Map::new(),
    )
    .await
}

/// The groups a case is linked to, for the case overview of the unit's group workers who may
/// read the case's plan. Everyone else is refused with one entry.
pub async fn case_groups(a: &Authed, case_id: &str) -> Result<Vec<CaseGroupDto>, AppError> {
    gate::require(a, Capability::ManageGroups, "group.case_read").await?;
    let gate = CaseGate::open(a, case_id, "group.case_read", Purpose::CaseWork).await?;
    if gate.case.owner_org != a.org_id() || !gate.may(Category::Plan) {
        return Err(gate.deny("group.case_read", &[Category::Plan]).await);
    }
    let out = groups_of_case(a, &gate.case.id, gate.now).await?;
    let mut e = Entry::new("group.case_read");
    e.participants = vec![gate.case.participant.clone()];
    e.case_id = Some(gate.case.id.clone());
    e.categories = vec![Category::Plan.as_str().into()];
    e.purpose = Some(Purpose::CaseWork.as_str().into());
    audit::append(a.state(), &who(a), e).await?;
    Ok(out)
}

/// The reader's unit's links of a case, with the groups' names opened.
async fn groups_of_case(
    a: &Authed,
    case_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<CaseGroupDto>, AppError> {
    #[derive(Deserialize)]
    struct L {
        id: String,
        group: String,
        from: DateTime<Utc>,
        to: Option<DateTime<Utc>>,
    }
    let mut rows = a
        .state()
        .db()
        .q(format!(
            "SELECT record::id(id) AS id, group, from, to FROM group_link WHERE case = $c AND org = $org ORDER BY from DESC;
             SELECT {} FROM fn::records('sspf_group', (SELECT VALUE group FROM group_link WHERE case = $c AND org = $org)) WHERE id != NONE;",
            super::GROUP_FIELDS
        ))
        .bind("c", case_id)
        .bind("org", a.org_id())
        .run()
        .await?;
    let links: Vec<L> = rows.all(0)?;
    let groups: Vec<GroupRow> = rows.all(1)?;
    let mut out = Vec::new();
    for l in links {
        let Some(g) = groups.iter().find(|g| g.id == l.group) else {
            continue;
        };
        let k = group_key(a.state(), &g.id).await?;
        let (name, _) = open_group(&k, g)?;
        out.push(CaseGroupDto {
            current: current(l.from, l.to, now),
            link_id: l.id,
            group_id: l.group,
            name,
            from: l.from.date_naive(),
            to: l.to.map(|t| t.date_naive()),
        });
    }
    Ok(out)
}

/// The groups of a case for its overview, whose one `case.read` entry covers this read: for
/// the owning unit's group workers (the caller has checked that the reader may read the plan),
/// empty for everyone else.
pub(crate) async fn on_overview(
    a: &Authed,
    case_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<CaseGroupDto>, AppError> {
    if !a.can(Capability::ManageGroups) {
        return Ok(Vec::new());
    }
    groups_of_case(a, case_id, now).await
}
