//! The versioned master key-encryption keys (KEKs), DEK wrapping, the keys derived from the
//! keyring for blind indexes, and the audit chain's own keys (an HMAC key for the chain and an
//! Ed25519 key that signs its checkpoints), which are not derived from any KEK.

use super::keyfile::{self, AuditKeysEntry, KeyFileDoc, KeyFileEntry};
use super::{CryptoError, Dek, DEK_LEN};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chrono::{DateTime, SubsecRound, Utc};
use ring::aead::{self, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{Ed25519KeyPair, KeyPair};
use ring::{hkdf, hmac};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use zeroize::Zeroizing;

const KEK_LEN: usize = 32;
const TAG_LEN: usize = 16;
const WRAP_FORMAT_V1: u8 = 1;
const WRAP_HEADER_LEN: usize = 1 + 4 + NONCE_LEN;
const WRAPPED_LEN: usize = WRAP_HEADER_LEN + DEK_LEN + TAG_LEN;

/// The KEK version that blind-index and audit-chain keys are derived from; why version 1 is
/// explained under "Keys derived from KEK version 1" in the module doc.
const ROOT_VERSION: u32 = 1;
/// Fixed, public HKDF salt: domain separation from any other use of the KEK bytes.
const DERIVATION_SALT: &[u8] = b"utvag kek-derived keys v1";
const BLIND_INDEX_INFO: &[u8] = b"utvag blind-index v1 ";
/// The audit key earlier versions derived from KEK version 1. Never used to make a MAC any more:
/// only to tell the reviewer that a chain was made with it (and so can be rewritten by whoever
/// holds the KEK).
const LEGACY_AUDIT_CHAIN_INFO: &[u8] = b"utvag audit-chain v1";
/// Keys given as `UTVAG_KEK` without `UTVAG_AUDIT_KEY` (allowed only in demo mode and tests)
/// get audit keys derived from KEK version 1 under these labels; see [`AuditKeyOrigin`].
const DEMO_AUDIT_MAC_INFO: &[u8] = b"utvag audit-chain demo v2";
const DEMO_AUDIT_SIGNING_INFO: &[u8] = b"utvag audit-checkpoint demo v2";
/// `UTVAG_AUDIT_KEY` is one 32-byte seed; the two audit keys are expanded from it.
const AUDIT_SEED_SALT: &[u8] = b"utvag audit keys v1";
const AUDIT_SEED_MAC_INFO: &[u8] = b"utvag audit-chain mac";
const AUDIT_SEED_SIGNING_INFO: &[u8] = b"utvag audit-checkpoint ed25519";

/// Bytes of HMAC output kept in a blind index: 12 bytes (96 bits), 24 hex characters.
///
/// With at most about 10^7 indexed values per purpose and installation, the chance of any two
/// distinct values colliding is about n²/2^97 ≈ 10^-15, which is negligible (and a collision
/// would only return an extra candidate, which the caller rules out after decrypting). Shorter
/// output reveals less to someone who can read the index column, so no more is kept.
pub const BLIND_INDEX_BYTES: usize = 12;

/// A DEK wrapped under a KEK, as stored in the database (layout in the module doc).
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedDek([u8; WRAPPED_LEN]);

impl WrappedDek {
    /// Version of the KEK that wrapped this DEK.
    pub fn kek_version(&self) -> u32 {
        u32::from_be_bytes([self.0[1], self.0[2], self.0[3], self.0[4]])
    }

    /// The storage string: base64url without padding.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// Parses a stored string, checking structure without decrypting.
    pub fn decode(s: &str) -> Result<WrappedDek, CryptoError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| CryptoError::Malformed)?;
        Self::from_bytes(&bytes)
    }

    /// Parses stored bytes, with the same checks as [`WrappedDek::decode`].
    pub fn from_bytes(bytes: &[u8]) -> Result<WrappedDek, CryptoError> {
        let array = <[u8; WRAPPED_LEN]>::try_from(bytes).map_err(|_| CryptoError::Malformed)?;
        let wrapped = WrappedDek(array);
        if wrapped.0[0] != WRAP_FORMAT_V1 || wrapped.kek_version() == 0 {
            return Err(CryptoError::Malformed);
        }
        Ok(wrapped)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for WrappedDek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WrappedDek")
            .field("kek_version", &self.kek_version())
            .finish()
    }
}

impl serde::Serialize for WrappedDek {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.encode())
    }
}

impl<'de> serde::Deserialize<'de> for WrappedDek {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        WrappedDek::decode(&s).map_err(|_| serde::de::Error::custom("malformed wrapped DEK"))
    }
}

struct Kek {
    raw: Zeroizing<[u8; KEK_LEN]>,
    aead: LessSafeKey,
}

/// Where the audit chain's keys came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditKeyOrigin {
    /// Their own entry in the key file.
    KeyFile,
    /// `UTVAG_AUDIT_KEY`.
    Environment,
    /// Random, in memory only (tests, throwaway instances).
    Ephemeral,
    /// Derived from KEK version 1 because `UTVAG_KEK` came without `UTVAG_AUDIT_KEY`: demo mode
    /// and tests only, since whoever holds the KEK could then rewrite the log.
    DerivedFromKek,
}

/// The audit chain's keys: never derived from a KEK outside [`AuditKeyOrigin::DerivedFromKek`].
struct AuditKeys {
    raw_mac: Zeroizing<[u8; KEK_LEN]>,
    mac: hmac::Key,
    signing: Ed25519KeyPair,
    origin: AuditKeyOrigin,
}

impl AuditKeys {
    fn new(
        raw_mac: Zeroizing<[u8; KEK_LEN]>,
        signing: Ed25519KeyPair,
        origin: AuditKeyOrigin,
    ) -> AuditKeys {
        let mac = hmac::Key::new(hmac::HMAC_SHA256, raw_mac.as_ref());
        AuditKeys {
            raw_mac,
            mac,
            signing,
            origin,
        }
    }

    fn random(origin: AuditKeyOrigin) -> Result<AuditKeys, CryptoError> {
        let raw = random_key()?;
        let pkcs8 =
            Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| CryptoError::Rng)?;
        let signing = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|_| CryptoError::Rng)?;
        Ok(AuditKeys::new(raw, signing, origin))
    }

    /// Both keys expanded from one secret with HKDF-SHA256 (the `UTVAG_AUDIT_KEY` seed, or KEK
    /// version 1 in demo mode), each under its own label.
    fn expanded(
        prk: &hkdf::Prk,
        mac_info: &[u8],
        signing_info: &[u8],
        origin: AuditKeyOrigin,
    ) -> Result<AuditKeys, String> {
        let raw = expand32(prk, mac_info)?;
        let seed = expand32(prk, signing_info)?;
        let signing = Ed25519KeyPair::from_seed_unchecked(seed.as_ref())
            .map_err(|_| "cannot make the checkpoint signing key".to_string())?;
        Ok(AuditKeys::new(raw, signing, origin))
    }

    fn from_entry(entry: &AuditKeysEntry) -> Result<AuditKeys, String> {
        let raw = decode_key(&entry.mac_key).map_err(|what| format!("the audit key {what}"))?;
        let pkcs8 = Zeroizing::new(
            STANDARD
                .decode(entry.signing_key.trim())
                .map_err(|_| "the checkpoint signing key is not valid base64".to_string())?,
        );
        let signing = Ed25519KeyPair::from_pkcs8(&pkcs8)
            .map_err(|_| "the checkpoint signing key is not an Ed25519 PKCS#8 key".to_string())?;
        Ok(AuditKeys::new(raw, signing, AuditKeyOrigin::KeyFile))
    }

    fn same_as(&self, other: &AuditKeys) -> bool {
        self.raw_mac == other.raw_mac
            && self.signing.public_key().as_ref() == other.signing.public_key().as_ref()
    }
}

struct Len32;

