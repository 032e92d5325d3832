//! Retention (gallring): what the law says may no longer be kept is removed by the system.
//!
//! A participant whose cases are all closed and have had no entry for the retention period
//! (default five years) is crypto-shredded and every row about them is deleted, each participant
//! in one audited transaction. So is a person known only from referrals (registered without a
//! case) once every referral is decided and older than the period; a referral still waiting for
//! a decision, or a recent one, keeps its person, with or without a case. Their cases' statistics rows stay, re-keyed under new random ids
//! with the link to the case removed, so the outcomes dashboard's history does not change.
//! Audit entries older than their own retention (default ten years) are removed as a recorded
//! cut: the cut names the last removed position and the link the first kept entry carries, under
//! a MAC, so verification still proves nothing else was removed or changed.
//!
//! The job runs daily inside the server and on demand (`utvag gallring --dry-run | --apply`).
//! Applying holds a lease in the database, so two app instances never run it at the same time.

use chrono::{DateTime, Duration, Months, Utc};
use domain::Problem;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::audit::{self, Entry, Who};
use super::auth::Authed;
pub use super::config::{Periods, DEFAULT_AUDIT_YEARS, DEFAULT_CASE_YEARS};
use super::db::new_id;
use super::gate::who;
use super::progress::{Progress, Quiet};
use super::state::AppState;
use domain::{AppError, RetentionRun, RetentionStatus};

/// How long a lease lasts unless renewed: a crashed holder blocks the job no longer than this.
pub const LEASE_MINUTES: i64 = 30;
const LEASE: &str = "gallring";
/// What the in-transaction re-check throws when a participant is no longer due.
const NOT_DUE: &str = "retention-not-due";

/// What the job found or did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub applied: bool,
    pub at: DateTime<Utc>,
    /// Cases closed with no entry before this instant are due.
    pub case_cutoff: DateTime<Utc>,
    pub audit_cutoff: DateTime<Utc>,
    /// Participants due (dry run) or shredded (apply).
    pub participants: Vec<String>,
    pub cases: usize,
    /// Audit entries older than their retention: counted (dry run) or removed (apply).
    pub audit_entries: i64,
}

#[derive(Deserialize)]
struct DueCase {
    participant: String,
    case: String,
}

/// Finds what is due and, with `apply`, removes it. Audited either way.
pub async fn run(
    state: &AppState,
    periods: Periods,
    apply: bool,
    by: &Who,
) -> Result<Report, AppError> {
    run_with(state, periods, apply, by, &Quiet).await
}

/// [`run`], reporting its progress (`utvag gallring`).
pub async fn run_with(
    state: &AppState,
    periods: Periods,
    apply: bool,
    by: &Who,
    progress: &dyn Progress,
) -> Result<Report, AppError> {
    progress.stage("finding what is due", None);
    let now = state.clock().now();
    let years = |y: u32| now.checked_sub_months(Months::new(y * 12)).unwrap_or(now);
    let case_cutoff = years(periods.case_years);
    let audit_cutoff = years(periods.audit_years);
    if !apply {
        return due(state, now, case_cutoff, audit_cutoff, by).await;
    }
    let holder = new_id();
    acquire(state, &holder).await?;
    let result = apply_all(state, now, case_cutoff, audit_cutoff, by, progress).await;
    release(state, &holder).await;
    result
}

/// A referral keeps its person while it waits for a decision or is younger than the cutoff.
const REFERRAL_KEEPS: &str =
    "status IN ['new', 'forwarded', 'under_review'] OR created_at >= <datetime>$cutoff";

