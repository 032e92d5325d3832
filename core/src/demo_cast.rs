//! The demo's cast: the fictional organisations, areas and users, and the fictional people
//! the demo cases are about. Every demo loader reads them from here; this file imports no
//! loader, so the loaders depend on it and never on each other through it.

use chrono::{DateTime, Utc};

use domain::casework::{LifeDomain, MeasureKind};
use domain::rating::{Occasion, Rater};
use domain::{AreaKind, CaseStatus, Gender, OrgKind, Role, SspfLevel};

pub const ORG_GBG: &str = "gbg_soc";
pub const ORG_POLICE: &str = "polis_vast";
pub const ORG_PASSUS: &str = "passus_gbg";
pub const ORG_MALMO: &str = "malmo_soc";
pub const ORG_SCHOOL: &str = "gbg_skola";
pub const ORG_LEISURE: &str = "gbg_fritid";

/// (id, name, kind, municipalities)
pub const DEMO_ORGS: &[(&str, &str, OrgKind, &[&str])] = &[
    (
        ORG_GBG,
        "Socialtjänsten Göteborg — avhopparverksamheten",
        OrgKind::SocialServices,
        &["Göteborg"],
    ),
    (
        ORG_POLICE,
        "Polisen Region Väst",
        OrgKind::Police,
        &["Göteborg", "Borås", "Trollhättan"],
    ),
    (ORG_PASSUS, "Passus Göteborg", OrgKind::Ngo, &["Göteborg"]),
    (
        ORG_MALMO,
        "Socialtjänsten Malmö",
        OrgKind::SocialServices,
        &["Malmö"],
    ),
    (
        ORG_SCHOOL,
        "Grundskoleförvaltningen Göteborg",
        OrgKind::School,
        &["Göteborg"],
    ),
    (
        ORG_LEISURE,
        "Kultur och fritid Göteborg",
        OrgKind::Leisure,
        &["Göteborg"],
    ),
];

/// (id, municipality, name, kind)
pub const DEMO_AREAS: &[(&str, &str, &str, AreaKind)] = &[
    ("angered", "Göteborg", "Angered", AreaKind::District),
    (
        "hisingen_skola",
        "Göteborg",
        "Norra Hisingens skolområde",
        AreaKind::SchoolArea,
    ),
    ("rosengard", "Malmö", "Rosengård", AreaKind::District),
];

/// (username, display name, org, role)
pub const DEMO_USERS: &[(&str, &str, &str, Role)] = &[
    ("handlaggare", "Sara Lindqvist", ORG_GBG, Role::CaseWorker),
    (
        "handlaggare.malmo",
        "Jonas Bergström",
        ORG_MALMO,
        Role::CaseWorker,
    ),
    ("programledare", "Maria Ekholm", ORG_GBG, Role::ProgramLead),
    // The colleagues who worked the three years of demo history (demo_history.rs).
    ("handlaggare2", "Henrik Sjöblom", ORG_GBG, Role::CaseWorker),
    (
        "handlaggare2.malmo",
        "Amra Kovač",
        ORG_MALMO,
        Role::CaseWorker,
    ),
    ("passus", "Ahmed Yusuf", ORG_PASSUS, Role::Partner),
    ("polis", "Karin Holm", ORG_POLICE, Role::Police),
    ("skola", "Elin Norberg", ORG_SCHOOL, Role::Contributor),
    ("fritid", "Tove Wahlgren", ORG_LEISURE, Role::Contributor),
    ("granskare", "Per Sandberg", ORG_GBG, Role::Auditor),
    ("admin", "Lena Admin", ORG_GBG, Role::Admin),
];

const FIRST_F: &[&str] = &[
    "Amira", "Elin", "Fatima", "Hanna", "Ida", "Jasmin", "Leyla", "Moa", "Nora", "Tindra",
    "Yasmin", "Wilma",
];
const FIRST_M: &[&str] = &[
    "Adam", "Ali", "Anton", "Dante", "Elias", "Hugo", "Ibrahim", "Kevin", "Liam", "Milo", "Noah",
    "Omar", "Rami", "Theo", "Viktor", "Yusuf",
];
const LAST: &[&str] = &[
    "Abdi",
    "Alvarsson",
    "Bergkvist",
    "Dahlgren",
    "Ekström",
    "Haddad",
    "Hussein",
    "Jovanović",
    "Kaya",
    "Lundgren",
    "Mahmoud",
    "Nordin",
    "Osman",
    "Petrović",
    "Rahimi",
    "Sjöberg",
    "Strand",
    "Tahir",
    "Wallin",
    "Öberg",
];
const STREETS: &[&str] = &[
    "Framtidsgatan",
    "Ljusvägen",
    "Nyckelgränd",
    "Ankarplatsen",
    "Vändpunkten",
    "Stillagatan",
];

