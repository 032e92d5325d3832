//! A young person's guardians and parents: name and contact details sealed with the
//! participant's key (so they go with the person when the data are shredded), whether they have
//! custody, and the guardians' consent to the work. Read under `contact_info`; written by the
//! owning team. While the person is under 18 and no guardian's consent is recorded, the tab and
//! the case overview warn "Vårdnadshavares samtycke saknas".

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::read::Case;
use crate::auth::Authed;
use crate::db::new_id;
use crate::gate::check_id;
use crate::vault;
use domain::casework::EventKind;
use domain::event::EventLine;
use domain::guardian::{
    consent_missing, is_minor, ConsentInput, GuardianConsentDto, GuardianDto, GuardianInput,
    GuardianRelation, GuardiansDto,
};
use domain::person::Personnummer;
use domain::time::{stored_date, swedish_date};
use domain::{AppError, Category};

const CATS: &[Category] = &[Category::ContactInfo];

#[derive(Deserialize)]
struct Row {
    id: String,
    name: String,
    relation: String,
    custody: bool,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
    consent_given_on: Option<DateTime<Utc>>,
    consent_scope: Option<String>,
    consent_recorded_by: Option<String>,
}

#[derive(Deserialize)]
struct Person {
    birth_year: i32,
    personnummer: Option<String>,
}

/// The guardians of the case's participant, and whether the consent warning applies.
pub async fn guardians(a: &Authed, case_id: &str) -> Result<GuardiansDto, AppError> {
    let (c, tab) = Case::open_tab(
        a,
        case_id,
        "guardians.read",
        CATS,
        &[
            "SELECT *, record::id(id) AS id FROM guardian WHERE case = $c ORDER BY created_at, id",
            "SELECT birth_year, personnummer FROM ONLY type::record('participant', (SELECT VALUE participant FROM ONLY type::record('case', $c)))",
            "SELECT record::id(id) AS id, display_name FROM fn::records('user', (SELECT VALUE consent_recorded_by FROM guardian WHERE case = $c)) WHERE id != NONE",
        ],
    )
    .await?;
    c.require(c.may(Category::ContactInfo)).await?;
    let mut r = c.read(tab, true).await?;
    let rows: Vec<Row> = r.all(0)?;
    let person: Option<Person> = r.first(1)?;
    #[derive(Deserialize)]
    struct U {
        id: String,
        display_name: String,
    }
    let users: Vec<U> = r.all(2)?;
    let mut out = Vec::with_capacity(rows.len());
    for g in rows {
        let consent = match (g.consent_given_on, &g.consent_scope) {
            (Some(on), scope) => Some(GuardianConsentDto {
                given_on: on.date_naive(),
                scope: r.text("guardian", &g.id, "consent_scope", scope.as_deref())?,
                recorded_by: users
                    .iter()
                    .find(|u| Some(&u.id) == g.consent_recorded_by.as_ref())
                    .map(|u| u.display_name.clone())
                    .unwrap_or_default(),
            }),
            (None, _) => None,
        };
        out.push(GuardianDto {
            name: r.text("guardian", &g.id, "name", Some(&g.name))?,
            relation: GuardianRelation::parse(&g.relation).unwrap_or(GuardianRelation::Other),
            custody: g.custody,
            phone: r.text("guardian", &g.id, "phone", g.phone.as_deref())?,
            email: r.text("guardian", &g.id, "email", g.email.as_deref())?,
            address: r.text("guardian", &g.id, "address", g.address.as_deref())?,
            consent,
            id: g.id,
        });
    }
    let minor = match &person {
        Some(p) => is_minor(birth_date(&c, p).await?, p.birth_year, swedish_date(c.now)),
        None => false,
    };
    c.audit_read(CATS).await?;
    Ok(GuardiansDto {
        consent_missing: consent_missing(minor, &out),
        guardians: out,
        minor,
        can_edit: c.manage,
    })
}