impl hkdf::KeyType for Len32 {
    fn len(&self) -> usize {
        KEK_LEN
    }
}

fn expand32(prk: &hkdf::Prk, info: &[u8]) -> Result<Zeroizing<[u8; KEK_LEN]>, String> {
    let mut out = Zeroizing::new([0u8; KEK_LEN]);
    prk.expand(&[info], Len32)
        .and_then(|okm| okm.fill(out.as_mut()))
        .map_err(|_| "cannot derive the audit keys".to_string())?;
    Ok(out)
}

/// A fresh key-file entry with both audit keys.
fn new_audit_entry() -> Result<AuditKeysEntry, CryptoError> {
    let mac = random_key()?;
    let pkcs8 =
        Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| CryptoError::Rng)?;
    Ok(AuditKeysEntry {
        mac_key: STANDARD.encode(mac.as_ref()),
        signing_key: STANDARD.encode(pkcs8.as_ref()),
        created: Utc::now().trunc_subsecs(0),
    })
}

/// The versioned master keys. Loaded from a key file or an environment value, never stored in
/// the database. Always contains version 1 (see [`Keyring::blind_index`]) and its current
/// version.
pub struct Keyring {
    keks: BTreeMap<u32, Kek>,
    current: u32,
    /// When the current version was made (key file only).
    current_created: Option<DateTime<Utc>>,
    /// Versions taken out of the key file after every key they wrapped was rewrapped.
    retired: BTreeSet<u32>,
    /// HKDF pseudorandom key extracted from KEK version 1, kept in the key file on its own
    /// ("index_root") once version 1 is retired.
    index_root: Zeroizing<[u8; KEK_LEN]>,
    derivation: hkdf::Prk,
    audit: AuditKeys,
    /// The audit key earlier versions derived from KEK version 1 (recognised, never used).
    legacy_audit: hmac::Key,
}

impl Keyring {
    /// Loads the key file at `path`: `{"current": N, "keys": [{"version": N, "key": "<base64 of
    /// 32 bytes>", "created": "<RFC 3339>"}]}`, with `"retired": [N, …]` and `"index_root"`
    /// once versions have been retired ([`Keyring::retire_file`]).
    ///
    /// If the file does not exist and `create` is true, creates it (and its directory, mode 700)
    /// with a fresh random version 1, mode 600 from the moment it exists. Refuses a file that
    /// group or others can access, a malformed file, a key that is not 32 bytes, a current
    /// version without a key, and a keyring without version 1.
    ///
    /// A file without the audit chain's keys (`"audit"`) gets fresh ones, added under the
    /// rotation lock; they are kept from then on, across KEK rotations.
    pub fn load_or_create(path: &Path, create: bool) -> Result<Keyring, CryptoError> {
        if let Some(doc) = keyfile::read(path)? {
            if doc.audit.is_some() {
                return Self::from_doc(&doc, path);
            }
            let _lock = keyfile::lock(path)?;
            let mut doc =
                keyfile::read(path)?.ok_or_else(|| keyfile::error(path, "disappeared"))?;
            if doc.audit.is_none() {
                doc.audit = Some(new_audit_entry()?);
                // Checked before it replaces anything: a bad file stays as it was.
                Self::from_doc(&doc, path)?;
                keyfile::replace(path, &doc)?;
                tracing::warn!(
                    path = %path.display(),
                    "the key file had no audit keys; added a new audit key and checkpoint signing key"
                );
            }
            return Self::from_doc(&doc, path);
        }
        if !create {
            return Err(keyfile::error(path, "does not exist"));
        }
        let doc = KeyFileDoc {
            current: ROOT_VERSION,
            keys: vec![new_entry(ROOT_VERSION)?],
            audit: Some(new_audit_entry()?),
            retired: Vec::new(),
            index_root: None,
        };
        keyfile::create_new(path, &doc)?;
        // Read back through the same checks as any load; if another process created the file
        // first, this picks up its keys instead of ours.
        let doc = keyfile::read(path)?
            .ok_or_else(|| keyfile::error(path, "disappeared right after creation"))?;
        Self::from_doc(&doc, path)
    }

    /// Parses keys from an environment value: `1:<base64>,2:<base64>` (the highest version is
    /// current) or a single `<base64>`, which is version 1. Keys are standard base64 of 32 bytes.
    pub fn from_env_value(value: &str) -> Result<Keyring, CryptoError> {
        let value = value.trim();
        if value.is_empty() {
            return Err(CryptoError::KeyConfig("no keys given".into()));
        }
        let mut keys = Vec::new();
        if value.contains(':') {
            for item in value.split(',') {
                // Messages never echo the entry: it may be key material.
                let (version, key) = item.split_once(':').ok_or_else(|| {
                    CryptoError::KeyConfig("entries must be <version>:<base64 key>".into())
                })?;
                let version: u32 = version
                    .trim()
                    .parse()
                    .map_err(|_| CryptoError::KeyConfig("a key version is not a number".into()))?;
                let key = decode_key(key).map_err(|what| {
                    CryptoError::KeyConfig(format!("key version {version} {what}"))
                })?;
                keys.push((version, key));
            }
        } else {
            let key = decode_key(value)
                .map_err(|what| CryptoError::KeyConfig(format!("the key {what}")))?;
            keys.push((ROOT_VERSION, key));
        }
        let current = keys.iter().map(|(v, _)| *v).max().unwrap_or(ROOT_VERSION);
        // The audit keys come from KEK version 1 until `with_audit_seed` gives them their own.
        Self::build(keys, current, None, None).map_err(CryptoError::KeyConfig)
    }

