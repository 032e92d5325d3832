//! Demo SSPF group and young people: one Göteborg group with three linked cases (one of them
//! shared with Passus and the police, one link ended), and two young people under 18 — one
//! whose guardians have consented, one without any consent recorded (the warning shows).

use chrono::{Datelike, Duration};

use super::auth::acting_as;
use super::gate::who;
use super::state::AppState;
use super::{casework, group, participants};
use domain::group::GroupInput;
use domain::guardian::GuardianInput;
use domain::{AppError, ParticipantForm, SspfLevel};

/// The demo group's id and working label.
pub const DEMO_GROUP: &str = "grupp_hammarkullen";
pub const DEMO_GROUP_NAME: &str = "Gruppen vid Hammarkullen torg";

fn young(first: &str, last: &str, age: i32, today: chrono::NaiveDate) -> ParticipantForm {
    ParticipantForm {
        first_name: first.into(),
        last_name: last.into(),
        personnummer: String::new(),
        phone: String::new(),
        email: String::new(),
        address: String::new(),
        background: "Fiktiv demoperson under 18 år, aktuell genom skolans oro.".into(),
        birth_year: (today.year() - age).to_string(),
        gender: "male".into(),
        municipality: "Göteborg".into(),
        protection: "none".into(),
    }
}

pub(crate) async fn load(state: &AppState) -> Result<(), AppError> {
    let w = acting_as(state, "handlaggare").await?;
    let w2 = acting_as(state, "handlaggare2").await?;
    let today = state.clock().today();
    let day = |n: i64| (today - Duration::days(n)).to_string();

    // Three open cases of the case worker: the first shared with Passus and the police (whose
    // pages must never show the group), the third linked earlier and no longer. Found in the
    // store rather than by opening each case, so loading the demo leaves no burst of reads.
    #[derive(serde::Deserialize)]
    struct C {
        id: String,
        parts: Vec<String>,
    }
    let rows: Vec<C> = state
        .db()
        .q("SELECT record::id(id) AS id, opened_at,
                (SELECT VALUE part FROM case_member WHERE case = record::id($parent.id)) AS parts
            FROM case WHERE responsible = $u AND open = true ORDER BY opened_at")
        .bind("u", w.user_id())
        .run()
        .await?
        .all(0)?;
    let mut shared = None;
    let mut others = Vec::new();
    for r in rows {
        let has = |p: &str| r.parts.iter().any(|x| x == p);
        if shared.is_none() && has("mentor") && has("police_contact") {
            shared = Some(r.id);
        } else if others.len() < 2 {
            others.push(r.id);
        }
    }
    let input = GroupInput::parse(
        DEMO_GROUP_NAME,
        "Unga som ofta ses tillsammans vid torget på kvällarna; skolan och fritidsgården har oro för rekrytering. Fiktiv demogrupp.",
    )?;
    group::create_by(state, &who(&w), DEMO_GROUP, &input).await?;
    if let Some(c) = &shared {
        group::link_case(&w, DEMO_GROUP, c, &day(60), "").await?;
    }
    if let Some(c) = others.first() {
        group::link_case(&w, DEMO_GROUP, c, &day(30), "").await?;
    }
    if let Some(c) = others.get(1) {
        group::link_case(&w, DEMO_GROUP, c, &day(200), &day(100)).await?;
    }

    // Two young people of the unit's other case worker.
    let v = participants::ValidParticipant::parse(&young("Elias", "Demoberg", 15, today), today)?;
    let with_consent = participants::register(&w2, v, SspfLevel::Group, "Skola").await?;
    let mother = GuardianInput::parse(
        "Leila Demoberg",
        "mother",
        true,
        "070-174 06 90",
        "",
        "Demovägen 4, Göteborg",
    )?;
    let g = casework::add_guardian(&w2, &with_consent, mother).await?;
    casework::record_consent(
        &w2,
        &with_consent,
        &g,
        &day(20),
        "Insatser enligt planen, samverkan med skolan och fritidsgården",
    )
    .await?;
    let father = GuardianInput::parse("Omar Demoberg", "father", true, "070-174 06 91", "", "")?;
    casework::add_guardian(&w2, &with_consent, father).await?;
    group::link_case(&w2, DEMO_GROUP, &with_consent, &day(20), "").await?;
    let goal = casework::add_goal(
        &w2,
        &with_consent,
        domain::casework::LifeDomain::Family,
        "Familjen stöttar Elias att hålla sig borta från gruppen",
        "",
    )
    .await?;
    casework::add_guardian_action(
        &w2,
        &with_consent,
        &goal,
        "Föräldrasamtal varannan vecka",
        super::demo_cast::ORG_GBG,
        "Handläggaren",
        &(today + Duration::days(14)).to_string(),
    )
    .await?;

    let v = participants::ValidParticipant::parse(&young("Liam", "Exempelsson", 16, today), today)?;
    let without = participants::register(&w2, v, SspfLevel::Individual, "Fritidsgården").await?;
    let parent = GuardianInput::parse("Sara Exempelsson", "mother", true, "070-174 06 92", "", "")?;
    casework::add_guardian(&w2, &without, parent).await?;
    Ok(())
}
