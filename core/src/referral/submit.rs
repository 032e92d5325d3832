//! Sending a referral. The referring side is answered "received" and the number, the same
//! whether the person was known to the receiving unit or not; the audit entry records the link
//! for the log reviewer.

use domain::Problem;
use serde::Deserialize;
use serde_json::json;

use super::super::audit::{self, Entry};
use super::super::auth::Authed;
use super::super::db::new_id;
use super::super::gate::{require, who};
use super::super::vault;
use super::person::{self, STALE};
use super::{day, units};
use domain::referral::{ReferralInput, ReferralReceipt, ReferrerKind};
use domain::{AppError, Capability, OrgKind};

/// The kind of the user's organisation.
async fn org_kind(a: &Authed) -> Result<OrgKind, AppError> {
    let k: Option<String> = a
        .state()
        .db()
        .q("SELECT VALUE kind FROM ONLY type::record('org', $o)")
        .bind("o", a.org_id())
        .run()
        .await?
        .first(0)?;
    OrgKind::parse(&k.ok_or(AppError::Forbidden)?).map_err(|_| AppError::Internal)
}

/// Sends a referral for the user's organisation.
pub async fn submit(a: &Authed, input: ReferralInput) -> Result<ReferralReceipt, AppError> {
    require(a, Capability::SubmitReferral, "referral.submit").await?;
    if !ReferrerKind::offered_to(org_kind(a).await?).contains(&input.kind) {
        return Err(AppError::problem(
            "kind",
            domain::error::Problem::Choose,
            "Välj er egen verksamhet, en anhörig eller personen själv som avsändare.",
        ));
    }
    let all = units(a).await?;
    let Some((recv, _, municipalities)) = all.into_iter().find(|(_, _, ms)| {
        ms.iter()
            .any(|m| m.eq_ignore_ascii_case(&input.municipality))
    }) else {
        return Err(AppError::problem(
            "municipality",
            Problem::NoService,
            "Det finns ingen socialtjänst i Utväg för den kommunen. Kontrollera stavningen eller kontakta kommunen direkt.",
        ));
    };
    // The municipality as the unit spells it.
    let municipality = municipalities
        .into_iter()
        .find(|m| m.eq_ignore_ascii_case(&input.municipality))
        .unwrap_or(input.municipality.clone());
    // A lookup that another referral or registration overtook is tried again from the start.
    for attempt in 0..3 {
        match attempt_submit(a, &input, &recv, &municipality).await {
            Err(AppError::Conflict { message, .. }) if message == STALE && attempt < 2 => continue,
            other => return other,
        }
    }
    Err(AppError::Internal)
}

async fn attempt_submit(
    a: &Authed,
    input: &ReferralInput,
    recv: &str,
    municipality: &str,
) -> Result<ReferralReceipt, AppError> {
    let linked = person::link(
        a,
        recv,
        municipality,
        &input.personnummer,
        &input.first_name,
        &input.last_name,
        input.phone.as_ref(),
    )
    .await?;
    let rid = new_id();
    let dek = &linked.dek;
    let s = |field: &str, v: &str| vault::seal(dek, "referral", &rid, field, v);
    let sealed = json!({
        "description": s("description", &input.description)?,
        "personnummer": s("personnummer", input.personnummer.as_str())?,
        "first_name": s("first_name", &input.first_name)?,
        "last_name": s("last_name", &input.last_name)?,
        "phone": input.phone.as_ref().map(|p| s("phone", p.as_str())).transpose()?,
        "referrer_contact": input.referrer_contact.as_deref().map(|c| s("referrer_contact", c)).transpose()?,
    });
    let now = a.state().clock().now();
    let year = chrono::Datelike::year(&a.state().clock().today());
    let mut vars = serde_json::Map::new();
    for (k, v) in linked.vars.iter().cloned() {
        vars.insert(k.into(), v);
    }
    for (k, v) in [
        ("rid", json!(rid)),
        ("recv", json!(recv)),
        ("org", json!(a.org_id())),
        ("user", json!(a.user_id())),
        ("now", json!(now)),
        ("year", json!(year)),
        ("s", sealed),
        (
            "r",
            json!({
                "kind": input.kind.as_str(),
                "referred_on": day(input.referred_on),
                "reasons": input.reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                "urgency": input.urgency.as_str(),
                "municipality": municipality,
            }),
        ),
    ] {
        vars.insert(k.into(), v);
    }
    // The number is drawn inside the transaction: the counter row is written by every referral
    // of the year, so two at once conflict and one is retried (audit::commit), never doubled.
    let body = format!(
        "{}
        LET $n = ((SELECT VALUE last FROM ONLY type::record('referral_counter', $year)) ?? 0) + 1;
        UPSERT type::record('referral_counter', $year) CONTENT {{ last: $n }} RETURN NONE;
        LET $pad = IF $n < 10 {{ '000' }} ELSE IF $n < 100 {{ '00' }} ELSE IF $n < 1000 {{ '0' }} ELSE {{ '' }};
        CREATE type::record('referral', $rid) CONTENT {{
            number: 'R-' + <string>$year + '-' + $pad + <string>$n, year: $year, seq: $n,
            org: $org, created_by: $user, created_at: <datetime>$now, kind: $r.kind,
            referred_on: <datetime>$r.referred_on, reasons: $r.reasons, urgency: $r.urgency,
            description: $s.description, personnummer: $s.personnummer, first_name: $s.first_name,
            last_name: $s.last_name, phone: $s.phone, referrer_contact: $s.referrer_contact,
            municipality: $r.municipality, receiving_org: $recv, forwarded_from: NONE,
            participant: $pid, status: 'new', case: NONE, decline_reason: NONE,
            transitions: [{{ from: NONE, to: 'new', at: <datetime>$now, by: $user }}], version: 1
        }} RETURN NONE;",
        person::BODY
    );
    let mut e = Entry::new("referral.submit");
    e.participants = vec![linked.pid.clone()];
    e.categories = vec!["identity".into(), "contact_info".into(), "notes".into()];
    // For the log reviewer only: whether the person was already registered with the unit.
    e.reason = Some(format!(
        "referral:{rid} to:{recv} person:{}",
        if linked.existing { "known" } else { "new" }
    ));
    audit::commit(a.state(), &who(a), e, &body, vars).await?;
    if !linked.existing {
        a.state()
            .deks()
            .insert(linked.pid.clone(), linked.dek.clone());
    }
    #[derive(Deserialize)]
    struct N {
        number: String,
    }
    let n: Option<N> = a
        .state()
        .db()
        .q("SELECT number FROM ONLY type::record('referral', $rid)")
        .bind("rid", &rid)
        .run()
        .await?
        .first(0)?;
    Ok(ReferralReceipt {
        number: n.ok_or(AppError::Internal)?.number,
        received_on: a.state().clock().today(),
    })
}
