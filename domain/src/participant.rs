//! The person in the program and their case, as the UI sees them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{AppError, Category, Problem, Shown};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protection {
    None,
    Sekretessmarkering,
    SkyddadFolkbokforing,
    FingeradePersonuppgifter,
}

impl Protection {
    pub const ALL: [Protection; 4] = [
        Protection::None,
        Protection::Sekretessmarkering,
        Protection::SkyddadFolkbokforing,
        Protection::FingeradePersonuppgifter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Protection::None => "none",
            Protection::Sekretessmarkering => "sekretessmarkering",
            Protection::SkyddadFolkbokforing => "skyddad_folkbokforing",
            Protection::FingeradePersonuppgifter => "fingerade_personuppgifter",
        }
    }

    pub fn parse(s: &str) -> Result<Protection, AppError> {
        Protection::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                AppError::problem(
                    "protection",
                    crate::error::Problem::Choose,
                    "Välj en giltig skyddsnivå.",
                )
            })
    }

    pub fn label(self) -> &'static str {
        match self {
            Protection::None => "Ingen",
            Protection::Sekretessmarkering => "Sekretessmarkering",
            Protection::SkyddadFolkbokforing => "Skyddad folkbokföring",
            Protection::FingeradePersonuppgifter => "Fingerade personuppgifter",
        }
    }

    pub fn is_protected(self) -> bool {
        self != Protection::None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Female,
    Male,
    Other,
    Unknown,
}

impl Gender {
    pub const ALL: [Gender; 4] = [Gender::Female, Gender::Male, Gender::Other, Gender::Unknown];

    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::Other => "other",
            Gender::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Result<Gender, AppError> {
        Gender::ALL
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or_else(|| AppError::problem("gender", crate::error::Problem::Choose, "Välj kön."))
    }

    pub fn label(self) -> &'static str {
        match self {
            Gender::Female => "Flicka/kvinna",
            Gender::Male => "Pojke/man",
            Gender::Other => "Annat",
            Gender::Unknown => "Vill inte uppge",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Referred,
    Assessment,
    Active,
    Paused,
    Completed,
    EndedEarly,
    Moved,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 7] = [
        CaseStatus::Referred,
        CaseStatus::Assessment,
        CaseStatus::Active,
        CaseStatus::Paused,
        CaseStatus::Completed,
        CaseStatus::EndedEarly,
        CaseStatus::Moved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Referred => "referred",
            CaseStatus::Assessment => "assessment",
            CaseStatus::Active => "active",
            CaseStatus::Paused => "paused",
            CaseStatus::Completed => "completed",
            CaseStatus::EndedEarly => "ended_early",
            CaseStatus::Moved => "moved",
        }
    }

    pub fn parse(s: &str) -> Result<CaseStatus, AppError> {
        CaseStatus::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                AppError::problem(
                    "status",
                    crate::error::Problem::Unknown,
                    "Okänd ärendestatus.",
                )
            })
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::Referred => "Anmäld",
            CaseStatus::Assessment => "Utredning",
            CaseStatus::Active => "Aktiv",
            CaseStatus::Paused => "Vilande",
            CaseStatus::Completed => "Avslutad – genomförd",
            CaseStatus::EndedEarly => "Avbruten",
            CaseStatus::Moved => "Flyttad",
        }
    }

    pub fn is_closed(self) -> bool {
        matches!(
            self,
            CaseStatus::Completed | CaseStatus::EndedEarly | CaseStatus::Moved
        )
    }

    /// The lifecycle: referred → assessment → active ⇄ paused → completed | ended_early | moved.
    /// A case can end early or move from any open state.
    pub fn next(self) -> &'static [CaseStatus] {
        use CaseStatus::*;
        match self {
            Referred => &[Assessment, EndedEarly, Moved],
            Assessment => &[Active, EndedEarly, Moved],
            Active => &[Paused, Completed, EndedEarly, Moved],
            Paused => &[Active, Completed, EndedEarly, Moved],
            Completed | EndedEarly | Moved => &[],
        }
    }

    pub fn check_transition(self, to: CaseStatus) -> Result<(), AppError> {
        if self.next().contains(&to) {
            Ok(())
        } else {
            Err(AppError::problem(
                "status",
                Problem::StatusChange,
                format!(
                    "Ett ärende som är {} kan inte ändras till {}.",
                    self.label().to_lowercase(),
                    to.label().to_lowercase()
                ),
            ))
        }
    }
}

