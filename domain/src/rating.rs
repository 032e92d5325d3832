//! Outcome ratings: at intake and at each plan review the case worker and the participant each
//! rate every life domain from 1 (acute problem) to 5 (stable, managing on their own). The
//! participant's own rating is their voice in the record; the two are kept apart and never
//! averaged, because where they differ is itself worth talking about.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::casework::LifeDomain;
use super::input::{date, text};
use super::{AppError, Problem, Shown, MAX_TEXT};

/// The lowest and highest step of the scale.
pub const MIN_SCORE: u8 = 1;
pub const MAX_SCORE: u8 = 5;

/// When a rating set was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Occasion {
    Intake,
    Review,
}

impl Occasion {
    pub const ALL: [Occasion; 2] = [Occasion::Intake, Occasion::Review];

    pub fn as_str(self) -> &'static str {
        match self {
            Occasion::Intake => "intake",
            Occasion::Review => "review",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Occasion::Intake => "Inskrivning",
            Occasion::Review => "Planuppföljning",
        }
    }

    pub fn parse(s: &str) -> Result<Occasion, AppError> {
        Occasion::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| {
                AppError::problem(
                    "occasion",
                    crate::error::Problem::Choose,
                    "Välj inskrivning eller uppföljning.",
                )
            })
    }
}

/// Whose rating a set is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rater {
    CaseWorker,
    Participant,
}

impl Rater {
    pub const ALL: [Rater; 2] = [Rater::CaseWorker, Rater::Participant];

    pub fn as_str(self) -> &'static str {
        match self {
            Rater::CaseWorker => "case_worker",
            Rater::Participant => "participant",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Rater::CaseWorker => "Handläggarens skattning",
            Rater::Participant => "Deltagarens egen skattning",
        }
    }

    pub fn parse(s: &str) -> Result<Rater, AppError> {
        Rater::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                AppError::problem(
                    "rater",
                    crate::error::Problem::Choose,
                    "Välj vems skattning det är.",
                )
            })
    }
}

/// What each step of the scale means in a domain, from 1 to 5. Shown beside the form so two
/// people rating the same situation land on the same step.
pub fn steps(d: LifeDomain) -> [&'static str; 5] {
    match d {
        LifeDomain::Safety => [
            "Akut hot, behöver skydd nu",
            "Allvarligt hot, skyddsåtgärder pågår",
            "Hot finns men hanteras med stöd",
            "Lågt hot, känner sig mest trygg",
            "Trygg, inget känt hot",
        ],
        LifeDomain::Housing => [
            "Saknar boende eller måste flytta akut",
            "Tillfälligt eller skyddat boende",
            "Andrahandsboende eller boende med stöd",
            "Eget boende, behöver visst stöd",
            "Stabilt eget boende",
        ],
        LifeDomain::Occupation => [
            "Ingen sysselsättning och ingen plan",
            "Har börjat planera arbete eller praktik",
            "Insats pågår (praktik, arbetsmarknadsprogram)",
            "Arbete eller studier med stöd",
            "Egen försörjning genom arbete",
        ],
        LifeDomain::Education => [
            "Avbruten skolgång, ingen plan",
            "Kartläggning eller plan för studier",
            "Studerar med mycket frånvaro eller stöd",
            "Studerar regelbundet",
            "Klarar studierna självständigt",
        ],
        LifeDomain::Health => [
            "Akuta hälsoproblem utan vård",
            "Allvarliga besvär, vård har inletts",
            "Besvär som behandlas",
            "Mår mestadels bra",
            "God hälsa, söker vård själv vid behov",
        ],
        LifeDomain::SubstanceUse => [
            "Omfattande missbruk, akut risk",
            "Missbruk, behandling har inletts",
            "Minskat bruk, behandling pågår",
            "Enstaka återfall",
            "Inget missbruk",
        ],
        LifeDomain::Family => [
            "Akuta konflikter eller hot i familjen",
            "Svåra relationer, kontakt med stöd",
            "Relationer som förbättras",
            "Mestadels stödjande relationer",
            "Stabila och stödjande relationer",
        ],
        LifeDomain::Finances => [
            "Skulder till nätverket eller akut utan pengar",
            "Stora skulder, ingen plan",
            "Försörjningsstöd och plan för skulderna",
            "Klarar ekonomin med visst stöd",
            "Egen stabil ekonomi",
        ],
        LifeDomain::LeavingNetwork => [
            "Fortfarande aktiv i nätverket",
            "Vill lämna men har täta kontakter kvar",
            "Har brutit med de flesta kontakterna",
            "Enstaka kontakter, hanterar dem",
            "Har lämnat och har nya sammanhang",
        ],
        LifeDomain::Leisure => [
            "Ingen fritid utanför nätverket",
            "Isolerad, få kontakter utanför nätverket",
            "Har börjat med någon ny aktivitet",
            "Regelbundna aktiviteter med nya kontakter",
            "Meningsfull fritid och nya vänner",
        ],
    }
}

