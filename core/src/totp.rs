//! The second factor: time-based one-time codes (TOTP, RFC 6238) and recovery codes.
//!
//! A code is HOTP (RFC 4226: HMAC-SHA1, dynamic truncation) of the 30-second step since the Unix
//! epoch, six digits; the step before and after are accepted for clock drift. The last accepted
//! step is stored per user and moved forward with one conditional update, so a code (or an older
//! one) is accepted at most once, even by two instances at the same moment.
//!
//! The 160-bit secret is sealed (AES-256-GCM) under a per-user key that is wrapped by the KEK, the
//! same envelope the participants' fields use, so a copy of the database alone does not give the
//! secrets. Ten recovery codes (100 random bits each) are stored only as SHA-256 hashes and each
//! opens one sign-in; their clear text is kept sealed only until the enrolment is confirmed, so
//! the enrolment page can be reloaded, and is deleted when it is.
//!
//! Demo users are enrolled when the demo data is loaded with secrets derived from their user
//! names ([`demo_secret`]), so the demo stays one command and tests can compute the codes. Every
//! other enrolment gets a random secret.

use chrono::{DateTime, Utc};
use ring::rand::{SecureRandom, SystemRandom};
use ring::{digest, hmac};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::crypto::{open, seal, Aad, CryptoError, Dek, Sealed, WrappedDek};
use super::state::AppState;
use domain::{AppError, Role};

/// Digits in a code.
pub const DIGITS: u32 = 6;
/// Seconds per time step.
pub const STEP_SECONDS: i64 = 30;
/// Steps accepted on either side of the current one.
const WINDOW: i64 = 1;
/// Secret length: 160 bits, the HMAC-SHA1 output size (RFC 4226 §4 R6).
pub const SECRET_LEN: usize = 20;
/// Recovery codes made at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// Issuer shown in the authenticator app.
const ISSUER: &str = "Utväg";

/// HOTP (RFC 4226 §5.3) of `counter` under `secret`, `digits` long.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &counter.to_be_bytes());
    let h = tag.as_ref();
    let offset = usize::from(h[h.len() - 1] & 0x0f);
    let bin = u32::from_be_bytes([
        h[offset] & 0x7f,
        h[offset + 1],
        h[offset + 2],
        h[offset + 3],
    ]);
    bin % 10u32.pow(digits)
}

/// The time step `t` falls in.
pub fn step_at(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(STEP_SECONDS)
}

/// The six-digit code of `step`, with leading zeros.
pub fn code_for_step(secret: &[u8], step: i64) -> String {
    format!(
        "{:0width$}",
        hotp(secret, step.max(0) as u64, DIGITS),
        width = DIGITS as usize
    )
}

/// The code an authenticator shows at `t`.
pub fn code_at(secret: &[u8], t: DateTime<Utc>) -> String {
    code_for_step(secret, step_at(t))
}

/// The step within the window around `now` whose code is `code`, if any.
fn matching_step(secret: &[u8], code: &str, now: DateTime<Utc>) -> Option<i64> {
    let now = step_at(now);
    let mut found = None;
    // Every step of the window is computed and compared in full, so the time taken does not
    // depend on which step (if any) matched.
    for s in now - WINDOW..=now + WINDOW {
        if same(code_for_step(secret, s).as_bytes(), code.as_bytes()) && found.is_none() {
            found = Some(s);
        }
    }
    found
}

/// Constant-time equality of two byte strings of public length.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The secret in base32 (RFC 4648, no padding), as authenticator apps take it by hand.
pub fn secret_base32(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

/// The `otpauth://` address a QR code carries (the Key Uri Format authenticator apps read).
pub fn otpauth_uri(username: &str, secret: &[u8]) -> String {
    let issuer = "Utv%C3%A4g";
    format!(
        "otpauth://totp/{issuer}:{username}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        secret_base32(secret)
    )
}

/// The QR code of `data` as an inline SVG element (no XML declaration), drawn on the server.
pub fn qr_svg(data: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| AppError::Internal)?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg").ok_or(AppError::Internal)?;
    Ok(svg[start..].replacen(
        "<svg",
        &format!("<svg role=\"img\" aria-label=\"QR-kod för {ISSUER}\""),
        1,
    ))
}

