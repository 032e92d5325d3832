//! Validated identifiers for people: personnummer/samordningsnummer, phone numbers and e-mail
//! addresses.
//!
//! Each type can only be obtained through its validating constructor (or through `Deserialize`,
//! which validates too), so the rest of the app can rely on the stored value being well formed
//! and normalised. The normalised form returned by `as_str()` is what the server feeds into the
//! blind index, which is why two spellings of the same identifier must always normalise to the
//! same string.
//!
//! The module is compiled both for the server and for wasm32, so it performs no I/O and never
//! reads the clock: where "today" matters (century resolution, births in the future) the caller
//! passes it in.
//!
//! `Debug` is masked on every value type because `Debug` output ends up in logs, traces and panic
//! messages, where personal data must not appear. Use `Display` deliberately when a value is to
//! be shown to a person who is allowed to see it.

use std::fmt;

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Shown instead of the value in `Debug` output.
const MASK: &str = "••••";

/// Everything that can be wrong with a personal identifier typed by a user.
///
/// The `Display` texts are complete Swedish sentences meant to be shown next to the input field
/// as they are. The type is serialisable so that a server function can return it to the browser
/// without flattening it to a string first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error, Serialize, Deserialize)]
pub enum PersonError {
    /// Not one of the accepted personnummer shapes (wrong length, letters, misplaced separator).
    #[error("Personnumret ska skrivas ÅÅÅÅMMDD-NNNN.")]
    InvalidFormat,
    /// The digits do not form a real calendar date, or the century is not 18, 19 or 20.
    #[error("Datumet i personnumret finns inte.")]
    InvalidDate,
    /// The three-digit birth number is 000, which Skatteverket never assigns (the series is
    /// 001–999).
    #[error("Födelsenumret 000 används inte – kontrollera de fyra sista siffrorna.")]
    InvalidBirthNumber,
    /// The last digit does not match the Luhn (modulus 10) check digit.
    #[error("Kontrollsiffran stämmer inte – kontrollera numret.")]
    InvalidCheckDigit,
    /// The birth date lies after the `today` given to the parser.
    #[error("Födelsedatumet ligger i framtiden.")]
    FutureDate,
    /// The phone number could not be normalised to E.164 with 8–15 digits.
    #[error("Telefonnumret ska innehålla 8–15 siffror, t.ex. 070-123 45 67.")]
    InvalidPhone,
    /// The e-mail address failed the pragmatic syntax check.
    #[error("E-postadressen ser inte ut att stämma.")]
    InvalidEmail,
}

// ---------------------------------------------------------------------------------------------
// Luhn
// ---------------------------------------------------------------------------------------------

/// Luhn (modulus 10, weights 2 and 1 from the right) check over digit *values*.
///
/// `digits` holds numbers 0–9, not ASCII characters, with the check digit last. Returns `false`
/// for an empty slice (nothing to check is not a valid number) and for any element above 9, so
/// that a caller who passes ASCII bytes by mistake gets a clear "no" instead of a silently wrong
/// answer.
#[must_use]
pub fn luhn_ok(digits: &[u8]) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut sum: u8 = 0;
    for (position_from_right, &digit) in digits.iter().rev().enumerate() {
        if digit > 9 {
            return false;
        }
        let value = if position_from_right % 2 == 1 {
            luhn_double(digit)
        } else {
            digit
        };
        // Reducing modulo 10 on every step keeps the sum bounded whatever the slice length.
        sum = (sum + value) % 10;
    }
    sum == 0
}

/// The check digit that makes `payload` followed by it pass [`luhn_ok`]. `payload` must hold
/// digit values 0–9; larger values are clamped so the function stays total.
fn luhn_check_digit(payload: &[u8]) -> u8 {
    let mut sum: u8 = 0;
    // The check digit will sit at position 0 from the right, so the payload's last digit is
    // at position 1 and is the first one doubled.
    for (position_from_right, &digit) in payload.iter().rev().enumerate() {
        let digit = digit.min(9);
        let value = if position_from_right % 2 == 0 {
            luhn_double(digit)
        } else {
            digit
        };
        sum = (sum + value) % 10;
    }
    (10 - sum) % 10
}

/// Doubles a digit and sums the digits of the product (e.g. 7 → 14 → 5).
fn luhn_double(digit: u8) -> u8 {
    let doubled = digit * 2;
    if doubled > 9 {
        doubled - 9
    } else {
        doubled
    }
}

// ---------------------------------------------------------------------------------------------
// Personnummer
// ---------------------------------------------------------------------------------------------

/// Whether an identity number is a personnummer or a samordningsnummer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PnrKind {
    /// Assigned to people who are or have been folkbokförda in Sweden.
    Personnummer,
    /// Coordination number for people who are not folkbokförda; the day of birth is written
    /// with 60 added (born on the 3rd → day 63).
    Samordningsnummer,
}

/// A Swedish personnummer or samordningsnummer that has passed all format rules.
///
/// Stored as twelve digits, `YYYYMMDDNNNC`: with the century, because the short ten-digit form
/// only identifies a person together with the date it was read on (the separator changes from
/// `-` to `+` the year the person turns 100), and without separator so the value is stable for
/// the blind index.
///
/// Accepted input forms (surrounding whitespace is ignored):
///
/// | form            | century                                                             |
/// |-----------------|---------------------------------------------------------------------|
/// | `YYYYMMDD-NNNN` | given                                                               |
/// | `YYYYMMDDNNNN`  | given                                                               |
/// | `YYMMDD-NNNN`   | the person turns at most 99 during the year of `today`              |
/// | `YYMMDDNNNN`    | as with `-`: without a separator there is no sign of a 100+ person  |
/// | `YYMMDD+NNNN`   | the person turns 100 or more during the year of `today`             |
///
/// Deliberately *not* accepted:
///
/// * Reservnummer. Regions and authorities issue their own reserve numbers when a person has no
///   personnummer, in incompatible formats (some contain letters, some reuse the date part, some
///   have no check digit). They are not national identifiers and cannot be validated here; a
///   case without a personnummer should be recorded without one rather than with a look-alike.
/// * Samordningsnummer whose day part is 60 (birth day unknown): [`Personnummer::birth_date`]
///   promises a real date, so such a number is reported as [`PersonError::InvalidDate`].
/// * Centuries other than 18, 19 and 20, which are the only ones Skatteverket stores.
///
/// `Debug` prints `Personnummer(••••)` so that the number never reaches a log by accident.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Personnummer(String);

/// Where the century of a parsed number comes from.
#[derive(Clone, Copy)]
enum Century {
    /// The input had twelve digits; the value is the first two of them (18, 19, 20, …).
    Explicit(u8),
    /// Ten-digit form with `-` or without separator.
    UnderHundred,
    /// Ten-digit form with `+`.
    HundredOrOlder,
}

/// The earliest and latest birth years that the century digits 18, 19 and 20 allow.
const MIN_BIRTH_YEAR: i32 = 1800;
const MAX_BIRTH_YEAR: i32 = 2099;

