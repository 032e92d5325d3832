//! Backups: `utvag backup`, `utvag keys backup` and `utvag restore`.
//!
//! Two kinds of file, backed up and kept apart on purpose:
//!
//! - a **database backup** holds every table except the participants' wrapped data keys: one
//!   consistent snapshot (SurrealDB's export reads in a single transaction while the app keeps
//!   serving), sealed fields as they are stored (ciphertext), no key material;
//! - a **key backup** holds the wrapped data keys (`participant_key`), each still wrapped by a
//!   KEK from the key file, which is in neither.
//!
//! Shredding deletes a participant's wrapped key. A database backup made before the shred still
//! holds the participant's ciphertext, but no key; once every key backup made before the shred
//! has expired (keep them for a shorter time than database backups: docs/operations.md), no copy
//! anywhere can open it again.
//!
//! # File format
//!
//! ```text
//! UTVAG-BACKUP\n
//! <manifest: one line of JSON>\n
//! <content: exactly content_bytes bytes>
//! ```
//!
//! The manifest names the format version, the kind, when it was made, the records per table, the
//! content's length and SHA-256, and the audit head the snapshot holds; it is signed with the
//! audit chain's Ed25519 checkpoint key from the key file. [`read`] refuses a file that is not a
//! backup, of a newer format, signed by another installation (or altered), truncated, or whose
//! content does not match its checksum — before anything is written anywhere.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::config::CoreSettings;
use crate::db::{self, Db};
use crate::progress::Progress;
use crate::state::AppState;
use domain::AppError;

/// The first line of every backup file.
const MAGIC: &str = "UTVAG-BACKUP";
/// The newest format this version writes and reads.
pub const FORMAT: u32 = 1;
/// The label that starts the signed bytes, so a signature made for anything else never passes.
const DOMAIN: &str = "utvag backup manifest v1";
/// Tables whose records a database backup leaves out: the wrapped data keys (the key backup's),
/// and what only lives for minutes (sessions, sign-in throttles, flash messages, leases).
const NOT_IN_DATABASE_BACKUP: &[&str] = &[
    "participant_key",
    "session",
    "login_rate",
    "login_throttle",
    "form_flash",
    "lease",
];
/// How long the statements of a restore may run.
const RESTORE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(6 * 3600);
/// Rows of the key store per statement when a key backup is restored.
const KEY_BATCH: usize = 500;

/// What a backup file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Database,
    Keys,
}

/// The signed description of a backup's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub kind: Kind,
    pub app_version: String,
    pub created_at: DateTime<Utc>,
    /// Records per table in the content.
    pub tables: BTreeMap<String, u64>,
    pub content_bytes: u64,
    /// Hex SHA-256 of the content.
    pub content_sha256: String,
    /// Hex of the Ed25519 public key that signed (for the reader; verification uses the key
    /// file's key, never this field).
    pub key: String,
    /// Hex Ed25519 signature over [`signed_bytes`].
    #[serde(default)]
    pub sig: String,
}

fn signed_bytes(m: &Manifest) -> Vec<u8> {
    let mut unsigned = m.clone();
    unsigned.sig = String::new();
    serde_json::to_vec(&(DOMAIN, &unsigned)).unwrap_or_default()
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, b))
}

/// Why a backup file was refused. Messages name the file's problem, never its content.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refused {
    #[error("not an Utväg backup file")]
    NotABackup,
    #[error("the backup's format {0} is newer than this version reads ({FORMAT}): restore with a newer utvag")]
    NewerFormat(u32),
    #[error("the backup is {0:?}, not the kind asked for")]
    WrongKind(Kind),
    #[error("the backup was signed by another installation (another key file), or its manifest was altered")]
    Foreign,
    #[error("the backup is truncated: {have} of {want} content bytes")]
    Truncated { have: u64, want: u64 },
    #[error("the backup is damaged: its content does not match the checksum in its manifest")]
    Corrupt,
    #[error("the target database is not empty ({0}): restore only into a new, empty database")]
    TargetNotEmpty(String),
}

