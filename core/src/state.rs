//! The application state: database, settings and clock. Opaque outside `crate`.

use domain::Problem;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use super::clock::Clock;
use super::config::{redact_url, CoreSettings, KeySource};
use super::crypto::{CryptoError, DekCache, Keyring};
use super::db::{self, Db};
use domain::AppError;

/// How long an unwrapped DEK stays in memory.
const DEK_TTL: std::time::Duration = std::time::Duration::from_secs(300);
const DEK_CACHE_MAX: usize = 20_000;

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    settings: CoreSettings,
    clock: Clock,
    keys: Arc<RwLock<Keyring>>,
    key_file: Option<PathBuf>,
    deks: DekCache,
    names: crate::names::cache::NameCache,
    org_directory: crate::names::cache::DirectoryCache,
    /// Held while this process appends to the audit chain; holds the head (sequence number and
    /// MAC) this process last wrote or read, `None` until it is known again.
    audit_lock: tokio::sync::Mutex<Option<crate::audit::queue::Cached>>,
    /// Entries waiting for the next holder of `audit_lock` (group commit).
    audit_queue: crate::audit::queue::Queue,
    /// Sealed values found damaged by this process (`table:record.field`), reported once each.
    damaged: std::sync::Mutex<std::collections::HashSet<String>>,
}

fn load_keys(source: &KeySource) -> anyhow::Result<(Keyring, Option<PathBuf>)> {
    match source {
        KeySource::File {
            path,
            create_if_missing,
        } => {
            let k = Keyring::load_or_create(path, *create_if_missing)
                .map_err(|e| anyhow::anyhow!("UTVAG_KEY_FILE: {e}"))?;
            Ok((k, Some(path.clone())))
        }
        KeySource::Env(v) => Ok((
            Keyring::from_env_value(v).map_err(|e| anyhow::anyhow!("UTVAG_KEK: {e}"))?,
            None,
        )),
        KeySource::Ephemeral => Ok((
            Keyring::ephemeral().map_err(|e| anyhow::anyhow!("{e}"))?,
            None,
        )),
    }
}

/// The configured keys: the key file's, or the environment's with the audit chain's own key from
/// UTVAG_AUDIT_KEY (a key file carries its own, which this does not override).
fn keyring(settings: &CoreSettings) -> anyhow::Result<(Keyring, Option<PathBuf>)> {
    let (mut keys, key_file) = load_keys(&settings.keys)?;
    if let (KeySource::Env(_), Some(seed)) = (&settings.keys, &settings.audit.key) {
        keys = keys
            .with_audit_seed(&seed.0)
            .map_err(|e| anyhow::anyhow!("UTVAG_AUDIT_KEY: {e}"))?;
    }
    Ok((keys, key_file))
}

/// The public half of the audit chain's checkpoint key, from the configured keys alone (nothing
/// connects): what a backup's manifest is checked against before a restore writes anything.
pub(crate) fn public_checkpoint_key(settings: &CoreSettings) -> anyhow::Result<Vec<u8>> {
    Ok(keyring(settings)?.0.checkpoint_public_key())
}

impl AppState {
    /// Connects to the database and applies pending migrations. Fails without serving anything
    /// when the database cannot be reached or the schema cannot be brought up to date.
    pub async fn init(settings: CoreSettings) -> anyhow::Result<AppState> {
        let db = db::connect(&settings.db).await.map_err(|e| {
            anyhow::anyhow!(
                "UTVAG_DB: could not open {}: {e}",
                redact_url(&settings.db.url)
            )
        })?;
        Self::init_on(db, settings).await
    }

