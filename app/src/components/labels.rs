//! The interface's names for the domain's values (roles, statuses, categories …), from the
//! catalogue in the page's language (`labels` namespace, one group per type, one key per
//! variant). The domain keeps codes (`as_str`); what a person reads is here, so that no value is
//! shown in Swedish on an English page.

use crate::i18n::{td_string, Locale};
use domain::audit::{action_label, Flag};
use domain::casework::{
    ActionStatus, ContactKind, EventKind, GoalStatus, HousingType, LifeDomain, MeasureKind,
    MeasureStatus, OccupationType, ThreatLevel, ThreatWarning,
};
use domain::council::{InterventionKind, ItemKind, ItemLabel, ItemStatus, MeetingStatus};
use domain::error::Problem;
use domain::event::{day, EventLine};
use domain::extract::ReleaseDecision;
use domain::guardian::GuardianRelation;
use domain::handover::{HandoverPart, HandoverStatus};
use domain::rating::{Occasion, Rater};
use domain::referral::{ReferralReason, ReferralStatus, ReferrerKind, Urgency};
use domain::situation::{
    ConcernLevel, Days, ObservationCategory, Period, PictureStatus, TimeOfDay,
};
use domain::stats::{Namer, EXITS, INTAKE, PARTICIPANTS};
use domain::{AreaKind, CaseStatus, Category, Gender, OrgKind, Protection, Role, SspfLevel};

/// A value's name in a language of the interface.
pub trait Label: Copy {
    fn label_in(self, l: Locale) -> &'static str;
}

