//! Demo data: fictional organisations, users, people and their cases, with the program's
//! referrals, situation pictures, ratings, groups, handovers and council meetings.
//!
//! Loaded by `utvag demo` and automatically in demo mode on an empty database. Every demo user
//! has the password from `UTVAG_DEMO_PASSWORD` (default `utvag-demo-2026`), which sign-in accepts
//! only in demo mode.

use super::area;
use super::audit::Who;
use super::identity::{insert_org, insert_user_hashed, NewUserInput, OrgInput};
use super::state::AppState;
use domain::Problem;
use domain::{AppError, AreaInput, DisplayName, NewPassword, Username};

pub use super::config::{demo_password, DEFAULT_DEMO_PASSWORD};
pub use super::demo_cast::{
    demo_people, DemoPerson, DEMO_AREAS, DEMO_ORGS, DEMO_PARTICIPANTS, DEMO_USERS, ORG_GBG,
    ORG_LEISURE, ORG_MALMO, ORG_PASSUS, ORG_POLICE, ORG_SCHOOL,
};

/// Whether the database has no organisations yet.
pub async fn is_empty(state: &AppState) -> Result<bool, AppError> {
    let v = state
        .db()
        .q("SELECT count() AS n FROM org GROUP ALL")
        .run()
        .await?
        .value(0);
    Ok(v.as_array()
        .and_then(|a| a.first())
        .and_then(|r| r["n"].as_u64())
        .unwrap_or(0)
        == 0)
}

/// Loads the demo data. Refuses to run on a database that already has organisations.
pub async fn load(state: &AppState) -> Result<(), AppError> {
    load_identities(state).await?;
    load_cases(state).await?;
    super::demo_situation::load(state).await?;
    super::demo_ratings::load(state).await?;
    super::demo_groups::load(state).await?;
    super::demo_handover::load(state).await?;
    super::demo_council::load(state).await
}

/// A fresh in-memory store holding the demo data, for a test: a copy of one store written with
/// [`load`] once per process (see [`super::template`]). `settings` applies except for the
/// database and the keys.
pub async fn fresh(settings: super::config::CoreSettings) -> AppState {
    static DEMO: super::template::Template = super::template::Template::const_new();
    super::template::from_template(&DEMO, "demo", settings, |s| {
        Box::pin(async move { load(&s).await })
    })
    .await
}

/// The demo organisations and users alone.
pub async fn load_identities(state: &AppState) -> Result<(), AppError> {
    if !is_empty(state).await? {
        return Err(AppError::conflict(
            Problem::NotEmpty,
            "Databasen innehåller redan data; demodata laddas bara i en tom databas.",
        ));
    }
    for (id, name, kind, munis) in DEMO_ORGS {
        let input = OrgInput {
            name: DisplayName::parse("name", name)?,
            kind: *kind,
            municipalities: munis.iter().map(|m| m.to_string()).collect(),
        };
        insert_org(state, id, input).await?;
    }
    for (id, municipality, name, kind) in DEMO_AREAS {
        let input = AreaInput {
            municipality: municipality.to_string(),
            name: name.to_string(),
            kind: *kind,
        };
        area::insert(state, id, input).await?;
    }
    let pw = demo_password();
    let hash = demo_password_hash(&pw).await?;
    let mut tasks = Vec::new();
    for (username, display, org, role) in DEMO_USERS {
        let input = NewUserInput {
            username: Username::parse(username)?,
            display_name: DisplayName::parse("display_name", display)?,
            org_id: org.to_string(),
            role: *role,
            password: NewPassword::parse(&pw).map_err(|_| {
                AppError::problem(
                    "password",
                    Problem::PasswordShort,
                    "UTVAG_DEMO_PASSWORD måste vara minst 12 tecken.",
                )
            })?,
        };
        let state = state.clone();
        let hash = hash.clone();
        let id = format!("demo_{}", username.replace('.', "_"));
        tasks.push(tokio::spawn(async move {
            insert_user_hashed(&state, &Who::system(), &id, input, hash).await?;
            // Pre-enrolled with a secret derived from the user name (`totp::demo_secret`), so
            // the demo stays one command; real enrolments get random secrets.
            super::totp::enrol_demo(&state, &id, username).await
        }));
    }
    for t in tasks {
        t.await.map_err(|_| AppError::Internal)??;
    }
    Ok(())
}

