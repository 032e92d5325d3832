//! Demo data: fictional organisations and users (later issues add participants and cases).
//!
//! Loaded by `utvag demo` and automatically in demo mode on an empty database. Every demo user
//! has the password from `UTVAG_DEMO_PASSWORD` (default `utvag-demo-2026`), which sign-in accepts
//! only in demo mode.

use super::identity::{insert_org, insert_user, NewUserInput, OrgInput};
use super::state::AppState;
use crate::domain::{AppError, DisplayName, NewPassword, OrgKind, Role, Username};

pub const DEFAULT_DEMO_PASSWORD: &str = "utvag-demo-2026";

pub fn demo_password() -> String {
    std::env::var("UTVAG_DEMO_PASSWORD").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| DEFAULT_DEMO_PASSWORD.to_string())
}

pub const ORG_GBG: &str = "gbg_soc";
pub const ORG_POLICE: &str = "polis_vast";
pub const ORG_PASSUS: &str = "passus_gbg";
pub const ORG_MALMO: &str = "malmo_soc";

/// (id, name, kind, municipalities)
pub const DEMO_ORGS: &[(&str, &str, OrgKind, &[&str])] = &[
    (ORG_GBG, "Socialtjänsten Göteborg — avhopparverksamheten", OrgKind::SocialServices, &["Göteborg"]),
    (ORG_POLICE, "Polisen Region Väst", OrgKind::Police, &["Göteborg", "Borås", "Trollhättan"]),
    (ORG_PASSUS, "Passus Göteborg", OrgKind::Ngo, &["Göteborg"]),
    (ORG_MALMO, "Socialtjänsten Malmö", OrgKind::SocialServices, &["Malmö"]),
];

/// (username, display name, org, role)
pub const DEMO_USERS: &[(&str, &str, &str, Role)] = &[
    ("handlaggare", "Sara Lindqvist", ORG_GBG, Role::CaseWorker),
    ("handlaggare.malmo", "Jonas Bergström", ORG_MALMO, Role::CaseWorker),
    ("programledare", "Maria Ekholm", ORG_GBG, Role::ProgramLead),
    ("passus", "Ahmed Yusuf", ORG_PASSUS, Role::Partner),
    ("polis", "Karin Holm", ORG_POLICE, Role::Police),
    ("granskare", "Per Sandberg", ORG_GBG, Role::Auditor),
    ("admin", "Lena Admin", ORG_GBG, Role::Admin),
];

/// Whether the database has no organisations yet.
pub async fn is_empty(state: &AppState) -> Result<bool, AppError> {
    let v = state.db().q("SELECT count() AS n FROM org GROUP ALL").run().await?.value(0);
    Ok(v.as_array().and_then(|a| a.first()).and_then(|r| r["n"].as_u64()).unwrap_or(0) == 0)
}

/// Loads the demo data. Refuses to run on a database that already has organisations.
pub async fn load(state: &AppState) -> Result<(), AppError> {
    if !is_empty(state).await? {
        return Err(AppError::conflict("Databasen innehåller redan data; demodata laddas bara i en tom databas."));
    }
    for (id, name, kind, munis) in DEMO_ORGS {
        let input = OrgInput {
            name: DisplayName::parse("name", name)?,
            kind: *kind,
            municipalities: munis.iter().map(|m| m.to_string()).collect(),
        };
        insert_org(state, id, input).await?;
    }
    let pw = demo_password();
    let mut tasks = Vec::new();
    for (username, display, org, role) in DEMO_USERS {
        let input = NewUserInput {
            username: Username::parse(username)?,
            display_name: DisplayName::parse("display_name", display)?,
            org_id: org.to_string(),
            role: *role,
            password: NewPassword::parse(&pw).map_err(|_| AppError::invalid("password", "UTVAG_DEMO_PASSWORD måste vara minst 12 tecken."))?,
        };
        let state = state.clone();
        let id = format!("demo_{}", username.replace('.', "_"));
        tasks.push(tokio::spawn(async move { insert_user(&state, &id, input).await }));
    }
    for t in tasks {
        t.await.map_err(|_| AppError::Internal)??;
    }
    load_cases(state).await
}

/// The sign-ins printed after loading demo data.
pub fn sign_in_table() -> String {
    let mut s = String::from("Demo sign-ins (password from UTVAG_DEMO_PASSWORD, default utvag-demo-2026):\n");
    for (username, display, org, role) in DEMO_USERS {
        let org_name = DEMO_ORGS.iter().find(|o| o.0 == *org).map(|o| o.1).unwrap_or("");
        s.push_str(&format!("  {username:<18} {:<20} {display} — {org_name}\n", role.label()));
    }
    s
}

// ---- participants and cases ----

