//! What the app acknowledges is durable: `utvag serve` on an embedded store is killed with
//! SIGKILL part way through 1 000 concurrent contact writes, then started again on the same
//! store. Every write that was answered 200 is on the case's timeline and every sealed value
//! opens; nothing is half-written (a contact, its timeline event and its audit entry are one
//! transaction); the audit chain verifies.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use utvag_core::demo::demo_people;

use crate::common::{
    case_of, client, said, second_pass_over_ws, sign_in_over_http, utvag, Running, TempDir,
};

const WRITES: usize = 1_000;
const AT_ONCE: usize = 16;
/// Acknowledged writes after which the server is killed.
const KILL_AFTER: usize = 250;

/// `utvag serve` on the store in `dir/data`, once it answers ready.
async fn serve(dir: &Path) -> (Running, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_utvag"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("UTVAG_DEMO", "true")
        .env("UTVAG_DB", "surrealkv://data/store.db")
        .env("UTVAG_KEY_FILE", "data/utvag.key")
        .env("UTVAG_LOG", "error")
        .env("UTVAG_DB_TIMEOUT", "120")
        .env("UTVAG_SITE_ROOT", "../target/site");
    crate::driver::serve(cmd).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_write_survives_a_kill_9_whole_and_the_chain_verifies() {
    if second_pass_over_ws() {
        return; // It starts its own processes and stores: once, in the embedded pass, is enough.
    }
    let dir = TempDir::new("crash");
    let (mut server, base) = serve(&dir.0).await;
    let c = client();
    sign_in_over_http(&c, &base, "handlaggare").await;
    let p = &demo_people()[0];
    let case_id = case_of(&c, &base, &p.personnummer).await;

    // 1 000 writes, 16 at a time; the server is killed once 250 have been answered.
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let next = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(tokio::sync::Notify::new());
    let mut workers = Vec::new();
    for _ in 0..AT_ONCE {
        let (c, base, case_id) = (c.clone(), base.clone(), case_id.clone());
        let (acked, next, killed) = (acked.clone(), next.clone(), killed.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= WRITES {
                    return;
                }
                let summary = format!("Kontakt nummer {i} före avbrottet");
                let r = c
                    .post(format!("{base}/api/contacts/add"))
                    .form(&[
                        ("case_id", case_id.as_str()),
                        ("kind", "phone"),
                        ("summary", summary.as_str()),
                    ])
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == StatusCode::OK => {
                        let mut a = acked.lock().unwrap();
                        a.push(summary);
                        if a.len() == KILL_AFTER {
                            killed.notify_one();
                        }
                    }
                    // Refused (a conflict under contention) or cut off by the kill: not
                    // acknowledged, so not promised.
                    Ok(_) => {}
                    Err(_) => return,
                }
            }
        }));
    }
    killed.notified().await;
    server.0.kill().unwrap(); // SIGKILL
    server.0.wait().unwrap();
    for w in workers {
        let _ = w.await;
    }
    let acked: HashSet<String> = acked.lock().unwrap().iter().cloned().collect();
    assert!(acked.len() >= KILL_AFTER, "{}", acked.len());
    assert!(acked.len() < WRITES, "the kill came after every write");

    // Started again on the same store: the session (kept in the store) still works, and every
    // acknowledged contact is on the timeline.
    let (mut server, base) = serve(&dir.0).await;
    let mut seen = HashSet::new();
    let mut cursor = String::new();
    loop {
        let page: serde_json::Value = c
            .post(format!("{base}/api/timeline/page"))
            .form(&[
                ("case_id", case_id.as_str()),
                ("category", "contacts"),
                ("limit", "200"),
                ("cursor", cursor.as_str()),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for e in page["events"].as_array().unwrap() {
            // The contact's summary, beside its line (kind and minutes).
            let text = e["text"].as_str().unwrap_or_default();
            if !text.is_empty() && e["line"]["code"] == "contact" {
                seen.insert(text.to_string());
            }
        }
        match page["next"].as_str() {
            Some(n) if !n.is_empty() => cursor = n.to_string(),
            _ => break,
        }
    }
    println!(
        "{} of {WRITES} writes acknowledged before the kill; {} contacts on the timeline after it",
        acked.len(),
        seen.len()
    );
    let missing: Vec<&String> = acked.difference(&seen).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged writes lost: {missing:?}",
        missing.len()
    );

    // Stopped cleanly, the store opens for the command line: the chain verifies and every sealed
    // value (each contact's summary and its event's text) opens.
    server.stop();
    let verify = utvag(&dir.0, &[], &["audit", "verify"]);
    assert!(verify.status.success(), "{}", said(&verify));
    let check = utvag(&dir.0, &[], &["integrity", "check"]);
    assert!(check.status.success(), "{}", said(&check));
}