/// What is wrong with a refused value, in the page's language (`common.problem`). Shown beside
/// the field it concerns, so it does not name the field.
impl LabelText for Problem {
    fn label_in(self, l: Locale) -> String {
        match self {
            Problem::Required => td_string!(l, common.problem.required).to_string(),
            Problem::TooLong { max } => td_string!(l, common.problem.too_long, max).to_string(),
            Problem::BadCharacters => td_string!(l, common.problem.bad_characters).to_string(),
            Problem::DateFormat => td_string!(l, common.problem.date_format).to_string(),
            Problem::MonthFormat => td_string!(l, common.problem.month_format).to_string(),
            Problem::DateRequired => td_string!(l, common.problem.date_required).to_string(),
            Problem::DateTooFar => td_string!(l, common.problem.date_too_far).to_string(),
            Problem::TimeFormat => td_string!(l, common.problem.time_format).to_string(),
            Problem::TimeSkipped => td_string!(l, common.problem.time_skipped).to_string(),
            Problem::FormUnreadable => td_string!(l, common.problem.form_unreadable).to_string(),
            Problem::ServerUnreachable => {
                td_string!(l, common.problem.server_unreachable).to_string()
            }
            Problem::Choose => td_string!(l, common.problem.choose).to_string(),
            Problem::Unknown => td_string!(l, common.problem.unknown).to_string(),
            Problem::Shredded => td_string!(l, common.problem.shredded).to_string(),
            Problem::EndBeforeStart => td_string!(l, common.problem.end_before_start).to_string(),
            Problem::InFuture => td_string!(l, common.problem.in_future).to_string(),
            Problem::NextNotAfter => td_string!(l, common.problem.next_not_after).to_string(),
            Problem::NotWithinAYear => td_string!(l, common.problem.not_within_a_year).to_string(),
            Problem::PeriodMaxYears { years } => {
                td_string!(l, common.problem.period_max_years, years).to_string()
            }
            Problem::PeriodMaxDays { days } => {
                td_string!(l, common.problem.period_max_days, days).to_string()
            }
            Problem::PeriodNotBegun => td_string!(l, common.problem.period_not_begun).to_string(),
            Problem::Length { min, max } => {
                td_string!(l, common.problem.length, min, max).to_string()
            }
            Problem::Range { min, max } => {
                td_string!(l, common.problem.range, min, max).to_string()
            }
            Problem::AlreadyDone => td_string!(l, common.problem.already_done).to_string(),
            Problem::Personnummer => td_string!(l, common.problem.personnummer).to_string(),
            Problem::Phone => td_string!(l, common.problem.phone).to_string(),
            Problem::Email => td_string!(l, common.problem.email).to_string(),
            Problem::QuarterFormat => td_string!(l, common.problem.quarter_format).to_string(),
            Problem::TooMany { max } => td_string!(l, common.problem.list_max, max).to_string(),
            Problem::ActionFormat { n } => {
                td_string!(l, common.problem.action_format, n).to_string()
            }
            Problem::ActionDate { n } => td_string!(l, common.problem.action_date, n).to_string(),
            Problem::RatedTwice => td_string!(l, common.problem.rated_twice).to_string(),
            Problem::RateOne => td_string!(l, common.problem.no_rating).to_string(),
            Problem::OutsideProjectPeriod => {
                td_string!(l, common.problem.outside_project_period).to_string()
            }
            Problem::ReviewFirst => td_string!(l, common.problem.review_first).to_string(),
            Problem::StatusChange => td_string!(l, common.problem.status_change).to_string(),
            Problem::Username => td_string!(l, common.problem.username).to_string(),
            Problem::PasswordShort => td_string!(l, common.problem.password_short).to_string(),
            Problem::NameTaken => td_string!(l, common.problem.name_taken).to_string(),
            Problem::UsernameTaken => td_string!(l, common.problem.username_taken).to_string(),
            Problem::FourEyes => td_string!(l, common.problem.four_eyes).to_string(),
            Problem::CaseClosed => td_string!(l, common.problem.case_closed).to_string(),
            Problem::KeyFileNeeded => td_string!(l, common.problem.key_file_needed).to_string(),
            Problem::RetireNotYet => td_string!(l, common.problem.retire_not_yet).to_string(),
            Problem::KeyFile => td_string!(l, common.problem.key_file).to_string(),
            Problem::MeasureDenied => td_string!(l, common.problem.measure_denied).to_string(),
            Problem::SignInFailed => td_string!(l, common.problem.sign_in_failed).to_string(),
            Problem::CodeFailed => td_string!(l, common.problem.code_failed).to_string(),
            Problem::EnrolFirst => td_string!(l, common.problem.enrol_first).to_string(),
            Problem::OwnOrg => td_string!(l, common.problem.own_org).to_string(),
            Problem::OwnAccount => td_string!(l, common.problem.own_account).to_string(),
            Problem::HoldsPersonnummer => {
                td_string!(l, common.problem.holds_personnummer).to_string()
            }
            Problem::HoldsPhone => td_string!(l, common.problem.holds_phone).to_string(),
            Problem::HoldsName => td_string!(l, common.problem.holds_name).to_string(),
            Problem::BirthYearMismatch => {
                td_string!(l, common.problem.birth_year_mismatch).to_string()
            }
            Problem::MunicipalityNotServed => {
                td_string!(l, common.problem.municipality_not_served).to_string()
            }
            Problem::SearchTerm => td_string!(l, common.problem.search_term).to_string(),
            Problem::ProtectedMunicipality => {
                td_string!(l, common.problem.protected_municipality).to_string()
            }
            Problem::NoSuchColleague => td_string!(l, common.problem.no_such_colleague).to_string(),
            Problem::ResponsibleStays => {
                td_string!(l, common.problem.responsible_stays).to_string()
            }
            Problem::Provision => td_string!(l, common.problem.provision).to_string(),
            Problem::ConsentOwnOrg => td_string!(l, common.problem.consent_own_org).to_string(),
            Problem::ExtractIncomplete => {
                td_string!(l, common.problem.extract_incomplete).to_string()
            }
            Problem::ExtractRole => td_string!(l, common.problem.extract_role).to_string(),
            Problem::InterventionRequired => {
                td_string!(l, common.problem.intervention_required).to_string()
            }
            Problem::DeclineReferralOnly => {
                td_string!(l, common.problem.decline_referral_only).to_string()
            }
            Problem::MeetingHeld => td_string!(l, common.problem.meeting_held).to_string(),
            Problem::HasAccess => td_string!(l, common.problem.has_access).to_string(),
            Problem::BreakGlassOwnOrg => {
                td_string!(l, common.problem.break_glass_own_org).to_string()
            }
            Problem::GroupSocialOnly => td_string!(l, common.problem.group_social_only).to_string(),
            Problem::LinkOverlap => td_string!(l, common.problem.link_overlap).to_string(),
            Problem::AlreadyEnrolled => td_string!(l, common.problem.already_enrolled).to_string(),
            Problem::NoService => td_string!(l, common.problem.no_service).to_string(),
            Problem::PersonInReferral => {
                td_string!(l, common.problem.person_in_referral).to_string()
            }
            Problem::PersonExists => td_string!(l, common.problem.person_exists).to_string(),
            Problem::AlreadyOnTeam => td_string!(l, common.problem.already_on_team).to_string(),
            Problem::AlreadyOnAgenda => td_string!(l, common.problem.already_on_agenda).to_string(),
            Problem::NotEmpty => td_string!(l, common.problem.not_empty).to_string(),
            Problem::Stale => td_string!(l, common.problem.stale).to_string(),
            Problem::AlreadyAnswered => td_string!(l, common.problem.already_answered).to_string(),
            Problem::HandoverPending => td_string!(l, common.problem.handover_pending).to_string(),
            Problem::OwnerChanged => td_string!(l, common.problem.owner_changed).to_string(),
            Problem::CannotTakeOver => td_string!(l, common.problem.cannot_take_over).to_string(),
            Problem::RunningElsewhere => {
                td_string!(l, common.problem.running_elsewhere).to_string()
            }
            Problem::Finalised => td_string!(l, common.problem.finalised).to_string(),
        }
    }
}

