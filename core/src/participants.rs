//! Participants and their cases: registration, the case list, the case overview, search,
//! edits and status changes. Every read returns only the categories the policy allows, masks
//! the rest, and writes exactly one audit entry; every write is audited in its own transaction.

use domain::Problem;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;

use super::access::{self, Decision, Purpose, Subject};
use super::audit::{self, Entry};
use super::auth::Authed;
use super::crypto::{Aad, Dek};
use super::db::new_id;
use super::subject::{self, actor};
use super::vault;
use domain::casework::CaseSummary;
use domain::event::EventLine;
use domain::input::text;
use domain::person::{Email, Personnummer, Phone};
use domain::time::stored_date;
use domain::{
    AppError, Capability, CaseRow, CaseStatus, CaseView, Category, Gender, ParticipantForm,
    Protection, Shown, SspfLevel, TeamMember, Transition, MAX_SHORT, MAX_TEXT,
};

use super::gate::{check_id, refuse, require, who, CaseRec};
use super::gate::{Ahead, CaseGate};
use super::participant_history::field_category;

/// A registration or edit form after validation.
pub struct ValidParticipant {
    pub first_name: String,
    pub last_name: String,
    pub personnummer: Option<Personnummer>,
    pub phone: Option<Phone>,
    pub email: Option<Email>,
    pub address: String,
    pub background: String,
    pub birth_year: i32,
    pub gender: Gender,
    pub municipality: String,
    pub protection: Protection,
}

impl ValidParticipant {
    pub fn parse(f: &ParticipantForm, today: NaiveDate) -> Result<ValidParticipant, AppError> {
        let first_name = text("first_name", "Förnamn", &f.first_name, true, MAX_SHORT)?;
        let last_name = text("last_name", "Efternamn", &f.last_name, true, MAX_SHORT)?;
        let personnummer = match f.personnummer.trim() {
            "" => None,
            s => Some(Personnummer::parse(s, today).map_err(|e| {
                AppError::problem("personnummer", Problem::Personnummer, e.to_string())
            })?),
        };
        let phone = match f.phone.trim() {
            "" => None,
            s => Some(
                Phone::parse(s)
                    .map_err(|e| AppError::problem("phone", Problem::Phone, e.to_string()))?,
            ),
        };
        let email = match f.email.trim() {
            "" => None,
            s => Some(
                Email::parse(s)
                    .map_err(|e| AppError::problem("email", Problem::Email, e.to_string()))?,
            ),
        };
        let address = text("address", "Adressen", &f.address, false, MAX_SHORT)?;
        let background = text("background", "Bakgrunden", &f.background, false, MAX_TEXT)?;
        let this_year = chrono::Datelike::year(&today);
        let birth_year = match (f.birth_year.trim(), &personnummer) {
            ("", Some(p)) => p.birth_year(),
            (s, _) => s
                .parse::<i32>()
                .ok()
                .filter(|y| (this_year - 100..=this_year - 8).contains(y))
                .ok_or_else(|| {
                    AppError::problem(
                        "birth_year",
                        Problem::Range {
                            min: i64::from(this_year - 100),
                            max: i64::from(this_year - 8),
                        },
                        format!(
                            "Ange födelseår mellan {} och {}.",
                            this_year - 100,
                            this_year - 8
                        ),
                    )
                })?,
        };
        if let Some(p) = &personnummer {
            if p.birth_year() != birth_year {
                return Err(AppError::problem(
                    "birth_year",
                    Problem::BirthYearMismatch,
                    "Födelseåret stämmer inte med personnumret.",
                ));
            }
        }
        let municipality = text("municipality", "Hemkommun", &f.municipality, true, 60)?;
        Ok(ValidParticipant {
            first_name,
            last_name,
            personnummer,
            phone,
            email,
            address,
            background,
            birth_year,
            gender: Gender::parse(&f.gender)?,
            municipality,
            protection: Protection::parse(&f.protection)?,
        })
    }

    /// The values in the form they are stored in (a missing value as empty text), by field.
    pub(crate) fn stored_form(&self) -> HashMap<&'static str, String> {
        let opt = |o: Option<&str>| o.unwrap_or_default().to_string();
        HashMap::from([
            ("first_name", self.first_name.clone()),
            ("last_name", self.last_name.clone()),
            (
                "personnummer",
                opt(self.personnummer.as_ref().map(|p| p.as_str())),
            ),
            ("birth_year", self.birth_year.to_string()),
            ("gender", self.gender.as_str().to_string()),
            ("phone", opt(self.phone.as_ref().map(|p| p.as_str()))),
            ("email", opt(self.email.as_ref().map(|p| p.as_str()))),
            ("address", self.address.clone()),
            ("background", self.background.clone()),
            ("municipality", self.municipality.clone()),
            ("protection", self.protection.as_str().to_string()),
        ])
    }
}

