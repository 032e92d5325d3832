//! The access policy: one function, [`may`], the only place the rules live.
//!
//! A user may read a category of a participant when one of these holds:
//! 1. their organisation owns the case and they are on the case team, or they are a program
//!    lead of the owning organisation;
//! 2. they are named on the case team *and* a valid consent or legal basis names their
//!    organisation and that category (need to know: consent opens the door for the named people
//!    of the recipient organisation, not for the whole organisation);
//! 3. they are staff of the owning organisation with the break-glass capability, not on the
//!    team, and hold an unexpired break-glass grant (it goes to log review). A grant held by
//!    anyone else opens nothing: another authority or an NGO can never lift social services'
//!    secrecy by itself.
//!
//! `location` of a protected person (any protection level) is visible only to named case
//! members: never by consent alone, never by program-lead oversight, never by break-glass.
//! Administrators and log reviewers never read case content. A crypto-shredded participant has
//! nothing left to read. Every decision, allowed or denied, is audited by the caller.

use chrono::{DateTime, Utc};

pub use domain::Capability;
use domain::{Category, Protection, Role};

/// Who is asking.
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    pub user_id: &'a str,
    pub org_id: &'a str,
    pub role: Role,
}

/// One consent or legal basis as the policy needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    pub id: String,
    pub recipient_org: String,
    pub categories: Vec<Category>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Grant {
    /// Revoked at a moment; valid from and until whole Swedish days (stored dates: see
    /// [`domain::time::stored_date`]), so a consent given from today is in force from the
    /// first minute of today in Sweden, and one valid until today ended when yesterday did.
    pub fn in_force(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none_or(|r| r > now) && in_days(self.valid_from, self.valid_until, now)
    }
}

/// Whether `now` falls on a Swedish day from `from` up to, not including, `until` (both stored
/// dates).
pub fn in_days(from: DateTime<Utc>, until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    let today = domain::time::swedish_date(now);
    from.date_naive() <= today && until.is_none_or(|u| today < u.date_naive())
}

/// A named member of a case team.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub user_id: String,
    pub org_id: String,
    /// Set on the sending unit's members when a handover to another municipality is accepted:
    /// until then they read the case (not its protected location), never change it; afterwards
    /// they are nobody to it.
    pub until: Option<DateTime<Utc>>,
}

impl Member {
    /// A full member (not one keeping read access for a while after a handover).
    fn full(&self) -> bool {
        self.until.is_none()
    }
}

/// What the policy needs to know about the participant and their case.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    pub owner_org: String,
    pub team: Vec<Member>,
    pub protection: Protection,
    pub grants: Vec<Grant>,
    /// Break-glass grants held by the asking user on this participant: (id, expires).
    pub break_glass: Vec<(String, DateTime<Utc>)>,
    pub shredded: bool,
}

/// Why a read is being made; recorded with every decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    CaseWork,
    List,
    Search,
    Edit,
    Extract,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::CaseWork => "case_work",
            Purpose::List => "list",
            Purpose::Search => "search",
            Purpose::Edit => "edit",
            Purpose::Extract => "extract",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    CaseTeam,
    ProgramLead,
    Consent(String),
    BreakGlass(String),
    /// The sending team of an accepted handover, for its read period.
    HandedOver,
}

