//! Demo referrals: every status, from every kind of referrer (the police, a school, leisure
//! services, Passus, social services, a relative, the person themselves), one for a person the
//! Göteborg unit already has a case for, the rest for new people. Sent and handled through the
//! core, as the demo users would, over the last weeks.

use super::auth::Authed;
use super::demo_cast::{demo_people, ORG_MALMO};
use super::referral::{self, AcceptDecision};
use super::state::AppState;
use domain::person::fictional_personnummer;
use domain::referral::{ReferralForm, ReferralInput};
use domain::{AppError, SspfLevel};

/// What happens to a demo referral after it is sent.
#[derive(Clone, Copy)]
enum Then {
    Nothing,
    Review,
    Accept,
    Decline(&'static str),
    Forward,
}

struct Demo {
    by: &'static str,
    kind: &'static str,
    /// A demo participant's index (known to the unit), or a seed for a new person.
    person: Person,
    reasons: &'static [&'static str],
    urgency: &'static str,
    municipality: &'static str,
    description: &'static str,
    contact: &'static str,
    then: Then,
}

#[derive(Clone, Copy)]
enum Person {
    Known(usize),
    New(u64, &'static str, &'static str),
}

const DEMOS: &[Demo] = &[
    Demo {
        by: "polis",
        kind: "police",
        person: Person::Known(1),
        reasons: &["threats", "wants_to_leave"],
        urgency: "urgent",
        municipality: "Göteborg",
        description: "Hörd i samband med en hotbild mot en tidigare kamrat. Säger att han vill bort från gruppen. Fiktiv demoremiss.",
        contact: "",
        then: Then::Nothing,
    },
    Demo {
        by: "polis",
        kind: "police",
        person: Person::New(501, "Liam", "Demoberg"),
        reasons: &["drug_dealing", "recruitment"],
        urgency: "normal",
        municipality: "Göteborg",
        description: "Påträffad flera gånger vid en känd försäljningsplats tillsammans med äldre personer. Fiktiv demoremiss.",
        contact: "",
        then: Then::Review,
    },
    Demo {
        by: "skola",
        kind: "school",
        person: Person::New(502, "Nora", "Demolind"),
        reasons: &["school_absence", "recruitment"],
        urgency: "normal",
        municipality: "Göteborg",
        description: "Hög frånvaro sedan höstlovet. Kamrater berättar att hon får uppdrag av äldre. Fiktiv demoremiss.",
        contact: "",
        then: Then::Nothing,
    },
    Demo {
        by: "skola",
        kind: "school",
        person: Person::New(503, "Elias", "Demohed"),
        reasons: &["school_absence"],
        urgency: "normal",
        municipality: "Göteborg",
        description: "Frånvaro och oro hos mentor. Fiktiv demoremiss.",
        contact: "",
        then: Then::Decline("Eleven har stöd via elevhälsan och vi ser ingen koppling till kriminella sammanhang. Skolan kontaktas för samverkan."),
    },
    Demo {
        by: "fritid",
        kind: "leisure",
        person: Person::New(504, "Sami", "Demoqvist"),
        reasons: &["violence", "recruitment"],
        urgency: "urgent",
        municipality: "Göteborg",
        description: "Inblandad i slagsmål vid fritidsgården. Ses hämtas av äldre i bil. Fiktiv demoremiss.",
        contact: "",
        then: Then::Review,
    },
    Demo {
        by: "fritid",
        kind: "leisure",
        person: Person::New(505, "Ida", "Demofors"),
        reasons: &["exploitation"],
        urgency: "normal",
        municipality: "Göteborg",
        description: "Berättar för fritidsledare att hon förvarar saker åt andra. Fiktiv demoremiss.",
        contact: "",
        then: Then::Accept,
    },
    Demo {
        by: "passus",
        kind: "ngo",
        person: Person::New(506, "Adam", "Demosköld"),
        reasons: &["wants_to_leave"],
        urgency: "normal",
        municipality: "Göteborg",
        description: "Har sökt kontakt med Passus och vill ha hjälp att lämna. Fiktiv demoremiss.",
        contact: "",
        then: Then::Nothing,
    },
    Demo {
        by: "passus",
        kind: "self_referral",
        person: Person::New(507, "Yasmin", "Demostrand"),
        reasons: &["wants_to_leave", "threats"],
        urgency: "acute",
        municipality: "Göteborg",
        description: "Ringde själv, har blivit hotad efter att ha sagt nej till ett uppdrag. Fiktiv demoremiss.",
        contact: "Personen själv, nås via sin mentor på Passus",
        then: Then::Accept,
    },
    Demo {
        by: "handlaggare",
        kind: "family",
        person: Person::New(508, "Oskar", "Demovik"),
        reasons: &["family_worry", "weapons"],
        urgency: "urgent",
        municipality: "Göteborg",
        description: "Mamman har hittat ett vapen i sonens rum och är rädd. Fiktiv demoremiss.",
        contact: "Mamma, nås på 070-174 06 95",
        then: Then::Review,
    },
    Demo {
        by: "handlaggare",
        kind: "health",
        person: Person::New(509, "Leo", "Demohall"),
        reasons: &["violence"],
        urgency: "normal",
        municipality: "Göteborg",
        description: "BUP har behandlat skador efter misshandel och oroar sig för vad som ligger bakom. Fiktiv demoremiss.",
        contact: "",
        then: Then::Decline("Pojken har redan insatser via mottagningen för unga brottsoffer; ingen indikation på nätverkstillhörighet."),
    },
    Demo {
        by: "polis",
        kind: "police",
        person: Person::New(510, "Milo", "Demogren"),
        reasons: &["recruitment", "weapons"],
        urgency: "urgent",
        municipality: "Malmö",
        description: "Omhändertagen vid en vapenincident. Fiktiv demoremiss.",
        contact: "",
        then: Then::Nothing,
    },
    Demo {
        by: "skola",
        kind: "school",
        person: Person::New(511, "Alva", "Demoholm"),
        reasons: &["family_worry", "school_absence"],
        urgency: "normal",
        municipality: "Göteborg",
        description: "Familjen har flyttat till Malmö efter hot; eleven har inte börjat i ny skola. Fiktiv demoremiss.",
        contact: "",
        then: Then::Forward,
    },
    Demo {
        by: "handlaggare.malmo",
        kind: "social_services",
        person: Person::New(512, "Kevin", "Demoås"),
        reasons: &["recruitment", "drug_dealing"],
        urgency: "normal",
        municipality: "Malmö",
        description: "Känd inom öppenvården; uppgifter om att han rekryterar yngre. Fiktiv demoremiss.",
        contact: "",
        then: Then::Review,
    },
];

