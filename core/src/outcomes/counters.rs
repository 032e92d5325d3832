//! Tests of the monthly contact counters (`contact_reach`, migration 24): they must equal a
//! count of the contacts themselves, whatever was logged when, and a period can no longer be
//! narrowed by a day to single out what happened on it.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use proptest::prelude::*;
use serde::Deserialize;

use super::{compute, month_key, Period};
use crate::casework::add_contact;
use crate::testing::{as_user, cases_store, history_store, shared_case};
use crate::AppState;
use domain::casework::ContactKind;
use domain::time::swedish_day_start;

/// A contact's statistics row.
#[derive(Deserialize)]
struct ContactRow {
    stat: String,
    org: String,
    municipality: String,
    at: DateTime<Utc>,
}

/// Every contact's statistics row.
async fn contact_rows(state: &AppState) -> Vec<ContactRow> {
    state
        .db()
        .q("SELECT stat, org, municipality, at FROM contact_stat")
        .run()
        .await
        .unwrap()
        .all(0)
        .unwrap()
}

/// The persons-and-gaps counters as stored (`contact_reach`).
async fn stored_reach(state: &AppState) -> BTreeMap<(String, String, String), super::Reach> {
    #[derive(Deserialize)]
    struct Row {
        scope: String,
        org: String,
        month: String,
        contacts: i64,
        persons: i64,
        gaps: BTreeMap<String, i64>,
    }
    let rows: Vec<Row> = state
        .db()
        .q("SELECT scope, org, month, contacts, persons, gaps FROM contact_reach")
        .run()
        .await
        .unwrap()
        .all(0)
        .unwrap();
    rows.into_iter()
        .map(|r| ((r.scope, r.org, r.month), (r.contacts, r.persons, r.gaps)))
        .collect()
}

/// The same counters made again in one pass over every contact's statistics row, with the
/// month taken from the Rust clock's Swedish time.
async fn recounted_reach(state: &AppState) -> BTreeMap<(String, String, String), super::Reach> {
    let rows = contact_rows(state).await;
    let mut months = super::ContactMonths::new();
    for r in rows {
        let month = month_key(domain::time::swedish_local(r.at).date());
        *months
            .entry((r.stat, r.org, r.municipality))
            .or_default()
            .entry(month)
            .or_default() += 1;
    }
    super::reach_rows(&months)
}

/// A Swedish clock time for a contact: `back` days before today, or, for `edge`, the last
/// evening of that day's month or the first night of the next, where UTC and Sweden disagree
/// about the month.
fn local_time(today: NaiveDate, back: i64, hour: u32, minute: u32, edge: bool) -> String {
    let day = today - Duration::days(back);
    let (day, hour) = if edge {
        let last = super::last_day_of_month(day);
        match hour % 4 {
            0 | 1 if last < today => (last, 22 + hour % 2),
            _ => (day.with_day(1).unwrap_or(day), hour % 2),
        }
    } else {
        (day, hour)
    };
    format!("{day}T{hour:02}:{minute:02}")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// Contacts logged by three organisations on three cases, at random times (many of them
    /// around a month's turn), leave counters equal to a recount of the contacts.
    #[test]
    fn counters_equal_a_recount_after_any_sequence_of_contacts(
        steps in prop::collection::vec(
            (0usize..3, 0usize..2, 0i64..360, 0u32..24, 0u32..60, any::<bool>()),
            1..14,
        )
    ) {
        if crate::testing::second_pass_over_ws() {
            return Ok(()); // the first pass is enough: crate::testing::second_pass_over_ws
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let state = cases_store().await;
            let users = [
                as_user(&state, "handlaggare").await,
                as_user(&state, "passus").await,
                as_user(&state, "handlaggare.malmo").await,
            ];
            let shared = shared_case(&users[0]).await;
            let malmo = crate::participants::list(&users[2], Default::default())
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.case_id)
                .next()
                .expect("a Malmö case");
            let today = state.clock().today();
            // Half past midnight on the first of a month in Sweden is still the month before
            // in UTC: this one must count in the new month.
            let first = (today - Duration::days(40)).with_day(1).unwrap();
            add_contact(&users[0], &shared, &format!("{first}T00:30"), ContactKind::Phone, "5", "Samtal")
                .await
                .unwrap();
            let mut logged = 1;
            for (who, case, back, hour, minute, edge) in steps {
                let case = if who == 2 || case == 1 { &malmo } else { &shared };
                let at = local_time(today, back, hour, minute, edge);
                match add_contact(&users[who], case, &at, ContactKind::Meeting, "30", "Avstämning").await {
                    Ok(_) => logged += 1,
                    // Another organisation's case, or an hour the clock skips in March.
                    Err(e) => assert!(
                        matches!(e, domain::AppError::NotFound | domain::AppError::Forbidden | domain::AppError::Invalid { .. }),
                        "{e:?}"
                    ),
                }
            }
            let counters = stored_reach(&state).await;
            assert!(counters.keys().any(|(m, o, month)| m == "Göteborg"
                && o == crate::demo::ORG_GBG
                && *month == month_key(first)));
            assert_eq!(counters, recounted_reach(&state).await, "{logged} contacts logged");
        });
    }
}