impl Personnummer {
    /// Parses a personnummer or samordningsnummer typed by a user.
    ///
    /// `today` is the date in Sweden at the time of input. It decides the century of the short
    /// forms and rejects births after it; it is a parameter because this code also runs in the
    /// browser and in tests, where the clock is not ours to read.
    ///
    /// Checks run in a fixed order so the user gets the most specific message: shape, date,
    /// birth number, check digit and finally the future-date check.
    ///
    /// # Errors
    ///
    /// [`PersonError::InvalidFormat`], [`PersonError::InvalidDate`],
    /// [`PersonError::InvalidBirthNumber`], [`PersonError::InvalidCheckDigit`] or
    /// [`PersonError::FutureDate`], whichever rule fails first.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, PersonError> {
        let (century, ten) = split_input(input.trim())?;
        let yy = i32::from(ten[0]) * 10 + i32::from(ten[1]);
        let year = match century {
            Century::Explicit(cc) => i32::from(cc) * 100 + yy,
            Century::UnderHundred => latest_year_ending_in(yy, today.year()),
            // Skatteverket switches to `+` from 1 January of the year the person turns 100, so
            // the birth year is at most the current year minus 100.
            Century::HundredOrOlder => latest_year_ending_in(yy, today.year() - 100),
        };
        let pnr = Self::from_year_and_ten(year, &ten)?;
        if pnr.birth_date() > today {
            return Err(PersonError::FutureDate);
        }
        Ok(pnr)
    }

    /// Validates an already normalised value, as stored in the database or sent over the wire.
    ///
    /// Only the twelve-digit form is accepted and there is no future-date check, because
    /// deserialisation has no `today` and a value that passed [`Personnummer::parse`] once must
    /// keep loading later.
    fn from_normalised(value: &str) -> Result<Self, PersonError> {
        let bytes = value.as_bytes();
        if bytes.len() != 12 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(PersonError::InvalidFormat);
        }
        let mut digits = [0u8; 12];
        for (slot, byte) in digits.iter_mut().zip(bytes) {
            *slot = byte - b'0';
        }
        let year = digits[..4]
            .iter()
            .fold(0i32, |acc, &d| acc * 10 + i32::from(d));
        let mut ten = [0u8; 10];
        ten.copy_from_slice(&digits[2..]);
        Self::from_year_and_ten(year, &ten)
    }

    /// Applies every rule that does not depend on `today` and builds the normalised value.
    fn from_year_and_ten(year: i32, ten: &[u8; 10]) -> Result<Self, PersonError> {
        if !(MIN_BIRTH_YEAR..=MAX_BIRTH_YEAR).contains(&year) {
            return Err(PersonError::InvalidDate);
        }
        let month = u32::from(ten[2]) * 10 + u32::from(ten[3]);
        let day_part = u32::from(ten[4]) * 10 + u32::from(ten[5]);
        let day = coordination_adjusted_day(day_part);
        if NaiveDate::from_ymd_opt(year, month, day).is_none() {
            return Err(PersonError::InvalidDate);
        }
        if ten[6..9] == [0, 0, 0] {
            return Err(PersonError::InvalidBirthNumber);
        }
        // The check digit covers only the ten-digit form: the century was never part of it.
        if !luhn_ok(ten) {
            return Err(PersonError::InvalidCheckDigit);
        }
        let mut normalised = String::with_capacity(12);
        // `year` is within 1800..=2099 here, so this is always exactly four digits.
        normalised.push_str(&year.to_string());
        normalised.extend(ten[2..].iter().map(|&d| char::from(b'0' + d)));
        Ok(Self(normalised))
    }

    /// The normalised twelve-digit form `YYYYMMDDNNNC`, used for storage and the blind index.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is an ordinary personnummer or a samordningsnummer.
    #[must_use]
    pub fn kind(&self) -> PnrKind {
        if self.number_at(6, 2) > 60 {
            PnrKind::Samordningsnummer
        } else {
            PnrKind::Personnummer
        }
    }

    /// The four-digit birth year.
    #[must_use]
    pub fn birth_year(&self) -> i32 {
        // Four digits always fit; the fallback only keeps the conversion total.
        i32::try_from(self.number_at(0, 4)).unwrap_or_default()
    }

    /// The date of birth, with the +60 of a samordningsnummer removed.
    ///
    /// This is the date as registered. When every birth number of a day is taken, Skatteverket
    /// can use a nearby day of the same month, so for people registered as adults the day may
    /// differ slightly from the actual birthday.
    #[must_use]
    pub fn birth_date(&self) -> NaiveDate {
        let day = coordination_adjusted_day(self.number_at(6, 2));
        // Every constructor has validated this date, so the fallback is never taken; it exists
        // only so that this accessor cannot panic.
        NaiveDate::from_ymd_opt(self.birth_year(), self.number_at(4, 2), day).unwrap_or_default()
    }

    /// Whether the third digit of the birth number is even, which in the population register
    /// means legal gender "kvinna".
    ///
    /// Informational only: do not derive or display gender from it. A person's legal gender can
    /// change (and with it the number), and the number says nothing about how the person
    /// identifies, which matters in this domain.
    #[must_use]
    pub fn legal_gender_digit_is_even(&self) -> bool {
        self.number_at(10, 1).is_multiple_of(2)
    }

    /// Decimal value of `len` digits starting at byte `start` of the normalised string.
    /// Out-of-range positions count as zero, which keeps the accessors total.
    fn number_at(&self, start: usize, len: usize) -> u32 {
        self.0
            .as_bytes()
            .iter()
            .skip(start)
            .take(len)
            .fold(0, |acc, &b| acc * 10 + u32::from(b.wrapping_sub(b'0') % 10))
    }
}

/// Splits trimmed input into its century source and the ten digits that the check digit covers.
fn split_input(s: &str) -> Result<(Century, [u8; 10]), PersonError> {
    let bytes = s.as_bytes();
    let joined =
        |head: &[u8], tail: &[u8]| -> Vec<u8> { head.iter().chain(tail).copied().collect() };
    // The shape is recognised by byte length and separator position. Indexing by byte is safe
    // because the length has just been matched, and any non-ASCII character fails the digit
    // check below.
    let (digit_bytes, short_form_century) = match bytes.len() {
        13 if bytes[8] == b'-' => (joined(&bytes[..8], &bytes[9..]), None),
        12 => (bytes.to_vec(), None),
        11 if bytes[6] == b'-' => (
            joined(&bytes[..6], &bytes[7..]),
            Some(Century::UnderHundred),
        ),
        11 if bytes[6] == b'+' => (
            joined(&bytes[..6], &bytes[7..]),
            Some(Century::HundredOrOlder),
        ),
        10 => (bytes.to_vec(), Some(Century::UnderHundred)),
        _ => return Err(PersonError::InvalidFormat),
    };
    if !digit_bytes.iter().all(u8::is_ascii_digit) {
        return Err(PersonError::InvalidFormat);
    }
    let values: Vec<u8> = digit_bytes.iter().map(|b| b - b'0').collect();
    let (century, ten_digits) = match (short_form_century, values.as_slice()) {
        (Some(century), ten_digits) => (century, ten_digits),
        (None, [c1, c2, ten_digits @ ..]) => (Century::Explicit(c1 * 10 + c2), ten_digits),
        (None, []) | (None, [_]) => return Err(PersonError::InvalidFormat),
    };
    let ten = <[u8; 10]>::try_from(ten_digits).map_err(|_| PersonError::InvalidFormat)?;
    Ok((century, ten))
}