    /// Replaces the audit keys with ones expanded from `UTVAG_AUDIT_KEY`: standard base64 of a
    /// 32-byte random seed, kept apart from the KEKs.
    pub fn with_audit_seed(mut self, value: &str) -> Result<Keyring, CryptoError> {
        let seed = decode_key(value)
            .map_err(|what| CryptoError::KeyConfig(format!("the audit key {what}")))?;
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, AUDIT_SEED_SALT).extract(seed.as_ref());
        self.audit = AuditKeys::expanded(
            &prk,
            AUDIT_SEED_MAC_INFO,
            AUDIT_SEED_SIGNING_INFO,
            AuditKeyOrigin::Environment,
        )
        .map_err(CryptoError::KeyConfig)?;
        Ok(self)
    }

    /// A keyring with one fresh random version 1 and fresh random audit keys that exist only in
    /// memory: for tests and throwaway demo instances, whose data becomes unreadable when the
    /// process exits.
    pub fn ephemeral() -> Result<Keyring, CryptoError> {
        let key = random_key()?;
        let audit = AuditKeys::random(AuditKeyOrigin::Ephemeral)?;
        Self::build(vec![(ROOT_VERSION, key)], ROOT_VERSION, Some(audit), None)
            .map_err(CryptoError::KeyConfig)
    }

    pub fn current_version(&self) -> u32 {
        self.current
    }

    /// All versions, ascending.
    pub fn versions(&self) -> Vec<u32> {
        self.keks.keys().copied().collect()
    }

    /// Versions retired from the key file, ascending.
    pub fn retired(&self) -> Vec<u32> {
        self.retired.iter().copied().collect()
    }

    /// When the current version was made; `None` for keys from the environment.
    pub fn current_created(&self) -> Option<DateTime<Utc>> {
        self.current_created
    }

    /// Takes every version but the current one that wraps nothing any more (`in_use` lists the
    /// versions the stored keys name) out of the key file at `path`, and returns them. Their key
    /// bytes are gone from the file afterwards, so a copy of the database or of the data keys
    /// made before their last rewrap cannot be opened with it. Version 1's derived keys stay:
    /// the blind indexes' root is kept as `"index_root"` (a one-way HKDF extract that unwraps
    /// nothing).
    ///
    /// Serialised with rotations by the same lock; refused, changing nothing, if the file's
    /// current version is no longer this keyring's (a rotation since the caller's rewrap) or the
    /// file no longer holds every key this keyring holds.
    pub fn retire_file(
        &mut self,
        path: &Path,
        in_use: &BTreeSet<u32>,
    ) -> Result<Vec<u32>, CryptoError> {
        let _lock = keyfile::lock(path)?;
        let mut doc = keyfile::read(path)?.ok_or_else(|| keyfile::error(path, "does not exist"))?;
        let fresh = Self::from_doc(&doc, path)?;
        self.ensure_kept_by(&fresh, path)?;
        if fresh.current != self.current {
            return Err(keyfile::error(
                path,
                format_args!(
                    "version {} became current since the rewrap; retire again",
                    fresh.current
                ),
            ));
        }
        let gone: Vec<u32> = doc
            .keys
            .iter()
            .map(|k| k.version)
            .filter(|v| *v != doc.current && !in_use.contains(v))
            .collect();
        if gone.is_empty() {
            return Ok(gone);
        }
        doc.keys.retain(|k| !gone.contains(&k.version));
        doc.retired.extend(gone.iter().copied());
        doc.retired.sort_unstable();
        doc.retired.dedup();
        doc.index_root = Some(STANDARD.encode(fresh.index_root.as_ref()));
        // Checked before it replaces anything: a bad result leaves the file as it was.
        let retired = Self::from_doc(&doc, path)?;
        keyfile::replace(path, &doc)?;
        *self = retired;
        Ok(gone)
    }

    /// Adds a new random version to the key file at `path` and makes it current, returning the
    /// new version; this keyring is updated to match the file.
    ///
    /// Rotations are serialised across processes by a lock file and start from the file's
    /// content, not this keyring's, so a rotation by another process is never lost. Refused if
    /// the file no longer contains every key this keyring holds.
    pub fn rotate_file(&mut self, path: &Path) -> Result<u32, CryptoError> {
        let _lock = keyfile::lock(path)?;
        let mut doc = keyfile::read(path)?.ok_or_else(|| keyfile::error(path, "does not exist"))?;
        self.ensure_kept_by(&Self::from_doc(&doc, path)?, path)?;

        let newest = doc.keys.iter().map(|k| k.version).max().unwrap_or(0);
        let version = newest
            .checked_add(1)
            .ok_or_else(|| keyfile::error(path, "no key versions left"))?;
        doc.keys.push(new_entry(version)?);
        doc.current = version;
        let rotated = Self::from_doc(&doc, path)?;
        keyfile::replace(path, &doc)?;
        *self = rotated;
        Ok(version)
    }

    /// Re-reads the key file, for when a wrapped DEK names a KEK version this process does not
    /// know yet because another process rotated. Refused, leaving this keyring unchanged, if a
    /// version this keyring holds is missing from the file or has different key bytes: that is a
    /// wrong or damaged file, and adopting it would make data unreadable.
    pub fn reload(&mut self, path: &Path) -> Result<(), CryptoError> {
        let doc = keyfile::read(path)?.ok_or_else(|| keyfile::error(path, "does not exist"))?;
        let fresh = Self::from_doc(&doc, path)?;
        self.ensure_kept_by(&fresh, path)?;
        *self = fresh;
        Ok(())
    }

    /// Wraps `dek` under the current KEK for `participant_id`. The participant and the DEK's
    /// generation are bound into the AAD, so the result only unwraps for that pair.
    pub fn wrap_dek(&self, dek: &Dek, participant_id: &str) -> Result<WrappedDek, CryptoError> {
        let kek = self
            .keks
            .get(&self.current)
            .ok_or(CryptoError::UnknownKey {
                kek_version: self.current,
            })?;
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| CryptoError::Rng)?;

        let mut body = Zeroizing::new([0u8; DEK_LEN]);
        body.copy_from_slice(dek.raw());
        let tag = kek
            .aead
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(wrap_aad(participant_id, dek.generation())),
                body.as_mut(),
            )
            .map_err(|_| CryptoError::TooLarge)?;

        let mut out = [0u8; WRAPPED_LEN];
        out[0] = WRAP_FORMAT_V1;
        out[1..5].copy_from_slice(&self.current.to_be_bytes());
        out[5..WRAP_HEADER_LEN].copy_from_slice(&nonce);
        out[WRAP_HEADER_LEN..WRAP_HEADER_LEN + DEK_LEN].copy_from_slice(body.as_ref());
        out[WRAP_HEADER_LEN + DEK_LEN..].copy_from_slice(tag.as_ref());
        Ok(WrappedDek(out))
    }

    /// Unwraps a DEK stored for `participant_id` with the given generation.
    ///
    /// [`CryptoError::UnknownKey`] if the KEK version is not in this keyring (consider
    /// [`Keyring::reload`]); [`CryptoError::Open`] if the participant or generation differ from
    /// those it was wrapped for, or the bytes were altered.
    pub fn unwrap_dek(
        &self,
        wrapped: &WrappedDek,
        participant_id: &str,
        generation: u32,
    ) -> Result<Dek, CryptoError> {
        let kek_version = wrapped.kek_version();
        let kek = self
            .keks
            .get(&kek_version)
            .ok_or(CryptoError::UnknownKey { kek_version })?;
        let nonce = Nonce::try_assume_unique_for_key(&wrapped.0[5..WRAP_HEADER_LEN])
            .map_err(|_| CryptoError::Malformed)?;
        let mut body = Zeroizing::new([0u8; DEK_LEN + TAG_LEN]);
        body.copy_from_slice(&wrapped.0[WRAP_HEADER_LEN..]);
        let plain = kek
            .aead
            .open_in_place(
                nonce,
                aead::Aad::from(wrap_aad(participant_id, generation)),
                body.as_mut(),
            )
            .map_err(|_| CryptoError::Open)?;
        if plain.len() != DEK_LEN {
            return Err(CryptoError::Malformed);
        }
        let mut raw = Zeroizing::new([0u8; DEK_LEN]);
        raw.copy_from_slice(plain);
        Dek::from_raw(raw, generation)
    }

    /// Blind index for exact-match search: HMAC-SHA256 of `normalized_value` under a key derived
    /// with HKDF-SHA256 from KEK version 1 (info `"utvag blind-index v1 " + purpose`), truncated
    /// to [`BLIND_INDEX_BYTES`] and hex-encoded.
    ///
    /// Each `purpose` ("personnummer", "phone", ...) gets its own key, so equal values under
    /// different purposes are not linkable. The key comes from version 1, not the current version,
    /// so indexes survive rotation (see the module doc). The caller normalises the value
    /// (digits only, fixed century, ...) so that equal values give equal indexes.
    pub fn blind_index(&self, purpose: &str, normalized_value: &str) -> String {
        let key = self.derive_hmac_key(&[BLIND_INDEX_INFO, purpose.as_bytes()]);
        let tag = hmac::sign(&key, normalized_value.as_bytes());
        hex::encode(&tag.as_ref()[..BLIND_INDEX_BYTES])
    }

    /// HMAC-SHA256 key of the audit chain: its own random key from the key file (or
    /// `UTVAG_AUDIT_KEY`), not derived from any KEK, and unchanged by KEK rotation.
    pub fn audit_key(&self) -> hmac::Key {
        self.audit.mac.clone()
    }

    /// Where the audit keys came from.
    pub fn audit_origin(&self) -> AuditKeyOrigin {
        self.audit.origin
    }

    /// Hex HMAC-SHA256 of `data` under [`Keyring::audit_key`].
    pub fn audit_mac(&self, data: &[u8]) -> String {
        hex::encode(hmac::sign(&self.audit.mac, data).as_ref())
    }

    /// Whether `mac_hex` is the audit MAC of `data`; constant-time comparison. Malformed hex is
    /// simply a mismatch.
    #[must_use]
    pub fn audit_verify(&self, data: &[u8], mac_hex: &str) -> bool {
        verify_hex(&self.audit.mac, data, mac_hex)
    }

    /// Whether `mac_hex` is a MAC of `data` under the audit key that earlier versions derived
    /// from KEK version 1: such a chain predates the audit chain's own key.
    #[must_use]
    pub fn audit_verify_legacy(&self, data: &[u8], mac_hex: &str) -> bool {
        verify_hex(&self.legacy_audit, data, mac_hex)
    }

    /// Ed25519 signature of `data` with the checkpoint signing key.
    pub fn checkpoint_sign(&self, data: &[u8]) -> Vec<u8> {
        self.audit.signing.sign(data).as_ref().to_vec()
    }

    /// The checkpoint signing key's public half (32 bytes).
    pub fn checkpoint_public_key(&self) -> Vec<u8> {
        self.audit.signing.public_key().as_ref().to_vec()
    }

    /// HKDF-Expand of the version-1 PRK to an HMAC-SHA256 key.
    fn derive_hmac_key(&self, info: &[&[u8]]) -> hmac::Key {
        match self.derivation.expand(info, hmac::HMAC_SHA256) {
            Ok(okm) => hmac::Key::from(okm),
            // ring only refuses output longer than 255 hash lengths; this asks for one.
            Err(_) => unreachable!("HKDF-SHA256 always expands to 32 bytes"),
        }
    }

    fn from_doc(doc: &KeyFileDoc, path: &Path) -> Result<Keyring, CryptoError> {
        let mut keys = Vec::with_capacity(doc.keys.len());
        for entry in &doc.keys {
            let key = decode_key(&entry.key).map_err(|what| {
                keyfile::error(path, format_args!("key version {} {what}", entry.version))
            })?;
            keys.push((entry.version, key));
        }
        let audit = doc
            .audit
            .as_ref()
            .ok_or_else(|| keyfile::error(path, "has no audit keys (\"audit\")"))?;
        let audit = AuditKeys::from_entry(audit).map_err(|what| keyfile::error(path, what))?;
        let index_root = doc
            .index_root
            .as_deref()
            .map(decode_key)
            .transpose()
            .map_err(|what| keyfile::error(path, format_args!("the index root {what}")))?;
        for v in &doc.retired {
            if doc.keys.iter().any(|k| k.version == *v) {
                return Err(keyfile::error(
                    path,
                    format_args!("key version {v} is both retired and present"),
                ));
            }
        }
        let mut ring = Self::build(keys, doc.current, Some(audit), index_root)
            .map_err(|what| keyfile::error(path, what))?;
        ring.retired = doc.retired.iter().copied().collect();
        ring.current_created = doc
            .keys
            .iter()
            .find(|k| k.version == doc.current)
            .map(|k| k.created);
        Ok(ring)
    }

    /// Validates the versions and sets up the AEAD keys and the derived keys; without `audit`,
    /// the audit keys are derived from KEK version 1 ([`AuditKeyOrigin::DerivedFromKek`]).
    /// Errors are plain descriptions for the caller to attribute to a file or the environment.
    fn build(
        keys: Vec<(u32, Zeroizing<[u8; KEK_LEN]>)>,
        current: u32,
        audit: Option<AuditKeys>,
        index_root: Option<Zeroizing<[u8; KEK_LEN]>>,
    ) -> Result<Keyring, String> {
        let mut keks = BTreeMap::new();
        for (version, raw) in keys {
            if version == 0 {
                return Err("key version 0 is not allowed; versions start at 1".into());
            }
            let unbound = UnboundKey::new(&AES_256_GCM, raw.as_ref())
                .map_err(|_| format!("key version {version} is not a valid AES-256 key"))?;
            let kek = Kek {
                raw,
                aead: LessSafeKey::new(unbound),
            };
            if keks.insert(version, kek).is_some() {
                return Err(format!("key version {version} appears more than once"));
            }
        }
        if !keks.contains_key(&current) {
            return Err(format!("current version {current} has no key"));
        }
        // The HKDF extract of version 1 (RFC 5869: HMAC-SHA256 keyed with the salt), computed
        // by hand so that it can be kept once version 1 itself is retired.
        let index_root = match (keks.get(&ROOT_VERSION), index_root) {
            (Some(root), kept) => {
                let prk = hmac::sign(
                    &hmac::Key::new(hmac::HMAC_SHA256, DERIVATION_SALT),
                    root.raw.as_ref(),
                );
                let mut bytes = Zeroizing::new([0u8; KEK_LEN]);
                bytes.copy_from_slice(prk.as_ref());
                if kept.is_some_and(|k| *k != *bytes) {
                    return Err("the index root does not belong to key version 1".into());
                }
                bytes
            }
            (None, Some(kept)) => kept,
            (None, None) => {
                return Err(
                    "key version 1 is missing; blind indexes are derived from it, so it \
                     must be kept until it is retired (which keeps the index root)"
                        .into(),
                )
            }
        };
        let derivation = hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, index_root.as_ref());
        let legacy_audit = derivation
            .expand(&[LEGACY_AUDIT_CHAIN_INFO], hmac::HMAC_SHA256)
            .map(hmac::Key::from)
            .map_err(|_| "cannot derive the audit key".to_string())?;
        let audit = match audit {
            Some(a) => a,
            None => AuditKeys::expanded(
                &derivation,
                DEMO_AUDIT_MAC_INFO,
                DEMO_AUDIT_SIGNING_INFO,
                AuditKeyOrigin::DerivedFromKek,
            )?,
        };
        Ok(Keyring {
            keks,
            current,
            current_created: None,
            retired: BTreeSet::new(),
            index_root,
            derivation,
            audit,
            legacy_audit,
        })
    }

    /// Every version this keyring holds must be in `other` with the same key bytes, or retired
    /// there; the blind indexes' root must be the same.
    fn ensure_kept_by(&self, other: &Keyring, path: &Path) -> Result<(), CryptoError> {
        if self.index_root != other.index_root {
            return Err(keyfile::error(
                path,
                "key version 1 (the root of the blind indexes) differs from the one in use",
            ));
        }
        for (version, kek) in &self.keks {
            match other.keks.get(version) {
                None if other.retired.contains(version) => {}
                None => {
                    return Err(keyfile::error(
                        path,
                        format_args!("key version {version} is in use but missing from the file"),
                    ))
                }
                Some(theirs) if theirs.raw != kek.raw => {
                    return Err(keyfile::error(
                        path,
                        format_args!("key version {version} differs from the one in use"),
                    ))
                }
                Some(_) => {}
            }
        }
        if !self.audit.same_as(&other.audit) {
            return Err(keyfile::error(
                path,
                "the audit keys differ from the ones in use",
            ));
        }
        Ok(())
    }
}

