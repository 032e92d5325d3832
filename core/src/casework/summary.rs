//! What the case overview and the work list show of the casework: the latest threat
//! assessment, active measures, current housing and occupation, the next plan review.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use crate::auth::Authed;
use domain::casework::*;
use domain::time::swedish_date;
use domain::{AppError, Category};

/// What the case overview reads of the casework, as fields of the object its one block returns
/// (`$c` the case, `$today` the day in Sweden): the latest threat assessment, the active
/// measures, the current housing and occupation and the next plan review. Each is read whatever
/// the reader may see; [`overview_summary`] keeps only what the reader's decisions allow.
pub(crate) const SUMMARY_FIELDS: &str = "
    threat: (SELECT level, date, next_review, created_at FROM assessment WHERE case = $c ORDER BY date DESC, created_at DESC LIMIT 1)[0],
    measures: (SELECT VALUE kind FROM measure WHERE case = $c AND status = 'active'),
    housing: (SELECT kind, from FROM housing WHERE case = $c AND from <= <datetime>$today AND (to = NONE OR to >= <datetime>$today) ORDER BY from DESC LIMIT 1)[0],
    occupation: (SELECT kind, from FROM occupation WHERE case = $c AND from <= <datetime>$today AND (to = NONE OR to >= <datetime>$today) ORDER BY from DESC LIMIT 1)[0],
    next_review: (SELECT VALUE next_review FROM ONLY type::record('case', $c)),";

#[derive(Deserialize)]
struct Threat {
    level: String,
    date: DateTime<Utc>,
    next_review: DateTime<Utc>,
}

#[derive(Deserialize)]
struct Since {
    kind: String,
    from: DateTime<Utc>,
}

/// What [`SUMMARY_FIELDS`] read.
#[derive(Deserialize)]
pub(crate) struct SummaryRows {
    threat: Option<Threat>,
    #[serde(default)]
    measures: Vec<String>,
    housing: Option<Since>,
    occupation: Option<Since>,
    next_review: Option<DateTime<Utc>>,
}

/// What the case overview shows of the casework read into `rows`, each part only where `sees`
/// allows its category. Reads no sealed field; the caller's overview entry audits the read.
pub(crate) async fn overview_summary(
    a: &Authed,
    case_id: &str,
    now: DateTime<Utc>,
    rows: SummaryRows,
    sees: impl Fn(Category) -> bool,
) -> Result<CaseSummary, AppError> {
    let today = swedish_date(now);
    let mut s = CaseSummary {
        sees_safety: sees(Category::Safety),
        sees_housing: sees(Category::Housing),
        sees_occupation: sees(Category::Occupation),
        sees_plan: sees(Category::Plan),
        ..CaseSummary::default()
    };
    if s.sees_safety {
        s.threat = rows
            .threat
            .map(|t| threat_summary(&t.level, t.date, t.next_review, today));
        s.active_measures = rows
            .measures
            .iter()
            .filter_map(|k| MeasureKind::parse(k).ok())
            .collect();
    }
    fn current<K>(p: Option<Since>, parse: fn(&str) -> Result<K, AppError>) -> Option<Current<K>> {
        p.and_then(|p| {
            Some(Current {
                kind: parse(&p.kind).ok()?,
                since: p.from.date_naive(),
            })
        })
    }
    if s.sees_housing {
        s.housing = current(rows.housing, HousingType::parse);
    }
    if s.sees_occupation {
        s.occupation = current(rows.occupation, OccupationType::parse);
    }
    if s.sees_plan {
        s.next_review = rows.next_review.map(|d| d.date_naive());
        s.review_overdue = s.next_review.is_some_and(|d| d < today);
        s.groups = crate::group::on_overview(a, case_id, now).await?;
    }
    if sees(Category::ContactInfo) {
        s.guardian_consent_missing = super::guardians::consent_missing_on(a, case_id, now).await?;
    }
    Ok(s)
}

/// A stored assessment as a summary; an unknown level reads as high (the safe side).
pub(crate) fn threat_summary(
    level: &str,
    date: DateTime<Utc>,
    next_review: DateTime<Utc>,
    today: NaiveDate,
) -> ThreatSummary {
    ThreatSummary {
        level: ThreatLevel::parse(level).unwrap_or(ThreatLevel::High),
        date: date.date_naive(),
        next_review: next_review.date_naive(),
        overdue: next_review.date_naive() < today,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::{add_assessment, add_housing};
    use crate::participants;
    use crate::testing::{setup, shared_case, worker_partner_police};
    use chrono::Duration;
    use domain::casework::ThreatWarning;

    #[tokio::test]
    async fn the_overview_warns_of_a_high_threat_and_shows_only_what_the_reader_may_see() {
        let state = setup().await;
        let (w, partner, police) = worker_partner_police(&state).await;
        let case = shared_case(&w).await;
        let today = state.clock().today();
        add_assessment(
            &police,
            &case,
            ThreatLevel::Acute,
            "",
            &(today + Duration::days(14)).to_string(),
            "Hot mot bostaden.",
        )
        .await
        .unwrap();
        add_housing(
            &w,
            &case,
            HousingType::Sheltered,
            "Hemlig gatan 1",
            &today.to_string(),
        )
        .await
        .unwrap();
        let v = participants::view(&w, &case).await.unwrap();
        assert_eq!(v.summary.warnings(), vec![ThreatWarning::Acute]);
        assert_eq!(
            v.summary.threat.as_ref().map(|t| t.level),
            Some(ThreatLevel::Acute)
        );
        assert_eq!(
            v.summary.housing.as_ref().map(|h| h.kind),
            Some(HousingType::Sheltered)
        );
        // Passus has consent for housing but not safety: the housing kind, no threat at all.
        let p = participants::view(&partner, &case).await.unwrap();
        assert!(!p.summary.sees_safety && p.summary.threat.is_none());
        assert!(p.summary.warnings().is_empty());
        assert_eq!(
            p.summary.housing.as_ref().map(|h| h.kind),
            Some(HousingType::Sheltered)
        );
        // Three weeks later the assessment is overdue, and the overview says so.
        state.clock().advance(Duration::days(21));
        let v = participants::view(&w, &case).await.unwrap();
        assert_eq!(
            v.summary.warnings(),
            vec![ThreatWarning::Acute, ThreatWarning::Reassess]
        );
        state.clock().reset();
    }
}
