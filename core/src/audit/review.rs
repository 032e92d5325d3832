//! The log reviewer's questions: who has read this person's data, what did this user read, a
//! search by person, user, organisation, action and period, and is the chain intact. Every
//! question asked is itself audited.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::chain::{self, Entry, Row, Verification};
use crate::auth::Authed;
use crate::db::valid_id;
use crate::gate::{self, check_id, who};
use crate::state::AppState;
use domain::time::swedish_day_start;
use domain::{AppError, AuditRow};

/// An audit row with names resolved for the reviewer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReviewRow {
    pub row: Row,
    pub actor_name: String,
    pub org_name: String,
}

/// The browser's row: names in place of ids, without the chain's links.
impl From<ReviewRow> for AuditRow {
    fn from(r: ReviewRow) -> AuditRow {
        AuditRow {
            seq: r.row.seq,
            at: r.row.at,
            actor: r.actor_name,
            org: r.org_name,
            role: r.row.role,
            action: r.row.action,
            participants: r.row.participants,
            case_id: r.row.case_id,
            categories: r.row.categories,
            denied: r.row.denied,
            decision: r.row.decision,
            basis: r.row.basis,
            purpose: r.row.purpose,
            reason: r.row.reason,
        }
    }
}

/// The entries naming the participant `$x`.
const OF_PARTICIPANT: &str = "participants CONTAINS $x";
/// The entries by the user `$x`.
const BY_ACTOR: &str = "actor = $x";

/// The query of the newest `$n` entries that meet `condition`, newest first: for [`OF_PARTICIPANT`]
/// and [`BY_ACTOR`] a backward range of an index, cut at `$n` (migration 31).
fn newest_query(condition: &str) -> String {
    format!("SELECT * OMIT id FROM audit WHERE {condition} ORDER BY seq DESC LIMIT $n")
}

/// The newest `limit` entries that meet `condition` (a fixed condition on `$x`), newest first.
async fn newest_where(
    state: &AppState,
    condition: &'static str,
    x: &str,
    limit: i64,
) -> Result<Vec<Row>, AppError> {
    Ok(state
        .db()
        .q(newest_query(condition))
        .bind("x", x)
        .bind("n", limit)
        .run()
        .await?
        .all(0)?)
}