const FIRST_F: &[&str] = &["Amira", "Elin", "Fatima", "Hanna", "Ida", "Jasmin", "Leyla", "Moa", "Nora", "Tindra", "Yasmin", "Wilma"];
const FIRST_M: &[&str] = &[
    "Adam", "Ali", "Anton", "Dante", "Elias", "Hugo", "Ibrahim", "Kevin", "Liam", "Milo", "Noah", "Omar", "Rami", "Theo", "Viktor", "Yusuf",
];
const LAST: &[&str] = &[
    "Abdi", "Alvarsson", "Bergkvist", "Dahlgren", "Ekström", "Haddad", "Hussein", "Jovanović", "Kaya", "Lundgren", "Mahmoud", "Nordin",
    "Osman", "Petrović", "Rahimi", "Sjöberg", "Strand", "Tahir", "Wallin", "Öberg",
];
const STREETS: &[&str] = &["Framtidsgatan", "Ljusvägen", "Nyckelgränd", "Ankarplatsen", "Vändpunkten", "Stillagatan"];

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
    pub protection: crate::domain::Protection,
    pub status: crate::domain::CaseStatus,
}

/// Number of demo participants.
pub const DEMO_PARTICIPANTS: usize = 40;

/// The demo people, generated deterministically. Phone numbers are from the series the Swedish
/// telecoms regulator (PTS) reserves for fiction (070-174 06 00 – 99); personnummer use birth
/// numbers 980–999 and are only ever given to fictional people.
pub fn demo_people() -> Vec<DemoPerson> {
    use crate::domain::{CaseStatus as S, Protection as P};
    let statuses = [S::Active, S::Active, S::Assessment, S::Referred, S::Active, S::Paused, S::Completed, S::EndedEarly, S::Active, S::Moved];
    (0..DEMO_PARTICIPANTS)
        .map(|i| {
            let female = i % 3 == 1;
            let first = if female { FIRST_F[i % FIRST_F.len()] } else { FIRST_M[i % FIRST_M.len()] };
            let last = LAST[(i * 7 + 3) % LAST.len()];
            let pnr = crate::domain::person::fictional_personnummer(i as u64 + 1);
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

async fn sign_in_as(state: &AppState, username: &str) -> Result<super::auth::Authed, AppError> {
    let (token, _) = super::auth::login(state, username, &demo_password()).await?;
    super::auth::authenticate(state, Some(&token)).await
}

/// Registers the demo participants and works their cases the way the demo users would:
/// through the same audited, access-checked core.
pub async fn load_cases(state: &AppState) -> Result<(), AppError> {
    use super::{consent, participants};
    use crate::domain::{CaseStatus as S, Category as C, ParticipantForm, SspfLevel};

    let gbg = sign_in_as(state, "handlaggare").await?;
    let malmo = sign_in_as(state, "handlaggare.malmo").await?;
    let today = state.clock().now().date_naive();
    for (i, p) in demo_people().into_iter().enumerate() {
        let who = if p.gbg { &gbg } else { &malmo };
        let form = ParticipantForm {
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            personnummer: p.personnummer.clone(),
            phone: p.phone.clone(),
            email: p.email.clone(),
            address: p.address.clone(),
            background: format!(
                "Anmäld via {}. Har varit aktiv i ett nätverk i {} år och vill lämna. Fiktiv demoperson.",
                if i % 2 == 0 { "polisens avhopparsamtal" } else { "skolkurator" },
                1 + i % 5
            ),
            birth_year: String::new(),
            gender: if p.female { "female".into() } else { "male".into() },
            municipality: if p.gbg { "Göteborg".into() } else { "Malmö".into() },
            protection: p.protection.as_str().into(),
        };
        let v = participants::ValidParticipant::parse(&form, today)?;
        let sspf = if i % 6 == 0 { SspfLevel::Group } else { SspfLevel::Individual };
        let referral = if i % 2 == 0 { "Polisen" } else { "Skola" };
        let case_id = participants::register(who, v, sspf, referral).await?;

        if p.gbg && i % 3 == 0 {
            participants::add_member(who, &case_id, "passus", "mentor").await?;
            let n = consent::NewConsent::parse(
                super::demo::ORG_PASSUS,
                &[C::Contacts, C::Plan, C::Occupation, C::Housing].map(|c| c.as_str().to_string()),
                "samtycke",
                "",
                "",
                "",
                today,
            )?;
            let cid = consent::add(who, &case_id, n).await?;
            if i == 6 {
                consent::revoke(who, &case_id, &cid).await?;
            }
        }
        if p.gbg && i % 4 == 0 {
            participants::add_member(who, &case_id, "polis", "police_contact").await?;
            let n = consent::NewConsent::parse(
                super::demo::ORG_POLICE,
                &[C::Safety, C::Identity, C::Justice].map(|c| c.as_str().to_string()),
                "lag",
                "OSL 10 kap. 18 b §",
                "",
                "",
                today,
            )?;
            consent::add(who, &case_id, n).await?;
        }
        let path: &[S] = match p.status {
            S::Referred => &[],
            S::Assessment => &[S::Assessment],
            S::Active => &[S::Assessment, S::Active],
            S::Paused => &[S::Assessment, S::Active, S::Paused],
            S::Completed => &[S::Assessment, S::Active, S::Completed],
            S::EndedEarly => &[S::Assessment, S::EndedEarly],
            S::Moved => &[S::Assessment, S::Active, S::Moved],
        };
        for (version, to) in path.iter().enumerate() {
            participants::transition(who, &case_id, version as i64 + 1, *to).await?;
        }
    }
    Ok(())
}
