//! Three years of program history for the demo: about 300 fictional participants in Göteborg and
//! Malmö, generated deterministically from a fixed seed, so the outcomes dashboard has real
//! trends to show (and small groups to hide).
//!
//! [`generate`] is pure: the same `today` gives the same people. [`load`] writes them in bulk in
//! the shapes the core writes (sealed names under each person's own key, cases with their status
//! history, housing, occupation, protective measures, threat assessments, contacts and their
//! timeline rows) and refreshes each case's statistics row. It runs once, on an empty demo store,
//! before the server takes requests.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value as Json};

use super::audit::{self, Entry, Who};
use super::db::new_id;
use super::demo_cast::{ORG_GBG, ORG_MALMO};
use super::progress::{Progress, Quiet};
use super::state::AppState;
use super::vault;
use domain::casework::{ContactKind, MeasureKind};
use domain::event::EventLine;
use domain::{AppError, CaseStatus, Gender, SspfLevel};

/// How many people the demo history holds.
pub const PEOPLE: usize = 300;
const SEED: u64 = 0x5574_7661_6700_2026;

pub use super::demo_cast::{HistoryCase, HistoryRating, Spell};

const FIRST_F: &[&str] = &[
    "Amira", "Elin", "Hanna", "Leyla", "Maja", "Nora", "Sofia", "Yasmin", "Ida", "Selma",
];
const FIRST_M: &[&str] = &[
    "Adam", "Ali", "Elias", "Hugo", "Ibrahim", "Jonas", "Liam", "Mohammed", "Omar", "Viktor",
    "Noah", "Kevin", "Samir", "Oscar",
];
const LAST: &[&str] = &[
    "Andersson",
    "Berg",
    "Demir",
    "Ekström",
    "Hassan",
    "Johansson",
    "Karlsson",
    "Lind",
    "Nilsson",
    "Omar",
    "Persson",
    "Rashid",
    "Sandberg",
    "Yilmaz",
];

fn pick<'a>(rng: &mut ChaCha8Rng, list: &[&'a str]) -> &'a str {
    list[rng.random_range(0..list.len())]
}

