//! Field-encryption overhead: seal+open of a 64-byte field through the vault's format (format
//! byte, key generation, fresh nonce, AAD table|record|field) against raw ring AES-256-GCM on
//! the same data in the same run. Prints medians of repeated batches and their ratio.
//!
//! Run: `make bench` (or `cargo bench -p app --features ssr --bench crypto`).

use std::hint::black_box;
use std::time::Instant;

use ring::aead::{Aad as RingAad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use ring::rand::{SecureRandom, SystemRandom};
use utvag_core::crypto::{self, Aad, Dek};

const BATCH: usize = 20_000;
const ROUNDS: usize = 15;

fn median_ns_per_op(mut f: impl FnMut()) -> f64 {
    let mut samples = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let t = Instant::now();
        for _ in 0..BATCH {
            f();
        }
        samples.push(t.elapsed().as_nanos() as f64 / BATCH as f64);
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[ROUNDS / 2]
}

fn main() {
    let rng = SystemRandom::new();
    let data = [0x5au8; 64];
    let dek = Dek::generate(&rng).expect("dek");
    let aad = Aad {
        table: "participant",
        record: "01a21240932b7638bb96077273965fa0",
        field: "first_name",
    };

    let mut raw_key = [0u8; 32];
    rng.fill(&mut raw_key).expect("rng");
    let raw = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &raw_key).expect("key"));
    let raw_aad = b"participant|01a21240932b7638bb96077273965fa0|first_name";

    let baseline = median_ns_per_op(|| {
        let mut nonce = [0u8; 12];
        rng.fill(&mut nonce).expect("rng");
        let mut buf = data.to_vec();
        raw.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            RingAad::from(raw_aad),
            &mut buf,
        )
        .expect("seal");
        let out = raw
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                RingAad::from(raw_aad),
                &mut buf,
            )
            .expect("open");
        black_box(out);
    });
    let vault = median_ns_per_op(|| {
        let sealed = crypto::seal(&dek, &aad, black_box(&data)).expect("seal");
        let opened = crypto::open(&dek, &aad, &sealed).expect("open");
        black_box(opened);
    });
    let vault_encoded = median_ns_per_op(|| {
        let stored = crypto::seal(&dek, &aad, black_box(&data))
            .expect("seal")
            .encode();
        let opened = crypto::open(
            &dek,
            &aad,
            &crypto::Sealed::decode(&stored).expect("decode"),
        )
        .expect("open");
        black_box(opened);
    });
    println!("seal+open 64 B, raw ring AES-256-GCM:           {baseline:8.1} ns/op");
    println!(
        "seal+open 64 B, Utväg sealed format:            {vault:8.1} ns/op  ratio {:.2}x",
        vault / baseline
    );
    println!(
        "seal+open 64 B, incl. base64 storage encoding:  {vault_encoded:8.1} ns/op  ratio {:.2}x",
        vault_encoded / baseline
    );
}