/// The hash of the demo password, computed once per process. Every demo user has this public
/// password, so a salt of its own per user would protect nothing; hashing it (600 000 PBKDF2
/// iterations) nine times on every demo load was most of the cost of a test's fresh store.
async fn demo_password_hash(pw: &str) -> Result<String, AppError> {
    static HASH: std::sync::Mutex<Option<(String, String)>> = std::sync::Mutex::new(None);
    let cached = HASH.lock().ok().and_then(|h| {
        h.as_ref()
            .filter(|(p, _)| p == pw)
            .map(|(_, hash)| hash.clone())
    });
    if let Some(hash) = cached {
        return Ok(hash);
    }
    let owned = pw.to_string();
    let hash = tokio::task::spawn_blocking(move || super::password::hash(&owned))
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|_| AppError::Internal)?;
    if let Ok(mut h) = HASH.lock() {
        *h = Some((pw.to_string(), hash.clone()));
    }
    Ok(hash)
}

/// Signs a demo user in the way the sign-in page does — the password, then the code their
/// authenticator shows — and returns the session token. Demo mode only (tests and scripts).
pub async fn sign_in(state: &AppState, username: &str) -> Result<String, AppError> {
    let local = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    let s = super::auth::sign_in(state, local, username, &demo_password()).await?;
    if s.next == super::auth::Next::Done {
        return Ok(s.token);
    }
    let code = super::totp::next_demo_code(state, username)
        .await?
        .ok_or(AppError::TooManyRequests)?;
    Ok(super::auth::second_factor(state, local, &s.token, &code)
        .await?
        .0)
}

/// The sign-ins printed after loading demo data.
pub fn sign_in_table() -> String {
    let mut s = String::from(
        "Demo sign-ins (password from UTVAG_DEMO_PASSWORD, default utvag-demo-2026; the second\n\
         factor is a TOTP code from the secret after the name — add it to an authenticator app\n\
         by hand, or print the current code with `utvag demo-code <user>`; these secrets are\n\
         public and exist only in the demo data):\n",
    );
    for (username, display, org, role) in DEMO_USERS {
        let org_name = DEMO_ORGS
            .iter()
            .find(|o| o.0 == *org)
            .map(|o| o.1)
            .unwrap_or("");
        s.push_str(&format!(
            "  {username:<18} {:<20} {display} — {org_name}\n  {:<18} TOTP {}\n",
            role.label(),
            "",
            super::totp::secret_base32(&super::totp::demo_secret(username))
        ));
    }
    s
}

// ---- participants and cases ----

async fn sign_in_as(state: &AppState, username: &str) -> Result<super::auth::Authed, AppError> {
    // The loader writes the history as the demo staff; a sign-in per write would spend their
    // one-time codes (the history is written "in the past", where the codes are long used).
    super::auth::acting_as(state, username).await
}

