//! Earlier versions of a participant's details. An edit keeps what it replaced, as notes keep
//! their corrections: the earlier values of the fields it changed, sealed together with the
//! participant's key (AAD field `history.<version>`, the version the edit replaced), with when
//! and by whom. Shredding deletes that key, so the earlier versions become unreadable with
//! everything else; the register extract opens them like the current values.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value as Json};

use crate::access::Purpose;
use crate::audit::{self, Entry};
use crate::auth::Authed;
use crate::crypto::Dek;
use crate::gate::{who, CaseGate};
use crate::sealed_fields::PARTICIPANT_HISTORY;
use crate::vault;
use domain::{
    participant_field_label, AppError, Capability, Category, FieldChange, Gender,
    ParticipantVersion, Protection, Shown, PARTICIPANT_FIELDS,
};

/// The categories an earlier version can hold.
const CATEGORIES: [Category; 4] = [
    Category::Identity,
    Category::ContactInfo,
    Category::Location,
    Category::Notes,
];

/// The category of a sealed field of the participant.
pub(crate) fn field_category(field: &str) -> Category {
    match field {
        "first_name" | "last_name" | "personnummer" => Category::Identity,
        "phone" | "email" => Category::ContactInfo,
        "address" => Category::Location,
        _ => Category::Notes,
    }
}

/// The category a field of the participant belongs to; the clear fields too.
fn category(field: &str) -> Category {
    match field {
        "birth_year" | "gender" | "protection" => Category::Identity,
        "municipality" => Category::Location,
        other => field_category(other),
    }
}

/// The AAD field an earlier version is sealed under.
fn aad_field(version: i64) -> String {
    format!("{}.{version}", PARTICIPANT_HISTORY.0)
}

