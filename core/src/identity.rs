//! Organisations and user accounts: the admin's repository.
//!
//! Only `admin` may change them. Nothing here reads case content, and the admin role is refused
//! by every case repository, so an administrator manages accounts without seeing any person.
//!
//! Every change is one audited act, written in the same transaction as the change itself
//! (`audit::commit`): `org.create`, `org.update`, `org.deactivate`, `user.create`,
//! `user.update`, `user.role_change` (old → new role in the reason), `user.deactivate` and
//! `user.password_reset`, each naming the organisation or user it touched in `reason` (never a
//! password). A conflicting or refused change rolls back with its entry; a non-administrator
//! calling any of these leaves one `deny` entry. The command line acts as `system`.

use chrono::{DateTime, Utc};
use domain::Problem;
use serde::Deserialize;

use serde_json::json;

use super::audit::{self, Entry, Who};
use super::auth::Authed;
use super::db::{new_id, valid_id, Db};
use super::gate::{require, who};
use super::password;
use super::state::AppState;
use domain::language::Language;
use domain::{
    parse_municipalities, AppError, Capability, DisplayName, NewPassword, OrgDto, OrgKind, Role,
    UserDto, Username,
};

#[derive(Deserialize)]
struct OrgRow {
    id: String,
    name: String,
    kind: String,
    municipalities: Vec<String>,
    active: bool,
    version: i64,
}

impl OrgRow {
    fn dto(self) -> Result<OrgDto, AppError> {
        Ok(OrgDto {
            id: self.id,
            name: self.name,
            kind: OrgKind::parse(&self.kind).map_err(|_| AppError::Internal)?,
            municipalities: self.municipalities,
            active: self.active,
            version: self.version,
        })
    }
}

#[derive(Deserialize)]
struct UserRow {
    id: String,
    username: String,
    display_name: String,
    org: String,
    role: String,
    active: bool,
    locked_until: Option<DateTime<Utc>>,
    version: i64,
}

/// A validated organisation form.
pub struct OrgInput {
    pub name: DisplayName,
    pub kind: OrgKind,
    pub municipalities: Vec<String>,
}

impl OrgInput {
    pub fn parse(name: &str, kind: &str, municipalities: &str) -> Result<OrgInput, AppError> {
        Ok(OrgInput {
            name: DisplayName::parse("name", name)?,
            kind: OrgKind::parse(kind)?,
            municipalities: parse_municipalities(municipalities)?,
        })
    }
}

/// A validated new-user form.
pub struct NewUserInput {
    pub username: Username,
    pub display_name: DisplayName,
    pub org_id: String,
    pub role: Role,
    pub password: NewPassword,
}

fn check_id(field: &str, id: &str) -> Result<(), AppError> {
    if valid_id(id) {
        Ok(())
    } else {
        Err(AppError::problem(
            field,
            domain::error::Problem::Unknown,
            "Ogiltigt id.",
        ))
    }
}

const STALE: &str = "conflict:stale:Någon annan har ändrat uppgifterna medan du arbetade. Ladda om sidan och gör om ändringen.";

fn stale() -> AppError {
    AppError::conflict(Problem::Stale, STALE.trim_start_matches("conflict:stale:"))
}

fn vars<const N: usize>(
    pairs: [(&str, serde_json::Value); N],
) -> serde_json::Map<String, serde_json::Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

// ---- reads open to every signed-in user (names of organisations are not personal data) ----

pub async fn list_orgs(who: &Authed) -> Result<Vec<OrgDto>, AppError> {
    list_orgs_db(who.state().db()).await
}

async fn list_orgs_db(db: &Db) -> Result<Vec<OrgDto>, AppError> {
    let rows: Vec<OrgRow> = db
        .q("SELECT *, record::id(id) AS id FROM org ORDER BY name")
        .run()
        .await?
        .all(0)?;
    rows.into_iter().map(OrgRow::dto).collect()
}

// ---- admin ----

/// Refuses anyone but an administrator, leaving one `deny` entry with `action`.
pub async fn require_admin(a: &Authed, action: &str) -> Result<(), AppError> {
    require(a, Capability::Administer, action).await
}

pub async fn create_org(a: &Authed, input: OrgInput) -> Result<OrgDto, AppError> {
    require_admin(a, "org.create").await?;
    insert_org_by(a.state(), &who(a), &new_id(), input).await
}