/// A failed backup or restore: a refused file, or the system's own failure.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error("{0}")]
    Io(String),
    #[error("{0}")]
    App(#[from] AppError),
    #[error("{0}")]
    Db(#[from] db::DbError),
}

/// Tables and their record counts, from the database's own definition.
async fn tables(db: &Db) -> Result<Vec<String>, db::DbError> {
    let info = db.q("INFO FOR DB").run().await?.value(0);
    let mut names: Vec<String> = info
        .get("tables")
        .and_then(Json::as_object)
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default();
    names.sort();
    Ok(names)
}

/// The content of a database backup: everything but [`NOT_IN_DATABASE_BACKUP`]'s records (their
/// tables' definitions are kept, so a restored store has them). `scratch` is a file the export
/// is written through; it is removed.
async fn database_content(state: &AppState, scratch: &Path) -> Result<Vec<u8>, BackupError> {
    let names = tables(state.db()).await?;
    let (kept, left): (Vec<String>, Vec<String>) = names
        .into_iter()
        .partition(|t| !NOT_IN_DATABASE_BACKUP.contains(&t.as_str()));
    let exporter = exporter(state).await?;
    let inner = &exporter.inner;
    let read_back = |p: &Path| {
        let r = std::fs::read(p).map_err(|e| BackupError::Io(format!("{}: {e}", p.display())));
        let _ = std::fs::remove_file(p);
        r
    };
    // One export, one read transaction: the records are one consistent snapshot.
    inner
        .export(scratch)
        .with_config()
        .tables(kept)
        .await
        .map_err(db::DbError::from)?;
    let mut out = read_back(scratch)?;
    if !left.is_empty() {
        inner
            .export(scratch)
            .with_config()
            .tables(left)
            .records(false)
            .users(false)
            .accesses(false)
            .params(false)
            .functions(false)
            .analyzers(false)
            .database_definition(false)
            .await
            .map_err(db::DbError::from)?;
        out.extend(read_back(scratch)?);
    }
    Ok(out)
}

/// The connection an export runs on: the store's own for an embedded engine; for a SurrealDB
/// server (`ws://`, `wss://`), which exports over HTTP only, one to the same server over
/// `http://` or `https://` with the same credentials and CA.
async fn exporter(state: &AppState) -> Result<Db, db::DbError> {
    let s = &state.settings().db;
    let http = match s.url.split_once("://") {
        Some(("ws", rest)) => format!("http://{rest}"),
        Some(("wss", rest)) => format!("https://{rest}"),
        _ => return Ok(state.db().clone()),
    };
    let mut over_http = s.clone();
    over_http.url = http;
    db::connect(&over_http).await
}

/// The key store's rows: the wrapped data keys, as stored.
async fn key_rows(db: &Db) -> Result<Vec<Json>, db::DbError> {
    db.q("SELECT *, record::id(id) AS id FROM participant_key ORDER BY id")
        .run()
        .await?
        .all(0)
}

/// Records per table in a SurrealQL export: the top-level objects of each table's `INSERT`s.
/// Counted from the content itself, so the figures are exactly the snapshot's.
fn count_records(content: &str) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    let mut table: Option<String> = None;
    for line in content.lines() {
        if let Some(t) = line.strip_prefix("-- TABLE DATA: ") {
            let t = t.trim().to_string();
            counts.entry(t.clone()).or_insert(0);
            table = Some(t);
            continue;
        }
        // Another section's heading ends the table's data; its rules (`-- ---…`) do not.
        if line.starts_with("-- ") && !line.starts_with("-- -") {
            table = None;
            continue;
        }
        let Some(t) = &table else { continue };
        if line.starts_with("INSERT") {
            *counts.entry(t.clone()).or_insert(0) += top_level_objects(line);
        }
    }
    counts
}

/// Objects at depth one of the array an `INSERT [...]` line carries, skipping strings.
fn top_level_objects(line: &str) -> u64 {
    let (mut depth, mut n) = (0i32, 0u64);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in line.chars() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' | '⟨' => quote = Some(if c == '⟨' { '⟩' } else { c }),
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            '{' => {
                if depth == 1 {
                    n += 1;
                }
                depth += 1;
            }
            '}' => depth -= 1,
            _ => {}
        }
    }
    n
}

fn sign(state: &AppState, mut m: Manifest) -> Manifest {
    m.key = hex::encode(state.with_keys(|k| k.checkpoint_public_key()));
    m.sig = hex::encode(state.with_keys(|k| k.checkpoint_sign(&signed_bytes(&m))));
    m
}

