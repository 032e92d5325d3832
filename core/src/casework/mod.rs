//! Casework on a case: the individual plan (goals, actions, reviews), protective measures,
//! threat assessments, housing and occupation periods, the contact log and notes — each write
//! recorded as an event on the shared timeline in the same audited transaction, each sensitive
//! text sealed with the participant's key.
//!
//! Who may write: the owning organisation's case team (and its program leads) for everything;
//! an organisation that owns a plan action may update it when it may read `plan`; police with
//! `safety` access may record measures and threat assessments; anyone who may read `contacts`
//! may log a contact for their own organisation; anyone who may read `notes` may write a note.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value as Json};

use super::access::{self, Decision, Purpose, Subject};
use super::audit::{self, Entry};
use super::auth::Authed;
use super::db::new_id;
use super::gate::{case_by_id, check_id, refuse, who, CaseRec};
use super::subject::{self, actor};
use super::vault;
use domain::casework::*;
use domain::time::swedish_date;
use domain::{AppError, Category, Role, Shown, MAX_TEXT};

/// How long the author may still edit a note in place; after that an edit is a new version.
pub const NOTE_EDIT_WINDOW_MINUTES: i64 = 15;
const MAX_TITLE: usize = 300;

/// A case with the reader's decisions per category.
struct Ctx {
    case: CaseRec,
    subject: Subject,
    decisions: HashMap<Category, Decision>,
    manage: bool,
    now: DateTime<Utc>,
}

impl Ctx {
    fn may(&self, c: Category) -> bool {
        self.decisions[&c].allowed()
    }
}

/// Loads the case and the reader's decisions. A reader who may see nothing of it (and an
/// administrator or log reviewer, who never read case content) is refused here with one audit
/// entry naming the endpoint's own action and categories — the same single entry an allowed
/// call leaves — so a denied attempt is as visible in the log as a read.
async fn ctx(a: &Authed, case_id: &str, action: &str, cats: &[Category]) -> Result<Ctx, AppError> {
    let staff_only = !a.can(domain::Capability::ListCases);
    let case = match case_by_id(a, case_id).await {
        // Administrators and log reviewers get the same answer whether or not the id exists.
        Err(AppError::NotFound) if staff_only => return Err(AppError::Forbidden),
        other => other?,
    };
    if staff_only {
        return Err(refuse(a, action, &case.participant, Some(&case.id), cats).await);
    }
    let subject = subject::load_one(a, &case.participant).await?;
    let now = a.state().clock().now();
    let act = actor(a);
    let decisions: HashMap<Category, Decision> =
        access::visible(&act, &subject, Purpose::CaseWork, now)
            .into_iter()
            .collect();
    let manage = access::may_manage(&act, &subject);
    if !decisions.values().any(Decision::allowed) {
        return Err(refuse(a, action, &case.participant, Some(&case.id), cats).await);
    }
    Ok(Ctx {
        case,
        subject,
        decisions,
        manage,
        now,
    })
}

/// Refuses a write the reader is not allowed, auditing the attempt.
async fn deny_write(a: &Authed, c: &Ctx, action: &str, cat: Category) -> AppError {
    deny(a, c, action, &[cat]).await
}

/// Refuses a read or write on a case the reader has a relation to, with one `deny` entry that
/// looks like the entry an allowed call leaves (same action, categories, purpose).
async fn deny(a: &Authed, c: &Ctx, action: &str, cats: &[Category]) -> AppError {
    let mut e = Entry::new(action);
    e.participants = vec![c.case.participant.clone()];
    e.case_id = Some(c.case.id.clone());
    e.denied = cats.iter().map(|c| c.as_str().to_string()).collect();
    e.decision = "deny".into();
    e.purpose = Some(Purpose::CaseWork.as_str().into());
    match audit::append(a.state(), &who(a), e).await {
        Ok(_) => AppError::Forbidden,
        Err(err) => err,
    }
}

pub(crate) fn text(
    field: &str,
    label: &str,
    v: &str,
    required: bool,
    max: usize,
) -> Result<String, AppError> {
    let v = v.trim();
    if required && v.is_empty() {
        return Err(AppError::invalid(field, format!("{label} måste fyllas i.")));
    }
    if v.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("{label} får vara högst {max} tecken."),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AppError::invalid(
            field,
            format!("{label} innehåller otillåtna tecken."),
        ));
    }
    Ok(v.to_string())
}

/// A date from a form: ÅÅÅÅ-MM-DD, within ten years of today.
pub(crate) fn date(
    field: &str,
    v: &str,
    today: NaiveDate,
    required: bool,
) -> Result<Option<NaiveDate>, AppError> {
    let v = v.trim();
    if v.is_empty() {
        return if required {
            Err(AppError::invalid(field, "Ange ett datum."))
        } else {
            Ok(None)
        };
    }
    let d = NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, "Ange datum som ÅÅÅÅ-MM-DD."))?;
    if (d - today).num_days().abs() > 3653 {
        return Err(AppError::invalid(
            field,
            "Datumet ligger för långt från dagens datum.",
        ));
    }
    Ok(Some(d))
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or_default()
}

/// A sealed field as the reader gets it: empty, masked (no key: shredded) or opened.
fn open_shown(
    dek: Option<&super::crypto::Dek>,
    table: &str,
    id: &str,
    field: &str,
    v: Option<&str>,
) -> Result<Shown<String>, AppError> {
    match (v, dek) {
        (None, _) => Ok(Shown::Empty),
        (Some(_), None) => Ok(Shown::Masked),
        (Some(s), Some(k)) => Ok(Shown::Value(vault::open(k, table, id, field, s)?.expose())),
    }
}

/// A short sealed text as plain text: empty when none was given, the mask when the key is gone.
fn open_text(
    dek: Option<&super::crypto::Dek>,
    table: &str,
    id: &str,
    field: &str,
    v: Option<&str>,
) -> Result<String, AppError> {
    Ok(
        match open_shown(dek, table, id, field, v.filter(|s| !s.is_empty()))? {
            Shown::Value(s) => s,
            Shown::Empty => String::new(),
            Shown::Masked => domain::MASK.to_string(),
        },
    )
}

/// Builds the variables shared by every casework write: ids, the event row and its sealed text.
struct Write {
    vars: Map<String, Json>,
    entry: Entry,
}

impl Write {
    fn new(a: &Authed, c: &Ctx, action: &str, kind: EventKind, at: DateTime<Utc>) -> Write {
        let mut vars = Map::new();
        vars.insert("cid".into(), json!(c.case.id));
        vars.insert("pid".into(), json!(c.case.participant));
        vars.insert("user".into(), json!(a.user_id()));
        vars.insert("org".into(), json!(a.org_id()));
        vars.insert("now".into(), json!(c.now));
        vars.insert("eid".into(), json!(new_id()));
        vars.insert("ekind".into(), json!(kind.as_str()));
        vars.insert("ecat".into(), json!(kind.category().as_str()));
        vars.insert("eat".into(), json!(at));
        let mut entry = Entry::new(action);
        entry.participants = vec![c.case.participant.clone()];
        entry.case_id = Some(c.case.id.clone());
        entry.categories = vec![kind.category().as_str().into()];
        Write { vars, entry }
    }

    fn var(mut self, k: &str, v: impl serde::Serialize) -> Self {
        self.vars
            .insert(k.into(), serde_json::to_value(v).unwrap_or(Json::Null));
        self
    }
}

/// The timeline row every write adds, and the case's last-entry time.
const EVENT: &str = "
    CREATE type::record('event', $eid) CONTENT { case: $cid, participant: $pid, kind: $ekind, category: $ecat,
        org: $org, author: $user, at: <datetime>$eat, text: $etext, source: $esrc, corrected: false } RETURN NONE;
    UPDATE type::record('case', $cid) SET last_entry_at = <datetime>$now RETURN NONE;
    fn::stat_refresh($cid);";

async fn seal_for(
    a: &Authed,
    c: &Ctx,
    table: &str,
    record: &str,
    field: &str,
    value: &str,
) -> Result<Option<String>, AppError> {
    let dek = vault::dek(a.state(), &c.case.participant)
        .await?
        .ok_or_else(|| AppError::invalid("", "Uppgifterna är gallrade."))?;
    vault::seal_opt(&dek, table, record, field, value)
}

