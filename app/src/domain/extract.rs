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

/// What an audited action was, in words; unknown actions as recorded.
pub fn action_label(action: &str) -> &str {
    match action {
        "participant.register" => "Registrerade personen",
        "participant.update" => "Ändrade personuppgifterna",
        "participant.search" => "Sökte fram personen",
        "participant.extract" => "Tog fram registerutdrag",
        "participant.shred" => "Gallrade uppgifterna",
        "case.read" => "Läste ärendeöversikten",
        "case.list" => "Såg personen i ärendelistan",
        "case.status" => "Ändrade ärendets status",
        "case.team_add" => "Lade till någon i ärendeteamet",
        "case.team_remove" => "Tog bort någon ur ärendeteamet",
        "casework.read" => "Försökte läsa ärendet",
        "consent.add" => "Registrerade samtycke eller lagstöd",
        "consent.revoke" => "Återkallade samtycke",
        "consent.list" => "Läste samtyckena",
        "plan.read" => "Läste handlingsplanen",
        "plan.goal_add" => "Lade till mål i planen",
        "plan.action_add" => "Lade till åtgärd i planen",
        "plan.action_update" => "Uppdaterade åtgärd i planen",
        "plan.review_add" => "Antecknade planuppföljning",
        "safety.read" => "Läste säkerhet och skydd",
        "safety.measure_add" => "Registrerade skyddsåtgärd",
        "safety.assessment_add" => "Registrerade hotbedömning",
        "living.read" => "Läste boende och sysselsättning",
        "housing.add" => "Registrerade boende",
        "occupation.add" => "Registrerade sysselsättning",
        "contact.add" => "Loggade kontakt",
        "note.add" => "Skrev anteckning",
        "note.edit" => "Ändrade anteckning",
        "notes.read" => "Läste anteckningarna",
        "timeline.read" => "Läste tidslinjen",
        "worklist.read" => "Såg personen i arbetslistan",
        "break_glass.grant" => "Fick nödåtkomst",
        "break_glass.review" => "Granskade nödåtkomst",
        "shred.request" => "Begärde gallring",
        "audit.query_participant" => "Loggranskning: vem har läst personens uppgifter",
        _ => action,
    }
}

/// Why a read was made, in words.
pub fn purpose_label(purpose: &str) -> &str {
    match purpose {
        "case_work" => "Handläggning",
        "list" => "Ärendelista",
        "search" => "Sökning",
        "edit" => "Ändring",
        "extract" => "Registerutdrag",
        _ => purpose,
    }
}

/// An access decision, in words.
pub fn decision_label(decision: &str) -> &str {
    match decision {
        "allow" => "Tillåten",
        "partial" => "Delvis tillåten",
        "deny" => "Nekad",
        _ => decision,
    }
}
