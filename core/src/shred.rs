//! Crypto-shredding (gallring of sealed data): deleting a participant's DEK makes every copy of
//! their sealed fields unreadable — live store, backups, exports — and their blind-index rows
//! are deleted. An explicit shred needs two administrators: one asks, another confirms.

use chrono::{DateTime, Utc};
use domain::Problem;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::audit::{self, Entry, Who};
use super::auth::Authed;
use super::db::new_id;
use super::gate::{check_id, who};
use super::state::AppState;
use super::vault;
use domain::AppError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShredRequest {
    pub id: String,
    pub participant: String,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub confirmed_by: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
}

/// First administrator: asks for a participant to be shredded.
pub async fn request(a: &Authed, participant: &str, reason: &str) -> Result<String, AppError> {
    super::identity::require_admin(a, "shred.request").await?;
    check_id(participant)?;
    let reason = reason.trim();
    if reason.chars().count() < 10 || reason.chars().count() > 1000 {
        return Err(AppError::problem(
            "reason",
            domain::error::Problem::Length { min: 10, max: 1000 },
            "Ange skälet till gallringen (10–1000 tecken), t.ex. beslut och diarienummer.",
        ));
    }
    // The reason (a decision, often naming the person's circumstances) is sealed with the
    // participant's key, so it goes with everything else when the key is deleted.
    let Some(dek) = vault::dek(a.state(), participant).await? else {
        return Err(AppError::problem(
            "participant",
            Problem::Unknown,
            "Det finns ingen deltagare med det id:t, eller så är uppgifterna redan gallrade.",
        ));
    };
    let id = new_id();
    let sealed = vault::seal(&dek, "shred_request", &id, "reason", reason)?;
    let mut vars = serde_json::Map::new();
    for (k, v) in [
        ("id", json!(id)),
        ("pid", json!(participant)),
        ("reason", json!(sealed)),
        ("by", json!(a.user_id())),
        ("now", json!(a.state().clock().now())),
    ] {
        vars.insert(k.into(), v);
    }
    let body = "
        IF !record::exists(type::record('participant', $pid)) { THROW 'invalid:participant:unknown:Det finns ingen deltagare med det id:t.' };
        IF (SELECT VALUE shredded FROM ONLY type::record('participant', $pid)) { THROW 'invalid:participant:shredded:Deltagarens uppgifter är redan gallrade.' };
        CREATE type::record('shred_request', $id) CONTENT { participant: $pid, reason: $reason, requested_by: $by,
            requested_at: <datetime>$now, confirmed_by: NONE, done_at: NONE } RETURN NONE;
    ";
    let mut e = Entry::new("shred.request");
    e.participants = vec![participant.to_string()];
    e.reason = Some(format!("shred_request:{id}"));
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    Ok(id)
}

/// The requests, newest first, with their reasons opened (a done request's reason went with the
/// participant's key and reads "(gallrad)").
pub async fn pending(a: &Authed) -> Result<Vec<ShredRequest>, AppError> {
    super::identity::require_admin(a, "shred.list").await?;
    let mut rows: Vec<ShredRequest> = a
        .state()
        .db()
        .q("SELECT *, record::id(id) AS id FROM shred_request ORDER BY requested_at DESC LIMIT 200")
        .run()
        .await?
        .all(0)?;
    for r in &mut rows {
        r.reason = match vault::dek(a.state(), &r.participant).await? {
            Some(dek) => vault::open(&dek, "shred_request", &r.id, "reason", &r.reason)?.expose(),
            None => "(gallrad)".into(),
        };
    }
    Ok(rows)
}

/// Second administrator: confirms, and the participant is shredded.
pub async fn confirm(a: &Authed, request_id: &str) -> Result<(), AppError> {
    super::identity::require_admin(a, "shred.confirm").await?;
    check_id(request_id)?;
    let r: Option<ShredRequest> = a
        .state()
        .db()
        .q("SELECT *, record::id(id) AS id FROM ONLY type::record('shred_request', $id)")
        .bind("id", request_id)
        .run()
        .await?
        .first(0)?;
    let r = r.ok_or(AppError::NotFound)?;
    if r.requested_by == a.user_id() {
        return Err(AppError::problem(
            "",
            Problem::FourEyes,
            "En annan administratör måste bekräfta gallringen.",
        ));
    }
    if r.done_at.is_some() {
        return Err(AppError::problem(
            "",
            domain::error::Problem::AlreadyDone,
            "Gallringen är redan genomförd.",
        ));
    }
    shred(
        a.state(),
        &who(a),
        &r.participant,
        Some(request_id),
        &format!("shred_request:{request_id}"),
    )
    .await
}

