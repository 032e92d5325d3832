//! Organisations and user accounts: the admin's repository.
//!
//! Only `admin` may change them. Nothing here reads case content, and the admin role is refused
//! by every case repository, so an administrator manages accounts without seeing any person.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::auth::Authed;
use super::db::{new_id, valid_id, Db, DbError};
use super::password;
use super::state::AppState;
use crate::domain::{
    parse_municipalities, AppError, DisplayName, NewPassword, OrgDto, OrgKind, Role, UserDto,
    Username,
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
        Err(AppError::invalid(field, "Ogiltigt id."))
    }
}

fn conflict_or(e: DbError, field: &str, message: &str) -> AppError {
    if e.is_conflict() {
        AppError::invalid(field, message)
    } else {
        e.into()
    }
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

pub async fn create_org(who: &Authed, input: OrgInput) -> Result<OrgDto, AppError> {
    who.require_role(&[Role::Admin])?;
    insert_org(who.state(), &new_id(), input).await
}

pub(in crate::server) async fn insert_org(
    state: &AppState,
    id: &str,
    input: OrgInput,
) -> Result<OrgDto, AppError> {
    let row: Option<OrgRow> = state
        .db()
        .q("CREATE type::record('org', $id) CONTENT { name: $name, kind: $kind, municipalities: $m, active: true, version: 1, created_at: time::now() } RETURN *, record::id(id) AS id")
        .bind("id", id)
        .bind("name", input.name.as_str())
        .bind("kind", input.kind.as_str())
        .bind("m", &input.municipalities)
        .run()
        .await
        .map_err(|e| conflict_or(e, "name", "Det finns redan en organisation med det namnet."))?
        .first(0)?;
    row.ok_or(AppError::Internal)?.dto()
}

pub async fn update_org(
    who: &Authed,
    id: &str,
    version: i64,
    input: OrgInput,
    active: bool,
) -> Result<OrgDto, AppError> {
    who.require_role(&[Role::Admin])?;
    check_id("id", id)?;
    if !active && id == who.org_id() {
        return Err(AppError::invalid(
            "active",
            "Du kan inte inaktivera din egen organisation.",
        ));
    }
    let row: Option<OrgRow> = who
        .state()
        .db()
        .q("UPDATE type::record('org', $id) SET name = $name, kind = $kind, municipalities = $m, active = $active, version += 1 WHERE version = $v RETURN *, record::id(id) AS id")
        .bind("id", id)
        .bind("v", version)
        .bind("name", input.name.as_str())
        .bind("kind", input.kind.as_str())
        .bind("m", &input.municipalities)
        .bind("active", active)
        .run()
        .await
        .map_err(|e| conflict_or(e, "name", "Det finns redan en organisation med det namnet."))?
        .first(0)?;
    match row {
        Some(r) => r.dto(),
        None => Err(stale_or_missing(who.state().db(), "org", id).await),
    }
}

async fn stale_or_missing(db: &Db, table: &str, id: &str) -> AppError {
    let exists = db
        .q("RETURN record::exists(type::record($t, $id))")
        .bind("t", table)
        .bind("id", id)
        .run()
        .await
        .map(|mut r| r.value(0).as_bool().unwrap_or(false))
        .unwrap_or(false);
    if exists {
        AppError::conflict("Någon annan har ändrat uppgifterna medan du arbetade. Ladda om sidan och gör om ändringen.")
    } else {
        AppError::NotFound
    }
}

pub async fn list_users(who: &Authed) -> Result<Vec<UserDto>, AppError> {
    who.require_role(&[Role::Admin])?;
    let db = who.state().db();
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

pub async fn create_user(who: &Authed, input: NewUserInput) -> Result<String, AppError> {
    who.require_role(&[Role::Admin])?;
    insert_user(who.state(), &new_id(), input).await
}

pub(in crate::server) async fn insert_user(
    state: &AppState,
    id: &str,
    input: NewUserInput,
) -> Result<String, AppError> {
    check_id("org", &input.org_id)?;
    let db = state.db();
    let org_ok = db
        .q("RETURN record::exists(type::record('org', $id))")
        .bind("id", &input.org_id)
        .run()
        .await?
        .value(0)
        .as_bool()
        .unwrap_or(false);
    if !org_ok {
        return Err(AppError::invalid("org", "Organisationen finns inte."));
    }
    let pw = input.password.expose().to_string();
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|_| AppError::Internal)?;
    db.q("CREATE type::record('user', $id) CONTENT { username: $u, display_name: $d, org: $org, role: $role, password_hash: $h, active: true, failed_logins: 0, locked_until: NONE, version: 1, created_at: time::now() }")
        .bind("id", id)
        .bind("u", input.username.as_str())
        .bind("d", input.display_name.as_str())
        .bind("org", &input.org_id)
        .bind("role", input.role.as_str())
        .bind("h", hash)
        .run()
        .await
        .map_err(|e| conflict_or(e, "username", "Användarnamnet är upptaget."))?;
    Ok(id.to_string())
}

pub struct UserUpdate {
    pub display_name: DisplayName,
    pub org_id: String,
    pub role: Role,
    pub active: bool,
}

pub async fn update_user(
    who: &Authed,
    id: &str,
    version: i64,
    u: UserUpdate,
) -> Result<(), AppError> {
    who.require_role(&[Role::Admin])?;
    check_id("id", id)?;
    check_id("org", &u.org_id)?;
    if id == who.user_id() && (!u.active || u.role != Role::Admin) {
        return Err(AppError::invalid(
            "active",
            "Du kan inte inaktivera ditt eget konto eller ta bort din egen administratörsroll.",
        ));
    }
    let db = who.state().db();
    let mut rows = db
        .q("BEGIN TRANSACTION;
            LET $org_ok = record::exists(type::record('org', $org));
            IF !$org_ok { THROW 'unknown org' };
            LET $r = UPDATE type::record('user', $id) SET display_name = $d, org = $org, role = $role, active = $active, version += 1 WHERE version = $v RETURN record::id(id) AS id;
            IF !$active { DELETE session WHERE user = $id };
            RETURN $r;
            COMMIT TRANSACTION;")
        .bind("id", id)
        .bind("v", version)
        .bind("d", u.display_name.as_str())
        .bind("org", &u.org_id)
        .bind("role", u.role.as_str())
        .bind("active", u.active)
        .run()
        .await
        .map_err(|e| {
            if e.to_string().contains("unknown org") {
                AppError::invalid("org", "Organisationen finns inte.")
            } else {
                e.into()
            }
        })?;
    let last = rows_last(&mut rows);
    if last.as_array().is_some_and(|a| !a.is_empty()) {
        Ok(())
    } else {
        Err(stale_or_missing(db, "user", id).await)
    }
}

fn rows_last(rows: &mut super::db::Rows) -> serde_json::Value {
    // The transaction's RETURN is the last statement that produced a value.
    let mut last = serde_json::Value::Null;
    for i in 0..16 {
        let v = rows.value(i);
        if !v.is_null() {
            last = v;
        }
    }
    last
}

/// Sets a new password, clears any lock, and ends every session of that user.
pub async fn reset_password(who: &Authed, id: &str, new: NewPassword) -> Result<(), AppError> {
    who.require_role(&[Role::Admin])?;
    check_id("id", id)?;
    let pw = new.expose().to_string();
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|_| AppError::Internal)?;
    let db = who.state().db();
    let mut rows = db
        .q("BEGIN TRANSACTION;
            LET $r = UPDATE type::record('user', $id) SET password_hash = $h, failed_logins = 0, locked_until = NONE, version += 1 RETURN record::id(id) AS id;
            DELETE session WHERE user = $id;
            RETURN $r;
            COMMIT TRANSACTION;")
        .bind("id", id)
        .bind("h", hash)
        .run()
        .await?;
    if rows_last(&mut rows)
        .as_array()
        .is_some_and(|a| !a.is_empty())
    {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}
