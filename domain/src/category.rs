//! Data categories: the unit in which access is granted, consented to, masked and audited.

use serde::{Deserialize, Serialize};

use super::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Identity,
    ContactInfo,
    Location,
    Safety,
    Housing,
    Occupation,
    Health,
    Justice,
    Contacts,
    Plan,
    Notes,
}

impl Category {
    pub const ALL: [Category; 11] = [
        Category::Identity,
        Category::ContactInfo,
        Category::Location,
        Category::Safety,
        Category::Housing,
        Category::Occupation,
        Category::Health,
        Category::Justice,
        Category::Contacts,
        Category::Plan,
        Category::Notes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Identity => "identity",
            Category::ContactInfo => "contact_info",
            Category::Location => "location",
            Category::Safety => "safety",
            Category::Housing => "housing",
            Category::Occupation => "occupation",
            Category::Health => "health",
            Category::Justice => "justice",
            Category::Contacts => "contacts",
            Category::Plan => "plan",
            Category::Notes => "notes",
        }
    }

    pub fn parse(s: &str) -> Result<Category, AppError> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                AppError::problem(
                    "categories",
                    crate::error::Problem::Unknown,
                    "Okänd uppgiftskategori.",
                )
            })
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Identity => "Identitet",
            Category::ContactInfo => "Kontaktuppgifter",
            Category::Location => "Adress och vistelseort",
            Category::Safety => "Säkerhet och skydd",
            Category::Housing => "Boende",
            Category::Occupation => "Sysselsättning",
            Category::Health => "Hälsa",
            Category::Justice => "Rättsliga uppgifter",
            Category::Contacts => "Kontakter och möten",
            Category::Plan => "Handlingsplan",
            Category::Notes => "Anteckningar",
        }
    }
}

/// What is shown instead of a value the reader may not see.
pub const MASK: &str = "••••";

/// What is shown in place of a stored value that fails to open: altered, moved to another place
/// or sealed under another key. The rest of the page stays readable; the value itself is for the
/// system administrator to restore (`utvag integrity check` names it).
pub const DAMAGED: &str = "uppgiften kan inte läsas – kontakta systemförvaltare";

/// A value as a particular reader sees it: the value, or masked with the reason kept for the UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Shown<T> {
    Value(T),
    Empty,
    Masked,
    /// Stored, and the reader may see it, but it fails to open (see [`DAMAGED`]).
    Damaged,
}

impl<T> Shown<T> {
    pub fn value(&self) -> Option<&T> {
        match self {
            Shown::Value(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_masked(&self) -> bool {
        matches!(self, Shown::Masked)
    }

    pub fn is_damaged(&self) -> bool {
        matches!(self, Shown::Damaged)
    }
}

impl Shown<String> {
    /// Text for display: the value, a dash when empty, the mask when hidden, the damage notice
    /// when it fails to open.
    pub fn text(&self) -> String {
        match self {
            Shown::Value(v) => v.clone(),
            Shown::Empty => "–".to_string(),
            Shown::Masked => MASK.to_string(),
            Shown::Damaged => DAMAGED.to_string(),
        }
    }
}
