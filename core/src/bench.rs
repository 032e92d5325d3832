//! Fixtures and raw baselines for the benchmarks (`make bench`). Compiled only with the `bench`
//! feature, never into a served build: it writes bulk rows straight into the store in the shapes
//! the core writes, and runs the plain queries the benchmarks compare the core against.

use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use serde::Deserialize;
use serde_json::{json, Value as Json};

use super::auth::Authed;
use super::db::new_id;
use super::participants::{self, ValidParticipant};
use super::vault;
use super::AppState;
use domain::person::Personnummer;
use domain::{AppError, ParticipantForm, SspfLevel};

/// Median, 99th percentile and mean of a set of timings.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    pub p50: StdDuration,
    pub p99: StdDuration,
    pub mean: StdDuration,
    pub n: usize,
}

impl Stats {
    pub fn of(mut samples: Vec<StdDuration>) -> Stats {
        samples.sort();
        let n = samples.len().max(1);
        let at = |q: f64| samples[((n as f64 * q).ceil() as usize).clamp(1, n) - 1];
        Stats {
            p50: at(0.50),
            p99: at(0.99),
            mean: samples.iter().sum::<StdDuration>() / n as u32,
            n: samples.len(),
        }
    }
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "p50 {:>8.3} ms  p99 {:>8.3} ms  mean {:>8.3} ms  (n={})",
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3,
            self.mean.as_secs_f64() * 1e3,
            self.n
        )
    }
}

/// Times `runs` sequential calls of `f` after `warmup` untimed ones.
pub async fn time<F, Fut, T>(warmup: usize, runs: usize, mut f: F) -> Stats
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    for _ in 0..warmup {
        std::hint::black_box(f().await);
    }
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f().await);
        samples.push(t.elapsed());
    }
    Stats::of(samples)
}

/// Times `a` and `b` alternately, `runs` times each after `warmup` rounds, so both see the same
/// moments of a noisy machine.
pub async fn time_pair<FA, FutA, TA, FB, FutB, TB>(
    warmup: usize,
    runs: usize,
    mut a: FA,
    mut b: FB,
) -> (Stats, Stats)
where
    FA: FnMut() -> FutA,
    FutA: std::future::Future<Output = TA>,
    FB: FnMut() -> FutB,
    FutB: std::future::Future<Output = TB>,
{
    for _ in 0..warmup {
        std::hint::black_box(a().await);
        std::hint::black_box(b().await);
    }
    let (mut sa, mut sb) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(a().await);
        sa.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(b().await);
        sb.push(t.elapsed());
    }
    (Stats::of(sa), Stats::of(sb))
}

/// The baselines' log line: one plain insert, no chain, no MAC, no lock, so that "baseline + one
/// log insert" shows what auditing itself costs beyond writing something down.
pub async fn log_insert(state: &AppState, action: &str) -> Result<(), AppError> {
    state
        .db()
        .q("CREATE bench_log CONTENT { at: time::now(), action: $a, actor: 'bench' } RETURN NONE")
        .bind("a", action)
        .run()
        .await?;
    Ok(())
}

/// Registers `n` participants through the core as `a` (each with its own key, sealed fields, a
/// case, a team entry and an audit entry) and keeps a plaintext copy of the same rows in
/// `bench_plain` for the baseline. Returns the participant ids.
pub async fn register_many(a: &Authed, n: usize) -> Result<Vec<String>, AppError> {
    let today = a.state().clock().now().date_naive();
    let mut ids = Vec::with_capacity(n);
    let mut plain = Vec::with_capacity(n);
    for i in 0..n {
        let f = ParticipantForm {
            first_name: format!("Bänk{i}"),
            last_name: format!("Testsson{i}"),
            birth_year: (1990 + (i % 20)).to_string(),
            gender: ["female", "male", "other"][i % 3].into(),
            municipality: "Malmö".into(),
            protection: "none".into(),
            ..Default::default()
        };
        let v = ValidParticipant::parse(&f, today)?;
        let case_id = participants::register(a, v, SspfLevel::Individual, "").await?;
        let case = crate::gate::case_by_id(a, &case_id).await?;
        plain.push(json!({ "pid": case.participant, "first_name": f.first_name, "last_name": f.last_name,
            "birth_year": 1990 + (i % 20), "gender": f.gender, "municipality": f.municipality, "protection": "none" }));
        ids.push(case.participant);
    }
    a.state()
        .db()
        .q("INSERT INTO bench_plain $rows RETURN NONE")
        .bind("rows", plain)
        .run()
        .await?;
    Ok(ids)
}

