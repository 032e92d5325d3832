//! Plain types shared by browser and server: ids, enums, DTOs and validation.

pub mod area;
pub mod audit;
pub mod capability;
pub mod casework;
pub mod category;
pub mod council;
pub mod error;
pub mod event;
pub mod extract;
pub mod group;
pub mod guardian;
pub mod handover;
pub mod identity;
pub mod inbox;
pub mod input;
pub mod language;
pub mod link;
pub mod next;
pub mod participant;
pub mod person;
pub mod project;
pub mod rating;
pub mod redact;
pub mod referral;
pub mod situation;
pub mod stats;
pub mod time;

pub use area::{AreaDto, AreaInput, AreaKind};
pub use capability::Capability;
pub use category::*;
pub use error::{AppError, Problem};
pub use identity::*;
pub use participant::*;
