//! A person's second factor as sessions and administrators use it: the enrolment a pending
//! session opens (after the password, for a user who has none yet) and an administrator's reset.
//! The codes, the secrets and how they are stored are in [`totp`], which knows nothing of
//! sessions, so that signing in ([`crate::auth`]) can check codes through it.

use super::audit::{self, Entry};
use super::auth::{Authed, Pending};
use super::gate::{check_id, require, who};
use super::totp::{self, Enrolment};
use domain::AppError;

/// The enrolment of a user who must enrol before signing in: started on the first call, the same
/// on every call until it is confirmed with a code. Nothing else is open to such a session.
pub async fn enrolment(p: &Pending) -> Result<Enrolment, AppError> {
    if !p.must_enrol() {
        return Err(AppError::Forbidden);
    }
    totp::enrolment_of(p.state(), p.user_id(), p.username()).await
}

/// An administrator removes a user's second factor (a lost phone): the enrolment, the recovery
/// codes and every session of the user go, so the next sign-in starts a new enrolment. Recorded
/// as `user.mfa_reset` in the same transaction, and marked like a password reset so the user is
/// told at their next sign-in (`identity::take_admin_reset_notice`).
pub async fn reset(admin: &Authed, user_id: &str) -> Result<(), AppError> {
    require(admin, domain::Capability::Administer, "user.mfa_reset").await?;
    check_id(user_id)?;
    let mut e = Entry::new("user.mfa_reset");
    e.reason = Some(format!("user:{user_id}"));
    let mut vars = serde_json::Map::new();
    vars.insert("uid".into(), user_id.into());
    vars.insert(
        "now".into(),
        serde_json::to_value(admin.state().clock().now()).unwrap_or_default(),
    );
    audit::commit(
        admin.state(),
        &who(admin),
        e,
        "IF (SELECT VALUE id FROM ONLY type::record('user', $uid)) = NONE { THROW 'notfound' };
         UPDATE type::record('user', $uid) SET reset_by_admin_at = <datetime>$now RETURN NONE;
         DELETE type::record('mfa', $uid);
         DELETE mfa_recovery WHERE user = $uid;
         DELETE session WHERE user = $uid;",
        vars,
    )
    .await?;
    Ok(())
}
