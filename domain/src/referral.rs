//! Referrals (orosanmälan/remiss): who refers, why, how urgent, and whom; the form rules, the
//! statuses and their allowed changes, and what each side is shown.
//!
//! The referring side learns nothing back beyond "received" and the referral number: its own
//! list ([`SubmittedReferral`]) has no status, no person and no outcome.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::input::{self, MAX_SHORT, MAX_TEXT};
use crate::person::{Personnummer, Phone};
use crate::{AppError, Problem};

/// Who the referral comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferrerKind {
    Police,
    School,
    Leisure,
    SocialServices,
    Health,
    Ngo,
    /// A parent or another relative (the referring person's name and contact are sealed).
    Family,
    /// The person refers themselves.
    SelfReferral,
}

impl ReferrerKind {
    pub const ALL: [ReferrerKind; 8] = [
        ReferrerKind::Police,
        ReferrerKind::School,
        ReferrerKind::Leisure,
        ReferrerKind::SocialServices,
        ReferrerKind::Health,
        ReferrerKind::Ngo,
        ReferrerKind::Family,
        ReferrerKind::SelfReferral,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReferrerKind::Police => "police",
            ReferrerKind::School => "school",
            ReferrerKind::Leisure => "leisure",
            ReferrerKind::SocialServices => "social_services",
            ReferrerKind::Health => "health",
            ReferrerKind::Ngo => "ngo",
            ReferrerKind::Family => "family",
            ReferrerKind::SelfReferral => "self_referral",
        }
    }

    pub fn parse(s: &str) -> Result<ReferrerKind, AppError> {
        ReferrerKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                AppError::problem(
                    "kind",
                    crate::error::Problem::Choose,
                    "Välj vem remissen kommer från.",
                )
            })
    }

    pub fn label(self) -> &'static str {
        match self {
            ReferrerKind::Police => "Polisen",
            ReferrerKind::School => "Skola",
            ReferrerKind::Leisure => "Fritid",
            ReferrerKind::SocialServices => "Socialtjänsten",
            ReferrerKind::Health => "Hälso- och sjukvården",
            ReferrerKind::Ngo => "Idéburen organisation",
            ReferrerKind::Family => "Anhörig",
            ReferrerKind::SelfReferral => "Personen själv",
        }
    }

    /// Which kinds of referrer a user of an organisation of `kind` may write in: their own
    /// organisation's kind, or a relative or the person themselves whom they pass on. Social
    /// services take referrals by telephone from anyone, health care included.
    pub fn offered_to(kind: crate::OrgKind) -> Vec<ReferrerKind> {
        use crate::OrgKind as O;
        use ReferrerKind as R;
        let own = match kind {
            O::SocialServices => return R::ALL.to_vec(),
            O::Police => R::Police,
            O::School => R::School,
            O::Leisure => R::Leisure,
            O::Ngo => R::Ngo,
            O::Other => R::Health,
        };
        vec![own, R::Family, R::SelfReferral]
    }

    /// A relative or the person: a private person whose name and contact are written down.
    pub fn is_private_person(self) -> bool {
        matches!(self, ReferrerKind::Family | ReferrerKind::SelfReferral)
    }
}

/// Why the person is referred (one or more).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralReason {
    Recruitment,
    Violence,
    Threats,
    DrugDealing,
    Weapons,
    SchoolAbsence,
    FamilyWorry,
    WantsToLeave,
    Exploitation,
}

