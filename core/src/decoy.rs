//! Decoys: one row of the shape and size of a real one for each table whose rows an answer
//! about an id reads, kept in a table of its own (`decoy_<table>`, key [`KEY`]) that nothing
//! lists, counts or joins. An answer about something that does not exist reads the decoy where
//! it would have read the real row, and computes with it what it would have computed, then
//! throws it away: an outsider must not learn from the time of a refusal whether the id or the
//! person exists.
//!
//! Why rows and not a pause: on this store fetching a key that does not exist costs half of
//! fetching one that does (the gate's read 0.31 against 0.62 ms, the search's 1.28 against
//! 1.71 ms, benchmark probe), because a record read is converted through its table's field
//! definitions. A decoy table has the same field definitions as its table (a schemaless one
//! was still 0.16 ms cheaper), so the two answers do the same work; a pause to a fixed
//! minimum would hide the gap only while the server is idle, not under load, when both
//! answers are slower than the minimum. The load benchmark's part 6 measures both answers.
//!
//! The decoy tables are made at start from the field definitions of their tables as they are
//! after the migrations ([`ensure`]), so a migration that changes a table changes its decoy
//! too. Their rows hold no one's data: the sealed fields are sealed under a key made for them
//! and dropped at once, the ids are of no one.

use crate::crypto::{Aad, Dek};
use crate::db::{new_id, valid_id, Db, DbError, Q};
use ring::rand::SystemRandom;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

/// The key of every decoy row. Real keys are 32 hexadecimal digits (`db::new_id`), so this is
/// no one's.
pub(crate) const KEY: &str = "decoy";

/// The tables that have a decoy, with their decoy row: a case of a typical size (three status
/// changes, a sealed referral source), its participant's policy facts (a team of three, two
/// consents, one break-glass run out), a blind index entry, the case's list row, the
/// participant's list row, and the records other answers fetch by an id from the outside
/// ([`fetch`]): a referral under review (two reasons, every sealed field filled, two status
/// changes), an SSPF group, a council meeting of four units, an open item on its agenda, a
/// pending handover of three parts with a note and a case's link to a group. Written as
/// SurrealQL so that datetimes and links are stored as a real row's are; the `$` names are
/// bound by [`ensure`].
const MIRRORED: [(&str, &str); 11] = [
    (
        "case",
        "{ participant: $key, owner_org: $org, status: 'active', open: true,
           sspf_level: 'individual', referral_source: $referral, responsible: $u3,
           municipality: 'Göteborg', opened_at: d'2026-03-02T09:14:00Z',
           last_entry_at: d'2026-06-11T13:40:00Z', next_review: d'2026-09-01T00:00:00Z',
           transitions: [
               { from: NONE, to: 'referred', at: d'2026-03-02T09:14:00Z', by: $u3 },
               { from: 'referred', to: 'assessment', at: d'2026-03-09T10:02:00Z', by: $u3 },
               { from: 'assessment', to: 'active', at: d'2026-04-01T08:45:00Z', by: $u4 },
           ],
           version: 4 }",
    ),
    (
        "policy_facts",
        "{ owner_org: $org, protection: 'sekretessmarkering', shredded: false,
           team: $team, grants: $grants, glass: $glass }",
    ),
    (
        "blind_index",
        "{ kind: 'personnummer', tag: $tag, participant: $key }",
    ),
    (
        "case_row",
        "{ participant: $key, owner_org: $org, status: 'active', responsible: $u3,
           opened_at: d'2026-03-02T09:14:00Z', first_name: $first, last_name: $last,
           birth_year: 1998, gender: 'male', municipality: 'Göteborg',
           protection: 'sekretessmarkering', shredded: false, others: [], subject_org: $org,
           team: $team, grants: $grants, glass: $glass }",
    ),
    (
        "participant_row",
        "{ first_name: $first, last_name: $last, birth_year: 1998, gender: 'male',
           municipality: 'Göteborg', protection: 'sekretessmarkering', shredded: false,
           cases: [type::record('decoy_case', $key)],
           case_rows: [type::record('decoy_case_row', $key)] }",
    ),
    (
        "referral",
        "{ number: 'R-2026-0142', year: 2026, seq: 142, org: $other_org, created_by: $u5,
           created_at: d'2026-05-12T10:21:00Z', kind: 'police', referred_on: d'2026-05-11T22:00:00Z',
           reasons: ['recruitment', 'threats'], urgency: 'urgent', description: $description,
           personnummer: $pnr, first_name: $first, last_name: $last, phone: $phone,
           referrer_contact: $contact, municipality: 'Göteborg', receiving_org: $third_org,
           forwarded_from: NONE, participant: $key, status: 'under_review', case: NONE,
           decline_reason: NONE,
           transitions: [
               { from: NONE, to: 'new', at: d'2026-05-12T10:21:00Z', by: $u5 },
               { from: 'new', to: 'under_review', at: d'2026-05-12T13:05:00Z', by: $u3 },
           ],
           version: 2 }",
    ),
    (
        "sspf_group",
        "{ org: $org, municipality: 'Göteborg', name: $group_name, description: $group_text,
           active: true, created_by: $u3, created_at: d'2026-02-10T08:30:00Z' }",
    ),
    (
        "council_meeting",
        "{ org: $org, municipality: 'Göteborg', date: d'2026-06-17T00:00:00Z',
           members: [$org, $other_org, $third_org, $fourth_org], status: 'planned', created_by: $u3,
           created_at: d'2026-05-20T14:12:00Z' }",
    ),
    (
        "council_item",
        "{ meeting: $key, position: 3, kind: 'case', referral: NONE, case: $key,
           participant: $key, org: $org, status: 'open', priority: NONE, interventions: [],
           responsible: NONE, note: NONE, decided_by: NONE, decided_at: NONE, added_by: $u3,
           added_at: d'2026-06-03T11:20:00Z' }",
    ),
    (
        "group_link",
        "{ group: $key, case: $key, participant: $key, org: $org,
           from: d'2026-04-07T00:00:00Z', to: NONE, added_by: $u4,
           added_at: d'2026-04-07T15:02:00Z' }",
    ),
    (
        "handover",
        "{ case: $key, participant: $key, from_org: $org, to_org: $other_org,
           parts: ['person', 'status', 'plan'], snapshot: $snapshot, note: $note,
           status: 'pending', read_days: 30, created_by: $u3,
           created_at: d'2026-06-02T09:48:00Z', decided_by: NONE, decided_at: NONE,
           decline_reason: NONE, sender_until: NONE }",
    ),
];