/// Creates an organisation as the system (demo data, the command line).
pub(crate) async fn insert_org(
    state: &AppState,
    id: &str,
    input: OrgInput,
) -> Result<OrgDto, AppError> {
    insert_org_by(state, &Who::system(), id, input).await
}

async fn insert_org_by(
    state: &AppState,
    by: &Who,
    id: &str,
    input: OrgInput,
) -> Result<OrgDto, AppError> {
    check_id("id", id)?;
    let body = "
        IF (SELECT VALUE id FROM org WHERE name = $name) != [] {
            THROW 'invalid:name:name_taken:Det finns redan en organisation med det namnet.';
        };
        CREATE type::record('org', $id) CONTENT { name: $name, kind: $kind, municipalities: $m,
            active: true, version: 1, created_at: time::now() } RETURN NONE;";
    let mut e = Entry::new("org.create");
    e.reason = Some(format!(
        "org:{id} \"{}\" ({})",
        input.name.as_str(),
        input.kind.as_str()
    ));
    let v = vars([
        ("id", json!(id)),
        ("name", json!(input.name.as_str())),
        ("kind", json!(input.kind.as_str())),
        ("m", json!(input.municipalities)),
    ]);
    audit::commit(state, by, e, body, v).await?;
    crate::names::forget_org(state, id);
    org_row(state.db(), id)
        .await?
        .ok_or(AppError::Internal)?
        .dto()
}

async fn org_row(db: &Db, id: &str) -> Result<Option<OrgRow>, AppError> {
    Ok(db
        .q("SELECT *, record::id(id) AS id FROM ONLY type::record('org', $id)")
        .bind("id", id)
        .run()
        .await?
        .first(0)?)
}

pub async fn update_org(
    a: &Authed,
    id: &str,
    version: i64,
    input: OrgInput,
    active: bool,
) -> Result<OrgDto, AppError> {
    require_admin(a, "org.update").await?;
    check_id("id", id)?;
    if !active && id == a.org_id() {
        return Err(AppError::problem(
            "active",
            Problem::OwnOrg,
            "Du kan inte inaktivera din egen organisation.",
        ));
    }
    let db = a.state().db();
    let old = org_row(db, id).await?.ok_or(AppError::NotFound)?;
    if old.version != version {
        return Err(stale());
    }
    // The entry is written before the transaction runs; the version check inside it makes sure
    // the row it describes is still the one changed.
    let mut changes = Vec::new();
    if old.name != input.name.as_str() {
        changes.push(format!("name \"{}\"→\"{}\"", old.name, input.name.as_str()));
    }
    if old.kind != input.kind.as_str() {
        changes.push(format!("kind {}→{}", old.kind, input.kind.as_str()));
    }
    if old.municipalities != input.municipalities {
        changes.push(format!(
            "municipalities {}→{}",
            old.municipalities.join(","),
            input.municipalities.join(",")
        ));
    }
    if old.active != active {
        changes.push(format!("active {}→{active}", old.active));
    }
    let action = if old.active && !active {
        "org.deactivate"
    } else {
        "org.update"
    };
    let mut e = Entry::new(action);
    e.reason = Some(describe("org", id, &changes));
    let body = format!(
        "IF (SELECT VALUE id FROM org WHERE name = $name AND record::id(id) != $id) != [] {{
            THROW 'invalid:name:name_taken:Det finns redan en organisation med det namnet.';
        }};
        LET $upd = UPDATE type::record('org', $id) SET name = $name, kind = $kind, municipalities = $m,
            active = $active, version += 1 WHERE version = $v RETURN record::id(id) AS id;
        IF array::len($upd) = 0 {{ THROW '{STALE}' }};"
    );
    let v = vars([
        ("id", json!(id)),
        ("v", json!(version)),
        ("name", json!(input.name.as_str())),
        ("kind", json!(input.kind.as_str())),
        ("m", json!(input.municipalities)),
        ("active", json!(active)),
    ]);
    audit::commit(a.state(), &who(a), e, &body, v).await?;
    crate::names::forget_org(a.state(), id);
    org_row(db, id).await?.ok_or(AppError::NotFound)?.dto()
}

/// `org:<id>; change; change` (or `; no change`).
fn describe(kind: &str, id: &str, changes: &[String]) -> String {
    if changes.is_empty() {
        format!("{kind}:{id}; no change")
    } else {
        format!("{kind}:{id}; {}", changes.join("; "))
    }
}

