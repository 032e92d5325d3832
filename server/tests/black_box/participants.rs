//! Black-box tests of who can read and change participants and cases over HTTP: ids that belong
//! to another organisation, roles that never see case content, consent that is revoked,
//! categories that are masked, protected addresses, break-glass and registration.

use crate::common::{participant_form as form, signed_in, spawn_app, TestApp};
use domain::person::fictional_personnummer;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use utvag_core::demo::{demo_people, DemoPerson};

// ---- helpers ----

/// Calls an endpoint and returns the status and the raw body text.
async fn call(
    app: &TestApp,
    c: &Client,
    endpoint: &str,
    args: &[(&str, &str)],
) -> (StatusCode, String) {
    let resp = app.call(c, endpoint, args).await;
    let status = resp.status();
    (status, resp.text().await.unwrap())
}

/// Calls an endpoint that must succeed and returns its JSON.
async fn ok_json(app: &TestApp, c: &Client, endpoint: &str, args: &[(&str, &str)]) -> Value {
    let (status, body) = call(app, c, endpoint, args).await;
    assert_eq!(status, StatusCode::OK, "{endpoint}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn person(i: usize) -> DemoPerson {
    demo_people()[i].clone()
}

/// `YYMMDD-NNNN`, the ten-digit way a personnummer is often written.
fn ten_digit(pnr: &str) -> String {
    format!("{}-{}", &pnr[2..8], &pnr[8..])
}

/// `YYYYMMDD-NNNN`, as the case view shows it.
fn twelve_digit_dashed(pnr: &str) -> String {
    format!("{}-{}", &pnr[..8], &pnr[8..])
}

/// The case and participant ids of demo person `i`, found by the owning case worker's search.
async fn case_of(app: &TestApp, owner: &Client, i: usize) -> (String, String) {
    let rows = ok_json(
        app,
        owner,
        "cases/search",
        &[("q", &person(i).personnummer)],
    )
    .await;
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "demo person {i}: {rows:?}");
    (
        rows[0]["case_id"].as_str().unwrap().to_string(),
        rows[0]["participant_id"].as_str().unwrap().to_string(),
    )
}

fn args(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn with(mut base: Vec<(String, String)>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    base.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    base
}

fn invalid_field(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    let message = v["Invalid"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "no message: {body}");
    v["Invalid"]["field"]
        .as_str()
        .unwrap_or_else(|| panic!("not Invalid: {body}"))
        .to_string()
}

/// Every form in which a demo person's personnummer, phone or e-mail might be written.
fn identifying_strings(p: &DemoPerson) -> Vec<String> {
    let digits: String = p.phone.chars().filter(char::is_ascii_digit).collect();
    vec![
        format!("{} {}", p.first_name, p.last_name),
        p.last_name.clone(),
        p.personnummer.clone(),
        twelve_digit_dashed(&p.personnummer),
        p.personnummer[2..].to_string(),
        ten_digit(&p.personnummer),
        p.phone.clone(),
        format!("+46{}", &digits[1..]),
        p.email.clone(),
        p.address.clone(),
    ]
}

fn assert_contains_none(body: &str, needles: &[String], what: &str) {
    let lower = body.to_lowercase();
    for n in needles {
        assert!(!lower.contains(&n.to_lowercase()), "{what} leaked {n:?}");
    }
}

// ---- another organisation's case worker ----

#[tokio::test]
async fn a_case_worker_of_another_municipality_can_neither_read_nor_change_a_case_by_id() {
    let app = spawn_app().await;
    let owner = signed_in(&app, "handlaggare").await;
    let malmo = signed_in(&app, "handlaggare.malmo").await;
    // Demo person 0: Göteborg, active case, Passus mentor with consent, police contact.
    let (case_id, _) = case_of(&app, &owner, 0).await;
    let before = ok_json(&app, &owner, "cases/get", &[("case_id", &case_id)]).await;
    let consents_before = ok_json(&app, &owner, "consents/list", &[("case_id", &case_id)]).await;
    let version = before["version"].to_string();
    let participant_version = before["participant_version"].to_string();
    let consent_id = consents_before[0]["id"].as_str().unwrap().to_string();
    assert!(before["team"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["user_id"] == "demo_passus"));

    let edit = with(
        form("Ändrad", "Av Malmö", "", "Ny gatan 1", ""),
        &[("case_id", &case_id), ("version", &participant_version)],
    );
    let attempts: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("cases/get", vec![("case_id", &case_id)]),
        ("participants/update", args(&edit)),
        (
            "cases/transition",
            vec![
                ("case_id", &case_id),
                ("version", &version),
                ("to", "paused"),
            ],
        ),
        (
            "cases/team_add",
            vec![
                ("case_id", &case_id),
                ("username", "handlaggare.malmo"),
                ("part", "case_worker"),
            ],
        ),
        (
            "cases/team_remove",
            vec![("case_id", &case_id), ("user_id", "demo_passus")],
        ),
        ("consents/list", vec![("case_id", &case_id)]),
        (
            "consents/add",
            vec![
                ("case_id", &case_id),
                ("recipient_org", "malmo_soc"),
                ("categories[0]", "identity"),
                ("basis", "samtycke"),
            ],
        ),
        (
            "consents/revoke",
            vec![("case_id", &case_id), ("consent_id", &consent_id)],
        ),
    ];
    // The answer for an id that does not exist at all: a real id must look exactly the same.
    let (_, nonexistent) = call(
        &app,
        &malmo,
        "cases/get",
        &[("case_id", "0195aaaabbbbccccddddeeeeffff0000")],
    )
    .await;
    for (endpoint, a) in &attempts {
        let (status, body) = call(&app, &malmo, endpoint, a).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{endpoint}: {body}");
        assert_eq!(
            body, nonexistent,
            "{endpoint} answers differently for a real id"
        );
    }

    let after = ok_json(&app, &owner, "cases/get", &[("case_id", &case_id)]).await;
    assert_eq!(after, before, "the case changed");
    let consents_after = ok_json(&app, &owner, "consents/list", &[("case_id", &case_id)]).await;
    assert_eq!(
        consents_after, consents_before,
        "the consent ledger changed"
    );
    let listed = ok_json(&app, &malmo, "cases/list", &[]).await;
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["case_id"] != case_id.as_str()));
}