fn file_bytes(m: &Manifest, content: &[u8]) -> Vec<u8> {
    let header = serde_json::to_string(m).unwrap_or_default();
    let mut out = Vec::with_capacity(MAGIC.len() + header.len() + content.len() + 2);
    out.extend_from_slice(MAGIC.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(header.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(content);
    out
}

/// A file beside `path`, for what is written on the way to it.
fn sibling(path: &Path, what: &str) -> std::path::PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{what}-{}", std::process::id()));
    path.with_file_name(name)
}

/// Writes `bytes` to `path` whole or not at all: a file beside it, synced, then renamed.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), BackupError> {
    use std::io::Write;
    let io = |e: std::io::Error| BackupError::Io(format!("{}: {e}", path.display()));
    let tmp = sibling(path, "partial");
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map_err(io)
}

/// What a backup wrote.
#[derive(Debug)]
pub struct Written {
    pub manifest: Manifest,
    pub file_bytes: u64,
}

/// `utvag backup <file>`: the database backup, while the app serves. Audited.
pub async fn backup_database(
    state: &AppState,
    path: &Path,
    progress: &dyn Progress,
) -> Result<Written, BackupError> {
    progress.stage("exporting the database", None);
    let content = database_content(state, &sibling(path, "export")).await?;
    progress.stage("signing and writing the file", None);
    let tables = count_records(&String::from_utf8_lossy(&content));
    let records = tables.values().sum::<u64>();
    let what = format!("{records} records");
    write(
        state,
        path,
        Kind::Database,
        tables,
        &content,
        "backup.database",
        what,
    )
    .await
}

/// `utvag keys backup <file>`: the wrapped data keys. Audited.
pub async fn backup_keys(state: &AppState, path: &Path) -> Result<Written, BackupError> {
    let rows = key_rows(state.db()).await?;
    let content = serde_json::to_vec(&rows).map_err(db::DbError::from)?;
    let tables = BTreeMap::from([("participant_key".to_string(), rows.len() as u64)]);
    let what = format!("{} data keys", rows.len());
    write(
        state,
        path,
        Kind::Keys,
        tables,
        &content,
        "backup.keys",
        what,
    )
    .await
}

/// Writes a backup file of `content` with its signed manifest, then the audit entry `action`.
async fn write(
    state: &AppState,
    path: &Path,
    kind: Kind,
    tables: BTreeMap<String, u64>,
    content: &[u8],
    action: &str,
    what: String,
) -> Result<Written, BackupError> {
    let m = sign(
        state,
        Manifest {
            format: FORMAT,
            kind,
            app_version: env!("CARGO_PKG_VERSION").into(),
            created_at: state.clock().now(),
            tables,
            content_bytes: content.len() as u64,
            content_sha256: sha256_hex(content),
            key: String::new(),
            sig: String::new(),
        },
    );
    let bytes = file_bytes(&m, content);
    write_atomically(path, &bytes)?;
    let mut e = crate::audit::Entry::new(action);
    e.reason = Some(what);
    crate::audit::append(state, &crate::audit::Who::system(), e).await?;
    Ok(Written {
        manifest: m,
        file_bytes: bytes.len() as u64,
    })
}

/// Reads and checks a backup file of the given kind against the key file's signing key. Writes
/// nothing.
pub fn read(bytes: &[u8], kind: Kind, public_key: &[u8]) -> Result<(Manifest, Vec<u8>), Refused> {
    let rest = bytes
        .strip_prefix(MAGIC.as_bytes())
        .and_then(|r| r.strip_prefix(b"\n"))
        .ok_or(Refused::NotABackup)?;
    let end = rest
        .iter()
        .position(|b| *b == b'\n')
        .ok_or(Refused::NotABackup)?;
    let header: Json = serde_json::from_slice(&rest[..end]).map_err(|_| Refused::NotABackup)?;
    // The format first: a newer one may have a manifest this version cannot read.
    let format = header
        .get("format")
        .and_then(Json::as_u64)
        .ok_or(Refused::NotABackup)?;
    if format > u64::from(FORMAT) {
        return Err(Refused::NewerFormat(
            u32::try_from(format).unwrap_or(u32::MAX),
        ));
    }
    let m: Manifest = serde_json::from_value(header).map_err(|_| Refused::NotABackup)?;
    let key = ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public_key);
    let genuine = hex::decode(&m.sig).is_ok_and(|s| key.verify(&signed_bytes(&m), &s).is_ok());
    if !genuine {
        return Err(Refused::Foreign);
    }
    if m.kind != kind {
        return Err(Refused::WrongKind(m.kind));
    }
    let content = &rest[end + 1..];
    let have = content.len() as u64;
    if have < m.content_bytes {
        return Err(Refused::Truncated {
            have,
            want: m.content_bytes,
        });
    }
    if have > m.content_bytes || sha256_hex(content) != m.content_sha256 {
        return Err(Refused::Corrupt);
    }
    Ok((m, content.to_vec()))
}

