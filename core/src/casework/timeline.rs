//! The shared timeline: every organisation's events on the case, newest first, paged by a
//! cursor, with only what the reader may see.

use chrono::{DateTime, Utc};
use domain::Problem;
use serde::Deserialize;

use super::read::Case;
use crate::auth::Authed;
use crate::crypto::Aad;
use crate::gate::{check_id, Ahead};
use crate::names;
use crate::vault;
use domain::casework::*;
use domain::event::{EventDto, EventLine, TimelinePage};
use domain::{AppError, Category, Shown};

/// Cursor: `<at in ns>.<event id>` of the last event on the previous page. The time is as
/// precise as it is stored: a cursor cut to milliseconds would pass over the events written
/// earlier in the same millisecond as the page's last one.
fn parse_cursor(s: &str) -> Result<Option<(DateTime<Utc>, String)>, AppError> {
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || AppError::problem("cursor", Problem::Unknown, "Ogiltig sidmarkör.");
    let (ns, id) = s.split_once('.').ok_or_else(bad)?;
    let ns: i64 = ns.parse().map_err(|_| bad())?;
    check_id(id).map_err(|_| bad())?;
    Ok(Some((DateTime::from_timestamp_nanos(ns), id.to_string())))
}

fn cursor_of(at: DateTime<Utc>, id: &str) -> Option<String> {
    at.timestamp_nanos_opt().map(|ns| format!("{ns}.{id}"))
}

/// Filters for the timeline.
#[derive(Debug, Clone, Default)]
pub struct TimelineFilter {
    pub category: Option<Category>,
    pub org: Option<String>,
}

/// The timeline's page query with only the conditions in use: an `x = NONE OR …` condition
/// keeps SurrealDB from walking the `(case, at)` index newest first, and then every page sorts
/// all of the case's events.
fn timeline_query(cursor: bool, category: bool, org: bool) -> String {
    let mut sql = String::from(
        "SELECT record::id(id) AS id, kind, category, org, author, at, line, text, corrected FROM event WHERE case = $c",
    );
    if cursor {
        sql.push_str(" AND (at < <datetime>$cur_at OR (at = <datetime>$cur_at AND record::id(id) < $cur_id))");
    }
    if category {
        sql.push_str(" AND category = $cat");
    }
    if org {
        sql.push_str(" AND org = $from_org");
    }
    sql.push_str(" ORDER BY at DESC, id DESC LIMIT $n");
    sql
}

/// One batch of `n` events after `cur`. The names of their organisations and authors come
/// from the process's cache of names (`crate::names`), not from this read.
pub(crate) fn batch(
    cur: Option<&(DateTime<Utc>, String)>,
    filter: &TimelineFilter,
    n: usize,
) -> Ahead {
    Ahead::new(timeline_query(
        cur.is_some(),
        filter.category.is_some(),
        filter.org.is_some(),
    ))
    .bind("cur_at", cur.map(|x| x.0))
    .bind("cur_id", cur.map(|x| x.1.clone()))
    .bind("cat", filter.category.map(|c| c.as_str()))
    .bind("from_org", &filter.org)
    .bind("n", n)
}

/// An event as the page reads it (and the benchmark's raw page, `bench::raw_timeline`, so that
/// both pay the same conversion).
#[derive(Deserialize)]
pub(crate) struct EventRow {
    id: String,
    kind: String,
    category: String,
    org: String,
    author: String,
    at: DateTime<Utc>,
    line: Option<String>,
    text: Option<String>,
    corrected: bool,
}

