//! Changing and ending a protective measure as its circumstances change: the same writers as
//! for recording one (the owning team, the police with `safety` access), each change with a
//! version check, its timeline event and its audit entry in one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use domain::Problem;
use serde::Deserialize;

use super::read::Case;
use super::safety::may_write_safety;
use super::write::Write;
use crate::auth::Authed;
use crate::gate::check_id;
use domain::casework::{EventKind, MeasureKind, MeasureStatus};
use domain::event::EventLine;
use domain::input::{date, text};
use domain::time::{stored_date, swedish_date};
use domain::{AppError, Category, MAX_TEXT};

/// A measure's changeable facts, as the edit form sends them (dates `ÅÅÅÅ-MM-DD` or empty).
pub struct MeasureEdit<'s> {
    pub status: MeasureStatus,
    pub start: &'s str,
    pub end: &'s str,
    /// Organisation id.
    pub responsible_org: &'s str,
    pub details: &'s str,
}

#[derive(Deserialize)]
struct MeasureRec {
    case: String,
    kind: String,
    status: String,
    start: Option<DateTime<Utc>>,
    version: i64,
}

/// The measure `id` of the opened case, refused like a missing one when it belongs to another.
async fn measure_of(c: &Case<'_>, id: &str) -> Result<MeasureRec, AppError> {
    let rec: Option<MeasureRec> = c
        .reader()
        .state()
        .db()
        .q("SELECT case, kind, status, start, version FROM ONLY type::record('measure', $id)")
        .bind("id", id)
        .run()
        .await?
        .first(0)?;
    rec.filter(|m| m.case == c.case.id)
        .ok_or(AppError::NotFound)
}

/// A stale save names the versions only; the saved values are read through the safety tab,
/// whose read leaves its entry.
fn measure_conflict(yours: i64, saved: i64) -> AppError {
    AppError::conflict(Problem::Stale, format!(
        "Någon annan har ändrat skyddsåtgärden medan du arbetade: du utgick från version {yours}, sparad är version {saved}. Status, datum, ansvarig och beskrivning kan ha ändrats. Ladda om sidan, jämför och gör om ändringen."
    ))
}

/// The refusal of an end before the start, naming the start so the user sees what to change.
fn end_before_start(start: NaiveDate) -> AppError {
    AppError::problem(
        "end",
        Problem::EndBeforeStart,
        format!(
            "Slutdatum kan inte vara före startdatum ({}).",
            start.format("%Y-%m-%d")
        ),
    )
}

/// Commits a measure write, turning a version that went stale meanwhile into the conflict.
async fn commit_measure(
    c: &Case<'_>,
    w: Write,
    body: &str,
    event: EventLine,
    id: &str,
    version: i64,
) -> Result<(), AppError> {
    match c.commit(w, body, event, "").await {
        Err(AppError::Conflict { .. }) => {
            let saved: Option<i64> = c
                .reader()
                .state()
                .db()
                .q("SELECT VALUE version FROM ONLY type::record('measure', $id)")
                .bind("id", id)
                .run()
                .await?
                .first(0)?;
            Err(measure_conflict(version, saved.unwrap_or(version)))
        }
        other => other.map(drop),
    }
}

const MEASURE_VERSION_CHECK: &str = "
    LET $cur = (SELECT VALUE version FROM ONLY type::record('measure', $id));
    IF $cur != $v { THROW 'conflict:stale:' };";

