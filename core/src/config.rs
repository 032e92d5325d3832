//! Settings the core needs, already validated by the binary's configuration layer.

use std::path::PathBuf;

/// How to reach the database. `Debug` leaves out the password and any credentials in the URL.
#[derive(Clone)]
pub struct DbSettings {
    /// `surrealkv://path`, `mem://` or `ws://host:port`.
    pub url: String,
    pub namespace: String,
    pub database: String,
    /// Root credentials for a SurrealDB server (`ws://`); unused for embedded stores.
    pub username: Option<String>,
    pub password: Option<String>,
    /// How long one query (one round trip, its transaction included) may take before it is
    /// cancelled and the request answered 503.
    pub timeout: std::time::Duration,
    /// For `wss://`: the certificate authorities (PEM) to trust instead of the public ones, for
    /// a server with a certificate from a private CA.
    pub ca_file: Option<PathBuf>,
}

/// [`DbSettings::timeout`] unless configured (`UTVAG_DB_TIMEOUT`).
pub const DEFAULT_DB_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

impl std::fmt::Debug for DbSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbSettings")
            .field("url", &redact_url(&self.url))
            .field("namespace", &self.namespace)
            .field("database", &self.database)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "••••"))
            .field("timeout", &self.timeout)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

/// Where the master key-encryption keys come from. Never the database. `Debug` never prints
/// the keys given in `UTVAG_KEK`.
#[derive(Clone)]
pub enum KeySource {
    File {
        path: PathBuf,
        create_if_missing: bool,
    },
    Env(String),
    /// A fresh random key held only in memory (tests).
    Ephemeral,
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::File {
                path,
                create_if_missing,
            } => f
                .debug_struct("File")
                .field("path", path)
                .field("create_if_missing", create_if_missing)
                .finish(),
            KeySource::Env(_) => f.write_str("Env(••••)"),
            KeySource::Ephemeral => f.write_str("Ephemeral"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct CoreSettings {
    pub db: DbSettings,
    pub keys: KeySource,
    /// Demo mode: demo password accepted, cookies without `Secure` on plain http.
    pub demo: bool,
    /// Whether the site is served over https (cookies get `Secure`).
    pub secure_cookies: bool,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    /// Retention periods for the daily run and `utvag gallring`.
    pub retention: Periods,
    /// Second factor, rate limit and trusted proxies for sign-in.
    pub sign_in: SignInSettings,
    /// The audit chain's own key (with `UTVAG_KEK`) and its checkpoints outside the store.
    pub audit: AuditSettings,
}

impl DbSettings {
    /// A database of its own for one test: a new in-memory store, or — when `UTVAG_TEST_DB`
    /// names a SurrealDB server (`ws://…`, `wss://…`) — a new database on that server (as root,
    /// or `UTVAG_TEST_DB_USER` / `UTVAG_TEST_DB_PASS`), so the same tests run over the wire.
    pub fn for_tests() -> DbSettings {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        match env("UTVAG_TEST_DB") {
            Some(url) => DbSettings {
                url,
                namespace: "tests".into(),
                database: format!("t{}", uuid::Uuid::now_v7().simple()),
                username: Some(env("UTVAG_TEST_DB_USER").unwrap_or_else(|| "root".into())),
                password: Some(env("UTVAG_TEST_DB_PASS").unwrap_or_else(|| "root".into())),
                timeout: DEFAULT_DB_TIMEOUT,
                ca_file: env("UTVAG_TEST_DB_CA_FILE").map(PathBuf::from),
            },
            None => DbSettings {
                url: "mem://".into(),
                namespace: "utvag".into(),
                database: "test".into(),
                username: None,
                password: None,
                timeout: DEFAULT_DB_TIMEOUT,
                ca_file: None,
            },
        }
    }
}

impl CoreSettings {
    pub fn for_tests() -> CoreSettings {
        CoreSettings {
            db: DbSettings::for_tests(),
            keys: KeySource::Ephemeral,
            demo: true,
            secure_cookies: false,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            retention: Periods::default(),
            sign_in: SignInSettings::default(),
            audit: AuditSettings::default(),
        }
    }
}

/// The audit chain's anchor outside the database (`crate::audit::checkpoint`) and, when the KEKs come
/// from `UTVAG_KEK`, its own key.
#[derive(Clone, Debug)]
pub struct AuditSettings {
    /// `UTVAG_AUDIT_KEY`: base64 of a 32-byte seed for the audit chain's MAC key and checkpoint
    /// signing key. Needed with `UTVAG_KEK` outside demo mode; a key file holds its own.
    pub key: Option<AuditKeySeed>,
    /// Append-only JSON-lines file of signed checkpoints; `None` writes none.
    pub checkpoint_file: Option<PathBuf>,
    /// A checkpoint after every this many entries ...
    pub checkpoint_every: i64,
    /// ... and at least this often while entries are being written.
    pub checkpoint_minutes: i64,
}

pub const DEFAULT_CHECKPOINT_EVERY: i64 = 100;
pub const DEFAULT_CHECKPOINT_MINUTES: i64 = 5;

impl Default for AuditSettings {
    fn default() -> AuditSettings {
        AuditSettings {
            key: None,
            checkpoint_file: None,
            checkpoint_every: DEFAULT_CHECKPOINT_EVERY,
            checkpoint_minutes: DEFAULT_CHECKPOINT_MINUTES,
        }
    }
}

/// Key material that prints as `••••` in `Debug`.
#[derive(Clone)]
pub struct AuditKeySeed(pub String);

impl std::fmt::Debug for AuditKeySeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKeySeed(••••)")
    }
}

