//! The audit log: append-only, hash-chained with HMAC-SHA256 under the audit chain's own key
//! (in the key file, not derived from the KEK), and anchored outside the database by signed
//! checkpoints ([`super::checkpoint`]).
//!
//! Entry `n` stores `prev_mac` (the MAC of entry `n-1`) and `mac = HMAC(k, canonical(entry))`,
//! where the canonical form covers every field including `seq` and `prev_mac`. Changing,
//! removing or reordering any entry breaks the chain at that position, and without the key no
//! one can forge a replacement. Entry `n` is stored under its position (`audit:<n>`) and is
//! written in the same transaction as the write it records; two writers that chain after the
//! same entry — in one process or across app instances — both create the same record, and only
//! one commits ([`super::head`]), so the chain never forks and a write never lands without its
//! entry. Removing the newest entries, deleting the whole log or restoring an older copy keeps
//! the chain consistent in itself; the checkpoints outside the store are what reveal those (and
//! an instance that wrote the removed entries chains its next one after them, leaving a gap the
//! walk names).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::checkpoint::{self, Checkpoint};
pub use super::entry::{Entry, Who};
use super::head::{head, head_after, GENESIS};
use super::queue::{Cached, Pending};
use crate::crypto::AuditKeyOrigin;
use crate::db::{DbError, Rows};
use crate::state::AppState;
use domain::{AppError, Problem};

const MAX_ATTEMPTS: u32 = 40;
/// Thrown when the position an entry would take holds an entry already (another instance
/// appended since this one last did).
const POSITION_TAKEN: &str = "audit-position-taken";

/// An entry as stored: who and when, what happened ([`Entry`]'s fields), and its links in the
/// chain, in the exact field order the MAC covers. The chain writes and verifies it, the log
/// review and the command line read it. The browser's `domain::AuditRow` is made from it (from
/// `review::ReviewRow`) and repeats its fields on purpose: the browser build cannot depend on
/// the core, it shows names where this holds ids, and the chain's links never leave the core.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Row {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub actor_org: String,
    pub role: String,
    pub action: String,
    pub participants: Vec<String>,
    pub case_id: Option<String>,
    pub categories: Vec<String>,
    pub denied: Vec<String>,
    pub decision: String,
    pub basis: Option<String>,
    pub purpose: Option<String>,
    pub reason: Option<String>,
    pub prev_mac: String,
    #[serde(default)]
    pub mac: String,
}

impl Row {
    /// The bytes the MAC covers: every field but `mac`, in a fixed order, time in milliseconds.
    fn canonical(&self) -> Vec<u8> {
        let v = serde_json::json!([
            self.seq,
            self.at.timestamp_millis(),
            self.actor,
            self.actor_org,
            self.role,
            self.action,
            self.participants,
            self.case_id,
            self.categories,
            self.denied,
            self.decision,
            self.basis,
            self.purpose,
            self.reason,
            self.prev_mac,
        ]);
        serde_json::to_vec(&v).unwrap_or_default()
    }
}

fn truncate_to_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// The most entries one transaction appends for waiting readers.
const MAX_BATCH: usize = 256;

/// The process's append lock, holding the head this process last wrote (`None` until it is
/// known again).
type Serial<'a> = tokio::sync::MutexGuard<'a, Option<Cached>>;

/// Appends an entry on its own (reads, denied attempts) and returns its sequence number once it
/// is stored.
///
/// Group commit: the entry is queued, and whoever next holds the process's append lock writes
/// every queued entry in one transaction; each caller waits for its own. Under load, a hundred
/// readers cost one round trip instead of a hundred in turn; alone, an entry costs one. The
/// writing runs in a task of its own, so a caller that goes away (a closed connection) cannot
/// cut short a transaction that carries other callers' entries.
pub(crate) async fn append(state: &AppState, who: &Who, entry: Entry) -> Result<i64, AppError> {
    begin(state, who, entry).done().await
}

/// Puts `entry` on its way into the chain as [`append`] does and returns at once: the caller
/// prepares its answer while the entry is written, and gives it only after
/// [`Appending::done`]. The entry is written whether or not it is awaited, so nothing that may
/// fail belongs between the two: an entry for an answer never given would name a read that did
/// not happen.
pub(crate) fn begin(state: &AppState, who: &Who, entry: Entry) -> Appending {
    let (done, mine) = tokio::sync::oneshot::channel();
    state.audit_queue().push(Pending {
        who: who.clone(),
        entry,
        done,
    });
    let drainer = state.clone();
    tokio::spawn(async move { drain(&drainer).await });
    Appending(mine)
}

/// An entry [`begin`] put on its way.
#[must_use = "an answer is given only once its entry is in the chain"]
pub(crate) struct Appending(tokio::sync::oneshot::Receiver<Result<i64, AppError>>);

impl Appending {
    /// Waits until the entry is in the chain: its sequence number, or why it is not.
    pub(crate) async fn done(self) -> Result<i64, AppError> {
        self.0.await.unwrap_or(Err(AppError::Internal))
    }
}

/// Writes the queued entries (up to a batch; each queued entry has a drainer of its own on the
/// way, so none is left behind) in one transaction under the append lock, then the checkpoints
/// that are due, and then tells each caller its sequence number or the error.
async fn drain(state: &AppState) {
    let mut serial = state.audit_lock().lock().await;
    let batch = state.audit_queue().take(MAX_BATCH);
    if batch.is_empty() {
        return;
    }
    let entries: Vec<(&Who, &Entry)> = batch.iter().map(|p| (&p.who, &p.entry)).collect();
    let written = write(state, &mut serial, &entries, "", &serde_json::Map::new()).await;
    drop(serial);
    match written {
        Ok((rows, _)) => {
            // Outside the transaction (it has committed) and outside the append lock.
            for row in &rows {
                checkpoint::after_commit(state, row.seq, &row.mac).await;
            }
            for (p, row) in batch.into_iter().zip(&rows) {
                let _ = p.done.send(Ok(row.seq));
            }
        }
        Err(e) => {
            for p in batch {
                let _ = p.done.send(Err(e.clone()));
            }
        }
    }
}