/// SSPF level the case is worked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SspfLevel {
    Individual,
    Group,
    General,
}

impl SspfLevel {
    pub const ALL: [SspfLevel; 3] = [SspfLevel::Individual, SspfLevel::Group, SspfLevel::General];

    pub fn as_str(self) -> &'static str {
        match self {
            SspfLevel::Individual => "individual",
            SspfLevel::Group => "group",
            SspfLevel::General => "general",
        }
    }

    pub fn parse(s: &str) -> Result<SspfLevel, AppError> {
        SspfLevel::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                AppError::problem(
                    "sspf_level",
                    crate::error::Problem::Choose,
                    "Välj SSPF-nivå.",
                )
            })
    }

    pub fn label(self) -> &'static str {
        match self {
            SspfLevel::Individual => "Individnivå",
            SspfLevel::Group => "Gruppnivå",
            SspfLevel::General => "Övergripande nivå",
        }
    }
}

/// A row of the case list. Sealed fields are shown or masked per reader.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRow {
    pub case_id: String,
    pub participant_id: String,
    pub name: Shown<String>,
    pub birth_year: i32,
    pub gender: Gender,
    pub municipality: String,
    pub protection: Protection,
    pub status: CaseStatus,
    pub owner_org: String,
    pub responsible: String,
    pub on_my_team: bool,
    pub shredded: bool,
    pub break_glass: bool,
}

crate::redact::redacted_debug!(CaseRow {
    case_id,
    participant_id,
    name,
    birth_year,
    gender,
    municipality,
    protection,
    status,
    owner_org,
    responsible,
    on_my_team,
    shredded,
    break_glass
});

/// One transition in a case's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    pub from: Option<CaseStatus>,
    pub to: CaseStatus,
    pub at: DateTime<Utc>,
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamMember {
    pub user_id: String,
    pub display_name: String,
    pub org_id: String,
    pub org_name: String,
    pub part: String,
}

/// The case overview as one reader sees it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseView {
    pub case_id: String,
    pub participant_id: String,
    pub version: i64,
    pub participant_version: i64,
    pub first_name: Shown<String>,
    pub last_name: Shown<String>,
    pub personnummer: Shown<String>,
    pub phone: Shown<String>,
    pub email: Shown<String>,
    pub address: Shown<String>,
    pub background: Shown<String>,
    pub birth_year: i32,
    pub gender: Gender,
    pub municipality: String,
    pub protection: Protection,
    pub status: CaseStatus,
    pub sspf_level: SspfLevel,
    /// Who referred the person (sealed; category `plan`).
    pub referral_source: Shown<String>,
    pub owner_org_id: String,
    pub owner_org: String,
    pub opened_at: DateTime<Utc>,
    pub transitions: Vec<Transition>,
    pub team: Vec<TeamMember>,
    /// Categories this reader may see on this participant.
    pub visible: Vec<Category>,
    /// Whether the reader may change the case (owning organisation's team).
    pub can_edit: bool,
    /// The case was handed over from the reader's organisation: what was recorded before can be
    /// read, nothing added.
    #[serde(default)]
    pub handed_over: bool,
    /// Whether the reader may produce the person's register extract: manages the case and may
    /// read every category under that purpose (`access::may_extract`).
    pub can_extract: bool,
    /// Access through break-glass, until this time.
    pub break_glass_until: Option<DateTime<Utc>>,
    pub shredded: bool,
    /// Threat, measures, housing, occupation and the next review, as far as the reader may see.
    pub summary: super::casework::CaseSummary,
}

crate::redact::redacted_debug!(CaseView {
    case_id,
    participant_id,
    version,
    participant_version,
    first_name,
    last_name,
    personnummer,
    phone,
    email,
    address,
    background,
    birth_year,
    gender,
    municipality,
    protection,
    status,
    sspf_level,
    referral_source,
    owner_org_id,
    owner_org,
    opened_at,
    transitions,
    team,
    visible,
    can_edit,
    handed_over,
    can_extract,
    break_glass_until,
    shredded,
    summary
});

