//! Areas within a municipality (districts, school areas): what situation pictures are drawn up
//! for and where referrals come from. Names of places are not personal data: every signed-in
//! user may list them; only an administrator creates or retires one, audited like every
//! administrative act.

use serde::Deserialize;
use serde_json::json;

use super::audit::{self, Entry, Who};
use super::auth::Authed;
use super::db::{new_id, valid_id, Db};
use super::gate::who;
use super::identity::require_admin;
use super::state::AppState;
use domain::{AppError, AreaDto, AreaInput, AreaKind};

#[derive(Deserialize)]
struct AreaRow {
    id: String,
    municipality: String,
    name: String,
    kind: String,
    active: bool,
}

impl AreaRow {
    fn dto(self) -> Result<AreaDto, AppError> {
        Ok(AreaDto {
            kind: AreaKind::parse(&self.kind).map_err(|_| AppError::Internal)?,
            id: self.id,
            municipality: self.municipality,
            name: self.name,
            active: self.active,
        })
    }
}

/// Every area, active first, by municipality and name.
pub async fn list(a: &Authed) -> Result<Vec<AreaDto>, AppError> {
    list_db(a.state().db()).await
}

pub(crate) async fn list_db(db: &Db) -> Result<Vec<AreaDto>, AppError> {
    let rows: Vec<AreaRow> = db
        .q(
            "SELECT record::id(id) AS id, municipality, name, kind, active FROM area
            ORDER BY active DESC, municipality, name",
        )
        .run()
        .await?
        .all(0)?;
    rows.into_iter().map(AreaRow::dto).collect()
}

/// One area by id, if it exists.
pub(crate) async fn get(db: &Db, id: &str) -> Result<Option<AreaDto>, AppError> {
    if !valid_id(id) {
        return Ok(None);
    }
    let row: Option<AreaRow> = db
        .q(
            "SELECT record::id(id) AS id, municipality, name, kind, active
            FROM ONLY type::record('area', $id)",
        )
        .bind("id", id)
        .run()
        .await?
        .first(0)?;
    row.map(AreaRow::dto).transpose()
}

/// Creates an area (administrators only; a refusal leaves a deny entry).
pub async fn create(a: &Authed, input: AreaInput) -> Result<AreaDto, AppError> {
    require_admin(a, "area.create").await?;
    insert_by(a.state(), &who(a), &new_id(), input).await
}

/// Creates an area as the system (demo data).
#[cfg(any(test, feature = "fixtures"))]
pub(crate) async fn insert(
    state: &AppState,
    id: &str,
    input: AreaInput,
) -> Result<AreaDto, AppError> {
    insert_by(state, &Who::system(), id, input).await
}

async fn insert_by(
    state: &AppState,
    by: &Who,
    id: &str,
    input: AreaInput,
) -> Result<AreaDto, AppError> {
    if !valid_id(id) {
        return Err(AppError::problem(
            "id",
            domain::error::Problem::Unknown,
            "Ogiltigt id.",
        ));
    }
    let body = "
        IF (SELECT VALUE id FROM area WHERE municipality = $m AND name = $name) != [] {
            THROW 'invalid:name:name_taken:Det finns redan ett område med det namnet i kommunen.';
        };
        CREATE type::record('area', $id) CONTENT { municipality: $m, name: $name, kind: $kind,
            active: true, created_at: time::now() } RETURN NONE;";
    let mut e = Entry::new("area.create");
    e.reason = Some(format!(
        "area:{id} \"{}\" i {} ({})",
        input.name,
        input.municipality,
        input.kind.as_str()
    ));
    let vars = [
        ("id", json!(id)),
        ("m", json!(input.municipality)),
        ("name", json!(input.name)),
        ("kind", json!(input.kind.as_str())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    audit::commit(state, by, e, body, vars).await?;
    get(state.db(), id).await?.ok_or(AppError::Internal)
}

/// Retires or restores an area (administrators only). A retired area keeps its history but
/// takes no new situation pictures.
pub async fn set_active(a: &Authed, id: &str, active: bool) -> Result<AreaDto, AppError> {
    require_admin(a, "area.update").await?;
    let Some(_) = get(a.state().db(), id).await? else {
        return Err(AppError::NotFound);
    };
    let mut e = Entry::new("area.update");
    e.reason = Some(format!(
        "area:{id} {}",
        if active { "aktivt" } else { "inaktiverat" }
    ));
    let vars = [("id", json!(id)), ("active", json!(active))]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    audit::commit(
        a.state(),
        &who(a),
        e,
        "UPDATE type::record('area', $id) SET active = $active RETURN NONE;",
        vars,
    )
    .await?;
    get(a.state().db(), id).await?.ok_or(AppError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{as_user, setup};

    #[tokio::test]
    async fn administrators_create_areas_and_others_are_refused_with_a_trace() {
        let state = setup().await;
        let admin = as_user(&state, "admin").await;
        let before = list(&admin).await.unwrap().len();
        let a = create(
            &admin,
            AreaInput::parse("Göteborg", "Majorna", "district").unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(a.name, "Majorna");
        assert_eq!(list(&admin).await.unwrap().len(), before + 1);

        let dup = create(
            &admin,
            AreaInput::parse("Göteborg", "Majorna", "school_area").unwrap(),
        )
        .await
        .unwrap_err();
        assert_eq!(dup.field(), Some("name"));

        let worker = as_user(&state, "handlaggare").await;
        let (seq, _) = audit::head(&state).await.unwrap();
        let refused = create(
            &worker,
            AreaInput::parse("Göteborg", "Tynnered", "district").unwrap(),
        )
        .await;
        assert!(matches!(refused, Err(AppError::Forbidden)));
        let (after, _) = audit::head(&state).await.unwrap();
        assert_eq!(after, seq + 1, "the refusal left one entry");
        assert_eq!(list(&worker).await.unwrap().len(), before + 1);

        let off = set_active(&admin, &a.id, false).await.unwrap();
        assert!(!off.active);
        assert!(matches!(
            set_active(&admin, "nosuch", false).await,
            Err(AppError::NotFound)
        ));
    }
}