/// Runs `body` (SurrealQL statements; may `THROW` to abort) and appends `entry` in the same
/// transaction. Returns the entry's sequence number and the statement results.
///
/// `body` variables are bound from `vars`; names starting with `__` are reserved.
pub(crate) async fn commit(
    state: &AppState,
    who: &Who,
    entry: Entry,
    body: &str,
    vars: serde_json::Map<String, Json>,
) -> Result<(i64, Rows), AppError> {
    let mut serial = state.audit_lock().lock().await;
    let (rows, results) = write(state, &mut serial, &[(who, &entry)], body, &vars).await?;
    drop(serial);
    let row = rows.last().ok_or(AppError::Internal)?;
    // Outside the transaction (it has committed) and outside the append lock.
    checkpoint::after_commit(state, row.seq, &row.mac).await;
    Ok((row.seq, results))
}

/// Chains `entries` after the head and writes them, after `body`, in one transaction.
///
/// The head is the one this process last wrote or read, held in the append lock (for at most
/// [`super::queue::TRUST`]). Each entry is created under its position (`audit:<seq>`): if another
/// instance has appended since, the first position is taken, the transaction fails on it, and
/// only then is the head read again (forwards from the position lost). So an entry without a
/// body reads nothing before it writes; a write's body first checks that its position is free.
async fn write(
    state: &AppState,
    serial: &mut Serial<'_>,
    entries: &[(&Who, &Entry)],
    body: &str,
    vars: &serde_json::Map<String, Json>,
) -> Result<(Vec<Row>, Rows), AppError> {
    // The position the last failed attempt chained after: the head is then read forwards from
    // it (a few entries another instance wrote meanwhile), not found from the end of the log.
    let mut lost: Option<i64> = None;
    for attempt in 0..MAX_ATTEMPTS {
        let now = state.clock().now();
        let (head_seq, head_mac) = match (serial.take().and_then(|h| h.fresh(now)), lost) {
            (Some(held), _) => held,
            (None, Some(from)) => head_after(state, from).await?,
            (None, None) => head(state).await?,
        };
        lost = Some(head_seq);
        let at = truncate_to_millis(now);
        let mut prev = head_mac;
        let mut rows = Vec::with_capacity(entries.len());
        for (i, (who, entry)) in entries.iter().enumerate() {
            let mut row = Row {
                seq: head_seq + 1 + i as i64,
                at,
                actor: who.user.clone(),
                actor_org: who.org.clone(),
                role: who.role.clone(),
                action: entry.action.clone(),
                participants: entry.participants.clone(),
                case_id: entry.case_id.clone(),
                categories: entry.categories.clone(),
                denied: entry.denied.clone(),
                decision: entry.decision.clone(),
                basis: entry.basis.clone(),
                purpose: entry.purpose.clone(),
                reason: entry.reason.clone(),
                prev_mac: prev,
                mac: String::new(),
            };
            row.mac = state.with_keys(|k| k.audit_mac(&row.canonical()));
            prev = row.mac.clone();
            rows.push(row);
        }
        let Some(last) = rows.last() else {
            return Ok((rows, Rows::default()));
        };
        // One `CREATE` per entry with the entry bound whole (a `FOR` over the entries, reading
        // each field by name, cost a third more per append: benchmark probe). Bound as JSON, the
        // time is a string, so it is given as a datetime beside the entry. A `CREATE` of a
        // position that exists fails the transaction: that is the compare-and-swap (a
        // conditional update of a head record cost 0.25–0.57 ms more per append, a read of the
        // previous entry 0.26 ms: benchmark probe).
        let creates: String = (0..rows.len())
            .map(|i| {
                format!(
                    "CREATE type::record('audit', $__e{i}.seq) CONTENT $__e{i} + {{ at: <datetime>$__at }} RETURN NONE;\n"
                )
            })
            .collect();
        // A write's body runs only while its entry's position is free: under two instances
        // a position is often taken, and a body run in full before the entry's `CREATE` fails
        // on it is work thrown away. An entry without a body has nothing to save, and the check
        // (a read of a key, 0.15 ms) is left out.
        let guard = if body.is_empty() {
            String::new()
        } else {
            format!(
                "IF (SELECT VALUE seq FROM ONLY type::record('audit', $__first)) != NONE {{
                     THROW '{POSITION_TAKEN}'
                 }};"
            )
        };
        // One entry alone is one statement, a transaction of its own; the `BEGIN` and `COMMIT`
        // around it cost 0.05 ms of a 0.47 ms append (benchmark probe).
        let sql = if body.is_empty() && rows.len() == 1 {
            creates
        } else {
            format!(
                "BEGIN TRANSACTION;
                 {guard}
                 {body}
                 {creates}
                 COMMIT TRANSACTION;"
            )
        };
        let mut q = state
            .db()
            .q(sql)
            .bind("__at", at)
            .bind("__first", head_seq + 1);
        for (i, row) in rows.iter().enumerate() {
            q = q.bind(&format!("__e{i}"), row);
        }
        for (k, v) in vars {
            q = q.bind(k, v);
        }
        match q.run().await {
            Ok(results) => {
                **serial = Some(Cached {
                    seq: last.seq,
                    mac: last.mac.clone(),
                    at: now,
                });
                return Ok((rows, results));
            }
            Err(e) if is_retryable(&e) && attempt + 1 < MAX_ATTEMPTS => {
                // Another instance appended first (or the store saw a write conflict): re-read
                // the head and try again.
                tokio::time::sleep(std::time::Duration::from_millis(2 + u64::from(attempt) * 3))
                    .await;
            }
            Err(e) => return Err(map_body_error(e)),
        }
    }
    Err(AppError::Internal)
}

