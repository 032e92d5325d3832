//! Handover of a case to the social services of another municipality: which parts the sending
//! unit shares, the statuses, the form rules and what each side is shown.
//!
//! The receiving unit sees only the frozen summary of the chosen parts until it accepts; the
//! sending unit sees where the case went; nobody else learns that a handover exists.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::casework::{
    ActionStatus, GoalStatus, HousingType, LifeDomain, MeasureKind, MeasureStatus, OccupationType,
    ThreatLevel,
};
use crate::input::{self, MAX_TEXT};
use crate::{AppError, CaseStatus, Category, Gender, Problem, Protection, Shown, SspfLevel};

/// A part of the case the sending unit may choose to share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverPart {
    /// Name, personnummer, birth year and gender: the receiver needs them to know whom it is.
    Person,
    /// The case's status, SSPF level and when it was opened.
    Status,
    /// The individual plan: goals and actions, the next review.
    Plan,
    /// Protective measures and threat assessments.
    Safety,
    /// Housing and occupation.
    Living,
}

impl HandoverPart {
    pub const ALL: [HandoverPart; 5] = [
        HandoverPart::Person,
        HandoverPart::Status,
        HandoverPart::Plan,
        HandoverPart::Safety,
        HandoverPart::Living,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HandoverPart::Person => "person",
            HandoverPart::Status => "status",
            HandoverPart::Plan => "plan",
            HandoverPart::Safety => "safety",
            HandoverPart::Living => "living",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HandoverPart::Person => "Personuppgifter (namn, personnummer, födelseår)",
            HandoverPart::Status => "Ärendets status och SSPF-nivå",
            HandoverPart::Plan => "Handlingsplan (mål och åtgärder)",
            HandoverPart::Safety => "Säkerhet (skyddsåtgärder och hotbedömningar)",
            HandoverPart::Living => "Boende och sysselsättning",
        }
    }

    /// The data categories the sender must be able to read to share the part.
    pub fn categories(self) -> &'static [Category] {
        match self {
            HandoverPart::Person => &[Category::Identity],
            HandoverPart::Status | HandoverPart::Plan => &[Category::Plan],
            HandoverPart::Safety => &[Category::Safety],
            HandoverPart::Living => &[Category::Housing, Category::Occupation],
        }
    }

    pub fn parse(s: &str) -> Result<HandoverPart, AppError> {
        HandoverPart::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                AppError::problem(
                    "parts",
                    crate::error::Problem::Unknown,
                    "Okänd del av ärendet.",
                )
            })
    }
}

/// Where a handover stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverStatus {
    Pending,
    Accepted,
    Declined,
    Withdrawn,
}

impl HandoverStatus {
    pub const ALL: [HandoverStatus; 4] = [
        HandoverStatus::Pending,
        HandoverStatus::Accepted,
        HandoverStatus::Declined,
        HandoverStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HandoverStatus::Pending => "pending",
            HandoverStatus::Accepted => "accepted",
            HandoverStatus::Declined => "declined",
            HandoverStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HandoverStatus::Pending => "Väntar på svar",
            HandoverStatus::Accepted => "Godtagen",
            HandoverStatus::Declined => "Avböjd",
            HandoverStatus::Withdrawn => "Återkallad",
        }
    }

    pub fn parse(s: &str) -> Result<HandoverStatus, AppError> {
        HandoverStatus::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                AppError::problem("status", crate::error::Problem::Unknown, "Okänd status.")
            })
    }
}

/// How long the sending unit's team keeps reading the case after acceptance, by default.
pub const DEFAULT_READ_DAYS: u32 = 30;
/// The longest read period the sending unit may keep.
pub const MAX_READ_DAYS: u32 = 90;
/// The longest covering note and reason for declining.
pub const MAX_NOTE: usize = 4_000;

/// The offer form as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HandoverInput {
    pub to_org: String,
    pub parts: Vec<String>,
    pub note: String,
    pub read_days: String,
}

/// A checked offer.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidHandover {
    pub to_org: String,
    pub parts: Vec<HandoverPart>,
    pub note: Option<String>,
    pub read_days: u32,
}