async fn named(a: &Authed, rows: Vec<Row>) -> Result<Vec<ReviewRow>, AppError> {
    #[derive(Deserialize)]
    struct N {
        id: String,
        name: String,
    }
    let users: Vec<N> = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, display_name AS name FROM user")
        .run()
        .await?
        .all(0)?;
    let orgs: Vec<N> = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, name FROM org")
        .run()
        .await?
        .all(0)?;
    let find = |list: &[N], id: &str| {
        list.iter()
            .find(|n| n.id == id)
            .map(|n| n.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    Ok(rows
        .into_iter()
        .map(|r| ReviewRow {
            actor_name: find(&users, &r.actor),
            org_name: find(&orgs, &r.actor_org),
            row: r,
        })
        .collect())
}

/// "Who has read this person's data": every entry naming the participant, newest first.
pub async fn reads_of_participant(
    a: &Authed,
    participant: &str,
) -> Result<Vec<ReviewRow>, AppError> {
    gate::require(a, domain::Capability::ReviewLog, "audit.review").await?;
    check_id(participant)?;
    let rows = newest_where(a.state(), OF_PARTICIPANT, participant, 1000).await?;
    let mut e = Entry::new("audit.query_participant");
    e.participants = vec![participant.to_string()];
    chain::append(a.state(), &who(a), e).await?;
    named(a, rows).await
}

/// "What did this user read": every entry by the user, newest first.
pub async fn reads_by_user(a: &Authed, username: &str) -> Result<Vec<ReviewRow>, AppError> {
    gate::require(a, domain::Capability::ReviewLog, "audit.review").await?;
    let uid: Option<String> = a
        .state()
        .db()
        .q("SELECT VALUE record::id(id) FROM user WHERE username = $u LIMIT 1")
        .bind("u", username.trim().to_lowercase())
        .run()
        .await?
        .first(0)?;
    let uid = uid.ok_or_else(|| {
        AppError::problem(
            "username",
            domain::error::Problem::Unknown,
            "Det finns ingen användare med det namnet.",
        )
    })?;
    let rows = newest_where(a.state(), BY_ACTOR, &uid, 1000).await?;
    let mut e = Entry::new("audit.query_user");
    e.reason = Some(uid);
    chain::append(a.state(), &who(a), e).await?;
    named(a, rows).await
}

pub use domain::audit::SEARCH_LIMIT;

/// A search of the audit log. Every part is optional; the parts given must all hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogSearch {
    pub participant: Option<String>,
    pub username: Option<String>,
    pub org: Option<String>,
    pub action: Option<String>,
    /// The first and the last day of the period, both included, in Swedish time.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl LogSearch {
    /// The search form's fields; empty means "any".
    pub fn parse(
        participant: &str,
        username: &str,
        org: &str,
        action: &str,
        from: &str,
        to: &str,
    ) -> Result<LogSearch, AppError> {
        let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let id = |field: &str, s: &str, message: &str| match given(s) {
            Some(v) if valid_id(&v) => Ok(Some(v)),
            Some(_) => Err(AppError::problem(
                field,
                domain::error::Problem::Unknown,
                message,
            )),
            None => Ok(None),
        };
        // Years far outside the log's life are refused before any date arithmetic.
        let date = |field: &str, s: &str| match given(s) {
            Some(v) => NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                .ok()
                .filter(|d| (2000..=2100).contains(&d.year()))
                .map(Some)
                .ok_or_else(|| {
                    AppError::problem(
                        field,
                        domain::error::Problem::DateFormat,
                        "Ange datum som ÅÅÅÅ-MM-DD.",
                    )
                }),
            None => Ok(None),
        };
        let action = given(action);
        if action.as_deref().is_some_and(|a| {
            a.len() > 64
                || !a
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.')
        }) {
            return Err(AppError::problem(
                "action",
                domain::error::Problem::Choose,
                "Välj en händelse i listan.",
            ));
        }
        let s = LogSearch {
            participant: id(
                "participant_id",
                participant,
                "Ett deltagar-id består av bokstäver och siffror, som det visas i ärendet.",
            )?,
            username: given(username).map(|u| u.to_lowercase()),
            org: id("org", org, "Välj en organisation i listan.")?,
            action,
            from: date("from", from)?,
            to: date("to", to)?,
        };
        if let (Some(f), Some(t)) = (s.from, s.to) {
            if t < f {
                return Err(AppError::problem(
                    "to",
                    domain::error::Problem::EndBeforeStart,
                    "Periodens sista dag kan inte vara före den första.",
                ));
            }
        }
        Ok(s)
    }

    /// The search as recorded in the audit entry.
    fn describe(&self) -> String {
        let parts: Vec<String> = [
            ("participant", self.participant.clone()),
            ("user", self.username.clone()),
            ("org", self.org.clone()),
            ("action", self.action.clone()),
            ("from", self.from.map(|d| d.to_string())),
            ("to", self.to.map(|d| d.to_string())),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
        .collect();
        if parts.is_empty() {
            "all".into()
        } else {
            parts.join("; ")
        }
    }
}

/// The answer of a log search.
#[derive(Debug, Clone)]
pub struct SearchResult {
    pub rows: Vec<ReviewRow>,
    /// More entries matched than [`SEARCH_LIMIT`].
    pub capped: bool,
}

/// The search's query with only the conditions in use, so that the index of one of them can
/// be used (a `$x = NONE OR …` condition would make every search a scan).
fn search_query(s: &LogSearch) -> String {
    let conds: Vec<&str> = [
        (s.participant.is_some(), "participants CONTAINS $p"),
        (s.username.is_some(), "actor = $u"),
        (s.org.is_some(), "actor_org = $org"),
        (s.action.is_some(), "action = $action"),
        (s.from.is_some(), "at >= <datetime>$from"),
        (s.to.is_some(), "at < <datetime>$to"),
    ]
    .into_iter()
    .filter_map(|(used, c)| used.then_some(c))
    .collect();
    let mut sql = String::from("SELECT * OMIT id FROM audit");
    if !conds.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conds.join(" AND "));
    }
    sql.push_str(" ORDER BY seq DESC LIMIT $n");
    sql
}

