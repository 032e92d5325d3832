//! Sealed field values: the stored form of sensitive data (layout in the module doc).

use super::{Aad, CryptoError, Dek};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::aead::{self, Nonce, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

const FORMAT_V1: u8 = 1;
/// Format byte and generation: authenticated as part of the AAD.
const PREFIX_LEN: usize = 1 + 4;
const HEADER_LEN: usize = PREFIX_LEN + NONCE_LEN;
const TAG_LEN: usize = 16;
const MIN_LEN: usize = HEADER_LEN + TAG_LEN;

/// An encrypted field value. Made from plaintext only by [`seal`] (or [`Dek::seal`]); made from
/// storage only by [`Sealed::decode`] or [`Sealed::from_bytes`], which check the structure.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed(Vec<u8>);

impl Sealed {
    /// Parses a stored string. Checks structure (base64url, format byte, length, generation)
    /// without decrypting.
    pub fn decode(s: &str) -> Result<Sealed, CryptoError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| CryptoError::Malformed)?;
        Self::from_bytes(&bytes)
    }

    /// Parses stored bytes, with the same checks as [`Sealed::decode`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Sealed, CryptoError> {
        if bytes.len() < MIN_LEN || bytes[0] != FORMAT_V1 || generation_of(bytes) == 0 {
            return Err(CryptoError::Malformed);
        }
        Ok(Sealed(bytes.to_vec()))
    }

    /// The storage string: base64url without padding.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.0)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The generation of the DEK this value was sealed under.
    pub fn generation(&self) -> u32 {
        generation_of(&self.0)
    }

    /// Length of the binary form.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a sealed value carries at least a header and a tag.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Generation field of a buffer already known to be at least `PREFIX_LEN` long; 0 otherwise,
/// which callers treat as malformed.
fn generation_of(bytes: &[u8]) -> u32 {
    match bytes
        .get(1..PREFIX_LEN)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
    {
        Some(b) => u32::from_be_bytes(b),
        None => 0,
    }
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed")
            .field("generation", &self.generation())
            .field("len", &self.0.len())
            .finish()
    }
}

impl serde::Serialize for Sealed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.encode())
    }
}

impl<'de> serde::Deserialize<'de> for Sealed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Sealed::decode(&s).map_err(|_| serde::de::Error::custom("malformed sealed value"))
    }
}

/// Encrypts `plaintext` under `dek`, bound to the place described by `aad`, with a fresh random
/// nonce. Every part of `aad` must be non-empty.
pub fn seal(dek: &Dek, aad: &Aad<'_>, plaintext: &[u8]) -> Result<Sealed, CryptoError> {
    if !aad.is_complete() {
        return Err(CryptoError::EmptyAad);
    }
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| CryptoError::Rng)?;

    // The plaintext is copied in and encrypted in place. The exact capacity means the buffer is
    // never reallocated, so no stray plaintext copy is left behind in freed memory, and the
    // Zeroizing wrapper wipes it if sealing fails.
    let mut buf = Zeroizing::new(Vec::with_capacity(MIN_LEN + plaintext.len()));
    buf.push(FORMAT_V1);
    buf.extend_from_slice(&dek.generation().to_be_bytes());
    buf.extend_from_slice(&nonce);
    let aad_bytes = aad.encode(&buf[..PREFIX_LEN]);
    buf.extend_from_slice(plaintext);
    let tag = dek
        .aead_key()
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(aad_bytes),
            &mut buf[HEADER_LEN..],
        )
        .map_err(|_| CryptoError::TooLarge)?;
    buf.extend_from_slice(tag.as_ref());
    Ok(Sealed(std::mem::take(&mut *buf)))
}

