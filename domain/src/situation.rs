//! Situation pictures (lägesbild, the general level of SSPF): per area and quarter, each
//! organisation contributes observations — worrying places and times, recruitment signals,
//! incidents, what young people report — and the coordinator merges them into one agreed
//! picture with priorities and actions. None of it names a person.
//!
//! The period is a quarter (`2026-Q3`): the council meets about once a quarter, and a month holds
//! too few observations per area for the comparison between periods to mean anything.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::input::{self, MAX_SHORT};
use super::{AppError, AreaDto, Problem};

/// The longest observation text: a short description, not a report.
pub const MAX_OBSERVATION: usize = 1_000;
/// The longest agreed summary of a picture.
pub const MAX_SUMMARY: usize = 4_000;
/// At most this many priorities and actions in one picture.
pub const MAX_ITEMS: usize = 12;

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident, $msg:literal, { $($v:ident => $code:literal, $label:literal;)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($v),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $code),* }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$v => $label),* }
            }

            pub fn parse_field(field: &str, s: &str) -> Result<$name, AppError> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|k| k.as_str() == s.trim())
                    .ok_or_else(|| AppError::problem(field, $crate::error::Problem::Choose, $msg))
            }
        }
    };
}

code_enum!(
    /// What kind of observation.
    ObservationCategory, "Välj vad iakttagelsen gäller.", {
        Places => "places", "Oroande platser och tider";
        Recruitment => "recruitment", "Rekryteringssignaler";
        Incidents => "incidents", "Händelser";
        YouthVoice => "youth_voice", "Vad unga berättar";
    }
);

code_enum!(
    /// How worrying the observation is.
    ConcernLevel, "Välj graden av oro.", {
        Low => "low", "Låg oro";
        Medium => "medium", "Måttlig oro";
        High => "high", "Hög oro";
    }
);

code_enum!(
    /// When in the day a worrying place is worrying.
    TimeOfDay, "Välj en tid på dygnet ur listan.", {
        Morning => "morning", "Morgon";
        Daytime => "daytime", "Dagtid";
        Evening => "evening", "Kväll";
        Night => "night", "Natt";
    }
);

code_enum!(
    /// Which days.
    Days, "Välj dagar ur listan.", {
        Weekdays => "weekdays", "Vardagar";
        Weekend => "weekend", "Helger";
        AllWeek => "all_week", "Hela veckan";
    }
);

code_enum!(
    /// A picture is a draft until the coordinator marks it agreed (by the council).
    PictureStatus, "Välj utkast eller fastställd.", {
        Draft => "draft", "Utkast";
        Agreed => "agreed", "Fastställd";
    }
);

/// A quarter, written `2026-Q3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Period {
    pub year: i32,
    pub quarter: u8,
}

impl Period {
    pub fn of(d: NaiveDate) -> Period {
        Period {
            year: d.year(),
            quarter: (d.month0() / 3 + 1) as u8,
        }
    }

    pub fn parse(s: &str) -> Result<Period, AppError> {
        let bad = || {
            AppError::problem(
                "period",
                Problem::QuarterFormat,
                "Ange perioden som år och kvartal, t.ex. 2026-Q3.",
            )
        };
        let (y, q) = s.trim().split_once("-Q").ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let quarter: u8 = q.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) || !(1..=4).contains(&quarter) || y.len() != 4 {
            return Err(bad());
        }
        Ok(Period { year, quarter })
    }

    pub fn code(self) -> String {
        format!("{}-Q{}", self.year, self.quarter)
    }

    pub fn label(self) -> String {
        format!("Kvartal {} {}", self.quarter, self.year)
    }

    pub fn previous(self) -> Period {
        if self.quarter == 1 {
            Period {
                year: self.year - 1,
                quarter: 4,
            }
        } else {
            Period {
                year: self.year,
                quarter: self.quarter - 1,
            }
        }
    }

    /// This period and the `n - 1` before it, newest first.
    pub fn recent(self, n: usize) -> Vec<Period> {
        let mut out = vec![self];
        while out.len() < n {
            let p = out[out.len() - 1].previous();
            out.push(p);
        }
        out
    }
}

/// A validated observation from the contribution form (before the personal-data check of the
/// core, which needs the register).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContributionInput {
    pub area: String,
    pub period: Period,
    pub category: ObservationCategory,
    pub level: ConcernLevel,
    pub place: Option<String>,
    pub time_of_day: Option<TimeOfDay>,
    pub days: Option<Days>,
    pub text: String,
}

