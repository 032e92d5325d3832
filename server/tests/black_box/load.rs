//! Load: 200 signed-in sessions send a mixed load of case overviews and contact writes at a
//! fixed rate for 60 s to `utvag serve` on an embedded store, far more than a debug build on a
//! small machine answers. Every request is answered or refused at once with 503 (the instance's
//! limit) — nothing else fails, nothing piles up — and the server's memory stays under its cap.
//! Afterwards it stops cleanly on SIGTERM and the audit chain and every sealed value verify.

use std::process::Command;
use std::time::Duration;

use crate::common::{said, second_pass_over_ws, utvag, TempDir, PASSWORD};
use crate::driver::{self, Plan};

const SESSIONS: usize = 200;
/// Peak resident memory allowed to the server through the run (VmHWM), in MiB: about twice
/// what a debug build was measured at (190 MiB).
const RSS_CAP_MIB: f64 = 384.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_sessions_for_a_minute_are_answered_or_refused_at_once_within_the_memory_cap() {
    if second_pass_over_ws() {
        return; // It starts its own process and store: once, in the embedded pass, is enough.
    }
    let dir = TempDir::new("load");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_utvag"));
    cmd.current_dir(&dir.0)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("UTVAG_DEMO", "true")
        .env("UTVAG_DB", "surrealkv://data/store.db")
        .env("UTVAG_KEY_FILE", "data/utvag.key")
        .env("UTVAG_LOG", "error")
        .env("UTVAG_DB_TIMEOUT", "120")
        .env("UTVAG_SITE_ROOT", "../target/site")
        // Two hundred sign-ins without waiting on one-time codes.
        .env("UTVAG_MFA_ROLES", "none")
        // A small limit, so that the overload is refused rather than queued.
        .env("UTVAG_MAX_IN_FLIGHT", "16");
    let (mut server, base) = driver::serve(cmd).await;
    let sessions = driver::sign_in(&[base], "handlaggare", PASSWORD, SESSIONS).await;
    assert_eq!(sessions.len(), SESSIONS);

    let report = driver::run(
        &sessions,
        Plan {
            every: Duration::from_secs(2),
            duration: Duration::from_secs(60),
            write_one_in: 5,
        },
    )
    .await;
    let rss = server.peak_rss_mib();
    println!(
        "{SESSIONS} sessions, one request each every 2 s for 60 s:\n{}\npeak RSS {rss:.0} MiB",
        report.lines()
    );
    for t in [&report.overview, &report.write] {
        assert!(
            t.failed.is_empty(),
            "{} requests failed otherwise than with 503/429, e.g. {:?}",
            t.failed.len(),
            &t.failed[..t.failed.len().min(5)]
        );
    }
    assert!(
        report.overview.ok > 0 && report.write.ok > 0,
        "{}",
        report.lines()
    );
    // Each session's 30 requests were due within the minute; the last ones went out (or were
    // refused) soon after it, not after a queue had drained.
    assert!(
        report.elapsed < Duration::from_secs(120),
        "the load took {:?}: requests piled up\n{}",
        report.elapsed,
        report.lines()
    );
    assert!(
        rss < RSS_CAP_MIB,
        "peak RSS {rss:.0} MiB over the cap of {RSS_CAP_MIB} MiB"
    );

    // A clean stop, then the store opens for the command line: the chain and every sealed
    // value (each written contact's summary among them) verify.
    let stopped = server.stop();
    assert!(stopped.success(), "utvag serve stopped with {stopped}");
    let verify = utvag(&dir.0, &[], &["audit", "verify"]);
    assert!(verify.status.success(), "{}", said(&verify));
    let check = utvag(&dir.0, &[], &["integrity", "check"]);
    assert!(check.status.success(), "{}", said(&check));
}
