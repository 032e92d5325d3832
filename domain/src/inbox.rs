//! What waits for a user of the owning unit: possible duplicates registered by other
//! organisations, and notices that someone used break-glass on their case.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Another organisation registered a person with the same personnummer as one of ours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateDto {
    pub id: String,
    /// Our participant and their current (or latest) case.
    pub participant_id: String,
    pub case_id: Option<String>,
    /// The organisation that registered the same personnummer.
    pub other_org: String,
    pub other_org_id: String,
    /// The reader manages our case and the other organisation is social services in another
    /// municipality: the case may be handed over to it.
    pub can_hand_over: bool,
    pub found_at: DateTime<Utc>,
}

/// How the owning unit settled a possible duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateOutcome {
    /// The same person: the units coordinate (contact outside the system, or a handover).
    Linked,
    /// Not the same person, or nothing to do.
    Dismissed,
}

impl DuplicateOutcome {
    pub fn parse(s: &str) -> Result<DuplicateOutcome, super::AppError> {
        match s {
            "linked" => Ok(DuplicateOutcome::Linked),
            "dismissed" => Ok(DuplicateOutcome::Dismissed),
            _ => Err(super::AppError::problem(
                "outcome",
                crate::error::Problem::Choose,
                "Välj om det är samma person eller om ärendet kan avskrivas.",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DuplicateOutcome::Linked => "linked",
            DuplicateOutcome::Dismissed => "dismissed",
        }
    }
}

/// Someone off the team opened one of the user's cases by break-glass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationDto {
    pub id: String,
    pub case_id: String,
    pub by: String,
    pub at: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}
