//! Distance travelled: for each case in the cohort and each rater, the latest rating set in the
//! period against the first intake set, per life domain. Only scores (codes and numbers) are
//! read, never a comment; what leaves is counted and suppressed by [`Distance::new`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use domain::casework::LifeDomain;
use domain::rating::{Occasion, Rater};
use domain::stats::Distance;

#[derive(Deserialize)]
pub(super) struct Score {
    domain: String,
    score: i32,
}

/// One stored rating set of a case in the cohort, dated before the period's end.
#[derive(Deserialize)]
pub(super) struct RatingRow {
    pub(super) case: String,
    rater: String,
    occasion: String,
    #[allow(dead_code)]
    date: DateTime<Utc>,
    scores: Vec<Score>,
}

/// The figures per rater, from rows in date order.
pub(super) fn distance(rows: &[RatingRow]) -> Vec<Distance> {
    Rater::ALL
        .iter()
        .map(|rater| {
            // Per case: its sets by this rater, oldest first.
            let mut by_case: BTreeMap<&str, Vec<&RatingRow>> = BTreeMap::new();
            for r in rows.iter().filter(|r| r.rater == rater.as_str()) {
                by_case.entry(&r.case).or_default().push(r);
            }
            let mut per_domain: Vec<Vec<i32>> = vec![Vec::new(); LifeDomain::ALL.len()];
            let mut persons = 0u32;
            for sets in by_case.values() {
                let Some(first) = sets
                    .iter()
                    .position(|s| s.occasion == Occasion::Intake.as_str())
                else {
                    continue;
                };
                let last = sets.len() - 1;
                if last == first {
                    continue;
                }
                let score = |s: &RatingRow, d: LifeDomain| {
                    s.scores
                        .iter()
                        .find(|x| x.domain == d.as_str())
                        .map(|x| x.score)
                };
                let mut counted = false;
                for (i, d) in LifeDomain::ALL.iter().enumerate() {
                    if let (Some(a), Some(b)) = (score(sets[first], *d), score(sets[last], *d)) {
                        per_domain[i].push(b - a);
                        counted = true;
                    }
                }
                persons += u32::from(counted);
            }
            let codes: Vec<&str> = LifeDomain::ALL.iter().map(|d| d.as_str()).collect();
            Distance::new(rater.as_str(), &codes, &per_domain, persons)
        })
        .collect()
}

#[cfg(test)]
pub(super) mod tests {
    use chrono::{DateTime, Utc};

    use super::super::{compute, swedish_day_start, Period};
    use crate::demo_history::HistoryCase;
    use crate::demo_ratings::PROJECT_ID;
    use crate::testing::history_store;
    use domain::casework::LifeDomain;
    use domain::rating::{Occasion, Rater};
    use domain::stats::{Cell, Change, Distance};

    /// The distance travelled computed again from the generated people (`cohort`: those whose
    /// case ran in the period), with none of the store's rows or queries.
    pub(in crate::outcomes) fn expected(
        cohort: &[&&HistoryCase],
        to: DateTime<Utc>,
    ) -> Vec<Distance> {
        let mut out = Vec::new();
        for rater in Rater::ALL {
            let mut changes: Vec<Vec<i32>> = LifeDomain::ALL.iter().map(|_| Vec::new()).collect();
            let mut persons = 0;
            for c in cohort {
                let sets: Vec<_> = c
                    .ratings
                    .iter()
                    .filter(|r| r.rater == rater && r.date < to)
                    .collect();
                let Some(intake) = sets.iter().find(|r| r.occasion == Occasion::Intake) else {
                    continue;
                };
                let latest = sets[sets.len() - 1];
                if std::ptr::eq(latest, *intake) {
                    continue;
                }
                let mut any = false;
                for (i, d) in LifeDomain::ALL.iter().enumerate() {
                    let at = |r: &crate::demo_history::HistoryRating| {
                        r.scores
                            .iter()
                            .find(|(x, _)| x == d)
                            .map(|(_, s)| i32::from(*s))
                    };
                    if let (Some(a), Some(b)) = (at(intake), at(latest)) {
                        changes[i].push(b - a);
                        any = true;
                    }
                }
                if any {
                    persons += 1;
                }
            }
            let codes: Vec<&str> = LifeDomain::ALL.iter().map(|d| d.as_str()).collect();
            out.push(Distance::new(rater.as_str(), &codes, &changes, persons));
        }
        out
    }

