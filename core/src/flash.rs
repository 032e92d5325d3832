//! The no-JavaScript error round trip without text in a URL.
//!
//! A plain HTML form post to a server function that fails is sent back to the form's page. The
//! framework would put the error into that address (`?__err=…`), where proxy logs and the
//! browser history keep it. Instead the router stores the error and the submitted values here
//! and the address carries only `?__flash=<id>`, a random key that is good for one read by the
//! same session within ten minutes.
//!
//! The row is sealed (AES-256-GCM) under a key derived from the session token, which the store
//! never holds (it keeps only the token's hash), and its owner is another hash of the token: a
//! copy of the database opens no flash, and another session cannot read one.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::Duration;
use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

use super::state::AppState;
use domain::AppError;

/// How long a flash can be read.
pub const FLASH_MINUTES: i64 = 10;

/// What a failed plain form post leaves for the page it returns to.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct Flash {
    /// The server function's path (the page's action that failed).
    pub path: String,
    /// The error as the framework encodes it for a form (`ServerFnUrlError`).
    pub error: String,
    /// The submitted fields, in order.
    pub values: Vec<(String, String)>,
}

impl std::fmt::Debug for Flash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flash")
            .field("path", &self.path)
            .field("error", &domain::MASK)
            .field("values", &domain::MASK)
            .finish()
    }
}

fn derive(label: &str, token: &str) -> digest::Digest {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(label.as_bytes());
    ctx.update(b"|");
    ctx.update(token.as_bytes());
    ctx.finish()
}

fn owner(token: &str) -> String {
    hex::encode(derive("form_flash-owner", token).as_ref())
}

fn key(token: &str) -> Result<LessSafeKey, AppError> {
    let k = UnboundKey::new(&AES_256_GCM, derive("form_flash-key", token).as_ref())
        .map_err(|_| AppError::Internal)?;
    Ok(LessSafeKey::new(k))
}

fn aad(id: &str) -> String {
    format!("form_flash|{id}")
}

/// Stores a flash for the session of `token` and returns its key for the address.
pub async fn put(state: &AppState, token: &str, flash: &Flash) -> Result<String, AppError> {
    let rng = SystemRandom::new();
    let mut id = [0u8; 16];
    let mut nonce = [0u8; 12];
    rng.fill(&mut id).map_err(|_| AppError::Internal)?;
    rng.fill(&mut nonce).map_err(|_| AppError::Internal)?;
    let id = hex::encode(id);
    let mut buf = serde_json::to_vec(flash).map_err(|_| AppError::Internal)?;
    key(token)?
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad(&id).as_bytes()),
            &mut buf,
        )
        .map_err(|_| AppError::Internal)?;
    let mut sealed = nonce.to_vec();
    sealed.extend_from_slice(&buf);
    let now = state.clock().now();
    state
        .db()
        .q("DELETE form_flash WHERE expires_at < <datetime>$now;
            CREATE type::record('form_flash', $id) CONTENT { owner: $owner, sealed: $sealed,
                expires_at: <datetime>$expires } RETURN NONE;")
        .bind("now", now)
        .bind("id", &id)
        .bind("owner", owner(token))
        .bind("sealed", URL_SAFE_NO_PAD.encode(sealed))
        .bind("expires", now + Duration::minutes(FLASH_MINUTES))
        .run()
        .await?;
    Ok(id)
}

/// Reads and deletes the flash `id` if it belongs to the session of `token` and has not
/// expired; anything else is `None` (and an expired or foreign key stays unreadable).
pub async fn take(state: &AppState, token: &str, id: &str) -> Result<Option<Flash>, AppError> {
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    #[derive(Deserialize)]
    struct Row {
        sealed: String,
    }
    let row: Option<Row> = state
        .db()
        .q("DELETE type::record('form_flash', $id) WHERE owner = $owner AND expires_at > <datetime>$now RETURN BEFORE")
        .bind("id", id)
        .bind("owner", owner(token))
        .bind("now", state.clock().now())
        .run()
        .await?
        .first(0)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let raw = URL_SAFE_NO_PAD
        .decode(row.sealed)
        .map_err(|_| AppError::Internal)?;
    if raw.len() < 12 + aead::AES_256_GCM.tag_len() {
        return Err(AppError::Internal);
    }
    let (nonce, rest) = raw.split_at(12);
    let mut buf = rest.to_vec();
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| AppError::Internal)?;
    let plain = key(token)?
        .open_in_place(nonce, Aad::from(aad(id).as_bytes()), &mut buf)
        .map_err(|_| AppError::Internal)?;
    Ok(Some(
        serde_json::from_slice(plain).map_err(|_| AppError::Internal)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::setup;

    #[tokio::test]
    async fn a_flash_is_read_once_by_its_session_within_ten_minutes_and_stored_sealed() {
        let state = setup().await;
        let f = Flash {
            path: "/api/plan/action_update".into(),
            error: "eyJJbnZhbGlkIjp7fX0".into(),
            values: vec![("comment".into(), "Hemlig kommentar om Kim".into())],
        };
        let id = put(&state, "token-a", &f).await.unwrap();
        let stored: Vec<serde_json::Value> = state
            .db()
            .q("SELECT * FROM form_flash")
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap();
        let raw = format!("{stored:?}");
        assert!(!raw.contains("Hemlig") && !raw.contains("token-a"), "{raw}");
        assert!(!format!("{f:?}").contains("Hemlig"));
        // Another session cannot read it, and trying does not consume it.
        assert_eq!(take(&state, "token-b", &id).await.unwrap(), None);
        assert_eq!(take(&state, "token-a", &id).await.unwrap(), Some(f.clone()));
        assert_eq!(
            take(&state, "token-a", &id).await.unwrap(),
            None,
            "read once"
        );
        // After ten minutes it is gone.
        let id = put(&state, "token-a", &f).await.unwrap();
        state.clock().advance(Duration::minutes(FLASH_MINUTES + 1));
        assert_eq!(take(&state, "token-a", &id).await.unwrap(), None);
        state.clock().reset();
        assert_eq!(take(&state, "token-a", "not-a-key").await.unwrap(), None);
    }
}