/// The statement [`fetch`] runs: the record `$id` of `t` fetched by key as `[real, record]`,
/// the decoy row in its place where `t` has no such record.
pub(crate) fn fetch_sql(t: &str) -> String {
    format!(
        "{{
             LET $real = type::record('{t}', $id).*;
             [$real != NONE, $real ?? type::record('{}', $decoy).*]
         }}",
        table(t)
    )
}

/// The record of `t` (a table with a decoy) whose key is the id `id` from the outside, with
/// `id` as its `id` field; `None` for an id no record has, or that cannot be a key, after the
/// decoy row was fetched and converted in its place: a record that exists costs more to fetch
/// than a key that does not, and the time of a refusal would tell an outsider which ids exist
/// (load benchmark, part 6). The caller decides on what it gets as on any record it may not
/// see, so both answers do the same work.
pub(crate) async fn fetch<T: DeserializeOwned>(
    db: &Db,
    t: &str,
    id: &str,
) -> Result<Option<T>, DbError> {
    Ok(fetch_or_decoy(db, t, id)
        .await?
        .and_then(|(real, row)| real.then_some(row)))
}

/// As [`fetch`], with the decoy row itself where no record has the id (`false` beside it), for
/// a caller that reads further from the record before it can refuse: it reads as far from the
/// decoy, so that an unknown id takes as long as another unit's record. `None` only on a store
/// without the decoy rows.
pub(crate) async fn fetch_or_decoy<T: DeserializeOwned>(
    db: &Db,
    t: &str,
    id: &str,
) -> Result<Option<(bool, T)>, DbError> {
    debug_assert!(MIRRORED.iter().any(|(m, _)| *m == t), "{t} has no decoy");
    let lookup = if valid_id(id) {
        id.to_string()
    } else {
        new_id()
    };
    let mut got = db
        .q(fetch_sql(t))
        .bind("id", &lookup)
        .bind("decoy", KEY)
        .run()
        .await?
        .value(0);
    let real = got[0] == Json::Bool(true);
    let mut row = got[1].take();
    if let Some(fields) = row.as_object_mut() {
        // Fetched as a record (its id `<t>:<key>`); the key is the one looked up.
        fields.insert("id".into(), Json::String(lookup));
    }
    let row: Option<T> = serde_json::from_value(row)?;
    Ok(row.map(|r| (real, r)))
}

