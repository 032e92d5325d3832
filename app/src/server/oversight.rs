//! The log reviewer's questions: who has read this person's data, what did this user read, and
//! is the chain intact. Every question asked is itself audited.

use serde::{Deserialize, Serialize};

use super::audit::{self, Entry, Row, Verification};
use super::auth::Authed;
use super::participants::{check_id, who};
use crate::domain::{AppError, Role};

/// An audit row with names resolved for the reviewer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReviewRow {
    pub row: Row,
    pub actor_name: String,
    pub org_name: String,
}

async fn named(a: &Authed, rows: Vec<Row>) -> Result<Vec<ReviewRow>, AppError> {
    #[derive(Deserialize)]
    struct N {
        id: String,
        name: String,
    }
    let users: Vec<N> = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, display_name AS name FROM user")
        .run()
        .await?
        .all(0)?;
    let orgs: Vec<N> = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, name FROM org")
        .run()
        .await?
        .all(0)?;
    let find = |list: &[N], id: &str| {
        list.iter()
            .find(|n| n.id == id)
            .map(|n| n.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    Ok(rows
        .into_iter()
        .map(|r| ReviewRow {
            actor_name: find(&users, &r.actor),
            org_name: find(&orgs, &r.actor_org),
            row: r,
        })
        .collect())
}

/// "Who has read this person's data": every entry naming the participant, newest first.
pub async fn reads_of_participant(
    a: &Authed,
    participant: &str,
) -> Result<Vec<ReviewRow>, AppError> {
    a.require_role(&[Role::Auditor])?;
    check_id(participant)?;
    let rows = audit::reads_of_participant(a.state(), participant, 1000).await?;
    let mut e = Entry::new("audit.query_participant");
    e.participants = vec![participant.to_string()];
    audit::append(a.state(), &who(a), e).await?;
    named(a, rows).await
}

/// "What did this user read": every entry by the user, newest first.
pub async fn reads_by_user(a: &Authed, username: &str) -> Result<Vec<ReviewRow>, AppError> {
    a.require_role(&[Role::Auditor])?;
    let uid: Option<String> = a
        .state()
        .db()
        .q("SELECT VALUE record::id(id) FROM user WHERE username = $u LIMIT 1")
        .bind("u", username.trim().to_lowercase())
        .run()
        .await?
        .first(0)?;
    let uid = uid.ok_or_else(|| {
        AppError::invalid("username", "Det finns ingen användare med det namnet.")
    })?;
    let rows = audit::by_user(a.state(), &uid, 1000).await?;
    let mut e = Entry::new("audit.query_user");
    e.reason = Some(uid);
    audit::append(a.state(), &who(a), e).await?;
    named(a, rows).await
}

/// Verifies the whole chain and records the result.
pub async fn verify_chain(a: &Authed) -> Result<Verification, AppError> {
    a.require_role(&[Role::Auditor])?;
    let v = audit::verify(a.state()).await?;
    record_verification(a.state(), &v).await?;
    let mut e = Entry::new("audit.verify");
    e.reason = Some(match &v.broken_at {
        None => format!("ok: {} entries", v.entries),
        Some(at) => format!("broken at {at}"),
    });
    audit::append(a.state(), &who(a), e).await?;
    Ok(v)
}

pub(in crate::server) async fn record_verification(
    state: &super::state::AppState,
    v: &Verification,
) -> Result<(), AppError> {
    state
        .db()
        .q("CREATE audit_verification CONTENT { checked_at: <datetime>$at, entries: $n, head_seq: $h, broken_at: $b, problem: $p }")
        .bind("at", v.checked_at)
        .bind("n", v.entries)
        .bind("h", v.head_seq)
        .bind("b", v.broken_at)
        .bind("p", &v.problem)
        .run()
        .await?;
    Ok(())
}

/// The last recorded verification, for the reviewer's start page.
pub async fn last_verification(a: &Authed) -> Result<Option<Verification>, AppError> {
    a.require_role(&[Role::Auditor])?;
    Ok(a
        .state()
        .db()
        .q("SELECT checked_at, entries, head_seq, broken_at, problem FROM audit_verification ORDER BY checked_at DESC LIMIT 1")
        .run()
        .await?
        .first(0)?)
}

/// Why a read is put before the log reviewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Flag {
    /// The reader is not a named member of the participant's case team.
    OutsideTeam,
    /// Before 07:00, from 19:00, or at a weekend (Swedish time).
    OutsideHours,
    /// The reader opened many participants within a short time.
    Burst,
    /// The participant has protected personal data.
    Protected,
}

impl Flag {
    pub fn label(self) -> &'static str {
        match self {
            Flag::OutsideTeam => "Utanför ärendeteamet",
            Flag::OutsideHours => "Utanför arbetstid",
            Flag::Burst => "Många deltagare på kort tid",
            Flag::Protected => "Skyddade personuppgifter",
        }
    }
}

/// One read of one participant's file with the reasons it stands out.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FlaggedRead {
    pub read: ReviewRow,
    pub flags: Vec<Flag>,
}

/// A burst: this many different participants opened by one user ...
pub const BURST_PARTICIPANTS: usize = 10;
/// ... within this many minutes.
pub const BURST_MINUTES: i64 = 10;

