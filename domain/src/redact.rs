//! `Debug` for types that carry a person's data: field names only, every value `••••`.
//!
//! A DTO with a derived `Debug` prints names, personnummer and notes the moment someone writes
//! `tracing::debug!(?dto)` or a test fails with `{dto:?}`; these types print their shape instead.
//! Ids, versions and flags are hidden too: one rule is easier to trust than a list of exceptions.

use std::fmt;

/// What every redacted field prints.
pub struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(super::MASK)
    }
}

/// `redacted_debug!(Type { field, … })` implements `Debug` printing `Type { field: ••••, … }`.
/// Each field is named through `self`, so a listed field that no longer exists fails to build.
macro_rules! redacted_debug {
    ($t:ident { $($f:ident),* $(,)? }) => {
        impl ::std::fmt::Debug for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let mut s = f.debug_struct(stringify!($t));
                $(
                    let _ = &self.$f;
                    s.field(stringify!($f), &$crate::redact::Redacted);
                )*
                s.finish_non_exhaustive()
            }
        }
    };
}
pub(crate) use redacted_debug;

#[cfg(test)]
mod tests {
    use crate::casework::*;
    use crate::event::*;
    use crate::extract::ExtractField;
    use crate::*;
    use chrono::{NaiveDate, TimeZone, Utc};

    const SECRET: &str = "Hemliga Svensson 19900101-1234";

    fn shown() -> Shown<String> {
        Shown::Value(SECRET.to_string())
    }

    /// Each type's `Debug` shows its name and field names, and no value at all.
    fn holds_no_value(name: &str, debug: String) {
        assert!(debug.starts_with(name), "{debug}");
        assert!(debug.contains("••••"), "{debug}");
        for v in [SECRET, "Hemliga", "1234", "secret-id", "2026", "true", "42"] {
            assert!(!debug.contains(v), "{name} prints {v:?}: {debug}");
        }
    }

    #[test]
    fn dtos_with_personal_data_print_no_value_in_debug() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let s = || SECRET.to_string();
        let form = ParticipantForm {
            first_name: s(),
            last_name: s(),
            personnummer: s(),
            phone: s(),
            email: s(),
            address: s(),
            background: s(),
            birth_year: s(),
            gender: s(),
            municipality: s(),
            protection: s(),
        };
        holds_no_value("ParticipantForm", format!("{form:?}"));
        holds_no_value("ParticipantForm", format!("{form:#?}"));
        let note = NoteDto {
            id: "secret-id".into(),
            text: s(),
            author: s(),
            at,
            version: 42,
            corrected: true,
            can_edit: true,
        };
        holds_no_value("NoteDto", format!("{note:?}"));
        let row = CaseRow {
            case_id: "secret-id".into(),
            participant_id: "secret-id".into(),
            name: shown(),
            birth_year: 1990,
            gender: Gender::Unknown,
            municipality: s(),
            protection: Protection::SkyddadFolkbokforing,
            status: CaseStatus::Active,
            owner_org: s(),
            responsible: s(),
            on_my_team: true,
            shredded: true,
            break_glass: true,
        };
        holds_no_value("CaseRow", format!("{row:?}"));
        let view = CaseView {
            case_id: "secret-id".into(),
            participant_id: "secret-id".into(),
            version: 42,
            participant_version: 42,
            first_name: shown(),
            last_name: shown(),
            personnummer: shown(),
            phone: shown(),
            email: shown(),
            address: shown(),
            background: shown(),
            birth_year: 1990,
            gender: Gender::Unknown,
            municipality: s(),
            protection: Protection::SkyddadFolkbokforing,
            status: CaseStatus::Active,
            sspf_level: SspfLevel::Individual,
            referral_source: shown(),
            owner_org_id: "secret-id".into(),
            owner_org: s(),
            opened_at: at,
            transitions: Vec::new(),
            team: Vec::new(),
            visible: vec![Category::Notes],
            can_edit: true,
            handed_over: true,
            can_extract: true,
            break_glass_until: Some(at),
            shredded: true,
            summary: CaseSummary::default(),
        };
        holds_no_value("CaseView", format!("{view:?}"));
        let action = ActionDto {
            id: "secret-id".into(),
            goal_id: "secret-id".into(),
            title: shown(),
            owner_org_id: "secret-id".into(),
            owner_org: s(),
            responsible: s(),
            due: Some(day),
            status: ActionStatus::Planned,
            comment: shown(),
            version: 42,
            can_update: true,
            with_guardians: true,
        };
        holds_no_value("ActionDto", format!("{action:?}"));
        let goal = GoalDto {
            id: "secret-id".into(),
            domain: LifeDomain::Safety,
            text: shown(),
            status: GoalStatus::Open,
            target_date: Some(day),
            version: 42,
            actions: vec![action],
        };
        holds_no_value("GoalDto", format!("{goal:?}"));
        let occupation = OccupationDto {
            id: "secret-id".into(),
            kind: OccupationType::Employment,
            from: day,
            to: None,
            outcome: s(),
        };
        holds_no_value("OccupationDto", format!("{occupation:?}"));
        let housing = HousingDto {
            id: "secret-id".into(),
            kind: HousingType::Sheltered,
            address: shown(),
            from: day,
            to: None,
        };
        holds_no_value("HousingDto", format!("{housing:?}"));
        let review = ReviewDto {
            id: "secret-id".into(),
            date: day,
            present: shown(),
            summary: shown(),
            next_review: None,
        };
        holds_no_value("ReviewDto", format!("{review:?}"));
        let measure = MeasureDto {
            id: "secret-id".into(),
            kind: MeasureKind::Other,
            status: MeasureStatus::Active,
            start: Some(day),
            end: None,
            responsible_org_id: "secret-id".into(),
            responsible_org: s(),
            details: shown(),
            version: 42,
        };
        holds_no_value("MeasureDto", format!("{measure:?}"));
        let assessment = AssessmentDto {
            id: "secret-id".into(),
            level: ThreatLevel::High,
            org: s(),
            date: day,
            next_review: day,
            basis: shown(),
        };
        holds_no_value("AssessmentDto", format!("{assessment:?}"));
        let event = EventDto {
            id: "secret-id".into(),
            at,
            kind: EventKind::Note,
            category: Category::Notes,
            org: s(),
            author: s(),
            line: Some(crate::event::EventLine::HandoverTaken { org: s() }),
            text: Some(s()),
            corrected: true,
        };
        holds_no_value("EventDto", format!("{event:?}"));
        let field = ExtractField {
            name: "secret-id".into(),
            label: s(),
            text: s(),
            value: serde_json::json!(SECRET),
        };
        holds_no_value("ExtractField", format!("{field:?}"));
        // Containers print through the same impls.
        let plan = PlanDto {
            goals: vec![goal],
            reviews: vec![review],
            next_review: None,
            can_edit: false,
        };
        assert!(!format!("{plan:?}").contains("Hemliga"));
    }
}
