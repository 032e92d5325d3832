//! Demo collaboration-council meetings of the Göteborg unit: two held meetings whose decisions
//! accepted referrals and assigned interventions (Passus mentoring, police protection, a school
//! measure, housing support), and one planned meeting with an agenda waiting. Recorded through
//! the council's own functions, as the chair would, on the meetings' days.

use chrono::{DateTime, Duration, Utc};

use super::auth::{acting_as, Authed};
use super::council;
use super::demo_cast::{ORG_GBG, ORG_LEISURE, ORG_PASSUS, ORG_POLICE, ORG_SCHOOL};
use super::state::AppState;
use domain::council::{DecisionInput, InterventionInput, InterventionKind, ItemKind, MeetingInput};
use domain::{AppError, SspfLevel};

/// One decided intervention: what, by whom, follow-up in days after the meeting.
type Iv = (InterventionKind, &'static str, i64);

const FIRST: &[(u8, &[Iv])] = &[
    (
        1,
        &[
            (InterventionKind::Mentoring, ORG_PASSUS, 30),
            (InterventionKind::PoliceProtection, ORG_POLICE, 14),
        ],
    ),
    (
        2,
        &[
            (InterventionKind::SchoolMeasure, ORG_SCHOOL, 21),
            (InterventionKind::Mentoring, ORG_PASSUS, 45),
        ],
    ),
];

const SECOND: &[(u8, &[Iv])] = &[(
    1,
    &[
        (InterventionKind::HousingSupport, ORG_GBG, 14),
        (InterventionKind::Mentoring, ORG_PASSUS, 30),
    ],
)];

/// For a case on the agenda because its review is due.
const CASE_REVIEW: &[Iv] = &[(InterventionKind::EmploymentSupport, ORG_GBG, 60)];

pub(crate) async fn load(state: &AppState) -> Result<(), AppError> {
    let now = state.clock().now();
    let result = async {
        let chair = acting_as(state, "handlaggare").await?;
        state.clock().travel_to(now - Duration::days(14));
        let first = meeting(&chair, 0).await?;
        for (p, ivs) in FIRST {
            let Some(rid) = waiting_referral(&chair).await? else {
                break;
            };
            let item = council::add_item(&chair, &first, ItemKind::Referral, &rid).await?;
            council::decide(&chair, &item, decision(&chair, *p, ivs)).await?;
        }
        council::mark_held(&chair, &first).await?;

        state.clock().travel_to(now - Duration::days(5));
        let second = meeting(&chair, 0).await?;
        for (p, ivs) in SECOND {
            let Some(rid) = waiting_referral(&chair).await? else {
                break;
            };
            let item = council::add_item(&chair, &second, ItemKind::Referral, &rid).await?;
            council::decide(&chair, &item, decision(&chair, *p, ivs)).await?;
        }
        let due = council::agenda(&chair, &second).await?.candidates;
        if let Some(c) = due.iter().find(|c| c.kind == ItemKind::Case) {
            let item = council::add_item(&chair, &second, ItemKind::Case, &c.id).await?;
            council::decide(&chair, &item, decision(&chair, 2, CASE_REVIEW)).await?;
        }
        council::mark_held(&chair, &second).await?;

        // The next meeting: the oldest new referral waits on its agenda.
        state.clock().reset();
        let next = meeting(&chair, 7).await?;
        if let Some(rid) = oldest_new_referral(&chair).await? {
            council::add_item(&chair, &next, ItemKind::Referral, &rid).await?;
        }
        Ok::<(), AppError>(())
    }
    .await;
    state.clock().reset();
    result
}

/// A meeting `in_days` from the clock's today, with Passus, the police, school and leisure.
async fn meeting(chair: &Authed, in_days: i64) -> Result<String, AppError> {
    let day = chair.state().clock().today() + Duration::days(in_days);
    let members = [ORG_PASSUS, ORG_POLICE, ORG_SCHOOL, ORG_LEISURE];
    council::create(
        chair,
        MeetingInput {
            date: day.format("%Y-%m-%d").to_string(),
            members: members.iter().map(|m| m.to_string()).collect(),
        },
    )
    .await
}

fn decision(chair: &Authed, priority: u8, ivs: &[Iv]) -> DecisionInput {
    let today = chair.state().clock().today();
    DecisionInput {
        priority,
        sspf: SspfLevel::Individual,
        responsible: String::new(),
        interventions: ivs
            .iter()
            .map(|(kind, org, days)| InterventionInput {
                kind: *kind,
                provider_org: org.to_string(),
                follow_up: (today + Duration::days(*days))
                    .format("%Y-%m-%d")
                    .to_string(),
            })
            .collect(),
        note: "Fiktivt demobeslut: personen vill lämna och har stöd av familjen.".into(),
    }
}

/// The unit's oldest referral under review, received by the clock's now.
async fn waiting_referral(chair: &Authed) -> Result<Option<String>, AppError> {
    referral_with(chair, "under_review").await
}

async fn oldest_new_referral(chair: &Authed) -> Result<Option<String>, AppError> {
    referral_with(chair, "new").await
}

async fn referral_with(chair: &Authed, status: &str) -> Result<Option<String>, AppError> {
    let now: DateTime<Utc> = chair.state().clock().now();
    Ok(chair
        .state()
        .db()
        .q(
            "SELECT VALUE record::id(id) FROM referral WHERE receiving_org = $org AND status = $s
            AND created_at <= <datetime>$now ORDER BY created_at LIMIT 1",
        )
        .bind("org", chair.org_id())
        .bind("s", status)
        .bind("now", now)
        .run()
        .await?
        .first(0)?)
}