/// The stored row's values, sealed fields opened.
fn stored_values(
    dek: &Dek,
    pid: &str,
    row: &Map<String, Json>,
) -> Result<HashMap<&'static str, String>, AppError> {
    let mut out = HashMap::new();
    for (field, _) in PARTICIPANT_FIELDS {
        let value = match row.get(*field) {
            Some(Json::String(s)) if crate::sealed_fields::PARTICIPANT.contains(field) => {
                vault::open(dek, "participant", pid, field, s)?.expose()
            }
            Some(Json::String(s)) => s.clone(),
            Some(Json::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        out.insert(*field, value);
    }
    Ok(out)
}

/// What an edit of version `version` replaces: the earlier values of the fields it changes,
/// sealed; `None` when it changes nothing.
pub(crate) fn replaced(
    dek: &Dek,
    pid: &str,
    version: i64,
    row: &Map<String, Json>,
    after: &HashMap<&'static str, String>,
) -> Result<Option<String>, AppError> {
    let before = stored_values(dek, pid, row)?;
    let changed: Map<String, Json> = PARTICIPANT_FIELDS
        .iter()
        .filter(|(f, _)| before.get(f) != after.get(f))
        .map(|(f, _)| {
            (
                f.to_string(),
                Json::String(before.get(f).cloned().unwrap_or_default()),
            )
        })
        .collect();
    if changed.is_empty() {
        return Ok(None);
    }
    let plain = Json::Object(changed).to_string();
    Ok(Some(vault::seal(
        dek,
        "participant",
        pid,
        &aad_field(version),
        &plain,
    )?))
}

/// An earlier value as the reader sees it: codes in words, the personnummer with its dash.
fn display(field: &str, v: &str) -> Shown<String> {
    if v.is_empty() {
        return Shown::Empty;
    }
    let s = match field {
        "gender" => Gender::parse(v).map_or_else(|_| v.to_string(), |g| g.label().to_string()),
        "protection" => {
            Protection::parse(v).map_or_else(|_| v.to_string(), |p| p.label().to_string())
        }
        "personnummer" if v.len() == 12 && v.is_ascii() => format!("{}-{}", &v[..8], &v[8..]),
        _ => v.to_string(),
    };
    Shown::Value(s)
}

#[derive(Deserialize)]
struct Stored {
    version: i64,
    previous: String,
    replaced_at: DateTime<Utc>,
    by: String,
}

/// The earlier versions of the participant's details, newest first, for those who may read
/// the participant's identity; each earlier value shown only where the reader may read its
/// category. One audit entry, as for the case overview.
pub async fn history(a: &Authed, case_id: &str) -> Result<Vec<ParticipantVersion>, AppError> {
    const ACTION: &str = "participant.history";
    let g = CaseGate::open(a, case_id, ACTION, Purpose::CaseWork).await?;
    if !a.can(Capability::ListCases) || !g.may(Category::Identity) {
        return Err(g.deny(ACTION, &CATEGORIES).await);
    }
    let pid = g.case.participant.clone();
    #[derive(Deserialize)]
    struct P {
        history: Option<Vec<Stored>>,
        shredded: bool,
    }
    #[derive(Deserialize)]
    struct U {
        id: String,
        display_name: String,
    }
    let db = a.state().db();
    let p: Option<P> = db
        .q("SELECT history, shredded FROM ONLY type::record('participant', $p)")
        .bind("p", &pid)
        .run()
        .await?
        .first(0)?;
    let p = p.ok_or(AppError::NotFound)?;
    let history = p.history.unwrap_or_default();
    let by: Vec<&str> = history.iter().map(|h| h.by.as_str()).collect();
    let names: HashMap<String, String> = db
        .q("SELECT record::id(id) AS id, display_name FROM fn::records('user', $ids) WHERE id != NONE")
        .bind("ids", &by)
        .run()
        .await?
        .all::<U>(0)?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let dek = if p.shredded {
        None
    } else {
        vault::dek(a.state(), &pid).await?
    };
    let mut out = Vec::new();
    for h in history.into_iter().rev() {
        let opened = match &dek {
            Some(k) => {
                let plain =
                    vault::open(k, "participant", &pid, &aad_field(h.version), &h.previous)?
                        .expose();
                Some(
                    serde_json::from_str::<Map<String, Json>>(&plain)
                        .map_err(|_| AppError::Internal)?,
                )
            }
            None => None,
        };
        let changes = opened
            .as_ref()
            .map(|m| {
                PARTICIPANT_FIELDS
                    .iter()
                    .filter_map(|(f, _)| {
                        let v = m.get(*f)?.as_str().unwrap_or_default();
                        Some(FieldChange {
                            field: f.to_string(),
                            label: participant_field_label(f).to_string(),
                            before: if g.may(category(f)) {
                                display(f, v)
                            } else {
                                Shown::Masked
                            },
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(ParticipantVersion {
            version: h.version,
            replaced_at: h.replaced_at,
            by: names.get(&h.by).cloned().unwrap_or(h.by),
            readable: opened.is_some(),
            changes,
        });
    }
    let mut e = Entry::new(ACTION);
    e.participants = vec![pid];
    e.case_id = Some(g.case.id.clone());
    e.categories = CATEGORIES
        .iter()
        .filter(|c| g.may(**c))
        .map(|c| c.as_str().to_string())
        .collect();
    e.denied = CATEGORIES
        .iter()
        .filter(|c| !g.may(**c))
        .map(|c| c.as_str().to_string())
        .collect();
    e.decision = if e.denied.is_empty() {
        "allow"
    } else {
        "partial"
    }
    .into();
    e.basis = g.basis_summary();
    e.purpose = Some(Purpose::CaseWork.as_str().into());
    audit::append(a.state(), &who(a), e).await?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::fixtures::{audit_seqs, last_entry};
    use crate::participants::{update, view, ValidParticipant};
    use crate::testing::{as_user, setup, shared_case, worker_partner_police};
    use domain::ParticipantForm;

    /// The case's participant as the edit form would send it back, with `change` applied.
    async fn edited(
        w: &Authed,
        case: &str,
        change: impl Fn(&mut ParticipantForm),
    ) -> (i64, ValidParticipant) {
        let v = view(w, case).await.unwrap();
        let s = |x: &Shown<String>| x.value().cloned().unwrap_or_default();
        let mut f = ParticipantForm {
            first_name: s(&v.first_name),
            last_name: s(&v.last_name),
            personnummer: s(&v.personnummer),
            phone: s(&v.phone),
            email: s(&v.email),
            address: s(&v.address),
            background: s(&v.background),
            birth_year: v.birth_year.to_string(),
            gender: v.gender.as_str().into(),
            municipality: v.municipality.clone(),
            protection: v.protection.as_str().into(),
        };
        change(&mut f);
        let today = w.state().clock().today();
        (
            v.participant_version,
            ValidParticipant::parse(&f, today).unwrap(),
        )
    }

    async fn raw_history(state: &crate::AppState, case: &str) -> String {
        state
            .db()
            .q("SELECT VALUE history FROM ONLY type::record('participant', (SELECT VALUE participant FROM ONLY type::record('case', $c)))")
            .bind("c", case)
            .run()
            .await
            .unwrap()
            .value(0)
            .to_string()
    }

    #[tokio::test]
    async fn a_participant_update_keeps_the_earlier_version_sealed_and_readable_by_the_team() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        let before = view(&w, &case).await.unwrap();
        let old_phone = before.phone.value().cloned().unwrap_or_default();
        let old_address = before.address.value().cloned().unwrap_or_default();
        assert!(!old_address.is_empty(), "the demo person has an address");
        let (version, v) = edited(&w, &case, |f| {
            f.phone = "0701112233".into();
            f.address = "Nygatan 5, Mölndal".into();
        })
        .await;
        update(&w, &case, version, v).await.unwrap();
        // Stored sealed: the raw row holds neither the old nor the new values in clear.
        let raw = raw_history(&state, &case).await;
        assert!(raw.contains("previous"), "{raw}");
        for plain in [old_address.as_str(), "Nygatan"] {
            assert!(!raw.contains(plain), "{plain} in clear: {raw}");
        }
        let seqs = audit_seqs(&state).await;
        let h = history(&w, &case).await.unwrap();
        assert_eq!(audit_seqs(&state).await, seqs + 1, "the read is one entry");
        let (action, decision, _) = last_entry(&state).await;
        assert_eq!(
            (action.as_str(), decision.as_str()),
            ("participant.history", "allow")
        );
        assert_eq!(h.len(), 1);
        let e = &h[0];
        assert!(e.readable);
        assert_eq!(e.version, version);
        assert_eq!(e.by, w.me().display_name);
        let changed: Vec<(&str, &Shown<String>)> = e
            .changes
            .iter()
            .map(|c| (c.field.as_str(), &c.before))
            .collect();
        let old = |s: &str| {
            if s.is_empty() {
                Shown::Empty
            } else {
                Shown::Value(s.to_string())
            }
        };
        assert_eq!(
            changed,
            vec![("phone", &old(&old_phone)), ("address", &old(&old_address))],
            "only the changed fields, with the values they had"
        );
        assert_eq!(e.changes[1].label, "Adress");
        // A save that changes nothing keeps no version; the next change keeps its own.
        let (version, v) = edited(&w, &case, |_| {}).await;
        update(&w, &case, version, v).await.unwrap();
        let (version, v) = edited(&w, &case, |f| f.address = "Storgatan 1".into()).await;
        update(&w, &case, version, v).await.unwrap();
        let h = history(&w, &case).await.unwrap();
        assert_eq!(h.len(), 2, "newest first");
        assert_eq!(
            h[0].changes[0].before,
            Shown::Value("Nygatan 5, Mölndal".into())
        );
        // The register extract gives the earlier versions, opened.
        let x = crate::extract::extract(&w, &case).await.unwrap();
        let p = x
            .sections
            .iter()
            .find(|s| s.table == "participant")
            .unwrap();
        let field = p.records[0]
            .fields
            .iter()
            .find(|f| f.name == "history")
            .unwrap();
        assert_eq!(field.label, "Tidigare uppgifter");
        assert!(field.text.contains("Nygatan 5, Mölndal"), "{}", field.text);
        assert!(field.text.contains(&old_address), "{}", field.text);
    }

    #[tokio::test]
    async fn earlier_versions_are_refused_to_a_partner_without_identity_consent() {
        let state = setup().await;
        let (w, partner, police) = worker_partner_police(&state).await;
        let malmo = as_user(&state, "handlaggare.malmo").await;
        let case = shared_case(&w).await;
        let (version, v) = edited(&w, &case, |f| {
            f.first_name = "Nyförnamn".into();
            f.email = "ny.adress@example.se".into();
        })
        .await;
        update(&w, &case, version, v).await.unwrap();
        // Passus has consent for contacts, plan, housing and occupation, not identity.
        let seqs = audit_seqs(&state).await;
        assert_eq!(
            history(&partner, &case).await.unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(audit_seqs(&state).await, seqs + 1, "one deny entry");
        let (action, decision, denied) = last_entry(&state).await;
        assert_eq!(
            (action.as_str(), decision.as_str()),
            ("participant.history", "deny")
        );
        assert!(denied.contains(&"identity".to_string()));
        // The police have a legal basis for identity (and safety), not for contact details: the
        // earlier name is theirs to see, the earlier e-mail address is masked.
        let h = history(&police, &case).await.unwrap();
        let before = |f: &str| {
            h[0].changes
                .iter()
                .find(|c| c.field == f)
                .map(|c| c.before.clone())
        };
        assert!(matches!(before("first_name"), Some(Shown::Value(_))));
        assert_eq!(before("email"), Some(Shown::Masked));
        // Without a relation the case is as unknown as one that does not exist.
        assert_eq!(
            history(&malmo, &case).await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            history(&malmo, "finnsinte").await.unwrap_err(),
            AppError::NotFound
        );
    }

    #[tokio::test]
    async fn shredding_makes_the_earlier_versions_unreadable() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        let (version, v) = edited(&w, &case, |f| f.address = "Hemliga vägen 3".into()).await;
        update(&w, &case, version, v).await.unwrap();
        let pid = view(&w, &case).await.unwrap().participant_id;
        let stored: Vec<Stored> = serde_json::from_value(
            state
                .db()
                .q("SELECT VALUE history FROM ONLY type::record('participant', $p)")
                .bind("p", &pid)
                .run()
                .await
                .unwrap()
                .value(0),
        )
        .unwrap();
        let dek = vault::dek(&state, &pid).await.unwrap().unwrap();
        assert!(vault::open(
            &dek,
            "participant",
            &pid,
            &aad_field(stored[0].version),
            &stored[0].previous
        )
        .is_ok());
        // Under another version's AAD the same ciphertext does not open: each version is bound.
        assert!(vault::open(
            &dek,
            "participant",
            &pid,
            &aad_field(stored[0].version + 1),
            &stored[0].previous
        )
        .is_err());
        crate::shred::shred(
            &state,
            &crate::audit::Who::system(),
            &pid,
            None,
            "Gallring efter beslut",
        )
        .await
        .unwrap();
        assert!(
            vault::dek(&state, &pid).await.unwrap().is_none(),
            "the key is gone"
        );
        // Nobody reads a shredded person's details, the team included; the earlier versions
        // stay stored only as ciphertext without a key.
        let w = as_user(&state, "handlaggare").await;
        assert_eq!(history(&w, &case).await.unwrap_err(), AppError::Forbidden);
        let raw = raw_history(&state, &case).await;
        assert!(
            raw.contains("previous") && !raw.contains("Hemliga"),
            "{raw}"
        );
    }
}
