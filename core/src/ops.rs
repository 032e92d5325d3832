//! Operations the `utvag` command line runs as the system itself (no signed-in user): creating
//! the first administrator on a real install, loading demo data.

use super::identity::{insert_user, NewUserInput};
use super::state::AppState;
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
        .ok_or_else(|| AppError::invalid("org", format!("Organisationen \"{org}\" finns inte.")))?
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
pub async fn rotate_keys(state: &AppState) -> Result<(u32, usize), AppError> {
    let r = super::vault::rotate(state).await?;
    let mut e = super::audit::Entry::new("keys.rotate");
    e.reason = Some(format!("kek v{} ({} data keys rewrapped)", r.0, r.1));
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
        let (version, _) = rotate_keys(&state).await.unwrap();
        assert_eq!(version, 2);
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
}
