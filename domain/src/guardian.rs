//! A young person's guardians (vårdnadshavare) and other parents: contact details sealed with
//! the participant's key, whether they have custody, and the guardians' consent to the work,
//! which must be recorded while the person is under 18.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::input::{any_date, text, MAX_SHORT};
use super::person::{Email, Phone};
use super::{AppError, Problem};

/// How the person is related to the young person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuardianRelation {
    Mother,
    Father,
    AppointedGuardian,
    OtherParent,
    Other,
}

impl GuardianRelation {
    pub const ALL: &'static [GuardianRelation] = &[
        GuardianRelation::Mother,
        GuardianRelation::Father,
        GuardianRelation::AppointedGuardian,
        GuardianRelation::OtherParent,
        GuardianRelation::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GuardianRelation::Mother => "mother",
            GuardianRelation::Father => "father",
            GuardianRelation::AppointedGuardian => "appointed_guardian",
            GuardianRelation::OtherParent => "other_parent",
            GuardianRelation::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GuardianRelation::Mother => "Mamma",
            GuardianRelation::Father => "Pappa",
            GuardianRelation::AppointedGuardian => "Särskilt förordnad vårdnadshavare",
            GuardianRelation::OtherParent => "Bonusförälder eller annan förälder",
            GuardianRelation::Other => "Annan anhörig",
        }
    }

    pub fn parse(s: &str) -> Result<GuardianRelation, AppError> {
        GuardianRelation::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                AppError::problem(
                    "relation",
                    crate::error::Problem::Choose,
                    "Välj relation till den unga.",
                )
            })
    }
}

/// A validated guardian form.
#[derive(Clone, PartialEq, Eq)]
pub struct GuardianInput {
    pub name: String,
    pub relation: GuardianRelation,
    pub custody: bool,
    /// Normalised (E.164) when given.
    pub phone: String,
    pub email: String,
    pub address: String,
}

crate::redact::redacted_debug!(GuardianInput {
    name,
    relation,
    custody,
    phone,
    email,
    address
});

impl GuardianInput {
    pub fn parse(
        name: &str,
        relation: &str,
        custody: bool,
        phone: &str,
        email: &str,
        address: &str,
    ) -> Result<GuardianInput, AppError> {
        let name = text("name", "Namnet", name, true, 120)?;
        let relation = GuardianRelation::parse(relation.trim())?;
        let phone = match phone.trim() {
            "" => String::new(),
            p => Phone::parse(p)
                .map_err(|e| AppError::problem("phone", Problem::Phone, e.to_string()))?
                .as_str()
                .to_string(),
        };
        let email = match email.trim() {
            "" => String::new(),
            e => Email::parse(e)
                .map_err(|err| AppError::problem("email", Problem::Email, err.to_string()))?
                .as_str()
                .to_string(),
        };
        let address = text("address", "Adressen", address, false, MAX_SHORT)?;
        Ok(GuardianInput {
            name,
            relation,
            custody,
            phone,
            email,
            address,
        })
    }
}

/// A validated record of the guardians' consent: when it was given and what it covers.
#[derive(Clone, PartialEq, Eq)]
pub struct ConsentInput {
    pub given_on: NaiveDate,
    pub scope: String,
}

crate::redact::redacted_debug!(ConsentInput { given_on, scope });

impl ConsentInput {
    /// A consent given on a day up to `today`, with what it covers.
    pub fn parse(given_on: &str, scope: &str, today: NaiveDate) -> Result<ConsentInput, AppError> {
        let given_on = any_date("given_on", given_on)?.ok_or_else(|| {
            AppError::problem(
                "given_on",
                Problem::DateRequired,
                "Ange när samtycket gavs.",
            )
        })?;
        if given_on > today {
            return Err(AppError::problem(
                "given_on",
                Problem::InFuture,
                "Ett samtycke kan inte vara givet i framtiden.",
            ));
        }
        let scope = text("scope", "Vad samtycket omfattar", scope, true, 500)?;
        Ok(ConsentInput { given_on, scope })
    }
}

/// A recorded consent as a reader sees it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardianConsentDto {
    pub given_on: NaiveDate,
    pub scope: String,
    pub recorded_by: String,
}

crate::redact::redacted_debug!(GuardianConsentDto {
    given_on,
    scope,
    recorded_by
});

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardianDto {
    pub id: String,
    pub name: String,
    pub relation: GuardianRelation,
    pub custody: bool,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub consent: Option<GuardianConsentDto>,
}

