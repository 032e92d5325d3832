//! Command line and environment configuration (clap). Every flag has an environment fallback,
//! and every bad value stops start-up with a message that names the setting.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use utvag_core::config::{AuditKeySeed, AuditSettings, CoreSettings, DbSettings, KeySource};

#[derive(Parser, Debug)]
#[command(
    name = "utvag",
    version,
    about = "Utväg — case tracking for municipal defector-support programs"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Debug, Clone)]
pub struct GlobalOpts {
    /// Address to listen on.
    #[arg(
        long,
        env = "UTVAG_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub addr: String,
    /// Separate address for the Prometheus metrics (`/metrics`), e.g. 127.0.0.1:9100; unset
    /// serves no metrics. They are never on the public listener.
    #[arg(long = "metrics-addr", env = "UTVAG_METRICS_ADDR", global = true)]
    pub metrics_addr: Option<String>,
    /// Requests handled at once by this instance; more get 503 with `Retry-After` at once
    /// instead of queueing (health checks are not counted).
    #[arg(
        long = "max-in-flight",
        env = "UTVAG_MAX_IN_FLIGHT",
        default_value_t = crate::DEFAULT_MAX_IN_FLIGHT,
        global = true
    )]
    pub max_in_flight: usize,
    /// Database: surrealkv://<path> (embedded, default), mem:// (in memory), ws://host:port or wss://… (SurrealDB server).
    #[arg(
        long,
        env = "UTVAG_DB",
        default_value = "surrealkv://data/utvag.db",
        global = true
    )]
    pub db: String,
    /// Database namespace.
    #[arg(
        long = "db-ns",
        env = "UTVAG_DB_NS",
        default_value = "utvag",
        global = true
    )]
    pub db_ns: String,
    /// Database name within the namespace.
    #[arg(
        long = "db-name",
        env = "UTVAG_DB_NAME",
        default_value = "utvag",
        global = true
    )]
    pub db_name: String,
    /// User for a SurrealDB server (ws://, wss://).
    #[arg(long = "db-user", env = "UTVAG_DB_USER", global = true)]
    pub db_user: Option<String>,
    /// Password for a SurrealDB server; prefer the environment variable over the flag.
    #[arg(
        long = "db-pass",
        env = "UTVAG_DB_PASS",
        hide_env_values = true,
        global = true
    )]
    pub db_pass: Option<String>,
    /// Seconds one database query may take before it is cancelled (its transaction rolled
    /// back) and the request answered 503.
    #[arg(
        long = "db-timeout",
        env = "UTVAG_DB_TIMEOUT",
        default_value_t = 15,
        value_parser = clap::value_parser!(u64).range(1..=600),
        global = true
    )]
    pub db_timeout: u64,
    /// For wss://: a PEM file of the certificate authorities to trust (a private CA) instead of
    /// the public ones.
    #[arg(long = "db-ca-file", env = "UTVAG_DB_CA_FILE", global = true)]
    pub db_ca_file: Option<PathBuf>,
    /// Master key file (created with mode 0600 on first start in demo mode). Ignored when UTVAG_KEK is set.
    #[arg(
        long = "key-file",
        env = "UTVAG_KEY_FILE",
        default_value = "data/utvag.key",
        global = true
    )]
    pub key_file: PathBuf,
    /// Master keys given directly, as `<base64>` or `1:<base64>,2:<base64>` (highest is current).
    #[arg(long = "kek", env = "UTVAG_KEK", hide_env_values = true, global = true)]
    pub kek: Option<String>,
    /// Demo mode: loads demo data into an empty database, accepts the demo password, allows plain http.
    #[arg(long, env = "UTVAG_DEMO", default_value = "false", num_args = 0..=1, default_missing_value = "true", action = clap::ArgAction::Set, global = true, value_parser = parse_bool)]
    pub demo: bool,
    /// Log level and format: `<level>[,text|json]`, e.g. `info`, `debug,json`, `utvag=debug,warn`.
    #[arg(long, env = "UTVAG_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Directory holding the built site (pkg/ with the wasm, js and css).
    #[arg(
        long = "site-root",
        env = "UTVAG_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: PathBuf,
    /// Session idle timeout in minutes.
    #[arg(
        long = "session-idle-minutes",
        env = "UTVAG_SESSION_IDLE_MINUTES",
        default_value_t = 30,
        global = true
    )]
    pub session_idle_minutes: i64,
    /// Session absolute lifetime in hours.
    #[arg(
        long = "session-hours",
        env = "UTVAG_SESSION_HOURS",
        default_value_t = 12,
        global = true
    )]
    pub session_hours: i64,
    /// Years a closed case is kept after its last entry before retention removes it.
    #[arg(
        long = "retention-years",
        env = "UTVAG_RETENTION_YEARS",
        default_value_t = 5,
        global = true
    )]
    pub retention_years: u32,
    /// Years an audit entry is kept.
    #[arg(
        long = "audit-retention-years",
        env = "UTVAG_AUDIT_RETENTION_YEARS",
        default_value_t = 10,
        global = true
    )]
    pub audit_retention_years: u32,
    /// The audit chain's own key when the master keys come from UTVAG_KEK: base64 of 32 random
    /// bytes, kept apart from the KEK (required outside demo mode; a key file holds its own).
    #[arg(
        long = "audit-key",
        env = "UTVAG_AUDIT_KEY",
        hide_env_values = true,
        global = true
    )]
    pub audit_key: Option<String>,
    /// Append-only file of signed audit checkpoints, outside the database; `none` writes none.
    /// Default: audit-checkpoints.jsonl next to an embedded store, data/audit-checkpoints.jsonl
    /// for a SurrealDB server, none for mem://.
    #[arg(long = "checkpoint-file", env = "UTVAG_CHECKPOINT_FILE", global = true)]
    pub checkpoint_file: Option<String>,
    /// A signed audit checkpoint after every this many entries.
    #[arg(
        long = "checkpoint-every",
        env = "UTVAG_CHECKPOINT_EVERY",
        default_value_t = utvag_core::config::DEFAULT_CHECKPOINT_EVERY,
        global = true
    )]
    pub checkpoint_every: i64,
    /// ... and at least this often (minutes) while entries are being written.
    #[arg(
        long = "checkpoint-minutes",
        env = "UTVAG_CHECKPOINT_MINUTES",
        default_value_t = utvag_core::config::DEFAULT_CHECKPOINT_MINUTES,
        global = true
    )]
    pub checkpoint_minutes: i64,
    /// Roles that must pass a second factor (TOTP) at sign-in, comma-separated; `none` for none.
    #[arg(
        long = "mfa-roles",
        env = "UTVAG_MFA_ROLES",
        default_value = "case_worker,program_lead,partner,police,auditor,admin",
        global = true
    )]
    pub mfa_roles: String,
    /// Sign-in attempts one client address may make per minute (successful ones do not count).
    #[arg(
        long = "signin-per-minute",
        env = "UTVAG_SIGNIN_PER_MINUTE",
        default_value_t = 20,
        global = true
    )]
    pub signin_per_minute: u32,
    /// Reverse proxies (IP addresses, comma-separated) whose X-Forwarded-For is trusted; default none.
    #[arg(
        long = "trusted-proxies",
        env = "UTVAG_TRUSTED_PROXIES",
        default_value = "",
        global = true
    )]
    pub trusted_proxies: String,
}

fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err(format!("expected true or false, got {s:?}")),
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Load the demo data into an empty database and print the demo sign-ins.
    Demo,
    /// Print a demo user's current sign-in code (the demo users' second-factor secrets are
    /// public; this is for trying the demo without an authenticator app).
    DemoCode {
        /// A demo user name, e.g. `handlaggare`.
        username: String,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Master keys: rotate the KEK (rewrapping every data key while the app serves) or show status.
    Keys {
        #[command(subcommand)]
        cmd: KeysCmd,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// Write a backup of the database while the app serves: one consistent snapshot, sealed
    /// fields sealed, no key material; a manifest with counts and a checksum, signed with the
    /// audit chain's checkpoint key. The data keys are backed up apart (`keys backup`).
    Backup {
        /// The file to write (replaced whole, never left half-written).
        file: PathBuf,
    },
    /// Restore a database backup (and a key backup) into a new, empty database. Both files are
    /// checked in full first: a file that is not a backup of this installation, of a newer
    /// format, truncated or damaged is refused and nothing is written. Then the audit chain is
    /// verified and the entries lost since the backup reported from the checkpoint file.
    Restore {
        /// The database backup.
        file: PathBuf,
        /// The key backup to restore with it. Without one, no participant's data can be read.
        #[arg(long)]
        keys: Option<PathBuf>,
    },
    /// The sealed values in the store.
    Integrity {
        #[command(subcommand)]
        cmd: IntegrityCmd,
    },
    /// Retention (gallring): list what is due (--dry-run) or remove it (--apply).
    Gallring {
        /// Report what is due without changing anything.
        #[arg(long, conflicts_with = "apply", required_unless_present = "apply")]
        dry_run: bool,
        /// Crypto-shred the due participants and cut old audit entries.
        #[arg(long)]
        apply: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeysCmd {
    /// Add a new KEK version to the key file and rewrap every participant's data key with it.
    Rotate,
    /// Show the KEK versions in the key file and how many data keys each wraps.
    Status,
    /// Take the KEK versions older than the current one out of the key file, after rewrapping
    /// whatever they still wrap (allowed from ten minutes after the last rotation). A database
    /// or key backup made before the rotation can then not be opened with the key file.
    Retire,
    /// Write a backup of the participants' wrapped data keys (kept for a shorter time than
    /// database backups: once the key backups made before a shred have expired, the shredded
    /// participant cannot be read from any database backup).
    Backup {
        /// The file to write.
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Walk the hash chain, hold it to the signed checkpoints outside the database
    /// (UTVAG_CHECKPOINT_FILE), and report the first broken position — an edited entry, removed
    /// newest entries, a deleted log or a restored older copy, a forged checkpoint (exit code 1).
    Verify,
}

#[derive(Subcommand, Debug)]
pub enum IntegrityCmd {
    /// Open every sealed value with its key and name those that fail (edited or moved in the
    /// store, or under a damaged data key) by table, record and field — never a value
    /// (exit code 1 when any is damaged).
    Check,
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Create an account, e.g. the first administrator of a new install.
    Add {
        /// Organisation id or exact name. Created if --create-org is given and it does not exist.
        #[arg(long)]
        org: String,
        /// One of case_worker, program_lead, partner, police, auditor, admin.
        #[arg(long)]
        role: String,
        #[arg(long)]
        username: String,
        /// Display name; defaults to the user name.
        #[arg(long)]
        name: Option<String>,
        /// Create the organisation with this kind (social_services, police, ngo, other) if missing.
        #[arg(long = "create-org")]
        create_org: Option<String>,
        /// Municipalities for a created organisation, comma separated.
        #[arg(long, default_value = "")]
        municipalities: String,
        /// The password is read from this environment variable (never from a flag, which would
        /// end up in the shell history).
        #[arg(long = "password-env", default_value = "UTVAG_NEW_PASSWORD")]
        password_env: String,
    },
}

/// How the binary logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSettings {
    pub filter: String,
    pub json: bool,
}

/// Everything `serve` needs, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    /// Requests handled at once (`UTVAG_MAX_IN_FLIGHT`).
    pub max_in_flight: usize,
    /// Where `/metrics` is served, if anywhere.
    pub metrics_addr: Option<SocketAddr>,
    pub core: CoreSettings,
    pub log: LogSettings,
    pub site_root: PathBuf,
}

/// A configuration error that names the setting at fault.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {message}")]
pub struct ConfigError {
    pub setting: &'static str,
    pub message: String,
}

fn err(setting: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        message: message.into(),
    }
}

pub fn parse_log(s: &str) -> Result<LogSettings, ConfigError> {
    let mut json = false;
    let mut parts = Vec::new();
    for p in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match p {
            "json" => json = true,
            "text" => json = false,
            other => parts.push(other.to_string()),
        }
    }
    let filter = if parts.is_empty() {
        "info".to_string()
    } else {
        parts.join(",")
    };
    tracing_subscriber::EnvFilter::try_new(&filter).map_err(|e| {
        err(
            "UTVAG_LOG",
            format!("{e} (expected e.g. `info`, `debug,json`)"),
        )
    })?;
    Ok(LogSettings { filter, json })
}

