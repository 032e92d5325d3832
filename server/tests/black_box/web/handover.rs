//! A handover between municipalities as the sending program's partner sees it, read as raw
//! HTTP: whatever Passus asks for before, during and after the handover of a case it worked
//! on, no body names the destination (its organisation, its id, its municipality or the
//! receiving case worker) where the same page did not already name it before.

use reqwest::Client;

use crate::common::{page, signed_in};
use crate::common::{spawn_app, TestApp};
use domain::handover::HandoverInput;
use utvag_core::{handover, participants};

/// An open Göteborg case with Passus and the police on the team (the demo's shared case).
async fn shared_case(app: &TestApp) -> String {
    let w = app.authed("handlaggare").await;
    for r in participants::list(&w, participants::ListFilter::default())
        .await
        .unwrap()
    {
        // The unit's list also holds colleagues' cases this user may not open.
        let Ok(v) = participants::view(&w, &r.case_id).await else {
            continue;
        };
        let parts: Vec<&str> = v.team.iter().map(|m| m.part.as_str()).collect();
        if parts.contains(&"mentor") && parts.contains(&"police_contact") && !v.status.is_closed() {
            return r.case_id;
        }
    }
    panic!("demo data has a case shared with Passus and the police");
}

/// Every page and server function Passus might use, with the body it got.
async fn bodies(app: &TestApp, c: &Client, case: &str, hid: Option<&str>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for path in [
        "/".to_string(),
        "/arenden".to_string(),
        format!("/arenden/{case}"),
        format!("/arenden/{case}/plan"),
        format!("/arenden/{case}/boende"),
        format!("/arenden/{case}/kontakt"),
        format!("/arenden/{case}/tidslinje"),
        format!("/arenden/{case}/overlamna"),
        "/inkorg".to_string(),
        "/overlamningar".to_string(),
        "/remisser/ny".to_string(),
    ] {
        let body = page(app, c, &path).await.text().await.unwrap();
        out.push((path, body));
    }
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("cases/list", vec![]),
        ("cases/get", vec![("case_id", case)]),
        ("plan/get", vec![("case_id", case)]),
        ("living/get", vec![("case_id", case)]),
        ("timeline/page", vec![("case_id", case)]),
        ("worklist/count", vec![]),
        ("handover/list", vec![]),
        ("handover/receivers", vec![]),
        ("handover/pending", vec![("case_id", case)]),
        ("handover/get", vec![("id", hid.unwrap_or("finns-inte"))]),
    ];
    for (endpoint, args) in calls {
        let body = app.call(c, endpoint, &args).await.text().await.unwrap();
        out.push((format!("/api/{endpoint}"), body));
    }
    if let Some(h) = hid {
        let path = format!("/overlamningar/{h}");
        let body = page(app, c, &path).await.text().await.unwrap();
        out.push((path, body));
    }
    out
}

/// What would give the destination away.
const DESTINATION: &[&str] = &[
    "Malmö",
    "Malm\\u00f6",
    utvag_core::demo::ORG_MALMO,
    "Socialtjänsten Malmö",
    "Jonas Bergström",
    "handlaggare.malmo",
];

/// Asserts that no body of `now` names the destination unless the same address's baseline
/// body already did.
fn nothing_new(baseline: &[(String, String)], now: &[(String, String)], when: &str) {
    for (path, body) in now {
        let before = baseline
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, b)| b.as_str())
            .unwrap_or("");
        for d in DESTINATION {
            assert!(
                before.contains(d) || !body.contains(d),
                "{when}: {path} names {d}: {body}"
            );
        }
    }
}

#[tokio::test]
async fn the_destination_never_reaches_the_sending_programs_partner() {
    let app = spawn_app().await;
    let case = shared_case(&app).await;
    let passus = signed_in(&app, "passus").await;
    let baseline = bodies(&app, &passus, &case, None).await;
    // Passus reads the case before the handover (the comparison is not against refusals only).
    let overview = &baseline
        .iter()
        .find(|(p, _)| p == "/api/cases/get")
        .unwrap()
        .1;
    assert!(overview.contains(&case), "{overview}");

    let w = app.authed("handlaggare").await;
    let hid = handover::offer(
        &w,
        &case,
        &HandoverInput {
            to_org: utvag_core::demo::ORG_MALMO.into(),
            parts: vec!["person".into(), "plan".into()],
            note: "Flyttar till Malmö.".into(),
            read_days: "30".into(),
        },
    )
    .await
    .unwrap();
    let pending = bodies(&app, &passus, &case, Some(&hid)).await;
    nothing_new(&baseline, &pending, "pending");
    // The sender's own view does name it: the check above is not vacuous.
    let own = app
        .call(
            &signed_in(&app, "handlaggare").await,
            "handover/get",
            &[("id", &hid)],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(own.contains("Socialtjänsten Malmö"), "{own}");

    let m = app.authed("handlaggare.malmo").await;
    handover::accept(&m, &hid).await.unwrap();
    let after = bodies(&app, &passus, &case, Some(&hid)).await;
    nothing_new(&baseline, &after, "accepted");
    // And the case is gone for Passus, answered as a case that does not exist.
    let gone = app.call(&passus, "cases/get", &[("case_id", &case)]).await;
    assert_eq!(gone.status(), reqwest::StatusCode::NOT_FOUND);
}