/// One domain's score, or `None` when the domain was left unrated.
pub type Score = (LifeDomain, Option<u8>);

/// A checked rating set.
#[derive(Clone, PartialEq)]
pub struct ValidRating {
    pub date: NaiveDate,
    pub occasion: Occasion,
    /// The plan review a review rating belongs to.
    pub review_id: Option<String>,
    pub rater: Rater,
    /// Only the rated domains, in the order of [`LifeDomain::ALL`].
    pub scores: Vec<(LifeDomain, u8)>,
    pub comment: String,
}

crate::redact::redacted_debug!(ValidRating {
    date,
    occasion,
    review_id,
    rater,
    scores,
    comment
});

/// The form as posted: each `(domain, score)` pair as text, the score empty when left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RatingForm {
    pub date: String,
    pub occasion: String,
    pub review_id: String,
    pub rater: String,
    pub scores: Vec<(String, String)>,
    pub comment: String,
}

/// The rating form's fields as a plain HTML form posts them (`form[housing]` and so on): one
/// field per domain, empty when left unrated.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RatingFields {
    pub date: String,
    pub occasion: String,
    pub review_id: String,
    pub rater: String,
    pub comment: String,
    pub safety: String,
    pub housing: String,
    pub occupation: String,
    pub education: String,
    pub health: String,
    pub substance_use: String,
    pub family: String,
    pub finances: String,
    pub leaving_network: String,
    pub leisure: String,
}

impl RatingFields {
    pub fn into_form(self) -> RatingForm {
        let scores = [
            (LifeDomain::Safety, self.safety),
            (LifeDomain::Housing, self.housing),
            (LifeDomain::Occupation, self.occupation),
            (LifeDomain::Education, self.education),
            (LifeDomain::Health, self.health),
            (LifeDomain::SubstanceUse, self.substance_use),
            (LifeDomain::Family, self.family),
            (LifeDomain::Finances, self.finances),
            (LifeDomain::LeavingNetwork, self.leaving_network),
            (LifeDomain::Leisure, self.leisure),
        ]
        .into_iter()
        .map(|(d, v)| (d.as_str().to_string(), v))
        .collect();
        RatingForm {
            date: self.date,
            occasion: self.occasion,
            review_id: self.review_id,
            rater: self.rater,
            scores,
            comment: self.comment,
        }
    }
}

impl ValidRating {
    /// Checks the form. A score is a whole number 1–5 for a known domain; a domain given twice
    /// or a set with no score at all is refused; the date may not lie in the future.
    pub fn parse(f: &RatingForm, today: NaiveDate) -> Result<ValidRating, AppError> {
        let occasion = Occasion::parse(f.occasion.trim())?;
        let rater = Rater::parse(f.rater.trim())?;
        let d = date("date", &f.date, today, true)?.unwrap_or(today);
        if d > today {
            return Err(AppError::problem(
                "date",
                crate::error::Problem::InFuture,
                "En skattning kan inte vara gjord i framtiden.",
            ));
        }
        let review_id = match (occasion, f.review_id.trim()) {
            (Occasion::Intake, _) => None,
            (Occasion::Review, "") => {
                return Err(AppError::problem(
                    "review_id",
                    crate::error::Problem::Choose,
                    "Välj vilken planuppföljning skattningen hör till.",
                ))
            }
            (Occasion::Review, id) => Some(id.to_string()),
        };
        let mut scores: Vec<(LifeDomain, u8)> = Vec::new();
        for (dom, v) in &f.scores {
            let dom = LifeDomain::parse(dom.trim())?;
            if scores.iter().any(|(x, _)| *x == dom) {
                return Err(AppError::problem(
                    "domain",
                    Problem::RatedTwice,
                    format!("{} är skattat två gånger.", dom.label()),
                ));
            }
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            let n: u8 = v
                .parse()
                .ok()
                .filter(|n| (MIN_SCORE..=MAX_SCORE).contains(n))
                .ok_or_else(|| {
                    AppError::problem(
                        &score_field(dom),
                        crate::error::Problem::Range { min: 1, max: 5 },
                        format!("Ange {} med en siffra 1–5.", dom.label().to_lowercase()),
                    )
                })?;
            scores.push((dom, n));
        }
        if scores.is_empty() {
            return Err(AppError::problem(
                "scores",
                Problem::RateOne,
                "Skatta minst ett livsområde.",
            ));
        }
        scores.sort_by_key(|(d, _)| LifeDomain::ALL.iter().position(|x| x == d));
        let comment = text("comment", "Kommentaren", &f.comment, false, MAX_TEXT)?;
        Ok(ValidRating {
            date: d,
            occasion,
            review_id,
            rater,
            scores,
            comment,
        })
    }
}

