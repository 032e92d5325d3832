//! Tests of the monthly case counters (`case_month`, migration 23): for every period and scope
//! they must give the figures a count over the case rows themselves gives, whatever was written
//! to the rows and in what order.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;
use serde_json::{json, Value as Json};

use super::{month_key, swedish_day_start, Counters, Figures, Period, StatRow, Window};
use crate::testing::{history_store, setup};
use crate::AppState;

/// Every case row, and the counters of every scope.
async fn stored(state: &AppState) -> (Vec<StatRow>, BTreeMap<String, Counters>) {
    #[derive(Deserialize)]
    struct Row {
        scope: String,
        month: String,
        n: HashMap<String, i64>,
    }
    let mut r = state
        .db()
        .q("SELECT * FROM case_stat; SELECT scope, month, n FROM case_month;")
        .run()
        .await
        .unwrap();
    let rows: Vec<StatRow> = r.all(0).unwrap();
    let counters: Vec<Row> = r.all(1).unwrap();
    let mut by_scope: BTreeMap<String, Counters> = BTreeMap::new();
    for c in counters {
        by_scope.entry(c.scope).or_default().insert(c.month, c.n);
    }
    (rows, by_scope)
}

/// A figure set as a flat map of what it says, so two can be compared whatever order their
/// groups came in: one entry per non-zero count, and the medians.
fn said(f: &Figures) -> BTreeMap<String, String> {
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    let mut add = |name: &str, key: String, n: u32| {
        if n > 0 {
            *counts.entry(format!("{name} {key}")).or_default() += n;
        }
    };
    for (name, groups) in [
        ("status", &f.status),
        ("sspf", &f.sspf),
        ("intake", &f.intake),
        ("occ6", &f.occ6),
        ("occ12", &f.occ12),
        ("assessed", &f.assessed),
        ("reviewed", &f.reviewed),
        ("measures", &f.measures),
    ] {
        for g in groups {
            add(name, format!("{:?}", g.k), g.n);
        }
    }
    for (name, pairs) in [("gender_age", &f.gender_age), ("exits", &f.exits)] {
        for p in pairs {
            add(name, format!("{:?}/{:?}", p.a, p.b), p.n);
        }
    }
    let mut out: BTreeMap<String, String> = counts
        .into_iter()
        .map(|(k, n)| (k, n.to_string()))
        .collect();
    for (name, m) in [("to_active", &f.to_active), ("to_housing", &f.to_housing)] {
        if let Some(m) = m {
            out.insert(name.to_string(), format!("{:?} of {}", m.median, m.n));
        }
    }
    out
}

/// Compares the figures from the counters with a count over the rows, for `p` (all
/// municipalities and each one). Returns how many counts the periods showed.
fn compare(
    rows: &[StatRow],
    counters: &BTreeMap<String, Counters>,
    p: &Period,
    today: DateTime<Utc>,
) -> usize {
    let mut seen = 0;
    let mut scopes: Vec<Option<String>> = vec![None];
    scopes.extend(
        rows.iter()
            .map(|r| Some(r.municipality.clone()))
            .collect::<std::collections::BTreeSet<_>>(),
    );
    let empty = Counters::new();
    for m in scopes {
        let p = Period {
            municipality: m.clone(),
            ..p.clone()
        };
        let mine = rows
            .iter()
            .filter(|r| m.as_ref().is_none_or(|m| *m == r.municipality));
        let want = said(&Figures::count(mine, Window::of(&p, today)));
        let scope = counters.get(m.as_deref().unwrap_or("*")).unwrap_or(&empty);
        let got = said(&Figures::from_counters(scope, &p, today));
        assert_eq!(got, want, "period {p:?}");
        seen += want.len();
    }
    seen
}

/// The municipalities the counters know are those of the rows.
fn same_municipalities(rows: &[StatRow], counters: &BTreeMap<String, Counters>) {
    let scopes = counters
        .get("*")
        .and_then(|c| c.get("scopes"))
        .cloned()
        .unwrap_or_default();
    let mut want: BTreeMap<String, i64> = BTreeMap::new();
    for r in rows {
        *want.entry(r.municipality.clone()).or_default() += 1;
    }
    let got: BTreeMap<String, i64> = scopes.into_iter().filter(|(_, n)| *n != 0).collect();
    assert_eq!(got, want);
}

/// Every run of whole months from one to forty months long that starts in the last four
/// years, and runs ending in the future.
fn periods(today: NaiveDate) -> Vec<Period> {
    let this_month = month_key(today);
    let mut out = Vec::new();
    for back in 0..48u32 {
        for len in [1u32, 2, 3, 7, 12, 13, 36] {
            let from = super::months_back(today, back);
            let to = super::last_day_of_month(
                from.checked_add_months(chrono::Months::new(len - 1))
                    .unwrap(),
            );
            let p = Period::parse(&month_key(from), &month_key(to), "", today).unwrap();
            assert!(month_key(p.from) <= this_month);
            out.push(p);
        }
    }
    out
}