/// One fictional participant of the demo data (also used by tests that look for leaks).
#[derive(Debug, Clone)]
pub struct DemoPerson {
    pub first_name: String,
    pub last_name: String,
    pub personnummer: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub gbg: bool,
    pub female: bool,
    pub protection: domain::Protection,
    pub status: domain::CaseStatus,
}

/// Number of demo participants.
pub const DEMO_PARTICIPANTS: usize = 40;

/// The demo people, generated deterministically. Phone numbers are from the series the Swedish
/// telecoms regulator (PTS) reserves for fiction (070-174 06 00 – 99); personnummer use birth
/// numbers 980–999 and are only ever given to fictional people.
pub fn demo_people() -> Vec<DemoPerson> {
    use domain::{CaseStatus as S, Protection as P};
    let statuses = [
        S::Active,
        S::Active,
        S::Assessment,
        S::Referred,
        S::Active,
        S::Paused,
        S::Completed,
        S::EndedEarly,
        S::Active,
        S::Moved,
    ];
    (0..DEMO_PARTICIPANTS)
        .map(|i| {
            let female = i % 3 == 1;
            let first = if female {
                FIRST_F[i % FIRST_F.len()]
            } else {
                FIRST_M[i % FIRST_M.len()]
            };
            let last = LAST[(i * 7 + 3) % LAST.len()];
            let pnr = domain::person::fictional_personnummer(i as u64 + 1);
            let protection = if i % 5 == 0 {
                P::SkyddadFolkbokforing
            } else if i % 7 == 0 {
                P::Sekretessmarkering
            } else if i % 13 == 0 {
                P::FingeradePersonuppgifter
            } else {
                P::None
            };
            DemoPerson {
                first_name: first.to_string(),
                last_name: last.to_string(),
                personnummer: pnr.as_str().to_string(),
                phone: format!("070-174 06 {:02}", i),
                email: format!("{}.{}{}@exempel.se", first.to_lowercase(), i, "x"),
                address: format!("{} {}", STREETS[i % STREETS.len()], 3 + i * 2),
                gbg: i % 4 != 3,
                female,
                protection,
                status: statuses[i % statuses.len()],
            }
        })
        .collect()
}

// ---- the generated history's people (`demo_history`) ----

/// A spell of housing or occupation: (kind, from, to).
pub type Spell = (&'static str, DateTime<Utc>, Option<DateTime<Utc>>);

/// One generated person and everything that happened in their case. Dates are instants (UTC).
#[derive(Debug, Clone)]
pub struct HistoryCase {
    pub first_name: String,
    pub last_name: String,
    pub gender: Gender,
    pub birth_year: i32,
    pub municipality: &'static str,
    pub owner_org: &'static str,
    pub sspf: SspfLevel,
    pub opened: DateTime<Utc>,
    /// Every status change after `referred` at `opened`, in order.
    pub transitions: Vec<(CaseStatus, DateTime<Utc>)>,
    /// (kind, from, to) — `own_lease`/`second_hand` count as stable housing.
    pub housing: Vec<Spell>,
    /// (kind, from, to).
    pub occupation: Vec<Spell>,
    /// (kind, start, end).
    pub measures: Vec<(MeasureKind, DateTime<Utc>, Option<DateTime<Utc>>)>,
    /// (level, date, next review).
    pub assessments: Vec<(&'static str, DateTime<Utc>, DateTime<Utc>)>,
    pub next_review: Option<DateTime<Utc>>,
    pub contacts: Vec<DateTime<Utc>>,
    /// Outcome rating sets, in date order (see `demo_ratings::history_ratings`).
    pub ratings: Vec<HistoryRating>,
    /// Enrolment in the demo ESF+ project: (entry, exit), at midnight UTC of the day.
    pub enrolment: Option<(DateTime<Utc>, Option<DateTime<Utc>>)>,
}

/// One generated rating set: when, on what occasion, by whom, and the rated domains' scores.
#[derive(Debug, Clone)]
pub struct HistoryRating {
    pub date: DateTime<Utc>,
    pub occasion: Occasion,
    pub rater: Rater,
    pub scores: Vec<(LifeDomain, u8)>,
}

impl HistoryCase {
    pub fn status(&self) -> CaseStatus {
        self.transitions
            .last()
            .map(|t| t.0)
            .unwrap_or(CaseStatus::Referred)
    }

    pub fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.transitions
            .last()
            .filter(|t| t.0.is_closed())
            .map(|t| t.1)
    }
}
