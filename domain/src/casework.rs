//! Casework: the individual plan, protective measures, threat assessments, housing and
//! occupation periods, the contact log, notes, and the shared timeline.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{AppError, Category, Shown};

macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident, $field:literal, $msg:literal { $($variant:ident = $s:literal : $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(s: &str) -> Result<$name, AppError> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    AppError::problem($field, crate::error::Problem::Choose, $msg)
                })
            }
        }
    };
}

labelled_enum!(
    /// Life domains of the individual plan.
    LifeDomain, "domain", "Välj ett livsområde." {
        Safety = "safety": "Säkerhet",
        Housing = "housing": "Boende",
        Occupation = "occupation": "Sysselsättning",
        Education = "education": "Utbildning",
        Health = "health": "Hälsa",
        SubstanceUse = "substance_use": "Missbruk och beroende",
        Family = "family": "Familj och relationer",
        Finances = "finances": "Ekonomi och skulder",
        LeavingNetwork = "leaving_network": "Lämna nätverket",
        Leisure = "leisure": "Fritid",
    }
);

labelled_enum!(GoalStatus, "status", "Välj status för målet." {
    Open = "open": "Pågår",
    Achieved = "achieved": "Uppnått",
    Dropped = "dropped": "Avslutat utan att uppnås",
});

labelled_enum!(ActionStatus, "status", "Välj status för åtgärden." {
    Planned = "planned": "Planerad",
    InProgress = "in_progress": "Pågår",
    Done = "done": "Klar",
    Cancelled = "cancelled": "Inställd",
});

labelled_enum!(MeasureKind, "kind", "Välj typ av skyddsåtgärd." {
    Relocation = "relocation": "Flytt till annan kommun",
    ShelteredHousing = "sheltered_housing": "Skyddat/tillfälligt boende",
    ProtectedIdentity = "protected_identity": "Ansökan om skyddade personuppgifter",
    SecurityAlarm = "security_alarm": "Trygghetslarm",
    PersonalProtection = "personal_protection": "Personskydd (polis)",
    SecretAddress = "secret_address": "Hemlig adress",
    Other = "other": "Annan",
});

labelled_enum!(MeasureStatus, "status", "Välj status för åtgärden." {
    Planned = "planned": "Planerad",
    Active = "active": "Pågår",
    Ended = "ended": "Avslutad",
    Denied = "denied": "Avslag",
});

labelled_enum!(ThreatLevel, "level", "Välj hotnivå." {
    Low = "low": "Låg",
    Medium = "medium": "Medel",
    High = "high": "Hög",
    Acute = "acute": "Akut",
});

labelled_enum!(HousingType, "kind", "Välj boendeform." {
    OwnLease = "own_lease": "Eget kontrakt",
    SecondHand = "second_hand": "Andrahandskontrakt",
    Temporary = "temporary": "Tillfälligt boende/jourlägenhet",
    Sheltered = "sheltered": "Skyddat boende",
    WithFamily = "with_family": "Hos familj",
    Homeless = "homeless": "Hemlös",
    Institution = "institution": "Institution",
});

labelled_enum!(OccupationType, "kind", "Välj sysselsättning." {
    Employment = "employment": "Anställning",
    Internship = "internship": "Praktik",
    Studies = "studies": "Studier",
    LabourProgram = "labour_program": "Arbetsmarknadsinsats",
    NoOccupation = "none": "Ingen sysselsättning",
});

labelled_enum!(ContactKind, "kind", "Välj typ av kontakt." {
    Meeting = "meeting": "Möte",
    Phone = "phone": "Telefon",
    HomeVisit = "home_visit": "Hembesök",
    Digital = "digital": "Digitalt",
    Accompanied = "accompanied": "Ledsagning",
});

// What a timeline event is about.
labelled_enum!(EventKind, "kind", "Okänd händelsetyp." {
    Status = "status": "Statusändring",
    Goal = "goal": "Mål i planen",
    Action = "action": "Åtgärd i planen",
    Review = "review": "Planuppföljning",
    Measure = "measure": "Skyddsåtgärd",
    Assessment = "assessment": "Hotbedömning",
    Housing = "housing": "Boende",
    Occupation = "occupation": "Sysselsättning",
    Contact = "contact": "Kontakt",
    Note = "note": "Anteckning",
    Rating = "rating": "Skattning av livsområden",
    Project = "project": "Finansierat projekt",
    Group = "group": "SSPF-grupp",
    Guardian = "guardian": "Vårdnadshavare",
});

