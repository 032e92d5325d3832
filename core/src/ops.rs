//! Operations the `utvag` command line runs as the system itself (no signed-in user): creating
//! the first administrator on a real install, loading demo data.

use super::identity::{insert_user, NewUserInput};
use super::progress::Progress;
use super::state::AppState;
use domain::Problem;
use domain::{AppError, DisplayName, NewPassword, Role, Username};

/// `utvag user add`: creates an account in an existing organisation (by id or exact name).
pub async fn add_user(
    state: &AppState,
    org: &str,
    role: &str,
    username: &str,
    display_name: &str,
    password: &str,
) -> Result<String, AppError> {
    #[derive(serde::Deserialize)]
    struct OrgId {
        id: String,
    }
    let found: Option<OrgId> = state
        .db()
        .q("SELECT record::id(id) AS id FROM org WHERE record::id(id) = $o OR name = $o LIMIT 1")
        .bind("o", org)
        .run()
        .await?
        .first(0)?;
    let org_id = found
        .ok_or_else(|| {
            AppError::problem(
                "org",
                Problem::Unknown,
                format!("Organisationen \"{org}\" finns inte."),
            )
        })?
        .id;
    let input = NewUserInput {
        username: Username::parse(username)?,
        display_name: DisplayName::parse("display_name", display_name)?,
        org_id,
        role: Role::parse(role)?,
        password: NewPassword::parse(password)?,
    };
    insert_user(state, &super::db::new_id(), input).await
}

/// `utvag user add` on an empty database also needs an organisation to put the user in.
pub async fn add_org(
    state: &AppState,
    name: &str,
    kind: &str,
    municipalities: &str,
) -> Result<String, AppError> {
    let input = super::identity::OrgInput::parse(name, kind, municipalities)?;
    Ok(
        super::identity::insert_org(state, &super::db::new_id(), input)
            .await?
            .id,
    )
}

/// `utvag keys rotate`: a new KEK version; every DEK rewrapped while the app keeps serving.
pub async fn rotate_keys(
    state: &AppState,
    progress: &dyn Progress,
) -> Result<(u32, usize), AppError> {
    let r = super::vault::rotate(state, progress).await?;
    let mut e = super::audit::Entry::new("keys.rotate");
    e.reason = Some(format!("kek v{} ({} data keys rewrapped)", r.0, r.1));
    super::audit::append(state, &super::audit::Who::system(), e).await?;
    Ok(r)
}

/// `utvag keys retire`: after a rewrap of anything still under an older KEK version, takes
/// those versions out of the key file; a system entry in the audit log names them.
pub async fn retire_keys(
    state: &AppState,
    progress: &dyn Progress,
) -> Result<(Vec<u32>, usize), AppError> {
    let r = super::vault::retire(state, progress).await?;
    let mut e = super::audit::Entry::new("keys.retire");
    let names: Vec<String> = r.0.iter().map(|v| format!("v{v}")).collect();
    e.reason = Some(if names.is_empty() {
        format!("none retired ({} data keys rewrapped)", r.1)
    } else {
        format!(
            "kek {} retired ({} data keys rewrapped)",
            names.join(", "),
            r.1
        )
    });
    super::audit::append(state, &super::audit::Who::system(), e).await?;
    Ok(r)
}

/// `utvag keys status`: (versions in the keyring, current version, DEKs per version).
pub async fn key_status(state: &AppState) -> Result<(Vec<u32>, u32, Vec<(u32, i64)>), AppError> {
    super::vault::key_status(state).await
}