/// One page of the case's timeline, newest first, with only what the reader may see: events of
/// allowed categories in full; others shown as "händelse från annan aktör" without content to
/// named team members, and not at all to anyone else.
pub async fn timeline(
    a: &Authed,
    case_id: &str,
    cursor: &str,
    filter: TimelineFilter,
    limit: usize,
) -> Result<TimelinePage, AppError> {
    let limit = limit.clamp(1, 200);
    // One more than a page tells whether there is a next one; a reader who may not see every
    // category asks again from where the batch ended.
    let n = limit + 1;
    // The first batch rides in the gate's round trip when the gate may read it there. A
    // malformed cursor is answered after the gate, as before it rode there.
    let cur = parse_cursor(cursor);
    let first = cur.as_ref().ok().map(|x| batch(x.as_ref(), &filter, n));
    let (c, mut ahead) = Case::open_ahead::<Vec<EventRow>>(
        a,
        case_id,
        "timeline.read",
        &Category::ALL,
        first.as_ref(),
    )
    .await?;
    let mut cur = cur?;
    let named_member = c.subject.team.iter().any(|m| m.user_id == a.user_id());
    // That a case is in an SSPF group is for the owning unit's group workers only: for anyone
    // else its events are left out entirely, not shown as another actor's event.
    let sees_groups = a.can(domain::Capability::ManageGroups) && c.subject.owner_org == a.org_id();
    if let Some(o) = &filter.org {
        check_id(o).map_err(|_| {
            AppError::problem(
                "org",
                domain::error::Problem::Unknown,
                "Okänd organisation.",
            )
        })?;
    }
    let dek = c.key().await?;
    // The events the page shows, each with its category and whether its content is shown.
    let mut kept: Vec<(EventRow, Category, bool)> = Vec::with_capacity(limit);
    let mut next = None;
    let mut shown_cats: Vec<Category> = Vec::new();
    'fill: loop {
        let rows = match ahead.take() {
            Some(rows) => rows,
            None => batch(cur.as_ref(), &filter, n).run(a, &c.case.id).await?,
        };
        let exhausted = rows.len() < n;
        for e in rows {
            cur = Some((e.at, e.id.clone()));
            let Ok(cat) = Category::parse(&e.category) else {
                continue;
            };
            if e.kind == EventKind::Group.as_str() && !sees_groups {
                continue;
            }
            let allowed = c.may(cat);
            if !allowed && !named_member {
                continue;
            }
            if kept.len() == limit {
                next = kept.last().and_then(|(l, ..)| cursor_of(l.at, &l.id));
                break 'fill;
            }
            if allowed && !shown_cats.contains(&cat) {
                shown_cats.push(cat);
            }
            kept.push((e, cat, allowed));
        }
        if exhausted {
            break;
        }
    }
    // Whose events they are, only for those whose content is shown.
    let shown = || kept.iter().filter(|(_, _, allowed)| *allowed);
    let names = names::of(
        a.state(),
        shown().map(|(e, ..)| e.org.as_str()),
        shown().map(|(e, ..)| e.author.as_str()),
    )
    .await?;
    // From here nothing fails: the entry is written while the page is opened, and the page is
    // answered once the entry is in the chain.
    let entry = c.begin_read(&shown_cats);
    let out: Vec<EventDto> = kept
        .into_iter()
        .map(|(e, cat, allowed)| {
            let (line, text) = match (allowed, &dek) {
                (true, Some(k)) => {
                    let open = |field, s: &str| {
                        vault::show(
                            a.state(),
                            &c.case.participant,
                            k,
                            Aad::new("event", &e.id, field),
                            s,
                        )
                    };
                    let text = e.text.as_deref().map(|s| open("text", s).text());
                    match e.line.as_deref().map(|s| open("line", s)) {
                        Some(Shown::Value(v)) => {
                            (EventLine::from_stored(&v), Some(text.unwrap_or_default()))
                        }
                        Some(damaged) => (None, Some(damaged.text())),
                        None => (None, Some(text.unwrap_or_default())),
                    }
                }
                (true, None) if e.text.is_none() && e.line.is_none() => (None, Some(String::new())),
                _ => (None, None),
            };
            // Who wrote it and whose event it is, only to a reader who may see what it is.
            let (org, author) = if allowed {
                (
                    names.org(&e.org).unwrap_or_default().to_string(),
                    names.user(&e.author).unwrap_or_default().to_string(),
                )
            } else {
                (String::new(), String::new())
            };
            EventDto {
                id: e.id,
                at: e.at,
                kind: EventKind::parse(&e.kind).unwrap_or(EventKind::Note),
                category: cat,
                org,
                author,
                line,
                text,
                corrected: e.corrected,
            }
        })
        .collect();
    entry.done().await?;
    Ok(TimelinePage { events: out, next })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::add_contact;
    use crate::db::new_id;
    use crate::demo;
    use crate::gate::case_by_id;
    use crate::testing::{as_user, setup, shared_case};
    use chrono::Duration;
    use serde_json::json;
    use std::collections::HashSet;

    #[tokio::test]
    async fn events_from_three_organisations_interleave_and_paging_sees_each_exactly_once_under_concurrent_inserts(
    ) {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        let c = case_by_id(&w, &case).await.unwrap();
        let dek = vault::dek(&state, &c.participant).await.unwrap().unwrap();
        // 10 000 events from three organisations, interleaved in time, written in bulk.
        let orgs = [demo::ORG_GBG, demo::ORG_PASSUS, demo::ORG_POLICE];
        let base = state.clock().now() - Duration::days(300);
        let mut expected: HashSet<String> = HashSet::new();
        for chunk in 0..20 {
            let mut rows = Vec::new();
            for k in 0..500 {
                let n = chunk * 500 + k;
                let id = new_id();
                let at = base
                    + Duration::seconds(n as i64 * 97 % 2_000_000)
                    + Duration::milliseconds((n % 3) as i64);
                let text =
                    vault::seal(&dek, "event", &id, "text", &format!("händelse {n}")).unwrap();
                rows.push(json!({"id": id, "org": orgs[n % 3], "at": at, "text": text}));
                expected.insert(id);
            }
            state
                .db()
                .q("FOR $r IN $rows { CREATE type::record('event', $r.id) CONTENT { case: $c, participant: $p, kind: 'contact', category: 'contacts',
                    org: $r.org, author: 'demo_handlaggare', at: <datetime>$r.at, text: $r.text, source: 'bulk', corrected: false } RETURN NONE; }")
                .bind("rows", rows)
                .bind("c", &case)
                .bind("p", &c.participant)
                .run()
                .await
                .unwrap();
        }
        // New events keep arriving while the reader pages through.
        let writer = {
            let (state, case) = (state.clone(), case.clone());
            tokio::spawn(async move {
                let w = as_user(&state, "handlaggare").await;
                for i in 0..30 {
                    add_contact(
                        &w,
                        &case,
                        "",
                        ContactKind::Phone,
                        "5",
                        &format!("ny kontakt {i}"),
                    )
                    .await
                    .unwrap();
                }
            })
        };
        let mut seen: HashSet<String> = HashSet::new();
        let mut orgs_seen: HashSet<String> = HashSet::new();
        let mut cursor = String::new();
        let mut last: Option<(DateTime<Utc>, String)> = None;
        loop {
            let page = timeline(&w, &case, &cursor, TimelineFilter::default(), 50)
                .await
                .unwrap();
            for e in &page.events {
                if let Some((at, id)) = &last {
                    assert!((e.at, &e.id) < (*at, id), "newest first, strictly");
                }
                last = Some((e.at, e.id.clone()));
                assert!(seen.insert(e.id.clone()), "event {} shown twice", e.id);
                orgs_seen.insert(e.org.clone());
            }
            match page.next {
                Some(n) => cursor = n,
                None => break,
            }
        }
        writer.await.unwrap();
        let missing = expected.iter().filter(|id| !seen.contains(*id)).count();
        assert_eq!(missing, 0, "every pre-existing event is seen exactly once");
        assert!(
            orgs_seen.len() >= 3,
            "three organisations interleave: {orgs_seen:?}"
        );
    }

    /// An event whose author or organisation is no record (an empty id, an id without a user)
    /// is shown without that name, and the rest of the page keeps its names.
    #[tokio::test]
    async fn an_event_without_a_known_author_is_shown_without_a_name() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        let c = case_by_id(&w, &case).await.unwrap();
        add_contact(&w, &case, "", ContactKind::Phone, "5", "samtal")
            .await
            .unwrap();
        let at = state.clock().now() + Duration::minutes(1);
        for (n, (author, org)) in [("", demo::ORG_GBG), ("ingen_sadan", ""), ("", "")]
            .into_iter()
            .enumerate()
        {
            state
                .db()
                .q("CREATE event CONTENT { case: $c, participant: $p, kind: 'status', category: 'plan',
                    org: $o, author: $au, at: <datetime>$at, source: 'test', corrected: false } RETURN NONE")
                .bind("c", &case)
                .bind("p", &c.participant)
                .bind("o", org)
                .bind("au", author)
                .bind("at", at + Duration::seconds(n as i64))
                .run()
                .await
                .unwrap();
        }
        let page = timeline(&w, &case, "", TimelineFilter::default(), 50)
            .await
            .unwrap();
        let nameless: Vec<_> = page.events.iter().filter(|e| e.at >= at).collect();
        assert_eq!(nameless.len(), 3);
        assert!(nameless.iter().all(|e| e.author.is_empty()));
        assert_eq!(
            nameless.iter().filter(|e| e.org.is_empty()).count(),
            2,
            "the known organisation is still named"
        );
        let named = page
            .events
            .iter()
            .find(|e| e.text.as_deref() == Some("samtal"))
            .unwrap();
        assert!(!named.author.is_empty() && !named.org.is_empty());
    }

    /// Concurrent writes land within one millisecond: paging in small pages still shows each
    /// of them once.
    #[tokio::test]
    async fn events_written_within_one_millisecond_are_each_on_a_page() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        let c = case_by_id(&w, &case).await.unwrap();
        let dek = vault::dek(&state, &c.participant).await.unwrap().unwrap();
        let base = state.clock().now() + Duration::minutes(5);
        let mut expected: HashSet<String> = HashSet::new();
        let mut rows = Vec::new();
        for k in 0..12 {
            let id = new_id();
            let at = base + Duration::microseconds(k * 70);
            let text = vault::seal(&dek, "event", &id, "text", &format!("samma ms {k}")).unwrap();
            rows.push(json!({"id": id, "at": at, "text": text}));
            expected.insert(id);
        }
        state
            .db()
            .q("FOR $r IN $rows { CREATE type::record('event', $r.id) CONTENT { case: $c, participant: $p, kind: 'contact', category: 'contacts',
                org: $o, author: 'demo_handlaggare', at: <datetime>$r.at, text: $r.text, source: 'bulk', corrected: false } RETURN NONE; }")
            .bind("rows", rows)
            .bind("c", &case)
            .bind("p", &c.participant)
            .bind("o", demo::ORG_GBG)
            .run()
            .await
            .unwrap();
        let mut seen: HashSet<String> = HashSet::new();
        let mut cursor = String::new();
        for _ in 0..5 {
            let page = timeline(&w, &case, &cursor, TimelineFilter::default(), 5)
                .await
                .unwrap();
            seen.extend(page.events.iter().map(|e| e.id.clone()));
            cursor = page.next.unwrap();
        }
        let missing = expected.difference(&seen).count();
        assert_eq!(missing, 0, "the first 25 events hold the 12 newest");
    }
}