/// Sealed field values and blind-index tags of a participant, ready to store.
struct SealedFields {
    first_name: String,
    last_name: String,
    personnummer: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
    background: Option<String>,
    tags: Vec<(&'static str, String)>,
}

fn seal_fields(
    a: &Authed,
    dek: &Dek,
    pid: &str,
    v: &ValidParticipant,
) -> Result<SealedFields, AppError> {
    let s = |field: &str, val: &str| vault::seal(dek, "participant", pid, field, val);
    let so = |field: &str, val: &str| vault::seal_opt(dek, "participant", pid, field, val);
    let mut tags = Vec::new();
    if let Some(p) = &v.personnummer {
        tags.push((
            "personnummer",
            a.state()
                .with_keys(|k| k.blind_index("personnummer", p.as_str())),
        ));
    }
    if let Some(p) = &v.phone {
        tags.push((
            "phone",
            a.state().with_keys(|k| k.blind_index("phone", p.as_str())),
        ));
    }
    Ok(SealedFields {
        first_name: s("first_name", &v.first_name)?,
        last_name: s("last_name", &v.last_name)?,
        personnummer: so(
            "personnummer",
            v.personnummer.as_ref().map(|p| p.as_str()).unwrap_or(""),
        )?,
        phone: so("phone", v.phone.as_ref().map(|p| p.as_str()).unwrap_or(""))?,
        email: so("email", v.email.as_ref().map(|p| p.as_str()).unwrap_or(""))?,
        address: so("address", &v.address)?,
        background: so("background", &v.background)?,
        tags,
    })
}

#[derive(Deserialize)]
struct OrgRow {
    kind: String,
    municipalities: Vec<String>,
}

/// Registers a participant and opens their case, with the registering user responsible.
pub async fn register(
    a: &Authed,
    v: ValidParticipant,
    sspf: SspfLevel,
    referral_source: &str,
) -> Result<String, AppError> {
    require(a, Capability::RegisterParticipant, "participant.register").await?;
    let referral_source = text("referral_source", "Remittent", referral_source, false, 200)?;
    let db = a.state().db();
    let org: Option<OrgRow> = db
        .q("SELECT kind, municipalities FROM ONLY type::record('org', $o)")
        .bind("o", a.org_id())
        .run()
        .await?
        .first(0)?;
    let org = org.ok_or(AppError::Forbidden)?;
    if org.kind != "social_services" {
        return Err(AppError::Forbidden);
    }
    if !org
        .municipalities
        .iter()
        .any(|m| m.eq_ignore_ascii_case(&v.municipality))
    {
        return Err(AppError::problem(
            "municipality",
            Problem::MunicipalityNotServed,
            format!(
                "Hemkommunen ska vara en av organisationens kommuner: {}.",
                org.municipalities.join(", ")
            ),
        ));
    }
    let pid = new_id();
    let cid = new_id();
    let (dek, wrapped) = vault::new_dek(a.state(), &pid)?;
    let f = seal_fields(a, &dek, &pid, &v)?;
    let referral_source = vault::seal_opt(&dek, "case", &cid, "referral_source", &referral_source)?;
    let now = a.state().clock().now();
    let mut vars = serde_json::Map::new();
    for (k, val) in [
        ("pid", json!(pid)),
        ("cid", json!(cid)),
        ("mid", json!(new_id())),
        ("org", json!(a.org_id())),
        ("user", json!(a.user_id())),
        ("now", json!(now)),
        ("gen", json!(dek.generation())),
        ("wrapped", json!(wrapped.encode())),
        ("kekv", json!(wrapped.kek_version())),
        (
            "p",
            json!({
                "first_name": f.first_name, "last_name": f.last_name, "personnummer": f.personnummer,
                "phone": f.phone, "email": f.email, "address": f.address, "background": f.background,
                "birth_year": v.birth_year, "gender": v.gender.as_str(), "municipality": v.municipality,
                "protection": v.protection.as_str(),
            }),
        ),
        (
            "tags",
            json!(f
                .tags
                .iter()
                .map(|(k, t)| json!({"kind": k, "tag": t}))
                .collect::<Vec<_>>()),
        ),
        ("sspf", json!(sspf.as_str())),
        ("ref", json!(referral_source)),
    ] {
        vars.insert(k.to_string(), val);
    }
    // Existence is secret across organisations: a personnummer another organisation holds is
    // registered like any other and goes to that unit's queue of possible duplicates; the
    // registering side is answered exactly as for a new person. Within the own organisation
    // the person is on the unit's own list already (or in its referral queue, when known only
    // from a referral), so the duplicate is refused with where to find them.
    let body = "
        FOR $t IN $tags {
            IF $t.kind = 'personnummer' {
                FOR $x IN (SELECT VALUE participant FROM blind_index WHERE kind = 'personnummer' AND tag = $t.tag) {
                    LET $xo = (SELECT VALUE owner_org FROM ONLY type::record('participant', $x));
                    IF $xo = $org AND (SELECT VALUE id FROM case WHERE participant = $x LIMIT 1) = [] {
                        THROW 'invalid:personnummer:person_in_referral:Personen finns redan i en remiss till er verksamhet. Öppna remissen under Remisser och godta den, så öppnas ärendet.';
                    } ELSE IF $xo = $org {
                        THROW 'invalid:personnummer:person_exists:Det finns redan en person med det personnumret i er verksamhet. Sök på personnumret under Ärenden.';
                    } ELSE {
                        CREATE duplicate_candidate CONTENT { existing: $x, existing_org: $xo, new_participant: $pid,
                            new_org: $org, found_at: <datetime>$now, found_by: $user, status: 'open',
                            resolved_at: NONE, resolved_by: NONE } RETURN NONE;
                    };
                };
            };
        };
        CREATE type::record('participant', $pid) CONTENT {
            first_name: $p.first_name, last_name: $p.last_name, personnummer: $p.personnummer,
            phone: $p.phone, email: $p.email, address: $p.address, background: $p.background,
            birth_year: $p.birth_year, gender: $p.gender, municipality: $p.municipality,
            protection: $p.protection, owner_org: $org, shredded: false, version: 1,
            created_at: <datetime>$now, created_by: $user } RETURN NONE;
        CREATE type::record('participant_key', $pid) CONTENT { generation: $gen, wrapped: $wrapped, kek_version: $kekv } RETURN NONE;
        FOR $t IN $tags { CREATE blind_index CONTENT { kind: $t.kind, tag: $t.tag, participant: $pid } RETURN NONE; };
        CREATE type::record('case', $cid) CONTENT {
            participant: $pid, owner_org: $org, status: 'referred', open: true, sspf_level: $sspf,
            referral_source: $ref, responsible: $user, municipality: $p.municipality,
            opened_at: <datetime>$now, closed_at: NONE, last_entry_at: <datetime>$now,
            transitions: [{ from: NONE, to: 'referred', at: <datetime>$now, by: $user }], version: 1 } RETURN NONE;
        CREATE type::record('open_case', $pid) CONTENT { case: $cid } RETURN NONE;
        CREATE type::record('case_member', $mid) CONTENT { case: $cid, participant: $pid, user: $user, org: $org,
            part: 'responsible', added_at: <datetime>$now, added_by: $user } RETURN NONE;
        fn::stat_refresh($cid);
    ";
    let mut e = Entry::new("participant.register");
    e.participants = vec![pid.clone()];
    e.case_id = Some(cid.clone());
    e.categories = vec![
        "identity".into(),
        "contact_info".into(),
        "location".into(),
        "notes".into(),
    ];
    e.basis = Some("case_team".into());
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    a.state().deks().insert(pid, dek);
    Ok(cid)
}

#[derive(Deserialize, Clone)]
struct PartRec {
    id: String,
    first_name: String,
    last_name: String,
    personnummer: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
    background: Option<String>,
    birth_year: i32,
    gender: String,
    municipality: String,
    protection: String,
    shredded: bool,
    version: i64,
}

fn display_pnr(stored: String) -> String {
    // Stored normalised as YYYYMMDDNNNN; shown as YYYYMMDD-NNNN.
    if stored.len() == 12 && stored.is_ascii() {
        format!("{}-{}", &stored[..8], &stored[8..])
    } else {
        stored
    }
}

/// The case overview: one audit entry naming the categories shown and those withheld.
pub async fn view(a: &Authed, case_id: &str) -> Result<CaseView, AppError> {
    #[derive(Deserialize)]
    struct Overview {
        participant: Option<PartRec>,
        team: Vec<MemberRow>,
        #[serde(flatten)]
        summary: super::casework::SummaryRows,
    }
    // The participant, the team and the casework summary in one block, read in the gate's round
    // trip when the gate may read it there. The names of the team's members and organisations
    // and of the owner come from the process's cache of names (`crate::names`): two subqueries
    // per member cost more than the rest of the team's read.
    let now = a.state().clock().now();
    let ahead = Ahead::new(format!(
        "LET $k = type::record('case', $c).participant;
         RETURN {{
             participant: type::record('participant', $k ?? $c).*,
             team: ({TEAM_OF}),
             {}
         }};",
        super::casework::SUMMARY_FIELDS
    ))
    .bind("today", stored_date(domain::time::swedish_date(now)));
    let (g, read) =
        CaseGate::open_ahead::<Overview>(a, case_id, "case.read", Purpose::CaseWork, Some(&ahead))
            .await?;
    let c = &g.case;
    let visible = g.visible();
    if visible.is_empty() {
        return Err(refuse(a, "case.read", &c.participant, Some(&c.id), &Category::ALL).await);
    }
    let o = match read {
        Some(o) => o,
        None => ahead.run(a, &c.id).await?,
    };
    let mut p = o.participant.ok_or(AppError::NotFound)?;
    // Fetched as a record (its id `participant:<key>`); the key is the case's participant.
    p.id = c.participant.clone();
    let needs_plain = super::sealed_fields::PARTICIPANT
        .iter()
        .any(|f| g.may(field_category(f)))
        || g.may(Category::Plan);
    let dek: Option<Arc<Dek>> = if needs_plain && !p.shredded {
        vault::dek(a.state(), &p.id).await?
    } else {
        None
    };
    let open = |field: &str, stored: Option<&str>| -> Result<Shown<String>, AppError> {
        let d = g.decision(field_category(field));
        if !d.allowed() {
            return Ok(Shown::Masked);
        }
        match (&dek, stored) {
            (Some(k), Some(s)) => Ok(vault::show(
                a.state(),
                &p.id,
                k,
                Aad::new("participant", &p.id, field),
                s,
            )),
            (None, Some(_)) => Ok(Shown::Masked),
            (_, None) => Ok(Shown::Empty),
        }
    };
    let first_name = open("first_name", Some(&p.first_name))?;
    let last_name = open("last_name", Some(&p.last_name))?;
    let personnummer = match open("personnummer", p.personnummer.as_deref())? {
        Shown::Value(v) => Shown::Value(display_pnr(v)),
        other => other,
    };
    let phone = open("phone", p.phone.as_deref())?;
    let email = open("email", p.email.as_deref())?;
    let address = open("address", p.address.as_deref())?;
    let background = open("background", p.background.as_deref())?;
    let referral_source = match (&dek, c.referral_source.as_deref()) {
        _ if !g.may(Category::Plan) => Shown::Masked,
        (_, None) => Shown::Empty,
        (None, Some(_)) => Shown::Masked,
        (Some(k), Some(s)) => vault::show(
            a.state(),
            &p.id,
            k,
            Aad::new("case", &c.id, "referral_source"),
            s,
        ),
    };

    let names = crate::names::of(
        a.state(),
        o.team
            .iter()
            .map(|m| m.org.as_str())
            .chain([c.owner_org.as_str()]),
        o.team.iter().map(|m| m.user.as_str()),
    )
    .await?;
    let team = team_of(o.team, &names);
    let owner_org = names.org(&c.owner_org).unwrap_or_default().to_string();
    let summary = if p.shredded {
        CaseSummary::default()
    } else {
        super::casework::overview_summary(a, &c.id, now, o.summary, |cat| g.may(cat)).await?
    };
    let bg_until = Category::ALL.iter().find_map(|cat| match g.decision(*cat) {
        Decision::Allow(access::Basis::BreakGlass(_)) => {
            g.subject.break_glass.iter().map(|b| b.1).max()
        }
        _ => None,
    });
    let mut e = Entry::new("case.read");
    e.participants = vec![p.id.clone()];
    e.case_id = Some(c.id.clone());
    e.categories = visible.iter().map(|c| c.as_str().to_string()).collect();
    e.denied = Category::ALL
        .iter()
        .filter(|c| !visible.contains(c))
        .map(|c| c.as_str().to_string())
        .collect();
    e.decision = if e.denied.is_empty() {
        "allow".into()
    } else {
        "partial".into()
    };
    e.basis = g.basis_summary();
    e.purpose = Some(Purpose::CaseWork.as_str().into());
    audit::append(a.state(), &who(a), e).await?;

    Ok(CaseView {
        case_id: c.id.clone(),
        participant_id: p.id.clone(),
        version: c.version,
        participant_version: p.version,
        first_name,
        last_name,
        personnummer,
        phone,
        email,
        address,
        background,
        birth_year: p.birth_year,
        gender: Gender::parse(&p.gender).unwrap_or(Gender::Unknown),
        municipality: p.municipality,
        protection: Protection::parse(&p.protection).unwrap_or(Protection::SkyddadFolkbokforing),
        status: CaseStatus::parse(&c.status).map_err(|_| AppError::Internal)?,
        sspf_level: SspfLevel::parse(&c.sspf_level).unwrap_or(SspfLevel::Individual),
        referral_source,
        owner_org_id: c.owner_org.clone(),
        owner_org,
        opened_at: c.opened_at,
        transitions: c
            .transitions
            .iter()
            .filter_map(|t| {
                Some(Transition {
                    from: t.from.as_deref().and_then(|f| CaseStatus::parse(f).ok()),
                    to: CaseStatus::parse(&t.to).ok()?,
                    at: t.at,
                    by: team
                        .iter()
                        .find(|m| m.user_id == t.by)
                        .map(|m| m.display_name.clone())
                        .unwrap_or_else(|| t.by.clone()),
                })
            })
            .collect(),
        team,
        visible,
        can_edit: g.manages(),
        handed_over: g.read_only(),
        can_extract: access::may_extract(&actor(a), &g.subject, now).is_ok(),
        break_glass_until: bg_until,
        shredded: p.shredded,
        summary,
    })
}

/// A case's team, oldest member first (`$c` the case); the names come from `crate::names`.
const TEAM_OF: &str =
    "SELECT user, org, part, added_at FROM case_member WHERE case = $c ORDER BY added_at";

/// A member as [`TEAM_OF`] reads it.
#[derive(Deserialize)]
struct MemberRow {
    user: String,
    org: String,
    part: String,
}

fn team_of(rows: Vec<MemberRow>, names: &crate::names::Names) -> Vec<TeamMember> {
    rows.into_iter()
        .map(|m| TeamMember {
            display_name: names.user(&m.user).unwrap_or_default().to_string(),
            org_name: names.org(&m.org).unwrap_or_default().to_string(),
            user_id: m.user,
            org_id: m.org,
            part: m.part,
        })
        .collect()
}

/// Filters for the case list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<CaseStatus>,
    pub mine: bool,
}

