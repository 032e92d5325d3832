//! The benchmarks quoted in the issue notes, each against a baseline measured in the same run:
//!
//! 1. the case list of 100 participants (decrypt + policy + audit) vs the same queries on
//!    plaintext rows, and where the core's time goes (its round trip cut after each part, the
//!    list's audit entry alone);
//! 2. blind-index lookup among 100 000 personnummer vs the same lookup forced to scan;
//! 3. a timeline page (50 of 10 000 events, decrypted, policy-filtered, audited) vs the raw
//!    query on an unencrypted copy, and where the core's time goes (the case gate alone, the
//!    page's audit entry alone);
//! 4. the case overview rendered by the real server (SSR over HTTP on loopback) with a large
//!    population in the store, under concurrent load;
//! 5. the outcomes dashboard and the funder CSV over the same store (absolute: goal p50 <= 150 ms);
//! 6. what a refusal's timing tells an outsider: a case id that does not exist against a case the
//!    asker has no relation to, and the same for a search, an SSPF group, a council meeting, a
//!    referral and a handover (goal: the same time, ratio within noise of 1.0);
//! 7. `utvag serve` as processes of their own under an open-loop load from this one (case
//!    overviews and contact writes at a fixed rate from 50 and 200 sessions, once a second
//!    each, then 200 sessions at the goal's 100 overviews a second): one instance on an
//!    embedded store against two instances on one SurrealDB server;
//! 8. backup and restore of a store of 10 000 participants and 1 000 000 events.
//!
//! Sizes: `UTVAG_BENCH_PEOPLE` (default 10 000) and `UTVAG_BENCH_EVENTS` (default 1 000 000)
//! for parts 4, 5 and 8. Run: `make bench`; one part alone with `UTVAG_BENCH_ONLY=` `outcomes`
//! (4 and 5), `small` (1 to 3), `timeline` (3), `refusals`, `served` or `backup`. With
//! `UTVAG_BENCH_PROBE=<file>`, part 3 also times the SurrealQL texts in the file (see [`probe`]).

use std::time::{Duration, Instant};

#[path = "../tests/black_box/driver.rs"]
mod driver;

use utvag_core::auth::{self, Authed};
use utvag_core::bench::{self, Stats};
use utvag_core::casework::{self, TimelineFilter};
use utvag_core::config::CoreSettings;
use utvag_core::participants::{self, ListFilter};
use utvag_core::{council, group, handover, outcomes, referral};
use utvag_core::{demo, AppState};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

async fn sign_in(state: &AppState, user: &str) -> (String, Authed) {
    // Password and the demo user's code, as the sign-in page does.
    let token = demo::sign_in(state, user).await.expect("sign-in");
    let a = auth::authenticate(state, Some(&token))
        .await
        .expect("session");
    (token, a)
}

fn ratio(a: &Stats, b: &Stats) -> f64 {
    a.p50.as_secs_f64() / b.p50.as_secs_f64()
}

/// The tests' settings with a long query deadline: the fixtures write in large batches.
fn settings() -> CoreSettings {
    let mut s = CoreSettings::for_tests();
    s.db.timeout = std::time::Duration::from_secs(600);
    s
}