/// The demo users' secret: HMAC-SHA256 of the user name under a fixed public label, truncated
/// to 160 bits. Anyone can compute it (that is the point: the demo and its tests sign in with
/// it); it is used only for the demo users that [`enrol_demo`] enrols when demo data is loaded.
pub fn demo_secret(username: &str) -> [u8; SECRET_LEN] {
    let key = hmac::Key::new(hmac::HMAC_SHA256, b"utvag demo totp v1");
    let tag = hmac::sign(&key, username.as_bytes());
    let mut out = [0u8; SECRET_LEN];
    out.copy_from_slice(&tag.as_ref()[..SECRET_LEN]);
    out
}

/// Whether `role` must pass the second factor under the settings in force.
pub(crate) fn required_for(state: &AppState, role: Role) -> bool {
    state.settings().sign_in.mfa_roles.contains(&role)
}

fn key_owner(user_id: &str) -> String {
    // The wrap AAD names the owner; the prefix keeps a user's key apart from any participant's.
    format!("mfa-user:{user_id}")
}

/// A user's enrolment as stored.
#[derive(Deserialize)]
struct Row {
    key: String,
    secret: String,
    recovery: Option<String>,
    confirmed: bool,
    last_step: i64,
}

async fn row(state: &AppState, user_id: &str) -> Result<Option<Row>, AppError> {
    Ok(state
        .db()
        .q("SELECT * FROM ONLY type::record('mfa', $u)")
        .bind("u", user_id)
        .run()
        .await?
        .first(0)?)
}

/// Whether the user has a confirmed enrolment.
pub(crate) async fn is_enrolled(state: &AppState, user_id: &str) -> Result<bool, AppError> {
    Ok(row(state, user_id).await?.is_some_and(|r| r.confirmed))
}

fn unwrap_key(state: &AppState, user_id: &str, wrapped: &str) -> Result<Dek, AppError> {
    let w = WrappedDek::decode(wrapped)?;
    match state.with_keys(|k| k.unwrap_dek(&w, &key_owner(user_id), 1)) {
        Err(CryptoError::UnknownKey { .. }) => {
            // Another instance rotated the key file since this one loaded it.
            state.reload_keys()?;
            Ok(state.with_keys(|k| k.unwrap_dek(&w, &key_owner(user_id), 1))?)
        }
        r => Ok(r?),
    }
}

fn open_field(
    dek: &Dek,
    user_id: &str,
    field: &str,
    stored: &str,
) -> Result<Zeroizing<Vec<u8>>, AppError> {
    Ok(open(
        dek,
        &Aad::new("mfa", user_id, field),
        &Sealed::decode(stored)?,
    )?)
}

/// A fresh per-user key (wrapped) and `secret` and `recovery` sealed under it.
fn seal_new(
    state: &AppState,
    user_id: &str,
    secret: &[u8],
    recovery: Option<&str>,
) -> Result<(String, String, Option<String>), AppError> {
    let dek = Dek::generate(&SystemRandom::new())?;
    state.keys_for_wrapping()?;
    let wrapped = state.with_keys(|k| k.wrap_dek(&dek, &key_owner(user_id)))?;
    let s = seal(&dek, &Aad::new("mfa", user_id, "secret"), secret)?;
    let r = recovery
        .map(|r| seal(&dek, &Aad::new("mfa", user_id, "recovery"), r.as_bytes()))
        .transpose()?;
    Ok((wrapped.encode(), s.encode(), r.map(|r| r.encode())))
}

/// The KEK version of every user's second-factor key.
pub(crate) async fn key_versions(state: &AppState) -> Result<Vec<u32>, AppError> {
    let keys: Vec<String> = state
        .db()
        .q("SELECT VALUE key FROM mfa")
        .run()
        .await?
        .all(0)?;
    keys.iter()
        .map(|k| Ok(WrappedDek::decode(k)?.kek_version()))
        .collect()
}

