//! The individual plan: goals, the actions under them (each owned by one organisation) and the
//! plan's reviews.

use chrono::{DateTime, Utc};
use domain::Problem;
use serde::Deserialize;

use super::read::Case;
use super::MAX_TITLE;
use crate::auth::Authed;
use crate::db::new_id;
use crate::gate::check_id;
use crate::vault;
use domain::casework::*;
use domain::event::EventLine;
use domain::input::{date, text};
use domain::time::{stored_date, swedish_date};
use domain::{AppError, Category, MAX_TEXT};

pub async fn add_goal(
    a: &Authed,
    case_id: &str,
    domain: LifeDomain,
    goal: &str,
    target: &str,
) -> Result<String, AppError> {
    let c = Case::open(a, case_id, "plan.goal_add", &[Category::Plan]).await?;
    c.require(c.manage).await?;
    let goal = text("text", "Målet", goal, true, MAX_TITLE)?;
    let target = date("target_date", target, swedish_date(c.now), false)?;
    let w = c
        .write(EventKind::Goal, c.now, "goal", &new_id())
        .await?
        .seal("text", &goal)?
        .var("domain", domain.as_str())
        .var("target", target.map(stored_date));
    let body = "CREATE type::record('goal', $id) CONTENT { case: $cid, participant: $pid, domain: $domain, text: $text,
        status: 'open', target_date: IF $target = NONE THEN NONE ELSE <datetime>$target END, version: 1,
        created_at: <datetime>$now, created_by: $user } RETURN NONE;";
    c.commit(w, body, EventLine::GoalAdded { domain }, &goal)
        .await
}

pub async fn add_action(
    a: &Authed,
    case_id: &str,
    goal_id: &str,
    title: &str,
    owner_org: &str,
    responsible: &str,
    due: &str,
) -> Result<String, AppError> {
    insert_action(
        a,
        case_id,
        goal_id,
        (title, owner_org, responsible, due),
        false,
    )
    .await
}

/// Adds an action that is work with the young person's parents or guardians: the plan marks it
/// "Arbete med föräldrar/vårdnadshavare".
pub async fn add_guardian_action(
    a: &Authed,
    case_id: &str,
    goal_id: &str,
    title: &str,
    owner_org: &str,
    responsible: &str,
    due: &str,
) -> Result<String, AppError> {
    insert_action(
        a,
        case_id,
        goal_id,
        (title, owner_org, responsible, due),
        true,
    )
    .await
}

async fn insert_action(
    a: &Authed,
    case_id: &str,
    goal_id: &str,
    (title, owner_org, responsible, due): (&str, &str, &str, &str),
    with_guardians: bool,
) -> Result<String, AppError> {
    check_id(goal_id)?;
    check_id(owner_org).map_err(|_| {
        AppError::problem(
            "owner_org",
            domain::error::Problem::Choose,
            "Välj ansvarig organisation.",
        )
    })?;
    let c = Case::open(a, case_id, "plan.action_add", &[Category::Plan]).await?;
    c.require(c.manage).await?;
    let title = text("title", "Åtgärden", title, true, MAX_TITLE)?;
    let responsible = text("responsible", "Ansvarig person", responsible, false, 120)?;
    let due = date("due", due, swedish_date(c.now), false)?;
    // A person's name in free text: sealed like the title, so it goes with the key.
    let w = c
        .write(EventKind::Action, c.now, "action", &new_id())
        .await?
        .seal("title", &title)?
        .seal("responsible", &responsible)?
        .var("goal", goal_id)
        .var("owner", owner_org)
        .var("due", due.map(stored_date))
        .var("with_guardians", with_guardians.then_some(true));
    let body = "
        IF (SELECT VALUE case FROM type::record('goal', $goal))[0] != $cid { THROW 'invalid:goal_id:unknown:Målet finns inte i det här ärendet.' };
        IF !record::exists(type::record('org', $owner)) { THROW 'invalid:owner_org:unknown:Organisationen finns inte.' };
        CREATE type::record('action', $id) CONTENT { case: $cid, participant: $pid, goal: $goal, title: $title,
            owner_org: $owner, responsible: $responsible, due: IF $due = NONE THEN NONE ELSE <datetime>$due END,
            status: 'planned', comment: NONE, version: 1, created_at: <datetime>$now, created_by: $user,
            with_guardians: $with_guardians } RETURN NONE;";
    c.commit(w, body, EventLine::ActionAdded { with_guardians }, &title)
        .await
}

