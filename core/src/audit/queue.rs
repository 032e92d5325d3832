//! Entries waiting to be appended by group commit ([`super::chain::append`]) and the head the
//! append lock holds, kept apart from the chain so that the application state can hold both
//! without depending on the chain.

use chrono::{DateTime, Duration, Utc};
use domain::AppError;

use super::entry::{Entry, Who};

/// An entry waiting to be appended, and where its sequence number goes.
pub(crate) struct Pending {
    pub(super) who: Who,
    pub(super) entry: Entry,
    pub(super) done: tokio::sync::oneshot::Sender<Result<i64, AppError>>,
}

/// Entries waiting for the next holder of the append lock, oldest first, and how many
/// transactions have written queued entries.
#[derive(Default)]
pub(crate) struct Queue {
    waiting: std::sync::Mutex<std::collections::VecDeque<Pending>>,
    batches: std::sync::atomic::AtomicU64,
}

impl Queue {
    pub(super) fn push(&self, p: Pending) {
        self.waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(p);
    }

    pub(super) fn take(&self, max: usize) -> Vec<Pending> {
        let mut q = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        let n = q.len().min(max);
        if n > 0 {
            self.batches
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            metrics::counter!("utvag_audit_group_commits_total").increment(1);
            metrics::counter!("utvag_audit_group_committed_entries_total").increment(n as u64);
        }
        q.drain(..n).collect()
    }

    /// Transactions that wrote queued entries since the process started.
    #[cfg(test)]
    pub(crate) fn batches(&self) -> u64 {
        self.batches.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// How long a process chains after the head it holds without reading it again. The key of the
/// next position cannot tell a position that was never written from one a retention cut removed
/// (every entry up to a cut is deleted), so a head held for longer than the youngest entry a cut
/// may remove (a year: `UTVAG_AUDIT_RETENTION_YEARS` is at least 1) could put an entry below
/// the cut. Held for minutes, the next position is younger than any cut.
pub(crate) const TRUST: Duration = Duration::minutes(10);

/// The head as this process last wrote or read it, and when.
#[derive(Debug, Clone)]
pub(crate) struct Cached {
    pub seq: i64,
    pub mac: String,
    pub at: DateTime<Utc>,
}

impl Cached {
    /// The head, if it was read or written less than [`TRUST`] ago on this clock.
    pub fn fresh(self, now: DateTime<Utc>) -> Option<(i64, String)> {
        (now - self.at < TRUST).then_some((self.seq, self.mac))
    }
}