impl Basis {
    pub fn describe(&self) -> String {
        match self {
            Basis::CaseTeam => "case_team".into(),
            Basis::ProgramLead => "program_lead".into(),
            Basis::Consent(id) => format!("consent:{id}"),
            Basis::BreakGlass(id) => format!("break_glass:{id}"),
            Basis::HandedOver => "handed_over".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenyReason {
    Role,
    Shredded,
    ProtectedLocation,
    NoBasis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow(Basis),
    Deny(DenyReason),
}

impl Decision {
    pub fn allowed(&self) -> bool {
        matches!(self, Decision::Allow(_))
    }
}

/// The rule. Pure: everything it depends on is in its arguments.
pub fn may(
    actor: &Actor,
    subject: &Subject,
    category: Category,
    _purpose: Purpose,
    now: DateTime<Utc>,
) -> Decision {
    if !actor.role.can(Capability::ListCases) {
        return Decision::Deny(DenyReason::Role);
    }
    if subject.shredded {
        return Decision::Deny(DenyReason::Shredded);
    }
    let own_org = actor.org_id == subject.owner_org;
    let named_member = subject
        .team
        .iter()
        .any(|m| m.full() && m.user_id == actor.user_id && m.org_id == actor.org_id);
    // The sending team of an accepted handover, inside its read period.
    let handed_over = subject.team.iter().any(|m| {
        m.user_id == actor.user_id && m.org_id == actor.org_id && m.until.is_some_and(|u| now < u)
    });
    let protected_location = category == Category::Location && subject.protection.is_protected();

    if own_org && named_member {
        return Decision::Allow(Basis::CaseTeam);
    }
    if protected_location {
        // Need-to-know: a named member of another organisation also needs a basis for location.
        if named_member {
            if let Some(g) = grant_for(actor, subject, category, now) {
                return Decision::Allow(Basis::Consent(g.id.clone()));
            }
        }
        return Decision::Deny(DenyReason::ProtectedLocation);
    }
    if own_org && actor.role == Role::ProgramLead {
        return Decision::Allow(Basis::ProgramLead);
    }
    if handed_over && actor.role.can(Capability::ManageCase) {
        return Decision::Allow(Basis::HandedOver);
    }
    if named_member {
        if let Some(g) = grant_for(actor, subject, category, now) {
            return Decision::Allow(Basis::Consent(g.id.clone()));
        }
    }
    if own_org && actor.role.can(Capability::BreakGlass) {
        if let Some((id, _)) = subject.break_glass.iter().find(|(_, until)| *until > now) {
            return Decision::Allow(Basis::BreakGlass(id.clone()));
        }
    }
    Decision::Deny(DenyReason::NoBasis)
}

fn grant_for<'s>(
    actor: &Actor,
    subject: &'s Subject,
    category: Category,
    now: DateTime<Utc>,
) -> Option<&'s Grant> {
    subject.grants.iter().find(|g| {
        g.recipient_org == actor.org_id && g.categories.contains(&category) && g.in_force(now)
    })
}

/// Whether the actor may ask for break-glass access to the participant: staff of the owning
/// organisation with the capability who have no other way in. Never across organisations.
pub fn may_break_glass(actor: &Actor, subject: &Subject) -> bool {
    actor.role.can(Capability::BreakGlass)
        && actor.org_id == subject.owner_org
        && !subject.shredded
        && !subject.team.iter().any(|m| m.user_id == actor.user_id)
}

/// Whether the actor has any relation at all to the participant: a category they may read, or
/// a case of their own organisation (case workers and program leads see their unit's list).
/// Search and lists answer only for participants with a relation; for anyone else the answer
/// is the answer for a person who does not exist.
pub fn related(actor: &Actor, subject: &Subject, purpose: Purpose, now: DateTime<Utc>) -> bool {
    (actor.role.can(Capability::ManageCase) && actor.org_id == subject.owner_org)
        || Category::ALL
            .iter()
            .any(|c| may(actor, subject, *c, purpose, now).allowed())
}

/// Whether the actor may change the case itself (participant data, status, team, consents):
/// the owning organisation's case team and its program leads.
pub fn may_manage(actor: &Actor, subject: &Subject) -> bool {
    if !actor.role.can(Capability::ManageCase) || subject.shredded {
        return false;
    }
    let own_org = actor.org_id == subject.owner_org;
    let named_member = subject
        .team
        .iter()
        .any(|m| m.full() && m.user_id == actor.user_id);
    own_org && (named_member || actor.role == Role::ProgramLead)
}

/// Why a register extract is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtractRefusal {
    /// Only case workers and program leads produce extracts.
    Role,
    /// The actor does not manage the case (the owning organisation's team or its program lead).
    NotManager,
    /// The participant is crypto-shredded: nothing can be read.
    Shredded,
    /// Categories the actor may not read: an extract is complete or not given at all.
    Denied(Vec<Category>),
}

