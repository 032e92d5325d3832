//! Referrals (orosanmälan/remiss): police, school, leisure, partners and social services refer a
//! person; the social-services unit of the person's municipality reviews the referral and opens
//! a case, declines it with a reason, or forwards it to another unit.
//!
//! - [`submit`](submit::submit): the person is found by blind index among the receiving unit's
//!   participants, or registered without a case; the referral's sealed fields use that
//!   participant's key, so shredding the person shreds the referral. The referring side is
//!   answered the same for a known and an unknown person: "received" and a number.
//! - [`review`]: the receiving unit's queue, an audited read of one referral, and the status
//!   changes (start review, accept and open a case, decline, forward), each with its audit entry
//!   in one transaction.
//!
//! Who may see a referral is decided here, not by the case policy: only the unit it is sent to
//! (`receiving_org`) reads it; the referring organisation sees its own numbers and dates only.

pub(crate) mod accept;
mod person;
pub mod review;
pub mod submit;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::audit::{self, Entry};
use super::auth::Authed;
use super::crypto::Dek;
use super::db::valid_id;
use super::gate::{require, who};
use super::vault;
use domain::referral::{
    ReferralReason, ReferralRow, ReferralStatus, ReferrerKind, SubmittedReferral, Urgency,
};
use domain::{AppError, Capability};

pub use review::{accept, decline, forward, open, queue, start_review, workers, AcceptDecision};
pub use submit::submit;

/// A referral as stored (sealed fields as ciphertext).
#[derive(Deserialize, Clone)]
pub(crate) struct ReferralRec {
    pub id: String,
    pub number: String,
    pub org: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub kind: String,
    pub referred_on: DateTime<Utc>,
    pub reasons: Vec<String>,
    pub urgency: String,
    pub description: String,
    pub personnummer: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub referrer_contact: Option<String>,
    pub municipality: String,
    pub receiving_org: String,
    pub forwarded_from: Option<String>,
    pub participant: String,
    pub status: String,
    pub case: Option<String>,
    pub decline_reason: Option<String>,
    pub transitions: Vec<StepRec>,
    pub version: i64,
}

#[derive(Deserialize, Clone)]
pub(crate) struct StepRec {
    pub to: String,
    pub at: DateTime<Utc>,
    pub by: String,
}

impl ReferralRec {
    pub fn status(&self) -> Result<ReferralStatus, AppError> {
        ReferralStatus::parse(&self.status).map_err(|_| AppError::Internal)
    }

    /// The list row (no sealed field).
    pub fn row(&self, from_org: String) -> Result<ReferralRow, AppError> {
        Ok(ReferralRow {
            id: self.id.clone(),
            number: self.number.clone(),
            referred_on: self.referred_on.date_naive(),
            received_at: self.created_at,
            kind: ReferrerKind::parse(&self.kind).map_err(|_| AppError::Internal)?,
            from_org,
            reasons: self
                .reasons
                .iter()
                .map(|r| ReferralReason::parse(r).map_err(|_| AppError::Internal))
                .collect::<Result<_, _>>()?,
            urgency: Urgency::parse(&self.urgency).map_err(|_| AppError::Internal)?,
            status: self.status()?,
            municipality: self.municipality.clone(),
        })
    }
}

/// Loads a referral by id without any decision (callers decide and audit). An id no referral
/// has reads the decoy referral in its place (`crate::decoy::fetch`).
pub(crate) async fn load(a: &Authed, id: &str) -> Result<Option<ReferralRec>, AppError> {
    Ok(crate::decoy::fetch(a.state().db(), "referral", id).await?)
}

/// Refuses a referral the user's unit has not received, or one that does not exist, alike:
/// one `deny` entry and `NotFound` (the referral's existence is not the asker's to know).
pub(crate) async fn refuse(a: &Authed, action: &str, id: &str, pid: Option<&str>) -> AppError {
    let mut e = Entry::new(action);
    e.decision = "deny".into();
    e.participants = pid.map(|p| vec![p.to_string()]).unwrap_or_default();
    e.reason = valid_id(id).then(|| format!("referral:{id}"));
    if let Err(err) = audit::append(a.state(), &who(a), e).await {
        return err;
    }
    AppError::NotFound
}

