//! The minutes (protokoll) of a meeting, decided here per reader:
//!
//! - the chairing unit (with `HandleReferrals`) sees every item with the person's name, every
//!   intervention and the decision's note;
//! - a member organisation's user sees, per item, only the interventions its own organisation
//!   provides, and the person's name only where the case policy lets them read the case's
//!   identity (on the team with consent); otherwise "Ärende N";
//! - anyone else gets `NotFound` after one `deny` entry, as for a meeting that does not exist.
//!
//! Every read is one `council.minutes` entry naming the people whose items were shown.

use std::collections::HashMap;

use serde::Deserialize;

use super::super::access::{self, Purpose};
use super::super::audit::{self, Entry};
use super::super::auth::Authed;
use super::super::gate::who;
use super::super::referral::review::names;
use super::super::subject::{self, actor};
use super::super::vault;
use super::agenda::items;
use super::{load, refuse};
use domain::council::{MinutesItem, MinutesView};
use domain::{AppError, Capability, Category};

pub async fn minutes(a: &Authed, id: &str) -> Result<MinutesView, AppError> {
    let action = "council.minutes";
    let Some(m) = load(a, id).await? else {
        return Err(refuse(a, action, id).await);
    };
    let full = m.org == a.org_id() && a.can(Capability::HandleReferrals);
    let member = a.can(Capability::AttendCouncil) && m.members.iter().any(|o| o == a.org_id());
    if !full && !member {
        return Err(refuse(a, action, id).await);
    }
    let names = names(a).await?;
    let recs = items(a, &m.id).await?;
    let pids: Vec<String> = recs.iter().map(|r| r.participant.clone()).collect();
    let subjects = subject::load(a, &pids).await?;
    let now = a.state().clock().now();
    // Whether the reader may see this item's person by name.
    let named = |r: &super::agenda::ItemRec| {
        full || (r.case.is_some()
            && subjects.get(&r.participant).is_some_and(|s| {
                access::may(&actor(a), s, Category::Identity, Purpose::CaseWork, now).allowed()
            }))
    };
    let shown: Vec<String> = recs
        .iter()
        .filter(|r| named(r))
        .map(|r| r.participant.clone())
        .collect();
    let people = person_names(a, &shown).await?;
    let mut out = Vec::with_capacity(recs.len());
    for r in &recs {
        let name = people.get(&r.participant).filter(|_| named(r)).cloned();
        let interventions = r
            .interventions
            .iter()
            .filter(|i| full || i.org == a.org_id())
            .map(|i| i.view(&names))
            .collect::<Result<_, _>>()?;
        let note = match (&r.note, full) {
            (Some(n), true) => match vault::dek(a.state(), &r.participant).await? {
                Some(k) => Some(vault::open(&k, "council_item", &r.id, "note", n)?.expose()),
                None => Some("(gallrad)".into()),
            },
            _ => None,
        };
        out.push(MinutesItem {
            position: r.position,
            name,
            status: r.status()?,
            priority: r.priority(),
            interventions,
            note,
        });
    }
    let mut e = Entry::new(action);
    e.participants = pids;
    e.categories = if shown.is_empty() {
        vec!["plan".into()]
    } else {
        vec!["identity".into(), "plan".into()]
    };
    e.basis = Some(
        if full {
            "council_chair"
        } else {
            "council_member"
        }
        .into(),
    );
    e.reason = Some(format!("council_meeting:{}", m.id));
    audit::append(a.state(), &who(a), e).await?;
    Ok(MinutesView {
        meeting: m.row(a, &names)?,
        items: out,
        full,
    })
}

/// "First Last" of each participant, opened with their key; "(gallrad)" when shredded.
async fn person_names(a: &Authed, pids: &[String]) -> Result<HashMap<String, String>, AppError> {
    if pids.is_empty() {
        return Ok(HashMap::new());
    }
    #[derive(Deserialize)]
    struct P {
        id: String,
        first_name: String,
        last_name: String,
    }
    let rows: Vec<P> = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, first_name, last_name FROM fn::records('participant', $ps) WHERE id != NONE")
        .bind("ps", pids)
        .run()
        .await?
        .all(0)?;
    let mut out = HashMap::new();
    for p in rows {
        let name = match vault::dek(a.state(), &p.id).await? {
            Some(k) => format!(
                "{} {}",
                vault::open(&k, "participant", &p.id, "first_name", &p.first_name)?.expose(),
                vault::open(&k, "participant", &p.id, "last_name", &p.last_name)?.expose()
            ),
            None => "(gallrad)".into(),
        };
        out.insert(p.id, name);
    }
    Ok(out)
}
