//! What each role may do, as one table: the core checks it, the navigation and the case tabs
//! read it. No other place lists roles for a permission.
//!
//! A capability says which *kind* of work a role does. Whether a user may see a given person's
//! data is decided per category by the access policy (`utvag_core::access::may`), which needs the
//! relation to the person as well; a capability never opens a case by itself.

use super::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// See a case list and open cases one has a relation to.
    ListCases,
    /// Search people by full personnummer or phone (only related cases are ever answered).
    SearchPeople,
    /// Register a participant and open a case (social services).
    RegisterParticipant,
    /// Change a case of one's own organisation: details, status, team, consents.
    ManageCase,
    /// Ask for break-glass access to a case of one's own organisation.
    BreakGlass,
    /// Work the owning unit's queue of possible duplicates from other organisations.
    HandleDuplicates,
    /// The outcomes dashboard and the funder report (anonymous figures only).
    ViewOutcomes,
    /// Log review: the audit log, flagged reads, break-glass review.
    ReviewLog,
    /// Organisations, accounts, roles, keys, retention — never case content.
    Administer,
    /// Refer a person to the program for one's own organisation; the referrer learns nothing
    /// back beyond "received" and a referral number.
    SubmitReferral,
    /// Review incoming referrals and prepare and record collaboration-council decisions
    /// (social services).
    HandleReferrals,
    /// Contribute observations to an area's situation picture (never naming individuals).
    ContributeSituation,
    /// Merge contributions into an area's situation picture, agree priorities, print it.
    CoordinateSituation,
    /// Define funded projects (e.g. ESF+) that participants can be enrolled in.
    ManageProjects,
    /// Sit on a collaboration council as a member organisation and read its minutes, as far
    /// as the minutes show each member (the chair's work is `HandleReferrals`).
    AttendCouncil,
    /// SSPF groups of the own social-services unit: create them, link cases, see the group view
    /// (never given to partners, police, school or leisure).
    ManageGroups,
}

impl Capability {
    pub const ALL: [Capability; 16] = [
        Capability::ListCases,
        Capability::SearchPeople,
        Capability::RegisterParticipant,
        Capability::ManageCase,
        Capability::BreakGlass,
        Capability::HandleDuplicates,
        Capability::ViewOutcomes,
        Capability::ReviewLog,
        Capability::Administer,
        Capability::SubmitReferral,
        Capability::HandleReferrals,
        Capability::ContributeSituation,
        Capability::CoordinateSituation,
        Capability::ManageProjects,
        Capability::AttendCouncil,
        Capability::ManageGroups,
    ];
}

impl Role {
    /// The table.
    pub fn can(self, c: Capability) -> bool {
        use Capability as C;
        match self {
            Role::CaseWorker => matches!(
                c,
                C::ListCases
                    | C::SearchPeople
                    | C::RegisterParticipant
                    | C::ManageCase
                    | C::BreakGlass
                    | C::HandleDuplicates
                    | C::SubmitReferral
                    | C::HandleReferrals
                    | C::ContributeSituation
                    | C::AttendCouncil
                    | C::ManageGroups
            ),
            Role::ProgramLead => matches!(
                c,
                C::ListCases
                    | C::SearchPeople
                    | C::RegisterParticipant
                    | C::ManageCase
                    | C::BreakGlass
                    | C::HandleDuplicates
                    | C::ViewOutcomes
                    | C::SubmitReferral
                    | C::HandleReferrals
                    | C::ContributeSituation
                    | C::CoordinateSituation
                    | C::ManageProjects
                    | C::AttendCouncil
                    | C::ManageGroups
            ),
            Role::Partner | Role::Police => matches!(
                c,
                C::ListCases
                    | C::SearchPeople
                    | C::SubmitReferral
                    | C::ContributeSituation
                    | C::AttendCouncil
            ),
            Role::Contributor => matches!(
                c,
                C::SubmitReferral | C::ContributeSituation | C::AttendCouncil
            ),
            Role::Auditor => matches!(c, C::ReviewLog),
            Role::Admin => matches!(c, C::Administer),
        }
    }

    /// Whether the role ever reads case content (under the policy): the roles that need a
    /// second factor by default and that see the work count.
    pub fn reads_case_content(self) -> bool {
        self.can(Capability::ListCases)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrators_and_log_reviewers_have_no_case_capability() {
        for c in [
            Capability::ListCases,
            Capability::SearchPeople,
            Capability::RegisterParticipant,
            Capability::ManageCase,
            Capability::BreakGlass,
            Capability::HandleDuplicates,
        ] {
            assert!(!Role::Admin.can(c), "{c:?}");
            assert!(!Role::Auditor.can(c), "{c:?}");
        }
    }

    #[test]
    fn school_and_leisure_staff_refer_and_contribute_but_read_no_case() {
        let r = Role::Contributor;
        assert!(r.can(Capability::SubmitReferral));
        assert!(r.can(Capability::ContributeSituation));
        assert!(r.can(Capability::AttendCouncil));
        assert!(!r.reads_case_content());
        for c in Capability::ALL {
            if !matches!(
                c,
                Capability::SubmitReferral
                    | Capability::ContributeSituation
                    | Capability::AttendCouncil
            ) {
                assert!(!r.can(c), "{c:?}");
            }
        }
    }

    #[test]
    fn only_social_services_roles_lift_secrecy_by_break_glass() {
        let who: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.can(Capability::BreakGlass))
            .collect();
        assert_eq!(who, vec![Role::CaseWorker, Role::ProgramLead]);
    }

    #[test]
    fn only_social_services_staff_work_with_sspf_groups() {
        let who: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.can(Capability::ManageGroups))
            .collect();
        assert_eq!(who, vec![Role::CaseWorker, Role::ProgramLead]);
    }

    #[test]
    fn every_capability_belongs_to_some_role() {
        for c in Capability::ALL {
            assert!(Role::ALL.iter().any(|r| r.can(c)), "{c:?}");
        }
    }
}
