//! Housing and occupation: periods, each new one ending the one before. The address is
//! `location`, so only readers allowed that category see it.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::read::Case;
use crate::auth::Authed;
use crate::db::new_id;
use domain::casework::*;
use domain::event::EventLine;
use domain::input::{date, text, MAX_SHORT};
use domain::time::{stored_date, swedish_date};
use domain::{AppError, Category, Shown};

pub async fn add_housing(
    a: &Authed,
    case_id: &str,
    kind: HousingType,
    address: &str,
    from: &str,
) -> Result<String, AppError> {
    let c = Case::open(a, case_id, "housing.add", &[Category::Housing]).await?;
    c.require(c.manage).await?;
    let today = swedish_date(c.now);
    let from = date("from", from, today, true)?.unwrap_or(today);
    let address = text("address", "Adressen", address, false, MAX_SHORT)?;
    let w = c
        .write(EventKind::Housing, stored_date(from), "housing", &new_id())
        .await?
        .seal("address", &address)?
        .var("kind", kind.as_str())
        .var("from", stored_date(from));
    // The address is `location`: the timeline text never carries it.
    let body = "UPDATE housing SET to = <datetime>$from WHERE case = $cid AND to = NONE AND from <= <datetime>$from RETURN NONE;
        CREATE type::record('housing', $id) CONTENT { case: $cid, participant: $pid, kind: $kind, address: $address,
            from: <datetime>$from, to: NONE, created_at: <datetime>$now, created_by: $user } RETURN NONE;";
    c.commit(w, body, EventLine::Housing { kind }, "").await
}

pub async fn add_occupation(
    a: &Authed,
    case_id: &str,
    kind: OccupationType,
    from: &str,
    outcome: &str,
) -> Result<String, AppError> {
    let c = Case::open(a, case_id, "occupation.add", &[Category::Occupation]).await?;
    c.require(c.manage).await?;
    let today = swedish_date(c.now);
    let from = date("from", from, today, true)?.unwrap_or(today);
    let outcome = text("outcome", "Utfallet", outcome, false, MAX_SHORT)?;
    let w = c
        .write(
            EventKind::Occupation,
            stored_date(from),
            "occupation",
            &new_id(),
        )
        .await?
        .seal("outcome", &outcome)?
        .var("kind", kind.as_str())
        .var("from", stored_date(from));
    let body = "UPDATE occupation SET to = <datetime>$from WHERE case = $cid AND to = NONE AND from <= <datetime>$from RETURN NONE;
        CREATE type::record('occupation', $id) CONTENT { case: $cid, participant: $pid, kind: $kind, from: <datetime>$from,
            to: NONE, outcome: $outcome, created_at: <datetime>$now, created_by: $user } RETURN NONE;";
    c.commit(w, body, EventLine::Occupation { kind }, "").await
}

pub async fn living(a: &Authed, case_id: &str) -> Result<LivingDto, AppError> {
    let cats = [Category::Housing, Category::Occupation];
    let (c, tab) = Case::open_tab(
        a,
        case_id,
        "living.read",
        &cats,
        &[
            "SELECT *, record::id(id) AS id FROM housing WHERE case = $c ORDER BY from DESC",
            "SELECT *, record::id(id) AS id FROM occupation WHERE case = $c ORDER BY from DESC",
        ],
    )
    .await?;
    let (may_h, may_o, may_loc) = (
        c.may(Category::Housing),
        c.may(Category::Occupation),
        c.may(Category::Location),
    );
    c.require(may_h || may_o).await?;
    #[derive(Deserialize)]
    struct H {
        id: String,
        kind: String,
        address: Option<String>,
        from: DateTime<Utc>,
        to: Option<DateTime<Utc>>,
    }
    #[derive(Deserialize)]
    struct O {
        id: String,
        kind: String,
        from: DateTime<Utc>,
        to: Option<DateTime<Utc>>,
        outcome: Option<String>,
    }
    let mut r = c.read(tab, may_loc || may_o).await?;
    let hs: Vec<H> = if may_h { r.all(0)? } else { Vec::new() };
    let os: Vec<O> = if may_o { r.all(1)? } else { Vec::new() };
    let housing = hs
        .into_iter()
        .map(|h| {
            let address = match h.address.as_deref() {
                v if may_loc => r.shown("housing", &h.id, "address", v)?,
                Some(_) => Shown::Masked,
                None => Shown::Empty,
            };
            Ok(HousingDto {
                id: h.id,
                kind: HousingType::parse(&h.kind).unwrap_or(HousingType::Temporary),
                address,
                from: h.from.date_naive(),
                to: h.to.map(|d| d.date_naive()),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let occupation = os
        .into_iter()
        .map(|o| {
            Ok(OccupationDto {
                outcome: r.text("occupation", &o.id, "outcome", o.outcome.as_deref())?,
                id: o.id,
                kind: OccupationType::parse(&o.kind).unwrap_or(OccupationType::NoOccupation),
                from: o.from.date_naive(),
                to: o.to.map(|d| d.date_naive()),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let shown: Vec<Category> = [
        (may_h, Category::Housing),
        (may_o, Category::Occupation),
        (may_loc, Category::Location),
    ]
    .into_iter()
    .filter_map(|(may, cat)| may.then_some(cat))
    .collect();
    c.audit_read(&shown).await?;
    Ok(LivingDto {
        housing,
        occupation,
        can_edit: c.manage,
    })
}