impl ReferralReason {
    pub const ALL: [ReferralReason; 9] = [
        ReferralReason::WantsToLeave,
        ReferralReason::Recruitment,
        ReferralReason::Violence,
        ReferralReason::Threats,
        ReferralReason::DrugDealing,
        ReferralReason::Weapons,
        ReferralReason::Exploitation,
        ReferralReason::SchoolAbsence,
        ReferralReason::FamilyWorry,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReferralReason::Recruitment => "recruitment",
            ReferralReason::Violence => "violence",
            ReferralReason::Threats => "threats",
            ReferralReason::DrugDealing => "drug_dealing",
            ReferralReason::Weapons => "weapons",
            ReferralReason::SchoolAbsence => "school_absence",
            ReferralReason::FamilyWorry => "family_worry",
            ReferralReason::WantsToLeave => "wants_to_leave",
            ReferralReason::Exploitation => "exploitation",
        }
    }

    pub fn parse(s: &str) -> Result<ReferralReason, AppError> {
        ReferralReason::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                AppError::problem(
                    "reasons",
                    crate::error::Problem::Choose,
                    "Välj skäl ur listan.",
                )
            })
    }

    pub fn label(self) -> &'static str {
        match self {
            ReferralReason::Recruitment => "Rekrytering till ett kriminellt nätverk",
            ReferralReason::Violence => "Våld",
            ReferralReason::Threats => "Hot",
            ReferralReason::DrugDealing => "Narkotikaförsäljning",
            ReferralReason::Weapons => "Vapen",
            ReferralReason::Exploitation => {
                "Utnyttjas av andra (t.ex. som langare eller för brott)"
            }
            ReferralReason::SchoolAbsence => "Frånvaro från skolan",
            ReferralReason::FamilyWorry => "Oro från familjen",
            ReferralReason::WantsToLeave => "Vill lämna ett kriminellt sammanhang",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Normal,
    Urgent,
    Acute,
}

impl Urgency {
    pub const ALL: [Urgency; 3] = [Urgency::Normal, Urgency::Urgent, Urgency::Acute];

    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Normal => "normal",
            Urgency::Urgent => "urgent",
            Urgency::Acute => "acute",
        }
    }

    pub fn parse(s: &str) -> Result<Urgency, AppError> {
        Urgency::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                AppError::problem(
                    "urgency",
                    crate::error::Problem::Choose,
                    "Välj hur brådskande remissen är.",
                )
            })
    }

    pub fn label(self) -> &'static str {
        match self {
            Urgency::Normal => "Normal",
            Urgency::Urgent => "Brådskande",
            Urgency::Acute => "Akut (fara för liv eller hälsa)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    New,
    UnderReview,
    Accepted,
    Declined,
    /// Sent on to another social-services unit; for that unit it is waiting like a new one.
    Forwarded,
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 5] = [
        ReferralStatus::New,
        ReferralStatus::UnderReview,
        ReferralStatus::Accepted,
        ReferralStatus::Declined,
        ReferralStatus::Forwarded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReferralStatus::New => "new",
            ReferralStatus::UnderReview => "under_review",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Declined => "declined",
            ReferralStatus::Forwarded => "forwarded",
        }
    }

    pub fn parse(s: &str) -> Result<ReferralStatus, AppError> {
        ReferralStatus::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                AppError::problem("status", crate::error::Problem::Unknown, "Okänd status.")
            })
    }

    pub fn label(self) -> &'static str {
        match self {
            ReferralStatus::New => "Ny",
            ReferralStatus::UnderReview => "Under granskning",
            ReferralStatus::Accepted => "Godtagen, ärende öppnat",
            ReferralStatus::Declined => "Avslagen",
            ReferralStatus::Forwarded => "Vidarebefordrad",
        }
    }

    /// Waiting for the receiving unit: new, forwarded to it, or under review.
    pub fn is_open(self) -> bool {
        !matches!(self, ReferralStatus::Accepted | ReferralStatus::Declined)
    }

    /// new → under_review → accepted | declined | forwarded; a new (or forwarded, for the unit it
    /// reached) referral may also be declined or forwarded straight away. A decision is final.
    pub fn check_transition(self, to: ReferralStatus) -> Result<(), AppError> {
        use ReferralStatus as S;
        let ok = match self {
            S::New | S::Forwarded => matches!(to, S::UnderReview | S::Declined | S::Forwarded),
            S::UnderReview => matches!(to, S::Accepted | S::Declined | S::Forwarded),
            S::Accepted | S::Declined => false,
        };
        if ok {
            Ok(())
        } else if !self.is_open() {
            Err(AppError::problem(
                "status",
                Problem::AlreadyDone,
                format!("Remissen är redan {}.", self.label().to_lowercase()),
            ))
        } else {
            Err(AppError::problem(
                "status",
                Problem::ReviewFirst,
                "Påbörja granskningen innan remissen godtas.",
            ))
        }
    }
}