/// The words of a refusal or a conflict on a page in `l`. On a Swedish page the server's own
/// message, which names the field and what it found ("Sammanfattningen måste fyllas i."); in
/// another language the words of its coded problem (every refusal has one).
pub fn problem_text(message: &str, problem: Problem, l: Locale) -> String {
    if l == Locale::sv {
        message.to_string()
    } else {
        problem.label_in(l)
    }
}

/// A value whose name is built from its parts (a number, a year …) rather than picked from a
/// fixed list, so it is a `String`. Same method name as [`Label`]: `x.label_in(l)` works for both
/// (a type has one or the other).
pub trait LabelText: Copy {
    fn label_in(self, l: Locale) -> String;
}

/// A quarter, "Kvartal 3 2026" / "Q3 2026" (the domain's `Period::label`, which is Swedish only).
/// One interpolated key, `labels.period` with `{{ quarter }}` and `{{ year }}`, so that each
/// language puts the number and the year in its own order and words.
impl LabelText for Period {
    fn label_in(self, l: Locale) -> String {
        let quarter = self.quarter;
        let year = self.year;
        td_string!(l, labels.period, quarter, year).to_string()
    }
}

/// `Label` for an enum: each variant to its key in the catalogue.
macro_rules! labels {
    ($ty:ident => $ns:ident . $group:ident { $($variant:ident => $key:ident),+ $(,)? }) => {
        impl Label for $ty {
            fn label_in(self, l: Locale) -> &'static str {
                match self {
                    $($ty::$variant => td_string!(l, $ns.$group.$key)),+
                }
            }
        }
    };
}

labels!(Role => common.role {
    CaseWorker => case_worker,
    ProgramLead => program_lead,
    Partner => partner,
    Police => police,
    Contributor => contributor,
    Auditor => auditor,
    Admin => admin,
});

labels!(LifeDomain => labels.life_domain {
    Safety => safety,
    Housing => housing,
    Occupation => occupation,
    Education => education,
    Health => health,
    SubstanceUse => substance_use,
    Family => family,
    Finances => finances,
    LeavingNetwork => leaving_network,
    Leisure => leisure,
});

labels!(GoalStatus => labels.goal_status {
    Open => open,
    Achieved => achieved,
    Dropped => dropped,
});

labels!(ActionStatus => labels.action_status {
    Planned => planned,
    InProgress => in_progress,
    Done => done,
    Cancelled => cancelled,
});

labels!(MeasureKind => labels.measure_kind {
    Relocation => relocation,
    ShelteredHousing => sheltered_housing,
    ProtectedIdentity => protected_identity,
    SecurityAlarm => security_alarm,
    PersonalProtection => personal_protection,
    SecretAddress => secret_address,
    Other => other,
});