#[derive(Deserialize)]
struct ActionRec {
    id: String,
    case: String,
    goal: String,
    title: String,
    owner_org: String,
    responsible: Option<String>,
    due: Option<DateTime<Utc>>,
    status: String,
    comment: Option<String>,
    version: i64,
    with_guardians: Option<bool>,
}

fn may_update_action(c: &Case<'_>, a: &Authed, owner_org: &str) -> bool {
    c.manage || (owner_org == a.org_id() && c.may(Category::Plan))
}

/// Updates an action's status and comment. A stale version is a `Conflict` naming the versions
/// and fields, so the user reloads (an audited read) and merges; nothing is overwritten.
pub async fn update_action(
    a: &Authed,
    case_id: &str,
    action_id: &str,
    version: i64,
    status: ActionStatus,
    comment: &str,
) -> Result<(), AppError> {
    check_id(action_id)?;
    let c = Case::open(a, case_id, "plan.action_update", &[Category::Plan]).await?;
    let rec: Option<ActionRec> = a
        .state()
        .db()
        .q("SELECT *, record::id(id) AS id FROM ONLY type::record('action', $id)")
        .bind("id", action_id)
        .run()
        .await?
        .first(0)?;
    let rec = rec
        .filter(|r| r.case == c.case.id)
        .ok_or(AppError::NotFound)?;
    c.require(may_update_action(&c, a, &rec.owner_org)).await?;
    let comment = text("comment", "Kommentaren", comment, false, MAX_TEXT)?;
    if rec.version != version {
        return Err(action_conflict(a, action_id, version).await?);
    }
    let w = c
        .write(EventKind::Action, c.now, "action", action_id)
        .await?
        .seal("comment", &comment)?
        .var("v", version)
        .var("status", status.as_str());
    let body = "
        IF (SELECT VALUE version FROM ONLY type::record('action', $id)) != $v { THROW 'conflict:stale:' };
        UPDATE type::record('action', $id) SET status = $status, comment = $comment, version = $v + 1 RETURN NONE;";
    let title = vault::open(w.key(), "action", action_id, "title", &rec.title)?.expose();
    match c
        .commit(w, body, EventLine::ActionStatus { status }, &title)
        .await
    {
        Err(AppError::Conflict { .. }) => Err(action_conflict(a, action_id, version).await?),
        other => other.map(drop),
    }
}

/// A stale save answers with the versions and the names of the fields it would have
/// overwritten — never the saved values: those are read through the plan (`plan/get`), which
/// leaves its audit entry. Anything else would let a stale (or made-up) version read the
/// comment without a trace.
async fn action_conflict(a: &Authed, action_id: &str, yours: i64) -> Result<AppError, AppError> {
    let saved: Option<i64> = a
        .state()
        .db()
        .q("SELECT VALUE version FROM ONLY type::record('action', $id)")
        .bind("id", action_id)
        .run()
        .await?
        .first(0)?;
    let Some(saved) = saved else {
        return Ok(AppError::NotFound);
    };
    Ok(AppError::conflict(Problem::Stale, format!(
        "Någon annan har sparat åtgärden medan du arbetade: du utgick från version {yours}, sparad är version {saved}. Fälten status och kommentar kan ha ändrats. Ladda om sidan, jämför med din ändring och spara igen."
    )))
}

pub async fn add_review(
    a: &Authed,
    case_id: &str,
    date_s: &str,
    present: &str,
    summary: &str,
    next: &str,
) -> Result<String, AppError> {
    let c = Case::open(a, case_id, "plan.review_add", &[Category::Plan]).await?;
    c.require(c.manage).await?;
    let today = swedish_date(c.now);
    let d = date("date", date_s, today, true)?.unwrap_or(today);
    if d > today {
        return Err(AppError::problem(
            "date",
            domain::error::Problem::InFuture,
            "En uppföljning kan inte vara gjord i framtiden.",
        ));
    }
    let next = date("next_review", next, today, false)?;
    if next.is_some_and(|n| n <= d) {
        return Err(AppError::problem(
            "next_review",
            domain::error::Problem::NextNotAfter,
            "Nästa uppföljning ska ligga efter den här.",
        ));
    }
    let present = text("present", "Närvarande", present, false, 500)?;
    let summary = text("summary", "Sammanfattningen", summary, true, MAX_TEXT)?;
    let w = c
        .write(EventKind::Review, stored_date(d), "review", &new_id())
        .await?
        .seal("present", &present)?
        .seal("summary", &summary)?
        .var("d", stored_date(d))
        .var("next", next.map(stored_date));
    let body = "CREATE type::record('review', $id) CONTENT { case: $cid, participant: $pid, date: <datetime>$d, present: $present,
            summary: $summary, next_review: IF $next = NONE THEN NONE ELSE <datetime>$next END, created_by: $user } RETURN NONE;
        UPDATE type::record('case', $cid) SET next_review = IF $next = NONE THEN NONE ELSE <datetime>$next END RETURN NONE;";
    c.commit(w, body, EventLine::PlanReviewed, "").await
}