#[tokio::test]
async fn the_counters_give_the_figures_a_count_over_the_rows_gives_for_every_period() {
    if crate::testing::second_pass_over_ws() {
        return; // the first pass is enough: crate::testing::second_pass_over_ws
    }
    let (state, _) = history_store().await;
    let (rows, counters) = stored(&state).await;
    assert!(rows.len() > 100, "{} rows", rows.len());
    same_municipalities(&rows, &counters);
    let today = swedish_day_start(state.clock().today());
    let mut seen = 0;
    for p in periods(state.clock().today()) {
        seen += compare(&rows, &counters, &p, today);
    }
    assert!(seen > 5_000, "{seen} figures compared");

    // Migration 23 fills the counters of the rows written before it in one pass: the same.
    let fill = crate::db::migrations::sql_of(23);
    state
        .db()
        .q(format!("DELETE case_month; {fill}"))
        .run()
        .await
        .unwrap();
    let (_, filled) = stored(&state).await;
    let nonzero = |c: &BTreeMap<String, Counters>| -> BTreeMap<(String, String, String), i64> {
        c.iter()
            .flat_map(|(scope, months)| {
                months.iter().flat_map(move |(month, n)| {
                    n.iter()
                        .filter(|(_, v)| **v != 0)
                        .map(move |(k, v)| ((scope.clone(), month.clone(), k.clone()), *v))
                })
            })
            .collect()
    };
    assert_eq!(nonzero(&filled), nonzero(&counters));

    // Migration 26 splits the one row of due hours per scope that migration 23 kept into a row
    // per month: put back as one row, split again, the counters are as before.
    assert!(
        counters["*"]
            .keys()
            .filter(|m| m.starts_with("due|"))
            .count()
            > 3
    );
    let split = crate::db::migrations::sql_of(26);
    state
        .db()
        .q(format!(
            "FOR $s IN array::distinct((SELECT VALUE scope FROM case_month WHERE string::starts_with(month, 'due|'))) {{
                LET $n = object::from_entries(array::flatten(
                    (SELECT VALUE object::entries(n) FROM case_month WHERE scope = $s AND string::starts_with(month, 'due|'))));
                DELETE case_month WHERE scope = $s AND string::starts_with(month, 'due|');
                UPSERT type::record('case_month', [$s, 'due']) CONTENT {{ scope: $s, month: 'due', n: $n }} RETURN NONE;
            }};
            {split}"
        ))
        .run()
        .await
        .unwrap();
    let (_, resplit) = stored(&state).await;
    assert!(!resplit["*"].contains_key("due"));
    assert_eq!(nonzero(&resplit), nonzero(&counters));
}

