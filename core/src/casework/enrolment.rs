//! A participant's enrolment in a funded project: entry and exit dates within the project's
//! period, recorded by the owning team on the case (timeline event and audit entry in one
//! transaction). Enrolment is plan data: the project a person takes part in says something
//! about their plan, so it is read under the plan's category.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::read::Case;
use crate::auth::Authed;
use crate::db::new_id;
use crate::gate::check_id;
use crate::project;
use domain::casework::EventKind;
use domain::event::EventLine;
use domain::project::{enrolment_dates, EnrolmentDto, EnrolmentsDto};
use domain::time::{stored_date, swedish_date};
use domain::{AppError, Category};

/// Enrols the case's participant in a project. An unknown project is refused beside its field;
/// a second open enrolment in the same project is refused too.
pub async fn enrol(
    a: &Authed,
    case_id: &str,
    project_id: &str,
    entry: &str,
    exit: &str,
) -> Result<String, AppError> {
    let unknown = || {
        AppError::problem(
            "project",
            domain::error::Problem::Choose,
            "Välj ett projekt i listan.",
        )
    };
    check_id(project_id).map_err(|_| unknown())?;
    let c = Case::open(a, case_id, "project.enrol", &[Category::Plan]).await?;
    c.require(c.manage).await?;
    let p = project::get(a.state().db(), project_id)
        .await?
        .ok_or_else(unknown)?;
    let (entry, exit) = enrolment_dates(&p, entry, exit, swedish_date(c.now))?;
    let w = c
        .write(
            EventKind::Project,
            stored_date(entry),
            "enrolment",
            &new_id(),
        )
        .await?
        .var("project", project_id)
        .var("entry", stored_date(entry))
        .var("exit", exit.map(stored_date));
    let body = "
        IF (SELECT VALUE id FROM enrolment WHERE case = $cid AND project = $project AND exit = NONE) != [] {
            THROW 'invalid:project:already_enrolled:Deltagaren är redan inskriven i projektet.' };
        CREATE type::record('enrolment', $id) CONTENT { project: $project, case: $cid, participant: $pid,
            entry: <datetime>$entry, exit: IF $exit = NONE OR $exit = NULL THEN NONE ELSE <datetime>$exit END,
            created_at: <datetime>$now, created_by: $user } RETURN NONE;";
    let event = EventLine::Enrolled {
        project: p.title().to_string(),
        entry,
        exit,
    };
    c.commit(w, body, event, "").await
}

/// Records the exit date of an open enrolment.
pub async fn end_enrolment(
    a: &Authed,
    case_id: &str,
    enrolment_id: &str,
    exit: &str,
) -> Result<(), AppError> {
    check_id(enrolment_id)?;
    let c = Case::open(a, case_id, "project.exit", &[Category::Plan]).await?;
    c.require(c.manage).await?;
    #[derive(Deserialize)]
    struct E {
        case: String,
        project: String,
        entry: DateTime<Utc>,
    }
    let e: Option<E> = a
        .state()
        .db()
        .q("SELECT case, project, entry FROM ONLY type::record('enrolment', $id)")
        .bind("id", enrolment_id)
        .run()
        .await?
        .first(0)?;
    let e = e
        .filter(|e| e.case == c.case.id)
        .ok_or(AppError::NotFound)?;
    let p = project::get(a.state().db(), &e.project)
        .await?
        .ok_or(AppError::NotFound)?;
    let entry = e.entry.date_naive().to_string();
    let (_, exit) = enrolment_dates(&p, &entry, exit, swedish_date(c.now))?;
    let exit = exit.ok_or_else(|| {
        AppError::problem(
            "exit",
            domain::error::Problem::DateRequired,
            "Ange datum för utträdet.",
        )
    })?;
    let w = c
        .write(
            EventKind::Project,
            stored_date(exit),
            "enrolment",
            enrolment_id,
        )
        .await?
        .var("exit", stored_date(exit));
    let body = "UPDATE type::record('enrolment', $id) SET exit = <datetime>$exit RETURN NONE;";
    let event = EventLine::Exited {
        project: p.title().to_string(),
        exit,
    };
    c.commit(w, body, event, "").await.map(drop)
}