/// The parts the rows share, bound to `$team`, `$grants` and `$glass` (datetimes cast by the
/// statement that binds them).
const SHARED: &str = "
    LET $team = [
        { user: $u3, org: $org, until: NONE },
        { user: $u4, org: $org, until: NONE },
        { user: $u5, org: $other_org, until: d'2026-09-30T22:00:00Z' },
    ];
    LET $grants = [
        { id: $g1, recipient_org: $other_org, categories: ['identity', 'plan', 'contacts'],
          valid_from: d'2026-03-04T09:00:00Z', valid_until: d'2027-03-04T09:00:00Z', revoked_at: NONE },
        { id: $g2, recipient_org: $third_org, categories: ['housing', 'occupation'],
          valid_from: d'2026-04-15T12:30:00Z', valid_until: NONE, revoked_at: NONE },
    ];
    LET $glass = [{ id: $b1, user: $u6, expires_at: d'2026-05-20T18:00:00Z' }];
";

/// `decoy_<table>`.
pub(crate) fn table(t: &str) -> String {
    format!("decoy_{t}")
}

/// A table's field definitions as the store reports them (`INFO FOR TABLE`), sorted by name
/// so that a field comes before its parts.
fn definitions(info: &Json) -> Vec<&str> {
    let mut fields: Vec<(&String, &Json)> = info["fields"]
        .as_object()
        .map(|f| f.iter().collect())
        .unwrap_or_default();
    fields.sort_by(|a, b| a.0.cmp(b.0));
    fields.into_iter().filter_map(|(_, d)| d.as_str()).collect()
}

/// The field definitions `t`'s decoy must have: `t`'s, on the decoy's table, with links to a
/// mirrored table pointing at its decoy.
fn mirrored(t: &str, info: &Json) -> Vec<String> {
    definitions(info)
        .into_iter()
        .map(|def| {
            let mut d = def.replacen(&format!(" ON {t} "), &format!(" ON {} ", table(t)), 1);
            for (m, _) in MIRRORED {
                d = d.replace(&format!("record<{m}>"), &format!("record<{}>", table(m)));
            }
            d
        })
        .collect()
}

