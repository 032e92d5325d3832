//! The register extract (registerutdrag, GDPR art. 15): everything stored about one participant.
//!
//! The extract is built from a list of tables rather than from the casework readers, so that a
//! field added to a table appears in it without anyone remembering to add it: every row of every
//! listed table that names the participant is read, every field is given (sealed fields opened
//! with the participant's key), and a test holds every table of the schema that names a
//! participant either to this list or to [`NOT_EXTRACTED`] with its reason. Key material (the
//! wrapped data key, blind-index tags, audit MACs) is never part of it.
//!
//! Only those who manage the case may produce it, and only when the policy lets them read every
//! category: an extract is complete or not given. Producing it is one audit entry.

use domain::Problem;
use std::collections::HashMap;

use chrono::{DateTime, Timelike, Utc};
use serde::Deserialize;
use serde_json::{Map, Value as Json};

use super::access::{self, ExtractRefusal, Purpose, Subject};
use super::audit::{self, Entry};
use super::auth::Authed;
use super::crypto::Dek;
use super::gate::CaseGate;
use super::gate::{who, CaseRec};
use super::sealed_fields;
use super::subject::actor;
use super::vault;
use domain::casework::{
    ActionStatus, ContactKind, EventKind, GoalStatus, HousingType, LifeDomain, MeasureKind,
    MeasureStatus, OccupationType, ThreatLevel,
};
use domain::extract::{
    ExtractField, ExtractRead, ExtractRecord, ExtractReview, ExtractSection, RegisterExtract,
    ReleaseDecision, ReviewItem, ReviewStatus, WithheldItem, Withholding,
};
use domain::handover::{HandoverPart, HandoverStatus};
use domain::referral::{ReferralReason, ReferralStatus, ReferrerKind, Urgency};
use domain::time::swedish_local;
use domain::{AppError, CaseStatus, Category, Gender, Protection, SspfLevel};

/// One table of the extract.
pub(crate) struct Table {
    pub name: &'static str,
    /// The section's heading.
    pub title: &'static str,
    /// `true` for the participant record itself (keyed by the participant's id); otherwise rows
    /// are found by their `participant` field.
    pub by_id: bool,
    /// Fields stored sealed with the participant's key (AAD: table, record id, field).
    pub sealed: &'static [&'static str],
    /// An array of earlier versions whose `.1` field is sealed with the AAD field
    /// `<array>.<version>` (a note's correction history).
    pub sealed_versions: Option<(&'static str, &'static str)>,
    /// Swedish labels, in the order the fields are shown; fields without one follow, by name.
    pub labels: &'static [(&'static str, &'static str)],
    /// Which organisation owns a record of the table.
    pub owner: Owner,
}