/// Takes the next step `after` days on, if that day has come.
fn step(
    c: &mut HistoryCase,
    at: &mut DateTime<Utc>,
    now: DateTime<Utc>,
    s: CaseStatus,
    after: i64,
) -> bool {
    let t = *at + days(after);
    if t >= now {
        return false;
    }
    *at = t;
    c.transitions.push((s, t));
    true
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

/// The demo history up to `today` (noon UTC on each day, so no date depends on the time zone).
pub fn generate(today: NaiveDate) -> Vec<HistoryCase> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let now = today.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
    let start = now - days(3 * 365);
    let mut out = Vec::with_capacity(PEOPLE);
    for _ in 0..PEOPLE {
        // More people come in as the program becomes known: intake grows over the three years.
        let u: f64 = rng.random::<f64>().sqrt();
        let opened = start + days((u * 3.0 * 365.0) as i64);
        let gbg = rng.random_bool(0.6);
        let gender = match rng.random_range(0..100) {
            0..22 => Gender::Female,
            22..98 => Gender::Male,
            _ => Gender::Other,
        };
        let age = match rng.random_range(0..100) {
            0..15 => rng.random_range(13..18),
            15..40 => rng.random_range(18..21),
            40..75 => rng.random_range(21..26),
            _ => rng.random_range(26..40),
        };
        let year = chrono::Datelike::year(&opened);
        let sspf = match rng.random_range(0..100) {
            0..75 => SspfLevel::Individual,
            75..95 => SspfLevel::Group,
            _ => SspfLevel::General,
        };
        let mut c = HistoryCase {
            first_name: pick(
                &mut rng,
                if gender == Gender::Female {
                    FIRST_F
                } else {
                    FIRST_M
                },
            )
            .to_string(),
            last_name: pick(&mut rng, LAST).to_string(),
            gender,
            birth_year: year - age,
            municipality: if gbg { "Göteborg" } else { "Malmö" },
            owner_org: if gbg { ORG_GBG } else { ORG_MALMO },
            sspf,
            opened,
            transitions: Vec::new(),
            housing: Vec::new(),
            occupation: Vec::new(),
            measures: Vec::new(),
            assessments: Vec::new(),
            next_review: None,
            contacts: Vec::new(),
            ratings: Vec::new(),
            enrolment: None,
        };
        // The path through the program; a step is taken only if its day has come.
        let mut at = opened;
        let assessed = step(
            &mut c,
            &mut at,
            now,
            CaseStatus::Assessment,
            rng.random_range(3..21),
        );
        let mut active_at = None;
        if assessed {
            if rng.random_bool(0.12) {
                let after = rng.random_range(10..60);
                step(&mut c, &mut at, now, CaseStatus::EndedEarly, after);
            } else {
                let after = rng.random_range(7..70);
                if step(&mut c, &mut at, now, CaseStatus::Active, after) {
                    active_at = Some(at);
                    let end = match rng.random_range(0..100) {
                        0..55 => Some((CaseStatus::Completed, rng.random_range(300..700))),
                        55..75 => Some((CaseStatus::EndedEarly, rng.random_range(40..300))),
                        75..87 => Some((CaseStatus::Moved, rng.random_range(60..450))),
                        _ => None,
                    };
                    if let Some((s, after)) = end {
                        step(&mut c, &mut at, now, s, after);
                    }
                }
            }
        }
        let closed = c.closed_at();
        let until = closed.unwrap_or(now);
        let before_end = |t: DateTime<Utc>| t < until;
        // Housing: temporary at first, stable housing for many after a while.
        c.housing
            .push(("temporary", opened + days(rng.random_range(0..10)), None));
        if let Some(a) = active_at {
            let housed = a + days(rng.random_range(20..330));
            if rng.random_bool(0.65) && before_end(housed) {
                c.housing[0].2 = Some(housed);
                let kind = if rng.random_bool(0.6) {
                    "second_hand"
                } else {
                    "own_lease"
                };
                c.housing.push((kind, housed, None));
            }
            // Work or studies for a good half, from a few months after the start.
            let from = a + days(rng.random_range(40..420));
            if rng.random_bool(0.6) && before_end(from) {
                let kind = pick(
                    &mut rng,
                    &["employment", "studies", "internship", "labour_program"],
                );
                let to = (rng.random_bool(0.25))
                    .then(|| from + days(rng.random_range(60..240)))
                    .filter(|t| *t < now);
                c.occupation.push((kind, from, to));
            }
        }
        // Protective measures, some rare enough to be hidden on the dashboard.
        for (kind, p) in [
            (MeasureKind::Relocation, 0.3),
            (MeasureKind::SecurityAlarm, 0.25),
            (MeasureKind::SecretAddress, 0.12),
            (MeasureKind::ShelteredHousing, 0.12),
            (MeasureKind::ProtectedIdentity, 0.06),
            (MeasureKind::PersonalProtection, 0.01),
        ] {
            let s = opened + days(rng.random_range(5..120));
            if rng.random_bool(p) && before_end(s) {
                let e = s + days(rng.random_range(60..400));
                c.measures.push((kind, s, (e < until).then_some(e)));
            }
        }
        // Threat assessments every three months while the case is open.
        let mut d = opened + days(rng.random_range(5..25));
        while d < until {
            let level = pick(&mut rng, &["low", "medium", "medium", "high", "acute"]);
            let next = d + days(90);
            c.assessments.push((level, d, next));
            // Most reassessments are on time; some are late.
            d = next
                + days(if rng.random_bool(0.8) {
                    rng.random_range(-10..0)
                } else {
                    rng.random_range(1..40)
                });
        }
        if closed.is_none() {
            // Most reviews are booked ahead; some are late.
            let ahead = if rng.random_bool(0.85) {
                rng.random_range(0..75)
            } else {
                rng.random_range(-40..0)
            };
            c.next_review = Some(now + days(ahead));
        }
        // Contacts every two to five weeks while the case runs.
        let mut t = opened + days(rng.random_range(1..14));
        while t < until && c.contacts.len() < 24 {
            c.contacts.push(t);
            t += days(rng.random_range(14..36));
        }
        out.push(c);
    }
    // Ratings and project enrolment draw from a stream of their own, so adding them left
    // every earlier figure of the history as it was.
    super::demo_ratings::history_ratings(&mut out, now);
    out
}

/// Writes the generated history into the store. Returns how many participants it added.
pub async fn load(state: &AppState, today: NaiveDate) -> Result<usize, AppError> {
    load_with(state, today, &Quiet).await
}

/// [`load`], reporting each person written (`utvag demo`).
pub async fn load_with(
    state: &AppState,
    today: NaiveDate,
    progress: &dyn Progress,
) -> Result<usize, AppError> {
    let people = generate(today);
    super::demo_ratings::ensure_project(state).await?;
    progress.stage(
        "writing three years of demo history",
        Some(people.len() as u64),
    );
    for chunk in people.chunks(20) {
        let mut rows: Vec<Json> = Vec::with_capacity(chunk.len());
        for c in chunk {
            rows.push(rows_for(state, c)?);
        }
        state.db().q(INSERT).bind("rows", rows).run().await?;
        progress.advance(chunk.len() as u64);
    }
    let mut e = Entry::new("demo.history");
    e.reason = Some(format!("{} demodeltagare med historik", people.len()));
    audit::append(state, &Who::system(), e).await?;
    Ok(people.len())
}