/// The people due and their cases: those whose cases are all closed with no entry since the
/// cutoff, and those known only from referrals (registered without a case) whose referrals
/// were all decided and sent before it. A referral still waiting, or a recent one, keeps its
/// person either way.
async fn due_cases(
    state: &AppState,
    case_cutoff: DateTime<Utc>,
) -> Result<(Vec<String>, Vec<DueCase>), AppError> {
    let mut r = state
        .db()
        .q(format!(
            "LET $cut = <datetime>$cutoff;
            LET $referred = (SELECT VALUE participant FROM referral WHERE {REFERRAL_KEEPS});
            LET $keep = array::union((SELECT VALUE participant FROM case WHERE open = true OR last_entry_at >= $cut), $referred);
            SELECT participant, record::id(id) AS case FROM case
                WHERE open = false AND last_entry_at < $cut AND participant NOT IN $keep
                ORDER BY participant;
            LET $with_case = (SELECT VALUE participant FROM case);
            SELECT VALUE participant FROM referral
                WHERE participant NOT IN $with_case AND participant NOT IN $referred;"
        ))
        .bind("cutoff", case_cutoff)
        .run()
        .await?;
    let cases: Vec<DueCase> = r.all(3)?;
    let mut people: Vec<String> = cases.iter().map(|c| c.participant.clone()).collect();
    people.extend(r.all::<String>(5)?);
    people.sort();
    people.dedup();
    Ok((people, cases))
}

async fn old_audit_entries(state: &AppState, cutoff: DateTime<Utc>) -> Result<i64, AppError> {
    let n: Option<i64> = state
        .db()
        .q("SELECT VALUE count() FROM audit WHERE at < <datetime>$cutoff GROUP ALL")
        .bind("cutoff", cutoff)
        .run()
        .await?
        .first(0)?;
    Ok(n.unwrap_or(0))
}

async fn due(
    state: &AppState,
    now: DateTime<Utc>,
    case_cutoff: DateTime<Utc>,
    audit_cutoff: DateTime<Utc>,
    by: &Who,
) -> Result<Report, AppError> {
    let (people, cases) = due_cases(state, case_cutoff).await?;
    let report = Report {
        applied: false,
        at: now,
        case_cutoff,
        audit_cutoff,
        cases: cases.len(),
        participants: people,
        audit_entries: old_audit_entries(state, audit_cutoff).await?,
    };
    let mut e = Entry::new("retention.dry_run");
    e.reason = Some(summary(&report));
    audit::append(state, by, e).await?;
    Ok(report)
}

fn summary(r: &Report) -> String {
    format!(
        "{} deltagare, {} ärenden, {} loggposter (ärenden utan anteckning sedan {}, loggposter före {})",
        r.participants.len(),
        r.cases,
        r.audit_entries,
        r.case_cutoff.format("%Y-%m-%d"),
        r.audit_cutoff.format("%Y-%m-%d")
    )
}

/// Every table whose rows name a participant in a `participant` field: the register extract's
/// tables (its test holds that list complete against the schema) and the search tags.
fn participant_tables() -> impl Iterator<Item = &'static str> {
    super::extract::TABLES
        .iter()
        .filter(|t| !t.by_id)
        .map(|t| t.name)
        .chain(["blind_index"])
}

async fn apply_all(
    state: &AppState,
    now: DateTime<Utc>,
    case_cutoff: DateTime<Utc>,
    audit_cutoff: DateTime<Utc>,
    by: &Who,
    progress: &dyn Progress,
) -> Result<Report, AppError> {
    let (people, cases) = due_cases(state, case_cutoff).await?;
    progress.stage("shredding participants", Some(people.len() as u64));
    let people = shred_due(state, &people, &cases, case_cutoff, by, progress).await?;
    let cases: Vec<DueCase> = cases
        .into_iter()
        .filter(|c| people.contains(&c.participant))
        .collect();
    progress.stage("removing old audit entries", None);
    let removed = cut_audit(state, audit_cutoff, by).await?;
    let report = Report {
        applied: true,
        at: now,
        case_cutoff,
        audit_cutoff,
        cases: cases.len(),
        participants: people,
        audit_entries: removed,
    };
    let mut vars = serde_json::Map::new();
    vars.insert("at".into(), json!(now));
    vars.insert("by".into(), json!(by.user));
    vars.insert("p".into(), json!(report.participants.len()));
    vars.insert("c".into(), json!(report.cases));
    vars.insert("a".into(), json!(removed));
    let mut e = Entry::new("retention.apply");
    e.reason = Some(summary(&report));
    audit::commit(
        state,
        by,
        e,
        "CREATE retention_run CONTENT { at: <datetime>$at, applied: true, by: $by, participants: $p, cases: $c, audit_removed: $a } RETURN NONE;",
        vars,
    )
    .await?;
    Ok(report)
}