/// The case list's two queries against plaintext rows: the same case query as the core's list,
/// then the people from `bench_plain` — no keys, no policy, no audit.
pub async fn plain_list(a: &Authed) -> Result<usize, AppError> {
    #[derive(Deserialize)]
    struct C {
        participant: String,
    }
    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct P {
        pid: String,
        first_name: String,
        last_name: String,
        birth_year: i64,
        gender: String,
        municipality: String,
        protection: String,
    }
    let cases: Vec<C> = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, participant, owner_org, status, responsible, opened_at FROM case
              WHERE owner_org = $org ORDER BY opened_at DESC LIMIT 500")
        .bind("org", a.org_id())
        .run()
        .await?
        .all(0)?;
    let ps: Vec<String> = cases.into_iter().map(|c| c.participant).collect();
    let people: Vec<P> = a
        .state()
        .db()
        .q("SELECT pid, first_name, last_name, birth_year, gender, municipality, protection FROM bench_plain WHERE pid IN $ps")
        .bind("ps", ps)
        .run()
        .await?
        .all(0)?;
    Ok(people.len())
}

/// Part 1's breakdown: the case list's reads alone, as [`participants::list`] makes them (the
/// relations and one row per case, with what it shows and its policy facts). Returns the number
/// of cases.
pub async fn list_rows(a: &Authed) -> Result<usize, AppError> {
    let rows = participants::candidates(a, &participants::ListFilter::default()).await?;
    Ok(std::hint::black_box(rows).len())
}

/// The baseline of [`list_rows`]: the same relations' statements, then the cases as the one
/// filter with `OR` that the list ran before its statements apart (a scan of `case`), every
/// answer read. Returns the number of cases.
pub async fn cases_one_filter(a: &Authed) -> Result<usize, AppError> {
    let cases: Vec<Json> = participants::one_filter_query(a, &participants::ListFilter::default())
        .run()
        .await?
        .all(participants::ONE_FILTER_CASES_AT)?;
    Ok(cases.len())
}

/// Times the calls `f(0)`, `f(1)`, … `f(n - 1)` in turn, `runs` rounds after `warmup`, so that
/// every one sees the same moments of a noisy machine. One [`Stats`] per index.
pub async fn time_rounds<F, Fut, T>(warmup: usize, runs: usize, n: usize, mut f: F) -> Vec<Stats>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    for _ in 0..warmup {
        for i in 0..n {
            std::hint::black_box(f(i).await);
        }
    }
    let mut samples = vec![Vec::with_capacity(runs); n];
    for _ in 0..runs {
        for (i, s) in samples.iter_mut().enumerate() {
            let t = Instant::now();
            std::hint::black_box(f(i).await);
            s.push(t.elapsed());
        }
    }
    samples.into_iter().map(Stats::of).collect()
}

/// Adds `n` blind-index rows with random tags (and random participants) in bulk, as a store of
/// `n` participants' personnummer would hold.
pub async fn fill_blind_index(state: &AppState, n: usize) -> Result<(), AppError> {
    const BATCH: usize = 5_000;
    let mut done = 0;
    while done < n {
        let rows: Vec<Json> = (done..(done + BATCH).min(n))
            .map(|i| {
                let tag = state.with_keys(|k| k.blind_index("personnummer", &format!("bench-{i}")));
                json!({ "kind": "personnummer", "tag": tag, "participant": new_id() })
            })
            .collect();
        done += rows.len();
        state
            .db()
            .q("INSERT INTO blind_index $rows RETURN NONE")
            .bind("rows", rows)
            .run()
            .await?;
    }
    Ok(())
}