impl ValidHandover {
    pub fn parse(i: &HandoverInput) -> Result<ValidHandover, AppError> {
        let to_org = i.to_org.trim().to_string();
        if to_org.is_empty() {
            return Err(AppError::problem(
                "to_org",
                crate::error::Problem::Choose,
                "Välj den socialtjänst som ska ta emot ärendet.",
            ));
        }
        let mut parts = Vec::new();
        for p in &i.parts {
            let p = HandoverPart::parse(p.trim())?;
            if !parts.contains(&p) {
                parts.push(p);
            }
        }
        if parts.is_empty() {
            return Err(AppError::problem(
                "parts",
                crate::error::Problem::Choose,
                "Välj minst en del av ärendet att lämna över.",
            ));
        }
        parts.sort_by_key(|p| HandoverPart::ALL.iter().position(|x| x == p));
        let note = input::optional_text("note", "Följebrevet", &i.note, MAX_NOTE.min(MAX_TEXT))?;
        let days = i.read_days.trim();
        let read_days = if days.is_empty() {
            DEFAULT_READ_DAYS
        } else {
            match days.parse::<u32>() {
                Ok(d) if d <= MAX_READ_DAYS => d,
                _ => {
                    return Err(AppError::problem(
                        "read_days",
                        Problem::Range {
                            min: 0,
                            max: MAX_READ_DAYS as i64,
                        },
                        format!("Läsperioden anges i hela dagar, 0–{MAX_READ_DAYS}."),
                    ))
                }
            }
        };
        Ok(ValidHandover {
            to_org,
            parts,
            note,
            read_days,
        })
    }
}

/// The reason for declining, as typed and checked.
pub fn decline_reason(v: &str) -> Result<String, AppError> {
    input::text("reason", "Skälet", v, true, MAX_NOTE)
}

/// A social-services unit in another municipality that may receive a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiverOrg {
    pub id: String,
    pub name: String,
    pub municipalities: Vec<String>,
}

/// One labelled value of a summary frozen before its values were codes (Swedish labels).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotRow {
    pub label: String,
    pub value: String,
}

crate::redact::redacted_debug!(SnapshotRow { label, value });

/// One value of the frozen summary: what it is as codes, what people wrote as written. The
/// page names it in its own language. Text the sender could not read is frozen as such
/// (`Shown::Masked`), never as the words of a mask.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "item", rename_all = "snake_case")]
pub enum SnapshotItem {
    Name {
        first: Shown<String>,
        last: Shown<String>,
    },
    Personnummer {
        value: Shown<String>,
    },
    BirthYear {
        year: i32,
    },
    Gender {
        gender: Gender,
    },
    Protection {
        protection: Protection,
    },
    Status {
        status: CaseStatus,
    },
    SspfLevel {
        level: SspfLevel,
    },
    Opened {
        on: NaiveDate,
    },
    Goal {
        domain: LifeDomain,
        text: Shown<String>,
        status: GoalStatus,
        by: Option<NaiveDate>,
    },
    Action {
        title: Shown<String>,
        owner: String,
        status: ActionStatus,
        due: Option<NaiveDate>,
    },
    OpenGoals {
        count: usize,
    },
    NextReview {
        on: Option<NaiveDate>,
    },
    Measure {
        kind: MeasureKind,
        status: MeasureStatus,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
        /// Empty for a denied measure: what was asked for is not passed on.
        details: Shown<String>,
    },
    Assessment {
        on: NaiveDate,
        level: ThreatLevel,
        next: NaiveDate,
    },
    Housing {
        kind: HousingType,
        from: NaiveDate,
        to: Option<NaiveDate>,
    },
    Occupation {
        kind: OccupationType,
        from: NaiveDate,
        to: Option<NaiveDate>,
        outcome: String,
    },
    /// The part holds nothing.
    Nothing,
}

impl std::fmt::Debug for SnapshotItem {
    /// The kind of value only: what it holds may identify the person.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("item").and_then(|k| k.as_str()).map(str::to_string))
            .unwrap_or_default();
        write!(f, "SnapshotItem::{kind}(…)")
    }
}

/// One shared part of the case as it stood when the handover was offered. Summaries frozen
/// before their values were codes hold Swedish `rows`; later ones hold `items`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotSection {
    pub part: HandoverPart,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<SnapshotRow>,
    #[serde(default)]
    pub items: Vec<SnapshotItem>,
}

/// A handover in a list: the counterpart, the status and the dates. No person and no case
/// content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoverRow {
    pub id: String,
    /// The sending unit's case (outgoing), or the receiver's once it accepted.
    pub case_id: Option<String>,
    pub from_org: String,
    pub to_org: String,
    pub status: HandoverStatus,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// Both lists of the user's unit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HandoverLists {
    pub incoming: Vec<HandoverRow>,
    pub outgoing: Vec<HandoverRow>,
}

