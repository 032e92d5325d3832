//! The person a referral is about, within the unit that receives it: found by blind index of
//! the personnummer among that unit's participants, or registered anew without a case.
//!
//! A person is linked only to a participant of the receiving unit. A personnummer another
//! organisation holds is registered anew for this unit, the way `participants::register` does
//! for a case, so that no unit learns from a referral whom another unit knows.

use std::sync::Arc;

use serde_json::{json, Value as Json};

use super::super::auth::Authed;
use super::super::crypto::Dek;
use super::super::db::new_id;
use super::super::vault;
use super::key_of;
use domain::person::{Personnummer, Phone};
use domain::AppError;

/// The message of a lookup that changed before the write committed (retried by the caller).
pub(crate) const STALE: &str = "Personuppgifterna ändrades under tiden. Försök igen.";

/// The participant a referral is sealed with.
pub(crate) struct Linked {
    pub pid: String,
    pub dek: Arc<Dek>,
    /// The participant was already registered with the receiving unit.
    pub existing: bool,
    /// Variables for [`BODY`]: `seen`, `pid`, `np`, `pkey`, `ptags`, `ptag`.
    pub vars: Vec<(&'static str, Json)>,
}

/// Statements that re-check the lookup inside the write's transaction and create the
/// participant (with its key and blind-index rows) when it is new. Needs `$recv`, `$user` and
/// `$now` besides [`Linked::vars`].
pub(crate) const BODY: &str = "
    LET $found = (SELECT VALUE record::id(id) FROM fn::records('participant', (SELECT VALUE participant FROM blind_index WHERE kind = 'personnummer' AND tag = $ptag)) WHERE owner_org = $recv AND shredded = false
        AND id != NONE);
    LET $stale = IF $seen = NONE { $found != [] } ELSE { $found CONTAINSNOT $seen };
    IF $stale { THROW 'conflict:stale:Personuppgifterna ändrades under tiden. Försök igen.' };
    IF $seen = NONE {
        CREATE type::record('participant', $pid) CONTENT {
            first_name: $np.first_name, last_name: $np.last_name, personnummer: $np.personnummer,
            phone: $np.phone, email: NONE, address: NONE, background: NONE,
            birth_year: $np.birth_year, gender: 'unknown', municipality: $np.municipality,
            protection: 'none', owner_org: $recv, shredded: false, version: 1,
            created_at: <datetime>$now, created_by: $user } RETURN NONE;
        CREATE type::record('participant_key', $pid) CONTENT { generation: $pkey.gen, wrapped: $pkey.wrapped, kek_version: $pkey.kekv } RETURN NONE;
        FOR $t IN $ptags { CREATE blind_index CONTENT { kind: $t.kind, tag: $t.tag, participant: $pid } RETURN NONE; };
    };
";

/// Finds or prepares the participant for a referral to unit `recv` (whose home municipality
/// for a new participant is `municipality`).
///
/// Both paths do the same work where they can: a fresh key is made, wrapped and the new
/// participant's fields sealed whether or not they are needed, so that the time of the answer
/// says little about whether the person was known; only the known path also fetches a key.
pub(crate) async fn link(
    a: &Authed,
    recv: &str,
    municipality: &str,
    pnr: &Personnummer,
    first_name: &str,
    last_name: &str,
    phone: Option<&Phone>,
) -> Result<Linked, AppError> {
    let state = a.state();
    let tag = state.with_keys(|k| k.blind_index("personnummer", pnr.as_str()));
    let mut tags = vec![json!({ "kind": "personnummer", "tag": tag })];
    if let Some(p) = phone {
        tags.push(json!({ "kind": "phone", "tag": state.with_keys(|k| k.blind_index("phone", p.as_str())) }));
    }
    let new_pid = new_id();
    let (new_dek, wrapped) = vault::new_dek(state, &new_pid)?;
    let s = |field: &str, v: &str| vault::seal(&new_dek, "participant", &new_pid, field, v);
    let np = json!({
        "first_name": s("first_name", first_name)?,
        "last_name": s("last_name", last_name)?,
        "personnummer": s("personnummer", pnr.as_str())?,
        "phone": phone.map(|p| s("phone", p.as_str())).transpose()?,
        "birth_year": pnr.birth_year(),
        "municipality": municipality,
    });
    let pkey = json!({ "gen": new_dek.generation(), "wrapped": wrapped.encode(), "kekv": wrapped.kek_version() });
    let mut found: Vec<String> = state
        .db()
        .q("SELECT VALUE record::id(id) FROM fn::records('participant', (SELECT VALUE participant FROM blind_index WHERE kind = 'personnummer' AND tag = $t)) WHERE owner_org = $recv AND shredded = false
            AND id != NONE")
        .bind("recv", recv)
        .bind("t", &tag)
        .run()
        .await?
        .all(0)?;
    // Ids are time-ordered: the earliest registration is the one the unit knows the person by.
    found.sort();
    let (pid, dek, existing) = match found.into_iter().next() {
        Some(pid) => {
            let dek = key_of(a, &pid).await?;
            (pid, dek, true)
        }
        None => (new_pid, new_dek, false),
    };
    let vars = vec![
        ("seen", if existing { json!(pid) } else { Json::Null }),
        ("pid", json!(pid)),
        ("np", np),
        ("pkey", pkey),
        ("ptags", Json::Array(tags)),
        ("ptag", json!(tag)),
    ];
    Ok(Linked {
        pid,
        dek,
        existing,
        vars,
    })
}