fn is_retryable(e: &DbError) -> bool {
    let s = e.to_string();
    if s.contains(POSITION_TAKEN) {
        return true;
    }
    // A position another instance took first fails as a record that already exists, which
    // `is_conflict` counts. The body's own THROW (`conflict:` for a stale version, `invalid:`…) is an answer, not a race.
    if s.contains("An error occurred:") {
        return false;
    }
    e.is_conflict() && !s.contains("already contains")
}

/// Errors `THROW`n by a body as `invalid:<field>:<code>:<message>`,
/// `conflict:<code>:<message>`, `notfound` or `forbidden` become the matching `AppError`, the
/// code naming its [`Problem`]; anything else is internal.
fn map_body_error(e: DbError) -> AppError {
    let s = e.to_string();
    if let Some(rest) = s.split("invalid:").nth(1) {
        let (field, rest) = rest.split_once(':').unwrap_or(("", rest));
        let (problem, message) = coded(rest);
        return AppError::problem(field, problem, message);
    }
    if let Some(rest) = s.split("conflict:").nth(1) {
        let (problem, message) = coded(rest);
        return AppError::conflict(problem, message);
    }
    if s.contains("notfound") {
        return AppError::NotFound;
    }
    if s.contains("forbidden") {
        return AppError::Forbidden;
    }
    AppError::from(e)
}

/// The problem and the message of a thrown `<code>:<message>`. Every `THROW` in the core names
/// a code (a test reads them all); one that does not is a value no page knows, said as such.
fn coded(thrown: &str) -> (Problem, String) {
    let thrown = thrown.trim_end_matches(['\'', '"', '`']).trim();
    match thrown.split_once(':') {
        Some((code, message)) => match Problem::from_code(code) {
            Some(p) => (p, message.trim().to_string()),
            None => (Problem::Unknown, thrown.to_string()),
        },
        None => (
            Problem::from_code(thrown).unwrap_or(Problem::Unknown),
            String::new(),
        ),
    }
}

/// The bytes a cut's MAC covers.
pub(crate) fn cut_canonical(seq: i64, prev_mac: &str, at: DateTime<Utc>) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!([
        "audit_cut",
        seq,
        prev_mac,
        at.timestamp_millis()
    ]))
    .unwrap_or_default()
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    pub entries: i64,
    pub head_seq: i64,
    /// The first position where the chain does not hold, and why.
    pub broken_at: Option<i64>,
    pub problem: Option<String>,
    pub checked_at: DateTime<Utc>,
    /// What the store was held to outside the database (the checkpoint, or why there was none).
    #[serde(default)]
    pub anchor: Option<String>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.broken_at.is_none()
    }
}

/// What an entry's MAC says when it does not verify under the audit key.
fn bad_mac(state: &AppState, data: &[u8], mac: &str, what: &str) -> String {
    if state.with_keys(|k| k.audit_verify_legacy(data, mac)) {
        format!(
            "{what} carries a MAC under the old audit key derived from the KEK: this log was \
             written before the audit chain had a key of its own, so whoever holds the KEK \
             could have rewritten it (start a new store; demo data is recreated on an empty one)"
        )
    } else {
        format!("{what} has been changed")
    }
}

