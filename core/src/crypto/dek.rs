//! Per-participant data-encryption keys.

use super::{Aad, CryptoError, Sealed};
use ring::aead::{LessSafeKey, UnboundKey, AES_256_GCM};
use ring::rand::SecureRandom;
use zeroize::Zeroizing;

/// Length of a DEK in bytes (AES-256).
pub const DEK_LEN: usize = 32;

/// A participant's data-encryption key.
///
/// Deliberately neither `Clone` nor convertible to plain bytes: share it through an `Arc` (see
/// [`super::DekCache`]) and store it only in wrapped form ([`super::Keyring::wrap_dek`]). The raw
/// bytes are wiped when it is dropped.
pub struct Dek {
    key: LessSafeKey,
    raw: Zeroizing<[u8; DEK_LEN]>,
    generation: u32,
}

impl Dek {
    /// A fresh random DEK, generation 1 (a participant's first key).
    pub fn generate(rng: &dyn SecureRandom) -> Result<Dek, CryptoError> {
        Self::generate_with_generation(rng, 1)
    }

    /// A fresh random DEK with the given generation, for replacing a participant's key. The
    /// generation is carried in every value sealed under the key so that the right DEK can be
    /// picked when a participant has more than one; 0 is not a valid generation.
    pub fn generate_with_generation(
        rng: &dyn SecureRandom,
        generation: u32,
    ) -> Result<Dek, CryptoError> {
        let mut raw = Zeroizing::new([0u8; DEK_LEN]);
        rng.fill(raw.as_mut()).map_err(|_| CryptoError::Rng)?;
        Self::from_raw(raw, generation)
    }

    /// Builds a DEK from unwrapped key bytes.
    pub(super) fn from_raw(
        raw: Zeroizing<[u8; DEK_LEN]>,
        generation: u32,
    ) -> Result<Dek, CryptoError> {
        if generation == 0 {
            return Err(CryptoError::Malformed);
        }
        let unbound =
            UnboundKey::new(&AES_256_GCM, raw.as_ref()).map_err(|_| CryptoError::Malformed)?;
        Ok(Dek {
            key: LessSafeKey::new(unbound),
            raw,
            generation,
        })
    }

    /// The DEK id carried in the values it seals; starts at 1.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// Seals `plaintext` for the place described by `aad`; see [`super::seal`].
    pub fn seal(&self, aad: &Aad<'_>, plaintext: &[u8]) -> Result<Sealed, CryptoError> {
        super::seal(self, aad, plaintext)
    }

    /// Opens a value sealed for the place described by `aad`; see [`super::open`].
    pub fn open(&self, aad: &Aad<'_>, sealed: &Sealed) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        super::open(self, aad, sealed)
    }

    pub(super) fn aead_key(&self) -> &LessSafeKey {
        &self.key
    }

    /// The raw key bytes, only for wrapping under a KEK.
    pub(super) fn raw(&self) -> &[u8; DEK_LEN] {
        &self.raw
    }
}

impl std::fmt::Debug for Dek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dek(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;

    #[test]
    fn generated_deks_start_at_generation_one_and_differ() {
        let rng = SystemRandom::new();
        let a = Dek::generate(&rng).unwrap();
        let b = Dek::generate(&rng).unwrap();
        assert_eq!(a.generation(), 1);
        assert_ne!(a.raw(), b.raw());
    }

    #[test]
    fn generation_zero_is_refused() {
        let rng = SystemRandom::new();
        assert_eq!(
            Dek::generate_with_generation(&rng, 0).unwrap_err(),
            CryptoError::Malformed
        );
        assert_eq!(
            Dek::generate_with_generation(&rng, 7).unwrap().generation(),
            7
        );
    }

    #[test]
    fn debug_output_hides_the_key() {
        let dek = Dek::generate(&SystemRandom::new()).unwrap();
        assert_eq!(format!("{dek:?}"), "Dek(..)");
        assert_eq!(format!("{dek:#?}"), "Dek(..)");
    }
}
