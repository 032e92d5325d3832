//! The personal-data check of situation pictures: a picture describes places, times and
//! patterns, never a person. Text that looks like a personnummer or a phone number, or that
//! holds the first and last name of a registered participant, is refused before anything is
//! written, with a message naming the field, and the refusal leaves a `deny` entry (so log
//! review sees anyone who keeps trying).
//!
//! Names are checked by opening the participants' sealed names inside the core for the length
//! of the check, not through a blind index of names. Reasons: names are low-entropy, so a stored
//! keyed hash of every name and name pair would be one more derivative of the register to keep
//! and to delete on shredding; opening works for every participant already stored without a
//! backfill; and a shredded person (key deleted) is simply no longer recognised, like every
//! other field of theirs. The names never leave this module — the caller learns only "a name
//! was found in this field". The cost is one key unwrap (cached) and two decryptions per
//! participant for each saved observation, a few milliseconds for the demo's few hundred
//! people; observations are written a few times per quarter per organisation.
//!
//! A first and last name together (in either order) is refused; a single given name is not,
//! because common given names are also ordinary words and other people's names, and refusing
//! them would teach people to misspell rather than to describe without naming.

use domain::Problem;
use std::collections::HashSet;

use serde::Deserialize;

use crate::audit::{self, Entry};
use crate::auth::Authed;
use crate::gate::who;
use crate::state::AppState;
use crate::vault;
use domain::AppError;

/// What was found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    Personnummer,
    Phone,
    Name,
}

impl Found {
    fn code(self) -> &'static str {
        match self {
            Found::Personnummer => "personnummer",
            Found::Phone => "phone",
            Found::Name => "name",
        }
    }

    fn problem(self) -> Problem {
        match self {
            Found::Personnummer => Problem::HoldsPersonnummer,
            Found::Phone => Problem::HoldsPhone,
            Found::Name => Problem::HoldsName,
        }
    }

    fn message(self, label: &str) -> String {
        match self {
            Found::Personnummer => format!(
                "{label} ser ut att innehålla ett personnummer. En lägesbild får inte peka ut någon: ta bort numret."
            ),
            Found::Phone => format!(
                "{label} ser ut att innehålla ett telefonnummer. En lägesbild får inte peka ut någon: ta bort numret."
            ),
            Found::Name => format!(
                "{label} ser ut att nämna en person vid för- och efternamn. Beskriv iakttagelsen utan namn."
            ),
        }
    }
}

/// The label of a form field in a message.
fn label(field: &str) -> &'static str {
    match field {
        "place" => "Platsen",
        "text" => "Iakttagelsen",
        "summary" => "Den gemensamma bilden",
        "priorities" => "Prioriteringarna",
        "actions" => "Åtgärderna",
        _ => "Texten",
    }
}