crate::redact::redacted_debug!(GuardianDto {
    id,
    name,
    relation,
    custody,
    phone,
    email,
    address,
    consent
});

/// The guardians tab of a case.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardiansDto {
    pub guardians: Vec<GuardianDto>,
    /// The person is (or, with only a birth year known, may be) under 18.
    pub minor: bool,
    /// A minor without any recorded guardian consent: the case shows a warning.
    pub consent_missing: bool,
    pub can_edit: bool,
}

crate::redact::redacted_debug!(GuardiansDto {
    guardians,
    minor,
    consent_missing,
    can_edit
});

/// Whether a person is under 18 on `today`: exactly from the birth date when it is known (from
/// the personnummer); from the birth year alone, anyone who turns 18 this year or later counts
/// as under 18, so a missing consent is never overlooked for lack of the exact day.
pub fn is_minor(birth_date: Option<NaiveDate>, birth_year: i32, today: NaiveDate) -> bool {
    match birth_date {
        Some(b) => {
            let eighteen = NaiveDate::from_ymd_opt(b.year() + 18, b.month(), b.day())
                // Born on 29 February: 18 on 1 March of a common year.
                .or_else(|| NaiveDate::from_ymd_opt(b.year() + 18, 3, 1));
            eighteen.is_none_or(|e| today < e)
        }
        None => today.year() - birth_year <= 18,
    }
}

/// Whether the warning "Vårdnadshavares samtycke saknas" applies: a minor, and no guardian's
/// consent recorded.
pub fn consent_missing(minor: bool, guardians: &[GuardianDto]) -> bool {
    minor && !guardians.iter().any(|g| g.consent.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn under_18_is_exact_with_a_birth_date_and_cautious_with_a_year() {
        let today = d("2026-11-30");
        assert!(is_minor(Some(d("2008-12-01")), 2008, today));
        assert!(!is_minor(Some(d("2008-11-30")), 2008, today));
        assert!(!is_minor(Some(d("2000-01-01")), 2000, today));
        // Only the year: who turns 18 this year may still be 17.
        assert!(is_minor(None, 2008, today));
        assert!(is_minor(None, 2012, today));
        assert!(!is_minor(None, 2007, today));
        assert!(!is_minor(Some(d("2008-02-29")), 2008, d("2026-03-01")));
        assert!(is_minor(Some(d("2008-02-29")), 2008, d("2026-02-28")));
    }

    #[test]
    fn the_warning_shows_for_a_minor_until_some_guardian_consents() {
        let mut g = GuardianDto {
            id: "g".into(),
            name: "A".into(),
            relation: GuardianRelation::Mother,
            custody: true,
            phone: String::new(),
            email: String::new(),
            address: String::new(),
            consent: None,
        };
        assert!(consent_missing(true, std::slice::from_ref(&g)));
        assert!(consent_missing(true, &[]));
        assert!(!consent_missing(false, &[]));
        g.consent = Some(GuardianConsentDto {
            given_on: d("2026-01-01"),
            scope: "Insatser".into(),
            recorded_by: "H".into(),
        });
        assert!(!consent_missing(true, &[g]));
    }

    #[test]
    fn the_forms_give_their_messages_beside_the_field() {
        let today = d("2026-11-30");
        let f = |e: AppError| e.field().map(str::to_string);
        assert_eq!(
            f(GuardianInput::parse("", "mother", true, "", "", "").unwrap_err()),
            Some("name".into())
        );
        assert_eq!(
            f(GuardianInput::parse("A", "aunt", true, "", "", "").unwrap_err()),
            Some("relation".into())
        );
        assert_eq!(
            f(GuardianInput::parse("A", "mother", true, "12", "", "").unwrap_err()),
            Some("phone".into())
        );
        assert_eq!(
            f(ConsentInput::parse("2026-12-01", "Allt", today).unwrap_err()),
            Some("given_on".into())
        );
        assert_eq!(
            f(ConsentInput::parse("2026-11-01", " ", today).unwrap_err()),
            Some("scope".into())
        );
        let ok = GuardianInput::parse("Anna A", "mother", true, "070-123 45 67", "", "").unwrap();
        assert!(ok.phone.starts_with("+46"));
    }
}