/// The organisation that owns a record: the one whose information it is, and so the one whose
/// secrecy may stand against the person (OSL 10 kap. 3 §).
#[derive(Clone, Copy)]
pub(crate) enum Owner {
    /// The record names its organisation in this field (who wrote it or answers for it).
    Field(&'static str),
    /// The organisation that owns the record's case (its `case` field), or for records outside
    /// a case the one that owns the case the extract is produced from: these rows are written by
    /// the case's own team.
    Case,
}

/// Every table that holds data about a participant, in the order of the extract.
pub(crate) const TABLES: &[Table] = &[
    Table {
        name: "participant",
        title: "Personuppgifter",
        by_id: true,
        sealed: sealed_fields::PARTICIPANT,
        sealed_versions: Some(sealed_fields::PARTICIPANT_HISTORY),
        labels: &[
            ("first_name", "Förnamn"),
            ("last_name", "Efternamn"),
            ("personnummer", "Personnummer"),
            ("birth_year", "Födelseår"),
            ("gender", "Kön"),
            ("municipality", "Hemkommun"),
            ("protection", "Skyddade personuppgifter"),
            ("phone", "Telefon"),
            ("email", "E-post"),
            ("address", "Adress"),
            ("background", "Bakgrund"),
            ("owner_org", "Ansvarig organisation"),
            ("shredded", "Gallrad"),
            ("created_at", "Registrerad"),
            ("created_by", "Registrerad av"),
            ("history", "Tidigare uppgifter"),
            ("version", "Version"),
        ],
        owner: Owner::Field("owner_org"),
    },
    Table {
        name: "case",
        title: "Ärenden och statushistorik",
        by_id: false,
        sealed: sealed_fields::CASE,
        sealed_versions: None,
        labels: &[
            ("status", "Status"),
            ("open", "Öppet"),
            ("sspf_level", "SSPF-nivå"),
            ("referral_source", "Remittent"),
            ("owner_org", "Ansvarig organisation"),
            ("responsible", "Ansvarig handläggare"),
            ("municipality", "Kommun"),
            ("opened_at", "Öppnat"),
            ("closed_at", "Avslutat"),
            ("next_review", "Nästa planuppföljning"),
            ("referral", "Remiss (id)"),
            ("last_entry_at", "Senast ändrat"),
            ("transitions", "Statushistorik"),
            ("version", "Version"),
        ],
        owner: Owner::Field("owner_org"),
    },
    Table {
        name: "case_member",
        title: "Ärendeteam",
        by_id: false,
        sealed: &[],
        sealed_versions: None,
        labels: &[
            ("case", "Ärende"),
            ("user", "Person"),
            ("org", "Organisation"),
            ("part", "Roll i ärendet"),
            ("added_at", "Tillagd"),
            ("added_by", "Tillagd av"),
            ("until", "Läsrätt efter överlämning till"),
        ],
        owner: Owner::Case,
    },
    Table {
        name: "consent",
        title: "Samtycken och lagstöd",
        by_id: false,
        sealed: &[],
        sealed_versions: None,
        labels: &[
            ("recipient_org", "Mottagare"),
            ("categories", "Uppgiftskategorier"),
            ("basis", "Grund (samtycke eller lagrum)"),
            ("valid_from", "Gäller från"),
            ("valid_until", "Gäller till"),
            ("revoked_at", "Återkallat"),
            ("revoked_by", "Återkallat av"),
            ("recorded_at", "Registrerat"),
            ("recorded_by", "Registrerat av"),
        ],
        owner: Owner::Case,
    },
    Table {
        name: "goal",
        title: "Handlingsplan: mål",
        by_id: false,
        sealed: sealed_fields::GOAL,
        sealed_versions: None,
        labels: &[
            ("case", "Ärende"),
            ("domain", "Livsområde"),
            ("text", "Mål"),
            ("status", "Status"),
            ("target_date", "Måldatum"),
            ("created_at", "Skapat"),
            ("created_by", "Skapat av"),
            ("version", "Version"),
        ],
        owner: Owner::Case,
    },
    Table {
        name: "action",
        title: "Handlingsplan: åtgärder",
        by_id: false,
        sealed: sealed_fields::ACTION,
        sealed_versions: None,
        labels: &[
            ("case", "Ärende"),
            ("goal", "Mål (id)"),
            ("title", "Åtgärd"),
            ("owner_org", "Ansvarig organisation"),
            ("responsible", "Ansvarig person"),
            ("due", "Klart senast"),
            ("status", "Status"),
            ("comment", "Kommentar"),
            ("with_guardians", "Arbete med föräldrar/vårdnadshavare"),
            ("created_at", "Skapad"),
            ("created_by", "Skapad av"),
            ("version", "Version"),
        ],
        owner: Owner::Field("owner_org"),
    },
    Table {
        name: "review",
        title: "Handlingsplan: uppföljningar",
        by_id: false,
        sealed: sealed_fields::REVIEW,
        sealed_versions: None,
        labels: &[
            ("case", "Ärende"),
            ("date", "Datum"),
            ("present", "Närvarande"),
            ("summary", "Sammanfattning"),
            ("next_review", "Nästa uppföljning"),
            ("created_by", "Antecknad av"),
        ],
        owner: Owner::Case,
    },
    Table {
        name: "rating",
        title: "Skattningar av livsområden",
        by_id: false,
        sealed: sealed_fields::RATING,
        sealed_versions: None,
        labels: &[
            ("case", "Ärende"),
            ("date", "Datum"),
            ("occasion", "Tillfälle"),
            ("rater", "Skattad av"),
            ("scores", "Skattningar (1–5)"),
            ("comment", "Kommentar"),
            ("review", "Planuppföljning (id)"),
            ("created_at", "Registrerad"),
            ("created_by", "Registrerad av"),
        ],
        owner: Owner::Case,
    },
    Table {
        name: "enrolment",
        title: "Finansierade projekt",
        by_id: false,
        sealed: &[],
        sealed_versions: None,
        labels: &[
            ("case", "Ärende"),
            ("project", "Projekt (id)"),
            ("entry", "Inträde"),
            ("exit", "Utträde"),
            ("created_at", "Registrerad"),
            ("created_by", "Registrerad av"),
        ],
        owner: Owner::Case,
    },
    Table {
        name: "measure",
        title: "Skyddsåtgärder",
        by_id: false,
        sealed: sealed_fields::MEASURE,
        sealed_versions: None,
        labels: &[
            ("case", "Ärende"),
            ("kind", "Typ"),
            ("status", "Status"),
            ("start", "Start"),
            ("end", "Slut"),
            ("responsible_org", "Ansvarig organisation"),
            ("details", "Detaljer"),
            ("created_at", "Registrerad"),
            ("created_by", "Registrerad av"),
            ("version", "Version"),
        ],
        owner: Owner::Field("responsible_org"),
    },
    Table {
        name: "assessment",
        title: "Hotbedömningar",
        by_id: false,
        sealed: sealed_fields::ASSESSMENT,
        sealed_versions: None,
        labels: &[
            ("case", "Ärende"),
            ("level", "Hotnivå"),
            ("date", "Datum"),
            ("next_review", "Nästa bedömning"),
            ("org", "Bedömd av (organisation)"),
            ("basis", "Underlag"),
            ("created_at", "Registrerad"),
            ("created_by", "Registrerad av"),
        ],
        owner: Owner::Field("org"),
    },
    Table {
        name: "housing",
        title: "Boende",
        by_id: false,
        sealed: sealed_fields::HOUSING,
        sealed_versions: None,
        labels: &[
            ("case", "Ärende"),
            ("kind", "Boendeform"),
            ("address", "Adress"),
            ("from", "Från"),
            ("to", "Till"),
            ("created_at", "Registrerat"),
            ("created_by", "Registrerat av"),
        ],
        owner: Owner::Case,
    },
    Table {
        name: "occupation",
        title: "Sysselsättning",
        by_id: false,
        sealed: sealed_fields::OCCUPATION,
        sealed_versions: None,
        labels: &[
            ("case", "Ärende"),
            ("kind", "Sysselsättning"),
            ("from", "Från"),
            ("to", "Till"),
            ("outcome", "Utfall"),
            ("created_at", "Registrerad"),
            ("created_by", "Registrerad av"),
        ],
        owner: Owner::Case,
    },
    Table {
        name: "contact",
        title: "Kontakter och möten",
        by_id: false,
        sealed: sealed_fields::CONTACT,
        sealed_versions: None,
        labels: &[
            ("case", "Ärende"),
            ("at", "Tid"),
            ("kind", "Typ av kontakt"),
            ("minutes", "Längd (minuter)"),
            ("org", "Organisation"),
            ("summary", "Sammanfattning"),
            ("author", "Loggad av"),
            ("created_at", "Registrerad"),
        ],
        owner: Owner::Field("org"),
    },
    Table {
        name: "note",
        title: "Anteckningar",
        by_id: false,
        sealed: sealed_fields::NOTE,
        sealed_versions: Some(sealed_fields::NOTE_HISTORY),
        labels: &[
            ("case", "Ärende"),
            ("text", "Text"),
            ("author", "Skriven av"),
            ("org", "Organisation"),
            ("created_at", "Skriven"),
            ("updated_at", "Senast ändrad"),
            ("corrected", "Rättad"),
            ("history", "Tidigare versioner"),
            ("version", "Version"),
        ],
        owner: Owner::Field("org"),
    },
    Table {
        name: "event",
        title: "Tidslinje",
        by_id: false,
        sealed: sealed_fields::EVENT,
        sealed_versions: None,
        labels: &[
            ("case", "Ärende"),
            ("at", "Tid"),
            ("kind", "Typ"),
            ("category", "Kategori"),
            ("org", "Organisation"),
            ("author", "Av"),
            ("line", "Händelse"),
            ("text", "Text"),
            ("corrected", "Rättad"),
            ("source", "Källa"),
        ],
        owner: Owner::Field("org"),
    },
    Table {
        name: "referral",
        title: "Remisser och orosanmälningar",
        by_id: false,
        sealed: sealed_fields::REFERRAL,
        sealed_versions: None,
        labels: &[
            ("number", "Remissnummer"),
            ("referred_on", "Datum"),
            ("kind", "Remittent"),
            ("org", "Från organisation"),
            ("created_by", "Skickad av"),
            ("created_at", "Mottagen"),
            ("first_name", "Förnamn"),
            ("last_name", "Efternamn"),
            ("personnummer", "Personnummer"),
            ("phone", "Telefon"),
            ("municipality", "Kommun"),
            ("reasons", "Skäl"),
            ("urgency", "Brådskandegrad"),
            ("description", "Beskrivning av oron"),
            (
                "referrer_contact",
                "Anmälare (anhörig eller personen själv)",
            ),
            ("receiving_org", "Mottagande socialtjänst"),
            ("forwarded_from", "Vidarebefordrad från"),
            ("status", "Status"),
            ("decline_reason", "Skäl till avslag"),
            ("case", "Ärende"),
            ("transitions", "Statushistorik"),
            ("year", "År"),
            ("seq", "Löpnummer"),
            ("version", "Version"),
        ],
        owner: Owner::Field("receiving_org"),
    },
    Table {
        name: "council_item",
        title: "Samverkansrådets beslut",
        by_id: false,
        sealed: sealed_fields::COUNCIL_ITEM,
        sealed_versions: None,
        labels: &[
            ("meeting", "Samverkansmöte"),
            ("position", "Punkt"),
            ("kind", "Typ"),
            ("referral", "Remiss"),
            ("case", "Ärende"),
            ("org", "Ordförande (socialtjänst)"),
            ("status", "Status"),
            ("priority", "Prioritet"),
            ("interventions", "Insatser"),
            ("follow_up", "Uppföljning"),
            ("responsible", "Ansvarig handläggare"),
            ("note", "Motivering"),
            ("decided_by", "Beslutad av"),
            ("decided_at", "Beslutad"),
            ("added_by", "Lagd på dagordningen av"),
            ("added_at", "Lagd på dagordningen"),
        ],
        owner: Owner::Field("org"),
    },
    Table {
        name: "guardian",
        title: "Vårdnadshavare och föräldrar",
        by_id: false,
        sealed: sealed_fields::GUARDIAN,
        sealed_versions: None,
        labels: &[
            ("name", "Namn"),
            ("relation", "Relation"),
            ("custody", "Vårdnadshavare"),
            ("phone", "Telefon"),
            ("email", "E-post"),
            ("address", "Adress"),
            ("consent_given_on", "Samtycke givet"),
            ("consent_scope", "Samtycket omfattar"),
            ("consent_recorded_by", "Samtycket registrerat av"),
            ("created_by", "Registrerad av"),
            ("created_at", "Registrerad"),
            ("version", "Version"),
        ],
        owner: Owner::Case,
    },
    Table {
        name: "group_link",
        title: "Koppling till SSPF-grupp",
        by_id: false,
        sealed: &[],
        sealed_versions: None,
        labels: &[
            ("group", "Grupp (id)"),
            ("from", "Från"),
            ("to", "Till"),
            ("org", "Ansvarig socialtjänst"),
            ("added_by", "Kopplad av"),
            ("added_at", "Kopplad"),
        ],
        owner: Owner::Field("org"),
    },
    Table {
        name: "handover",
        title: "Överlämningar till annan kommun",
        by_id: false,
        sealed: sealed_fields::HANDOVER,
        sealed_versions: None,
        labels: &[
            ("from_org", "Från socialtjänst"),
            ("to_org", "Till socialtjänst"),
            ("parts", "Överlämnade delar"),
            ("snapshot", "Överlämnad sammanfattning"),
            ("note", "Följebrev"),
            ("status", "Status"),
            ("read_days", "Läsperiod för avsändaren (dagar)"),
            ("created_by", "Överlämnad av"),
            ("created_at", "Överlämnad"),
            ("decided_by", "Besvarad av"),
            ("decided_at", "Besvarad"),
            ("decline_reason", "Skäl till avböjande"),
            ("sender_until", "Avsändarens läsrätt till"),
        ],
        owner: Owner::Field("from_org"),
    },
    Table {
        name: "break_glass",
        title: "Nödåtkomster",
        by_id: false,
        sealed: sealed_fields::BREAK_GLASS,
        sealed_versions: None,
        labels: &[
            ("user", "Person"),
            ("org", "Organisation"),
            ("reason", "Motivering"),
            ("granted_at", "Beviljad"),
            ("expires_at", "Gällde till"),
            ("review", "Granskning"),
            ("reviewed_by", "Granskad av"),
            ("reviewed_at", "Granskad"),
            ("review_comment", "Granskarens kommentar"),
        ],
        owner: Owner::Field("org"),
    },
    Table {
        name: "shred_request",
        title: "Begäran om gallring",
        by_id: false,
        sealed: sealed_fields::SHRED_REQUEST,
        sealed_versions: None,
        labels: &[
            ("reason", "Skäl"),
            ("requested_by", "Begärd av"),
            ("requested_at", "Begärd"),
            ("confirmed_by", "Bekräftad av"),
            ("done_at", "Genomförd"),
        ],
        owner: Owner::Case,
    },
    Table {
        name: "extract_release",
        title: "Sekretessprövning av registerutdrag",
        by_id: false,
        sealed: sealed_fields::EXTRACT_RELEASE,
        sealed_versions: None,
        labels: &[
            ("item", "Uppgift"),
            ("decision", "Beslut"),
            ("reason", "Skäl"),
            ("fingerprint", "Prövad version"),
            ("by", "Prövad av"),
            ("at", "Prövad"),
        ],
        owner: Owner::Case,
    },
];

/// Tables that name a participant but are not part of the extract, and why. (Read by the test
/// that holds the schema to the two lists.)
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) const NOT_EXTRACTED: &[(&str, &str)] = &[
    ("participant_key", "the wrapped data key: key material"),
    (
        "blind_index",
        "search tags (HMAC of personnummer and phone): key material",
    ),
    (
        "open_case",
        "marks the open case, which the case itself shows",
    ),
    (
        "audit",
        "given as the list of who has taken part of the data, without MACs",
    ),
    (
        "notification",
        "a message to the responsible case worker that break-glass was used; the grant itself is extracted",
    ),
    (
        "duplicate_candidate",
        "another organisation's registration of the same personnummer: that organisation's secret",
    ),
    (
        "case_row",
        "a copy for the lists of the case's columns, the participant's list fields and policy facts, each extracted from the table it is copied from",
    ),
    (
        "member_row",
        "a copy for the lists of which teams a user is on, keyed by the user: the memberships are extracted from case_member",
    ),
];

/// Labels of fields that several tables share, and of the fields of nested entries.
const COMMON_LABELS: &[(&str, &str)] = &[
    ("case", "Ärende"),
    ("version", "Version"),
    ("created_at", "Skapad"),
    ("created_by", "Skapad av"),
    ("from", "Från"),
    ("to", "Till"),
    ("at", "Tid"),
    ("by", "Av"),
    ("text", "Text"),
    ("replaced_at", "Ersatt"),
    ("previous", "Tidigare värden"),
];

fn label(t: &Table, field: &str) -> String {
    t.labels
        .iter()
        .chain(COMMON_LABELS)
        .find(|(f, _)| *f == field)
        .map(|(_, l)| l.to_string())
        .unwrap_or_else(|| field.to_string())
}

/// Fields that hold a user id, shown by name.
fn is_user(table: &str, field: &str) -> bool {
    matches!(
        field,
        "user"
            | "by"
            | "author"
            | "created_by"
            | "added_by"
            | "recorded_by"
            | "revoked_by"
            | "reviewed_by"
            | "requested_by"
            | "confirmed_by"
    ) || (table == "case" && field == "responsible")
}

/// Fields that hold an organisation id, shown by name.
fn is_org(field: &str) -> bool {
    matches!(
        field,
        "org"
            | "owner_org"
            | "recipient_org"
            | "responsible_org"
            | "receiving_org"
            | "forwarded_from"
            | "from_org"
            | "to_org"
    )
}