/// A random case row as `fn::stat_refresh` could write it: its path through the statuses, its
/// follow-ups, due dates and measures (which may start before the case opened or run on after
/// it closed). `None` deletes the row.
fn random_row(seed: u64, now: DateTime<Utc>) -> (String, Option<Json>) {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let id = format!("c{}", r.random_range(0..6));
    if r.random_range(0..6) == 0 {
        return (id, None);
    }
    let pick = |r: &mut ChaCha8Rng, xs: &[&'static str]| xs[r.random_range(0..xs.len())];
    let minutes = |r: &mut ChaCha8Rng, days: std::ops::Range<i64>| {
        Duration::days(r.random_range(days)) + Duration::minutes(r.random_range(0..1440))
    };
    let opened = now - minutes(&mut r, 0..1300);
    let mut at = opened;
    let mut transitions = vec![json!({ "to": "referred", "at": opened })];
    let mut status = "referred";
    for _ in 0..r.random_range(0..5) {
        status = pick(
            &mut r,
            &[
                "assessment",
                "active",
                "active",
                "completed",
                "ended_early",
                "moved",
                "paused",
            ],
        );
        at += minutes(&mut r, 0..90);
        transitions.push(json!({ "to": status, "at": at }));
    }
    let closed = matches!(status, "completed" | "ended_early" | "moved");
    let active = transitions
        .iter()
        .find(|t| t["to"] == "active")
        .map(|t| serde_json::from_value::<DateTime<Utc>>(t["at"].clone()).unwrap());
    let housed = (r.random_range(0..3) == 0).then(|| opened + minutes(&mut r, 0..400));
    let flag = |r: &mut ChaCha8Rng| match r.random_range(0..3) {
        0 => Json::Null,
        1 => json!(true),
        _ => json!(false),
    };
    let due = |r: &mut ChaCha8Rng| (r.random_range(0..4) != 0).then(|| now + minutes(r, -100..100));
    let measures: Vec<Json> = (0..r.random_range(0..4))
        .map(|_| {
            let start = opened + minutes(&mut r, -60..500);
            let end = (r.random_range(0..3) != 0).then(|| start + minutes(&mut r, 0..200));
            json!({ "kind": pick(&mut r, &["housing_support", "mentor", "protection"]), "start": start, "end": end })
        })
        .collect();
    let row = json!({
        "municipality": pick(&mut r, &["Göteborg", "Malmö", "Umeå"]),
        "gender": pick(&mut r, &["female", "male", "other"]),
        "age_band": pick(&mut r, &["12-17", "18-20", "21-25", "26+"]),
        "sspf_level": pick(&mut r, &["individual", "group"]),
        "status": status,
        "open": !closed,
        "opened_at": opened,
        "active_at": active,
        "days_to_active": active.map(|a| (a - opened).num_days()),
        "occupied_6m": if active.is_some() { flag(&mut r) } else { Json::Null },
        "occupied_12m": if active.is_some() { flag(&mut r) } else { Json::Null },
        "housing_at": housed,
        "days_to_housing": housed.filter(|_| r.random_range(0..4) != 0).map(|h| (h - opened).num_days()),
        "closed_at": closed.then_some(at),
        "exit_reason": closed.then_some(status),
        "assessment_due": due(&mut r),
        "review_due": due(&mut r),
        "transitions": transitions,
        "measures": measures,
    });
    (id, Some(row))
}

/// Writes a random row (or deletes it) straight into the store, as any write path would.
async fn write(state: &AppState, id: &str, row: Option<Json>) {
    let q = match row {
        None => "DELETE type::record('case_stat', $id)",
        Some(_) => {
            "LET $dt = |$v| IF $v = NONE OR $v = NULL { NONE } ELSE { <datetime>$v };
             LET $opt = |$v| IF $v = NULL { NONE } ELSE { $v };
             UPSERT type::record('case_stat', $id) CONTENT {
                case: $id, owner_org: 'org', municipality: $r.municipality, gender: $r.gender,
                age_band: $r.age_band, sspf_level: $r.sspf_level, status: $r.status, open: $r.open,
                opened_at: <datetime>$r.opened_at, intake_month: '', active_at: $dt($r.active_at),
                days_to_active: $opt($r.days_to_active), housing_at: $dt($r.housing_at),
                days_to_housing: $opt($r.days_to_housing), occupied_6m: $opt($r.occupied_6m),
                occupied_12m: $opt($r.occupied_12m), closed_at: $dt($r.closed_at),
                exit_month: NONE, exit_reason: $opt($r.exit_reason),
                assessment_due: $dt($r.assessment_due), review_due: $dt($r.review_due),
                transitions: $r.transitions.map(|$t| { to: $t.to, at: <datetime>$t.at }),
                measures: $r.measures.map(|$m| { kind: $m.kind, start: <datetime>$m.start, end: $dt($m.end) }),
                anonymised: false
             } RETURN NONE;"
        }
    };
    state
        .db()
        .q(q)
        .bind("id", id)
        .bind("r", row.unwrap_or(Json::Null))
        .run()
        .await
        .unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// Rows created, rewritten and deleted at random leave counters that give, for every
    /// period and scope, the figures a count over the rows left gives.
    #[test]
    fn the_counters_equal_a_count_over_the_rows_after_any_sequence_of_writes(
        writes in prop::collection::vec(any::<u64>(), 1..24)
    ) {
        if crate::testing::second_pass_over_ws() {
            return Ok(()); // the first pass is enough: crate::testing::second_pass_over_ws
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let state = setup().await;
            let now = state.clock().now();
            for seed in &writes {
                let (id, row) = random_row(*seed, now);
                write(&state, &id, row).await;
            }
            let (rows, counters) = stored(&state).await;
            same_municipalities(&rows, &counters);
            let today = swedish_day_start(state.clock().today());
            for p in periods(state.clock().today()).iter().step_by(5) {
                compare(&rows, &counters, p, today);
            }
            // Every row gone: nothing left counted.
            for (id, _) in rows.iter().filter_map(|r| r.case.as_ref()).map(|c| (c.clone(), ())) {
                write(&state, &id, None).await;
            }
            let (_, counters) = stored(&state).await;
            for (scope, months) in &counters {
                for (month, n) in months {
                    assert!(n.values().all(|v| *v == 0), "{scope} {month}: {n:?}");
                }
            }
        });
    }
}
