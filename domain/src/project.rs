//! Funded projects (e.g. an ESF+ project) and participants' enrolment in them: the funder asks
//! for figures about exactly the people who took part while the project ran.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::input::{any_date, text};
use super::{AppError, Problem};

/// A validated project form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectInput {
    pub name: String,
    pub funder: String,
    pub number: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The funder's share of the costs, in percent.
    pub cofinancing: u8,
}

impl ProjectInput {
    pub fn parse(
        name: &str,
        funder: &str,
        number: &str,
        from: &str,
        to: &str,
        cofinancing: &str,
    ) -> Result<ProjectInput, AppError> {
        let name = text("name", "Projektets namn", name, true, 120)?;
        let funder = text("funder", "Finansiären", funder, true, 120)?;
        let number = text("number", "Projektnumret", number, false, 60)?;
        let from = any_date("from", from)?.ok_or_else(|| {
            AppError::problem(
                "from",
                crate::error::Problem::DateRequired,
                "Ange när projektet börjar.",
            )
        })?;
        let to = any_date("to", to)?.ok_or_else(|| {
            AppError::problem(
                "to",
                crate::error::Problem::DateRequired,
                "Ange när projektet slutar.",
            )
        })?;
        if to < from {
            return Err(AppError::problem(
                "to",
                crate::error::Problem::EndBeforeStart,
                "Projektet kan inte sluta innan det har börjat.",
            ));
        }
        let cofinancing = cofinancing
            .trim()
            .trim_end_matches('%')
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|n| *n <= 100)
            .ok_or_else(|| {
                AppError::problem(
                    "cofinancing",
                    crate::error::Problem::Range { min: 0, max: 100 },
                    "Ange medfinansieringen som ett heltal 0–100 (procent).",
                )
            })?;
        Ok(ProjectInput {
            name,
            funder,
            number,
            from,
            to,
            cofinancing,
        })
    }
}

/// A project as those who may list projects see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectDto {
    pub id: String,
    pub name: String,
    pub funder: String,
    pub number: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub cofinancing: u8,
}

impl ProjectDto {
    /// "Vägen ut – ESF+ (2024/00123)".
    pub fn title(&self) -> String {
        if self.number.is_empty() {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, self.number)
        }
    }
}

/// A checked entry and (optional) exit date within the project's period.
pub fn enrolment_dates(
    p: &ProjectDto,
    entry: &str,
    exit: &str,
    today: NaiveDate,
) -> Result<(NaiveDate, Option<NaiveDate>), AppError> {
    let entry = any_date("entry", entry)?.ok_or_else(|| {
        AppError::problem(
            "entry",
            crate::error::Problem::DateRequired,
            "Ange datum för inträdet i projektet.",
        )
    })?;
    let exit = any_date("exit", exit)?;
    let outside = |d: NaiveDate| d < p.from || d > p.to;
    let period = format!("{} – {}", p.from, p.to);
    if outside(entry) {
        return Err(AppError::problem(
            "entry",
            Problem::OutsideProjectPeriod,
            format!("Inträdet ska ligga inom projektets period ({period})."),
        ));
    }
    if entry > today {
        return Err(AppError::problem(
            "entry",
            crate::error::Problem::InFuture,
            "Inträdet kan inte registreras i förväg.",
        ));
    }
    if let Some(x) = exit {
        if outside(x) {
            return Err(AppError::problem(
                "exit",
                Problem::OutsideProjectPeriod,
                format!("Utträdet ska ligga inom projektets period ({period})."),
            ));
        }
        if x < entry {
            return Err(AppError::problem(
                "exit",
                Problem::EndBeforeStart,
                "Utträdet kan inte ligga före inträdet.",
            ));
        }
        if x > today {
            return Err(AppError::problem(
                "exit",
                Problem::InFuture,
                "Utträdet kan inte registreras i förväg.",
            ));
        }
    }
    Ok((entry, exit))
}

/// A participant's enrolment in a project, on their case page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentDto {
    pub id: String,
    pub project_id: String,
    pub project: String,
    pub entry: NaiveDate,
    pub exit: Option<NaiveDate>,
}

/// The case page's project section: the case's enrolments and the projects it may join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentsDto {
    pub enrolments: Vec<EnrolmentDto>,
    pub projects: Vec<ProjectDto>,
    pub can_edit: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn esf() -> ProjectDto {
        ProjectDto {
            id: "p".into(),
            name: "Vägen ut".into(),
            funder: "ESF+".into(),
            number: "2024/00123".into(),
            from: d("2024-01-01"),
            to: d("2026-12-31"),
            cofinancing: 50,
        }
    }

    #[test]
    fn a_project_has_a_period_and_a_rate_from_0_to_100() {
        let p = ProjectInput::parse(
            "Vägen ut",
            "ESF+",
            "2024/00123",
            "2024-01-01",
            "2026-12-31",
            "50 %",
        )
        .unwrap();
        assert_eq!(p.cofinancing, 50);
        let f = |r: Result<ProjectInput, AppError>| r.unwrap_err().field().map(str::to_string);
        assert_eq!(
            f(ProjectInput::parse(
                "X",
                "ESF+",
                "",
                "2024-01-01",
                "2023-12-31",
                "50"
            )),
            Some("to".into())
        );
        assert_eq!(
            f(ProjectInput::parse(
                "X",
                "ESF+",
                "",
                "2024-01-01",
                "2024-12-31",
                "101"
            )),
            Some("cofinancing".into())
        );
        assert_eq!(
            f(ProjectInput::parse(
                "",
                "ESF+",
                "",
                "2024-01-01",
                "2024-12-31",
                "0"
            )),
            Some("name".into())
        );
    }

    #[test]
    fn enrolment_dates_lie_within_the_project_and_exit_follows_entry() {
        let today = d("2026-06-01");
        let p = esf();
        assert_eq!(
            enrolment_dates(&p, "2024-02-01", "", today).unwrap(),
            (d("2024-02-01"), None)
        );
        let f = |e: &str, x: &str| {
            enrolment_dates(&p, e, x, today)
                .unwrap_err()
                .field()
                .map(str::to_string)
        };
        assert_eq!(f("2023-12-31", ""), Some("entry".into()));
        assert_eq!(f("", ""), Some("entry".into()));
        assert_eq!(f("2024-02-01", "2024-01-31"), Some("exit".into()));
        assert_eq!(f("2024-02-01", "2027-01-01"), Some("exit".into()));
        assert_eq!(f("2026-07-01", ""), Some("entry".into()));
    }
}