labels!(MeasureStatus => labels.measure_status {
    Planned => planned,
    Active => active,
    Ended => ended,
    Denied => denied,
});

labels!(ThreatLevel => labels.threat_level {
    Low => low,
    Medium => medium,
    High => high,
    Acute => acute,
});

labels!(HousingType => labels.housing_type {
    OwnLease => own_lease,
    SecondHand => second_hand,
    Temporary => temporary,
    Sheltered => sheltered,
    WithFamily => with_family,
    Homeless => homeless,
    Institution => institution,
});

labels!(OccupationType => labels.occupation_type {
    Employment => employment,
    Internship => internship,
    Studies => studies,
    LabourProgram => labour_program,
    NoOccupation => none,
});

labels!(ContactKind => labels.contact_kind {
    Meeting => meeting,
    Phone => phone,
    HomeVisit => home_visit,
    Digital => digital,
    Accompanied => accompanied,
});

labels!(EventKind => labels.event_kind {
    Status => status,
    Goal => goal,
    Action => action,
    Review => review,
    Measure => measure,
    Assessment => assessment,
    Housing => housing,
    Occupation => occupation,
    Contact => contact,
    Note => note,
    Rating => rating,
    Project => project,
    Group => group,
    Guardian => guardian,
});

labels!(ObservationCategory => labels.observation_category {
    Places => places,
    Recruitment => recruitment,
    Incidents => incidents,
    YouthVoice => youth_voice,
});

labels!(ConcernLevel => labels.concern_level {
    Low => low,
    Medium => medium,
    High => high,
});

labels!(TimeOfDay => labels.time_of_day {
    Morning => morning,
    Daytime => daytime,
    Evening => evening,
    Night => night,
});

labels!(Days => labels.days {
    Weekdays => weekdays,
    Weekend => weekend,
    AllWeek => all_week,
});

labels!(PictureStatus => labels.picture_status {
    Draft => draft,
    Agreed => agreed,
});

labels!(MeetingStatus => labels.meeting_status {
    Planned => planned,
    Held => held,
});

labels!(ItemKind => labels.item_kind {
    Referral => referral,
    Case => case,
});

labels!(ItemStatus => labels.item_status {
    Open => open,
    Decided => decided,
    Declined => declined,
});

labels!(InterventionKind => labels.intervention_kind {
    Mentoring => mentoring,
    HousingSupport => housing_support,
    SchoolMeasure => school_measure,
    PoliceProtection => police_protection,
    EmploymentSupport => employment_support,
    Other => other,
});

labels!(Occasion => labels.occasion {
    Intake => intake,
    Review => review,
});

labels!(Rater => labels.rater {
    CaseWorker => case_worker,
    Participant => participant,
});

labels!(HandoverPart => labels.handover_part {
    Person => person,
    Status => status,
    Plan => plan,
    Safety => safety,
    Living => living,
});

labels!(HandoverStatus => labels.handover_status {
    Pending => pending,
    Accepted => accepted,
    Declined => declined,
    Withdrawn => withdrawn,
});

labels!(ReferrerKind => labels.referrer_kind {
    Police => police,
    School => school,
    Leisure => leisure,
    SocialServices => social_services,
    Health => health,
    Ngo => ngo,
    Family => family,
    SelfReferral => self_referral,
});

labels!(ReferralReason => labels.referral_reason {
    Recruitment => recruitment,
    Violence => violence,
    Threats => threats,
    DrugDealing => drug_dealing,
    Weapons => weapons,
    Exploitation => exploitation,
    SchoolAbsence => school_absence,
    FamilyWorry => family_worry,
    WantsToLeave => wants_to_leave,
});

labels!(Urgency => labels.urgency {
    Normal => normal,
    Urgent => urgent,
    Acute => acute,
});

labels!(ReferralStatus => labels.referral_status {
    New => new,
    UnderReview => under_review,
    Accepted => accepted,
    Declined => declined,
    Forwarded => forwarded,
});