/// Shreds each decided participant in one audited transaction that first checks, inside the
/// transaction, that they are still due: a case of theirs opened or written to since the
/// decision keeps them (the transaction and its entry do not happen). Returns those shredded.
async fn shred_due(
    state: &AppState,
    people: &[String],
    cases: &[DueCase],
    case_cutoff: DateTime<Utc>,
    by: &Who,
    progress: &dyn Progress,
) -> Result<Vec<String>, AppError> {
    let deletes: String = participant_tables()
        .map(|t| format!("DELETE {t} WHERE participant = $pid;\n"))
        .collect();
    let body = format!(
        "IF (SELECT VALUE id FROM case WHERE participant = $pid
                AND (open = true OR last_entry_at >= <datetime>$cutoff)) != []
            OR (SELECT VALUE id FROM referral WHERE participant = $pid AND ({REFERRAL_KEEPS})) != [] {{
            THROW 'conflict:stale:{NOT_DUE}';
        }};
        FOR $x IN $stats {{
            LET $s = (SELECT * OMIT id FROM ONLY type::record('case_stat', $x.case));
            IF $s != NONE {{
                CREATE type::record('case_stat', $x.stat) CONTENT $s RETURN NONE;
                UPDATE type::record('case_stat', $x.stat) SET case = NONE, anonymised = true RETURN NONE;
                DELETE type::record('case_stat', $x.case);
                UPDATE contact_stat SET stat = $x.stat WHERE stat = $x.case RETURN NONE;
            }};
        }};
        {deletes}
        DELETE type::record('open_case', $pid);
        DELETE type::record('participant_key', $pid);
        DELETE type::record('participant', $pid);"
    );
    let mut shredded = Vec::new();
    for pid in people {
        let stats: Vec<serde_json::Value> = cases
            .iter()
            .filter(|c| &c.participant == pid)
            .map(|c| json!({ "case": c.case, "stat": new_id() }))
            .collect();
        let mut vars = serde_json::Map::new();
        vars.insert("pid".into(), json!(pid));
        vars.insert("stats".into(), json!(stats));
        vars.insert("cutoff".into(), json!(case_cutoff));
        let mut e = Entry::new("retention.shred");
        e.participants = vec![pid.clone()];
        let what = if stats.is_empty() {
            "endast avgjorda remisser, den senaste mottagen"
        } else {
            "ärendet avslutat utan anteckning sedan"
        };
        e.reason = Some(format!(
            "Gallring: {what} före {}",
            case_cutoff.format("%Y-%m-%d")
        ));
        match audit::commit(state, by, e, &body, vars).await {
            Ok(_) => {
                state.deks().remove(pid);
                shredded.push(pid.clone());
            }
            // Someone wrote to the file or opened a case after the decision: no longer due, and
            // the transaction (with its entry) did not happen.
            Err(AppError::Conflict { message, .. }) if message.contains(NOT_DUE) => {
                tracing::info!(participant = %pid, "retention: no longer due, kept");
            }
            Err(e) => return Err(e),
        }
        progress.advance(1);
    }
    Ok(shredded)
}