/// A stored code in words, where the code is one of the app's enumerations.
fn code_label(table: &str, field: &str, code: &str) -> Option<String> {
    fn l<T>(r: Result<T, AppError>, f: fn(T) -> &'static str) -> Option<String> {
        r.ok().map(|v| f(v).to_string())
    }
    match (table, field) {
        ("participant", "gender") => l(Gender::parse(code), Gender::label),
        ("participant", "protection") => l(Protection::parse(code), Protection::label),
        ("case", "status" | "from" | "to") => l(CaseStatus::parse(code), CaseStatus::label),
        ("case", "sspf_level") => l(SspfLevel::parse(code), SspfLevel::label),
        ("case_member", "part") => domain::casework::PARTS
            .iter()
            .find(|(p, _)| *p == code)
            .map(|(_, l)| l.to_string()),
        ("consent", "categories") | ("event", "category") => {
            l(Category::parse(code), Category::label)
        }
        ("referral", "kind") => l(ReferrerKind::parse(code), ReferrerKind::label),
        ("referral", "reasons") => l(ReferralReason::parse(code), ReferralReason::label),
        ("referral", "urgency") => l(Urgency::parse(code), Urgency::label),
        ("referral", "status" | "from" | "to") => {
            l(ReferralStatus::parse(code), ReferralStatus::label)
        }
        ("handover", "parts") => l(HandoverPart::parse(code), HandoverPart::label),
        ("handover", "status") => l(HandoverStatus::parse(code), HandoverStatus::label),
        ("goal", "domain") => l(LifeDomain::parse(code), LifeDomain::label),
        ("goal", "status") => l(GoalStatus::parse(code), GoalStatus::label),
        ("rating", "occasion") => l(
            domain::rating::Occasion::parse(code),
            domain::rating::Occasion::label,
        ),
        ("rating", "rater") => l(
            domain::rating::Rater::parse(code),
            domain::rating::Rater::label,
        ),
        ("rating", "domain") => l(LifeDomain::parse(code), LifeDomain::label),
        ("action", "status") => l(ActionStatus::parse(code), ActionStatus::label),
        ("measure", "kind") => l(MeasureKind::parse(code), MeasureKind::label),
        ("measure", "status") => l(MeasureStatus::parse(code), MeasureStatus::label),
        ("assessment", "level") => l(ThreatLevel::parse(code), ThreatLevel::label),
        ("housing", "kind") => l(HousingType::parse(code), HousingType::label),
        ("occupation", "kind") => l(OccupationType::parse(code), OccupationType::label),
        ("contact", "kind") => l(ContactKind::parse(code), ContactKind::label),
        ("event", "kind") => l(EventKind::parse(code), EventKind::label),
        ("guardian", "relation") => l(
            domain::guardian::GuardianRelation::parse(code),
            domain::guardian::GuardianRelation::label,
        ),
        ("extract_release", "decision") => ReleaseDecision::parse(code).map(|d| d.label().into()),
        ("break_glass", "review") => match code {
            "pending" => Some("Väntar på granskning".into()),
            "justified" => Some("Bedömd som befogad".into()),
            "escalated" => Some("Eskalerad".into()),
            _ => None,
        },
        _ => None,
    }
}

/// Display names of users and organisations.
struct Names {
    users: HashMap<String, String>,
    orgs: HashMap<String, String>,
}

impl Names {
    async fn load(a: &Authed) -> Result<Names, AppError> {
        #[derive(Deserialize)]
        struct N {
            id: String,
            name: String,
        }
        let mut rows = a
            .state()
            .db()
            .q(
                "SELECT record::id(id) AS id, display_name AS name FROM user;
                SELECT record::id(id) AS id, name FROM org;",
            )
            .run()
            .await?;
        let to_map = |v: Vec<N>| v.into_iter().map(|n| (n.id, n.name)).collect();
        Ok(Names {
            users: to_map(rows.all(0)?),
            orgs: to_map(rows.all(1)?),
        })
    }

    fn user(&self, id: &str) -> String {
        self.users
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    fn org(&self, id: &str) -> String {
        self.orgs.get(id).cloned().unwrap_or_else(|| id.to_string())
    }
}

/// A stored time as text: a date when it is a whole day (dates are stored as midnight UTC),
/// otherwise date and time in Swedish time.
fn time_text(t: DateTime<Utc>) -> String {
    if t.num_seconds_from_midnight() == 0 && t.timestamp_subsec_nanos() == 0 {
        t.format("%Y-%m-%d").to_string()
    } else {
        swedish_local(t).format("%Y-%m-%d %H:%M").to_string()
    }
}

/// A value as text for people. `sealed` values were opened already and are shown as they are.
fn text_of(table: &str, field: &str, v: &Json, sealed: bool, names: &Names) -> String {
    match v {
        Json::Null => "–".into(),
        Json::Bool(b) => if *b { "Ja" } else { "Nej" }.into(),
        Json::Number(n) => n.to_string(),
        // What happened, in words (the stored line is codes as JSON).
        Json::String(s) if sealed && table == "event" && field == "line" => {
            domain::event::EventLine::from_stored(s).map_or_else(|| s.clone(), |l| l.swedish())
        }
        Json::String(s) if sealed => {
            if table == "participant" && field == "personnummer" && s.len() == 12 && s.is_ascii() {
                format!("{}-{}", &s[..8], &s[8..])
            } else {
                s.clone()
            }
        }
        Json::String(s) if table == "extract_release" && field == "item" => item_text(s),
        Json::String(s) if is_user(table, field) => names.user(s),
        Json::String(s) if is_org(field) => names.org(s),
        Json::String(s) => code_label(table, field, s)
            .or_else(|| {
                DateTime::parse_from_rfc3339(s)
                    .ok()
                    .map(|t| time_text(t.with_timezone(&Utc)))
            })
            .unwrap_or_else(|| s.clone()),
        Json::Array(items) if items.is_empty() => "–".into(),
        Json::Array(items) => {
            let sep = if items.iter().all(|i| !i.is_object()) {
                ", "
            } else {
                "\n"
            };
            items
                .iter()
                .map(|i| text_of(table, field, i, sealed, names))
                .collect::<Vec<_>>()
                .join(sep)
        }
        Json::Object(o) => {
            let t = TABLES.iter().find(|t| t.name == table);
            // Nested entries read in the order of the common labels: from, to, when, by whom.
            let mut entries: Vec<(&String, &Json)> = o.iter().collect();
            entries.sort_by_key(|(k, _)| {
                COMMON_LABELS
                    .iter()
                    .position(|(f, _)| f == k)
                    .unwrap_or(usize::MAX)
            });
            entries
                .into_iter()
                .map(|(k, v)| {
                    let l = t.map_or_else(|| k.clone(), |t| label(t, k));
                    // Of an earlier version, only its sealed field was opened.
                    let opened = sealed
                        && t.and_then(|t| t.sealed_versions)
                            .is_some_and(|(_, inner)| inner == k);
                    format!("{l}: {}", text_of(table, k, v, opened, names))
                })
                .collect::<Vec<_>>()
                .join(" · ")
        }
    }
}

/// One stored row as a record of the extract, sealed fields opened.
fn record(t: &Table, row: Json, dek: &Dek, names: &Names) -> Result<ExtractRecord, AppError> {
    let Json::Object(mut obj) = row else {
        return Err(AppError::Internal);
    };
    let id = match obj.remove("id") {
        Some(Json::String(s)) => s,
        _ => return Err(AppError::Internal),
    };
    // The participant's own id is the extract's subject; it is given once, in its heading.
    obj.remove("participant");
    let open = |field: &str, v: &Json| -> Result<Json, AppError> {
        match v {
            Json::String(s) => Ok(Json::String(
                vault::open(dek, t.name, &id, field, s)?.expose(),
            )),
            other => Ok(other.clone()),
        }
    };
    let mut fields = Vec::with_capacity(obj.len());
    let mut names_in_order: Vec<String> = t.labels.iter().map(|(f, _)| f.to_string()).collect();
    let mut rest: Vec<String> = obj
        .keys()
        .filter(|k| !names_in_order.contains(k))
        .cloned()
        .collect();
    rest.sort();
    names_in_order.extend(rest);
    for name in names_in_order {
        let stored = obj.remove(&name).unwrap_or(Json::Null);
        let sealed = t.sealed.contains(&name.as_str());
        let value = if sealed {
            open(&name, &stored)?
        } else if t.sealed_versions.is_some_and(|(arr, _)| arr == name) {
            open_versions(t, &id, &stored, dek)?
        } else {
            stored
        };
        let nested_sealed = t.sealed_versions.is_some_and(|(arr, _)| arr == name);
        fields.push(ExtractField {
            label: label(t, &name),
            text: text_of(t.name, &name, &value, sealed || nested_sealed, names),
            name,
            value,
        });
    }
    Ok(ExtractRecord {
        id,
        owner_org: String::new(),
        owner_org_name: String::new(),
        withheld: Vec::new(),
        fields,
    })
}

/// Opens the sealed field of each earlier version (AAD field `<array>.<version>`).
fn open_versions(t: &Table, id: &str, stored: &Json, dek: &Dek) -> Result<Json, AppError> {
    let (arr, inner) = t.sealed_versions.unwrap_or_default();
    let Json::Array(items) = stored else {
        return Ok(stored.clone());
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let mut item: Map<String, Json> = match item {
            Json::Object(o) => o.clone(),
            other => {
                out.push(other.clone());
                continue;
            }
        };
        let version = item.get("version").map(Json::to_string).unwrap_or_default();
        if let Some(Json::String(s)) = item.get(inner) {
            let plain = vault::open(dek, t.name, id, &format!("{arr}.{version}"), s)?.expose();
            item.insert(inner.to_string(), Json::String(plain));
        }
        out.push(Json::Object(item));
    }
    Ok(Json::Array(out))
}

/// The rows of one table about the participant, as stored.
async fn rows_of(a: &Authed, t: &Table, pid: &str) -> Result<Vec<Json>, AppError> {
    let sql = if t.by_id {
        "SELECT *, record::id(id) AS id FROM type::record($t, $p)"
    } else {
        "SELECT *, record::id(id) AS id FROM type::table($t) WHERE participant = $p ORDER BY id"
    };
    Ok(a.state()
        .db()
        .q(sql)
        .bind("t", t.name)
        .bind("p", pid)
        .run()
        .await?
        .all(0)?)
}

/// Every entry of the audit log that names the participant, oldest first, with names.
async fn reads_of(a: &Authed, pid: &str, names: &Names) -> Result<Vec<ExtractRead>, AppError> {
    #[derive(Deserialize)]
    struct R {
        at: DateTime<Utc>,
        actor: String,
        actor_org: String,
        action: String,
        purpose: Option<String>,
        decision: String,
        categories: Vec<String>,
    }
    let rows: Vec<R> = a
        .state()
        .db()
        .q(
            "SELECT seq, at, actor, actor_org, action, purpose, decision, categories FROM audit
            WHERE participants CONTAINS $p ORDER BY seq",
        )
        .bind("p", pid)
        .run()
        .await?
        .all(0)?;
    Ok(rows
        .into_iter()
        .map(|r| ExtractRead {
            at: r.at,
            user: names.user(&r.actor),
            org: names.org(&r.actor_org),
            action: r.action,
            purpose: r.purpose,
            decision: r.decision,
            categories: r.categories,
        })
        .collect())
}

const SHREDDED: &str = "Personens uppgifter är gallrade: krypteringsnyckeln är raderad och uppgifterna går inte längre att läsa. Det finns därför inget registerutdrag att ta fram.";

/// The audit action of producing an extract.
const EXTRACT: &str = "participant.extract";
/// The audit action of a secrecy-review decision.
const REVIEW: &str = "participant.extract_review";

/// Audits a refused extract (or review decision, by `action`) and returns the answer to give.
async fn refuse(
    a: &Authed,
    action: &str,
    c: &CaseRec,
    subj: &Subject,
    why: ExtractRefusal,
    now: DateTime<Utc>,
) -> AppError {
    let act = actor(a);
    let mut e = Entry::new(action);
    e.participants = vec![c.participant.clone()];
    e.case_id = Some(c.id.clone());
    e.decision = "deny".into();
    e.purpose = Some(Purpose::Extract.as_str().into());
    let denied = match &why {
        ExtractRefusal::Denied(cats) => cats.clone(),
        _ => Category::ALL.to_vec(),
    };
    e.denied = denied.iter().map(|c| c.as_str().to_string()).collect();
    e.reason = Some(
        match why {
            ExtractRefusal::Role => "role",
            ExtractRefusal::NotManager => "not_manager",
            ExtractRefusal::Shredded => "shredded",
            ExtractRefusal::Denied(_) => "categories_denied",
        }
        .into(),
    );
    if let Err(err) = audit::append(a.state(), &who(a), e).await {
        return err;
    }
    // Administrators and log reviewers never read case content, as on every case endpoint.
    if !a.can(domain::Capability::ListCases) {
        return AppError::Forbidden;
    }
    // Someone with no relation to the person learns nothing, not even that the case exists.
    let related = Category::ALL
        .iter()
        .any(|cat| access::may(&act, subj, *cat, Purpose::CaseWork, now).allowed());
    match why {
        ExtractRefusal::Shredded => AppError::problem("", Problem::Shredded, SHREDDED),
        ExtractRefusal::Denied(cats) => AppError::problem(
            "",
            Problem::ExtractIncomplete,
            format!(
                "Du kan inte ta fram registerutdraget eftersom du inte får läsa alla uppgifter om personen (det gäller {}). Ett registerutdrag måste vara fullständigt. Be ansvarig handläggare i ärendet att ta fram det.",
                cats.iter().map(|c| c.label().to_lowercase()).collect::<Vec<_>>().join(", ")
            ),
        ),
        ExtractRefusal::Role | ExtractRefusal::NotManager if related => AppError::problem(
            "",
            Problem::ExtractRole,
            "Registerutdrag tas fram och sekretessprövas av handläggarna i ärendet eller av programledaren i den organisation som äger ärendet.",
        ),
        ExtractRefusal::Role | ExtractRefusal::NotManager => AppError::NotFound,
    }
}

/// Fields that need a secrecy review whoever owns their record, and why: an assessment's
/// basis is often another authority's intelligence (the police's, OSL 18 kap.), and what a
/// colleague wrote to open the case in an emergency, or a reviewer about it, may speak of
/// others or of threats the person must not learn of.
const REVIEWED_FIELDS: &[(&str, &str, &str)] = &[
    (
        "assessment",
        "basis",
        "Underlaget för en hotbedömning kan komma från polisen eller en annan myndighet och omfattas av sekretess mot personen.",
    ),
    (
        "break_glass",
        "reason",
        "Motiveringen för en nödåtkomst kan röra andra personer eller uppgifter om hot.",
    ),
    (
        "break_glass",
        "review_comment",
        "Granskarens kommentar till en nödåtkomst kan röra andra personer eller uppgifter om hot.",
    ),
];

/// What a whole-record item is called in the review and the extract.
const WHOLE_RECORD: &str = "Hela posten";

/// The stored rows of every table of the extract, and which organisation owns each case.
struct Stored {
    tables: Vec<(&'static Table, Vec<Json>)>,
    case_owner: HashMap<String, String>,
}

impl Stored {
    async fn load(a: &Authed, pid: &str) -> Result<Stored, AppError> {
        let mut tables = Vec::with_capacity(TABLES.len());
        for t in TABLES {
            tables.push((t, rows_of(a, t, pid).await?));
        }
        let case_owner = tables
            .iter()
            .filter(|(t, _)| t.name == "case")
            .flat_map(|(_, rows)| rows)
            .filter_map(|r| Some((str_of(r, "id")?, str_of(r, "owner_org")?)))
            .collect();
        Ok(Stored { tables, case_owner })
    }

