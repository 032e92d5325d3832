//! Outcome ratings: one rater's scores (1–5) for the life domains at intake or at a plan review.
//!
//! Ratings are plan data: they are read by whoever may read the plan (the plan's category
//! decides, as for goals and reviews) and written by the owning team, who also records the
//! participant's own rating with them. The scores are codes and numbers, stored in clear so the
//! program's anonymous figures can be counted; the comment may say anything about the person's
//! life and is sealed.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::read::Case;
use crate::auth::Authed;
use crate::db::new_id;
use domain::casework::{EventKind, LifeDomain};
use domain::event::EventLine;
use domain::rating::{
    Occasion, Rater, RatingForm, RatingSetDto, RatingsDto, ReviewRef, ValidRating,
};
use domain::time::{stored_date, swedish_date};
use domain::{AppError, Category};

/// Adds a rating set to the case (the owning team only). A review rating must name a plan
/// review of the same case; the check runs in the write's transaction.
pub async fn add_rating(a: &Authed, case_id: &str, f: &RatingForm) -> Result<String, AppError> {
    let c = Case::open(a, case_id, "rating.add", &[Category::Plan]).await?;
    c.require(c.manage).await?;
    let v = ValidRating::parse(f, swedish_date(c.now))?;
    if let Some(r) = &v.review_id {
        crate::gate::check_id(r).map_err(|_| {
            AppError::problem(
                "review_id",
                domain::error::Problem::Unknown,
                "Planuppföljningen finns inte.",
            )
        })?;
    }
    let scores: Vec<serde_json::Value> = v
        .scores
        .iter()
        .map(|(d, s)| serde_json::json!({ "domain": d.as_str(), "score": s }))
        .collect();
    let w = c
        .write(EventKind::Rating, stored_date(v.date), "rating", &new_id())
        .await?
        .seal("comment", &v.comment)?
        .var("d", stored_date(v.date))
        .var("occasion", v.occasion.as_str())
        .var("review", v.review_id.as_deref())
        .var("rater", v.rater.as_str())
        .var("scores", scores);
    let body = "
        IF $review != NONE AND $review != NULL AND (SELECT VALUE case FROM type::record('review', $review))[0] != $cid {
            THROW 'invalid:review_id:unknown:Planuppföljningen finns inte i det här ärendet.' };
        CREATE type::record('rating', $id) CONTENT { case: $cid, participant: $pid, date: <datetime>$d, occasion: $occasion,
            review: IF $review = NONE OR $review = NULL THEN NONE ELSE $review END, rater: $rater, scores: $scores,
            comment: $comment, created_at: <datetime>$now, created_by: $user } RETURN NONE;";
    let event = EventLine::Rating {
        rater: v.rater,
        occasion: v.occasion,
        scores: v.scores.clone(),
    };
    c.commit(w, body, event, "").await
}

#[derive(Deserialize)]
struct ScoreRec {
    domain: String,
    score: u8,
}

#[derive(Deserialize)]
struct RatingRec {
    id: String,
    date: DateTime<Utc>,
    occasion: String,
    review: Option<String>,
    rater: String,
    scores: Vec<ScoreRec>,
    comment: Option<String>,
}

