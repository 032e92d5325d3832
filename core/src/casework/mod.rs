//! Casework on a case: the individual plan (goals, actions, reviews), protective measures,
//! threat assessments, housing and occupation periods, the contact log and notes — each write
//! recorded as an event on the shared timeline in the same audited transaction, each sensitive
//! text sealed with the participant's key.
//!
//! Who may write: the owning organisation's case team (and its program leads) for everything;
//! an organisation that owns a plan action may update it when it may read `plan`; police with
//! `safety` access may record measures and threat assessments; anyone who may read `contacts`
//! may log a contact for their own organisation; anyone who may read `notes` may write a note.
//!
//! One file per tab (`plan`, `safety`, `living`, `journal`, `timeline`, and `summary` for the
//! case overview), each on the shared `read` (the case through the gate, its rows, names and
//! key) and `write` (sealed fields, the timeline event and the audit entry in one transaction).

mod enrolment;
mod goals;
mod guardians;
mod journal;
mod living;
mod measures;
mod plan;
mod rating;
mod read;
/// Audit-log probes for tests of modules that write through the casework.
#[cfg(test)]
pub(crate) use read::fixtures;
mod safety;
mod summary;
pub(crate) mod timeline;
mod write;

pub use enrolment::{end_enrolment, enrol, enrolments};
pub use goals::set_goal_status;
pub use guardians::{add_guardian, guardians, record_consent, remove_guardian, update_guardian};
pub use journal::{add_contact, add_note, edit_note, notes, NOTE_EDIT_WINDOW_MINUTES};
pub use living::{add_housing, add_occupation, living};
pub use measures::{end_measure, update_measure, MeasureEdit};
pub use plan::{add_action, add_goal, add_guardian_action, add_review, plan, update_action};
pub use rating::{add_rating, ratings};
pub use safety::{add_assessment, add_measure, safety};
pub(crate) use summary::{overview_summary, threat_summary, SummaryRows, SUMMARY_FIELDS};
pub use timeline::{timeline, TimelineFilter};
pub(crate) use write::sealed_event;

/// Longest goal or action title.
const MAX_TITLE: usize = 300;

/// Calls that span the tabs: every refusal leaves one entry, and bad input writes nothing.
#[cfg(test)]
mod tests {
    use super::read::fixtures::{audit_seqs, last_entry};
    use super::*;
    use crate::auth::Authed;
    use crate::testing::{as_user, setup, shared_case, worker_partner_police};
    use crate::{demo, participants};
    use domain::casework::{ContactKind, LifeDomain};
    use domain::{AppError, MAX_TEXT};

    #[tokio::test]
    async fn every_refused_casework_call_leaves_exactly_one_deny_entry() {
        let state = setup().await;
        let (w, partner, police) = worker_partner_police(&state).await;
        let admin = as_user(&state, "admin").await;
        let auditor = as_user(&state, "granskare").await;
        let case = shared_case(&w).await;
        // A relation without the category: the partner has no safety or notes consent, the
        // police no notes basis.
        let refusals: Vec<(&Authed, &str)> = vec![
            (&partner, "safety.read"),
            (&partner, "notes.read"),
            (&police, "notes.read"),
            (&admin, "safety.read"),
            (&admin, "living.read"),
            (&admin, "notes.read"),
            (&admin, "plan.read"),
            (&auditor, "timeline.read"),
            (&auditor, "note.add"),
        ];
        for (who, action) in refusals {
            let before = audit_seqs(&state).await;
            let err = match action {
                "safety.read" => safety(who, &case).await.map(|_| ()),
                "living.read" => living(who, &case).await.map(|_| ()),
                "notes.read" => notes(who, &case).await.map(|_| ()),
                "plan.read" => plan(who, &case).await.map(|_| ()),
                "timeline.read" => timeline(who, &case, "", TimelineFilter::default(), 10)
                    .await
                    .map(|_| ()),
                "note.add" => add_note(who, &case, "x").await.map(|_| ()),
                other => unreachable!("{other}"),
            }
            .unwrap_err();
            assert_eq!(err, AppError::Forbidden, "{} {action}", who.role().as_str());
            assert_eq!(
                audit_seqs(&state).await,
                before + 1,
                "{} {action}: exactly one entry",
                who.role().as_str()
            );
            let (a, decision, denied) = last_entry(&state).await;
            assert_eq!((a.as_str(), decision.as_str()), (action, "deny"));
            assert!(
                !denied.is_empty(),
                "{action}: the denied categories are named"
            );
        }
        // An administrator asking for an id that does not exist gets the same answer.
        assert_eq!(
            safety(&admin, "doesnotexist").await.unwrap_err(),
            AppError::Forbidden
        );
    }

    #[tokio::test]
    async fn bad_input_is_refused_and_nothing_is_written() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let malmo = as_user(&state, "handlaggare.malmo").await;
        let case = shared_case(&w).await;
        let before = timeline(&w, &case, "", TimelineFilter::default(), 200)
            .await
            .unwrap()
            .events
            .len();
        let huge = "x".repeat(MAX_TEXT + 1);
        let field = |e: AppError| e.field().map(str::to_string);
        assert_eq!(
            field(add_note(&w, &case, &huge).await.unwrap_err()),
            Some("text".into())
        );
        assert_eq!(
            field(
                add_goal(&w, &case, LifeDomain::Health, "Mål", "1899-01-01")
                    .await
                    .unwrap_err()
            ),
            Some("target_date".into())
        );
        assert_eq!(
            field(
                add_contact(&w, &case, "2999-01-01T10:00", ContactKind::Phone, "10", "x")
                    .await
                    .unwrap_err()
            ),
            Some("at".into())
        );
        assert_eq!(
            field(
                add_contact(&w, &case, "", ContactKind::Phone, "-5", "x")
                    .await
                    .unwrap_err()
            ),
            Some("minutes".into())
        );
        assert_eq!(
            add_note(&w, "finnsinte", "x").await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            add_note(&w, "../../etc", "x").await.unwrap_err(),
            AppError::NotFound
        );
        // An action for a goal of another case.
        let other = participants::list(&malmo, participants::ListFilter::default())
            .await
            .unwrap()[0]
            .case_id
            .clone();
        let foreign_goal = add_goal(&malmo, &other, LifeDomain::Leisure, "Träna", "")
            .await
            .unwrap();
        let e = add_action(&w, &case, &foreign_goal, "Smyg", demo::ORG_GBG, "", "")
            .await
            .unwrap_err();
        assert_eq!(field(e.clone()), Some("goal_id".into()), "{e:?}");
        // And Malmö cannot write into Göteborg's case at all.
        assert_eq!(
            add_note(&malmo, &case, "intrång").await.unwrap_err(),
            AppError::NotFound
        );
        let after = timeline(&w, &case, "", TimelineFilter::default(), 200)
            .await
            .unwrap()
            .events
            .len();
        assert_eq!(before, after);
    }
}