    /// The organisation that owns `row` of `t`; `producer` owns the case the extract is
    /// produced from.
    fn owner(&self, t: &Table, row: &Json, producer: &str) -> String {
        match t.owner {
            Owner::Field(f) => str_of(row, f),
            Owner::Case => str_of(row, "case").and_then(|c| self.case_owner.get(&c).cloned()),
        }
        .unwrap_or_else(|| producer.to_string())
    }
}

fn str_of(row: &Json, field: &str) -> Option<String> {
    row.get(field).and_then(Json::as_str).map(str::to_string)
}

/// A hash of an item as stored (sealed values as ciphertext, whose nonce changes with every
/// write): a decision holds for the version it was made on, and a rewritten item is reviewed
/// again. It says nothing about the value that the stored row does not already say.
fn fingerprint(v: &Json) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, v.to_string().as_bytes());
    d.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One item that needs a secrecy review before it is given.
struct Point {
    key: String,
    /// Index into `Stored::tables` and into that table's rows.
    table: usize,
    row: usize,
    field: Option<&'static str>,
    owner: String,
    fingerprint: String,
    why: String,
    /// A timeline entry that repeats the text of another organisation's record (its `source`):
    /// it is given or withheld with that record, under the record's key, and not listed apart.
    follows: bool,
}

/// Every item of the stored rows that needs a secrecy review before the organisation
/// `producer` gives it to the person: each record another organisation owns (as a whole, its
/// reviewed fields included) and each reviewed field of the producer's own records. A
/// timeline entry written for another organisation's record follows that record's decision.
fn points(st: &Stored, producer: &str, names: &Names) -> Vec<Point> {
    let mut out = Vec::new();
    // The timeline last, so that the records it points at are known.
    let mut order: Vec<usize> = (0..st.tables.len()).collect();
    order.sort_by_key(|i| st.tables[*i].0.name == "event");
    let mut foreign: HashMap<String, String> = HashMap::new();
    for ti in order {
        let (t, rows) = &st.tables[ti];
        // The decisions themselves are the producer's own record of the review.
        if t.name == "extract_release" {
            continue;
        }
        for (ri, row) in rows.iter().enumerate() {
            let Some(id) = str_of(row, "id") else {
                continue;
            };
            let owner = st.owner(t, row, producer);
            if t.name == "event" {
                let source = str_of(row, "source").unwrap_or_default();
                if let Some(fp) = foreign.get(&source) {
                    out.push(Point {
                        key: source.clone(),
                        table: ti,
                        row: ri,
                        field: None,
                        owner,
                        fingerprint: fp.clone(),
                        why: String::new(),
                        follows: true,
                    });
                    continue;
                }
            }
            if owner != producer {
                let key = format!("{}:{id}", t.name);
                let fp = fingerprint(row);
                foreign.insert(key.clone(), fp.clone());
                out.push(Point {
                    key,
                    table: ti,
                    row: ri,
                    field: None,
                    why: format!(
                        "Uppgiften kommer från {}, en annan organisation än den som tar fram utdraget. Den kan omfattas av sekretess hos dem.",
                        names.org(&owner)
                    ),
                    owner,
                    fingerprint: fp,
                    follows: false,
                });
                continue;
            }
            for (_, field, why) in REVIEWED_FIELDS.iter().filter(|(tn, ..)| *tn == t.name) {
                let v = row.get(*field).unwrap_or(&Json::Null);
                if v.is_null() {
                    continue;
                }
                out.push(Point {
                    key: format!("{}:{id}:{field}", t.name),
                    table: ti,
                    row: ri,
                    field: Some(field),
                    owner: owner.clone(),
                    fingerprint: fingerprint(v),
                    why: why.to_string(),
                    follows: false,
                });
            }
        }
    }
    out
}

/// A stored decision of the secrecy review.
#[derive(Deserialize)]
struct DecisionRow {
    id: String,
    item: String,
    decision: String,
    reason: Option<String>,
    fingerprint: String,
    by: String,
    at: DateTime<Utc>,
}

/// A decision applied to one item: its status now and the decision's details.
struct Applied {
    status: ReviewStatus,
    changed: bool,
    reason: Option<String>,
    by: Option<String>,
    at: Option<DateTime<Utc>>,
}

fn applied(
    p: &Point,
    decisions: &HashMap<String, DecisionRow>,
    dek: &Dek,
    names: &Names,
) -> Result<Applied, AppError> {
    let Some(d) = decisions.get(&p.key) else {
        return Ok(Applied {
            status: ReviewStatus::Pending,
            changed: false,
            reason: None,
            by: None,
            at: None,
        });
    };
    if d.fingerprint != p.fingerprint {
        return Ok(Applied {
            status: ReviewStatus::Pending,
            changed: true,
            reason: None,
            by: None,
            at: None,
        });
    }
    let status = match ReleaseDecision::parse(&d.decision) {
        Some(ReleaseDecision::Release) => ReviewStatus::Released,
        Some(ReleaseDecision::Withhold) => ReviewStatus::Withheld,
        None => ReviewStatus::Pending,
    };
    let reason = match &d.reason {
        Some(r) => Some(vault::open(dek, "extract_release", &d.id, "reason", r)?.expose()),
        None => None,
    };
    Ok(Applied {
        status,
        changed: false,
        reason,
        by: Some(names.user(&d.by)),
        at: Some(d.at),
    })
}

async fn decisions_of(a: &Authed, pid: &str) -> Result<HashMap<String, DecisionRow>, AppError> {
    let rows: Vec<DecisionRow> = a
        .state()
        .db()
        .q("SELECT record::id(id) AS id, item, decision, reason, fingerprint, by, at FROM extract_release WHERE participant = $p")
        .bind("p", pid)
        .run()
        .await?
        .all(0)?;
    Ok(rows.into_iter().map(|d| (d.item.clone(), d)).collect())
}

/// The record key of the decision on `item` about `pid`: one decision per participant and
/// item, replaced by a later one.
fn release_id(pid: &str, item: &str) -> String {
    fingerprint(&Json::String(format!("{pid}|{item}")))
}

/// An item key as words: the section, the record and the field.
fn item_text(key: &str) -> String {
    let mut parts = key.splitn(3, ':');
    let (Some(table), Some(record)) = (parts.next(), parts.next()) else {
        return key.to_string();
    };
    let Some(t) = TABLES.iter().find(|t| t.name == table) else {
        return key.to_string();
    };
    match parts.next() {
        Some(field) => format!("{}, post {record}: {}", t.title, label(t, field)),
        None => format!(
            "{}, post {record}: {}",
            t.title,
            WHOLE_RECORD.to_lowercase()
        ),
    }
}

/// The text given in place of a value that is not released.
fn marker(status: ReviewStatus, reason: Option<&str>) -> String {
    match (status, reason) {
        (ReviewStatus::Withheld, Some(r)) => format!("{}. Skäl: {r}", status.marker()),
        _ => status.marker().to_string(),
    }
}

/// The extract and its secrecy review, built from one read of the stored rows.
async fn build(
    a: &Authed,
    c: &CaseRec,
    dek: &Dek,
    now: DateTime<Utc>,
) -> Result<(RegisterExtract, Vec<ReviewItem>), AppError> {
    let pid = c.participant.clone();
    let names = Names::load(a).await?;
    let st = Stored::load(a, &pid).await?;
    let decisions = decisions_of(a, &pid).await?;
    let points = points(&st, &c.owner_org, &names);

    // Every record opened, with its owner.
    let mut sections: Vec<ExtractSection> = Vec::with_capacity(st.tables.len());
    for (t, rows) in &st.tables {
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            let owner = st.owner(t, row, &c.owner_org);
            let mut r = record(t, row.clone(), dek, &names)?;
            r.owner_org_name = names.org(&owner);
            r.owner_org = owner;
            records.push(r);
        }
        let mut owners: Vec<String> = Vec::new();
        for r in &records {
            if !owners.contains(&r.owner_org_name) {
                owners.push(r.owner_org_name.clone());
            }
        }
        sections.push(ExtractSection {
            table: t.name.to_string(),
            title: t.title.to_string(),
            owners,
            records,
        });
    }