labels!(Protection => labels.protection {
    None => none,
    Sekretessmarkering => sekretessmarkering,
    SkyddadFolkbokforing => skyddad_folkbokforing,
    FingeradePersonuppgifter => fingerade_personuppgifter,
});

labels!(Gender => labels.gender {
    Female => female,
    Male => male,
    Other => other,
    Unknown => unknown,
});

labels!(CaseStatus => labels.case_status {
    Referred => referred,
    Assessment => assessment,
    Active => active,
    Paused => paused,
    Completed => completed,
    EndedEarly => ended_early,
    Moved => moved,
});

labels!(SspfLevel => labels.sspf_level {
    Individual => individual,
    Group => group,
    General => general,
});

labels!(OrgKind => labels.org_kind {
    SocialServices => social_services,
    Police => police,
    Ngo => ngo,
    School => school,
    Leisure => leisure,
    Other => other,
});

labels!(GuardianRelation => labels.guardian_relation {
    Mother => mother,
    Father => father,
    AppointedGuardian => appointed_guardian,
    OtherParent => other_parent,
    Other => other,
});

labels!(AreaKind => labels.area_kind {
    District => district,
    SchoolArea => school_area,
});

labels!(Flag => labels.flag {
    OutsideTeam => outside_team,
    OutsideHours => outside_hours,
    Burst => burst,
    Protected => protected,
    AdminReset => admin_reset,
    AdminSecondFactorReset => admin_second_factor_reset,
    Refused => refused,
    WithheldSearch => withheld_search,
    Damaged => damaged,
});

labels!(ReleaseDecision => labels.release_decision {
    Release => release,
    Withhold => withhold,
});

labels!(Category => labels.category {
    Identity => identity,
    ContactInfo => contact_info,
    Location => location,
    Safety => safety,
    Housing => housing,
    Occupation => occupation,
    Health => health,
    Justice => justice,
    Contacts => contacts,
    Plan => plan,
    Notes => notes,
});

// The audit log's codes (shared by log review and the register extract).

