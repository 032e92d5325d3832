//! The audit log's vocabulary in words, for the log reviewer and for register extracts, and the
//! answer of a log search.

use serde::{Deserialize, Serialize};

use super::AuditRow;

/// Why a read is put before the log reviewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Flag {
    /// The reader is not a named member of the participant's case team.
    OutsideTeam,
    /// Before 07:00, from 19:00, or at a weekend (Swedish time).
    OutsideHours,
    /// The reader opened many participants within a short time.
    Burst,
    /// The participant has protected personal data.
    Protected,
    /// An administrator set another person's password (and could then sign in as them).
    AdminReset,
    /// An administrator removed another person's second factor.
    AdminSecondFactorReset,
    /// A refused attempt on a participant's file (no relation, or a category not allowed).
    Refused,
    /// A search matched a person the searcher has no relation to (answered as no hit).
    WithheldSearch,
    /// A stored value of the person's failed to open when read: altered or moved in the store.
    Damaged,
}

/// Every action the core records: (code, Swedish description).
pub const ACTIONS: &[(&str, &str)] = &[
    ("participant.register", "Registrerade deltagare"),
    ("participant.update", "Ändrade personuppgifter"),
    ("participant.search", "Sökning"),
    ("participant.extract", "Tog fram registerutdrag"),
    (
        "participant.extract_review",
        "Sekretessprövade en uppgift i registerutdraget",
    ),
    ("participant.shred", "Gallring"),
    ("case.read", "Läste ärendet"),
    ("case.list", "Ärendelista"),
    ("case.status", "Ändrade status"),
    ("case.team_add", "Lade till i ärendeteamet"),
    ("case.team_remove", "Tog bort från ärendeteamet"),
    ("casework.read", "Försökte läsa ärendet"),
    ("consent.add", "Registrerade samtycke"),
    ("consent.revoke", "Återkallade samtycke"),
    ("consent.list", "Läste samtycken"),
    ("plan.read", "Läste handlingsplanen"),
    ("plan.goal_add", "Lade till mål i planen"),
    ("plan.action_add", "Lade till åtgärd i planen"),
    ("plan.action_update", "Uppdaterade åtgärd i planen"),
    ("plan.review_add", "Antecknade planuppföljning"),
    ("safety.read", "Läste säkerhet och skydd"),
    ("safety.measure_add", "Registrerade skyddsåtgärd"),
    ("safety.assessment_add", "Registrerade hotbedömning"),
    ("living.read", "Läste boende och sysselsättning"),
    ("housing.add", "Registrerade boende"),
    ("occupation.add", "Registrerade sysselsättning"),
    ("contact.add", "Loggade kontakt"),
    ("note.add", "Skrev anteckning"),
    ("note.edit", "Ändrade anteckning"),
    ("notes.read", "Läste anteckningarna"),
    ("timeline.read", "Läste tidslinjen"),
    ("worklist.read", "Arbetslista"),
    ("break_glass.grant", "Nödåtkomst"),
    ("break_glass.review", "Granskade nödåtkomst"),
    ("shred.request", "Begärde gallring"),
    ("audit.query_participant", "Loggranskning: deltagare"),
    ("audit.query_user", "Loggranskning: användare"),
    ("audit.query_flagged", "Loggranskning: flaggade läsningar"),
    ("audit.search", "Loggranskning: sökning"),
    ("audit.verify", "Verifierade loggkedjan"),
    ("keys.rotate", "Nyckelbyte"),
    ("org.create", "Skapade organisation"),
    ("org.update", "Ändrade organisation"),
    ("org.deactivate", "Inaktiverade organisation"),
    ("user.list", "Listade konton"),
    ("user.create", "Skapade konto"),
    ("user.update", "Ändrade konto"),
    ("user.role_change", "Ändrade roll"),
    ("user.deactivate", "Inaktiverade konto"),
    ("user.password_reset", "Återställde lösenord"),
    ("user.mfa_reset", "Återställde tvåstegsverifiering"),
    ("auth.sign_in", "Loggade in"),
    ("auth.sign_in_failed", "Misslyckad inloggning"),
    (
        "auth.locked",
        "Kontot spärrades efter misslyckade inloggningar",
    ),
    (
        "auth.second_factor_failed",
        "Fel eller återanvänd engångskod",
    ),
    ("auth.reauth", "Loggade in igen"),
    ("auth.sign_out", "Loggade ut"),
    ("shred.list", "Läste gallringsbegäranden"),
    ("shred.confirm", "Bekräftade gallring"),
    ("retention.status", "Läste gallringsinställningar"),
    ("retention.dry_run", "Provkörde gallring"),
    ("retention.apply", "Gallring kördes"),
    ("retention.shred", "Gallrade deltagare"),
    ("audit.cut", "Gallrade gamla loggposter"),
];

/// What an audited action was, in words; unknown actions as recorded.
pub fn action_label(action: &str) -> &str {
    ACTIONS
        .iter()
        .find(|(code, _)| *code == action)
        .map_or(action, |(_, label)| label)
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

/// The most entries a log search returns; the reviewer narrows the search to see more.
pub const SEARCH_LIMIT: usize = 500;

/// The answer of a log search: newest first, at most `limit` entries; `capped` when there were
/// more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditSearchDto {
    pub rows: Vec<AuditRow>,
    pub capped: bool,
    pub limit: usize,
}