/// One handover as the sending or the receiving unit sees it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoverView {
    pub id: String,
    /// The case, for the sending unit and, once it accepted, the receiving unit.
    pub case_id: Option<String>,
    pub from_org: String,
    pub to_org: String,
    pub to_municipality: String,
    pub status: HandoverStatus,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub read_days: u32,
    /// Until when the sending team reads the case (set on acceptance).
    pub sender_until: Option<DateTime<Utc>>,
    pub parts: Vec<HandoverPart>,
    /// The frozen summary of the chosen parts.
    pub sections: Vec<SnapshotSection>,
    pub note: Option<String>,
    pub decline_reason: Option<String>,
    /// The reader belongs to the receiving unit and may accept or decline.
    pub can_decide: bool,
    /// The reader belongs to the sending unit and may withdraw.
    pub can_withdraw: bool,
    /// The reader belongs to the receiving unit.
    pub incoming: bool,
}

crate::redact::redacted_debug!(HandoverView {
    id,
    case_id,
    from_org,
    to_org,
    to_municipality,
    status,
    created_at,
    created_by,
    decided_at,
    decided_by,
    read_days,
    sender_until,
    parts,
    sections,
    note,
    decline_reason,
    can_decide,
    can_withdraw,
    incoming
});

#[cfg(test)]
mod tests {
    use super::*;

    fn input(parts: &[&str], days: &str) -> HandoverInput {
        HandoverInput {
            to_org: "malmo_soc".into(),
            parts: parts.iter().map(|s| s.to_string()).collect(),
            note: "  Flyttar i maj. ".into(),
            read_days: days.into(),
        }
    }

    #[test]
    fn an_offer_needs_a_receiver_a_part_and_a_read_period_within_limits() {
        let v = ValidHandover::parse(&input(&["plan", "person", "plan"], "")).unwrap();
        assert_eq!(v.parts, vec![HandoverPart::Person, HandoverPart::Plan]);
        assert_eq!(v.read_days, DEFAULT_READ_DAYS);
        assert_eq!(v.note.as_deref(), Some("Flyttar i maj."));
        let field = |e: AppError| match e {
            AppError::Invalid { field, .. } => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(ValidHandover::parse(&input(&[], "30")).unwrap_err()),
            "parts"
        );
        assert_eq!(
            field(ValidHandover::parse(&input(&["plan"], "91")).unwrap_err()),
            "read_days"
        );
        assert_eq!(
            field(ValidHandover::parse(&input(&["plan"], "tio")).unwrap_err()),
            "read_days"
        );
        assert_eq!(
            field(ValidHandover::parse(&input(&["journal"], "")).unwrap_err()),
            "parts"
        );
        let mut i = input(&["plan"], "");
        i.to_org = " ".into();
        assert_eq!(field(ValidHandover::parse(&i).unwrap_err()), "to_org");
        assert_eq!(field(decline_reason(" ").unwrap_err()), "reason");
    }

    #[test]
    fn a_summary_frozen_with_swedish_rows_still_reads_and_new_ones_are_codes() {
        let old = r#"[{"part":"person","rows":[{"label":"Namn","value":"Alva Berg"}]}]"#;
        let read: Vec<SnapshotSection> = serde_json::from_str(old).unwrap();
        assert_eq!(read[0].rows[0].label, "Namn");
        assert!(read[0].items.is_empty());

        let section = SnapshotSection {
            part: HandoverPart::Plan,
            rows: Vec::new(),
            items: vec![
                SnapshotItem::Goal {
                    domain: LifeDomain::Education,
                    text: Shown::Value("Klara gymnasiet".into()),
                    status: GoalStatus::Open,
                    by: NaiveDate::from_ymd_opt(2027, 6, 1),
                },
                SnapshotItem::Name {
                    first: Shown::Masked,
                    last: Shown::Value("Berg".into()),
                },
                SnapshotItem::Nothing,
            ],
        };
        let json = serde_json::to_string(&section).unwrap();
        assert!(!json.contains("\"rows\""), "{json}");
        assert!(
            !json.contains("Utbildning") && !json.contains("Pågående"),
            "{json}"
        );
        assert_eq!(
            serde_json::from_str::<SnapshotSection>(&json).unwrap(),
            section
        );
        let debug = format!("{section:?}");
        assert!(debug.contains("SnapshotItem::goal"), "{debug}");
        assert!(
            !debug.contains("gymnasiet") && !debug.contains("Berg"),
            "{debug}"
        );
    }
}