#[derive(Deserialize)]
pub(crate) struct ListRec {
    pub(crate) id: String,
    pub(crate) participant: String,
    owner_org: String,
    pub(crate) status: String,
    responsible: String,
    pub(crate) opened_at: DateTime<Utc>,
}

/// What a list row shows of a participant (the names sealed).
pub(crate) struct NameRec {
    pub(crate) id: String,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    birth_year: i32,
    gender: String,
    municipality: String,
    pub(crate) protection: String,
    pub(crate) shredded: bool,
}

/// A case the user may have a relation to, as its `case_row` (migration 32) holds it: the case,
/// what the list shows of its participant, and the participant's policy facts.
pub(crate) struct Candidate {
    pub(crate) case: ListRec,
    pub(crate) person: NameRec,
    pub(crate) subject: Subject,
}

/// A `case_row` as [`ROW_COLS`] reads it: the case's columns, what the list shows of its
/// participant, and the participant's policy facts (`subject_org`, `team`, the reader's own
/// `grants` and `glass`; `protection` and `shredded` are the participant's, shared by both).
#[derive(Deserialize)]
struct RowRec {
    id: String,
    participant: String,
    owner_org: String,
    status: String,
    responsible: String,
    opened_at: DateTime<Utc>,
    first_name: String,
    last_name: String,
    birth_year: i32,
    gender: String,
    municipality: String,
    protection: String,
    shredded: bool,
    others: Vec<String>,
    subject_org: String,
    team: Vec<subject::MRow>,
    grants: Vec<subject::CRow>,
    glass: Vec<subject::BRow>,
}

impl RowRec {
    fn into_candidate(self) -> Result<Candidate, AppError> {
        let (_, subject) = subject::FactsRow {
            id: self.participant.clone(),
            owner_org: self.subject_org,
            protection: self.protection.clone(),
            shredded: self.shredded,
            team: self.team,
            grants: self.grants,
            glass: self.glass,
        }
        .into_subject()?;
        Ok(Candidate {
            person: NameRec {
                id: self.participant.clone(),
                first_name: self.first_name,
                last_name: self.last_name,
                birth_year: self.birth_year,
                gender: self.gender,
                municipality: self.municipality,
                protection: self.protection,
                shredded: self.shredded,
            },
            case: ListRec {
                id: self.id,
                participant: self.participant,
                owner_org: self.owner_org,
                status: self.status,
                responsible: self.responsible,
                opened_at: self.opened_at,
            },
            subject,
        })
    }
}

/// The columns of a `case_row`, its policy facts' consents and break-glass cut to the reader
/// `$user`'s (of `$org`, at `$now`) own, as [`subject::FACTS`] reads them. The whole row and
/// three computed columns: naming each column and building the facts as an object cost a fifth
/// more per row (benchmark probe: 0.93 against 0.78 ms for the demo's Malmö rows).
const ROW_COLS: &str = concat!(
    "*, record::id(id) AS id, ",
    subject::own_grants!(),
    " AS grants, ",
    subject::own_glass!(),
    " AS glass"
);

/// The case rows of every case of the participants `$who`: each participant's list row names
/// the rows of its cases, and both are read by direct lookup, so no count of participants makes
/// this a scan.
const OF_PARTICIPANTS: &str = "FROM array::flatten((SELECT VALUE case_rows FROM fn::records('participant_row', $who) WHERE id != NONE))
        WHERE id != NONE AND ($status = NONE OR status = $status)";

/// The case rows `$more` by direct lookup.
const OF_IDS: &str =
    "FROM fn::records('case_row', $more) WHERE id != NONE AND ($status = NONE OR status = $status)";

/// The newest 500 case rows of the user's organisation, of any status and of the status
/// `$status`: a backward range of the `case_row_owner_opened` or `case_row_owner_status_opened`
/// index, cut at 500. Two texts, because a condition such as `$status = NONE OR …` beside the
/// range keeps SurrealDB from cutting it: it then reads every case of the organisation.
const OF_ORG: [&str; 2] = [
    "FROM case_row WHERE owner_org = $org ORDER BY opened_at DESC LIMIT 500",
    "FROM case_row WHERE owner_org = $org AND status = $status ORDER BY opened_at DESC LIMIT 500",
];

/// The participants on whose teams the user `$user` is (ended memberships too), read by key
/// from the user's `member_row` (migration 33): one row, however many cases. A macro, so that
/// query texts built with `concat!` share it.
macro_rules! on_teams_of_user {
    () => {
        "((SELECT VALUE participants FROM ONLY type::record('member_row', $user)) ?? [])"
    };
}
pub(crate) use on_teams_of_user;

/// The participants the user has a relation to, as `$related`: cases they are on, consents
/// naming their organisation, their break-glass. Binds `$user`, `$org`, `$now`, `$today` (a
/// stored date: consents run by whole Swedish days) and `$mine_only`; four statements.
const RELATIONS: &str = concat!(
    "
    LET $mine = ",
    on_teams_of_user!(),
    ";
    LET $consented = IF $mine_only THEN [] ELSE (SELECT VALUE participant FROM consent WHERE recipient_org = $org AND revoked_at = NONE AND valid_from <= <datetime>$today AND (valid_until = NONE OR valid_until > <datetime>$today)) END;
    LET $glass = IF $mine_only THEN [] ELSE (SELECT VALUE participant FROM break_glass WHERE user = $user AND expires_at > <datetime>$now) END;
    LET $related = array::union(array::union($mine, $consented), $glass);"
);

/// The first round trip of [`candidates`], one statement returning `[related, of_org, of_related]`:
/// [`RELATIONS`] and `$related`; where `$own_org`, the organisation's newest case rows; where
/// not, the case rows of every related participant. The first text is for any status, the
/// second for the status `$status`. One block rather than statements apart: each statement
/// costs its own 0.1–0.2 ms on this store (the relations as four statements 1.41 ms, as one
/// 1.16 ms: benchmark probe).
///
/// Relations and organisation are apart so that the work grows with the user's cases and not
/// with the table: with an `OR` between them in one filter SurrealDB scans the whole table, and
/// `participant IN $related` is served by an index only up to 32 related participants (the
/// demo's Göteborg case worker has 37). Measured against the one filter: docs/decisions.md
/// ("The case list's cases"). The test `the_case_list_reads_cases_without_a_scan` holds the
/// plans.
static FIRST: LazyLock<[String; 2]> = LazyLock::new(|| {
    OF_ORG.map(|of_org| {
        format!(
            "RETURN {{
    {RELATIONS}
    LET $who = IF $own_org THEN [] ELSE $related END;
    [
        $related,
        IF $own_org THEN (SELECT {ROW_COLS} {of_org}) ELSE [] END,
        IF $own_org THEN [] ELSE (SELECT {ROW_COLS} {OF_PARTICIPANTS}) END,
    ]
}};"
        )
    })
});

/// The second round trip of [`candidates`], only where the organisation's rows leave some out:
/// `[rows of $who, rows of $more]`, the case rows of the related participants `$who` without a
/// case among them, and the case rows `$more`, other cases of the participants among them.
static SECOND: LazyLock<String> = LazyLock::new(|| {
    format!("RETURN [(SELECT {ROW_COLS} {OF_PARTICIPANTS}), (SELECT {ROW_COLS} {OF_IDS})];")
});

/// `sql` with the bindings of the case list's queries for `a` and `filter`.
fn bound<'a>(a: &'a Authed, filter: &ListFilter, sql: String) -> crate::db::Q<'a> {
    a.state()
        .db()
        .q(sql)
        .bind("user", a.user_id())
        .bind("org", a.org_id())
        .bind("now", a.state().clock().now())
        .bind("today", stored_date(a.state().clock().today()))
        .bind("own_org", a.can(Capability::ManageCase) && !filter.mine)
        .bind("mine_only", filter.mine)
        .bind("status", filter.status.map(|s| s.as_str()))
}