// ---- administrators and log reviewers ----

#[tokio::test]
async fn administrators_and_log_reviewers_are_forbidden_every_case_endpoint() {
    let app = spawn_app().await;
    let owner = signed_in(&app, "handlaggare").await;
    let p = person(0);
    let (case_id, _) = case_of(&app, &owner, 0).await;
    let consents = ok_json(&app, &owner, "consents/list", &[("case_id", &case_id)]).await;
    let consent_id = consents[0]["id"].as_str().unwrap().to_string();
    let new_pnr = unused_personnummer();
    let register = with(
        form("Ny", "Person", &new_pnr, "", ""),
        &[("sspf_level", "individual")],
    );
    let edit = with(
        form("Ny", "Person", "", "", ""),
        &[("case_id", &case_id), ("version", "1")],
    );
    let attempts: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("cases/list", vec![]),
        ("cases/search", vec![("q", &p.personnummer)]),
        ("participants/register", args(&register)),
        ("cases/get", vec![("case_id", &case_id)]),
        ("participants/update", args(&edit)),
        (
            "cases/transition",
            vec![("case_id", &case_id), ("version", "3"), ("to", "paused")],
        ),
        (
            "cases/team_add",
            vec![
                ("case_id", &case_id),
                ("username", "programledare"),
                ("part", "program_lead"),
            ],
        ),
        (
            "cases/team_remove",
            vec![("case_id", &case_id), ("user_id", "demo_passus")],
        ),
        ("cases/team_candidates", vec![]),
        (
            "cases/break_glass",
            vec![
                ("case_id", &case_id),
                ("reason", "Behöver se ärendet för en kontroll av loggen."),
            ],
        ),
        ("consents/list", vec![("case_id", &case_id)]),
        (
            "consents/add",
            vec![
                ("case_id", &case_id),
                ("recipient_org", "polis_vast"),
                ("categories[0]", "location"),
                ("basis", "samtycke"),
            ],
        ),
        (
            "consents/revoke",
            vec![("case_id", &case_id), ("consent_id", &consent_id)],
        ),
    ];
    let case_before = ok_json(&app, &owner, "cases/get", &[("case_id", &case_id)]).await;
    for username in ["admin", "granskare"] {
        let c = signed_in(&app, username).await;
        for (endpoint, a) in &attempts {
            let (status, body) = call(&app, &c, endpoint, a).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{username} {endpoint}: {body}"
            );
            assert_eq!(body, "\"Forbidden\"", "{username} {endpoint}");
        }
    }
    assert_eq!(
        ok_json(&app, &owner, "cases/get", &[("case_id", &case_id)]).await,
        case_before
    );
    assert_eq!(
        ok_json(&app, &owner, "consents/list", &[("case_id", &case_id)]).await,
        consents
    );
    assert_eq!(
        ok_json(&app, &owner, "cases/search", &[("q", &new_pnr)]).await,
        json!([]),
        "admin registered someone"
    );
}

fn unused_personnummer() -> String {
    let taken: Vec<String> = demo_people().into_iter().map(|p| p.personnummer).collect();
    (5_000..)
        .map(|seed| fictional_personnummer(seed).as_str().to_string())
        .find(|p| !taken.contains(p))
        .unwrap()
}

// ---- consent ----

#[tokio::test]
async fn revoked_consent_stops_the_partner_on_the_very_next_request() {
    let app = spawn_app().await;
    let owner = signed_in(&app, "handlaggare").await;
    let partner = signed_in(&app, "passus").await;
    // Demo person 12: Passus mentor with consent for contacts, plan, occupation and housing.
    let (case_id, _) = case_of(&app, &owner, 12).await;
    let seen = ok_json(&app, &partner, "cases/get", &[("case_id", &case_id)]).await;
    assert!(
        seen["visible"]
            .as_array()
            .unwrap()
            .contains(&json!("contacts")),
        "{seen}"
    );
    assert!(ok_json(&app, &partner, "cases/list", &[])
        .await
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["case_id"] == case_id.as_str()));

    let consents = ok_json(&app, &owner, "consents/list", &[("case_id", &case_id)]).await;
    let to_passus = consents
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["recipient_org_id"] == "passus_gbg" && c["active"] == true)
        .unwrap();
    let consent_id = to_passus["id"].as_str().unwrap();
    ok_json(
        &app,
        &owner,
        "consents/revoke",
        &[("case_id", &case_id), ("consent_id", consent_id)],
    )
    .await;

    let (status, body) = call(&app, &partner, "cases/get", &[("case_id", &case_id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(ok_json(&app, &partner, "cases/list", &[])
        .await
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["case_id"] != case_id.as_str()));
    let ledger = ok_json(&app, &owner, "consents/list", &[("case_id", &case_id)]).await;
    let revoked = ledger
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == consent_id)
        .unwrap();
    assert_eq!(revoked["active"], false);
    assert!(
        !revoked["revoked_at"].is_null(),
        "the history keeps the revoked consent"
    );
}