/// Rewraps under the current KEK each second-factor key wrapped under another (part of a key
/// rotation); returns how many.
pub(crate) async fn rewrap_keys(state: &AppState) -> Result<usize, AppError> {
    #[derive(Deserialize)]
    struct KeyOf {
        user: String,
        key: String,
    }
    let current = state.with_keys(|k| k.current_version());
    let rows: Vec<KeyOf> = state
        .db()
        .q("SELECT user, key FROM mfa")
        .run()
        .await?
        .all(0)?;
    let mut done = 0;
    for r in rows {
        let old = WrappedDek::decode(&r.key)?;
        if old.kek_version() == current {
            continue;
        }
        let dek = unwrap_key(state, &r.user, &r.key)?;
        let new = state.with_keys(|k| k.wrap_dek(&dek, &key_owner(&r.user)))?;
        // Only replace what was read: a re-enrolment meanwhile wins.
        state
            .db()
            .q("UPDATE type::record('mfa', $u) SET key = $new WHERE key = $old RETURN NONE")
            .bind("u", &r.user)
            .bind("new", new.encode())
            .bind("old", &r.key)
            .run()
            .await?;
        done += 1;
    }
    Ok(done)
}

/// SHA-256 of a recovery code in its normal form (upper case, no separators).
fn recovery_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    hex::encode(digest::digest(&digest::SHA256, normal.as_bytes()))
}

/// Ten codes of 20 base32 characters (100 bits) in groups of five.
fn new_recovery_codes() -> Result<Vec<String>, AppError> {
    let rng = SystemRandom::new();
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut b = [0u8; 13];
            rng.fill(&mut b).map_err(|_| AppError::Internal)?;
            let s = data_encoding::BASE32_NOPAD.encode(&b);
            let s = &s[..20];
            Ok(format!(
                "{}-{}-{}-{}",
                &s[..5],
                &s[5..10],
                &s[10..15],
                &s[15..20]
            ))
        })
        .collect()
}

/// What the enrolment page shows: the QR code, the secret for typing in, the recovery codes.
pub struct Enrolment {
    pub qr_svg: String,
    pub secret_base32: String,
    pub recovery_codes: Vec<String>,
}

/// The unconfirmed enrolment of user `uid`: started on the first call (a random secret and ten
/// recovery codes), the same on every call until it is confirmed with a code. Who may ask is
/// decided by the caller (`mfa::enrolment`).
pub(crate) async fn enrolment_of(
    state: &AppState,
    uid: &str,
    username: &str,
) -> Result<Enrolment, AppError> {
    for _ in 0..3 {
        if let Some(r) = row(state, uid).await? {
            if r.confirmed {
                return Err(AppError::Forbidden);
            }
            let dek = unwrap_key(state, uid, &r.key)?;
            let secret = open_field(&dek, uid, "secret", &r.secret)?;
            let codes = match &r.recovery {
                Some(s) => String::from_utf8(open_field(&dek, uid, "recovery", s)?.to_vec())
                    .map_err(|_| AppError::Internal)?,
                None => String::new(),
            };
            return Ok(Enrolment {
                qr_svg: qr_svg(&otpauth_uri(username, &secret))?,
                secret_base32: secret_base32(&secret),
                recovery_codes: codes.lines().map(str::to_string).collect(),
            });
        }
        let mut secret = Zeroizing::new([0u8; SECRET_LEN]);
        SystemRandom::new()
            .fill(secret.as_mut())
            .map_err(|_| AppError::Internal)?;
        let codes = new_recovery_codes()?;
        let joined = Zeroizing::new(codes.join("\n"));
        let (key, sealed, recovery) = seal_new(state, uid, secret.as_ref(), Some(&joined))?;
        let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
        let created = state
            .db()
            .q("BEGIN TRANSACTION;
                DELETE mfa_recovery WHERE user = $u;
                CREATE type::record('mfa', $u) CONTENT { user: $u, key: $key, secret: $secret, recovery: $rec,
                    confirmed: false, last_step: 0, created_at: <datetime>$now } RETURN NONE;
                FOR $h IN $hashes { CREATE mfa_recovery CONTENT { user: $u, hash: $h } RETURN NONE; };
                COMMIT TRANSACTION;")
            .bind("u", uid)
            .bind("key", key)
            .bind("secret", sealed)
            .bind("rec", recovery)
            .bind("now", state.clock().now())
            .bind("hashes", hashes)
            .run()
            .await;
        match created {
            Ok(_) => {}
            // Two page loads at once: the other one's enrolment stands; read it.
            Err(e) if e.is_conflict() => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Internal)
}

/// How a second factor was passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passed {
    Totp,
    RecoveryCode,
}

impl Passed {
    pub fn as_str(self) -> &'static str {
        match self {
            Passed::Totp => "totp",
            Passed::RecoveryCode => "recovery_code",
        }
    }
}