    #[tokio::test]
    async fn distance_travelled_equals_an_independent_computation_from_the_generated_history() {
        if crate::testing::second_pass_over_ws() {
            return; // the first pass is enough: crate::testing::second_pass_over_ws
        }
        let (state, people) = history_store().await;
        let today = state.clock().today();
        let mut shown_medians = 0;
        let mut hidden = 0;
        for (from, to) in [("", ""), ("2024-01-01", ""), ("", "2025-06-30")] {
            for m in ["", "Göteborg", "Malmö"] {
                let p = Period::parse(from, to, m, today).unwrap();
                let (pfrom, pto) = p.bounds();
                let cohort: Vec<&HistoryCase> = people
                    .iter()
                    .filter(|c| {
                        p.municipality
                            .as_deref()
                            .is_none_or(|m| m == c.municipality)
                    })
                    .filter(|c| c.opened < pto && c.closed_at().is_none_or(|t| t >= pfrom))
                    .collect();
                let cohort: Vec<&&HistoryCase> = cohort.iter().collect();
                let got = compute(&state, &p).await.unwrap().distance;
                assert_eq!(got, expected(&cohort, pto), "{p:?}");
                for d in &got {
                    assert!(!d.bands.has_recoverable_line());
                    for (_, m) in &d.medians {
                        match m {
                            Change::Shown { of, .. } => {
                                assert!(*of >= 5);
                                shown_medians += 1;
                            }
                            Change::Suppressed => hidden += 1,
                        }
                    }
                    hidden += d
                        .bands
                        .cells
                        .iter()
                        .flatten()
                        .filter(|c| **c == Cell::Suppressed)
                        .count();
                }
            }
        }
        // Real figures for both raters, and small groups hidden somewhere.
        assert!(shown_medians > 30 && hidden > 0, "{shown_medians} {hidden}");
        let all = compute(&state, &Period::parse("", "", "", today).unwrap())
            .await
            .unwrap();
        for d in &all.distance {
            assert!(matches!(d.persons, Cell::Count(n) if n > 50), "{d:?}");
        }
    }

    #[tokio::test]
    async fn a_project_report_counts_only_participants_enrolled_during_the_period() {
        if crate::testing::second_pass_over_ws() {
            return; // the first pass is enough: crate::testing::second_pass_over_ws
        }
        let (state, people) = history_store().await;
        let today = state.clock().today();
        let today_start = swedish_day_start(today);
        for (i, (from, to, m)) in [
            ("2024-01-01", "", ""),
            ("2025-01-01", "2025-12-31", "Göteborg"),
            ("2024-03-01", "2024-04-30", ""),
        ]
        .into_iter()
        .enumerate()
        {
            let p = Period::parse(from, to, m, today)
                .unwrap()
                .with_project(Some(PROJECT_ID.into()));
            let (pfrom, pto) = p.bounds();
            let enrolled: Vec<HistoryCase> = people
                .iter()
                .filter(|c| {
                    c.enrolment
                        .is_some_and(|(e, x)| e < pto && x.is_none_or(|x| x >= pfrom))
                })
                .cloned()
                .collect();
            assert!(enrolled.len() < people.len());
            let got = compute(&state, &p).await.unwrap();
            let want = super::super::tests::expected(&enrolled, &p, today_start);
            assert_eq!(got, want, "{p:?}");
            // Everyone else is left out: over a long period the count is smaller than the
            // whole program's (both large enough to be shown).
            if i < 2 {
                let whole = compute(&state, &p.clone().with_project(None))
                    .await
                    .unwrap();
                let (Cell::Count(a), Cell::Count(b)) = (got.participants, whole.participants)
                else {
                    panic!("{p:?}: {:?} {:?}", got.participants, whole.participants)
                };
                assert!(a < b, "{p:?}: {a} {b}");
            }
        }
        // A short period has few enrolled: their figures are hidden, not shown.
        let p = Period::parse("2024-01-01", "2024-01-10", "", today)
            .unwrap()
            .with_project(Some(PROJECT_ID.into()));
        let got = compute(&state, &p).await.unwrap();
        assert!(got
            .by_status
            .cells
            .iter()
            .flatten()
            .all(|c| matches!(c, Cell::Suppressed) || matches!(c, Cell::Count(n) if *n >= 5)));
        // An unknown project counts no one.
        let p = Period::parse("", "", "", today)
            .unwrap()
            .with_project(Some("nosuchproject".into()));
        let got = compute(&state, &p).await.unwrap();
        assert_eq!(got.participants, Cell::Suppressed);
    }
}
