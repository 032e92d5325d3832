//! Loads what the access policy needs to know about participants, one or many at a time.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::access::{Actor, Grant, Member, Subject};
use super::auth::Authed;
use domain::{AppError, Category, Protection};

/// A participant's row of `policy_facts` (migration 21), with only the reader's own consents
/// and break-glass left in.
#[derive(Deserialize)]
pub(crate) struct FactsRow {
    pub id: String,
    pub owner_org: String,
    pub protection: String,
    pub shredded: bool,
    pub team: Vec<MRow>,
    pub grants: Vec<CRow>,
    pub glass: Vec<BRow>,
}

#[derive(Deserialize)]
pub(crate) struct MRow {
    user: String,
    org: String,
    until: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
pub(crate) struct CRow {
    id: String,
    recipient_org: String,
    categories: Vec<String>,
    valid_from: DateTime<Utc>,
    valid_until: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
pub(crate) struct BRow {
    id: String,
    expires_at: DateTime<Utc>,
}

pub(crate) fn actor(who: &Authed) -> Actor<'_> {
    Actor {
        user_id: who.user_id(),
        org_id: who.org_id(),
        role: who.role(),
    }
}

/// Policy facts for each of `participants` that exists. Team = members of the participant's
/// cases (open or closed; a closed case keeps its team for follow-up reading).
pub(crate) async fn load(
    who: &Authed,
    participants: &[String],
) -> Result<HashMap<String, Subject>, AppError> {
    if participants.is_empty() {
        return Ok(HashMap::new());
    }
    let now = who.state().clock().now();
    let mut rows = who
        .state()
        .db()
        .q(FACTS)
        .bind("ps", participants)
        .bind("org", who.org_id())
        .bind("user", who.user_id())
        .bind("now", now)
        .run()
        .await?;
    from_rows(&mut rows, 0)
}

/// Of a facts row's consents, those naming the reader's organisation `$org`: the only ones the
/// policy is given. Every statement that reads policy facts for a reader uses it.
macro_rules! own_grants {
    () => {
        "grants[WHERE recipient_org = $org]"
    };
}

/// Of a facts row's break-glass grants, the reader `$user`'s still running at `$now`.
macro_rules! own_glass {
    () => {
        "glass[WHERE user = $user AND expires_at > <datetime>$now]"
    };
}

pub(crate) use {own_glass, own_grants};

/// The statement of [`FACTS`] over the records that `$from` names.
macro_rules! facts_from {
    ($from:literal) => {
        concat!(
            "SELECT record::id(id) AS id, owner_org, protection, shredded, team, ",
            own_grants!(),
            " AS grants, ",
            own_glass!(),
            " AS glass FROM ",
            $from,
            " WHERE id != NONE"
        )
    };
}

/// The policy facts of the participants in `$ps`, for the reader `$user` of organisation
/// `$org` at `$now`: one statement of direct record lookups, read by [`from_rows`]. A caller
/// may run it after its own statements in the same round trip.
pub(crate) const FACTS: &str = concat!(facts_from!("fn::records('policy_facts', $ps)"), ";");

/// The subjects from the result of [`FACTS`], statement number `at`.
pub(crate) fn from_rows(
    rows: &mut crate::db::Rows,
    at: usize,
) -> Result<HashMap<String, Subject>, AppError> {
    let facts: Vec<FactsRow> = rows.all(at)?;
    let mut out: HashMap<String, Subject> = HashMap::with_capacity(facts.len());
    for f in facts {
        let (id, subject) = f.into_subject()?;
        out.insert(id, subject);
    }
    Ok(out)
}

impl FactsRow {
    /// The participant's id and the facts as the policy reads them. A protection the policy
    /// does not know is an internal error, never a guess.
    pub(crate) fn into_subject(self) -> Result<(String, Subject), AppError> {
        let f = self;
        let subject = Subject {
            owner_org: f.owner_org,
            team: f
                .team
                .into_iter()
                .map(|m| Member {
                    user_id: m.user,
                    org_id: m.org,
                    until: m.until,
                })
                .collect(),
            protection: Protection::parse(&f.protection).map_err(|_| AppError::Internal)?,
            grants: f
                .grants
                .into_iter()
                .map(|c| Grant {
                    id: c.id,
                    recipient_org: c.recipient_org,
                    categories: c
                        .categories
                        .iter()
                        .filter_map(|x| Category::parse(x).ok())
                        .collect(),
                    valid_from: c.valid_from,
                    valid_until: c.valid_until,
                    revoked_at: c.revoked_at,
                })
                .collect(),
            break_glass: f.glass.into_iter().map(|b| (b.id, b.expires_at)).collect(),
            shredded: f.shredded,
        };
        Ok((f.id, subject))
    }
}

pub(crate) async fn load_one(who: &Authed, participant: &str) -> Result<Subject, AppError> {
    load(who, &[participant.to_string()])
        .await?
        .remove(participant)
        .ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    //! The `policy_facts` rows (migration 21) against the facts recomputed from the tables they
    //! are made of, for several readers, on the demo store and after writes of every kind to
    //! each of those tables.

    use super::*;
    use crate::testing::{as_user, cases_store, history_store};
    use crate::AppState;

    /// The facts as the policy needed them before the rows existed: read from `participant`,
    /// `case_member`, `consent` and `break_glass` themselves.
    async fn recomputed(who: &Authed, ps: &[String]) -> HashMap<String, Subject> {
        #[derive(Deserialize)]
        struct P {
            id: String,
            owner_org: String,
            protection: String,
            shredded: bool,
        }
        #[derive(Deserialize)]
        struct M {
            participant: String,
            user: String,
            org: String,
            until: Option<DateTime<Utc>>,
        }
        #[derive(Deserialize)]
        struct C {
            participant: String,
            #[serde(flatten)]
            c: CRow,
        }
        #[derive(Deserialize)]
        struct B {
            participant: String,
            #[serde(flatten)]
            b: BRow,
        }
        let mut rows = who
            .state()
            .db()
            .q("SELECT record::id(id) AS id, owner_org, protection, shredded FROM fn::records('participant', $ps) WHERE id != NONE;
                SELECT participant, user, org, until FROM case_member WHERE participant IN $ps;
                SELECT record::id(id) AS id, participant, recipient_org, categories, valid_from, valid_until, revoked_at FROM consent WHERE participant IN $ps AND recipient_org = $org;
                SELECT record::id(id) AS id, participant, expires_at FROM break_glass WHERE user = $user AND participant IN $ps AND expires_at > <datetime>$now;")
            .bind("ps", ps)
            .bind("org", who.org_id())
            .bind("user", who.user_id())
            .bind("now", who.state().clock().now())
            .run()
            .await
            .unwrap();
        let people: Vec<P> = rows.all(0).unwrap();
        let members: Vec<M> = rows.all(1).unwrap();
        let consents: Vec<C> = rows.all(2).unwrap();
        let glass: Vec<B> = rows.all(3).unwrap();
        people
            .into_iter()
            .map(|p| {
                let s = Subject {
                    owner_org: p.owner_org,
                    team: members
                        .iter()
                        .filter(|m| m.participant == p.id)
                        .map(|m| Member {
                            user_id: m.user.clone(),
                            org_id: m.org.clone(),
                            until: m.until,
                        })
                        .collect(),
                    protection: Protection::parse(&p.protection).unwrap(),
                    grants: consents
                        .iter()
                        .filter(|c| c.participant == p.id)
                        .map(|c| Grant {
                            id: c.c.id.clone(),
                            recipient_org: c.c.recipient_org.clone(),
                            categories: c
                                .c
                                .categories
                                .iter()
                                .filter_map(|x| Category::parse(x).ok())
                                .collect(),
                            valid_from: c.c.valid_from,
                            valid_until: c.c.valid_until,
                            revoked_at: c.c.revoked_at,
                        })
                        .collect(),
                    break_glass: glass
                        .iter()
                        .filter(|b| b.participant == p.id)
                        .map(|b| (b.b.id.clone(), b.b.expires_at))
                        .collect(),
                    shredded: p.shredded,
                };
                (p.id, s)
            })
            .collect()
    }

    /// Order is not part of the facts: teams, grants and break-glass compared as sets.
    fn sorted(mut m: HashMap<String, Subject>) -> HashMap<String, Subject> {
        for s in m.values_mut() {
            s.team
                .sort_by(|a, b| (&a.user_id, &a.org_id).cmp(&(&b.user_id, &b.org_id)));
            s.grants.sort_by(|a, b| a.id.cmp(&b.id));
            s.break_glass.sort();
        }
        m
    }

    async fn every_participant(state: &AppState) -> Vec<String> {
        state
            .db()
            .q("SELECT VALUE record::id(id) FROM participant")
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap()
    }

    /// The rows equal the recomputation for each of the demo's readers of different
    /// organisations and roles.
    async fn assert_rows_equal_recomputation(state: &AppState, what: &str) {
        let ps = every_participant(state).await;
        assert!(!ps.is_empty());
        for user in [
            "handlaggare",
            "passus",
            "polis",
            "handlaggare.malmo",
            "programledare",
        ] {
            let who = as_user(state, user).await;
            let rows = sorted(load(&who, &ps).await.unwrap());
            assert_eq!(
                rows.len(),
                ps.len(),
                "{what}: a participant without its row"
            );
            assert_eq!(
                rows,
                sorted(recomputed(&who, &ps).await),
                "{what}, read by {user}"
            );
        }
    }

    #[tokio::test]
    async fn the_facts_rows_equal_a_recomputation_on_the_demo_store() {
        let (state, _) = history_store().await;
        assert_rows_equal_recomputation(&state, "demo store with history").await;
    }

    /// Every kind of write (create, update, delete) to each table the facts are made of, made
    /// directly in the database as any future write path would, leaves rows equal to a
    /// recomputation; a participant removed has no row left.
    #[tokio::test]
    async fn writes_of_every_kind_to_each_source_table_keep_the_rows_equal() {
        let state = cases_store().await;
        let passus = as_user(&state, "passus").await;
        let ps = every_participant(&state).await;
        let (p, q) = (ps[0].clone(), ps[1].clone());
        let steps: [(&str, &str); 15] = [
            ("a member added", "CREATE case_member CONTENT { case: 'c-x', participant: $p, user: $passus, org: $passus_org, part: 'mentor', added_at: time::now(), added_by: 'test' }"),
            ("a member's handover end set", "UPDATE case_member SET until = time::now() + 30d WHERE case = 'c-x'"),
            ("a member moved to another participant", "UPDATE case_member SET participant = $q WHERE case = 'c-x'"),
            ("a member removed", "DELETE case_member WHERE case = 'c-x'"),
            ("a consent given", "CREATE consent:c1 CONTENT { participant: $q, recipient_org: $passus_org, categories: ['identity', 'contacts'], basis: 'samtycke', valid_from: time::now() - 1d, recorded_by: 'test', recorded_at: time::now() }"),
            ("a consent moved to another participant", "UPDATE consent:c1 SET participant = $p"),
            ("a consent revoked", "UPDATE consent:c1 SET revoked_at = time::now(), revoked_by = 'test'"),
            ("a consent deleted", "DELETE consent:c1"),
            ("a break-glass opened", "CREATE break_glass:g1 CONTENT { user: $passus, org: $passus_org, participant: $p, reason: 'Akut hotbild, behöver kontaktuppgifter nu', granted_at: time::now(), expires_at: time::now() + 1h, review: 'pending' }"),
            ("a break-glass moved to another participant", "UPDATE break_glass:g1 SET participant = $q"),
            ("a break-glass reviewed", "UPDATE break_glass:g1 SET review = 'justified', reviewed_by = 'test', reviewed_at = time::now()"),
            ("a break-glass deleted", "DELETE break_glass:g1"),
            ("protection raised", "UPDATE type::record('participant', $q) SET protection = 'sekretessmarkering'"),
            ("a participant shredded", "UPDATE type::record('participant', $q) SET shredded = true"),
            ("a participant removed", "DELETE type::record('participant', $p)"),
        ];
        for (what, sql) in steps {
            state
                .db()
                .q(sql)
                .bind("p", &p)
                .bind("q", &q)
                .bind("passus", passus.user_id())
                .bind("passus_org", passus.org_id())
                .run()
                .await
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_rows_equal_recomputation(&state, what).await;
        }
        let left: Vec<String> = state
            .db()
            .q("SELECT VALUE record::id(id) FROM policy_facts WHERE record::id(id) = $p")
            .bind("p", &p)
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap();
        assert!(
            left.is_empty(),
            "the removed participant's facts are still there"
        );
    }

    /// Under the events of migration 21, a team membership moved to another participant left
    /// the first participant's facts naming the member (the check below that they differ shows
    /// it); migration 34 refreshes both participants on such a write and mends facts already
    /// left stale.
    #[tokio::test]
    async fn migration_34_refreshes_both_participants_of_a_move_and_mends_stale_facts() {
        let state = cases_store().await;
        let passus = as_user(&state, "passus").await;
        let ps = every_participant(&state).await;
        let run = |sql: String| {
            let (state, p, q) = (state.clone(), ps[0].clone(), ps[1].clone());
            let (user, org) = (passus.user_id().to_string(), passus.org_id().to_string());
            async move {
                state
                    .db()
                    .q(sql)
                    .bind("p", p)
                    .bind("q", q)
                    .bind("passus", user)
                    .bind("passus_org", org)
                    .run()
                    .await
                    .unwrap();
            }
        };
        run("DEFINE EVENT OVERWRITE policy_facts ON TABLE case_member THEN fn::facts_refresh($value.participant);
             CREATE case_member CONTENT { case: 'c-x', participant: $p, user: $passus, org: $passus_org, part: 'mentor', added_at: time::now(), added_by: 'test' };
             UPDATE case_member SET participant = $q WHERE case = 'c-x';".into())
        .await;
        let stale = sorted(load(&passus, &ps).await.unwrap());
        assert_ne!(
            stale,
            sorted(recomputed(&passus, &ps).await),
            "the events of migration 21 left no stale facts"
        );
        crate::db::migrations::rerun(state.db(), 34).await;
        assert_rows_equal_recomputation(&state, "stale facts after migration 34").await;
        run("UPDATE case_member SET participant = $p WHERE case = 'c-x';".into()).await;
        assert_rows_equal_recomputation(&state, "moved back after migration 34").await;
    }
}