/// The plan as this reader may see it. Readers from other organisations see only the actions
/// their organisation owns (and the goals those hang under).
pub async fn plan(a: &Authed, case_id: &str) -> Result<PlanDto, AppError> {
    let (c, tab) = Case::open_tab(
        a,
        case_id,
        "plan.read",
        &[Category::Plan],
        &[
            "SELECT *, record::id(id) AS id FROM goal WHERE case = $c ORDER BY created_at",
            "SELECT *, record::id(id) AS id FROM action WHERE case = $c ORDER BY created_at",
            "SELECT *, record::id(id) AS id FROM review WHERE case = $c ORDER BY date DESC",
            "SELECT VALUE next_review FROM ONLY type::record('case', $c)",
        ],
    )
    .await?;
    c.require(c.may(Category::Plan))
        .await
        .map_err(|_| AppError::Forbidden)?;
    #[derive(Deserialize)]
    struct G {
        id: String,
        domain: String,
        text: String,
        status: String,
        target_date: Option<DateTime<Utc>>,
        version: i64,
    }
    #[derive(Deserialize)]
    struct R {
        id: String,
        date: DateTime<Utc>,
        present: Option<String>,
        summary: Option<String>,
        next_review: Option<DateTime<Utc>>,
    }
    let mut r = c.read(tab, true).await?;
    let goals: Vec<G> = r.all(0)?;
    let actions: Vec<ActionRec> = r.all(1)?;
    let reviews: Vec<R> = r.all(2)?;
    let next_review: Option<DateTime<Utc>> = r.first(3)?;
    let own_team = c.manage || c.subject.owner_org == a.org_id();
    let mut out_goals = Vec::new();
    for g in goals {
        let mut acts = Vec::new();
        for x in actions.iter().filter(|x| x.goal == g.id) {
            if !own_team && x.owner_org != a.org_id() {
                continue;
            }
            acts.push(ActionDto {
                id: x.id.clone(),
                goal_id: g.id.clone(),
                title: r.shown("action", &x.id, "title", Some(&x.title))?,
                owner_org_id: x.owner_org.clone(),
                owner_org: r.org(&x.owner_org),
                responsible: r.text("action", &x.id, "responsible", x.responsible.as_deref())?,
                due: x.due.map(|d| d.date_naive()),
                status: ActionStatus::parse(&x.status).unwrap_or(ActionStatus::Planned),
                comment: r.shown("action", &x.id, "comment", x.comment.as_deref())?,
                version: x.version,
                can_update: may_update_action(&c, a, &x.owner_org),
                with_guardians: x.with_guardians.unwrap_or(false),
            });
        }
        if !own_team && acts.is_empty() {
            continue;
        }
        out_goals.push(GoalDto {
            id: g.id.clone(),
            domain: LifeDomain::parse(&g.domain).unwrap_or(LifeDomain::Safety),
            text: r.shown("goal", &g.id, "text", Some(&g.text))?,
            status: GoalStatus::parse(&g.status).unwrap_or(GoalStatus::Open),
            target_date: g.target_date.map(|d| d.date_naive()),
            version: g.version,
            actions: acts,
        });
    }
    let out_reviews = if own_team {
        reviews
            .into_iter()
            .map(|x| {
                Ok(ReviewDto {
                    date: x.date.date_naive(),
                    present: r.shown("review", &x.id, "present", x.present.as_deref())?,
                    summary: r.shown("review", &x.id, "summary", x.summary.as_deref())?,
                    next_review: x.next_review.map(|d| d.date_naive()),
                    id: x.id,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?
    } else {
        Vec::new()
    };
    c.audit_read(&[Category::Plan]).await?;
    Ok(PlanDto {
        goals: out_goals,
        reviews: out_reviews,
        next_review: next_review.map(|d| d.date_naive()),
        can_edit: c.manage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::read::fixtures::audit_seqs;
    use crate::casework::{add_occupation, living};
    use crate::demo;
    use crate::testing::{as_user, setup, shared_case};
    use domain::Shown;
    use serde_json::Value as Json;

    #[tokio::test]
    async fn second_save_of_the_same_action_is_a_conflict_and_overwrites_nothing() {
        let state = setup().await;
        let (w, partner) = (
            as_user(&state, "handlaggare").await,
            as_user(&state, "passus").await,
        );
        let case = shared_case(&w).await;
        let goal = add_goal(&w, &case, LifeDomain::Occupation, "Hitta praktikplats", "")
            .await
            .unwrap();
        let action = add_action(
            &w,
            &case,
            &goal,
            "Besök arbetsgivare",
            demo::ORG_PASSUS,
            "Mentor",
            "",
        )
        .await
        .unwrap();
        update_action(
            &partner,
            &case,
            &action,
            1,
            ActionStatus::InProgress,
            "Första besöket bokat",
        )
        .await
        .unwrap();
        let before = audit_seqs(&state).await;
        let err = update_action(&w, &case, &action, 1, ActionStatus::Cancelled, "Ställer in")
            .await
            .unwrap_err();
        let AppError::Conflict { message, .. } = err else {
            panic!("expected conflict, got {err:?}")
        };
        // The conflict names versions and fields, never the saved text: that is read only
        // through the plan, whose read leaves an entry. A made-up version reads nothing either.
        assert!(
            !message.contains("Första besöket") && !message.contains("Mentor"),
            "the saved text must not travel in the conflict: {message}"
        );
        assert!(message.contains("version 1") && message.contains("version 2"));
        assert!(message.contains("kommentar"));
        let err = update_action(&w, &case, &action, -1, ActionStatus::Cancelled, "")
            .await
            .unwrap_err();
        assert!(!err.to_string().contains("Första besöket"), "{err:?}");
        assert_eq!(
            audit_seqs(&state).await,
            before,
            "a refused stale save reads nothing and leaves no entry"
        );
        let p = plan(&w, &case).await.unwrap();
        assert_eq!(
            audit_seqs(&state).await,
            before + 1,
            "the plan read is audited"
        );
        let a = p
            .goals
            .iter()
            .flat_map(|g| &g.actions)
            .find(|a| a.id == action)
            .unwrap();
        assert_eq!(a.status, ActionStatus::InProgress);
        assert_eq!(a.comment, Shown::Value("Första besöket bokat".into()));
        assert_eq!(a.version, 2);
    }

    #[tokio::test]
    async fn outcome_and_responsible_are_stored_sealed_and_read_back_in_clear() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        let goal = add_goal(&w, &case, LifeDomain::Occupation, "Arbete", "")
            .await
            .unwrap();
        let action = add_action(
            &w,
            &case,
            &goal,
            "Ring",
            demo::ORG_PASSUS,
            "Kim Mentorsson",
            "",
        )
        .await
        .unwrap();
        let today = state.clock().today().to_string();
        let occ = add_occupation(
            &w,
            &case,
            OccupationType::Internship,
            &today,
            "Fick förlängd praktik hos Byggbolaget",
        )
        .await
        .unwrap();
        let stored: Vec<Json> = state
            .db()
            .q("SELECT VALUE responsible FROM type::record('action', $a);
                SELECT VALUE outcome FROM type::record('occupation', $o);")
            .bind("a", &action)
            .bind("o", &occ)
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap();
        let raw = format!("{stored:?}");
        assert!(
            !raw.contains("Kim Mentorsson"),
            "responsible stored in clear: {raw}"
        );
        let raw: Vec<Json> = state
            .db()
            .q("SELECT VALUE outcome FROM type::record('occupation', $o)")
            .bind("o", &occ)
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap();
        assert!(
            !format!("{raw:?}").contains("Byggbolaget"),
            "outcome in clear: {raw:?}"
        );
        let p = plan(&w, &case).await.unwrap();
        let a = p
            .goals
            .iter()
            .flat_map(|g| &g.actions)
            .find(|x| x.id == action)
            .unwrap();
        assert_eq!(a.responsible, "Kim Mentorsson");
        let l = living(&w, &case).await.unwrap();
        let o = l.occupation.iter().find(|o| o.id == occ).unwrap();
        assert_eq!(o.outcome, "Fick förlängd praktik hos Byggbolaget");
        // Nothing given is stored as nothing.
        let empty = add_action(&w, &case, &goal, "Maila", demo::ORG_PASSUS, "", "")
            .await
            .unwrap();
        let p = plan(&w, &case).await.unwrap();
        let a = p
            .goals
            .iter()
            .flat_map(|g| &g.actions)
            .find(|x| x.id == empty)
            .unwrap();
        assert_eq!(a.responsible, "");
    }
}
