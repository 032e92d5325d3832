//! Safety: protective measures and threat assessments. The owning team and the police with
//! `safety` access record them (and change or end a measure: `measures`).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::read::Case;
use crate::auth::Authed;
use crate::db::new_id;
use domain::casework::*;
use domain::event::EventLine;
use domain::input::{date, text};
use domain::time::{stored_date, swedish_date};
use domain::{AppError, Category, Role, MAX_TEXT};

pub(super) fn may_write_safety(a: &Authed, c: &Case<'_>) -> bool {
    c.manage || (a.role() == Role::Police && c.may(Category::Safety))
}

pub async fn add_measure(
    a: &Authed,
    case_id: &str,
    kind: MeasureKind,
    status: MeasureStatus,
    start: &str,
    end: &str,
    details: &str,
) -> Result<String, AppError> {
    let c = Case::open(a, case_id, "safety.measure_add", &[Category::Safety]).await?;
    c.require(may_write_safety(a, &c)).await?;
    let today = swedish_date(c.now);
    let start = date("start", start, today, false)?;
    let end = date("end", end, today, false)?;
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            return Err(AppError::problem(
                "end",
                domain::error::Problem::EndBeforeStart,
                "Slutdatum kan inte vara före startdatum.",
            ));
        }
    }
    let details = text("details", "Detaljerna", details, false, MAX_TEXT)?;
    let w = c
        .write(EventKind::Measure, c.now, "measure", &new_id())
        .await?
        .seal("details", &details)?
        .var("kind", kind.as_str())
        .var("status", status.as_str())
        .var("start", start.map(stored_date))
        .var("end", end.map(stored_date));
    let body = "CREATE type::record('measure', $id) CONTENT { case: $cid, participant: $pid, kind: $kind, status: $status,
        start: IF $start = NONE THEN NONE ELSE <datetime>$start END, end: IF $end = NONE THEN NONE ELSE <datetime>$end END,
        responsible_org: $org, details: $details, version: 1, created_at: <datetime>$now, created_by: $user } RETURN NONE;";
    c.commit(w, body, EventLine::Measure { kind, status }, "")
        .await
}

pub async fn add_assessment(
    a: &Authed,
    case_id: &str,
    level: ThreatLevel,
    date_s: &str,
    next: &str,
    basis: &str,
) -> Result<String, AppError> {
    let c = Case::open(a, case_id, "safety.assessment_add", &[Category::Safety]).await?;
    c.require(may_write_safety(a, &c)).await?;
    let today = swedish_date(c.now);
    let d = date("date", date_s, today, false)?.unwrap_or(today);
    if d > today {
        return Err(AppError::problem(
            "date",
            domain::error::Problem::InFuture,
            "En bedömning kan inte vara gjord i framtiden.",
        ));
    }
    let next = date("next_review", next, today, true)?.unwrap_or(today);
    if next <= d {
        return Err(AppError::problem(
            "next_review",
            domain::error::Problem::NextNotAfter,
            "Nästa bedömning ska ligga efter den här.",
        ));
    }
    let basis = text("basis", "Underlaget", basis, true, MAX_TEXT)?;
    let w = c
        .write(EventKind::Assessment, c.now, "assessment", &new_id())
        .await?
        .seal("basis", &basis)?
        .var("level", level.as_str())
        .var("d", stored_date(d))
        .var("next", stored_date(next));
    let body = "CREATE type::record('assessment', $id) CONTENT { case: $cid, participant: $pid, level: $level, org: $org,
        date: <datetime>$d, next_review: <datetime>$next, basis: $basis, created_at: <datetime>$now, created_by: $user } RETURN NONE;";
    c.commit(w, body, EventLine::Assessment { level }, "").await
}

