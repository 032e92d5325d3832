//! Key file I/O: the JSON format, permission checks, atomic creation and replacement, and the
//! lock that serialises rotations between processes.
//!
//! Readers take no lock: the file only ever changes by an atomic rename (or, on creation, an
//! atomic hard link), so a reader sees either the old or the new complete file.

use super::CryptoError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt::Display;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// A real key file is a few hundred bytes per version; anything this big is the wrong file.
const MAX_KEY_FILE_BYTES: u64 = 1 << 20;

/// `{"current": N, "keys": [{"version": N, "key": "<base64>", "created": "<RFC 3339>"}],
/// "audit": {"mac_key": "<base64>", "signing_key": "<base64>", "created": "<RFC 3339>"},
/// "retired": [N], "index_root": "<base64>"}` (the last two once versions are retired)
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub(super) struct KeyFileDoc {
    pub current: u32,
    pub keys: Vec<KeyFileEntry>,
    /// The audit chain's own keys, apart from the KEKs so that holding the KEK is not enough to
    /// rewrite the log. Missing in files written before they existed; added on first load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<AuditKeysEntry>,
    /// Versions taken out after a full rewrap (`utvag keys retire`): named so that a process
    /// still holding one accepts the file without it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired: Vec<u32>,
    /// Standard base64 of the blind indexes' 32-byte root (the HKDF extract of version 1), kept
    /// once versions are retired so that version 1 itself can go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_root: Option<String>,
}

#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub(super) struct AuditKeysEntry {
    /// Standard base64 of the 32-byte HMAC-SHA256 key of the audit chain.
    pub mac_key: String,
    /// Standard base64 of the Ed25519 checkpoint signing key, PKCS#8 v2 as `ring` makes it.
    pub signing_key: String,
    #[zeroize(skip)]
    pub created: DateTime<Utc>,
}

#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub(super) struct KeyFileEntry {
    pub version: u32,
    /// Standard base64 (with padding) of the 32 key bytes.
    pub key: String,
    #[zeroize(skip)]
    pub created: DateTime<Utc>,
}

/// A [`CryptoError::KeyFile`] naming the path.
pub(super) fn error(path: &Path, what: impl Display) -> CryptoError {
    CryptoError::KeyFile(format!("{}: {what}", path.display()))
}

/// Reads and parses the key file; `Ok(None)` if it does not exist. Refuses anything but a
/// regular file that only its owner can read or write.
pub(super) fn read(path: &Path) -> Result<Option<KeyFileDoc>, CryptoError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(error(path, format_args!("cannot open: {e}"))),
    };
    // Checked on the open handle, not the path, so the file cannot be swapped in between.
    let meta = file
        .metadata()
        .map_err(|e| error(path, format_args!("cannot stat: {e}")))?;
    if !meta.is_file() {
        return Err(error(path, "not a regular file"));
    }
    check_owner_only(&meta, path)?;
    if meta.len() > MAX_KEY_FILE_BYTES {
        return Err(error(path, "too large to be a key file"));
    }

    // Sized up front so the buffer holding the keys is not reallocated (which would leave
    // unwiped copies behind); the `take` guards against the file growing meanwhile.
    let capacity = usize::try_from(meta.len()).unwrap_or(0).saturating_add(1);
    let mut text = Zeroizing::new(String::with_capacity(capacity));
    file.take(MAX_KEY_FILE_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| error(path, format_args!("cannot read: {e}")))?;

    // serde_json's messages can quote the offending value, which may be key material, so
    // only the error's category and position are reported.
    serde_json::from_str(&text).map(Some).map_err(|e| {
        error(
            path,
            format_args!(
                "not a valid key file ({:?} error at line {}, column {})",
                e.classify(),
                e.line(),
                e.column()
            ),
        )
    })
}

