//! The trusted core (native only, no Leptos).
//!
//! Everything that touches the database, the keys or the audit log lives here, and the handles to
//! them are private to this crate (`pub(crate)`). Server functions get an [`auth::Authed`] from
//! [`auth::user_of_request`] (through `app::api::require_user`) and hand it to the repository
//! functions, which are the only way to read or change data. Architecture: docs/architecture.md.

pub(crate) mod access;
pub mod area;
pub mod audit;
pub mod auth;
pub mod backup;
#[cfg(feature = "fixtures")]
pub mod bench;
pub mod breakglass;
pub mod casework;
pub(crate) mod clock;
pub mod config;
pub mod consent;
pub mod council;
pub mod crypto;
pub(crate) mod db;
pub(crate) mod decoy;
#[cfg(any(test, feature = "fixtures"))]
pub mod demo;
#[cfg(any(test, feature = "fixtures"))]
pub mod demo_cast;
#[cfg(any(test, feature = "fixtures"))]
mod demo_council;
#[cfg(any(test, feature = "fixtures"))]
pub mod demo_groups;
#[cfg(any(test, feature = "fixtures"))]
mod demo_handover;
#[cfg(any(test, feature = "fixtures"))]
pub mod demo_history;
#[cfg(any(test, feature = "fixtures"))]
pub mod demo_ratings;
#[cfg(any(test, feature = "fixtures"))]
mod demo_referrals;
#[cfg(any(test, feature = "fixtures"))]
pub mod demo_situation;
pub mod extract;
pub mod flash;
pub(crate) mod gate;
pub mod group;
pub mod handover;
pub mod identity;
pub mod inbox;
pub mod integrity;
pub mod mfa;
pub mod names;
pub mod ops;
pub mod outcomes;
pub mod participant_history;
pub mod participants;
pub(crate) mod password;
pub mod progress;
pub mod project;
pub mod referral;
pub mod retention;
mod sealed_fields;
pub mod shred;
pub mod situation;
pub(crate) mod state;
pub(crate) mod subject;
#[cfg(any(test, feature = "fixtures"))]
pub mod template;
#[cfg(test)]
mod testing;
pub mod totp;
pub mod ttl_cache;
pub(crate) mod vault;
pub mod worklist;

pub use state::AppState;
