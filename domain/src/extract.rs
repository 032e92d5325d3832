//! The register extract (registerutdrag, GDPR art. 15): everything stored about one
//! participant, with sealed fields opened, and who has taken part of it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// A complete extract of one participant, as printed and as downloaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterExtract {
    pub participant_id: String,
    /// The case the extract was asked for from.
    pub case_id: String,
    pub produced_at: DateTime<Utc>,
    pub produced_by: String,
    pub produced_by_org: String,
    /// One section per kind of record, in a fixed order; empty sections are kept so that the
    /// reader sees that nothing of that kind is stored.
    pub sections: Vec<ExtractSection>,
    /// What is not given after the secrecy review (or while it is pending), and why.
    pub withheld: Vec<WithheldItem>,
    /// Every entry of the audit log that names the participant, oldest first.
    pub reads: Vec<ExtractRead>,
}

/// The records of one kind (one table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractSection {
    pub table: String,
    pub title: String,
    /// The organisations that own the section's records, by name, in order of appearance.
    pub owners: Vec<String>,
    pub records: Vec<ExtractRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractRecord {
    pub id: String,
    /// The organisation that owns the record (its id) and its name.
    pub owner_org: String,
    pub owner_org_name: String,
    /// Parts of the record not given: the whole record (`field: None`, then `fields` is empty)
    /// or single fields (then shown as the marker, with no value).
    pub withheld: Vec<Withholding>,
    pub fields: Vec<ExtractField>,
}

/// Where the secrecy review stands for one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Not reviewed yet (or changed since): withheld until someone decides.
    Pending,
    /// Withheld after review, with a reason.
    Withheld,
    /// Released after review.
    Released,
}

impl ReviewStatus {
    /// The text given in the extract in place of a value that is not released.
    pub fn marker(self) -> &'static str {
        match self {
            ReviewStatus::Pending => PENDING_MARKER,
            ReviewStatus::Withheld => WITHHELD_MARKER,
            ReviewStatus::Released => "Lämnas ut",
        }
    }
}

pub const WITHHELD_MARKER: &str = "Undantaget efter sekretessprövning";
pub const PENDING_MARKER: &str = "Väntar på sekretessprövning";

/// A decision of the secrecy review, as chosen in the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseDecision {
    Release,
    Withhold,
}

impl ReleaseDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseDecision::Release => "release",
            ReleaseDecision::Withhold => "withhold",
        }
    }

    pub fn parse(s: &str) -> Option<ReleaseDecision> {
        match s {
            "release" => Some(ReleaseDecision::Release),
            "withhold" => Some(ReleaseDecision::Withhold),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReleaseDecision::Release => "Lämnas ut",
            ReleaseDecision::Withhold => "Undantas",
        }
    }
}

/// A part of a record that is not released: the whole record or one field.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Withholding {
    pub field: Option<String>,
    pub status: ReviewStatus,
    /// The recorded reason of a withholding decision.
    pub reason: Option<String>,
    /// What the extract says in its place: the marker, and the reason when there is one.
    pub text: String,
}

crate::redact::redacted_debug!(Withholding {
    field,
    status,
    reason,
    text
});

/// One item not given, for the extract's list of what was withheld and why.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct WithheldItem {
    /// `table:record` or `table:record:field`.
    pub key: String,
    pub section: String,
    pub owner_org: String,
    /// What it is: "Hela posten" or the field's label.
    pub what: String,
    pub status: ReviewStatus,
    pub reason: Option<String>,
}

crate::redact::redacted_debug!(WithheldItem {
    key,
    section,
    owner_org,
    what,
    status,
    reason
});

/// The release step before the extract: every item that needs a secrecy review, as the
/// producing case worker (who may read everything) sees it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub key: String,
    pub section: String,
    pub record_id: String,
    pub owner_org: String,
    /// What it is: "Hela posten" or the field's label.
    pub what: String,
    /// Why it needs a review.
    pub why: String,
    /// The value as text (the whole record as `label: value` lines).
    pub value: String,
    /// The stored version the decision is about; a decision on an older version is pending.
    pub version: String,
    pub status: ReviewStatus,
    /// A decision recorded for an earlier version of the item.
    pub changed: bool,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

crate::redact::redacted_debug!(ReviewItem {
    key,
    section,
    record_id,
    owner_org,
    what,
    why,
    value,
    version,
    status,
    changed,
    reason,
    decided_by,
    decided_at
});

/// The page's data: the extract as it would be given now, and the review before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractReview {
    pub extract: RegisterExtract,
    pub items: Vec<ReviewItem>,
}

impl ExtractReview {
    /// Items with a decision for their current version.
    pub fn decided(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.status != ReviewStatus::Pending)
            .count()
    }
}

/// One stored field: its name, a Swedish label, the value as text for people and the stored
/// value (sealed parts opened) for machines.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractField {
    pub name: String,
    pub label: String,
    pub text: String,
    pub value: Json,
}

crate::redact::redacted_debug!(ExtractField {
    name,
    label,
    text,
    value
});

/// One entry of the audit log about the participant: who took part of or changed what, when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractRead {
    pub at: DateTime<Utc>,
    pub user: String,
    pub org: String,
    pub action: String,
    pub purpose: Option<String>,
    pub decision: String,
    pub categories: Vec<String>,
}
