//! Field encryption for sensitive participant data.
//!
//! # Key hierarchy
//!
//! ```text
//! Keyring (KEKs, versioned; key file or environment, never the database)
//!   └─ wraps ─▶ WrappedDek (one per participant and DEK generation, stored in the database)
//!                 └─ unwraps to ─▶ Dek ─ seals ─▶ Sealed (one per sensitive field value)
//! ```
//!
//! Every participant has their own data-encryption key ([`Dek`]). Deleting a participant's
//! wrapped DEK (and evicting it from the [`DekCache`]) crypto-shreds every field sealed under it,
//! wherever copies of those fields ended up. Backups that still contain the wrapped DEK stay
//! readable for as long as the KEK that wrapped it exists, so shredding is complete once those
//! backups have expired.
//!
//! All encryption is AES-256-GCM from `ring`. Nonces are 96 bits from the operating system's
//! CSPRNG, fresh for every seal. Random nonces are safe for about 2^32 messages per key (NIST SP
//! 800-38D §8.3); keys here are per participant and so stay many orders of magnitude below that.
//!
//! # Stored formats
//!
//! A [`Sealed`] field value is stored as base64url without padding of:
//!
//! | offset    | length | content                                            |
//! |-----------|--------|----------------------------------------------------|
//! | 0         | 1      | format byte, `1`                                   |
//! | 1         | 4      | DEK generation, u32 big-endian, never 0            |
//! | 5         | 12     | nonce                                              |
//! | 17        | n      | ciphertext (same length n as the plaintext)        |
//! | 17 + n    | 16     | GCM tag                                            |
//!
//! Its AAD is the first five bytes (format and generation) followed by the table, record id and
//! field name, each as a u64 big-endian byte length and its UTF-8 bytes. The length prefixes make
//! the encoding injective, so `("a|b", "c")` and `("a", "b|c")` cannot collide.
//!
//! A [`WrappedDek`] is stored the same way (base64url, no padding) and is always 65 bytes:
//! format byte `1`, KEK version (u32 big-endian), 12-byte nonce, the 32 DEK bytes encrypted,
//! 16-byte tag. Its AAD is the text `dek|<participant_id>|<generation>`, which is unambiguous
//! because the generation is the last component and contains only digits.
//!
//! # Keys derived from KEK version 1
//!
//! Blind indexes ([`Keyring::blind_index`]) are derived with HKDF-SHA256 from KEK version 1, not
//! from the current version, so that rotating the KEK does not change them (they would otherwise
//! all have to be recomputed from decrypted data). When version 1 is retired
//! ([`Keyring::retire_file`]), its HKDF extract (the PRK, which is one-way and unwraps nothing)
//! stays in the key file as `index_root`, so the indexes keep working without version 1's bytes.
//! A leak of version 1 (or of the root) exposes the index key until a new derivation (with "v2"
//! info strings) is rolled out together with a re-index.
//!
//! # Retiring KEK versions
//!
//! After a rotation, `utvag keys retire` rewraps whatever an older version still wraps and then
//! takes the older versions out of the key file (naming them under `retired`, so a process still
//! holding one accepts the file). From then on a copy of the database or of the data keys made
//! before the rotation cannot be opened with the key file. Every new data key is wrapped right
//! after the key file is read again, and retiring waits ten minutes after the rotation, so no
//! request that began before it can still be writing a key under a retired version.
//!
//! # The audit chain's own keys
//!
//! The audit chain's HMAC key ([`Keyring::audit_key`]) and the Ed25519 key that signs its
//! checkpoints ([`Keyring::checkpoint_sign`]) are random keys of their own, in the key file's
//! `audit` entry (or expanded from `UTVAG_AUDIT_KEY`), so whoever holds only the KEK cannot
//! rewrite the log. KEK rotation keeps them. Only `UTVAG_KEK` without `UTVAG_AUDIT_KEY`, which
//! the binary allows in demo mode alone, derives them from KEK version 1
//! ([`AuditKeyOrigin::DerivedFromKek`]).
//!
//! # Threat model
//!
//! Protects against:
//! - a leaked database, dump or backup without the key file: field values are ciphertext;
//! - someone with write access to the database moving ciphertext around: a value copied to
//!   another field, record or table, or a wrapped DEK copied to another participant or
//!   generation, fails to open, as does any altered byte;
//! - crash or concurrent-process damage to the key file: it is only ever replaced atomically and
//!   rotations are serialised by a lock file.
//!
//! Does not protect against:
//! - an attacker who controls the running server process (keys are in its memory);
//! - theft of the key file together with the database;
//! - length leaks: ciphertext is exactly 33 bytes longer than plaintext, so callers pad values
//!   whose length is itself sensitive;
//! - rollback of a field to an older value sealed for the same table, record and field;
//! - equality tests on blind-indexed values by anyone who can read the database (that is what a
//!   blind index is for), or offline guessing of low-entropy values such as phone numbers if
//!   KEK version 1 leaks.
//!
//! Secrets live in [`zeroize::Zeroizing`] buffers and are wiped on drop. `ring`'s expanded AES
//! key schedules are not wiped by `ring`; that is a limitation of the library. No `Debug` or
//! `Display` output and no error message ever contains plaintext or key bytes.

