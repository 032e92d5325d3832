//! Signed checkpoints of the audit chain, kept outside the database.
//!
//! The chain's MACs prove that no entry was changed, but not that the newest ones are still
//! there: whoever can write the store can remove the last entries, delete the whole log, or put
//! back an older copy, and the rest still verifies. A checkpoint
//! `{seq, mac, at, cut}` says "the chain reached entry `seq`, whose MAC is `mac`" (with the
//! retention cut then in force), signed with the audit chain's own Ed25519 key (never derived
//! from a KEK). Checkpoints are appended, one JSON line each, to a file outside the store
//! (`UTVAG_CHECKPOINT_FILE`) and sent as a `tracing` event with target `audit_checkpoint`, so a
//! SIEM keeps a copy the database's administrator cannot reach. The chain's `verify` holds
//! the store to the latest valid checkpoint and names the position where they part.
//!
//! A checkpoint is written after the transaction of entry `seq` has committed — never inside it —
//! when `seq` is a multiple of `checkpoint_every`, or when `checkpoint_minutes` have passed since
//! this instance's last one; a background task also anchors the head every `checkpoint_minutes`
//! if it moved. Each line is one `write` to a file opened with `O_APPEND` under an exclusive
//! lock, so concurrent writers (threads or processes on one machine) never interleave. A failed
//! write is logged as an error and does not fail the request whose entry it was.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::head::head;
use crate::state::AppState;
use domain::AppError;

/// The label that starts the signed bytes, so a signature made for anything else never passes.
const DOMAIN: &str = "utvag audit checkpoint v1";

/// One line of the checkpoint file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The entry the chain had reached.
    pub seq: i64,
    /// That entry's MAC.
    pub mac: String,
    pub at: DateTime<Utc>,
    /// The retention cut in force: entries up to this position may legitimately be gone.
    pub cut: i64,
    /// Hex of the Ed25519 public key that signed, for the reader's information; verification
    /// uses the key from the key file, never this field.
    pub key: String,
    /// Hex of the Ed25519 signature over [`signed_bytes`].
    pub sig: String,
}

/// The bytes a checkpoint's signature covers.
fn signed_bytes(seq: i64, mac: &str, at: DateTime<Utc>, cut: i64) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!([
        DOMAIN,
        seq,
        mac,
        at.timestamp_millis(),
        cut
    ]))
    .unwrap_or_default()
}

/// Per checkpoint file: when this process last wrote one, and for which entry.
type LastWritten = Mutex<HashMap<PathBuf, (DateTime<Utc>, i64)>>;

fn last_written() -> &'static LastWritten {
    static LAST: OnceLock<LastWritten> = OnceLock::new();
    LAST.get_or_init(|| Mutex::new(HashMap::new()))
}

fn last_for(path: &Path) -> Option<(DateTime<Utc>, i64)> {
    last_written()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(path)
        .copied()
}

/// Called by the chain's `commit` after entry `seq` has committed: writes a checkpoint when
/// one is due. Never fails the caller.
pub(crate) async fn after_commit(state: &AppState, seq: i64, mac: &str) {
    let settings = &state.settings().audit;
    let Some(path) = settings.checkpoint_file.as_deref() else {
        return;
    };
    let now = state.clock().now();
    let due = seq % settings.checkpoint_every.max(1) == 0
        || match last_for(path) {
            None => true,
            Some((at, _)) => now - at >= Duration::minutes(settings.checkpoint_minutes),
        };
    if due {
        write(state, path, seq, mac).await;
    }
}

/// The background task of a serving instance: every `checkpoint_minutes`, anchors the head if it
/// moved since this instance's last checkpoint, so quiet periods leave no unanchored tail.
pub async fn periodic(state: AppState) {
    let settings = state.settings().audit.clone();
    let Some(path) = settings.checkpoint_file.clone() else {
        return;
    };
    let every = std::time::Duration::from_secs(60 * settings.checkpoint_minutes.max(1) as u64);
    loop {
        tokio::time::sleep(every).await;
        match head(&state).await {
            Ok((seq, mac)) if seq > 0 && last_for(&path).is_none_or(|(_, s)| s < seq) => {
                write(&state, &path, seq, &mac).await;
            }
            Ok(_) => {}
            Err(e) => tracing::error!(
                target: "audit_checkpoint",
                error = %e,
                "could not read the audit head for a checkpoint"
            ),
        }
    }
}

/// Anchors the current head now, whatever the schedule says.
pub async fn write_now(state: &AppState) -> Result<Option<Checkpoint>, AppError> {
    let Some(path) = state.settings().audit.checkpoint_file.clone() else {
        return Ok(None);
    };
    let (seq, mac) = head(state).await?;
    if seq == 0 {
        return Ok(None);
    }
    Ok(write(state, &path, seq, &mac).await)
}

async fn current_cut(state: &AppState) -> i64 {
    let r = state
        .db()
        .q("SELECT VALUE seq FROM ONLY audit_cut:main")
        .run()
        .await
        .and_then(|mut r| r.first::<i64>(0));
    match r {
        Ok(cut) => cut.unwrap_or(0),
        Err(e) => {
            tracing::warn!(target: "audit_checkpoint", error = %e, "could not read the audit cut; checkpoint records none");
            0
        }
    }
}