/// The referral form as posted (all text, so that a form without JavaScript can be sent back
/// with what was typed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReferralForm {
    pub referred_on: String,
    pub kind: String,
    pub reasons: Vec<String>,
    pub urgency: String,
    pub description: String,
    pub personnummer: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub municipality: String,
    /// For a relative or a self-referral: who referred and how to reach them.
    pub referrer_contact: String,
}

/// A referral form after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralInput {
    pub referred_on: NaiveDate,
    pub kind: ReferrerKind,
    pub reasons: Vec<ReferralReason>,
    pub urgency: Urgency,
    pub description: String,
    pub personnummer: Personnummer,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<Phone>,
    pub municipality: String,
    pub referrer_contact: Option<String>,
}

impl ReferralInput {
    pub fn parse(f: &ReferralForm, today: NaiveDate) -> Result<ReferralInput, AppError> {
        let referred_on = match input::any_date("referred_on", &f.referred_on)? {
            None => today,
            Some(d) if d > today => {
                return Err(AppError::problem(
                    "referred_on",
                    Problem::InFuture,
                    "Datumet kan inte ligga efter dagens datum.",
                ))
            }
            Some(d) if (today - d).num_days() > 366 => {
                return Err(AppError::problem(
                    "referred_on",
                    Problem::NotWithinAYear,
                    "Datumet ligger mer än ett år bakåt. Ange dagens datum eller när oron uppstod i beskrivningen.",
                ))
            }
            Some(d) => d,
        };
        let kind = ReferrerKind::parse(f.kind.trim())?;
        let mut reasons = Vec::new();
        for r in f.reasons.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
            let r = ReferralReason::parse(r)?;
            if !reasons.contains(&r) {
                reasons.push(r);
            }
        }
        if reasons.is_empty() {
            return Err(AppError::problem(
                "reasons",
                crate::error::Problem::Choose,
                "Välj minst ett skäl till remissen.",
            ));
        }
        let urgency = Urgency::parse(f.urgency.trim())?;
        let description = input::text(
            "description",
            "Beskrivningen av oron",
            &f.description,
            true,
            MAX_TEXT,
        )?;
        let personnummer = match f.personnummer.trim() {
            "" => {
                return Err(AppError::problem(
                    "personnummer",
                    Problem::Required,
                    "Personnummer eller samordningsnummer måste fyllas i.",
                ))
            }
            s => Personnummer::parse(s, today).map_err(|e| {
                AppError::problem("personnummer", Problem::Personnummer, e.to_string())
            })?,
        };
        let first_name = input::text("first_name", "Förnamnet", &f.first_name, true, MAX_SHORT)?;
        let last_name = input::text("last_name", "Efternamnet", &f.last_name, true, MAX_SHORT)?;
        let phone = match f.phone.trim() {
            "" => None,
            s => Some(
                Phone::parse(s)
                    .map_err(|e| AppError::problem("phone", Problem::Phone, e.to_string()))?,
            ),
        };
        let municipality = input::text("municipality", "Kommunen", &f.municipality, true, 60)?;
        let referrer_contact = if kind.is_private_person() {
            Some(input::text(
                "referrer_contact",
                "Namn och kontaktuppgift till den som anmäler",
                &f.referrer_contact,
                true,
                MAX_SHORT,
            )?)
        } else {
            None
        };
        Ok(ReferralInput {
            referred_on,
            kind,
            reasons,
            urgency,
            description,
            personnummer,
            first_name,
            last_name,
            phone,
            municipality,
            referrer_contact,
        })
    }
}

/// What the referring side is answered after sending: the same shape, whoever the person is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralReceipt {
    pub number: String,
    pub received_on: NaiveDate,
}

/// One of the referring organisation's own referrals, as it may see it: number, date and
/// "mottagen" — never the person, the status or the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmittedReferral {
    pub number: String,
    pub referred_on: NaiveDate,
    /// The day it was received (Swedish date): no time of day, nothing that tells two apart.
    pub received_on: NaiveDate,
}

