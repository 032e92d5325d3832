//! Sign-in, sessions and the `Authed` type.
//!
//! `Authed` has private fields and only two public constructors: [`authenticate`] (a valid,
//! complete session cookie) and [`user_of_request`] (the same, from a request's parts, which
//! `app::api::require_user` takes from a server function's context); inside the core, [`acting_as`] serves the demo loader (demo mode only). Every
//! repository function takes `&Authed`, so no page or server function can reach data without a
//! live session. Sessions live in the database so that several app instances share them; only
//! the SHA-256 of the 256-bit token is stored.
//!
//! Signing in is [`sign_in`] (password; per-address allowance, per-name slow-down, per-account
//! lock), then — for the roles that need it — [`second_factor`] on the pending session it left
//! (`totp`). A pending session is a [`Pending`], never an `Authed`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use domain::Problem;
use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};
use serde::Deserialize;

use std::net::IpAddr;

use super::audit::{self, Entry, Who};
use super::state::AppState;
use super::{password, totp};
use domain::{AppError, Me, OrgKind, Role};

/// The session cookie on plain http (demo mode); see [`cookie_name`].
pub const COOKIE_NAME: &str = "utvag_session";
/// The session cookie whenever cookies are `Secure`.
pub const SECURE_COOKIE_NAME: &str = "__Host-utvag_session";
/// How long a session may wait between the password and the second factor.
const PENDING_MINUTES: i64 = 10;

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

/// The answer to a wrong or replayed code.
pub const CODE_FAILED: &str =
    "Koden stämmer inte eller har redan använts. Vänta på nästa kod i appen och försök igen.";
/// The answer when a user without a second factor tries to sign in again in place.
pub const ENROL_FIRST: &str =
    "Du behöver aktivera tvåstegsverifiering. Logga in från inloggningssidan.";

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

    pub(crate) fn state(&self) -> &AppState {
        &self.state
    }

    /// Whether the user's role has the capability (`domain::capability`, the one table).
    pub fn can(&self, c: domain::Capability) -> bool {
        self.me.role.can(c)
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
    #[serde(default)]
    locked_until: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct OrgRow {
    name: String,
    kind: String,
    active: bool,
}

/// Who the user is, as pages and the core see it.
fn me_of(user: &UserRow, org: OrgRow) -> Result<Me, AppError> {
    Ok(Me {
        user_id: user.id.clone(),
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: Role::parse(&user.role).map_err(|_| AppError::Internal)?,
        org_id: user.org.clone(),
        org_name: org.name,
        org_kind: OrgKind::parse(&org.kind).map_err(|_| AppError::Internal)?,
    })
}

#[derive(Deserialize)]
struct SessionRow {
    user: String,
    created_at: DateTime<Utc>,
    last_seen: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    #[serde(default)]
    pending: Option<String>,
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

/// The session cookie's name: with the `__Host-` prefix whenever cookies are `Secure`, so the
/// browser accepts it only from this host over https, for the whole site, never from a
/// neighbouring subdomain.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.secure_cookies() {
        SECURE_COOKIE_NAME
    } else {
        COOKIE_NAME
    }
}

/// The value of the `Set-Cookie` header that carries a new session.
pub fn session_cookie(state: &AppState, token: &str) -> String {
    let max_age = state.settings().session_absolute_hours * 3600;
    let secure = if state.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let name = cookie_name(state);
    format!("{name}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(state: &AppState) -> String {
    let secure = if state.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let name = cookie_name(state);
    format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

/// The session token in a `Cookie` header: only the cookie of the configured name counts.
pub fn token_from_cookie_header(state: &AppState, header: Option<&str>) -> Option<String> {
    token_named(cookie_name(state), header)
}

fn token_named(name: &str, header: Option<&str>) -> Option<String> {
    header?.split(';').find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == name && !v.is_empty() && v.len() <= 128).then(|| v.to_string())
    })
}

/// The client a request comes from: the socket peer, or — only when the peer is one of the
/// configured reverse proxies — the nearest address in `X-Forwarded-For` that is not one of
/// them. A client cannot pick its own address by sending the header itself.
pub fn client_address(
    state: &AppState,
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
) -> IpAddr {
    let peer = peer.unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    let proxies = &state.settings().sign_in.trusted_proxies;
    if !proxies.contains(&peer) {
        return peer;
    }
    forwarded_for
        .into_iter()
        .flat_map(|h| h.rsplit(','))
        .map_while(|a| a.trim().parse::<IpAddr>().ok())
        .find(|a| !proxies.contains(a))
        .unwrap_or(peer)
}

/// The client of the request a server function is running for.
pub fn client_of(state: &AppState, parts: &http::request::Parts) -> IpAddr {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let xff = parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    client_address(state, peer, xff)
}

/// Seconds until the current rate-limit window ends (the `Retry-After` of a 429).
pub fn retry_after_seconds(state: &AppState) -> i64 {
    60 - state.clock().now().timestamp().rem_euclid(60)
}

/// Takes one attempt from the client's allowance for this minute (one row per address and
/// minute, incremented in the database so every instance counts together). Over the limit the
/// attempt is refused before any password is hashed.
async fn take_attempt(state: &AppState, client: IpAddr) -> Result<String, AppError> {
    let now = state.clock().now();
    let window = now.timestamp().div_euclid(60);
    let key = format!("{client}|{window}");
    let count = totp::retry_conflicts(|| async {
        let n: Option<i64> = state
            .db()
            .q("UPSERT type::record('login_rate', $k) SET count += 1, expires_at = <datetime>$exp RETURN VALUE count")
            .bind("k", &key)
            .bind("exp", now + Duration::seconds(120))
            .run()
            .await?
            .first(0)?;
        Ok(n.unwrap_or(i64::MAX))
    })
    .await?;
    if count == 1 {
        // The first attempt of a new window for this address clears what has expired, so that
        // even an attack without a single success leaves no growing tables.
        forget_expired(state).await?;
    }
    if count > i64::from(state.settings().sign_in.attempts_per_minute) {
        metrics::counter!("utvag_login_rate_limited_total").increment(1);
        tracing::warn!(client = %client, "sign-in rate limit reached");
        return Err(AppError::TooManyRequests);
    }
    Ok(key)
}