/// Why a code was refused (kept apart for the audit entry; the user sees one message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Wrong,
    Replayed,
    NotEnrolled,
}

impl Refused {
    pub fn as_str(self) -> &'static str {
        match self {
            Refused::Wrong => "wrong_code",
            Refused::Replayed => "replayed_code",
            Refused::NotEnrolled => "not_enrolled",
        }
    }
}

/// Checks `code` for `user_id`: a TOTP code of a step later than the last one accepted, or
/// (for a confirmed enrolment) an unused recovery code. Accepting moves the last step forward
/// or marks the recovery code used, atomically.
pub(crate) async fn check(
    state: &AppState,
    user_id: &str,
    code: &str,
    confirming: bool,
) -> Result<Result<Passed, Refused>, AppError> {
    let Some(r) = row(state, user_id).await? else {
        return Ok(Err(Refused::NotEnrolled));
    };
    if r.confirmed == confirming {
        return Ok(Err(Refused::NotEnrolled));
    }
    let code = code.trim();
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == DIGITS as usize && digits.bytes().all(|b| b.is_ascii_digit()) {
        let dek = unwrap_key(state, user_id, &r.key)?;
        let secret = open_field(&dek, user_id, "secret", &r.secret)?;
        let Some(step) = matching_step(&secret, &digits, state.clock().now()) else {
            return Ok(Err(Refused::Wrong));
        };
        if step <= r.last_step {
            return Ok(Err(Refused::Replayed));
        }
        let moved = retry_conflicts(|| async {
            let mut rows = state
                .db()
                .q("UPDATE type::record('mfa', $u) SET last_step = $s WHERE last_step < $s RETURN AFTER")
                .bind("u", user_id)
                .bind("s", step)
                .run()
                .await?;
            Ok(!rows.value(0).as_array().is_none_or(|a| a.is_empty()))
        })
        .await?;
        return Ok(if moved {
            Ok(Passed::Totp)
        } else {
            Err(Refused::Replayed)
        });
    }
    if confirming || code.len() > 64 {
        return Ok(Err(Refused::Wrong));
    }
    let used = retry_conflicts(|| async {
        let mut rows = state
            .db()
            .q("UPDATE mfa_recovery SET used_at = <datetime>$now WHERE user = $u AND hash = $h AND used_at = NONE RETURN AFTER")
            .bind("u", user_id)
            .bind("h", recovery_hash(code))
            .bind("now", state.clock().now())
            .run()
            .await?;
        Ok(!rows.value(0).as_array().is_none_or(|a| a.is_empty()))
    })
    .await?;
    Ok(if used {
        Ok(Passed::RecoveryCode)
    } else {
        Err(Refused::Wrong)
    })
}

