//! Two `utvag serve` processes on one SurrealDB server — SurrealDB's own server binary
//! (server/surreal) over `ws://`, as in production behind a load balancer — with one key file
//! and one checkpoint file: a session made on one works on the other, a contact written on one
//! is on the other's timeline, the audit chain verifies with writes through both, retention run
//! from both at once removes each due person once, and a key rotation is picked up by the
//! instance that did not make it.

use std::path::Path;
use std::process::{Command, Output};

use reqwest::StatusCode;
use utvag_core::demo::demo_people;

use crate::common::{client, said, second_pass_over_ws, sign_in_over_http, Running, TempDir};

/// The SurrealDB server in memory on a loopback port.
fn start_surreal() -> (Running, u16) {
    crate::driver::start_surreal(Path::new(env!("CARGO_BIN_EXE_utvag")), "memory")
}

/// What every `utvag` process here shares: the server, the database, the key file and the
/// checkpoint file.
fn shared_env(dir: &Path, db_port: u16) -> Vec<(String, String)> {
    [
        ("UTVAG_DB", format!("ws://127.0.0.1:{db_port}")),
        ("UTVAG_DB_USER", "root".into()),
        ("UTVAG_DB_PASS", "root".into()),
        ("UTVAG_DB_NS", "utvag".into()),
        ("UTVAG_DB_NAME", "region".into()),
        (
            "UTVAG_KEY_FILE",
            dir.join("utvag.key").display().to_string(),
        ),
        (
            "UTVAG_CHECKPOINT_FILE",
            dir.join("checkpoints.jsonl").display().to_string(),
        ),
        ("UTVAG_CHECKPOINT_EVERY", "5".into()),
        ("UTVAG_DEMO", "true".into()),
        // Loading the demo holds long queries; a busy test machine must not turn them into
        // refusals (as in `common::utvag`).
        ("UTVAG_DB_TIMEOUT", "120".into()),
        ("UTVAG_LOG", "warn".into()),
        ("UTVAG_SITE_ROOT", "../target/site".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn utvag_cmd(env: &[(String, String)]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_utvag"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    c
}

fn cli(env: &[(String, String)], args: &[&str]) -> Output {
    utvag_cmd(env).args(args).output().expect("runs utvag")
}

/// `utvag serve` on a port of its own, once it answers ready (the first one loads the demo data
/// into the empty database first).
async fn serve(env: &[(String, String)]) -> (Running, String) {
    crate::driver::serve(utvag_cmd(env)).await
}

async fn call(c: &reqwest::Client, base: &str, endpoint: &str, args: &[(&str, &str)]) -> String {
    let r = c
        .post(format!("{base}/api/{endpoint}"))
        .form(args)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{endpoint} on {base}: {body}");
    body
}

/// The number in "Removed: N participants" or "Due (…): N participants".
fn participants_in(out: &str) -> usize {
    out.split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .find(|w| w[1] == "participants")
        .and_then(|w| w[0].parse().ok())
        .unwrap_or_else(|| panic!("no participant count in {out}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_surrealdb_server_share_sessions_data_the_chain_the_lease_and_keys() {
    if second_pass_over_ws() {
        return; // It starts its own processes and stores: once, in the embedded pass, is enough.
    }
    let dir = TempDir::new("instances");
    let (_db, db_port) = start_surreal();
    let env = shared_env(&dir.0, db_port);
    let (_a, a) = serve(&env).await;
    let (_b, b) = serve(&env).await;

    // Signed in on A (password, then the code the demo user's authenticator shows) ...
    let c = client();
    sign_in_over_http(&c, &a, "handlaggare").await;
    // ... the session works on B (the cookie is the host's, whichever instance answers).
    let p = &demo_people()[0];
    let found = call(&c, &b, "cases/search", &[("q", &p.personnummer)]).await;
    let rows: serde_json::Value = serde_json::from_str(&found).unwrap();
    let case_id = rows[0]["case_id"].as_str().unwrap().to_string();

    // A contact written through A is on the timeline B serves.
    let summary = "Samtal om boendet, skrivet via instans A";
    call(
        &c,
        &a,
        "contacts/add",
        &[
            ("case_id", &case_id),
            ("kind", "phone"),
            ("summary", summary),
        ],
    )
    .await;
    let timeline = call(&c, &b, "timeline/page", &[("case_id", &case_id)]).await;
    assert!(timeline.contains(summary), "{timeline}");

    // The chain, with entries appended through both, verifies and is held to the checkpoints
    // both wrote to the one file.
    let verify = cli(&env, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", said(&verify));
    assert!(
        said(&verify).contains("audit chain intact"),
        "{}",
        said(&verify)
    );

    // Key rotation by another process: B, which still has only the old KEK in memory, opens a
    // case it has not opened before with the data keys rewrapped under the new one.
    let rotate = cli(&env, &["keys", "rotate"]);
    assert!(rotate.status.success(), "{}", said(&rotate));
    let other = &demo_people()[2];
    let found = call(&c, &b, "cases/search", &[("q", &other.personnummer)]).await;
    let rows: serde_json::Value = serde_json::from_str(&found).unwrap();
    let other_case = rows[0]["case_id"].as_str().unwrap().to_string();
    let view = call(&c, &b, "cases/get", &[("case_id", &other_case)]).await;
    let view: serde_json::Value = serde_json::from_str(&view).unwrap();
    assert_eq!(
        view["last_name"]["Value"],
        other.last_name.as_str(),
        "{view}"
    );

    // Retention run from two processes at once (with a one-year period, so that people are
    // due): each due person is removed exactly once, by whichever run holds the lease.
    let mut env1 = env.clone();
    env1.push(("UTVAG_RETENTION_YEARS".into(), "1".into()));
    let due = cli(&env1, &["gallring", "--dry-run"]);
    assert!(due.status.success(), "{}", said(&due));
    let due = participants_in(&said(&due));
    assert!(due > 0, "nothing is due with a one-year period");
    let runs: Vec<Output> = std::thread::scope(|s| {
        let h: Vec<_> = (0..2)
            .map(|_| s.spawn(|| cli(&env1, &["gallring", "--apply"])))
            .collect();
        h.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut removed = 0;
    for r in &runs {
        let out = said(r);
        if r.status.success() {
            assert!(out.contains("Removed:"), "{out}");
            removed += participants_in(&out);
        } else {
            assert!(out.contains("körs redan på en annan instans"), "{out}");
        }
    }
    assert_eq!(
        removed,
        due,
        "{:?}",
        runs.iter().map(said).collect::<Vec<_>>()
    );
    let after = cli(&env1, &["gallring", "--dry-run"]);
    assert_eq!(participants_in(&said(&after)), 0, "{}", said(&after));
    let verify = cli(&env, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", said(&verify));
}