impl EventKind {
    /// The data category an event of this kind belongs to.
    pub fn category(self) -> Category {
        match self {
            EventKind::Status => Category::Plan,
            EventKind::Goal | EventKind::Action | EventKind::Review => Category::Plan,
            EventKind::Rating | EventKind::Project => Category::Plan,
            // Shown only to the owning unit's group workers: the timeline leaves it out for
            // everyone else, whatever their plan access.
            EventKind::Group => Category::Plan,
            EventKind::Guardian => Category::ContactInfo,
            EventKind::Measure | EventKind::Assessment => Category::Safety,
            EventKind::Housing => Category::Housing,
            EventKind::Occupation => Category::Occupation,
            EventKind::Contact => Category::Contacts,
            EventKind::Note => Category::Notes,
        }
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalDto {
    pub id: String,
    pub domain: LifeDomain,
    pub text: Shown<String>,
    pub status: GoalStatus,
    pub target_date: Option<NaiveDate>,
    pub version: i64,
    pub actions: Vec<ActionDto>,
}

crate::redact::redacted_debug!(GoalDto {
    id,
    domain,
    text,
    status,
    target_date,
    version,
    actions
});

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionDto {
    pub id: String,
    pub goal_id: String,
    pub title: Shown<String>,
    pub owner_org_id: String,
    pub owner_org: String,
    pub responsible: String,
    pub due: Option<NaiveDate>,
    pub status: ActionStatus,
    pub comment: Shown<String>,
    pub version: i64,
    /// The reader may change this action (owning team, or the owner organisation's partner).
    pub can_update: bool,
    /// Work with the young person's parents or guardians ("Arbete med föräldrar/vårdnadshavare").
    #[serde(default)]
    pub with_guardians: bool,
}

crate::redact::redacted_debug!(ActionDto {
    id,
    goal_id,
    title,
    owner_org_id,
    owner_org,
    responsible,
    due,
    status,
    comment,
    version,
    can_update,
    with_guardians
});

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewDto {
    pub id: String,
    pub date: NaiveDate,
    pub present: Shown<String>,
    pub summary: Shown<String>,
    pub next_review: Option<NaiveDate>,
}

crate::redact::redacted_debug!(ReviewDto {
    id,
    date,
    present,
    summary,
    next_review
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanDto {
    pub goals: Vec<GoalDto>,
    pub reviews: Vec<ReviewDto>,
    pub next_review: Option<NaiveDate>,
    pub can_edit: bool,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureDto {
    pub id: String,
    pub kind: MeasureKind,
    pub status: MeasureStatus,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub responsible_org_id: String,
    pub responsible_org: String,
    pub details: Shown<String>,
    pub version: i64,
}

crate::redact::redacted_debug!(MeasureDto {
    id,
    kind,
    status,
    start,
    end,
    responsible_org_id,
    responsible_org,
    details,
    version
});

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentDto {
    pub id: String,
    pub level: ThreatLevel,
    pub org: String,
    pub date: NaiveDate,
    pub next_review: NaiveDate,
    pub basis: Shown<String>,
}

crate::redact::redacted_debug!(AssessmentDto {
    id,
    level,
    org,
    date,
    next_review,
    basis
});

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct HousingDto {
    pub id: String,
    pub kind: HousingType,
    pub address: Shown<String>,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

crate::redact::redacted_debug!(HousingDto {
    id,
    kind,
    address,
    from,
    to
});

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct OccupationDto {
    pub id: String,
    pub kind: OccupationType,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub outcome: String,
}

crate::redact::redacted_debug!(OccupationDto {
    id,
    kind,
    from,
    to,
    outcome
});

/// Safety picture of a case: measures and assessments, with the warning the overview shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SafetyDto {
    pub measures: Vec<MeasureDto>,
    pub assessments: Vec<AssessmentDto>,
    /// The latest assessment is high or acute.
    pub high_threat: bool,
    /// The latest assessment's next review date has passed (or there is none).
    pub assessment_overdue: bool,
    pub can_assess: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LivingDto {
    pub housing: Vec<HousingDto>,
    pub occupation: Vec<OccupationDto>,
    pub can_edit: bool,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteDto {
    pub id: String,
    pub text: String,
    pub author: String,
    pub at: DateTime<Utc>,
    pub version: i64,
    pub corrected: bool,
    pub can_edit: bool,
}

crate::redact::redacted_debug!(NoteDto {
    id,
    text,
    author,
    at,
    version,
    corrected,
    can_edit
});

/// The latest threat assessment of a case, as the overview and the work lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreatSummary {
    pub level: ThreatLevel,
    pub date: NaiveDate,
    pub next_review: NaiveDate,
    /// The next review date has passed.
    pub overdue: bool,
}

/// What a threat warning says; the interface names each in the page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThreatWarning {
    Acute,
    High,
    /// The latest assessment is past its date for a new one.
    Reassess,
    NoAssessment,
}

/// The lines of a threat warning from the latest assessment, most serious first; empty when
/// there is nothing to warn of.
pub fn threat_warnings(latest: Option<&ThreatSummary>) -> Vec<ThreatWarning> {
    let mut lines = Vec::new();
    match latest {
        Some(t) => {
            match t.level {
                ThreatLevel::Acute => lines.push(ThreatWarning::Acute),
                ThreatLevel::High => lines.push(ThreatWarning::High),
                ThreatLevel::Low | ThreatLevel::Medium => {}
            }
            if t.overdue {
                lines.push(ThreatWarning::Reassess);
            }
        }
        None => lines.push(ThreatWarning::NoAssessment),
    }
    lines
}

/// The current period of housing or occupation: its kind and since when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Current<K> {
    pub kind: K,
    pub since: NaiveDate,
}

/// What the case overview shows of the casework. Each part is filled only when the reader may
/// see its category; `sees_*` tells an empty part ("nothing registered") from a hidden one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CaseSummary {
    pub sees_safety: bool,
    pub threat: Option<ThreatSummary>,
    pub active_measures: Vec<MeasureKind>,
    pub sees_housing: bool,
    pub housing: Option<Current<HousingType>>,
    pub sees_occupation: bool,
    pub occupation: Option<Current<OccupationType>>,
    pub sees_plan: bool,
    pub next_review: Option<NaiveDate>,
    pub review_overdue: bool,
    /// A person under 18 without any guardian's consent recorded (for readers of the
    /// guardians, `contact_info`).
    #[serde(default)]
    pub guardian_consent_missing: bool,
    /// The SSPF groups the case is linked to: filled only for the owning unit's group workers
    /// who may read the plan; for everyone else empty, as for a case in no group.
    #[serde(default)]
    pub groups: Vec<crate::group::CaseGroupDto>,
}

impl CaseSummary {
    /// The threat warning for the overview (empty when safety is hidden from the reader).
    pub fn warnings(&self) -> Vec<ThreatWarning> {
        if self.sees_safety {
            threat_warnings(self.threat.as_ref())
        } else {
            Vec::new()
        }
    }
}

/// One thing to do on the work list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WorkItem {
    /// The plan review is due (the case's next review date).
    Review { due: NaiveDate },
    /// A plan action that is not done; `mine` when the reader's organisation owns it.
    Action {
        id: String,
        title: String,
        due: Option<NaiveDate>,
        status: ActionStatus,
        mine: bool,
    },
    /// The threat assessment is to be redone.
    Reassessment { due: NaiveDate },
    /// A consent or legal basis for another organisation runs out (within 14 days).
    ConsentExpiring { org: String, until: NaiveDate },
    /// No contact has been logged for 30 days; `last` is the latest contact, if any.
    NoContact {
        last: Option<NaiveDate>,
        due: NaiveDate,
    },
}

impl WorkItem {
    pub fn due(&self) -> Option<NaiveDate> {
        match self {
            WorkItem::Review { due }
            | WorkItem::Reassessment { due }
            | WorkItem::NoContact { due, .. } => Some(*due),
            WorkItem::ConsentExpiring { until, .. } => Some(*until),
            WorkItem::Action { due, .. } => *due,
        }
    }

    /// Whether the item's date has passed on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.due().is_some_and(|d| d < today)
    }
}

/// One case on a work list, with the reader's view of it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkCase {
    pub case_id: String,
    pub name: Shown<String>,
    pub protection: super::Protection,
    pub status: super::CaseStatus,
    /// Due within the week or overdue, earliest first.
    pub items: Vec<WorkItem>,
    /// Open plan actions owned by the reader's organisation (the partner's list).
    pub my_actions: Vec<WorkItem>,
    /// The latest threat assessment, when the reader may see safety.
    pub threat: Option<ThreatSummary>,
    pub sees_safety: bool,
    pub may_log_contact: bool,
}