/// Creates the key file with `doc` unless it already exists. Returns whether this call created
/// it; `false` means another process got there first, and its file is left untouched.
///
/// The parent directory is created owner-only if missing. The content is written to a private
/// temporary file and hard-linked into place, which fails if the target exists, so a concurrent
/// reader never sees a half-written key file and two creators cannot overwrite each other.
pub(super) fn create_new(path: &Path, doc: &KeyFileDoc) -> Result<bool, CryptoError> {
    let dir = parent_dir(path);
    create_private_dir(dir)
        .map_err(|e| error(path, format_args!("cannot create directory: {e}")))?;
    let tmp = write_temp(path, doc)?;
    let linked = fs::hard_link(&tmp, path);
    // Best effort: the link (if made) keeps the content; the temporary name is no longer needed.
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            sync_dir(dir).map_err(|e| error(path, format_args!("cannot sync directory: {e}")))?;
            Ok(true)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(error(path, format_args!("cannot create: {e}"))),
    }
}

/// Replaces the key file with `doc`: private temporary file, fsync, rename over the old file,
/// fsync the directory. A crash at any point leaves either the old or the new file.
pub(super) fn replace(path: &Path, doc: &KeyFileDoc) -> Result<(), CryptoError> {
    let tmp = write_temp(path, doc)?;
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(error(path, format_args!("cannot replace: {e}")));
    }
    sync_dir(parent_dir(path)).map_err(|e| error(path, format_args!("cannot sync directory: {e}")))
}

/// Takes an exclusive lock on `<key file>.lock`, blocking until other rotations are done. The
/// lock is released when the returned file is dropped (also if the process dies).
pub(super) fn lock(path: &Path) -> Result<File, CryptoError> {
    let lock_path = sibling(path, "", ".lock")?;
    let file = open_private(&lock_path, false)
        .map_err(|e| error(path, format_args!("cannot open lock file: {e}")))?;
    file.lock()
        .map_err(|e| error(path, format_args!("cannot lock: {e}")))?;
    Ok(file)
}

fn write_temp(path: &Path, doc: &KeyFileDoc) -> Result<PathBuf, CryptoError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let unique = format!(
        ".{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let tmp = sibling(path, ".", &unique)?;

    // Generous capacity so serialising never reallocates the buffer holding the keys.
    let mut json = Zeroizing::new(Vec::with_capacity(1024 + 256 * doc.keys.len()));
    serde_json::to_writer_pretty(&mut *json, doc)
        .map_err(|_| error(path, "cannot serialise key file"))?;
    json.push(b'\n');

    let written = open_private(&tmp, true).and_then(|mut file| {
        file.write_all(&json)?;
        file.sync_all()
    });
    match written {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(error(
                path,
                format_args!("cannot write temporary file: {e}"),
            ))
        }
    }
}

/// `prefix` + file name + `suffix`, in the key file's directory.
fn sibling(path: &Path, prefix: &str, suffix: &str) -> Result<PathBuf, CryptoError> {
    let name = path
        .file_name()
        .ok_or_else(|| error(path, "not a file path"))?;
    let mut sibling = std::ffi::OsString::from(prefix);
    sibling.push(name);
    sibling.push(suffix);
    Ok(parent_dir(path).join(sibling))
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

#[cfg(unix)]
fn check_owner_only(meta: &fs::Metadata, path: &Path) -> Result<(), CryptoError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(error(
            path,
            format_args!("group or others have access (mode {mode:o}); it must be 600"),
        ));
    }
    Ok(())
}

/// Opens a file that only the owner can access. The mode is set by the `open` call itself, so
/// the file is never briefly readable by others.
#[cfg(unix)]
fn open_private(path: &Path, create_new: bool) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = fs::OpenOptions::new();
    options.write(true).mode(0o600);
    if create_new {
        options.create_new(true);
    } else {
        options.create(true).truncate(false);
    }
    options.open(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Makes a rename or link durable: without it a crash can lose the new directory entry.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

// Owner-only permissions cannot be expressed or checked portably, so key files are refused
// outside Unix rather than silently stored unprotected; keys can still come from the environment.
#[cfg(not(unix))]
fn check_owner_only(_meta: &fs::Metadata, path: &Path) -> Result<(), CryptoError> {
    Err(error(
        path,
        "key files are only supported on Unix; supply keys through the environment",
    ))
}

#[cfg(not(unix))]
fn open_private(_path: &Path, _create_new: bool) -> io::Result<File> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "key files are only supported on Unix",
    ))
}

#[cfg(not(unix))]
fn create_private_dir(_dir: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "key files are only supported on Unix",
    ))
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}