async fn commit(
    a: &Authed,
    c: &Ctx,
    w: Write,
    body: &str,
    event_text: &str,
    source: &str,
) -> Result<(), AppError> {
    let eid = w.vars["eid"].as_str().unwrap_or_default().to_string();
    let etext = seal_for(a, c, "event", &eid, "text", event_text).await?;
    let w = w.var("etext", etext).var("esrc", source);
    let sql = format!("{body}\n{EVENT}");
    audit::commit(a.state(), &who(a), w.entry, &sql, w.vars).await?;
    Ok(())
}

// ------------------------------------------------------------------ the plan

pub async fn add_goal(
    a: &Authed,
    case_id: &str,
    domain: LifeDomain,
    goal: &str,
    target: &str,
) -> Result<String, AppError> {
    let c = ctx(a, case_id, "plan.goal_add", &[Category::Plan]).await?;
    if !c.manage {
        return Err(deny_write(a, &c, "plan.goal_add", Category::Plan).await);
    }
    let goal = text("text", "Målet", goal, true, MAX_TITLE)?;
    let target = date("target_date", target, swedish_date(c.now), false)?;
    let id = new_id();
    let sealed = seal_for(a, &c, "goal", &id, "text", &goal).await?;
    let w = Write::new(a, &c, "plan.goal_add", EventKind::Goal, c.now)
        .var("id", &id)
        .var("domain", domain.as_str())
        .var("text", sealed)
        .var("target", target.map(midnight));
    let body = "CREATE type::record('goal', $id) CONTENT { case: $cid, participant: $pid, domain: $domain, text: $text,
        status: 'open', target_date: IF $target = NONE THEN NONE ELSE <datetime>$target END, version: 1,
        created_at: <datetime>$now, created_by: $user } RETURN NONE;";
    commit(
        a,
        &c,
        w,
        body,
        &format!("Nytt mål ({}): {goal}", domain.label()),
        &format!("goal:{id}"),
    )
    .await?;
    Ok(id)
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
    check_id(goal_id)?;
    check_id(owner_org)
        .map_err(|_| AppError::invalid("owner_org", "Välj ansvarig organisation."))?;
    let c = ctx(a, case_id, "plan.action_add", &[Category::Plan]).await?;
    if !c.manage {
        return Err(deny_write(a, &c, "plan.action_add", Category::Plan).await);
    }
    let title = text("title", "Åtgärden", title, true, MAX_TITLE)?;
    let responsible = text("responsible", "Ansvarig person", responsible, false, 120)?;
    let due = date("due", due, swedish_date(c.now), false)?;
    let id = new_id();
    let sealed = seal_for(a, &c, "action", &id, "title", &title).await?;
    // A person's name in free text: sealed like the title, so it goes with the key.
    let responsible = seal_for(a, &c, "action", &id, "responsible", &responsible).await?;
    let w = Write::new(a, &c, "plan.action_add", EventKind::Action, c.now)
        .var("id", &id)
        .var("goal", goal_id)
        .var("title", sealed)
        .var("owner", owner_org)
        .var("resp", responsible)
        .var("due", due.map(midnight));
    let body = "
        IF (SELECT VALUE case FROM type::record('goal', $goal))[0] != $cid { THROW 'invalid:goal_id:Målet finns inte i det här ärendet.' };
        IF !record::exists(type::record('org', $owner)) { THROW 'invalid:owner_org:Organisationen finns inte.' };
        CREATE type::record('action', $id) CONTENT { case: $cid, participant: $pid, goal: $goal, title: $title,
            owner_org: $owner, responsible: $resp, due: IF $due = NONE THEN NONE ELSE <datetime>$due END,
            status: 'planned', comment: NONE, version: 1, created_at: <datetime>$now, created_by: $user } RETURN NONE;";
    commit(
        a,
        &c,
        w,
        body,
        &format!("Ny åtgärd: {title}"),
        &format!("action:{id}"),
    )
    .await?;
    Ok(id)
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
}

