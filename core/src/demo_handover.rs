//! Demo handovers between Göteborg and Malmö, written through the core as the demo users would:
//!
//! - Kevin Demohav: registered in Göteborg about 100 days ago (before the newest of Malmö's own
//!   demo cases, so Malmö's lists start as before), offered about two months ago (person,
//!   status, plan) and accepted by Malmö (`handlaggare2.malmo`) a week later with a read period
//!   of 14 days, which has ended: Göteborg no longer reads the case, Malmö owns it with its
//!   history.
//! - Nova Demosund: offered by Göteborg two days ago (person, status, safety) with a covering
//!   note, waiting for Malmö; `handlaggare.malmo` can accept it.
//!
//! Both people are new (their own fictional personnummer), so the other demo cases and the
//! lists the browser tests read stay as they are.

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};

use super::auth::acting_as;
use super::casework;
use super::handover;
use super::participants::{self, ValidParticipant};
use super::state::AppState;
use domain::casework::LifeDomain;
use domain::handover::HandoverInput;
use domain::person::fictional_personnummer;
use domain::{AppError, CaseStatus, ParticipantForm, SspfLevel};

fn person(seed: u64, first: &str, last: &str, female: bool) -> ParticipantForm {
    ParticipantForm {
        first_name: first.into(),
        last_name: last.into(),
        personnummer: fictional_personnummer(seed).as_str().to_string(),
        phone: String::new(),
        email: String::new(),
        address: String::new(),
        background: "Vill lämna ett nätverk och flytta från Göteborg. Fiktiv demoperson.".into(),
        birth_year: String::new(),
        gender: if female { "female" } else { "male" }.into(),
        municipality: "Göteborg".into(),
        protection: "none".into(),
    }
}

fn offer_input(parts: &[&str], note: &str, days: u32) -> HandoverInput {
    HandoverInput {
        to_org: super::demo_cast::ORG_MALMO.into(),
        parts: parts.iter().map(|p| p.to_string()).collect(),
        note: note.into(),
        read_days: days.to_string(),
    }
}

/// `days` before `now`, moved back to a weekday at 09:00 UTC (10:00 or 11:00 in Sweden): the
/// demo staff work office hours, so their reads are not what log review flags.
fn workday(now: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    let mut d = (now - Duration::days(days)).date_naive();
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d -= Duration::days(1);
    }
    d.and_hms_opt(9, 0, 0).map(|t| t.and_utc()).unwrap_or(now)
}

/// Writes the two demo handovers; the core's clock is moved back for them and then reset.
pub(crate) async fn load(state: &AppState) -> Result<(), AppError> {
    let real_now = state.clock().now();
    let result = async {
        let gbg = acting_as(state, "handlaggare").await?;
        let malmo2 = acting_as(state, "handlaggare2.malmo").await?;

        // Completed: registered about 100 days ago, active with a goal, handed over and accepted.
        state.clock().travel_to(workday(real_now, 100));
        let today = state.clock().today();
        let v = ValidParticipant::parse(&person(601, "Kevin", "Demohav", false), today)?;
        let case = participants::register(&gbg, v, SspfLevel::Individual, "Socialtjänsten").await?;
        participants::transition(&gbg, &case, 1, CaseStatus::Assessment).await?;
        participants::transition(&gbg, &case, 2, CaseStatus::Active).await?;
        casework::add_goal(
            &gbg,
            &case,
            LifeDomain::Housing,
            "Eget boende i den nya kommunen",
            "",
        )
        .await?;
        state.clock().travel_to(workday(real_now, 60));
        let id = handover::offer(
            &gbg,
            &case,
            &offer_input(
                &["person", "status", "plan"],
                "Flyttar till Malmö efter hot. Boendet är ordnat via kontakt hos er.",
                14,
            ),
        )
        .await?;
        state.clock().travel_to(workday(real_now, 53));
        handover::accept(&malmo2, &id).await?;

        // Pending: registered three weeks ago, offered two days ago.
        state.clock().travel_to(workday(real_now, 21));
        let today = state.clock().today();
        let v = ValidParticipant::parse(&person(602, "Nova", "Demosund", true), today)?;
        let case = participants::register(&gbg, v, SspfLevel::Individual, "Polisen").await?;
        participants::transition(&gbg, &case, 1, CaseStatus::Assessment).await?;
        state.clock().travel_to(workday(real_now, 2));
        handover::offer(
            &gbg,
            &case,
            &offer_input(
                &["person", "status", "safety"],
                "Nova har fått bostad i Malmö och vill fortsätta stödet där.",
                30,
            ),
        )
        .await?;
        Ok::<(), AppError>(())
    }
    .await;
    state.clock().reset();
    result
}