#[tokio::test]
async fn a_partner_sees_values_only_in_the_categories_consent_allows() {
    let app = spawn_app().await;
    let owner = signed_in(&app, "handlaggare").await;
    let partner = signed_in(&app, "passus").await;
    let p = person(0);
    let (case_id, _) = case_of(&app, &owner, 0).await;
    let person_fields = [
        "first_name",
        "last_name",
        "personnummer",
        "phone",
        "email",
        "address",
        "background",
    ];

    // The demo consent names contacts, plan, occupation and housing: none of the person fields.
    let (status, body) = call(&app, &partner, "cases/get", &[("case_id", &case_id)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let view: Value = serde_json::from_str(&body).unwrap();
    for f in person_fields {
        assert_eq!(view[f], "Masked", "{f}: {body}");
    }
    assert_eq!(
        view["visible"],
        json!(["housing", "occupation", "contacts", "plan"])
    );
    assert_eq!(view["can_edit"], false);
    assert!(!body.contains(&p.first_name), "first name in {body}");
    assert_contains_none(&body, &identifying_strings(&p), "partner's case view");

    // Consent to contact details as well: phone and e-mail open, identity stays masked.
    ok_json(
        &app,
        &owner,
        "consents/add",
        &[
            ("case_id", &case_id),
            ("recipient_org", "passus_gbg"),
            ("categories[0]", "contact_info"),
            ("basis", "samtycke"),
        ],
    )
    .await;
    let (status, body) = call(&app, &partner, "cases/get", &[("case_id", &case_id)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let view: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(view["email"], json!({ "Value": p.email }));
    assert!(
        view["phone"]["Value"]
            .as_str()
            .unwrap()
            .ends_with(&p.phone.replace([' ', '-'], "")[1..]),
        "{}",
        view["phone"]
    );
    for f in [
        "first_name",
        "last_name",
        "personnummer",
        "address",
        "background",
    ] {
        assert_eq!(view[f], "Masked", "{f}: {body}");
    }
    assert!(!body.contains(&p.first_name), "first name in {body}");
    let not_consented: Vec<String> = identifying_strings(&p)
        .into_iter()
        .filter(|s| *s != p.email && *s != p.phone && !s.starts_with("+46"))
        .collect();
    assert_contains_none(
        &body,
        &not_consented,
        "partner's case view with contact consent",
    );

    // The owning case worker sees everything.
    let full = ok_json(&app, &owner, "cases/get", &[("case_id", &case_id)]).await;
    assert_eq!(full["first_name"], json!({ "Value": p.first_name }));
    assert_eq!(full["last_name"], json!({ "Value": p.last_name }));
    assert_eq!(
        full["personnummer"],
        json!({ "Value": twelve_digit_dashed(&p.personnummer) })
    );
}

// ---- protected addresses ----

#[tokio::test]
async fn a_protected_persons_address_reaches_only_the_responsible_case_worker() {
    let app = spawn_app().await;
    let owner = signed_in(&app, "handlaggare").await;
    let lead = signed_in(&app, "programledare").await;
    let partner = signed_in(&app, "passus").await;
    let police = signed_in(&app, "polis").await;
    // Demo person 5: Göteborg, skyddad folkbokföring, no partner or police on the team.
    let p = person(5);
    assert!(p.gbg && p.protection.is_protected());
    let (case_id, _) = case_of(&app, &owner, 5).await;
    // Give both other agencies every category by consent and legal basis, location included:
    // consent alone must still not open a protected address.
    for (org, basis, provision) in [
        ("passus_gbg", "samtycke", ""),
        ("polis_vast", "lag", "OSL 10 kap. 18 b §"),
    ] {
        let mut a: Vec<(String, String)> = vec![
            ("case_id".into(), case_id.clone()),
            ("recipient_org".into(), org.into()),
            ("basis".into(), basis.into()),
            ("provision".into(), provision.into()),
        ];
        for (i, cat) in ["identity", "contact_info", "location", "notes"]
            .iter()
            .enumerate()
        {
            a.push((format!("categories[{i}]"), cat.to_string()));
        }
        ok_json(&app, &owner, "consents/add", &args(&a)).await;
    }

    let view = ok_json(&app, &owner, "cases/get", &[("case_id", &case_id)]).await;
    assert_eq!(
        view["address"],
        json!({ "Value": p.address }),
        "the responsible case worker sees the address"
    );
    let page = owner
        .get(app.url(&format!("/arenden/{case_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text().await.unwrap().contains(&p.address),
        "the case page shows the address to the case worker"
    );

    let protected: Vec<String> = demo_people()
        .into_iter()
        .filter(|d| d.protection.is_protected())
        .map(|d| d.address)
        .collect();
    // The program lead sees the person, never the address. The partner and the police hold
    // consent for every category but are not on the team: need to know, so nothing at all.
    for (who, c) in [
        ("programledare", &lead),
        ("passus", &partner),
        ("polis", &police),
    ] {
        let on_file = who == "programledare";
        let (status, body) = call(&app, c, "cases/get", &[("case_id", &case_id)]).await;
        if on_file {
            assert_eq!(status, StatusCode::OK, "{who}: {body}");
            let v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["address"], "Masked", "{who}");
            assert!(
                !v["visible"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("location")),
                "{who}"
            );
            assert_eq!(
                v["last_name"],
                json!({ "Value": p.last_name }),
                "{who} does see the identity"
            );
        } else {
            assert_eq!(status, StatusCode::NOT_FOUND, "{who}: {body}");
        }
        let mut bodies = vec![("cases/get", body)];
        for (endpoint, a) in [
            ("cases/list", vec![]),
            ("cases/search", vec![("q", p.personnummer.as_str())]),
        ] {
            let (status, body) = call(&app, c, endpoint, &a).await;
            assert_eq!(status, StatusCode::OK, "{who} {endpoint}: {body}");
            if !on_file && endpoint == "cases/search" {
                assert_eq!(body, "[]", "{who}: consent without a place on the team");
            }
            bodies.push((endpoint, body));
        }
        for path in [format!("/arenden/{case_id}"), "/arenden".to_string()] {
            let page = c.get(app.url(&path)).send().await.unwrap();
            bodies.push(("page", page.text().await.unwrap()));
        }
        for (what, body) in &bodies {
            assert_contains_none(body, &protected, &format!("{who} {what}"));
        }
    }
}

// ---- break-glass ----

#[tokio::test]
async fn break_glass_is_refused_across_organisations_exactly_as_for_a_case_that_does_not_exist() {
    let app = spawn_app().await;
    let owner = signed_in(&app, "handlaggare").await;
    // Demo person 1: Göteborg, no police or partner on the case.
    let (case_id, _) = case_of(&app, &owner, 1).await;
    // Demo person 0: Göteborg, protected, police and partner on the team with consent.
    let (protected_case, _) = case_of(&app, &owner, 0).await;
    let reason = "Akut hotbild mot personen, behöver identitet för skyddsbedömning i natt.";
    for username in ["polis", "passus", "handlaggare.malmo"] {
        let c = signed_in(&app, username).await;
        let (status, body) = call(
            &app,
            &c,
            "cases/break_glass",
            &[("case_id", &case_id), ("reason", reason)],
        )
        .await;
        let (status_none, body_none) = call(
            &app,
            &c,
            "cases/break_glass",
            &[("case_id", "finnsinte0000000000"), ("reason", reason)],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{username}: {body}");
        assert_eq!((status, &body), (status_none, &body_none), "{username}");
        assert_eq!(
            call(&app, &c, "cases/get", &[("case_id", &case_id)])
                .await
                .0,
            StatusCode::NOT_FOUND,
            "{username} was let in"
        );
    }
    // Members of the team from another organisation cannot widen their access either.
    let police = signed_in(&app, "polis").await;
    let (status, body) = call(
        &app,
        &police,
        "cases/break_glass",
        &[("case_id", &protected_case), ("reason", reason)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let reviewer = signed_in(&app, "granskare").await;
    let queue = ok_json(&app, &reviewer, "audit/break_glass", &[("all", "on")]).await;
    assert_eq!(queue, json!([]), "a refused request reached the queue");
}

#[tokio::test]
async fn break_glass_by_the_owning_units_staff_opens_all_but_a_protected_address_and_notifies() {
    let app = spawn_app().await;
    let owner = signed_in(&app, "handlaggare").await;
    let colleague = signed_in(&app, "handlaggare2").await;
    let reviewer = signed_in(&app, "granskare").await;
    let p = person(0);
    assert!(p.protection.is_protected());
    let (case_id, participant_id) = case_of(&app, &owner, 0).await;
    assert_eq!(
        call(&app, &colleague, "cases/get", &[("case_id", &case_id)])
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    let nineteen = "Akut hot mot person";
    assert_eq!(nineteen.chars().count(), 19);
    let padded = format!("   {nineteen}      ");
    for a in [
        vec![("case_id", case_id.as_str())],
        vec![("case_id", &case_id), ("reason", "")],
        vec![("case_id", &case_id), ("reason", nineteen)],
        vec![("case_id", &case_id), ("reason", &padded)],
    ] {
        let (status, body) = call(&app, &colleague, "cases/break_glass", &a).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{a:?}: {body}");
    }
    assert_eq!(
        ok_json(&app, &reviewer, "audit/break_glass", &[("all", "on")]).await,
        json!([])
    );

    let reason = "Akut hotbild mot personen, behöver identitet för skyddsbedömning i natt.";
    let until = ok_json(
        &app,
        &colleague,
        "cases/break_glass",
        &[("case_id", &case_id), ("reason", reason)],
    )
    .await;
    assert!(until.is_string(), "{until}");
    let (status, body) = call(&app, &colleague, "cases/get", &[("case_id", &case_id)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let view: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(view["last_name"], json!({ "Value": p.last_name }));
    assert!(view["break_glass_until"].is_string(), "{view}");
    // Never the protected person's address.
    assert_eq!(view["address"], "Masked");
    assert!(!view["visible"]
        .as_array()
        .unwrap()
        .contains(&json!("location")));
    assert!(!body.contains(&p.address), "{body}");

    // The responsible case worker is told at once.
    let notices = ok_json(&app, &owner, "inbox/notifications", &[]).await;
    let notices = notices.as_array().unwrap();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0]["case_id"], case_id.as_str());
    assert_eq!(notices[0]["by"], "Henrik Sjöblom");

    // The reason is opened for the reviewer (it is stored sealed: see the core's tests).
    let queue = ok_json(&app, &reviewer, "audit/break_glass", &[]).await;
    let queue = queue.as_array().unwrap();
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0]["participant_id"], participant_id.as_str());
    assert_eq!(queue[0]["reason"], reason);
    assert_eq!(queue[0]["user"], "Henrik Sjöblom");
    assert_eq!(queue[0]["review"], "pending");
    let log = ok_json(
        &app,
        &reviewer,
        "audit/participant",
        &[("participant_id", &participant_id)],
    )
    .await;
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|r| r["actor"] == "Henrik Sjöblom"
                && r["action"] == "case.read"
                && r["basis"]
                    .as_str()
                    .is_some_and(|b| b.starts_with("break_glass:"))),
        "{log}"
    );
}

#[tokio::test]
async fn a_request_missing_a_required_argument_is_refused_with_422() {
    let app = spawn_app().await;
    let owner = signed_in(&app, "handlaggare").await;
    let (case_id, _) = case_of(&app, &owner, 1).await;
    let register = form("Nora", "Nyström", &unused_personnummer(), "", "");
    #[allow(clippy::type_complexity)]
    let attempts: Vec<(&Client, &str, Vec<(&str, &str)>)> = vec![
        (&owner, "cases/break_glass", vec![("case_id", &case_id)]),
        (&owner, "participants/register", args(&register)),
        (
            &owner,
            "cases/transition",
            vec![("case_id", &case_id), ("version", "två"), ("to", "paused")],
        ),
    ];
    for (c, endpoint, a) in attempts {
        let (status, body) = call(&app, c, endpoint, &a).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{endpoint}: {body}"
        );
        let v: Value = serde_json::from_str(&body).unwrap();
        assert!(v["Invalid"].is_object(), "{endpoint}: {body}");
    }
}

// ---- registration ----

#[tokio::test]
async fn invalid_registrations_are_refused_field_by_field_and_write_nothing() {
    let app = spawn_app().await;
    let owner = signed_in(&app, "handlaggare").await;
    let count = |v: Value| v.as_array().unwrap().len();
    let cases_before = count(ok_json(&app, &owner, "cases/list", &[]).await);
    let pnr = unused_personnummer();
    let last = pnr.as_bytes()[11] - b'0';
    let bad_check_digit = format!("{}{}", &pnr[..11], (last + 1) % 10);
    let long_name = "A".repeat(201);
    let long_address = "Gata ".repeat(41);
    let long_background = "x".repeat(20_001);
    let long_referral = "r".repeat(201);

    let cases: Vec<(Vec<(String, String)>, &str)> = vec![
        (
            form("Nora", "Nyström", &bad_check_digit, "", ""),
            "personnummer",
        ),
        (
            form("Nora", "Nyström", "19901301-1234", "", ""),
            "personnummer",
        ),
        (
            form("Nora", "Nyström", "inte ett nummer", "", ""),
            "personnummer",
        ),
        (form(&long_name, "Nyström", &pnr, "", ""), "first_name"),
        (form("Nora", &long_name, &pnr, "", ""), "last_name"),
        (form("Nora", "Nyström", &pnr, &long_address, ""), "address"),
        (
            form("Nora", "Nyström", &pnr, "", &long_background),
            "background",
        ),
        (form("", "Nyström", &pnr, "", ""), "first_name"),
    ];
    for (f, field) in &cases {
        let a = with(f.clone(), &[("sspf_level", "individual")]);
        let (status, body) = call(&app, &owner, "participants/register", &args(&a)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert_eq!(invalid_field(&body), *field, "{body}");
    }
    let a = with(
        form("Nora", "Nyström", &pnr, "", ""),
        &[
            ("sspf_level", "individual"),
            ("referral_source", &long_referral),
        ],
    );
    let (status, body) = call(&app, &owner, "participants/register", &args(&a)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(invalid_field(&body), "referral_source");

    assert_eq!(
        count(ok_json(&app, &owner, "cases/list", &[]).await),
        cases_before,
        "a refused registration was written"
    );
    assert_eq!(
        ok_json(&app, &owner, "cases/search", &[("q", &pnr)]).await,
        json!([]),
        "a refused registration was indexed"
    );

    // The same form within limits is accepted, so the refusals above were about the fields.
    let a = with(
        form("Nora", "Nyström", &pnr, "Ljusvägen 2", "Anmäld av skolan."),
        &[("sspf_level", "individual")],
    );
    let case_id = ok_json(&app, &owner, "participants/register", &args(&a)).await;
    assert_eq!(
        count(ok_json(&app, &owner, "cases/list", &[]).await),
        cases_before + 1
    );
    let found = ok_json(&app, &owner, "cases/search", &[("q", &pnr)]).await;
    assert_eq!(found[0]["case_id"], case_id);
}

// ---- search ----

#[tokio::test]
async fn search_answers_an_unrelated_person_exactly_as_a_person_who_does_not_exist() {
    let app = spawn_app().await;
    let owner = signed_in(&app, "handlaggare").await;
    // Demo person 1: Göteborg, only the Göteborg case team has a relation to it.
    let p = person(1);
    let (case_id, participant_id) = case_of(&app, &owner, 1).await;
    let full_name = format!("{} {}", p.first_name, p.last_name);
    let digits: String = p.phone.chars().filter(char::is_ascii_digit).collect();
    let queries = [
        p.personnummer.clone(),
        twelve_digit_dashed(&p.personnummer),
        ten_digit(&p.personnummer),
        p.personnummer[2..].to_string(),
        p.phone.clone(),
        format!("+46{}", &digits[1..]),
    ];
    for q in &queries {
        let rows = ok_json(&app, &owner, "cases/search", &[("q", q)]).await;
        assert_eq!(rows.as_array().unwrap().len(), 1, "{q}: {rows}");
        assert_eq!(rows[0]["case_id"], case_id.as_str(), "{q}");
        assert_eq!(rows[0]["name"], json!({ "Value": full_name }), "{q}");
    }

    let nobody = unused_personnummer();
    for username in ["handlaggare.malmo", "passus", "polis"] {
        let c = signed_in(&app, username).await;
        for (known, unknown) in [
            (ten_digit(&p.personnummer), ten_digit(&nobody)),
            (p.personnummer.clone(), nobody.clone()),
            (p.phone.clone(), "070-174 07 99".to_string()),
        ] {
            let (status, body) = call(&app, &c, "cases/search", &[("q", &known)]).await;
            let (status_none, body_none) = call(&app, &c, "cases/search", &[("q", &unknown)]).await;
            assert_eq!(status, StatusCode::OK, "{username}: {body}");
            // Byte for byte the answer for a number nobody has.
            assert_eq!(
                (status, &body),
                (status_none, &body_none),
                "{username} {known}"
            );
            assert_eq!(body, "[]", "{username}");
        }
        assert_eq!(
            call(&app, &c, "cases/get", &[("case_id", &case_id)])
                .await
                .0,
            StatusCode::NOT_FOUND,
            "{username}"
        );
    }

    // Every search is in the log, with the tag and the outcome, never the number.
    let trail = trail_of(&app, &participant_id).await;
    let withheld: Vec<_> = trail
        .iter()
        .filter(|r| r.action == "participant.search" && r.decision == "deny")
        .collect();
    assert_eq!(withheld.len(), 9, "{trail:?}");
    for r in &withheld {
        let reason = r.reason.as_deref().unwrap_or_default();
        assert!(reason.contains(": withheld"), "{reason}");
        assert!(!reason.contains(&p.personnummer[2..8]), "{reason}");
        assert!(r.categories.is_empty(), "{r:?}");
    }
    assert!(trail.iter().any(|r| r.action == "participant.search"
        && r.actor == "demo_handlaggare"
        && r.decision == "allow"));

    let (status, body) = call(&app, &owner, "cases/search", &[("q", &p.last_name)]).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "names are not searchable: {body}"
    );
    assert_eq!(invalid_field(&body), "q");
}

/// A registration form for Malmö's social services.
fn malmo_form(first: &str, last: &str, pnr: &str) -> Vec<(String, String)> {
    let mut f = form(first, last, pnr, "", "");
    for (k, v) in f.iter_mut() {
        if k == "form[municipality]" {
            *v = "Malmö".into();
        }
    }
    with(f, &[("sspf_level", "individual")])
}

#[tokio::test]
async fn registering_a_personnummer_another_organisation_holds_answers_as_for_a_new_person() {
    let app = spawn_app().await;
    let owner = signed_in(&app, "handlaggare").await;
    let malmo = signed_in(&app, "handlaggare.malmo").await;
    let p = person(1);
    let (_, participant_id) = case_of(&app, &owner, 1).await;
    let (status_known, known) = call(
        &app,
        &malmo,
        "participants/register",
        &args(&malmo_form("Anna", "Andersson", &p.personnummer)),
    )
    .await;
    let (status_new, new) = call(
        &app,
        &malmo,
        "participants/register",
        &args(&malmo_form("Anna", "Andersson", &unused_personnummer())),
    )
    .await;
    assert_eq!(status_known, StatusCode::OK, "{known}");
    assert_eq!(status_new, StatusCode::OK, "{new}");
    // Both answers are a new case id of the same shape: nothing tells the two apart.
    let (known, new): (Value, Value) = (
        serde_json::from_str(&known).unwrap(),
        serde_json::from_str(&new).unwrap(),
    );
    assert_eq!(
        known.as_str().unwrap().len(),
        new.as_str().unwrap().len(),
        "{known} {new}"
    );
    // Malmö sees only its own registration; nothing of Göteborg's person.
    let mine = ok_json(&app, &malmo, "cases/search", &[("q", &p.personnummer)]).await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine[0]["case_id"], known);
    assert_eq!(
        ok_json(&app, &malmo, "inbox/duplicates", &[]).await,
        json!([])
    );

    // The owning unit finds it in its queue, and settles it.
    let queue = ok_json(&app, &owner, "inbox/duplicates", &[]).await;
    let queue = queue.as_array().unwrap();
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0]["participant_id"], participant_id.as_str());
    assert!(queue[0]["other_org"].as_str().unwrap().contains("Malmö"));
    let dup = queue[0]["id"].as_str().unwrap().to_string();
    // Nobody else can settle it, and to them it does not exist.
    let (status, _) = call(
        &app,
        &malmo,
        "inbox/settle_duplicate",
        &[("id", &dup), ("outcome", "dismissed")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let partner = signed_in(&app, "passus").await;
    assert_eq!(
        call(&app, &partner, "inbox/duplicates", &[]).await.0,
        StatusCode::FORBIDDEN
    );
    ok_json(
        &app,
        &owner,
        "inbox/settle_duplicate",
        &[("id", &dup), ("outcome", "linked")],
    )
    .await;
    assert_eq!(
        ok_json(&app, &owner, "inbox/duplicates", &[]).await,
        json!([])
    );
    // Within one organisation the unit already sees the person: a second registration is refused.
    let (status, body) = call(
        &app,
        &owner,
        "participants/register",
        &args(&with(
            form("Anna", "Andersson", &p.personnummer, "", ""),
            &[("sspf_level", "individual")],
        )),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(invalid_field(&body), "personnummer");
}

/// The audit trail of one participant as the log reviewer sees it, oldest first.
async fn trail_of(app: &TestApp, participant: &str) -> Vec<utvag_core::audit::Row> {
    let reviewer = app.authed("granskare").await;
    let mut rows: Vec<_> = utvag_core::audit::review::reads_of_participant(&reviewer, participant)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.row)
        .collect();
    rows.sort_by_key(|r| r.seq);
    rows
}

#[tokio::test]
async fn each_page_view_of_a_case_leaves_exactly_one_read_entry() {
    let app = spawn_app().await;
    let owner = signed_in(&app, "handlaggare").await;
    let (case_id, participant) = case_of(&app, &owner, 0).await;
    for (path, action) in [
        (format!("/arenden/{case_id}"), "case.read"),
        (format!("/arenden/{case_id}/sakerhet"), "safety.read"),
        (format!("/arenden/{case_id}/tidslinje"), "timeline.read"),
    ] {
        let before = trail_of(&app, &participant).await.len();
        let resp = owner.get(app.url(&path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let body = resp.text().await.unwrap();
        assert!(body.contains("data-testid=\"case-name\""), "{path}");
        let trail = trail_of(&app, &participant).await;
        let new: Vec<&str> = trail[before..]
            .iter()
            .filter(|r| r.actor == "demo_handlaggare")
            .map(|r| r.action.as_str())
            .collect();
        // The page shows the case heading (one overview read) and its own content (one read).
        let expected: Vec<&str> = if action == "case.read" {
            vec!["case.read"]
        } else {
            vec!["case.read", action]
        };
        let mut sorted = new.clone();
        sorted.sort();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(sorted, want, "{path}: {new:?}");
    }
}

// ---- register extract ----

#[tokio::test]
async fn a_register_extract_is_a_printable_page_and_a_json_download_each_audited_once() {
    let app = spawn_app().await;
    let lead = signed_in(&app, "programledare").await;
    let partner = signed_in(&app, "passus").await;
    let i = (0..demo_people().len())
        .find(|i| person(*i).gbg && !person(*i).protection.is_protected())
        .expect("an unprotected Göteborg person");
    let p = person(i);
    let (case_id, participant) = case_of(&app, &lead, i).await;
    // One sign-in of the log reviewer for every look at the trail (each demo sign-in uses up a
    // second-factor code).
    let token = utvag_core::demo::sign_in(&app.state, "granskare")
        .await
        .unwrap();
    let reviewer = utvag_core::auth::authenticate(&app.state, Some(&token))
        .await
        .unwrap();
    let trail = |participant: String| {
        let reviewer = &reviewer;
        async move {
            let mut rows: Vec<_> =
                utvag_core::audit::review::reads_of_participant(reviewer, &participant)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|r| r.row)
                    .collect();
            rows.sort_by_key(|r| r.seq);
            rows
        }
    };
    let new_entries = |before: usize, trail: Vec<utvag_core::audit::Row>| -> Vec<String> {
        trail[before..]
            .iter()
            .filter(|r| r.actor == "demo_programledare")
            .map(|r| r.action.clone())
            .collect()
    };

    let overview = lead
        .get(app.url(&format!("/arenden/{case_id}")))
        .send()
        .await
        .unwrap();
    assert!(overview
        .text()
        .await
        .unwrap()
        .contains("data-testid=\"extract-link\""));

    let before = trail(participant.clone()).await.len();
    let page = lead
        .get(app.url(&format!("/arenden/{case_id}/registerutdrag")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("data-testid=\"extract\""), "{html}");
    assert!(html.contains(&p.first_name) && html.contains(&p.address));
    assert!(html.contains("Framtaget av") && html.contains("Maria Ekholm"));
    assert_eq!(
        new_entries(before, trail(participant.clone()).await),
        vec!["participant.extract"]
    );

    let before = trail(participant.clone()).await.len();
    let resp = lead
        .get(app.url(&format!("/api/cases/extract?case_id={case_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let disposition = resp
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        disposition.starts_with("attachment") && disposition.contains(".json"),
        "{disposition}"
    );
    let x: Value = resp.json().await.unwrap();
    assert_eq!(x["participant_id"], json!(participant));
    assert!(x["sections"].as_array().unwrap().len() >= 10);
    assert_eq!(
        new_entries(before, trail(participant.clone()).await),
        vec!["participant.extract"]
    );

    // A partner on the case gets neither, and is told why.
    let resp = partner
        .get(app.url(&format!("/api/cases/extract?case_id={case_id}")))
        .send()
        .await
        .unwrap();
    assert_ne!(resp.status(), StatusCode::OK);
    assert!(!resp.text().await.unwrap().contains(&p.first_name));
    let page = partner
        .get(app.url(&format!("/arenden/{case_id}/registerutdrag")))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("data-testid=\"extract-refused\""), "{html}");
    assert!(!html.contains(&p.address));

    // Secrecy review. Demo person 0 has the police's threat assessment and a Passus action on
    // the case: neither is in the JSON until the responsible case worker releases it.
    let owner = signed_in(&app, "handlaggare").await;
    let (case_id, participant) = case_of(&app, &owner, 0).await;
    let police_basis = "Samlad bedömning utifrån underrättelser";
    let passus_action = "Veckovisa mentorsträffar";
    let app_ref = &app;
    let download = |c: Client, case_id: String| async move {
        c.get(app_ref.url(&format!("/api/cases/extract?case_id={case_id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let json_text = download(owner.clone(), case_id.clone()).await;
    for secret in [police_basis, passus_action] {
        assert!(!json_text.contains(secret), "{secret} is in the JSON");
    }
    assert!(json_text.contains("Väntar på sekretessprövning"));
    let page_url = app.url(&format!("/arenden/{case_id}/registerutdrag"));
    let html = owner
        .get(&page_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"extract-review\""), "{html}");
    assert!(html.contains(" prövade"), "{html}");
    let review: Value = owner
        .get(app.url(&format!("/api/cases/extract_review?case_id={case_id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = review["items"].as_array().unwrap();
    let find = |text: &str| {
        items
            .iter()
            .find(|i| i["value"].as_str().unwrap_or_default().contains(text))
            .unwrap_or_else(|| panic!("no review item holds {text}: {items:?}"))
            .clone()
    };
    let (assessment, action) = (find(police_basis), find(passus_action));
    assert_eq!(assessment["owner_org"], json!("Polisen Region Väst"));

    // Decided with the page's plain forms, no JavaScript: the browser follows the redirect back.
    let before = trail(participant.clone()).await.len();
    let reason = "Polisens underlag, sekretess enligt OSL 18 kap. 1 §";
    for (item, decision, why) in [(&assessment, "release", ""), (&action, "withhold", reason)] {
        let resp = owner
            .post(app.url("/api/cases/extract_decide"))
            .header("accept", "text/html")
            .header("referer", &page_url)
            .form(&[
                ("case_id", case_id.as_str()),
                ("item", item["key"].as_str().unwrap()),
                ("version", item["version"].as_str().unwrap()),
                ("decision", decision),
                ("reason", why),
            ])
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_redirection(), "{}", resp.status());
    }
    let actions: Vec<String> = trail(participant.clone()).await[before..]
        .iter()
        .filter(|r| r.actor == "demo_handlaggare")
        .map(|r| r.action.clone())
        .collect();
    assert_eq!(
        actions,
        vec!["participant.extract_review", "participant.extract_review"]
    );
    let review: Value = owner
        .get(app.url(&format!("/api/cases/extract_review?case_id={case_id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status_of = |key: &Value| {
        review["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == *key)
            .map(|i| (i["status"].clone(), i["reason"].clone()))
            .unwrap()
    };
    assert_eq!(
        status_of(&assessment["key"]),
        (json!("released"), Value::Null)
    );
    assert_eq!(
        status_of(&action["key"]),
        (json!("withheld"), json!(reason))
    );
    let json_text = download(owner.clone(), case_id.clone()).await;
    assert!(json_text.contains(police_basis));
    assert!(!json_text.contains(passus_action));
    assert!(json_text.contains("Undantaget efter sekretessprövning") && json_text.contains(reason));

    // Someone who may not produce the extract cannot decide either.
    let police = signed_in(&app, "polis").await;
    let (status, _) = call(
        &app,
        &police,
        "cases/extract_decide",
        &[
            ("case_id", &case_id),
            ("item", action["key"].as_str().unwrap()),
            ("version", action["version"].as_str().unwrap()),
            ("decision", "release"),
            ("reason", ""),
        ],
    )
    .await;
    assert!(status.is_client_error(), "{status}");
    assert!(!download(owner.clone(), case_id.clone())
        .await
        .contains(passus_action));
}

// ---- log search ----

#[tokio::test]
async fn the_log_search_form_works_without_javascript_and_only_for_reviewers() {
    let app = spawn_app().await;
    let owner = signed_in(&app, "handlaggare").await;
    let reviewer = signed_in(&app, "granskare").await;
    let (case_id, participant) = case_of(&app, &owner, 0).await;
    let page = owner
        .get(app.url(&format!("/arenden/{case_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    let html = reviewer
        .get(app.url(&format!(
            "/granskning?sok=1&sok_deltagare={participant}&sok_org=gbg_soc&sok_handelse=case.read&sok_fran=&sok_till="
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"log-search-form\""));
    assert!(html.contains("data-testid=\"log-search\""), "{html}");
    assert!(html.contains("Sara Lindqvist"));
    assert!(
        html.contains("<option value=\"gbg_soc\" selected"),
        "the filter is kept"
    );

    let (status, body) = call(&app, &reviewer, "audit/search", &[("from", "2026-13-01")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = call(
        &app,
        &owner,
        "audit/search",
        &[("participant_id", &participant)],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