    // The review: each item as the producer sees it, then taken out of the extract unless
    // released for the version stored now.
    let mut items = Vec::with_capacity(points.len());
    let mut withheld = Vec::new();
    for p in &points {
        let t = st.tables[p.table].0;
        let d = applied(p, &decisions, dek, &names)?;
        let section = &mut sections[p.table];
        let rec = &mut section.records[p.row];
        if p.follows {
            if d.status != ReviewStatus::Released {
                rec.fields.clear();
                rec.withheld.push(Withholding {
                    field: None,
                    status: d.status,
                    reason: d.reason.clone(),
                    text: marker(d.status, d.reason.as_deref()),
                });
            }
            continue;
        }
        let what = p
            .field
            .map_or_else(|| WHOLE_RECORD.to_string(), |f| label(t, f));
        let value = match p.field {
            None => rec
                .fields
                .iter()
                .filter(|f| !f.value.is_null())
                .map(|f| format!("{}: {}", f.label, f.text))
                .collect::<Vec<_>>()
                .join("\n"),
            Some(f) => rec
                .fields
                .iter()
                .find(|x| x.name == f)
                .map(|x| x.text.clone())
                .unwrap_or_default(),
        };
        items.push(ReviewItem {
            key: p.key.clone(),
            section: t.title.to_string(),
            record_id: rec.id.clone(),
            owner_org: names.org(&p.owner),
            what: what.clone(),
            why: p.why.clone(),
            value,
            version: p.fingerprint.clone(),
            status: d.status,
            changed: d.changed,
            reason: d.reason.clone(),
            decided_by: d.by,
            decided_at: d.at,
        });
        if d.status == ReviewStatus::Released {
            continue;
        }
        match p.field {
            None => rec.fields.clear(),
            Some(f) => {
                if let Some(x) = rec.fields.iter_mut().find(|x| x.name == f) {
                    x.value = Json::Null;
                    x.text = marker(d.status, d.reason.as_deref());
                }
            }
        }
        rec.withheld.push(Withholding {
            field: p.field.map(str::to_string),
            status: d.status,
            reason: d.reason.clone(),
            text: marker(d.status, d.reason.as_deref()),
        });
        withheld.push(WithheldItem {
            key: p.key.clone(),
            section: t.title.to_string(),
            owner_org: names.org(&p.owner),
            what,
            status: d.status,
            reason: d.reason,
        });
    }

    let reads = reads_of(a, &pid, &names).await?;
    Ok((
        RegisterExtract {
            participant_id: pid,
            case_id: c.id.clone(),
            produced_at: now,
            produced_by: a.me().display_name.clone(),
            produced_by_org: a.me().org_name.clone(),
            sections,
            withheld,
            reads,
        },
        items,
    ))
}

/// The case opened for an extract or a review decision: refused (and audited under `action`)
/// unless the reader may produce the extract. Returns the case, the participant's key and
/// the bases of the categories.
async fn open_for_extract(
    a: &Authed,
    case_id: &str,
    action: &str,
) -> Result<(CaseRec, std::sync::Arc<Dek>, Vec<(Category, access::Basis)>), AppError> {
    let g = CaseGate::open(a, case_id, action, Purpose::Extract).await?;
    let bases = match access::may_extract(&actor(a), &g.subject, g.now) {
        Ok(b) => b,
        Err(why) => return Err(refuse(a, action, &g.case, &g.subject, why, g.now).await),
    };
    let Some(dek) = vault::dek(a.state(), &g.case.participant).await? else {
        return Err(refuse(
            a,
            action,
            &g.case,
            &g.subject,
            ExtractRefusal::Shredded,
            g.now,
        )
        .await);
    };
    Ok((g.case, dek, bases))
}