pub async fn safety(a: &Authed, case_id: &str) -> Result<SafetyDto, AppError> {
    let (c, tab) = Case::open_tab(
        a,
        case_id,
        "safety.read",
        &[Category::Safety],
        &[
            "SELECT *, record::id(id) AS id FROM measure WHERE case = $c ORDER BY created_at DESC",
            "SELECT *, record::id(id) AS id FROM assessment WHERE case = $c ORDER BY date DESC, created_at DESC",
        ],
    )
    .await?;
    c.require(c.may(Category::Safety)).await?;
    #[derive(Deserialize)]
    struct M {
        id: String,
        kind: String,
        status: String,
        start: Option<DateTime<Utc>>,
        end: Option<DateTime<Utc>>,
        responsible_org: String,
        details: Option<String>,
        version: i64,
    }
    #[derive(Deserialize)]
    struct A {
        id: String,
        level: String,
        org: String,
        date: DateTime<Utc>,
        next_review: DateTime<Utc>,
        basis: Option<String>,
    }
    let mut r = c.read(tab, true).await?;
    let ms: Vec<M> = r.all(0)?;
    let asx: Vec<A> = r.all(1)?;
    let measures = ms
        .iter()
        .map(|m| {
            Ok(MeasureDto {
                id: m.id.clone(),
                kind: MeasureKind::parse(&m.kind).unwrap_or(MeasureKind::Other),
                status: MeasureStatus::parse(&m.status).unwrap_or(MeasureStatus::Planned),
                start: m.start.map(|d| d.date_naive()),
                end: m.end.map(|d| d.date_naive()),
                responsible_org_id: m.responsible_org.clone(),
                responsible_org: r.org(&m.responsible_org),
                details: r.shown("measure", &m.id, "details", m.details.as_deref())?,
                version: m.version,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let assessments = asx
        .iter()
        .map(|x| {
            Ok(AssessmentDto {
                id: x.id.clone(),
                level: ThreatLevel::parse(&x.level).unwrap_or(ThreatLevel::High),
                org: r.org(&x.org),
                date: x.date.date_naive(),
                next_review: x.next_review.date_naive(),
                basis: r.shown("assessment", &x.id, "basis", x.basis.as_deref())?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let latest = assessments.first();
    let high_threat =
        latest.is_some_and(|l| matches!(l.level, ThreatLevel::High | ThreatLevel::Acute));
    let assessment_overdue = latest.is_none_or(|l| l.next_review < swedish_date(c.now));
    c.audit_read(&[Category::Safety]).await?;
    Ok(SafetyDto {
        measures,
        assessments,
        high_threat,
        assessment_overdue,
        can_assess: may_write_safety(a, &c),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::{plan, timeline, TimelineFilter};
    use crate::demo;
    use crate::testing::{setup, shared_case, worker_partner_police};
    use chrono::Duration;

    #[tokio::test]
    async fn partner_sees_contacts_and_own_actions_but_not_police_assessments() {
        let state = setup().await;
        let (w, partner, police) = worker_partner_police(&state).await;
        let case = shared_case(&w).await;
        add_assessment(
            &police,
            &case,
            ThreatLevel::High,
            "",
            &(state.clock().today() + Duration::days(30)).to_string(),
            "Hemlig källa uppger hot.",
        )
        .await
        .unwrap();
        assert_eq!(
            safety(&partner, &case).await.unwrap_err(),
            AppError::Forbidden
        );
        let page = timeline(&partner, &case, "", TimelineFilter::default(), 200)
            .await
            .unwrap();
        assert!(page
            .events
            .iter()
            .any(|e| e.kind == EventKind::Contact && e.text.is_some()));
        for e in page
            .events
            .iter()
            .filter(|e| e.category == Category::Safety)
        {
            assert!(
                e.text.is_none(),
                "partner must not read safety events: {e:?}"
            );
        }
        let body = serde_json::to_string(&page).unwrap();
        assert!(!body.contains("Hemlig källa"));
        // The plan as the partner sees it holds only Passus-owned actions.
        let plan = plan(&partner, &case).await.unwrap();
        assert!(plan
            .goals
            .iter()
            .flat_map(|g| &g.actions)
            .all(|a| a.owner_org_id == demo::ORG_PASSUS));
        assert!(plan.reviews.is_empty());
    }
}