/// What a restore did and found.
pub struct Restored {
    /// The restored store, open.
    pub state: AppState,
    pub database: Manifest,
    pub keys: Option<Manifest>,
    /// Records per table in the restored store, as counted after the restore.
    pub tables: BTreeMap<String, u64>,
    /// The restored audit chain, held to the checkpoint file begun for it.
    pub audit: crate::audit::Verification,
    /// The newest entry the checkpoint file had seen, and how many entries after the backup's
    /// head it names that the backup does not hold (lost with the restore).
    pub checkpoint_seq: Option<i64>,
    pub gap: i64,
    /// Where the old checkpoint file was moved, when the restore started a new one.
    pub checkpoints_aside: Option<std::path::PathBuf>,
}

/// `utvag restore <file> [--keys <file>]` into an empty database. Both files are read and
/// checked in full, and the target found empty, before anything is written.
pub async fn restore(
    settings: CoreSettings,
    database: &Path,
    keys: Option<&Path>,
    progress: &dyn Progress,
) -> Result<Restored, BackupError> {
    progress.stage("reading and checking the backup files", None);
    let read_file =
        |p: &Path| std::fs::read(p).map_err(|e| BackupError::Io(format!("{}: {e}", p.display())));
    let public = crate::state::public_checkpoint_key(&settings)
        .map_err(|e| BackupError::Io(format!("{e}")))?;
    let (dm, content) = read(&read_file(database)?, Kind::Database, &public)?;
    let key_backup = match keys {
        Some(p) => Some(read(&read_file(p)?, Kind::Keys, &public)?),
        None => None,
    };
    // The store is written in one query per file: give it the time a large store needs.
    let mut settings = settings;
    settings.db.timeout = settings.db.timeout.max(RESTORE_TIMEOUT);
    let db = db::connect(&settings.db).await?;
    let present = tables(&db).await?;
    if !present.is_empty() {
        return Err(Refused::TargetNotEmpty(format!("{} tables", present.len())).into());
    }
    let content = String::from_utf8(content).map_err(|_| Refused::Corrupt)?;
    progress.stage("importing the database", None);
    db.q(content).run().await?;
    if let Some((_, k)) = &key_backup {
        let rows: Vec<Json> = serde_json::from_slice(k).map_err(|_| Refused::Corrupt)?;
        progress.stage("importing the data keys", Some(rows.len() as u64));
        for batch in rows.chunks(KEY_BATCH) {
            db.q("INSERT INTO participant_key $rows")
                .bind("rows", batch)
                .run()
                .await?;
            progress.advance(batch.len() as u64);
        }
    }
    let state = AppState::init_on(db, settings)
        .await
        .map_err(|e| BackupError::Io(format!("{e}")))?;
    let mut counts = BTreeMap::new();
    let restored = tables(state.db()).await?;
    progress.stage("counting the restored records", Some(restored.len() as u64));
    for t in restored {
        let n: Option<u64> = state
            .db()
            .q("SELECT VALUE count() FROM type::table($t) GROUP ALL")
            .bind("t", &t)
            .run()
            .await?
            .first(0)?;
        counts.insert(t, n.unwrap_or(0));
        progress.advance(1);
    }
    progress.stage("verifying the audit chain", None);
    let head = crate::audit::verify(&state).await?.head_seq;
    let anchor = crate::audit::checkpoint::read_anchor(&state).await?;
    let checkpoint_seq = anchor.latest().map(|c| c.seq);
    let gap = checkpoint_seq.map(|c| c - head).unwrap_or(0).max(0);
    // The checkpoint file describes the store that was lost; it is kept aside as evidence and a
    // new one begins with the restored chain, after an entry that says what was lost.
    let aside = crate::audit::checkpoint::start_afresh(&state);
    let mut e = crate::audit::Entry::new("backup.restore");
    e.reason = Some(format!(
        "backup of {} restored at audit head {}; {gap} later entries named by the checkpoint file are lost{}",
        dm.created_at.to_rfc3339(),
        head,
        aside
            .as_ref()
            .map(|p| format!("; old checkpoint file kept as {}", p.display()))
            .unwrap_or_default()
    ));
    crate::audit::append(&state, &crate::audit::Who::system(), e).await?;
    crate::audit::checkpoint::write_now(&state).await?;
    // The restored chain, held to the new checkpoint file.
    let audit = crate::audit::verify(&state).await?;
    Ok(Restored {
        state,
        database: dm,
        keys: key_backup.map(|(m, _)| m),
        tables: counts,
        audit,
        checkpoint_seq,
        gap,
        checkpoints_aside: aside,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{self, Who};
    use crate::progress::{recorded::Recorded, Quiet};
    use crate::testing::setup;
    use crate::vault;

    struct Dir(std::path::PathBuf);

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn dir() -> Dir {
        let d = std::env::temp_dir().join(format!("utvag-backup-{}", crate::db::new_id()));
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }

    /// The live store's settings (its keys) on a new, empty database of the same engine (in
    /// memory, or on the test server).
    fn empty_target(live: &AppState) -> CoreSettings {
        let mut s = live.settings().clone();
        s.db = crate::config::DbSettings::for_tests();
        s
    }

    /// The same on an embedded store in `dir`, which can be opened again to look inside.
    fn kv_target(live: &AppState, dir: &Path) -> CoreSettings {
        let mut s = live.settings().clone();
        std::fs::create_dir_all(dir).unwrap();
        s.db.url = format!("surrealkv://{}", dir.join("target.db").display());
        s.db.username = None;
        s.db.password = None;
        s
    }

    async fn count(state: &AppState, table: &str) -> u64 {
        state
            .db()
            .q("SELECT VALUE count() FROM type::table($t) GROUP ALL")
            .bind("t", table)
            .run()
            .await
            .unwrap()
            .first::<u64>(0)
            .unwrap()
            .unwrap_or(0)
    }

    #[tokio::test]
    async fn a_backup_under_write_load_restores_into_a_store_whose_data_and_chain_verify() {
        let live = setup().await;
        let d = dir();
        let (file, keys) = (d.0.join("db.backup"), d.0.join("keys.backup"));
        // Writes go on while the backup is taken.
        let writer = {
            let live = live.clone();
            tokio::spawn(async move {
                for i in 0..200 {
                    let mut e = audit::Entry::new("case.read");
                    e.reason = Some(format!("load {i}"));
                    audit::append(&live, &Who::system(), e).await.unwrap();
                }
            })
        };
        let w = backup_database(&live, &file, &Quiet).await.unwrap();
        writer.await.unwrap();
        backup_keys(&live, &keys).await.unwrap();
        // No key material and no participant key rows in the database backup.
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains("-- TABLE DATA: participant_key"));
        assert!(!w.manifest.tables.contains_key("participant_key"));
        assert!(w.manifest.tables["participant"] > 0);
        assert!(w.manifest.tables["audit"] > 0);

        let seen = Recorded::default();
        let r = restore(empty_target(&live), &file, Some(&keys), &seen)
            .await
            .unwrap();
        // Each stage is reported, and the counted ones count every step.
        let stages = seen.stages();
        assert_eq!(
            stages.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
            [
                "reading and checking the backup files",
                "importing the database",
                "importing the data keys",
                "counting the restored records",
                "verifying the audit chain"
            ]
        );
        for (what, total, done) in &stages {
            assert!(
                total.is_none_or(|t| t == *done && t > 0),
                "{what}: {total:?} / {done}"
            );
        }
        assert!(r.audit.ok(), "{:?}", r.audit.problem);
        // Every table holds exactly what the manifest counted in the snapshot.
        for (t, n) in &w.manifest.tables {
            assert_eq!(r.tables.get(t).copied().unwrap_or(0), *n, "{t}");
        }
        // Every sealed value opens with the restored keys.
        let check = crate::integrity::check(&r.state).await.unwrap();
        assert!(check.damaged.is_empty(), "{:?}", check.damaged);
        assert!(check.checked > 1_000, "{}", check.checked);
        assert_eq!(
            count(&r.state, "participant_key").await,
            count(&live, "participant_key").await
        );
    }

    #[tokio::test]
    async fn a_damaged_truncated_foreign_or_newer_backup_is_refused_and_nothing_is_written() {
        let live = setup().await;
        let d = dir();
        let file = d.0.join("db.backup");
        backup_database(&live, &file, &Quiet).await.unwrap();
        let good = std::fs::read(&file).unwrap();
        let refused = |name: &str, bytes: Vec<u8>| {
            let p = d.0.join(format!("{name}.backup"));
            std::fs::write(&p, bytes).unwrap();
            p
        };
        let mut flipped = good.clone();
        let i = good.len() - 100;
        flipped[i] ^= 0x01;
        let truncated = good[..good.len() - 1000].to_vec();
        // Another installation's backup: made with other keys.
        let theirs = d.0.join("theirs.backup");
        let mut other_settings = empty_target(&live);
        other_settings.keys = crate::config::KeySource::Env(format!(
            "1:{}",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [7u8; 32])
        ));
        other_settings.audit.key = Some(crate::config::AuditKeySeed(base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            [9u8; 32],
        )));
        let foreign_state = AppState::init(other_settings).await.unwrap();
        backup_database(&foreign_state, &theirs, &Quiet)
            .await
            .unwrap();
        let foreign = std::fs::read(&theirs).unwrap();
        // A newer format, correctly signed.
        let text = String::from_utf8(good.clone()).unwrap();
        let mut lines = text.splitn(3, '\n');
        let (magic, header, content) = (
            lines.next().unwrap(),
            lines.next().unwrap(),
            lines.next().unwrap(),
        );
        let mut m: Manifest = serde_json::from_str(header).unwrap();
        m.format = FORMAT + 1;
        let m = sign(&live, m);
        let newer = format!("{magic}\n{}\n{content}", serde_json::to_string(&m).unwrap());
        // Each file with the refusal it gets (the values inside are not compared).
        let cases = vec![
            ("flipped", flipped, Refused::Corrupt),
            (
                "truncated",
                truncated,
                Refused::Truncated { have: 0, want: 0 },
            ),
            ("foreign", foreign, Refused::Foreign),
            (
                "newer",
                newer.into_bytes(),
                Refused::NewerFormat(FORMAT + 1),
            ),
            (
                "text",
                b"-- just some SurrealQL\nDELETE participant;".to_vec(),
                Refused::NotABackup,
            ),
        ];
        for (name, bytes, expected) in cases {
            let p = refused(name, bytes);
            let target = kv_target(&live, &d.0.join(name));
            let err = restore(target.clone(), &p, None, &Quiet)
                .await
                .map(|_| ())
                .unwrap_err();
            let BackupError::Refused(got) = &err else {
                panic!("{name}: {err}");
            };
            assert_eq!(
                std::mem::discriminant(got),
                std::mem::discriminant(&expected),
                "{name}: {err}"
            );
            if let Refused::NewerFormat(n) = got {
                assert_eq!(*n, FORMAT + 1);
            }
            // Nothing was written: the target store has no table at all.
            let db = crate::db::connect(&target.db).await.unwrap();
            assert!(tables(&db).await.unwrap().is_empty(), "{name}");
        }
    }

    #[tokio::test]
    async fn a_participant_shredded_after_the_backup_is_unreadable_once_the_older_key_backup_is_gone(
    ) {
        let live = setup().await;
        let d = dir();
        let (db_file, keys_before, keys_after) = (
            d.0.join("db.backup"),
            d.0.join("keys-monday.backup"),
            d.0.join("keys-tuesday.backup"),
        );
        backup_database(&live, &db_file, &Quiet).await.unwrap();
        backup_keys(&live, &keys_before).await.unwrap();
        let people: Vec<String> = live
            .db()
            .q("SELECT VALUE record::id(id) FROM participant WHERE shredded = false ORDER BY id LIMIT 2")
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap();
        let (gone, kept) = (&people[0], &people[1]);
        crate::shred::shred(&live, &Who::system(), gone, None, "Gallring efter beslut")
            .await
            .unwrap();
        backup_keys(&live, &keys_after).await.unwrap();

        // With the older key backup still kept, the database backup opens the shredded person.
        let with_old = restore(empty_target(&live), &db_file, Some(&keys_before), &Quiet)
            .await
            .unwrap();
        assert!(vault::dek(&with_old.state, gone).await.unwrap().is_some());
        // Once it has expired, only the newer key backup is left: that person cannot be read
        // from the database backup; everyone else can.
        let with_new = restore(empty_target(&live), &db_file, Some(&keys_after), &Quiet)
            .await
            .unwrap();
        assert!(vault::dek(&with_new.state, gone).await.unwrap().is_none());
        assert!(vault::dek(&with_new.state, kept).await.unwrap().is_some());
        let check = crate::integrity::check(&with_new.state).await.unwrap();
        assert!(check.damaged.is_empty(), "{:?}", check.damaged);
        assert!(check.shredded > 0);
    }
}