crate::redact::redacted_debug!(WorkCase {
    case_id,
    name,
    protection,
    status,
    items,
    my_actions,
    threat,
    sees_safety,
    may_log_contact
});

/// How many things are due or overdue on the reader's work list (the number in the navigation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct WorkCount {
    pub due: usize,
    pub overdue: usize,
}

/// The start page's work list: what is due this week on the reader's cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkList {
    pub today: NaiveDate,
    /// The last day counted as "this week" (today + 7 days).
    pub horizon: NaiveDate,
    pub cases: Vec<WorkCase>,
}
/// Parts a person can have on a case team: (stored value, label). `responsible` is set when
/// the case is opened and is not offered when adding members.
pub const PARTS: [(&str, &str); 6] = [
    ("responsible", "Ansvarig handläggare"),
    ("case_worker", "Handläggare"),
    ("program_lead", "Programledare"),
    ("police_contact", "Polisens kontaktperson"),
    ("mentor", "Mentor"),
    ("other", "Annan"),
];

pub fn part_label(part: &str) -> String {
    PARTS
        .iter()
        .find(|(p, _)| *p == part)
        .map(|(_, l)| l.to_string())
        .unwrap_or_else(|| part.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_part_is_shown_as_stored() {
        assert_eq!(part_label("mentor"), "Mentor");
        assert_eq!(part_label("x"), "x");
    }
}
