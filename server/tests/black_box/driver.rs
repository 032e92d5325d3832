//! `utvag serve` as a process of its own, and an open-loop load generator over HTTP that runs
//! apart from the processes it drives (used by the process tests here and by the figures of
//! `make bench`, which includes this file).
//!
//! Each session is a signed-in cookie jar that sends at a fixed rate, whatever the server does:
//! a request is due at its scheduled time, and its latency is counted from that time, not from
//! when it could finally be sent. A slow answer therefore also counts against the requests
//! queued behind it (the correction for coordinated omission); a closed loop would instead send
//! less when the server is slow and report flattering figures.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

/// A signed-in session and the case it works on.
#[derive(Clone)]
pub struct Session {
    pub client: reqwest::Client,
    pub base: String,
    pub case_id: String,
}

/// What each session sends: every `every`, for `duration`; one request in `write_one_in` is a
/// contact written to the session's case, the others read its overview page.
#[derive(Clone, Copy)]
pub struct Plan {
    pub every: Duration,
    pub duration: Duration,
    pub write_one_in: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Overview,
    Write,
}

/// What one kind of request got.
#[derive(Default)]
pub struct Tally {
    pub sent: u64,
    pub ok: u64,
    /// Deliberate refusals: 503 (the instance is at its limit) and 429.
    pub shed: u64,
    /// Anything else: the status or the transport error, with the request's kind.
    pub failed: Vec<String>,
    /// Latencies of the answered requests, from their scheduled time.
    pub latencies: Vec<Duration>,
}

impl Tally {
    fn quantile(&self, q: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let mut l = self.latencies.clone();
        l.sort();
        let i = ((l.len() as f64 * q).ceil() as usize).clamp(1, l.len()) - 1;
        l[i]
    }

    pub fn p50(&self) -> Duration {
        self.quantile(0.50)
    }

    pub fn p99(&self) -> Duration {
        self.quantile(0.99)
    }
}

pub struct Report {
    pub overview: Tally,
    pub write: Tally,
    pub elapsed: Duration,
}