/// The cases of participants the user has any relation to — their organisation's cases (case
/// workers and program leads), cases they are on, consents naming their organisation, their
/// break-glass — newest first, at most 500, each with what the list shows of its participant and
/// the participant's policy facts, read from the same row.
///
/// One round trip, and a second only where the organisation's newest cases leave out a related
/// participant, or another case of a participant among them: the rows of those are read by
/// direct lookup. For a case worker whose cases are all the organisation's, that is never.
pub(crate) async fn candidates(
    a: &Authed,
    filter: &ListFilter,
) -> Result<Vec<Candidate>, AppError> {
    let own_org = a.can(Capability::ManageCase) && !filter.mine;
    let text = &FIRST[usize::from(filter.status.is_some())];
    let (related, mut found, of_related): (Vec<String>, Vec<RowRec>, Vec<RowRec>) =
        serde_json::from_value(bound(a, filter, text.clone()).run().await?.value(0))
            .map_err(crate::db::DbError::from)?;
    let related: HashSet<String> = related.into_iter().collect();
    found.extend(of_related);
    let mut known: HashSet<String> = found.iter().map(|r| r.id.clone()).collect();
    if own_org {
        let among: HashSet<&str> = found.iter().map(|r| r.participant.as_str()).collect();
        let outside: Vec<&str> = related
            .iter()
            .map(String::as_str)
            .filter(|p| !among.contains(p))
            .collect();
        let mut more: Vec<&str> = found
            .iter()
            .filter(|r| related.contains(&r.participant))
            .flat_map(|r| r.others.iter().map(String::as_str))
            .filter(|c| !known.contains(*c))
            .collect();
        more.sort_unstable();
        more.dedup();
        if !outside.is_empty() || !more.is_empty() {
            let (mut extra, of_ids): (Vec<RowRec>, Vec<RowRec>) = serde_json::from_value(
                bound(a, filter, SECOND.clone())
                    .bind("who", &outside)
                    .bind("more", &more)
                    .run()
                    .await?
                    .value(0),
            )
            .map_err(crate::db::DbError::from)?;
            extra.extend(of_ids);
            for r in extra {
                if related.contains(&r.participant) && known.insert(r.id.clone()) {
                    found.push(r);
                }
            }
        }
    }
    // Cases opened at the same instant keep no particular order, as in one sorted statement.
    found.sort_by_key(|r| std::cmp::Reverse(r.opened_at));
    found.truncate(500);
    found.into_iter().map(RowRec::into_candidate).collect()
}

/// The cases as one filter with `OR` between relation and organisation, on the `case` table,
/// after the same relations' statements: what the list ran before its statements apart (a scan
/// of the `case` table). The tests compare answers with it and the benchmark times it beside
/// them; its `RETURN $cases` is statement [`ONE_FILTER_CASES_AT`].
#[cfg(any(test, feature = "fixtures"))]
pub(crate) fn one_filter_query<'a>(a: &'a Authed, filter: &ListFilter) -> crate::db::Q<'a> {
    bound(
        a,
        filter,
        format!(
            "{RELATIONS}
    LET $cases = (SELECT record::id(id) AS id, participant, owner_org, status, responsible, opened_at FROM case
        WHERE (participant IN $related OR ($own_org AND owner_org = $org)) AND ($status = NONE OR status = $status)
        ORDER BY opened_at DESC LIMIT 500);
    RETURN $cases;"
        ),
    )
}

/// Statement number of `RETURN $cases` in a [`one_filter_query`]: after the four relations'
/// statements and the one filter.
#[cfg(any(test, feature = "fixtures"))]
pub(crate) const ONE_FILTER_CASES_AT: usize = 5;

/// The case list: names decrypted only where `identity` is allowed; one audit entry. The
/// cases, their participants' policy facts and what the rows show are read from one row per
/// case.
pub async fn list(a: &Authed, filter: ListFilter) -> Result<Vec<CaseRow>, AppError> {
    require(a, Capability::ListCases, "case.list").await?;
    let found = candidates(a, &filter).await?;
    let mut related = related_rows(a, found, Purpose::List).await?;
    let mut e = Entry::new("case.list");
    e.participants = std::mem::take(&mut related.shown_ids);
    e.categories = vec!["identity".into()];
    e.purpose = Some(Purpose::List.as_str().into());
    // The names are opened while the entry is written; the list is answered once it is in
    // the chain.
    let entry = audit::begin(a.state(), &who(a), e);
    let out = related.open(a);
    entry.done().await?;
    Ok(out)
}

/// The rows a user has a relation to, decided, each with its participant's key where its name
/// is to be opened (`identity` allowed, not shredded), and those participants (for the caller's audit entry).
struct Related {
    rows: Vec<(Candidate, Option<Arc<Dek>>)>,
    shown_ids: Vec<String>,
    now: DateTime<Utc>,
}

/// The rows of `found` the user has a relation to, with the keys of the names to open where
/// `identity` is allowed ([`Related::open`] opens them).
async fn related_rows(
    a: &Authed,
    found: Vec<Candidate>,
    purpose: Purpose,
) -> Result<Related, AppError> {
    let now = a.state().clock().now();
    let act = actor(a);
    let mut shown_ids = Vec::new();
    let mut shown = HashSet::new();
    let mut rows = Vec::with_capacity(found.len());
    for c in found {
        // Only participants the user already has a relation to are ever answered: anything else
        // is left out exactly as if it did not exist (search included).
        if !access::related(&act, &c.subject, purpose, now) {
            continue;
        }
        let identity = access::may(&act, &c.subject, Category::Identity, purpose, now);
        let dek = if identity.allowed() && !c.person.shredded {
            let dek = vault::dek(a.state(), &c.person.id).await?;
            if dek.is_some() && shown.insert(c.person.id.clone()) {
                shown_ids.push(c.person.id.clone());
            }
            dek
        } else {
            None
        };
        rows.push((c, dek));
    }
    Ok(Related {
        rows,
        shown_ids,
        now,
    })
}

impl Related {
    /// The rows as answered, names opened.
    fn open(self, a: &Authed) -> Vec<CaseRow> {
        let now = self.now;
        self.rows
            .into_iter()
            .map(
                |(
                    Candidate {
                        case: c,
                        person: p,
                        subject: subj,
                    },
                    dek,
                )| {
                    let name = match &dek {
                        Some(dek) => {
                            vault::show_name(a.state(), dek, &p.id, &p.first_name, &p.last_name)
                        }
                        None => Shown::Masked,
                    };
                    CaseRow {
                        case_id: c.id,
                        participant_id: p.id,
                        name,
                        birth_year: p.birth_year,
                        gender: Gender::parse(&p.gender).unwrap_or(Gender::Unknown),
                        municipality: p.municipality,
                        protection: Protection::parse(&p.protection)
                            .unwrap_or(Protection::SkyddadFolkbokforing),
                        status: CaseStatus::parse(&c.status).unwrap_or(CaseStatus::Referred),
                        owner_org: c.owner_org,
                        responsible: c.responsible,
                        on_my_team: subj.team.iter().any(|m| m.user_id == a.user_id()),
                        shredded: p.shredded,
                        break_glass: subj.break_glass.iter().any(|b| b.1 > now),
                    }
                },
            )
            .collect()
    }
}

/// Exact search on personnummer or phone through the blind index.
///
/// Existence is secret (OSL 26 kap. 1 §): the answer holds only cases the searcher already has a
/// relation to, and for anyone else it is the answer for a number nobody has — the same empty
/// list, after the same queries. Every search is one `participant.search` entry with the
/// blind-index tag (never the number) and whether it was a hit, a miss, or a hit withheld for
/// lack of relation (which log review flags).
pub async fn search(a: &Authed, query: &str) -> Result<Vec<CaseRow>, AppError> {
    require(a, Capability::SearchPeople, "participant.search").await?;
    let today = a.state().clock().today();
    let q = query.trim();
    let tag = if let Ok(p) = Personnummer::parse(q, today) {
        (
            "personnummer",
            a.state()
                .with_keys(|k| k.blind_index("personnummer", p.as_str())),
        )
    } else if let Ok(p) = Phone::parse(q) {
        (
            "phone",
            a.state().with_keys(|k| k.blind_index("phone", p.as_str())),
        )
    } else {
        return Err(AppError::problem(
            "q",
            Problem::SearchTerm,
            "Sök på ett fullständigt personnummer (ÅÅÅÅMMDD-NNNN) eller telefonnummer.",
        ));
    };
    // The case rows of the participants found, with their policy facts and what the rows
    // show, in one statement. A miss reads the decoy rows (`crate::decoy`) where a hit reads
    // the person's: the blind index entry, the list row and a case row, each by key, of the
    // same shape and size, so that it is not answered sooner than a person the asker may not
    // see (load benchmark, part 6). The decoy's row is decided on like any, then dropped.
    let found: Vec<RowRec> = a
        .state()
        .db()
        .q(format!(
            "RETURN {{
                 LET $found = SELECT VALUE participant FROM blind_index WHERE kind = $k AND tag = $t;
                 LET $real = array::len($found) > 0;
                 LET $who = IF $real THEN array::distinct($found)
                     ELSE [type::record('decoy_blind_index', $decoy).participant] END;
                 LET $rows = array::flatten((SELECT VALUE case_rows
                     FROM fn::records(IF $real THEN 'participant_row' ELSE 'decoy_participant_row' END, $who)
                     WHERE id != NONE));
                 LET $rows = IF array::len($rows) = 0 THEN [type::record('decoy_case_row', $decoy)] ELSE $rows END;
                 SELECT {ROW_COLS} FROM $rows WHERE id != NONE ORDER BY opened_at DESC
             }};"
        ))
        .bind("k", tag.0)
        .bind("t", &tag.1)
        .bind("decoy", crate::decoy::KEY)
        .bind("user", a.user_id())
        .bind("org", a.org_id())
        .bind("now", a.state().clock().now())
        .run()
        .await?
        .all(0)?;
    let found: Vec<Candidate> = found
        .into_iter()
        .map(RowRec::into_candidate)
        .collect::<Result<_, _>>()?;
    // The decoy is decided on as a person would be (`related_rows`), and what it gives dropped.
    let (found, decoys): (Vec<Candidate>, Vec<Candidate>) = found
        .into_iter()
        .partition(|c| c.case.participant != crate::decoy::KEY);
    drop(related_rows(a, decoys, Purpose::Search).await?.open(a));
    let persons: Vec<String> = found.iter().map(|c| c.case.participant.clone()).collect();
    let mut related = related_rows(a, found, Purpose::Search).await?;
    let shown_ids = std::mem::take(&mut related.shown_ids);
    let rows = related.open(a);
    let answered: Vec<&str> = rows.iter().map(|r| r.participant_id.as_str()).collect();
    let mut withheld: Vec<String> = persons
        .into_iter()
        .filter(|p| !answered.contains(&p.as_str()))
        .collect();
    withheld.sort();
    withheld.dedup();
    let outcome = match (answered.is_empty(), withheld.is_empty()) {
        (true, true) => "miss",
        (false, true) => "hit",
        (true, false) => "withheld",
        (false, false) => "hit+withheld",
    };
    let mut e = Entry::new("participant.search");
    e.categories = if shown_ids.is_empty() {
        vec![]
    } else {
        vec!["identity".into()]
    };
    e.participants = shown_ids;
    e.participants.extend(withheld.iter().cloned());
    e.decision = if withheld.is_empty() {
        "allow"
    } else if answered.is_empty() {
        "deny"
    } else {
        "partial"
    }
    .into();
    e.purpose = Some(Purpose::Search.as_str().into());
    e.reason = Some(format!("{} tag {}: {outcome}", tag.0, tag.1));
    audit::append(a.state(), &who(a), e).await?;
    Ok(rows)
}