/// Walks the whole chain in order, page by page, holds it to the signed checkpoints outside the
/// database, and reports the first position where either fails.
pub async fn verify(state: &AppState) -> Result<Verification, AppError> {
    let anchor = checkpoint::read_anchor(state).await?;
    // Every valid checkpoint names the MAC its entry must still have; two for the same position
    // with different MACs mean the log was forked (an older copy restored and written on).
    let mut pinned: std::collections::HashMap<i64, Vec<&Checkpoint>> =
        std::collections::HashMap::new();
    for c in &anchor.valid {
        pinned.entry(c.seq).or_default().push(c);
    }
    let (head_seq, _) = head(state).await?;
    let mut expected_prev = GENESIS.to_string();
    let mut expected_seq: i64 = 1;
    let mut count = 0i64;
    let mut broken: Option<(i64, String)> = None;
    #[derive(Deserialize)]
    struct Cut {
        seq: i64,
        prev_mac: String,
        at: DateTime<Utc>,
        mac: Option<String>,
    }
    let cut: Option<Cut> = state
        .db()
        .q("SELECT seq, prev_mac, at, mac FROM audit_cut:main")
        .run()
        .await?
        .first(0)?;
    let mut after = 0i64;
    if let Some(cut) = &cut {
        // A recorded retention cut: the chain legitimately starts after it, if the cut itself
        // carries a valid MAC (without the key no one can move it to hide removed entries).
        after = cut.seq;
        expected_seq = cut.seq + 1;
        expected_prev = cut.prev_mac.clone();
        let canonical = cut_canonical(cut.seq, &cut.prev_mac, cut.at);
        match cut.mac.as_deref() {
            Some(m) if state.with_keys(|k| k.audit_verify(&canonical, m)) => {}
            Some(m) if state.with_keys(|k| k.audit_verify_legacy(&canonical, m)) => {
                broken = Some((
                    cut.seq + 1,
                    bad_mac(state, &canonical, m, "the retention cut"),
                ));
            }
            _ => {
                broken = Some((
                    cut.seq + 1,
                    "the recorded retention cut has been changed".to_string(),
                ))
            }
        }
    }
    'pages: while broken.is_none() {
        let page: Vec<Row> = state
            .db()
            .q("SELECT * OMIT id FROM audit WHERE seq > $after ORDER BY seq LIMIT 2000")
            .bind("after", after)
            .run()
            .await?
            .all(0)?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            count += 1;
            after = e.seq;
            let problem = if e.seq != expected_seq {
                Some(format!(
                    "entry {expected_seq} is missing (next is {})",
                    e.seq
                ))
            } else if e.prev_mac != expected_prev {
                Some("link to the previous entry does not match".to_string())
            } else if !state.with_keys(|k| k.audit_verify(&e.canonical(), &e.mac)) {
                Some(bad_mac(state, &e.canonical(), &e.mac, "entry"))
            } else {
                pinned
                    .get(&e.seq)
                    .and_then(|cps| cps.iter().find(|cp| cp.mac != e.mac))
                    .map(|cp| {
                        format!(
                            "entry {} is not the one the checkpoint signed {} names: the store \
                             holds another version of the log from here on (an older copy \
                             restored and written on)",
                            e.seq,
                            cp.at.format("%Y-%m-%d %H:%M:%S UTC")
                        )
                    })
            };
            if let Some(p) = problem {
                broken = Some((expected_seq.min(e.seq), p));
                break 'pages;
            }
            expected_prev = e.mac.clone();
            expected_seq += 1;
        }
    }
    // The store must reach at least as far as the newest checkpoint signed outside it.
    let ends_at = expected_seq - 1;
    let cut_seq = cut.as_ref().map_or(0, |c| c.seq);
    if let (None, Some(cp)) = (&broken, anchor.latest()) {
        let signed = cp.at.format("%Y-%m-%d %H:%M:%S UTC");
        if cp.seq > ends_at {
            broken = Some((
                ends_at + 1,
                format!(
                    "checkpoint at seq {} signed {signed}, store ends at {ends_at}: the newest \
                     entries were removed, the log was deleted, or an older copy \
                     of the store was restored",
                    cp.seq
                ),
            ));
        } else if cp.cut > cut_seq {
            broken = Some((
                cut_seq + 1,
                format!(
                    "checkpoint at seq {} signed {signed} records a retention cut at {}, the \
                     store's is at {cut_seq}: an older copy of the store was restored",
                    cp.seq, cp.cut
                ),
            ));
        }
    }
    // A line that claims to be a checkpoint without the audit chain's signature is tampering
    // with the anchor itself.
    if let Some((line, what, claimed)) = anchor.bad.first() {
        let file = anchor
            .file
            .as_ref()
            .map(|f| f.display().to_string())
            .unwrap_or_default();
        let at = claimed.unwrap_or(0).max(1);
        let p = format!(
            "line {line} of the checkpoint file {file}{} {what}{}",
            claimed.map(|s| format!(" (seq {s})")).unwrap_or_default(),
            if anchor.bad.len() > 1 {
                format!("; {} more such lines", anchor.bad.len() - 1)
            } else {
                String::new()
            }
        );
        if broken.as_ref().is_none_or(|(b, _)| at < *b) {
            broken = Some((at, p));
        }
    }
    let anchor_note = match (&anchor.file, anchor.latest()) {
        (None, _) => {
            "no checkpoint file configured: removal of the newest entries cannot be detected"
                .to_string()
        }
        (Some(f), None) => format!("no signed checkpoint yet in {}", f.display()),
        (Some(f), Some(cp)) => format!(
            "held to the checkpoint at seq {} signed {} ({})",
            cp.seq,
            cp.at.format("%Y-%m-%d %H:%M:%S UTC"),
            f.display()
        ),
    };
    let anchor_note = if state.with_keys(|k| k.audit_origin()) == AuditKeyOrigin::DerivedFromKek {
        format!("{anchor_note}; the audit keys are derived from the KEK (UTVAG_KEK without UTVAG_AUDIT_KEY, demo only)")
    } else {
        anchor_note
    };
    let v = Verification {
        entries: count,
        head_seq,
        broken_at: broken.as_ref().map(|b| b.0),
        problem: broken.map(|b| b.1),
        checked_at: truncate_to_millis(state.clock().now()),
        anchor: Some(anchor_note),
    };
    Ok(v)
}