/// Changes a measure's status, dates, responsible organisation and details. An ended measure
/// without an end date ends today; it cannot end in the future, and no measure ends before it
/// starts. Who may: as for recording one (the owning team, the police with `safety` access).
pub async fn update_measure(
    a: &Authed,
    case_id: &str,
    measure_id: &str,
    version: i64,
    edit: MeasureEdit<'_>,
) -> Result<(), AppError> {
    check_id(measure_id)?;
    let c = Case::open(a, case_id, "safety.measure_update", &[Category::Safety]).await?;
    c.require(may_write_safety(a, &c)).await?;
    let rec = measure_of(&c, measure_id).await?;
    check_id(edit.responsible_org).map_err(|_| {
        AppError::problem(
            "responsible_org",
            domain::error::Problem::Choose,
            "Välj ansvarig organisation.",
        )
    })?;
    let today = swedish_date(c.now);
    let start = date("start", edit.start, today, false)?;
    let mut end = date("end", edit.end, today, false)?;
    if edit.status == MeasureStatus::Ended {
        let e = *end.get_or_insert(today);
        if e > today {
            return Err(AppError::problem(
                "end",
                Problem::InFuture,
                "En avslutad skyddsåtgärd kan inte sluta i framtiden. Låt statusen vara pågår och ange slutdatum, eller ändra datumet.",
            ));
        }
    }
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            return Err(end_before_start(s));
        }
    }
    let details = text("details", "Beskrivningen", edit.details, false, MAX_TEXT)?;
    if rec.version != version {
        return Err(measure_conflict(version, rec.version));
    }
    let kind = MeasureKind::parse(&rec.kind).unwrap_or(MeasureKind::Other);
    let w = c
        .write(EventKind::Measure, c.now, "measure", measure_id)
        .await?
        .seal("details", &details)?
        .var("v", version)
        .var("status", edit.status.as_str())
        .var("start", start.map(stored_date))
        .var("end", end.map(stored_date))
        .var("resp", edit.responsible_org);
    let body = format!(
        "{MEASURE_VERSION_CHECK}
        IF !record::exists(type::record('org', $resp)) {{ THROW 'invalid:responsible_org:unknown:Organisationen finns inte.' }};
        UPDATE type::record('measure', $id) SET status = $status,
            start = IF $start = NONE THEN NONE ELSE <datetime>$start END, end = IF $end = NONE THEN NONE ELSE <datetime>$end END,
            responsible_org = $resp, details = $details, version = $v + 1 RETURN NONE;"
    );
    let event = EventLine::MeasureChanged {
        kind,
        status: edit.status,
    };
    commit_measure(&c, w, &body, event, measure_id, version).await
}