fn pnr_tag(state: &AppState, value: &str) -> Result<String, AppError> {
    let p = Personnummer::parse(value, state.clock().now().date_naive()).map_err(|_| {
        AppError::problem(
            "q",
            domain::error::Problem::Personnummer,
            "Ogiltigt personnummer.",
        )
    })?;
    Ok(state.with_keys(|k| k.blind_index("personnummer", p.as_str())))
}

/// The blind-index lookup the search runs, alone.
pub async fn blind_lookup(state: &AppState, value: &str) -> Result<Vec<String>, AppError> {
    let tag = pnr_tag(state, value)?;
    Ok(state
        .db()
        .q("SELECT VALUE participant FROM blind_index WHERE kind = $k AND tag = $t")
        .bind("k", "personnummer")
        .bind("t", tag)
        .run()
        .await?
        .all(0)?)
}

/// The same lookup written so that no index can serve it: what a scan would cost.
pub async fn blind_scan(state: &AppState, value: &str) -> Result<Vec<String>, AppError> {
    let tag = pnr_tag(state, value)?;
    Ok(state
        .db()
        .q("SELECT VALUE participant FROM blind_index WHERE string::concat(kind, '') = $k AND string::concat(tag, '') = $t")
        .bind("k", "personnummer")
        .bind("t", tag)
        .run()
        .await?
        .all(0)?)
}

/// The query plan of the lookup, as SurrealDB explains it.
pub async fn blind_lookup_plan(state: &AppState) -> Result<String, AppError> {
    let plan: Vec<Json> = state
        .db()
        .q("SELECT VALUE participant FROM blind_index WHERE kind = 'personnummer' AND tag = 'x' EXPLAIN")
        .run()
        .await?
        .all(0)?;
    Ok(serde_json::to_string(&plan).unwrap_or_default())
}

/// Writes `n` contact events on the case (sealed, three organisations interleaved in time) and
/// the same rows unencrypted in `bench_event`.
pub async fn fill_events(
    a: &Authed,
    case_id: &str,
    orgs: &[&str],
    n: usize,
) -> Result<(), AppError> {
    let state = a.state();
    let case = crate::gate::case_by_id(a, case_id).await?;
    let dek = vault::dek(state, &case.participant)
        .await?
        .ok_or(AppError::NotFound)?;
    let base = state.clock().now() - Duration::days(400);
    const BATCH: usize = 2_000;
    let mut done = 0;
    while done < n {
        let mut sealed = Vec::new();
        let mut plain = Vec::new();
        for i in done..(done + BATCH).min(n) {
            let id = new_id();
            let at = base + Duration::seconds((i as i64 * 2_963) % 30_000_000);
            let body = format!("Kontakt {i}: samtal om boende och arbete, nästa steg bokat.");
            let org = orgs[i % orgs.len()];
            let text = vault::seal(&dek, "event", &id, "text", &body)?;
            let row = |text: &str| {
                json!({ "id": id, "case": case_id, "participant": case.participant, "kind": "contact",
                    "category": "contacts", "org": org, "author": "demo_handlaggare", "at": at,
                    "text": text, "source": "bench", "corrected": false })
            };
            sealed.push(row(&text));
            plain.push(row(&body));
        }
        done += sealed.len();
        state
            .db()
            .q("FOR $r IN $rows { CREATE type::record('event', $r.id) CONTENT { case: $r.case, participant: $r.participant,
                    kind: $r.kind, category: $r.category, org: $r.org, author: $r.author, at: <datetime>$r.at,
                    text: $r.text, source: $r.source, corrected: $r.corrected } RETURN NONE; };
                FOR $r IN $plain { CREATE type::record('bench_event', $r.id) CONTENT { case: $r.case, kind: $r.kind,
                    category: $r.category, org: $r.org, author: $r.author, at: <datetime>$r.at, text: $r.text,
                    corrected: $r.corrected } RETURN NONE; };")
            .bind("rows", sealed)
            .bind("plain", plain)
            .run()
            .await?;
    }
    state
        .db()
        .q("DEFINE INDEX IF NOT EXISTS bench_event_case_at ON bench_event FIELDS case, at")
        .run()
        .await?;
    Ok(())
}