/// Makes the decoy tables and rows, or makes them again when a table's fields have changed
/// since (a migration). Nothing is written when they are as they should be, so instances
/// starting side by side do not rewrite each other's; a conflict between two that both found
/// them missing is retried.
pub(crate) async fn ensure(db: &Db) -> Result<(), DbError> {
    let info_sql: String = MIRRORED
        .iter()
        .map(|(t, _)| {
            let d = table(t);
            format!(
                "INFO FOR TABLE {t}; INFO FOR TABLE {d}; RETURN type::record('{d}', $key) != NONE;\n"
            )
        })
        .collect();
    for attempt in 0..5 {
        let mut info = db.q(info_sql.as_str()).bind("key", KEY).run().await?;
        let mut sql = String::from("BEGIN TRANSACTION;\n");
        sql.push_str(SHARED);
        let mut stale = false;
        for (i, (t, row)) in MIRRORED.iter().enumerate() {
            let want = mirrored(t, &info.value(3 * i));
            let decoy = table(t);
            if want == definitions(&info.value(3 * i + 1))
                && info.value(3 * i + 2) == Json::Bool(true)
            {
                continue;
            }
            stale = true;
            sql.push_str(&format!(
                "REMOVE TABLE IF EXISTS {decoy};\nDEFINE TABLE {decoy} SCHEMAFULL;\n"
            ));
            // `OVERWRITE`: a field of objects in an array defines its `[*]` part itself, which
            // the store then reports too.
            for f in want {
                sql.push_str(&f.replacen("DEFINE FIELD ", "DEFINE FIELD OVERWRITE ", 1));
                sql.push_str(";\n");
            }
            sql.push_str(&format!(
                "CREATE type::record('{decoy}', $key) CONTENT {row} RETURN NONE;\n"
            ));
        }
        if !stale {
            return Ok(());
        }
        sql.push_str("COMMIT TRANSACTION;");
        match bind_parts(db.q(sql))?.run().await {
            Ok(_) => return Ok(()),
            Err(e) if e.is_conflict() && attempt < 4 => {
                tokio::time::sleep(std::time::Duration::from_millis(50 * (attempt + 1))).await;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Binds what the rows name: ids of no one (32 hexadecimal digits, as real ids have) and values
/// sealed under a key made here and dropped, of the length of real ones, that no one can open.
fn bind_parts(q: Q<'_>) -> Result<Q<'_>, DbError> {
    let key = Dek::generate(&SystemRandom::new())
        .map_err(|e| DbError::Other(format!("decoy key: {e}")))?;
    let sealed = |field: &str, len: usize| -> Result<String, DbError> {
        key.seal(&Aad::new("decoy", KEY, field), &vec![b'x'; len])
            .map(|s| s.encode())
            .map_err(|e| DbError::Other(format!("decoy seal: {e}")))
    };
    let mut q = q
        .bind("key", KEY)
        .bind("referral", sealed("referral_source", 42)?)
        .bind("first", sealed("first_name", 6)?)
        .bind("last", sealed("last_name", 9)?)
        .bind("description", sealed("description", 240)?)
        .bind("pnr", sealed("personnummer", 12)?)
        .bind("phone", sealed("phone", 12)?)
        .bind("contact", sealed("referrer_contact", 48)?)
        .bind("group_name", sealed("name", 30)?)
        .bind("group_text", sealed("description", 130)?)
        .bind("snapshot", sealed("snapshot", 480)?)
        .bind("note", sealed("note", 70)?)
        .bind(
            "tag",
            hex::encode([0x5au8; crate::crypto::BLIND_INDEX_BYTES]),
        );
    let names = [
        "org",
        "other_org",
        "third_org",
        "fourth_org",
        "u3",
        "u4",
        "u5",
        "u6",
        "g1",
        "g2",
        "b1",
    ];
    for (n, name) in names.into_iter().enumerate() {
        q = q.bind(
            name,
            format!("{:032x}", (n as u128 + 1) << 96 | 0x0193_5e1c_7a40),
        );
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{as_user, setup};
    use domain::AppError;

    /// `INFO FOR TABLE t`.
    async fn info(db: &Db, t: &str) -> Json {
        db.q(format!("INFO FOR TABLE {t}"))
            .run()
            .await
            .unwrap()
            .value(0)
    }

    /// What the store holds of the decoys: each decoy table's field definitions and the
    /// decoy case's sealed referral source (sealed anew whenever the rows are written).
    async fn decoys(db: &Db) -> (Vec<Vec<String>>, Json) {
        let mut fields = Vec::new();
        for (t, _) in MIRRORED {
            let info = info(db, &table(t)).await;
            fields.push(definitions(&info).into_iter().map(str::to_string).collect());
        }
        let sealed = db
            .q("RETURN type::record('decoy_case', $key).referral_source")
            .bind("key", KEY)
            .run()
            .await
            .unwrap()
            .value(0);
        (fields, sealed)
    }

    #[tokio::test]
    async fn each_decoy_table_has_its_tables_fields_and_follows_a_change_of_them() {
        let state = setup().await;
        let db = state.db();
        let (fields, sealed) = decoys(db).await;
        for ((t, _), have) in MIRRORED.iter().zip(&fields) {
            let want = mirrored(t, &info(db, t).await);
            assert!(want.len() >= 3, "{t}: {want:?}");
            assert_eq!(&want, have, "{t}");
            assert!(have
                .iter()
                .all(|d| d.contains(&format!(" ON {} ", table(t)))));
        }
        assert!(sealed.is_string(), "{sealed}");
        // A start with nothing changed writes nothing.
        ensure(db).await.unwrap();
        assert_eq!(decoys(db).await, (fields.clone(), sealed.clone()));
        // A migration that adds a field to a mirrored table: the next start makes its decoy
        // again, with the field.
        db.q("DEFINE FIELD probe_note ON case TYPE option<string>")
            .run()
            .await
            .unwrap();
        ensure(db).await.unwrap();
        let (after, resealed) = decoys(db).await;
        assert!(after[0]
            .iter()
            .any(|d| d.starts_with("DEFINE FIELD probe_note ON decoy_case ")));
        assert_eq!(after[1..], fields[1..]);
        assert_ne!(resealed, sealed, "the rows were written again");
    }

    /// The decoy of `t` as an unknown id fetches it, converted to the record type its answer
    /// converts a real one to (a decoy that failed to convert would be answered sooner).
    async fn decoy_of<T: DeserializeOwned>(db: &Db, t: &str) -> T {
        let (real, row) = fetch_or_decoy(db, t, &crate::db::new_id())
            .await
            .unwrap_or_else(|e| panic!("{t}: {e}"))
            .unwrap_or_else(|| panic!("{t}: no decoy row"));
        assert!(!real, "{t}");
        row
    }

    /// The records answers fetch by an id from the outside (a referral, a group, a meeting, an
    /// item on its agenda, a handover, a group link): an existing one is fetched as
    /// itself with its key as its id, an unknown id or one that cannot be a key as `None` after
    /// the decoy was read in its place — a decoy of the record's type, which belongs to no unit
    /// of the store, so no one's check can pass on it.
    #[tokio::test]
    async fn an_unknown_id_of_a_record_answered_by_id_reads_its_decoy() {
        let state = setup().await;
        let db = state.db();
        for t in [
            "referral",
            "sspf_group",
            "council_meeting",
            "council_item",
            "handover",
            "group_link",
        ] {
            let ids = db
                .q(format!("SELECT VALUE record::id(id) FROM {t} LIMIT 1"))
                .run()
                .await
                .unwrap()
                .value(0);
            let id = ids[0].as_str().unwrap_or_else(|| panic!("no demo {t}"));
            let real: Option<Json> = fetch(db, t, id).await.unwrap();
            assert_eq!(real.map(|r| r["id"].clone()), Some(Json::from(id)), "{t}");
            for unknown in [crate::db::new_id(), "../x".into()] {
                let none: Option<Json> = fetch(db, t, &unknown).await.unwrap();
                assert_eq!(none, None, "{t}");
            }
        }
        let referral: crate::referral::ReferralRec = decoy_of(db, "referral").await;
        let group: crate::group::GroupRow = decoy_of(db, "sspf_group").await;
        let meeting: crate::council::MeetingRec = decoy_of(db, "council_meeting").await;
        let handover: crate::handover::HandoverRec = decoy_of(db, "handover").await;
        let item: crate::council::agenda::ItemRec = decoy_of(db, "council_item").await;
        let link: Json = decoy_of(db, "group_link").await;
        // What an unknown item or link is followed to: the decoy meeting and group.
        assert_eq!(
            fetch_or_decoy::<Json>(db, "council_meeting", &item.meeting)
                .await
                .unwrap()
                .map(|(real, _)| real),
            Some(false)
        );
        assert_eq!(link["group"], KEY);
        assert!(
            referral.description.len() > 200,
            "sealed like a description"
        );
        assert!(handover.snapshot.len() > 500, "sealed like a snapshot");
        let orgs = db
            .q("SELECT VALUE record::id(id) FROM org")
            .run()
            .await
            .unwrap()
            .value(0);
        let orgs: Vec<String> = serde_json::from_value(orgs).unwrap();
        assert!(orgs.len() > 3);
        let named = [
            &referral.receiving_org,
            &referral.org,
            &group.org,
            &meeting.org,
            &handover.from_org,
            &handover.to_org,
        ];
        for o in named.into_iter().chain(&meeting.members) {
            assert!(!orgs.contains(o), "{o} is a unit of the store");
        }
    }

    /// The decoy rows are read as real ones are: the gate's read of an id no case has returns
    /// the decoy case and facts (not nothing), and the search's read of a number no one has
    /// returns the decoy's case row; neither answer shows or logs anything of them.
    #[tokio::test]
    async fn unknown_ids_and_numbers_read_the_decoys_and_show_and_log_none_of_them() {
        let state = setup().await;
        let passus = as_user(&state, "passus").await;
        let read = state
            .db()
            .q(format!(
                "LET $id = $unknown; {}",
                crate::gate::case_and_facts_sql()
            ))
            .bind("unknown", crate::db::new_id())
            .bind("decoy", KEY)
            .bind("org", passus.org_id())
            .bind("user", passus.user_id())
            .bind("now", state.clock().now())
            .run()
            .await
            .unwrap()
            .value(1);
        assert_eq!(read[0], Json::Bool(false), "{read}");
        assert_eq!(read[1]["participant"], KEY, "{read}");
        assert_eq!(read[2]["team"].as_array().map(Vec::len), Some(3), "{read}");

        let last = || async {
            state
                .db()
                .q("SELECT participants, case_id, decision FROM audit ORDER BY seq DESC LIMIT 1")
                .run()
                .await
                .unwrap()
                .value(0)[0]
                .clone()
        };
        let unknown = crate::db::new_id();
        let r = crate::participants::view(&passus, &unknown).await;
        assert!(matches!(r, Err(AppError::NotFound)), "{r:?}");
        let e = last().await;
        assert_eq!(e["decision"], "deny");
        assert_eq!(e["case_id"], unknown.as_str());
        assert_eq!(e["participants"], serde_json::json!([]));

        let nobody = domain::person::fictional_personnummer(777);
        let found = crate::participants::search(&passus, nobody.as_str())
            .await
            .unwrap();
        assert!(found.is_empty());
        let e = last().await;
        assert_eq!(e["participants"], serde_json::json!([]), "{e}");
        let w = as_user(&state, "handlaggare").await;
        assert!(crate::participants::search(&w, nobody.as_str())
            .await
            .unwrap()
            .is_empty());
    }
}