/// Runs a single-statement write again when the store reports a write conflict (another
/// request updated the same row at the same moment); the statement's condition decides anew.
pub(crate) async fn retry_conflicts<F, Fut, T>(mut f: F) -> Result<T, AppError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, super::db::DbError>>,
{
    let mut attempt = 0u64;
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(e) if e.is_conflict() && attempt < 30 => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(2 + attempt * 3)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The statement that confirms an enrolment (run with the sign-in it completes): the recovery
/// codes' clear text is deleted; only their hashes stay.
pub(crate) const CONFIRM_SQL: &str =
    "UPDATE type::record('mfa', $uid) SET confirmed = true, confirmed_at = <datetime>$now, recovery = NONE RETURN NONE;";

/// Enrols a demo user with [`demo_secret`], confirmed, without recovery codes. Demo data only.
#[cfg(any(test, feature = "fixtures"))]
pub(crate) async fn enrol_demo(
    state: &AppState,
    user_id: &str,
    username: &str,
) -> Result<(), AppError> {
    let secret = demo_secret(username);
    let (key, sealed, _) = seal_new(state, user_id, &secret, None)?;
    state
        .db()
        .q("CREATE type::record('mfa', $u) CONTENT { user: $u, key: $key, secret: $secret,
              confirmed: true, last_step: 0, created_at: <datetime>$now, confirmed_at: <datetime>$now } RETURN NONE")
        .bind("u", user_id)
        .bind("key", key)
        .bind("secret", sealed)
        .bind("now", state.clock().now())
        .run()
        .await?;
    Ok(())
}

/// The code a demo user's authenticator shows for the first step from now on that has not been
/// used yet, or `None` when every step up to the window's end has been (wait for the next step).
/// The step before now is never offered although it is still accepted: its code lapses at the
/// next step boundary, which can fall between reading the code and checking it. From the
/// current step on, a code stays good for at least one whole step. Demo mode only: it is how
/// tests and the demo's scripts sign in.
pub async fn next_demo_code(state: &AppState, username: &str) -> Result<Option<String>, AppError> {
    if !state.demo_mode() {
        return Err(AppError::Forbidden);
    }
    let last: Option<i64> = state
        .db()
        .q("SELECT VALUE last_step FROM mfa WHERE user = (SELECT VALUE record::id(id) FROM user WHERE username = $n)[0]")
        .bind("n", username)
        .run()
        .await?
        .first(0)?;
    let now = step_at(state.clock().now());
    let step = now.max(last.unwrap_or(0) + 1);
    Ok((step <= now + WINDOW).then(|| code_for_step(&demo_secret(username), step)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn rfc_6238_sha1_known_answers() {
        // RFC 6238 appendix B, the SHA-1 column (8 digits).
        for (t, want) in [
            (59, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
        ] {
            assert_eq!(hotp(RFC_SECRET, step_at(at(t)) as u64, 8), want, "T={t}");
        }
    }

    #[test]
    fn six_digit_codes_are_the_last_six_digits_with_leading_zeros() {
        for (t, want) in [
            (59, "287082"),
            (1111111109, "081804"),
            (1111111111, "050471"),
            (1234567890, "005924"),
            (2000000000, "279037"),
        ] {
            assert_eq!(code_at(RFC_SECRET, at(t)), want, "T={t}");
        }
    }

    #[test]
    fn rfc_4226_hotp_known_answers() {
        let want = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (c, w) in want.iter().enumerate() {
            assert_eq!(hotp(RFC_SECRET, c as u64, 6), *w, "counter {c}");
        }
    }

    #[test]
    fn the_window_is_one_step_either_side() {
        let now = at(1_700_000_015);
        let s = step_at(now);
        for (d, ok) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = code_for_step(RFC_SECRET, s + d);
            assert_eq!(matching_step(RFC_SECRET, &code, now).is_some(), ok, "{d}");
        }
    }

    #[test]
    fn secret_in_base32_and_the_otpauth_address() {
        assert_eq!(
            secret_base32(RFC_SECRET),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        let uri = otpauth_uri("handlaggare", RFC_SECRET);
        assert!(uri.starts_with(
            "otpauth://totp/Utv%C3%A4g:handlaggare?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&"
        ));
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.starts_with("<svg role=\"img\""), "{}", &svg[..60]);
        assert!(svg.contains("<path") || svg.contains("<rect"));
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_hash_in_normal_form() {
        let codes = new_recovery_codes().unwrap();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut uniq = codes.clone();
        uniq.sort();
        uniq.dedup();
        assert_eq!(uniq.len(), RECOVERY_CODES);
        assert_eq!(codes[0].len(), 23);
        assert_eq!(
            recovery_hash(&codes[0]),
            recovery_hash(&codes[0].to_lowercase().replace('-', " "))
        );
    }
}
