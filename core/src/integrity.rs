//! `utvag integrity check`: opens every sealed value in the store with its key and names the ones
//! that fail — by table, record and field, never by value.
//!
//! A value fails to open when someone edited the store by hand (an altered byte, a value moved to
//! another field, record or participant: the AAD binds each value to its place) or when a wrapped
//! data key is damaged, which makes all of that participant's values unreadable. Reads show such
//! a value as damaged in its own place (`vault::show`); this check finds them all at once, before
//! anyone opens the case, so that they can be restored from a backup.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value as Json;

use crate::audit::{self, Entry, Who};
use crate::crypto::Dek;
use crate::extract::TABLES;
use crate::state::AppState;
use crate::{sealed_fields, vault};
use domain::AppError;

/// Rows read per query.
const PAGE: usize = 500;

/// One value that fails to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    pub table: String,
    pub record: String,
    /// The field, `<array>.<version>` for an earlier version; `wrapped` for a data key.
    pub field: String,
}

/// What the check found.
#[derive(Debug, Default)]
pub struct Report {
    /// Sealed values opened.
    pub checked: u64,
    /// Sealed values of shredded participants, which no longer have a key (not damage).
    pub shredded: u64,
    pub damaged: Vec<Damage>,
}

/// Where a table's rows find their key.
enum KeyOf {
    /// The row's own id is the participant's.
    OwnId,
    /// The row's `participant` field.
    Participant,
    /// The SSPF group's own key, `participant_key:group_<id>`.
    Group,
}

struct Sealed {
    table: &'static str,
    fields: &'static [&'static str],
    versions: Option<(&'static str, &'static str)>,
    key: KeyOf,
}

fn tables() -> Vec<Sealed> {
    let mut out: Vec<Sealed> = TABLES
        .iter()
        .filter(|t| !t.sealed.is_empty() || t.sealed_versions.is_some())
        .map(|t| Sealed {
            table: t.name,
            fields: t.sealed,
            versions: t.sealed_versions,
            key: if t.by_id {
                KeyOf::OwnId
            } else {
                KeyOf::Participant
            },
        })
        .collect();
    out.push(Sealed {
        table: "sspf_group",
        fields: sealed_fields::SSPF_GROUP,
        versions: None,
        key: KeyOf::Group,
    });
    out
}

/// Each participant's (or group's) key, fetched once; `Err(())` when the wrapped key itself
/// fails to open.
struct Keys<'a> {
    state: &'a AppState,
    known: HashMap<String, Result<Option<Arc<Dek>>, ()>>,
}

impl Keys<'_> {
    async fn get(&mut self, owner: &str, report: &mut Report) -> Result<Option<Arc<Dek>>, ()> {
        if let Some(k) = self.known.get(owner) {
            return k.clone();
        }
        let k = vault::dek(self.state, owner).await.map_err(|_| {
            report.damaged.push(Damage {
                table: "participant_key".into(),
                record: owner.into(),
                field: "wrapped".into(),
            });
        });
        self.known.insert(owner.to_string(), k.clone());
        k
    }
}

/// Opens every sealed value and reports those that fail. Leaves one audit entry (as the system),
/// naming how many values were checked and how many failed.
pub async fn check(state: &AppState) -> Result<Report, AppError> {
    let mut report = Report::default();
    let mut keys = Keys {
        state,
        known: HashMap::new(),
    };
    for t in tables() {
        let mut start = 0usize;
        loop {
            let rows: Vec<Json> = state
                .db()
                .q("SELECT *, record::id(id) AS id FROM type::table($t) ORDER BY id LIMIT $n START $s")
                .bind("t", t.table)
                .bind("n", PAGE)
                .bind("s", start)
                .run()
                .await?
                .all(0)?;
            start += rows.len();
            for row in &rows {
                check_row(&t, row, &mut keys, &mut report).await;
            }
            if rows.len() < PAGE {
                break;
            }
        }
    }
    let mut e = Entry::new("integrity.check");
    e.reason = Some(format!(
        "{} sealed values opened, {} damaged",
        report.checked,
        report.damaged.len()
    ));
    audit::append(state, &Who::system(), e).await?;
    Ok(report)
}