/// The bytes a stored verification record's MAC covers.
pub(crate) fn verification_canonical(v: &Verification) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!([
        "audit_verification",
        v.checked_at.timestamp_millis(),
        v.entries,
        v.head_seq,
        v.broken_at,
        v.problem,
        v.anchor
    ]))
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CoreSettings;

    const ENTRIES: i64 = 10;

    /// A fresh store with a chain of `ENTRIES` entries.
    async fn chain() -> AppState {
        let state = AppState::init(CoreSettings::for_tests()).await.unwrap();
        for i in 1..=ENTRIES {
            let mut e = Entry::new("case.read");
            e.participants = vec![format!("p{i}")];
            e.reason = Some(format!("entry {i}"));
            append(&state, &Who::system(), e).await.unwrap();
        }
        let v = verify(&state).await.unwrap();
        assert!(v.ok(), "{v:?}");
        assert_eq!((v.entries, v.head_seq), (ENTRIES, ENTRIES));
        state
    }

    /// Runs raw SurrealQL against the store, as someone with database access but no key would.
    async fn tamper(state: &AppState, sql: &str) {
        state.db().q(sql).run().await.unwrap();
    }

    #[tokio::test]
    async fn an_edited_or_deleted_entry_is_found_at_its_position() {
        let cases: &[(&str, i64, &str)] = &[
            (
                "UPDATE audit:4 SET reason = 'nothing happened'",
                4,
                "changed",
            ),
            ("UPDATE audit:1 SET actor = 'someone_else'", 1, "changed"),
            ("UPDATE audit:7 SET participants = []", 7, "changed"),
            ("UPDATE audit:5 SET at = at + 1ms", 5, "changed"),
            ("UPDATE audit:3 SET decision = 'deny'", 3, "changed"),
            (
                "UPDATE audit:6 SET mac = (SELECT VALUE mac FROM ONLY audit:2)",
                6,
                "",
            ),
            (
                "UPDATE audit:8 SET prev_mac = (SELECT VALUE mac FROM ONLY audit:6)",
                8,
                "link",
            ),
            ("DELETE audit:6", 6, "missing"),
            ("DELETE audit:1", 1, "missing"),
            ("DELETE audit:3; DELETE audit:4", 3, "missing"),
            (
                "UPDATE audit:9 SET reason = 'x'; DELETE audit:5",
                5,
                "missing",
            ),
        ];
        for (sql, at, problem) in cases {
            let state = chain().await;
            tamper(&state, sql).await;
            let v = verify(&state).await.unwrap();
            assert_eq!(v.broken_at, Some(*at), "{sql}: {v:?}");
            assert!(
                v.problem.as_deref().unwrap_or_default().contains(problem),
                "{sql}: {v:?}"
            );
        }
    }

    /// The newest entry removed is consistent in itself (the checkpoints outside the store find
    /// it: `anchor_tests`), but the instance that wrote it chains its next entry after it, and
    /// the walk names the gap.
    /// An entry put on its way is written whether or not its caller waits for it (a caller
    /// that goes away after `begin` does not take the entry with it), and in its place in the
    /// chain.
    #[tokio::test]
    async fn an_entry_begun_is_written_whether_or_not_it_is_awaited() {
        let state = chain().await;
        let mut e = Entry::new("timeline.read");
        e.participants = vec!["gone".into()];
        drop(begin(&state, &Who::system(), e));
        let awaited = begin(&state, &Who::system(), Entry::new("case.read"))
            .done()
            .await
            .unwrap();
        // Entries are written in the order they were begun: the one let go first.
        assert_eq!(awaited, ENTRIES + 2);
        let gone: Vec<i64> = state
            .db()
            .q("SELECT VALUE seq FROM audit WHERE participants CONTAINS 'gone'")
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap();
        assert_eq!(gone, vec![ENTRIES + 1]);
        let v = verify(&state).await.unwrap();
        assert!(v.ok(), "{v:?}");
        assert_eq!(v.head_seq, ENTRIES + 2);
    }

    #[tokio::test]
    async fn the_newest_entry_removed_under_a_running_instance_leaves_a_gap() {
        let state = chain().await;
        tamper(&state, "DELETE audit:10").await;
        assert!(verify(&state).await.unwrap().ok());
        append(&state, &Who::system(), Entry::new("case.read"))
            .await
            .unwrap();
        let v = verify(&state).await.unwrap();
        assert_eq!(v.broken_at, Some(10), "{v:?}");
        assert!(
            v.problem
                .as_deref()
                .unwrap()
                .contains("entry 10 is missing (next is 11)"),
            "{v:?}"
        );
    }

    #[tokio::test]
    async fn entries_swapped_between_positions_break_the_chain() {
        let state = chain().await;
        tamper(
            &state,
            "LET $a = (SELECT * OMIT id, seq FROM ONLY audit:3);
             LET $b = (SELECT * OMIT id, seq FROM ONLY audit:4);
             UPDATE audit:3 MERGE $b;
             UPDATE audit:4 MERGE $a;",
        )
        .await;
        let v = verify(&state).await.unwrap();
        assert_eq!(v.broken_at, Some(3), "{v:?}");
    }

    #[tokio::test]
    async fn a_forged_entry_in_place_of_a_real_one_does_not_verify() {
        // Someone without the key writes a plausible replacement for entry 5, linked correctly.
        let state = chain().await;
        let real: Row = state
            .db()
            .q("SELECT * OMIT id FROM ONLY audit:5")
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap()
            .unwrap();
        let mut forged = real.clone();
        forged.reason = Some("routine check".into());
        forged.mac = hex::encode(ring::hmac::sign(
            &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"guessed key"),
            &forged.canonical(),
        ));
        state
            .db()
            .q("UPDATE audit:5 SET reason = $r, mac = $m")
            .bind("r", &forged.reason)
            .bind("m", &forged.mac)
            .run()
            .await
            .unwrap();
        state
            .db()
            .q("UPDATE audit:6 SET prev_mac = $m")
            .bind("m", &forged.mac)
            .run()
            .await
            .unwrap();
        let v = verify(&state).await.unwrap();
        assert_eq!(v.broken_at, Some(5), "{v:?}");
    }
}

#[cfg(test)]
mod anchor_tests {
    //! The store held to the signed checkpoints outside it.
    use super::*;
    use crate::config::{AuditKeySeed, CoreSettings, KeySource};
    use base64::Engine;
    use std::path::PathBuf;

    /// A checkpoint file of its own for one test, removed afterwards.
    struct TempFile(PathBuf);

    impl TempFile {
        fn new(name: &str) -> TempFile {
            TempFile(std::env::temp_dir().join(format!(
                "utvag-audit-{}-{name}-{}.jsonl",
                std::process::id(),
                crate::db::new_id()
            )))
        }

