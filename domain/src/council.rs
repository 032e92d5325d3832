//! The collaboration council (samverkansråd): meetings chaired by a social-services unit with
//! member organisations, an agenda of the unit's referrals and cases, a decision per item
//! (priority, interventions with their providers and follow-up dates) and the minutes each
//! reader is shown.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::AppError;

macro_rules! code_enum {
    ($name:ident, $field:literal, $msg:literal, [$(($v:ident, $s:literal, $l:literal)),+ $(,)?]) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($v),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$v => $l),+ }
            }

            pub fn parse(s: &str) -> Result<$name, AppError> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|k| k.as_str() == s)
                    .ok_or_else(|| AppError::problem($field, $crate::error::Problem::Choose, $msg))
            }
        }
    };
}

code_enum!(
    MeetingStatus,
    "status",
    "Okänd status.",
    [
        (Planned, "planned", "Planerat"),
        (Held, "held", "Genomfört"),
    ]
);

code_enum!(
    ItemKind,
    "kind",
    "Välj en remiss eller ett ärende.",
    [(Referral, "referral", "Remiss"), (Case, "case", "Ärende"),]
);

impl ItemKind {
    /// The kind and id of an agenda item to add, from the candidate list's value
    /// `"referral:<id>"` or `"case:<id>"`.
    pub fn target(target: &str) -> Result<(ItemKind, &str), AppError> {
        let (kind, id) = target.split_once(':').ok_or_else(|| {
            AppError::problem(
                "target",
                crate::error::Problem::Choose,
                "Välj en remiss eller ett ärende.",
            )
        })?;
        Ok((ItemKind::parse(kind)?, id))
    }
}

code_enum!(
    ItemStatus,
    "status",
    "Okänd status.",
    [
        (Open, "open", "Ej beslutad"),
        (Decided, "decided", "Beslutad"),
        (Declined, "declined", "Avslagen"),
    ]
);

code_enum!(
    InterventionKind,
    "kind",
    "Välj en insats.",
    [
        (Mentoring, "mentoring", "Mentorskap"),
        (HousingSupport, "housing_support", "Boendestöd"),
        (SchoolMeasure, "school_measure", "Insats i skolan"),
        (PoliceProtection, "police_protection", "Polisiärt skydd"),
        (EmploymentSupport, "employment_support", "Stöd till arbete"),
        (Other, "other", "Annan insats"),
    ]
);

/// A meeting as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingRow {
    pub id: String,
    pub date: NaiveDate,
    pub municipality: String,
    pub chair: String,
    pub members: Vec<String>,
    pub status: MeetingStatus,
    /// Whether the reader's unit chairs it (and so may change it).
    pub chaired: bool,
}

/// What the chair fills in to plan a meeting.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MeetingInput {
    pub date: String,
    /// Member organisations' ids.
    pub members: Vec<String>,
}

/// One intervention as decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterventionView {
    pub kind: InterventionKind,
    pub provider: String,
    pub follow_up: NaiveDate,
}

/// One intervention as the form sends it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InterventionInput {
    pub kind: InterventionKind,
    pub provider_org: String,
    pub follow_up: String,
}

/// The council's decision on one item.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecisionInput {
    /// 1 (highest) to 3.
    pub priority: u8,
    pub sspf: crate::SspfLevel,
    /// The responsible case worker (a user id of the unit); the deciding user when empty.
    pub responsible: String,
    pub interventions: Vec<InterventionInput>,
    /// Free text about the decision; sealed with the person's key.
    pub note: String,
}

impl DecisionInput {
    pub fn check_priority(&self) -> Result<(), AppError> {
        if (1..=3).contains(&self.priority) {
            Ok(())
        } else {
            Err(AppError::problem(
                "priority",
                crate::error::Problem::Choose,
                "Välj prioritet 1, 2 eller 3.",
            ))
        }
    }
}

/// What an agenda item or a candidate for the agenda is, named by the page in its language: a
/// referral by its number, a case on the agenda by its place there, a case not yet on it by when
/// it opened and its next follow-up. Never the person: the agenda is read by every member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ItemLabel {
    Referral {
        number: String,
    },
    Case {
        position: i64,
    },
    OpenCase {
        opened: NaiveDate,
        follow_up: NaiveDate,
    },
}

/// An item on the chair's agenda.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub id: String,
    pub position: i64,
    pub kind: ItemKind,
    pub label: ItemLabel,
    pub status: ItemStatus,
    pub priority: Option<u8>,
    pub interventions: Vec<InterventionView>,
    pub case_id: Option<String>,
}

/// Something the chair may put on the agenda.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub kind: ItemKind,
    /// The referral's or the case's id.
    pub id: String,
    pub label: ItemLabel,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgendaView {
    pub meeting: MeetingRow,
    pub items: Vec<AgendaItem>,
    pub candidates: Vec<Candidate>,
    /// Who may provide an intervention: the chair and the member organisations, (id, name).
    pub providers: Vec<(String, String)>,
    /// The unit's case workers and program leads who may be made responsible, (id, name).
    pub workers: Vec<(String, String)>,
}