/// Reads of single participants' files (`*.read` with the purpose case work) in the last `days`
/// days that stand out: outside the case team, outside working hours, part of a burst, or of a
/// protected person. Newest first. The question is itself audited.
pub async fn flagged_reads(a: &Authed, days: i64) -> Result<Vec<FlaggedRead>, AppError> {
    use chrono::{Datelike, Duration, Timelike, Weekday};
    use std::collections::{HashMap, HashSet};

    a.require_role(&[Role::Auditor])?;
    if !(1..=366).contains(&days) {
        return Err(AppError::invalid("days", "Välj en period på 1–366 dagar."));
    }
    let since = a.state().clock().now() - Duration::days(days);
    #[derive(Deserialize)]
    struct Member {
        participant: String,
        user: String,
    }
    #[derive(Deserialize)]
    struct Person {
        id: String,
        protection: String,
    }
    let mut res = a
        .state()
        .db()
        .q("SELECT * OMIT id FROM audit WHERE at >= <datetime>$since AND purpose = 'case_work'
              AND decision != 'deny' AND string::ends_with(action, '.read') AND array::len(participants) = 1
              ORDER BY seq ASC;
            SELECT participant, user FROM case_member;
            SELECT record::id(id) AS id, protection FROM participant WHERE protection != 'none';")
        .bind("since", since)
        .run()
        .await?;
    let rows: Vec<Row> = res.all(0)?;
    let team: HashSet<(String, String)> = res
        .all::<Member>(1)?
        .into_iter()
        .map(|m| (m.participant, m.user))
        .collect();
    let protected: HashSet<String> = res
        .all::<Person>(2)?
        .into_iter()
        .filter(|p| p.protection != "none")
        .map(|p| p.id)
        .collect();

    // Per reader, the times at which each participant was opened, for the burst window.
    let mut by_actor: HashMap<&str, Vec<(chrono::DateTime<chrono::Utc>, &str)>> = HashMap::new();
    for r in &rows {
        by_actor
            .entry(r.actor.as_str())
            .or_default()
            .push((r.at, r.participants[0].as_str()));
    }
    let window = Duration::minutes(BURST_MINUTES);
    let in_burst = |actor: &str, at: chrono::DateTime<chrono::Utc>| {
        let distinct: HashSet<&str> = by_actor
            .get(actor)
            .into_iter()
            .flatten()
            .filter(|(t, _)| *t > at - window && *t <= at + window)
            .map(|(_, p)| *p)
            .collect();
        distinct.len() >= BURST_PARTICIPANTS
    };
    let mut out = Vec::new();
    for r in &rows {
        let p = &r.participants[0];
        let local = crate::domain::time::swedish_local(r.at);
        let mut flags = Vec::new();
        if !team.contains(&(p.clone(), r.actor.clone())) {
            flags.push(Flag::OutsideTeam);
        }
        if local.hour() < 7
            || local.hour() >= 19
            || matches!(local.weekday(), Weekday::Sat | Weekday::Sun)
        {
            flags.push(Flag::OutsideHours);
        }
        if in_burst(&r.actor, r.at) {
            flags.push(Flag::Burst);
        }
        if protected.contains(p) {
            flags.push(Flag::Protected);
        }
        if !flags.is_empty() {
            out.push((r.clone(), flags));
        }
    }
    out.reverse();
    let mut e = Entry::new("audit.query_flagged");
    e.reason = Some(format!("{days} days"));
    audit::append(a.state(), &who(a), e).await?;
    let (rows, flags): (Vec<Row>, Vec<Vec<Flag>>) = out.into_iter().unzip();
    Ok(named(a, rows)
        .await?
        .into_iter()
        .zip(flags)
        .map(|(read, flags)| FlaggedRead { read, flags })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::participants::{self, ListFilter};
    use crate::server::testing::{as_user, setup};
    use chrono::{Duration, TimeZone, Utc};

    #[tokio::test]
    async fn reads_outside_the_team_and_bursts_are_flagged_and_an_in_team_read_is_not() {
        let state = setup().await;
        // A Tuesday at 10:00 Swedish time: inside working hours.
        state
            .clock()
            .travel_to(Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap());
        let w = as_user(&state, "handlaggare").await;
        let lead = as_user(&state, "programledare").await;
        let reviewer = as_user(&state, "granskare").await;
        let rows = participants::list(
            &w,
            ListFilter {
                status: None,
                mine: true,
            },
        )
        .await
        .unwrap();
        let own = rows
            .iter()
            .find(|r| !r.protection.is_protected())
            .expect("a case on the team");
        // An in-team read, and one read by the program lead who is not on that team.
        participants::view(&w, &own.case_id).await.unwrap();
        state.clock().advance(Duration::minutes(30));
        participants::view(&lead, &own.case_id).await.unwrap();
        let flagged = flagged_reads(&reviewer, 1).await.unwrap();
        let by = |user: &str| {
            flagged
                .iter()
                .filter(|f| {
                    f.read.row.actor == user && f.read.row.participants[0] == own.participant_id
                })
                .collect::<Vec<_>>()
        };
        assert!(
            by("demo_handlaggare").is_empty(),
            "an in-team read in working hours is not flagged"
        );
        assert_eq!(by("demo_programledare").len(), 1);
        assert_eq!(by("demo_programledare")[0].flags, vec![Flag::OutsideTeam]);

        // The program lead then opens every case of the organisation in a few minutes.
        state.clock().advance(Duration::minutes(30));
        let all = participants::list(&lead, ListFilter::default())
            .await
            .unwrap();
        assert!(all.len() >= BURST_PARTICIPANTS);
        for r in all.iter().filter(|r| !r.shredded).take(BURST_PARTICIPANTS) {
            participants::view(&lead, &r.case_id).await.unwrap();
        }
        let flagged = flagged_reads(&reviewer, 1).await.unwrap();
        let bursts = flagged
            .iter()
            .filter(|f| f.read.row.actor == "demo_programledare" && f.flags.contains(&Flag::Burst))
            .count();
        assert_eq!(bursts, BURST_PARTICIPANTS);
        assert!(flagged
            .iter()
            .filter(|f| f.read.row.actor == "demo_handlaggare")
            .all(|f| !f.flags.contains(&Flag::Burst)));
        state.clock().reset();
    }
}
