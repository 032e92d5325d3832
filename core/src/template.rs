//! Stores for tests, written once per process and copied for each test.
//!
//! Writing the demo data goes through the core (sealing, the audit chain, a clock walked over
//! eighteen months) and takes seconds; a test suite that wrote it afresh for each of its
//! hundreds of tests spent most of its time doing so. A [`Template`] is written the first time a
//! test asks for it and exported with SurrealDB's own export; every test, the first included,
//! gets a new `mem://` database that the export is imported into, opened with the keys the
//! template was written with. Each test owns its copy: nothing one test writes is seen by
//! another.

use std::future::Future;
use std::pin::Pin;

use base64::Engine;
use chrono::{DateTime, Utc};
use ring::rand::{SecureRandom, SystemRandom};

use super::config::{AuditKeySeed, CoreSettings, KeySource};
use super::state::AppState;
use domain::AppError;

/// The settings (database and keys) a template was written with, its export, and the moment
/// it was written.
pub type Template = tokio::sync::OnceCell<(CoreSettings, String, DateTime<Utc>)>;

/// What fills a template: called once, on a fresh store.
pub type Loader = fn(AppState) -> Pin<Box<dyn Future<Output = Result<(), AppError>> + Send>>;

/// A fresh store with what `load` writes, under `settings` (any database and key settings in
/// it are replaced: the copy lives in memory and needs the template's keys). The copy's clock
/// runs on from the moment the template was written. `name` only names the temporary export
/// file. Panics when the template cannot be written or copied: it is for tests.
pub async fn from_template(
    cell: &'static Template,
    name: &str,
    settings: CoreSettings,
    load: Loader,
) -> AppState {
    let (written_with, export, written_at) = cell
        .get_or_init(|| async {
            let mut settings = CoreSettings::for_tests();
            // Written once in memory (an export needs the embedded engine); each copy is then
            // imported into a database of its own, in memory or on the test server.
            settings.db.url = "mem://".into();
            settings.db.username = None;
            settings.db.password = None;
            // Writing the content is a fixture's load, not a request: on a machine busy with
            // other tests one batch of it can take longer than a request may.
            settings.db.timeout = std::time::Duration::from_secs(600);
            // Fresh random keys for this process, given as `UTVAG_KEK` and `UTVAG_AUDIT_KEY`
            // would be, so that every copy opens a keyring of its own with the same keys.
            settings.keys = KeySource::Env(format!("1:{}", random_key()));
            settings.audit.key = Some(AuditKeySeed(random_key()));
            let state = AppState::init(settings.clone())
                .await
                .expect("template store");
            load(state.clone()).await.expect("template content");
            let written_at = state.clock().now();
            let file = std::env::temp_dir().join(format!(
                "utvag-template-{}-{name}.surql",
                std::process::id()
            ));
            state
                .db()
                .inner
                .export(&file)
                .await
                .expect("template export");
            let export = std::fs::read_to_string(&file).expect("template export file");
            let _ = std::fs::remove_file(&file);
            (settings, export, written_at)
        })
        .await;
    let mut settings = settings;
    // A database of its own (`DbSettings::for_tests`), the template's keys.
    settings.db = super::config::DbSettings::for_tests();
    // The import is one large query; on a busy machine it may take longer than a request may.
    settings.db.timeout = std::time::Duration::from_secs(120);
    settings.keys = written_with.keys.clone();
    settings.audit.key = written_with.audit.key.clone();
    let db = super::db::connect(&settings.db).await.expect("test store");
    tokio::time::timeout(
        std::time::Duration::from_secs(120),
        db.inner.query(export.as_str()),
    )
    .await
    .expect("template import answered within two minutes")
    .and_then(|r| r.check())
    .expect("template import");
    let state = AppState::init_on(db, settings).await.expect("test state");
    // The copy goes on from when its content was written: a template written before midnight
    // and copied after it still holds "today's" consents, due dates and history for the test.
    state.clock().start_at(*written_at);
    state
}

fn random_key() -> String {
    let mut b = [0u8; 32];
    SystemRandom::new().fill(&mut b).expect("system random");
    base64::engine::general_purpose::STANDARD.encode(b)
}