/// How many intervention rows the decision form offers; empty rows are left out.
pub const FORM_INTERVENTIONS: usize = 3;

/// One intervention row of the decision form, as posted (an empty kind leaves the row out).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct InterventionForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub provider_org: String,
    #[serde(default)]
    pub follow_up: String,
}

/// The decision form as posted, all text (a plain form post without JavaScript sends the same).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub sspf: String,
    #[serde(default)]
    pub responsible: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub interventions: Vec<InterventionForm>,
}

impl DecisionForm {
    /// The decision, or the first field that is wrong. Rows without a kind are left out; a row
    /// with a kind needs its provider (a row's follow-up date is checked by the core, which
    /// knows today's date).
    pub fn parse(&self) -> Result<DecisionInput, AppError> {
        let priority = match self.priority.trim() {
            "1" => 1,
            "2" => 2,
            "3" => 3,
            _ => {
                return Err(AppError::problem(
                    "priority",
                    crate::error::Problem::Choose,
                    "Välj prioritet 1, 2 eller 3.",
                ))
            }
        };
        let sspf = match self.sspf.trim() {
            "" => crate::SspfLevel::Individual,
            s => crate::SspfLevel::parse(s)?,
        };
        let mut interventions = Vec::new();
        for (i, row) in self.interventions.iter().enumerate() {
            if row.kind.trim().is_empty() {
                continue;
            }
            let kind = InterventionKind::parse(row.kind.trim()).map_err(|_| {
                AppError::problem(
                    &format!("kind_{i}"),
                    crate::error::Problem::Choose,
                    "Välj en insats ur listan.",
                )
            })?;
            if row.provider_org.trim().is_empty() {
                return Err(AppError::problem(
                    &format!("provider_{i}"),
                    crate::error::Problem::Choose,
                    "Välj vilken organisation som utför insatsen.",
                ));
            }
            interventions.push(InterventionInput {
                kind,
                provider_org: row.provider_org.trim().to_string(),
                follow_up: row.follow_up.trim().to_string(),
            });
        }
        Ok(DecisionInput {
            priority,
            sspf,
            responsible: self.responsible.trim().to_string(),
            interventions,
            note: self.note.clone(),
        })
    }
}

/// One item of the minutes, as far as the reader may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinutesItem {
    pub position: i64,
    /// The person's name where the reader may read the case's identity; `None` otherwise (the
    /// page calls it by its position: "Ärende N").
    pub name: Option<String>,
    pub status: ItemStatus,
    pub priority: Option<u8>,
    pub interventions: Vec<InterventionView>,
    /// The decision's free text; only the chair sees it.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinutesView {
    pub meeting: MeetingRow,
    pub items: Vec<MinutesItem>,
    /// Whether the reader sees every intervention (the chair) or only their organisation's.
    pub full: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervention_kinds_round_trip_and_read_in_swedish() {
        for k in InterventionKind::ALL {
            assert_eq!(InterventionKind::parse(k.as_str()).unwrap(), *k);
        }
        assert_eq!(InterventionKind::Mentoring.label(), "Mentorskap");
        assert!(InterventionKind::parse("x").is_err());
    }

    #[test]
    fn the_form_leaves_out_empty_rows_and_names_the_wrong_field() {
        let row = |k: &str, p: &str| InterventionForm {
            kind: k.into(),
            provider_org: p.into(),
            follow_up: "2026-12-01".into(),
        };
        let mut f = DecisionForm {
            priority: "1".into(),
            interventions: vec![row("mentoring", "passus"), row("", ""), row("", "x")],
            ..Default::default()
        };
        let d = f.parse().unwrap();
        assert_eq!(d.interventions.len(), 1);
        assert_eq!(d.interventions[0].kind, InterventionKind::Mentoring);
        assert_eq!(d.sspf, crate::SspfLevel::Individual);
        f.interventions[1] = row("school_measure", "");
        assert_eq!(f.parse().unwrap_err().field(), Some("provider_1"));
        f.interventions[1] = row("magic", "skola");
        assert_eq!(f.parse().unwrap_err().field(), Some("kind_1"));
        f.priority = "4".into();
        assert_eq!(f.parse().unwrap_err().field(), Some("priority"));
    }

    #[test]
    fn priority_is_one_to_three() {
        let mut d = DecisionInput {
            priority: 0,
            sspf: crate::SspfLevel::Individual,
            responsible: String::new(),
            interventions: vec![],
            note: String::new(),
        };
        assert!(d.check_priority().is_err());
        d.priority = 3;
        assert!(d.check_priority().is_ok());
        d.priority = 4;
        assert!(d.check_priority().is_err());
    }
}
