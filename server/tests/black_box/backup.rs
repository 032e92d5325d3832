//! `utvag backup`, `utvag keys backup` and `utvag restore` run as an operator would: the real
//! binary on embedded stores in a temporary directory, the checkpoint file beside them.

use crate::common::{said, utvag, TempDir};

#[test]
fn a_backup_restores_into_a_new_store_that_verifies_and_the_lost_entries_are_reported() {
    let dir = TempDir::new("backup");
    let d = &dir.0;
    let demo = utvag(d, &[], &["demo"]);
    assert!(demo.status.success(), "{}", said(&demo));
    let b = utvag(d, &[], &["backup", "store.backup"]);
    assert!(b.status.success(), "{}", said(&b));
    assert!(
        said(&b).contains("backup written to store.backup"),
        "{}",
        said(&b)
    );
    let k = utvag(d, &[], &["keys", "backup", "keys.backup"]);
    assert!(k.status.success(), "{}", said(&k));
    // The store moves on after the backup: these entries are in the checkpoint file only.
    let rotate = utvag(d, &[], &["keys", "rotate"]);
    assert!(rotate.status.success(), "{}", said(&rotate));
    // The backup holds no key material and no data key.
    let text = std::fs::read_to_string(d.join("store.backup")).unwrap();
    let key_file = std::fs::read_to_string(d.join("data/utvag.key")).unwrap();
    assert!(!text.contains("TABLE DATA: participant_key"));
    for line in key_file.lines().filter(|l| l.len() > 20) {
        assert!(!text.contains(line.trim()), "the key file is in the backup");
    }

    // Into the store it was made from: refused, nothing changed.
    let onto_live = utvag(
        d,
        &[],
        &["restore", "store.backup", "--keys", "keys.backup"],
    );
    assert!(!onto_live.status.success());
    assert!(
        said(&onto_live).contains("not empty"),
        "{}",
        said(&onto_live)
    );

    // A damaged copy: refused with a clear message, and the new store stays empty.
    let mut bytes = std::fs::read(d.join("store.backup")).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x20;
    std::fs::write(d.join("damaged.backup"), bytes).unwrap();
    let new_store = [("UTVAG_DB", "surrealkv://data/restored.db")];
    let damaged = utvag(d, &new_store, &["restore", "damaged.backup"]);
    assert!(!damaged.status.success());
    assert!(said(&damaged).contains("damaged"), "{}", said(&damaged));

    // The genuine pair into a new, empty store.
    let r = utvag(
        d,
        &new_store,
        &["restore", "store.backup", "--keys", "keys.backup"],
    );
    let out = said(&r);
    assert!(r.status.success(), "{out}");
    assert!(out.contains("audit chain intact"), "{out}");
    assert!(out.contains("entries after the backup are lost"), "{out}");
    assert!(
        !out.contains(": 0 entries after the backup are lost"),
        "{out}"
    );
    // The restored store opens every sealed value and its chain verifies on a new checkpoint
    // file.
    let check = utvag(d, &new_store, &["integrity", "check"]);
    assert!(check.status.success(), "{}", said(&check));
    let verify = utvag(d, &new_store, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", said(&verify));
}