#[tokio::test]
async fn the_month_in_swedish_time_is_the_same_in_the_database_and_in_rust() {
    let state = cases_store().await;
    // Every half hour of the last three and first three days of each month over four years,
    // which holds every turn of a month and every change of the clock.
    let mut instants = Vec::new();
    let mut month = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    while month.year() < 2028 {
        let turn = month.and_hms_opt(0, 0, 0).unwrap().and_utc();
        for half_hours in -144..144 {
            instants.push(turn + Duration::minutes(30 * half_hours));
        }
        month = month.checked_add_months(chrono::Months::new(1)).unwrap();
    }
    // And the nights the clock changes (the last Sundays of March and October 2026).
    for day in [29, 25] {
        let month = if day == 29 { 3 } else { 10 };
        let night = NaiveDate::from_ymd_opt(2026, month, day).unwrap();
        let midnight = night.and_hms_opt(0, 0, 0).unwrap().and_utc();
        for quarter in 0..16 {
            instants.push(midnight + Duration::minutes(15 * quarter));
        }
    }
    let got: Vec<String> = state
        .db()
        .q("RETURN array::map($at, |$a| fn::swedish_month(<datetime>$a))")
        .bind("at", &instants)
        .run()
        .await
        .unwrap()
        .all(0)
        .unwrap();
    assert_eq!(got.len(), instants.len());
    for (t, g) in instants.iter().zip(&got) {
        assert_eq!(g, &month_key(domain::time::swedish_local(*t).date()), "{t}");
    }
}

#[tokio::test]
async fn two_periods_a_day_apart_give_the_same_figures() {
    let (state, _) = history_store().await;
    let today = state.clock().today();
    // A contact on the last day of a month: a period that ends the day before would once have
    // differed by exactly that contact, which is one person.
    let month = super::last_day_of_month(today - Duration::days(200));
    let stat: String = state
        .db()
        .q("SELECT VALUE record::id(id) FROM case_stat WHERE municipality = 'Göteborg' LIMIT 1")
        .run()
        .await
        .unwrap()
        .first(0)
        .unwrap()
        .expect("a Göteborg case");
    let noon = swedish_day_start(month) + Duration::hours(12);
    state
        .db()
        .q("fn::contact_count($stat, 'passus_gbg', 'Göteborg', <datetime>$at)")
        .bind("stat", &stat)
        .bind("at", noon)
        .run()
        .await
        .unwrap();
    let first = month.with_day(1).unwrap().to_string();
    let whole = Period::parse(&first, &month.to_string(), "", today).unwrap();
    let but_one =
        Period::parse(&first, &(month - Duration::days(1)).to_string(), "", today).unwrap();
    assert_eq!(whole, but_one);
    assert_eq!(whole.to, month);
    assert_eq!(
        compute(&state, &whole).await.unwrap(),
        compute(&state, &but_one).await.unwrap()
    );
}

/// The benchmark's fixture writes a million contacts' counters in bulk, computed in Rust, not
/// through `fn::contact_count`: they must be the counters a recount of its contacts gives, or
/// the dashboard's figure would be measured on rows the app never makes.
#[cfg(feature = "fixtures")]
#[tokio::test]
async fn the_benchmark_fixture_writes_the_counters_a_recount_gives() {
    let state = crate::testing::setup().await;
    type Rows = BTreeMap<(String, String, String), super::Reach>;
    let total = |c: &Rows| {
        c.iter()
            .filter(|((scope, _, _), _)| scope == "*")
            .map(|(_, r)| r.0)
            .sum::<i64>()
    };
    let before = total(&stored_reach(&state).await);
    crate::bench::fill_population(&state, crate::demo::ORG_GBG, 40, 0, |_| {})
        .await
        .unwrap();
    crate::bench::fill_outcomes(&state, 3_000, |_| {})
        .await
        .unwrap();
    let counters = stored_reach(&state).await;
    assert!(counters.len() > 30, "{} counters", counters.len());
    assert_eq!(total(&counters), before + 3_000);
    assert_eq!(counters, recounted_reach(&state).await);
}

/// The history's contacts were counted one at a time as they were logged; those counters, and
/// the ones migration 24 fills in one pass for contacts logged before it, equal a recount.
#[tokio::test]
async fn the_reach_counters_equal_a_recount_logged_one_by_one_or_filled_by_the_migration() {
    if crate::testing::second_pass_over_ws() {
        return; // the first pass is enough: crate::testing::second_pass_over_ws
    }
    let (state, _) = history_store().await;
    let reach = stored_reach(&state).await;
    assert!(reach.len() > 50, "{} rows", reach.len());
    assert!(reach.values().any(|r| !r.2.is_empty()), "no gaps at all");
    assert_eq!(reach, recounted_reach(&state).await);

    let fill = crate::db::migrations::sql_of(24);
    state
        .db()
        .q(format!("DELETE contact_reach; {fill}"))
        .run()
        .await
        .unwrap();
    assert_eq!(stored_reach(&state).await, reach);
}