async fn fresh_state() -> AppState {
    let state = AppState::init(settings()).await.expect("state");
    demo::load(&state).await.expect("demo");
    state
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    println!(
        "Utväg benchmarks (mem:// store, {} cores)\n",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    // `UTVAG_BENCH_ONLY=outcomes` runs the large store's parts (4 and 5) alone;
    // `UTVAG_BENCH_ONLY=small` parts 1 to 3, `refusals` part 6 alone.
    let only = std::env::var("UTVAG_BENCH_ONLY").unwrap_or_default();
    match only.as_str() {
        "small" => return small_store_parts(true).await,
        "timeline" => return small_store_parts(false).await,
        "refusals" => return refusals().await,
        "served" => return served().await,
        "backup" => return backup_at_scale().await,
        "outcomes" => {}
        _ => {
            small_store_parts(true).await;
            refusals().await;
            served().await;
            backup_at_scale().await;
        }
    }

    // 4. Case overview SSR with a large store, under concurrent load.
    let people = env_usize("UTVAG_BENCH_PEOPLE", 10_000);
    let events = env_usize("UTVAG_BENCH_EVENTS", 1_000_000);
    let state = fresh_state().await;
    let t = Instant::now();
    bench::fill_population(&state, demo::ORG_GBG, people, events, |p| {
        eprintln!("   fyller: {p}")
    })
    .await
    .expect("population");
    println!("4. Case overview SSR, {people} participants and {events} events in the store (filled in {:.0} s)", t.elapsed().as_secs_f64());
    let (token, gbg) = sign_in(&state, "handlaggare").await;
    // The case list at this size: the organisation holds every case of the store, and the
    // user's relations are more than the 32 values an `IN` is served from an index for.
    let list = bench::time_rounds(3, 20, 4, |i| {
        let gbg = &gbg;
        async move {
            match i {
                0 => participants::list(gbg, ListFilter::default())
                    .await
                    .map(|r| r.len()),
                1 => participants::list(
                    gbg,
                    ListFilter {
                        status: None,
                        mine: true,
                    },
                )
                .await
                .map(|r| r.len()),
                2 => bench::list_rows(gbg).await,
                _ => bench::cases_one_filter(gbg).await,
            }
        }
    })
    .await;
    println!("   case list, whole (newest 500)   {}", list[0]);
    println!("   case list, \"mine\"              {}", list[1]);
    println!("   its reads (relations, case rows) {}", list[2]);
    println!(
        "   the cases alone as one filter on `case` (before) {}  ({:.2}x the reads)",
        list[3],
        ratio(&list[3], &list[2])
    );
    let rows = participants::list(
        &gbg,
        ListFilter {
            status: None,
            mine: true,
        },
    )
    .await
    .unwrap();
    let case_id = rows.first().expect("a demo case").case_id.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let running = server::serve(
        listener,
        state.clone(),
        std::path::Path::new("target/site"),
        async {
            let _ = rx.await;
        },
    )
    .await
    .unwrap();
    let url = format!("http://{}/arenden/{case_id}", running.addr);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |client: reqwest::Client, url: String, token: String| async move {
        let t = Instant::now();
        let r = client
            .get(&url)
            .header("cookie", format!("utvag_session={token}"))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status(), 200);
        let body = r.text().await.unwrap();
        assert!(body.contains("data-testid=\"case-name\""));
        t.elapsed()
    };
    for _ in 0..5 {
        get(client.clone(), url.clone(), token.clone()).await;
    }
    let mut single = Vec::new();
    for _ in 0..50 {
        single.push(get(client.clone(), url.clone(), token.clone()).await);
    }
    println!("   1 client    {}", Stats::of(single));
    for concurrency in [4usize, 16] {
        let per = 200 / concurrency;
        let t = Instant::now();
        let tasks: Vec<_> = (0..concurrency)
            .map(|_| {
                let (client, url, token) = (client.clone(), url.clone(), token.clone());
                tokio::spawn(async move {
                    let mut v: Vec<Duration> = Vec::with_capacity(per);
                    for _ in 0..per {
                        v.push(get(client.clone(), url.clone(), token.clone()).await);
                    }
                    v
                })
            })
            .collect();
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap());
        }
        let total = all.len();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "   {concurrency:>2} clients  {}  {:.0} pages/s",
            Stats::of(all),
            total as f64 / secs
        );
    }
    let _ = tx.send(());
    let _ = running.handle.await;

    // 5. The outcomes dashboard and the funder CSV over the same store.
    let t = Instant::now();
    bench::fill_outcomes(&state, events, |p| eprintln!("   fyller: {p}"))
        .await
        .expect("outcomes fill");
    println!(
        "5. Outcomes dashboard over {people} cases and {events} events (statistics filled in {:.0} s)",
        t.elapsed().as_secs_f64()
    );
    let (_, lead) = sign_in(&state, "programledare").await;
    let today = state.clock().today();
    let year = outcomes::Period::parse("", "", "", today).unwrap();
    let three = outcomes::Period::parse(
        &(today - chrono::Duration::days(3 * 365)).to_string(),
        &today.to_string(),
        "",
        today,
    )
    .unwrap();
    let (rss0, _) = bench::memory_mib();
    for (name, p) in [("last 12 months", &year), ("three years", &three)] {
        let s = bench::time(3, 20, || outcomes::outcomes(&lead, p, "outcomes.read")).await;
        println!("   dashboard, {name:<15} {s}");
    }
    let (rss1, hwm1) = bench::memory_mib();
    let csv = bench::time(3, 20, || outcomes::report_csv(&lead, &three)).await;
    let (rss2, hwm2) = bench::memory_mib();
    let bytes = outcomes::report_csv(&lead, &three).await.unwrap().len();
    println!("   CSV report, three years {csv}  ({bytes} bytes)");
    println!(
        "   memory: RSS {rss0:.0} MiB before, {rss1:.0} MiB after 46 dashboards, {rss2:.0} MiB after 24 CSV reports; peak {hwm1:.0} -> {hwm2:.0} MiB (the peak includes the fill)"
    );
}