/// `utvag audit verify`: walks the chain, records and returns the result.
pub async fn verify_audit(state: &AppState) -> Result<super::audit::Verification, AppError> {
    let v = super::audit::verify(state).await?;
    super::audit::review::record_verification(state, &v).await?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{CoreSettings, KeySource};
    use crate::progress::{recorded::Recorded, Quiet};

    #[tokio::test]
    async fn key_rotation_is_a_system_entry_and_keeps_the_chain_verifying() {
        let dir = std::env::temp_dir().join(format!(
            "utvag-ops-rotate-{}-{}",
            std::process::id(),
            crate::db::new_id()
        ));
        let mut s = CoreSettings::for_tests();
        s.keys = KeySource::File {
            path: dir.join("utvag.key"),
            create_if_missing: true,
        };
        let state = AppState::init(s).await.unwrap();
        crate::demo::load_identities(&state).await.unwrap();
        let seen = Recorded::default();
        let (version, _) = rotate_keys(&state, &seen).await.unwrap();
        assert_eq!(version, 2);
        // The rewrap is reported: counted first, then each key as it is done.
        let stages = seen.stages();
        assert_eq!(stages[0].0, "rewrapping data keys", "{stages:?}");
        assert_eq!(stages[0].1, Some(stages[0].2), "{stages:?}");
        let last: crate::audit::Row = state
            .db()
            .q("SELECT * OMIT id FROM audit ORDER BY seq DESC LIMIT 1")
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap()
            .unwrap();
        assert_eq!(
            (last.action.as_str(), last.actor.as_str()),
            ("keys.rotate", "system")
        );
        assert!(last.reason.as_deref().unwrap().contains("kek v2"));
        // The audit key is not the KEK's: the chain written before the rotation still verifies.
        let v = verify_audit(&state).await.unwrap();
        assert!(v.ok(), "{v:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn retiring_old_kek_versions_takes_their_bytes_out_and_leaves_every_key_readable() {
        let dir = std::env::temp_dir().join(format!(
            "utvag-ops-retire-{}-{}",
            std::process::id(),
            crate::db::new_id()
        ));
        let key_file = dir.join("utvag.key");
        let mut s = CoreSettings::for_tests();
        s.keys = KeySource::File {
            path: key_file.clone(),
            create_if_missing: true,
        };
        let state = AppState::init(s).await.unwrap();
        crate::demo::load(&state).await.unwrap();
        // Another instance, started before the rotation: it holds only version 1.
        let other = state.second_instance().unwrap();
        #[derive(serde::Deserialize)]
        struct KeyRow {
            id: String,
            generation: u32,
            wrapped: String,
        }
        let before: KeyRow = state
            .db()
            .q("SELECT record::id(id) AS id, generation, wrapped FROM participant_key LIMIT 1")
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap()
            .unwrap();

        let (version, _) = rotate_keys(&state, &Quiet).await.unwrap();
        assert_eq!(version, 2);
        // Right after the rotation a request that read the file before it may still be writing
        // a key under version 1: refused, with when it will be allowed.
        match retire_keys(&state, &Quiet).await {
            Err(AppError::Invalid { message, .. }) => {
                assert!(message.contains("kan tas bort från"), "{message}")
            }
            r => panic!("retired right after the rotation: {r:?}"),
        }
        // A key wrapped under version 1 meanwhile (as by that request) is rewrapped first.
        state
            .db()
            .q("UPDATE type::record('participant_key', $id) SET wrapped = $w, kek_version = 1")
            .bind("id", &before.id)
            .bind("w", &before.wrapped)
            .run()
            .await
            .unwrap();
        state.clock().advance(chrono::Duration::minutes(11));
        let (retired, rewrapped) = retire_keys(&state, &Quiet).await.unwrap();
        assert_eq!(retired, vec![1]);
        assert_eq!(rewrapped, 1);

        // Version 1's bytes are gone from the file; the index root (one-way) is kept.
        let file: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&key_file).unwrap()).unwrap();
        let versions: Vec<u64> = file["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["version"].as_u64().unwrap())
            .collect();
        assert_eq!(versions, vec![2]);
        assert_eq!(file["retired"], serde_json::json!([1]));
        assert!(file["index_root"].is_string());
        let (versions, current, usage) = key_status(&state).await.unwrap();
        assert_eq!((versions, current), (vec![2], 2));
        assert!(usage.iter().all(|(v, _)| *v == 2), "{usage:?}");
        // A copy of a data key made before the rotation no longer opens with the keyring.
        let old = crate::crypto::WrappedDek::decode(&before.wrapped).unwrap();
        state.deks().clear();
        assert!(matches!(
            state.with_keys(|k| k.unwrap_dek(&old, &before.id, before.generation)),
            Err(crate::crypto::CryptoError::UnknownKey { kek_version: 1 })
        ));

        // Everything still opens: every sealed value, the second factor at sign-in, the blind
        // index of a search.
        let report = crate::integrity::check(&state).await.unwrap();
        assert!(report.damaged.is_empty() && report.checked > 0);
        let token = crate::demo::sign_in(&state, "handlaggare").await.unwrap();
        let a = crate::auth::authenticate(&state, Some(&token))
            .await
            .unwrap();
        let p = &crate::demo::demo_people()[0];
        let found = crate::participants::search(&a, &p.personnummer)
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        // The instance that still holds version 1 takes the file without it.
        other.reload_keys().unwrap();
        assert_eq!(other.with_keys(|k| k.versions()), vec![2]);
        assert!(crate::integrity::check(&other)
            .await
            .unwrap()
            .damaged
            .is_empty());

        let last: crate::audit::Row = state
            .db()
            .q("SELECT * OMIT id FROM audit WHERE action = 'keys.retire' ORDER BY seq DESC LIMIT 1")
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap()
            .unwrap();
        assert_eq!(last.actor, "system");
        assert!(last.reason.as_deref().unwrap().contains("kek v1 retired"));
        assert!(verify_audit(&state).await.unwrap().ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
