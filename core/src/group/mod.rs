//! SSPF groups (the group level of SSPF): young people known to act together, followed by the
//! social-services unit that owns the group, with the cases of its members linked for a period.
//!
//! Only the owning unit's staff who work with groups (`Capability::ManageGroups`: case workers
//! and program leads) see a group, its links or that a case is in one. Everyone else is refused
//! with one `deny` entry; a group id that does not exist, is not an id or belongs to another unit
//! is answered alike (`NotFound`, after the same kind of entry), so the answer does not tell
//! whether the group exists. The timeline leaves link events out for everyone but those staff.
//!
//! A group's working label and description belong to no participant, so they are sealed with a
//! data key of the group's own. It is stored wrapped by the KEK beside the participants' keys,
//! as `participant_key:group_<id>`: key rotation rewraps it with the rest, and shredding a
//! member leaves the group readable.

mod links;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::access::{self, Purpose};
use super::audit::{self, Entry, Who};
use super::auth::Authed;
use super::crypto::Dek;
use super::db::{new_id, valid_id};
use super::gate::{self, who};
use super::sealed_fields;
use super::state::AppState;
use super::subject::{self, actor};
use super::vault;
use domain::group::{GroupDto, GroupInput, GroupMemberDto, GroupView};
use domain::time::swedish_date;
use domain::{AppError, Capability, CaseStatus, Category};

pub(crate) use links::on_overview;
pub use links::{case_groups, end_link, link_case, remove_link};

/// The id of a group's data key among the wrapped keys.
pub(crate) fn key_id(group: &str) -> String {
    format!("group_{group}")
}