/// The form field of a domain's score.
pub fn score_field(d: LifeDomain) -> String {
    format!("score_{}", d.as_str())
}

/// One rating set as the case's readers see it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingSetDto {
    pub id: String,
    pub date: NaiveDate,
    pub occasion: Occasion,
    pub review_id: Option<String>,
    pub rater: Rater,
    /// Every domain in the order of [`LifeDomain::ALL`]; `None` where left unrated.
    pub scores: Vec<Score>,
    pub comment: Shown<String>,
}

crate::redact::redacted_debug!(RatingSetDto {
    id,
    date,
    occasion,
    review_id,
    rater,
    scores,
    comment
});

impl RatingSetDto {
    pub fn score(&self, d: LifeDomain) -> Option<u8> {
        self.scores
            .iter()
            .find(|(x, _)| *x == d)
            .and_then(|(_, s)| *s)
    }
}

/// A plan review a new rating set may belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRef {
    pub id: String,
    pub date: NaiveDate,
}

/// A case's ratings, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingsDto {
    pub sets: Vec<RatingSetDto>,
    pub reviews: Vec<ReviewRef>,
    /// The reader may add a rating set (the owning team).
    pub can_edit: bool,
}

impl RatingsDto {
    /// The change per domain for one rater: the first intake set against the latest set, as
    /// (domain, first, latest), for domains rated in both. Empty with fewer than two sets.
    pub fn change(&self, rater: Rater) -> Vec<(LifeDomain, u8, u8)> {
        let mine: Vec<&RatingSetDto> = self.sets.iter().filter(|s| s.rater == rater).collect();
        let first = mine.iter().find(|s| s.occasion == Occasion::Intake);
        let (Some(first), Some(last)) = (first, mine.last()) else {
            return Vec::new();
        };
        if first.id == last.id {
            return Vec::new();
        }
        LifeDomain::ALL
            .iter()
            .filter_map(|d| Some((*d, first.score(*d)?, last.score(*d)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(scores: &[(&str, &str)]) -> RatingForm {
        RatingForm {
            date: "2026-03-01".into(),
            occasion: "intake".into(),
            review_id: String::new(),
            rater: "participant".into(),
            scores: scores
                .iter()
                .map(|(d, s)| (d.to_string(), s.to_string()))
                .collect(),
            comment: String::new(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
    }

    #[test]
    fn scores_are_whole_steps_from_one_to_five_for_known_domains() {
        let v = ValidRating::parse(
            &form(&[("housing", "2"), ("safety", "5"), ("health", "")]),
            today(),
        )
        .unwrap();
        assert_eq!(
            v.scores,
            vec![(LifeDomain::Safety, 5), (LifeDomain::Housing, 2)]
        );
        for bad in ["0", "6", "2.5", "-1", "x"] {
            let e = ValidRating::parse(&form(&[("housing", bad)]), today()).unwrap_err();
            assert_eq!(e.field(), Some("score_housing"), "{bad}");
        }
        let e = ValidRating::parse(&form(&[("charisma", "3")]), today()).unwrap_err();
        assert_eq!(e.field(), Some("domain"));
        let e =
            ValidRating::parse(&form(&[("health", "3"), ("health", "4")]), today()).unwrap_err();
        assert_eq!(e.field(), Some("domain"));
        let e = ValidRating::parse(&form(&[("health", "")]), today()).unwrap_err();
        assert_eq!(e.field(), Some("scores"));
    }

    #[test]
    fn a_review_rating_names_its_review_and_no_rating_lies_ahead() {
        let mut f = form(&[("health", "3")]);
        f.occasion = "review".into();
        assert_eq!(
            ValidRating::parse(&f, today()).unwrap_err().field(),
            Some("review_id")
        );
        f.review_id = "r1".into();
        assert_eq!(
            ValidRating::parse(&f, today())
                .unwrap()
                .review_id
                .as_deref(),
            Some("r1")
        );
        f.date = "2026-03-11".into();
        assert_eq!(
            ValidRating::parse(&f, today()).unwrap_err().field(),
            Some("date")
        );
        f.date = "2026-03-01".into();
        f.rater = "neighbour".into();
        assert_eq!(
            ValidRating::parse(&f, today()).unwrap_err().field(),
            Some("rater")
        );
    }

    #[test]
    fn every_domain_has_five_defined_steps() {
        for d in LifeDomain::ALL {
            assert!(steps(*d).iter().all(|s| !s.is_empty()), "{d:?}");
        }
    }
}
