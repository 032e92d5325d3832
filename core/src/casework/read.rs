//! The one way into a case for casework: the case opened through the gate, refusals and read
//! entries shaped alike on every tab, and a tab's rows read together with the organisations'
//! names and the participant's key that open them.

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::access::Purpose;
use crate::audit::{self, Entry};
use crate::auth::Authed;
use crate::crypto::{Aad, Dek};
use crate::db::Rows;
use crate::gate::{refuse, who, Ahead, CaseGate};
use crate::state::AppState;
use crate::vault;
use domain::{AppError, Capability, Category, Shown};

/// A case opened for one casework call: the gate's case and decisions, whether the reader
/// manages the case, and the call's action and categories, which every entry it leaves names.
pub(super) struct Case<'a> {
    gate: CaseGate<'a>,
    a: &'a Authed,
    action: &'a str,
    cats: &'a [Category],
    /// The owning team and its program leads: they may change everything on the case.
    pub manage: bool,
}

impl<'a> Deref for Case<'a> {
    type Target = CaseGate<'a>;

    fn deref(&self) -> &CaseGate<'a> {
        &self.gate
    }
}

impl<'a> Case<'a> {
    /// Opens the case through the gate. A reader who may see nothing of it (and an
    /// administrator or log reviewer, who never read case content) is refused here with one
    /// audit entry naming the call's action and categories — the same single entry an allowed
    /// call leaves — so a denied attempt is as visible in the log as a read.
    pub async fn open(
        a: &'a Authed,
        case_id: &str,
        action: &'a str,
        cats: &'a [Category],
    ) -> Result<Case<'a>, AppError> {
        Ok(
            Self::open_ahead::<serde_json::Value>(a, case_id, action, cats, None)
                .await?
                .0,
        )
    }

    /// Opens the case as [`Case::open`] does, with `ahead` read in the gate's round trip when
    /// the gate may read it there ([`CaseGate::open_ahead`]; otherwise `None`).
    pub async fn open_ahead<T: DeserializeOwned>(
        a: &'a Authed,
        case_id: &str,
        action: &'a str,
        cats: &'a [Category],
        ahead: Option<&Ahead>,
    ) -> Result<(Case<'a>, Option<T>), AppError> {
        let (gate, read) =
            CaseGate::open_ahead(a, case_id, action, Purpose::CaseWork, ahead).await?;
        if !a.can(Capability::ListCases) || gate.visible().is_empty() {
            let (pid, cid) = (&gate.case.participant, &gate.case.id);
            return Err(refuse(a, action, pid, Some(cid), cats).await);
        }
        let manage = gate.manages();
        Ok((
            Case {
                gate,
                a,
                action,
                cats,
                manage,
            },
            read,
        ))
    }

    pub fn reader(&self) -> &'a Authed {
        self.a
    }

    /// Refuses a read or write on a case the reader has a relation to, with one `deny` entry
    /// that looks like the entry an allowed call leaves (same action, categories, purpose).
    pub async fn deny(&self) -> AppError {
        let mut e = self.entry();
        e.denied = names(self.cats);
        e.decision = "deny".into();
        e.purpose = Some(Purpose::CaseWork.as_str().into());
        match audit::append(self.a.state(), &who(self.a), e).await {
            Ok(_) => AppError::Forbidden,
            Err(err) => err,
        }
    }

    /// Lets the call on when `allowed`; otherwise refuses it as `deny` does.
    pub async fn require(&self, allowed: bool) -> Result<(), AppError> {
        if allowed {
            Ok(())
        } else {
            Err(self.deny().await)
        }
    }

    /// The entry of an allowed read, naming the categories it showed.
    pub async fn audit_read(&self, shown: &[Category]) -> Result<(), AppError> {
        self.begin_read(shown).done().await?;
        Ok(())
    }

    /// Puts the entry of an allowed read on its way ([`audit::begin`]): the read is answered
    /// once it is [`done`](audit::Appending::done), and prepared while it is written.
    pub fn begin_read(&self, shown: &[Category]) -> audit::Appending {
        let mut e = self.entry();
        e.categories = names(shown);
        e.purpose = Some(Purpose::CaseWork.as_str().into());
        audit::begin(self.a.state(), &who(self.a), e)
    }

    /// An entry of this call on this case.
    pub fn entry(&self) -> Entry {
        let mut e = Entry::new(self.action);
        e.participants = vec![self.case.participant.clone()];
        e.case_id = Some(self.case.id.clone());
        e
    }

    /// The participant's data key; `None` once the data are shredded.
    pub async fn key(&self) -> Result<Option<Arc<Dek>>, AppError> {
        vault::dek(self.a.state(), &self.case.participant).await
    }

    /// Opens the case as [`Case::open`] does, with a tab's `statements` (each one SurrealQL
    /// statement, `$c` the case) read in the gate's round trip when the gate may read them there
    /// ([`CaseGate::open_ahead`]); otherwise [`Case::read`] reads them in one round trip, after
    /// the tab's own checks. The organisations' names come from the process's cache of names.
    pub async fn open_tab(
        a: &'a Authed,
        case_id: &str,
        action: &'a str,
        cats: &'a [Category],
        statements: &[&str],
    ) -> Result<(Case<'a>, Tab), AppError> {
        let ahead = Ahead::new(format!(
            "RETURN [{}];",
            statements
                .iter()
                .map(|s| format!("({})", s.trim().trim_end_matches(';')))
                .collect::<Vec<_>>()
                .join(",\n")
        ));
        let (c, read) = Self::open_ahead(a, case_id, action, cats, Some(&ahead)).await?;
        Ok((c, Tab { ahead, read }))
    }

    /// The tab's rows (read now unless the gate read them), with the participant's key when
    /// the tab will open sealed fields (`with_key`).
    pub async fn read(&self, tab: Tab, with_key: bool) -> Result<Read, AppError> {
        let values: Vec<Json> = match tab.read {
            Some(v) => v,
            None => tab.ahead.run(self.a, &self.case.id).await?,
        };
        let dek = if with_key { self.key().await? } else { None };
        Ok(Read {
            rows: Rows::from(values),
            orgs: crate::names::directory(self.a.state()).await?,
            dek,
            state: self.a.state().clone(),
            participant: self.case.participant.clone(),
        })
    }
}

