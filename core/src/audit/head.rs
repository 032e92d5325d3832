//! The head of the chain: the newest entry's position and MAC, read from the log itself.
//!
//! No record names the head. An entry is stored under its position (`audit:<seq>`), so two
//! writers that chain after the same entry both try to create the same record and only one
//! transaction commits: the record's key is the compare-and-swap, and an append reads nothing
//! before it writes. Each process keeps the head it last wrote or read
//! ([`super::queue::Cached`]) and reads it again after a failed append, or once the one it
//! holds is older than [`super::queue::TRUST`].

use serde::Deserialize;

use crate::db::DbError;
use crate::state::AppState;

/// The `prev_mac` of the first entry, and the head's MAC while the log is empty.
pub(crate) const GENESIS: &str = "genesis";

/// An entry's position and MAC, as both reads of the head take them.
#[derive(Deserialize)]
struct Head {
    seq: i64,
    mac: String,
}

/// The newest entry's position and MAC, for a process that holds none: the entry with the
/// highest key; after a retention cut that left no entry (only possible if entries were
/// removed), the entry the cut ended at; on an empty log `(0, GENESIS)`.
pub(crate) async fn head(state: &AppState) -> Result<(i64, String), DbError> {
    // By key, backwards, one record: the table's own order (the index on `seq` walked
    // backwards read every entry, 5.3 against 0.65 ms on 1 700 entries: benchmark probe).
    let h: Option<Head> = state
        .db()
        .q(
            "RETURN (SELECT seq, mac FROM audit ORDER BY id DESC LIMIT 1)[0]
               ?? (SELECT seq, prev_mac AS mac FROM ONLY audit_cut:main);",
        )
        .run()
        .await?
        .first(0)?;
    Ok(h.map(|h| (h.seq, h.mac))
        .unwrap_or((0, GENESIS.to_string())))
}

/// The newest entry, read forwards from position `from` (a head this process held): after a
/// failed append, the entries another instance wrote since, along the `seq` index. On
/// SurrealDB's server over surrealkv the table read backwards by key took 3–17 ms, the index
/// read forwards 0.4 ms (debug builds, 500 and 20 000 entries); an append that lost its position
/// to another instance pays this read, so it must not grow with the log. If `from` and every
/// entry after it are gone (removed under this process), the head is read as [`head`] does.
pub(crate) async fn head_after(state: &AppState, from: i64) -> Result<(i64, String), DbError> {
    const PAGE: usize = 200;
    let mut from = from;
    loop {
        let page: Vec<Head> = state
            .db()
            .q("SELECT seq, mac FROM audit WHERE seq >= $from ORDER BY seq LIMIT $n")
            .bind("from", from)
            .bind("n", PAGE)
            .run()
            .await?
            .all(0)?;
        let full = page.len() == PAGE;
        match page.into_iter().last() {
            None => return head(state).await,
            Some(h) if full && h.seq > from => from = h.seq,
            Some(h) => return Ok((h.seq, h.mac)),
        }
    }
}