/// Sends and handles the demo referrals.
pub(crate) async fn load(state: &AppState) -> Result<(), AppError> {
    let real_now = state.clock().now();
    let result = async {
        for (i, d) in DEMOS.iter().enumerate() {
            // Sent over the last four weeks, the oldest first.
            let sent = real_now - chrono::Duration::days(28 - 2 * i as i64);
            state.clock().travel_to(sent);
            let (pnr, first, last) = match d.person {
                Person::Known(k) => {
                    let p = &demo_people()[k];
                    (
                        p.personnummer.clone(),
                        p.first_name.clone(),
                        p.last_name.clone(),
                    )
                }
                Person::New(seed, f, l) => (
                    fictional_personnummer(seed).as_str().to_string(),
                    f.to_string(),
                    l.to_string(),
                ),
            };
            let form = ReferralForm {
                referred_on: String::new(),
                kind: d.kind.into(),
                reasons: d.reasons.iter().map(|r| r.to_string()).collect(),
                urgency: d.urgency.into(),
                description: d.description.into(),
                personnummer: pnr,
                first_name: first,
                last_name: last,
                phone: String::new(),
                municipality: d.municipality.into(),
                referrer_contact: d.contact.into(),
            };
            let by = super::auth::acting_as(state, d.by).await?;
            let receipt =
                referral::submit(&by, ReferralInput::parse(&form, state.clock().today())?).await?;
            if matches!(d.then, Then::Nothing) {
                continue;
            }
            let reviewer = if d.municipality == "Malmö" {
                "handlaggare.malmo"
            } else {
                "handlaggare"
            };
            let w = super::auth::acting_as(state, reviewer).await?;
            state.clock().travel_to(sent + chrono::Duration::days(1));
            handle(&w, &receipt.number, d.then).await?;
        }
        Ok::<(), AppError>(())
    }
    .await;
    state.clock().reset();
    result
}

async fn handle(w: &Authed, number: &str, then: Then) -> Result<(), AppError> {
    let id = referral::review::id_by_number(w, number)
        .await?
        .ok_or(AppError::Internal)?;
    if let Then::Forward = then {
        return referral::forward(w, &id, 1, ORG_MALMO).await;
    }
    referral::start_review(w, &id, 1).await?;
    match then {
        Then::Accept => {
            let d = AcceptDecision {
                version: 2,
                sspf: SspfLevel::Individual,
                responsible: None,
            };
            referral::accept(w, &id, d).await.map(|_| ())
        }
        Then::Decline(reason) => referral::decline(w, &id, 2, reason).await,
        _ => Ok(()),
    }
}
