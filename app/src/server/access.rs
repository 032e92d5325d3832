//! The access policy: one function, [`may`], the only place the rules live.
//!
//! A user may read a category of a participant when one of these holds:
//! 1. their organisation owns the case and they are on the case team, or they are a program
//!    lead of the owning organisation;
//! 2. a valid consent or legal basis names their organisation and that category;
//! 3. they hold an unexpired break-glass grant for this participant (it goes to log review).
//!
//! `location` of a protected person (any protection level) is visible only to named case
//! members: never by consent alone, never by program-lead oversight, never by break-glass.
//! Administrators and log reviewers never read case content. A crypto-shredded participant has
//! nothing left to read. Every decision, allowed or denied, is audited by the caller.

use chrono::{DateTime, Utc};

use crate::domain::{Category, Protection, Role};

/// Who is asking.
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    pub user_id: &'a str,
    pub org_id: &'a str,
    pub role: Role,
}

/// One consent or legal basis as the policy needs it.
#[derive(Debug, Clone)]
pub struct Grant {
    pub id: String,
    pub recipient_org: String,
    pub categories: Vec<Category>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Grant {
    pub fn in_force(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none_or(|r| r > now)
            && self.valid_from <= now
            && self.valid_until.is_none_or(|u| now < u)
    }
}

/// A named member of a case team.
#[derive(Debug, Clone)]
pub struct Member {
    pub user_id: String,
    pub org_id: String,
}

/// What the policy needs to know about the participant and their case.
#[derive(Debug, Clone)]
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
}

impl Basis {
    pub fn describe(&self) -> String {
        match self {
            Basis::CaseTeam => "case_team".into(),
            Basis::ProgramLead => "program_lead".into(),
            Basis::Consent(id) => format!("consent:{id}"),
            Basis::BreakGlass(id) => format!("break_glass:{id}"),
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
    if matches!(actor.role, Role::Admin | Role::Auditor) {
        return Decision::Deny(DenyReason::Role);
    }
    if subject.shredded {
        return Decision::Deny(DenyReason::Shredded);
    }
    let own_org = actor.org_id == subject.owner_org;
    let named_member = subject
        .team
        .iter()
        .any(|m| m.user_id == actor.user_id && m.org_id == actor.org_id);
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
    if let Some(g) = grant_for(actor, subject, category, now) {
        return Decision::Allow(Basis::Consent(g.id.clone()));
    }
    if let Some((id, _)) = subject.break_glass.iter().find(|(_, until)| *until > now) {
        return Decision::Allow(Basis::BreakGlass(id.clone()));
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

/// Whether the actor may change the case itself (participant data, status, team, consents):
/// the owning organisation's case team and its program leads.
pub fn may_manage(actor: &Actor, subject: &Subject) -> bool {
    if !matches!(actor.role, Role::CaseWorker | Role::ProgramLead) || subject.shredded {
        return false;
    }
    let own_org = actor.org_id == subject.owner_org;
    let named_member = subject.team.iter().any(|m| m.user_id == actor.user_id);
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
    if !matches!(actor.role, Role::CaseWorker | Role::ProgramLead) {
        return Err(ExtractRefusal::Role);
    }
    let manages = actor.org_id == subject.owner_org
        && (actor.role == Role::ProgramLead
            || subject.team.iter().any(|m| m.user_id == actor.user_id));
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
    }

    const RELS: [Rel; 10] = [
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
    ];

    fn org_for(role: Role, rel: Rel) -> &'static str {
        match rel {
            Rel::OwnCaseTeam | Rel::OwnOrgNotOnTeam => OWNER,
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
        }];
        if matches!(rel, Rel::OwnCaseTeam | Rel::OtherOrgNamedMemberWithConsent) {
            team.push(Member {
                user_id: me.clone(),
                org_id: org.clone(),
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
            Rel::BreakGlass => vec![("bg1".to_string(), now + Duration::minutes(30))],
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
        if matches!(role, Role::Admin | Role::Auditor) {
            return false;
        }
        let protected_location = cat == Category::Location && protection.is_protected();
        match rel {
            Rel::OwnCaseTeam => true,
            Rel::OwnOrgNotOnTeam => role == Role::ProgramLead && !protected_location,
            Rel::OtherOrgConsent => !protected_location,
            Rel::OtherOrgNamedMemberWithConsent => true,
            Rel::BreakGlass => !protected_location,
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
        assert_eq!(checked, 6 * 10 * 2 * 11);
    }

    #[test]
    fn consent_covers_only_its_categories() {
        let now = Utc::now();
        let (org, mut subject) = setup(Role::Partner, Rel::OtherOrgConsent, Protection::None, now);
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
        let (org, mut subject) = setup(Role::Police, Rel::OtherOrgConsent, Protection::None, now);
        let actor = Actor {
            user_id: "u1",
            org_id: &org,
            role: Role::Police,
        };
        assert!(may(&actor, &subject, Category::Safety, Purpose::CaseWork, now).allowed());
        subject.grants[0].revoked_at = Some(now);
        assert!(!may(&actor, &subject, Category::Safety, Purpose::CaseWork, now).allowed());
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
                    let expect = matches!(role, Role::CaseWorker | Role::ProgramLead)
                        && (rel == Rel::OwnCaseTeam
                            || (rel == Rel::OwnOrgNotOnTeam
                                && role == Role::ProgramLead
                                && !protection.is_protected()));
                    assert_eq!(got.is_ok(), expect, "{role:?} {rel:?} {protection:?}");
                    if rel == Rel::OwnOrgNotOnTeam
                        && role == Role::ProgramLead
                        && protection.is_protected()
                    {
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
                        || (rel == Rel::OwnOrgNotOnTeam && role == Role::ProgramLead));
                assert_eq!(may_manage(&actor, &subject), expect, "{role:?} {rel:?}");
            }
        }
    }
}