/// The birth date from the personnummer, opened inside the core only to compute the age (it is
/// not shown here); `None` without one, once the key is gone, or when it is damaged (the birth
/// year decides then).
async fn birth_date(c: &Case<'_>, p: &Person) -> Result<Option<chrono::NaiveDate>, AppError> {
    let (Some(stored), Some(k)) = (&p.personnummer, c.key().await?) else {
        return Ok(None);
    };
    Ok(born(
        c.reader().state(),
        &c.case.participant,
        &k,
        stored,
        swedish_date(c.now),
    ))
}

/// The birth date a stored personnummer gives; `None` when it is damaged or not a personnummer.
fn born(
    state: &crate::state::AppState,
    pid: &str,
    k: &crate::crypto::Dek,
    stored: &str,
    today: chrono::NaiveDate,
) -> Option<chrono::NaiveDate> {
    let at = crate::crypto::Aad::new("participant", pid, "personnummer");
    match vault::show(state, pid, k, at, stored) {
        domain::Shown::Value(pnr) => Personnummer::parse(&pnr, today)
            .ok()
            .map(|x| x.birth_date()),
        _ => None,
    }
}

/// Whether the overview warns that the guardians' consent is missing: a person under 18 (as
/// the tab computes it) with no guardian's consent recorded. The overview's own entry audits it.
pub(crate) async fn consent_missing_on(
    a: &Authed,
    case_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    #[derive(Deserialize)]
    struct P {
        id: String,
        birth_year: i32,
        personnummer: Option<String>,
        consents: i64,
    }
    let p: Option<P> = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, birth_year, personnummer,
                count((SELECT id FROM guardian WHERE case = $c AND consent_given_on != NONE)) AS consents
            FROM ONLY type::record('participant', (SELECT VALUE participant FROM ONLY type::record('case', $c)))")
        .bind("c", case_id)
        .run()
        .await?
        .first(0)?;
    let Some(p) = p else {
        return Ok(false);
    };
    if p.consents > 0 {
        return Ok(false);
    }
    let today = swedish_date(now);
    let birth = match (&p.personnummer, vault::dek(a.state(), &p.id).await?) {
        (Some(stored), Some(k)) => born(a.state(), &p.id, &k, stored, today),
        _ => None,
    };
    Ok(is_minor(birth, p.birth_year, today))
}

/// Adds a guardian or parent.
pub async fn add_guardian(a: &Authed, case_id: &str, g: GuardianInput) -> Result<String, AppError> {
    let c = Case::open(a, case_id, "guardian.add", CATS).await?;
    c.require(c.manage).await?;
    let w = c
        .write(EventKind::Guardian, c.now, "guardian", &new_id())
        .await?
        .seal("name", &g.name)?
        .seal("phone", &g.phone)?
        .seal("email", &g.email)?
        .seal("address", &g.address)?
        .var("relation", g.relation.as_str())
        .var("custody", g.custody);
    let body =
        "CREATE type::record('guardian', $id) CONTENT { case: $cid, participant: $pid, name: $name,
        relation: $relation, custody: $custody, phone: $phone, email: $email, address: $address,
        consent_given_on: NONE, consent_scope: NONE, consent_recorded_by: NONE, version: 1,
        created_by: $user, created_at: <datetime>$now } RETURN NONE;";
    let event = EventLine::GuardianAdded {
        relation: g.relation,
    };
    c.commit(w, body, event, "").await
}

