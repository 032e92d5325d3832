//! The server as an operator runs it: `utvag serve` on an embedded store, stopped with SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What the process printed, collected until it ends.
type Printed = std::thread::JoinHandle<String>;

/// Starts `utvag serve` in `dir` and returns it with the address it listens on and its
/// printed output (both streams).
fn start(dir: &Path) -> (Child, String, Printed) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_utvag"))
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("UTVAG_DEMO", "true")
        .env("UTVAG_ADDR", "127.0.0.1:0")
        .env("UTVAG_DB", "surrealkv://data/store.db")
        .env("UTVAG_KEY_FILE", "data/utvag.key")
        // Loading the demo holds long queries; a busy test machine must not turn them into
        // refusals (as in `common::utvag`).
        .env("UTVAG_DB_TIMEOUT", "120")
        // The embedded store reports its own orderly shutdown at info level.
        .env("UTVAG_LOG", "warn,surrealkv=info")
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts utvag");
    let mut stderr = child.stderr.take().unwrap();
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("utvag printed its address before it ended")
            .unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.trim().to_string();
        }
    };
    let out =
        std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>().join("\n"));
    let printed = std::thread::spawn(move || {
        format!(
            "{}\n{}",
            out.join().unwrap_or_default(),
            err.join().unwrap_or_default()
        )
    });
    (child, addr, printed)
}

fn sigterm(child: &Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

fn wait(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("utvag did not stop within {limit:?} of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sigterm_finishes_the_request_in_flight_and_closes_the_embedded_store() {
    let dir = Dir(std::env::temp_dir().join(format!("utvag-sigterm-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    std::fs::create_dir_all(&dir.0).unwrap();

    let (mut child, addr, printed) = start(&dir.0);
    // A sign-in whose body has not all arrived yet: in flight when the signal comes.
    let body = "username=handlaggare&password=fel-l%C3%B6senord";
    let mut held = TcpStream::connect(&addr).unwrap();
    write!(
        held,
        "POST /api/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        &body[..10]
    )
    .unwrap();
    held.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    sigterm(&child);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "utvag ended with a request still in flight"
    );
    held.write_all(&body.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    held.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 "), "no answer: {answer:?}");
    assert!(!answer.starts_with("HTTP/1.1 5"), "{answer}");

    let status = wait(&mut child, Duration::from_secs(30));
    let said = printed.join().unwrap();
    assert!(status.success(), "{status:?}: {said}");
    closed_cleanly(&said);

    // The store was closed cleanly: the next start opens it at once and stops as cleanly.
    let (mut again, addr, printed) = start(&dir.0);
    let mut probe = TcpStream::connect(&addr).unwrap();
    write!(
        probe,
        "GET /healthz/ready HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    probe.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    sigterm(&again);
    let status = wait(&mut again, Duration::from_secs(30));
    let said = printed.join().unwrap();
    assert!(status.success(), "{status:?}: {said}");
    closed_cleanly(&said);
}

/// The embedded store flushed its memory tables and closed its log before the process ended.
/// It closes only when its last handle goes while the runtime still runs: a handle dropped as
/// the runtime is torn down was never closed, and the store recovered from its log at the next
/// start. (The store's own flush thread, ending after the close, still logs that it had "no
/// runtime" for a close of its own; the close it means has already run.)
fn closed_cleanly(said: &str) {
    assert!(
        said.contains("LSM tree shutdown complete"),
        "the store was not closed: {said}"
    );
}