impl ContributionInput {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        area: &str,
        period: &str,
        category: &str,
        level: &str,
        place: &str,
        time_of_day: &str,
        days: &str,
        text: &str,
    ) -> Result<ContributionInput, AppError> {
        let opt = |v: &str| Some(v.trim()).filter(|v| !v.is_empty()).map(str::to_string);
        Ok(ContributionInput {
            area: area.trim().to_string(),
            period: Period::parse(period)?,
            category: ObservationCategory::parse_field("category", category)?,
            level: ConcernLevel::parse_field("level", level)?,
            place: input::optional_text("place", "Platsen", place, MAX_SHORT)?,
            time_of_day: opt(time_of_day)
                .map(|v| TimeOfDay::parse_field("time_of_day", &v))
                .transpose()?,
            days: opt(days)
                .map(|v| Days::parse_field("days", &v))
                .transpose()?,
            text: input::text("text", "Iakttagelsen", text, true, MAX_OBSERVATION)?,
        })
    }

    /// The free-text fields with their form field names, for the personal-data check.
    pub fn texts(&self) -> Vec<(&'static str, &str)> {
        let mut v = vec![("text", self.text.as_str())];
        if let Some(p) = &self.place {
            v.insert(0, ("place", p.as_str()));
        }
        v
    }
}

/// One action the council agrees on: who does what by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PictureAction {
    pub who: String,
    pub what: String,
    pub by: NaiveDate,
}

/// A validated merge form: the agreed summary, priorities in order (one per line) and actions
/// (one per line: `vem; vad; ÅÅÅÅ-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PictureInput {
    pub area: String,
    pub period: Period,
    pub summary: String,
    pub priorities: Vec<String>,
    pub actions: Vec<PictureAction>,
    pub status: PictureStatus,
}

impl PictureInput {
    pub fn parse(
        area: &str,
        period: &str,
        summary: &str,
        priorities: &str,
        actions: &str,
        status: &str,
    ) -> Result<PictureInput, AppError> {
        let status = PictureStatus::parse_field("status", status)?;
        let summary = input::text(
            "summary",
            "Den gemensamma bilden",
            summary,
            status == PictureStatus::Agreed,
            MAX_SUMMARY,
        )?;
        let lines = |v: &str| -> Vec<String> {
            v.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        };
        let priorities = lines(priorities);
        if priorities.len() > MAX_ITEMS {
            return Err(AppError::problem(
                "priorities",
                Problem::TooMany { max: MAX_ITEMS },
                format!("Högst {MAX_ITEMS} prioriteringar."),
            ));
        }
        for (i, p) in priorities.iter().enumerate() {
            input::text(
                "priorities",
                &format!("Prioritering {}", i + 1),
                p,
                true,
                MAX_SHORT,
            )?;
        }
        let mut parsed = Vec::new();
        for (i, l) in lines(actions).iter().enumerate() {
            let n = i + 1;
            let parts: Vec<&str> = l.split(';').map(str::trim).collect();
            let [who, what, by] = parts[..] else {
                return Err(AppError::problem(
                    "actions",
                    Problem::ActionFormat { n },
                    format!(
                        "Åtgärd {n}: skriv vem; vad; senast ÅÅÅÅ-MM-DD, åtskilda med semikolon."
                    ),
                ));
            };
            let who = input::text("actions", &format!("Åtgärd {n}: vem"), who, true, 120)?;
            let what = input::text(
                "actions",
                &format!("Åtgärd {n}: vad"),
                what,
                true,
                MAX_SHORT,
            )?;
            let by = input::any_date("actions", by)?.ok_or_else(|| {
                AppError::problem(
                    "actions",
                    Problem::ActionDate { n },
                    format!("Åtgärd {n}: ange senast-datum."),
                )
            })?;
            parsed.push(PictureAction { who, what, by });
        }
        if parsed.len() > MAX_ITEMS {
            return Err(AppError::problem(
                "actions",
                Problem::TooMany { max: MAX_ITEMS },
                format!("Högst {MAX_ITEMS} åtgärder."),
            ));
        }
        Ok(PictureInput {
            area: area.trim().to_string(),
            period: Period::parse(period)?,
            summary,
            priorities,
            actions: parsed,
            status,
        })
    }

    /// The free-text fields with their form field names, for the personal-data check.
    pub fn texts(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![("summary", self.summary.clone())];
        v.extend(self.priorities.iter().map(|p| ("priorities", p.clone())));
        for a in &self.actions {
            v.push(("actions", format!("{} {}", a.who, a.what)));
        }
        v
    }

    /// The actions as the form shows them again (one per line).
    pub fn actions_text(actions: &[PictureAction]) -> String {
        actions
            .iter()
            .map(|a| format!("{}; {}; {}", a.who, a.what, a.by.format(input::DATE_FORMAT)))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// One observation as its reader may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContributionDto {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    pub category: ObservationCategory,
    pub level: ConcernLevel,
    pub place: Option<String>,
    pub time_of_day: Option<TimeOfDay>,
    pub days: Option<Days>,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// A merged picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PictureDto {
    pub id: String,
    pub area: String,
    pub period: Period,
    pub status: PictureStatus,
    pub summary: String,
    pub priorities: Vec<String>,
    pub actions: Vec<PictureAction>,
    pub updated_at: DateTime<Utc>,
    pub agreed_at: Option<DateTime<Utc>>,
}

/// The number of observations of one category and level in one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodCounts {
    pub period: Period,
    /// `(category, level, count)`, every combination present (zeros included).
    pub cells: Vec<(ObservationCategory, ConcernLevel, u32)>,
}