/// The guardian's record on this case; another case's id is not found.
async fn own(c: &Case<'_>, guardian: &str) -> Result<(), AppError> {
    check_id(guardian)?;
    let case: Option<String> = c
        .reader()
        .state()
        .db()
        .q("SELECT VALUE case FROM ONLY type::record('guardian', $id)")
        .bind("id", guardian)
        .run()
        .await?
        .first(0)?;
    if case.as_deref() == Some(c.case.id.as_str()) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Changes a guardian's details (the recorded consent stays).
pub async fn update_guardian(
    a: &Authed,
    case_id: &str,
    guardian: &str,
    g: GuardianInput,
) -> Result<(), AppError> {
    let c = Case::open(a, case_id, "guardian.update", CATS).await?;
    c.require(c.manage).await?;
    own(&c, guardian).await?;
    let w = c
        .write(EventKind::Guardian, c.now, "guardian", guardian)
        .await?
        .seal("name", &g.name)?
        .seal("phone", &g.phone)?
        .seal("email", &g.email)?
        .seal("address", &g.address)?
        .var("relation", g.relation.as_str())
        .var("custody", g.custody);
    let body = "UPDATE type::record('guardian', $id) SET name = $name, relation = $relation, custody = $custody,
        phone = $phone, email = $email, address = $address, version += 1 RETURN NONE;";
    let event = EventLine::GuardianChanged {
        relation: g.relation,
    };
    c.commit(w, body, event, "").await.map(drop)
}

/// Removes a guardian (the page asks for confirmation first).
pub async fn remove_guardian(a: &Authed, case_id: &str, guardian: &str) -> Result<(), AppError> {
    let c = Case::open(a, case_id, "guardian.remove", CATS).await?;
    c.require(c.manage).await?;
    own(&c, guardian).await?;
    let w = c
        .write(EventKind::Guardian, c.now, "guardian", guardian)
        .await?;
    let body = "DELETE type::record('guardian', $id);";
    c.commit(w, body, EventLine::GuardianRemoved, "")
        .await
        .map(drop)
}

/// Records a guardian's consent: the day it was given and what it covers.
pub async fn record_consent(
    a: &Authed,
    case_id: &str,
    guardian: &str,
    given_on: &str,
    scope: &str,
) -> Result<(), AppError> {
    let c = Case::open(a, case_id, "guardian.consent", CATS).await?;
    c.require(c.manage).await?;
    own(&c, guardian).await?;
    let consent = ConsentInput::parse(given_on, scope, swedish_date(c.now))?;
    let w = c
        .write(EventKind::Guardian, c.now, "guardian", guardian)
        .await?
        .seal("consent_scope", &consent.scope)?
        .var("given", stored_date(consent.given_on));
    let body = "UPDATE type::record('guardian', $id) SET consent_given_on = <datetime>$given,
        consent_scope = $consent_scope, consent_recorded_by = $user, version += 1 RETURN NONE;";
    let event = EventLine::GuardianConsent {
        given_on: consent.given_on,
    };
    c.commit(w, body, event, "").await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Who;
    use crate::casework::read::fixtures::audit_seqs;
    use crate::gate::case_by_id;
    use crate::testing::{as_user, setup, shared_case, worker_partner_police};

    fn mother() -> GuardianInput {
        GuardianInput::parse(
            "Amira Testsson",
            "mother",
            true,
            "070-174 06 99",
            "amira@exempel.se",
            "Testgatan 1",
        )
        .unwrap()
    }

    /// Makes the shared case's participant a 15-year-old known by birth year only.
    async fn make_young(state: &crate::AppState, case: &str) -> String {
        let w = as_user(state, "handlaggare").await;
        let pid = case_by_id(&w, case).await.unwrap().participant;
        let year = state.clock().today().year() - 15;
        state
            .db()
            .q("UPDATE type::record('participant', $p) SET birth_year = $y, personnummer = NONE")
            .bind("p", &pid)
            .bind("y", year)
            .run()
            .await
            .unwrap();
        pid
    }

    use chrono::Datelike;

    #[tokio::test]
    async fn a_minor_without_guardian_consent_is_warned_about_until_it_is_recorded() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        // An adult (birth date from the personnummer): no warning.
        let g = guardians(&w, &case).await.unwrap();
        assert!(!g.minor && !g.consent_missing);
        make_young(&state, &case).await;
        let g = guardians(&w, &case).await.unwrap();
        assert!(g.minor && g.consent_missing && g.guardians.is_empty());
        let overview = crate::participants::view(&w, &case).await.unwrap();
        assert!(overview.summary.guardian_consent_missing);
        let id = add_guardian(&w, &case, mother()).await.unwrap();
        assert!(guardians(&w, &case).await.unwrap().consent_missing);
        let e = record_consent(&w, &case, &id, "", "Insatser i planen")
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("given_on"));
        let today = state.clock().today().to_string();
        record_consent(
            &w,
            &case,
            &id,
            &today,
            "Insatser i planen och kontakt med skolan",
        )
        .await
        .unwrap();
        let g = guardians(&w, &case).await.unwrap();
        assert!(g.minor && !g.consent_missing);
        let overview = crate::participants::view(&w, &case).await.unwrap();
        assert!(!overview.summary.guardian_consent_missing);
        let c = g.guardians[0].consent.clone().unwrap();
        assert_eq!(c.scope, "Insatser i planen och kontakt med skolan");
        assert_eq!(g.guardians[0].phone, "+46701740699");
        assert!(g.guardians[0].custody);
    }

    #[tokio::test]
    async fn guardian_details_are_sealed_at_rest_and_go_with_the_shredded_person() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        let pid = make_young(&state, &case).await;
        let id = add_guardian(&w, &case, mother()).await.unwrap();
        let today = state.clock().today().to_string();
        record_consent(&w, &case, &id, &today, "Hemligt omfång")
            .await
            .unwrap();
        let raw: Vec<serde_json::Value> = state
            .db()
            .q("SELECT * FROM type::record('guardian', $g)")
            .bind("g", &id)
            .run()
            .await
            .unwrap()
            .all(0)
            .unwrap();
        let raw = format!("{raw:?}");
        for secret in ["Amira", "0699", "amira@", "Testgatan", "Hemligt"] {
            assert!(!raw.contains(secret), "{secret} in clear: {raw}");
        }
        crate::shred::shred(&state, &Who::system(), &pid, None, "test")
            .await
            .unwrap();
        // The key is gone: nothing of the guardian opens any more.
        let g = guardians(&w, &case).await;
        if let Ok(g) = g {
            assert!(g.guardians.iter().all(|x| x.name == domain::MASK));
        }
    }

    #[tokio::test]
    async fn work_with_parents_is_a_plan_action_marked_as_such() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let case = shared_case(&w).await;
        let goal = crate::casework::add_goal(
            &w,
            &case,
            domain::casework::LifeDomain::Family,
            "Stärka föräldrarnas stöd",
            "",
        )
        .await
        .unwrap();
        let with = crate::casework::add_guardian_action(
            &w,
            &case,
            &goal,
            "Föräldrasamtal varannan vecka",
            crate::demo::ORG_GBG,
            "",
            "",
        )
        .await
        .unwrap();
        let plain = crate::casework::add_action(
            &w,
            &case,
            &goal,
            "Träffa skolan",
            crate::demo::ORG_GBG,
            "",
            "",
        )
        .await
        .unwrap();
        let p = crate::casework::plan(&w, &case).await.unwrap();
        let marked = |id: &str| {
            p.goals
                .iter()
                .flat_map(|g| &g.actions)
                .find(|x| x.id == id)
                .unwrap()
                .with_guardians
        };
        assert!(marked(&with));
        assert!(!marked(&plain));
    }

    #[tokio::test]
    async fn only_the_owning_team_writes_guardians_and_outsiders_leave_one_entry() {
        let state = setup().await;
        let (w, partner, police) = worker_partner_police(&state).await;
        let case = shared_case(&w).await;
        let id = add_guardian(&w, &case, mother()).await.unwrap();
        for who in [&partner, &police] {
            let before = audit_seqs(&state).await;
            assert!(add_guardian(who, &case, mother()).await.is_err());
            assert!(remove_guardian(who, &case, &id).await.is_err());
            assert_eq!(audit_seqs(&state).await, before + 2);
        }
        let malmo = as_user(&state, "handlaggare.malmo").await;
        assert_eq!(
            guardians(&malmo, &case).await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            guardians(&malmo, "finnsinte").await.unwrap_err(),
            AppError::NotFound
        );
        // Another case's guardian is not found through this case.
        let other = crate::participants::list(&w, crate::participants::ListFilter::default())
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.case_id != case)
            .unwrap()
            .case_id;
        assert_eq!(
            remove_guardian(&w, &other, &id).await.unwrap_err(),
            AppError::NotFound
        );
        remove_guardian(&w, &case, &id).await.unwrap();
        assert!(guardians(&w, &case).await.unwrap().guardians.is_empty());
    }
}