/// The latest year that is not after `reference` and whose last two digits are `yy`.
fn latest_year_ending_in(yy: i32, reference: i32) -> i32 {
    reference - (reference - yy).rem_euclid(100)
}

/// Calendar day for a day part: samordningsnummer add 60 to the day. A day part of exactly 60
/// maps to 0, which is then rejected as not a date.
fn coordination_adjusted_day(day_part: u32) -> u32 {
    if day_part >= 60 {
        day_part - 60
    } else {
        day_part
    }
}

impl fmt::Display for Personnummer {
    /// `YYYYMMDD-NNNN`, the form recommended for showing a number to people.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.split_at_checked(8) {
            Some((date, rest)) => write!(f, "{date}-{rest}"),
            None => f.write_str(&self.0),
        }
    }
}

impl fmt::Debug for Personnummer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Personnummer({MASK})")
    }
}

impl Serialize for Personnummer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Personnummer {
    /// Accepts only the normalised twelve-digit form and re-checks date, birth number and check
    /// digit, so a tampered request or a corrupt row cannot smuggle in an invalid value.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::from_normalised(&raw).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Fictional numbers for demo and test data
// ---------------------------------------------------------------------------------------------

/// First birth date handed out by [`fictional_personnummer`].
const FICTIONAL_FIRST_BIRTH_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1990, 1, 1) {
    Some(date) => date,
    None => panic!("1990-01-01 is a valid date"),
};
/// Number of days from 1990-01-01 to 2012-12-31 inclusive.
const FICTIONAL_BIRTH_DAYS: u64 = 8401;
/// Birth numbers 980–999, i.e. the last four digits are 98xx or 99xx.
const FICTIONAL_FIRST_BIRTH_NUMBER: u64 = 980;
const FICTIONAL_BIRTH_NUMBER_COUNT: u64 = 20;

/// A deterministic, valid personnummer for demo data and tests.
///
/// Scheme: birth date spread uniformly over 1990-01-01..=2012-12-31, birth number in 980–999
/// (last four digits 98xx/99xx), correct check digit, always [`PnrKind::Personnummer`]. The same
/// seed always gives the same number, so fixtures are reproducible.
///
/// These numbers pass every format rule, and nothing in the format can tell a fictional number
/// from a real one. The 98x/99x birth numbers are not reserved: since 1990 birth numbers are no
/// longer tied to a county, so a generated number could coincide with a real person's. That is
/// why this series is used only for fictional people in the demo and in tests, and why the tests
/// compare only against numbers from this series. Data that may ever leave a developer machine
/// (shared demos, screenshots, training environments) should instead use Skatteverket's
/// published test personnummer, which Skatteverket sets aside for testing and does not assign
/// to people.
#[must_use]
pub fn fictional_personnummer(seed: u64) -> Personnummer {
    let first = splitmix64(seed);
    let second = splitmix64(first);
    let offset = first % FICTIONAL_BIRTH_DAYS;
    let birth_date = FICTIONAL_FIRST_BIRTH_DATE
        .checked_add_days(Days::new(offset))
        .unwrap_or(FICTIONAL_FIRST_BIRTH_DATE);
    let birth_number = FICTIONAL_FIRST_BIRTH_NUMBER + second % FICTIONAL_BIRTH_NUMBER_COUNT;

    let yymmdd_nnn = format!(
        "{:02}{:02}{:02}{:03}",
        birth_date.year() % 100,
        birth_date.month(),
        birth_date.day(),
        birth_number
    );
    let payload: Vec<u8> = yymmdd_nnn.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    let check = luhn_check_digit(&payload);
    Personnummer(format!(
        "{:04}{:02}{:02}{:03}{}",
        birth_date.year(),
        birth_date.month(),
        birth_date.day(),
        birth_number,
        check
    ))
}

/// One step of the `SplitMix64` generator: a small, well-mixed, dependency-free hash, so that
/// neighbouring seeds give unrelated numbers.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------------------------------------
// Phone
// ---------------------------------------------------------------------------------------------

/// A phone number normalised to E.164 (`+` followed by 8–15 digits).
///
/// Input may contain spaces, dashes and parentheses. A leading `00` is the international call
/// prefix used in Sweden and becomes `+`; a single leading `0` is the Swedish trunk prefix, so
/// `070-123 45 67` becomes `+46701234567`. The Swedish habit of writing `+46 (0)70…` is handled
/// by dropping the `0` after `+46`, which no Swedish number in E.164 form has. Digits without any
/// prefix are refused because the country cannot be known.
///
/// Only the length is checked, not whether the number is in service or what kind it is: the
/// app needs a stable key and a number a caseworker can dial, not number-plan validation.
///
/// `Display` groups digits for reading; `Debug` is masked.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

/// Longer input than this cannot be a phone number even with generous formatting, and refusing
/// it early keeps work per request bounded.
const MAX_PHONE_INPUT_BYTES: usize = 64;
const MIN_PHONE_DIGITS: usize = 8;
const MAX_PHONE_DIGITS: usize = 15;

impl Phone {
    /// Parses and normalises a phone number typed by a user.
    ///
    /// # Errors
    ///
    /// [`PersonError::InvalidPhone`] when the input cannot be read as an E.164 number with
    /// 8–15 digits.
    pub fn parse(input: &str) -> Result<Self, PersonError> {
        if input.len() > MAX_PHONE_INPUT_BYTES {
            return Err(PersonError::InvalidPhone);
        }
        let compact: String = input
            .chars()
            .filter(|&c| !(c.is_whitespace() || is_phone_separator(c)))
            .collect();

        let international: String = if let Some(rest) = compact.strip_prefix('+') {
            rest.to_owned()
        } else if let Some(rest) = compact.strip_prefix("00") {
            rest.to_owned()
        } else if let Some(rest) = compact.strip_prefix('0') {
            format!("46{rest}")
        } else {
            return Err(PersonError::InvalidPhone);
        };
        let digits = match international.strip_prefix("460") {
            Some(national) => format!("46{national}"),
            None => international,
        };

        let plausible = digits.bytes().all(|b| b.is_ascii_digit())
            // Country codes never start with 0.
            && !digits.starts_with('0')
            && (MIN_PHONE_DIGITS..=MAX_PHONE_DIGITS).contains(&digits.len());
        if !plausible {
            return Err(PersonError::InvalidPhone);
        }
        Ok(Self(format!("+{digits}")))
    }