async fn check_row(t: &Sealed, row: &Json, keys: &mut Keys<'_>, report: &mut Report) {
    let text = |f: &str| row.get(f).and_then(Json::as_str).map(str::to_string);
    let Some(id) = text("id") else {
        return;
    };
    let owner = match t.key {
        KeyOf::OwnId => Some(id.clone()),
        KeyOf::Participant => text("participant"),
        KeyOf::Group => Some(crate::group::key_id(&id)),
    };
    // The values to open: (AAD field, stored text).
    let mut values: Vec<(String, &str)> = t
        .fields
        .iter()
        .filter_map(|f| Some((f.to_string(), row.get(*f)?.as_str()?)))
        .filter(|(_, s)| !s.is_empty())
        .collect();
    if let Some((arr, inner)) = t.versions {
        for item in row.get(arr).and_then(Json::as_array).into_iter().flatten() {
            let version = item.get("version").map(Json::to_string).unwrap_or_default();
            if let Some(s) = item.get(inner).and_then(Json::as_str) {
                values.push((format!("{arr}.{version}"), s));
            }
        }
    }
    if values.is_empty() {
        return;
    }
    let dek = match owner {
        Some(o) => keys.get(&o, report).await,
        None => Ok(None),
    };
    let dek = match dek {
        Ok(Some(k)) => k,
        // Shredded: nothing can be opened, by design.
        Ok(None) => {
            report.shredded += values.len() as u64;
            return;
        }
        // The key itself is damaged; reported once, with the key.
        Err(()) => return,
    };
    for (field, stored) in values {
        report.checked += 1;
        if vault::open(&dek, t.table, &id, &field, stored).is_err() {
            report.damaged.push(Damage {
                table: t.table.into(),
                record: id.clone(),
                field,
            });
        }
    }
}

/// Hand edits of the raw store, as someone with database access might make them, for the tests of
/// what the check and the pages do with the result. No command or page reaches these.
#[cfg(any(test, feature = "fixtures"))]
pub mod tamper {
    use crate::state::AppState;

    async fn stored(state: &AppState, table: &str, record: &str, field: &str) -> String {
        let row: Option<serde_json::Value> = state
            .db()
            .q("SELECT * OMIT id FROM ONLY type::record($t, $r)")
            .bind("t", table)
            .bind("r", record)
            .run()
            .await
            .expect("reads the record")
            .first(0)
            .expect("a record");
        row.and_then(|r| r.get(field)?.as_str().map(str::to_string))
            .expect("the record has the field as text")
    }

    async fn put(state: &AppState, table: &str, record: &str, field: &str, value: &str) {
        state
            .db()
            .q("UPDATE type::record($t, $r) MERGE $o")
            .bind("t", table)
            .bind("r", record)
            .bind("o", serde_json::json!({ field: value }))
            .run()
            .await
            .expect("writes the stored value");
    }

    /// The ids of up to `n` participants who have `field` stored, in id order.
    pub async fn people_with(state: &AppState, field: &str, n: usize) -> Vec<String> {
        let rows: Vec<serde_json::Value> = state
            .db()
            .q("SELECT * FROM participant ORDER BY id")
            .run()
            .await
            .expect("reads participants")
            .all(0)
            .expect("rows");
        rows.iter()
            .filter(|r| r.get(field).is_some_and(serde_json::Value::is_string))
            .filter_map(|r| {
                let id = r.get("id")?.as_str()?;
                Some(id.strip_prefix("participant:").unwrap_or(id).to_string())
            })
            .take(n)
            .collect()
    }

    /// The id of the newest timeline event of `case` that has `field` stored.
    pub async fn event_with(state: &AppState, case: &str, field: &str) -> String {
        let ids: Vec<String> = state
            .db()
            .q(format!(
                "SELECT VALUE record::id(id) FROM event WHERE case = $c AND {field} != NONE ORDER BY at DESC"
            ))
            .bind("c", case)
            .run()
            .await
            .expect("reads the timeline")
            .all(0)
            .expect("ids");
        ids.into_iter().next().expect("an event with the field")
    }

    /// Swaps a sealed field's stored text between two records of a table.
    pub async fn swap(state: &AppState, table: &str, field: &str, a: &str, b: &str) {
        let (va, vb) = (
            stored(state, table, a, field).await,
            stored(state, table, b, field).await,
        );
        put(state, table, a, field, &vb).await;
        put(state, table, b, field, &va).await;
    }

