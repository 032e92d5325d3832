//! Password hashing: PBKDF2-HMAC-SHA256 from ring, 600 000 iterations, 16-byte random salt.
//!
//! Stored as `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>` so the cost can be raised later
//! without breaking existing hashes. Verification is constant-time (ring's `pbkdf2::verify`).

use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use base64::Engine;
use ring::rand::{SecureRandom, SystemRandom};
use ring::{digest, pbkdf2};
use std::num::NonZeroU32;

pub const ITERATIONS: u32 = 600_000;
const SALT_LEN: usize = 16;
const HASH_LEN: usize = digest::SHA256_OUTPUT_LEN;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("random number generator failed")]
    Rng,
}

pub fn hash(password: &str) -> Result<String, PasswordError> {
    let mut salt = [0u8; SALT_LEN];
    SystemRandom::new()
        .fill(&mut salt)
        .map_err(|_| PasswordError::Rng)?;
    let mut out = [0u8; HASH_LEN];
    let iters = NonZeroU32::new(ITERATIONS).expect("non-zero constant");
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iters,
        &salt,
        password.as_bytes(),
        &mut out,
    );
    Ok(format!(
        "pbkdf2-sha256${ITERATIONS}${}${}",
        B64.encode(salt),
        B64.encode(out)
    ))
}

/// True when `password` matches `stored`. A malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("pbkdf2-sha256"), Some(iters), Some(salt), Some(h), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let Some(iters) = iters.parse::<u32>().ok().and_then(NonZeroU32::new) else {
        return false;
    };
    let (Ok(salt), Ok(h)) = (B64.decode(salt), B64.decode(h)) else {
        return false;
    };
    pbkdf2::verify(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iters,
        &salt,
        password.as_bytes(),
        &h,
    )
    .is_ok()
}

/// A hash of a random password, verified against when a user name is unknown so that the
/// response time does not tell whether the account exists.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut pw = [0u8; 24];
        let _ = SystemRandom::new().fill(&mut pw);
        hash(&B64.encode(pw))
            .unwrap_or_else(|_| format!("pbkdf2-sha256${ITERATIONS}$AAAAAAAAAAAAAAAAAAAAAA$AAAA"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_round_trips_and_rejects_wrong_password() {
        let h = hash("korrekt häst batteri häftklammer").unwrap();
        assert!(h.starts_with("pbkdf2-sha256$600000$"));
        assert!(verify("korrekt häst batteri häftklammer", &h));
        assert!(!verify("korrekt häst batteri häftklammeR", &h));
        assert!(!verify("", &h));
    }

    #[test]
    fn same_password_gets_different_salts() {
        assert_ne!(
            hash("samma lösenord här").unwrap(),
            hash("samma lösenord här").unwrap()
        );
    }

    #[test]
    fn malformed_stored_hash_never_matches() {
        for bad in [
            "",
            "x",
            "pbkdf2-sha256$0$AA$AA",
            "pbkdf2-sha256$10$!!$AA",
            "md5$1$AA$AA",
            "pbkdf2-sha256$1$AA$AA$extra",
        ] {
            assert!(!verify("anything", bad), "{bad}");
        }
    }
}