fn may_update_action(c: &Ctx, a: &Authed, owner_org: &str) -> bool {
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
    let c = ctx(a, case_id, "plan.action_update", &[Category::Plan]).await?;
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
    if !may_update_action(&c, a, &rec.owner_org) {
        return Err(deny_write(a, &c, "plan.action_update", Category::Plan).await);
    }
    let comment = text("comment", "Kommentaren", comment, false, MAX_TEXT)?;
    if rec.version != version {
        return Err(action_conflict(a, action_id, version).await?);
    }
    let sealed = seal_for(a, &c, "action", action_id, "comment", &comment).await?;
    let w = Write::new(a, &c, "plan.action_update", EventKind::Action, c.now)
        .var("id", action_id)
        .var("v", version)
        .var("status", status.as_str())
        .var("comment", sealed);
    let body = "
        IF (SELECT VALUE version FROM ONLY type::record('action', $id)) != $v { THROW 'conflict:stale' };
        UPDATE type::record('action', $id) SET status = $status, comment = $comment, version = $v + 1 RETURN NONE;";
    let title = match vault::dek(a.state(), &c.case.participant).await? {
        Some(dek) => vault::open(&dek, "action", action_id, "title", &rec.title)?.expose(),
        None => String::new(),
    };
    let event = format!("Åtgärd {}: {title}", status.label().to_lowercase());
    match commit(a, &c, w, body, &event, &format!("action:{action_id}")).await {
        Err(AppError::Conflict { .. }) => Err(action_conflict(a, action_id, version).await?),
        other => other,
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
    Ok(AppError::conflict(format!(
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
    let c = ctx(a, case_id, "plan.review_add", &[Category::Plan]).await?;
    if !c.manage {
        return Err(deny_write(a, &c, "plan.review_add", Category::Plan).await);
    }
    let today = swedish_date(c.now);
    let d = date("date", date_s, today, true)?.unwrap_or(today);
    if d > today {
        return Err(AppError::invalid(
            "date",
            "En uppföljning kan inte vara gjord i framtiden.",
        ));
    }
    let next = date("next_review", next, today, false)?;
    if next.is_some_and(|n| n <= d) {
        return Err(AppError::invalid(
            "next_review",
            "Nästa uppföljning ska ligga efter den här.",
        ));
    }
    let present = text("present", "Närvarande", present, false, 500)?;
    let summary = text("summary", "Sammanfattningen", summary, true, MAX_TEXT)?;
    let id = new_id();
    let sp = seal_for(a, &c, "review", &id, "present", &present).await?;
    let ss = seal_for(a, &c, "review", &id, "summary", &summary).await?;
    let w = Write::new(a, &c, "plan.review_add", EventKind::Review, midnight(d))
        .var("id", &id)
        .var("d", midnight(d))
        .var("present", sp)
        .var("summary", ss)
        .var("next", next.map(midnight));
    let body = "CREATE type::record('review', $id) CONTENT { case: $cid, participant: $pid, date: <datetime>$d, present: $present,
            summary: $summary, next_review: IF $next = NONE THEN NONE ELSE <datetime>$next END, created_by: $user } RETURN NONE;
        UPDATE type::record('case', $cid) SET next_review = IF $next = NONE THEN NONE ELSE <datetime>$next END RETURN NONE;";
    commit(
        a,
        &c,
        w,
        body,
        "Planen följdes upp",
        &format!("review:{id}"),
    )
    .await?;
    Ok(id)
}

/// The plan as this reader may see it. Readers from other organisations see only the actions
/// their organisation owns (and the goals those hang under).
pub async fn plan(a: &Authed, case_id: &str) -> Result<PlanDto, AppError> {
    let c = ctx(a, case_id, "plan.read", &[Category::Plan]).await?;
    if !c.may(Category::Plan) {
        return Err(deny_write(a, &c, "plan.read", Category::Plan).await)
            .map_err(|_| AppError::Forbidden);
    }
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
    let mut rows = a
        .state()
        .db()
        .q(
            "SELECT *, record::id(id) AS id FROM goal WHERE case = $c ORDER BY created_at;
            SELECT *, record::id(id) AS id FROM action WHERE case = $c ORDER BY created_at;
            SELECT *, record::id(id) AS id FROM review WHERE case = $c ORDER BY date DESC;
            SELECT VALUE next_review FROM ONLY type::record('case', $c);
            SELECT record::id(id) AS id, name FROM org;",
        )
        .bind("c", &c.case.id)
        .run()
        .await?;
    let goals: Vec<G> = rows.all(0)?;
    let actions: Vec<ActionRec> = rows.all(1)?;
    let reviews: Vec<R> = rows.all(2)?;
    let next_review: Option<DateTime<Utc>> = rows.first(3)?;
    #[derive(Deserialize)]
    struct O {
        id: String,
        name: String,
    }
    let orgs: Vec<O> = rows.all(4)?;
    let org_name = |id: &str| {
        orgs.iter()
            .find(|o| o.id == id)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    };
    let dek = vault::dek(a.state(), &c.case.participant).await?;
    let open = |table: &str, id: &str, field: &str, v: Option<&str>| {
        open_shown(dek.as_deref(), table, id, field, v)
    };
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
                title: open("action", &x.id, "title", Some(&x.title))?,
                owner_org_id: x.owner_org.clone(),
                owner_org: org_name(&x.owner_org),
                responsible: open_text(
                    dek.as_deref(),
                    "action",
                    &x.id,
                    "responsible",
                    x.responsible.as_deref(),
                )?,
                due: x.due.map(|d| d.date_naive()),
                status: ActionStatus::parse(&x.status).unwrap_or(ActionStatus::Planned),
                comment: open("action", &x.id, "comment", x.comment.as_deref())?,
                version: x.version,
                can_update: may_update_action(&c, a, &x.owner_org),
            });
        }
        if !own_team && acts.is_empty() {
            continue;
        }
        out_goals.push(GoalDto {
            id: g.id.clone(),
            domain: LifeDomain::parse(&g.domain).unwrap_or(LifeDomain::Safety),
            text: open("goal", &g.id, "text", Some(&g.text))?,
            status: GoalStatus::parse(&g.status).unwrap_or(GoalStatus::Open),
            target_date: g.target_date.map(|d| d.date_naive()),
            version: g.version,
            actions: acts,
        });
    }
    let out_reviews = if own_team {
        reviews
            .into_iter()
            .map(|r| {
                Ok(ReviewDto {
                    id: r.id.clone(),
                    date: r.date.date_naive(),
                    present: open("review", &r.id, "present", r.present.as_deref())?,
                    summary: open("review", &r.id, "summary", r.summary.as_deref())?,
                    next_review: r.next_review.map(|d| d.date_naive()),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?
    } else {
        Vec::new()
    };
    read_entry(a, &c, "plan.read", &[Category::Plan]).await?;
    Ok(PlanDto {
        goals: out_goals,
        reviews: out_reviews,
        next_review: next_review.map(|d| d.date_naive()),
        can_edit: c.manage,
    })
}

async fn read_entry(a: &Authed, c: &Ctx, action: &str, cats: &[Category]) -> Result<(), AppError> {
    let mut e = Entry::new(action);
    e.participants = vec![c.case.participant.clone()];
    e.case_id = Some(c.case.id.clone());
    e.categories = cats.iter().map(|c| c.as_str().to_string()).collect();
    e.purpose = Some(Purpose::CaseWork.as_str().into());
    audit::append(a.state(), &who(a), e).await?;
    Ok(())
}

// ------------------------------------------------------------------ safety

fn may_write_safety(a: &Authed, c: &Ctx) -> bool {
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
    let c = ctx(a, case_id, "safety.measure_add", &[Category::Safety]).await?;
    if !may_write_safety(a, &c) {
        return Err(deny_write(a, &c, "safety.measure_add", Category::Safety).await);
    }
    let today = swedish_date(c.now);
    let start = date("start", start, today, false)?;
    let end = date("end", end, today, false)?;
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            return Err(AppError::invalid(
                "end",
                "Slutdatum kan inte vara före startdatum.",
            ));
        }
    }
    let details = text("details", "Detaljerna", details, false, MAX_TEXT)?;
    let id = new_id();
    let sealed = seal_for(a, &c, "measure", &id, "details", &details).await?;
    let w = Write::new(a, &c, "safety.measure_add", EventKind::Measure, c.now)
        .var("id", &id)
        .var("kind", kind.as_str())
        .var("status", status.as_str())
        .var("start", start.map(midnight))
        .var("end", end.map(midnight))
        .var("details", sealed);
    let body = "CREATE type::record('measure', $id) CONTENT { case: $cid, participant: $pid, kind: $kind, status: $status,
        start: IF $start = NONE THEN NONE ELSE <datetime>$start END, end: IF $end = NONE THEN NONE ELSE <datetime>$end END,
        responsible_org: $org, details: $details, version: 1, created_at: <datetime>$now, created_by: $user } RETURN NONE;";
    commit(
        a,
        &c,
        w,
        body,
        &format!(
            "Skyddsåtgärd: {} ({})",
            kind.label(),
            status.label().to_lowercase()
        ),
        &format!("measure:{id}"),
    )
    .await?;
    Ok(id)
}

pub async fn add_assessment(
    a: &Authed,
    case_id: &str,
    level: ThreatLevel,
    date_s: &str,
    next: &str,
    basis: &str,
) -> Result<String, AppError> {
    let c = ctx(a, case_id, "safety.assessment_add", &[Category::Safety]).await?;
    if !may_write_safety(a, &c) {
        return Err(deny_write(a, &c, "safety.assessment_add", Category::Safety).await);
    }
    let today = swedish_date(c.now);
    let d = date("date", date_s, today, false)?.unwrap_or(today);
    if d > today {
        return Err(AppError::invalid(
            "date",
            "En bedömning kan inte vara gjord i framtiden.",
        ));
    }
    let next = date("next_review", next, today, true)?.unwrap_or(today);
    if next <= d {
        return Err(AppError::invalid(
            "next_review",
            "Nästa bedömning ska ligga efter den här.",
        ));
    }
    let basis = text("basis", "Underlaget", basis, true, MAX_TEXT)?;
    let id = new_id();
    let sealed = seal_for(a, &c, "assessment", &id, "basis", &basis).await?;
    let w = Write::new(a, &c, "safety.assessment_add", EventKind::Assessment, c.now)
        .var("id", &id)
        .var("level", level.as_str())
        .var("d", midnight(d))
        .var("next", midnight(next))
        .var("basis", sealed);
    let body = "CREATE type::record('assessment', $id) CONTENT { case: $cid, participant: $pid, level: $level, org: $org,
        date: <datetime>$d, next_review: <datetime>$next, basis: $basis, created_at: <datetime>$now, created_by: $user } RETURN NONE;";
    commit(
        a,
        &c,
        w,
        body,
        &format!("Hotbedömning: {}", level.label().to_lowercase()),
        &format!("assessment:{id}"),
    )
    .await?;
    Ok(id)
}