/// How sign-in is guarded (`auth`, `totp`).
#[derive(Clone, Debug)]
pub struct SignInSettings {
    /// Roles that must pass a second factor (TOTP) after the password.
    pub mfa_roles: Vec<domain::Role>,
    /// Sign-in and re-authentication attempts one client address may make per minute, across
    /// every instance; successful ones are given back.
    pub attempts_per_minute: u32,
    /// Peers whose `X-Forwarded-For` names the client; every other peer is the client itself.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for SignInSettings {
    fn default() -> SignInSettings {
        SignInSettings {
            // Every role reads case content or can change who does, so all need the second factor.
            mfa_roles: domain::Role::ALL.to_vec(),
            attempts_per_minute: 20,
            trusted_proxies: Vec::new(),
        }
    }
}

/// How long a closed case is kept after its last entry.
pub const DEFAULT_CASE_YEARS: u32 = 5;
/// How long an audit entry is kept.
pub const DEFAULT_AUDIT_YEARS: u32 = 10;

/// The retention periods in force (`crate::retention`).
#[derive(Debug, Clone, Copy)]
pub struct Periods {
    pub case_years: u32,
    pub audit_years: u32,
}

impl Default for Periods {
    fn default() -> Periods {
        Periods {
            case_years: DEFAULT_CASE_YEARS,
            audit_years: DEFAULT_AUDIT_YEARS,
        }
    }
}

/// The demo users' password (accepted only in demo mode; refused everywhere else).
pub const DEFAULT_DEMO_PASSWORD: &str = "utvag-demo-2026";

pub fn demo_password() -> String {
    std::env::var("UTVAG_DEMO_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| DEFAULT_DEMO_PASSWORD.to_string())
}

/// A database URL without any credentials, for messages.
pub fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((_, host)) => format!("{scheme}://***@{host}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod redaction_tests {
    use super::*;

    #[test]
    fn keys_and_database_passwords_print_redacted() {
        let mut s = CoreSettings::for_tests();
        s.keys = KeySource::Env("1:c2VjcmV0LWtlay1tYXRlcmlhbA".into());
        s.db.url = "ws://root:dbsecret@db:8000".into();
        s.db.username = Some("root".into());
        s.db.password = Some("hunter2-db".into());
        let debug = format!("{s:?} {:#?}", s.keys);
        for secret in ["c2VjcmV0LWtlay1tYXRlcmlhbA", "dbsecret", "hunter2-db"] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
        assert!(debug.contains("Env(••••)") && debug.contains("password: Some(\"••••\")"));
    }
}
