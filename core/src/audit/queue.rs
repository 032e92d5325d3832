//! Entries waiting to be appended by group commit ([`super::chain::append`]), kept apart from
//! the chain so that the application state can hold the queue without depending on the chain.

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