pub async fn safety(a: &Authed, case_id: &str) -> Result<SafetyDto, AppError> {
    let c = ctx(a, case_id, "safety.read", &[Category::Safety]).await?;
    if !c.may(Category::Safety) {
        return Err(deny_write(a, &c, "safety.read", Category::Safety).await);
    }
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
    let mut rows = a
        .state()
        .db()
        .q("SELECT *, record::id(id) AS id FROM measure WHERE case = $c ORDER BY created_at DESC;
            SELECT *, record::id(id) AS id FROM assessment WHERE case = $c ORDER BY date DESC, created_at DESC;
            SELECT record::id(id) AS id, name FROM org;")
        .bind("c", &c.case.id)
        .run()
        .await?;
    let ms: Vec<M> = rows.all(0)?;
    let asx: Vec<A> = rows.all(1)?;
    #[derive(Deserialize)]
    struct O {
        id: String,
        name: String,
    }
    let orgs: Vec<O> = rows.all(2)?;
    let org_name = |id: &str| {
        orgs.iter()
            .find(|o| o.id == id)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    };
    let dek = vault::dek(a.state(), &c.case.participant).await?;
    let open = |table: &str, id: &str, field: &str, v: Option<&str>| {
        open_shown(dek.as_deref(), table, id, field, v)
    };
    let measures = ms
        .iter()
        .map(|m| {
            Ok(MeasureDto {
                id: m.id.clone(),
                kind: MeasureKind::parse(&m.kind).unwrap_or(MeasureKind::Other),
                status: MeasureStatus::parse(&m.status).unwrap_or(MeasureStatus::Planned),
                start: m.start.map(|d| d.date_naive()),
                end: m.end.map(|d| d.date_naive()),
                responsible_org: org_name(&m.responsible_org),
                details: open("measure", &m.id, "details", m.details.as_deref())?,
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
                org: org_name(&x.org),
                date: x.date.date_naive(),
                next_review: x.next_review.date_naive(),
                basis: open("assessment", &x.id, "basis", x.basis.as_deref())?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let latest = assessments.first();
    let high_threat =
        latest.is_some_and(|l| matches!(l.level, ThreatLevel::High | ThreatLevel::Acute));
    let assessment_overdue = latest.is_none_or(|l| l.next_review < swedish_date(c.now));
    read_entry(a, &c, "safety.read", &[Category::Safety]).await?;
    Ok(SafetyDto {
        measures,
        assessments,
        high_threat,
        assessment_overdue,
        can_assess: may_write_safety(a, &c),
    })
}

/// What the case overview shows of the casework — latest threat assessment, active measures,
/// current housing and occupation, the next plan review — each part only where `sees` allows
/// its category. Reads no sealed field; the caller's overview entry audits the read.
pub(crate) async fn overview_summary(
    a: &Authed,
    case_id: &str,
    now: DateTime<Utc>,
    sees: impl Fn(Category) -> bool,
) -> Result<CaseSummary, AppError> {
    #[derive(Deserialize)]
    struct T {
        level: String,
        date: DateTime<Utc>,
        next_review: DateTime<Utc>,
    }
    #[derive(Deserialize)]
    struct P {
        kind: String,
        from: DateTime<Utc>,
    }
    let mut rows = a
        .state()
        .db()
        .q("SELECT level, date, next_review, created_at FROM assessment WHERE case = $c ORDER BY date DESC, created_at DESC LIMIT 1;
            SELECT VALUE kind FROM measure WHERE case = $c AND status = 'active';
            SELECT kind, from FROM housing WHERE case = $c AND from <= <datetime>$now AND (to = NONE OR to >= <datetime>$now) ORDER BY from DESC LIMIT 1;
            SELECT kind, from FROM occupation WHERE case = $c AND from <= <datetime>$now AND (to = NONE OR to >= <datetime>$now) ORDER BY from DESC LIMIT 1;
            SELECT VALUE next_review FROM ONLY type::record('case', $c);")
        .bind("c", case_id)
        .bind("now", now)
        .run()
        .await?;
    let today = swedish_date(now);
    let mut s = CaseSummary {
        sees_safety: sees(Category::Safety),
        sees_housing: sees(Category::Housing),
        sees_occupation: sees(Category::Occupation),
        sees_plan: sees(Category::Plan),
        ..CaseSummary::default()
    };
    if s.sees_safety {
        let t: Option<T> = rows.first(0)?;
        s.threat = t.map(|t| threat_summary(&t.level, t.date, t.next_review, today));
        let kinds: Vec<String> = rows.all(1)?;
        s.active_measures = kinds
            .iter()
            .filter_map(|k| MeasureKind::parse(k).ok())
            .collect();
    }
    fn current<K>(p: Option<P>, parse: fn(&str) -> Result<K, AppError>) -> Option<Current<K>> {
        p.and_then(|p| {
            Some(Current {
                kind: parse(&p.kind).ok()?,
                since: p.from.date_naive(),
            })
        })
    }
    if s.sees_housing {
        s.housing = current(rows.first(2)?, HousingType::parse);
    }
    if s.sees_occupation {
        s.occupation = current(rows.first(3)?, OccupationType::parse);
    }
    if s.sees_plan {
        let next: Option<DateTime<Utc>> = rows.first(4)?;
        s.next_review = next.map(|d| d.date_naive());
        s.review_overdue = s.next_review.is_some_and(|d| d < today);
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

// ------------------------------------------------------------------ housing and occupation

pub async fn add_housing(
    a: &Authed,
    case_id: &str,
    kind: HousingType,
    address: &str,
    from: &str,
) -> Result<String, AppError> {
    let c = ctx(a, case_id, "housing.add", &[Category::Housing]).await?;
    if !c.manage {
        return Err(deny_write(a, &c, "housing.add", Category::Housing).await);
    }
    let from = date("from", from, swedish_date(c.now), true)?.unwrap_or(swedish_date(c.now));
    let address = text("address", "Adressen", address, false, 200)?;
    let id = new_id();
    let sealed = seal_for(a, &c, "housing", &id, "address", &address).await?;
    let w = Write::new(a, &c, "housing.add", EventKind::Housing, midnight(from))
        .var("id", &id)
        .var("kind", kind.as_str())
        .var("address", sealed)
        .var("from", midnight(from));
    // The address is `location`: the timeline text never carries it.
    let body = "UPDATE housing SET to = <datetime>$from WHERE case = $cid AND to = NONE AND from <= <datetime>$from RETURN NONE;
        CREATE type::record('housing', $id) CONTENT { case: $cid, participant: $pid, kind: $kind, address: $address,
            from: <datetime>$from, to: NONE, created_at: <datetime>$now, created_by: $user } RETURN NONE;";
    commit(
        a,
        &c,
        w,
        body,
        &format!("Boende: {}", kind.label()),
        &format!("housing:{id}"),
    )
    .await?;
    Ok(id)
}

pub async fn add_occupation(
    a: &Authed,
    case_id: &str,
    kind: OccupationType,
    from: &str,
    outcome: &str,
) -> Result<String, AppError> {
    let c = ctx(a, case_id, "occupation.add", &[Category::Occupation]).await?;
    if !c.manage {
        return Err(deny_write(a, &c, "occupation.add", Category::Occupation).await);
    }
    let from = date("from", from, swedish_date(c.now), true)?.unwrap_or(swedish_date(c.now));
    let outcome = text("outcome", "Utfallet", outcome, false, 200)?;
    let id = new_id();
    let outcome = seal_for(a, &c, "occupation", &id, "outcome", &outcome).await?;
    let w = Write::new(
        a,
        &c,
        "occupation.add",
        EventKind::Occupation,
        midnight(from),
    )
    .var("id", &id)
    .var("kind", kind.as_str())
    .var("from", midnight(from))
    .var("outcome", outcome);
    let body = "UPDATE occupation SET to = <datetime>$from WHERE case = $cid AND to = NONE AND from <= <datetime>$from RETURN NONE;
        CREATE type::record('occupation', $id) CONTENT { case: $cid, participant: $pid, kind: $kind, from: <datetime>$from,
            to: NONE, outcome: $outcome, created_at: <datetime>$now, created_by: $user } RETURN NONE;";
    commit(
        a,
        &c,
        w,
        body,
        &format!("Sysselsättning: {}", kind.label()),
        &format!("occupation:{id}"),
    )
    .await?;
    Ok(id)
}

pub async fn living(a: &Authed, case_id: &str) -> Result<LivingDto, AppError> {
    let c = ctx(
        a,
        case_id,
        "living.read",
        &[Category::Housing, Category::Occupation],
    )
    .await?;
    let (may_h, may_o, may_loc) = (
        c.may(Category::Housing),
        c.may(Category::Occupation),
        c.may(Category::Location),
    );
    if !may_h && !may_o {
        return Err(deny(
            a,
            &c,
            "living.read",
            &[Category::Housing, Category::Occupation],
        )
        .await);
    }
    #[derive(Deserialize)]
    struct H {
        id: String,
        kind: String,
        address: Option<String>,
        from: DateTime<Utc>,
        to: Option<DateTime<Utc>>,
    }
    #[derive(Deserialize)]
    struct O {
        id: String,
        kind: String,
        from: DateTime<Utc>,
        to: Option<DateTime<Utc>>,
        outcome: Option<String>,
    }
    let mut rows = a
        .state()
        .db()
        .q(
            "SELECT *, record::id(id) AS id FROM housing WHERE case = $c ORDER BY from DESC;
            SELECT *, record::id(id) AS id FROM occupation WHERE case = $c ORDER BY from DESC;",
        )
        .bind("c", &c.case.id)
        .run()
        .await?;
    let hs: Vec<H> = rows.all(0)?;
    let os: Vec<O> = rows.all(1)?;
    let dek = if may_loc || may_o {
        vault::dek(a.state(), &c.case.participant).await?
    } else {
        None
    };
    let housing = if may_h {
        hs.into_iter()
            .map(|h| {
                let address = match (&h.address, &dek, may_loc) {
                    (None, _, _) => Shown::Empty,
                    (Some(s), Some(k), true) => {
                        Shown::Value(vault::open(k, "housing", &h.id, "address", s)?.expose())
                    }
                    _ => Shown::Masked,
                };
                Ok(HousingDto {
                    id: h.id,
                    kind: HousingType::parse(&h.kind).unwrap_or(HousingType::Temporary),
                    address,
                    from: h.from.date_naive(),
                    to: h.to.map(|d| d.date_naive()),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?
    } else {
        Vec::new()
    };
    let occupation = if may_o {
        os.into_iter()
            .map(|o| {
                Ok(OccupationDto {
                    outcome: open_text(
                        dek.as_deref(),
                        "occupation",
                        &o.id,
                        "outcome",
                        o.outcome.as_deref(),
                    )?,
                    id: o.id,
                    kind: OccupationType::parse(&o.kind).unwrap_or(OccupationType::NoOccupation),
                    from: o.from.date_naive(),
                    to: o.to.map(|d| d.date_naive()),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?
    } else {
        Vec::new()
    };
    let mut cats = Vec::new();
    if may_h {
        cats.push(Category::Housing);
    }
    if may_o {
        cats.push(Category::Occupation);
    }
    if may_loc {
        cats.push(Category::Location);
    }
    read_entry(a, &c, "living.read", &cats).await?;
    Ok(LivingDto {
        housing,
        occupation,
        can_edit: c.manage,
    })
}

// ------------------------------------------------------------------ contacts and notes

/// Logs a contact for the writer's own organisation. `at` is `ÅÅÅÅ-MM-DDTHH:MM` (local form
/// input) or empty for now; the duration is in minutes.
pub async fn add_contact(
    a: &Authed,
    case_id: &str,
    at: &str,
    kind: ContactKind,
    minutes: &str,
    summary: &str,
) -> Result<String, AppError> {
    let c = ctx(a, case_id, "contact.add", &[Category::Contacts]).await?;
    if !c.may(Category::Contacts) {
        return Err(deny_write(a, &c, "contact.add", Category::Contacts).await);
    }
    let at = match at.trim() {
        "" => c.now,
        s => chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
            .map(|t| t.and_utc())
            .map_err(|_| AppError::invalid("at", "Ange datum och tid som ÅÅÅÅ-MM-DD TT:MM."))?,
    };
    if at > c.now + Duration::minutes(5) {
        return Err(AppError::invalid(
            "at",
            "En kontakt kan inte loggas i förväg.",
        ));
    }
    if c.now - at > Duration::days(365) {
        return Err(AppError::invalid(
            "at",
            "Kontakten ligger mer än ett år bakåt i tiden.",
        ));
    }
    let minutes: i64 = match minutes.trim() {
        "" => 0,
        s => s
            .parse()
            .ok()
            .filter(|m| (0..=24 * 60).contains(m))
            .ok_or_else(|| AppError::invalid("minutes", "Ange längd i minuter (0–1440)."))?,
    };
    let summary = text("summary", "Sammanfattningen", summary, true, MAX_TEXT)?;
    let id = new_id();
    let sealed = seal_for(a, &c, "contact", &id, "summary", &summary).await?;
    let w = Write::new(a, &c, "contact.add", EventKind::Contact, at)
        .var("id", &id)
        .var("at", at)
        .var("kind", kind.as_str())
        .var("minutes", minutes)
        .var("summary", sealed);
    let body = "CREATE type::record('contact', $id) CONTENT { case: $cid, participant: $pid, at: <datetime>$at, org: $org,
        kind: $kind, minutes: $minutes, summary: $summary, author: $user, created_at: <datetime>$now } RETURN NONE;
        CREATE contact_stat CONTENT { stat: $cid, org: $org, at: <datetime>$at,
            municipality: (SELECT VALUE municipality FROM ONLY type::record('case', $cid)) } RETURN NONE;";
    let event = format!("{} ({} min): {summary}", kind.label(), minutes);
    commit(a, &c, w, body, &event, &format!("contact:{id}")).await?;
    Ok(id)
}

pub async fn add_note(a: &Authed, case_id: &str, body_text: &str) -> Result<String, AppError> {
    let c = ctx(a, case_id, "note.add", &[Category::Notes]).await?;
    if !c.may(Category::Notes) {
        return Err(deny_write(a, &c, "note.add", Category::Notes).await);
    }
    let t = text("text", "Anteckningen", body_text, true, MAX_TEXT)?;
    let id = new_id();
    let sealed = seal_for(a, &c, "note", &id, "text", &t).await?;
    let w = Write::new(a, &c, "note.add", EventKind::Note, c.now)
        .var("id", &id)
        .var("text", sealed);
    let body = "CREATE type::record('note', $id) CONTENT { case: $cid, participant: $pid, text: $text, author: $user, org: $org,
        created_at: <datetime>$now, updated_at: <datetime>$now, version: 1, history: [], corrected: false } RETURN NONE;";
    commit(a, &c, w, body, &t, &format!("note:{id}")).await?;
    Ok(id)
}

/// Edits a note: in place within the edit window, afterwards as a new version with the old text
/// kept and the note marked as corrected. Only the author may edit.
pub async fn edit_note(
    a: &Authed,
    case_id: &str,
    note_id: &str,
    version: i64,
    body_text: &str,
) -> Result<(), AppError> {
    check_id(note_id)?;
    let c = ctx(a, case_id, "note.edit", &[Category::Notes]).await?;
    #[derive(Deserialize)]
    struct N {
        case: String,
        author: String,
        text: String,
        created_at: DateTime<Utc>,
        version: i64,
    }
    let n: Option<N> = a
        .state()
        .db()
        .q("SELECT * FROM ONLY type::record('note', $id)")
        .bind("id", note_id)
        .run()
        .await?
        .first(0)?;
    let n = n
        .filter(|n| n.case == c.case.id)
        .ok_or(AppError::NotFound)?;
    if n.author != a.user_id() || !c.may(Category::Notes) {
        return Err(deny_write(a, &c, "note.edit", Category::Notes).await);
    }
    if n.version != version {
        return Err(AppError::conflict(
            "Anteckningen har ändrats sedan du öppnade den. Ladda om och gör om ändringen.",
        ));
    }
    let t = text("text", "Anteckningen", body_text, true, MAX_TEXT)?;
    let in_window = c.now - n.created_at <= Duration::minutes(NOTE_EDIT_WINDOW_MINUTES);
    // The old text keeps its own AAD: a history entry is sealed for its position (version).
    let sealed = seal_for(a, &c, "note", note_id, "text", &t).await?;
    let dek = vault::dek(a.state(), &c.case.participant)
        .await?
        .ok_or(AppError::NotFound)?;
    let old_plain = vault::open(&dek, "note", note_id, "text", &n.text)?.expose();
    let old = vault::seal(
        &dek,
        "note",
        note_id,
        &format!("history.{}", n.version),
        &old_plain,
    )?;
    let w = Write::new(a, &c, "note.edit", EventKind::Note, c.now)
        .var("id", note_id)
        .var("v", version)
        .var("text", sealed)
        .var("old", old)
        .var("window", in_window);
    let body = "
        IF (SELECT VALUE version FROM ONLY type::record('note', $id)) != $v { THROW 'conflict:Anteckningen har ändrats sedan du öppnade den. Ladda om och gör om ändringen.' };
        IF $window {
            UPDATE type::record('note', $id) SET text = $text, version = $v + 1, updated_at = <datetime>$now RETURN NONE;
        } ELSE {
            UPDATE type::record('note', $id) SET history += { version: $v, text: $old, replaced_at: <datetime>$now },
                text = $text, version = $v + 1, corrected = true, updated_at = <datetime>$now RETURN NONE;
            UPDATE event SET corrected = true WHERE source = 'note:' + $id RETURN NONE;
        };";
    let label = if in_window {
        t.clone()
    } else {
        format!("Rättelse: {t}")
    };
    commit(a, &c, w, body, &label, &format!("note:{note_id}")).await
}

pub async fn notes(a: &Authed, case_id: &str) -> Result<Vec<NoteDto>, AppError> {
    let c = ctx(a, case_id, "notes.read", &[Category::Notes]).await?;
    if !c.may(Category::Notes) {
        return Err(deny_write(a, &c, "notes.read", Category::Notes).await);
    }
    #[derive(Deserialize)]
    struct N {
        id: String,
        author: String,
        author_name: Option<String>,
        text: String,
        created_at: DateTime<Utc>,
        version: i64,
        corrected: bool,
    }
    let rows: Vec<N> = a
        .state()
        .db()
        .q("SELECT *, record::id(id) AS id, (SELECT VALUE display_name FROM ONLY type::record('user', $parent.author)) AS author_name
            FROM note WHERE case = $c ORDER BY created_at DESC LIMIT 200")
        .bind("c", &c.case.id)
        .run()
        .await?
        .all(0)?;
    let dek = vault::dek(a.state(), &c.case.participant).await?;
    let mut out = Vec::new();
    for n in rows {
        let text = match &dek {
            Some(k) => vault::open(k, "note", &n.id, "text", &n.text)?.expose(),
            None => domain::MASK.to_string(),
        };
        out.push(NoteDto {
            can_edit: n.author == a.user_id(),
            id: n.id,
            text,
            author: n.author_name.unwrap_or(n.author),
            at: n.created_at,
            version: n.version,
            corrected: n.corrected,
        });
    }
    read_entry(a, &c, "notes.read", &[Category::Notes]).await?;
    Ok(out)
}

// ------------------------------------------------------------------ the shared timeline

/// Cursor: `<at in ms>.<event id>` of the last event on the previous page.
fn parse_cursor(s: &str) -> Result<Option<(DateTime<Utc>, String)>, AppError> {
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || AppError::invalid("cursor", "Ogiltig sidmarkör.");
    let (ms, id) = s.split_once('.').ok_or_else(bad)?;
    let ms: i64 = ms.parse().map_err(|_| bad())?;
    check_id(id).map_err(|_| bad())?;
    Ok(Some((
        DateTime::from_timestamp_millis(ms).ok_or_else(bad)?,
        id.to_string(),
    )))
}

/// Filters for the timeline.
#[derive(Debug, Clone, Default)]
pub struct TimelineFilter {
    pub category: Option<Category>,
    pub org: Option<String>,
}

/// The timeline's page query with only the conditions in use: an `x = NONE OR …` condition
/// keeps SurrealDB from walking the `(case, at)` index newest first, and then every page sorts
/// all of the case's events.
fn timeline_query(cursor: bool, category: bool, org: bool) -> String {
    let mut sql = String::from(
        "SELECT record::id(id) AS id, kind, category, org, author, at, text, corrected FROM event WHERE case = $c",
    );
    if cursor {
        sql.push_str(" AND (at < <datetime>$cur_at OR (at = <datetime>$cur_at AND record::id(id) < $cur_id))");
    }
    if category {
        sql.push_str(" AND category = $cat");
    }
    if org {
        sql.push_str(" AND org = $org");
    }
    sql.push_str(" ORDER BY at DESC, id DESC LIMIT $n");
    sql
}

/// Adds the names of the organisations and authors in `rows` (org id, user id) that `names` does
/// not hold yet, in one query: organisations by id, users as `user:<id>`.
async fn remember_names(
    a: &Authed,
    rows: &[(&str, &str)],
    names: &mut HashMap<String, String>,
) -> Result<(), AppError> {
    let mut orgs: Vec<&str> = rows
        .iter()
        .map(|r| r.0)
        .filter(|o| !names.contains_key(*o))
        .collect();
    let mut users: Vec<&str> = rows
        .iter()
        .map(|r| r.1)
        .filter(|u| !names.contains_key(&format!("user:{u}")))
        .collect();
    orgs.sort_unstable();
    orgs.dedup();
    users.sort_unstable();
    users.dedup();
    if orgs.is_empty() && users.is_empty() {
        return Ok(());
    }
    #[derive(Deserialize)]
    struct N {
        id: String,
        name: String,
    }
    let mut res = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, name FROM array::map($o, |$x| type::record('org', $x));
            SELECT record::id(id) AS id, display_name AS name FROM array::map($u, |$x| type::record('user', $x));")
        .bind("o", &orgs)
        .bind("u", &users)
        .run()
        .await?;
    for n in res.all::<N>(0)? {
        names.insert(n.id, n.name);
    }
    for n in res.all::<N>(1)? {
        names.insert(format!("user:{}", n.id), n.name);
    }
    // Unknown ids are remembered as nameless so they are not asked for again.
    for o in orgs {
        names.entry(o.to_string()).or_default();
    }
    for u in users {
        names.entry(format!("user:{u}")).or_default();
    }
    Ok(())
}

/// One page of the case's timeline, newest first, with only what the reader may see: events of
/// allowed categories in full; others shown as "händelse från annan aktör" without content to
/// named team members, and not at all to anyone else.
pub async fn timeline(
    a: &Authed,
    case_id: &str,
    cursor: &str,
    filter: TimelineFilter,
    limit: usize,
) -> Result<TimelinePage, AppError> {
    let limit = limit.clamp(1, 200);
    let c = ctx(a, case_id, "timeline.read", &Category::ALL).await?;
    let named_member = c.subject.team.iter().any(|m| m.user_id == a.user_id());
    if let Some(o) = &filter.org {
        check_id(o).map_err(|_| AppError::invalid("org", "Okänd organisation."))?;
    }
    #[derive(Deserialize)]
    struct E {
        id: String,
        kind: String,
        category: String,
        org: String,
        author: String,
        at: DateTime<Utc>,
        text: Option<String>,
        corrected: bool,
    }
    let dek = vault::dek(a.state(), &c.case.participant).await?;
    let mut names: HashMap<String, String> = HashMap::new();
    let mut cur = parse_cursor(cursor)?;
    let mut out: Vec<EventDto> = Vec::with_capacity(limit);
    let mut next = None;
    let mut shown_cats: Vec<Category> = Vec::new();
    'fill: loop {
        let batch = (limit + 1).max(64);
        let rows: Vec<E> = a
            .state()
            .db()
            .q(timeline_query(
                cur.is_some(),
                filter.category.is_some(),
                filter.org.is_some(),
            ))
            .bind("c", &c.case.id)
            .bind("cur_at", cur.as_ref().map(|x| x.0))
            .bind("cur_id", cur.as_ref().map(|x| x.1.clone()))
            .bind("cat", filter.category.map(|c| c.as_str()))
            .bind("org", &filter.org)
            .bind("n", batch)
            .run()
            .await?
            .all(0)?;
        let exhausted = rows.len() < batch;
        remember_names(
            a,
            &rows
                .iter()
                .map(|e| (e.org.as_str(), e.author.as_str()))
                .collect::<Vec<_>>(),
            &mut names,
        )
        .await?;
        for e in rows {
            cur = Some((e.at, e.id.clone()));
            let Ok(cat) = Category::parse(&e.category) else {
                continue;
            };
            let allowed = c.may(cat);
            if !allowed && !named_member {
                continue;
            }
            if out.len() == limit {
                next = out
                    .last()
                    .map(|l| format!("{}.{}", l.at.timestamp_millis(), l.id));
                break 'fill;
            }
            let text = match (allowed, &e.text, &dek) {
                (true, Some(s), Some(k)) => {
                    Some(vault::open(k, "event", &e.id, "text", s)?.expose())
                }
                (true, None, _) => Some(String::new()),
                _ => None,
            };
            if allowed && !shown_cats.contains(&cat) {
                shown_cats.push(cat);
            }
            let author = if allowed {
                names
                    .get(&format!("user:{}", e.author))
                    .cloned()
                    .unwrap_or_default()
            } else {
                String::new()
            };
            out.push(EventDto {
                id: e.id,
                at: e.at,
                kind: EventKind::parse(&e.kind).unwrap_or(EventKind::Note),
                category: cat,
                org: if allowed {
                    names.get(&e.org).cloned().unwrap_or_default()
                } else {
                    "Annan aktör".into()
                },
                author,
                text,
                corrected: e.corrected,
            });
        }
        if exhausted {
            break;
        }
    }
    read_entry(a, &c, "timeline.read", &shown_cats).await?;
    Ok(TimelinePage { events: out, next })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{as_user, setup, shared_case, worker_partner_police};
    use crate::{demo, participants};
    use std::collections::HashSet;

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
        assert_eq!(v.summary.warnings(), vec!["Akut hotnivå"]);
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
            vec!["Akut hotnivå", "Hotbedömningen behöver göras om"]
        );
        state.clock().reset();
    }

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

    #[tokio::test]
    async fn police_see_safety_but_not_notes_or_health_without_a_basis() {
        let state = setup().await;
        let (w, police) = (
            as_user(&state, "handlaggare").await,
            as_user(&state, "polis").await,
        );
        let case = shared_case(&w).await;
        add_note(
            &w,
            &case,
            "Mår dåligt, har kontakt med vårdcentralen om sömnen.",
        )
        .await
        .unwrap();
        assert!(safety(&police, &case).await.is_ok());
        assert_eq!(
            notes(&police, &case).await.unwrap_err(),
            AppError::Forbidden
        );
        let page = timeline(&police, &case, "", TimelineFilter::default(), 200)
            .await
            .unwrap();
        assert!(page
            .events
            .iter()
            .filter(|e| e.category == Category::Notes)
            .all(|e| e.text.is_none()));
        assert!(!serde_json::to_string(&page)
            .unwrap()
            .contains("vårdcentralen"));
        assert_eq!(
            add_note(&police, &case, "x").await.unwrap_err(),
            AppError::Forbidden
        );
    }

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
        let AppError::Conflict { message } = err else {
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

    async fn audit_seqs(state: &crate::AppState) -> usize {
        state
            .db()
            .q("SELECT VALUE seq FROM audit")
            .run()
            .await
            .unwrap()
            .all::<i64>(0)
            .unwrap()
            .len()
    }

    /// The newest entry: (action, decision, denied categories).
    async fn last_entry(state: &crate::AppState) -> (String, String, Vec<String>) {
        #[derive(Deserialize)]
        struct E {
            action: String,
            decision: String,
            denied: Vec<String>,
        }
        let e: Option<E> = state
            .db()
            .q("SELECT action, decision, denied, seq FROM audit ORDER BY seq DESC LIMIT 1")
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap();
        let e = e.unwrap();
        (e.action, e.decision, e.denied)
    }

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

    /// Every string field of every table of the migrated schema, as `table.field`.
    async fn string_fields(state: &crate::AppState) -> Vec<String> {
        let info = state.db().q("INFO FOR DB").run().await.unwrap().value(0);
        let mut tables: Vec<String> = info["tables"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        tables.sort();
        let mut out = Vec::new();
        for t in tables {
            let ti = state
                .db()
                .q(format!("INFO FOR TABLE {t}"))
                .run()
                .await
                .unwrap()
                .value(0);
            let Some(fields) = ti["fields"].as_object() else {
                continue;
            };
            for (name, def) in fields {
                let def = def.as_str().unwrap_or_default();
                // `TYPE none | string DEFAULT …`: the type runs up to the next clause.
                let rest = def.split(" TYPE ").nth(1).unwrap_or("");
                let ty = [
                    " DEFAULT ",
                    " VALUE ",
                    " ASSERT ",
                    " READONLY",
                    " PERMISSIONS ",
                    " COMMENT ",
                    " REFERENCE",
                ]
                .iter()
                .filter_map(|k| rest.find(k))
                .min()
                .map_or(rest, |i| &rest[..i]);
                if ty.contains("string") {
                    out.push(format!("{t}.{name}"));
                }
            }
        }
        out.sort();
        out
    }

    /// String fields sealed with something other than a participant's key.
    const SEALED_OTHERWISE: &[(&str, &str)] = &[
        (
            "form_flash.sealed",
            "AES-GCM under a key derived from the session token, which the store never holds",
        ),
        (
            "mfa.secret",
            "the TOTP secret, sealed under the user's own key wrapped by the KEK",
        ),
        (
            "mfa.recovery",
            "recovery codes until confirmed, sealed like the secret",
        ),
        (
            "participant_key.wrapped",
            "the participant's data key, wrapped by the KEK",
        ),
    ];

    /// Free text still stored in clear that another change of this issue is sealing; the list
    /// must be empty when the issue closes.
    const BEING_SEALED_IN_THIS_CHANGE: &[&str] = &[];

    /// String fields in clear, each with why that is safe. Ids name records, not people; enums
    /// and dates-as-text are codes from a fixed list; hashes and MACs do not open.
    const CLEAR: &[(&str, &str)] = &[
        ("*.case", "record id"),
        ("*.participant", "record id (a random id, not a personal identifier)"),
        ("*.created_by", "user id"),
        ("*.org", "organisation id"),
        ("*.owner_org", "organisation id"),
        ("*.status", "code from a fixed list"),
        ("*.kind", "code from a fixed list"),
        ("*.user", "user id"),
        ("*.author", "user id"),
        ("*.municipality", "municipality of the owning unit or of registration, needed for lists and the anonymous statistics; a protected person's new municipality is sealed in `location`"),
        ("action.goal", "record id"),
        ("action.owner_org", "organisation id"),
        ("assessment.level", "code from a fixed list"),
        ("audit.action", "code from a fixed list"),
        ("audit.actor", "user id"),
        ("audit.actor_org", "organisation id"),
        ("audit.basis", "code or legal provision"),
        ("audit.case_id", "record id"),
        ("audit.categories", "category codes"),
        ("audit.categories.*", "category code"),
        ("audit.decision", "allow or deny"),
        ("audit.denied", "category codes"),
        ("audit.denied.*", "category code"),
        ("audit.mac", "MAC"),
        ("audit.participants", "record ids"),
        ("audit.participants.*", "record id"),
        ("audit.prev_mac", "MAC"),
        ("audit.purpose", "code from a fixed list"),
        ("audit.reason", "a code or a reference to a sealed record (e.g. break_glass:<id>, username_hash:<hash>), never free text"),
        ("audit.role", "role code"),
        ("audit_cut.mac", "MAC"),
        ("audit_cut.prev_mac", "MAC"),
        ("audit_head.mac", "MAC"),
        ("audit_verification.anchor", "checkpoint reference"),
        ("audit_verification.mac", "MAC"),
        ("audit_verification.problem", "a message of the verifier about positions, no personal data"),
        ("blind_index.tag", "keyed hash (HMAC) of an identifier"),
        ("break_glass.review", "code from a fixed list"),
        ("break_glass.reviewed_by", "user id"),
        ("case.responsible", "user id of the responsible case worker"),
        ("case.sspf_level", "code from a fixed list"),
        ("case.transitions.*.by", "user id"),
        ("case.transitions.*.from", "status code"),
        ("case.transitions.*.to", "status code"),
        ("case_member.added_by", "user id"),
        ("case_member.part", "code from a fixed list"),
        ("case_stat.age_band", "anonymous statistics: a band, not an age"),
        ("case_stat.exit_month", "anonymous statistics: a month"),
        ("case_stat.exit_reason", "anonymous statistics: code from a fixed list"),
        ("case_stat.gender", "anonymous statistics: code"),
        ("case_stat.intake_month", "anonymous statistics: a month"),
        ("case_stat.measures.*.kind", "anonymous statistics: code"),
        ("case_stat.sspf_level", "anonymous statistics: code"),
        ("case_stat.transitions.*.to", "anonymous statistics: code"),
        ("consent.basis", "`samtycke` or a legal provision from a fixed list"),
        ("consent.categories", "category codes"),
        ("consent.categories.*", "category code"),
        ("consent.recipient_org", "organisation id"),
        ("consent.recorded_by", "user id"),
        ("consent.revoked_by", "user id"),
        ("contact_stat.stat", "anonymous statistics row id"),
        ("duplicate_candidate.existing", "record id"),
        ("duplicate_candidate.existing_org", "organisation id"),
        ("duplicate_candidate.found_by", "user id"),
        ("duplicate_candidate.new_org", "organisation id"),
        ("duplicate_candidate.new_participant", "record id"),
        ("duplicate_candidate.resolved_by", "user id"),
        ("event.category", "category code"),
        ("event.source", "table:record reference"),
        ("extract_release.by", "user id"),
        ("extract_release.decision", "release or withhold"),
        ("extract_release.fingerprint", "hash of the stored item"),
        ("extract_release.item", "table:record:field reference"),
        ("form_flash.owner", "hash of the session token"),
        ("goal.domain", "code from a fixed list"),
        ("lease.holder", "instance id"),
        ("measure.responsible_org", "organisation id"),
        ("mfa.key", "the user's own key, wrapped by the KEK"),
        ("mfa_recovery.hash", "SHA-256 of a random recovery code"),
        ("migration.name", "description of a schema change"),
        ("notification.by_user", "user id"),
        ("open_case.case", "record id"),
        ("org.municipalities", "municipality names of an organisation"),
        ("org.municipalities.*", "municipality name"),
        ("org.name", "name of an organisation, not of a person"),
        ("participant.gender", "code from a fixed list (also in the anonymous statistics)"),
        ("participant.protection", "protection level code: the owning unit must see it to protect the person; never answered to anyone without a relation"),
        ("retention_run.by", "user id or `system`"),
        ("session.pending", "code from a fixed list"),
        ("shred_request.confirmed_by", "user id"),
        ("shred_request.requested_by", "user id"),
        ("user.display_name", "a staff member's name, not a participant's"),
        ("user.password_hash", "PBKDF2 hash"),
        ("user.role", "role code"),
        ("user.username", "a staff member's user name"),
    ];

    /// Every string field of the migrated schema is sealed or on a list with a written reason,
    /// so a new free-text field cannot be stored in clear without someone deciding it.
    #[tokio::test]
    async fn every_string_field_of_the_schema_is_sealed_or_allowed_in_clear_with_a_reason() {
        let state = setup().await;
        let mut sealed: Vec<String> = Vec::new();
        for t in crate::extract::TABLES {
            for f in t.sealed {
                sealed.push(format!("{}.{f}", t.name));
            }
            if let Some((arr, f)) = t.sealed_versions {
                sealed.push(format!("{}.{arr}.*.{f}", t.name));
            }
        }
        sealed.extend(SEALED_OTHERWISE.iter().map(|(f, _)| f.to_string()));
        let clear = |f: &str| {
            let (_, field) = f.split_once('.').unwrap();
            CLEAR
                .iter()
                .any(|(k, why)| !why.is_empty() && (*k == f || k.strip_prefix("*.") == Some(field)))
        };
        let fields = string_fields(&state).await;
        let unclassified: Vec<&String> = fields
            .iter()
            .filter(|f| {
                !sealed.contains(f)
                    && !clear(f)
                    && !BEING_SEALED_IN_THIS_CHANGE.contains(&f.as_str())
            })
            .collect();
        assert!(
            unclassified.is_empty(),
            "string fields neither sealed nor allowed in clear with a reason: {unclassified:?}"
        );
        // The fields sealed by this change really are among the sealed ones.
        for f in [
            "occupation.outcome",
            "action.responsible",
            "case.referral_source",
            "break_glass.reason",
            "break_glass.review_comment",
            "shred_request.reason",
        ] {
            assert!(sealed.contains(&f.to_string()), "{f}");
            assert!(fields.contains(&f.to_string()), "{f} is a string field");
        }
        // A sealed field is not also on the clear list.
        for f in &sealed {
            assert!(
                !CLEAR.iter().any(|(k, _)| k == f),
                "{f} is both sealed and clear"
            );
        }
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
        assert!(!raw.contains("Kim"), "responsible stored in clear: {raw}");
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

    #[tokio::test]
    async fn a_note_is_edited_in_place_within_the_window_and_versioned_after() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        let id = add_note(&w, &case, "Första versionen").await.unwrap();
        edit_note(&w, &case, &id, 1, "Rättat stavfel")
            .await
            .unwrap();
        let n = notes(&w, &case)
            .await
            .unwrap()
            .into_iter()
            .find(|n| n.id == id)
            .unwrap();
        assert!(!n.corrected);
        state
            .clock()
            .advance(Duration::minutes(NOTE_EDIT_WINDOW_MINUTES + 1));
        let w = as_user(&state, "handlaggare").await;
        edit_note(&w, &case, &id, 2, "Ny uppgift efter samtal")
            .await
            .unwrap();
        let n = notes(&w, &case)
            .await
            .unwrap()
            .into_iter()
            .find(|n| n.id == id)
            .unwrap();
        assert!(n.corrected);
        assert_eq!(n.text, "Ny uppgift efter samtal");
        let hist = state
            .db()
            .q("SELECT VALUE history FROM ONLY type::record('note', $id)")
            .bind("id", &id)
            .run()
            .await
            .unwrap()
            .value(0);
        assert_eq!(
            hist.as_array().map(Vec::len),
            Some(1),
            "the old text stays: {hist}"
        );
        assert_eq!(
            edit_note(&w, &case, &id, 2, "stale").await.unwrap_err(),
            AppError::conflict(
                "Anteckningen har ändrats sedan du öppnade den. Ladda om och gör om ändringen."
            )
        );
    }

    #[tokio::test]
    async fn events_from_three_organisations_interleave_and_paging_sees_each_exactly_once_under_concurrent_inserts(
    ) {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        let c = case_by_id(&w, &case).await.unwrap();
        let dek = vault::dek(&state, &c.participant).await.unwrap().unwrap();
        // 10 000 events from three organisations, interleaved in time, written in bulk.
        let orgs = [demo::ORG_GBG, demo::ORG_PASSUS, demo::ORG_POLICE];
        let base = state.clock().now() - Duration::days(300);
        let mut expected: HashSet<String> = HashSet::new();
        for chunk in 0..20 {
            let mut rows = Vec::new();
            for k in 0..500 {
                let n = chunk * 500 + k;
                let id = new_id();
                let at = base
                    + Duration::seconds(n as i64 * 97 % 2_000_000)
                    + Duration::milliseconds((n % 3) as i64);
                let text =
                    vault::seal(&dek, "event", &id, "text", &format!("händelse {n}")).unwrap();
                rows.push(json!({"id": id, "org": orgs[n % 3], "at": at, "text": text}));
                expected.insert(id);
            }
            state
                .db()
                .q("FOR $r IN $rows { CREATE type::record('event', $r.id) CONTENT { case: $c, participant: $p, kind: 'contact', category: 'contacts',
                    org: $r.org, author: 'demo_handlaggare', at: <datetime>$r.at, text: $r.text, source: 'bulk', corrected: false } RETURN NONE; }")
                .bind("rows", rows)
                .bind("c", &case)
                .bind("p", &c.participant)
                .run()
                .await
                .unwrap();
        }
        // New events keep arriving while the reader pages through.
        let writer = {
            let (state, case) = (state.clone(), case.clone());
            tokio::spawn(async move {
                let w = as_user(&state, "handlaggare").await;
                for i in 0..30 {
                    add_contact(
                        &w,
                        &case,
                        "",
                        ContactKind::Phone,
                        "5",
                        &format!("ny kontakt {i}"),
                    )
                    .await
                    .unwrap();
                }
            })
        };
        let mut seen: HashSet<String> = HashSet::new();
        let mut orgs_seen: HashSet<String> = HashSet::new();
        let mut cursor = String::new();
        let mut last: Option<(DateTime<Utc>, String)> = None;
        loop {
            let page = timeline(&w, &case, &cursor, TimelineFilter::default(), 50)
                .await
                .unwrap();
            for e in &page.events {
                if let Some((at, id)) = &last {
                    assert!((e.at, &e.id) < (*at, id), "newest first, strictly");
                }
                last = Some((e.at, e.id.clone()));
                assert!(seen.insert(e.id.clone()), "event {} shown twice", e.id);
                orgs_seen.insert(e.org.clone());
            }
            match page.next {
                Some(n) => cursor = n,
                None => break,
            }
        }
        writer.await.unwrap();
        let missing = expected.iter().filter(|id| !seen.contains(*id)).count();
        assert_eq!(missing, 0, "every pre-existing event is seen exactly once");
        assert!(
            orgs_seen.len() >= 3,
            "three organisations interleave: {orgs_seen:?}"
        );
    }
}
