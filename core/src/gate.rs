//! The case gate: the one way into a case. It loads the case and the policy facts of its
//! participant once, answers every permission question from them through `access::may`, and
//! leaves exactly one audit entry for each decision — an allow written with the read or write
//! it permits, a deny written here — the same way on every endpoint.
//!
//! A case that does not exist, an id that is not an id and a case the user has no relation to
//! are answered alike (`NotFound`; `Forbidden` for roles that never read cases), each after one
//! `deny` entry, so neither the answer nor the log tells an outsider whether the person exists.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::access::{self, Decision, Purpose, Subject};
use super::audit::{self, Entry, Who};
use super::auth::Authed;
use super::db::valid_id;
use super::subject::{self, actor};
use domain::{AppError, Capability, Category};

/// Who is acting, as the audit log records it.
pub(crate) fn who(a: &Authed) -> Who {
    Who {
        user: a.user_id().to_string(),
        org: a.org_id().to_string(),
        role: a.role().as_str().to_string(),
    }
}

/// Refuses, with one audited `deny` entry, a user whose role lacks the capability: a refusal
/// leaves the same trace as an allow.
pub(crate) async fn require(
    a: &Authed,
    capability: Capability,
    action: &str,
) -> Result<(), AppError> {
    if a.can(capability) {
        return Ok(());
    }
    let mut e = Entry::new(action);
    e.decision = "deny".into();
    e.reason = Some(format!("capability:{capability:?}"));
    audit::append(a.state(), &who(a), e).await?;
    Err(AppError::Forbidden)
}

/// An id from the outside that cannot be a record key is simply not found.
pub(crate) fn check_id(id: &str) -> Result<(), AppError> {
    if valid_id(id) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Deserialize, Clone)]
pub(crate) struct TransitionRow {
    pub from: Option<String>,
    pub to: String,
    pub at: DateTime<Utc>,
    pub by: String,
}

/// A case as stored.
#[derive(Deserialize, Clone)]
pub(crate) struct CaseRec {
    pub id: String,
    pub participant: String,
    pub owner_org: String,
    pub status: String,
    pub sspf_level: String,
    /// Sealed with the participant's key (`case|id|referral_source`).
    pub referral_source: Option<String>,
    pub responsible: String,
    pub opened_at: DateTime<Utc>,
    pub transitions: Vec<TransitionRow>,
    pub version: i64,
}

/// Loads a case by id without any decision (callers decide and audit).
pub(crate) async fn case_by_id(a: &Authed, case_id: &str) -> Result<CaseRec, AppError> {
    check_id(case_id)?;
    let c: Option<CaseRec> = a
        .state()
        .db()
        .q("SELECT *, record::id(id) AS id FROM ONLY type::record('case', $id)")
        .bind("id", case_id)
        .run()
        .await?
        .first(0)?;
    c.ok_or(AppError::NotFound)
}

/// The answer to someone without a relation: `NotFound`, or `Forbidden` for roles that never
/// read cases (they learn nothing from it: they are refused every case alike).
fn outsider_error(a: &Authed) -> AppError {
    if a.can(Capability::ListCases) {
        AppError::NotFound
    } else {
        AppError::Forbidden
    }
}

/// Audits a refused attempt on a known participant and returns the error to give.
pub(crate) async fn refuse(
    a: &Authed,
    action: &str,
    pid: &str,
    case_id: Option<&str>,
    categories: &[Category],
) -> AppError {
    let mut e = Entry::new(action);
    e.participants = vec![pid.to_string()];
    e.case_id = case_id.map(str::to_string);
    e.denied = categories.iter().map(|c| c.as_str().to_string()).collect();
    e.decision = "deny".into();
    if let Err(err) = audit::append(a.state(), &who(a), e).await {
        return err;
    }
    outsider_error(a)
}

/// The audited answer to a case id that does not exist (or is not an id at all): the same
/// error, after the same kind of entry, as for a case the asker has no relation to.
pub(crate) async fn refuse_unknown(a: &Authed, action: &str, case_id: &str) -> AppError {
    let mut e = Entry::new(action);
    e.case_id = check_id(case_id).is_ok().then(|| case_id.to_string());
    e.decision = "deny".into();
    if let Err(err) = audit::append(a.state(), &who(a), e).await {
        return err;
    }
    outsider_error(a)
}

