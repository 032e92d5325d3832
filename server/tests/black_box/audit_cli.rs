//! `utvag audit verify` against the signed checkpoint file, run as an operator would: the real
//! binary on an embedded store in a temporary directory.

use std::path::Path;
use std::process::Output;

use crate::common::TempDir;

/// The binary as the common helper runs it, with the password `user add` reads and warnings
/// in the log.
fn utvag(dir: &Path, args: &[&str]) -> Output {
    let env = [
        ("UTVAG_LOG", "warn"),
        ("UTVAG_NEW_PASSWORD", "ett-långt-lösenord-77"),
    ];
    crate::common::utvag(dir, &env, args)
}

fn add_user(dir: &Path, username: &str) {
    let out = utvag(
        dir,
        &[
            "user",
            "add",
            "--org",
            "Socialtjänsten Prov",
            "--create-org",
            "social_services",
            "--municipalities",
            "Prov",
            "--role",
            "admin",
            "--username",
            username,
        ],
    );
    assert!(out.status.success(), "{out:?}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn audit_verify_reports_a_restored_older_copy_of_the_store_with_its_position() {
    let dir = TempDir::new("audit-cli");
    add_user(&dir.0, "forsta.admin");
    let ok = utvag(&dir.0, &["audit", "verify"]);
    let said = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{ok:?}");
    assert!(
        said.contains("audit chain intact") && said.contains("held to the checkpoint"),
        "{said}"
    );
    // The checkpoint file sits next to the store, outside it.
    assert!(dir.0.join("data/audit-checkpoints.jsonl").is_file());

    // Someone keeps a copy of the store, the log goes on, and the copy is put back.
    let store = dir.0.join("data/store.db");
    let copy = dir.0.join("copy.db");
    copy_dir(&store, &copy);
    add_user(&dir.0, "andra.admin");
    std::fs::remove_dir_all(&store).unwrap();
    copy_dir(&copy, &store);

    let out = utvag(&dir.0, &["audit", "verify"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        err.contains("audit chain broken at entry")
            && err.contains("signed")
            && err.contains("store ends at"),
        "{err}"
    );
}