impl PeriodCounts {
    pub fn get(&self, c: ObservationCategory, l: ConcernLevel) -> u32 {
        self.cells
            .iter()
            .find(|(cc, ll, _)| *cc == c && *ll == l)
            .map_or(0, |x| x.2)
    }

    pub fn total(&self, c: ObservationCategory) -> u32 {
        self.cells
            .iter()
            .filter(|(cc, _, _)| *cc == c)
            .map(|x| x.2)
            .sum()
    }
}

/// The page of one area and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SituationView {
    pub area: AreaDto,
    pub period: Period,
    /// The picture when the reader may see it: always for the coordinator, once agreed for
    /// contributors.
    pub picture: Option<PictureDto>,
    /// Whether a draft exists that the reader may not see yet.
    pub draft_pending: bool,
    /// All contributions for the coordinator; the reader's own organisation's otherwise.
    pub contributions: Vec<ContributionDto>,
    /// Counts per category and level, this period first, then the earlier ones.
    pub comparison: Vec<PeriodCounts>,
    pub may_coordinate: bool,
    /// Whether the reader may still contribute (the period has begun and is not agreed).
    pub open_for_contributions: bool,
}

/// One cell of the overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewCell {
    pub period: Period,
    pub status: Option<PictureStatus>,
    /// All contributions for the coordinator; the reader's own organisation's otherwise.
    pub contributions: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewRow {
    pub area: AreaDto,
    pub cells: Vec<OverviewCell>,
}

/// Areas of the reader's municipalities × the current and the three earlier quarters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SituationOverview {
    pub periods: Vec<Period>,
    pub rows: Vec<OverviewRow>,
    pub may_coordinate: bool,
}

/// A picture with what the print view needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PicturePrint {
    pub area: AreaDto,
    pub picture: PictureDto,
    pub comparison: Vec<PeriodCounts>,
    /// The organisations that contributed, by name.
    pub contributors: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_is_a_quarter_and_knows_the_ones_before_it() {
        let p = Period::parse("2026-Q1").unwrap();
        assert_eq!(p.previous().code(), "2025-Q4");
        assert_eq!(
            Period::of(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()).code(),
            "2026-Q4"
        );
        let codes: Vec<String> = p.recent(3).iter().map(|p| p.code()).collect();
        assert_eq!(codes, ["2026-Q1", "2025-Q4", "2025-Q3"]);
        for bad in ["2026-Q5", "2026-Q0", "26-Q1", "2026Q1", "", "2026-Q1x"] {
            assert_eq!(
                Period::parse(bad).unwrap_err().field(),
                Some("period"),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_observation_needs_a_category_a_level_and_a_text() {
        let c = ContributionInput::parse(
            "angered", "2026-Q4", "places", "high", " Torget ", "evening", "weekend", " Oro ",
        )
        .unwrap();
        assert_eq!(c.place.as_deref(), Some("Torget"));
        assert_eq!(c.days, Some(Days::Weekend));
        assert_eq!(c.texts(), vec![("place", "Torget"), ("text", "Oro")]);
        let err = |r: Result<ContributionInput, AppError>| r.unwrap_err().field().map(String::from);
        assert_eq!(
            err(ContributionInput::parse(
                "a", "2026-Q4", "x", "high", "", "", "", "t"
            ))
            .as_deref(),
            Some("category")
        );
        assert_eq!(
            err(ContributionInput::parse(
                "a", "2026-Q4", "places", "", "", "", "", "t"
            ))
            .as_deref(),
            Some("level")
        );
        assert_eq!(
            err(ContributionInput::parse(
                "a", "2026-Q4", "places", "low", "", "", "", " "
            ))
            .as_deref(),
            Some("text")
        );
    }

    #[test]
    fn priorities_and_actions_are_read_one_per_line() {
        let p = PictureInput::parse(
            "angered",
            "2026-Q4",
            "Bilden",
            "Trygga torget\n\n Fler vuxna ute ",
            "Fritid; Öppna gården fredagar; 2026-12-15\nPolisen; Närvaro vid torget; 2027-01-31",
            "agreed",
        )
        .unwrap();
        assert_eq!(p.priorities, ["Trygga torget", "Fler vuxna ute"]);
        assert_eq!(p.actions.len(), 2);
        assert_eq!(p.actions[1].who, "Polisen");
        assert_eq!(
            PictureInput::actions_text(&p.actions).lines().next(),
            Some("Fritid; Öppna gården fredagar; 2026-12-15")
        );
        let bad = PictureInput::parse("a", "2026-Q4", "x", "", "Fritid; utan datum", "draft");
        assert_eq!(bad.unwrap_err().field(), Some("actions"));
        let empty = PictureInput::parse("a", "2026-Q4", "", "", "", "agreed");
        assert_eq!(empty.unwrap_err().field(), Some("summary"));
        assert!(PictureInput::parse("a", "2026-Q4", "", "", "", "draft").is_ok());
    }
}
