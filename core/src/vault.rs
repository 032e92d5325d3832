//! Per-participant data keys and the sealing of fields.
//!
//! Each participant has one random DEK, stored only wrapped by the current KEK in
//! `participant_key:<participant>`. Unwrapped DEKs are cached briefly (zeroised when evicted) so
//! a page of 100 rows does not unwrap 100 times. Deleting the wrapped DEK crypto-shreds every
//! copy of the participant's sealed data, backups and exports included.
//!
//! Sensitive values exist in two types only: [`Sealed`] (what is stored) and [`Plain`] (what an
//! authorised reader gets). A `Plain` never prints its value: not in `Debug`, `Display` or serde.

use domain::Problem;
use std::sync::Arc;

use serde::Deserialize;

use super::crypto::{self, Aad, CryptoError, Dek, Sealed, WrappedDek};
use super::progress::Progress;
use super::state::AppState;
use domain::{AppError, Shown};

/// A decrypted value on its way to an authorised reader.
pub struct Plain<T>(T);

impl<T> Plain<T> {
    pub fn new(v: T) -> Plain<T> {
        Plain(v)
    }

    /// Hands the value over, after the access policy allowed it.
    pub fn expose(self) -> T {
        self.0
    }
}

impl<T> std::fmt::Debug for Plain<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Plain(••••)")
    }
}

impl<T> std::fmt::Display for Plain<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(domain::MASK)
    }
}

impl<T> serde::Serialize for Plain<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(domain::MASK)
    }
}

impl From<CryptoError> for AppError {
    fn from(e: CryptoError) -> Self {
        tracing::error!(error = %e, "cryptographic failure");
        AppError::Internal
    }
}

#[derive(Deserialize)]
struct KeyRow {
    generation: u32,
    wrapped: String,
}

/// A fresh DEK for a new participant and its wrapped form for storage.
pub(crate) fn new_dek(
    state: &AppState,
    participant: &str,
) -> Result<(Arc<Dek>, WrappedDek), AppError> {
    let dek = Dek::generate(&ring::rand::SystemRandom::new())?;
    state.keys_for_wrapping()?;
    let wrapped = state.with_keys(|k| k.wrap_dek(&dek, participant))?;
    Ok((Arc::new(dek), wrapped))
}

/// The participant's DEK, from the cache or unwrapped from the store. `None` when shredded.
pub(crate) async fn dek(state: &AppState, participant: &str) -> Result<Option<Arc<Dek>>, AppError> {
    if let Some(d) = state.deks().get(participant) {
        return Ok(Some(d));
    }
    let row: Option<KeyRow> = state
        .db()
        .q("SELECT generation, wrapped FROM ONLY type::record('participant_key', $p)")
        .bind("p", participant)
        .run()
        .await?
        .first(0)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let wrapped = WrappedDek::decode(&row.wrapped)?;
    let dek = match state.with_keys(|k| k.unwrap_dek(&wrapped, participant, row.generation)) {
        Ok(d) => d,
        Err(CryptoError::UnknownKey { .. }) => {
            // Another process rotated the KEK: pick up the new version from the key file.
            state.reload_keys()?;
            state.with_keys(|k| k.unwrap_dek(&wrapped, participant, row.generation))?
        }
        Err(e) => return Err(e.into()),
    };
    let dek = Arc::new(dek);
    state.deks().insert(participant.to_string(), dek.clone());
    Ok(Some(dek))
}

/// Seals one field of one record.
pub(crate) fn seal(
    dek: &Dek,
    table: &str,
    record: &str,
    field: &str,
    value: &str,
) -> Result<String, AppError> {
    Ok(crypto::seal(
        dek,
        &Aad {
            table,
            record,
            field,
        },
        value.as_bytes(),
    )?
    .encode())
}

/// Seals an optional field: empty text is stored as nothing.
pub(crate) fn seal_opt(
    dek: &Dek,
    table: &str,
    record: &str,
    field: &str,
    value: &str,
) -> Result<Option<String>, AppError> {
    if value.is_empty() {
        Ok(None)
    } else {
        seal(dek, table, record, field, value).map(Some)
    }
}

