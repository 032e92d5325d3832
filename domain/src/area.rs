//! Areas: a district or a school area within a municipality, the unit a situation picture
//! (lägesbild) is drawn up for.

use serde::{Deserialize, Serialize};

use super::input;
use super::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    /// A district (stadsdel) or part of a municipality.
    District,
    /// The catchment of one or more schools (skolområde).
    SchoolArea,
}

impl AreaKind {
    pub const ALL: [AreaKind; 2] = [AreaKind::District, AreaKind::SchoolArea];

    pub fn as_str(self) -> &'static str {
        match self {
            AreaKind::District => "district",
            AreaKind::SchoolArea => "school_area",
        }
    }

    pub fn parse(s: &str) -> Result<AreaKind, AppError> {
        AreaKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                AppError::problem(
                    "kind",
                    crate::error::Problem::Choose,
                    "Välj stadsdel eller skolområde.",
                )
            })
    }

    pub fn label(self) -> &'static str {
        match self {
            AreaKind::District => "Stadsdel",
            AreaKind::SchoolArea => "Skolområde",
        }
    }
}

/// An area as every signed-in user may see it (names of places are not personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaDto {
    pub id: String,
    pub municipality: String,
    pub name: String,
    pub kind: AreaKind,
    pub active: bool,
}

/// A validated new-area form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaInput {
    pub municipality: String,
    pub name: String,
    pub kind: AreaKind,
}

impl AreaInput {
    pub fn parse(municipality: &str, name: &str, kind: &str) -> Result<AreaInput, AppError> {
        Ok(AreaInput {
            municipality: input::text("municipality", "Kommunen", municipality, true, 60)?,
            name: input::text("name", "Områdets namn", name, true, 120)?,
            kind: AreaKind::parse(kind)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_area_needs_a_municipality_a_name_and_a_known_kind() {
        let a = AreaInput::parse(" Göteborg ", "Angered", "district").unwrap();
        assert_eq!(a.municipality, "Göteborg");
        assert_eq!(a.kind, AreaKind::District);
        assert_eq!(
            AreaInput::parse("", "Angered", "district")
                .unwrap_err()
                .field(),
            Some("municipality")
        );
        assert!(AreaInput::parse("Göteborg", "Angered", "county").is_err());
        assert!(AreaInput::parse("Göteborg", &"x".repeat(121), "district").is_err());
    }
}