/// The registration form, as sent by the browser.
#[derive(Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ParticipantForm {
    pub first_name: String,
    pub last_name: String,
    pub personnummer: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub background: String,
    pub birth_year: String,
    pub gender: String,
    pub municipality: String,
    pub protection: String,
}

crate::redact::redacted_debug!(ParticipantForm {
    first_name,
    last_name,
    personnummer,
    phone,
    email,
    address,
    background,
    birth_year,
    gender,
    municipality,
    protection
});

/// A consent or legal basis for another organisation to see some categories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsentDto {
    pub id: String,
    pub recipient_org_id: String,
    pub recipient_org: String,
    pub categories: Vec<Category>,
    /// `samtycke` or the legal provision, e.g. "OSL 10 kap. 18 b §".
    pub basis: String,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    pub active: bool,
}

pub use crate::input::{MAX_SHORT, MAX_TEXT};

/// A read that the log review flags, with why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlaggedRow {
    pub row: AuditRow,
    /// Why the read stands out.
    pub flags: Vec<crate::audit::Flag>,
}

/// One audit entry as the log reviewer sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub org: String,
    pub role: String,
    pub action: String,
    pub participants: Vec<String>,
    pub case_id: Option<String>,
    pub categories: Vec<String>,
    pub denied: Vec<String>,
    pub decision: String,
    pub basis: Option<String>,
    pub purpose: Option<String>,
    pub reason: Option<String>,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakGlassRow {
    pub id: String,
    pub user: String,
    pub org: String,
    pub participant_id: String,
    pub reason: String,
    pub granted_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub review: String,
    pub review_comment: Option<String>,
}

crate::redact::redacted_debug!(BreakGlassRow {
    id,
    user,
    org,
    participant_id,
    reason,
    granted_at,
    expires_at,
    review,
    review_comment
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerificationDto {
    pub entries: i64,
    pub head_seq: i64,
    pub broken_at: Option<i64>,
    pub problem: Option<String>,
    pub checked_at: DateTime<Utc>,
    /// The signed checkpoint outside the database the store was held to, or why there was none.
    #[serde(default)]
    pub anchor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShredRequestDto {
    pub id: String,
    pub participant_id: String,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

/// One run of the retention job, as the administrator sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionRun {
    pub at: DateTime<Utc>,
    pub applied: bool,
    pub by: String,
    pub participants: i64,
    pub cases: i64,
    pub audit_removed: i64,
}

/// The retention settings and the latest runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionStatus {
    pub case_years: u32,
    pub audit_years: u32,
    pub runs: Vec<RetentionRun>,
}

/// What retention would remove now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionPreview {
    pub participants: usize,
    pub cases: usize,
    pub audit_entries: i64,
    pub case_cutoff: DateTime<Utc>,
    pub audit_cutoff: DateTime<Utc>,
}

/// The participant's details as the form and the earlier versions name them, with their labels.
pub const PARTICIPANT_FIELDS: &[(&str, &str)] = &[
    ("first_name", "Förnamn"),
    ("last_name", "Efternamn"),
    ("personnummer", "Personnummer"),
    ("birth_year", "Födelseår"),
    ("gender", "Kön"),
    ("phone", "Telefon"),
    ("email", "E-post"),
    ("address", "Adress"),
    ("background", "Bakgrund"),
    ("municipality", "Hemkommun"),
    ("protection", "Skyddade personuppgifter"),
];

/// The label of a participant field; the field's own name for one not on the list.
pub fn participant_field_label(field: &str) -> &str {
    PARTICIPANT_FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or(field, |(_, l)| l)
}

/// One field an edit changed, with the value it had before.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub label: String,
    /// The earlier value; masked when the reader may not see the field's category.
    pub before: Shown<String>,
}

crate::redact::redacted_debug!(FieldChange {
    field,
    label,
    before
});

/// An earlier version of the participant's details: what an edit replaced, when and by whom.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipantVersion {
    /// The version the edit replaced.
    pub version: i64,
    pub replaced_at: DateTime<Utc>,
    pub by: String,
    /// `false` once the participant's data are shredded: the earlier values went with the key.
    pub readable: bool,
    pub changes: Vec<FieldChange>,
}

crate::redact::redacted_debug!(ParticipantVersion {
    version,
    replaced_at,
    by,
    readable,
    changes
});