        fn lines(&self) -> Vec<String> {
            std::fs::read_to_string(&self.0)
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect()
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn settings(file: Option<&TempFile>) -> CoreSettings {
        let mut s = CoreSettings::for_tests();
        s.audit.checkpoint_file = file.map(|f| f.0.clone());
        s.audit.checkpoint_every = 10;
        s
    }

    async fn append_n(state: &AppState, n: i64) {
        for i in 0..n {
            let mut e = Entry::new("case.read");
            e.reason = Some(format!("entry {i}"));
            append(state, &Who::system(), e).await.unwrap();
        }
    }

    /// 25 entries with checkpoints every 10 (and the first), so the newest is at 20.
    async fn anchored(file: &TempFile) -> AppState {
        let state = AppState::init(settings(Some(file))).await.unwrap();
        append_n(&state, 25).await;
        let seqs: Vec<i64> = file
            .lines()
            .iter()
            .map(|l| serde_json::from_str::<Checkpoint>(l).unwrap().seq)
            .collect();
        assert_eq!(seqs, vec![1, 10, 20]);
        let v = verify(&state).await.unwrap();
        assert!(v.ok(), "{v:?}");
        assert!(
            v.anchor
                .as_deref()
                .unwrap()
                .contains("checkpoint at seq 20"),
            "{v:?}"
        );
        state
    }

    async fn run(state: &AppState, sql: &str) {
        state.db().q(sql).run().await.unwrap();
    }

    const TRUNCATE_TO_15: &str = "DELETE audit WHERE seq > 15;";

    #[tokio::test]
    async fn removing_the_newest_entries_with_the_head_is_found_against_the_checkpoint() {
        let file = TempFile::new("truncate");
        let state = anchored(&file).await;
        run(&state, TRUNCATE_TO_15).await;
        let v = verify(&state).await.unwrap();
        assert_eq!(v.broken_at, Some(16), "{v:?}");
        let p = v.problem.unwrap();
        assert!(
            p.contains("checkpoint at seq 20 signed") && p.contains("store ends at 15"),
            "{p}"
        );

        // Without the file, the same cut is consistent in itself: the checkpoint is what finds it.
        let unanchored = AppState::init(settings(None)).await.unwrap();
        append_n(&unanchored, 25).await;
        run(&unanchored, TRUNCATE_TO_15).await;
        assert!(verify(&unanchored).await.unwrap().ok());
    }

    #[tokio::test]
    async fn deleting_the_whole_log_is_found_against_the_checkpoint() {
        let file = TempFile::new("delete");
        let state = anchored(&file).await;
        run(&state, "DELETE audit;").await;
        let v = verify(&state).await.unwrap();
        assert_eq!(
            (v.broken_at, v.entries, v.head_seq),
            (Some(1), 0, 0),
            "{v:?}"
        );
        assert!(
            v.problem.as_deref().unwrap().contains("store ends at 0"),
            "{v:?}"
        );
    }

    /// Puts back a copy of the log taken earlier.
    async fn restore(state: &AppState, rows: &[Row]) {
        state
            .db()
            .q("DELETE audit;
                FOR $r IN $rows {
                    CREATE type::record('audit', $r.seq) CONTENT {
                        seq: $r.seq, at: <datetime>$r.at, actor: $r.actor, actor_org: $r.actor_org,
                        role: $r.role, action: $r.action, participants: $r.participants,
                        case_id: $r.case_id, categories: $r.categories, denied: $r.denied,
                        decision: $r.decision, basis: $r.basis, purpose: $r.purpose,
                        reason: $r.reason, prev_mac: $r.prev_mac, mac: $r.mac } RETURN NONE;
                };")
            .bind("rows", rows)
            .run()
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn restoring_an_older_copy_of_the_store_is_found_against_the_checkpoint() {
        let file = TempFile::new("restore");
        let state = AppState::init(settings(Some(&file))).await.unwrap();
        append_n(&state, 12).await;
        // The copy someone keeps: every entry and the head, at entry 12.
        let copy: Vec<Row> = state
            .db()
            .q("SELECT * OMIT id FROM audit ORDER BY seq")
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap();
        let copy_head = head(&state).await.unwrap();
        assert_eq!(copy_head.0, 12);
        // The log goes on and is anchored at 20.
        append_n(&state, 13).await;
        assert!(verify(&state).await.unwrap().ok());

        restore(&state, &copy).await;
        let v = verify(&state).await.unwrap();
        assert_eq!(v.broken_at, Some(13), "{v:?}");
        let p = v.problem.unwrap();
        assert!(
            p.contains("checkpoint at seq 20 signed") && p.contains("store ends at 12"),
            "{p}"
        );

        // Restored and written on past the checkpoint by an instance started on the copy: a
        // chain consistent in itself, but entry 20 is not the one that was signed.
        let started = state.second_instance().unwrap();
        append_n(&started, 10).await;
        let v = verify(&state).await.unwrap();
        assert_eq!(v.broken_at, Some(20), "{v:?}");
        assert!(
            v.problem
                .as_deref()
                .unwrap()
                .contains("entry 20 is not the one the checkpoint"),
            "{v:?}"
        );
    }

    #[tokio::test]
    async fn a_checkpoint_line_without_a_valid_signature_is_reported() {
        let file = TempFile::new("forged");
        let state = anchored(&file).await;
        // Someone rewrites the last checkpoint to claim the chain ended at 15.
        let lines = file.lines();
        let mut forged = lines.clone();
        let mut cp: serde_json::Value = serde_json::from_str(&lines[2]).unwrap();
        cp["seq"] = 15.into();
        forged[2] = cp.to_string();
        std::fs::write(&file.0, forged.join("\n") + "\n").unwrap();
        let v = verify(&state).await.unwrap();
        assert_eq!(v.broken_at, Some(15), "{v:?}");
        assert!(
            v.problem
                .as_deref()
                .unwrap()
                .contains("line 3 of the checkpoint file")
                && v.problem
                    .as_deref()
                    .unwrap()
                    .contains("does not carry a valid signature"),
            "{v:?}"
        );

        // A line signed with another key (another install's, or one made up) is reported too.
        let other = AppState::init(settings(None)).await.unwrap();
        let at = Utc::now();
        let sig = other.with_keys(|k| {
            hex::encode(
                k.checkpoint_sign(
                    &serde_json::to_vec(&serde_json::json!([
                        "utvag audit checkpoint v1",
                        30,
                        "00",
                        at.timestamp_millis(),
                        0
                    ]))
                    .unwrap(),
                ),
            )
        });
        let key = other.with_keys(|k| hex::encode(k.checkpoint_public_key()));
        let line = serde_json::json!({ "seq": 30, "mac": "00", "at": at, "cut": 0, "key": key, "sig": sig });
        std::fs::write(&file.0, lines.join("\n") + "\n" + &line.to_string() + "\n").unwrap();
        let v = verify(&state).await.unwrap();
        assert_eq!(v.broken_at, Some(30), "{v:?}");
        assert!(
            v.problem
                .as_deref()
                .unwrap()
                .contains("line 4 of the checkpoint file")
                && v.problem
                    .as_deref()
                    .unwrap()
                    .contains("signed with another key"),
            "{v:?}"
        );
    }

    #[tokio::test]
    async fn checkpoints_are_written_after_commit_and_signed_with_the_audit_chain_key() {
        // Writing happens after commit: an entry whose transaction fails leaves no checkpoint.
        let file = TempFile::new("after-commit");
        let state = AppState::init(settings(Some(&file))).await.unwrap();
        append_n(&state, 9).await;
        let before = file.lines().len();
        let failed = commit(
            &state,
            &Who::system(),
            Entry::new("case.read"),
            "THROW 'invalid:x:unknown:nej';",
            serde_json::Map::new(),
        )
        .await;
        assert!(failed.is_err());
        assert_eq!(
            file.lines().len(),
            before,
            "no checkpoint for a rolled-back entry"
        );
        append_n(&state, 1).await;
        let last: Checkpoint = serde_json::from_str(file.lines().last().unwrap()).unwrap();
        assert_eq!(last.seq, 10);
        assert_eq!(last.mac, head(&state).await.unwrap().1);
        assert_eq!(
            last.key,
            state.with_keys(|k| hex::encode(k.checkpoint_public_key()))
        );
    }

    #[tokio::test]
    async fn concurrent_writers_on_two_instances_append_whole_checkpoint_lines() {
        let file = TempFile::new("concurrent");
        let mut s = settings(Some(&file));
        s.audit.checkpoint_every = 1;
        let a = AppState::init(s).await.unwrap();
        let b = a.second_instance().unwrap();
        let write = |state: AppState| async move {
            for _ in 0..20 {
                append(&state, &Who::system(), Entry::new("case.read"))
                    .await
                    .unwrap();
            }
        };
        let (x, y, z) = tokio::join!(
            tokio::spawn(write(a.clone())),
            tokio::spawn(write(b.clone())),
            tokio::spawn(write(a.clone()))
        );
        // A writer that panicked must fail the test, not vanish with its task.
        for done in [x, y, z] {
            done.unwrap();
        }
        let anchor = checkpoint::read_anchor(&a).await.unwrap();
        assert!(anchor.bad.is_empty(), "{:?}", anchor.bad);
        let mut seqs: Vec<i64> = anchor.valid.iter().map(|c| c.seq).collect();
        seqs.sort();
        assert_eq!(seqs, (1..=60).collect::<Vec<_>>());
        let v = verify(&b).await.unwrap();
        assert!(v.ok(), "{v:?}");
    }

    /// Readers that append at the same time share transactions: every one gets its own place in
    /// an unbroken chain, and there are fewer transactions than entries. The 64 readers append
    /// from tasks of their own while a transaction holds the append lock, as under load: left
    /// to the scheduler, a busy machine could run each to its end before the next began, and
    /// the test would say nothing about sharing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_appends_share_transactions_and_keep_one_unbroken_chain() {
        let state = AppState::init(CoreSettings::for_tests()).await.unwrap();
        let held = state.audit_lock().lock().await;
        let tasks: Vec<_> = (0..64)
            .map(|i| {
                let state = state.clone();
                tokio::spawn(async move {
                    let mut e = Entry::new("case.read");
                    e.reason = Some(format!("reader {i}"));
                    begin(&state, &Who::system(), e)
                })
            })
            .collect();
        let mut appending = Vec::new();
        for t in tasks {
            appending.push(t.await.unwrap());
        }
        drop(held);
        let mut seqs = Vec::new();
        for a in appending {
            seqs.push(a.done().await.unwrap());
        }
        seqs.sort();
        assert_eq!(seqs, (1..=64).collect::<Vec<_>>());
        let batches = state.audit_queue().batches();
        assert!(batches < 64, "{batches} transactions for 64 entries");
        let v = verify(&state).await.unwrap();
        assert!(v.ok() && v.entries == 64, "{v:?}");
    }

    /// Each process appends after the head it last wrote, without reading it first; when another
    /// instance has taken that position since, the append fails on it and is chained again after
    /// the head read anew.
    #[tokio::test]
    async fn a_cached_head_that_moved_is_read_again_and_the_chain_stays_whole() {
        let a = AppState::init(CoreSettings::for_tests()).await.unwrap();
        let b = a.second_instance().unwrap();
        let sys = Who::system();
        assert_eq!(append(&a, &sys, Entry::new("test.a")).await.unwrap(), 1);
        assert_eq!(a.audit_lock().lock().await.as_ref().map(|h| h.seq), Some(1));
        for want in 2..=4 {
            assert_eq!(append(&b, &sys, Entry::new("test.b")).await.unwrap(), want);
        }
        // `a` still holds head 1: its next entry must follow entry 4, not 1.
        assert_eq!(append(&a, &sys, Entry::new("test.a")).await.unwrap(), 5);
        let v = verify(&a).await.unwrap();
        assert!(v.ok() && v.entries == 5 && v.head_seq == 5, "{v:?}");
    }

    #[tokio::test]
    async fn an_entry_made_with_the_old_kek_derived_key_is_named_as_such() {
        // Keys from the environment with the audit chain's own seed, so the KEK is known here.
        let kek = [7u8; 32];
        let mut s = settings(None);
        s.keys = KeySource::Env(base64::engine::general_purpose::STANDARD.encode(kek));
        s.audit.key = Some(AuditKeySeed(
            base64::engine::general_purpose::STANDARD.encode([9u8; 32]),
        ));
        let state = AppState::init(s).await.unwrap();
        append_n(&state, 6).await;
        // Whoever holds the KEK can compute what earlier versions used as the audit key ...
        let derived: ring::hmac::Key =
            ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, b"utvag kek-derived keys v1")
                .extract(&kek)
                .expand(&[b"utvag audit-chain v1"], ring::hmac::HMAC_SHA256)
                .unwrap()
                .into();
        // ... and forge entry 6 with it: it does not verify, and the reviewer is told why.
        let mut forged: Row = state
            .db()
            .q("SELECT * OMIT id FROM ONLY audit:6")
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap()
            .unwrap();
        forged.reason = Some("nothing happened".into());
        forged.mac = hex::encode(ring::hmac::sign(&derived, &forged.canonical()));
        state
            .db()
            .q("UPDATE audit:6 SET reason = $r, mac = $m;")
            .bind("r", &forged.reason)
            .bind("m", &forged.mac)
            .run()
            .await
            .unwrap();
        let v = verify(&state).await.unwrap();
        assert_eq!(v.broken_at, Some(6), "{v:?}");
        assert!(
            v.problem
                .as_deref()
                .unwrap()
                .contains("old audit key derived from the KEK"),
            "{v:?}"
        );
    }

    /// A position a retention cut removed is free again, so a head held from before the cut
    /// could put an entry below it, where the walk from the cut never looks. A head held longer
    /// than `queue::TRUST` is read again before it is chained after.
    #[tokio::test]
    async fn a_head_held_from_before_a_retention_cut_is_read_again() {
        let a = AppState::init(CoreSettings::for_tests()).await.unwrap();
        let b = a.second_instance().unwrap();
        let sys = Who::system();
        append_n(&a, 3).await;
        append_n(&b, 2).await;
        // Eleven years on, `b` cuts every entry older than ten: 1–5 go, the cut's own entry is 6.
        a.clock().advance(chrono::Duration::days(11 * 366));
        let cutoff = a.clock().now() - chrono::Duration::days(10 * 365);
        assert_eq!(
            crate::retention::cut_audit(&b, cutoff, &sys).await.unwrap(),
            5
        );
        // `a` held head 3 from before the cut; position 4 is free again, but it chains after 6.
        assert_eq!(append(&a, &sys, Entry::new("test.a")).await.unwrap(), 7);
        let v = verify(&a).await.unwrap();
        assert!(v.ok() && v.entries == 2 && v.head_seq == 7, "{v:?}");
    }

    /// An entry changed in the store is not taken into the chain: the next entry follows the
    /// MAC this process wrote, so the walk names the changed entry and nothing after it.
    #[tokio::test]
    async fn the_next_entry_follows_the_mac_written_not_one_changed_since() {
        let state = AppState::init(CoreSettings::for_tests()).await.unwrap();
        append_n(&state, 5).await;
        let written = state.audit_lock().lock().await.clone().unwrap();
        run(&state, "UPDATE audit:5 SET mac = 'x'").await;
        let sys = Who::system();
        assert_eq!(append(&state, &sys, Entry::new("test")).await.unwrap(), 6);
        let prev: String = state
            .db()
            .q("SELECT VALUE prev_mac FROM ONLY audit:6")
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap()
            .unwrap();
        assert_eq!(prev, written.mac);
        let v = verify(&state).await.unwrap();
        assert_eq!(v.broken_at, Some(5), "{v:?}");
    }
}

#[cfg(test)]
mod thrown_tests {
    //! A body's refusal reaches the caller with its field, its code and its message.
    use super::*;
    use crate::config::CoreSettings;

