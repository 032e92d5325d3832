//! SSPF groups: young people known to act together, followed as a group by the social-services
//! unit that owns it. Only that unit's case workers and program leads see a group, its links or
//! that a case is in one; partners, police, school and leisure never do.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::input::{any_date, text, MAX_TEXT};
use super::{AppError, CaseStatus, Problem};

/// Longest working label of a group.
pub const MAX_GROUP_NAME: usize = 80;

/// A validated group form. The name is a short working label ("Gruppen kring torget"), not a
/// person's name; it is sealed like the description all the same.
#[derive(Clone, PartialEq, Eq)]
pub struct GroupInput {
    pub name: String,
    pub description: String,
}

crate::redact::redacted_debug!(GroupInput { name, description });

impl GroupInput {
    pub fn parse(name: &str, description: &str) -> Result<GroupInput, AppError> {
        Ok(GroupInput {
            name: text("name", "Gruppens namn", name, true, MAX_GROUP_NAME)?,
            description: text("description", "Beskrivningen", description, false, MAX_TEXT)?,
        })
    }
}

/// A case's link to a group: from a date, and until a date once it has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkPeriod {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl LinkPeriod {
    /// `from` is required; `to`, when given, is not before it.
    pub fn parse(from: &str, to: &str) -> Result<LinkPeriod, AppError> {
        let from = any_date("from", from)?.ok_or_else(|| {
            AppError::problem(
                "from",
                Problem::DateRequired,
                "Ange från vilket datum kopplingen gäller.",
            )
        })?;
        let to = any_date("to", to)?;
        if to.is_some_and(|t| t < from) {
            return Err(AppError::problem(
                "to",
                crate::error::Problem::EndBeforeStart,
                "Kopplingen kan inte sluta innan den har börjat.",
            ));
        }
        Ok(LinkPeriod { from, to })
    }

    /// Whether the link holds on `day`.
    pub fn holds_on(&self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|t| day <= t)
    }
}

/// A group in the unit's list.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupDto {
    pub id: String,
    pub name: String,
    pub description: String,
    pub municipality: String,
    pub active: bool,
    pub created_on: NaiveDate,
    /// Links that hold today.
    pub current_links: usize,
}

crate::redact::redacted_debug!(GroupDto {
    id,
    name,
    description,
    municipality,
    active,
    created_on,
    current_links
});

/// One member case in the group view, for a reader who may read the case's plan.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupMemberDto {
    pub link_id: String,
    pub case_id: String,
    /// The person's name, or the mask when the reader may not see the identity.
    pub person: String,
    pub status: CaseStatus,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    /// Whether the link holds today.
    pub current: bool,
    pub responsible: String,
    pub next_review: Option<NaiveDate>,
}

crate::redact::redacted_debug!(GroupMemberDto {
    link_id,
    case_id,
    person,
    status,
    from,
    to,
    current,
    responsible,
    next_review
});

/// The group view: the group and its member cases as this reader may see them.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupView {
    pub group: GroupDto,
    pub members: Vec<GroupMemberDto>,
    /// Linked cases the reader may not read (not on their team): counted, not shown.
    pub not_shown: usize,
    /// The reader may link and unlink cases (case workers and program leads of the unit).
    pub can_edit: bool,
}

crate::redact::redacted_debug!(GroupView {
    group,
    members,
    not_shown,
    can_edit
});

/// A group a case is linked to, for the case overview.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseGroupDto {
    pub link_id: String,
    pub group_id: String,
    pub name: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub current: bool,
}

crate::redact::redacted_debug!(CaseGroupDto {
    link_id,
    group_id,
    name,
    from,
    to,
    current
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_period_needs_a_start_and_ends_after_it() {
        assert_eq!(LinkPeriod::parse("", "").unwrap_err().field(), Some("from"));
        assert_eq!(
            LinkPeriod::parse("2026-03-01", "2026-02-01")
                .unwrap_err()
                .field(),
            Some("to")
        );
        let p = LinkPeriod::parse("2026-03-01", "2026-06-30").unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(p.holds_on(d("2026-03-01")) && p.holds_on(d("2026-06-30")));
        assert!(!p.holds_on(d("2026-07-01")) && !p.holds_on(d("2026-02-28")));
        assert!(LinkPeriod::parse("2026-03-01", "")
            .unwrap()
            .holds_on(d("2030-01-01")));
    }

    #[test]
    fn a_group_needs_a_name_of_limited_length() {
        assert_eq!(
            GroupInput::parse(" ", "").unwrap_err().field(),
            Some("name")
        );
        let long = "x".repeat(MAX_GROUP_NAME + 1);
        assert_eq!(
            GroupInput::parse(&long, "").unwrap_err().field(),
            Some("name")
        );
        assert!(GroupInput::parse("Gruppen vid torget", "").is_ok());
    }
}