/// Every row of one person, their sealed fields sealed under their own new key.
fn rows_for(state: &AppState, c: &HistoryCase) -> Result<Json, AppError> {
    let pid = new_id();
    let cid = new_id();
    let (dek, wrapped) = vault::new_dek(state, &pid)?;
    let seal = |table: &str, id: &str, field: &str, v: &str| vault::seal(&dek, table, id, field, v);
    let user = if c.owner_org == ORG_GBG {
        "demo_handlaggare2"
    } else {
        "demo_handlaggare2_malmo"
    };
    let mut transitions =
        vec![json!({ "from": Json::Null, "to": "referred", "at": c.opened, "by": user })];
    let mut from = CaseStatus::Referred;
    let mut events = Vec::new();
    for (s, at) in &c.transitions {
        transitions.push(json!({ "from": from.as_str(), "to": s.as_str(), "at": at, "by": user }));
        let eid = new_id();
        let line = EventLine::Status { from, to: *s };
        events.push(
            json!({ "id": eid, "kind": "status", "category": "plan", "at": at,
            "line": seal("event", &eid, "line", &line.to_stored())? }),
        );
        from = *s;
    }
    let mut contacts = Vec::new();
    for at in &c.contacts {
        let id = new_id();
        let eid = new_id();
        let text = "Uppföljande samtal om planen. Fiktiv demokontakt.";
        contacts
            .push(json!({ "id": id, "at": at, "summary": seal("contact", &id, "summary", text)? }));
        let line = EventLine::Contact {
            kind: ContactKind::Meeting,
            minutes: 45,
        };
        events.push(
            json!({ "id": eid, "kind": "contact", "category": "contacts", "at": at,
            "line": seal("event", &eid, "line", &line.to_stored())?,
            "text": seal("event", &eid, "text", text)? }),
        );
    }
    let last = events
        .iter()
        .filter_map(|e| e["at"].as_str().map(str::to_string))
        .max()
        .map(Json::String)
        .unwrap_or_else(|| json!(c.opened));
    Ok(json!({
        "pid": pid, "cid": cid, "org": c.owner_org, "user": user, "mid": new_id(),
        "wrapped": wrapped.encode(), "gen": dek.generation(), "kekv": wrapped.kek_version(),
        "first_name": seal("participant", &pid, "first_name", &c.first_name)?,
        "last_name": seal("participant", &pid, "last_name", &c.last_name)?,
        "background": seal("participant", &pid, "background", "Fiktiv demoperson med tre års historik.")?,
        "birth_year": c.birth_year, "gender": c.gender.as_str(), "municipality": c.municipality,
        "status": c.status().as_str(), "open": c.closed_at().is_none(), "closed_at": c.closed_at(),
        "sspf": c.sspf.as_str(), "opened": c.opened, "last": last, "next_review": c.next_review,
        "transitions": transitions,
        "housing": c.housing.iter().map(|(k, f, t)| json!({ "id": new_id(), "kind": k, "from": f, "to": t })).collect::<Vec<_>>(),
        "occupation": c.occupation.iter().map(|(k, f, t)| json!({ "id": new_id(), "kind": k, "from": f, "to": t })).collect::<Vec<_>>(),
        "measures": c.measures.iter().map(|(k, s, e)| json!({ "id": new_id(), "kind": k.as_str(),
            "status": if e.is_some() { "ended" } else { "active" }, "start": s, "end": e })).collect::<Vec<_>>(),
        "assessments": c.assessments.iter().map(|(l, d, n)| json!({ "id": new_id(), "level": l, "date": d, "next": n })).collect::<Vec<_>>(),
        "contacts": contacts,
        "events": events,
        "ratings": c.ratings.iter().map(|g| json!({ "id": new_id(), "date": g.date, "occasion": g.occasion.as_str(),
            "rater": g.rater.as_str(), "scores": g.scores.iter().map(|(d, n)| json!({ "domain": d.as_str(), "score": n })).collect::<Vec<_>>() })).collect::<Vec<_>>(),
        "enrolments": c.enrolment.iter().map(|(e, x)| json!({ "id": new_id(), "project": super::demo_ratings::PROJECT_ID,
            "entry": e, "exit": x })).collect::<Vec<_>>(),
    }))
}

