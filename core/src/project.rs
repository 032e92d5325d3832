//! Funded projects (ESF+ and the like): defined by program leads, joined by participants
//! through their case (`casework::enrol`), and the scope of a per-project funder report
//! (`outcomes::Period::for_project`).
//!
//! A project's name, funder and number are no one's personal data; the list is open to those
//! who define projects, read the program's figures or enrol participants (case workers).

use chrono::{DateTime, Utc};
use domain::time::stored_date;
use serde::Deserialize;
use serde_json::json;

use super::audit::{self, Entry, Who};
use super::auth::Authed;
use super::db::{new_id, valid_id, Db};
use super::gate::{self, who};
use super::state::AppState;
use domain::project::{ProjectDto, ProjectInput};
use domain::{AppError, Capability};

#[derive(Deserialize)]
struct Row {
    id: String,
    name: String,
    funder: String,
    number: String,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    cofinancing: u8,
}

impl Row {
    fn dto(self) -> ProjectDto {
        ProjectDto {
            id: self.id,
            name: self.name,
            funder: self.funder,
            number: self.number,
            from: self.starts.date_naive(),
            to: self.ends.date_naive(),
            cofinancing: self.cofinancing,
        }
    }
}

const FIELDS: &str = "record::id(id) AS id, name, funder, number, starts, ends, cofinancing";

/// Whoever defines projects, reads the program's figures or enrols participants.
fn may_list(a: &Authed) -> bool {
    a.can(Capability::ManageProjects)
        || a.can(Capability::ViewOutcomes)
        || a.can(Capability::ManageCase)
}

/// Every project, newest first.
pub async fn list(a: &Authed) -> Result<Vec<ProjectDto>, AppError> {
    if !may_list(a) {
        gate::require(a, Capability::ManageProjects, "project.list").await?;
    }
    list_db(a.state().db()).await
}

pub(crate) async fn list_db(db: &Db) -> Result<Vec<ProjectDto>, AppError> {
    let rows: Vec<Row> = db
        .q(format!(
            "SELECT {FIELDS} FROM project ORDER BY starts DESC, name"
        ))
        .run()
        .await?
        .all(0)?;
    Ok(rows.into_iter().map(Row::dto).collect())
}

/// One project; `None` for an id that names none.
pub(crate) async fn get(db: &Db, id: &str) -> Result<Option<ProjectDto>, AppError> {
    if !valid_id(id) {
        return Ok(None);
    }
    let row: Option<Row> = db
        .q(format!(
            "SELECT {FIELDS} FROM ONLY type::record('project', $id)"
        ))
        .bind("id", id)
        .run()
        .await?
        .first(0)?;
    Ok(row.map(Row::dto))
}

/// One project for a reader who may list them (the per-project report's heading).
pub async fn project(a: &Authed, id: &str) -> Result<ProjectDto, AppError> {
    if !may_list(a) {
        gate::require(a, Capability::ManageProjects, "project.read").await?;
    }
    get(a.state().db(), id).await?.ok_or(AppError::NotFound)
}

/// Defines a project (program leads). The write and its audit entry are one transaction.
pub async fn create(a: &Authed, input: ProjectInput) -> Result<ProjectDto, AppError> {
    gate::require(a, Capability::ManageProjects, "project.create").await?;
    insert_by(a.state(), &who(a), &new_id(), &input).await
}

/// A project written by the demo loader under a fixed id, once.
#[cfg(any(test, feature = "fixtures"))]
pub(crate) async fn ensure(
    state: &AppState,
    id: &str,
    input: &ProjectInput,
) -> Result<ProjectDto, AppError> {
    match get(state.db(), id).await? {
        Some(p) => Ok(p),
        None => insert_by(state, &Who::system(), id, input).await,
    }
}

async fn insert_by(
    state: &AppState,
    by: &Who,
    id: &str,
    p: &ProjectInput,
) -> Result<ProjectDto, AppError> {
    let body = "
        IF (SELECT VALUE id FROM project WHERE name = $name) != [] {
            THROW 'invalid:name:name_taken:Det finns redan ett projekt med det namnet.';
        };
        CREATE type::record('project', $id) CONTENT { name: $name, funder: $funder, number: $number,
            starts: <datetime>$starts, ends: <datetime>$ends, cofinancing: $cof,
            created_at: time::now(), created_by: $by } RETURN NONE;";
    let mut e = Entry::new("project.create");
    e.reason = Some(format!(
        "project:{id} \"{}\" {} {} {}..{} {} %",
        p.name, p.funder, p.number, p.from, p.to, p.cofinancing
    ));
    let vars = [
        ("id", json!(id)),
        ("name", json!(p.name)),
        ("funder", json!(p.funder)),
        ("number", json!(p.number)),
        ("starts", json!(stored_date(p.from))),
        ("ends", json!(stored_date(p.to))),
        ("cof", json!(p.cofinancing)),
        ("by", json!(by.user)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    audit::commit(state, by, e, body, vars).await?;
    get(state.db(), id).await?.ok_or(AppError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{as_user, setup};

    fn input(name: &str) -> ProjectInput {
        ProjectInput::parse(name, "ESF+", "2025/00001", "2025-01-01", "2027-12-31", "40").unwrap()
    }

    #[tokio::test]
    async fn program_leads_define_projects_and_others_are_refused_with_a_trace() {
        let state = setup().await;
        let lead = as_user(&state, "programledare").await;
        let p = create(&lead, input("Nya vägar")).await.unwrap();
        assert_eq!(p.cofinancing, 40);
        assert!(list(&lead).await.unwrap().iter().any(|x| x.id == p.id));
        let e = create(&lead, input("Nya vägar")).await.unwrap_err();
        assert_eq!(e.field(), Some("name"));
        for u in ["handlaggare", "passus", "polis", "admin", "skola"] {
            let a = as_user(&state, u).await;
            let before = crate::audit::verify(&state).await.unwrap().entries;
            assert_eq!(
                create(&a, input("Smygprojekt")).await.unwrap_err(),
                AppError::Forbidden,
                "{u}"
            );
            assert_eq!(
                crate::audit::verify(&state).await.unwrap().entries,
                before + 1,
                "{u}: one deny entry"
            );
        }
        // Case workers see the list to enrol participants; a partner does not.
        assert!(list(&as_user(&state, "handlaggare").await).await.is_ok());
        assert!(list(&as_user(&state, "passus").await).await.is_err());
    }
}