/// Opens one field. A wrong key, flipped bit or moved value is a typed error (logged, audited by
/// the caller) and never garbage.
pub(crate) fn open(
    dek: &Dek,
    table: &str,
    record: &str,
    field: &str,
    stored: &str,
) -> Result<Plain<String>, AppError> {
    let sealed = Sealed::decode(stored)?;
    let bytes = crypto::open(
        dek,
        &Aad {
            table,
            record,
            field,
        },
        &sealed,
    )?;
    let s = String::from_utf8(bytes.to_vec()).map_err(|_| {
        tracing::error!(table, field, "sealed value is not UTF-8");
        AppError::Internal
    })?;
    Ok(Plain::new(s))
}

/// Opens one field for a reader who may see it. A value that fails to open (altered, moved to
/// another place, sealed under another key) is shown as damaged in its own place instead of
/// failing the whole page: it is logged by place (never by value) and, the first time this
/// process meets it, entered in the audit log as `integrity.damaged`, which log review flags.
pub(crate) fn show(
    state: &AppState,
    participant: &str,
    dek: &Dek,
    at: Aad<'_>,
    stored: &str,
) -> Shown<String> {
    match open(dek, at.table, at.record, at.field, stored) {
        Ok(p) => Shown::Value(p.expose()),
        Err(_) => {
            report_damage(state, participant, at);
            Shown::Damaged
        }
    }
}

/// A participant's name, "first last", as [`show`] gives each part: damaged when either is.
pub(crate) fn show_name(
    state: &AppState,
    dek: &Dek,
    participant: &str,
    first: &str,
    last: &str,
) -> Shown<String> {
    let part = |field, stored| {
        show(
            state,
            participant,
            dek,
            Aad::new("participant", participant, field),
            stored,
        )
    };
    match (part("first_name", first), part("last_name", last)) {
        (Shown::Value(f), Shown::Value(l)) => Shown::Value(format!("{f} {l}")),
        _ => Shown::Damaged,
    }
}

/// The audit entry of a damaged value: who it concerns and where it is, in the entry's reason
/// as `table:record.field`. Written on its own task so that a read stays a read.
fn report_damage(state: &AppState, participant: &str, at: Aad<'_>) {
    let place = format!("{}:{}.{}", at.table, at.record, at.field);
    if !state.first_damage(place.clone()) {
        tracing::debug!(%place, "damaged sealed value read again");
        return;
    }
    tracing::error!(%place, "sealed value fails to open: shown as damaged");
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let mut e = crate::audit::Entry::new(DAMAGED_ACTION);
    e.participants = vec![participant.to_string()];
    e.reason = Some(place);
    let state = state.clone();
    rt.spawn(async move {
        if let Err(err) = crate::audit::append(&state, &crate::audit::Who::system(), e).await {
            tracing::error!(error = %err, "could not enter a damaged value in the audit log");
        }
    });
}

/// The audit action of a sealed value found damaged when read.
pub(crate) const DAMAGED_ACTION: &str = "integrity.damaged";

/// `utvag keys rotate`: adds a KEK version and rewraps every data key with it, a page at a time,
/// while the app keeps serving (readers unwrap with whichever version a row names).
pub async fn rotate(state: &AppState, progress: &dyn Progress) -> Result<(u32, usize), AppError> {
    let new_version = state.rotate_key_file()?;
    Ok((new_version, rewrap(state, progress).await?))
}