mod dek;
mod keyfile;
mod keyring;
mod sealed;

#[cfg(test)]
mod kat;

/// Unwrapped DEKs by participant id ([`crate::ttl_cache::TtlCache`]). Crypto-shredding a
/// participant must remove theirs; otherwise their key would stay usable here until it expires.
pub type DekCache = crate::ttl_cache::TtlCache<std::sync::Arc<Dek>>;
pub use dek::{Dek, DEK_LEN};
pub use keyring::{AuditKeyOrigin, Keyring, WrappedDek, BLIND_INDEX_BYTES};
pub use sealed::{open, seal, Sealed};

/// Everything that can go wrong in this module. Messages never contain plaintext or key bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// Stored bytes that are not a value of the expected format: wrong length, unknown format
    /// byte, invalid base64, generation 0.
    #[error("malformed encrypted value")]
    Malformed,
    /// A wrapped DEK names a KEK version this keyring does not have. If another process may have
    /// rotated the key file, [`Keyring::reload`] and try again.
    #[error("unknown key-encryption key version {kek_version}")]
    UnknownKey { kek_version: u32 },
    /// A sealed value was made with a different DEK generation than the DEK offered to open it.
    #[error("value was sealed under DEK generation {generation}, which is not the DEK supplied")]
    UnknownDek { generation: u32 },
    /// Authentication failed: wrong key, altered bytes, or a value opened in a different place
    /// (table, record, field, participant or generation) than it was sealed for.
    #[error("decryption failed: wrong key, or the value was altered or moved")]
    Open,
    /// Sealing refused because a part of the AAD is empty, which would leave the value unbound
    /// to where it is stored.
    #[error("table, record and field must all be non-empty to seal a value")]
    EmptyAad,
    /// The plaintext is beyond what AES-GCM can encrypt under one nonce (about 64 GiB).
    #[error("value too large to encrypt")]
    TooLarge,
    /// A problem reading, parsing, checking or writing the key file; the message names the path.
    #[error("key file: {0}")]
    KeyFile(String),
    /// A problem with keys given as an environment value.
    #[error("key configuration: {0}")]
    KeyConfig(String),
    /// The operating system's random number generator failed.
    #[error("system random number generator failed")]
    Rng,
}

/// Where a sealed value lives. It is bound into the AEAD's associated data, so a value only
/// opens in the table, record and field it was sealed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aad<'a> {
    pub table: &'a str,
    pub record: &'a str,
    pub field: &'a str,
}

impl<'a> Aad<'a> {
    pub fn new(table: &'a str, record: &'a str, field: &'a str) -> Self {
        Aad {
            table,
            record,
            field,
        }
    }

    fn is_complete(&self) -> bool {
        !self.table.is_empty() && !self.record.is_empty() && !self.field.is_empty()
    }

    /// `header` followed by each part as (u64 BE length, bytes); see the module doc.
    fn encode(&self, header: &[u8]) -> Vec<u8> {
        let parts = [self.table, self.record, self.field];
        let len = header.len() + parts.iter().map(|p| 8 + p.len()).sum::<usize>();
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(header);
        for part in parts {
            // usize -> u64 is lossless on every platform Rust supports.
            out.extend_from_slice(&(part.len() as u64).to_be_bytes());
            out.extend_from_slice(part.as_bytes());
        }
        out
    }
}