/// Removes the audit entries before `cutoff` and records the cut, in the same transaction as
/// the entry that records it (so the chain never ends at the cut).
pub(crate) async fn cut_audit(
    state: &AppState,
    cutoff: DateTime<Utc>,
    by: &Who,
) -> Result<i64, AppError> {
    #[derive(Deserialize)]
    struct Last {
        seq: i64,
        mac: String,
    }
    let last: Option<Last> = state
        .db()
        .q("SELECT seq, mac FROM audit WHERE at < <datetime>$cutoff ORDER BY seq DESC LIMIT 1")
        .bind("cutoff", cutoff)
        .run()
        .await?
        .first(0)?;
    let Some(last) = last else {
        return Ok(0);
    };
    let before: Option<i64> = state
        .db()
        .q("SELECT VALUE seq FROM ONLY audit_cut:main")
        .run()
        .await?
        .first(0)?;
    let removed = last.seq - before.unwrap_or(0);
    let at =
        DateTime::from_timestamp_millis(state.clock().now().timestamp_millis()).unwrap_or_default();
    let mac = state.with_keys(|k| k.audit_mac(&audit::cut_canonical(last.seq, &last.mac, at)));
    let mut vars = serde_json::Map::new();
    vars.insert("seq".into(), json!(last.seq));
    vars.insert("prev".into(), json!(last.mac));
    vars.insert("at".into(), json!(at));
    vars.insert("mac".into(), json!(mac));
    let mut e = Entry::new("audit.cut");
    e.reason = Some(format!(
        "Loggposter 1–{} gallrade (äldre än {})",
        last.seq,
        cutoff.format("%Y-%m-%d")
    ));
    audit::commit(
        state,
        by,
        e,
        "DELETE audit WHERE seq <= $seq;
         UPSERT audit_cut:main CONTENT { seq: $seq, prev_mac: $prev, at: <datetime>$at, mac: $mac } RETURN NONE;",
        vars,
    )
    .await?;
    Ok(removed)
}

/// Takes the job's lease for this run, or says who holds it.
async fn acquire(state: &AppState, holder: &str) -> Result<(), AppError> {
    let now = state.clock().now();
    let r = state
        .db()
        .q(format!(
            "BEGIN TRANSACTION;
             LET $l = (SELECT * FROM ONLY lease:{LEASE});
             IF $l != NONE AND $l.expires_at > <datetime>$now AND $l.holder != $me {{ THROW 'lease-held' }};
             UPSERT lease:{LEASE} CONTENT {{ holder: $me, expires_at: <datetime>$until }} RETURN NONE;
             COMMIT TRANSACTION;"
        ))
        .bind("now", now)
        .bind("until", now + Duration::minutes(LEASE_MINUTES))
        .bind("me", holder)
        .run()
        .await;
    match r {
        Ok(_) => Ok(()),
        Err(e) if e.is_conflict() || e.to_string().contains("lease-held") => {
            Err(AppError::conflict(
                Problem::RunningElsewhere,
                "Gallringen körs redan på en annan instans. Försök igen senare.",
            ))
        }
        Err(e) => Err(e.into()),
    }
}

async fn release(state: &AppState, holder: &str) {
    let r = state
        .db()
        .q(format!("DELETE lease:{LEASE} WHERE holder = $me"))
        .bind("me", holder)
        .run()
        .await;
    if let Err(e) = r {
        // The lease runs out on its own.
        tracing::warn!(error = %e, "could not release the retention lease");
    }
}

/// The retention settings and the latest runs, for the administrator's page.
pub async fn status(a: &Authed) -> Result<RetentionStatus, AppError> {
    super::identity::require_admin(a, "retention.status").await?;
    let p = a.state().settings().retention;
    let runs: Vec<RetentionRun> = a
        .state()
        .db()
        .q("SELECT at, applied, by, participants, cases, audit_removed FROM retention_run ORDER BY at DESC LIMIT 10")
        .run()
        .await?
        .all(0)?;
    Ok(RetentionStatus {
        case_years: p.case_years,
        audit_years: p.audit_years,
        runs,
    })
}

/// What a run would remove now, without removing it (audited as a dry run).
pub async fn preview(a: &Authed) -> Result<Report, AppError> {
    super::identity::require_admin(a, "retention.dry_run").await?;
    run(a.state(), a.state().settings().retention, false, &who(a)).await
}