    async fn thrown(sql: &str) -> AppError {
        let state = AppState::init(CoreSettings::for_tests()).await.unwrap();
        commit(
            &state,
            &Who::system(),
            Entry::new("case.read"),
            sql,
            serde_json::Map::new(),
        )
        .await
        .err()
        .expect("the body throws")
    }

    #[tokio::test]
    async fn a_thrown_refusal_keeps_its_field_code_and_message() {
        assert_eq!(
            thrown("THROW 'invalid:personnummer:person_exists:Det finns redan: sök.';").await,
            AppError::problem(
                "personnummer",
                Problem::PersonExists,
                "Det finns redan: sök."
            )
        );
        assert_eq!(
            thrown("THROW 'conflict:stale:Ändrat under tiden.';").await,
            AppError::conflict(Problem::Stale, "Ändrat under tiden.")
        );
        assert_eq!(
            thrown("THROW 'conflict:stale:';").await,
            AppError::conflict(Problem::Stale, "")
        );
    }

    /// Every refusal a body of the core throws names a code the pages know, so no page shows a
    /// message in a language it is not in.
    #[test]
    fn every_thrown_refusal_in_the_core_names_a_known_code() {
        fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    files(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let mut all = Vec::new();
        files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut all,
        );
        let mut seen = 0;
        for path in all {
            let text = std::fs::read_to_string(&path).unwrap();
            for thrown in text.split("THROW '").skip(1) {
                let thrown = thrown.split('\'').next().unwrap_or_default();
                let coded = if let Some(rest) = thrown.strip_prefix("invalid:") {
                    rest.split(':').nth(1)
                } else if let Some(rest) = thrown.strip_prefix("conflict:") {
                    rest.split(':').next()
                } else {
                    continue;
                };
                seen += 1;
                let code = coded.unwrap_or_default();
                assert!(
                    Problem::from_code(code).is_some(),
                    "{}: `THROW '{thrown}'` names no known code ({code:?})",
                    path.display()
                );
            }
        }
        assert!(
            seen > 30,
            "only {seen} refusals found: is the reading right?"
        );
    }
}