const INSERT: &str = "
FOR $r IN $rows {
    CREATE type::record('participant', $r.pid) CONTENT { first_name: $r.first_name, last_name: $r.last_name,
        personnummer: NONE, phone: NONE, email: NONE, address: NONE, background: $r.background,
        birth_year: $r.birth_year, gender: $r.gender, municipality: $r.municipality, protection: 'none',
        owner_org: $r.org, shredded: false, version: 1, created_at: <datetime>$r.opened, created_by: $r.user } RETURN NONE;
    CREATE type::record('participant_key', $r.pid) CONTENT { generation: $r.gen, wrapped: $r.wrapped, kek_version: $r.kekv } RETURN NONE;
    CREATE type::record('case', $r.cid) CONTENT { participant: $r.pid, owner_org: $r.org, status: $r.status, open: $r.open,
        sspf_level: $r.sspf, referral_source: NONE, responsible: $r.user, municipality: $r.municipality,
        opened_at: <datetime>$r.opened, closed_at: IF $r.closed_at = NONE THEN NONE ELSE <datetime>$r.closed_at END,
        last_entry_at: <datetime>$r.last, next_review: IF $r.next_review = NONE THEN NONE ELSE <datetime>$r.next_review END,
        transitions: $r.transitions.map(|$t| { from: $t.from, to: $t.to, at: <datetime>$t.at, by: $t.by }), version: 1 } RETURN NONE;
    IF $r.open { CREATE type::record('open_case', $r.pid) CONTENT { case: $r.cid } RETURN NONE; };
    CREATE type::record('case_member', $r.mid) CONTENT { case: $r.cid, participant: $r.pid, user: $r.user, org: $r.org,
        part: 'responsible', added_at: <datetime>$r.opened, added_by: $r.user } RETURN NONE;
    FOR $h IN $r.housing { CREATE type::record('housing', $h.id) CONTENT { case: $r.cid, participant: $r.pid, kind: $h.kind,
        address: NONE, from: <datetime>$h.from, to: IF $h.to = NONE THEN NONE ELSE <datetime>$h.to END,
        created_at: <datetime>$h.from, created_by: $r.user } RETURN NONE; };
    FOR $o IN $r.occupation { CREATE type::record('occupation', $o.id) CONTENT { case: $r.cid, participant: $r.pid, kind: $o.kind,
        from: <datetime>$o.from, to: IF $o.to = NONE THEN NONE ELSE <datetime>$o.to END, outcome: '',
        created_at: <datetime>$o.from, created_by: $r.user } RETURN NONE; };
    FOR $m IN $r.measures { CREATE type::record('measure', $m.id) CONTENT { case: $r.cid, participant: $r.pid, kind: $m.kind,
        status: $m.status, start: <datetime>$m.start, end: IF $m.end = NONE THEN NONE ELSE <datetime>$m.end END,
        responsible_org: $r.org, details: NONE, version: 1, created_at: <datetime>$m.start, created_by: $r.user } RETURN NONE; };
    FOR $a IN $r.assessments { CREATE type::record('assessment', $a.id) CONTENT { case: $r.cid, participant: $r.pid,
        level: $a.level, org: $r.org, date: <datetime>$a.date, next_review: <datetime>$a.next, basis: NONE,
        created_at: <datetime>$a.date, created_by: $r.user } RETURN NONE; };
    FOR $k IN $r.contacts {
        CREATE type::record('contact', $k.id) CONTENT { case: $r.cid, participant: $r.pid, at: <datetime>$k.at, org: $r.org,
            kind: 'meeting', minutes: 45, summary: $k.summary, author: $r.user, created_at: <datetime>$k.at } RETURN NONE;
        fn::contact_count($r.cid, $r.org, $r.municipality, <datetime>$k.at);
    };
    FOR $e IN $r.events { CREATE type::record('event', $e.id) CONTENT { case: $r.cid, participant: $r.pid, kind: $e.kind,
        category: $e.category, org: $r.org, author: $r.user, at: <datetime>$e.at, line: $e.line, text: $e.text,
        source: 'case:' + $r.cid, corrected: false } RETURN NONE; };
    FOR $g IN $r.ratings { CREATE type::record('rating', $g.id) CONTENT { case: $r.cid, participant: $r.pid,
        date: <datetime>$g.date, occasion: $g.occasion, review: NONE, rater: $g.rater, scores: $g.scores, comment: NONE,
        created_at: <datetime>$g.date, created_by: $r.user } RETURN NONE; };
    FOR $n IN $r.enrolments { CREATE type::record('enrolment', $n.id) CONTENT { project: $n.project, case: $r.cid,
        participant: $r.pid, entry: <datetime>$n.entry, exit: IF $n.exit = NONE THEN NONE ELSE <datetime>$n.exit END,
        created_at: <datetime>$n.entry, created_by: $r.user } RETURN NONE; };
    fn::stat_refresh($r.cid);
};
";
