//! The consent and legal-basis ledger. Records are never edited: a consent is added, and later
//! revoked or left to expire, and the history stays. Expiry and revocation take effect on the
//! very next request because the policy reads the ledger on every request.

use chrono::{DateTime, NaiveDate, Utc};
use domain::time::stored_date;
use domain::Problem;
use serde::Deserialize;
use serde_json::json;

use super::audit::{self, Entry};
use super::auth::Authed;
use super::db::new_id;
use super::gate::{check_id, who};
use super::participants::managed_case;
use domain::input::any_date;
use domain::{AppError, Category, ConsentDto};

/// A validated consent form.
pub struct NewConsent {
    pub recipient_org: String,
    pub categories: Vec<Category>,
    pub basis: String,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

impl NewConsent {
    pub fn parse(
        recipient_org: &str,
        categories: &[String],
        basis_kind: &str,
        provision: &str,
        valid_from: &str,
        valid_until: &str,
        today: NaiveDate,
    ) -> Result<NewConsent, AppError> {
        check_id(recipient_org).map_err(|_| {
            AppError::problem(
                "recipient_org",
                domain::error::Problem::Choose,
                "Välj mottagande organisation.",
            )
        })?;
        let mut cats = Vec::new();
        for c in categories {
            let c = Category::parse(c)?;
            if !cats.contains(&c) {
                cats.push(c);
            }
        }
        if cats.is_empty() {
            return Err(AppError::problem(
                "categories",
                domain::error::Problem::Choose,
                "Välj minst en uppgiftskategori.",
            ));
        }
        let basis = match basis_kind {
            "samtycke" => "samtycke".to_string(),
            "lag" => {
                let p = provision.trim();
                if p.chars().count() < 3 || p.chars().count() > 120 {
                    return Err(AppError::problem(
                        "provision",
                        Problem::Provision,
                        "Ange lagrummet, t.ex. OSL 10 kap. 18 b §.",
                    ));
                }
                p.to_string()
            }
            _ => {
                return Err(AppError::problem(
                    "basis",
                    domain::error::Problem::Choose,
                    "Välj samtycke eller lagstöd.",
                ))
            }
        };
        let valid_from = any_date("valid_from", valid_from)?.unwrap_or(today);
        let valid_until = any_date("valid_until", valid_until)?;
        if let Some(u) = valid_until {
            if u <= valid_from {
                return Err(AppError::problem(
                    "valid_until",
                    domain::error::Problem::EndBeforeStart,
                    "Slutdatumet måste vara efter startdatumet.",
                ));
            }
            if u <= today {
                return Err(AppError::problem(
                    "valid_until",
                    domain::error::Problem::AlreadyDone,
                    "Slutdatumet har redan passerat.",
                ));
            }
        }
        if valid_from < today - chrono::Duration::days(365)
            || valid_from > today + chrono::Duration::days(365)
        {
            return Err(AppError::problem(
                "valid_from",
                domain::error::Problem::NotWithinAYear,
                "Startdatumet ska ligga inom ett år från i dag.",
            ));
        }
        Ok(NewConsent {
            recipient_org: recipient_org.to_string(),
            categories: cats,
            basis,
            valid_from,
            valid_until,
        })
    }
}

pub async fn add(a: &Authed, case_id: &str, n: NewConsent) -> Result<String, AppError> {
    let (c, _) = managed_case(a, case_id, "consent.add").await?;
    if n.recipient_org == a.org_id() {
        return Err(AppError::problem(
            "recipient_org",
            Problem::ConsentOwnOrg,
            "Den egna organisationen behöver inget samtycke.",
        ));
    }
    let id = new_id();
    let now = a.state().clock().now();
    let mut vars = serde_json::Map::new();
    for (k, v) in [
        ("id", json!(id)),
        ("pid", json!(c.participant)),
        ("org", json!(n.recipient_org)),
        (
            "cats",
            json!(n.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>()),
        ),
        ("basis", json!(n.basis)),
        ("from", json!(stored_date(n.valid_from))),
        ("until", json!(n.valid_until.map(stored_date))),
        ("by", json!(a.user_id())),
        ("now", json!(now)),
        ("cid", json!(c.id)),
    ] {
        vars.insert(k.into(), v);
    }
    let body = "
        IF !record::exists(type::record('org', $org)) { THROW 'invalid:recipient_org:unknown:Organisationen finns inte.' };
        CREATE type::record('consent', $id) CONTENT { participant: $pid, recipient_org: $org, categories: $cats,
            basis: $basis, valid_from: <datetime>$from, valid_until: IF $until = NONE THEN NONE ELSE <datetime>$until END,
            revoked_at: NONE, revoked_by: NONE, recorded_by: $by, recorded_at: <datetime>$now } RETURN NONE;
        UPDATE type::record('case', $cid) SET last_entry_at = <datetime>$now RETURN NONE;
    ";
    let mut e = Entry::new("consent.add");
    e.participants = vec![c.participant.clone()];
    e.case_id = Some(c.id.clone());
    e.categories = n
        .categories
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    e.reason = Some(format!("{} to {}", n.basis, n.recipient_org));
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    Ok(id)
}

pub async fn revoke(a: &Authed, case_id: &str, consent_id: &str) -> Result<(), AppError> {
    check_id(consent_id)?;
    let (c, _) = managed_case(a, case_id, "consent.revoke").await?;
    let now = a.state().clock().now();
    let mut vars = serde_json::Map::new();
    for (k, v) in [
        ("id", json!(consent_id)),
        ("pid", json!(c.participant)),
        ("now", json!(now)),
        ("by", json!(a.user_id())),
    ] {
        vars.insert(k.into(), v);
    }
    let body = "
        LET $c = (SELECT participant, revoked_at FROM ONLY type::record('consent', $id));
        IF $c = NONE OR $c.participant != $pid { THROW 'notfound' };
        IF $c.revoked_at != NONE { THROW 'invalid:consent:already_done:Samtycket är redan återkallat.' };
        UPDATE type::record('consent', $id) SET revoked_at = <datetime>$now, revoked_by = $by RETURN NONE;
    ";
    let mut e = Entry::new("consent.revoke");
    e.participants = vec![c.participant.clone()];
    e.case_id = Some(c.id.clone());
    e.reason = Some(consent_id.to_string());
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    Ok(())
}

/// The ledger of one case's participant, newest first, history included.
pub async fn list(a: &Authed, case_id: &str) -> Result<Vec<ConsentDto>, AppError> {
    let (c, _) = managed_case(a, case_id, "consent.list").await?;
    #[derive(Deserialize)]
    struct R {
        id: String,
        recipient_org: String,
        org_name: Option<String>,
        categories: Vec<String>,
        basis: String,
        valid_from: DateTime<Utc>,
        valid_until: Option<DateTime<Utc>>,
        revoked_at: Option<DateTime<Utc>>,
        recorded_by: Option<String>,
        recorded_at: DateTime<Utc>,
    }
    let rows: Vec<R> = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, recipient_org, categories, basis, valid_from, valid_until, revoked_at, recorded_at,
                   (SELECT VALUE name FROM ONLY type::record('org', $parent.recipient_org)) AS org_name,
                   (SELECT VALUE display_name FROM ONLY type::record('user', $parent.recorded_by)) AS recorded_by
            FROM consent WHERE participant = $p ORDER BY recorded_at DESC")
        .bind("p", &c.participant)
        .run()
        .await?
        .all(0)?;
    // Who may see which of the person's data is itself about the person: the read is audited.
    let mut e = Entry::new("consent.list");
    e.participants = vec![c.participant.clone()];
    e.case_id = Some(c.id.clone());
    audit::append(a.state(), &who(a), e).await?;
    let now = a.state().clock().now();
    Ok(rows
        .into_iter()
        .map(|r| {
            let active =
                r.revoked_at.is_none() && crate::access::in_days(r.valid_from, r.valid_until, now);
            ConsentDto {
                id: r.id,
                recipient_org_id: r.recipient_org,
                recipient_org: r.org_name.unwrap_or_default(),
                categories: r
                    .categories
                    .iter()
                    .filter_map(|c| Category::parse(c).ok())
                    .collect(),
                basis: r.basis,
                valid_from: r.valid_from.date_naive(),
                valid_until: r.valid_until.map(|u| u.date_naive()),
                revoked_at: r.revoked_at,
                recorded_by: r.recorded_by.unwrap_or_default(),
                recorded_at: r.recorded_at,
                active,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::participants::{self, ListFilter};
    use crate::testing::{
        passus_contacts_only, revoke_passus, setup, shared_case, worker_partner_police,
    };
    use chrono::Duration;

    /// Half an hour after midnight in Sweden (still yesterday in UTC), a consent given from
    /// today opens the case to the partner at once: in the case list, the case and the list of
    /// consents.
    #[tokio::test]
    async fn a_consent_from_today_is_in_force_in_the_first_hour_of_the_swedish_day() {
        let state = setup().await;
        let (w, partner, _) = worker_partner_police(&state).await;
        let case = shared_case(&w).await;
        revoke_passus(&w, &case).await;
        let listed =
            |rows: Vec<domain::participant::CaseRow>| rows.iter().any(|r| r.case_id == case);
        assert!(!listed(
            participants::list(&partner, ListFilter::default())
                .await
                .unwrap()
        ));
        let tomorrow = state.clock().today() + Duration::days(1);
        state
            .clock()
            .travel_to(domain::time::swedish_day_start(tomorrow) + Duration::minutes(30));
        let today = state.clock().today();
        assert_eq!(today, tomorrow);
        let n = passus_contacts_only(today);
        add(&w, &case, n).await.unwrap();
        let given = list(&w, &case).await.unwrap();
        let c = given
            .iter()
            .find(|c| c.recipient_org_id == crate::demo::ORG_PASSUS && c.revoked_at.is_none())
            .unwrap();
        assert_eq!((c.valid_from, c.active), (today, true));
        assert!(listed(
            participants::list(&partner, ListFilter::default())
                .await
                .unwrap()
        ));
        assert!(participants::view(&partner, &case).await.is_ok());
        state.clock().reset();
    }
}