    /// The E.164 form, e.g. `+46701234567`, used for storage and the blind index.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Dash-like characters that word processors and phones substitute for `-` when text is
/// pasted, plus the brackets people put around area codes.
fn is_phone_separator(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2212}'
            | '('
            | ')'
    )
}

impl fmt::Display for Phone {
    /// Swedish numbers in the national form recommended by Språkrådet (`070-123 45 67`,
    /// `08-123 456 78`), since that is what caseworkers read and dial; other numbers as
    /// `+CC` followed by groups of three. Grouping is only for reading and never affects the
    /// stored value, so an imperfect guess at an area code is harmless.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.strip_prefix('+').unwrap_or(&self.0);
        let country_len = country_code_len(digits.as_bytes()).min(digits.len());
        let (country, national) = digits.split_at(country_len);
        if country == "46" {
            let area_len = swedish_area_code_len(national.as_bytes());
            if national.len() > area_len + 1 {
                let (area, subscriber) = national.split_at(area_len);
                return write!(f, "0{area}-{}", group_swedish_subscriber(subscriber));
            }
        }
        if national.is_empty() {
            return f.write_str(&self.0);
        }
        write!(f, "+{country} {}", group_in_threes(national))
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({MASK})")
    }
}

/// Length of the ITU country code at the start of an E.164 number. Country codes are
/// prefix-free: 1 and 7 are one digit, the listed two-digit codes are fixed, and every other
/// code has three digits.
fn country_code_len(digits: &[u8]) -> usize {
    match digits {
        [b'1' | b'7', ..] => 1,
        [b'2', b'0' | b'7', ..]
        | [b'3', b'0'..=b'4' | b'6' | b'9', ..]
        | [b'4', b'0' | b'1' | b'3'..=b'9', ..]
        | [b'5', b'1'..=b'8', ..]
        | [b'6', b'0'..=b'6', ..]
        | [b'8', b'1' | b'2' | b'4' | b'6', ..]
        | [b'9', b'0'..=b'5' | b'8', ..] => 2,
        _ => 3,
    }
}

/// Swedish area codes (without the trunk 0) that have two digits, including the mobile
/// prefixes. Stockholm's 8 is the only one-digit code; all others have three digits.
const SWEDISH_TWO_DIGIT_AREA_CODES: [&[u8; 2]; 27] = [
    b"10", b"11", b"13", b"16", b"18", b"19", b"20", b"21", b"23", b"26", b"31", b"33", b"35",
    b"36", b"40", b"42", b"44", b"46", b"54", b"60", b"63", b"70", b"72", b"73", b"76", b"79",
    b"90",
];

fn swedish_area_code_len(national: &[u8]) -> usize {
    match national {
        [b'8', ..] => 1,
        [a, b, ..] if SWEDISH_TWO_DIGIT_AREA_CODES.contains(&&[*a, *b]) => 2,
        _ => 3,
    }
}

/// Swedish subscriber-number grouping: pairs from the right with a leading group of three
/// when the length is odd, except that eight digits are written 3-3-2.
fn group_swedish_subscriber(digits: &str) -> String {
    let len = digits.len();
    if len <= 4 {
        return digits.to_owned();
    }
    let first_len = match len {
        8 => 3,
        _ if len % 2 == 1 => 3,
        _ => 2,
    };
    let mut groups = vec![&digits[..first_len]];
    let mut rest = &digits[first_len..];
    if len == 8 {
        groups.push(&rest[..3]);
        rest = &rest[3..];
    }
    while !rest.is_empty() {
        let (group, tail) = rest.split_at(2.min(rest.len()));
        groups.push(group);
        rest = tail;
    }
    groups.join(" ")
}

/// Groups of three from the left; a lone trailing digit joins the previous group so no group
/// is a single digit.
fn group_in_threes(digits: &str) -> String {
    let mut groups: Vec<&str> = Vec::new();
    let mut rest = digits;
    while !rest.is_empty() {
        let take = if rest.len() == 4 {
            4
        } else {
            3.min(rest.len())
        };
        let (group, tail) = rest.split_at(take);
        groups.push(group);
        rest = tail;
    }
    groups.join(" ")
}

impl Serialize for Phone {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Phone {
    /// Goes through [`Phone::parse`], which leaves an E.164 value unchanged, so stored values
    /// load as they are and anything else is validated like user input.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Email
// ---------------------------------------------------------------------------------------------

/// An e-mail address that passed a pragmatic syntax check, with the domain in lower case.
///
/// The check catches typing and pasting mistakes (missing `@`, spaces, `Name <addr>` pasted from
/// a mail client, double dots) without trying to implement all of RFC 5322: quoted local parts
/// and IP-literal domains are refused because nobody in this app's audience has one, while
/// non-ASCII letters (`åsa@exempel.se`, `räksmörgås.se`) are allowed. Whether the address
/// actually receives mail can only be known by sending to it.
///
/// The domain is lower-cased because domains are case-insensitive, so `Anna@Exempel.SE` and
/// `Anna@exempel.se` get the same blind-index key. The local part keeps its case because the
/// standard lets the receiving server treat it as case-sensitive.
///
/// `Debug` is masked.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

/// Limits from RFC 5321: 64 octets for the local part, 254 for a usable address, 63 per label.
const MAX_EMAIL_BYTES: usize = 254;
const MAX_LOCAL_PART_BYTES: usize = 64;
const MAX_DOMAIN_LABEL_BYTES: usize = 63;

impl Email {
    /// Parses an e-mail address typed by a user; surrounding whitespace is ignored.
    ///
    /// # Errors
    ///
    /// [`PersonError::InvalidEmail`] when the address fails any of the checks described on
    /// [`Email`].
    pub fn parse(input: &str) -> Result<Self, PersonError> {
        let trimmed = input.trim();
        if trimmed.len() > MAX_EMAIL_BYTES {
            return Err(PersonError::InvalidEmail);
        }
        let (local, domain) = trimmed.split_once('@').ok_or(PersonError::InvalidEmail)?;
        if !local_part_ok(local) || !domain_ok(domain) {
            return Err(PersonError::InvalidEmail);
        }
        let normalised = format!("{local}@{}", domain.to_lowercase());
        // Lower-casing some non-ASCII letters changes their UTF-8 length, so check again.
        if normalised.len() > MAX_EMAIL_BYTES {
            return Err(PersonError::InvalidEmail);
        }
        Ok(Self(normalised))
    }

    /// The normalised address, used for storage and the blind index.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Dot-separated atoms of letters, digits and the RFC 5322 `atext` symbols.
fn local_part_ok(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= MAX_LOCAL_PART_BYTES
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .chars()
                    .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c))
        })
}