impl GlobalOpts {
    /// The audit chain's key (with UTVAG_KEK) and checkpoint file.
    fn audit_settings(
        &self,
        db: &str,
        scheme: &str,
        keys: &KeySource,
    ) -> Result<AuditSettings, ConfigError> {
        let key = self
            .audit_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| AuditKeySeed(k.to_string()));
        if matches!(keys, KeySource::Env(_)) && key.is_none() && !self.demo {
            return Err(err(
                "UTVAG_AUDIT_KEY",
                "required with UTVAG_KEK outside demo mode: the audit chain needs a key of its own (base64 of 32 random bytes), so that the KEK alone cannot rewrite the log",
            ));
        }
        let checkpoint_file = match self.checkpoint_file.as_deref().map(str::trim) {
            Some("none" | "off") => None,
            Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
            _ => match scheme {
                "surrealkv" => {
                    let store = std::path::Path::new(&db["surrealkv://".len()..]);
                    let dir = store
                        .parent()
                        .filter(|d| !d.as_os_str().is_empty())
                        .unwrap_or(std::path::Path::new("."));
                    Some(dir.join("audit-checkpoints.jsonl"))
                }
                "ws" | "wss" => Some(PathBuf::from("data/audit-checkpoints.jsonl")),
                // An in-memory store is gone when the process ends; checkpoints of it would only
                // make the next one look truncated.
                _ => None,
            },
        };
        if !(1..=1_000_000).contains(&self.checkpoint_every) {
            return Err(err(
                "UTVAG_CHECKPOINT_EVERY",
                "must be between 1 and 1000000",
            ));
        }
        if !(1..=24 * 60).contains(&self.checkpoint_minutes) {
            return Err(err(
                "UTVAG_CHECKPOINT_MINUTES",
                "must be between 1 and 1440",
            ));
        }
        Ok(AuditSettings {
            key,
            checkpoint_file,
            checkpoint_every: self.checkpoint_every,
            checkpoint_minutes: self.checkpoint_minutes,
        })
    }

    /// Validates every setting; the first bad one is reported by name.
    pub fn validate(&self) -> Result<Config, ConfigError> {
        let addr: SocketAddr = self.addr.parse().map_err(|_| {
            err(
                "UTVAG_ADDR",
                format!("{:?} is not an address like 127.0.0.1:3000", self.addr),
            )
        })?;
        let metrics_addr = match self.metrics_addr.as_deref().map(str::trim) {
            None | Some("") | Some("off") | Some("none") => None,
            Some(m) => {
                let m: SocketAddr = m.parse().map_err(|_| {
                    err(
                        "UTVAG_METRICS_ADDR",
                        format!("{m:?} is not an address like 127.0.0.1:9100"),
                    )
                })?;
                if m == addr {
                    return Err(err(
                        "UTVAG_METRICS_ADDR",
                        "must differ from UTVAG_ADDR: metrics are never on the public listener",
                    ));
                }
                Some(m)
            }
        };
        let db = self.db.trim();
        let scheme = db.split_once("://").map(|(s, _)| s).unwrap_or("");
        match scheme {
            "surrealkv" | "mem" | "memory" | "ws" | "wss" => {}
            _ => {
                return Err(err(
                    "UTVAG_DB",
                    format!(
                        "{:?} must start with surrealkv://, mem://, ws:// or wss://",
                        utvag_core::config::redact_url(db)
                    ),
                ))
            }
        }
        if scheme == "surrealkv" && db.len() <= "surrealkv://".len() {
            return Err(err(
                "UTVAG_DB",
                "surrealkv:// needs a path, e.g. surrealkv://data/utvag.db",
            ));
        }
        let remote = matches!(scheme, "ws" | "wss");
        if remote && (self.db_user.is_none() != self.db_pass.is_none()) {
            return Err(err(
                "UTVAG_DB_USER",
                "UTVAG_DB_USER and UTVAG_DB_PASS must be given together",
            ));
        }
        for (setting, v) in [
            ("UTVAG_DB_NS", &self.db_ns),
            ("UTVAG_DB_NAME", &self.db_name),
        ] {
            if v.is_empty()
                || v.len() > 64
                || !v
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(err(
                    setting,
                    format!("{v:?} must be 1–64 letters, digits, _ or -"),
                ));
            }
        }
        let keys = match &self.kek {
            Some(v) if !v.trim().is_empty() => KeySource::Env(v.trim().to_string()),
            _ => {
                if !self.demo && !self.key_file.exists() {
                    return Err(err(
                        "UTVAG_KEY_FILE",
                        format!(
                            "{} does not exist; create the key file (it is made automatically only in demo mode) or set UTVAG_KEK",
                            self.key_file.display()
                        ),
                    ));
                }
                KeySource::File {
                    path: self.key_file.clone(),
                    create_if_missing: self.demo,
                }
            }
        };
        if !(1..=24 * 60).contains(&self.session_idle_minutes) {
            return Err(err(
                "UTVAG_SESSION_IDLE_MINUTES",
                "must be between 1 and 1440",
            ));
        }
        if !(1..=72).contains(&self.session_hours) {
            return Err(err("UTVAG_SESSION_HOURS", "must be between 1 and 72"));
        }
        if !(1..=100).contains(&self.retention_years) {
            return Err(err("UTVAG_RETENTION_YEARS", "must be between 1 and 100"));
        }
        if !(1..=100).contains(&self.audit_retention_years) {
            return Err(err(
                "UTVAG_AUDIT_RETENTION_YEARS",
                "must be between 1 and 100",
            ));
        }
        let log = parse_log(&self.log)?;
        let audit = self.audit_settings(db, scheme, &keys)?;
        let mut mfa_roles = Vec::new();
        for r in self.mfa_roles.split(',').map(str::trim) {
            if r.is_empty() || r == "none" {
                continue;
            }
            mfa_roles.push(domain::Role::parse(r).map_err(|_| {
                err(
                    "UTVAG_MFA_ROLES",
                    "unknown role (case_worker, program_lead, partner, police, auditor, admin or none)",
                )
            })?);
        }
        if !(1..=10_000).contains(&self.signin_per_minute) {
            return Err(err(
                "UTVAG_SIGNIN_PER_MINUTE",
                "must be between 1 and 10000",
            ));
        }
        let mut trusted_proxies = Vec::new();
        for p in self.trusted_proxies.split(',').map(str::trim) {
            if p.is_empty() {
                continue;
            }
            trusted_proxies.push(p.parse::<std::net::IpAddr>().map_err(|_| {
                err(
                    "UTVAG_TRUSTED_PROXIES",
                    "must be IP addresses separated by commas",
                )
            })?);
        }
        if self.max_in_flight == 0 {
            return Err(err("UTVAG_MAX_IN_FLIGHT", "must be at least 1".to_string()));
        }
        Ok(Config {
            addr,
            max_in_flight: self.max_in_flight,
            metrics_addr,
            core: CoreSettings {
                db: DbSettings {
                    url: db.to_string(),
                    namespace: self.db_ns.clone(),
                    database: self.db_name.clone(),
                    username: if remote { self.db_user.clone() } else { None },
                    password: if remote { self.db_pass.clone() } else { None },
                    timeout: std::time::Duration::from_secs(self.db_timeout),
                    ca_file: self.db_ca_file.clone(),
                },
                keys,
                demo: self.demo,
                secure_cookies: !self.demo,
                audit,
                session_idle_minutes: self.session_idle_minutes,
                session_absolute_hours: self.session_hours,
                retention: utvag_core::retention::Periods {
                    case_years: self.retention_years,
                    audit_years: self.audit_retention_years,
                },
                sign_in: utvag_core::config::SignInSettings {
                    mfa_roles,
                    attempts_per_minute: self.signin_per_minute,
                    trusted_proxies,
                },
            },
            log,
            site_root: self.site_root.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(args: &[&str]) -> GlobalOpts {
        let mut argv = vec!["utvag"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).expect("parses").global
    }

    #[test]
    fn config_errors_name_the_bad_setting() {
        let cases: &[(&[&str], &str)] = &[
            (&["--addr", "nowhere", "--demo", "true"], "UTVAG_ADDR"),
            (
                &["--metrics-addr", "nowhere", "--demo", "true"],
                "UTVAG_METRICS_ADDR",
            ),
            (
                &["--metrics-addr", "127.0.0.1:3000", "--demo", "true"],
                "UTVAG_METRICS_ADDR",
            ),
            (&["--db", "postgres://x", "--demo", "true"], "UTVAG_DB"),
            (&["--db", "surrealkv://", "--demo", "true"], "UTVAG_DB"),
            (&["--db-ns", "a b", "--demo", "true"], "UTVAG_DB_NS"),
            (&["--log", "info,[[", "--demo", "true"], "UTVAG_LOG"),
            (&["--key-file", "/nonexistent/utvag.key"], "UTVAG_KEY_FILE"),
            (
                &["--session-idle-minutes", "0", "--demo", "true"],
                "UTVAG_SESSION_IDLE_MINUTES",
            ),
            (
                &[
                    "--db",
                    "ws://db:8000",
                    "--db-user",
                    "root",
                    "--demo",
                    "true",
                ],
                "UTVAG_DB_USER",
            ),
        ];
        for (args, setting) in cases {
            let e = opts(args)
                .validate()
                .expect_err(&format!("{args:?} should fail"));
            assert_eq!(e.setting, *setting, "{args:?}");
            assert!(e.to_string().starts_with(setting));
        }
    }

    #[test]
    fn defaults_are_valid_in_demo_mode() {
        let c = opts(&["--demo", "true"]).validate().unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.metrics_addr, None, "metrics are off unless asked for");
        assert_eq!(c.core.db.url, "surrealkv://data/utvag.db");
        assert!(!c.core.secure_cookies);
        assert_eq!(
            c.log,
            LogSettings {
                filter: "info".into(),
                json: false
            }
        );
    }

    #[test]
    fn checkpoints_go_next_to_the_store_and_a_kek_needs_an_audit_key_of_its_own() {
        let c = opts(&["--demo", "true", "--db", "surrealkv:///srv/utvag/store.db"])
            .validate()
            .unwrap();
        assert_eq!(
            c.core.audit.checkpoint_file,
            Some(PathBuf::from("/srv/utvag/audit-checkpoints.jsonl"))
        );
        assert_eq!(
            (
                c.core.audit.checkpoint_every,
                c.core.audit.checkpoint_minutes
            ),
            (100, 5)
        );
        let c = opts(&["--demo", "true", "--db", "mem://"])
            .validate()
            .unwrap();
        assert_eq!(c.core.audit.checkpoint_file, None);
        let c = opts(&["--demo", "true", "--checkpoint-file", "none"])
            .validate()
            .unwrap();
        assert_eq!(c.core.audit.checkpoint_file, None);
        let c = opts(&[
            "--demo",
            "true",
            "--checkpoint-file",
            "/var/log/utvag/cp.jsonl",
        ])
        .validate()
        .unwrap();
        assert_eq!(
            c.core.audit.checkpoint_file,
            Some(PathBuf::from("/var/log/utvag/cp.jsonl"))
        );
        let kek = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
        let e = opts(&["--kek", kek]).validate().unwrap_err();
        assert_eq!(e.setting, "UTVAG_AUDIT_KEY");
        let c = opts(&["--kek", kek, "--audit-key", kek])
            .validate()
            .unwrap();
        assert!(c.core.audit.key.is_some());
        assert!(!format!("{c:?}").contains(kek), "keys print redacted");
        for (flag, v, setting) in [
            ("--checkpoint-every", "0", "UTVAG_CHECKPOINT_EVERY"),
            ("--checkpoint-minutes", "0", "UTVAG_CHECKPOINT_MINUTES"),
        ] {
            let e = opts(&["--demo", "true", flag, v]).validate().unwrap_err();
            assert_eq!(e.setting, setting);
        }
    }

    #[test]
    fn log_setting_takes_level_and_format() {
        assert_eq!(
            parse_log("debug,json").unwrap(),
            LogSettings {
                filter: "debug".into(),
                json: true
            }
        );
        assert_eq!(
            parse_log("utvag=debug,warn,text").unwrap(),
            LogSettings {
                filter: "utvag=debug,warn".into(),
                json: false
            }
        );
    }

    #[test]
    fn help_documents_every_command() {
        use clap::CommandFactory;
        let help = Cli::command().render_long_help().to_string();
        for word in [
            "serve",
            "demo",
            "user",
            "--db",
            "--key-file",
            "--demo",
            "--log",
            "--addr",
        ] {
            assert!(help.contains(word), "help lacks {word}");
        }
    }
}