/// Ends a measure: status ended, with its end date (today when none is given). The end cannot
/// be before the start or in the future; a measure already ended or denied is not ended again.
pub async fn end_measure(
    a: &Authed,
    case_id: &str,
    measure_id: &str,
    version: i64,
    end: &str,
) -> Result<(), AppError> {
    check_id(measure_id)?;
    let c = Case::open(a, case_id, "safety.measure_end", &[Category::Safety]).await?;
    c.require(may_write_safety(a, &c)).await?;
    let rec = measure_of(&c, measure_id).await?;
    let today = swedish_date(c.now);
    let end = date("end", end, today, false)?.unwrap_or(today);
    if end > today {
        return Err(AppError::problem(
            "end",
            domain::error::Problem::InFuture,
            "Slutdatum kan inte ligga i framtiden när åtgärden avslutas nu.",
        ));
    }
    if let Some(s) = rec.start.map(|s| s.date_naive()) {
        if end < s {
            return Err(end_before_start(s));
        }
    }
    match MeasureStatus::parse(&rec.status) {
        Ok(MeasureStatus::Ended) => {
            return Err(AppError::problem("status", domain::error::Problem::AlreadyDone, "Skyddsåtgärden är redan avslutad."))
        }
        Ok(MeasureStatus::Denied) => {
            return Err(AppError::problem(
                "status",
                Problem::MeasureDenied,
                "Skyddsåtgärden har fått avslag och kan inte avslutas. Ändra den i stället om beslutet har ändrats.",
            ))
        }
        _ => {}
    }
    if rec.version != version {
        return Err(measure_conflict(version, rec.version));
    }
    let kind = MeasureKind::parse(&rec.kind).unwrap_or(MeasureKind::Other);
    let w = c
        .write(EventKind::Measure, c.now, "measure", measure_id)
        .await?
        .var("v", version)
        .var("end", stored_date(end));
    let body = format!(
        "{MEASURE_VERSION_CHECK}
        UPDATE type::record('measure', $id) SET status = 'ended', end = <datetime>$end, version = $v + 1 RETURN NONE;"
    );
    let event = EventLine::MeasureEnded { kind, end };
    commit_measure(&c, w, &body, event, measure_id, version).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::read::fixtures::{audit_seqs, last_entry};
    use crate::casework::{add_measure, safety};
    use crate::demo;
    use crate::testing::{setup, shared_case, worker_partner_police};
    use chrono::Duration;
    use domain::casework::MeasureDto;
    use domain::Shown;

    async fn measure(a: &Authed, case: &str, id: &str) -> MeasureDto {
        safety(a, case)
            .await
            .unwrap()
            .measures
            .into_iter()
            .find(|m| m.id == id)
            .unwrap()
    }

    async fn measure_events(a: &Authed, case: &str) -> Vec<String> {
        crate::casework::fixtures::event_lines(a, case, EventKind::Measure).await
    }

    #[tokio::test]
    async fn a_measure_is_ended_with_its_end_date_a_timeline_event_and_an_audit_entry() {
        let state = setup().await;
        let (w, _, police) = worker_partner_police(&state).await;
        let case = shared_case(&w).await;
        let today = state.clock().today();
        let start = (today - Duration::days(30)).to_string();
        let id = add_measure(
            &w,
            &case,
            MeasureKind::SecurityAlarm,
            MeasureStatus::Active,
            &start,
            "",
            "Larm hos Kx3",
        )
        .await
        .unwrap();
        let before = audit_seqs(&state).await;
        // No date given: it ends today.
        end_measure(&w, &case, &id, 1, "").await.unwrap();
        assert_eq!(audit_seqs(&state).await, before + 1, "one entry");
        let (action, decision, _) = last_entry(&state).await;
        assert_eq!(
            (action.as_str(), decision.as_str()),
            ("safety.measure_end", "allow")
        );
        let m = measure(&w, &case, &id).await;
        assert_eq!(
            (m.status, m.end, m.version),
            (MeasureStatus::Ended, Some(today), 2)
        );
        assert_eq!(
            m.details,
            Shown::Value("Larm hos Kx3".into()),
            "the details stay"
        );
        assert!(measure_events(&w, &case).await.contains(&format!(
            "Skyddsåtgärd avslutad: Trygghetslarm (slutdatum {today})"
        )));
        // The police, who may act on safety, end one of their own with a date in the past.
        let p = add_measure(
            &police,
            &case,
            MeasureKind::PersonalProtection,
            MeasureStatus::Active,
            &start,
            "",
            "",
        )
        .await
        .unwrap();
        let end = (today - Duration::days(2)).to_string();
        end_measure(&police, &case, &p, 1, &end).await.unwrap();
        let m = measure(&w, &case, &p).await;
        assert_eq!(m.end.map(|d| d.to_string()), Some(end));
        // Once ended it is not ended again.
        let e = end_measure(&w, &case, &id, 2, "").await.unwrap_err();
        assert_eq!(e.field(), Some("status"));
    }

    #[tokio::test]
    async fn an_end_before_the_start_is_refused_with_a_clear_message_and_nothing_is_written() {
        let state = setup().await;
        let (w, _, _) = worker_partner_police(&state).await;
        let case = shared_case(&w).await;
        let today = state.clock().today();
        let start = today - Duration::days(10);
        let id = add_measure(
            &w,
            &case,
            MeasureKind::ShelteredHousing,
            MeasureStatus::Active,
            &start.to_string(),
            "",
            "",
        )
        .await
        .unwrap();
        let events = measure_events(&w, &case).await.len();
        let before = audit_seqs(&state).await;
        let early = (today - Duration::days(20)).to_string();
        let e = end_measure(&w, &case, &id, 1, &early).await.unwrap_err();
        assert_eq!(e.field(), Some("end"));
        assert!(
            e.to_string()
                .contains(&format!("före startdatum ({start})")),
            "{e}"
        );
        let edit = MeasureEdit {
            status: MeasureStatus::Ended,
            start: &start.to_string(),
            end: &early,
            responsible_org: demo::ORG_GBG,
            details: "",
        };
        let e = update_measure(&w, &case, &id, 1, edit).await.unwrap_err();
        assert_eq!(e.field(), Some("end"));
        // Ending in the future is not ending.
        let later = (today + Duration::days(3)).to_string();
        let e = end_measure(&w, &case, &id, 1, &later).await.unwrap_err();
        assert_eq!(e.field(), Some("end"));
        assert_eq!(audit_seqs(&state).await, before, "nothing written");
        assert_eq!(measure_events(&w, &case).await.len(), events);
        let m = measure(&w, &case, &id).await;
        assert_eq!(
            (m.status, m.end, m.version),
            (MeasureStatus::Active, None, 1)
        );
    }

    #[tokio::test]
    async fn a_measure_is_changed_with_a_version_check_and_a_stale_save_overwrites_nothing() {
        let state = setup().await;
        let (w, partner, police) = worker_partner_police(&state).await;
        let case = shared_case(&w).await;
        let today = state.clock().today();
        let id = add_measure(
            &w,
            &case,
            MeasureKind::ProtectedIdentity,
            MeasureStatus::Planned,
            "",
            "",
            "Ansökan skickad",
        )
        .await
        .unwrap();
        let start = today.to_string();
        let edit = |details: &'static str| MeasureEdit {
            status: MeasureStatus::Active,
            start: "",
            end: "",
            responsible_org: demo::ORG_POLICE,
            details,
        };
        update_measure(
            &w,
            &case,
            &id,
            1,
            MeasureEdit {
                start: &start,
                ..edit("Beviljad Pw8")
            },
        )
        .await
        .unwrap();
        let m = measure(&w, &case, &id).await;
        assert_eq!(m.status, MeasureStatus::Active);
        assert_eq!(m.start, Some(today));
        assert_eq!(m.responsible_org_id, demo::ORG_POLICE);
        assert_eq!(m.details, Shown::Value("Beviljad Pw8".into()));
        assert_eq!(m.version, 2);
        let raw = state
            .db()
            .q("SELECT VALUE details FROM ONLY type::record('measure', $id)")
            .bind("id", &id)
            .run()
            .await
            .unwrap()
            .value(0)
            .to_string();
        assert!(!raw.contains("Beviljad Pw8"), "details sealed: {raw}");
        assert!(measure_events(&w, &case).await.contains(
            &"Skyddsåtgärd ändrad: Ansökan om skyddade personuppgifter (pågår)".to_string()
        ));
        // A second save from the same starting point is a conflict and changes nothing.
        let before = audit_seqs(&state).await;
        let e = update_measure(&police, &case, &id, 1, edit("Gammal"))
            .await
            .unwrap_err();
        let AppError::Conflict { message, .. } = e else {
            panic!("expected a conflict, got {e:?}")
        };
        assert!(message.contains("version 1") && message.contains("version 2"));
        assert!(!message.contains("Pw8"), "{message}");
        let e = end_measure(&police, &case, &id, 1, "").await.unwrap_err();
        assert!(matches!(e, AppError::Conflict { .. }), "{e:?}");
        assert_eq!(audit_seqs(&state).await, before);
        assert_eq!(
            measure(&w, &case, &id).await.details,
            Shown::Value("Beviljad Pw8".into())
        );
        // An unknown organisation is refused beside its field.
        let e = update_measure(
            &w,
            &case,
            &id,
            2,
            MeasureEdit {
                responsible_org: "finnsinte",
                ..edit("")
            },
        )
        .await
        .unwrap_err();
        assert_eq!(e.field(), Some("responsible_org"));
        // The partner, without safety consent, is refused with one deny entry, as today.
        let before = audit_seqs(&state).await;
        assert_eq!(
            end_measure(&partner, &case, &id, 2, "").await.unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(audit_seqs(&state).await, before + 1);
        let (action, decision, _) = last_entry(&state).await;
        assert_eq!(
            (action.as_str(), decision.as_str()),
            ("safety.measure_end", "deny")
        );
        assert_eq!(measure(&w, &case, &id).await.version, 2);
    }
}
