//! The audit log, in three parts:
//!
//! - [`chain`]: the append-only log itself, hash-chained under the audit chain's own key. Every
//!   write goes in with its entry in one transaction ([`commit`]); reads and refusals are
//!   [`append`]ed; [`verify`] walks the chain.
//! - [`checkpoint`]: signed checkpoints of the chain's head, kept outside the database, which
//!   reveal removed newest entries, a deleted log or a restored older copy.
//! - [`review`]: the log reviewer's questions (who read this person, what did this user read,
//!   search, flagged reads, is the chain intact), each itself audited.
//!
//! The rest of the core writes through the re-exports here: `audit::commit`, `audit::append`,
//! `audit::Entry`, `audit::Who`.

pub mod chain;
pub mod checkpoint;
mod entry;
mod head;
pub(crate) mod queue;
pub mod review;

pub(crate) use chain::{append, begin, commit, cut_canonical, Appending};
pub use chain::{verify, Entry, Row, Verification, Who};
/// Tests elsewhere in the core count entries from the head.
#[cfg(test)]
pub(crate) use head::head;