/// Refuses (a `deny` entry for `action`, then an `Invalid` error on the field) the first field
/// that names or numbers a person. Nothing is written by the caller when this fails.
pub(crate) async fn check(
    a: &Authed,
    action: &str,
    fields: &[(&'static str, &str)],
) -> Result<(), AppError> {
    let mut found = fields.iter().find_map(|(f, t)| pattern(t).map(|k| (*f, k)));
    if found.is_none() {
        let names = register_names(a.state()).await?;
        found = fields
            .iter()
            .find(|(_, t)| names_in(t, &names))
            .map(|(f, _)| (*f, Found::Name));
    }
    let Some((field, kind)) = found else {
        return Ok(());
    };
    let mut e = Entry::new(action);
    e.decision = "deny".into();
    e.reason = Some(format!("personal_data:{field}:{}", kind.code()));
    audit::append(a.state(), &who(a), e).await?;
    Err(AppError::problem(
        field,
        kind.problem(),
        kind.message(label(field)),
    ))
}

/// A personnummer or a phone number in `text`, if any.
pub(crate) fn pattern(text: &str) -> Option<Found> {
    let c: Vec<char> = text.chars().collect();
    let digit = |i: usize| c.get(i).is_some_and(|x| x.is_ascii_digit());
    // Every group of digits is a possible start: "2025 070-123 45 67" holds a number that
    // starts at its second group.
    let starts: Vec<usize> = (0..c.len())
        .filter(|&i| digit(i) && (i == 0 || !digit(i - 1)))
        .collect();
    if starts.iter().any(|&i| personnummer_at(&c, i)) {
        return Some(Found::Personnummer);
    }
    let plus_starts =
        (0..c.len()).filter(|&i| c[i] == '+' && digit(i + 1) && (i == 0 || !digit(i - 1)));
    if starts
        .iter()
        .copied()
        .chain(plus_starts)
        .any(|i| phone_at(&c, i))
    {
        return Some(Found::Phone);
    }
    None
}

fn run_of_digits(c: &[char], from: usize) -> String {
    c[from.min(c.len())..]
        .iter()
        .take_while(|x| x.is_ascii_digit())
        .collect()
}

/// `ÅÅMMDD-NNNN`, `ÅÅÅÅMMDD-NNNN`, `+` for the over-hundreds, a space or nothing between, when
/// the date part is a plausible date (day + 60 for a samordningsnummer).
fn personnummer_at(c: &[char], i: usize) -> bool {
    let first = run_of_digits(c, i);
    let (date, end) = match first.len() {
        10 | 12 => (first[..first.len() - 4].to_string(), i + first.len()),
        6 | 8 => {
            let sep = i + first.len();
            if !c.get(sep).is_some_and(|x| matches!(x, '-' | '+' | ' ')) {
                return false;
            }
            let last = run_of_digits(c, sep + 1);
            if last.len() != 4 {
                return false;
            }
            (first.clone(), sep + 5)
        }
        _ => return false,
    };
    debug_assert!(end <= c.len());
    let d = date.as_bytes();
    let n = |s: &[u8]| -> u32 { s.iter().fold(0, |acc, b| acc * 10 + u32::from(b - b'0')) };
    let (century_ok, md) = if d.len() == 8 {
        (matches!(n(&d[..2]), 18..=20), &d[4..])
    } else {
        (true, &d[2..])
    };
    let month = n(&md[..2]);
    let day = n(&md[2..]);
    century_ok && (1..=12).contains(&month) && ((1..=31).contains(&day) || (61..=91).contains(&day))
}

/// A Swedish number (`0…`, 8 to 12 digits) or an international one (`+…`, 8 to 15 digits),
/// with spaces, dashes, slashes or brackets between its groups.
fn phone_at(c: &[char], i: usize) -> bool {
    let international = c[i] == '+';
    let mut digits = String::new();
    let mut j = if international { i + 1 } else { i };
    while j < c.len() {
        if c[j].is_ascii_digit() {
            digits.push(c[j]);
            j += 1;
            continue;
        }
        // A separator counts only when the number goes on after it (at most three in a row,
        // e.g. " - ").
        let mut k = j;
        while k < c.len() && k - j < 3 && matches!(c[k], ' ' | '-' | '/' | '(' | ')') {
            k += 1;
        }
        if k > j && c.get(k).is_some_and(|x| x.is_ascii_digit()) {
            j = k;
        } else {
            break;
        }
    }
    if international {
        (8..=15).contains(&digits.len())
    } else if digits.starts_with("00") {
        (10..=15).contains(&digits.len())
    } else {
        digits.starts_with('0') && (8..=12).contains(&digits.len())
    }
}

/// Lower-case words of letters: what names and texts are compared as.
fn words(s: &str) -> Vec<String> {
    s.split(|ch: char| !ch.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The names to look for: "first last" and "last first" of every participant whose key is
/// still there, as words joined by single spaces.
pub(crate) struct Names {
    phrases: HashSet<String>,
    longest: usize,
}

#[derive(Deserialize)]
struct NameRow {
    id: String,
    first_name: Option<String>,
    last_name: Option<String>,
}

async fn register_names(state: &AppState) -> Result<Names, AppError> {
    let rows: Vec<NameRow> = state
        .db()
        .q("SELECT record::id(id) AS id, first_name, last_name FROM participant WHERE shredded != true")
        .run()
        .await?
        .all(0)?;
    let mut pairs = Vec::with_capacity(rows.len());
    for r in rows {
        let (Some(f), Some(l)) = (r.first_name, r.last_name) else {
            continue;
        };
        let Some(dek) = vault::dek(state, &r.id).await? else {
            continue;
        };
        let first = vault::open(&dek, "participant", &r.id, "first_name", &f)?.expose();
        let last = vault::open(&dek, "participant", &r.id, "last_name", &l)?.expose();
        pairs.push((first, last));
    }
    Ok(names_of(
        pairs.iter().map(|(f, l)| (f.as_str(), l.as_str())),
    ))
}

pub(crate) fn names_of<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Names {
    let mut phrases = HashSet::new();
    let mut longest = 0;
    for (first, last) in pairs {
        let (f, l) = (words(first), words(last));
        if f.is_empty() || l.is_empty() {
            continue;
        }
        longest = longest.max(f.len() + l.len());
        phrases.insert([f.clone(), l.clone()].concat().join(" "));
        phrases.insert([l, f].concat().join(" "));
    }
    Names { phrases, longest }
}

/// Whether `text` holds one of the names as consecutive words.
pub(crate) fn names_in(text: &str, names: &Names) -> bool {
    let w = words(text);
    (2..=names.longest).any(|n| {
        w.windows(n)
            .any(|win| names.phrases.contains(&win.join(" ")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personnummer_in_every_usual_form_is_found() {
        for t in [
            "Pojken 050101-1234 syns ofta",
            "050101+1234",
            "0501011234",
            "20050101-1234 vid torget",
            "200501011234",
            "20050101 1234",
            "samordningsnummer 050161-1234",
        ] {
            assert_eq!(pattern(t), Some(Found::Personnummer), "{t}");
        }
    }

    #[test]
    fn phone_numbers_are_found() {
        for t in [
            "ring 070-123 45 67",
            "031-12 34 56",
            "+46 70 123 45 67",
            "0046701234567",
            "under 2025 070 123 45 67",
            "(031) 123 456",
        ] {
            assert!(pattern(t).is_some(), "{t}");
        }
    }

    #[test]
    fn dates_times_and_counts_are_ordinary_text() {
        for t in [
            "Mellan 2026-03-01 och 2026-03-15 kl. 18-22 sågs 12 ungdomar.",
            "Vecka 12, 08-17, buss 8 och 19",
            "Ca 20 000 kr i skadegörelse under 2025",
            "20260301-20260315",
            "Fler än 5 händelser 3 helger i rad",
        ] {
            assert_eq!(pattern(t), None, "{t}");
        }
    }

    #[test]
    fn a_first_and_last_name_together_is_found_in_either_order() {
        let names = names_of([("Ali", "Haddad"), ("Anna-Karin", "Berg")].into_iter());
        assert!(names_in("Vi har sett ali haddad vid torget", &names));
        assert!(names_in("HADDAD, Ali", &names));
        assert!(names_in("anna karin berg", &names));
        assert!(!names_in("Ali och Haddad-familjen", &names));
        assert!(!names_in("Ali sågs vid berget", &names));
        assert!(!names_in("Oro kring torget på kvällar", &names));
    }
}
