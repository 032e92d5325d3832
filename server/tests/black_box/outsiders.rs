//! Every endpoint of docs/api.md that names a case, called over HTTP by every role on a case it
//! has no relation to: refused, nothing of the person in the answer (no value, no ciphertext),
//! and exactly one audit entry per call — a refusal leaves the same trace as an allow.

use crate::common::{participant_form, signed_in, spawn_app, TestApp};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use utvag_core::demo::demo_people;

async fn ok_json(app: &TestApp, c: &Client, endpoint: &str, args: &[(&str, &str)]) -> Value {
    let resp = app.call(c, endpoint, args).await;
    let status = resp.status();
    let body = resp.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{endpoint}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// The audit entries of `username` after sequence number `after`, as the log reviewer sees
/// them (the reviewer's own searches left out).
async fn entries_after(app: &TestApp, reviewer: &Client, username: &str, after: i64) -> Vec<Value> {
    let found = ok_json(app, reviewer, "audit/search", &[("username", username)]).await;
    found["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["seq"].as_i64().unwrap() > after && r["action"] != "audit.search")
        .cloned()
        .collect()
}

async fn last_seq(app: &TestApp, reviewer: &Client, username: &str) -> i64 {
    let found = ok_json(app, reviewer, "audit/search", &[("username", username)]).await;
    found["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] != "audit.search")
        .filter_map(|r| r["seq"].as_i64())
        .max()
        .unwrap_or(0)
}

fn first_id(v: &Value, list: &str) -> String {
    v[list]
        .as_array()
        .and_then(|a| a.first())
        .and_then(|x| x["id"].as_str())
        .unwrap_or("saknas0000000000")
        .to_string()
}

#[tokio::test]
async fn every_case_endpoint_refuses_an_outsider_with_one_audit_entry_and_no_personal_data() {
    let app = spawn_app().await;
    let owner = signed_in(&app, "handlaggare").await;
    let reviewer = signed_in(&app, "granskare").await;
    // Demo person 1: Göteborg, only the Göteborg case team has a relation to it.
    let p = demo_people()[1].clone();
    let rows = ok_json(&app, &owner, "cases/search", &[("q", &p.personnummer)]).await;
    let case_id = rows[0]["case_id"].as_str().unwrap().to_string();
    let plan = ok_json(&app, &owner, "plan/get", &[("case_id", &case_id)]).await;
    let goal_id = first_id(&plan, "goals");
    let action_id = first_id(&plan, "actions");
    let notes = ok_json(&app, &owner, "notes/list", &[("case_id", &case_id)]).await;
    let note_id = notes
        .as_array()
        .or_else(|| notes["notes"].as_array())
        .and_then(|a| a.first())
        .and_then(|n| n["id"].as_str())
        .unwrap_or("saknas0000000000")
        .to_string();
    let safety = ok_json(&app, &owner, "safety/get", &[("case_id", &case_id)]).await;
    let measure_id = first_id(&safety, "measures");
    let consents = ok_json(&app, &owner, "consents/list", &[("case_id", &case_id)]).await;
    let consent_id = consents
        .as_array()
        .and_then(|a| a.first())
        .and_then(|c| c["id"].as_str())
        .unwrap_or("saknas0000000000")
        .to_string();
    let c = case_id.as_str();
    let form = participant_form("Ny", "Person", "", "", "");
    let mut update: Vec<(&str, &str)> =
        form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    update.extend([("case_id", c), ("version", "1")]);
    let text = "Ett fullt giltigt textinnehåll för testet.";
    #[rustfmt::skip]
    let endpoints: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("cases/get", vec![("case_id", c)]),
        ("participants/update", update),
        ("participants/history", vec![("case_id", c)]),
        ("cases/transition", vec![("case_id", c), ("version", "1"), ("to", "paused")]),
        ("cases/team_add", vec![("case_id", c), ("username", "passus"), ("part", "mentor")]),
        ("cases/team_remove", vec![("case_id", c), ("user_id", "demo_passus")]),
        ("cases/break_glass", vec![("case_id", c), ("reason", "Behöver se ärendet för en akut bedömning i kväll.")]),
        ("consents/list", vec![("case_id", c)]),
        ("consents/add", vec![("case_id", c), ("recipient_org", "polis_vast"), ("categories[0]", "safety"),
            ("basis", "samtycke"), ("provision", ""), ("valid_from", ""), ("valid_until", "")]),
        ("consents/revoke", vec![("case_id", c), ("consent_id", &consent_id)]),
        ("plan/get", vec![("case_id", c)]),
        ("plan/goal_add", vec![("case_id", c), ("domain", "housing"), ("text", text), ("target_date", "")]),
        ("plan/action_add", vec![("case_id", c), ("goal_id", &goal_id), ("title", text), ("owner_org", "gbg_soc"),
            ("responsible", ""), ("due", "")]),
        ("plan/action_update", vec![("case_id", c), ("action_id", &action_id), ("version", "1"),
            ("status", "done"), ("comment", text)]),
        ("plan/goal_status", vec![("case_id", c), ("goal_id", &goal_id), ("version", "1"), ("status", "achieved")]),
        ("plan/review_add", vec![("case_id", c), ("date", ""), ("present", text), ("summary", text), ("next_review", "")]),
        ("safety/get", vec![("case_id", c)]),
        ("safety/measure_add", vec![("case_id", c), ("kind", "security_alarm"), ("status", "planned"),
            ("start", ""), ("end", ""), ("details", text)]),
        ("safety/measure_update", vec![("case_id", c), ("measure_id", &measure_id), ("version", "1"), ("status", "ended"),
            ("start", ""), ("end", ""), ("responsible_org", "gbg_soc"), ("details", text)]),
        ("safety/measure_end", vec![("case_id", c), ("measure_id", &measure_id), ("version", "1"), ("end", "")]),
        ("safety/assessment_add", vec![("case_id", c), ("level", "low"), ("date", ""), ("next_review", ""), ("basis", text)]),
        ("living/get", vec![("case_id", c)]),
        ("living/housing_add", vec![("case_id", c), ("kind", "own_lease"), ("address", text), ("from", "")]),
        ("living/occupation_add", vec![("case_id", c), ("kind", "studies"), ("from", ""), ("outcome", text)]),
        ("contacts/add", vec![("case_id", c), ("at", ""), ("kind", "meeting"), ("minutes", "30"), ("summary", text)]),
        ("notes/list", vec![("case_id", c)]),
        ("notes/add", vec![("case_id", c), ("text", text)]),
        ("notes/edit", vec![("case_id", c), ("note_id", &note_id), ("version", "1"), ("text", text)]),
        ("timeline/page", vec![("case_id", c), ("cursor", ""), ("category", ""), ("org", ""), ("limit", "50")]),
        ("handover/offer", vec![("case_id", c), ("form[to_org]", "malmo_soc"), ("form[parts][0]", "person"),
            ("form[note]", text), ("form[read_days]", "30")]),
        ("handover/pending", vec![("case_id", c)]),
        ("cases/extract_decide", vec![("case_id", c), ("item", "assessment:x"), ("decision", "release"),
            ("reason", ""), ("version", "1")]),
    ];
    let secrets: Vec<String> = vec![
        p.first_name.clone(),
        p.last_name.clone(),
        p.personnummer.clone(),
        p.phone.clone(),
        p.address.clone(),
        p.email.clone(),
    ];
    let mut failures = Vec::new();
    for username in ["handlaggare.malmo", "passus", "polis", "admin", "granskare"] {
        let outsider = signed_in(&app, username).await;
        let mut calls: Vec<(String, StatusCode, String)> = Vec::new();
        for (endpoint, args) in &endpoints {
            let before = last_seq(&app, &reviewer, username).await;
            let resp = app.call(&outsider, endpoint, args).await;
            let status = resp.status();
            let body = resp.text().await.unwrap();
            let after = entries_after(&app, &reviewer, username, before).await;
            calls.push((endpoint.to_string(), status, body.clone()));
            if !matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) {
                failures.push(format!("{username} {endpoint}: {status} {body}"));
            }
            if after.len() != 1 || after[0]["decision"] != "deny" {
                failures.push(format!(
                    "{username} {endpoint}: {} entries {after:?}",
                    after.len()
                ));
            }
            for s in &secrets {
                if body.contains(s.as_str()) {
                    failures.push(format!("{username} {endpoint}: the answer holds {s}"));
                }
            }
        }
        for get in ["cases/extract", "cases/extract_review"] {
            let mut answers = Vec::new();
            for id in [case_id.as_str(), "finnsinte0000000000"] {
                let before = last_seq(&app, &reviewer, username).await;
                let resp = outsider
                    .get(app.url(&format!("/api/{get}?case_id={id}")))
                    .send()
                    .await
                    .unwrap();
                let (status, body) = (resp.status(), resp.text().await.unwrap());
                let after = entries_after(&app, &reviewer, username, before).await;
                if !matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN)
                    || secrets.iter().any(|s| body.contains(s.as_str()))
                    || after.len() != 1
                {
                    failures.push(format!(
                        "{username} GET {get} {id}: {status} {body} {after:?}"
                    ));
                }
                answers.push((status, body));
            }
            if answers[0] != answers[1] {
                failures.push(format!("{username} GET {get}: {answers:?}"));
            }
        }
        // An outsider's answers for this case are the answers for a case that does not exist.
        for (endpoint, args) in &endpoints {
            let other: Vec<(&str, &str)> = args
                .iter()
                .map(|(k, v)| {
                    (
                        *k,
                        if *k == "case_id" {
                            "finnsinte0000000000"
                        } else {
                            *v
                        },
                    )
                })
                .collect();
            let resp = app.call(&outsider, endpoint, &other).await;
            let (status, body) = (resp.status(), resp.text().await.unwrap());
            let (_, s0, b0) = calls.iter().find(|(e, _, _)| e == endpoint).unwrap();
            if (status, &body) != (*s0, b0) {
                failures.push(format!(
                    "{username} {endpoint}: {s0} {b0} for the case, {status} {body} for none"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