/// Rewraps under the current KEK every data key wrapped under another: the participants' and
/// the groups' (`participant_key`) and each user's second-factor key (`mfa`).
async fn rewrap(state: &AppState, progress: &dyn Progress) -> Result<usize, AppError> {
    let current = state.with_keys(|k| k.current_version());
    let mut done = 0usize;
    let todo: Option<u64> = state
        .db()
        .q("SELECT VALUE count() FROM participant_key WHERE kek_version != $v GROUP ALL")
        .bind("v", current)
        .run()
        .await?
        .first(0)?;
    progress.stage("rewrapping data keys", Some(todo.unwrap_or(0)));
    loop {
        #[derive(Deserialize)]
        struct Row {
            id: String,
            generation: u32,
            wrapped: String,
        }
        let rows: Vec<Row> = state
            .db()
            .q("SELECT record::id(id) AS id, generation, wrapped FROM participant_key WHERE kek_version != $v LIMIT 200")
            .bind("v", current)
            .run()
            .await?
            .all(0)?;
        if rows.is_empty() {
            break;
        }
        for r in rows {
            let old = WrappedDek::decode(&r.wrapped)?;
            let dek = state.with_keys(|k| k.unwrap_dek(&old, &r.id, r.generation))?;
            let new = state.with_keys(|k| k.wrap_dek(&dek, &r.id))?;
            // Only replace what we read: a concurrent shred or rotation wins.
            state
                .db()
                .q("UPDATE type::record('participant_key', $id) SET wrapped = $w, kek_version = $v WHERE wrapped = $old")
                .bind("id", &r.id)
                .bind("w", new.encode())
                .bind("v", new.kek_version())
                .bind("old", &r.wrapped)
                .run()
                .await?;
            done += 1;
            progress.advance(1);
        }
    }
    progress.stage("rewrapping second-factor keys", None);
    Ok(done + crate::totp::rewrap_keys(state).await?)
}

/// The least time between a version becoming current and the retirement of those before it:
/// a request that read the key file just before the rotation has finished writing any data key
/// it wrapped under the old version long before (every database call has its deadline).
pub const RETIRE_AFTER: chrono::Duration = chrono::Duration::minutes(10);

/// `utvag keys retire`: rewraps what is not yet under the current KEK, then takes every older
/// version out of the key file. Returns (retired versions, keys rewrapped now). Refused until
/// [`RETIRE_AFTER`] has passed since the current version was made.
pub async fn retire(
    state: &AppState,
    progress: &dyn Progress,
) -> Result<(Vec<u32>, usize), AppError> {
    state.keys_for_wrapping()?;
    let made = state.with_keys(|k| k.current_created());
    let Some(made) = made else {
        return Err(AppError::problem(
            "UTVAG_KEY_FILE",
            Problem::KeyFileNeeded,
            "Att ta bort gamla nyckelversioner kräver en nyckelfil (UTVAG_KEY_FILE), inte UTVAG_KEK.",
        ));
    };
    let ready = made + RETIRE_AFTER;
    if state.clock().now() < ready {
        return Err(AppError::problem(
            "keys",
            Problem::RetireNotYet,
            format!(
                "Den aktuella nyckelversionen skapades {} UTC; äldre versioner kan tas bort från {} UTC,                  när inga förfrågningar som började före rotationen kan skriva med dem längre.",
                made.format("%Y-%m-%d %H:%M"),
                ready.format("%Y-%m-%d %H:%M")
            ),
        ));
    }
    let rewrapped = rewrap(state, progress).await?;
    let in_use = versions_in_use(state).await?;
    let retired = state.retire_from_key_file(&in_use)?;
    Ok((retired, rewrapped))
}

/// The KEK versions the stored data keys name.
async fn versions_in_use(state: &AppState) -> Result<std::collections::BTreeSet<u32>, AppError> {
    Ok(key_usage(state).await?.into_keys().collect())
}

/// Data keys per KEK version: the participants' and groups' and the users' second-factor keys.
async fn key_usage(state: &AppState) -> Result<std::collections::BTreeMap<u32, i64>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        kek_version: u32,
        n: i64,
    }
    let rows: Vec<Row> = state
        .db()
        .q("SELECT kek_version, count() AS n FROM participant_key GROUP BY kek_version")
        .run()
        .await?
        .all(0)?;
    let mut usage: std::collections::BTreeMap<u32, i64> =
        rows.into_iter().map(|r| (r.kek_version, r.n)).collect();
    for v in crate::totp::key_versions(state).await? {
        *usage.entry(v).or_default() += 1;
    }
    Ok(usage)
}

/// KEK versions in use: (versions in the keyring, current version, data keys per version).
pub async fn key_status(state: &AppState) -> Result<(Vec<u32>, u32, Vec<(u32, i64)>), AppError> {
    let usage = key_usage(state).await?;
    let (versions, current) = state.with_keys(|k| (k.versions(), k.current_version()));
    Ok((versions, current, usage.into_iter().collect()))
}