/// What an audited action was, in words (the codes of [`ACTIONS`]); an action without words here
/// as the domain names it, an unknown one as recorded.
pub fn action_text(action: &str, l: Locale) -> &str {
    match action {
        "participant.register" => td_string!(l, audit.action.participant.register),
        "participant.update" => td_string!(l, audit.action.participant.update),
        "participant.search" => td_string!(l, audit.action.participant.search),
        "participant.extract" => td_string!(l, audit.action.participant.extract),
        "participant.extract_review" => td_string!(l, audit.action.participant.extract_review),
        "participant.shred" => td_string!(l, audit.action.participant.shred),
        "case.read" => td_string!(l, audit.action.case.read),
        "case.list" => td_string!(l, audit.action.case.list),
        "case.status" => td_string!(l, audit.action.case.status),
        "case.team_add" => td_string!(l, audit.action.case.team_add),
        "case.team_remove" => td_string!(l, audit.action.case.team_remove),
        "casework.read" => td_string!(l, audit.action.casework.read),
        "consent.add" => td_string!(l, audit.action.consent.add),
        "consent.revoke" => td_string!(l, audit.action.consent.revoke),
        "consent.list" => td_string!(l, audit.action.consent.list),
        "plan.read" => td_string!(l, audit.action.plan.read),
        "plan.goal_add" => td_string!(l, audit.action.plan.goal_add),
        "plan.action_add" => td_string!(l, audit.action.plan.action_add),
        "plan.action_update" => td_string!(l, audit.action.plan.action_update),
        "plan.review_add" => td_string!(l, audit.action.plan.review_add),
        "safety.read" => td_string!(l, audit.action.safety.read),
        "safety.measure_add" => td_string!(l, audit.action.safety.measure_add),
        "safety.assessment_add" => td_string!(l, audit.action.safety.assessment_add),
        "living.read" => td_string!(l, audit.action.living.read),
        "housing.add" => td_string!(l, audit.action.housing.add),
        "occupation.add" => td_string!(l, audit.action.occupation.add),
        "contact.add" => td_string!(l, audit.action.contact.add),
        "note.add" => td_string!(l, audit.action.note.add),
        "note.edit" => td_string!(l, audit.action.note.edit),
        "notes.read" => td_string!(l, audit.action.notes.read),
        "timeline.read" => td_string!(l, audit.action.timeline.read),
        "worklist.read" => td_string!(l, audit.action.worklist.read),
        "break_glass.grant" => td_string!(l, audit.action.break_glass.grant),
        "break_glass.review" => td_string!(l, audit.action.break_glass.review),
        "shred.request" => td_string!(l, audit.action.shred.request),
        "audit.query_participant" => td_string!(l, audit.action.audit.query_participant),
        "audit.query_user" => td_string!(l, audit.action.audit.query_user),
        "audit.query_flagged" => td_string!(l, audit.action.audit.query_flagged),
        "audit.search" => td_string!(l, audit.action.audit.search),
        "audit.verify" => td_string!(l, audit.action.audit.verify),
        "keys.rotate" => td_string!(l, audit.action.keys.rotate),
        "org.create" => td_string!(l, audit.action.org.create),
        "org.update" => td_string!(l, audit.action.org.update),
        "org.deactivate" => td_string!(l, audit.action.org.deactivate),
        "user.list" => td_string!(l, audit.action.user.list),
        "user.create" => td_string!(l, audit.action.user.create),
        "user.update" => td_string!(l, audit.action.user.update),
        "user.role_change" => td_string!(l, audit.action.user.role_change),
        "user.deactivate" => td_string!(l, audit.action.user.deactivate),
        "user.password_reset" => td_string!(l, audit.action.user.password_reset),
        "user.mfa_reset" => td_string!(l, audit.action.user.mfa_reset),
        "auth.sign_in" => td_string!(l, audit.action.auth.sign_in),
        "auth.sign_in_failed" => td_string!(l, audit.action.auth.sign_in_failed),
        "auth.locked" => td_string!(l, audit.action.auth.locked),
        "auth.second_factor_failed" => td_string!(l, audit.action.auth.second_factor_failed),
        "auth.reauth" => td_string!(l, audit.action.auth.reauth),
        "auth.sign_out" => td_string!(l, audit.action.auth.sign_out),
        "shred.list" => td_string!(l, audit.action.shred.list),
        "shred.confirm" => td_string!(l, audit.action.shred.confirm),
        "retention.status" => td_string!(l, audit.action.retention.status),
        "retention.dry_run" => td_string!(l, audit.action.retention.dry_run),
        "retention.apply" => td_string!(l, audit.action.retention.apply),
        "retention.shred" => td_string!(l, audit.action.retention.shred),
        "audit.cut" => td_string!(l, audit.action.audit.cut),
        other => action_label(other),
    }
}

/// Why a read was made, in words.
pub fn purpose_text(purpose: &str, l: Locale) -> &str {
    match purpose {
        "case_work" => td_string!(l, audit.purpose.case_work),
        "list" => td_string!(l, audit.purpose.list),
        "search" => td_string!(l, audit.purpose.search),
        "edit" => td_string!(l, audit.purpose.edit),
        "extract" => td_string!(l, audit.purpose.extract),
        other => other,
    }
}

/// An access decision, in words.
pub fn decision_text(decision: &str, l: Locale) -> &str {
    match decision {
        "allow" => td_string!(l, audit.decision.allow),
        "partial" => td_string!(l, audit.decision.partial),
        "deny" => td_string!(l, audit.decision.deny),
        other => other,
    }
}

labels!(ThreatWarning => labels.threat_warning {
    Acute => acute,
    High => high,
    Reassess => reassess,
    NoAssessment => no_assessment,
});

/// The outcome tables' codes named in the page's language (`Outcomes::named`).
pub struct InLanguage(pub Locale);

