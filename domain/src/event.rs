//! What a timeline event says happened, as codes and values: a new goal in a life domain, a
//! protective measure ended on a day, a contact of so many minutes. The page names it in its
//! own language; what people wrote with it (the goal, the contact's summary) is the event's
//! text, shown as written beside it. Stored sealed with the participant's key, like the text:
//! a threat level or a housing form says as much about the person as a note does.
//!
//! Events written before lines existed carry their whole wording, in Swedish, as their text
//! and no line.
//!
//! Also the timeline's rows as one reader sees them (`EventDto`) and its pages.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::casework::{
    ActionStatus, ContactKind, EventKind, GoalStatus, HousingType, LifeDomain, MeasureKind,
    MeasureStatus, OccupationType, ThreatLevel,
};
use crate::council::InterventionView;
use crate::guardian::GuardianRelation;
use crate::rating::{Occasion, Rater};
use crate::referral::ReferrerKind;
use crate::{CaseStatus, Category};

/// What an event says happened. One variant per kind of change the core records.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum EventLine {
    /// The case moved from one status to another.
    Status {
        from: CaseStatus,
        to: CaseStatus,
    },
    /// A goal was added to the plan; its text is the event's text.
    GoalAdded {
        domain: LifeDomain,
    },
    /// A goal was achieved, dropped or opened again; its text is the event's text.
    GoalStatus {
        status: GoalStatus,
    },
    /// An action was added to the plan (with the guardians, for a young person); its title is
    /// the event's text.
    ActionAdded {
        with_guardians: bool,
    },
    /// An action's status changed; its title is the event's text.
    ActionStatus {
        status: ActionStatus,
    },
    /// The plan was followed up.
    PlanReviewed,
    /// A protective measure was recorded.
    Measure {
        kind: MeasureKind,
        status: MeasureStatus,
    },
    /// A protective measure was changed.
    MeasureChanged {
        kind: MeasureKind,
        status: MeasureStatus,
    },
    /// A protective measure ended on a day.
    MeasureEnded {
        kind: MeasureKind,
        end: NaiveDate,
    },
    /// A threat assessment.
    Assessment {
        level: ThreatLevel,
    },
    /// A housing period.
    Housing {
        kind: HousingType,
    },
    /// An occupation period.
    Occupation {
        kind: OccupationType,
    },
    /// A contact; its summary is the event's text.
    Contact {
        kind: ContactKind,
        minutes: u32,
    },
    /// A note corrected after its editing window; the new wording is the event's text.
    NoteCorrected,
    /// A set of life-domain ratings.
    Rating {
        rater: Rater,
        occasion: Occasion,
        scores: Vec<(LifeDomain, u8)>,
    },
    /// Enrolled in a funded project.
    Enrolled {
        project: String,
        entry: NaiveDate,
        exit: Option<NaiveDate>,
    },
    /// Left a funded project.
    Exited {
        project: String,
        exit: NaiveDate,
    },
    GuardianAdded {
        relation: GuardianRelation,
    },
    GuardianChanged {
        relation: GuardianRelation,
    },
    GuardianRemoved,
    GuardianConsent {
        given_on: NaiveDate,
    },
    /// Linked to an SSPF group for a period.
    GroupLinked {
        from: NaiveDate,
        to: Option<NaiveDate>,
    },
    GroupLinkEnded {
        to: NaiveDate,
    },
    GroupLinkRemoved,
    /// A handover to another municipality was offered.
    HandoverOffered,
    HandoverWithdrawn,
    /// The receiving organisation took the case over.
    HandoverTaken {
        org: String,
    },
    /// A referral opened the case.
    ReferralOpened {
        number: String,
        kind: ReferrerKind,
    },
    /// A referral was accepted and linked to the open case.
    ReferralLinked {
        number: String,
        kind: ReferrerKind,
    },
    /// The collaboration council decided a priority and interventions.
    CouncilDecided {
        priority: u8,
        interventions: Vec<InterventionView>,
    },
}

crate::redact::redacted_debug!(EventLine {});