/// A tab's statements as [`Case::open_tab`] asked for them, and what the gate read of them.
pub(super) struct Tab {
    ahead: Ahead,
    read: Option<Vec<Json>>,
}

fn names(cats: &[Category]) -> Vec<String> {
    cats.iter().map(|c| c.as_str().to_string()).collect()
}

/// A tab's rows, with what it needs to show them.
pub(super) struct Read {
    rows: Rows,
    orgs: Arc<HashMap<String, String>>,
    dek: Option<Arc<Dek>>,
    /// Where a value that fails to open is reported, and whose it is.
    state: AppState,
    participant: String,
}

impl Read {
    /// All rows of the tab's statement `i` (counted from 0 in the tab's own list).
    pub fn all<T: DeserializeOwned>(&mut self, i: usize) -> Result<Vec<T>, AppError> {
        Ok(self.rows.all(i)?)
    }

    /// The first row of the tab's statement `i`.
    pub fn first<T: DeserializeOwned>(&mut self, i: usize) -> Result<Option<T>, AppError> {
        Ok(self.rows.first(i)?)
    }

    /// An organisation's name; empty for an id that names none.
    pub fn org(&self, id: &str) -> String {
        self.orgs.get(id).cloned().unwrap_or_default()
    }

    /// A sealed field as the reader gets it: empty, masked (no key: shredded), opened, or damaged
    /// when it fails to open (`vault::show`).
    pub fn shown(
        &self,
        table: &str,
        id: &str,
        field: &str,
        v: Option<&str>,
    ) -> Result<Shown<String>, AppError> {
        match (v, &self.dek) {
            (None, _) => Ok(Shown::Empty),
            (Some(_), None) => Ok(Shown::Masked),
            (Some(s), Some(k)) => Ok(vault::show(
                &self.state,
                &self.participant,
                k,
                Aad::new(table, id, field),
                s,
            )),
        }
    }

    /// A short sealed text as plain text: empty when none was given, the mask when the key is
    /// gone.
    pub fn text(
        &self,
        table: &str,
        id: &str,
        field: &str,
        v: Option<&str>,
    ) -> Result<String, AppError> {
        Ok(
            match self.shown(table, id, field, v.filter(|s| !s.is_empty()))? {
                Shown::Value(s) => s,
                Shown::Empty => String::new(),
                Shown::Masked => domain::MASK.to_string(),
                Shown::Damaged => domain::DAMAGED.to_string(),
            },
        )
    }
}

/// Audit-log probes shared by the tabs' tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use serde::Deserialize;

    /// The timeline events of `kind` that `a` reads on the case, newest first, each as the
    /// register extract words it: its line in Swedish, then what people wrote.
    pub async fn event_lines(
        a: &crate::auth::Authed,
        case: &str,
        kind: domain::casework::EventKind,
    ) -> Vec<String> {
        use domain::event::EventLine;
        super::super::timeline(a, case, "", super::super::TimelineFilter::default(), 200)
            .await
            .unwrap()
            .events
            .into_iter()
            .filter(|e| e.kind == kind)
            .filter_map(|e| {
                let text = e.text?;
                Some(EventLine::with_text(
                    e.line.as_ref(),
                    &text,
                    EventLine::swedish,
                ))
            })
            .collect()
    }

    /// How many entries the log holds.
    pub async fn audit_seqs(state: &crate::AppState) -> usize {
        state
            .db()
            .q("SELECT VALUE seq FROM audit")
            .run()
            .await
            .unwrap()
            .all::<i64>(0)
            .unwrap()
            .len()
    }

    /// The entries after sequence number `from`, oldest first: (action, decision).
    pub async fn entries_since(state: &crate::AppState, from: i64) -> Vec<(String, String)> {
        #[derive(Deserialize)]
        struct E {
            action: String,
            decision: String,
        }
        state
            .db()
            .q("SELECT action, decision, seq FROM audit WHERE seq > $s ORDER BY seq")
            .bind("s", from)
            .run()
            .await
            .unwrap()
            .all::<E>(0)
            .unwrap()
            .into_iter()
            .map(|e| (e.action, e.decision))
            .collect()
    }

    /// The newest entry: (action, decision, denied categories).
    pub async fn last_entry(state: &crate::AppState) -> (String, String, Vec<String>) {
        #[derive(Deserialize)]
        struct E {
            action: String,
            decision: String,
            denied: Vec<String>,
        }
        let e: Option<E> = state
            .db()
            .q("SELECT action, decision, denied, seq FROM audit ORDER BY seq DESC LIMIT 1")
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap();
        let e = e.unwrap();
        (e.action, e.decision, e.denied)
    }
}
