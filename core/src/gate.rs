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
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::access::{self, Decision, Purpose, Subject};
use super::audit::{self, Entry, Who};
use super::auth::Authed;
use super::db::{valid_id, DbError};
use super::subject::{self, actor, FactsRow};
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

/// A page's read that may ride in the gate's own round trip ([`CaseGate::open_ahead`]): a
/// SurrealQL block whose last statement `RETURN`s what it reads (never `NONE`), `$c` being the
/// case's id, with variables of its own.
pub(crate) struct Ahead {
    sql: String,
    vars: Vec<(&'static str, serde_json::Value)>,
}

/// Variables the gate's statements bind: an [`Ahead`] must not use these names for its own.
const GATE_VARS: [&str; 10] = [
    "id", "decoy", "org", "user", "now", "gate", "real", "case", "facts", "manager",
];

/// The gate's read: the case `$id` and its participant's policy facts, each fetched by key, as
/// `[real, case, facts]` with only the reader's own consents and running break-glass in the
/// facts (the last statement but one with `ahead`, the only one without), and what `ahead` read
/// (the last statement, `NONE` where it was not run). For an id no case has, `real` is false
/// and the case and facts are the decoy rows (`crate::decoy`), read and cut the same way: a
/// record that exists costs twice what a missing key does, and the time would tell an outsider
/// which ids exist.
///
/// The fetches are one statement, a block whose `LET`s are its own: each statement of a query
/// costs its own 0.03–0.2 ms on this store (the same fetches as four statements 0.76 ms, as one
/// 0.60 ms; the block bound to `$gate` and returned, 0.50 ms, as a `RETURN` of its own 0.44 ms;
/// the facts' fields picked from the record rather than copied into an object, 0.01–0.1 ms
/// less over three probes: benchmark probe). `ahead` stays a statement of its own, at the top level, and reads the
/// block's value from `$gate`: inside a block, or as a part of the `RETURN`ed value, under an
/// `IF … { }`, SurrealDB 3 read the timeline's `ORDER BY … LIMIT` over all 10 000 events of
/// the case (48–52 ms against 1.4 ms at the top level). Two fetches by key cost about half of
/// what two `SELECT`s with `record::id` did.
fn gate_sql(ahead: Option<&str>) -> String {
    let fetch = format!(
        "{{
             LET $real = type::record('case', $id).*;
             LET $case = $real ?? type::record('decoy_case', $decoy).*;
             LET $facts = IF $real THEN type::record('policy_facts', $case.participant)
                 ELSE type::record('decoy_policy_facts', $decoy) END;
             [$real != NONE, $case, $facts.{{
                 id: $case.participant, owner_org, protection, shredded, team,
                 grants: {}, glass: {}
             }}]
         }}",
        subject::own_grants!(),
        subject::own_glass!(),
    );
    match ahead {
        None => format!("RETURN {fetch};"),
        Some(sql) => format!(
            "LET $gate = {fetch};
             RETURN $gate;
             RETURN IF $manager AND $gate[0] AND $gate[2].owner_org = $org {{
                 LET $c = $id;
                 {sql}
             }} ELSE {{ NONE }};"
        ),
    }
}

/// [`gate_sql`] without a page's block, for the decoys' tests.
#[cfg(test)]
pub(crate) fn case_and_facts_sql() -> String {
    gate_sql(None)
}

impl Ahead {
    pub fn new(sql: impl Into<String>) -> Ahead {
        Ahead {
            sql: sql.into(),
            vars: Vec::new(),
        }
    }

    pub fn bind(mut self, name: &'static str, v: impl serde::Serialize) -> Ahead {
        assert!(
            !GATE_VARS.contains(&name) && name != "c",
            "`${name}` is the gate's"
        );
        self.vars
            .push((name, serde_json::to_value(v).unwrap_or_default()));
        self
    }

    /// Runs the block on its own, after the caller's decisions (when the gate did not run it).
    pub async fn run<T: DeserializeOwned>(&self, a: &Authed, case_id: &str) -> Result<T, AppError> {
        let mut q = a.state().db().q(self.sql.as_str()).bind("c", case_id);
        for (k, v) in &self.vars {
            q = q.bind(k, v);
        }
        let mut rows = q.run().await?;
        Ok(serde_json::from_value(rows.last()).map_err(DbError::from)?)
    }
}

/// The gate's round trip for the case key `lookup`, with `ahead`'s block when given.
fn gate_query<'q>(a: &'q Authed, lookup: &str, ahead: Option<&Ahead>) -> crate::db::Q<'q> {
    let mut q = a
        .state()
        .db()
        .q(gate_sql(ahead.map(|x| x.sql.as_str())))
        .bind("id", lookup)
        .bind("decoy", crate::decoy::KEY)
        .bind("org", a.org_id())
        .bind("user", a.user_id())
        .bind("now", a.state().clock().now())
        .bind("manager", a.can(Capability::ManageCase));
    for (k, v) in ahead.map(|x| x.vars.as_slice()).unwrap_or_default() {
        q = q.bind(k, v);
    }
    q
}