/// Registers the demo participants and works their cases the way the demo users would:
/// through the same audited, access-checked core.
pub async fn load_cases(state: &AppState) -> Result<(), AppError> {
    use super::{consent, participants};
    use domain::{CaseStatus as S, Category as C, ParticipantForm, SspfLevel};

    let gbg = sign_in_as(state, "handlaggare").await?;
    let malmo = sign_in_as(state, "handlaggare.malmo").await?;
    let passus = sign_in_as(state, "passus").await?;
    let police = sign_in_as(state, "polis").await?;
    // The history is written as it would have happened: the core's clock is moved back and
    // walked forward over the last 18 months, then returned to the wall clock.
    let real_now = state.clock().now();
    let history_start = real_now - chrono::Duration::days(540);
    let result = async {
    for (i, p) in demo_people().into_iter().enumerate() {
        let day0 = history_start + chrono::Duration::days(i as i64 * 12) + chrono::Duration::hours(9);
        state.clock().travel_to(day0);
        let today = state.clock().today();
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
                super::demo_cast::ORG_PASSUS,
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
                super::demo_cast::ORG_POLICE,
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
        let mut day = day0;
        let mut after_active = false;
        for (version, to) in path.iter().enumerate() {
            // Casework on an active case runs for months before the next change.
            day += chrono::Duration::days(if after_active { 120 } else { 14 });
            after_active = *to == S::Active;
            state.clock().travel_to(day);
            participants::transition(who, &case_id, version as i64 + 1, *to).await?;
            if *to == S::Active {
                let team = DemoTeam { worker: who, passus: (p.gbg && i % 3 == 0 && i != 6).then_some(&passus), police: (p.gbg && i % 4 == 0).then_some(&police) };
                work_case(state, &team, &case_id, i, &p, day).await?;
            }
        }
    }
    Ok::<(), AppError>(())
    }
    .await;
    state.clock().reset();
    result?;
    super::demo_referrals::load(state).await
}

struct DemoTeam<'a> {
    worker: &'a super::auth::Authed,
    passus: Option<&'a super::auth::Authed>,
    police: Option<&'a super::auth::Authed>,
}