/// Parts 1–3: the case list, the blind-index lookup and the timeline page.
async fn small_store_parts(all: bool) {
    // 1. Case list of 100.
    let state = fresh_state().await;
    let (_, gbg) = sign_in(&state, "handlaggare").await;
    if all {
        let (_, malmo) = sign_in(&state, "handlaggare.malmo").await;
        let before = participants::list(&malmo, ListFilter::default())
            .await
            .unwrap()
            .len();
        bench::register_many(&malmo, 100).await.expect("register");
        let listed = participants::list(&malmo, ListFilter::default())
            .await
            .unwrap()
            .len();
        let (secure, plain) = bench::time_pair(
            5,
            60,
            || participants::list(&malmo, ListFilter::default()),
            || bench::plain_list(&malmo),
        )
        .await;
        let (_, logged) = bench::time_pair(
            5,
            60,
            || participants::list(&malmo, ListFilter::default()),
            || async {
                let rows = bench::plain_list(&malmo).await;
                bench::log_insert(&state, "case.list").await.map(|_| rows)
            },
        )
        .await;
        println!("1. Case list, {listed} rows ({before} demo + 100 registered), names decrypted, policy, one audit entry (alternated with each baseline)");
        println!("   core           {secure}");
        println!("   plain          {plain}");
        println!("   plain + log    {logged}  (one unchained insert)");
        println!(
            "   ratio          {:.2}x plain, {:.2}x plain + log (goal <= 1.5x)",
            ratio(&secure, &plain),
            ratio(&secure, &logged)
        );
        // The list's own entry: every participant whose name it shows.
        let named: Vec<String> = participants::list(&malmo, ListFilter::default())
            .await
            .unwrap()
            .into_iter()
            .filter(|r| matches!(r.name, domain::Shown::Value(_)))
            .map(|r| r.participant_id)
            .collect();
        let named_n = named.len();
        // Where the core's time goes: its round trip cut after each part, all alternated.
        let parts = bench::time_rounds(5, 60, 4, |i| {
            let (malmo, named) = (&malmo, &named);
            async move {
                match i {
                    0 => participants::list(malmo, ListFilter::default())
                        .await
                        .map(|r| r.len()),
                    1 => bench::list_rows(malmo).await,
                    2 => bench::plain_list(malmo).await,
                    _ => bench::audit_append(
                        malmo,
                        "case.list",
                        named.clone(),
                        &["identity"],
                        "list",
                    )
                    .await
                    .map(|_| 0),
                }
            }
        })
        .await;
        let ms = |s: &Stats| s.p50.as_secs_f64() * 1e3;
        println!("   where the core's time goes (alternated):");
        println!("   reads: relations + case rows  {}", parts[1]);
        println!(
            "   whole list                    {}  (+{:.2} ms)",
            parts[0],
            ms(&parts[0]) - ms(&parts[1])
        );
        println!("   plain, both queries           {}", parts[2]);
        println!(
            "   the list's entry alone        {}  (naming {named_n} participants)",
            parts[3]
        );
        println!("   (whole list = the reads + names opened, rows built, one audit append)\n");

        // 2. Blind index among 100 000.
        let n = 100_000;
        let t = Instant::now();
        bench::fill_blind_index(&state, n)
            .await
            .expect("blind index");
        println!(
            "2. Blind-index lookup among {n} extra personnummer tags (filled in {:.1} s)",
            t.elapsed().as_secs_f64()
        );
        let pnr = demo::demo_people()[0].personnummer.clone();
        assert_eq!(bench::blind_lookup(&state, &pnr).await.unwrap().len(), 1);
        let lookup = bench::time(20, 300, || bench::blind_lookup(&state, &pnr)).await;
        let scan = bench::time(1, 10, || bench::blind_scan(&state, &pnr)).await;
        let search = bench::time(5, 100, || participants::search(&gbg, &pnr)).await;
        println!("   index lookup   {lookup}");
        println!("   full search    {search}  (lookup + policy + names + audit entry)");
        println!("   forced scan    {scan}");
        println!("   scan/index     {:.0}x", ratio(&scan, &lookup));
        println!(
            "   plan           {}\n",
            bench::blind_lookup_plan(&state).await.unwrap()
        );
    }

    // 3. Timeline page of 50 among 10 000 events.
    let rows = participants::list(&gbg, ListFilter::default())
        .await
        .unwrap();
    // A case the user works on that Passus, on its team with consent, also reads.
    let (_, passus) = sign_in(&state, "passus").await;
    let mut case_id = None;
    for r in &rows {
        // The unit's list also holds colleagues' cases this user may not open.
        let Ok(v) = participants::view(&gbg, &r.case_id).await else {
            continue;
        };
        let shared = casework::timeline(&passus, &r.case_id, "", TimelineFilter::default(), 1)
            .await
            .is_ok();
        if v.can_edit && !v.status.is_closed() && !v.shredded && shared {
            case_id = Some(r.case_id.clone());
            break;
        }
    }
    let case_id = case_id.expect("an open demo case shared with Passus");
    let t = Instant::now();
    bench::fill_events(
        &gbg,
        &case_id,
        &[demo::ORG_GBG, demo::ORG_PASSUS, demo::ORG_POLICE],
        10_000,
    )
    .await
    .expect("events");
    println!(
        "3. Timeline page of 50 among 10 000 events (filled in {:.1} s)",
        t.elapsed().as_secs_f64()
    );
    let page = casework::timeline(&gbg, &case_id, "", TimelineFilter::default(), 50)
        .await
        .unwrap();
    assert_eq!(page.events.len(), 50);
    let (core, raw) = bench::time_pair(
        5,
        200,
        || casework::timeline(&gbg, &case_id, "", TimelineFilter::default(), 50),
        || bench::raw_timeline(&state, &case_id, 50),
    )
    .await;
    let (_, logged) = bench::time_pair(
        5,
        200,
        || casework::timeline(&gbg, &case_id, "", TimelineFilter::default(), 50),
        || async {
            let n = bench::raw_timeline(&state, &case_id, 50).await;
            bench::log_insert(&state, "timeline.read").await.map(|_| n)
        },
    )
    .await;
    println!("   core           {core}");
    println!("   raw            {raw}");
    println!("   raw + log      {logged}  (one unchained insert)");
    println!(
        "   ratio          {:.2}x raw, {:.2}x raw + log (goal <= 1.5x, p99 < 20 ms)",
        ratio(&core, &raw),
        ratio(&core, &logged)
    );
    // Where the core's time goes: the gate alone, the raw page and the page's entry alone,
    // alternated with the whole.
    let participant = bench::participant_of(&gbg, &case_id).await.unwrap();
    let parts = bench::time_rounds(5, 200, 7, |i| {
        let (gbg, state, case_id, participant) = (&gbg, &state, &case_id, &participant);
        async move {
            match i {
                0 => casework::timeline(gbg, case_id, "", TimelineFilter::default(), 50)
                    .await
                    .map(|p| p.events.len()),
                1 => bench::timeline_gate(gbg, case_id).await.map(usize::from),
                2 => bench::raw_timeline(state, case_id, 50).await,
                4 => bench::timeline_gate_round_trip(gbg, case_id, false).await,
                5 => bench::timeline_gate_round_trip(gbg, case_id, true).await,
                6 => bench::log_insert(state, "timeline.read").await.map(|_| 0),
                _ => bench::audit_append(
                    gbg,
                    "timeline.read",
                    vec![participant.clone()],
                    &["contacts"],
                    "case_work",
                )
                .await
                .map(|_| 0),
            }
        }
    })
    .await;
    println!("   where the core's time goes (alternated):");
    println!("   whole page           {}", parts[0]);
    println!("   case gate alone      {}  (one round trip)", parts[1]);
    println!("   raw page             {}", parts[2]);
    println!("   the page's entry     {}  (alone)", parts[3]);
    println!(
        "   gate's round trip    {}  (the store's part: sent as the gate sends it, not decoded)",
        parts[4]
    );
    println!(
        "   gate + page's batch  {}  (the page's one round trip, not decoded)",
        parts[5]
    );
    println!(
        "   the baselines' log   {}  (one unchained insert)",
        parts[6]
    );
    // The gate reads the first batch in its own round trip only for a reader who manages the
    // owner's cases (the user above); another organisation's reader gets it in a round trip of
    // its own after the gate's decisions.
    let (other, _) = bench::time_pair(
        5,
        200,
        || casework::timeline(&passus, &case_id, "", TimelineFilter::default(), 50),
        || bench::raw_timeline(&state, &case_id, 50),
    )
    .await;
    println!("   Passus on the team   {other}  (the page after the gate: one more round trip)\n");
    if let Ok(file) = std::env::var("UTVAG_BENCH_PROBE") {
        probe(&state, &gbg, &case_id, &file).await;
    }
    drop(state);
}