/// Searches the audit log, newest first, at most [`SEARCH_LIMIT`] entries. The search is itself
/// audited, with the filter as its reason.
pub async fn search(a: &Authed, s: &LogSearch) -> Result<SearchResult, AppError> {
    gate::require(a, domain::Capability::ReviewLog, "audit.review").await?;
    let db = a.state().db();
    let uid: Option<String> = match &s.username {
        None => None,
        Some(u) => Some(
            db.q("SELECT VALUE record::id(id) FROM user WHERE username = $u LIMIT 1")
                .bind("u", u)
                .run()
                .await?
                .first(0)?
                .ok_or_else(|| {
                    AppError::problem(
                        "username",
                        domain::error::Problem::Unknown,
                        "Det finns ingen användare med det namnet.",
                    )
                })?,
        ),
    };
    if let Some(org) = &s.org {
        let known: Option<String> = db
            .q("SELECT VALUE record::id(id) FROM type::record('org', $o)")
            .bind("o", org)
            .run()
            .await?
            .first(0)?;
        if known.is_none() {
            return Err(AppError::problem(
                "org",
                domain::error::Problem::Choose,
                "Välj en organisation i listan.",
            ));
        }
    }
    let mut rows: Vec<Row> = db
        .q(search_query(s))
        .bind("p", &s.participant)
        .bind("u", &uid)
        .bind("org", &s.org)
        .bind("action", &s.action)
        .bind("from", s.from.map(swedish_day_start))
        .bind("to", s.to.map(|d| swedish_day_start(d + Duration::days(1))))
        .bind("n", SEARCH_LIMIT + 1)
        .run()
        .await?
        .all(0)?;
    let capped = rows.len() > SEARCH_LIMIT;
    rows.truncate(SEARCH_LIMIT);
    let mut e = Entry::new("audit.search");
    e.participants = s.participant.iter().cloned().collect();
    e.reason = Some(s.describe());
    chain::append(a.state(), &who(a), e).await?;
    Ok(SearchResult {
        rows: named(a, rows).await?,
        capped,
    })
}

/// Verifies the whole chain and records the result.
pub async fn verify_chain(a: &Authed) -> Result<Verification, AppError> {
    gate::require(a, domain::Capability::ReviewLog, "audit.review").await?;
    let v = chain::verify(a.state()).await?;
    record_verification(a.state(), &v).await?;
    let mut e = Entry::new("audit.verify");
    e.reason = Some(match &v.broken_at {
        None => format!("ok: {} entries", v.entries),
        Some(at) => format!("broken at {at}"),
    });
    chain::append(a.state(), &who(a), e).await?;
    Ok(v)
}

/// Stores a verification result under a MAC with the audit key, so that a record edited in the
/// database to read "intact" is recognised when read back.
pub(crate) async fn record_verification(
    state: &AppState,
    v: &Verification,
) -> Result<(), AppError> {
    let mac = state.with_keys(|k| k.audit_mac(&chain::verification_canonical(v)));
    state
        .db()
        .q("CREATE audit_verification CONTENT { checked_at: <datetime>$at, entries: $n, head_seq: $h, broken_at: $b, problem: $p, anchor: $anchor, mac: $mac }")
        .bind("at", v.checked_at)
        .bind("n", v.entries)
        .bind("h", v.head_seq)
        .bind("b", v.broken_at)
        .bind("p", &v.problem)
        .bind("anchor", &v.anchor)
        .bind("mac", mac)
        .run()
        .await?;
    Ok(())
}