/// Whether the actor may produce a register extract (GDPR art. 15) of the participant: those
/// who manage the case, and only when they may read every category under the purpose
/// `Extract`. Returns the basis of each category.
pub fn may_extract(
    actor: &Actor,
    subject: &Subject,
    now: DateTime<Utc>,
) -> Result<Vec<(Category, Basis)>, ExtractRefusal> {
    if !actor.role.can(Capability::ManageCase) {
        return Err(ExtractRefusal::Role);
    }
    let manages = actor.org_id == subject.owner_org
        && (actor.role == Role::ProgramLead
            || subject
                .team
                .iter()
                .any(|m| m.full() && m.user_id == actor.user_id));
    if !manages {
        return Err(ExtractRefusal::NotManager);
    }
    if subject.shredded {
        return Err(ExtractRefusal::Shredded);
    }
    let mut allowed = Vec::new();
    let mut denied = Vec::new();
    for c in Category::ALL {
        match may(actor, subject, c, Purpose::Extract, now) {
            Decision::Allow(b) => allowed.push((c, b)),
            Decision::Deny(_) => denied.push(c),
        }
    }
    if denied.is_empty() {
        Ok(allowed)
    } else {
        Err(ExtractRefusal::Denied(denied))
    }
}

/// Every category the actor may read.
pub fn visible(
    actor: &Actor,
    subject: &Subject,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Vec<(Category, Decision)> {
    Category::ALL
        .into_iter()
        .map(|c| (c, may(actor, subject, c, purpose, now)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    const OWNER: &str = "gbg_soc";
    const OTHER_SOC: &str = "malmo_soc";
    const NGO: &str = "passus_gbg";
    const POLICE: &str = "polis_vast";

    /// How the actor relates to the participant.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Rel {
        OwnCaseTeam,
        OwnOrgNotOnTeam,
        OtherOrgNoConsent,
        OtherOrgConsent,
        OtherOrgConsentExpired,
        OtherOrgConsentRevoked,
        OtherOrgConsentNotYetValid,
        OtherOrgNamedMemberWithConsent,
        BreakGlass,
        BreakGlassExpired,
        /// Staff of the owning organisation, not on the team, holding an active grant.
        BreakGlassOwnOrg,
    }

    const RELS: [Rel; 11] = [
        Rel::OwnCaseTeam,
        Rel::OwnOrgNotOnTeam,
        Rel::OtherOrgNoConsent,
        Rel::OtherOrgConsent,
        Rel::OtherOrgConsentExpired,
        Rel::OtherOrgConsentRevoked,
        Rel::OtherOrgConsentNotYetValid,
        Rel::OtherOrgNamedMemberWithConsent,
        Rel::BreakGlass,
        Rel::BreakGlassExpired,
        Rel::BreakGlassOwnOrg,
    ];

    fn org_for(role: Role, rel: Rel) -> &'static str {
        match rel {
            Rel::OwnCaseTeam | Rel::OwnOrgNotOnTeam | Rel::BreakGlassOwnOrg => OWNER,
            _ => match role {
                Role::Police => POLICE,
                Role::Partner => NGO,
                _ => OTHER_SOC,
            },
        }
    }

    fn setup(
        role: Role,
        rel: Rel,
        protection: Protection,
        now: DateTime<Utc>,
    ) -> (String, Subject) {
        let org = org_for(role, rel).to_string();
        let me = "u1".to_string();
        let mut team = vec![Member {
            user_id: "responsible".into(),
            org_id: OWNER.into(),
            until: None,
        }];
        if matches!(rel, Rel::OwnCaseTeam | Rel::OtherOrgNamedMemberWithConsent) {
            team.push(Member {
                user_id: me.clone(),
                org_id: org.clone(),
                until: None,
            });
        }
        let grant = |from: i64, until: Option<i64>, revoked: Option<i64>| Grant {
            id: "c1".into(),
            recipient_org: org.clone(),
            categories: Category::ALL.to_vec(),
            valid_from: now + Duration::days(from),
            valid_until: until.map(|d| now + Duration::days(d)),
            revoked_at: revoked.map(|d| now + Duration::days(d)),
        };
        let grants = match rel {
            Rel::OtherOrgConsent | Rel::OtherOrgNamedMemberWithConsent => {
                vec![grant(-10, Some(30), None)]
            }
            Rel::OtherOrgConsentExpired => vec![grant(-10, Some(-1), None)],
            Rel::OtherOrgConsentRevoked => vec![grant(-10, Some(30), Some(-1))],
            Rel::OtherOrgConsentNotYetValid => vec![grant(2, Some(30), None)],
            _ => vec![],
        };
        let break_glass = match rel {
            Rel::BreakGlass | Rel::BreakGlassOwnOrg => {
                vec![("bg1".to_string(), now + Duration::minutes(30))]
            }
            Rel::BreakGlassExpired => vec![("bg1".to_string(), now - Duration::minutes(1))],
            _ => vec![],
        };
        (
            org,
            Subject {
                owner_org: OWNER.into(),
                team,
                protection,
                grants,
                break_glass,
                shredded: false,
            },
        )
    }

    /// The expected answer, written as the table the rules describe.
    fn expected(role: Role, rel: Rel, cat: Category, protection: Protection) -> bool {
        // Administrators, log reviewers and school and leisure staff never read case content,
        // not even when someone has put them on a team.
        if matches!(role, Role::Admin | Role::Auditor | Role::Contributor) {
            return false;
        }
        let protected_location = cat == Category::Location && protection.is_protected();
        match rel {
            Rel::OwnCaseTeam => true,
            Rel::OwnOrgNotOnTeam => role == Role::ProgramLead && !protected_location,
            // Need to know: consent alone, without a place on the team, opens nothing.
            Rel::OtherOrgConsent => false,
            Rel::OtherOrgNamedMemberWithConsent => true,
            // Only staff of the owning organisation can lift its secrecy.
            Rel::BreakGlassOwnOrg => {
                matches!(role, Role::CaseWorker | Role::ProgramLead) && !protected_location
            }
            Rel::BreakGlass => false,
            Rel::OtherOrgNoConsent
            | Rel::OtherOrgConsentExpired
            | Rel::OtherOrgConsentRevoked
            | Rel::OtherOrgConsentNotYetValid
            | Rel::BreakGlassExpired => false,
        }
    }

    #[test]
    fn every_role_category_and_relationship_follows_the_table() {
        let now = Utc::now();
        let mut checked = 0;
        for role in Role::ALL {
            for rel in RELS {
                for protection in [Protection::None, Protection::SkyddadFolkbokforing] {
                    let (org, subject) = setup(role, rel, protection, now);
                    let actor = Actor {
                        user_id: "u1",
                        org_id: &org,
                        role,
                    };
                    for cat in Category::ALL {
                        let got = may(&actor, &subject, cat, Purpose::CaseWork, now).allowed();
                        assert_eq!(
                            got,
                            expected(role, rel, cat, protection),
                            "{role:?} {rel:?} {cat:?} {protection:?}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(
            checked,
            Role::ALL.len() * RELS.len() * 2 * Category::ALL.len()
        );
    }

    #[test]
    fn consent_covers_only_its_categories() {
        let now = Utc::now();
        let (org, mut subject) = setup(
            Role::Partner,
            Rel::OtherOrgNamedMemberWithConsent,
            Protection::None,
            now,
        );
        subject.grants[0].categories = vec![Category::Contacts];
        let actor = Actor {
            user_id: "u1",
            org_id: &org,
            role: Role::Partner,
        };
        assert!(may(&actor, &subject, Category::Contacts, Purpose::CaseWork, now).allowed());
        assert!(!may(&actor, &subject, Category::Safety, Purpose::CaseWork, now).allowed());
        assert!(!may(&actor, &subject, Category::Identity, Purpose::CaseWork, now).allowed());
    }

    #[test]
    fn revocation_takes_effect_at_the_instant_it_is_recorded() {
        let now = Utc::now();
        let (org, mut subject) = setup(
            Role::Police,
            Rel::OtherOrgNamedMemberWithConsent,
            Protection::None,
            now,
        );
        let actor = Actor {
            user_id: "u1",
            org_id: &org,
            role: Role::Police,
        };
        assert!(may(&actor, &subject, Category::Safety, Purpose::CaseWork, now).allowed());
        subject.grants[0].revoked_at = Some(now);
        assert!(!may(&actor, &subject, Category::Safety, Purpose::CaseWork, now).allowed());
    }

    /// A consent runs by Swedish days. Half an hour after midnight in Sweden it is still the day
    /// before in UTC: a consent from today is in force and one until today has ended.
    #[test]
    fn a_consent_runs_by_whole_swedish_days_in_the_first_hour_after_midnight() {
        use domain::time::{stored_date, swedish_day_start};
        for day in ["2026-01-15", "2026-07-15"] {
            let d: chrono::NaiveDate = day.parse().unwrap();
            let now = swedish_day_start(d) + Duration::minutes(30);
            assert_eq!(domain::time::swedish_date(now), d);
            assert!(now < stored_date(d), "the UTC date is still the day before");
            let (org, mut subject) = setup(
                Role::Police,
                Rel::OtherOrgNamedMemberWithConsent,
                Protection::None,
                now,
            );
            let actor = Actor {
                user_id: "u1",
                org_id: &org,
                role: Role::Police,
            };
            let g = &mut subject.grants[0];
            (g.valid_from, g.valid_until) = (stored_date(d), None);
            assert!(may(&actor, &subject, Category::Safety, Purpose::CaseWork, now).allowed());
            let g = &mut subject.grants[0];
            (g.valid_from, g.valid_until) =
                (stored_date(d - Duration::days(30)), Some(stored_date(d)));
            assert!(!may(&actor, &subject, Category::Safety, Purpose::CaseWork, now).allowed());
            // The day before, the same consent is still in force until Swedish midnight.
            let late = swedish_day_start(d) - Duration::minutes(1);
            assert!(may(&actor, &subject, Category::Safety, Purpose::CaseWork, late).allowed());
        }
    }
    #[test]
    fn shredded_participant_has_nothing_to_read_even_for_the_team() {
        let now = Utc::now();
        let (org, mut subject) = setup(Role::CaseWorker, Rel::OwnCaseTeam, Protection::None, now);
        subject.shredded = true;
        let actor = Actor {
            user_id: "u1",
            org_id: &org,
            role: Role::CaseWorker,
        };
        assert_eq!(
            may(&actor, &subject, Category::Identity, Purpose::CaseWork, now),
            Decision::Deny(DenyReason::Shredded)
        );
    }

    #[test]
    fn an_extract_is_for_those_who_manage_the_case_and_may_read_every_category() {
        let now = Utc::now();
        for role in Role::ALL {
            for rel in RELS {
                for protection in [Protection::None, Protection::SkyddadFolkbokforing] {
                    let (org, subject) = setup(role, rel, protection, now);
                    let actor = Actor {
                        user_id: "u1",
                        org_id: &org,
                        role,
                    };
                    let got = may_extract(&actor, &subject, now);
                    let own_not_on_team =
                        matches!(rel, Rel::OwnOrgNotOnTeam | Rel::BreakGlassOwnOrg);
                    let expect = matches!(role, Role::CaseWorker | Role::ProgramLead)
                        && (rel == Rel::OwnCaseTeam
                            || (own_not_on_team
                                && role == Role::ProgramLead
                                && !protection.is_protected()));
                    assert_eq!(got.is_ok(), expect, "{role:?} {rel:?} {protection:?}");
                    if own_not_on_team && role == Role::ProgramLead && protection.is_protected() {
                        assert_eq!(got, Err(ExtractRefusal::Denied(vec![Category::Location])));
                    }
                }
            }
        }
        let (org, mut subject) = setup(Role::CaseWorker, Rel::OwnCaseTeam, Protection::None, now);
        subject.shredded = true;
        let actor = Actor {
            user_id: "u1",
            org_id: &org,
            role: Role::CaseWorker,
        };
        assert_eq!(
            may_extract(&actor, &subject, now),
            Err(ExtractRefusal::Shredded)
        );
    }

    #[test]
    fn only_the_owning_team_and_its_program_lead_manage_a_case() {
        let now = Utc::now();
        for role in Role::ALL {
            for rel in RELS {
                let (org, subject) = setup(role, rel, Protection::None, now);
                let actor = Actor {
                    user_id: "u1",
                    org_id: &org,
                    role,
                };
                let expect = matches!(role, Role::CaseWorker | Role::ProgramLead)
                    && (rel == Rel::OwnCaseTeam
                        || (matches!(rel, Rel::OwnOrgNotOnTeam | Rel::BreakGlassOwnOrg)
                            && role == Role::ProgramLead));
                assert_eq!(may_manage(&actor, &subject), expect, "{role:?} {rel:?}");
            }
        }
    }

    #[test]
    fn break_glass_is_only_for_the_owning_organisations_staff_off_the_team() {
        let now = Utc::now();
        for role in Role::ALL {
            for rel in RELS {
                let (org, subject) = setup(role, rel, Protection::None, now);
                let actor = Actor {
                    user_id: "u1",
                    org_id: &org,
                    role,
                };
                let expect = matches!(role, Role::CaseWorker | Role::ProgramLead)
                    && matches!(rel, Rel::OwnOrgNotOnTeam | Rel::BreakGlassOwnOrg);
                assert_eq!(
                    may_break_glass(&actor, &subject),
                    expect,
                    "{role:?} {rel:?}"
                );
            }
        }
    }

    #[test]
    fn a_grant_held_by_another_organisation_opens_nothing_of_a_protected_person() {
        let now = Utc::now();
        for role in [Role::Partner, Role::Police, Role::CaseWorker] {
            let (org, subject) =
                setup(role, Rel::BreakGlass, Protection::SkyddadFolkbokforing, now);
            let actor = Actor {
                user_id: "u1",
                org_id: &org,
                role,
            };
            for c in Category::ALL {
                assert!(!may(&actor, &subject, c, Purpose::CaseWork, now).allowed());
            }
            assert!(!related(&actor, &subject, Purpose::Search, now));
        }
    }

    #[test]
    fn the_sending_team_of_a_handover_reads_until_its_period_ends_and_never_manages() {
        let now = Utc::now();
        for protection in [Protection::None, Protection::SkyddadFolkbokforing] {
            let subject = Subject {
                owner_org: OTHER_SOC.into(),
                team: vec![
                    Member {
                        user_id: "new".into(),
                        org_id: OTHER_SOC.into(),
                        until: None,
                    },
                    Member {
                        user_id: "u1".into(),
                        org_id: OWNER.into(),
                        until: Some(now + Duration::days(30)),
                    },
                ],
                protection,
                grants: vec![],
                break_glass: vec![],
                shredded: false,
            };
            let actor = Actor {
                user_id: "u1",
                org_id: OWNER,
                role: Role::CaseWorker,
            };
            for c in Category::ALL {
                let expect = !(c == Category::Location && protection.is_protected());
                assert_eq!(
                    may(&actor, &subject, c, Purpose::CaseWork, now).allowed(),
                    expect,
                    "{c:?} {protection:?}"
                );
                assert!(!may(
                    &actor,
                    &subject,
                    c,
                    Purpose::CaseWork,
                    now + Duration::days(30)
                )
                .allowed());
            }
            assert!(!may_manage(&actor, &subject));
            assert!(may_extract(&actor, &subject, now).is_err());
            assert!(related(&actor, &subject, Purpose::List, now));
            assert!(!related(
                &actor,
                &subject,
                Purpose::List,
                now + Duration::days(31)
            ));
            // A partner that kept a row with a period (it never does) would read nothing.
            let partner = Actor {
                user_id: "u1",
                org_id: OWNER,
                role: Role::Partner,
            };
            assert!(!may(&partner, &subject, Category::Plan, Purpose::CaseWork, now).allowed());
        }
    }
}