/// The case's enrolments, and the projects the owning team may enrol the participant in.
pub async fn enrolments(a: &Authed, case_id: &str) -> Result<EnrolmentsDto, AppError> {
    let (c, tab) = Case::open_tab(
        a,
        case_id,
        "project.read",
        &[Category::Plan],
        &[
            "SELECT record::id(id) AS id, project, entry, exit FROM enrolment WHERE case = $c ORDER BY entry",
        ],
    )
    .await?;
    c.require(c.may(Category::Plan)).await?;
    #[derive(Deserialize)]
    struct E {
        id: String,
        project: String,
        entry: DateTime<Utc>,
        exit: Option<DateTime<Utc>>,
    }
    let mut r = c.read(tab, false).await?;
    let rows: Vec<E> = r.all(0)?;
    let projects = project::list_db(a.state().db()).await?;
    let title = |id: &str| {
        projects
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.title())
            .unwrap_or_default()
    };
    let enrolments = rows
        .into_iter()
        .map(|e| EnrolmentDto {
            project: title(&e.project),
            id: e.id,
            project_id: e.project,
            entry: e.entry.date_naive(),
            exit: e.exit.map(|x| x.date_naive()),
        })
        .collect();
    c.audit_read(&[Category::Plan]).await?;
    Ok(EnrolmentsDto {
        enrolments,
        projects: if c.manage { projects } else { Vec::new() },
        can_edit: c.manage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::read::fixtures::audit_seqs;
    use crate::testing::{as_user, setup, shared_case};
    use domain::project::ProjectInput;

    #[tokio::test]
    async fn enrolment_dates_are_checked_against_the_project_and_bad_ones_write_nothing() {
        let state = setup().await;
        let lead = as_user(&state, "programledare").await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        let today = state.clock().today();
        let from = (today - chrono::Duration::days(100)).to_string();
        let to = (today + chrono::Duration::days(300)).to_string();
        let p = project::create(
            &lead,
            ProjectInput::parse("Provprojekt", "ESF+", "2025/1", &from, &to, "50").unwrap(),
        )
        .await
        .unwrap();
        let before_rows = enrolments(&w, &case).await.unwrap().enrolments.len();
        let too_early = (today - chrono::Duration::days(101)).to_string();
        let field = |e: AppError| e.field().map(str::to_string);
        assert_eq!(
            field(enrol(&w, &case, &p.id, &too_early, "").await.unwrap_err()),
            Some("entry".into())
        );
        let entry = (today - chrono::Duration::days(50)).to_string();
        let before_entry = (today - chrono::Duration::days(60)).to_string();
        assert_eq!(
            field(
                enrol(&w, &case, &p.id, &entry, &before_entry)
                    .await
                    .unwrap_err()
            ),
            Some("exit".into())
        );
        assert_eq!(
            field(
                enrol(&w, &case, "nosuchproject", &entry, "")
                    .await
                    .unwrap_err()
            ),
            Some("project".into())
        );
        assert_eq!(
            enrolments(&w, &case).await.unwrap().enrolments.len(),
            before_rows,
            "nothing written"
        );
        let id = enrol(&w, &case, &p.id, &entry, "").await.unwrap();
        assert_eq!(
            field(enrol(&w, &case, &p.id, &entry, "").await.unwrap_err()),
            Some("project".into()),
            "already enrolled"
        );
        assert_eq!(
            field(
                end_enrolment(&w, &case, &id, &before_entry)
                    .await
                    .unwrap_err()
            ),
            Some("exit".into())
        );
        end_enrolment(&w, &case, &id, &today.to_string())
            .await
            .unwrap();
        let e = enrolments(&w, &case).await.unwrap();
        let mine = e.enrolments.iter().find(|x| x.id == id).unwrap();
        assert_eq!(mine.exit, Some(today));
        assert_eq!(mine.project, "Provprojekt (2025/1)");
        // A partner on the case may not enrol; the refusal leaves one entry.
        let partner = as_user(&state, "passus").await;
        let before = audit_seqs(&state).await;
        assert_eq!(
            enrol(&partner, &case, &p.id, &entry, "").await.unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(audit_seqs(&state).await, before + 1);
    }
}
