//! Sign-in, sessions and the `Authed` type.
//!
//! `Authed` has private fields and only two constructors: [`authenticate`] (a valid session
//! cookie) and [`require_user`] (the same, from a server function's request context). Every
//! repository function takes `&Authed`, so no page or server function can reach data without a
//! live session. Sessions live in the database so that several app instances share them; only
//! the SHA-256 of the 256-bit token is stored.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};
use serde::Deserialize;

use super::password;
use super::state::AppState;
use crate::domain::{AppError, Me, OrgKind, Role};

pub const COOKIE_NAME: &str = "utvag_session";

/// Failed sign-ins before each further attempt is slowed down.
const SLOW_AFTER: i64 = 3;
/// Failed sign-ins that lock the account.
const LOCK_AFTER: i64 = 5;
const LOCK_MINUTES: i64 = 15;
/// Touch `last_seen` at most this often, to keep reads cheap.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// The generic answer to every failed sign-in: it never says whether the user exists or is locked.
pub const LOGIN_FAILED: &str =
    "Fel användarnamn eller lösenord, eller så är kontot tillfälligt spärrat efter för många försök.";

/// The session check of one page request, made once by the router before rendering and read
/// by the layout and every server function the page calls while it renders. Only the server
/// puts it on a request; a client cannot.
#[derive(Clone)]
pub struct PageSession(pub Result<Authed, AppError>);

/// A signed-in user with a live session. Only this module can make one.
#[derive(Clone)]
pub struct Authed {
    me: Me,
    state: AppState,
}

impl Authed {
    pub fn me(&self) -> &Me {
        &self.me
    }

    pub fn role(&self) -> Role {
        self.me.role
    }

    pub fn user_id(&self) -> &str {
        &self.me.user_id
    }

    pub fn org_id(&self) -> &str {
        &self.me.org_id
    }

    /// Today's date in Sweden by the core's clock (validation of dates and personnummer).
    pub fn state_today(&self) -> chrono::NaiveDate {
        self.state.clock().today()
    }

    pub(in crate::server) fn state(&self) -> &AppState {
        &self.state
    }

    /// Refuses anyone whose role is not listed.
    pub fn require_role(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.me.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl std::fmt::Debug for Authed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authed")
            .field("user", &self.me.username)
            .field("role", &self.me.role)
            .finish()
    }
}

#[derive(Deserialize)]
struct UserRow {
    id: String,
    username: String,
    display_name: String,
    org: String,
    role: String,
    password_hash: String,
    active: bool,
    failed_logins: i64,
    locked_until: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct OrgRow {
    name: String,
    kind: String,
    active: bool,
}

#[derive(Deserialize)]
struct SessionRow {
    user: String,
    created_at: DateTime<Utc>,
    last_seen: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

fn token_hash(token: &str) -> String {
    hex::encode(digest::digest(&digest::SHA256, token.as_bytes()))
}

fn new_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| AppError::Internal)?;
    Ok(B64URL.encode(bytes))
}

/// The value of the `Set-Cookie` header that carries a new session.
pub fn session_cookie(state: &AppState, token: &str) -> String {
    let max_age = state.settings().session_absolute_hours * 3600;
    let secure = if state.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!("{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(state: &AppState) -> String {
    let secure = if state.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

/// The session token in a `Cookie` header, if any.
pub fn token_from_cookie_header(header: Option<&str>) -> Option<String> {
    header?.split(';').find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == COOKIE_NAME && !v.is_empty() && v.len() <= 128).then(|| v.to_string())
    })
}

fn user_query() -> &'static str {
    "SELECT *, record::id(id) AS id FROM user WHERE username = $u LIMIT 1"
}

/// Checks a user name and password and opens a new session. Returns the token for the cookie.
///
/// Every failure gives the same answer after the same amount of work. Repeated failures slow
/// down and then lock the account for a while.
pub async fn login(
    state: &AppState,
    username: &str,
    password: &str,
) -> Result<(String, Me), AppError> {
    let fail = || AppError::invalid("", LOGIN_FAILED);
    let now = state.clock().now();
    let username = username.trim().to_lowercase();
    if username.is_empty() || username.len() > 64 || password.is_empty() || password.len() > 256 {
        metrics::counter!("utvag_login_failures_total").increment(1);
        return Err(fail());
    }
    let db = state.db();
    let user: Option<UserRow> = db
        .q(user_query())
        .bind("u", &username)
        .run()
        .await?
        .first(0)?;

    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_string());
    if let Some(u) = &user {
        if u.failed_logins >= SLOW_AFTER {
            let extra = ((u.failed_logins - SLOW_AFTER + 1) * 500).min(3000) as u64;
            tokio::time::sleep(std::time::Duration::from_millis(extra)).await;
        }
    }
    let pw = password.to_string();
    let matches = tokio::task::spawn_blocking(move || password::verify(&pw, &stored))
        .await
        .map_err(|_| AppError::Internal)?;

    let Some(user) = user else {
        metrics::counter!("utvag_login_failures_total").increment(1);
        return Err(fail());
    };
    let locked = user.locked_until.is_some_and(|t| t > now);
    let demo_password_outside_demo =
        !state.demo_mode() && password == super::config::demo_password();
    if !matches || locked || !user.active || demo_password_outside_demo {
        metrics::counter!("utvag_login_failures_total").increment(1);
        if !locked {
            let failures = user.failed_logins + 1;
            let lock_until =
                (failures >= LOCK_AFTER).then(|| now + Duration::minutes(LOCK_MINUTES));
            db.q("UPDATE type::record('user', $id) SET failed_logins = $n, locked_until = IF $lock = NONE THEN NONE ELSE <datetime>$lock END")
                .bind("id", &user.id)
                .bind("n", if lock_until.is_some() { 0 } else { failures })
                .bind("lock", lock_until)
                .run()
                .await?;
            if lock_until.is_some() {
                tracing::warn!(user = %user.username, "account locked after repeated failed sign-ins");
            }
        }
        return Err(fail());
    }
    let org: Option<OrgRow> = db
        .q("SELECT * FROM ONLY type::record('org', $id)")
        .bind("id", &user.org)
        .run()
        .await?
        .first(0)?;
    let Some(org) = org.filter(|o| o.active) else {
        return Err(fail());
    };
    let token = new_token()?;
    let expires = now + Duration::hours(state.settings().session_absolute_hours);
    db.q("BEGIN TRANSACTION;
          UPDATE type::record('user', $uid) SET failed_logins = 0, locked_until = NONE;
          CREATE type::record('session', $sid) CONTENT { user: $uid, created_at: <datetime>$now, last_seen: <datetime>$now, expires_at: <datetime>$exp };
          COMMIT TRANSACTION;")
        .bind("uid", &user.id)
        .bind("sid", token_hash(&token))
        .bind("now", now)
        .bind("exp", expires)
        .run()
        .await?;
    let me = Me {
        user_id: user.id,
        username: user.username,
        display_name: user.display_name,
        role: Role::parse(&user.role).map_err(|_| AppError::Internal)?,
        org_id: user.org,
        org_name: org.name,
        org_kind: OrgKind::parse(&org.kind).map_err(|_| AppError::Internal)?,
    };
    tracing::info!(user = %me.username, "signed in");
    Ok((token, me))
}