pub async fn list_users(a: &Authed) -> Result<Vec<UserDto>, AppError> {
    require_admin(a, "user.list").await?;
    let db = a.state().db();
    let orgs = list_orgs_db(db).await?;
    let rows: Vec<UserRow> = db
        .q("SELECT *, record::id(id) AS id FROM user ORDER BY username")
        .run()
        .await?
        .all(0)?;
    rows.into_iter()
        .map(|u| {
            let org_name = orgs
                .iter()
                .find(|o| o.id == u.org)
                .map(|o| o.name.clone())
                .unwrap_or_default();
            Ok(UserDto {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                org_id: u.org,
                org_name,
                role: Role::parse(&u.role).map_err(|_| AppError::Internal)?,
                active: u.active,
                locked_until: u.locked_until,
                version: u.version,
            })
        })
        .collect()
}

pub async fn create_user(a: &Authed, input: NewUserInput) -> Result<String, AppError> {
    require_admin(a, "user.create").await?;
    insert_user_by(a.state(), &who(a), &new_id(), input).await
}

/// Creates an account as the system (demo data, `utvag user add`).
pub(crate) async fn insert_user(
    state: &AppState,
    id: &str,
    input: NewUserInput,
) -> Result<String, AppError> {
    insert_user_by(state, &Who::system(), id, input).await
}

async fn insert_user_by(
    state: &AppState,
    by: &Who,
    id: &str,
    input: NewUserInput,
) -> Result<String, AppError> {
    check_id("org", &input.org_id)?;
    check_id("id", id)?;
    let pw = input.password.expose().to_string();
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|_| AppError::Internal)?;
    insert_user_hashed(state, by, id, input, hash).await
}

/// Creates a user whose password is already hashed (`password::hash`): the demo users share the
/// public demo password, so its hash is computed once, not once per user and load.
pub(crate) async fn insert_user_hashed(
    state: &AppState,
    by: &Who,
    id: &str,
    input: NewUserInput,
    hash: String,
) -> Result<String, AppError> {
    check_id("org", &input.org_id)?;
    check_id("id", id)?;
    let body = "
        IF !record::exists(type::record('org', $org)) { THROW 'invalid:org:unknown:Organisationen finns inte.' };
        IF (SELECT VALUE id FROM user WHERE username = $u) != [] { THROW 'invalid:username:username_taken:Användarnamnet är upptaget.' };
        CREATE type::record('user', $id) CONTENT { username: $u, display_name: $d, org: $org, role: $role,
            password_hash: $h, active: true, failed_logins: 0, locked_until: NONE, version: 1,
            created_at: time::now() } RETURN NONE;";
    let mut e = Entry::new("user.create");
    e.reason = Some(format!(
        "user:{id} ({}); org:{}; role {}",
        input.username.as_str(),
        input.org_id,
        input.role.as_str()
    ));
    let v = vars([
        ("id", json!(id)),
        ("u", json!(input.username.as_str())),
        ("d", json!(input.display_name.as_str())),
        ("org", json!(input.org_id)),
        ("role", json!(input.role.as_str())),
        ("h", json!(hash)),
    ]);
    audit::commit(state, by, e, body, v).await?;
    crate::names::forget_user(state, id);
    Ok(id.to_string())
}

pub struct UserUpdate {
    pub display_name: DisplayName,
    pub org_id: String,
    pub role: Role,
    pub active: bool,
}