/// Produces the extract and its review, with the one audit entry that records it: the
/// categories given and the items not given (withheld after review, or pending).
async fn produce(
    a: &Authed,
    case_id: &str,
) -> Result<(RegisterExtract, Vec<ReviewItem>), AppError> {
    let (c, dek, bases) = open_for_extract(a, case_id, EXTRACT).await?;
    let now = a.state().clock().now();
    let (x, items) = build(a, &c, &dek, now).await?;

    let mut basis: Vec<String> = bases.iter().map(|(_, b)| b.describe()).collect();
    basis.sort();
    basis.dedup();
    let mut e = Entry::new(EXTRACT);
    e.participants = vec![c.participant.clone()];
    e.case_id = Some(c.id.clone());
    e.categories = bases.iter().map(|(c, _)| c.as_str().to_string()).collect();
    e.basis = Some(basis.join(","));
    e.purpose = Some(Purpose::Extract.as_str().into());
    // Which items the person was not given, by key (ids only, never a value).
    let keys = |s: ReviewStatus| {
        x.withheld
            .iter()
            .filter(|w| w.status == s)
            .map(|w| w.key.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    if !x.withheld.is_empty() {
        e.reason = Some(format!(
            "withheld:{};pending:{}",
            keys(ReviewStatus::Withheld),
            keys(ReviewStatus::Pending)
        ));
    }
    audit::append(a.state(), &who(a), e).await?;
    Ok((x, items))
}

/// The register extract of the participant of `case_id`: every stored field of every record
/// about them, each record marked with the organisation that owns it, and every audit entry
/// that names them. Items that need a secrecy review are given only once released (see
/// [`decide`]); in their place the extract says that they are withheld or awaiting review.
/// Refused (and audited) unless the reader manages the case and may read every category; one
/// audit entry when given.
pub async fn extract(a: &Authed, case_id: &str) -> Result<RegisterExtract, AppError> {
    Ok(produce(a, case_id).await?.0)
}

/// The release step: the extract as it would be given now and every item that needs a secrecy
/// review, with its value (the producer may read everything) and the decision on it. One
/// audit entry, as for the extract.
pub async fn review(a: &Authed, case_id: &str) -> Result<ExtractReview, AppError> {
    let (extract, items) = produce(a, case_id).await?;
    Ok(ExtractReview { extract, items })
}

/// Longest and shortest reason for withholding, in characters.
pub const REASON_MIN: usize = 10;
pub const REASON_MAX: usize = 1000;

/// Records the secrecy-review decision on one item (`release`, or `withhold` with a reason of
/// 10–1000 characters, sealed with the participant's key) for the version of the item the
/// producer saw (`seen`, the item's `version`). Only those who may produce the extract decide;
/// every refusal and every decision is one `participant.extract_review` entry, the decision
/// written in the same transaction.
pub async fn decide(
    a: &Authed,
    case_id: &str,
    item: &str,
    decision: &str,
    reason: &str,
    seen: &str,
) -> Result<ReviewStatus, AppError> {
    let (c, dek, _) = open_for_extract(a, case_id, REVIEW).await?;
    let decision = ReleaseDecision::parse(decision).ok_or_else(|| {
        AppError::problem(
            "decision",
            domain::error::Problem::Choose,
            "Välj om uppgiften ska lämnas ut eller undantas.",
        )
    })?;
    let reason = reason.trim();
    let n = reason.chars().count();
    if decision == ReleaseDecision::Withhold && !(REASON_MIN..=REASON_MAX).contains(&n) {
        return Err(AppError::problem(
            "reason",
            domain::error::Problem::Length {
                min: REASON_MIN,
                max: REASON_MAX,
            },
            format!("Skriv skälet för undantaget ({REASON_MIN}–{REASON_MAX} tecken), till exempel vilken sekretessbestämmelse som gäller. Skälet står i utdraget."),
        ));
    }
    let names = Names::load(a).await?;
    let st = Stored::load(a, &c.participant).await?;
    let Some(p) = points(&st, &c.owner_org, &names)
        .into_iter()
        .find(|p| p.key == item && !p.follows)
    else {
        return Err(AppError::problem(
            "item",
            Problem::Unknown,
            "Uppgiften finns inte längre eller behöver ingen sekretessprövning. Läs in sidan på nytt.",
        ));
    };
    if p.fingerprint != seen {
        return Err(AppError::problem(
            "item",
            Problem::Stale,
            "Uppgiften har ändrats sedan du läste den. Läs in sidan på nytt och pröva den igen.",
        ));
    }
    let pid = c.participant.clone();
    let id = release_id(&pid, &p.key);
    let sealed = match decision {
        ReleaseDecision::Withhold => {
            Some(vault::seal(&dek, "extract_release", &id, "reason", reason)?)
        }
        ReleaseDecision::Release => None,
    };
    let mut e = Entry::new(REVIEW);
    e.participants = vec![pid.clone()];
    e.case_id = Some(c.id.clone());
    e.purpose = Some(Purpose::Extract.as_str().into());
    // The item by key and the decision; the reason stays sealed with the person's data.
    e.reason = Some(format!("{}:{}", decision.as_str(), p.key));
    let mut vars = Map::new();
    vars.insert("rid".into(), Json::String(id));
    vars.insert("pid".into(), Json::String(pid));
    vars.insert("item".into(), Json::String(p.key.clone()));
    vars.insert("decision".into(), Json::String(decision.as_str().into()));
    vars.insert("reason".into(), sealed.map_or(Json::Null, Json::String));
    vars.insert("fp".into(), Json::String(p.fingerprint.clone()));
    vars.insert("by".into(), Json::String(a.user_id().to_string()));
    vars.insert(
        "at".into(),
        Json::String(a.state().clock().now().to_rfc3339()),
    );
    let body = "UPSERT type::record('extract_release', $rid) CONTENT { participant: $pid, item: $item,
        decision: $decision, reason: $reason, fingerprint: $fp, by: $by, at: <datetime>$at } RETURN NONE;";
    audit::commit(a.state(), &who(a), e, body, vars).await?;
    Ok(match decision {
        ReleaseDecision::Release => ReviewStatus::Released,
        ReleaseDecision::Withhold => ReviewStatus::Withheld,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Who;
    use crate::db::migrations::MIGRATIONS;
    use crate::participants::{self, ValidParticipant};
    use crate::state::AppState;
    use crate::testing::{as_user, setup, shared_case, worker_partner_police};
    use crate::{breakglass, casework, consent, demo, shred};
    use chrono::Duration;
    use domain::extract::{PENDING_MARKER, WITHHELD_MARKER};
    use domain::ParticipantForm;
    use std::collections::HashSet;

    /// A valid personnummer (ÅÅÅÅMMDD-NNNN) with the given birth date and serial.
    fn personnummer(date: &str, serial: &str) -> String {
        let nine: Vec<u32> = format!("{}{serial}", &date[2..])
            .chars()
            .filter_map(|c| c.to_digit(10))
            .collect();
        let sum: u32 = nine
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let p = d * if i % 2 == 0 { 2 } else { 1 };
                p / 10 + p % 10
            })
            .sum();
        format!("{date}-{serial}{}", (10 - sum % 10) % 10)
    }

    /// Registers a participant with a Göteborg case and writes to every table that holds data
    /// about a person, each text carrying `tag`. Returns (case id, participant id).
    async fn seed(state: &AppState, tag: &str, serial: &str) -> (String, String) {
        let w = as_user(state, "handlaggare").await;
        let today = state.clock().today();
        let form = ParticipantForm {
            first_name: format!("Förnamn{tag}"),
            last_name: format!("Efternamn{tag}"),
            personnummer: personnummer("20050101", serial),
            phone: format!("070-123 4{serial}"),
            email: format!("{}@example.se", tag.to_lowercase()),
            address: format!("Adressgatan {tag} 1"),
            background: format!("Bakgrund {tag}"),
            birth_year: String::new(),
            gender: "female".into(),
            municipality: "Göteborg".into(),
            protection: "none".into(),
        };
        let v = ValidParticipant::parse(&form, today).unwrap();
        let case = participants::register(
            &w,
            v,
            domain::SspfLevel::Individual,
            &format!("Remittent {tag}"),
        )
        .await
        .unwrap();
        let pid = crate::gate::case_by_id(&w, &case)
            .await
            .unwrap()
            .participant;
        participants::add_member(&w, &case, "passus", "mentor")
            .await
            .unwrap();
        participants::add_member(&w, &case, "polis", "police_contact")
            .await
            .unwrap();
        let consent_to = |org: &str, cats: &[&str], basis: &str, provision: &str| {
            consent::NewConsent::parse(
                org,
                &cats.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                basis,
                provision,
                "",
                &(today + Duration::days(90)).to_string(),
                today,
            )
            .unwrap()
        };
        let revoked = consent::add(
            &w,
            &case,
            consent_to(demo::ORG_PASSUS, &["contacts", "plan"], "samtycke", ""),
        )
        .await
        .unwrap();
        consent::revoke(&w, &case, &revoked).await.unwrap();
        consent::add(
            &w,
            &case,
            consent_to(demo::ORG_POLICE, &["safety"], "lag", &format!("OSL {tag}")),
        )
        .await
        .unwrap();
        participants::transition(&w, &case, 1, CaseStatus::Assessment)
            .await
            .unwrap();
        let goal = casework::add_goal(&w, &case, LifeDomain::Occupation, &format!("Mål {tag}"), "")
            .await
            .unwrap();
        let action = casework::add_action(
            &w,
            &case,
            &goal,
            &format!("Åtgärd {tag}"),
            demo::ORG_PASSUS,
            &format!("Mentor {tag}"),
            "",
        )
        .await
        .unwrap();
        casework::update_action(
            &w,
            &case,
            &action,
            1,
            ActionStatus::InProgress,
            &format!("Kommentar {tag}"),
        )
        .await
        .unwrap();
        casework::add_review(
            &w,
            &case,
            &today.to_string(),
            &format!("Närvarande {tag}"),
            &format!("Uppföljning {tag}"),
            "",
        )
        .await
        .unwrap();
        casework::add_measure(
            &w,
            &case,
            MeasureKind::SecurityAlarm,
            MeasureStatus::Active,
            "",
            "",
            &format!("Larm {tag}"),
        )
        .await
        .unwrap();
        casework::add_assessment(
            &w,
            &case,
            ThreatLevel::High,
            "",
            &(today + Duration::days(30)).to_string(),
            &format!("Underlag {tag}"),
        )
        .await
        .unwrap();
        casework::add_housing(
            &w,
            &case,
            HousingType::Temporary,
            &format!("Boendegatan {tag}"),
            &today.to_string(),
        )
        .await
        .unwrap();
        casework::add_occupation(
            &w,
            &case,
            OccupationType::Studies,
            &today.to_string(),
            &format!("Utfall {tag}"),
        )
        .await
        .unwrap();
        casework::add_contact(
            &w,
            &case,
            "",
            ContactKind::Meeting,
            "30",
            &format!("Samtal {tag}"),
        )
        .await
        .unwrap();
        let note = casework::add_note(&w, &case, &format!("Anteckning {tag}"))
            .await
            .unwrap();
        // After the edit window an edit keeps the old text as a sealed earlier version.
        state
            .clock()
            .advance(Duration::minutes(casework::NOTE_EDIT_WINDOW_MINUTES + 1));
        let w = as_user(state, "handlaggare").await;
        casework::edit_note(&w, &case, &note, 1, &format!("Rättelse {tag}"))
            .await
            .unwrap();
        // A colleague of the owning unit, off the team: the only kind of user break-glass is for.
        let colleague = as_user(state, "handlaggare2").await;
        breakglass::request(
            &colleague,
            &case,
            &format!("Akut skyddsbehov {tag}, polisen har ringt"),
        )
        .await
        .unwrap();
        let admin = as_user(state, "admin").await;
        shred::request(&admin, &pid, &format!("Gallringsbeslut {tag} dnr 1"))
            .await
            .unwrap();
        (case, pid)
    }

    /// Every row of every table that mentions the participant, straight from the store, with
    /// every value that opens under the participant's key opened — found by trying, not by
    /// the extract's list of sealed fields. Returns (table, row) pairs and the ciphertexts seen.
    async fn stored_rows(
        state: &AppState,
        pid: &str,
    ) -> (Vec<(String, Map<String, Json>)>, Vec<String>) {
        let dek = vault::dek(state, pid).await.unwrap().unwrap();
        let info = state.db().q("INFO FOR DB").run().await.unwrap().value(0);
        let tables: Vec<String> = info["tables"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let mut out = Vec::new();
        let mut ciphertexts = Vec::new();
        for t in tables {
            let rows = state
                .db()
                .q("SELECT *, record::id(id) AS id FROM type::table($t)")
                .bind("t", &t)
                .run()
                .await
                .unwrap()
                .value(0);
            for row in rows.as_array().cloned().unwrap_or_default() {
                let Json::Object(mut row) = row else { continue };
                let id = row["id"].as_str().unwrap_or_default().to_string();
                let mentions = row.get("participant").and_then(Json::as_str) == Some(pid)
                    || (t == "participant" && id == pid);
                if !mentions {
                    continue;
                }
                for (field, v) in row.iter_mut() {
                    if let Json::String(s) = v {
                        if let Ok(p) = vault::open(&dek, &t, &id, field, s) {
                            ciphertexts.push(s.clone());
                            *v = Json::String(p.expose());
                        }
                    }
                    if let Json::Array(items) = v {
                        for item in items.iter_mut().filter_map(Json::as_object_mut) {
                            let version =
                                item.get("version").map(Json::to_string).unwrap_or_default();
                            for iv in item.values_mut() {
                                if let Json::String(s) = iv {
                                    if let Ok(p) =
                                        vault::open(&dek, &t, &id, &format!("{field}.{version}"), s)
                                    {
                                        ciphertexts.push(s.clone());
                                        *iv = Json::String(p.expose());
                                    }
                                }
                            }
                        }
                    }
                }
                out.push((t.clone(), row));
            }
        }
        (out, ciphertexts)
    }

    #[tokio::test]
    async fn the_extract_contains_every_stored_field_of_the_participant_and_nothing_of_anyone_else()
    {
        let state = setup().await;
        let (case_a, pid_a) = seed(&state, "Alfa7Q", "123").await;
        let (case_b, pid_b) = seed(&state, "Bravo9Z", "456").await;
        let w = as_user(&state, "handlaggare").await;
        // Completeness is checked with every item of the secrecy review released.
        let released = release_all(&w, &case_a).await;
        assert!(
            released >= 2,
            "the seed has an assessment basis and a break-glass reason"
        );
        let extracts_before = count(&state, &pid_a, "participant.extract").await;
        let head_before = head(&state).await;
        let x = extract(&w, &case_a).await.unwrap();
        assert!(x.withheld.is_empty());
        let json = serde_json::to_string(&x).unwrap();

        let (rows, ciphertexts) = stored_rows(&state, &pid_a).await;
        let mut checked = 0;
        let mut tables_seen = HashSet::new();
        for (table, row) in &rows {
            if NOT_EXTRACTED.iter().any(|(t, _)| t == table) {
                continue;
            }
            tables_seen.insert(table.clone());
            let section = x
                .sections
                .iter()
                .find(|s| &s.table == table)
                .unwrap_or_else(|| {
                    panic!("table {table} names the participant but is not in the extract")
                });
            let id = row["id"].as_str().unwrap();
            let rec = section
                .records
                .iter()
                .find(|r| r.id == id)
                .unwrap_or_else(|| panic!("{table}:{id} is not in the extract"));
            for (field, stored) in row {
                if field == "id" || field == "participant" || stored.is_null() {
                    continue;
                }
                let got = rec
                    .fields
                    .iter()
                    .find(|f| &f.name == field)
                    .unwrap_or_else(|| panic!("{table}.{field} is missing from the extract"));
                assert_eq!(&got.value, stored, "{table}.{field}");
                assert!(
                    !got.text.is_empty() && !got.label.is_empty(),
                    "{table}.{field}"
                );
                checked += 1;
            }
        }
        for t in [
            "participant",
            "case",
            "case_member",
            "consent",
            "goal",
            "action",
            "review",
            "measure",
            "assessment",
            "housing",
            "occupation",
            "contact",
            "note",
            "event",
            "break_glass",
            "shred_request",
            "extract_release",
        ] {
            assert!(tables_seen.contains(t), "the seed wrote nothing to {t}");
        }
        assert!(checked > 150, "only {checked} fields compared");
        // Sealed values are given opened, never as stored.
        assert!(ciphertexts.len() > 15);
        for c in &ciphertexts {
            assert!(
                !json.contains(c.as_str()),
                "a sealed value is in the extract as stored"
            );
        }
        let pnr = personnummer("20050101", "123").replace('-', "");
        for plain in [
            "FörnamnAlfa7Q",
            pnr.as_str(),
            "Anteckning Alfa7Q",
            "Rättelse Alfa7Q",
            "Boendegatan Alfa7Q",
        ] {
            assert!(json.contains(plain), "{plain} missing");
        }
        // The correction history and the status history are readable in the print text.
        let text_of_field = |table: &str, field: &str| {
            x.sections
                .iter()
                .find(|s| s.table == table)
                .unwrap()
                .records[0]
                .fields
                .iter()
                .find(|f| f.name == field)
                .unwrap()
                .text
                .clone()
        };
        assert!(text_of_field("note", "history").contains("Anteckning Alfa7Q"));
        assert!(text_of_field("case", "transitions").contains("Utredning"));
        assert!(text_of_field("case", "transitions").contains("Sara Lindqvist"));
        assert_eq!(text_of_field("participant", "personnummer").len(), 13);

        // Who has taken part: every audit entry naming the person, before this extract.
        let entries = count_all(&state, &pid_a).await;
        assert_eq!(x.reads.len() as i64, entries - 1);
        assert!(x
            .reads
            .iter()
            .any(|r| r.action == "break_glass.grant" && r.user == "Henrik Sjöblom"));

        // Nothing of the other participant.
        assert!(!json.contains("Bravo9Z") && !json.contains("bravo9z"));
        assert!(!json.contains(&pid_b) && !json.contains(&case_b));
        let (rows_b, _) = stored_rows(&state, &pid_b).await;
        for (table, row) in rows_b {
            let id = row["id"].as_str().unwrap();
            assert!(
                !json.contains(id),
                "{table}:{id} of the other participant is in the extract"
            );
        }

        // Producing it is exactly one audit entry.
        assert_eq!(
            count(&state, &pid_a, "participant.extract").await,
            extracts_before + 1
        );
        assert_eq!(head(&state).await, head_before + 1);
        state.clock().reset();
    }

    /// Releases every item of the secrecy review; returns how many there were.
    async fn release_all(w: &Authed, case: &str) -> usize {
        let r = review(w, case).await.unwrap();
        for i in &r.items {
            decide(w, case, &i.key, "release", "", &i.version)
                .await
                .unwrap();
        }
        r.items.len()
    }

    /// The stored (sealed) value of one field.
    async fn stored(state: &AppState, table: &str, id: &str, field: &str) -> String {
        let row: Json = state
            .db()
            .q("SELECT * FROM ONLY type::record($t, $id)")
            .bind("t", table)
            .bind("id", id)
            .run()
            .await
            .unwrap()
            .value(0);
        row[field].as_str().unwrap().to_string()
    }

    fn record_of<'x>(x: &'x RegisterExtract, table: &str, id: &str) -> &'x ExtractRecord {
        x.sections
            .iter()
            .find(|s| s.table == table)
            .unwrap()
            .records
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("{table}:{id} is not in the extract"))
    }

    fn field_of<'x>(r: &'x ExtractRecord, name: &str) -> &'x ExtractField {
        r.fields.iter().find(|f| f.name == name).unwrap()
    }

    #[tokio::test]
    async fn an_assessment_basis_and_a_partners_contact_are_given_only_after_release() {
        let state = setup().await;
        let (w, partner, _) = worker_partner_police(&state).await;
        let case = shared_case(&w).await;
        let pid = crate::gate::case_by_id(&w, &case)
            .await
            .unwrap()
            .participant;
        let today = state.clock().today();
        let basis = "Polisens underlag Zq81 om hotet från nätverket";
        let assessment = casework::add_assessment(
            &w,
            &case,
            ThreatLevel::High,
            "",
            &(today + Duration::days(30)).to_string(),
            basis,
        )
        .await
        .unwrap();
        let summary = "Mentorsamtal Pk42 om kontakten med brodern";
        let contact =
            casework::add_contact(&partner, &case, "", ContactKind::Meeting, "45", summary)
                .await
                .unwrap();
        let sealed_basis = stored(&state, "assessment", &assessment, "basis").await;
        let sealed_summary = stored(&state, "contact", &contact, "summary").await;
        let basis_key = format!("assessment:{assessment}:basis");
        let contact_key = format!("contact:{contact}");

        // By default neither is given: not the text, not the ciphertext; markers in their place.
        let x = extract(&w, &case).await.unwrap();
        let json = serde_json::to_string(&x).unwrap();
        for secret in ["Zq81", "Pk42", &sealed_basis, &sealed_summary] {
            assert!(!json.contains(secret), "{secret} is in the extract");
        }
        let a = record_of(&x, "assessment", &assessment);
        assert_eq!(a.owner_org, demo::ORG_GBG);
        assert_eq!(field_of(a, "basis").value, Json::Null);
        assert_eq!(field_of(a, "basis").text, PENDING_MARKER);
        assert_eq!(field_of(a, "level").text, "Hög");
        let c = record_of(&x, "contact", &contact);
        assert_eq!(c.owner_org, demo::ORG_PASSUS);
        assert_eq!(c.owner_org_name, "Passus Göteborg");
        assert!(c.fields.is_empty());
        assert_eq!(c.withheld[0].status, ReviewStatus::Pending);
        let contacts = x.sections.iter().find(|s| s.table == "contact").unwrap();
        assert!(contacts.owners.contains(&"Passus Göteborg".to_string()));
        for key in [&basis_key, &contact_key] {
            let w = x.withheld.iter().find(|i| &i.key == key).unwrap();
            assert_eq!(w.status, ReviewStatus::Pending);
        }

        // The release step shows the producer both values, awaiting review.
        let r = review(&w, &case).await.unwrap();
        let item = |r: &ExtractReview, key: &str| {
            r.items
                .iter()
                .find(|i| i.key == key)
                .unwrap_or_else(|| panic!("{key} is not up for review"))
                .clone()
        };
        let (bi, ci) = (item(&r, &basis_key), item(&r, &contact_key));
        assert!(bi.value.contains("Zq81") && ci.value.contains("Pk42"));
        // Each item once: the contact's timeline entry goes with the contact.
        let mut keys: Vec<&str> = r.items.iter().map(|i| i.key.as_str()).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "an item is listed twice");
        assert_eq!(ci.owner_org, "Passus Göteborg");
        assert_eq!(
            (bi.status, ci.status),
            (ReviewStatus::Pending, ReviewStatus::Pending)
        );

        // Released: given in full.
        let reviews_before = count(&state, &pid, REVIEW).await;
        decide(&w, &case, &basis_key, "release", "", &bi.version)
            .await
            .unwrap();
        decide(&w, &case, &contact_key, "release", "", &ci.version)
            .await
            .unwrap();
        assert_eq!(count(&state, &pid, REVIEW).await, reviews_before + 2);
        let x = extract(&w, &case).await.unwrap();
        assert_eq!(
            field_of(record_of(&x, "assessment", &assessment), "basis").text,
            basis
        );
        assert_eq!(
            field_of(record_of(&x, "contact", &contact), "summary").text,
            summary
        );
        assert!(!x
            .withheld
            .iter()
            .any(|i| i.key == basis_key || i.key == contact_key));
        let timeline = x.sections.iter().find(|s| s.table == "event").unwrap();
        let entry = timeline
            .records
            .iter()
            .find(|r| {
                r.fields
                    .iter()
                    .any(|f| f.name == "source" && f.value == Json::String(contact_key.clone()))
            })
            .expect("the contact's timeline entry is given with it");
        assert!(field_of(entry, "text").text.contains("Pk42"));

        // Withheld with a reason: gone again, the reason given in its place.
        let why_basis = "Polisens underlag, sekretess enligt OSL 18 kap. 1 §";
        let why_contact = "Uppgifter om en annan person, OSL 26 kap. 1 §";
        decide(&w, &case, &basis_key, "withhold", why_basis, &bi.version)
            .await
            .unwrap();
        decide(
            &w,
            &case,
            &contact_key,
            "withhold",
            why_contact,
            &ci.version,
        )
        .await
        .unwrap();
        assert_eq!(count(&state, &pid, REVIEW).await, reviews_before + 4);
        let x = extract(&w, &case).await.unwrap();
        let json = serde_json::to_string(&x).unwrap();
        for secret in ["Zq81", "Pk42", &sealed_basis, &sealed_summary] {
            assert!(!json.contains(secret), "{secret} is in the extract");
        }
        let b = field_of(record_of(&x, "assessment", &assessment), "basis");
        assert_eq!(b.value, Json::Null);
        assert!(b.text.starts_with(WITHHELD_MARKER) && b.text.contains(why_basis));
        let c = record_of(&x, "contact", &contact);
        assert!(c.fields.is_empty());
        assert_eq!(c.withheld[0].reason.as_deref(), Some(why_contact));
        let wb = x.withheld.iter().find(|i| i.key == basis_key).unwrap();
        assert_eq!(
            (wb.status, wb.reason.as_deref()),
            (ReviewStatus::Withheld, Some(why_basis))
        );
        // The reasons are sealed with the person's key, like every free text.
        let raw = state
            .db()
            .q("SELECT VALUE reason FROM extract_release WHERE participant = $p")
            .bind("p", &pid)
            .run()
            .await
            .unwrap()
            .all::<Option<String>>(0)
            .unwrap();
        assert_eq!(raw.len(), 2);
        assert!(raw
            .iter()
            .flatten()
            .all(|r| !r.contains("OSL") && !r.contains("sekretess")));
        // The producing entry names what was not given (keys only).
        let reason: Option<String> = state
            .db()
            .q("SELECT VALUE reason FROM audit WHERE participants CONTAINS $p AND action = $a ORDER BY seq DESC LIMIT 1")
            .bind("p", &pid)
            .bind("a", EXTRACT)
            .run()
            .await
            .unwrap()
            .first(0)
            .unwrap();
        assert!(reason.unwrap().contains(&basis_key));
    }

    #[tokio::test]
    async fn only_those_who_may_produce_the_extract_decide_and_every_refusal_is_audited() {
        let state = setup().await;
        let (w, partner, police) = worker_partner_police(&state).await;
        let case = shared_case(&w).await;
        let pid = crate::gate::case_by_id(&w, &case)
            .await
            .unwrap()
            .participant;
        let today = state.clock().today();
        let assessment = casework::add_assessment(
            &w,
            &case,
            ThreatLevel::Medium,
            "",
            &(today + Duration::days(30)).to_string(),
            "Underlag Vx19",
        )
        .await
        .unwrap();
        let key = format!("assessment:{assessment}:basis");
        let version = review(&w, &case)
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|i| i.key == key)
            .unwrap()
            .version;
        let reviewer = as_user(&state, "granskare").await;
        let admin = as_user(&state, "admin").await;
        let malmo = as_user(&state, "handlaggare.malmo").await;
        let before = count(&state, &pid, REVIEW).await;
        for who in [&partner, &police, &reviewer, &admin, &malmo] {
            let e = decide(who, &case, &key, "release", "", &version)
                .await
                .unwrap_err();
            assert!(
                matches!(
                    e,
                    AppError::Invalid { .. } | AppError::Forbidden | AppError::NotFound
                ),
                "{:?}: {e:?}",
                who.role()
            );
        }
        assert_eq!(count(&state, &pid, REVIEW).await, before + 5);
        let denials = state
            .db()
            .q("SELECT VALUE decision FROM audit WHERE participants CONTAINS $p AND action = $a")
            .bind("p", &pid)
            .bind("a", REVIEW)
            .run()
            .await
            .unwrap()
            .all::<String>(0)
            .unwrap();
        assert_eq!(denials.iter().filter(|d| *d == "deny").count(), 5);
        let rows = state
            .db()
            .q("SELECT VALUE item FROM extract_release")
            .run()
            .await
            .unwrap()
            .all::<String>(0)
            .unwrap();
        assert!(rows.is_empty(), "a refused decision was stored");

        // The producer's own mistakes are answered, not stored.
        let short = decide(&w, &case, &key, "withhold", "Sekretess", &version)
            .await
            .unwrap_err();
        assert!(matches!(short, AppError::Invalid { ref field, .. } if field == "reason"));
        let stale = decide(&w, &case, &key, "release", "", "0000")
            .await
            .unwrap_err();
        assert!(matches!(stale, AppError::Invalid { ref field, .. } if field == "item"));
        let unknown = decide(
            &w,
            &case,
            "assessment:finnsinte:basis",
            "release",
            "",
            &version,
        )
        .await
        .unwrap_err();
        assert!(matches!(unknown, AppError::Invalid { ref field, .. } if field == "item"));
        assert!(decide(&w, &case, &key, "release", "", &version)
            .await
            .is_ok());
    }

    #[tokio::test]
    async fn a_released_record_that_changes_is_withheld_until_reviewed_again() {
        let state = setup().await;
        let (case, _) = seed(&state, "Delta3X", "789").await;
        let w = as_user(&state, "handlaggare").await;
        release_all(&w, &case).await;
        // The seed's action belongs to Passus: another organisation's record.
        let r = review(&w, &case).await.unwrap();
        let action = r
            .items
            .iter()
            .find(|i| i.key.starts_with("action:"))
            .expect("Passus's action is up for review");
        assert_eq!(action.status, ReviewStatus::Released);
        let id = action.key.trim_start_matches("action:").to_string();
        casework::update_action(&w, &case, &id, 2, ActionStatus::Done, "Klar Delta3X")
            .await
            .unwrap();
        let r = review(&w, &case).await.unwrap();
        let again = r.items.iter().find(|i| i.key == action.key).unwrap();
        assert_eq!((again.status, again.changed), (ReviewStatus::Pending, true));
        let x = extract(&w, &case).await.unwrap();
        assert!(!serde_json::to_string(&x).unwrap().contains("Klar Delta3X"));
        assert_eq!(r.decided() + 1, r.items.len());
    }

    async fn count(state: &AppState, pid: &str, action: &str) -> i64 {
        state
            .db()
            .q("SELECT VALUE seq FROM audit WHERE participants CONTAINS $p AND action = $a")
            .bind("p", pid)
            .bind("a", action)
            .run()
            .await
            .unwrap()
            .all::<i64>(0)
            .unwrap()
            .len() as i64
    }

    async fn count_all(state: &AppState, pid: &str) -> i64 {
        state
            .db()
            .q("SELECT VALUE seq FROM audit WHERE participants CONTAINS $p")
            .bind("p", pid)
            .run()
            .await
            .unwrap()
            .all::<i64>(0)
            .unwrap()
            .len() as i64
    }

    async fn head(state: &AppState) -> i64 {
        crate::audit::head(state).await.unwrap().0
    }

    #[tokio::test]
    async fn the_extract_is_refused_without_full_access_for_reviewers_and_after_shredding() {
        let state = setup().await;
        let (w, partner, police) = worker_partner_police(&state).await;
        let case = shared_case(&w).await;
        let pid = crate::gate::case_by_id(&w, &case)
            .await
            .unwrap()
            .participant;
        let reviewer = as_user(&state, "granskare").await;
        let admin = as_user(&state, "admin").await;
        let malmo = as_user(&state, "handlaggare.malmo").await;
        let denied_before = count(&state, &pid, "participant.extract").await;
        for who in [&partner, &police] {
            let e = extract(who, &case).await.unwrap_err();
            assert!(
                e.to_string().contains("handläggarna i ärendet"),
                "{:?}: {e:?}",
                who.role()
            );
        }
        for who in [&reviewer, &admin] {
            assert_eq!(extract(who, &case).await.unwrap_err(), AppError::Forbidden);
        }
        // No relation at all: the case is not even confirmed to exist.
        assert_eq!(
            extract(&malmo, &case).await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            count(&state, &pid, "participant.extract").await,
            denied_before + 5
        );

        // The team and the program lead may; after shredding, no one can.
        assert!(extract(&w, &case).await.is_ok());
        let lead = as_user(&state, "programledare").await;
        assert!(extract(&lead, &case).await.is_ok());
        shred::shred(&state, &Who::system(), &pid, None, "test")
            .await
            .unwrap();
        let e = extract(&w, &case).await.unwrap_err();
        assert!(e.to_string().contains("gallrade"), "{e:?}");
    }

    #[tokio::test]
    async fn a_program_lead_outside_the_team_gets_no_extract_of_a_protected_person_nor_is_offered_one(
    ) {
        let state = setup().await;
        let lead = as_user(&state, "programledare").await;
        let rows = participants::list(&lead, participants::ListFilter::default())
            .await
            .unwrap();
        let protected = rows
            .iter()
            .find(|r| r.protection.is_protected() && !r.on_my_team && !r.shredded)
            .expect("the demo data has a protected person outside the program lead's teams");
        let e = extract(&lead, &protected.case_id).await.unwrap_err();
        assert!(e.to_string().contains("adress och vistelseort"), "{e:?}");
        // The case overview offers no extract the lead would be refused, though the lead
        // manages the case; an unprotected case the lead manages offers one, and gives it.
        let view = participants::view(&lead, &protected.case_id).await.unwrap();
        assert!(view.can_edit && !view.can_extract, "{view:?}");
        let mut offered = false;
        for r in rows
            .iter()
            .filter(|r| !r.protection.is_protected() && !r.shredded)
        {
            let view = participants::view(&lead, &r.case_id).await.unwrap();
            if view.can_edit {
                assert!(view.can_extract, "{view:?}");
                assert!(extract(&lead, &r.case_id).await.is_ok());
                offered = true;
                break;
            }
        }
        assert!(offered, "the program lead manages an unprotected case");
    }

    /// Field definitions in the schema: (table, field), top-level fields only.
    fn schema_fields() -> Vec<(String, String)> {
        MIGRATIONS
            .iter()
            .flat_map(|m| m.sql.lines())
            .filter_map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                let i = w.iter().position(|x| *x == "FIELD")?;
                let (field, on, table) = (w.get(i + 4)?, w.get(i + 5)?, w.get(i + 6)?);
                (w.get(i + 1) == Some(&"IF")
                    && *on == "ON"
                    && !field.contains('[')
                    && !field.contains('.'))
                .then(|| (table.to_string(), field.to_string()))
            })
            .collect()
    }

    #[test]
    fn every_table_that_names_a_participant_is_extracted_or_left_out_for_a_reason() {
        let fields = schema_fields();
        assert!(
            fields.len() > 100,
            "the schema was not read: {}",
            fields.len()
        );
        for (table, field) in &fields {
            if field != "participant" {
                continue;
            }
            let listed = TABLES.iter().any(|t| t.name == table && !t.by_id);
            let left_out = NOT_EXTRACTED.iter().any(|(t, _)| t == table);
            assert!(
                listed || left_out,
                "{table} names a participant but is neither extracted nor left out"
            );
        }
    }

    #[test]
    fn every_stored_field_of_an_extracted_table_has_a_swedish_label() {
        for (table, field) in schema_fields() {
            let Some(t) = TABLES.iter().find(|t| t.name == table) else {
                continue;
            };
            if field == "participant" {
                continue;
            }
            assert_ne!(label(t, &field), field, "{table}.{field} has no label");
        }
    }
}