    /// Changes one character in the middle of a sealed field's stored text (inside the
    /// ciphertext), keeping it valid base64url.
    pub async fn alter(state: &AppState, table: &str, record: &str, field: &str) {
        let mut v = stored(state, table, record, field).await.into_bytes();
        let i = v.len() / 2;
        v[i] = if v[i] == b'A' { b'B' } else { b'A' };
        let v = String::from_utf8(v).expect("base64url stays text");
        put(state, table, record, field, &v).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::participants::{self, ListFilter};
    use crate::testing::{as_user, setup};
    use domain::Shown;

    /// Two participants of the demo store with a personnummer, whose cases the Göteborg case
    /// worker opens: (the first one's case, the first, the second).
    async fn two_people(state: &AppState) -> (String, String, String) {
        let w = as_user(state, "handlaggare").await;
        let with_pnr: Vec<String> = state
            .db()
            .q("SELECT VALUE record::id(id) FROM participant WHERE personnummer != NONE")
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap();
        let mut found = Vec::new();
        for r in participants::list(&w, ListFilter::default()).await.unwrap() {
            if with_pnr.contains(&r.participant_id)
                && participants::view(&w, &r.case_id).await.is_ok()
            {
                found.push((r.case_id, r.participant_id));
            }
            if found.len() == 2 {
                break;
            }
        }
        let (second, first) = (found.pop().unwrap(), found.pop().unwrap());
        (first.0, first.1, second.1)
    }

    #[tokio::test]
    async fn a_clean_store_opens_every_value_and_the_check_is_in_the_log() {
        let state = setup().await;
        let r = check(&state).await.unwrap();
        assert!(r.damaged.is_empty(), "{:?}", r.damaged);
        assert!(r.checked > 1_000, "{}", r.checked);
        let last: crate::audit::Row = state
            .db()
            .q("SELECT * OMIT id FROM audit ORDER BY seq DESC LIMIT 1")
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap()
            .unwrap();
        assert_eq!(
            (last.action.as_str(), last.actor.as_str()),
            ("integrity.check", "system")
        );
    }

    #[tokio::test]
    async fn swapped_and_altered_values_are_named_by_place_and_the_case_stays_readable() {
        let state = setup().await;
        let (case, a, b) = two_people(&state).await;
        tamper::swap(&state, "participant", "personnummer", &a, &b).await;
        tamper::alter(&state, "participant", &a, "last_name").await;

        let r = check(&state).await.unwrap();
        let mut found: Vec<(String, String)> = r
            .damaged
            .iter()
            .inspect(|d| assert_eq!(d.table, "participant"))
            .map(|d| (d.record.clone(), d.field.clone()))
            .collect();
        found.sort();
        let mut want = vec![
            (a.clone(), "last_name".to_string()),
            (a.clone(), "personnummer".to_string()),
            (b.clone(), "personnummer".to_string()),
        ];
        want.sort();
        assert_eq!(found, want);

        // The case overview answers, with each damaged value in its place and the rest opened.
        let w = as_user(&state, "handlaggare").await;
        let v = participants::view(&w, &case).await.unwrap();
        assert_eq!(v.personnummer, Shown::Damaged);
        assert_eq!(v.last_name, Shown::Damaged);
        assert!(
            matches!(v.first_name, Shown::Value(_)),
            "{:?}",
            v.first_name
        );
        // The case list shows the name as damaged rather than failing.
        let rows = participants::list(&w, ListFilter::default()).await.unwrap();
        let row = rows.iter().find(|r| r.case_id == case).unwrap();
        assert_eq!(row.name, Shown::Damaged);

        // Each damaged value is entered in the log once, by place, and flagged for review,
        // however often it is read.
        participants::view(&w, &case).await.unwrap();
        let mut entries = Vec::new();
        for _ in 0..100 {
            entries = state
                .db()
                .q("SELECT VALUE reason FROM audit WHERE action = 'integrity.damaged'")
                .run()
                .await
                .unwrap()
                .all::<String>(0)
                .unwrap();
            if entries.len() >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        entries.sort();
        assert_eq!(
            entries,
            vec![
                format!("participant:{a}.last_name"),
                format!("participant:{a}.personnummer")
            ]
        );
        let auditor = as_user(&state, "granskare").await;
        let flagged = crate::audit::review::flagged_reads(&auditor, 30)
            .await
            .unwrap();
        assert_eq!(
            flagged
                .iter()
                .filter(|f| f.flags.contains(&crate::audit::review::Flag::Damaged))
                .count(),
            2
        );
    }
}