/// The gate's round trip as [`CaseGate::open_ahead`] sends it, and nothing after it: the
/// values are converted as the gate converts them, then not decoded into records, and nothing
/// is decided or audited. For the load benchmark, which
/// tells the store's part of the gate from the process's.
#[cfg(feature = "fixtures")]
pub(crate) async fn round_trip_only(
    a: &Authed,
    case_id: &str,
    ahead: Option<&Ahead>,
) -> Result<usize, AppError> {
    let mut rows = gate_query(a, case_id, ahead).run().await?;
    // Converted to JSON as the gate converts them, and no further.
    Ok(match ahead {
        None => usize::from(!rows.value(0).is_null()),
        Some(_) => usize::from(!rows.value(1).is_null()) + usize::from(!rows.value(2).is_null()),
    })
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
        Ok(
            Self::open_ahead::<serde_json::Value>(a, case_id, action, purpose, None)
                .await?
                .0,
        )
    }

    /// Opens the case as [`CaseGate::open`] does and, in the same round trip, reads `ahead` for
    /// a reader who plainly has a relation to the participant: one who manages cases
    /// (`Capability::ManageCase`) in the organisation that owns them, the first relation of
    /// `access::related`, which asks nothing but the facts' owner. For anyone else the block
    /// is not run (`None`), so a case without relation is answered in the time an id that
    /// does not exist is (nothing is read that the answer would then throw away); the caller
    /// runs it (`Ahead::run`) once its decisions allow. What the block read is the caller's to
    /// show or drop by the same decisions as a read of its own.
    pub async fn open_ahead<T: DeserializeOwned>(
        a: &'a Authed,
        case_id: &str,
        action: &str,
        purpose: Purpose,
        ahead: Option<&Ahead>,
    ) -> Result<(CaseGate<'a>, Option<T>), AppError> {
        // A malformed id is looked up as an id that does not exist, and refused alike.
        let lookup = if valid_id(case_id) {
            case_id.to_string()
        } else {
            super::db::new_id()
        };
        // The case and its participant's policy facts in one round trip. For an unknown id the
        // decoy rows are read and decided on instead, at the same cost as a case that exists:
        // otherwise an unknown id would be answered sooner than a case without relation, and
        // the time would tell an outsider which ids exist (part 6 of the load benchmark
        // measures the two).
        let mut rows = gate_query(a, &lookup, ahead).run().await?;
        let at = if ahead.is_some() { 1 } else { 0 };
        let (real, case, facts): (bool, Option<CaseRec>, Option<FactsRow>) =
            serde_json::from_value(rows.value(at)).map_err(DbError::from)?;
        let read: Option<T> = match ahead.map(|_| rows.value(at + 1)) {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(serde_json::from_value(v).map_err(DbError::from)?),
        };
        let Some((mut case, facts)) = case.zip(facts) else {
            // A case without policy facts is refused as unknown, as is every id on a store
            // whose decoy rows are missing.
            return Err(refuse_unknown(a, action, case_id).await);
        };
        // The case was fetched as a record (its id `case:<key>`); the key is the one looked up.
        case.id = lookup;
        let (_, subject) = facts.into_subject()?;
        let now = a.state().clock().now();
        // Decided for the decoy too, and thrown away: the same work as for a case that exists.
        let decisions = access::visible(&actor(a), &subject, purpose, now)
            .into_iter()
            .collect();
        if !real {
            drop((case, subject, decisions));
            return Err(refuse_unknown(a, action, case_id).await);
        }
        Ok((
            CaseGate {
                a,
                case,
                subject,
                now,
                decisions,
            },
            read,
        ))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::DEMO_USERS;
    use crate::testing::{as_user, setup};

    #[derive(Deserialize)]
    struct Read {
        case: String,
    }

    /// The gate reads a page's block in its own round trip only for a reader with the plain
    /// relation (one who manages cases in the owning organisation), never for a reader without
    /// relation: for them the answer must take the time an unknown id takes.
    #[tokio::test]
    async fn the_gate_reads_ahead_only_for_a_reader_who_manages_the_owners_cases() {
        let state = setup().await;
        let cases: Vec<String> = state
            .db()
            .q("SELECT VALUE record::id(id) FROM case")
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap();
        let ahead = Ahead::new("RETURN { case: $c };");
        let (mut read_ahead, mut related_not_ahead, mut unrelated) = (0, 0, 0);
        for (username, _, _, _) in DEMO_USERS {
            let a = as_user(&state, username).await;
            for id in &cases {
                let (g, read) = CaseGate::open_ahead::<Read>(
                    &a,
                    id,
                    "test.read",
                    Purpose::CaseWork,
                    Some(&ahead),
                )
                .await
                .unwrap();
                let plain = a.can(Capability::ManageCase) && g.subject.owner_org == a.org_id();
                assert_eq!(read.is_some(), plain, "{username} on {id}");
                if let Some(r) = read {
                    assert!(
                        g.related(),
                        "{username} read ahead on {id} without relation"
                    );
                    assert_eq!(&r.case, id);
                    read_ahead += 1;
                } else if g.related() {
                    related_not_ahead += 1;
                } else {
                    unrelated += 1;
                }
                // The block on its own reads the same.
                let alone: Read = ahead.run(&a, id).await.unwrap();
                assert_eq!(&alone.case, id);
            }
            // An id that no case has is refused, whatever the block.
            let unknown = CaseGate::open_ahead::<Read>(
                &a,
                &crate::db::new_id(),
                "test.read",
                Purpose::CaseWork,
                Some(&ahead),
            )
            .await;
            assert!(unknown.is_err());
        }
        assert!(read_ahead > 0 && related_not_ahead > 0 && unrelated > 0);
    }

    #[test]
    #[should_panic(expected = "is the gate's")]
    fn a_block_cannot_bind_a_variable_of_the_gate() {
        let _ = Ahead::new("RETURN $org;").bind("org", "x");
    }
}