/// The last recorded verification, for the reviewer's start page. A record whose MAC does not
/// verify is answered as a broken check (position 0: not a position in the chain) saying so.
pub async fn last_verification(a: &Authed) -> Result<Option<Verification>, AppError> {
    gate::require(a, domain::Capability::ReviewLog, "audit.review").await?;
    #[derive(Deserialize)]
    struct Recorded {
        #[serde(flatten)]
        v: Verification,
        mac: Option<String>,
    }
    let r: Option<Recorded> = a
        .state()
        .db()
        .q("SELECT checked_at, entries, head_seq, broken_at, problem, anchor, mac FROM audit_verification ORDER BY checked_at DESC LIMIT 1")
        .run()
        .await?
        .first(0)?;
    Ok(r.map(|r| {
        let genuine = r.mac.as_deref().is_some_and(|m| {
            a.state()
                .with_keys(|k| k.audit_verify(&chain::verification_canonical(&r.v), m))
        });
        if genuine {
            r.v
        } else {
            Verification {
                broken_at: Some(0),
                problem: Some(
                    "the stored result of the last check has been altered or carries no MAC; run the check again"
                        .into(),
                ),
                ..r.v
            }
        }
    }))
}

/// Password and second-factor resets done by an administrator since `since`, oldest first (the
/// target user is in the entry's `reason`).
async fn admin_resets_since(
    state: &AppState,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Row>, AppError> {
    Ok(state
        .db()
        .q(
            "SELECT * OMIT id FROM audit WHERE action IN ['user.password_reset', 'user.mfa_reset']
              AND decision = 'allow' AND at >= <datetime>$since ORDER BY seq ASC",
        )
        .bind("since", since)
        .run()
        .await?
        .all(0)?)
}

pub use domain::audit::Flag;

/// One read of one participant's file with the reasons it stands out.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FlaggedRead {
    pub read: ReviewRow,
    pub flags: Vec<Flag>,
}

/// A burst: this many different participants opened by one user ...
pub const BURST_PARTICIPANTS: usize = 10;
/// ... within this many minutes.
pub const BURST_MINUTES: i64 = 10;