/// A group as stored; `name` and `description` are sealed with the group's key.
#[derive(Deserialize, Clone)]
pub(crate) struct GroupRow {
    pub id: String,
    pub org: String,
    pub municipality: String,
    pub name: String,
    pub description: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

const GROUP_FIELDS: &str =
    "record::id(id) AS id, org, municipality, name, description, active, created_at";

/// The group's data key. A group always has one; a missing key is a broken store.
async fn group_key(state: &AppState, group: &str) -> Result<Arc<Dek>, AppError> {
    vault::dek(state, &key_id(group)).await?.ok_or_else(|| {
        tracing::error!("an SSPF group has no data key");
        AppError::Internal
    })
}

/// The group's label and description opened.
fn open_group(k: &Dek, g: &GroupRow) -> Result<(String, String), AppError> {
    let name = vault::open(k, "sspf_group", &g.id, "name", &g.name)?.expose();
    let description = match &g.description {
        Some(d) => vault::open(k, "sspf_group", &g.id, "description", d)?.expose(),
        None => String::new(),
    };
    Ok((name, description))
}

/// The audit reference of a group id from the outside: only a well-formed id is written.
fn reference(group: &str) -> Option<String> {
    valid_id(group).then(|| format!("sspf_group:{group}"))
}

/// One `deny` entry for `action` on a group, and `NotFound`: the same for a group that does not
/// exist and for another unit's group.
pub(crate) async fn refuse_group(a: &Authed, action: &str, group: &str) -> AppError {
    let mut e = Entry::new(action);
    e.decision = "deny".into();
    e.reason = reference(group);
    match audit::append(a.state(), &who(a), e).await {
        Ok(_) => AppError::NotFound,
        Err(err) => err,
    }
}

/// A group of the reader's own unit, for a reader who works with groups; anything else is
/// refused here with one `deny` entry.
pub(crate) async fn own_group(a: &Authed, group: &str, action: &str) -> Result<GroupRow, AppError> {
    gate::require(a, Capability::ManageGroups, action).await?;
    // An id no group has (or that cannot be one) reads the decoy group in its place.
    let row: Option<GroupRow> = crate::decoy::fetch(a.state().db(), "sspf_group", group).await?;
    match row {
        Some(g) if g.org == a.org_id() => Ok(g),
        _ => Err(refuse_group(a, action, group).await),
    }
}

/// Creates a group of the reader's unit, with its own data key, in one audited transaction.
pub async fn create(a: &Authed, input: GroupInput) -> Result<String, AppError> {
    gate::require(a, Capability::ManageGroups, "group.create").await?;
    create_by(a.state(), &who(a), &new_id(), &input).await
}

/// Writes a group of `by.org` under `id` (also the demo loader's way in).
pub(crate) async fn create_by(
    state: &AppState,
    by: &Who,
    id: &str,
    input: &GroupInput,
) -> Result<String, AppError> {
    let (dek, wrapped) = vault::new_dek(state, &key_id(id))?;
    // The fields `sealed_fields::SSPF_GROUP` names, in its order.
    let mut sealed = Vec::with_capacity(2);
    for (field, value) in sealed_fields::SSPF_GROUP
        .iter()
        .zip([&input.name, &input.description])
    {
        sealed.push(vault::seal_opt(&dek, "sspf_group", id, field, value)?);
    }
    let [name, description]: [Option<String>; 2] =
        sealed.try_into().map_err(|_| AppError::Internal)?;
    let body = "
        LET $m = (SELECT VALUE municipalities FROM ONLY type::record('org', $org));
        IF $m = NONE OR (SELECT VALUE kind FROM ONLY type::record('org', $org)) != 'social_services' {
            THROW 'invalid:name:group_social_only:Bara socialtjänsten kan ha SSPF-grupper.';
        };
        CREATE type::record('participant_key', $kid) CONTENT { generation: $gen, wrapped: $wrapped, kek_version: $kekv } RETURN NONE;
        CREATE type::record('sspf_group', $id) CONTENT { org: $org, municipality: $m[0], name: $name,
            description: $description, active: true, created_by: $user, created_at: <datetime>$now } RETURN NONE;";
    let mut e = Entry::new("group.create");
    e.reason = reference(id);
    let vars = [
        ("id", json!(id)),
        ("kid", json!(key_id(id))),
        ("gen", json!(dek.generation())),
        ("wrapped", json!(wrapped.encode())),
        ("kekv", json!(wrapped.kek_version())),
        ("name", json!(name)),
        ("description", json!(description)),
        ("org", json!(by.org)),
        ("user", json!(by.user)),
        ("now", json!(state.clock().now())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    audit::commit(state, by, e, body, vars).await?;
    Ok(id.to_string())
}

#[derive(Deserialize)]
struct LinkRow {
    id: String,
    group: String,
    case: String,
    participant: String,
    from: DateTime<Utc>,
    to: Option<DateTime<Utc>>,
}

/// Whether a link holds on `now`'s Swedish date.
fn current(from: DateTime<Utc>, to: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    let today = swedish_date(now);
    from.date_naive() <= today && to.is_none_or(|t| today <= t.date_naive())
}

/// The unit's groups, newest first, with how many links hold today. One audit entry.
pub async fn list(a: &Authed) -> Result<Vec<GroupDto>, AppError> {
    gate::require(a, Capability::ManageGroups, "group.list").await?;
    let mut rows = a
        .state()
        .db()
        .q(format!(
            "SELECT {GROUP_FIELDS} FROM sspf_group WHERE org = $org ORDER BY created_at DESC;
             SELECT record::id(id) AS id, group, case, participant, from, to FROM group_link WHERE org = $org;"
        ))
        .bind("org", a.org_id())
        .run()
        .await?;
    let groups: Vec<GroupRow> = rows.all(0)?;
    let links: Vec<LinkRow> = rows.all(1)?;
    let now = a.state().clock().now();
    let mut out = Vec::with_capacity(groups.len());
    for g in groups {
        let k = group_key(a.state(), &g.id).await?;
        let (name, description) = open_group(&k, &g)?;
        out.push(GroupDto {
            current_links: links
                .iter()
                .filter(|l| l.group == g.id && current(l.from, l.to, now))
                .count(),
            id: g.id,
            name,
            description,
            municipality: g.municipality,
            active: g.active,
            created_on: swedish_date(g.created_at),
        });
    }
    let mut e = Entry::new("group.list");
    e.reason = Some(format!("groups:{}", out.len()));
    audit::append(a.state(), &who(a), e).await?;
    Ok(out)
}

#[derive(Deserialize)]
struct CaseRow {
    id: String,
    status: String,
    responsible: String,
    next_review: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct PersonRow {
    id: String,
    first_name: String,
    last_name: String,
}

/// The group view: each linked case the reader may read (its plan) with status, link period,
/// responsible case worker and next review; the person's name only where the reader may see the
/// identity. Links to cases the reader may not read are counted, not shown. One audit entry
/// naming the people shown.
pub async fn view(a: &Authed, group: &str) -> Result<GroupView, AppError> {
    let g = own_group(a, group, "group.read").await?;
    let mut rows = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, group, case, participant, from, to FROM group_link WHERE group = $g ORDER BY from, id;
            SELECT record::id(id) AS id, participant, status, responsible, next_review FROM fn::records('case', (SELECT VALUE case FROM group_link WHERE group = $g))
                WHERE id != NONE;
            SELECT record::id(id) AS id, first_name, last_name FROM fn::records('participant', (SELECT VALUE participant FROM group_link WHERE group = $g))
                WHERE id != NONE;
            SELECT record::id(id) AS id, display_name FROM user WHERE org = $org;
            LET $ps = (SELECT VALUE participant FROM group_link WHERE group = $g);"
            .to_string()
            + subject::FACTS)
        .bind("g", group)
        .bind("org", a.org_id())
        .bind("user", a.user_id())
        .bind("now", a.state().clock().now())
        .run()
        .await?;
    let links: Vec<LinkRow> = rows.all(0)?;
    let cases: HashMap<String, CaseRow> = rows
        .all::<CaseRow>(1)?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let people: HashMap<String, PersonRow> = rows
        .all::<PersonRow>(2)?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    #[derive(Deserialize)]
    struct U {
        id: String,
        display_name: String,
    }
    let users: HashMap<String, String> = rows
        .all::<U>(3)?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let subjects = subject::from_rows(&mut rows, 5)?;
    let now = a.state().clock().now();
    let me = actor(a);
    let mut members = Vec::new();
    let mut not_shown = 0;
    let mut shown_people: Vec<String> = Vec::new();
    let mut categories = vec![Category::Plan];
    for l in links {
        let (Some(c), Some(s)) = (cases.get(&l.case), subjects.get(&l.participant)) else {
            not_shown += 1;
            continue;
        };
        if !access::may(&me, s, Category::Plan, Purpose::CaseWork, now).allowed() {
            not_shown += 1;
            continue;
        }
        let person = match (
            access::may(&me, s, Category::Identity, Purpose::CaseWork, now).allowed(),
            people.get(&l.participant),
            vault::dek(a.state(), &l.participant).await?,
        ) {
            (true, Some(p), Some(k)) => {
                if !categories.contains(&Category::Identity) {
                    categories.push(Category::Identity);
                }
                vault::show_name(a.state(), &k, &p.id, &p.first_name, &p.last_name).text()
            }
            _ => domain::MASK.to_string(),
        };
        if !shown_people.contains(&l.participant) {
            shown_people.push(l.participant.clone());
        }
        members.push(GroupMemberDto {
            current: current(l.from, l.to, now),
            link_id: l.id,
            case_id: l.case,
            person,
            status: CaseStatus::parse(&c.status).unwrap_or(CaseStatus::Referred),
            from: l.from.date_naive(),
            to: l.to.map(|t| t.date_naive()),
            responsible: users.get(&c.responsible).cloned().unwrap_or_default(),
            next_review: c.next_review.map(|d| d.date_naive()),
        });
    }
    let k = group_key(a.state(), &g.id).await?;
    let (name, description) = open_group(&k, &g)?;
    let mut e = Entry::new("group.read");
    e.participants = shown_people;
    e.categories = categories.iter().map(|c| c.as_str().to_string()).collect();
    e.purpose = Some(Purpose::CaseWork.as_str().into());
    e.reason = reference(&g.id);
    audit::append(a.state(), &who(a), e).await?;
    Ok(GroupView {
        group: GroupDto {
            current_links: members.iter().filter(|m| m.current).count(),
            id: g.id,
            name,
            description,
            municipality: g.municipality,
            active: g.active,
            created_on: swedish_date(g.created_at),
        },
        members,
        not_shown,
        can_edit: a.can(Capability::ManageGroups),
    })
}