impl Namer for InLanguage {
    fn status(&self, s: CaseStatus) -> String {
        s.label_in(self.0).to_string()
    }
    fn sspf(&self, s: SspfLevel) -> String {
        s.label_in(self.0).to_string()
    }
    fn gender(&self, g: Gender) -> String {
        g.label_in(self.0).to_string()
    }
    fn measure(&self, k: MeasureKind) -> String {
        k.label_in(self.0).to_string()
    }
    fn life_domain(&self, d: LifeDomain) -> String {
        d.label_in(self.0).to_string()
    }
    fn rater(&self, r: Rater) -> String {
        r.label_in(self.0).to_string()
    }
    fn age_band(&self, code: &str) -> String {
        let l = self.0;
        match code {
            "12-17" => td_string!(l, outcomes.age_band.b12_17),
            "18-20" => td_string!(l, outcomes.age_band.b18_20),
            "21-25" => td_string!(l, outcomes.age_band.b21_25),
            "26+" => td_string!(l, outcomes.age_band.b26),
            other => other,
        }
        .to_string()
    }
    fn change_band(&self, code: &str) -> String {
        let l = self.0;
        match code {
            "-4..-2" => td_string!(l, outcomes.change_band.down_2_4).to_string(),
            "+2..+4" => td_string!(l, outcomes.change_band.up_2_4).to_string(),
            // Single steps are numbers in every language: a true minus sign.
            other => other.replace('-', "\u{2212}"),
        }
    }
    fn column(&self, code: &str) -> String {
        let l = self.0;
        match code {
            PARTICIPANTS => td_string!(l, outcomes.column.participants),
            INTAKE => td_string!(l, outcomes.column.intake),
            EXITS => td_string!(l, outcomes.column.exits),
            other => other,
        }
        .to_string()
    }
}