/// Loads the case and its policy facts through the gate, and refuses (audited) anyone who may
/// not manage it.
pub(crate) async fn managed_case(
    a: &Authed,
    case_id: &str,
    action: &str,
) -> Result<(CaseRec, Subject), AppError> {
    let g = CaseGate::open(a, case_id, action, Purpose::Edit).await?;
    g.require_manage(action).await?;
    Ok((g.case, g.subject))
}

/// Edits the participant's details (the owning team only). Stale versions are a `Conflict`.
pub async fn update(
    a: &Authed,
    case_id: &str,
    version: i64,
    v: ValidParticipant,
) -> Result<(), AppError> {
    let (c, subj) = managed_case(a, case_id, "participant.update").await?;
    if subj.shredded {
        return Err(AppError::problem(
            "",
            domain::error::Problem::Shredded,
            "Uppgifterna är gallrade och kan inte ändras.",
        ));
    }
    // The stored row: its municipality, and the values an edit replaces, which are kept.
    let row: Option<serde_json::Map<String, serde_json::Value>> = a
        .state()
        .db()
        .q("SELECT * FROM ONLY type::record('participant', $p)")
        .bind("p", &c.participant)
        .run()
        .await?
        .first(0)?;
    let row = row.ok_or(AppError::NotFound)?;
    let current = row.get("municipality").and_then(|m| m.as_str());
    if (subj.protection.is_protected() || v.protection.is_protected())
        && current.is_some_and(|m| !m.eq_ignore_ascii_case(&v.municipality))
    {
        // The clear municipality is for statistics and stays the one registered; where a
        // protected person lives now is location, and location is only ever sealed.
        return Err(AppError::problem(
            "municipality",
            Problem::ProtectedMunicipality,
            "För en person med skyddade personuppgifter ändras inte hemkommunen här. Skriv den nya orten i adressfältet, som är krypterat och bara syns för ärendeteamet.",
        ));
    }
    let dek = vault::dek(a.state(), &c.participant)
        .await?
        .ok_or(AppError::NotFound)?;
    let f = seal_fields(a, &dek, &c.participant, &v)?;
    // Sealed for the version read; should another save have come in between, the version check
    // below refuses this one, so what is kept is always what the edit replaces.
    let replaced = super::participant_history::replaced(
        &dek,
        &c.participant,
        version,
        &row,
        &v.stored_form(),
    )?;
    let mut vars = serde_json::Map::new();
    vars.insert("pid".into(), json!(c.participant));
    vars.insert("v".into(), json!(version));
    vars.insert("replaced".into(), json!(replaced));
    vars.insert("org".into(), json!(a.org_id()));
    vars.insert("user".into(), json!(a.user_id()));
    vars.insert("now".into(), json!(a.state().clock().now()));
    vars.insert(
        "p".into(),
        json!({
            "first_name": f.first_name, "last_name": f.last_name, "personnummer": f.personnummer,
            "phone": f.phone, "email": f.email, "address": f.address, "background": f.background,
            "birth_year": v.birth_year, "gender": v.gender.as_str(), "municipality": v.municipality,
            "protection": v.protection.as_str(),
        }),
    );
    vars.insert(
        "tags".into(),
        json!(f
            .tags
            .iter()
            .map(|(k, t)| json!({"kind": k, "tag": t}))
            .collect::<Vec<_>>()),
    );
    let body = "
        LET $cur = (SELECT VALUE version FROM ONLY type::record('participant', $pid));
        IF $cur != $v { THROW 'conflict:stale:Någon annan har ändrat personuppgifterna medan du arbetade. Ladda om sidan, jämför och gör om ändringen.' };
        FOR $t IN $tags {
            IF $t.kind = 'personnummer' {
                FOR $x IN (SELECT VALUE participant FROM blind_index WHERE kind = 'personnummer' AND tag = $t.tag AND participant != $pid) {
                    LET $xo = (SELECT VALUE owner_org FROM ONLY type::record('participant', $x));
                    IF $xo = $org {
                        THROW 'invalid:personnummer:person_exists:Det finns redan en annan person med det personnumret i er verksamhet.';
                    } ELSE IF (SELECT VALUE status FROM duplicate_candidate WHERE existing = $x AND new_participant = $pid AND status = 'open') = [] {
                        CREATE duplicate_candidate CONTENT { existing: $x, existing_org: $xo, new_participant: $pid,
                            new_org: $org, found_at: <datetime>$now, found_by: $user, status: 'open',
                            resolved_at: NONE, resolved_by: NONE } RETURN NONE;
                    };
                };
            };
        };
        IF $replaced != NONE {
            UPDATE type::record('participant', $pid) SET history = array::append(history ?? [],
                { version: $v, previous: $replaced, replaced_at: <datetime>$now, by: $user }) RETURN NONE;
        };
        UPDATE type::record('participant', $pid) MERGE {
            first_name: $p.first_name, last_name: $p.last_name, personnummer: $p.personnummer,
            phone: $p.phone, email: $p.email, address: $p.address, background: $p.background,
            birth_year: $p.birth_year, gender: $p.gender, municipality: $p.municipality,
            protection: $p.protection, version: $v + 1 } RETURN NONE;
        DELETE blind_index WHERE participant = $pid;
        FOR $t IN $tags { CREATE blind_index CONTENT { kind: $t.kind, tag: $t.tag, participant: $pid } RETURN NONE; };
        FOR $c IN (SELECT VALUE record::id(id) FROM case WHERE participant = $pid) { fn::stat_refresh($c); };
    ";
    let mut e = Entry::new("participant.update");
    e.participants = vec![c.participant.clone()];
    e.case_id = Some(c.id.clone());
    e.categories = vec![
        "identity".into(),
        "contact_info".into(),
        "location".into(),
        "notes".into(),
    ];
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    Ok(())
}