/// The referral, if it exists and was sent to the user's unit; otherwise the audited refusal.
/// Needs `HandleReferrals` (refused with its own entry).
pub(crate) async fn received(a: &Authed, id: &str, action: &str) -> Result<ReferralRec, AppError> {
    require(a, Capability::HandleReferrals, action).await?;
    match load(a, id).await? {
        Some(r) if r.receiving_org == a.org_id() => Ok(r),
        Some(r) => Err(refuse(a, action, id, Some(&r.participant)).await),
        None => Err(refuse(a, action, id, None).await),
    }
}

/// The participant's key, or an error saying the data is shredded.
pub(crate) async fn key_of(a: &Authed, pid: &str) -> Result<Arc<Dek>, AppError> {
    vault::dek(a.state(), pid).await?.ok_or_else(|| {
        AppError::problem(
            "",
            domain::error::Problem::Shredded,
            "Personens uppgifter är gallrade. Remissen kan inte längre handläggas.",
        )
    })
}

/// Opens one sealed field of a referral.
pub(crate) fn open_field(
    dek: &Dek,
    id: &str,
    field: &str,
    stored: &str,
) -> Result<String, AppError> {
    Ok(vault::open(dek, "referral", id, field, stored)?.expose())
}

/// The referring organisation's own referrals: number, date and "received" — never the
/// person, the status or the outcome.
pub async fn submitted(a: &Authed) -> Result<Vec<SubmittedReferral>, AppError> {
    require(a, Capability::SubmitReferral, "referral.list_submitted").await?;
    #[derive(Deserialize)]
    struct R {
        number: String,
        referred_on: DateTime<Utc>,
        created_at: DateTime<Utc>,
    }
    let rows: Vec<R> = a
        .state()
        .db()
        .q(
            "SELECT number, referred_on, created_at FROM referral WHERE org = $org
            ORDER BY created_at DESC LIMIT 500",
        )
        .bind("org", a.org_id())
        .run()
        .await?
        .all(0)?;
    Ok(rows
        .into_iter()
        .map(|r| SubmittedReferral {
            number: r.number,
            referred_on: r.referred_on.date_naive(),
            received_on: domain::time::swedish_local(r.created_at).date(),
        })
        .collect())
}

/// Social-services units: (id, name, municipalities), active ones, by name.
pub(crate) async fn units(a: &Authed) -> Result<Vec<(String, String, Vec<String>)>, AppError> {
    #[derive(Deserialize)]
    struct O {
        id: String,
        name: String,
        municipalities: Vec<String>,
    }
    let rows: Vec<O> = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, name, municipalities FROM org
            WHERE kind = 'social_services' AND active = true ORDER BY name")
        .run()
        .await?
        .all(0)?;
    Ok(rows
        .into_iter()
        .map(|o| (o.id, o.name, o.municipalities))
        .collect())
}

/// The names of the social-services units a referral may be forwarded to (every unit but the
/// user's own): (id, name).
pub async fn forward_targets(a: &Authed) -> Result<Vec<(String, String)>, AppError> {
    require(a, Capability::HandleReferrals, "referral.forward_targets").await?;
    Ok(units(a)
        .await?
        .into_iter()
        .filter(|(id, ..)| id != a.org_id())
        .map(|(id, name, _)| (id, name))
        .collect())
}

/// A date as the store keeps it: midnight UTC of that day.
pub(crate) fn day(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// A personnummer as stored (YYYYMMDDNNNN) written YYYYMMDD-NNNN.
pub(crate) fn display_pnr(stored: &str) -> String {
    if stored.len() == 12 && stored.is_ascii() {
        format!("{}-{}", &stored[..8], &stored[8..])
    } else {
        stored.to_string()
    }
}