/// The daily run inside the server: waits `first` and then runs every 24 hours. A run refused
/// because another instance holds the lease is simply skipped.
pub async fn daily(state: AppState, periods: Periods, first: std::time::Duration) {
    tokio::time::sleep(first).await;
    loop {
        match run(&state, periods, true, &Who::system()).await {
            Ok(r) => tracing::info!(
                participants = r.participants.len(),
                cases = r.cases,
                audit_removed = r.audit_entries,
                "retention run"
            ),
            Err(AppError::Conflict { .. }) => {
                tracing::info!("retention run skipped: another instance holds the lease")
            }
            Err(e) => tracing::error!(error = %e, "retention run failed"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(24 * 3600)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CoreSettings;
    use crate::demo_history::HistoryCase;
    use crate::outcomes::{compute, Period};
    use crate::testing::history_store;
    use crate::{demo, vault};

    async fn count(state: &AppState, table: &str) -> i64 {
        state
            .db()
            .q("SELECT VALUE count() FROM type::table($t) GROUP ALL")
            .bind("t", table)
            .run()
            .await
            .unwrap()
            .first::<i64>(0)
            .unwrap()
            .unwrap_or(0)
    }

    const TABLES: &[&str] = &[
        "participant",
        "participant_key",
        "case",
        "case_stat",
        "contact_stat",
        "event",
        "contact",
        "housing",
        "occupation",
        "measure",
        "assessment",
        "case_member",
    ];

    async fn counts(state: &AppState) -> Vec<i64> {
        let mut v = Vec::new();
        for t in TABLES {
            v.push(count(state, t).await);
        }
        v
    }

    /// Cases closed with their last entry before `cutoff`, counted from the generated people.
    fn expected_due(people: &[HistoryCase], cutoff: DateTime<Utc>) -> usize {
        people
            .iter()
            .filter(|c| {
                let last = c
                    .transitions
                    .iter()
                    .map(|t| t.1)
                    .chain(c.contacts.iter().copied())
                    .max()
                    .unwrap_or(c.opened);
                c.closed_at().is_some() && last < cutoff
            })
            .count()
    }

    const ONE_YEAR: Periods = Periods {
        case_years: 1,
        audit_years: DEFAULT_AUDIT_YEARS,
    };

    #[tokio::test]
    async fn a_dry_run_finds_the_due_cases_and_changes_nothing() {
        let (state, people) = history_store().await;
        let before = counts(&state).await;
        let r = run(&state, ONE_YEAR, false, &Who::system()).await.unwrap();
        assert!(!r.applied);
        let want = expected_due(&people, r.case_cutoff);
        assert!(want > 10, "the history has cases closed over a year ago");
        assert_eq!(r.cases, want);
        assert_eq!(r.participants.len(), want);
        assert_eq!(counts(&state).await, before);
        assert!(audit::verify(&state).await.unwrap().ok());
    }

    #[tokio::test]
    async fn applying_shreds_exactly_the_due_cases_and_keeps_the_statistics() {
        let (state, people) = history_store().await;
        let today = state.clock().today();
        let periods: Vec<Period> = ["", "Göteborg", "Malmö"]
            .iter()
            .map(|m| {
                Period::parse(
                    &(today - Duration::days(3 * 366)).to_string(),
                    &today.to_string(),
                    m,
                    today,
                )
                .unwrap()
            })
            .collect();
        let mut before = Vec::new();
        for p in &periods {
            before.push(compute(&state, p).await.unwrap());
        }
        let stats_before = count(&state, "case_stat").await;
        let contacts_before = count(&state, "contact_stat").await;
        let cases_before = count(&state, "case").await;
        let dry = run(&state, ONE_YEAR, false, &Who::system()).await.unwrap();
        let seen = crate::progress::recorded::Recorded::default();
        let r = run_with(&state, ONE_YEAR, true, &Who::system(), &seen)
            .await
            .unwrap();
        assert!(r.applied);
        assert_eq!(r.participants, dry.participants);
        // Every participant shredded was reported as a step of the shredding.
        let shredding = seen.stages()[1].clone();
        assert_eq!(shredding.0, "shredding participants");
        let n = r.participants.len() as u64;
        assert!(n > 0);
        assert_eq!((shredding.1, shredding.2), (Some(n), n));
        assert_eq!(r.cases, expected_due(&people, r.case_cutoff));

        // Nothing about a shredded participant is left in any table, and no key.
        for pid in &r.participants {
            for t in super::participant_tables() {
                let n: Option<i64> = state
                    .db()
                    .q("SELECT VALUE count() FROM type::table($t) WHERE participant = $p GROUP ALL")
                    .bind("t", t)
                    .bind("p", pid)
                    .run()
                    .await
                    .unwrap()
                    .first(0)
                    .unwrap();
                assert_eq!(n.unwrap_or(0), 0, "{t} still has rows of {pid}");
            }
            assert!(vault::dek(&state, pid).await.unwrap().is_none());
        }
        assert_eq!(count(&state, "case").await, cases_before - r.cases as i64);
        // Everyone else is still there and readable.
        let left: Vec<String> = state
            .db()
            .q("SELECT VALUE record::id(id) FROM participant")
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap();
        assert_eq!(left.len(), people.len() - r.participants.len());
        for pid in left.iter().take(20) {
            assert!(vault::dek(&state, pid).await.unwrap().is_some());
        }
        // The statistics are the same, now partly anonymous.
        assert_eq!(count(&state, "case_stat").await, stats_before);
        assert_eq!(count(&state, "contact_stat").await, contacts_before);
        let anonymous: i64 = state
            .db()
            .q("SELECT VALUE count() FROM case_stat WHERE anonymised = true AND case = NONE GROUP ALL")
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap()
            .unwrap_or(0);
        assert_eq!(anonymous, r.cases as i64);
        // The contacts' statistics rows name the anonymous case rows, never a case that is gone.
        let counted: Vec<String> = state
            .db()
            .q("SELECT VALUE stat FROM contact_stat")
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap();
        let stats: Vec<String> = state
            .db()
            .q("SELECT VALUE record::id(id) FROM case_stat")
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap();
        assert!(!counted.is_empty());
        for id in &counted {
            assert!(
                stats.contains(id),
                "contact_stat names {id}, which has no case_stat"
            );
        }
        // Every figure kept in the anonymous statistics is the same. Distance travelled is not
        // among them: ratings are the person's own words about their life and go with the
        // person (docs/decisions.md), so it covers the people still on record.
        for (p, b) in periods.iter().zip(&before) {
            let mut after = compute(&state, p).await.unwrap();
            let mut b = b.clone();
            after.distance.clear();
            b.distance.clear();
            assert_eq!(after, b, "{p:?}");
        }
        assert!(audit::verify(&state).await.unwrap().ok());
        // A second run finds nothing more.
        let again = run(&state, ONE_YEAR, true, &Who::system()).await.unwrap();
        assert!(again.participants.is_empty());
    }

    #[tokio::test]
    async fn old_audit_entries_go_as_a_recorded_cut_that_verifies_and_cannot_be_moved() {
        let state = AppState::init(CoreSettings::for_tests()).await.unwrap();
        demo::load_identities(&state).await.unwrap();
        for _ in 0..5 {
            audit::append(&state, &Who::system(), Entry::new("test.old"))
                .await
                .unwrap();
        }
        let total = audit::verify(&state).await.unwrap().entries;
        state.clock().advance(Duration::days(11 * 366));
        let r = run(&state, Periods::default(), true, &Who::system())
            .await
            .unwrap();
        assert_eq!(r.audit_entries, total);
        let v = audit::verify(&state).await.unwrap();
        assert!(v.ok(), "{v:?}");
        // Left: the cut's own entry and the run's summary.
        assert_eq!(v.entries, 2);
        // Moving the cut to hide more entries breaks the chain.
        state
            .db()
            .q("UPDATE audit_cut:main SET seq = seq + 1")
            .run()
            .await
            .unwrap();
        let v = audit::verify(&state).await.unwrap();
        assert!(!v.ok());
        assert_eq!(
            v.problem.as_deref(),
            Some("the recorded retention cut has been changed")
        );
    }

    #[tokio::test]
    async fn a_participant_who_gets_a_note_between_decision_and_deletion_is_not_shredded() {
        let (state, _) = history_store().await;
        let cutoff = state
            .clock()
            .now()
            .checked_sub_months(Months::new(12))
            .unwrap();
        let (people, cases) = due_cases(&state, cutoff).await.unwrap();
        assert!(people.len() > 2);
        // After the decision, the responsible case worker writes a note in the person's case.
        let kept = people[0].clone();
        let case = cases.iter().find(|c| c.participant == kept).unwrap();
        let username: String = state
            .db()
            .q("SELECT VALUE username FROM ONLY type::record('user',
                    (SELECT VALUE responsible FROM ONLY type::record('case', $c)))")
            .bind("c", &case.case)
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap()
            .unwrap();
        let worker = crate::testing::as_user(&state, &username).await;
        crate::casework::add_note(&worker, &case.case, "Hörde av sig igen i dag.")
            .await
            .unwrap();

        let done = shred_due(&state, &people, &cases, cutoff, &Who::system(), &Quiet)
            .await
            .unwrap();
        assert!(!done.contains(&kept));
        assert_eq!(done.len(), people.len() - 1);
        assert!(vault::dek(&state, &kept).await.unwrap().is_some());
        let left: Option<String> = state
            .db()
            .q("SELECT VALUE record::id(id) FROM ONLY type::record('participant', $p)")
            .bind("p", &kept)
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap();
        assert_eq!(left, Some(kept.clone()));
        // The refused shred left no entry; the others each left one.
        let shreds: Vec<Vec<String>> = state
            .db()
            .q("SELECT VALUE participants FROM audit WHERE action = 'retention.shred'")
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap();
        assert_eq!(shreds.len(), done.len());
        assert!(shreds.iter().all(|p| p != &vec![kept.clone()]));
        assert!(audit::verify(&state).await.unwrap().ok());
    }

    #[tokio::test]
    async fn two_instances_started_together_shred_each_due_participant_once() {
        let (a, _) = history_store().await;
        let b = a.second_instance().unwrap();
        let due = run(&a, ONE_YEAR, false, &Who::system()).await.unwrap();
        assert!(!due.participants.is_empty());
        let system = Who::system();
        let (ra, rb) = tokio::join!(
            run(&a, ONE_YEAR, true, &system),
            run(&b, ONE_YEAR, true, &system)
        );
        // Either one was refused the lease, or they ran one after the other and the second
        // found nothing left: never both at once.
        let done: Vec<String> = [ra, rb]
            .into_iter()
            .filter_map(|r| match r {
                Ok(r) => Some(r.participants),
                Err(AppError::Conflict { .. }) => None,
                Err(e) => panic!("{e:?}"),
            })
            .flatten()
            .collect();
        assert_eq!(done, due.participants);
        let shreds: i64 = a
            .db()
            .q("RETURN array::len((SELECT VALUE seq FROM audit WHERE action = 'retention.shred'))")
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap()
            .unwrap_or(0);
        assert_eq!(shreds, due.participants.len() as i64);
        assert!(audit::verify(&a).await.unwrap().ok());
    }

    #[tokio::test]
    async fn a_second_instance_cannot_apply_while_the_lease_is_held() {
        let (state, _) = history_store().await;
        // Another instance is in the middle of a run.
        acquire(&state.second_instance().unwrap(), "other-instance")
            .await
            .unwrap();
        let before = counts(&state).await;
        let e = run(&state, ONE_YEAR, true, &Who::system())
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict { .. }), "{e:?}");
        assert_eq!(counts(&state).await, before);
        // Two runs started together: exactly one gets the lease.
        let (a, b) = tokio::join!(acquire(&state, "one"), acquire(&state, "two"));
        assert!(a.is_err() && b.is_err());
        // A dry run needs no lease.
        assert!(run(&state, ONE_YEAR, false, &Who::system()).await.is_ok());
        // A crashed holder blocks no longer than the lease lasts.
        state.clock().advance(Duration::minutes(LEASE_MINUTES + 1));
        let (a, b) = tokio::join!(acquire(&state, "one"), acquire(&state, "two"));
        assert!(
            a.is_ok() != b.is_ok(),
            "exactly one of two racing instances gets it"
        );
        release(&state, "one").await;
        release(&state, "two").await;
        let r = run(&state, ONE_YEAR, true, &Who::system()).await.unwrap();
        assert!(!r.participants.is_empty());
    }

    /// A police referral of a new person in Göteborg, sent `days_ago`; declined by the unit
    /// when `decline`, otherwise left under review. Returns the person's participant id.
    async fn referral_only(state: &AppState, seed: u64, days_ago: i64, decline: bool) -> String {
        use domain::referral::{ReferralForm, ReferralInput};
        let now = state.clock().now();
        state.clock().travel_to(now - Duration::days(days_ago));
        let polis = crate::testing::as_user(state, "polis").await;
        let form = ReferralForm {
            kind: "police".into(),
            reasons: vec!["recruitment".into()],
            urgency: "normal".into(),
            description: "Ses med äldre i nätverket.".into(),
            personnummer: domain::person::fictional_personnummer(950 + seed)
                .as_str()
                .into(),
            first_name: format!("Remiss{seed}"),
            last_name: "Gallringsson".into(),
            municipality: "Göteborg".into(),
            ..Default::default()
        };
        let input = ReferralInput::parse(&form, state.clock().today()).unwrap();
        let receipt = crate::referral::submit(&polis, input).await.unwrap();
        let w = crate::testing::as_user(state, "handlaggare").await;
        let id = crate::referral::review::id_by_number(&w, &receipt.number)
            .await
            .unwrap()
            .unwrap();
        crate::referral::start_review(&w, &id, 1).await.unwrap();
        if decline {
            crate::referral::decline(&w, &id, 2, "Ingen koppling till nätverk.")
                .await
                .unwrap();
        }
        state.clock().reset();
        state
            .db()
            .q("SELECT VALUE participant FROM ONLY type::record('referral', $id)")
            .bind("id", &id)
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap()
            .unwrap()
    }

    #[tokio::test]
    async fn a_person_known_only_from_decided_old_referrals_is_shredded_and_a_waiting_or_recent_one_kept(
    ) {
        let (state, _) = history_store().await;
        let old_declined = referral_only(&state, 1, 400, true).await;
        let old_waiting = referral_only(&state, 2, 400, false).await;
        let recent_declined = referral_only(&state, 3, 30, true).await;
        let dry = run(&state, ONE_YEAR, false, &Who::system()).await.unwrap();
        assert!(dry.participants.contains(&old_declined));
        assert!(!dry.participants.contains(&old_waiting));
        assert!(!dry.participants.contains(&recent_declined));
        let r = run(&state, ONE_YEAR, true, &Who::system()).await.unwrap();
        assert_eq!(r.participants, dry.participants);
        for (pid, gone) in [
            (&old_declined, true),
            (&old_waiting, false),
            (&recent_declined, false),
        ] {
            let left: i64 = state
                .db()
                .q("RETURN array::len((SELECT VALUE id FROM referral WHERE participant = $p))
                    + array::len((SELECT VALUE id FROM participant WHERE id = type::record('participant', $p)))")
                .bind("p", pid)
                .run()
                .await
                .unwrap()
                .first(0)
                .unwrap()
                .unwrap();
            assert_eq!(left == 0, gone, "{pid}: {left} rows left");
            assert_eq!(vault::dek(&state, pid).await.unwrap().is_none(), gone);
        }
        let reason: Option<String> = state
            .db()
            .q("SELECT VALUE reason FROM audit WHERE action = 'retention.shred' AND $p IN participants")
            .bind("p", &old_declined)
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap();
        assert!(reason.unwrap().contains("endast avgjorda remisser"));
        assert!(audit::verify(&state).await.unwrap().ok());
    }
}