/// Reads of single participants' files (`*.read` with the purpose case work) in the last `days`
/// days that stand out: outside the case team, outside working hours, part of a burst, or of a
/// protected person. Newest first. The question is itself audited.
pub async fn flagged_reads(a: &Authed, days: i64) -> Result<Vec<FlaggedRead>, AppError> {
    use chrono::{Datelike, Duration, Timelike, Weekday};
    use std::collections::{HashMap, HashSet};

    gate::require(a, domain::Capability::ReviewLog, "audit.review").await?;
    if !(1..=366).contains(&days) {
        return Err(AppError::problem(
            "days",
            domain::error::Problem::PeriodMaxDays { days: 366 },
            "Välj en period på 1–366 dagar.",
        ));
    }
    let since = a.state().clock().now() - Duration::days(days);
    #[derive(Deserialize)]
    struct Member {
        participant: String,
        user: String,
    }
    #[derive(Deserialize)]
    struct Person {
        id: String,
        protection: String,
    }
    let mut res = a
        .state()
        .db()
        .q("SELECT * OMIT id FROM audit WHERE at >= <datetime>$since AND purpose = 'case_work'
              AND decision != 'deny' AND string::ends_with(action, '.read') AND array::len(participants) = 1
              ORDER BY seq ASC;
            SELECT participant, user FROM case_member;
            SELECT record::id(id) AS id, protection FROM participant WHERE protection != 'none';")
        .bind("since", since)
        .run()
        .await?;
    let rows: Vec<Row> = res.all(0)?;
    let team: HashSet<(String, String)> = res
        .all::<Member>(1)?
        .into_iter()
        .map(|m| (m.participant, m.user))
        .collect();
    let protected: HashSet<String> = res
        .all::<Person>(2)?
        .into_iter()
        .filter(|p| p.protection != "none")
        .map(|p| p.id)
        .collect();

    // Per reader, the times at which each participant was opened, for the burst window.
    let mut by_actor: HashMap<&str, Vec<(chrono::DateTime<chrono::Utc>, &str)>> = HashMap::new();
    for r in &rows {
        by_actor
            .entry(r.actor.as_str())
            .or_default()
            .push((r.at, r.participants[0].as_str()));
    }
    let window = Duration::minutes(BURST_MINUTES);
    let in_burst = |actor: &str, at: chrono::DateTime<chrono::Utc>| {
        let distinct: HashSet<&str> = by_actor
            .get(actor)
            .into_iter()
            .flatten()
            .filter(|(t, _)| *t > at - window && *t <= at + window)
            .map(|(_, p)| *p)
            .collect();
        distinct.len() >= BURST_PARTICIPANTS
    };
    let mut out = Vec::new();
    for r in &rows {
        let p = &r.participants[0];
        let local = domain::time::swedish_local(r.at);
        let mut flags = Vec::new();
        if !team.contains(&(p.clone(), r.actor.clone())) {
            flags.push(Flag::OutsideTeam);
        }
        if local.hour() < 7
            || local.hour() >= 19
            || matches!(local.weekday(), Weekday::Sat | Weekday::Sun)
        {
            flags.push(Flag::OutsideHours);
        }
        if in_burst(&r.actor, r.at) {
            flags.push(Flag::Burst);
        }
        if protected.contains(p) {
            flags.push(Flag::Protected);
        }
        if !flags.is_empty() {
            out.push((r.clone(), flags));
        }
    }
    // Refused attempts on a person's file, and searches that matched someone the searcher has no
    // relation to: probing leaves a trace the reviewer sees, not only the reads that succeeded.
    let mut res = a
        .state()
        .db()
        .q(
            "SELECT * OMIT id FROM audit WHERE at >= <datetime>$since AND decision = 'deny'
              AND array::len(participants) >= 1 ORDER BY seq ASC;
            SELECT * OMIT id FROM audit WHERE at >= <datetime>$since AND action = $damaged
              ORDER BY seq ASC;",
        )
        .bind("since", since)
        .bind("damaged", crate::vault::DAMAGED_ACTION)
        .run()
        .await?;
    let probes: Vec<Row> = res.all(0)?;
    // Values found damaged when read: someone may have edited the store by hand.
    out.extend(
        res.all::<Row>(1)?
            .into_iter()
            .map(|r| (r, vec![Flag::Damaged])),
    );
    out.extend(probes.into_iter().map(|r| {
        let flag = if r.action == "participant.search" {
            Flag::WithheldSearch
        } else {
            Flag::Refused
        };
        (r, vec![flag])
    }));
    // Resets by an administrator are put before the reviewer whatever else happened.
    out.extend(
        admin_resets_since(a.state(), since)
            .await?
            .into_iter()
            .map(|r| {
                let flag = if r.action == "user.mfa_reset" {
                    Flag::AdminSecondFactorReset
                } else {
                    Flag::AdminReset
                };
                (r, vec![flag])
            }),
    );
    out.sort_by_key(|(r, _)| r.seq);
    out.reverse();
    let mut e = Entry::new("audit.query_flagged");
    e.reason = Some(format!("{days} days"));
    chain::append(a.state(), &who(a), e).await?;
    let (rows, flags): (Vec<Row>, Vec<Vec<Flag>>) = out.into_iter().unzip();
    Ok(named(a, rows)
        .await?
        .into_iter()
        .zip(flags)
        .map(|(read, flags)| FlaggedRead { read, flags })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::participants::{self, ListFilter};
    use crate::testing::{as_user, setup};
    use chrono::{Datelike, Duration, TimeZone, Utc};

    /// "Who has read this person" and "what did this user read", and a search on one of them,
    /// read a backward range of an index that stops at the limit: not the whole log tested entry
    /// by entry, which is what a person read a few times in a log of years would cost.
    #[tokio::test]
    async fn the_reviewers_questions_read_a_range_of_an_index_cut_at_the_limit() {
        let state = setup().await;
        let one = |participant: bool| LogSearch {
            participant: participant.then(|| "someone".to_string()),
            username: (!participant).then(|| "someone".to_string()),
            ..Default::default()
        };
        for (sql, index) in [
            (newest_query(OF_PARTICIPANT), "audit_participant_seq"),
            (newest_query(BY_ACTOR), "audit_actor_seq"),
            (search_query(&one(true)), "audit_participant_seq"),
            (search_query(&one(false)), "audit_actor_seq"),
        ] {
            let plan = state
                .db()
                .q(format!("EXPLAIN {sql}"))
                .bind("x", "someone")
                .bind("p", "someone")
                .bind("u", "someone")
                .bind("n", 1000)
                .run()
                .await
                .unwrap()
                .value(0)
                .to_string();
            assert!(plan.contains(index), "{sql}: {plan}");
            assert!(plan.contains("Backward"), "{sql}: {plan}");
            assert!(plan.contains("limit: $n"), "{sql}: {plan}");
            for walk in ["TableScan", "Filter", "Sort"] {
                assert!(!plan.contains(walk), "{sql}: {walk} in {plan}");
            }
        }
    }

    #[tokio::test]
    async fn reads_outside_the_team_and_bursts_are_flagged_and_an_in_team_read_is_not() {
        let state = setup().await;
        // A Tuesday at 09:00 UTC (10 or 11 Swedish time: inside working hours), more than a
        // week after the demo data was written, so that only this test's reads are in the
        // reviewed day (the demo writes as its staff up to today, and plans a meeting in a week).
        let mut day = (state.clock().now() + Duration::days(8)).date_naive();
        while day.weekday() != chrono::Weekday::Tue {
            day = day.succ_opt().unwrap();
        }
        state
            .clock()
            .travel_to(Utc.from_utc_datetime(&day.and_hms_opt(9, 0, 0).unwrap()));
        let w = as_user(&state, "handlaggare").await;
        let lead = as_user(&state, "programledare").await;
        let reviewer = as_user(&state, "granskare").await;
        let rows = participants::list(
            &w,
            ListFilter {
                status: None,
                mine: true,
            },
        )
        .await
        .unwrap();
        let own = rows
            .iter()
            .find(|r| !r.protection.is_protected())
            .expect("a case on the team");
        // An in-team read, and one read by the program lead who is not on that team.
        participants::view(&w, &own.case_id).await.unwrap();
        state.clock().advance(Duration::minutes(30));
        participants::view(&lead, &own.case_id).await.unwrap();
        let flagged = flagged_reads(&reviewer, 1).await.unwrap();
        let by = |user: &str| {
            flagged
                .iter()
                .filter(|f| {
                    f.read.row.actor == user && f.read.row.participants[0] == own.participant_id
                })
                .collect::<Vec<_>>()
        };
        assert!(
            by("demo_handlaggare").is_empty(),
            "an in-team read in working hours is not flagged"
        );
        assert_eq!(by("demo_programledare").len(), 1);
        assert_eq!(by("demo_programledare")[0].flags, vec![Flag::OutsideTeam]);

        // The program lead then opens every case of the organisation in a few minutes.
        state.clock().advance(Duration::minutes(30));
        let all = participants::list(&lead, ListFilter::default())
            .await
            .unwrap();
        assert!(all.len() >= BURST_PARTICIPANTS);
        for r in all.iter().filter(|r| !r.shredded).take(BURST_PARTICIPANTS) {
            participants::view(&lead, &r.case_id).await.unwrap();
        }
        let flagged = flagged_reads(&reviewer, 1).await.unwrap();
        let bursts = flagged
            .iter()
            .filter(|f| f.read.row.actor == "demo_programledare" && f.flags.contains(&Flag::Burst))
            .count();
        assert_eq!(bursts, BURST_PARTICIPANTS);
        assert!(flagged
            .iter()
            .filter(|f| f.read.row.actor == "demo_handlaggare")
            .all(|f| !f.flags.contains(&Flag::Burst)));
        state.clock().reset();
    }

    #[tokio::test]
    async fn a_stored_verification_result_edited_in_the_database_is_reported_as_such() {
        let state = setup().await;
        let reviewer = as_user(&state, "granskare").await;
        let v = verify_chain(&reviewer).await.unwrap();
        assert!(v.ok());
        assert_eq!(last_verification(&reviewer).await.unwrap(), Some(v.clone()));
        // Someone turns a broken check into an intact-looking one (or simply edits the count).
        state
            .db()
            .q("UPDATE audit_verification SET entries = entries + 1000")
            .run()
            .await
            .unwrap();
        let read = last_verification(&reviewer).await.unwrap().unwrap();
        assert_eq!(read.broken_at, Some(0));
        assert!(
            read.problem.as_deref().unwrap().contains("altered"),
            "{read:?}"
        );
    }

    fn search_for(
        participant: &str,
        user: &str,
        org: &str,
        action: &str,
        from: &str,
        to: &str,
    ) -> LogSearch {
        LogSearch::parse(participant, user, org, action, from, to).unwrap()
    }

    #[tokio::test]
    async fn the_log_search_combines_filters_newest_first_and_is_itself_audited() {
        use crate::demo::{ORG_GBG, ORG_POLICE};
        use crate::testing::{shared_case, worker_partner_police};

        let state = setup().await;
        // Tomorrow at 09:00 UTC, and two days later at 21:30 UTC (22:30 or 23:30 in Sweden, so
        // still the same Swedish day); the demo's consents hold on both days.
        let d1 = state.clock().today() + Duration::days(1);
        let d2 = d1 + Duration::days(2);
        let at = |d: chrono::NaiveDate, h, m| d.and_hms_opt(h, m, 0).unwrap().and_utc();
        let (w, _, _) = worker_partner_police(&state).await;
        let case = shared_case(&w).await;
        let pid = crate::gate::case_by_id(&w, &case)
            .await
            .unwrap()
            .participant;
        state.clock().travel_to(at(d1, 9, 0));
        let (w, _, police) = worker_partner_police(&state).await;
        participants::view(&w, &case).await.unwrap();
        participants::view(&police, &case).await.unwrap();
        state.clock().travel_to(at(d2, 21, 30));
        let (w, partner, police) = worker_partner_police(&state).await;
        participants::view(&partner, &case).await.unwrap();
        participants::view(&police, &case).await.unwrap();
        let reviewer = as_user(&state, "granskare").await;

        let found = |r: &SearchResult| r.rows.iter().map(|x| x.row.clone()).collect::<Vec<_>>();
        let newest_first = |rows: &[Row]| rows.windows(2).all(|w| w[0].seq > w[1].seq);

        // By organisation: only the police's entries, of both days.
        let r = search(&reviewer, &search_for("", "", ORG_POLICE, "", "", ""))
            .await
            .unwrap();
        let rows = found(&r);
        assert!(rows.len() >= 2 && newest_first(&rows));
        assert!(rows.iter().all(|x| x.actor_org == ORG_POLICE));

        // By action and organisation together.
        let r = search(&reviewer, &search_for("", "", ORG_GBG, "case.read", "", ""))
            .await
            .unwrap();
        let rows = found(&r);
        assert!(rows
            .iter()
            .all(|x| x.actor_org == ORG_GBG && x.action == "case.read"));
        assert!(rows
            .iter()
            .any(|x| x.actor == "demo_handlaggare" && x.participants == vec![pid.clone()]));

        // By period, in Swedish days: the first day holds the first reads, not the later ones.
        let r = search(
            &reviewer,
            &search_for(&pid, "", "", "case.read", &d1.to_string(), &d1.to_string()),
        )
        .await
        .unwrap();
        let rows = found(&r);
        assert_eq!(
            rows.iter().map(|x| x.actor.as_str()).collect::<Vec<_>>(),
            vec!["demo_polis", "demo_handlaggare"]
        );
        // The days after: the later reads only.
        let r = search(
            &reviewer,
            &search_for(
                &pid,
                "",
                "",
                "case.read",
                &(d1 + Duration::days(1)).to_string(),
                &d2.to_string(),
            ),
        )
        .await
        .unwrap();
        let rows = found(&r);
        assert_eq!(
            rows.iter().map(|x| x.actor.as_str()).collect::<Vec<_>>(),
            vec!["demo_polis", "demo_passus"]
        );
        let r = search(
            &reviewer,
            &search_for(&pid, "polis", "", "", &d2.to_string(), ""),
        )
        .await
        .unwrap();
        assert_eq!(found(&r).len(), 1);
        assert!(!r.capped);

        // Everything: newest first and capped.
        let total: i64 = state
            .db()
            .q("SELECT count() AS n FROM audit GROUP ALL")
            .run()
            .await
            .unwrap()
            .value(0)[0]["n"]
            .as_i64()
            .unwrap();
        let r = search(&reviewer, &LogSearch::default()).await.unwrap();
        assert_eq!(r.rows.len() as i64, total.min(SEARCH_LIMIT as i64));
        assert_eq!(r.capped, total > SEARCH_LIMIT as i64);
        assert!(newest_first(&found(&r)));

        // The search itself is in the log, with what was asked.
        let s = search_for(&pid, "", ORG_POLICE, "case.read", &d1.to_string(), "");
        search(&reviewer, &s).await.unwrap();
        let last: Row = state
            .db()
            .q("SELECT * OMIT id FROM audit ORDER BY seq DESC LIMIT 1")
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap()
            .unwrap();
        assert_eq!(
            (last.action.as_str(), last.actor.as_str()),
            ("audit.search", "demo_granskare")
        );
        assert_eq!(last.participants, vec![pid.clone()]);
        assert_eq!(
            last.reason.as_deref(),
            Some(
                format!("participant={pid}; org={ORG_POLICE}; action=case.read; from={d1}")
                    .as_str()
            )
        );

        // Only log reviewers may search; bad input is named by its field.
        for who in [&w, &partner, &police, &as_user(&state, "admin").await] {
            assert_eq!(
                search(who, &LogSearch::default()).await.unwrap_err(),
                AppError::Forbidden
            );
        }
        let field = |e: AppError| e.field().map(str::to_string);
        assert_eq!(
            field(
                search(&reviewer, &search_for("", "finns.inte", "", "", "", ""))
                    .await
                    .unwrap_err()
            ),
            Some("username".into())
        );
        assert_eq!(
            field(LogSearch::parse("", "", "", "", "10/3", "").unwrap_err()),
            Some("from".into())
        );
        assert_eq!(
            field(LogSearch::parse("", "", "", "", "", "+262143-12-31").unwrap_err()),
            Some("to".into())
        );
        assert_eq!(
            field(LogSearch::parse("", "", "", "", "2026-03-12", "2026-03-10").unwrap_err()),
            Some("to".into())
        );
        assert_eq!(
            field(LogSearch::parse("../x", "", "", "", "", "").unwrap_err()),
            Some("participant_id".into())
        );
        state.clock().reset();
    }

    #[tokio::test]
    async fn refused_attempts_and_withheld_search_hits_are_flagged() {
        let state = setup().await;
        let owner = as_user(&state, "handlaggare").await;
        let outsider = as_user(&state, "handlaggare.malmo").await;
        let reviewer = as_user(&state, "granskare").await;
        let p = &crate::demo::demo_people()[1];
        let rows = participants::search(&owner, &p.personnummer).await.unwrap();
        let (case_id, pid) = (rows[0].case_id.clone(), rows[0].participant_id.clone());
        assert!(participants::search(&outsider, &p.personnummer)
            .await
            .unwrap()
            .is_empty());
        assert!(participants::view(&outsider, &case_id).await.is_err());
        let flagged = flagged_reads(&reviewer, 1).await.unwrap();
        let of = |flag: Flag| {
            flagged
                .iter()
                .filter(|f| {
                    f.read.row.actor == "demo_handlaggare_malmo"
                        && f.read.row.participants.contains(&pid)
                        && f.flags.contains(&flag)
                })
                .count()
        };
        assert_eq!(of(Flag::WithheldSearch), 1, "{flagged:?}");
        assert_eq!(of(Flag::Refused), 1, "{flagged:?}");
    }
}
