//! Known-answer tests: the primitives this module relies on, as built here, reproduce published
//! vectors. Vectors live in `testdata/` with their sources.

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use ring::hmac;
use serde::Deserialize;

#[derive(Deserialize)]
struct Vectors<T> {
    vectors: Vec<T>,
}

#[derive(Deserialize)]
struct GcmVector {
    name: String,
    key: String,
    iv: String,
    aad: String,
    msg: String,
    ct: String,
    tag: String,
    valid: bool,
}

#[derive(Deserialize)]
struct HmacVector {
    name: String,
    key: String,
    data: String,
    mac: String,
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

#[test]
fn aes_256_gcm_reproduces_published_vectors() {
    let file: Vectors<GcmVector> =
        serde_json::from_str(include_str!("testdata/aes256gcm_kat.json")).unwrap();
    assert!(file.vectors.len() >= 8);
    for v in &file.vectors {
        let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &unhex(&v.key)).unwrap());
        let nonce = || Nonce::try_assume_unique_for_key(&unhex(&v.iv)).unwrap();
        let expected: Vec<u8> = [unhex(&v.ct), unhex(&v.tag)].concat();

        if v.valid {
            let mut buf = unhex(&v.msg);
            let tag = key
                .seal_in_place_separate_tag(nonce(), Aad::from(unhex(&v.aad)), &mut buf)
                .unwrap();
            buf.extend_from_slice(tag.as_ref());
            assert_eq!(
                hex::encode(&buf),
                hex::encode(&expected),
                "{}: seal",
                v.name
            );
        }

        let mut buf = expected.clone();
        let opened = key.open_in_place(nonce(), Aad::from(unhex(&v.aad)), &mut buf);
        match (v.valid, opened) {
            (true, Ok(plain)) => assert_eq!(hex::encode(plain), v.msg, "{}: open", v.name),
            (false, Err(_)) => {}
            (valid, result) => panic!("{}: expected valid={valid}, open gave {result:?}", v.name),
        }
    }
}

#[test]
fn hmac_sha256_reproduces_rfc_4231() {
    let file: Vectors<HmacVector> =
        serde_json::from_str(include_str!("testdata/hmac_sha256_rfc4231.json")).unwrap();
    assert_eq!(file.vectors.len(), 6);
    for v in &file.vectors {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &unhex(&v.key));
        let data = unhex(&v.data);
        assert_eq!(
            hex::encode(hmac::sign(&key, &data).as_ref()),
            v.mac,
            "{}",
            v.name
        );
        assert!(
            hmac::verify(&key, &data, &unhex(&v.mac)).is_ok(),
            "{}",
            v.name
        );
    }
}