/// `UTVAG_BENCH_PROBE=<file>`: SurrealQL texts, separated by lines of `---`, each timed against
/// the timeline's store (the case of part 3 with its 10 000 events), alternated with the others
/// and with `RETURN 1`, the cost of a round trip with nothing in it; a text whose first line is
/// `-- once` is run once before the others and not timed. Bound: `$c` and `$id` (the
/// case's key), `$org` and `$user` (the case worker), `$now`, `$nobody` (a key no record has),
/// `$manager` (true) and `$n` (51, a timeline batch). Prints each text's first line, its times
/// and the start of its last statement's value, so a changed query is measured before it is kept.
async fn probe(state: &AppState, a: &Authed, case_id: &str, file: &str) {
    let text = std::fs::read_to_string(file).expect("probe file");
    let mut texts: Vec<String> = vec!["RETURN 1".into()];
    texts.extend(
        text.split("\n---")
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty()),
    );
    let vars: serde_json::Map<String, serde_json::Value> = serde_json::json!({
        "c": case_id, "id": case_id, "org": a.org_id(), "user": a.user_id(),
        "now": state.clock().now(), "nobody": "probe0nobody", "manager": true, "n": 51,
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    println!("Probe: {} texts from {file}, alternated", texts.len());
    for t in &texts {
        match bench::run_sql(state, t, &vars).await {
            Ok(v) => {
                let v = v.to_string();
                let end = v.char_indices().nth(160).map_or(v.len(), |(i, _)| i);
                println!("   {:<60}  -> {}", first_line(t), &v[..end]);
            }
            Err(e) => println!("   {:<60}  FAILS: {e:?}", first_line(t)),
        }
    }
    // A text whose first line is `-- once` (definitions, a fixture) is run above and not timed.
    texts.retain(|t| !t.starts_with("-- once"));
    let stats = bench::time_rounds(5, 200, texts.len(), |i| {
        let (t, vars) = (&texts[i], &vars);
        async move { bench::run_sql(state, t, vars).await.is_ok() }
    })
    .await;
    for (t, s) in texts.iter().zip(&stats) {
        println!("   {:<60}  {s}", first_line(t));
    }
}

fn first_line(t: &str) -> String {
    t.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(60)
        .collect()
}

/// Part 6: an outsider asking for a case, an id nobody has against another unit's existing
/// case. Both are answered `NotFound` after one `deny` entry; if the unknown id were answered faster,
/// the time would tell the outsider which ids exist.
async fn refusals() {
    let state = fresh_state().await;
    let (_, malmo) = sign_in(&state, "handlaggare.malmo").await;
    let (_, passus) = sign_in(&state, "passus").await;
    let existing = participants::list(&malmo, ListFilter::default())
        .await
        .unwrap()
        .first()
        .expect("a Malmö case")
        .case_id
        .clone();
    println!("6. Refused to an outsider, NotFound + deny entry, each against an id nobody has (alternated)");
    refused_alike(
        "case overview (Passus asks for a Malmö case)",
        Some(existing),
        |id| {
            let passus = &passus;
            async move { participants::view(passus, &id).await.map(|_| ()) }
        },
    )
    .await;
    // The same for a search by personnummer: a person of Malmö's against a number nobody has.
    let known = demo::demo_people()
        .into_iter()
        .find(|p| !p.gbg)
        .expect("a Malmö person")
        .personnummer;
    let nobody = domain::person::fictional_personnummer(777)
        .as_str()
        .to_string();
    for q in [&known, &nobody] {
        assert!(participants::search(&passus, q).await.unwrap().is_empty());
    }
    let (withheld, miss) = bench::time_pair(
        10,
        200,
        || participants::search(&passus, &known),
        || participants::search(&passus, &nobody),
    )
    .await;
    println!("   search, person withheld  {withheld}");
    println!("   search, no such person   {miss}");
    println!(
        "   ratio          {:.2}x (goal: 1.0 within noise)",
        ratio(&withheld, &miss)
    );
    // The other answers refused by id alike: another unit's SSPF group, a link of it, a council
    // meeting, an item on its agenda, a referral and a handover, each against an id nobody has.
    let (_, gbg) = sign_in(&state, "handlaggare").await;
    let group = group::list(&gbg).await.unwrap().into_iter().next();
    refused_alike(
        "SSPF group (Malmö asks for Göteborg's)",
        group.as_ref().map(|g| g.id.clone()),
        |id| {
            let malmo = &malmo;
            async move { group::view(malmo, &id).await.map(|_| ()) }
        },
    )
    .await;
    // A link of the group to a case: looked up first, then its group.
    let link = match &group {
        Some(g) => group::view(&gbg, &g.id)
            .await
            .unwrap()
            .members
            .into_iter()
            .next(),
        None => None,
    };
    refused_alike(
        "SSPF group's link ended (Malmö asks for one of Göteborg's)",
        link.map(|m| m.link_id),
        |id| {
            let malmo = &malmo;
            async move { group::end_link(malmo, &id, "").await }
        },
    )
    .await;
    let meetings = council::list(&gbg).await.unwrap();
    refused_alike(
        "council meeting's agenda (Malmö asks for Göteborg's)",
        meetings.first().map(|m| m.id.clone()),
        |id| {
            let malmo = &malmo;
            async move { council::agenda(malmo, &id).await.map(|_| ()) }
        },
    )
    .await;
    // An item on a meeting's agenda: looked up first, then its meeting.
    let mut item = None;
    for m in &meetings {
        item = item.or(council::agenda(&gbg, &m.id)
            .await
            .unwrap()
            .items
            .into_iter()
            .next());
    }
    refused_alike(
        "council item declined (Malmö asks for one on Göteborg's agenda)",
        item.map(|i| i.id),
        |id| {
            let malmo = &malmo;
            async move { council::decline(malmo, &id, "Inte vår").await }
        },
    )
    .await;
    let mut received = referral::queue(&gbg, false).await.unwrap();
    received.extend(referral::queue(&gbg, true).await.unwrap());
    refused_alike(
        "referral (Malmö asks for one Göteborg received)",
        received.into_iter().next().map(|r| r.id),
        |id| {
            let malmo = &malmo;
            async move { referral::open(malmo, &id).await.map(|_| ()) }
        },
    )
    .await;
    let handovers = handover::lists(&gbg).await.unwrap();
    let outgoing = handovers.outgoing.first().map(|h| h.id.clone());
    refused_alike(
        "handover (Passus asks for Göteborg's to Malmö)",
        outgoing
            .clone()
            .or(handovers.incoming.first().map(|h| h.id.clone())),
        |id| {
            let passus = &passus;
            async move { handover::view(passus, &id).await.map(|_| ()) }
        },
    )
    .await;
    // A case worker of the sending unit who is not on the person's team: looked up in the
    // team before the refusal, for an unknown id too.
    let (_, colleague) = sign_in(&state, "handlaggare2").await;
    refused_alike(
        "handover (a Göteborg colleague off the team asks for Göteborg's)",
        outgoing,
        |id| {
            let colleague = &colleague;
            async move { handover::view(colleague, &id).await.map(|_| ()) }
        },
    )
    .await;
    println!();
}

/// One refusal of part 6: `ask` for `existing` (another unit's) against an id of the same shape
/// nobody has, alternated; said and skipped when the demo data has none. Both must be
/// `NotFound`; the ratio should be 1.0 within noise.
async fn refused_alike<F, Fut>(what: &str, existing: Option<String>, ask: F)
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Result<(), domain::AppError>>,
{
    let Some(existing) = existing else {
        println!("   {what}: none in the demo data, not timed");
        return;
    };
    let unknown: String = existing.chars().rev().collect();
    for id in [existing.as_str(), unknown.as_str()] {
        assert_eq!(
            ask(id.to_string()).await.err(),
            Some(domain::AppError::NotFound),
            "{what}: {id}"
        );
    }
    let (other, none) = bench::time_pair(
        10,
        200,
        || ask(existing.to_string()),
        || ask(unknown.clone()),
    )
    .await;
    println!("   {what}");
    println!("   existing       {other}");
    println!("   unknown id     {none}");
    println!(
        "   ratio          {:.2}x (goal: 1.0 within noise)",
        ratio(&other, &none)
    );
}

/// Part 7: `utvag serve` (this build) as processes of their own, driven by this process at a
/// fixed rate — each session one request a second, one in five a contact write — so that a slow
/// answer delays no later request and latencies count from when a request was due.
async fn served() {
    let utvag = std::path::Path::new(env!("CARGO_BIN_EXE_utvag"));
    let site = std::fs::canonicalize("../target/site").unwrap_or_else(|_| "target/site".into());
    let plan = driver::Plan {
        every: Duration::from_secs(1),
        duration: Duration::from_secs(30),
        write_one_in: 5,
    };
    println!(
        "7. Served load: each session one request a second (then every 1.6 s) for {} s, one in five a contact write",
        plan.duration.as_secs()
    );
    for layout in [
        "one instance, embedded surrealkv",
        "two instances, SurrealDB server (surrealkv)",
    ] {
        let dir = std::env::temp_dir().join(format!("utvag-bench-served-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut env: Vec<(String, String)> = vec![
            ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
            ("UTVAG_DEMO".into(), "true".into()),
            (
                "UTVAG_KEY_FILE".into(),
                dir.join("utvag.key").display().to_string(),
            ),
            (
                "UTVAG_CHECKPOINT_FILE".into(),
                dir.join("checkpoints.jsonl").display().to_string(),
            ),
            ("UTVAG_LOG".into(), "error".into()),
            ("UTVAG_SITE_ROOT".into(), site.display().to_string()),
            ("UTVAG_MFA_ROLES".into(), "none".into()),
        ];
        let mut db = None;
        let instances = if layout.starts_with("one") {
            env.push((
                "UTVAG_DB".into(),
                format!("surrealkv://{}", dir.join("store.db").display()),
            ));
            1
        } else {
            let store = format!("surrealkv://{}", dir.join("server.db").display());
            let (running, port) = driver::start_surreal(utvag, &store);
            db = Some(running);
            env.push(("UTVAG_DB".into(), format!("ws://127.0.0.1:{port}")));
            env.push(("UTVAG_DB_USER".into(), "root".into()));
            env.push(("UTVAG_DB_PASS".into(), "root".into()));
            2
        };
        let mut servers = Vec::new();
        let mut bases = Vec::new();
        for _ in 0..instances {
            let mut cmd = std::process::Command::new(utvag);
            cmd.current_dir(&dir)
                .env_clear()
                .envs(env.iter().map(|(k, v)| (k, v)));
            let (server, base) = driver::serve(cmd).await;
            servers.push(server);
            bases.push(base);
        }
        println!("   {layout}");
        // Each session once a second (50 and 200 sessions), then 200 sessions at the goal's
        // rate: one request every 1.6 s each, 100 overviews and 25 writes a second.
        let mut signed = Vec::new();
        for (n, every_ms) in [(50usize, 1_000u64), (200, 1_000), (200, 1_600)] {
            if signed.len() != n {
                signed =
                    driver::sign_in(&bases, "handlaggare", demo::DEFAULT_DEMO_PASSWORD, n).await;
            }
            let plan = driver::Plan {
                every: Duration::from_millis(every_ms),
                ..plan
            };
            let report = driver::run(&signed, plan).await;
            for line in report.lines().lines() {
                println!("     {n:>3} sessions every {every_ms:>4} ms  {line}");
            }
        }
        let rss: Vec<String> = servers
            .iter()
            .map(|s| format!("{:.0} MiB", s.peak_rss_mib()))
            .collect();
        println!("     peak RSS of utvag serve: {}", rss.join(", "));
        if let Some(db) = &db {
            println!(
                "     peak RSS of the SurrealDB server: {:.0} MiB",
                db.peak_rss_mib()
            );
        }
        drop(servers);
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!();
}

/// Part 8: `utvag backup` and `utvag restore` (the same functions) over a large store.
async fn backup_at_scale() {
    use utvag_core::backup;
    let people = env_usize("UTVAG_BENCH_PEOPLE", 10_000);
    let events = env_usize("UTVAG_BENCH_EVENTS", 1_000_000);
    // Keys the restore can be given again (a backup is signed with the installation's key).
    let mut settings = settings();
    settings.keys =
        utvag_core::config::KeySource::Env("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into());
    let state = AppState::init(settings.clone()).await.expect("state");
    demo::load(&state).await.expect("demo");
    let t = Instant::now();
    bench::fill_population(&state, demo::ORG_GBG, people, events, |p| {
        eprintln!("   fyller: {p}")
    })
    .await
    .expect("population");
    println!(
        "8. Backup and restore, {people} participants and {events} events (filled in {:.0} s)",
        t.elapsed().as_secs_f64()
    );
    let dir = std::env::temp_dir().join(format!("utvag-bench-backup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (file, keys) = (dir.join("db.backup"), dir.join("keys.backup"));
    let t = Instant::now();
    let w = backup::backup_database(&state, &file, &utvag_core::progress::Quiet)
        .await
        .expect("backup");
    let took = t.elapsed();
    let records: u64 = w.manifest.tables.values().sum();
    println!(
        "   backup   {:>6.1} s  {records} records, {:.0} MiB",
        took.as_secs_f64(),
        w.file_bytes as f64 / 1048576.0
    );
    let t = Instant::now();
    let k = backup::backup_keys(&state, &keys)
        .await
        .expect("key backup");
    println!(
        "   key backup {:>4.1} s  {} data keys",
        t.elapsed().as_secs_f64(),
        k.manifest.tables.values().sum::<u64>()
    );
    drop(state);
    let mut target = settings.clone();
    target.db = settings.db.clone();
    target.db.database = "restored".into();
    let t = Instant::now();
    let r = backup::restore(target, &file, Some(&keys), &utvag_core::progress::Quiet)
        .await
        .expect("restore");
    println!(
        "   restore  {:>6.1} s  (read and check both files, import, count, verify the chain: {})",
        t.elapsed().as_secs_f64(),
        if r.audit.ok() { "intact" } else { "BROKEN" }
    );
    let (rss, hwm) = bench::memory_mib();
    println!("   memory: RSS {rss:.0} MiB, peak {hwm:.0} MiB\n");
    let _ = std::fs::remove_dir_all(&dir);
}