pub async fn update_user(
    a: &Authed,
    id: &str,
    version: i64,
    u: UserUpdate,
) -> Result<(), AppError> {
    require_admin(a, "user.update").await?;
    check_id("id", id)?;
    check_id("org", &u.org_id)?;
    if id == a.user_id() && (!u.active || u.role != Role::Admin) {
        return Err(AppError::problem(
            "active",
            Problem::OwnAccount,
            "Du kan inte inaktivera ditt eget konto eller ta bort din egen administratörsroll.",
        ));
    }
    let db = a.state().db();
    let old: UserRow = db
        .q("SELECT *, record::id(id) AS id FROM ONLY type::record('user', $id)")
        .bind("id", id)
        .run()
        .await?
        .first(0)?
        .ok_or(AppError::NotFound)?;
    if old.version != version {
        return Err(stale());
    }
    let mut changes = Vec::new();
    if old.role != u.role.as_str() {
        changes.push(format!("role {}→{}", old.role, u.role.as_str()));
    }
    if old.org != u.org_id {
        changes.push(format!("org {}→{}", old.org, u.org_id));
    }
    if old.active != u.active {
        changes.push(format!("active {}→{}", old.active, u.active));
    }
    if old.display_name != u.display_name.as_str() {
        changes.push("display name changed".to_string());
    }
    let action = if old.active && !u.active {
        "user.deactivate"
    } else if old.role != u.role.as_str() {
        "user.role_change"
    } else {
        "user.update"
    };
    let mut e = Entry::new(action);
    e.reason = Some(describe("user", id, &changes));
    let body = format!(
        "IF !record::exists(type::record('org', $org)) {{ THROW 'invalid:org:unknown:Organisationen finns inte.' }};
        LET $upd = UPDATE type::record('user', $id) SET display_name = $d, org = $org, role = $role,
            active = $active, version += 1 WHERE version = $v RETURN record::id(id) AS id;
        IF array::len($upd) = 0 {{ THROW '{STALE}' }};
        IF !$active {{ DELETE session WHERE user = $id }};"
    );
    let v = vars([
        ("id", json!(id)),
        ("v", json!(version)),
        ("d", json!(u.display_name.as_str())),
        ("org", json!(u.org_id)),
        ("role", json!(u.role.as_str())),
        ("active", json!(u.active)),
    ]);
    audit::commit(a.state(), &who(a), e, &body, v).await?;
    crate::names::forget_user(a.state(), id);
    Ok(())
}

/// Sets a new password, clears any lock, ends every session of that user and marks the account
/// as reset by an administrator: log review flags the act, and the user is told at their next
/// sign-in ([`take_admin_reset_notice`]).
pub async fn reset_password(a: &Authed, id: &str, new: NewPassword) -> Result<(), AppError> {
    require_admin(a, "user.password_reset").await?;
    check_id("id", id)?;
    let pw = new.expose().to_string();
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|_| AppError::Internal)?;
    let body = "
        LET $upd = UPDATE type::record('user', $id) SET password_hash = $h, failed_logins = 0,
            locked_until = NONE, reset_by_admin_at = <datetime>$now, version += 1 RETURN record::id(id) AS id;
        IF array::len($upd) = 0 { THROW 'notfound' };
        DELETE session WHERE user = $id;";
    let mut e = Entry::new("user.password_reset");
    e.reason = Some(format!("user:{id}"));
    let v = vars([
        ("id", json!(id)),
        ("h", json!(hash)),
        ("now", json!(a.state().clock().now())),
    ]);
    audit::commit(a.state(), &who(a), e, body, v).await?;
    Ok(())
}

/// When an administrator last set this user's password, if the user has not been told yet;
/// taking it clears it (one atomic statement, so two sign-ins cannot both miss or both show
/// it). Called at sign-in, to show the user that someone else chose their password.
pub async fn take_admin_reset_notice(
    state: &AppState,
    user_id: &str,
) -> Result<Option<DateTime<Utc>>, AppError> {
    if !valid_id(user_id) {
        return Ok(None);
    }
    Ok(state
        .db()
        .q(
            "UPDATE type::record('user', $id) SET reset_by_admin_at = NONE
            WHERE reset_by_admin_at != NONE RETURN VALUE $before.reset_by_admin_at",
        )
        .bind("id", user_id)
        .run()
        .await?
        .first(0)?)
}

/// The interface language the user chose, if any (read at sign-in to set the page language).
pub async fn language_of(state: &AppState, user_id: &str) -> Result<Option<Language>, AppError> {
    if !valid_id(user_id) {
        return Ok(None);
    }
    let code: Option<String> = state
        .db()
        .q("SELECT VALUE language FROM ONLY type::record('user', $id)")
        .bind("id", user_id)
        .run()
        .await?
        .first(0)?;
    Ok(code.as_deref().and_then(Language::from_code))
}

