//! Starts the real app on a random port with an in-memory database and the demo data.
#![allow(dead_code)]

use reqwest::redirect::Policy;
use utvag_core::config::CoreSettings;
use utvag_core::{demo, totp, AppState};

pub const PASSWORD: &str = demo::DEFAULT_DEMO_PASSWORD;

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(CoreSettings::for_tests()).await
}

pub async fn spawn_app_with(settings: CoreSettings) -> TestApp {
    spawn_app_limited(settings, server::DEFAULT_MAX_IN_FLIGHT).await
}

/// The app handling at most `max_in_flight` requests at once.
pub async fn spawn_app_limited(settings: CoreSettings, max_in_flight: usize) -> TestApp {
    spawn_app_serving(
        settings,
        max_in_flight,
        std::path::Path::new("../target/site"),
    )
    .await
}

/// The app serving the site at `site_root` (`make site` wrote `../target/site`).
pub async fn spawn_app_serving(
    settings: CoreSettings,
    max_in_flight: usize,
    site_root: &std::path::Path,
) -> TestApp {
    // A copy of the demo store written once per test binary (`demo::fresh`).
    let state = demo::fresh(settings).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let running = server::serve_limited(
        listener,
        state.clone(),
        site_root,
        async {
            let _ = rx.await;
        },
        max_in_flight,
    )
    .await
    .unwrap();
    TestApp {
        base: format!("http://{}", running.addr),
        state,
        _shutdown: tx,
    }
}

/// A client that keeps cookies and does not follow redirects, like a browser seen by hand.
/// A browser-like client: cookies kept, redirects not followed. A request the server has not
/// answered within two minutes fails with its address, instead of holding up the run until
/// the binary's time limit.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .unwrap()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Signs in through the form posts — the password, then (when the password step asks for
    /// it) the code the demo user's authenticator shows — and returns the last response: the
    /// redirect that carries the complete session, or the refusal of the password step.
    pub async fn login(
        &self,
        c: &reqwest::Client,
        user: &str,
        password: &str,
    ) -> reqwest::Response {
        let first = self.password_step(c, user, password).await;
        if location(&first).as_deref() != Some("/logga-in/kod") {
            return first;
        }
        let code = self.demo_code(user).await;
        c.post(self.url("/api/login/kod"))
            .form(&[("code", code.as_str())])
            .send()
            .await
            .unwrap()
    }

    /// A demo user's `Authed` for calling the core directly, signed in through the core the way
    /// the sign-in page does (password and code), moving the test clock to the next step when
    /// this user's codes of the current window are spent.
    pub async fn authed(&self, user: &str) -> utvag_core::auth::Authed {
        loop {
            match demo::sign_in(&self.state, user).await {
                Ok(token) => {
                    return utvag_core::auth::authenticate(&self.state, Some(&token))
                        .await
                        .unwrap()
                }
                Err(domain::AppError::TooManyRequests) => {
                    self.state.clock().advance(chrono::Duration::seconds(30));
                }
                Err(e) => panic!("{user} could not sign in: {e:?}"),
            }
        }
    }

    /// The password step alone (`POST /api/login`).
    pub async fn password_step(
        &self,
        c: &reqwest::Client,
        user: &str,
        password: &str,
    ) -> reqwest::Response {
        c.post(self.url("/api/login"))
            .form(&[("username", user), ("password", password)])
            .send()
            .await
            .unwrap()
    }

    /// A code the demo user's authenticator shows that has not been used yet: a code is
    /// accepted once, so after two sign-ins of one user within one 30-second step the test
    /// clock moves on to the next step.
    pub async fn demo_code(&self, user: &str) -> String {
        loop {
            if let Some(code) = totp::next_demo_code(&self.state, user).await.unwrap() {
                return code;
            }
            self.state.clock().advance(chrono::Duration::seconds(30));
        }
    }

    /// Calls a server function with form-encoded arguments.
    pub async fn call(
        &self,
        c: &reqwest::Client,
        endpoint: &str,
        args: &[(&str, &str)],
    ) -> reqwest::Response {
        c.post(self.url(&format!("/api/{endpoint}")))
            .form(args)
            .send()
            .await
            .unwrap()
    }
}

