//! Helpers shared by the core's unit tests: a store with the demo data, signing in as a demo
//! user, and the demo case that social services, Passus and the police share.

use super::auth::Authed;
use super::config::CoreSettings;
use super::state::AppState;
use super::template::{from_template, Template};
use super::{demo, participants};

/// True in the suite's second pass, against SurrealDB's own server over ws:// (`UTVAG_TEST_DB`,
/// scripts/rust-tests.sh). The long sweeps over the generated history and the property tests of
/// the outcome counters return at once there: what they check is arithmetic over rows and the
/// events the engine runs inside its own transactions, the same engine code over either
/// transport, and the rows' encoding over ws:// is still checked by the shorter outcome tests
/// that do run in that pass. They would add more than a third to the pass's time.
pub(crate) fn second_pass_over_ws() -> bool {
    std::env::var("UTVAG_TEST_DB").is_ok_and(|v| !v.is_empty())
}

/// Revokes every consent in force that names Passus on `case`.
pub(crate) async fn revoke_passus(w: &Authed, case: &str) {
    for c in crate::consent::list(w, case).await.unwrap() {
        if c.recipient_org_id == demo::ORG_PASSUS && c.active {
            crate::consent::revoke(w, case, &c.id).await.unwrap();
        }
    }
}

/// A consent for Passus to contacts alone, from `today`, until further notice.
pub(crate) fn passus_contacts_only(today: chrono::NaiveDate) -> crate::consent::NewConsent {
    crate::consent::NewConsent::parse(
        demo::ORG_PASSUS,
        &[domain::Category::Contacts.as_str().to_string()],
        "samtycke",
        "",
        "",
        "",
        today,
    )
    .unwrap()
}

pub(crate) async fn setup() -> AppState {
    demo::fresh(CoreSettings::for_tests()).await
}

pub(crate) async fn as_user(state: &AppState, u: &str) -> Authed {
    // Straight to an `Authed`: sign-in itself (password, second factor) is tested in `auth`.
    super::auth::acting_as(state, u).await.unwrap()
}

/// The Göteborg case worker, the Passus partner and the police contact of the demo data.
pub(crate) async fn worker_partner_police(state: &AppState) -> (Authed, Authed, Authed) {
    (
        as_user(state, "handlaggare").await,
        as_user(state, "passus").await,
        as_user(state, "polis").await,
    )
}

/// An open Göteborg case with Passus (contacts, plan, occupation and housing consent) and the
/// police (safety basis) on the team.
pub(crate) async fn shared_case(w: &Authed) -> String {
    let rows = participants::list(w, participants::ListFilter::default())
        .await
        .unwrap();
    for r in rows {
        // The unit's list also holds colleagues' cases this user may not open (a colleague's
        // newer case can come first): those are passed over.
        let Ok(v) = participants::view(w, &r.case_id).await else {
            continue;
        };
        let parts: Vec<&str> = v.team.iter().map(|m| m.part.as_str()).collect();
        if parts.contains(&"mentor") && parts.contains(&"police_contact") && !v.status.is_closed() {
            return r.case_id;
        }
    }
    panic!("demo data has a case shared with Passus and the police");
}

/// A store with the demo organisations and users and the three years of demo history only (no
/// other cases), and the generated people it was written from.
pub(crate) async fn history_store() -> (AppState, Vec<super::demo_history::HistoryCase>) {
    static HISTORY: Template = Template::const_new();
    let state = from_template(&HISTORY, "history", CoreSettings::for_tests(), |s| {
        Box::pin(async move {
            demo::load_identities(&s).await?;
            let today = s.clock().today();
            super::demo_history::load(&s, today).await.map(|_| ())
        })
    })
    .await;
    let today = state.clock().today();
    (state, super::demo_history::generate(today))
}

/// A store with the demo organisations, users and cases only (no referrals, pictures, ratings,
/// groups, handovers or meetings).
pub(crate) async fn cases_store() -> AppState {
    static CASES: Template = Template::const_new();
    from_template(&CASES, "cases", CoreSettings::for_tests(), |s| {
        Box::pin(async move {
            demo::load_identities(&s).await?;
            demo::load_cases(&s).await
        })
    })
    .await
}
