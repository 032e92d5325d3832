//! A goal of the plan is reached or given up: its status moves between open, achieved and
//! dropped (and back to open when it was closed by mistake or comes back on the agenda).

use domain::Problem;
use serde::Deserialize;

use super::read::Case;
use crate::auth::Authed;
use crate::gate::check_id;
use crate::vault;
use domain::casework::{EventKind, GoalStatus};
use domain::event::EventLine;
use domain::{AppError, Category};

#[derive(Deserialize)]
struct GoalRec {
    case: String,
    text: String,
    status: String,
    version: i64,
}

/// Sets a goal's status. Like every plan write it is the owning team's; a stale version is a
/// `Conflict` naming the versions, never the saved values (those are read through the plan,
/// which leaves its entry).
pub async fn set_goal_status(
    a: &Authed,
    case_id: &str,
    goal_id: &str,
    version: i64,
    status: GoalStatus,
) -> Result<(), AppError> {
    check_id(goal_id)?;
    let c = Case::open(a, case_id, "plan.goal_status", &[Category::Plan]).await?;
    c.require(c.manage).await?;
    let rec: Option<GoalRec> = a
        .state()
        .db()
        .q("SELECT case, text, status, version FROM ONLY type::record('goal', $id)")
        .bind("id", goal_id)
        .run()
        .await?
        .first(0)?;
    let rec = rec
        .filter(|g| g.case == c.case.id)
        .ok_or(AppError::NotFound)?;
    if rec.version != version {
        return Err(goal_conflict(version, rec.version));
    }
    if rec.status == status.as_str() {
        return Err(AppError::problem(
            "status",
            Problem::AlreadyDone,
            format!("Målet har redan status {}.", status.label().to_lowercase()),
        ));
    }
    let w = c
        .write(EventKind::Goal, c.now, "goal", goal_id)
        .await?
        .var("v", version)
        .var("status", status.as_str());
    let body = "
        LET $cur = (SELECT VALUE version FROM ONLY type::record('goal', $id));
        IF $cur != $v { THROW 'conflict:stale:' };
        UPDATE type::record('goal', $id) SET status = $status, version = $v + 1 RETURN NONE;";
    let text = vault::open(w.key(), "goal", goal_id, "text", &rec.text)?.expose();
    match c
        .commit(w, body, EventLine::GoalStatus { status }, &text)
        .await
    {
        Err(AppError::Conflict { .. }) => {
            let saved: Option<i64> = a
                .state()
                .db()
                .q("SELECT VALUE version FROM ONLY type::record('goal', $id)")
                .bind("id", goal_id)
                .run()
                .await?
                .first(0)?;
            Err(goal_conflict(version, saved.unwrap_or(version)))
        }
        other => other.map(drop),
    }
}