/// One page of a case's events from the plaintext copy: the timeline's query with nothing to
/// decrypt, filter or audit.
pub async fn raw_timeline(
    state: &AppState,
    case_id: &str,
    limit: usize,
) -> Result<usize, AppError> {
    let rows: Vec<crate::casework::timeline::EventRow> = state
        .db()
        .q("SELECT record::id(id) AS id, kind, category, org, author, at, line, text, corrected FROM bench_event
            WHERE case = $c ORDER BY at DESC, id DESC LIMIT $n")
        .bind("c", case_id)
        .bind("n", limit)
        .run()
        .await?
        .all(0)?;
    Ok(rows.len())
}

/// Runs one SurrealQL text with `vars` bound and returns its last statement's value: the
/// benchmark's probe (`UTVAG_BENCH_PROBE`), which times a maintainer's own statements against
/// the fixtures, so that a query is measured before it is changed.
pub async fn run_sql(
    state: &AppState,
    sql: &str,
    vars: &serde_json::Map<String, Json>,
) -> Result<Json, AppError> {
    let mut q = state.db().q(sql);
    for (k, v) in vars {
        q = q.bind(k, v);
    }
    Ok(q.run().await?.last())
}

/// Part 3's breakdown: the timeline's case gate alone (the case and its participant's policy
/// facts in one round trip, and the decisions made on them), as [`crate::casework::timeline`]
/// opens it. Returns whether the reader sees any category.
pub async fn timeline_gate(a: &Authed, case_id: &str) -> Result<bool, AppError> {
    let gate = crate::gate::CaseGate::open(
        a,
        case_id,
        "timeline.read",
        crate::access::Purpose::CaseWork,
    )
    .await?;
    Ok(!gate.visible().is_empty())
}

/// Part 3's breakdown: the store's part of the timeline's gate, its round trip as the page
/// sends it (the case, its participant's facts and, with `with_page`, the first batch of 51
/// events), with nothing decoded, decided or audited after it.
pub async fn timeline_gate_round_trip(
    a: &Authed,
    case_id: &str,
    with_page: bool,
) -> Result<usize, AppError> {
    let page = with_page.then(|| {
        crate::casework::timeline::batch(None, &crate::casework::TimelineFilter::default(), 51)
    });
    crate::gate::round_trip_only(a, case_id, page.as_ref()).await
}

/// Fills the store with `people` participants (each with an open case) and `events` timeline
/// events spread over their cases, in bulk. Names are sealed under one filler key: nothing reads
/// them; they are there so the tables have realistic sizes.
pub async fn fill_population(
    state: &AppState,
    org: &str,
    people: usize,
    events: usize,
    progress: impl Fn(&str),
) -> Result<(), AppError> {
    let filler = super::crypto::Dek::generate(&ring::rand::SystemRandom::new())
        .map_err(|_| AppError::Internal)?;
    let now = state.clock().now();
    let mut cases = Vec::with_capacity(people);
    const BATCH: usize = 2_000;
    let mut done = 0;
    while done < people {
        let mut ps = Vec::new();
        let mut cs = Vec::new();
        for i in done..(done + BATCH).min(people) {
            let (pid, cid) = (new_id(), new_id());
            let gender = ["female", "male"][i % 2];
            let municipality = ["Göteborg", "Malmö"][i % 2];
            ps.push(json!({ "id": pid,
                "first_name": vault::seal(&filler, "participant", &pid, "first_name", &format!("Fyll{i}"))?,
                "last_name": vault::seal(&filler, "participant", &pid, "last_name", "Fyllnadsson")?,
                "birth_year": 1980 + (i % 30) as i64, "gender": gender,
                "municipality": municipality, "owner_org": org }));
            cs.push(json!({ "id": cid, "participant": pid, "owner_org": org,
                "municipality": municipality }));
            cases.push(cid);
        }
        done += ps.len();
        state
            .db()
            .q("FOR $p IN $ps { CREATE type::record('participant', $p.id) CONTENT { first_name: $p.first_name,
                    last_name: $p.last_name, birth_year: $p.birth_year, gender: $p.gender, municipality: $p.municipality,
                    protection: 'none', owner_org: $p.owner_org, shredded: false, version: 1, created_at: <datetime>$now,
                    created_by: 'bench' } RETURN NONE; };
                FOR $c IN $cs { CREATE type::record('case', $c.id) CONTENT { participant: $c.participant, owner_org: $c.owner_org,
                    status: 'active', open: true, sspf_level: 'individual', referral_source: NONE, responsible: 'bench',
                    municipality: $c.municipality, opened_at: <datetime>$now, closed_at: NONE, last_entry_at: <datetime>$now,
                    transitions: [], version: 1 } RETURN NONE; };")
            .bind("ps", ps)
            .bind("cs", cs)
            .bind("now", now)
            .run()
            .await?;
        progress(&format!("{done}/{people} deltagare"));
    }
    let base = now - Duration::days(1000);
    let mut done = 0;
    while done < events {
        let rows: Vec<Json> = (done..(done + BATCH * 5).min(events))
            .map(|i| {
                let case = &cases[i % cases.len().max(1)];
                json!({ "case": case, "participant": "", "kind": "contact", "category": "contacts",
                    "org": org, "author": "bench", "at": base + Duration::seconds(i as i64 * 97 % 86_000_000),
                    "text": "", "source": "bench", "corrected": false })
            })
            .collect();
        done += rows.len();
        state
            .db()
            .q("FOR $r IN $rows { CREATE event CONTENT { case: $r.case, participant: $r.participant, kind: $r.kind,
                    category: $r.category, org: $r.org, author: $r.author, at: <datetime>$r.at, text: $r.text,
                    source: $r.source, corrected: $r.corrected } RETURN NONE; }")
            .bind("rows", rows)
            .run()
            .await?;
        if done % 100_000 < BATCH * 5 {
            progress(&format!("{done}/{events} händelser"));
        }
    }
    Ok(())
}

