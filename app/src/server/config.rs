//! Settings the core needs, already validated by the binary's configuration layer.

use std::path::PathBuf;

/// How to reach the database.
#[derive(Clone, Debug)]
pub struct DbSettings {
    /// `surrealkv://path`, `mem://` or `ws://host:port`.
    pub url: String,
    pub namespace: String,
    pub database: String,
    /// Root credentials for a SurrealDB server (`ws://`); unused for embedded stores.
    pub username: Option<String>,
    pub password: Option<String>,
}

/// Where the master key-encryption keys come from. Never the database.
#[derive(Clone, Debug)]
pub enum KeySource {
    File {
        path: PathBuf,
        create_if_missing: bool,
    },
    Env(String),
    /// A fresh random key held only in memory (tests).
    Ephemeral,
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
    pub retention: super::retention::Periods,
}

impl CoreSettings {
    pub fn for_tests() -> CoreSettings {
        CoreSettings {
            db: DbSettings {
                url: "mem://".into(),
                namespace: "utvag".into(),
                database: "test".into(),
                username: None,
                password: None,
            },
            keys: KeySource::Ephemeral,
            demo: true,
            secure_cookies: false,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            retention: super::retention::Periods::default(),
        }
    }
}