impl Report {
    /// One line per kind: answered per second, p50 and p99 from the scheduled time, refusals.
    pub fn lines(&self) -> String {
        let secs = self.elapsed.as_secs_f64();
        [("case overview", &self.overview), ("contact write", &self.write)]
            .iter()
            .map(|(name, t)| {
                format!(
                    "{name:<14} {:>7.1}/s answered  p50 {:>8.1} ms  p99 {:>8.1} ms  sent {:>6}  refused 503/429 {:>6}  failed {}",
                    t.ok as f64 / secs,
                    t.p50().as_secs_f64() * 1e3,
                    t.p99().as_secs_f64() * 1e3,
                    t.sent,
                    t.shed,
                    t.failed.len()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A client with cookies, no redirects followed, and a bound on every request.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// Runs `plan` from every session at once; the sessions start spread over one period so that
/// they do not all fire together.
pub async fn run(sessions: &[Session], plan: Plan) -> Report {
    let tallies = Arc::new(Mutex::new((Tally::default(), Tally::default())));
    let started = Instant::now();
    let n = sessions.len().max(1) as u32;
    let mut tasks = Vec::new();
    for (i, s) in sessions.iter().enumerate() {
        let s = s.clone();
        let tallies = tallies.clone();
        let offset = plan.every * i as u32 / n;
        tasks.push(tokio::spawn(async move {
            let first = tokio::time::Instant::now() + offset;
            let end = first + plan.duration;
            let mut ticks = tokio::time::interval_at(first, plan.every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut k = i as u32;
            loop {
                let due = ticks.tick().await;
                if due >= end {
                    return;
                }
                k += 1;
                let kind = if k.is_multiple_of(plan.write_one_in) {
                    Kind::Write
                } else {
                    Kind::Overview
                };
                let outcome = send(&s, kind, k).await;
                let latency = due.elapsed();
                let mut t = tallies.lock().unwrap();
                let t = match kind {
                    Kind::Overview => &mut t.0,
                    Kind::Write => &mut t.1,
                };
                t.sent += 1;
                match outcome {
                    Ok(s) if s.is_success() => {
                        t.ok += 1;
                        t.latencies.push(latency);
                    }
                    Ok(StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS) => {
                        t.shed += 1
                    }
                    Ok(s) => t.failed.push(format!("{kind:?}: HTTP {s}")),
                    Err(e) => t.failed.push(format!("{kind:?}: {e}")),
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed();
    let (overview, write) = std::mem::take(&mut *tallies.lock().unwrap());
    Report {
        overview,
        write,
        elapsed,
    }
}

async fn send(s: &Session, kind: Kind, k: u32) -> Result<StatusCode, reqwest::Error> {
    let r = match kind {
        Kind::Overview => {
            s.client
                .get(format!("{}/arenden/{}", s.base, s.case_id))
                .header("accept", "text/html")
                .send()
                .await?
        }
        Kind::Write => {
            let summary = format!("Telefonsamtal under belastning, nummer {k}");
            s.client
                .post(format!("{}/api/contacts/add", s.base))
                .form(&[
                    ("case_id", s.case_id.as_str()),
                    ("kind", "phone"),
                    ("summary", summary.as_str()),
                ])
                .send()
                .await?
        }
    };
    let status = r.status();
    // The whole body is read, as a browser would.
    r.bytes().await?;
    Ok(status)
}

/// Signs `n` sessions of `user` in with the password alone (the servers run with
/// `UTVAG_MFA_ROLES=none`, so that hundreds of sessions do not wait on one-time codes), the
/// sessions alternating over `bases` as a load balancer would, each working on one of the
/// user's open cases in turn.
pub async fn sign_in(bases: &[String], user: &str, password: &str, n: usize) -> Vec<Session> {
    let first = signed_in(&bases[0], user, password).await;
    let cases: Vec<serde_json::Value> = first
        .post(format!("{}/api/cases/list", bases[0]))
        .form(&[("status", "active"), ("mine", "on")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cases: Vec<String> = cases
        .iter()
        .map(|c| c["case_id"].as_str().unwrap().to_string())
        .collect();
    assert!(!cases.is_empty(), "{user} has no active case to work on");
    // Four sign-ins at a time: each verifies a PBKDF2 hash of 600 000 rounds.
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let done = Arc::new(Mutex::new(Vec::with_capacity(n)));
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (next, done) = (next.clone(), done.clone());
        let (bases, cases) = (bases.to_vec(), cases.clone());
        let (user, password) = (user.to_string(), password.to_string());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= n {
                    return;
                }
                let base = bases[i % bases.len()].clone();
                let client = signed_in(&base, &user, &password).await;
                done.lock().unwrap().push(Session {
                    client,
                    base,
                    case_id: cases[i % cases.len()].clone(),
                });
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    let mut done = done.lock().unwrap();
    std::mem::take(&mut *done)
}

async fn signed_in(base: &str, user: &str, password: &str) -> reqwest::Client {
    let c = client();
    for _ in 0..100 {
        let r = c
            .post(format!("{base}/api/login"))
            .form(&[("username", user), ("password", password)])
            .send()
            .await
            .unwrap();
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|v| v.to_str().is_ok_and(|s| s.starts_with("utvag_session=")));
        if cookie {
            return c;
        }
        // At the instance's limit or the address's sign-in rate: as a person would, try again.
        assert!(
            matches!(
                r.status(),
                StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS
            ),
            "sign-in of {user} on {base}: HTTP {} to {:?}",
            r.status(),
            r.headers().get("location")
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("{user} could not sign in on {base}");
}

/// A loopback port nothing listens on at the moment.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `utvag serve` started by `cmd` (which sets everything but the address) on a free port, once
/// it answers ready; killed when the returned guard is dropped.
pub async fn serve(mut cmd: Command) -> (Running, String) {
    let port = free_port();
    // What the server says goes to a file, shown if it never becomes ready.
    let log = std::env::temp_dir().join(format!("utvag-serve-{port}.log"));
    let out = std::fs::File::create(&log).expect("creates the server's log file");
    let child = cmd
        .env("UTVAG_ADDR", format!("127.0.0.1:{port}"))
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(out)
        .spawn()
        .expect("starts utvag serve");
    let mut running = Running(child);
    let base = format!("http://127.0.0.1:{port}");
    let said = |log: &std::path::Path| std::fs::read_to_string(log).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if let Ok(r) = reqwest::get(format!("{base}/healthz/ready")).await {
            if r.status() == StatusCode::OK {
                let _ = std::fs::remove_file(&log);
                return (running, base);
            }
        }
        if let Ok(Some(status)) = running.0.try_wait() {
            panic!(
                "utvag serve ended ({status}) before it was ready:\n{}",
                said(&log)
            );
        }
        assert!(
            Instant::now() < deadline,
            "utvag serve did not become ready in 600 s:\n{}",
            said(&log)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// SurrealDB's own server (server/surreal, built next to `utvag`) on a loopback port with
/// `storage` (`memory` or `surrealkv://<path>`), once it accepts connections.
pub fn start_surreal(utvag_bin: &Path, storage: &str) -> (Running, u16) {
    let port = free_port();
    let child = Command::new(utvag_bin.with_file_name("surreal"))
        .args(["start", "--bind", &format!("127.0.0.1:{port}")])
        .args(["--user", "root", "--pass", "root", "--log", "warn", storage])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts the SurrealDB server (built with the tests: server/surreal)");
    let running = Running(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the SurrealDB server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (running, port)
}

/// A child process, killed (and waited for) when dropped.
pub struct Running(pub Child);

impl Running {
    /// The most memory the process has held resident so far (`VmHWM`), in MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id()))
            .expect("reads the process's status (Linux)");
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/<pid>/status");
        kib / 1024.0
    }

    /// Stops the process with SIGTERM, as a service manager does, and waits for it.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        self.0.wait().unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