/// A client signed in as the demo user (password and code), or the test fails.
pub async fn signed_in(app: &TestApp, username: &str) -> reqwest::Client {
    let c = client();
    let resp = app.login(&c, username, PASSWORD).await;
    assert!(
        session_cookie(&resp).is_some(),
        "{username} could not sign in"
    );
    c
}

/// A page as a browser without JavaScript asks for it.
pub async fn page(app: &TestApp, c: &reqwest::Client, path: &str) -> reqwest::Response {
    c.get(app.url(path))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
}

pub fn session_cookie(resp: &reqwest::Response) -> Option<String> {
    resp.headers().get_all("set-cookie").iter().find_map(|v| {
        let s = v.to_str().ok()?;
        let pair = s.split(';').next()?;
        let (k, val) = pair.split_once('=')?;
        (k == "utvag_session" && !val.is_empty()).then(|| val.to_string())
    })
}

pub fn location(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A directory of its own under the system's temporary directory, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let d = std::env::temp_dir().join(format!(
            "utvag-{name}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the `utvag` binary in `dir` as an operator would: demo mode, the embedded store and the
/// key file under `data/`, a checkpoint at every entry, and `env` on top.
pub fn utvag(dir: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_utvag"))
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("UTVAG_DEMO", "true")
        .env("UTVAG_DB", "surrealkv://data/store.db")
        .env("UTVAG_KEY_FILE", "data/utvag.key")
        .env("UTVAG_CHECKPOINT_EVERY", "1")
        // Loading the demo holds long queries; a busy test machine must not turn them into refusals.
        .env("UTVAG_DB_TIMEOUT", "120")
        .env("UTVAG_LOG", "error")
        .envs(env.iter().copied())
        .args(args)
        .output()
        .expect("runs utvag")
}

/// What the command printed, standard output then standard error.
pub fn said(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Whether this run is the pass over a SurrealDB server (`UTVAG_TEST_DB`). Tests that start
/// their own processes and stores (not the shared test database) run in the embedded pass only.
pub fn second_pass_over_ws() -> bool {
    std::env::var("UTVAG_TEST_DB").is_ok_and(|v| !v.is_empty())
}

pub use crate::driver::Running;

/// Signs the demo user in on a running `utvag serve` at `base` through the form posts (password,
/// then the code `utvag demo-code` prints), leaving the session in the client's cookie store.
pub async fn sign_in_over_http(c: &reqwest::Client, base: &str, user: &str) {
    let first = c
        .post(format!("{base}/api/login"))
        .form(&[("username", user), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), reqwest::StatusCode::SEE_OTHER);
    let code = utvag(&std::env::temp_dir(), &[], &["demo-code", user]);
    let code = String::from_utf8_lossy(&code.stdout).trim().to_string();
    let done = c
        .post(format!("{base}/api/login/kod"))
        .form(&[("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert!(
        session_cookie(&done).is_some(),
        "{user} could not sign in on {base}"
    );
}

/// The case id of the person with personnummer `pnr`, found by `c`'s exact search on the server
/// at `base`.
pub async fn case_of(c: &reqwest::Client, base: &str, pnr: &str) -> String {
    let rows: serde_json::Value = c
        .post(format!("{base}/api/cases/search"))
        .form(&[("q", pnr)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    rows[0]["case_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no case found: {rows}"))
        .to_string()
}

/// Registration/edit form fields as the browser posts them (`form[...]`). Without a
/// personnummer the birth year must be given.
pub fn participant_form(
    first: &str,
    last: &str,
    pnr: &str,
    address: &str,
    background: &str,
) -> Vec<(String, String)> {
    let birth_year = if pnr.is_empty() { "2004" } else { "" };
    [
        ("first_name", first),
        ("last_name", last),
        ("personnummer", pnr),
        ("phone", ""),
        ("email", ""),
        ("address", address),
        ("background", background),
        ("birth_year", birth_year),
        ("gender", "female"),
        ("municipality", "Göteborg"),
        ("protection", "none"),
    ]
    .into_iter()
    .map(|(k, v)| (format!("form[{k}]"), v.to_string()))
    .collect()
}
