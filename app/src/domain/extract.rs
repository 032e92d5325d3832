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
    /// Every entry of the audit log that names the participant, oldest first.
    pub reads: Vec<ExtractRead>,
}

/// The records of one kind (one table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractSection {
    pub table: String,
    pub title: String,
    pub records: Vec<ExtractRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractRecord {
    pub id: String,
    pub fields: Vec<ExtractField>,
}

/// One stored field: its name, a Swedish label, the value as text for people and the stored
/// value (sealed parts opened) for machines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractField {
    pub name: String,
    pub label: String,
    pub text: String,
    pub value: Json,
}

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