/// The case's rating sets, oldest first, for whoever may read the plan. One audit entry.
pub async fn ratings(a: &Authed, case_id: &str) -> Result<RatingsDto, AppError> {
    let (c, tab) = Case::open_tab(
        a,
        case_id,
        "rating.read",
        &[Category::Plan],
        &[
            "SELECT *, record::id(id) AS id FROM rating WHERE case = $c ORDER BY date, created_at",
            "SELECT record::id(id) AS id, date FROM review WHERE case = $c ORDER BY date DESC",
        ],
    )
    .await?;
    c.require(c.may(Category::Plan)).await?;
    #[derive(Deserialize)]
    struct Rev {
        id: String,
        date: DateTime<Utc>,
    }
    let mut r = c.read(tab, true).await?;
    let recs: Vec<RatingRec> = r.all(0)?;
    let reviews: Vec<Rev> = r.all(1)?;
    let mut sets = Vec::with_capacity(recs.len());
    for x in recs {
        let scores = LifeDomain::ALL
            .iter()
            .map(|d| {
                let s = x
                    .scores
                    .iter()
                    .find(|s| s.domain == d.as_str())
                    .map(|s| s.score);
                (*d, s)
            })
            .collect();
        sets.push(RatingSetDto {
            comment: r.shown("rating", &x.id, "comment", x.comment.as_deref())?,
            date: x.date.date_naive(),
            occasion: Occasion::parse(&x.occasion).unwrap_or(Occasion::Review),
            review_id: x.review,
            rater: Rater::parse(&x.rater).unwrap_or(Rater::CaseWorker),
            scores,
            id: x.id,
        });
    }
    c.audit_read(&[Category::Plan]).await?;
    Ok(RatingsDto {
        sets,
        // Only the owning team adds ratings, so only they need the reviews to link one to.
        reviews: if c.manage {
            reviews
                .into_iter()
                .map(|v| ReviewRef {
                    id: v.id,
                    date: v.date.date_naive(),
                })
                .collect()
        } else {
            Vec::new()
        },
        can_edit: c.manage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::read::fixtures::{audit_seqs, last_entry};
    use crate::casework::{add_review, timeline, TimelineFilter};
    use crate::testing::{as_user, setup, shared_case, worker_partner_police};
    use domain::Shown;
    use serde_json::Value as Json;

    fn form(
        state: &crate::state::AppState,
        rater: &str,
        occasion: &str,
        review: &str,
        scores: &[(&str, &str)],
    ) -> RatingForm {
        RatingForm {
            date: state.clock().today().to_string(),
            occasion: occasion.into(),
            review_id: review.into(),
            rater: rater.into(),
            scores: scores
                .iter()
                .map(|(d, s)| (d.to_string(), s.to_string()))
                .collect(),
            comment: "Vill bo närmare sin syster".into(),
        }
    }

    async fn rating_rows(state: &crate::AppState) -> usize {
        state
            .db()
            .q("SELECT VALUE id FROM rating")
            .run()
            .await
            .unwrap()
            .all::<Json>(0)
            .unwrap()
            .len()
    }

    #[tokio::test]
    async fn a_rating_set_is_stored_with_its_event_and_its_comment_sealed() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        // The demo data may already hold ratings of this case.
        let earlier = ratings(&w, &case).await.unwrap().sets.len();
        let today = state.clock().today().to_string();
        let mut f = form(
            &state,
            "participant",
            "intake",
            "",
            &[("housing", "2"), ("safety", "1")],
        );
        f.date = today.clone();
        let id = add_rating(&w, &case, &f).await.unwrap();
        let review = add_review(&w, &case, &today, "", "Uppföljning", "")
            .await
            .unwrap();
        let f2 = form(
            &state,
            "participant",
            "review",
            &review,
            &[("housing", "4")],
        );
        let id2 = add_rating(&w, &case, &f2).await.unwrap();
        let raw: Vec<Json> = state
            .db()
            .q("SELECT VALUE comment FROM type::record('rating', $id)")
            .bind("id", &id)
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap();
        assert!(!format!("{raw:?}").contains("syster"), "comment in clear");
        let r = ratings(&w, &case).await.unwrap();
        assert_eq!(r.sets.len(), earlier + 2);
        let first = r.sets.iter().find(|s| s.id == id).unwrap();
        assert_eq!(first.rater, Rater::Participant);
        assert_eq!(first.score(LifeDomain::Housing), Some(2));
        assert_eq!(first.score(LifeDomain::Health), None);
        assert_eq!(
            first.comment,
            Shown::Value("Vill bo närmare sin syster".into())
        );
        let second = r.sets.iter().find(|s| s.id == id2).unwrap();
        assert_eq!(second.review_id.as_deref(), Some(review.as_str()));
        // Only this test's sets are the participant's own on this case when it had none before.
        if earlier == 0 {
            assert_eq!(
                r.change(Rater::Participant),
                vec![(LifeDomain::Housing, 2, 4)]
            );
        }
        assert!(r.reviews.iter().any(|x| x.id == review));
        let events = timeline(&w, &case, "", TimelineFilter::default(), 500)
            .await
            .unwrap()
            .events;
        assert_eq!(
            events
                .iter()
                .filter(|e| e.kind == EventKind::Rating)
                .count(),
            earlier + 2,
            "one timeline event per rating set"
        );
    }

    #[tokio::test]
    async fn bad_ratings_are_refused_and_nothing_is_written() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let malmo = as_user(&state, "handlaggare.malmo").await;
        let case = shared_case(&w).await;
        let before = rating_rows(&state).await;
        let events_before = timeline(&w, &case, "", TimelineFilter::default(), 500)
            .await
            .unwrap()
            .events
            .len();
        let field = |e: AppError| e.field().map(str::to_string);
        for (scores, want) in [
            (vec![("housing", "0")], "score_housing"),
            (vec![("housing", "6")], "score_housing"),
            (vec![("housing", "3,5")], "score_housing"),
            (vec![("astrology", "3")], "domain"),
            (vec![("housing", "")], "scores"),
        ] {
            let e = add_rating(
                &w,
                &case,
                &form(&state, "case_worker", "intake", "", &scores),
            )
            .await
            .unwrap_err();
            assert_eq!(field(e), Some(want.into()), "{scores:?}");
        }
        let e = add_rating(
            &w,
            &case,
            &form(&state, "mother", "intake", "", &[("housing", "3")]),
        )
        .await
        .unwrap_err();
        assert_eq!(field(e), Some("rater".into()));
        // A review of another case cannot be named.
        let other = crate::participants::list(&malmo, Default::default())
            .await
            .unwrap()[0]
            .case_id
            .clone();
        let today = state.clock().today().to_string();
        let foreign = add_review(&malmo, &other, &today, "", "Malmö", "")
            .await
            .unwrap();
        let e = add_rating(
            &w,
            &case,
            &form(
                &state,
                "case_worker",
                "review",
                &foreign,
                &[("housing", "3")],
            ),
        )
        .await
        .unwrap_err();
        assert_eq!(field(e), Some("review_id".into()));
        assert_eq!(rating_rows(&state).await, before);
        let events_after = timeline(&w, &case, "", TimelineFilter::default(), 500)
            .await
            .unwrap()
            .events
            .len();
        assert_eq!(events_before, events_after);
    }

    #[tokio::test]
    async fn a_partner_without_plan_consent_cannot_read_ratings_and_leaves_one_deny_entry() {
        let state = setup().await;
        let (w, partner, police) = worker_partner_police(&state).await;
        let case = shared_case(&w).await;
        add_rating(
            &w,
            &case,
            &form(&state, "case_worker", "intake", "", &[("safety", "2")]),
        )
        .await
        .unwrap();
        // With plan consent Passus reads the ratings. Its consent is then narrowed to contacts
        // alone: Passus still sees the case, but not the plan's ratings.
        assert!(ratings(&partner, &case).await.is_ok());
        crate::testing::revoke_passus(&w, &case).await;
        let contacts_only = crate::testing::passus_contacts_only(state.clock().today());
        crate::consent::add(&w, &case, contacts_only).await.unwrap();
        for who in [&partner, &police] {
            let before = audit_seqs(&state).await;
            let e = ratings(who, &case).await.unwrap_err();
            assert_eq!(e, AppError::Forbidden);
            assert_eq!(audit_seqs(&state).await, before + 1, "exactly one entry");
            let (action, decision, denied) = last_entry(&state).await;
            assert_eq!(
                (action.as_str(), decision.as_str()),
                ("rating.read", "deny")
            );
            assert_eq!(denied, vec!["plan".to_string()]);
        }
        // Nor may a reader who is not of the owning team add one.
        let before = audit_seqs(&state).await;
        let e = add_rating(
            &partner,
            &case,
            &form(&state, "participant", "intake", "", &[("safety", "2")]),
        )
        .await
        .unwrap_err();
        assert_eq!(e, AppError::Forbidden);
        assert_eq!(audit_seqs(&state).await, before + 1);
    }
}