/// Remembers the signed-in user's interface language in their account, so it follows them to
/// another computer. A preference of their own, not case data: not audited.
pub async fn set_own_language(who: &Authed, language: Language) -> Result<(), AppError> {
    who.state()
        .db()
        .q("UPDATE type::record('user', $id) SET language = $lang RETURN NONE")
        .bind("id", who.user_id())
        .bind("lang", language.code())
        .run()
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::review::{flagged_reads, Flag};
    use crate::audit::Row;
    use crate::demo::ORG_GBG;
    use crate::testing::{as_user, setup};

    const PASSWORD: &str = "ett-hemligt-lösenord-42";

    /// Every entry after position `after`, oldest first.
    async fn since(state: &AppState, after: i64) -> Vec<Row> {
        state
            .db()
            .q("SELECT * OMIT id FROM audit WHERE seq > $s ORDER BY seq")
            .bind("s", after)
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap()
    }

    async fn last_seq(state: &AppState) -> i64 {
        audit::head(state).await.unwrap().0
    }

    /// Runs `act` and returns the entries it left.
    macro_rules! entries_of {
        ($state:expr, $act:expr) => {{
            let before = last_seq($state).await;
            let result = $act.await;
            (result, since($state, before).await)
        }};
    }

    fn one<'a>(rows: &'a [Row], action: &str) -> &'a Row {
        assert_eq!(
            rows.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
            vec![action],
            "{rows:?}"
        );
        &rows[0]
    }

    #[tokio::test]
    async fn a_chosen_language_is_kept_in_the_account_of_the_one_who_chose_it() {
        let state = setup().await;
        let worker = as_user(&state, "handlaggare").await;
        let partner = as_user(&state, "passus").await;
        assert_eq!(language_of(&state, worker.user_id()).await.unwrap(), None);
        set_own_language(&worker, Language::English).await.unwrap();
        assert_eq!(
            language_of(&state, worker.user_id()).await.unwrap(),
            Some(Language::English)
        );
        assert_eq!(language_of(&state, partner.user_id()).await.unwrap(), None);
        set_own_language(&worker, Language::Swedish).await.unwrap();
        assert_eq!(
            language_of(&state, worker.user_id()).await.unwrap(),
            Some(Language::Swedish)
        );
        // The schema takes no other value, whatever a caller writes.
        let forced = state
            .db()
            .q("UPDATE type::record('user', $id) SET language = 'de'")
            .bind("id", worker.user_id())
            .run()
            .await;
        assert!(forced.is_err(), "a language outside the list was stored");
        assert_eq!(language_of(&state, "no-such-user").await.unwrap(), None);
    }

    #[tokio::test]
    async fn every_administrative_act_leaves_exactly_one_entry_written_with_it() {
        let state = setup().await;
        let admin = as_user(&state, "admin").await;
        let worker = as_user(&state, "handlaggare").await;
        let reviewer = as_user(&state, "granskare").await;
        let org_input = |name: &str| OrgInput::parse(name, "ngo", "Göteborg").unwrap();

        // Organisations.
        let (org, rows) = entries_of!(&state, create_org(&admin, org_input("Stödföreningen")));
        let org = org.unwrap();
        let e = one(&rows, "org.create");
        assert_eq!(
            (e.actor.as_str(), e.decision.as_str()),
            ("demo_admin", "allow")
        );
        assert!(e
            .reason
            .as_deref()
            .unwrap()
            .contains(&format!("org:{}", org.id)));
        let (dup, rows) = entries_of!(&state, create_org(&admin, org_input("Stödföreningen")));
        assert_eq!(dup.unwrap_err().field(), Some("name"));
        assert!(
            rows.is_empty(),
            "a refused create leaves no entry: {rows:?}"
        );

        let (renamed, rows) = entries_of!(
            &state,
            update_org(
                &admin,
                &org.id,
                org.version,
                org_input("Stödföreningen Väst"),
                true
            )
        );
        let renamed = renamed.unwrap();
        let e = one(&rows, "org.update");
        assert!(e.reason.as_deref().unwrap().contains("name"), "{e:?}");
        // A stale form: nothing changes and nothing is recorded.
        let (stale, rows) = entries_of!(
            &state,
            update_org(&admin, &org.id, org.version, org_input("Något annat"), true)
        );
        assert!(matches!(stale, Err(AppError::Conflict { .. })), "{stale:?}");
        assert!(rows.is_empty(), "{rows:?}");
        let (_, rows) = entries_of!(
            &state,
            update_org(
                &admin,
                &org.id,
                renamed.version,
                org_input("Stödföreningen Väst"),
                false
            )
        );
        let e = one(&rows, "org.deactivate");
        assert!(
            e.reason.as_deref().unwrap().contains("active true→false"),
            "{e:?}"
        );

        // Accounts.
        let input = NewUserInput {
            username: Username::parse("ny.handlaggare").unwrap(),
            display_name: DisplayName::parse("display_name", "Ny Handläggare").unwrap(),
            org_id: ORG_GBG.into(),
            role: Role::CaseWorker,
            password: NewPassword::parse(PASSWORD).unwrap(),
        };
        let (uid, rows) = entries_of!(&state, create_user(&admin, input));
        let uid = uid.unwrap();
        let e = one(&rows, "user.create");
        assert!(
            e.reason
                .as_deref()
                .unwrap()
                .contains(&format!("user:{uid}")),
            "{e:?}"
        );
        let update = |role: Role, active: bool| UserUpdate {
            display_name: DisplayName::parse("display_name", "Ny Handläggare").unwrap(),
            org_id: ORG_GBG.into(),
            role,
            active,
        };
        let (r, rows) = entries_of!(
            &state,
            update_user(&admin, &uid, 1, update(Role::ProgramLead, true))
        );
        r.unwrap();
        let e = one(&rows, "user.role_change");
        assert_eq!(
            e.reason.as_deref(),
            Some(format!("user:{uid}; role case_worker→program_lead").as_str())
        );
        let (stale, rows) = entries_of!(
            &state,
            update_user(&admin, &uid, 1, update(Role::Admin, true))
        );
        assert!(matches!(stale, Err(AppError::Conflict { .. })), "{stale:?}");
        assert!(
            rows.is_empty(),
            "a conflicting update leaves no entry: {rows:?}"
        );
        let role: String = state
            .db()
            .q("SELECT VALUE role FROM ONLY type::record('user', $id)")
            .bind("id", &uid)
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap()
            .unwrap();
        assert_eq!(role, "program_lead");

        // An administrator sets the password: audited, flagged, and the user is told once.
        let (r, rows) = entries_of!(
            &state,
            reset_password(&admin, &uid, NewPassword::parse(PASSWORD).unwrap())
        );
        r.unwrap();
        let e = one(&rows, "user.password_reset");
        assert_eq!(e.reason.as_deref(), Some(format!("user:{uid}").as_str()));
        let told = take_admin_reset_notice(&state, &uid).await.unwrap();
        assert!(told.is_some());
        assert_eq!(take_admin_reset_notice(&state, &uid).await.unwrap(), None);
        let flagged = flagged_reads(&reviewer, 1).await.unwrap();
        assert!(flagged
            .iter()
            .any(|f| f.read.row.action == "user.password_reset"
                && f.flags == vec![Flag::AdminReset]
                && f.read.row.reason.as_deref() == Some(&format!("user:{uid}"))));

        let (r, rows) = entries_of!(
            &state,
            update_user(&admin, &uid, 3, update(Role::ProgramLead, false))
        );
        r.unwrap();
        one(&rows, "user.deactivate");

        // Someone who is not an administrator: refused, and the refusal is in the log.
        let (r, rows) = entries_of!(&state, create_org(&worker, org_input("Smygorganisationen")));
        assert_eq!(r.unwrap_err(), AppError::Forbidden);
        let e = one(&rows, "org.create");
        assert_eq!(
            (e.actor.as_str(), e.decision.as_str()),
            ("demo_handlaggare", "deny")
        );
        let (r, rows) = entries_of!(
            &state,
            reset_password(&worker, &uid, NewPassword::parse(PASSWORD).unwrap())
        );
        assert_eq!(r.unwrap_err(), AppError::Forbidden);
        assert_eq!(one(&rows, "user.password_reset").decision, "deny");
        let (r, rows) = entries_of!(&state, list_users(&reviewer));
        assert_eq!(r.unwrap_err(), AppError::Forbidden);
        assert_eq!(one(&rows, "user.list").decision, "deny");

        // No password ever reaches the log, and the chain holds.
        let all = since(&state, 0).await;
        assert!(all.iter().all(|r| !format!("{r:?}").contains(PASSWORD)));
        assert!(audit::verify(&state).await.unwrap().ok());
    }

    #[tokio::test]
    async fn accounts_made_by_the_command_line_are_audited_as_the_system() {
        let state = setup().await;
        let (id, rows) = entries_of!(
            &state,
            crate::ops::add_user(
                &state,
                ORG_GBG,
                "auditor",
                "ny.granskare",
                "Ny Granskare",
                PASSWORD
            )
        );
        let id = id.unwrap();
        let e = one(&rows, "user.create");
        assert_eq!((e.actor.as_str(), e.role.as_str()), ("system", "system"));
        assert!(e.reason.as_deref().unwrap().contains(&format!("user:{id}")));
    }
}