/// Moves the case along its lifecycle. Illegal transitions are refused with a message.
pub async fn transition(
    a: &Authed,
    case_id: &str,
    version: i64,
    to: CaseStatus,
) -> Result<(), AppError> {
    let (c, _) = managed_case(a, case_id, "case.status").await?;
    let from = CaseStatus::parse(&c.status).map_err(|_| AppError::Internal)?;
    if c.version != version {
        return Err(AppError::conflict(
            Problem::Stale,
            "Ärendet har ändrats av någon annan. Ladda om sidan och försök igen.",
        ));
    }
    from.check_transition(to)?;
    let now = a.state().clock().now();
    let mut vars = serde_json::Map::new();
    for (k, v) in [
        ("cid", json!(c.id)),
        ("pid", json!(c.participant)),
        ("v", json!(version)),
        ("from", json!(from.as_str())),
        ("to", json!(to.as_str())),
        ("now", json!(now)),
        ("user", json!(a.user_id())),
        ("closing", json!(to.is_closed())),
        ("org", json!(a.org_id())),
    ] {
        vars.insert(k.into(), v);
    }
    // The change also goes on the shared timeline, its text sealed like every event's.
    let eid = new_id();
    let (eline, etext) = match vault::dek(a.state(), &c.participant).await? {
        Some(dek) => {
            let line = EventLine::Status { from, to };
            crate::casework::sealed_event(&dek, &eid, Some(&line), "")?
        }
        None => (serde_json::Value::Null, serde_json::Value::Null),
    };
    vars.insert("eid".into(), json!(eid));
    vars.insert("eline".into(), eline);
    vars.insert("etext".into(), etext);
    let body = "
        LET $cur = (SELECT VALUE version FROM ONLY type::record('case', $cid));
        IF $cur != $v { THROW 'conflict:stale:Ärendet har ändrats av någon annan. Ladda om sidan och försök igen.' };
        UPDATE type::record('case', $cid) SET status = $to, version = $v + 1, last_entry_at = <datetime>$now,
            open = !$closing, closed_at = IF $closing THEN <datetime>$now ELSE NONE END,
            transitions += { from: $from, to: $to, at: <datetime>$now, by: $user } RETURN NONE;
        IF $closing { DELETE type::record('open_case', $pid) };
        CREATE type::record('event', $eid) CONTENT { case: $cid, participant: $pid, kind: 'status', category: 'plan',
            org: $org, author: $user, at: <datetime>$now, line: $eline, text: $etext, source: 'case:' + $cid, corrected: false } RETURN NONE;
        fn::stat_refresh($cid);
    ";
    let mut e = Entry::new("case.status");
    e.participants = vec![c.participant.clone()];
    e.case_id = Some(c.id.clone());
    e.reason = Some(format!("{} -> {}", from.as_str(), to.as_str()));
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    Ok(())
}

/// Adds a named member to the case team (a user of any organisation; their access to content
/// still follows consent unless they belong to the owning organisation).
pub async fn add_member(
    a: &Authed,
    case_id: &str,
    username: &str,
    part: &str,
) -> Result<(), AppError> {
    const PARTS: [&str; 6] = [
        "responsible",
        "case_worker",
        "program_lead",
        "police_contact",
        "mentor",
        "other",
    ];
    if !PARTS.contains(&part) {
        return Err(AppError::problem(
            "part",
            domain::error::Problem::Choose,
            "Välj vilken roll personen har i ärendet.",
        ));
    }
    let (c, _) = managed_case(a, case_id, "case.team_add").await?;
    #[derive(Deserialize)]
    struct U {
        id: String,
        org: String,
        role: String,
        active: bool,
    }
    let u: Option<U> = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, org, role, active FROM user WHERE username = $u LIMIT 1")
        .bind("u", username.trim().to_lowercase())
        .run()
        .await?
        .first(0)?;
    let u = u
        .filter(|u| u.active && !matches!(u.role.as_str(), "admin" | "auditor"))
        .ok_or_else(|| {
            AppError::problem(
                "username",
                Problem::NoSuchColleague,
                "Det finns inget aktivt konto med det användarnamnet som kan ingå i ett ärende.",
            )
        })?;
    let now = a.state().clock().now();
    let mut vars = serde_json::Map::new();
    for (k, v) in [
        ("mid", json!(new_id())),
        ("cid", json!(c.id)),
        ("pid", json!(c.participant)),
        ("user", json!(u.id)),
        ("org", json!(u.org)),
        ("part", json!(part)),
        ("now", json!(now)),
        ("by", json!(a.user_id())),
    ] {
        vars.insert(k.into(), v);
    }
    let body = "
        IF (SELECT VALUE user FROM case_member WHERE case = $cid AND user = $user) != [] {
            THROW 'invalid:username:already_on_team:Personen ingår redan i ärendet.';
        };
        CREATE type::record('case_member', $mid) CONTENT { case: $cid, participant: $pid, user: $user, org: $org,
            part: $part, added_at: <datetime>$now, added_by: $by } RETURN NONE;
        UPDATE type::record('case', $cid) SET last_entry_at = <datetime>$now RETURN NONE;
    ";
    let mut e = Entry::new("case.team_add");
    e.participants = vec![c.participant.clone()];
    e.case_id = Some(c.id.clone());
    e.reason = Some(format!("{} as {part}", u.id));
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    Ok(())
}

pub async fn remove_member(a: &Authed, case_id: &str, user_id: &str) -> Result<(), AppError> {
    check_id(user_id)?;
    let (c, _) = managed_case(a, case_id, "case.team_remove").await?;
    if user_id == c.responsible {
        return Err(AppError::problem(
            "user_id",
            Problem::ResponsibleStays,
            "Den ansvariga handläggaren kan inte tas bort. Byt ansvarig först.",
        ));
    }
    let mut vars = serde_json::Map::new();
    vars.insert("cid".into(), json!(c.id));
    vars.insert("user".into(), json!(user_id));
    let body = "
        IF (SELECT VALUE user FROM case_member WHERE case = $cid AND user = $user) = [] { THROW 'notfound' };
        DELETE case_member WHERE case = $cid AND user = $user;
    ";
    let mut e = Entry::new("case.team_remove");
    e.participants = vec![c.participant.clone()];
    e.case_id = Some(c.id.clone());
    e.reason = Some(user_id.to_string());
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    Ok(())
}