/// Signs and appends a checkpoint of entry `seq`, and emits it as a log event. Failure to write
/// is logged loudly and otherwise ignored: the entry itself is already committed.
async fn write(state: &AppState, path: &Path, seq: i64, mac: &str) -> Option<Checkpoint> {
    let at =
        DateTime::from_timestamp_millis(state.clock().now().timestamp_millis()).unwrap_or_default();
    let cut = current_cut(state).await;
    let (sig, key) = state.with_keys(|k| {
        (
            hex::encode(k.checkpoint_sign(&signed_bytes(seq, mac, at, cut))),
            hex::encode(k.checkpoint_public_key()),
        )
    });
    let cp = Checkpoint {
        seq,
        mac: mac.to_string(),
        at,
        cut,
        key,
        sig,
    };
    tracing::info!(
        target: "audit_checkpoint",
        seq = cp.seq,
        mac = %cp.mac,
        at = %cp.at.to_rfc3339(),
        cut = cp.cut,
        key = %cp.key,
        sig = %cp.sig,
        "audit checkpoint"
    );
    let mut line = match serde_json::to_vec(&cp) {
        Ok(l) => l,
        Err(_) => return None,
    };
    line.push(b'\n');
    let owned = path.to_path_buf();
    let written = tokio::task::spawn_blocking(move || append_line(&owned, &line)).await;
    match written {
        Ok(Ok(())) => {
            last_written()
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(path.to_path_buf(), (at, seq));
            Some(cp)
        }
        Ok(Err(e)) => {
            tracing::error!(
                target: "audit_checkpoint",
                path = %path.display(),
                seq,
                error = %e,
                "COULD NOT WRITE THE AUDIT CHECKPOINT: the newest audit entries are not anchored outside the database"
            );
            None
        }
        Err(e) => {
            tracing::error!(target: "audit_checkpoint", seq, error = %e, "the audit checkpoint writer failed");
            None
        }
    }
}

/// One line, one `write`, under an exclusive lock, to a file opened for appending only.
fn append_line(path: &Path, line: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.lock()?;
    file.write_all(line)?;
    file.sync_data()
}

/// A demo instance starting on an empty store begins a new checkpoint file: the old one (of a
/// store that was removed) is renamed aside, not deleted. Returns the new name of the old file.
pub fn start_afresh(state: &AppState) -> Option<PathBuf> {
    let path = state.settings().audit.checkpoint_file.clone()?;
    if !path.exists() {
        return None;
    }
    let stamp = Utc::now().format("%Y%m%dT%H%M%S");
    let mut aside = path.clone().into_os_string();
    aside.push(format!(".{stamp}.old"));
    let aside = PathBuf::from(aside);
    match std::fs::rename(&path, &aside) {
        Ok(()) => {
            last_written()
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&path);
            Some(aside)
        }
        Err(e) => {
            tracing::error!(target: "audit_checkpoint", path = %path.display(), error = %e, "could not move the old checkpoint file aside");
            None
        }
    }
}

/// What the checkpoint file says, as verification needs it.
#[derive(Debug, Default)]
pub(crate) struct Anchor {
    /// The file in use, if any.
    pub file: Option<PathBuf>,
    /// Every checkpoint whose signature verifies, in file order.
    pub valid: Vec<Checkpoint>,
    /// Lines that are not a checkpoint with a valid signature: (line number, what is wrong,
    /// the position it claims if readable).
    pub bad: Vec<(usize, String, Option<i64>)>,
}

impl Anchor {
    /// The valid checkpoint furthest along the chain.
    pub fn latest(&self) -> Option<&Checkpoint> {
        self.valid.iter().max_by_key(|c| (c.seq, c.at))
    }
}

/// Reads and checks every line of the checkpoint file against the audit chain's signing key.
pub(crate) async fn read_anchor(state: &AppState) -> Result<Anchor, AppError> {
    let Some(path) = state.settings().audit.checkpoint_file.clone() else {
        return Ok(Anchor::default());
    };
    let owned = path.clone();
    let text = tokio::task::spawn_blocking(move || match std::fs::read_to_string(&owned) {
        Ok(t) => Ok(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(e),
    })
    .await
    .map_err(|_| AppError::Internal)?
    .map_err(|e| {
        tracing::error!(target: "audit_checkpoint", path = %path.display(), error = %e, "cannot read the checkpoint file");
        AppError::Internal
    })?;
    let public = state.with_keys(|k| k.checkpoint_public_key());
    let key = ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, &public);
    let mut anchor = Anchor {
        file: Some(path),
        ..Anchor::default()
    };
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let cp: Checkpoint = match serde_json::from_str(line) {
            Ok(cp) => cp,
            Err(_) => {
                anchor
                    .bad
                    .push((n, "is not a checkpoint".to_string(), None));
                continue;
            }
        };
        let genuine = hex::decode(&cp.sig).is_ok_and(|sig| {
            key.verify(&signed_bytes(cp.seq, &cp.mac, cp.at, cp.cut), &sig)
                .is_ok()
        });
        if genuine {
            anchor.valid.push(cp);
        } else {
            let what = if cp.key != hex::encode(&public) {
                "is signed with another key than the audit chain's"
            } else {
                "does not carry a valid signature"
            };
            anchor.bad.push((n, what.to_string(), Some(cp.seq)));
        }
    }
    Ok(anchor)
}