/// Gives a successful attempt back, so people who sign in correctly never use up their
/// address's allowance (offices behind one address).
async fn give_back(state: &AppState, key: &str) -> Result<(), AppError> {
    totp::retry_conflicts(|| async {
        state
            .db()
            .q("UPDATE type::record('login_rate', $k) SET count -= 1 WHERE count > 0 RETURN NONE;")
            .bind("k", key)
            .run()
            .await
    })
    .await?;
    Ok(())
}

/// Deletes allowance windows that have ended and slow-down rows older than the lock period.
async fn forget_expired(state: &AppState) -> Result<(), AppError> {
    let now = state.clock().now();
    totp::retry_conflicts(|| async {
        state
            .db()
            .q("DELETE login_rate WHERE expires_at < <datetime>$now;
                DELETE login_throttle WHERE last_at < <datetime>$old;")
            .bind("now", now)
            .bind("old", now - Duration::minutes(LOCK_MINUTES))
            .run()
            .await
    })
    .await?;
    Ok(())
}

/// The keyed hash of an attempted user name: the key of its slow-down row and what the audit
/// entry of a failure names (never the name itself, which may be a mistyped password).
fn username_hash(state: &AppState, username: &str) -> String {
    state.with_keys(|k| k.blind_index("sign-in-username", username))
}

fn who_of(user: &UserRow) -> Who {
    Who {
        user: user.id.clone(),
        org: user.org.clone(),
        role: user.role.clone(),
    }
}

/// What comes after a correct password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Signed in: the session is complete.
    Done,
    /// The session waits for a code (`/logga-in/kod`).
    SecondFactor,
    /// The user must first enrol a second factor (`/logga-in/aktivera`).
    Enrol,
}

/// A sign-in that passed the password step.
pub struct SignedIn {
    /// The token for the cookie: a full session when `next` is `Done`, otherwise a pending one.
    pub token: String,
    pub me: Me,
    pub next: Next,
}

/// A correct password for an active user of an active organisation.
struct Verified {
    user: UserRow,
    me: Me,
    name_hash: String,
}

/// Checks a user name and password. Every failure gives the same answer after the same work:
/// the PBKDF2 runs for unknown names (against a dummy hash) and locked accounts alike, and the
/// slow-down after repeated failures is keyed on the attempted name whether or not it exists.
async fn password_step(
    state: &AppState,
    username: &str,
    password: &str,
) -> Result<Verified, AppError> {
    let fail = || AppError::problem("", Problem::SignInFailed, LOGIN_FAILED);
    let now = state.clock().now();
    let username = username.trim().to_lowercase();
    if username.is_empty() || username.len() > 64 || password.is_empty() || password.len() > 256 {
        metrics::counter!("utvag_login_failures_total").increment(1);
        return Err(fail());
    }
    let name_hash = username_hash(state, &username);
    let db = state.db();
    let mut rows = db
        .q("SELECT *, record::id(id) AS id FROM user WHERE username = $u LIMIT 1;
            SELECT VALUE failures FROM ONLY type::record('login_throttle', $th) WHERE last_at > <datetime>$since;")
        .bind("u", &username)
        .bind("th", &name_hash)
        .bind("since", now - Duration::minutes(LOCK_MINUTES))
        .run()
        .await?;
    let user: Option<UserRow> = rows.first(0)?;
    let failures: i64 = rows.first(1)?.unwrap_or(0);
    if failures >= SLOW_AFTER {
        let extra = ((failures - SLOW_AFTER + 1) * 500).min(3000) as u64;
        tokio::time::sleep(std::time::Duration::from_millis(extra)).await;
    }
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_string());
    let pw = password.to_string();
    let matches = tokio::task::spawn_blocking(move || password::verify(&pw, &stored))
        .await
        .map_err(|_| AppError::Internal)?;
    let org: Option<OrgRow> = match &user {
        Some(u) => db
            .q("SELECT * FROM ONLY type::record('org', $id)")
            .bind("id", &u.org)
            .run()
            .await?
            .first(0)?,
        None => None,
    };
    let locked = user
        .as_ref()
        .is_some_and(|u| u.locked_until.is_some_and(|t| t > now));
    let demo_password_outside_demo =
        !state.demo_mode() && password == super::config::demo_password();
    let ok = matches
        && !locked
        && !demo_password_outside_demo
        && user.as_ref().is_some_and(|u| u.active)
        && org.as_ref().is_some_and(|o| o.active);
    let (Some(user), Some(org), true) = (user, org, ok) else {
        metrics::counter!("utvag_login_failures_total").increment(1);
        record_failure(state, &username, &name_hash, "password").await?;
        return Err(fail());
    };
    let me = me_of(&user, org)?;
    Ok(Verified {
        user,
        me,
        name_hash,
    })
}