/// Users who can be added to a team: active accounts with a case-work role.
pub async fn team_candidates(a: &Authed) -> Result<Vec<(String, String, String)>, AppError> {
    require(a, Capability::ManageCase, "case.team_candidates").await?;
    #[derive(Deserialize)]
    struct U {
        username: String,
        display_name: String,
        org_name: Option<String>,
    }
    let rows: Vec<U> = a
        .state()
        .db()
        .q("SELECT username, display_name, (SELECT VALUE name FROM ONLY type::record('org', $parent.org)) AS org_name
            FROM user WHERE active = true AND role IN ['case_worker', 'program_lead', 'partner', 'police'] ORDER BY username")
        .run()
        .await?
        .all(0)?;
    Ok(rows
        .into_iter()
        .map(|u| (u.username, u.display_name, u.org_name.unwrap_or_default()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::demo_people;
    use crate::testing::{as_user, setup};
    use std::collections::{BTreeMap, BTreeSet};

    /// One write of an equality test, made straight in the database (as any future write path
    /// would), with `$p` and `$q` bound.
    async fn write_straight(state: &crate::AppState, what: &str, sql: &str, p: &str, q: &str) {
        state
            .db()
            .q(sql)
            .bind("p", p)
            .bind("q", q)
            .run()
            .await
            .unwrap_or_else(|e| panic!("{what}: {e:?}"));
    }

    /// Every participant's id, in order.
    const PARTICIPANT_IDS: &str = "SELECT VALUE record::id(id) FROM participant ORDER BY id";

    /// The values of one statement, as strings.
    async fn strings(state: &crate::AppState, sql: &str) -> Vec<String> {
        state.db().q(sql).run().await.unwrap().all(0).unwrap()
    }

    fn form_of(i: usize, municipality: &str) -> ParticipantForm {
        let p = &demo_people()[i];
        ParticipantForm {
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            personnummer: p.personnummer.clone(),
            phone: p.phone.clone(),
            email: p.email.clone(),
            address: p.address.clone(),
            background: String::new(),
            birth_year: String::new(),
            gender: if p.female { "female" } else { "male" }.into(),
            municipality: municipality.into(),
            protection: p.protection.as_str().into(),
        }
    }

    /// Every participant's list row equals its participant's own fields and its cases.
    async fn assert_list_rows_equal(state: &crate::AppState, what: &str) {
        const FIELDS: &str = "record::id(id) AS id, first_name, last_name, birth_year, gender, municipality, protection, shredded";
        let mut rows = state
            .db()
            .q(format!(
                "SELECT {FIELDS}, cases, case_rows FROM participant_row ORDER BY id;
                 SELECT {FIELDS}, (SELECT VALUE id FROM case WHERE participant = record::id($parent.id) ORDER BY id) AS cases,
                     (SELECT VALUE type::record('case_row', record::id(id)) FROM case WHERE participant = record::id($parent.id) ORDER BY id) AS case_rows
                     FROM participant ORDER BY id;"
            ))
            .run()
            .await
            .unwrap();
        let (kept, own): (Vec<serde_json::Value>, Vec<serde_json::Value>) =
            (rows.all(0).unwrap(), rows.all(1).unwrap());
        assert!(!own.is_empty(), "{what}: no participants");
        assert_eq!(kept, own, "{what}");
    }

    /// The list rows (migrations 29, 30 and 32) hold a participant's own fields and the ids of
    /// its cases and of their rows exactly, on the demo store with its history and after writes of every kind to
    /// `participant` and `case`, made directly in the database as any future write path would;
    /// a participant removed has no row left.
    #[tokio::test]
    async fn the_list_rows_equal_the_participants_own_fields() {
        let (state, _) = crate::testing::history_store().await;
        assert_list_rows_equal(&state, "demo store with history").await;
        let ps = strings(&state, PARTICIPANT_IDS).await;
        let (p, q) = (&ps[0], &ps[1]);
        let steps: [(&str, &str); 13] = [
            ("a case opened", "LET $x = (SELECT * OMIT id FROM case WHERE participant = $p LIMIT 1)[0]; CREATE case:opened CONTENT $x"),
            ("a case moved to another participant", "UPDATE case:opened SET participant = $q"),
            ("a case removed", "DELETE case:opened"),
            ("a name changed", "UPDATE type::record('participant', $p) SET first_name = 'another sealed name'"),
            ("a surname changed", "UPDATE type::record('participant', $p) SET last_name = 'another sealed surname'"),
            ("moved", "UPDATE type::record('participant', $p) SET municipality = 'Mölndal'"),
            ("birth year corrected", "UPDATE type::record('participant', $p) SET birth_year = 1999"),
            ("gender corrected", "UPDATE type::record('participant', $p) SET gender = 'other'"),
            ("protection raised", "UPDATE type::record('participant', $q) SET protection = 'sekretessmarkering'"),
            ("another field changed", "UPDATE type::record('participant', $q) SET version += 1"),
            ("shredded", "UPDATE type::record('participant', $q) SET shredded = true, first_name = '', last_name = ''"),
            ("registered", "LET $x = SELECT * OMIT id FROM ONLY type::record('participant', $p); CREATE participant:copied CONTENT $x"),
            ("removed", "DELETE type::record('participant', $p)"),
        ];
        for (what, sql) in steps {
            write_straight(&state, what, sql, p, q).await;
            assert_list_rows_equal(&state, what).await;
        }
    }

    /// Neither of the case list's statements scans a table, whatever the number of related
    /// participants (here 200, far above the 32 values up to which SurrealDB serves an `IN` from
    /// an index), and the organisation's newest case rows, of any status or of one, are a
    /// backward range of an index cut at the limit in the index scan itself.
    #[tokio::test]
    async fn the_case_list_reads_cases_without_a_scan() {
        let state = setup().await;
        let related: Vec<String> = (0..200).map(|i| format!("someone{i}")).collect();
        for (status, of_org, index) in [
            (None, OF_ORG[0], "case_row_owner_opened"),
            (Some("active"), OF_ORG[1], "case_row_owner_status_opened"),
        ] {
            let mut plans = state
                .db()
                .q(format!(
                    "EXPLAIN SELECT {ROW_COLS} {OF_PARTICIPANTS}; EXPLAIN SELECT {ROW_COLS} {of_org}; EXPLAIN SELECT {ROW_COLS} {OF_IDS};"
                ))
                .bind("who", &related)
                .bind("more", &related)
                .bind("org", crate::demo::ORG_GBG)
                .bind("user", "someone")
                .bind("now", state.clock().now())
                .bind("status", status)
                .run()
                .await
                .unwrap();
            let (relation, org, ids) = (
                plans.value(0).to_string(),
                plans.value(1).to_string(),
                plans.value(2).to_string(),
            );
            assert!(!relation.contains("TableScan"), "{status:?}: {relation}");
            assert!(!ids.contains("TableScan"), "{status:?}: {ids}");
            assert!(!org.contains("TableScan"), "{status:?}: {org}");
            assert!(org.contains(index), "{status:?}: {org}");
            assert!(org.contains("Backward"), "{status:?}: {org}");
            // The limit is the index scan's own, not a filter's over every case it reads.
            assert!(!org.contains("Filter"), "{status:?}: {org}");
            assert!(org.contains("limit: 500"), "{status:?}: {org}");
        }
    }

    /// Every case row equals a recomputation from `case`, `participant`, `case_member`,
    /// `consent` and `break_glass`.
    async fn assert_case_rows_equal(state: &crate::AppState, what: &str) {
        const CASE: &str =
            "record::id(id) AS id, participant, owner_org, status, responsible, opened_at";
        const PERSON: &str =
            "first_name, last_name, birth_year, gender, municipality, protection, shredded";
        let mut rows = state
            .db()
            .q(format!(
                "SELECT {CASE}, {PERSON}, others, subject_org, team, grants, glass FROM case_row ORDER BY id;
                 SELECT {CASE}, p.first_name AS first_name, p.last_name AS last_name, p.birth_year AS birth_year,
                        p.gender AS gender, p.municipality AS municipality, p.protection AS protection,
                        p.shredded AS shredded, others, p.owner_org AS subject_org, team, grants, glass
                 FROM (SELECT *,
                        (SELECT {PERSON}, owner_org FROM ONLY type::record('participant', $parent.participant)) AS p,
                        (SELECT VALUE record::id(id) FROM case WHERE participant = $parent.participant AND id != $parent.id ORDER BY id) AS others,
                        (SELECT user, org, until FROM case_member WHERE participant = $parent.participant ORDER BY user, org) AS team,
                        (SELECT record::id(id) AS id, recipient_org, categories, valid_from, valid_until, revoked_at
                            FROM consent WHERE participant = $parent.participant ORDER BY id) AS grants,
                        (SELECT record::id(id) AS id, user, expires_at FROM break_glass WHERE participant = $parent.participant ORDER BY id) AS glass
                     FROM case)
                 WHERE p != NONE ORDER BY id;"
            ))
            .run()
            .await
            .unwrap();
        // An absent optional field reads as null from a subquery and as nothing from a row.
        fn without_nulls(v: serde_json::Value) -> serde_json::Value {
            match v {
                serde_json::Value::Object(o) => o
                    .into_iter()
                    .filter(|(_, x)| !x.is_null())
                    .map(|(k, x)| (k, without_nulls(x)))
                    .collect(),
                serde_json::Value::Array(a) => a.into_iter().map(without_nulls).collect(),
                x => x,
            }
        }
        let (kept, own): (Vec<serde_json::Value>, Vec<serde_json::Value>) =
            (rows.all(0).unwrap(), rows.all(1).unwrap());
        let (kept, own) = (without_nulls(kept.into()), without_nulls(own.into()));
        assert!(
            own.as_array().is_some_and(|a| !a.is_empty()),
            "{what}: no cases"
        );
        assert_eq!(kept, own, "{what}");
    }

    /// The case rows (migration 32) hold each case's columns, its participant's own fields and
    /// other cases, and the policy facts recomputed from `participant`, `case_member`, `consent`
    /// and `break_glass` themselves, on the demo store with its history and after writes of
    /// every kind to each of those tables and to `case`, made directly in the database as any
    /// future write path would; a case whose participant is removed has no row left.
    #[tokio::test]
    async fn the_case_rows_equal_a_recomputation_from_the_tables() {
        let (state, _) = crate::testing::history_store().await;
        assert_case_rows_equal(&state, "demo store with history").await;
        let ps = strings(
            &state,
            "SELECT VALUE participant FROM case ORDER BY participant",
        )
        .await;
        let (p, q) = (&ps[0], &ps[ps.len() - 1]);
        let steps: [(&str, &str); 20] = [
            ("a case opened", "LET $x = (SELECT * OMIT id FROM case WHERE participant = $p LIMIT 1)[0]; CREATE case:opened CONTENT $x"),
            ("its status changed", "UPDATE case:opened SET status = IF status = 'paused' THEN 'active' ELSE 'paused' END"),
            ("another responsible", "UPDATE case:opened SET responsible = 'demo_handlaggare2'"),
            ("handed over", "UPDATE case:opened SET owner_org = 'malmo_soc'"),
            ("a member added", "CREATE case_member CONTENT { case: 'opened', participant: $p, user: 'demo_polis', org: 'polis_vast', part: 'police_contact', added_at: time::now(), added_by: 'demo_handlaggare' }"),
            ("a member's end set", "UPDATE case_member SET until = time::now() + 30d WHERE case = 'opened'"),
            ("a member moved to another participant", "UPDATE case_member SET participant = $q WHERE case = 'opened'"),
            ("a member removed", "DELETE case_member WHERE case = 'opened'"),
            ("a consent given", "CREATE consent:given CONTENT { participant: $p, recipient_org: 'polis_vast', categories: ['safety'], basis: 'samtycke', valid_from: time::now() - 1d, recorded_at: time::now(), recorded_by: 'demo_handlaggare' }"),
            ("a consent moved to another participant", "UPDATE consent:given SET participant = $q"),
            ("a consent revoked", "UPDATE consent:given SET revoked_at = time::now(), revoked_by = 'demo_handlaggare'"),
            ("a break-glass", "CREATE break_glass:opened CONTENT { participant: $p, user: 'demo_polis', org: 'polis_vast', reason: 'akut hot', granted_at: time::now(), expires_at: time::now() + 1h, review: 'pending' }"),
            ("a break-glass moved to another participant", "UPDATE break_glass:opened SET participant = $q"),
            ("a case moved to another participant", "UPDATE case:opened SET participant = $q"),
            ("a name changed", "UPDATE type::record('participant', $q) SET first_name = 'another sealed name'"),
            ("moved", "UPDATE type::record('participant', $q) SET municipality = 'Mölndal'"),
            ("protection raised", "UPDATE type::record('participant', $q) SET protection = 'sekretessmarkering'"),
            ("shredded", "UPDATE type::record('participant', $q) SET shredded = true, first_name = '', last_name = ''"),
            ("a case removed", "DELETE case:opened"),
            ("a participant removed", "DELETE type::record('participant', $p)"),
        ];
        for (what, sql) in steps {
            write_straight(&state, what, sql, p, q).await;
            assert_case_rows_equal(&state, what).await;
        }
    }

    /// A store written before migration 32 (demo data with its history, from before the case
    /// rows and the list rows' `case_rows` existed) gets every row from the migration's fill:
    /// what `make run` does on an existing store.
    #[tokio::test]
    async fn a_store_from_before_migration_32_gets_every_case_row_from_its_fill() {
        async fn count(state: &crate::AppState, sql: &str) -> usize {
            let n: Option<usize> = state.db().q(sql).run().await.unwrap().first(0).unwrap();
            n.unwrap_or(0)
        }
        let (state, _) = crate::testing::history_store().await;
        write_straight(
            &state,
            "back to the store before migration 32",
            "REMOVE EVENT case_row ON TABLE case; REMOVE EVENT case_row ON TABLE participant_row;
             REMOVE EVENT case_row ON TABLE policy_facts; REMOVE TABLE case_row;
             REMOVE FIELD case_rows ON TABLE participant_row;
             UPDATE participant_row UNSET case_rows RETURN NONE;",
            "",
            "",
        )
        .await;
        assert_eq!(
            count(
                &state,
                "RETURN count(SELECT id FROM participant_row WHERE case_rows != NONE)"
            )
            .await,
            0
        );
        let cases = count(&state, "RETURN count(SELECT id FROM case)").await;
        assert!(cases > 0);
        crate::db::migrations::rerun(state.db(), 32).await;
        assert_eq!(
            count(&state, "RETURN count(SELECT id FROM case_row)").await,
            cases
        );
        assert_case_rows_equal(&state, "filled by migration 32").await;
        assert_list_rows_equal(&state, "filled by migration 32").await;
    }

    /// Every user's member row equals the participants of the `case_member` entries naming the
    /// user, recounted here; a user on no team has none.
    async fn assert_member_rows_equal(state: &crate::AppState, what: &str) {
        #[derive(Deserialize)]
        struct Kept {
            id: String,
            participants: Vec<String>,
        }
        #[derive(Deserialize)]
        struct Member {
            user: String,
            participant: String,
        }
        let mut rows = state
            .db()
            .q("SELECT record::id(id) AS id, participants FROM member_row;
                SELECT user, participant FROM case_member;")
            .run()
            .await
            .unwrap();
        let kept: BTreeMap<String, Vec<String>> = rows
            .all::<Kept>(0)
            .unwrap()
            .into_iter()
            .map(|k| (k.id, k.participants))
            .collect();
        let mut own: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for m in rows.all::<Member>(1).unwrap() {
            own.entry(m.user).or_default().insert(m.participant);
        }
        let own: BTreeMap<String, Vec<String>> = own
            .into_iter()
            .map(|(u, ps)| (u, ps.into_iter().collect()))
            .collect();
        assert!(!own.is_empty(), "{what}: no team members");
        assert_eq!(kept, own, "{what}");
    }

    /// The member rows (migration 33) hold each user's participants by team membership exactly,
    /// on the demo store with its history, after writes of every kind to `case_member`, made
    /// directly in the database as any future write path would, and as the migration's fill
    /// writes them on a store from before it.
    #[tokio::test]
    async fn the_member_rows_equal_the_users_team_memberships() {
        let (state, _) = crate::testing::history_store().await;
        assert_member_rows_equal(&state, "demo store with history").await;
        let ps = strings(&state, PARTICIPANT_IDS).await;
        let (p, q) = (&ps[0], &ps[1]);
        let member = |case: &str, participant: &str, user: &str| {
            format!(
                "CREATE case_member CONTENT {{ case: '{case}', participant: {participant}, user: '{user}', org: 'polis_vast', \
                 part: 'police_contact', added_at: time::now(), added_by: 'demo_handlaggare' }}"
            )
        };
        let steps: [(&str, String); 9] = [
            ("a user on a first team", member("one", "$p", "someone")),
            (
                "on a second participant's team",
                member("two", "$q", "someone"),
            ),
            (
                "on a second case of the same participant",
                member("three", "$q", "someone"),
            ),
            (
                "a membership's end set",
                "UPDATE case_member SET until = time::now() + 30d WHERE case = 'one'".into(),
            ),
            (
                "a membership given to another user",
                "UPDATE case_member SET user = 'someone_else' WHERE case = 'two'".into(),
            ),
            (
                "a membership moved to another participant",
                "UPDATE case_member SET participant = $p WHERE case = 'three'".into(),
            ),
            (
                "a membership removed",
                "DELETE case_member WHERE case = 'one'".into(),
            ),
            (
                "the user's last membership removed",
                "DELETE case_member WHERE case = 'three'".into(),
            ),
            (
                "the other user's removed",
                "DELETE case_member WHERE case = 'two'".into(),
            ),
        ];
        for (what, sql) in steps {
            write_straight(&state, what, &sql, p, q).await;
            assert_member_rows_equal(&state, what).await;
        }

        write_straight(
            &state,
            "back to the store before migration 33",
            "REMOVE EVENT member_row ON TABLE case_member; REMOVE TABLE member_row;",
            p,
            q,
        )
        .await;
        crate::db::migrations::rerun(state.db(), 33).await;
        assert_member_rows_equal(&state, "filled by migration 33").await;
    }

    /// The case rows the list reads answer exactly the cases the one filter with `OR` between
    /// relation and organisation answers, for every demo user, with and without filters; also
    /// where a participant among the organisation's cases has a case in another organisation
    /// (read in the second round trip).
    #[tokio::test]
    async fn the_case_lists_statements_answer_as_the_one_filter_did() {
        let state = setup().await;
        let users = [
            "handlaggare",
            "handlaggare.malmo",
            "programledare",
            "passus",
            "polis",
            "granskare",
        ];
        let mut compared = 0;
        for u in users {
            let a = as_user(&state, u).await;
            for filter in [
                ListFilter::default(),
                ListFilter {
                    mine: true,
                    status: None,
                },
                ListFilter {
                    mine: false,
                    status: Some(CaseStatus::Active),
                },
            ] {
                let ids = |v: Vec<ListRec>| {
                    // Cases opened at the same instant may come in either order.
                    let mut ids: Vec<String> = v.into_iter().map(|c| c.id).collect();
                    ids.sort();
                    ids
                };
                let now: Vec<ListRec> = candidates(&a, &filter)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|c| c.case)
                    .collect();
                let before: Vec<ListRec> = one_filter_query(&a, &filter)
                    .run()
                    .await
                    .unwrap()
                    .all(ONE_FILTER_CASES_AT)
                    .unwrap();
                let (now, before) = (ids(now), ids(before));
                if !filter.mine && filter.status.is_none() && u != "granskare" {
                    assert!(!now.is_empty(), "{u} sees no cases at all");
                }
                assert_eq!(now, before, "{u} {filter:?}");
                compared += 1;
            }
        }
        assert_eq!(compared, users.len() * 3);

        // A case of another organisation for a person on the case worker's own team.
        let a = as_user(&state, "handlaggare").await;
        state
            .db()
            .q("LET $p = (SELECT VALUE participant FROM case_member WHERE user = $user LIMIT 1)[0];
                LET $x = (SELECT * OMIT id FROM case WHERE participant = $p LIMIT 1)[0];
                CREATE case:elsewhere CONTENT $x;
                UPDATE case:elsewhere SET owner_org = 'malmo_soc'")
            .bind("user", a.user_id())
            .run()
            .await
            .unwrap();
        let filter = ListFilter::default();
        let now: Vec<String> = candidates(&a, &filter)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.case.id)
            .collect();
        assert!(now.iter().any(|c| c == "elsewhere"), "{now:?}");
        let before: Vec<ListRec> = one_filter_query(&a, &filter)
            .run()
            .await
            .unwrap()
            .all(ONE_FILTER_CASES_AT)
            .unwrap();
        let mut before: Vec<String> = before.into_iter().map(|c| c.id).collect();
        let mut now = now;
        now.sort();
        before.sort();
        assert_eq!(now, before);
    }

    #[tokio::test]
    async fn a_protected_persons_new_place_never_goes_into_a_clear_field() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let today = state.clock().today();
        for (i, protected) in [(0, true), (1, false)] {
            let p = &demo_people()[i];
            assert_eq!(p.protection.is_protected(), protected);
            let hit = &search(&w, &p.personnummer).await.unwrap()[0];
            let version = view(&w, &hit.case_id).await.unwrap().participant_version;
            let moved = ValidParticipant::parse(&form_of(i, "Mölndal"), today).unwrap();
            let got = update(&w, &hit.case_id, version, moved).await;
            if protected {
                assert!(
                    matches!(&got, Err(AppError::Invalid { field, .. }) if field == "municipality"),
                    "{got:?}"
                );
                assert_eq!(
                    view(&w, &hit.case_id).await.unwrap().municipality,
                    "Göteborg"
                );
            } else {
                got.unwrap();
                assert_eq!(
                    view(&w, &hit.case_id).await.unwrap().municipality,
                    "Mölndal"
                );
            }
        }
    }

    #[tokio::test]
    async fn the_referral_source_is_sealed_and_opened_only_for_plan_readers() {
        let state = setup().await;
        let w = as_user(&state, "handlaggare").await;
        let today = state.clock().today();
        let mut f = form_of(1, "Göteborg");
        f.personnummer = String::new();
        f.phone = String::new();
        f.birth_year = "2004".into();
        let v = ValidParticipant::parse(&f, today).unwrap();
        let case_id = register(
            &w,
            v,
            SspfLevel::Individual,
            "Skolkurator Rq7 på Hvitfeldtska",
        )
        .await
        .unwrap();
        let raw = state
            .db()
            .q("SELECT VALUE referral_source FROM ONLY type::record('case', $c)")
            .bind("c", &case_id)
            .run()
            .await
            .unwrap()
            .value(0)
            .to_string();
        assert!(!raw.contains("Skolkurator Rq7"), "{raw}");
        assert_eq!(
            view(&w, &case_id).await.unwrap().referral_source,
            Shown::Value("Skolkurator Rq7 på Hvitfeldtska".into())
        );
    }
}