/// A referral in the receiving unit's queue (no sealed field: the list opens no key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralRow {
    pub id: String,
    pub number: String,
    pub referred_on: NaiveDate,
    pub received_at: DateTime<Utc>,
    pub kind: ReferrerKind,
    pub from_org: String,
    pub reasons: Vec<ReferralReason>,
    pub urgency: Urgency,
    pub status: ReferralStatus,
    pub municipality: String,
}

/// One status change of a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralStep {
    pub to: ReferralStatus,
    pub at: DateTime<Utc>,
    pub by: String,
}

/// A referral opened by the receiving unit (an audited read; sealed fields opened).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralView {
    pub row: ReferralRow,
    pub description: String,
    pub personnummer: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub referrer_contact: Option<String>,
    pub submitted_by: String,
    pub decline_reason: Option<String>,
    /// The case opened on acceptance.
    pub case_id: Option<String>,
    /// The person already has a case with the receiving unit (found by personnummer).
    pub known_here: bool,
    pub forwarded_from: Option<String>,
    pub steps: Vec<ReferralStep>,
    pub version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
    }

    fn form() -> ReferralForm {
        ReferralForm {
            referred_on: "2026-03-01".into(),
            kind: "police".into(),
            reasons: vec!["recruitment".into(), "threats".into(), "recruitment".into()],
            urgency: "urgent".into(),
            description: "Oro för rekrytering.".into(),
            personnummer: crate::person::fictional_personnummer(7).as_str().into(),
            first_name: "Ali".into(),
            last_name: "Demo".into(),
            phone: String::new(),
            municipality: "Göteborg".into(),
            referrer_contact: String::new(),
        }
    }

    #[test]
    fn a_valid_form_parses_and_reasons_are_deduplicated() {
        let r = ReferralInput::parse(&form(), today()).unwrap();
        assert_eq!(
            r.reasons,
            vec![ReferralReason::Recruitment, ReferralReason::Threats]
        );
        assert_eq!(r.urgency, Urgency::Urgent);
        assert_eq!(r.referrer_contact, None);
    }

    #[test]
    fn each_missing_or_wrong_field_is_named_with_a_swedish_message() {
        type Change = Box<dyn Fn(&mut ReferralForm)>;
        let cases: Vec<(&str, Change)> = vec![
            ("reasons", Box::new(|f| f.reasons.clear())),
            ("description", Box::new(|f| f.description = " ".into())),
            ("personnummer", Box::new(|f| f.personnummer = "".into())),
            (
                "personnummer",
                Box::new(|f| f.personnummer = "12345".into()),
            ),
            ("first_name", Box::new(|f| f.first_name = "".into())),
            ("urgency", Box::new(|f| f.urgency = "later".into())),
            ("kind", Box::new(|f| f.kind = "neighbour".into())),
            (
                "referred_on",
                Box::new(|f| f.referred_on = "2026-04-01".into()),
            ),
            ("municipality", Box::new(|f| f.municipality = "".into())),
            (
                "referrer_contact",
                Box::new(|f| {
                    f.kind = "family".into();
                    f.referrer_contact = "".into()
                }),
            ),
        ];
        for (field, change) in cases {
            let mut f = form();
            change(&mut f);
            let e = ReferralInput::parse(&f, today()).unwrap_err();
            assert_eq!(e.field(), Some(field), "{e:?}");
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn status_changes_follow_the_flow_and_a_decision_is_final() {
        use ReferralStatus as S;
        assert!(S::New.check_transition(S::UnderReview).is_ok());
        assert!(S::New.check_transition(S::Declined).is_ok());
        assert!(S::New.check_transition(S::Forwarded).is_ok());
        assert!(S::New.check_transition(S::Accepted).is_err());
        assert!(S::UnderReview.check_transition(S::Accepted).is_ok());
        assert!(S::Forwarded.check_transition(S::UnderReview).is_ok());
        for done in [S::Accepted, S::Declined] {
            for to in S::ALL {
                assert!(done.check_transition(to).is_err());
            }
        }
    }
}