/// Deletes the DEK and blind-index rows and marks the participant shredded, in one audited
/// transaction. Used by the confirmed admin action and by the retention job.
pub(crate) async fn shred(
    state: &AppState,
    actor: &Who,
    participant: &str,
    request_id: Option<&str>,
    reason: &str,
) -> Result<(), AppError> {
    let mut vars = serde_json::Map::new();
    for (k, v) in [
        ("pid", json!(participant)),
        ("rid", json!(request_id)),
        ("by", json!(actor.user)),
        ("now", json!(state.clock().now())),
    ] {
        vars.insert(k.into(), v);
    }
    let body = "
        DELETE type::record('participant_key', $pid);
        DELETE blind_index WHERE participant = $pid;
        UPDATE type::record('participant', $pid) SET shredded = true, version += 1 RETURN NONE;
        IF $rid != NONE { UPDATE type::record('shred_request', $rid) SET confirmed_by = $by, done_at = <datetime>$now RETURN NONE };
    ";
    let mut e = Entry::new("participant.shred");
    e.participants = vec![participant.to_string()];
    e.reason = Some(reason.to_string());
    audit::commit(state, actor, e, body, vars).await?;
    state.deks().remove(participant);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{CoreSettings, KeySource};
    use crate::demo::{self, DemoPerson};
    use crate::vault;
    use base64::Engine;
    use ring::rand::SecureRandom;
    use serde_json::Value as Json;

    /// The sealed participant fields whose clear value a demo person carries (the demo loader
    /// writes the background; the person does not keep it).
    fn fields() -> impl Iterator<Item = &'static str> {
        crate::sealed_fields::PARTICIPANT
            .iter()
            .copied()
            .filter(|f| *f != "background")
    }

    /// Settings for a store of its own under the same master key.
    fn settings(kek: &str, database: &str) -> CoreSettings {
        let mut s = CoreSettings::for_tests();
        s.keys = KeySource::Env(kek.to_string());
        s.db.database = database.to_string();
        s
    }

    async fn rows(state: &AppState, table: &str) -> Vec<Json> {
        let v = state
            .db()
            .q("SELECT *, record::id(id) AS id FROM type::table($t)")
            .bind("t", table)
            .run()
            .await
            .unwrap()
            .value(0);
        v.as_array().cloned().unwrap_or_default()
    }

    /// Writes copied participant rows and wrapped DEKs into an empty store.
    async fn restore(to: &AppState, participants: &[Json], keys: &[Json]) {
        for r in participants {
            to.db()
                .q("CREATE type::record('participant', $r.id) CONTENT {
                    first_name: $r.first_name, last_name: $r.last_name, personnummer: $r.personnummer ?? NONE,
                    phone: $r.phone ?? NONE, email: $r.email ?? NONE, address: $r.address ?? NONE,
                    background: $r.background ?? NONE, birth_year: $r.birth_year, gender: $r.gender,
                    municipality: $r.municipality, protection: $r.protection, owner_org: $r.owner_org,
                    shredded: $r.shredded, version: $r.version, created_at: <datetime>$r.created_at,
                    created_by: $r.created_by }")
                .bind("r", r)
                .run()
                .await
                .unwrap();
        }
        for k in keys {
            to.db()
                .q("CREATE type::record('participant_key', $k.id) CONTENT { generation: $k.generation, wrapped: $k.wrapped, kek_version: $k.kek_version }")
                .bind("k", k)
                .run()
                .await
                .unwrap();
        }
    }

    fn row<'a>(rows: &'a [Json], pid: &str) -> &'a Json {
        rows.iter().find(|r| r["id"] == pid).unwrap()
    }

    fn expected(p: &DemoPerson, field: &str) -> String {
        let digits: String = p.phone.chars().filter(char::is_ascii_digit).collect();
        match field {
            "first_name" => p.first_name.clone(),
            "last_name" => p.last_name.clone(),
            "personnummer" => p.personnummer.clone(),
            "phone" => format!("+46{}", &digits[1..]),
            "email" => p.email.clone(),
            _ => p.address.clone(),
        }
    }

    /// Opens every field of `pid` in `store` from the copied rows, or `None` without a DEK there.
    async fn open_all(store: &AppState, copied: &[Json], pid: &str) -> Option<Vec<String>> {
        let dek = vault::dek(store, pid).await.unwrap()?;
        let r = row(copied, pid);
        Some(
            fields()
                .map(|f| {
                    vault::open(&dek, "participant", pid, f, r[f].as_str().unwrap())
                        .unwrap()
                        .expose()
                })
                .collect(),
        )
    }

    #[tokio::test]
    async fn shredding_leaves_a_copy_of_sealed_fields_unreadable_for_that_participant_only() {
        let mut key = [0u8; 32];
        ring::rand::SystemRandom::new().fill(&mut key).unwrap();
        let kek = base64::engine::general_purpose::STANDARD.encode(key);
        let run = crate::db::new_id();
        let live = AppState::init(settings(&kek, &format!("live{run}")))
            .await
            .unwrap();
        demo::load(&live).await.unwrap();
        let (a, b) = (&demo::demo_people()[0], &demo::demo_people()[1]);
        let pid_of = |p: &DemoPerson| {
            let tag = live.with_keys(|k| k.blind_index("personnummer", &p.personnummer));
            let live = live.clone();
            async move {
                let pid: Option<String> = live
                    .db()
                    .q("SELECT VALUE participant FROM blind_index WHERE kind = 'personnummer' AND tag = $t")
                    .bind("t", tag)
                    .run()
                    .await
                    .unwrap()
                    .first(0)
                    .unwrap();
                pid.unwrap()
            }
        };
        let (pid_a, pid_b) = (pid_of(a).await, pid_of(b).await);

        // The backup: every sealed participant row, and the key table, as they are before the shred.
        let backup = rows(&live, "participant").await;
        let keys_before = rows(&live, "participant_key").await;
        // The demo people with cases, and those known only from a referral.
        assert!(backup.len() >= demo::DEMO_PARTICIPANTS);
        // One key per participant, besides the SSPF groups' own keys (`group_<id>`).
        let people_keys = keys_before
            .iter()
            .filter(|k| !k["id"].as_str().unwrap_or("").starts_with("group_"))
            .count();
        assert_eq!(people_keys, backup.len());

        shred(&live, &Who::system(), &pid_a, None, "Gallring efter beslut")
            .await
            .unwrap();
        assert!(
            vault::dek(&live, &pid_a).await.unwrap().is_none(),
            "the live store still opens A"
        );
        let keys_now = rows(&live, "participant_key").await;
        assert_eq!(keys_now.len(), keys_before.len() - 1);

        // The copy restored next to the key table as it is now, in a fresh store with the same KEK.
        let restored = AppState::init(settings(&kek, &format!("restored{run}")))
            .await
            .unwrap();
        restore(&restored, &backup, &keys_now).await;
        assert!(
            open_all(&restored, &backup, &pid_a).await.is_none(),
            "A's copy still opens"
        );
        let b_fields = open_all(&restored, &backup, &pid_b)
            .await
            .expect("B's copy opens");
        assert_eq!(
            b_fields,
            fields().map(|f| expected(b, f)).collect::<Vec<_>>()
        );
        // No other participant's key opens A's fields either.
        let b_dek = vault::dek(&restored, &pid_b).await.unwrap().unwrap();
        for f in fields() {
            let sealed = row(&backup, &pid_a)[f].as_str().unwrap();
            assert!(
                vault::open(&b_dek, "participant", &pid_a, f, sealed).is_err(),
                "{f} opened with B's key"
            );
            assert!(
                vault::open(&b_dek, "participant", &pid_b, f, sealed).is_err(),
                "{f} moved to B opened"
            );
        }

        // The same copy with the key table from before the shred still opens A: what makes the
        // difference is the deleted wrapped DEK, not damage to the copy.
        let control = AppState::init(settings(&kek, &format!("control{run}")))
            .await
            .unwrap();
        restore(&control, &backup, &keys_before).await;
        let a_fields = open_all(&control, &backup, &pid_a)
            .await
            .expect("A opens with the old key table");
        assert_eq!(
            a_fields,
            fields().map(|f| expected(a, f)).collect::<Vec<_>>()
        );
    }
}