/// A day as the timeline writes it, the same in every language: `2026-03-01`.
pub fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl EventLine {
    /// The line for storing: JSON.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A stored line; `None` when it is not one (damaged, or of a kind this build does not
    /// know).
    pub fn from_stored(s: &str) -> Option<EventLine> {
        serde_json::from_str(s).ok()
    }

    /// The line in Swedish, for the register extract and whatever else is written in Swedish
    /// whatever the reader's language — in the words events had before they carried codes.
    pub fn swedish(&self) -> String {
        use EventLine::*;
        let lower = |s: &str| s.to_lowercase();
        match self {
            Status { from, to } => format!("Status: {} → {}", from.label(), to.label()),
            GoalAdded { domain } => format!("Nytt mål ({})", domain.label()),
            GoalStatus { status } => match status {
                crate::casework::GoalStatus::Achieved => "Målet är uppnått".into(),
                crate::casework::GoalStatus::Dropped => "Målet är avslutat utan att uppnås".into(),
                crate::casework::GoalStatus::Open => "Målet är öppnat igen".into(),
            },
            ActionAdded { with_guardians } => if *with_guardians {
                "Ny åtgärd (arbete med föräldrar/vårdnadshavare)"
            } else {
                "Ny åtgärd"
            }
            .into(),
            ActionStatus { status } => format!("Åtgärd {}", lower(status.label())),
            PlanReviewed => "Planen följdes upp".into(),
            Measure { kind, status } => {
                format!("Skyddsåtgärd: {} ({})", kind.label(), lower(status.label()))
            }
            MeasureChanged { kind, status } => format!(
                "Skyddsåtgärd ändrad: {} ({})",
                kind.label(),
                lower(status.label())
            ),
            MeasureEnded { kind, end } => format!(
                "Skyddsåtgärd avslutad: {} (slutdatum {})",
                kind.label(),
                day(*end)
            ),
            Assessment { level } => format!("Hotbedömning: {}", lower(level.label())),
            Housing { kind } => format!("Boende: {}", kind.label()),
            Occupation { kind } => format!("Sysselsättning: {}", kind.label()),
            Contact { kind, minutes } => format!("{} ({minutes} min)", kind.label()),
            NoteCorrected => "Rättelse".into(),
            Rating {
                rater,
                occasion,
                scores,
            } => format!(
                "{} vid {}: {}",
                rater.label(),
                lower(occasion.label()),
                scores
                    .iter()
                    .map(|(d, s)| format!("{} {s}", lower(d.label())))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Enrolled {
                project,
                entry,
                exit,
            } => match exit {
                Some(x) => format!(
                    "Inskriven i projektet {project} från {} till {}",
                    day(*entry),
                    day(*x)
                ),
                None => format!("Inskriven i projektet {project} från {}", day(*entry)),
            },
            Exited { project, exit } => format!("Utskriven ur projektet {project} {}", day(*exit)),
            GuardianAdded { relation } => {
                format!("Ny vårdnadshavare eller förälder: {}", relation.label())
            }
            GuardianChanged { relation } => format!(
                "Uppgifter om vårdnadshavare eller förälder ändrade: {}",
                relation.label()
            ),
            GuardianRemoved => "En vårdnadshavare eller förälder togs bort".into(),
            GuardianConsent { given_on } => format!(
                "Vårdnadshavares samtycke registrerat (givet {})",
                day(*given_on)
            ),
            GroupLinked { from, to } => match to {
                Some(t) => format!("Kopplad till en SSPF-grupp {} – {}", day(*from), day(*t)),
                None => format!("Kopplad till en SSPF-grupp från {}", day(*from)),
            },
            GroupLinkEnded { to } => {
                format!("Kopplingen till en SSPF-grupp avslutad {}", day(*to))
            }
            GroupLinkRemoved => "En felaktig koppling till en SSPF-grupp togs bort".into(),
            HandoverOffered => "Överlämning till annan kommun påbörjad.".into(),
            HandoverWithdrawn => "Överlämningen till annan kommun återkallades.".into(),
            HandoverTaken { org } => format!("Ärendet togs över av {org} efter överlämning."),
            ReferralOpened { number, kind } => {
                format!("Ärendet öppnat från remiss {number} ({}).", kind.label())
            }
            ReferralLinked { number, kind } => format!(
                "Remiss {number} ({}) godtagen och kopplad till ärendet.",
                kind.label()
            ),
            CouncilDecided {
                priority,
                interventions,
            } => format!(
                "Samverkansrådet beslutade prioritet {priority}: {}.",
                interventions
                    .iter()
                    .map(|i| format!(
                        "{} – {} (uppföljning {})",
                        i.kind.label(),
                        i.provider,
                        day(i.follow_up)
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        }
    }

    /// The whole line with what people wrote: `line: text`, or either alone.
    pub fn with_text(
        line: Option<&EventLine>,
        text: &str,
        name: impl Fn(&EventLine) -> String,
    ) -> String {
        match (line, text.is_empty()) {
            (Some(l), true) => name(l),
            (Some(l), false) => format!("{}: {text}", name(l)),
            (None, _) => text.to_string(),
        }
    }
}

/// One row of the shared timeline as one reader sees it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDto {
    pub id: String,
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub category: Category,
    /// The organisation's name; empty when the reader may not know what the event is.
    pub org: String,
    pub author: String,
    /// What happened, as codes the page names; `None` for an event recorded before lines
    /// existed (its text says it all) and whenever `text` is `None`.
    #[serde(default)]
    pub line: Option<EventLine>,
    /// What people wrote with it, as written. `None` when the reader may know that something
    /// happened but not what.
    pub text: Option<String>,
    pub corrected: bool,
}

crate::redact::redacted_debug!(EventDto {
    id,
    at,
    kind,
    category,
    org,
    author,
    line,
    text,
    corrected
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelinePage {
    pub events: Vec<EventDto>,
    /// Pass back to get the next (older) page; `None` at the end.
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A line of every kind.
    fn every_line() -> Vec<EventLine> {
        use EventLine::*;
        vec![
            Status {
                from: CaseStatus::Referred,
                to: CaseStatus::Assessment,
            },
            GoalAdded {
                domain: LifeDomain::Occupation,
            },
            GoalStatus {
                status: crate::casework::GoalStatus::Achieved,
            },
            ActionAdded {
                with_guardians: true,
            },
            ActionStatus {
                status: crate::casework::ActionStatus::Done,
            },
            PlanReviewed,
            Measure {
                kind: MeasureKind::SecurityAlarm,
                status: MeasureStatus::Active,
            },
            MeasureChanged {
                kind: MeasureKind::SecretAddress,
                status: MeasureStatus::Denied,
            },
            MeasureEnded {
                kind: MeasureKind::Relocation,
                end: d("2026-03-01"),
            },
            Assessment {
                level: ThreatLevel::High,
            },
            Housing {
                kind: HousingType::OwnLease,
            },
            Occupation {
                kind: OccupationType::Studies,
            },
            Contact {
                kind: ContactKind::HomeVisit,
                minutes: 45,
            },
            NoteCorrected,
            Rating {
                rater: Rater::Participant,
                occasion: Occasion::Intake,
                scores: vec![(LifeDomain::Housing, 3), (LifeDomain::Health, 5)],
            },
            Enrolled {
                project: "Vägen ut".into(),
                entry: d("2026-01-10"),
                exit: Some(d("2026-06-30")),
            },
            Exited {
                project: "Vägen ut".into(),
                exit: d("2026-06-30"),
            },
            GuardianAdded {
                relation: GuardianRelation::Mother,
            },
            GuardianChanged {
                relation: GuardianRelation::Father,
            },
            GuardianRemoved,
            GuardianConsent {
                given_on: d("2026-02-02"),
            },
            GroupLinked {
                from: d("2026-02-01"),
                to: None,
            },
            GroupLinkEnded {
                to: d("2026-05-01"),
            },
            GroupLinkRemoved,
            HandoverOffered,
            HandoverWithdrawn,
            HandoverTaken {
                org: "Socialtjänsten Malmö".into(),
            },
            ReferralOpened {
                number: "R-2026-0012".into(),
                kind: ReferrerKind::Police,
            },
            ReferralLinked {
                number: "R-2026-0013".into(),
                kind: ReferrerKind::School,
            },
            CouncilDecided {
                priority: 1,
                interventions: vec![crate::council::InterventionView {
                    kind: crate::council::InterventionKind::Mentoring,
                    provider: "Passus".into(),
                    follow_up: d("2026-04-01"),
                }],
            },
        ]
    }

    #[test]
    fn every_line_is_stored_and_read_back_as_itself() {
        for line in every_line() {
            let stored = line.to_stored();
            assert_eq!(
                EventLine::from_stored(&stored).as_ref(),
                Some(&line),
                "{stored}"
            );
        }
        assert!(EventLine::from_stored("Nytt mål (Boende): flytta").is_none());
        assert!(EventLine::from_stored(r#"{"code":"no_such_line"}"#).is_none());
    }

    #[test]
    fn the_swedish_line_is_the_wording_events_had_before_codes() {
        let goal = EventLine::GoalAdded {
            domain: LifeDomain::Education,
        };
        assert_eq!(
            EventLine::with_text(Some(&goal), "Klara gymnasiet", EventLine::swedish),
            "Nytt mål (Utbildning): Klara gymnasiet"
        );
        let contact = EventLine::Contact {
            kind: ContactKind::Meeting,
            minutes: 45,
        };
        assert_eq!(
            EventLine::with_text(Some(&contact), "Pratade om boende", EventLine::swedish),
            "Möte (45 min): Pratade om boende"
        );
        assert_eq!(
            EventLine::with_text(Some(&EventLine::PlanReviewed), "", EventLine::swedish),
            "Planen följdes upp"
        );
        assert_eq!(
            EventLine::with_text(None, "Skrivet före koderna", EventLine::swedish),
            "Skrivet före koderna"
        );
        let rating = &every_line()[14];
        assert_eq!(
            rating.swedish(),
            "Deltagarens egen skattning vid inskrivning: boende 3, hälsa 5"
        );
        for line in every_line() {
            assert!(!line.swedish().is_empty());
        }
    }

    #[test]
    fn a_line_prints_no_value_in_debug() {
        let debug = format!("{:?}", every_line()[9]);
        assert!(
            !debug.contains("High") && !debug.contains("high"),
            "{debug}"
        );
    }
}