    /// [`AppState::init`] on a database already connected (a test's copy of a template store).
    pub(crate) async fn init_on(db: Db, settings: CoreSettings) -> anyhow::Result<AppState> {
        let (keys, key_file) = keyring(&settings)?;
        db::migrations::migrate(&db)
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    // A migration that fills a new table from a large store can outlast the
                    // timeout meant for requests; it was rolled back whole.
                    anyhow::anyhow!(
                        "database migration failed: {e}; nothing of it was kept. Start once with a longer UTVAG_DB_TIMEOUT (up to 600 s) to let it finish"
                    )
                } else {
                    anyhow::anyhow!("database migration failed: {e}")
                }
            })?;
        crate::decoy::ensure(&db)
            .await
            .map_err(|e| anyhow::anyhow!("database: the decoy rows could not be made: {e}"))?;
        Ok(AppState {
            inner: Arc::new(Inner {
                db,
                settings,
                clock: Clock::default(),
                keys: Arc::new(RwLock::new(keys)),
                key_file,
                deks: DekCache::new(DEK_TTL, DEK_CACHE_MAX),
                names: crate::names::cache::names(),
                org_directory: crate::names::cache::directory(),
                audit_lock: tokio::sync::Mutex::new(None),
                audit_queue: Default::default(),
                damaged: Default::default(),
            }),
        })
    }

    /// A second app instance on the same database and keys (tests of multi-instance behaviour:
    /// its own caches and locks, shared store).
    pub fn second_instance(&self) -> anyhow::Result<AppState> {
        // Keys from a file are read afresh, as another process would; keys given in memory are shared.
        let keys = match &self.inner.key_file {
            Some(p) => Arc::new(RwLock::new(
                Keyring::load_or_create(p, false).map_err(|e| anyhow::anyhow!("{e}"))?,
            )),
            None => self.inner.keys.clone(),
        };
        let key_file = self.inner.key_file.clone();
        Ok(AppState {
            inner: Arc::new(Inner {
                db: self.inner.db.clone(),
                settings: self.inner.settings.clone(),
                clock: self.inner.clock.clone(),
                keys,
                key_file,
                deks: DekCache::new(DEK_TTL, DEK_CACHE_MAX),
                names: crate::names::cache::names(),
                org_directory: crate::names::cache::directory(),
                audit_lock: tokio::sync::Mutex::new(None),
                audit_queue: Default::default(),
                damaged: Default::default(),
            }),
        })
    }

    pub(crate) fn with_keys<R>(&self, f: impl FnOnce(&Keyring) -> R) -> R {
        let k = self.inner.keys.read().unwrap_or_else(|p| p.into_inner());
        f(&k)
    }

    pub(crate) fn deks(&self) -> &DekCache {
        &self.inner.deks
    }

    pub(crate) fn names(&self) -> &crate::names::cache::NameCache {
        &self.inner.names
    }

    pub(crate) fn org_directory(&self) -> &crate::names::cache::DirectoryCache {
        &self.inner.org_directory
    }

    pub(crate) fn audit_lock(&self) -> &tokio::sync::Mutex<Option<crate::audit::queue::Cached>> {
        &self.inner.audit_lock
    }

    pub(crate) fn audit_queue(&self) -> &crate::audit::queue::Queue {
        &self.inner.audit_queue
    }

    /// Re-reads the key file after another process rotated the KEK.
    /// Records that a sealed value failed to open; `true` the first time this process sees it.
    pub(crate) fn first_damage(&self, place: String) -> bool {
        const MAX: usize = 10_000;
        let mut seen = self
            .inner
            .damaged
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.len() >= MAX {
            seen.clear();
        }
        seen.insert(place)
    }

    pub(crate) fn reload_keys(&self) -> Result<(), AppError> {
        let Some(path) = &self.inner.key_file else {
            return Err(AppError::from(CryptoError::KeyFile(
                "keys come from UTVAG_KEK and cannot be reloaded".into(),
            )));
        };
        let mut k = self.inner.keys.write().unwrap_or_else(|p| p.into_inner());
        k.reload(path)?;
        Ok(())
    }

    /// Before a new data key is wrapped: the key file read afresh, so that a process started
    /// before another one rotated wraps under the version now current and never under one
    /// that `keys retire` may take away (keys from the environment do not change).
    pub(crate) fn keys_for_wrapping(&self) -> Result<(), AppError> {
        match self.inner.key_file {
            Some(_) => self.reload_keys(),
            None => Ok(()),
        }
    }

    /// Takes the versions that wrap nothing (`in_use` names those still named by stored keys)
    /// out of the key file; see [`crate::crypto::Keyring::retire_file`].
    pub(crate) fn retire_from_key_file(
        &self,
        in_use: &std::collections::BTreeSet<u32>,
    ) -> Result<Vec<u32>, AppError> {
        let mut k = self.inner.keys.write().unwrap_or_else(|p| p.into_inner());
        match &self.inner.key_file {
            Some(path) => k.retire_file(path, in_use).map_err(key_file_refusal),
            None => Err(AppError::problem(
                "UTVAG_KEY_FILE",
                Problem::KeyFileNeeded,
                "Att ta bort gamla nyckelversioner kräver en nyckelfil (UTVAG_KEY_FILE), inte UTVAG_KEK.",
            )),
        }
    }

    /// Adds a KEK version to the key file and makes it current.
    pub(crate) fn rotate_key_file(&self) -> Result<u32, AppError> {
        let mut k = self.inner.keys.write().unwrap_or_else(|p| p.into_inner());
        match &self.inner.key_file {
            Some(path) => k.rotate_file(path).map_err(key_file_refusal),
            None => Err(AppError::problem(
                "UTVAG_KEY_FILE",
                Problem::KeyFileNeeded,
                "Nyckelrotation kräver en nyckelfil (UTVAG_KEY_FILE), inte UTVAG_KEK.",
            )),
        }
    }

    pub(crate) fn db(&self) -> &Db {
        &self.inner.db
    }

    pub(crate) fn settings(&self) -> &CoreSettings {
        &self.inner.settings
    }

    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    pub fn demo_mode(&self) -> bool {
        self.inner.settings.demo
    }

    pub fn secure_cookies(&self) -> bool {
        self.inner.settings.secure_cookies
    }

    /// Liveness plus a round trip to the database.
    pub async fn database_reachable(&self) -> bool {
        self.inner.db.ping().await
    }
}

/// A key file that a rotation or retirement refused, told to the operator (the message names
/// the file and what is wrong with it, never key material); other failures stay internal.
fn key_file_refusal(e: CryptoError) -> AppError {
    match e {
        CryptoError::KeyFile(message) => {
            AppError::problem("UTVAG_KEY_FILE", Problem::KeyFile, message)
        }
        e => e.into(),
    }
}