/// Ends a session on the server: the token is useless afterwards, whatever the browser keeps.
pub async fn logout(state: &AppState, token: &str) -> Result<(), AppError> {
    state
        .db()
        .q("DELETE type::record('session', $sid)")
        .bind("sid", token_hash(token))
        .run()
        .await?;
    Ok(())
}

/// Turns a session token into an `Authed`, or `Unauthenticated` if it is unknown, idle too long,
/// past its absolute lifetime, or its user or organisation has been deactivated.
pub async fn authenticate(state: &AppState, token: Option<&str>) -> Result<Authed, AppError> {
    let token = token.ok_or(AppError::Unauthenticated)?;
    let sid = token_hash(token);
    let db = state.db();
    let now = state.clock().now();
    let session: Option<SessionRow> = db
        .q("SELECT * FROM ONLY type::record('session', $sid)")
        .bind("sid", &sid)
        .run()
        .await?
        .first(0)?;
    let session = session.ok_or(AppError::Unauthenticated)?;
    let idle = Duration::minutes(state.settings().session_idle_minutes);
    if now >= session.expires_at
        || now - session.last_seen >= idle
        || now < session.created_at - Duration::minutes(5)
    {
        db.q("DELETE type::record('session', $sid)")
            .bind("sid", &sid)
            .run()
            .await?;
        return Err(AppError::Unauthenticated);
    }
    let user: Option<UserRow> = db
        .q("SELECT *, record::id(id) AS id FROM ONLY type::record('user', $uid)")
        .bind("uid", &session.user)
        .run()
        .await?
        .first(0)?;
    let user = user.ok_or(AppError::Unauthenticated)?;
    let org: Option<OrgRow> = db
        .q("SELECT * FROM ONLY type::record('org', $id)")
        .bind("id", &user.org)
        .run()
        .await?
        .first(0)?;
    let org = org.ok_or(AppError::Unauthenticated)?;
    if !user.active || !org.active {
        db.q("DELETE type::record('session', $sid)")
            .bind("sid", &sid)
            .run()
            .await?;
        return Err(AppError::Unauthenticated);
    }
    if now - session.last_seen >= Duration::seconds(TOUCH_EVERY_SECONDS) {
        db.q("UPDATE type::record('session', $sid) SET last_seen = <datetime>$now")
            .bind("sid", &sid)
            .bind("now", now)
            .run()
            .await?;
    }
    Ok(Authed {
        me: Me {
            user_id: user.id,
            username: user.username,
            display_name: user.display_name,
            role: Role::parse(&user.role).map_err(|_| AppError::Internal)?,
            org_id: user.org,
            org_name: org.name,
            org_kind: OrgKind::parse(&org.kind).map_err(|_| AppError::Internal)?,
        },
        state: state.clone(),
    })
}

/// The `Authed` of the request a server function is running for.
pub async fn require_user() -> Result<Authed, AppError> {
    let state = leptos::prelude::use_context::<AppState>().ok_or(AppError::Internal)?;
    let parts =
        leptos::prelude::use_context::<http::request::Parts>().ok_or(AppError::Unauthenticated)?;
    // A page being rendered: the session was checked once for the whole request.
    if let Some(PageSession(checked)) = parts.extensions.get::<PageSession>() {
        return checked.clone();
    }
    let header = parts
        .headers
        .get(http::header::COOKIE)
        .and_then(|v| v.to_str().ok());
    authenticate(&state, token_from_cookie_header(header).as_deref()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_header_parsing_finds_only_our_cookie() {
        assert_eq!(
            token_from_cookie_header(Some("a=b; utvag_session=xyz; c=d")).as_deref(),
            Some("xyz")
        );
        assert_eq!(token_from_cookie_header(Some("utvag_sessionx=1")), None);
        assert_eq!(token_from_cookie_header(Some("utvag_session=")), None);
        assert_eq!(token_from_cookie_header(None), None);
    }
}
