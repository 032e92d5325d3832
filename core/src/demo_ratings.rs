//! Demo outcome ratings and the demo ESF+ project: ratings over time for the generated history
//! (intake and one to three reviews, both raters) and for a few of the hand-made demo cases,
//! and the project "Vägen ut – ESF+" with enrolled participants.
//!
//! [`history_ratings`] is pure and deterministic (its own seed), so the outcomes test can
//! compute the distance travelled from the generated people without the store.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::time::stored_date;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::demo_cast::{HistoryCase, HistoryRating};
use super::state::AppState;
use domain::casework::LifeDomain;
use domain::project::{ProjectDto, ProjectInput};
use domain::rating::{Occasion, Rater, RatingForm};
use domain::{AppError, CaseStatus};

/// The demo project's fixed id.
pub const PROJECT_ID: &str = "esf_vagen_ut";
const SEED: u64 = 0x5574_7661_6700_0013;

/// The demo project's period.
pub fn project_period() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
        NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default(),
    )
}

fn project_input() -> Result<ProjectInput, AppError> {
    let (from, to) = project_period();
    ProjectInput::parse(
        "Vägen ut – ESF+",
        "Europeiska socialfonden (ESF+)",
        "2024/00123",
        &from.to_string(),
        &to.to_string(),
        "50",
    )
}

/// The demo project, written once.
pub async fn ensure_project(state: &AppState) -> Result<ProjectDto, AppError> {
    super::project::ensure(state, PROJECT_ID, &project_input()?).await
}

/// The next score: mostly steady or a step up, now and then a step back.
fn drift(rng: &mut ChaCha8Rng, s: u8) -> u8 {
    let delta: i32 = match rng.random_range(0..100) {
        0..15 => -1,
        15..55 => 0,
        55..92 => 1,
        _ => 2,
    };
    (i32::from(s) + delta).clamp(1, 5) as u8
}

/// Adds ratings and project enrolment to the generated people. Everyone who became active has
/// an intake rating by the case worker (and, for most, their own), and a new pair at each of
/// up to three reviews while the case ran. About half of Göteborg's people whose case ran
/// during the project are enrolled in it.
pub fn history_ratings(people: &mut [HistoryCase], now: DateTime<Utc>) {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let (pfrom, pto) = project_period();
    let (pfrom, pto) = (stored_date(pfrom), stored_date(pto));
    for c in people.iter_mut() {
        let until = c.closed_at().unwrap_or(now);
        let active = c
            .transitions
            .iter()
            .find(|(s, _)| *s == CaseStatus::Active)
            .map(|t| t.1);
        if let Some(active) = active {
            let mut dates = vec![(
                Occasion::Intake,
                c.opened + Duration::days(rng.random_range(3..15)),
            )];
            let mut t = active;
            for _ in 0..3 {
                t += Duration::days(rng.random_range(90..160));
                if t < until {
                    dates.push((Occasion::Review, t));
                }
            }
            let base: Vec<u8> = LifeDomain::ALL
                .iter()
                .map(|_| rng.random_range(1..=3))
                .collect();
            for rater in Rater::ALL {
                let takes_part = rater == Rater::CaseWorker || rng.random_bool(0.8);
                let mut cur: Vec<u8> = base
                    .iter()
                    .map(|b| match rater {
                        Rater::CaseWorker => *b,
                        // People often see their situation a step brighter or darker.
                        Rater::Participant => {
                            (i32::from(*b) + rng.random_range(-1..=1)).clamp(1, 5) as u8
                        }
                    })
                    .collect();
                for (i, (occasion, date)) in dates.iter().enumerate() {
                    if i > 0 {
                        for s in cur.iter_mut() {
                            *s = drift(&mut rng, *s);
                        }
                    }
                    let scores: Vec<(LifeDomain, u8)> = LifeDomain::ALL
                        .iter()
                        .zip(&cur)
                        .filter(|_| rng.random_bool(0.88))
                        .map(|(d, s)| (*d, *s))
                        .collect();
                    if takes_part && *date < until && !scores.is_empty() {
                        c.ratings.push(HistoryRating {
                            date: *date,
                            occasion: *occasion,
                            rater,
                            scores,
                        });
                    }
                }
            }
            c.ratings.sort_by_key(|r| r.date);
        }
        let enrolled = rng.random_bool(0.5);
        if c.municipality == "Göteborg" && enrolled {
            let entry = stored_date(c.opened.max(pfrom).date_naive());
            let last = until.min(pto);
            let exit =
                (c.closed_at().is_some() || now > pto).then(|| stored_date(last.date_naive()));
            if entry <= last && entry <= now {
                c.enrolment = Some((entry, exit));
            }
        }
    }
}

/// Ratings for a few of the hand-made Göteborg cases (at the start of the plan and at its
/// review, both raters), and their enrolment in the project — written through the core.
pub async fn load(state: &AppState) -> Result<(), AppError> {
    use super::casework as cw;
    use super::participants::{self, ListFilter};
    let p = ensure_project(state).await?;
    let w = super::auth::acting_as(state, "handlaggare").await?;
    let rows = participants::list(
        &w,
        ListFilter {
            status: Some(CaseStatus::Active),
            mine: false,
        },
    )
    .await?;
    let mut done = 0;
    for row in rows.iter().filter(|r| r.municipality == "Göteborg") {
        if done == 4 {
            break;
        }
        let plan = cw::plan(&w, &row.case_id).await?;
        // The demo's clock walked through the history: a review may be dated ahead of today.
        let today = state.clock().today();
        let Some(review) = plan.reviews.iter().find(|r| r.date <= today) else {
            continue;
        };
        let start = review.date - Duration::days(60);
        let sets: [(Occasion, NaiveDate, Rater, [u8; 4]); 4] = [
            (Occasion::Intake, start, Rater::CaseWorker, [1, 2, 1, 2]),
            (Occasion::Intake, start, Rater::Participant, [2, 2, 2, 3]),
            (
                Occasion::Review,
                review.date,
                Rater::CaseWorker,
                [3, 3, 2, 3],
            ),
            (
                Occasion::Review,
                review.date,
                Rater::Participant,
                [3, 4, 2, 4],
            ),
        ];
        let domains = [
            LifeDomain::Safety,
            LifeDomain::Housing,
            LifeDomain::Occupation,
            LifeDomain::LeavingNetwork,
        ];
        for (occasion, date, rater, scores) in sets {
            let f = RatingForm {
                date: date.to_string(),
                occasion: occasion.as_str().into(),
                review_id: if occasion == Occasion::Review {
                    review.id.clone()
                } else {
                    String::new()
                },
                rater: rater.as_str().into(),
                scores: domains
                    .iter()
                    .zip(scores)
                    .map(|(d, s)| {
                        (
                            d.as_str().to_string(),
                            (s + (done % 2) as u8).min(5).to_string(),
                        )
                    })
                    .collect(),
                comment: if rater == Rater::Participant {
                    "Deltagarens egna ord: känner sig tryggare nu. Fiktiv demoskattning.".into()
                } else {
                    String::new()
                },
            };
            cw::add_rating(&w, &row.case_id, &f).await?;
        }
        if p.from <= today {
            let entry = start.clamp(p.from, p.to.min(today));
            cw::enrol(&w, &row.case_id, PROJECT_ID, &entry.to_string(), "").await?;
        }
        done += 1;
    }
    Ok(())
}