/// A case opened through the gate: the case, its participant's policy facts and every
/// category's decision for this user, computed once.
pub(crate) struct CaseGate<'a> {
    a: &'a Authed,
    pub case: CaseRec,
    pub subject: Subject,
    pub now: DateTime<Utc>,
    decisions: HashMap<Category, Decision>,
}

impl<'a> CaseGate<'a> {
    /// Loads the case and its policy facts. An unknown or malformed id is refused here, audited
    /// under `action`, exactly like a case without relation would be.
    pub async fn open(
        a: &'a Authed,
        case_id: &str,
        action: &str,
        purpose: Purpose,
    ) -> Result<CaseGate<'a>, AppError> {
        // A malformed id is looked up as an id that does not exist, and refused alike.
        let lookup = if valid_id(case_id) {
            case_id.to_string()
        } else {
            super::db::new_id()
        };
        // The case and its participant's policy facts in one round trip. For an unknown id the
        // facts are looked up for a participant no one is, at the same cost as for a case that
        // exists: otherwise an unknown id would be answered sooner than a case without
        // relation, and the time would tell an outsider which ids exist (part 6 of the load
        // benchmark measures the two).
        let mut rows = a
            .state()
            .db()
            .q(format!(
                "LET $case = (SELECT *, record::id(id) AS id FROM ONLY type::record('case', $id));
                 RETURN $case;
                 {}",
                subject::FACTS_OF_CASE
            ))
            .bind("id", &lookup)
            .bind("nobody", super::db::new_id())
            .bind("org", a.org_id())
            .bind("user", a.user_id())
            .bind("now", a.state().clock().now())
            .run()
            .await?;
        let case: Option<CaseRec> = rows.first(1)?;
        let mut subjects = subject::from_rows(&mut rows, 2)?;
        let Some((case, subject)) =
            case.and_then(|c| subjects.remove(&c.participant).map(|s| (c, s)))
        else {
            return Err(refuse_unknown(a, action, case_id).await);
        };
        let now = a.state().clock().now();
        let decisions = access::visible(&actor(a), &subject, purpose, now)
            .into_iter()
            .collect();
        Ok(CaseGate {
            a,
            case,
            subject,
            now,
            decisions,
        })
    }

    pub fn decision(&self, c: Category) -> &Decision {
        &self.decisions[&c]
    }

    pub fn may(&self, c: Category) -> bool {
        self.decisions[&c].allowed()
    }

    /// The categories this user may read on this case.
    pub fn visible(&self) -> Vec<Category> {
        Category::ALL.into_iter().filter(|c| self.may(*c)).collect()
    }

    /// Whether the user has any relation to the participant.
    pub fn related(&self) -> bool {
        access::related(&actor(self.a), &self.subject, Purpose::CaseWork, self.now)
    }

    /// The sending team of an accepted handover, inside its read period: it reads the case and
    /// writes nothing on it.
    pub fn read_only(&self) -> bool {
        self.decisions
            .values()
            .any(|d| matches!(d, Decision::Allow(access::Basis::HandedOver)))
    }

    /// Whether the user may change the case itself (`access::may_manage`).
    pub fn manages(&self) -> bool {
        access::may_manage(&actor(self.a), &self.subject)
    }

    /// The bases of the allowed decisions, for the audit entry.
    pub fn basis_summary(&self) -> Option<String> {
        let mut b: Vec<String> = self
            .decisions
            .values()
            .filter_map(|d| match d {
                Decision::Allow(b) => Some(b.describe()),
                Decision::Deny(_) => None,
            })
            .collect();
        b.sort();
        b.dedup();
        (!b.is_empty()).then(|| b.join(","))
    }

    /// Refuses, with one `deny` entry naming `categories`. The error is `NotFound` for a user
    /// without any relation (as for a case that does not exist), otherwise `Forbidden`.
    pub async fn deny(&self, action: &str, categories: &[Category]) -> AppError {
        let err = refuse(
            self.a,
            action,
            &self.case.participant,
            Some(&self.case.id),
            categories,
        )
        .await;
        if matches!(err, AppError::Internal) || !self.related() {
            err
        } else {
            AppError::Forbidden
        }
    }

    /// The change gate: the case's owning team and program lead pass; anyone else leaves one
    /// `deny` entry. The allowed write carries its own entry (`audit::commit`).
    pub async fn require_manage(&self, action: &str) -> Result<(), AppError> {
        if self.manages() {
            Ok(())
        } else {
            Err(self.deny(action, &[]).await)
        }
    }
}