fn verify_hex(key: &hmac::Key, data: &[u8], mac_hex: &str) -> bool {
    match hex::decode(mac_hex) {
        Ok(mac) => hmac::verify(key, data, &mac).is_ok(),
        Err(_) => false,
    }
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("current", &self.current)
            .field("versions", &self.versions())
            .finish_non_exhaustive()
    }
}

/// `dek|<participant_id>|<generation>`: unambiguous because the generation is last and digits.
fn wrap_aad(participant_id: &str, generation: u32) -> Vec<u8> {
    format!("dek|{participant_id}|{generation}").into_bytes()
}

fn random_key() -> Result<Zeroizing<[u8; KEK_LEN]>, CryptoError> {
    let mut key = Zeroizing::new([0u8; KEK_LEN]);
    SystemRandom::new()
        .fill(key.as_mut())
        .map_err(|_| CryptoError::Rng)?;
    Ok(key)
}

fn new_entry(version: u32) -> Result<KeyFileEntry, CryptoError> {
    let key = random_key()?;
    Ok(KeyFileEntry {
        version,
        key: STANDARD.encode(key.as_ref()),
        created: Utc::now().trunc_subsecs(0),
    })
}

/// Standard base64 of exactly 32 bytes. The error completes a sentence and never quotes input.
fn decode_key(b64: &str) -> Result<Zeroizing<[u8; KEK_LEN]>, &'static str> {
    let bytes = Zeroizing::new(
        STANDARD
            .decode(b64.trim())
            .map_err(|_| "is not valid base64")?,
    );
    if bytes.len() != KEK_LEN {
        return Err("is not 32 bytes");
    }
    let mut key = Zeroizing::new([0u8; KEK_LEN]);
    key.copy_from_slice(&bytes);
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::super::Aad;
    use super::*;
    use proptest::prelude::*;

    fn dek(generation: u32) -> Dek {
        Dek::generate_with_generation(&SystemRandom::new(), generation).unwrap()
    }

    fn b64_key(byte: u8) -> String {
        STANDARD.encode([byte; KEK_LEN])
    }

    /// Does the same unwrapped key seal and open across both DEK handles?
    fn same_key(a: &Dek, b: &Dek) -> bool {
        let aad = Aad::new("t", "r", "f");
        a.seal(&aad, b"probe")
            .and_then(|s| b.open(&aad, &s))
            .is_ok()
    }

    #[test]
    fn env_value_with_a_single_key_is_version_one() {
        let keyring = Keyring::from_env_value(&format!("  {}\n", b64_key(7))).unwrap();
        assert_eq!(
            (keyring.current_version(), keyring.versions()),
            (1, vec![1])
        );
    }

    #[test]
    fn env_value_with_versions_makes_the_highest_current() {
        let value = format!("3:{}, 1:{} ,2:{}", b64_key(3), b64_key(1), b64_key(2));
        let keyring = Keyring::from_env_value(&value).unwrap();
        assert_eq!(
            (keyring.current_version(), keyring.versions()),
            (3, vec![1, 2, 3])
        );
        // The same version-1 key gives the same derived keys however the keyring was loaded.
        let single = Keyring::from_env_value(&b64_key(1)).unwrap();
        assert_eq!(
            keyring.blind_index("phone", "46701234567"),
            single.blind_index("phone", "46701234567")
        );
    }

    #[test]
    fn bad_env_values_are_refused_without_echoing_keys() {
        let k = b64_key(1);
        let short = STANDARD.encode([9u8; 16]);
        let cases = [
            String::new(),
            "   ".into(),
            "not base64!".into(),
            short.clone(),
            format!("1:{short}"),
            format!("2:{k}"),
            format!("1:{k},1:{}", b64_key(2)),
            format!("0:{k},1:{}", b64_key(2)),
            format!("one:{k}"),
            format!("1:{k},{}", b64_key(2)),
            format!("1:{k},"),
        ];
        for value in cases {
            match Keyring::from_env_value(&value) {
                Err(CryptoError::KeyConfig(msg)) => {
                    assert!(
                        !msg.contains(&k) && !msg.contains(&short),
                        "{msg} leaks a key"
                    );
                }
                other => panic!("{value:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn ephemeral_keyrings_are_random_and_have_version_one() {
        let (a, b) = (Keyring::ephemeral().unwrap(), Keyring::ephemeral().unwrap());
        assert_eq!(a.versions(), vec![1]);
        assert_ne!(a.blind_index("phone", "1"), b.blind_index("phone", "1"));
    }

    #[test]
    fn wrapped_dek_unwraps_only_for_its_participant_and_generation() {
        let keyring = Keyring::ephemeral().unwrap();
        let original = dek(3);
        let wrapped = keyring.wrap_dek(&original, "participant:42").unwrap();
        let parsed = WrappedDek::decode(&wrapped.encode()).unwrap();
        assert_eq!(parsed, wrapped);
        let unwrapped = keyring.unwrap_dek(&parsed, "participant:42", 3).unwrap();
        assert_eq!(unwrapped.generation(), 3);
        assert!(same_key(&original, &unwrapped));

        for (pid, generation) in [
            ("participant:43", 3),
            ("participant:4", 3),
            ("participant:42", 2),
            ("", 3),
        ] {
            assert_eq!(
                keyring.unwrap_dek(&wrapped, pid, generation).unwrap_err(),
                CryptoError::Open
            );
        }
        assert_eq!(
            keyring
                .unwrap_dek(&wrapped, "participant:42", 0)
                .unwrap_err(),
            CryptoError::Open
        );
        let other = Keyring::ephemeral().unwrap();
        assert_eq!(
            other.unwrap_dek(&wrapped, "participant:42", 3).unwrap_err(),
            CryptoError::Open
        );
    }

    #[test]
    fn wrapped_dek_has_a_fixed_layout_and_redacted_debug() {
        let keyring =
            Keyring::from_env_value(&format!("1:{},5:{}", b64_key(1), b64_key(5))).unwrap();
        let wrapped = keyring.wrap_dek(&dek(1), "p:1").unwrap();
        let bytes = wrapped.as_bytes();
        assert_eq!(bytes.len(), 65);
        assert_eq!(&bytes[..5], &[1, 0, 0, 0, 5]);
        assert_eq!(wrapped.kek_version(), 5);
        assert_eq!(format!("{wrapped:?}"), "WrappedDek { kek_version: 5 }");
        let json = serde_json::to_string(&wrapped).unwrap();
        assert_eq!(serde_json::from_str::<WrappedDek>(&json).unwrap(), wrapped);
    }

    #[test]
    fn structurally_invalid_wrapped_deks_are_malformed() {
        let wrapped = Keyring::ephemeral()
            .unwrap()
            .wrap_dek(&dek(1), "p:1")
            .unwrap();
        let mut wrong_format = wrapped.as_bytes().to_vec();
        wrong_format[0] = 0;
        let mut version_zero = wrapped.as_bytes().to_vec();
        version_zero[1..5].copy_from_slice(&[0; 4]);
        let mut long = wrapped.as_bytes().to_vec();
        long.push(0);
        for bad in [
            &wrong_format[..],
            &version_zero[..],
            &long[..],
            &wrapped.as_bytes()[..64],
            &[],
        ] {
            assert_eq!(
                WrappedDek::from_bytes(bad).unwrap_err(),
                CryptoError::Malformed
            );
        }
        assert_eq!(WrappedDek::decode("*").unwrap_err(), CryptoError::Malformed);
    }

    /// Key file tests need Unix permissions; key files are refused elsewhere anyway.
    #[cfg(unix)]
    mod key_file {
        use super::*;
        use std::fs;
        use std::os::unix::fs::PermissionsExt;
        use std::path::PathBuf;

        /// A directory under the system temp dir, removed on drop.
        struct TempDir(PathBuf);

        impl TempDir {
            fn new(name: &str) -> TempDir {
                let dir = std::env::temp_dir()
                    .join(format!("utvag-crypto-test-{}-{name}", std::process::id()));
                let _ = fs::remove_dir_all(&dir);
                fs::create_dir_all(&dir).unwrap();
                TempDir(dir)
            }

            fn key_file(&self) -> PathBuf {
                self.0.join("keys").join("keys.json")
            }
        }

        impl Drop for TempDir {
            fn drop(&mut self) {
                let _ = fs::remove_dir_all(&self.0);
            }
        }

        fn mode(path: &Path) -> u32 {
            fs::metadata(path).unwrap().permissions().mode() & 0o777
        }

        /// Writes `content` as a key file with owner-only permissions.
        fn write_key_file(path: &Path, content: &str) {
            use std::os::unix::fs::OpenOptionsExt;
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            let _ = fs::remove_file(path);
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .unwrap();
            std::io::Write::write_all(&mut f, content.as_bytes()).unwrap();
        }

        fn assert_key_file_error(err: CryptoError, path: &Path, needle: &str) {
            match err {
                CryptoError::KeyFile(msg) => {
                    assert!(
                        msg.contains(&path.display().to_string()),
                        "{msg} should name the path"
                    );
                    assert!(msg.contains(needle), "{msg} should mention {needle:?}");
                }
                other => panic!("expected a key file error, got {other:?}"),
            }
        }

        #[test]
        fn key_file_is_created_owner_only_with_a_version_one_key() {
            let tmp = TempDir::new("create");
            let path = tmp.key_file();
            let keyring = Keyring::load_or_create(&path, true).unwrap();
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
            assert_eq!(
                (keyring.current_version(), keyring.versions()),
                (1, vec![1])
            );

            let json: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
            assert_eq!(json["current"], 1);
            assert_eq!(json["keys"][0]["version"], 1);
            assert_eq!(
                STANDARD
                    .decode(json["keys"][0]["key"].as_str().unwrap())
                    .unwrap()
                    .len(),
                32
            );
            assert!(chrono::DateTime::parse_from_rfc3339(
                json["keys"][0]["created"].as_str().unwrap()
            )
            .is_ok());
            let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
            assert_eq!(leftovers.len(), 1, "no temporary files are left behind");
        }

        #[test]
        fn existing_key_file_is_loaded_not_replaced() {
            let tmp = TempDir::new("reload-existing");
            let path = tmp.key_file();
            let first = Keyring::load_or_create(&path, true).unwrap();
            let wrapped = first.wrap_dek(&dek(1), "p:1").unwrap();
            let second = Keyring::load_or_create(&path, true).unwrap();
            assert!(second.unwrap_dek(&wrapped, "p:1", 1).is_ok());
        }

        #[test]
        fn missing_key_file_is_an_error_unless_creation_is_allowed() {
            let tmp = TempDir::new("missing");
            let path = tmp.key_file();
            let err = Keyring::load_or_create(&path, false).unwrap_err();
            assert_key_file_error(err, &path, "does not exist");
            assert!(!path.exists());
        }

        #[test]
        fn key_file_accessible_to_group_or_others_is_refused() {
            let tmp = TempDir::new("perms");
            let path = tmp.key_file();
            Keyring::load_or_create(&path, true).unwrap();
            for bad in [0o644, 0o640, 0o604, 0o620, 0o660] {
                fs::set_permissions(&path, fs::Permissions::from_mode(bad)).unwrap();
                let err = Keyring::load_or_create(&path, true).unwrap_err();
                assert_key_file_error(err, &path, "must be 600");
            }
            fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
            assert!(
                Keyring::load_or_create(&path, false).is_ok(),
                "read-only for the owner is fine"
            );
        }

        #[test]
        fn malformed_key_files_are_refused_without_echoing_keys() {
            let tmp = TempDir::new("malformed");
            let path = tmp.key_file();
            let (k1, k2) = (b64_key(1), b64_key(2));
            let short = STANDARD.encode([1u8; 31]);
            let entry = |v: u32, k: &str| {
                format!(r#"{{"version":{v},"key":"{k}","created":"2025-01-01T00:00:00Z"}}"#)
            };
            let cases = [
                ("not json".to_string(), "not a valid key file"),
                (
                    format!(r#"{{"current":"{k1}","keys":[]}}"#),
                    "not a valid key file",
                ),
                (
                    format!(r#"{{"current":1,"keys":[{}]}}"#, entry(1, "not base64!")),
                    "key version 1 is not valid base64",
                ),
                (
                    format!(r#"{{"current":1,"keys":[{}]}}"#, entry(1, &short)),
                    "key version 1 is not 32 bytes",
                ),
                (
                    format!(r#"{{"current":2,"keys":[{}]}}"#, entry(1, &k1)),
                    "current version 2 has no key",
                ),
                (
                    format!(r#"{{"current":2,"keys":[{}]}}"#, entry(2, &k2)),
                    "key version 1 is missing",
                ),
                (
                    format!(
                        r#"{{"current":1,"keys":[{},{}]}}"#,
                        entry(1, &k1),
                        entry(1, &k2)
                    ),
                    "appears more than once",
                ),
                (
                    format!(
                        r#"{{"current":1,"keys":[{},{}]}}"#,
                        entry(0, &k2),
                        entry(1, &k1)
                    ),
                    "version 0",
                ),
                (
                    format!(
                        r#"{{"current":1,"keys":[{}],"extra":"{k2}"}}"#,
                        entry(1, &k1)
                    ),
                    "not a valid key file",
                ),
                (
                    format!(r#"{{"current":1,"keys":[{{"version":1,"key":"{k1}"}}]}}"#),
                    "not a valid key file",
                ),
            ];
            for (content, needle) in cases {
                write_key_file(&path, &content);
                let err = Keyring::load_or_create(&path, true).unwrap_err();
                let msg = err.to_string();
                assert!(
                    !msg.contains(&k1) && !msg.contains(&k2),
                    "{msg} leaks a key"
                );
                assert_key_file_error(err, &path, needle);
            }
        }

        #[test]
        fn hand_written_key_file_loads() {
            let tmp = TempDir::new("hand-written");
            let path = tmp.key_file();
            let content = format!(
                r#"{{"current": 2, "keys": [
                    {{"version": 1, "key": "{}", "created": "2025-01-01T00:00:00Z"}},
                    {{"version": 2, "key": "{}", "created": "2025-06-01T12:00:00+02:00"}}]}}"#,
                b64_key(1),
                b64_key(2)
            );
            write_key_file(&path, &content);
            let keyring = Keyring::load_or_create(&path, false).unwrap();
            assert_eq!(
                (keyring.current_version(), keyring.versions()),
                (2, vec![1, 2])
            );
        }

        #[test]
        fn rotation_adds_a_version_and_old_wrapped_deks_still_unwrap() {
            let tmp = TempDir::new("rotate");
            let path = tmp.key_file();
            let mut keyring = Keyring::load_or_create(&path, true).unwrap();
            let old_dek = dek(1);
            let old = keyring.wrap_dek(&old_dek, "p:1").unwrap();
            assert_eq!(old.kek_version(), 1);

            assert_eq!(keyring.rotate_file(&path).unwrap(), 2);
            assert_eq!(
                (keyring.current_version(), keyring.versions()),
                (2, vec![1, 2])
            );
            let new_dek = dek(1);
            let new = keyring.wrap_dek(&new_dek, "p:2").unwrap();
            assert_eq!(new.kek_version(), 2);
            assert!(same_key(
                &keyring.unwrap_dek(&old, "p:1", 1).unwrap(),
                &old_dek
            ));

            // The file holds both versions, is still private, and nothing else was left behind.
            assert_eq!(mode(&path), 0o600);
            let from_file = Keyring::load_or_create(&path, false).unwrap();
            assert_eq!(
                (from_file.current_version(), from_file.versions()),
                (2, vec![1, 2])
            );
            assert!(same_key(
                &from_file.unwrap_dek(&old, "p:1", 1).unwrap(),
                &old_dek
            ));
            assert!(same_key(
                &from_file.unwrap_dek(&new, "p:2", 1).unwrap(),
                &new_dek
            ));
            let mut names: Vec<_> = fs::read_dir(path.parent().unwrap())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            assert_eq!(names, ["keys.json", "keys.json.lock"]);
        }

        #[test]
        fn process_that_missed_a_rotation_reports_unknown_key_until_it_reloads() {
            let tmp = TempDir::new("stale");
            let path = tmp.key_file();
            let mut stale = Keyring::load_or_create(&path, true).unwrap();
            let mut rotator = Keyring::load_or_create(&path, false).unwrap();
            rotator.rotate_file(&path).unwrap();
            let wrapped = rotator.wrap_dek(&dek(1), "p:1").unwrap();

            assert_eq!(
                stale.unwrap_dek(&wrapped, "p:1", 1).unwrap_err(),
                CryptoError::UnknownKey { kek_version: 2 }
            );
            stale.reload(&path).unwrap();
            assert_eq!(stale.current_version(), 2);
            assert!(stale.unwrap_dek(&wrapped, "p:1", 1).is_ok());
        }

        #[test]
        fn rotation_from_a_stale_keyring_keeps_the_other_processes_version() {
            let tmp = TempDir::new("concurrent-rotate");
            let path = tmp.key_file();
            let mut a = Keyring::load_or_create(&path, true).unwrap();
            let mut b = Keyring::load_or_create(&path, false).unwrap();
            assert_eq!(a.rotate_file(&path).unwrap(), 2);
            let wrapped_by_a = a.wrap_dek(&dek(1), "p:1").unwrap();
            assert_eq!(b.rotate_file(&path).unwrap(), 3);
            assert_eq!(b.versions(), vec![1, 2, 3]);
            assert!(b.unwrap_dek(&wrapped_by_a, "p:1", 1).is_ok());
        }

        #[test]
        fn reload_and_rotation_refuse_a_file_that_changed_a_key_in_use() {
            let tmp = TempDir::new("swapped");
            let path = tmp.key_file();
            let mut keyring = Keyring::load_or_create(&path, true).unwrap();
            let wrapped = keyring.wrap_dek(&dek(1), "p:1").unwrap();
            fs::remove_file(&path).unwrap();
            Keyring::load_or_create(&path, true).unwrap(); // a different version 1

            assert_key_file_error(keyring.reload(&path).unwrap_err(), &path, "differs");
            assert_key_file_error(keyring.rotate_file(&path).unwrap_err(), &path, "differs");
            assert!(
                keyring.unwrap_dek(&wrapped, "p:1", 1).is_ok(),
                "the keyring was left unchanged"
            );
            assert_eq!(keyring.versions(), vec![1]);
        }

        /// The audit MAC key the first versions derived from KEK version 1.
        fn kek_derived_audit_key(kek: &[u8]) -> hmac::Key {
            hkdf::Salt::new(hkdf::HKDF_SHA256, b"utvag kek-derived keys v1")
                .extract(kek)
                .expand(&[b"utvag audit-chain v1"], hmac::HMAC_SHA256)
                .unwrap()
                .into()
        }

        #[test]
        fn the_key_file_holds_audit_keys_of_their_own_that_rotation_keeps() {
            let tmp = TempDir::new("audit-keys");
            let path = tmp.key_file();
            let mut keyring = Keyring::load_or_create(&path, true).unwrap();
            assert_eq!(keyring.audit_origin(), AuditKeyOrigin::KeyFile);
            let json: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
            let mac_key = STANDARD
                .decode(json["audit"]["mac_key"].as_str().unwrap())
                .unwrap();
            let kek = STANDARD
                .decode(json["keys"][0]["key"].as_str().unwrap())
                .unwrap();
            assert_eq!(mac_key.len(), 32);
            assert_ne!(mac_key, kek);
            // The chain's MACs are made with the file's audit key ...
            let mac = keyring.audit_mac(b"entry 1");
            let own = hmac::Key::new(hmac::HMAC_SHA256, &mac_key);
            assert_eq!(mac, hex::encode(hmac::sign(&own, b"entry 1").as_ref()));
            // ... and a MAC made with anything derived from the KEK does not verify.
            let forged = hex::encode(hmac::sign(&kek_derived_audit_key(&kek), b"entry 1").as_ref());
            assert!(!keyring.audit_verify(b"entry 1", &forged));
            assert!(keyring.audit_verify_legacy(b"entry 1", &forged));
            // The checkpoint key is an Ed25519 PKCS#8 document whose signatures verify.
            let sig = keyring.checkpoint_sign(b"checkpoint");
            ring::signature::UnparsedPublicKey::new(
                &ring::signature::ED25519,
                keyring.checkpoint_public_key(),
            )
            .verify(b"checkpoint", &sig)
            .unwrap();

            // A new KEK changes neither audit key.
            let public = keyring.checkpoint_public_key();
            keyring.rotate_file(&path).unwrap();
            let rotated = Keyring::load_or_create(&path, false).unwrap();
            assert!(rotated.audit_verify(b"entry 1", &mac));
            assert_eq!(rotated.checkpoint_public_key(), public);
            assert_eq!(rotated.versions(), vec![1, 2]);
        }

        #[test]
        fn a_key_file_without_audit_keys_gets_them_once_and_keeps_them() {
            let tmp = TempDir::new("audit-keys-added");
            let path = tmp.key_file();
            write_key_file(
                &path,
                &format!(
                    r#"{{"current":1,"keys":[{{"version":1,"key":"{}","created":"2025-01-01T00:00:00Z"}}]}}"#,
                    b64_key(1)
                ),
            );
            let first = Keyring::load_or_create(&path, false).unwrap();
            assert_eq!(mode(&path), 0o600);
            let json: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
            assert!(
                json["audit"]["mac_key"].is_string() && json["audit"]["signing_key"].is_string()
            );
            let mac = first.audit_mac(b"x");
            let again = Keyring::load_or_create(&path, false).unwrap();
            assert!(again.audit_verify(b"x", &mac));
            assert_eq!(again.checkpoint_public_key(), first.checkpoint_public_key());
            assert!(!again.audit_verify(
                b"x",
                &hex::encode(hmac::sign(&kek_derived_audit_key(&[1u8; 32]), b"x").as_ref())
            ));
        }

        #[test]
        fn reload_refuses_a_file_whose_audit_keys_changed() {
            let tmp = TempDir::new("audit-keys-swapped");
            let path = tmp.key_file();
            let mut keyring = Keyring::load_or_create(&path, true).unwrap();
            let mut json: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
            json["audit"]["mac_key"] = STANDARD.encode([5u8; 32]).into();
            write_key_file(&path, &json.to_string());
            assert_key_file_error(
                keyring.reload(&path).unwrap_err(),
                &path,
                "audit keys differ",
            );
        }

        #[test]
        fn blind_index_is_stable_across_rotation_and_differs_by_purpose() {
            let tmp = TempDir::new("blind");
            let path = tmp.key_file();
            let mut keyring = Keyring::load_or_create(&path, true).unwrap();
            let before = keyring.blind_index("personnummer", "199001011234");
            assert_eq!(before.len(), 2 * BLIND_INDEX_BYTES);
            assert!(before
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
            let audit_before = keyring.audit_mac(b"entry 1");

            keyring.rotate_file(&path).unwrap();
            assert_eq!(keyring.blind_index("personnummer", "199001011234"), before);
            assert!(keyring.audit_verify(b"entry 1", &audit_before));

            assert_ne!(keyring.blind_index("phone", "199001011234"), before);
            assert_ne!(keyring.blind_index("personnummer", "199001011235"), before);
            // Purpose and value are not simply concatenated into one input.
            assert_ne!(
                keyring.blind_index("phone", "1"),
                keyring.blind_index("phon", "e1")
            );
        }

        #[test]
        fn retiring_takes_unused_old_versions_out_and_keeps_the_derived_keys() {
            let tmp = TempDir::new("retire");
            let path = tmp.key_file();
            let mut keyring = Keyring::load_or_create(&path, true).unwrap();
            let index = keyring.blind_index("personnummer", "199001011234");
            let old = keyring.wrap_dek(&dek(1), "p:1").unwrap();
            let mut stale = Keyring::load_or_create(&path, false).unwrap();
            keyring.rotate_file(&path).unwrap();
            keyring.rotate_file(&path).unwrap();

            // Version 2 still wraps a key: only version 1 goes.
            let in_use = BTreeSet::from([2, 3]);
            assert_eq!(keyring.retire_file(&path, &in_use).unwrap(), vec![1]);
            assert_eq!(
                (keyring.versions(), keyring.retired()),
                (vec![2, 3], vec![1])
            );
            assert_eq!(
                keyring.unwrap_dek(&old, "p:1", 1).unwrap_err(),
                CryptoError::UnknownKey { kek_version: 1 }
            );
            let from_file = Keyring::load_or_create(&path, false).unwrap();
            assert_eq!(from_file.versions(), vec![2, 3]);
            assert_eq!(from_file.blind_index("personnummer", "199001011234"), index);
            let text = fs::read_to_string(&path).unwrap();
            assert!(text.contains("\"index_root\""), "{text}");
            // A process that still holds version 1 accepts the file without it.
            stale.reload(&path).unwrap();
            assert_eq!(stale.versions(), vec![2, 3]);
            // Then version 2, once nothing names it; the current version always stays.
            assert_eq!(
                keyring.retire_file(&path, &BTreeSet::from([3])).unwrap(),
                vec![2]
            );
            assert!(keyring
                .retire_file(&path, &BTreeSet::new())
                .unwrap()
                .is_empty());
            assert_eq!(keyring.versions(), vec![3]);
            assert_eq!(keyring.blind_index("personnummer", "199001011234"), index);
        }

        #[test]
        fn retiring_is_refused_after_a_rotation_it_did_not_see() {
            let tmp = TempDir::new("retire-stale");
            let path = tmp.key_file();
            let mut a = Keyring::load_or_create(&path, true).unwrap();
            let mut b = Keyring::load_or_create(&path, false).unwrap();
            a.rotate_file(&path).unwrap();
            b.reload(&path).unwrap();
            a.rotate_file(&path).unwrap();
            // b rewrapped under version 2, but 3 is current now.
            assert_key_file_error(
                b.retire_file(&path, &BTreeSet::from([2])).unwrap_err(),
                &path,
                "became current",
            );
            assert_eq!(
                Keyring::load_or_create(&path, false).unwrap().versions(),
                vec![1, 2, 3]
            );
        }

        #[test]
        fn a_key_file_with_a_retired_version_present_or_a_foreign_index_root_is_refused() {
            let tmp = TempDir::new("retire-bad");
            let path = tmp.key_file();
            let mut keyring = Keyring::load_or_create(&path, true).unwrap();
            keyring.rotate_file(&path).unwrap();
            keyring.retire_file(&path, &BTreeSet::new()).unwrap();
            let good = fs::read_to_string(&path).unwrap();
            let mut doc: serde_json::Value = serde_json::from_str(&good).unwrap();
            doc["retired"] = serde_json::json!([1, 2]);
            write_key_file(&path, &doc.to_string());
            assert_key_file_error(
                Keyring::load_or_create(&path, false).unwrap_err(),
                &path,
                "both retired and present",
            );
            let mut doc: serde_json::Value = serde_json::from_str(&good).unwrap();
            doc["index_root"] = serde_json::json!(b64_key(9));
            write_key_file(&path, &doc.to_string());
            // Loads (version 1 is gone, so nothing to hold the root to), but a process that
            // knows the real root refuses it.
            assert_key_file_error(
                keyring.reload(&path).unwrap_err(),
                &path,
                "root of the blind indexes",
            );
        }
    }

    #[test]
    fn blind_index_matches_its_documented_derivation() {
        let keyring = Keyring::from_env_value(&b64_key(1)).unwrap();
        let prk =
            hkdf::Salt::new(hkdf::HKDF_SHA256, b"utvag kek-derived keys v1").extract(&[1u8; 32]);
        let key: hmac::Key = prk
            .expand(&[b"utvag blind-index v1 phone"], hmac::HMAC_SHA256)
            .unwrap()
            .into();
        let expected = hex::encode(&hmac::sign(&key, b"46701234567").as_ref()[..12]);
        assert_eq!(keyring.blind_index("phone", "46701234567"), expected);
    }

    #[test]
    fn audit_mac_verifies_and_rejects_tampering() {
        let keyring = Keyring::ephemeral().unwrap();
        let mac = keyring.audit_mac(b"2025-11-25T08:00:00Z|user:7|read|participant:42");
        assert_eq!(mac.len(), 64);
        assert!(keyring.audit_verify(b"2025-11-25T08:00:00Z|user:7|read|participant:42", &mac));
        assert!(!keyring.audit_verify(b"2025-11-25T08:00:00Z|user:7|read|participant:43", &mac));
        assert!(!keyring.audit_verify(
            b"2025-11-25T08:00:00Z|user:7|read|participant:42",
            &mac[..62]
        ));
        assert!(!keyring.audit_verify(b"x", "zz"));
        assert!(!keyring.audit_verify(b"x", ""));
        let tag = hmac::sign(&keyring.audit_key(), b"x");
        assert!(keyring.audit_verify(b"x", &hex::encode(tag.as_ref())));
        assert!(!Keyring::ephemeral()
            .unwrap()
            .audit_verify(b"x", &hex::encode(tag.as_ref())));
    }

    #[test]
    fn environment_keys_take_the_audit_keys_from_their_own_seed() {
        let derived = Keyring::from_env_value(&b64_key(1)).unwrap();
        assert_eq!(derived.audit_origin(), AuditKeyOrigin::DerivedFromKek);
        let own = Keyring::from_env_value(&b64_key(1))
            .unwrap()
            .with_audit_seed(&b64_key(2))
            .unwrap();
        assert_eq!(own.audit_origin(), AuditKeyOrigin::Environment);
        let mac = own.audit_mac(b"x");
        assert!(!derived.audit_verify(b"x", &mac));
        // The same seed gives the same keys with any KEK: they do not depend on it.
        let other_kek = Keyring::from_env_value(&b64_key(3))
            .unwrap()
            .with_audit_seed(&b64_key(2))
            .unwrap();
        assert!(other_kek.audit_verify(b"x", &mac));
        assert_eq!(
            other_kek.checkpoint_public_key(),
            own.checkpoint_public_key()
        );
        assert!(matches!(
            Keyring::ephemeral().unwrap().with_audit_seed("short"),
            Err(CryptoError::KeyConfig(_))
        ));
    }

    #[test]
    fn keyring_debug_shows_versions_only() {
        let k = b64_key(0xAB);
        let keyring = Keyring::from_env_value(&format!("1:{k}")).unwrap();
        let debug = format!("{keyring:?}");
        assert_eq!(debug, "Keyring { current: 1, versions: [1], .. }");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_flipped_bit_in_a_wrapped_dek_is_rejected(bit in 0usize..WRAPPED_LEN * 8) {
            let keyring = Keyring::ephemeral().unwrap();
            let mut bytes = keyring.wrap_dek(&dek(1), "p:1")?.as_bytes().to_vec();
            bytes[bit / 8] ^= 1 << (bit % 8);
            if let Ok(tampered) = WrappedDek::from_bytes(&bytes) {
                let result = keyring.unwrap_dek(&tampered, "p:1", 1);
                prop_assert!(matches!(result, Err(CryptoError::Open | CryptoError::UnknownKey { .. })), "{result:?}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn decoding_arbitrary_strings_as_wrapped_deks_never_panics(s in any::<String>()) {
            let _ = WrappedDek::decode(&s);
        }

        #[test]
        fn decoding_arbitrary_bytes_as_wrapped_deks_never_panics(
            bytes in proptest::collection::vec(any::<u8>(), 0..100),
        ) {
            let parsed = WrappedDek::decode(&URL_SAFE_NO_PAD.encode(&bytes));
            prop_assert_eq!(parsed.is_ok(), bytes.len() == WRAPPED_LEN && bytes[0] == 1 && bytes[1..5] != [0; 4]);
        }

        #[test]
        fn env_parsing_never_panics(s in "[0-9:, A-Za-z+/=]{0,120}") {
            let _ = Keyring::from_env_value(&s);
        }
    }
}