/// Records a failed attempt for the attempted name: the account's failure count goes up by one
/// in a single update (so parallel guesses all count), the name's slow-down row too, and the
/// `auth.sign_in_failed` entry is written in the same transaction. Then, if the count reached
/// the limit, the account is locked with its `auth.locked` entry — decided by the database in
/// one conditional update, so exactly one of many parallel failures locks it. Unknown names go
/// through the very same statements (they just match no account).
async fn record_failure(
    state: &AppState,
    username: &str,
    name_hash: &str,
    step: &str,
) -> Result<(), AppError> {
    let now = state.clock().now();
    let known: Option<UserRow> = state
        .db()
        .q(user_query())
        .bind("u", username)
        .run()
        .await?
        .first(0)?;
    let who = known.as_ref().map(who_of).unwrap_or_else(|| Who {
        user: "unknown".into(),
        org: "unknown".into(),
        role: "none".into(),
    });
    let mut e = Entry::new("auth.sign_in_failed");
    e.decision = "deny".into();
    e.basis = Some(step.to_string());
    e.reason = Some(format!("username_hash:{name_hash}"));
    let mut vars = serde_json::Map::new();
    vars.insert("u".into(), username.into());
    vars.insert("th".into(), name_hash.into());
    vars.insert("now".into(), serde_json::to_value(now).unwrap_or_default());
    vars.insert(
        "since".into(),
        serde_json::to_value(now - Duration::minutes(LOCK_MINUTES)).unwrap_or_default(),
    );
    audit::commit(
        state,
        &who,
        e,
        "UPDATE user SET failed_logins += 1 WHERE username = $u AND (locked_until = NONE OR locked_until <= <datetime>$now) RETURN NONE;
         UPSERT type::record('login_throttle', $th) SET
            failures = IF last_at = NONE OR last_at <= <datetime>$since THEN 1 ELSE failures + 1 END,
            last_at = <datetime>$now RETURN NONE;",
        vars.clone(),
    )
    .await?;
    let mut e = Entry::new("auth.locked");
    e.decision = "deny".into();
    e.reason = Some(format!("username_hash:{name_hash}"));
    vars.insert(
        "lock".into(),
        serde_json::to_value(now + Duration::minutes(LOCK_MINUTES)).unwrap_or_default(),
    );
    vars.insert("max".into(), LOCK_AFTER.into());
    match audit::commit(
        state,
        &who,
        e,
        "LET $locked = (UPDATE user SET failed_logins = 0, locked_until = <datetime>$lock WHERE username = $u AND failed_logins >= $max RETURN AFTER);
         IF array::len($locked) = 0 { THROW 'notfound' };",
        vars,
    )
    .await
    {
        Ok(_) => {
            tracing::warn!(user = %who.user, "account locked after repeated failed sign-ins");
            Ok(())
        }
        Err(AppError::NotFound) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Opens a complete session for a verified user in one transaction with its audit entry
/// (`action`: `auth.sign_in` or `auth.reauth`), clearing the failure counts and consuming the
/// pending session it completes, if any.
async fn full_session(
    state: &AppState,
    v: &Verified,
    action: &str,
    basis: &str,
    pending: Option<&str>,
    confirms_enrolment: bool,
) -> Result<(String, Me), AppError> {
    let now = state.clock().now();
    let token = new_token()?;
    let expires = now + Duration::hours(state.settings().session_absolute_hours);
    let mut e = Entry::new(action);
    e.basis = Some(basis.to_string());
    let mut vars = serde_json::Map::new();
    vars.insert("uid".into(), v.user.id.clone().into());
    vars.insert("th".into(), v.name_hash.clone().into());
    vars.insert("sid".into(), token_hash(&token).into());
    vars.insert(
        "old".into(),
        pending.map(token_hash).unwrap_or_default().into(),
    );
    vars.insert("now".into(), serde_json::to_value(now).unwrap_or_default());
    vars.insert(
        "exp".into(),
        serde_json::to_value(expires).unwrap_or_default(),
    );
    let confirm = if confirms_enrolment {
        totp::CONFIRM_SQL
    } else {
        ""
    };
    audit::commit(
        state,
        &who_of(&v.user),
        e,
        &format!(
            "UPDATE type::record('user', $uid) SET failed_logins = 0, locked_until = NONE RETURN NONE;
             DELETE type::record('login_throttle', $th);
             IF $old != '' {{ DELETE type::record('session', $old) }};
             {confirm}
             CREATE type::record('session', $sid) CONTENT {{ user: $uid, created_at: <datetime>$now, last_seen: <datetime>$now, expires_at: <datetime>$exp }} RETURN NONE;"
        ),
        vars,
    )
    .await?;
    tracing::info!(user = %v.me.username, action, "signed in");
    Ok((token, v.me.clone()))
}

/// A session that has passed the password and waits for the second factor or an enrolment.
/// Lives at most [`PENDING_MINUTES`]; `authenticate` refuses it.
async fn pending_session(state: &AppState, v: &Verified, next: Next) -> Result<String, AppError> {
    let now = state.clock().now();
    let token = new_token()?;
    let kind = if next == Next::Enrol {
        "enrol"
    } else {
        "second_factor"
    };
    state
        .db()
        .q("CREATE type::record('session', $sid) CONTENT { user: $uid, created_at: <datetime>$now, last_seen: <datetime>$now,
              expires_at: <datetime>$exp, pending: $kind, factor_failures: 0 } RETURN NONE")
        .bind("sid", token_hash(&token))
        .bind("uid", &v.user.id)
        .bind("now", now)
        .bind("exp", now + Duration::minutes(PENDING_MINUTES))
        .bind("kind", kind)
        .run()
        .await?;
    Ok(token)
}

async fn next_step(state: &AppState, v: &Verified) -> Result<Next, AppError> {
    if !totp::required_for(state, v.me.role) {
        return Ok(Next::Done);
    }
    Ok(if totp::is_enrolled(state, &v.user.id).await? {
        Next::SecondFactor
    } else {
        Next::Enrol
    })
}

/// The password step of signing in, from the sign-in page. Counts against the client's
/// per-minute allowance (`TooManyRequests` past it, before any hashing). A user whose role
/// needs a second factor gets a pending session that opens nothing but the next step.
pub async fn sign_in(
    state: &AppState,
    client: IpAddr,
    username: &str,
    password: &str,
) -> Result<SignedIn, AppError> {
    let slot = take_attempt(state, client).await?;
    let v = password_step(state, username, password).await?;
    give_back(state, &slot).await?;
    let next = next_step(state, &v).await?;
    let token = match next {
        Next::Done => {
            full_session(state, &v, "auth.sign_in", "password", None, false)
                .await?
                .0
        }
        _ => pending_session(state, &v, next).await?,
    };
    Ok(SignedIn {
        token,
        me: v.me,
        next,
    })
}

/// The second step: a code (or a recovery code) for a pending session. Success replaces the
/// pending session with a complete one under a new token; a wrong or replayed code is
/// `auth.second_factor_failed`, counts against the account like a wrong password and, after
/// [`LOCK_AFTER`] tries, ends the pending session.
pub async fn second_factor(
    state: &AppState,
    client: IpAddr,
    pending_token: &str,
    code: &str,
) -> Result<(String, Me), AppError> {
    let slot = take_attempt(state, client).await?;
    let p = pending_row(state, pending_token).await?;
    let kind = p.kind.clone();
    let enrolling = kind == "enrol";
    let v = verified_for(state, &p.user_id).await?;
    match totp::check(state, &v.user.id, code, enrolling).await? {
        Ok(passed) => {
            give_back(state, &slot).await?;
            let basis = format!("password+{}", passed.as_str());
            full_session(
                state,
                &v,
                "auth.sign_in",
                &basis,
                Some(pending_token),
                enrolling,
            )
            .await
        }
        Err(refused) => {
            factor_failed(state, &v, refused, Some(pending_token)).await?;
            Err(AppError::problem("code", Problem::CodeFailed, CODE_FAILED))
        }
    }
}

/// Records a refused code: `auth.second_factor_failed` with the reason, the account's failure
/// count and the pending session's try count in the same transaction; the pending session ends
/// after [`LOCK_AFTER`] tries and the account locks as after wrong passwords.
async fn factor_failed(
    state: &AppState,
    v: &Verified,
    refused: totp::Refused,
    pending: Option<&str>,
) -> Result<(), AppError> {
    metrics::counter!("utvag_second_factor_failures_total").increment(1);
    let now = state.clock().now();
    let mut e = Entry::new("auth.second_factor_failed");
    e.decision = "deny".into();
    e.reason = Some(refused.as_str().to_string());
    let mut vars = serde_json::Map::new();
    vars.insert("uid".into(), v.user.id.clone().into());
    vars.insert(
        "sid".into(),
        pending.map(token_hash).unwrap_or_default().into(),
    );
    vars.insert("max".into(), LOCK_AFTER.into());
    vars.insert("now".into(), serde_json::to_value(now).unwrap_or_default());
    audit::commit(
        state,
        &who_of(&v.user),
        e,
        "UPDATE type::record('user', $uid) SET failed_logins += 1 WHERE locked_until = NONE OR locked_until <= <datetime>$now RETURN NONE;
         IF $sid != '' {
            UPDATE type::record('session', $sid) SET factor_failures += 1 RETURN NONE;
            DELETE session WHERE id = type::record('session', $sid) AND factor_failures >= $max;
         };",
        vars,
    )
    .await?;
    record_lock_if_due(state, v).await
}

async fn record_lock_if_due(state: &AppState, v: &Verified) -> Result<(), AppError> {
    let now = state.clock().now();
    let mut e = Entry::new("auth.locked");
    e.decision = "deny".into();
    e.reason = Some(format!("username_hash:{}", v.name_hash));
    let mut vars = serde_json::Map::new();
    vars.insert("uid".into(), v.user.id.clone().into());
    vars.insert("max".into(), LOCK_AFTER.into());
    vars.insert(
        "lock".into(),
        serde_json::to_value(now + Duration::minutes(LOCK_MINUTES)).unwrap_or_default(),
    );
    match audit::commit(
        state,
        &who_of(&v.user),
        e,
        "LET $locked = (UPDATE type::record('user', $uid) SET failed_logins = 0, locked_until = <datetime>$lock WHERE failed_logins >= $max RETURN AFTER);
         IF array::len($locked) = 0 { THROW 'notfound' };
         DELETE session WHERE user = $uid AND pending != NONE;",
        vars,
    )
    .await
    {
        Ok(_) | Err(AppError::NotFound) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Signs in again in place after a session ended mid-save: password and, for a role that needs
/// it, a code in the same request (`auth.reauth`). Same allowance, slow-down and lock-out as
/// the sign-in page. A user who has not enrolled must sign in from the sign-in page.
pub async fn reauth(
    state: &AppState,
    client: IpAddr,
    username: &str,
    password: &str,
    code: &str,
) -> Result<(String, Me), AppError> {
    let slot = take_attempt(state, client).await?;
    let v = password_step(state, username, password).await?;
    match next_step(state, &v).await? {
        Next::Done => {
            give_back(state, &slot).await?;
            full_session(state, &v, "auth.reauth", "password", None, false).await
        }
        Next::Enrol => Err(AppError::problem("code", Problem::EnrolFirst, ENROL_FIRST)),
        Next::SecondFactor => match totp::check(state, &v.user.id, code, false).await? {
            Ok(passed) => {
                give_back(state, &slot).await?;
                let basis = format!("password+{}", passed.as_str());
                full_session(state, &v, "auth.reauth", &basis, None, false).await
            }
            Err(refused) => {
                factor_failed(state, &v, refused, None).await?;
                Err(AppError::problem("code", Problem::CodeFailed, CODE_FAILED))
            }
        },
    }
}

/// A pending session as the second step sees it.
struct PendingRow {
    user_id: String,
    kind: String,
}

async fn pending_row(state: &AppState, token: &str) -> Result<PendingRow, AppError> {
    let session: Option<SessionRow> = state
        .db()
        .q("SELECT * FROM ONLY type::record('session', $sid)")
        .bind("sid", token_hash(token))
        .run()
        .await?
        .first(0)?;
    let s = session.ok_or(AppError::Unauthenticated)?;
    let Some(kind) = s.pending else {
        return Err(AppError::Unauthenticated);
    };
    if state.clock().now() >= s.expires_at {
        logout_quietly(state, token).await?;
        return Err(AppError::Unauthenticated);
    }
    Ok(PendingRow {
        user_id: s.user,
        kind,
    })
}

/// The user of a pending session, checked again (still active, organisation still active).
async fn verified_for(state: &AppState, user_id: &str) -> Result<Verified, AppError> {
    let mut rows = state
        .db()
        .q("SELECT *, record::id(id) AS id FROM ONLY type::record('user', $uid);")
        .bind("uid", user_id)
        .run()
        .await?;
    let user: UserRow = rows.first(0)?.ok_or(AppError::Unauthenticated)?;
    let org: Option<OrgRow> = state
        .db()
        .q("SELECT * FROM ONLY type::record('org', $id)")
        .bind("id", &user.org)
        .run()
        .await?
        .first(0)?;
    let org = org.filter(|o| o.active).ok_or(AppError::Unauthenticated)?;
    let locked = user.locked_until.is_some_and(|t| t > state.clock().now());
    if !user.active || locked {
        return Err(AppError::Unauthenticated);
    }
    let me = me_of(&user, org)?;
    let name_hash = username_hash(state, &user.username);
    Ok(Verified {
        user,
        me,
        name_hash,
    })
}

/// A session between the password and the second factor. Only this module makes one; it opens
/// the second-factor step and, for a user who must enrol, the enrolment — nothing else.
pub struct Pending {
    user_id: String,
    username: String,
    enrol: bool,
    state: AppState,
}

impl Pending {
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    pub fn username(&self) -> &str {
        &self.username
    }

    /// Whether the user must enrol a second factor before signing in.
    pub fn must_enrol(&self) -> bool {
        self.enrol
    }

    pub(crate) fn state(&self) -> &AppState {
        &self.state
    }
}

/// The pending session behind `token`, if it is one and still valid.
pub async fn pending(state: &AppState, token: Option<&str>) -> Result<Pending, AppError> {
    let token = token.ok_or(AppError::Unauthenticated)?;
    let p = pending_row(state, token).await?;
    let v = verified_for(state, &p.user_id).await?;
    Ok(Pending {
        user_id: v.user.id,
        username: v.user.username,
        enrol: p.kind == "enrol",
        state: state.clone(),
    })
}

/// The pending session of a request (its cookie), for the second sign-in step.
pub async fn pending_of_request(
    state: &AppState,
    parts: &http::request::Parts,
) -> Result<Pending, AppError> {
    let header = parts
        .headers
        .get(http::header::COOKIE)
        .and_then(|v| v.to_str().ok());
    pending(state, token_from_cookie_header(state, header).as_deref()).await
}

fn user_query() -> &'static str {
    "SELECT *, record::id(id) AS id FROM user WHERE username = $u LIMIT 1"
}

async fn logout_quietly(state: &AppState, token: &str) -> Result<(), AppError> {
    state
        .db()
        .q("DELETE type::record('session', $sid)")
        .bind("sid", token_hash(token))
        .run()
        .await?;
    Ok(())
}

/// Ends a session on the server: the token is useless afterwards, whatever the browser keeps.
/// A complete session's end is an `auth.sign_out` entry written with the deletion.
pub async fn logout(state: &AppState, token: &str) -> Result<(), AppError> {
    let session: Option<SessionRow> = state
        .db()
        .q("SELECT * FROM ONLY type::record('session', $sid)")
        .bind("sid", token_hash(token))
        .run()
        .await?
        .first(0)?;
    let user: Option<UserRow> = match &session {
        Some(s) if s.pending.is_none() => state
            .db()
            .q("SELECT *, record::id(id) AS id FROM ONLY type::record('user', $uid)")
            .bind("uid", &s.user)
            .run()
            .await?
            .first(0)?,
        _ => None,
    };
    let Some(user) = user else {
        return logout_quietly(state, token).await;
    };
    let mut vars = serde_json::Map::new();
    vars.insert("sid".into(), token_hash(token).into());
    audit::commit(
        state,
        &who_of(&user),
        Entry::new("auth.sign_out"),
        "DELETE type::record('session', $sid);",
        vars,
    )
    .await?;
    Ok(())
}

/// An `Authed` for a demo user without a session or a password: the demo loader writing the
/// demo history as the demo staff, and the core's own tests. Refused outside demo mode, and not
/// compiled into a build without the demo data.
#[cfg(any(test, feature = "fixtures"))]
pub(crate) async fn acting_as(state: &AppState, username: &str) -> Result<Authed, AppError> {
    if !state.demo_mode() {
        return Err(AppError::Forbidden);
    }
    let user: Option<UserRow> = state
        .db()
        .q(user_query())
        .bind("u", username)
        .run()
        .await?
        .first(0)?;
    let user = user.ok_or(AppError::NotFound)?;
    let v = verified_for(state, &user.id).await?;
    Ok(Authed {
        me: v.me,
        state: state.clone(),
    })
}

/// Turns a session token into an `Authed`, or `Unauthenticated` if it is unknown, idle too long,
/// past its absolute lifetime, still waiting for the second factor, or its user or organisation
/// has been deactivated.
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
    if session.pending.is_some() {
        // The password alone opens nothing.
        return Err(AppError::Unauthenticated);
    }
    let idle = Duration::minutes(state.settings().session_idle_minutes);
    if now >= session.expires_at
        || now - session.last_seen >= idle
        || now < session.created_at - Duration::minutes(5)
    {
        // Parallel requests may end it at once; a conflict means another one did.
        let ended = db
            .q("DELETE type::record('session', $sid)")
            .bind("sid", &sid)
            .run()
            .await;
        match ended {
            Err(e) if !e.is_conflict() => return Err(e.into()),
            _ => return Err(AppError::Unauthenticated),
        }
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
        // A page asks for several things at once, each with the session: the requests that
        // lose the write conflict find it touched by the one that won, which is all a touch is.
        let touched = db
            .q("UPDATE type::record('session', $sid) SET last_seen = <datetime>$now")
            .bind("sid", &sid)
            .bind("now", now)
            .run()
            .await;
        match touched {
            Err(e) if !e.is_conflict() => return Err(e.into()),
            _ => {}
        }
    }
    Ok(Authed {
        me: me_of(&user, org)?,
        state: state.clone(),
    })
}

/// The `Authed` of a request: the session checked once for a page being rendered, otherwise the
/// session cookie.
pub async fn user_of_request(
    state: &AppState,
    parts: &http::request::Parts,
) -> Result<Authed, AppError> {
    // A page being rendered: the session was checked once for the whole request.
    if let Some(PageSession(checked)) = parts.extensions.get::<PageSession>() {
        return checked.clone();
    }
    let header = parts
        .headers
        .get(http::header::COOKIE)
        .and_then(|v| v.to_str().ok());
    authenticate(state, token_from_cookie_header(state, header).as_deref()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_header_parsing_finds_only_our_cookie() {
        assert_eq!(
            token_named(COOKIE_NAME, Some("a=b; utvag_session=xyz; c=d")).as_deref(),
            Some("xyz")
        );
        assert_eq!(token_named(COOKIE_NAME, Some("utvag_sessionx=1")), None);
        assert_eq!(token_named(COOKIE_NAME, Some("utvag_session=")), None);
        assert_eq!(token_named(COOKIE_NAME, None), None);
        // With secure cookies only the `__Host-` cookie counts: a plain one set from a
        // neighbouring subdomain is ignored.
        let both = Some("utvag_session=planted; __Host-utvag_session=real");
        assert_eq!(
            token_named(SECURE_COOKIE_NAME, both).as_deref(),
            Some("real")
        );
        assert_eq!(
            token_named(SECURE_COOKIE_NAME, Some("utvag_session=planted")),
            None
        );
    }

    use crate::{testing, totp};
    use std::net::Ipv4Addr;

    fn addr(n: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, n))
    }

    const PW: &str = crate::config::DEFAULT_DEMO_PASSWORD;

    /// The audit entries with `action`, oldest first.
    async fn entries(state: &AppState, action: &str) -> Vec<audit::Row> {
        state
            .db()
            .q("SELECT * OMIT id FROM audit WHERE action = $a ORDER BY seq")
            .bind("a", action)
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap()
    }

    fn refused_as_wrong(r: Result<SignedIn, AppError>) -> AppError {
        match r {
            Ok(_) => panic!("signed in"),
            Err(e) => e,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fifty_parallel_wrong_passwords_lock_the_account() {
        let state = testing::setup().await;
        let mut set = tokio::task::JoinSet::new();
        for i in 0..50u8 {
            let state = state.clone();
            // From fifty addresses: the per-address limit is not what stops them here.
            set.spawn(async move { sign_in(&state, addr(i), "passus", "fel-lösenord-x").await });
        }
        while let Some(r) = set.join_next().await {
            assert!(r.unwrap().is_err());
        }
        let right = sign_in(&state, addr(200), "passus", PW).await;
        assert!(
            matches!(right, Err(AppError::Invalid { .. })),
            "the right password must be refused while locked"
        );
        assert_eq!(entries(&state, "auth.locked").await.len(), 1);
        assert!(entries(&state, "auth.sign_in_failed").await.len() >= 50);
        state.clock().advance(Duration::minutes(LOCK_MINUTES + 1));
        assert!(sign_in(&state, addr(200), "passus", PW).await.is_ok());
    }

    #[tokio::test]
    async fn unknown_and_known_users_answer_alike_and_both_slow_down() {
        let state = testing::setup().await;
        let known =
            refused_as_wrong(sign_in(&state, addr(1), "handlaggare", "fel-lösenord-1").await);
        let unknown =
            refused_as_wrong(sign_in(&state, addr(1), "finns.inte", "fel-lösenord-1").await);
        assert_eq!(known, unknown);
        assert_eq!(
            known,
            AppError::problem("", Problem::SignInFailed, LOGIN_FAILED)
        );
        let failed = entries(&state, "auth.sign_in_failed").await;
        assert_eq!(failed.len(), 2);
        for e in &failed {
            assert_eq!(e.decision, "deny");
            assert_eq!(e.basis.as_deref(), Some("password"));
            let reason = e.reason.as_deref().unwrap();
            assert!(reason.starts_with("username_hash:"), "{reason}");
            assert_eq!(reason.len(), failed[0].reason.as_deref().unwrap().len());
            let row = serde_json::to_string(e).unwrap();
            assert!(
                !row.contains("fel-lösenord") && !row.contains("finns.inte"),
                "{row}"
            );
        }
        // The slow-down after three failures is keyed on the name, existing or not.
        for name in ["handlaggare2", "finns.inte.heller"] {
            for _ in 0..3 {
                let _ = sign_in(&state, addr(2), name, "fel-lösenord-2").await;
            }
            let t = std::time::Instant::now();
            let _ = sign_in(&state, addr(2), name, "fel-lösenord-2").await;
            assert!(
                t.elapsed() >= std::time::Duration::from_millis(500),
                "{name}: {:?}",
                t.elapsed()
            );
        }
    }

    #[tokio::test]
    async fn a_burst_from_one_address_is_refused_before_hashing_and_success_gives_back() {
        let state = testing::setup().await;
        // At the start of a minute, so that the burst stays inside one allowance window however
        // slow the machine is.
        let now = chrono::Utc::now();
        state
            .clock()
            .travel_to(now - Duration::seconds(now.timestamp().rem_euclid(60) - 1));
        let limit = state.settings().sign_in.attempts_per_minute;
        for i in 0..limit {
            let r = sign_in(&state, addr(9), &format!("ingen{i}"), "fel-lösenord").await;
            assert!(matches!(r, Err(AppError::Invalid { .. })), "{i}");
        }
        let over = sign_in(&state, addr(9), "handlaggare", PW).await;
        assert!(matches!(over, Err(AppError::TooManyRequests)));
        // Refused before the password step: no hashing, no failure recorded, no session.
        assert_eq!(
            entries(&state, "auth.sign_in_failed").await.len(),
            limit as usize
        );
        // Another address is not affected, and correct sign-ins do not use up the allowance.
        for _ in 0..limit + 2 {
            assert!(sign_in(&state, addr(10), "programledare", PW).await.is_ok());
        }
        // A later minute starts afresh, and its first attempt clears the old windows and the
        // old slow-down rows.
        state.clock().advance(Duration::minutes(LOCK_MINUTES + 1));
        assert!(sign_in(&state, addr(9), "handlaggare", PW).await.is_ok());
        let mut rows = state
            .db()
            .q("SELECT VALUE count FROM login_rate; SELECT VALUE failures FROM login_throttle;")
            .run()
            .await
            .unwrap();
        assert_eq!(rows.all::<i64>(0).unwrap(), vec![0]);
        assert_eq!(rows.all::<i64>(1).unwrap(), Vec::<i64>::new());
    }

    #[test]
    fn forwarded_for_counts_only_from_a_configured_proxy() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut settings = crate::config::CoreSettings::for_tests();
            let proxy = addr(254);
            settings.sign_in.trusted_proxies = vec![proxy];
            let state = AppState::init(settings).await.unwrap();
            let xff = Some("1.2.3.4, 10.0.0.7, 10.0.0.254");
            // A client sending the header itself does not choose its address.
            assert_eq!(client_address(&state, Some(addr(5)), xff), addr(5));
            // Behind the proxy: the nearest address that is not the proxy.
            assert_eq!(client_address(&state, Some(proxy), xff), addr(7));
            assert_eq!(client_address(&state, Some(proxy), None), proxy);
        });
    }

    /// A page's parallel requests share a session whose touch is due: every one of them is
    /// let in (a lost write conflict on the touch once answered "something went wrong").
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn parallel_requests_of_one_session_are_all_let_in_when_its_touch_is_due() {
        let state = testing::setup().await;
        let s = sign_in(&state, addr(1), "handlaggare", PW).await.unwrap();
        let code = totp::next_demo_code(&state, "handlaggare")
            .await
            .unwrap()
            .unwrap();
        let (token, _) = second_factor(&state, addr(1), &s.token, &code)
            .await
            .unwrap();
        for _ in 0..20 {
            state
                .clock()
                .advance(Duration::seconds(TOUCH_EVERY_SECONDS + 1));
            let mut all = tokio::task::JoinSet::new();
            for _ in 0..6 {
                let (state, token) = (state.clone(), token.clone());
                all.spawn(async move { authenticate(&state, Some(&token)).await.map(|_| ()) });
            }
            while let Some(a) = all.join_next().await {
                let a = a.unwrap();
                assert!(a.is_ok(), "{a:?}");
            }
        }
    }

    #[tokio::test]
    async fn password_alone_opens_nothing_and_a_code_opens_the_session() {
        let state = testing::setup().await;
        let s = sign_in(&state, addr(1), "handlaggare", PW).await.unwrap();
        assert_eq!(s.next, Next::SecondFactor);
        assert_eq!(
            authenticate(&state, Some(&s.token)).await.unwrap_err(),
            AppError::Unauthenticated
        );
        assert!(entries(&state, "auth.sign_in").await.is_empty());
        let code = totp::next_demo_code(&state, "handlaggare")
            .await
            .unwrap()
            .unwrap();
        let (token, me) = second_factor(&state, addr(1), &s.token, &code)
            .await
            .unwrap();
        assert_eq!(me.username, "handlaggare");
        assert!(authenticate(&state, Some(&token)).await.is_ok());
        // The pending token is spent.
        assert!(pending(&state, Some(&s.token)).await.is_err());
        let signed = entries(&state, "auth.sign_in").await;
        assert_eq!(signed.len(), 1);
        assert_eq!(signed[0].actor, me.user_id);
        assert_eq!(signed[0].basis.as_deref(), Some("password+totp"));
        logout(&state, &token).await.unwrap();
        assert_eq!(entries(&state, "auth.sign_out").await.len(), 1);
        assert!(authenticate(&state, Some(&token)).await.is_err());
    }

    #[tokio::test]
    async fn wrong_and_replayed_codes_are_refused() {
        let state = testing::setup().await;
        // Every code check happens at the start of one 30-second step, however long the
        // sign-ins before it took: the oldest code the window accepts must not age out between
        // its first use and its replay on a busy machine.
        let now = state.clock().now().timestamp();
        let t0 = chrono::DateTime::from_timestamp(now - now.rem_euclid(30) + 30, 0).unwrap();
        let hold = || state.clock().travel_to(t0);
        hold();
        let s = sign_in(&state, addr(1), "polis", PW).await.unwrap();
        let code = totp::next_demo_code(&state, "polis")
            .await
            .unwrap()
            .unwrap();
        let wrong = if code == "000000" { "000001" } else { "000000" };
        hold();
        assert_eq!(
            second_factor(&state, addr(1), &s.token, wrong)
                .await
                .unwrap_err(),
            AppError::problem("code", Problem::CodeFailed, CODE_FAILED)
        );
        hold();
        second_factor(&state, addr(1), &s.token, &code)
            .await
            .unwrap();
        // The same code again, in a new sign-in within its 30 seconds: refused.
        let again = sign_in(&state, addr(1), "polis", PW).await.unwrap();
        hold();
        assert!(second_factor(&state, addr(1), &again.token, &code)
            .await
            .is_err());
        let failed = entries(&state, "auth.second_factor_failed").await;
        let reasons: Vec<_> = failed.iter().filter_map(|e| e.reason.clone()).collect();
        assert_eq!(reasons, ["wrong_code", "replayed_code"]);
        // Two requests racing with one fresh code: exactly one wins.
        let code = totp::next_demo_code(&state, "polis")
            .await
            .unwrap()
            .unwrap();
        let a = sign_in(&state, addr(1), "polis", PW).await.unwrap();
        let b = sign_in(&state, addr(1), "polis", PW).await.unwrap();
        hold();
        let (ra, rb) = tokio::join!(
            second_factor(&state, addr(1), &a.token, &code),
            second_factor(&state, addr(1), &b.token, &code)
        );
        assert_eq!(u8::from(ra.is_ok()) + u8::from(rb.is_ok()), 1);
        // Five wrong codes end the pending session.
        let p = sign_in(&state, addr(2), "polis", PW).await.unwrap();
        for _ in 0..LOCK_AFTER {
            let _ = second_factor(&state, addr(2), &p.token, wrong).await;
        }
        assert!(pending(&state, Some(&p.token)).await.is_err());
    }

    #[tokio::test]
    async fn reset_enrol_with_a_scanned_secret_and_use_a_recovery_code_once() {
        let state = testing::setup().await;
        let admin = acting_as(&state, "admin").await.unwrap();
        let worker = acting_as(&state, "handlaggare").await.unwrap();
        assert_eq!(
            crate::mfa::reset(&worker, admin.user_id())
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        crate::mfa::reset(&admin, worker.user_id()).await.unwrap();
        // The refused attempt and the reset: one entry each.
        let reset = entries(&state, "user.mfa_reset").await;
        assert_eq!(reset.len(), 2);
        assert_eq!(
            (reset[0].actor.as_str(), reset[0].decision.as_str()),
            (worker.user_id(), "deny")
        );
        assert_eq!(
            (reset[1].actor.as_str(), reset[1].decision.as_str()),
            (admin.user_id(), "allow")
        );

        let s = sign_in(&state, addr(1), "handlaggare", PW).await.unwrap();
        assert_eq!(s.next, Next::Enrol);
        assert!(authenticate(&state, Some(&s.token)).await.is_err());
        let p = pending(&state, Some(&s.token)).await.unwrap();
        let e = crate::mfa::enrolment(&p).await.unwrap();
        assert_eq!(e.recovery_codes.len(), 10);
        // Reloading the page shows the same enrolment.
        assert_eq!(
            crate::mfa::enrolment(&p).await.unwrap().secret_base32,
            e.secret_base32
        );
        // The secret is not stored in clear.
        let stored = state
            .db()
            .q("SELECT * FROM ONLY type::record('mfa', $u)")
            .bind("u", worker.user_id())
            .run()
            .await
            .unwrap()
            .value(0)
            .to_string();
        assert!(!stored.contains(&e.secret_base32), "{stored}");
        assert!(!stored.contains(&e.recovery_codes[0]), "{stored}");

        let secret = data_encoding::BASE32_NOPAD
            .decode(e.secret_base32.as_bytes())
            .unwrap();
        let code = totp::code_at(&secret, state.clock().now());
        let (token, _) = second_factor(&state, addr(1), &s.token, &code)
            .await
            .unwrap();
        assert!(authenticate(&state, Some(&token)).await.is_ok());
        let stored = state
            .db()
            .q("SELECT VALUE recovery FROM ONLY type::record('mfa', $u)")
            .bind("u", worker.user_id())
            .run()
            .await
            .unwrap()
            .value(0);
        assert!(
            stored.is_null(),
            "recovery codes kept only until confirmed: {stored}"
        );

        let rc = e.recovery_codes[3].clone();
        let s = sign_in(&state, addr(1), "handlaggare", PW).await.unwrap();
        assert_eq!(s.next, Next::SecondFactor);
        second_factor(&state, addr(1), &s.token, &rc.to_lowercase())
            .await
            .unwrap();
        let s = sign_in(&state, addr(1), "handlaggare", PW).await.unwrap();
        assert!(second_factor(&state, addr(1), &s.token, &rc).await.is_err());
    }

    #[tokio::test]
    async fn reauth_needs_the_code_too() {
        let state = testing::setup().await;
        assert!(matches!(
            reauth(&state, addr(1), "handlaggare", PW, "").await,
            Err(AppError::Invalid { .. })
        ));
        let code = totp::next_demo_code(&state, "handlaggare")
            .await
            .unwrap()
            .unwrap();
        let (token, _) = reauth(&state, addr(1), "handlaggare", PW, &code)
            .await
            .unwrap();
        assert!(authenticate(&state, Some(&token)).await.is_ok());
        assert_eq!(entries(&state, "auth.reauth").await.len(), 1);
    }

    #[tokio::test]
    async fn roles_outside_the_setting_sign_in_with_the_password() {
        let mut settings = crate::config::CoreSettings::for_tests();
        settings.sign_in.mfa_roles = vec![Role::CaseWorker];
        let state = AppState::init(settings).await.unwrap();
        crate::demo::load_identities(&state).await.unwrap();
        let s = sign_in(&state, addr(1), "granskare", PW).await.unwrap();
        assert_eq!(s.next, Next::Done);
        assert!(authenticate(&state, Some(&s.token)).await.is_ok());
        let s = sign_in(&state, addr(1), "handlaggare", PW).await.unwrap();
        assert_eq!(s.next, Next::SecondFactor);
    }
}