/// One audit entry appended alone, shaped like a page's own: its action, the participants it
/// names, the categories it shows and its purpose, from the same user. A breakdown then shows
/// what that page's entry costs, not an empty one's: an entry costs more the more participants
/// it names (one index key each, so that the log review finds every entry about a person).
pub async fn audit_append(
    a: &Authed,
    action: &str,
    participants: Vec<String>,
    categories: &[&str],
    purpose: &str,
) -> Result<i64, AppError> {
    let mut e = super::audit::Entry::new(action);
    e.participants = participants;
    e.categories = categories.iter().map(|c| c.to_string()).collect();
    e.purpose = Some(purpose.into());
    super::audit::append(a.state(), &crate::gate::who(a), e).await
}

/// The participant a case is about, for [`audit_append`]'s entry (read once, outside any timing).
pub async fn participant_of(a: &Authed, case_id: &str) -> Result<String, AppError> {
    Ok(crate::gate::case_by_id(a, case_id).await?.participant)
}

/// Gives the filled cases (`fill_population`) three years of varied history — intake dates,
/// status paths, SSPF levels — refreshes their statistics rows, and adds one contact statistics
/// row per timeline event (`events`, as filled), so the outcomes dashboard has a realistic load to aggregate.
pub async fn fill_outcomes(
    state: &AppState,
    events: usize,
    progress: impl Fn(&str),
) -> Result<(), AppError> {
    #[derive(Deserialize)]
    struct C {
        id: String,
        municipality: String,
    }
    let cases: Vec<C> = state
        .db()
        .q("SELECT record::id(id) AS id, municipality FROM case WHERE responsible = 'bench'")
        .run()
        .await?
        .all(0)?;
    let now = state.clock().now();
    const STATUSES: [&str; 7] = [
        "referred",
        "assessment",
        "active",
        "active",
        "completed",
        "ended_early",
        "moved",
    ];
    const LEVELS: [&str; 3] = ["individual", "group", "individual"];
    for (b, chunk) in cases.chunks(500).enumerate() {
        let rows: Vec<Json> = chunk
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let i = b * 500 + k;
                let opened = now - Duration::days((i as i64 * 37) % 1095) - Duration::hours(3);
                let status = STATUSES[i % STATUSES.len()];
                let mut path = vec![
                    json!({ "from": Json::Null, "to": "referred", "at": opened, "by": "bench" }),
                ];
                let mut at = opened;
                let steps: &[&str] = match status {
                    "referred" => &[],
                    "assessment" => &["assessment"],
                    "active" => &["assessment", "active"],
                    _ => &["assessment", "active", status],
                };
                let mut from = "referred";
                for s in steps {
                    at += Duration::days(10 + (i as i64 % 50));
                    path.push(json!({ "from": from, "to": s, "at": at.min(now), "by": "bench" }));
                    from = s;
                }
                let closed = matches!(status, "completed" | "ended_early" | "moved");
                json!({ "id": c.id, "opened": opened, "status": status, "open": !closed,
                    "closed": closed.then_some(at.min(now)), "sspf": LEVELS[i % 3], "path": path })
            })
            .collect();
        state
            .db()
            .q("FOR $r IN $rows {
                    UPDATE type::record('case', $r.id) SET opened_at = <datetime>$r.opened, status = $r.status,
                        open = $r.open, sspf_level = $r.sspf,
                        closed_at = IF $r.closed = NONE THEN NONE ELSE <datetime>$r.closed END,
                        transitions = $r.path.map(|$t| { from: $t.from, to: $t.to, at: <datetime>$t.at, by: $t.by })
                        RETURN NONE;
                    fn::stat_refresh($r.id);
                }")
            .bind("rows", rows)
            .run()
            .await?;
        progress(&format!("statistik {}/{}", (b + 1) * 500, cases.len()));
    }
    // One contact statistics row per timeline event, in the case's municipality, and the monthly
    // counters they make: the rows `fn::contact_count` writes one contact at a time, written
    // here in bulk, computed in Rust (`outcomes::reach_rows`).
    // `counters::the_benchmark_fixture_writes_the_counters_a_recount_gives` holds the two ways to
    // the same rows.
    let orgs = ["gbg_soc", "passus_gbg", "polis_vast"];
    let base = now - Duration::days(1000);
    const BATCH: usize = 10_000;
    let mut reach = crate::outcomes::ContactMonths::new();
    let mut done = 0;
    while done < events {
        let rows: Vec<Json> = (done..(done + BATCH).min(events))
            .map(|i| {
                let c = &cases[i % cases.len().max(1)];
                let at = base + Duration::seconds(i as i64 * 97 % 86_000_000);
                let month = domain::time::month_key(domain::time::swedish_date(at));
                *reach
                    .entry((
                        c.id.clone(),
                        orgs[i % 3].to_string(),
                        c.municipality.clone(),
                    ))
                    .or_default()
                    .entry(month.clone())
                    .or_default() += 1;
                json!({ "stat": c.id, "org": orgs[i % 3], "municipality": c.municipality, "at": at,
                    "month": month })
            })
            .collect();
        done += rows.len();
        state
            .db()
            // A loop, not `$rows.map(…)`: a closure copies the query's variables (the whole
            // batch) at every call, which makes a batch cost the square of its size.
            .q("FOR $r IN $rows { CREATE contact_stat CONTENT { stat: $r.stat, org: $r.org, municipality: $r.municipality, at: <datetime>$r.at, month: $r.month } RETURN NONE; }")
            .bind("rows", rows)
            .run()
            .await?;
        if done % 100_000 < BATCH {
            progress(&format!("kontaktstatistik {done}/{events}"));
        }
    }
    let reach: Vec<Json> = crate::outcomes::reach_rows(&reach)
        .into_iter()
        .map(|((scope, org, month), (contacts, persons, gaps))| {
            json!({ "scope": scope, "org": org, "month": month, "contacts": contacts,
                "persons": persons, "gaps": gaps })
        })
        .collect();
    for chunk in reach.chunks(200) {
        state
            .db()
            .q("FOR $g IN $rows {
                    UPSERT type::record('contact_reach', [$g.scope, $g.org, $g.month])
                        CONTENT { scope: $g.scope, org: $g.org, month: $g.month, contacts: $g.contacts,
                            persons: $g.persons, gaps: $g.gaps }
                        RETURN NONE;
                }")
            .bind("rows", chunk.to_vec())
            .run()
            .await?;
    }
    progress(&format!("kontaktstatistik: {} räckviddsrader", reach.len()));
    Ok(())
}

/// This process's resident and peak memory, in MiB (Linux).
pub fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(0.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