/// At least two non-empty labels of letters, digits and inner hyphens, with a top-level label
/// that is not purely numeric (which would be an IP address, not a mail domain). A second `@`
/// fails here because it is not a label character.
fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let labels_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= MAX_DOMAIN_LABEL_BYTES
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    labels_ok
        && labels
            .last()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({MASK})")
    }
}

impl Serialize for Email {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Email {
    /// Goes through [`Email::parse`], which leaves a normalised address unchanged.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Every personnummer literal below uses birth numbers 980–999, the series this app keeps
    // for fictional people (see `fictional_personnummer`), apart from the never-assigned 000
    // used to test that rule.

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("test dates are valid")
    }

    /// Reference "today" for the table tests.
    fn today() -> NaiveDate {
        date(2025, 6, 15)
    }

    // --- luhn ------------------------------------------------------------------------------

    #[test]
    fn luhn_accepts_known_valid_sequences() {
        // The textbook Luhn example and the ten-digit form of a test number.
        assert!(luhn_ok(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 3]));
        assert!(luhn_ok(&[9, 0, 0, 1, 1, 5, 9, 8, 0, 6]));
        assert!(luhn_ok(&[0]));
    }

    #[test]
    fn luhn_rejects_wrong_empty_and_non_digit_input() {
        assert!(!luhn_ok(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 4]));
        assert!(!luhn_ok(&[]));
        assert!(!luhn_ok(&[1, 10]));
        // ASCII characters instead of digit values are refused, not misread.
        assert!(!luhn_ok(b"9001159806"));
    }

    #[test]
    fn luhn_check_digit_completes_payload() {
        for payload in [
            &[9u8, 0, 0, 1, 1, 5, 9, 8, 0][..],
            &[0; 9],
            &[9; 9],
            &[1, 2, 3],
        ] {
            let mut full = payload.to_vec();
            full.push(luhn_check_digit(payload));
            assert!(luhn_ok(&full), "{payload:?}");
        }
    }

    // --- personnummer: valid input ---------------------------------------------------------

    #[test]
    fn valid_personnummer_table() {
        let cases: &[(&str, &str, PnrKind)] = &[
            ("19900115-9806", "199001159806", PnrKind::Personnummer),
            ("199001159806", "199001159806", PnrKind::Personnummer),
            ("900115-9806", "199001159806", PnrKind::Personnummer),
            ("9001159806", "199001159806", PnrKind::Personnummer),
            ("  19900115-9806\t\n", "199001159806", PnrKind::Personnummer),
            ("\u{a0}900115-9806 ", "199001159806", PnrKind::Personnummer),
            ("20040229-9911", "200402299911", PnrKind::Personnummer),
            ("040229-9911", "200402299911", PnrKind::Personnummer),
            ("20000101-9876", "200001019876", PnrKind::Personnummer),
            ("120304+9935", "191203049935", PnrKind::Personnummer),
            ("19120304-9935", "191203049935", PnrKind::Personnummer),
            ("991231+9812", "189912319812", PnrKind::Personnummer),
            ("18991231-9812", "189912319812", PnrKind::Personnummer),
            ("19900175-9829", "199001759829", PnrKind::Samordningsnummer),
            ("900175-9829", "199001759829", PnrKind::Samordningsnummer),
            // Born today is not in the future.
            ("20250615-9843", "202506159843", PnrKind::Personnummer),
            ("250615-9843", "202506159843", PnrKind::Personnummer),
        ];
        for &(input, normalised, kind) in cases {
            let pnr = Personnummer::parse(input, today())
                .unwrap_or_else(|e| panic!("{input:?} should parse, got {e:?}"));
            assert_eq!(pnr.as_str(), normalised, "{input:?}");
            assert_eq!(pnr.kind(), kind, "{input:?}");
        }
    }

    // --- personnummer: invalid input -------------------------------------------------------

    #[test]
    fn invalid_personnummer_table() {
        use PersonError::*;
        let cases: &[(&str, PersonError)] = &[
            ("", InvalidFormat),
            ("   ", InvalidFormat),
            ("19900115-980", InvalidFormat),
            ("19900115-98066", InvalidFormat),
            ("1990011598066", InvalidFormat),
            ("19900115+9806", InvalidFormat),
            ("19900115 9806", InvalidFormat),
            ("900115 9806", InvalidFormat),
            ("900115–9806", InvalidFormat), // en dash
            ("1990-01-15-9806", InvalidFormat),
            ("19900115-98O6", InvalidFormat),         // letter O
            ("９００１１５-９８０６", InvalidFormat), // full-width digits
            ("-900115980", InvalidFormat),
            ("+9001159806", InvalidFormat),
            ("90011-59806", InvalidFormat),
            ("19900115_9806", InvalidFormat),
            // Dates that do not exist.
            ("19901315-9943", InvalidDate),
            ("19900100-9936", InvalidDate),
            ("19000229-9865", InvalidDate), // 1900 was not a leap year
            ("19900160-9974", InvalidDate), // samordningsnummer with unknown day
            ("19900192-9984", InvalidDate), // day 32 after removing 60
            ("17991231-9838", InvalidDate), // century 17 is never used
            ("21000101-9800", InvalidDate),
            // Birth number 000 is never assigned.
            ("19900115-0003", InvalidBirthNumber),
            // Wrong check digit.
            ("19900115-9807", InvalidCheckDigit),
            ("900115-9805", InvalidCheckDigit),
            ("19900115-9816", InvalidCheckDigit), // digit changed in the birth number
            ("19910115-9806", InvalidCheckDigit), // digit changed in the date
            // The century is not covered by the check digit, so a wrong century with a valid
            // date is still accepted; this one is caught because it lies in the future.
            ("20900115-9806", FutureDate),
            ("20250616-9859", FutureDate),
            // `-` means under 100 this year, so YY equal to this year is this year's birth.
            ("250616-9859", FutureDate),
            ("251231-9928", FutureDate),
        ];
        for &(input, expected) in cases {
            assert_eq!(
                Personnummer::parse(input, today()),
                Err(expected),
                "{input:?}"
            );
        }
    }

    #[test]
    fn error_messages_are_swedish_sentences() {
        assert_eq!(
            PersonError::InvalidFormat.to_string(),
            "Personnumret ska skrivas ÅÅÅÅMMDD-NNNN."
        );
        assert_eq!(
            PersonError::InvalidDate.to_string(),
            "Datumet i personnumret finns inte."
        );
        assert_eq!(
            PersonError::InvalidCheckDigit.to_string(),
            "Kontrollsiffran stämmer inte – kontrollera numret."
        );
        assert_eq!(
            PersonError::FutureDate.to_string(),
            "Födelsedatumet ligger i framtiden."
        );
        assert_eq!(
            PersonError::InvalidPhone.to_string(),
            "Telefonnumret ska innehålla 8–15 siffror, t.ex. 070-123 45 67."
        );
        assert_eq!(
            PersonError::InvalidEmail.to_string(),
            "E-postadressen ser inte ut att stämma."
        );
    }

    #[test]
    fn person_error_round_trips_through_serde() {
        let json = serde_json::to_string(&PersonError::InvalidCheckDigit).expect("serialise");
        let back: PersonError = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, PersonError::InvalidCheckDigit);
    }

    // --- century resolution ----------------------------------------------------------------

    #[test]
    fn century_resolution_with_hyphen_and_without_separator() {
        let cases: &[(&str, NaiveDate, i32)] = &[
            // YY after this year's YY: last century.
            ("991231-9952", date(2025, 6, 15), 1999),
            ("260101-9967", date(2025, 6, 15), 1926),
            ("2601019967", date(2025, 6, 15), 1926),
            // YY up to this year's YY: this century.
            ("000101-9876", date(2025, 6, 15), 2000),
            ("250101-9885", date(2025, 6, 15), 2025),
            // The same text read in another year resolves differently.
            ("260101-9967", date(2026, 1, 1), 2026),
            ("000101-9876", date(1999, 12, 31), 1900),
        ];
        for &(input, on, year) in cases {
            let pnr = Personnummer::parse(input, on)
                .unwrap_or_else(|e| panic!("{input:?} on {on} should parse, got {e:?}"));
            assert_eq!(pnr.birth_year(), year, "{input:?} on {on}");
        }
    }

    #[test]
    fn century_resolution_with_plus() {
        let cases: &[(&str, NaiveDate, i32)] = &[
            // `+` is used from 1 January of the year the person turns 100, so someone born on
            // 31 December 1925 already has `+` on 15 June 2025.
            ("251231+9894", date(2025, 6, 15), 1925),
            ("250101+9901", date(2025, 6, 15), 1925),
            ("260101+9967", date(2025, 6, 15), 1826),
            ("120304+9935", date(2025, 6, 15), 1912),
            ("991231+9812", date(2025, 6, 15), 1899),
            ("251231+9894", date(2026, 1, 1), 1925),
            ("260101+9967", date(2026, 1, 1), 1926),
        ];
        for &(input, on, year) in cases {
            let pnr = Personnummer::parse(input, on)
                .unwrap_or_else(|e| panic!("{input:?} on {on} should parse, got {e:?}"));
            assert_eq!(pnr.birth_year(), year, "{input:?} on {on}");
        }
    }

    #[test]
    fn plus_and_hyphen_give_dates_a_century_apart() {
        let young = Personnummer::parse("120304-9935", today()).expect("valid");
        let old = Personnummer::parse("120304+9935", today()).expect("valid");
        assert_eq!(young.birth_date(), date(2012, 3, 4));
        assert_eq!(old.birth_date(), date(1912, 3, 4));
        assert_ne!(young, old);
    }

    #[test]
    fn plus_resolving_before_1800_is_not_a_date() {
        // On 2025-06-15 `+` with YY 26–99 means 1826–1899; in 1899 it would mean the 1700s.
        assert_eq!(
            Personnummer::parse("991231+9812", date(1899, 12, 31)),
            Err(PersonError::InvalidDate)
        );
    }

    // --- samordningsnummer -----------------------------------------------------------------

    #[test]
    fn samordningsnummer_is_marked_and_day_is_adjusted() {
        let pnr = Personnummer::parse("19900175-9829", today()).expect("valid");
        assert_eq!(pnr.kind(), PnrKind::Samordningsnummer);
        assert_eq!(pnr.birth_date(), date(1990, 1, 15));
        assert_eq!(pnr.birth_year(), 1990);
        // The stored and displayed forms keep the +60, since that is the number itself.
        assert_eq!(pnr.as_str(), "199001759829");
        assert_eq!(pnr.to_string(), "19900175-9829");
    }

    #[test]
    fn future_samordningsnummer_is_refused() {
        // Day 76 is 16 June 2025, the day after `today`.
        assert_eq!(
            Personnummer::parse("20250676-9815", today()),
            Err(PersonError::FutureDate)
        );
        assert_eq!(
            Personnummer::parse("20250675-9816", today()).map(|p| p.kind()),
            Ok(PnrKind::Samordningsnummer)
        );
    }

    // --- accessors, Display, Debug, serde --------------------------------------------------

    #[test]
    fn accessors() {
        let pnr = Personnummer::parse("20040229-9911", today()).expect("valid");
        assert_eq!(pnr.birth_year(), 2004);
        assert_eq!(pnr.birth_date(), date(2004, 2, 29));
        assert_eq!(pnr.kind(), PnrKind::Personnummer);
        // Birth number 991: third digit 1 is odd.
        assert!(!pnr.legal_gender_digit_is_even());
        let pnr = Personnummer::parse("19900115-9806", today()).expect("valid");
        assert!(pnr.legal_gender_digit_is_even());
    }

    #[test]
    fn display_and_debug() {
        let pnr = Personnummer::parse("9001159806", today()).expect("valid");
        assert_eq!(pnr.to_string(), "19900115-9806");
        assert_eq!(format!("{pnr:?}"), "Personnummer(••••)");
        assert_eq!(format!("{:?}", Some(&pnr)), "Some(Personnummer(••••))");
    }

    #[test]
    fn serde_uses_normalised_form() {
        let pnr = Personnummer::parse("900115-9806", today()).expect("valid");
        let json = serde_json::to_string(&pnr).expect("serialise");
        assert_eq!(json, "\"199001159806\"");
        let back: Personnummer = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, pnr);
    }

    #[test]
    fn deserialize_validates() {
        for bad in [
            "\"19900115-9806\"", // not normalised
            "\"9001159806\"",    // no century
            "\"199001159807\"",  // check digit
            "\"199013159943\"",  // month 13
            "\"199001150003\"",  // birth number 000
            "\"179912319838\"",  // century 17
            "\"\"",
            "199001159806", // a number, not a string
        ] {
            assert!(
                serde_json::from_str::<Personnummer>(bad).is_err(),
                "{bad} should be refused"
            );
        }
        // No `today` during deserialisation, so a stored future date still loads.
        let future: Personnummer = serde_json::from_str("\"202506169859\"").expect("loads");
        assert_eq!(future.birth_date(), date(2025, 6, 16));
    }

    #[test]
    fn parse_handles_extreme_today() {
        for on in [
            NaiveDate::MIN,
            NaiveDate::MAX,
            date(0, 1, 1),
            date(1800, 1, 1),
        ] {
            for input in ["900115-9806", "900115+9806", "9001159806", "19900115-9806"] {
                // Any result is fine; the point is that nothing panics or overflows.
                let _ = Personnummer::parse(input, on);
            }
        }
        assert_eq!(
            Personnummer::parse("19900115-9806", NaiveDate::MIN),
            Err(PersonError::FutureDate)
        );
    }

    // --- fictional numbers -----------------------------------------------------------------

    #[test]
    fn fictional_range_constants_match_documentation() {
        let last = FICTIONAL_FIRST_BIRTH_DATE
            .checked_add_days(Days::new(FICTIONAL_BIRTH_DAYS - 1))
            .expect("in range");
        assert_eq!(last, date(2012, 12, 31));
    }

    #[test]
    fn fictional_is_deterministic_and_varied() {
        assert_eq!(fictional_personnummer(42), fictional_personnummer(42));
        let distinct: std::collections::HashSet<String> = (0..200)
            .map(|seed| fictional_personnummer(seed).as_str().to_owned())
            .collect();
        assert!(distinct.len() > 190, "only {} distinct", distinct.len());
        let years: std::collections::HashSet<i32> = (0..500)
            .map(|seed| fictional_personnummer(seed).birth_year())
            .collect();
        assert_eq!(years.len(), 23, "all years 1990–2012 should occur");
    }

    // --- phone -----------------------------------------------------------------------------

    #[test]
    fn valid_phone_table() {
        let cases: &[(&str, &str, &str)] = &[
            ("070-123 45 67", "+46701234567", "070-123 45 67"),
            ("0701234567", "+46701234567", "070-123 45 67"),
            ("+46 70 123 45 67", "+46701234567", "070-123 45 67"),
            ("+46 (0)70-123 45 67", "+46701234567", "070-123 45 67"),
            ("0046 70 123 45 67", "+46701234567", "070-123 45 67"),
            (
                "  070\u{2013}123\u{a0}45 67 ",
                "+46701234567",
                "070-123 45 67",
            ),
            ("(08) 123 456 78", "+46812345678", "08-123 456 78"),
            ("08-12 34 56", "+468123456", "08-12 34 56"),
            ("031-12 34 56", "+4631123456", "031-12 34 56"),
            ("0980-123 45", "+4698012345", "0980-123 45"),
            ("0771-567 567", "+46771567567", "0771-56 75 67"),
            ("+47 412 34 567", "+4741234567", "+47 412 345 67"),
            ("0047 41234567", "+4741234567", "+47 412 345 67"),
            ("+1 (212) 555-0123", "+12125550123", "+1 212 555 0123"),
            ("+358 40 123 4567", "+358401234567", "+358 401 234 567"),
            (
                "+123456789012345",
                "+123456789012345",
                "+1 234 567 890 123 45",
            ),
        ];
        for &(input, e164, shown) in cases {
            let phone =
                Phone::parse(input).unwrap_or_else(|e| panic!("{input:?} should parse: {e:?}"));
            assert_eq!(phone.as_str(), e164, "{input:?}");
            assert_eq!(phone.to_string(), shown, "{input:?}");
            // What is shown can be typed back in and gives the same value.
            assert_eq!(
                Phone::parse(&phone.to_string()),
                Ok(phone.clone()),
                "{input:?}"
            );
            assert_eq!(Phone::parse(phone.as_str()), Ok(phone), "{input:?}");
        }
    }

    #[test]
    fn invalid_phone_table() {
        for input in [
            "",
            "   ",
            "+",
            "0",
            "070-123",                 // too short
            "+46 70",                  // too short
            "+1234567",                // 7 digits
            "+1234567890123456",       // 16 digits
            "0046",                    // prefix only
            "701234567",               // no prefix: country unknown
            "46701234567",             // no plus
            "+46 70 123 45 6x",        // letter
            "070.123.45.67",           // dots are not accepted separators
            "+46 70 123 45 67 ank 12", // extension
            "++46701234567",
            "+0701234567", // country codes never start with 0
            "000701234567",
            "tel:+46701234567",
            "070/1234567",
            "＋46701234567", // full-width plus
        ] {
            assert_eq!(
                Phone::parse(input),
                Err(PersonError::InvalidPhone),
                "{input:?}"
            );
        }
        let long = format!("+46{}", " ".repeat(100));
        assert_eq!(Phone::parse(&long), Err(PersonError::InvalidPhone));
    }

    #[test]
    fn phone_debug_is_masked_and_serde_round_trips() {
        let phone = Phone::parse("070-123 45 67").expect("valid");
        assert_eq!(format!("{phone:?}"), "Phone(••••)");
        let json = serde_json::to_string(&phone).expect("serialise");
        assert_eq!(json, "\"+46701234567\"");
        assert_eq!(
            serde_json::from_str::<Phone>(&json).expect("deserialise"),
            phone
        );
        assert!(serde_json::from_str::<Phone>("\"12\"").is_err());
    }

    // --- email -----------------------------------------------------------------------------

    #[test]
    fn valid_email_table() {
        let cases: &[(&str, &str)] = &[
            ("anna@exempel.se", "anna@exempel.se"),
            ("  Anna.Svensson@Exempel.SE ", "Anna.Svensson@exempel.se"),
            (
                "a+filter@sub.exempel.kommun.se",
                "a+filter@sub.exempel.kommun.se",
            ),
            ("åsa@räksmörgås.se", "åsa@räksmörgås.se"),
            ("x@ÅÄÖ.SE", "x@åäö.se"),
            ("o'brien@example.co.uk", "o'brien@example.co.uk"),
            ("a_b-c@x-y.io", "a_b-c@x-y.io"),
        ];
        for &(input, normalised) in cases {
            let email =
                Email::parse(input).unwrap_or_else(|e| panic!("{input:?} should parse: {e:?}"));
            assert_eq!(email.as_str(), normalised, "{input:?}");
            assert_eq!(email.to_string(), normalised, "{input:?}");
            assert_eq!(Email::parse(email.as_str()), Ok(email), "{input:?}");
        }
    }

    #[test]
    fn invalid_email_table() {
        let long_local = format!("{}@exempel.se", "a".repeat(65));
        let long_label = format!("a@{}.se", "b".repeat(64));
        let too_long = format!(
            "{}@{}.se",
            "a".repeat(64),
            vec!["c".repeat(60); 4].join(".")
        );
        assert!(too_long.len() > MAX_EMAIL_BYTES);
        for input in [
            "",
            "anna",
            "anna@",
            "@exempel.se",
            "anna@exempel",
            "anna@@exempel.se",
            "anna@exempel@se.se",
            "anna svensson@exempel.se",
            "anna@exempel .se",
            "Anna <anna@exempel.se>",
            ".anna@exempel.se",
            "anna.@exempel.se",
            "an..na@exempel.se",
            "anna@.exempel.se",
            "anna@exempel..se",
            "anna@exempel.se.",
            "anna@-exempel.se",
            "anna@exempel-.se",
            "anna@exem_pel.se",
            "anna@192.168.0.1",
            "anna@[192.168.0.1]",
            "\"anna\"@exempel.se",
            "anna,bertil@exempel.se",
            "anna@exempel.se;bertil@exempel.se",
            "an\u{0}na@exempel.se",
            long_local.as_str(),
            long_label.as_str(),
            too_long.as_str(),
        ] {
            assert_eq!(
                Email::parse(input),
                Err(PersonError::InvalidEmail),
                "{input:?}"
            );
        }
    }

    #[test]
    fn email_debug_is_masked_and_serde_round_trips() {
        let email = Email::parse("Anna@Exempel.se").expect("valid");
        assert_eq!(format!("{email:?}"), "Email(••••)");
        let json = serde_json::to_string(&email).expect("serialise");
        assert_eq!(json, "\"Anna@exempel.se\"");
        assert_eq!(
            serde_json::from_str::<Email>(&json).expect("deserialise"),
            email
        );
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }

    // --- properties ------------------------------------------------------------------------

    /// Any date chrono can represent, to make sure extreme "today" values cannot cause
    /// overflow in century resolution.
    fn any_date() -> impl Strategy<Value = NaiveDate> {
        let first = NaiveDate::MIN.num_days_from_ce();
        let last = NaiveDate::MAX.num_days_from_ce();
        (first..=last)
            .prop_map(|days| NaiveDate::from_num_days_from_ce_opt(days).unwrap_or(NaiveDate::MIN))
    }

    /// Strings that look like identity numbers, so the fuzzer reaches the date, birth-number
    /// and check-digit rules and not only the format check.
    fn pnr_like() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[0-9]{10,12}",
            "[0-9]{6}[-+][0-9]{4}",
            "[0-9]{8}[-+][0-9]{4}",
            "\\s{0,2}[0-9+\\- ]{0,16}\\s{0,2}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Fuzz target for the personnummer parser: no input and no `today` may panic, and
        /// everything accepted must satisfy the type's invariants.
        #[test]
        fn fuzz_personnummer_parser_never_panics(input in pnr_like(), on in any_date()) {
            if let Ok(pnr) = Personnummer::parse(&input, on) {
                let s = pnr.as_str();
                prop_assert_eq!(s.len(), 12);
                prop_assert!(s.bytes().all(|b| b.is_ascii_digit()));
                prop_assert!(pnr.birth_date() <= on);
                prop_assert!((MIN_BIRTH_YEAR..=MAX_BIRTH_YEAR).contains(&pnr.birth_year()));
                prop_assert_eq!(pnr.birth_date().year(), pnr.birth_year());
                let _ = (pnr.kind(), pnr.legal_gender_digit_is_even(), pnr.to_string());
                // The normalised and displayed forms describe the same number.
                prop_assert_eq!(Personnummer::parse(s, on), Ok(pnr.clone()));
                prop_assert_eq!(Personnummer::parse(&pnr.to_string(), on), Ok(pnr.clone()));
                prop_assert_eq!(Personnummer::from_normalised(s), Ok(pnr));
            }
        }

        #[test]
        fn fuzz_phone_and_email_parsers_never_panic(input in any::<String>()) {
            if let Ok(phone) = Phone::parse(&input) {
                let digits = phone.as_str().strip_prefix('+').unwrap_or_default();
                prop_assert!((MIN_PHONE_DIGITS..=MAX_PHONE_DIGITS).contains(&digits.len()));
                prop_assert!(digits.bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(Phone::parse(&phone.to_string()), Ok(phone.clone()));
                prop_assert_eq!(Phone::parse(phone.as_str()), Ok(phone));
            }
            if let Ok(email) = Email::parse(&input) {
                prop_assert!(email.as_str().len() <= MAX_EMAIL_BYTES);
                prop_assert_eq!(Email::parse(email.as_str()), Ok(email));
            }
        }

        #[test]
        fn phone_parser_normalises_formatted_numbers(
            digits in "[1-9][0-9]{7,13}",
            seps in proptest::collection::vec(prop_oneof![Just(""), Just(" "), Just("-")], 16),
        ) {
            let mut formatted = String::from("+");
            for (i, c) in digits.chars().enumerate() {
                formatted.push(c);
                formatted.push_str(seps[i % seps.len()]);
            }
            let phone = Phone::parse(&formatted);
            // +460… is reinterpreted as +46 (0)…, every other digit string stays as typed.
            if !digits.starts_with("460") {
                prop_assert_eq!(phone.map(|p| p.as_str().to_owned()), Ok(format!("+{digits}")));
            }
        }

        /// Every generated number parses in each accepted form, round-trips through its
        /// normalised form and stays inside the documented series.
        #[test]
        fn fictional_personnummer_parses_and_round_trips(seed in any::<u64>()) {
            let pnr = fictional_personnummer(seed);
            let s = pnr.as_str().to_owned();
            let on = today();
            prop_assert_eq!(Personnummer::parse(&s, on), Ok(pnr.clone()));
            prop_assert_eq!(Personnummer::parse(&pnr.to_string(), on), Ok(pnr.clone()));
            prop_assert_eq!(Personnummer::parse(&s[2..], on), Ok(pnr.clone()));
            prop_assert_eq!(
                Personnummer::parse(&format!("{}-{}", &s[2..8], &s[8..]), on),
                Ok(pnr.clone())
            );
            prop_assert_eq!(Personnummer::from_normalised(&s), Ok(pnr.clone()));
            let json = serde_json::to_string(&pnr).expect("serialise");
            prop_assert_eq!(serde_json::from_str::<Personnummer>(&json).ok(), Some(pnr.clone()));
            prop_assert!((1990..=2012).contains(&pnr.birth_year()));
            prop_assert!(s[8..].starts_with("98") || s[8..].starts_with("99"));
            prop_assert_eq!(pnr.kind(), PnrKind::Personnummer);
        }

        /// Luhn catches every single-digit error, so changing the check digit of a valid
        /// number must always be reported as a check-digit error.
        #[test]
        fn changed_check_digit_is_always_caught(seed in any::<u64>(), delta in 1u8..=9) {
            let s = fictional_personnummer(seed).as_str().to_owned();
            let last = s.as_bytes()[11] - b'0';
            let changed = format!("{}{}", &s[..11], (last + delta) % 10);
            prop_assert_eq!(
                Personnummer::parse(&changed, today()),
                Err(PersonError::InvalidCheckDigit)
            );
        }

        /// `Debug` must never leak any digit of the number, whatever the value.
        #[test]
        fn debug_never_contains_digits(seed in any::<u64>(), local in "[a-z0-9]{1,10}") {
            let pnr = fictional_personnummer(seed);
            let debug = format!("{pnr:?} {:?} {:#?}", Some(&pnr), vec![pnr.clone()]);
            prop_assert!(!debug.chars().any(|c| c.is_ascii_digit()), "{}", debug);
            prop_assert!(!debug.contains(&pnr.as_str()[..8]));

            let phone = Phone::parse(&format!("+46{}", &pnr.as_str()[2..])).expect("11 digits");
            let debug = format!("{phone:?} {:#?}", Some(&phone));
            prop_assert!(!debug.chars().any(|c| c.is_ascii_digit()), "{}", debug);

            let email = Email::parse(&format!("{local}@exempel.se")).expect("valid");
            prop_assert_eq!(format!("{email:?}"), "Email(••••)");
        }
    }
}