/// What a timeline event says happened (`domain::event::EventLine`), in the page's language.
/// Values in it are named like everywhere else; days are written `2026-03-01` in every language.
pub fn event_line_text(line: &EventLine, l: Locale) -> String {
    use EventLine as E;
    let lower = |s: &str| s.to_lowercase();
    match line {
        E::Status { from, to } => td_string!(
            l,
            labels.event_line.status,
            from = from.label_in(l),
            to = to.label_in(l)
        )
        .to_string(),
        E::GoalAdded { domain } => {
            td_string!(l, labels.event_line.goal_added, domain = domain.label_in(l)).to_string()
        }
        E::GoalStatus { status } => match status {
            GoalStatus::Achieved => td_string!(l, labels.event_line.goal_achieved),
            GoalStatus::Dropped => td_string!(l, labels.event_line.goal_dropped),
            GoalStatus::Open => td_string!(l, labels.event_line.goal_reopened),
        }
        .to_string(),
        E::ActionAdded { with_guardians } => if *with_guardians {
            td_string!(l, labels.event_line.action_added_guardians)
        } else {
            td_string!(l, labels.event_line.action_added)
        }
        .to_string(),
        E::ActionStatus { status } => td_string!(
            l,
            labels.event_line.action_status,
            status = lower(status.label_in(l))
        )
        .to_string(),
        E::PlanReviewed => td_string!(l, labels.event_line.plan_reviewed).to_string(),
        E::Measure { kind, status } => td_string!(
            l,
            labels.event_line.measure,
            kind = kind.label_in(l),
            status = lower(status.label_in(l))
        )
        .to_string(),
        E::MeasureChanged { kind, status } => td_string!(
            l,
            labels.event_line.measure_changed,
            kind = kind.label_in(l),
            status = lower(status.label_in(l))
        )
        .to_string(),
        E::MeasureEnded { kind, end } => td_string!(
            l,
            labels.event_line.measure_ended,
            kind = kind.label_in(l),
            end = day(*end)
        )
        .to_string(),
        E::Assessment { level } => td_string!(
            l,
            labels.event_line.assessment,
            level = lower(level.label_in(l))
        )
        .to_string(),
        E::Housing { kind } => {
            td_string!(l, labels.event_line.housing, kind = kind.label_in(l)).to_string()
        }
        E::Occupation { kind } => {
            td_string!(l, labels.event_line.occupation, kind = kind.label_in(l)).to_string()
        }
        E::Contact { kind, minutes } => td_string!(
            l,
            labels.event_line.contact,
            kind = kind.label_in(l),
            minutes = *minutes
        )
        .to_string(),
        E::NoteCorrected => td_string!(l, labels.event_line.note_corrected).to_string(),
        E::Rating {
            rater,
            occasion,
            scores,
        } => {
            let scores = scores
                .iter()
                .map(|(d, s)| {
                    td_string!(
                        l,
                        labels.event_line.score,
                        domain = lower(d.label_in(l)),
                        score = *s
                    )
                    .to_string()
                })
                .collect::<Vec<_>>()
                .join(", ");
            td_string!(
                l,
                labels.event_line.rating,
                rater = rater.label_in(l),
                occasion = lower(occasion.label_in(l)),
                scores
            )
            .to_string()
        }
        E::Enrolled {
            project,
            entry,
            exit: None,
        } => td_string!(
            l,
            labels.event_line.enrolled,
            project = project.clone(),
            entry = day(*entry)
        )
        .to_string(),
        E::Enrolled {
            project,
            entry,
            exit: Some(exit),
        } => td_string!(
            l,
            labels.event_line.enrolled_until,
            project = project.clone(),
            entry = day(*entry),
            exit = day(*exit)
        )
        .to_string(),
        E::Exited { project, exit } => td_string!(
            l,
            labels.event_line.exited,
            project = project.clone(),
            exit = day(*exit)
        )
        .to_string(),
        E::GuardianAdded { relation } => td_string!(
            l,
            labels.event_line.guardian_added,
            relation = relation.label_in(l)
        )
        .to_string(),
        E::GuardianChanged { relation } => td_string!(
            l,
            labels.event_line.guardian_changed,
            relation = relation.label_in(l)
        )
        .to_string(),
        E::GuardianRemoved => td_string!(l, labels.event_line.guardian_removed).to_string(),
        E::GuardianConsent { given_on } => td_string!(
            l,
            labels.event_line.guardian_consent,
            given_on = day(*given_on)
        )
        .to_string(),
        E::GroupLinked { from, to: None } => {
            td_string!(l, labels.event_line.group_linked, from = day(*from)).to_string()
        }
        E::GroupLinked { from, to: Some(to) } => td_string!(
            l,
            labels.event_line.group_linked_until,
            from = day(*from),
            to = day(*to)
        )
        .to_string(),
        E::GroupLinkEnded { to } => {
            td_string!(l, labels.event_line.group_link_ended, to = day(*to)).to_string()
        }
        E::GroupLinkRemoved => td_string!(l, labels.event_line.group_link_removed).to_string(),
        E::HandoverOffered => td_string!(l, labels.event_line.handover_offered).to_string(),
        E::HandoverWithdrawn => td_string!(l, labels.event_line.handover_withdrawn).to_string(),
        E::HandoverTaken { org } => {
            td_string!(l, labels.event_line.handover_taken, org = org.clone()).to_string()
        }
        E::ReferralOpened { number, kind } => td_string!(
            l,
            labels.event_line.referral_opened,
            number = number.clone(),
            kind = kind.label_in(l)
        )
        .to_string(),
        E::ReferralLinked { number, kind } => td_string!(
            l,
            labels.event_line.referral_linked,
            number = number.clone(),
            kind = kind.label_in(l)
        )
        .to_string(),
        E::CouncilDecided {
            priority,
            interventions,
        } => {
            let interventions = interventions
                .iter()
                .map(|i| {
                    td_string!(
                        l,
                        labels.event_line.council_intervention,
                        kind = i.kind.label_in(l),
                        provider = i.provider.clone(),
                        follow_up = day(i.follow_up)
                    )
                    .to_string()
                })
                .collect::<Vec<_>>()
                .join("; ");
            td_string!(
                l,
                labels.event_line.council_decided,
                priority = *priority,
                interventions
            )
            .to_string()
        }
    }
}

/// What a council agenda item or candidate is, in the page's language.
pub fn item_label_text(label: &ItemLabel, l: Locale) -> String {
    match label {
        ItemLabel::Referral { number } => {
            td_string!(l, labels.item_label.referral, number = number.clone()).to_string()
        }
        ItemLabel::Case { position } => {
            td_string!(l, labels.item_label.case, position = *position).to_string()
        }
        ItemLabel::OpenCase { opened, follow_up } => td_string!(
            l,
            labels.item_label.open_case,
            opened = day(*opened),
            follow_up = day(*follow_up)
        )
        .to_string(),
    }
}