fn goal_conflict(yours: i64, saved: i64) -> AppError {
    AppError::conflict(Problem::Stale, format!(
        "Någon annan har ändrat målet medan du arbetade: du utgick från version {yours}, sparad är version {saved}. Ladda om sidan och se efter om ändringen fortfarande behövs."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::read::fixtures::{audit_seqs, last_entry};
    use crate::casework::{add_goal, plan};
    use crate::testing::{as_user, setup, shared_case, worker_partner_police};
    use domain::casework::LifeDomain;

    async fn status_of(w: &Authed, case: &str, goal: &str) -> (GoalStatus, i64) {
        let p = plan(w, case).await.unwrap();
        let g = p.goals.iter().find(|g| g.id == goal).unwrap();
        (g.status, g.version)
    }

    async fn goal_events(w: &Authed, case: &str) -> Vec<String> {
        crate::casework::fixtures::event_lines(w, case, EventKind::Goal).await
    }

    #[tokio::test]
    async fn a_goal_marked_achieved_or_dropped_is_written_with_a_timeline_event_and_an_audit_entry()
    {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        let goal = add_goal(&w, &case, LifeDomain::Housing, "Eget kontrakt Zx9", "")
            .await
            .unwrap();
        let before = audit_seqs(&state).await;
        set_goal_status(&w, &case, &goal, 1, GoalStatus::Achieved)
            .await
            .unwrap();
        assert_eq!(audit_seqs(&state).await, before + 1, "one entry");
        let (action, decision, _) = last_entry(&state).await;
        assert_eq!(
            (action.as_str(), decision.as_str()),
            ("plan.goal_status", "allow")
        );
        assert_eq!(status_of(&w, &case, &goal).await, (GoalStatus::Achieved, 2));
        assert!(goal_events(&w, &case)
            .await
            .contains(&"Målet är uppnått: Eget kontrakt Zx9".to_string()));
        // Dropped, and opened again: each its own version and event.
        set_goal_status(&w, &case, &goal, 2, GoalStatus::Open)
            .await
            .unwrap();
        set_goal_status(&w, &case, &goal, 3, GoalStatus::Dropped)
            .await
            .unwrap();
        assert_eq!(status_of(&w, &case, &goal).await, (GoalStatus::Dropped, 4));
        let events = goal_events(&w, &case).await;
        assert!(events.contains(&"Målet är öppnat igen: Eget kontrakt Zx9".to_string()));
        assert!(
            events.contains(&"Målet är avslutat utan att uppnås: Eget kontrakt Zx9".to_string())
        );
        // The event's text is sealed like every event's.
        let raw = state
            .db()
            .q("SELECT VALUE text FROM event WHERE source = $s")
            .bind("s", format!("goal:{goal}"))
            .run()
            .await
            .unwrap()
            .value(0)
            .to_string();
        // (With its space, which no ciphertext's base64 holds: "Zx9" alone turns up in one
        // run in a few hundred by chance.)
        assert!(!raw.contains("kontrakt Zx9"), "{raw}");
    }

    #[tokio::test]
    async fn a_stale_goal_status_is_refused_and_changes_nothing() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        let goal = add_goal(&w, &case, LifeDomain::Health, "Sömn Qv4", "")
            .await
            .unwrap();
        set_goal_status(&w, &case, &goal, 1, GoalStatus::Achieved)
            .await
            .unwrap();
        let events = goal_events(&w, &case).await.len();
        let before = audit_seqs(&state).await;
        let err = set_goal_status(&w, &case, &goal, 1, GoalStatus::Dropped)
            .await
            .unwrap_err();
        let AppError::Conflict { message, .. } = err else {
            panic!("expected a conflict, got {err:?}")
        };
        assert!(message.contains("version 1") && message.contains("version 2"));
        assert!(!message.contains("Qv4"), "{message}");
        assert_eq!(
            audit_seqs(&state).await,
            before,
            "nothing read, nothing written"
        );
        assert_eq!(status_of(&w, &case, &goal).await, (GoalStatus::Achieved, 2));
        assert_eq!(goal_events(&w, &case).await.len(), events);
        // The same status again is no change.
        let e = set_goal_status(&w, &case, &goal, 2, GoalStatus::Achieved)
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("status"));
    }

    #[tokio::test]
    async fn only_the_owning_team_sets_a_goal_status_and_a_refusal_leaves_one_deny_entry() {
        let state = setup().await;
        let (w, partner, police) = worker_partner_police(&state).await;
        let malmo = as_user(&state, "handlaggare.malmo").await;
        let case = shared_case(&w).await;
        let goal = add_goal(&w, &case, LifeDomain::Leisure, "Träning", "")
            .await
            .unwrap();
        for who in [&partner, &police] {
            let before = audit_seqs(&state).await;
            assert_eq!(
                set_goal_status(who, &case, &goal, 1, GoalStatus::Achieved)
                    .await
                    .unwrap_err(),
                AppError::Forbidden
            );
            assert_eq!(audit_seqs(&state).await, before + 1);
            let (action, decision, _) = last_entry(&state).await;
            assert_eq!(
                (action.as_str(), decision.as_str()),
                ("plan.goal_status", "deny")
            );
        }
        // Another municipality learns nothing, as for a case that does not exist.
        assert_eq!(
            set_goal_status(&malmo, &case, &goal, 1, GoalStatus::Achieved)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        // A goal of another case is not found through this one.
        let other = crate::participants::list(&malmo, Default::default())
            .await
            .unwrap()[0]
            .case_id
            .clone();
        let foreign = add_goal(&malmo, &other, LifeDomain::Leisure, "Annat", "")
            .await
            .unwrap();
        assert_eq!(
            set_goal_status(&w, &case, &foreign, 1, GoalStatus::Achieved)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(status_of(&w, &case, &goal).await, (GoalStatus::Open, 1));
    }
}