/// Decrypts a value sealed under `dek` for the place described by `aad`.
///
/// Fails with [`CryptoError::UnknownDek`] if the value names another DEK generation, and with
/// [`CryptoError::Open`] if the key is wrong, any byte was altered, or `aad` differs from the
/// one used to seal.
pub fn open(dek: &Dek, aad: &Aad<'_>, sealed: &Sealed) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let generation = sealed.generation();
    if generation != dek.generation() {
        return Err(CryptoError::UnknownDek { generation });
    }
    let bytes = sealed.as_bytes();
    let (Some(prefix), Some(nonce), Some(body)) = (
        bytes.get(..PREFIX_LEN),
        bytes.get(PREFIX_LEN..HEADER_LEN),
        bytes.get(HEADER_LEN..),
    ) else {
        return Err(CryptoError::Malformed);
    };
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptoError::Malformed)?;
    let aad_bytes = aad.encode(prefix);
    let mut buf = Zeroizing::new(body.to_vec());
    let plain_len = dek
        .aead_key()
        .open_in_place(nonce, aead::Aad::from(aad_bytes), &mut buf)
        .map_err(|_| CryptoError::Open)?
        .len();
    buf.truncate(plain_len);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dek() -> Dek {
        Dek::generate(&SystemRandom::new()).unwrap()
    }

    const AAD: Aad<'static> = Aad {
        table: "participant",
        record: "p:0191",
        field: "name",
    };

    fn flip_bit(bytes: &mut [u8], which: prop::sample::Index) {
        let bit = which.index(bytes.len() * 8);
        bytes[bit / 8] ^= 1 << (bit % 8);
    }

    /// What a tampered value must give: an authentication failure, or (for a flipped generation
    /// bit) a DEK generation the caller does not hold. Never plaintext.
    fn refused(result: Result<Zeroizing<Vec<u8>>, CryptoError>) -> bool {
        matches!(
            result,
            Err(CryptoError::Open | CryptoError::UnknownDek { .. })
        )
    }

    /// Non-empty AAD parts, including the separator a naive "a|b|c" join would use.
    fn part() -> impl Strategy<Value = String> {
        "[a-zåäö0-9_:|]{1,16}"
    }

    #[test]
    fn sealed_value_round_trips_through_its_storage_string() {
        let dek = dek();
        let sealed = seal(&dek, &AAD, "Fatima Andersson".as_bytes()).unwrap();
        let stored = sealed.encode();
        assert!(!stored.contains('=') && !stored.contains('+') && !stored.contains('/'));
        let parsed = Sealed::decode(&stored).unwrap();
        assert_eq!(parsed, sealed);
        assert_eq!(
            &open(&dek, &AAD, &parsed).unwrap()[..],
            "Fatima Andersson".as_bytes()
        );
        assert_eq!(parsed.generation(), 1);
        assert_eq!(parsed.len(), 16 + MIN_LEN);
    }

    #[test]
    fn binary_layout_is_format_generation_nonce_ciphertext_tag() {
        let dek = Dek::generate_with_generation(&SystemRandom::new(), 0x0102_0304).unwrap();
        let sealed = dek.seal(&AAD, b"abc").unwrap();
        let b = sealed.as_bytes();
        assert_eq!(b.len(), 1 + 4 + 12 + 3 + 16);
        assert_eq!(b[0], 1);
        assert_eq!(&b[1..5], &[1, 2, 3, 4]);
        assert_ne!(&b[17..20], b"abc");
    }

    #[test]
    fn sealing_twice_uses_fresh_nonces() {
        let dek = dek();
        let a = seal(&dek, &AAD, b"same").unwrap();
        let b = seal(&dek, &AAD, b"same").unwrap();
        assert_ne!(a.as_bytes()[5..17], b.as_bytes()[5..17]);
        assert_ne!(a, b);
    }

    #[test]
    fn sealing_with_an_empty_aad_part_is_refused() {
        let dek = dek();
        for aad in [
            Aad::new("", "p:1", "name"),
            Aad::new("participant", "", "name"),
            Aad::new("participant", "p:1", ""),
        ] {
            assert_eq!(seal(&dek, &aad, b"x").unwrap_err(), CryptoError::EmptyAad);
        }
    }

    #[test]
    fn aad_parts_cannot_be_shifted_across_the_separator() {
        let dek = dek();
        let sealed = seal(&dek, &Aad::new("t", "a|b", "c"), b"x").unwrap();
        for shifted in [Aad::new("t", "a", "b|c"), Aad::new("t|a", "b", "c")] {
            assert_eq!(
                open(&dek, &shifted, &sealed).unwrap_err(),
                CryptoError::Open
            );
        }
    }

    #[test]
    fn value_from_another_dek_generation_reports_unknown_dek() {
        let rng = SystemRandom::new();
        let old = Dek::generate_with_generation(&rng, 1).unwrap();
        let new = Dek::generate_with_generation(&rng, 2).unwrap();
        let sealed = seal(&old, &AAD, b"x").unwrap();
        assert_eq!(
            open(&new, &AAD, &sealed).unwrap_err(),
            CryptoError::UnknownDek { generation: 1 }
        );
    }

    #[test]
    fn structurally_invalid_values_are_malformed() {
        let good = seal(&dek(), &AAD, b"").unwrap();
        let mut wrong_format = good.as_bytes().to_vec();
        wrong_format[0] = 2;
        let mut generation_zero = good.as_bytes().to_vec();
        generation_zero[1..5].copy_from_slice(&[0; 4]);
        for bad in [
            &wrong_format[..],
            &generation_zero[..],
            &good.as_bytes()[..MIN_LEN - 1],
            &[],
        ] {
            assert_eq!(Sealed::from_bytes(bad).unwrap_err(), CryptoError::Malformed);
        }
        let encoded = good.encode();
        let padded = format!("{encoded}=");
        let foreign_alphabet = format!("+{}", &encoded[1..]);
        for bad in ["", "!!!!", "AQAAAAE", &padded, &foreign_alphabet] {
            assert_eq!(
                Sealed::decode(bad).unwrap_err(),
                CryptoError::Malformed,
                "{bad}"
            );
        }
    }

    #[test]
    fn debug_output_shows_only_generation_and_length() {
        let sealed = seal(&dek(), &AAD, b"secret").unwrap();
        assert_eq!(format!("{sealed:?}"), "Sealed { generation: 1, len: 39 }");
    }

    #[test]
    fn serde_uses_the_storage_string_and_validates_it() {
        let sealed = seal(&dek(), &AAD, b"x").unwrap();
        let json = serde_json::to_string(&sealed).unwrap();
        assert_eq!(json, format!("\"{}\"", sealed.encode()));
        assert_eq!(serde_json::from_str::<Sealed>(&json).unwrap(), sealed);
        assert!(serde_json::from_str::<Sealed>("\"AAAA\"").is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn any_plaintext_up_to_64_kib_round_trips(
            plaintext in proptest::collection::vec(any::<u8>(), 0..=65536),
        ) {
            let dek = dek();
            let sealed = Sealed::decode(&seal(&dek, &AAD, &plaintext)?.encode())?;
            prop_assert_eq!(sealed.len(), plaintext.len() + MIN_LEN);
            prop_assert_eq!(&open(&dek, &AAD, &sealed)?[..], &plaintext[..]);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_flipped_bit_in_the_binary_form_is_rejected(
            plaintext in proptest::collection::vec(any::<u8>(), 0..256),
            bit in any::<prop::sample::Index>(),
        ) {
            let dek = dek();
            let mut bytes = seal(&dek, &AAD, &plaintext)?.as_bytes().to_vec();
            flip_bit(&mut bytes, bit);
            // A flip in the format byte or the generation fails structurally or names another
            // DEK; anywhere else authentication fails.
            match Sealed::from_bytes(&bytes) {
                Err(e) => prop_assert_eq!(e, CryptoError::Malformed),
                Ok(tampered) => prop_assert!(refused(open(&dek, &AAD, &tampered))),
            }
        }

        #[test]
        fn any_flipped_bit_in_the_storage_string_is_rejected(
            plaintext in proptest::collection::vec(any::<u8>(), 0..256),
            bit in any::<prop::sample::Index>(),
        ) {
            let dek = dek();
            let mut text = seal(&dek, &AAD, &plaintext)?.encode().into_bytes();
            flip_bit(&mut text, bit);
            // A flip that leaves the string valid UTF-8 must not decode to something that opens.
            if let Ok(text) = String::from_utf8(text) {
                if let Ok(tampered) = Sealed::decode(&text) {
                    prop_assert!(refused(open(&dek, &AAD, &tampered)));
                }
            }
        }

        #[test]
        fn any_truncation_is_rejected(
            plaintext in proptest::collection::vec(any::<u8>(), 0..256),
            cut in any::<prop::sample::Index>(),
        ) {
            let dek = dek();
            let sealed = seal(&dek, &AAD, &plaintext)?;
            let keep = cut.index(sealed.len());
            match Sealed::from_bytes(&sealed.as_bytes()[..keep]) {
                Err(e) => prop_assert_eq!(e, CryptoError::Malformed),
                Ok(short) => prop_assert_eq!(open(&dek, &AAD, &short).unwrap_err(), CryptoError::Open),
            }
            let text = sealed.encode();
            let keep = cut.index(text.len());
            if let Ok(short) = Sealed::decode(&text[..keep]) {
                prop_assert_eq!(open(&dek, &AAD, &short).unwrap_err(), CryptoError::Open);
            }
        }

        #[test]
        fn value_only_opens_in_the_table_record_and_field_it_was_sealed_for(
            table in part(), record in part(), field in part(), other in part(),
        ) {
            let dek = dek();
            let aad = Aad::new(&table, &record, &field);
            let sealed = seal(&dek, &aad, b"070-123 45 67")?;
            prop_assert_eq!(&open(&dek, &aad, &sealed)?[..], b"070-123 45 67");
            let moved = [
                Aad::new(&other, &record, &field),
                Aad::new(&table, &other, &field),
                Aad::new(&table, &record, &other),
                Aad::new(&record, &table, &field),
                Aad::new(&table, &field, &record),
            ];
            for wrong in moved.iter().filter(|a| **a != aad) {
                prop_assert_eq!(open(&dek, wrong, &sealed).unwrap_err(), CryptoError::Open);
            }
            for stripped in [
                Aad::new("", "", ""),
                Aad::new("", &record, &field),
                Aad::new(&table, "", &field),
                Aad::new(&table, &record, ""),
            ] {
                prop_assert_eq!(open(&dek, &stripped, &sealed).unwrap_err(), CryptoError::Open);
            }
        }

        #[test]
        fn value_does_not_open_under_another_dek_of_the_same_generation(
            plaintext in proptest::collection::vec(any::<u8>(), 0..256),
        ) {
            let sealed = seal(&dek(), &AAD, &plaintext)?;
            prop_assert_eq!(open(&dek(), &AAD, &sealed).unwrap_err(), CryptoError::Open);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn decoding_arbitrary_strings_never_panics(s in any::<String>()) {
            let _ = Sealed::decode(&s);
        }

        #[test]
        fn decoding_arbitrary_base64_never_panics_and_checks_structure(
            bytes in proptest::collection::vec(any::<u8>(), 0..128),
        ) {
            let parsed = Sealed::decode(&URL_SAFE_NO_PAD.encode(&bytes));
            prop_assert_eq!(parsed.is_ok(), Sealed::from_bytes(&bytes).is_ok());
            if let Ok(sealed) = parsed {
                prop_assert!(sealed.len() >= MIN_LEN && sealed.as_bytes()[0] == FORMAT_V1);
                prop_assert!(open(&dek(), &AAD, &sealed).is_err());
            }
        }
    }
}