/// A few months of casework on an active case: plan, housing, occupation, contacts, notes,
/// and for protected or police cases, measures and threat assessments.
async fn work_case(
    state: &AppState,
    t: &DemoTeam<'_>,
    case_id: &str,
    i: usize,
    p: &DemoPerson,
    start: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    use super::casework as cw;
    use domain::casework::*;
    let at = |days: i64| start + chrono::Duration::days(days);
    let ymd = |d: chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%d").to_string();
    let w = t.worker;
    let domains = [
        LifeDomain::LeavingNetwork,
        LifeDomain::Housing,
        LifeDomain::Occupation,
        LifeDomain::Education,
        LifeDomain::Finances,
    ];
    let g1 = cw::add_goal(
        w,
        case_id,
        LifeDomain::Safety,
        "Känna sig trygg i vardagen och ha en säkerhetsplan",
        &ymd(at(120)),
    )
    .await?;
    let d2 = domains[i % domains.len()];
    let g2 = cw::add_goal(
        w,
        case_id,
        d2,
        "Komma vidare till egen försörjning eller studier",
        &ymd(at(300)),
    )
    .await?;
    cw::add_action(
        w,
        case_id,
        &g1,
        "Gå igenom säkerhetsplanen tillsammans",
        w.org_id(),
        "Handläggaren",
        &ymd(at(21)),
    )
    .await?;
    let passus_action = if t.passus.is_some() {
        Some(
            cw::add_action(
                w,
                case_id,
                &g2,
                "Veckovisa mentorsträffar",
                ORG_PASSUS,
                "Mentor",
                &ymd(at(90)),
            )
            .await?,
        )
    } else {
        None
    };
    state.clock().travel_to(at(3));
    cw::add_housing(
        w,
        case_id,
        if p.protection.is_protected() {
            HousingType::Sheltered
        } else {
            HousingType::Temporary
        },
        &format!("Tillfälligt boende {}", i + 1),
        &ymd(at(3)),
    )
    .await?;
    cw::add_occupation(w, case_id, OccupationType::NoOccupation, &ymd(at(3)), "").await?;
    if p.protection.is_protected() {
        cw::add_measure(
            w,
            case_id,
            MeasureKind::ProtectedIdentity,
            MeasureStatus::Active,
            &ymd(at(3)),
            "",
            "Ansökan om skyddade personuppgifter beviljad.",
        )
        .await?;
    }
    if let Some(police) = t.police {
        state.clock().travel_to(at(5));
        let level = [
            ThreatLevel::Medium,
            ThreatLevel::High,
            ThreatLevel::Low,
            ThreatLevel::Acute,
        ][i % 4];
        cw::add_assessment(
            police,
            case_id,
            level,
            &ymd(at(5)),
            &ymd(at(5 + 90)),
            "Samlad bedömning utifrån underrättelser och samtal.",
        )
        .await?;
        if matches!(level, ThreatLevel::High | ThreatLevel::Acute) {
            cw::add_measure(
                police,
                case_id,
                MeasureKind::PersonalProtection,
                MeasureStatus::Active,
                &ymd(at(5)),
                "",
                "Personskydd enligt polisens beslut.",
            )
            .await?;
        }
    }
    for k in 0..4i64 {
        state.clock().travel_to(at(10 + k * 14));
        let who = match (t.passus, k % 2) {
            (Some(ps), 1) => ps,
            _ => w,
        };
        let kind = [
            ContactKind::Meeting,
            ContactKind::Phone,
            ContactKind::HomeVisit,
            ContactKind::Digital,
        ][(i + k as usize) % 4];
        cw::add_contact(
            who,
            case_id,
            "",
            kind,
            &format!("{}", 20 + 10 * k),
            "Samtal om veckan som gått och nästa steg.",
        )
        .await?;
    }
    state.clock().travel_to(at(40));
    cw::add_note(
        w,
        case_id,
        "Motivationen är fortsatt hög. Följ upp kontakten med arbetsförmedlingen.",
    )
    .await?;
    if let (Some(ps), Some(action)) = (t.passus, passus_action) {
        state.clock().travel_to(at(45));
        cw::update_action(
            ps,
            case_id,
            &action,
            1,
            ActionStatus::InProgress,
            "Träffar varje tisdag.",
        )
        .await?;
    }
    state.clock().travel_to(at(60));
    cw::add_review(
        w,
        case_id,
        &ymd(at(60)),
        "Deltagaren, handläggare, mentor",
        "Planen följdes upp. Boendet fungerar, fortsatt fokus på sysselsättning.",
        &ymd(at(150)),
    )
    .await?;
    state.clock().travel_to(at(75));
    let occ = [
        OccupationType::Studies,
        OccupationType::Internship,
        OccupationType::LabourProgram,
        OccupationType::Employment,
    ][i % 4];
    cw::add_occupation(w, case_id, occ, &ymd(at(75)), "").await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CoreSettings;
    use crate::crypto::{Sealed, WrappedDek};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use serde_json::Value as Json;

    /// Every way a demo person's personal data could be written in clear.
    fn needles() -> Vec<String> {
        let mut out = Vec::new();
        for p in demo_people() {
            let pnr = &p.personnummer;
            let digits: String = p.phone.chars().filter(char::is_ascii_digit).collect();
            out.extend([
                format!("{} {}", p.first_name, p.last_name),
                p.last_name.clone(),
                pnr.clone(),
                format!("{}-{}", &pnr[..8], &pnr[8..]),
                pnr[2..].to_string(),
                format!("{}-{}", &pnr[2..8], &pnr[8..]),
                p.phone.clone(),
                digits.clone(),
                format!("+46{}", &digits[1..]),
                p.email.clone(),
                p.address.clone(),
            ]);
        }
        out.sort();
        out.dedup();
        out
    }

    /// What the scan found: values holding a needle in clear, and how many ciphertexts it saw.
    #[derive(Default)]
    struct Scan {
        leaks: Vec<String>,
        ciphertexts: usize,
    }

    impl Scan {
        /// A needle found as a word of its own: a value written into text ("Bor på
        /// Storgatan 3", "ABDI"), not four letters that a random id or key happens to hold
        /// ("x7abdiq…": a short name occurs in some of the thousands of random ids by chance).
        fn text(&mut self, where_: &str, s: &str, needles: &[String]) {
            let lower = s.to_lowercase();
            for n in needles {
                let n_lower = n.to_lowercase();
                let as_word = lower.match_indices(&n_lower).any(|(at, m)| {
                    let before = lower[..at].chars().next_back();
                    let after = lower[at + m.len()..].chars().next();
                    !before.is_some_and(char::is_alphanumeric)
                        && !after.is_some_and(char::is_alphanumeric)
                });
                if as_word {
                    self.leaks.push(format!("{where_}: {n:?} in {s:?}"));
                }
            }
        }

        fn value(&mut self, where_: &str, v: &Json, needles: &[String]) {
            match v {
                Json::String(s) if Sealed::decode(s).is_ok() || WrappedDek::decode(s).is_ok() => {
                    // Random-looking text, so a short name can occur in it by chance; its bytes
                    // are what must not hold the value.
                    self.ciphertexts += 1;
                    let bytes = URL_SAFE_NO_PAD.decode(s).unwrap_or_default();
                    for n in needles {
                        if bytes.windows(n.len()).any(|w| w == n.as_bytes()) {
                            self.leaks
                                .push(format!("{where_}: {n:?} inside a sealed value"));
                        }
                    }
                }
                Json::String(s) => self.text(where_, s, needles),
                Json::Number(n) => self.text(where_, &n.to_string(), needles),
                Json::Array(a) => a.iter().for_each(|x| self.value(where_, x, needles)),
                Json::Object(o) => {
                    for (k, x) in o {
                        self.text(where_, k, needles);
                        self.value(&format!("{where_}.{k}"), x, needles);
                    }
                }
                Json::Bool(_) | Json::Null => {}
            }
        }
    }

    #[test]
    fn the_scan_finds_a_value_in_clear_and_passes_over_sealed_ones() {
        let needles = needles();
        let p = &demo_people()[3];
        let dek = crate::crypto::Dek::generate(&ring::rand::SystemRandom::new()).unwrap();
        let sealed =
            crate::vault::seal(&dek, "participant", "x", "last_name", &p.last_name).unwrap();
        let mut scan = Scan::default();
        scan.value("t", &serde_json::json!({ "last_name": sealed }), &needles);
        assert!(scan.leaks.is_empty(), "{:?}", scan.leaks);
        assert_eq!(scan.ciphertexts, 1);
        let digits: String = p.phone.chars().filter(char::is_ascii_digit).collect();
        for clear in [
            p.last_name.to_uppercase(),
            format!("Bor på {}", p.address),
            format!("tel {digits}"),
        ] {
            let mut scan = Scan::default();
            scan.value("t", &serde_json::json!({ "note": clear }), &needles);
            assert!(!scan.leaks.is_empty(), "{clear} not found");
        }
        // Letters of a name inside a random id are not the name.
        let mut scan = Scan::default();
        let id = format!("x7{}q9k2", p.last_name.to_lowercase());
        scan.value("t", &serde_json::json!({ "id": id }), &needles);
        assert!(scan.leaks.is_empty(), "{:?}", scan.leaks);
    }

    #[tokio::test]
    async fn no_personal_value_of_the_demo_people_is_stored_in_clear() {
        let state = fresh(CoreSettings::for_tests()).await;
        let needles = needles();
        let info = state.db().q("INFO FOR DB").run().await.unwrap().value(0);
        let tables: Vec<String> = info["tables"]
            .as_object()
            .expect("tables")
            .keys()
            .cloned()
            .collect();
        for t in [
            "participant",
            "participant_key",
            "blind_index",
            "case",
            "consent",
            "audit",
            "user",
            "session",
        ] {
            assert!(tables.iter().any(|x| x == t), "{t} missing from {tables:?}");
        }
        let mut scan = Scan::default();
        let mut records = 0;
        for t in &tables {
            let rows = state
                .db()
                .q("SELECT * FROM type::table($t)")
                .bind("t", t)
                .run()
                .await
                .unwrap()
                .value(0);
            records += rows.as_array().map_or(0, Vec::len);
            scan.value(t, &rows, &needles);
        }
        assert!(
            scan.leaks.is_empty(),
            "{} values in clear:\n{}",
            scan.leaks.len(),
            scan.leaks.join("\n")
        );
        // Names, personnummer, phone, e-mail, address and background of all 40, and their keys.
        assert!(
            scan.ciphertexts >= DEMO_PARTICIPANTS * 8,
            "only {} sealed values seen",
            scan.ciphertexts
        );
        assert!(records >= 400, "only {records} records scanned");
    }
}
