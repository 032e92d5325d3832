//! Reading what a person typed: one set of rules for text limits, dates and Swedish clock
//! times, used by the core (which decides), the server functions and the browser (which give
//! the same message before a round trip).
//!
//! Every function names the form field it reads, so an error can be shown beside that field.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};

use crate::error::Problem;
use crate::time::swedish_local;
use crate::AppError;

/// Longest free text accepted in any sealed text field.
pub const MAX_TEXT: usize = 20_000;
/// Longest short field (names, addresses).
pub const MAX_SHORT: usize = 200;

/// How far from today a date typed into a plan or a register may lie (ten years).
const MAX_DAYS_FROM_TODAY: i64 = 3653;

/// The format of a date field (`<input type="date">` sends it, and people type it).
pub const DATE_FORMAT: &str = "%Y-%m-%d";
/// The format of a `<input type="datetime-local">` value.
pub const LOCAL_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M";

/// Trimmed text of at most `max` characters, without control characters other than line
/// breaks and tabs. `label` names the field in the message ("Sammanfattningen måste fyllas i.").
pub fn text(
    field: &str,
    label: &str,
    v: &str,
    required: bool,
    max: usize,
) -> Result<String, AppError> {
    let v = v.trim();
    if required && v.is_empty() {
        return Err(AppError::problem(
            field,
            Problem::Required,
            format!("{label} måste fyllas i."),
        ));
    }
    if v.chars().count() > max {
        return Err(AppError::problem(
            field,
            Problem::TooLong { max },
            format!("{label} får vara högst {max} tecken."),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AppError::problem(
            field,
            Problem::BadCharacters,
            format!("{label} innehåller otillåtna tecken."),
        ));
    }
    Ok(v.to_string())
}

/// Text that may be left empty: `None` when it is.
pub fn optional_text(
    field: &str,
    label: &str,
    v: &str,
    max: usize,
) -> Result<Option<String>, AppError> {
    text(field, label, v, false, max).map(|t| Some(t).filter(|t| !t.is_empty()))
}

/// A date written ÅÅÅÅ-MM-DD, any year from 1900 to 2100. Empty is `None`.
pub fn any_date(field: &str, v: &str) -> Result<Option<NaiveDate>, AppError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(v, DATE_FORMAT)
        .ok()
        .filter(|d| (1900..=2100).contains(&chrono::Datelike::year(d)))
        .map(Some)
        .ok_or_else(|| {
            AppError::problem(
                field,
                Problem::DateFormat,
                "Ange datum som ÅÅÅÅ-MM-DD, t.ex. 2026-01-31.",
            )
        })
}

/// A whole month written ÅÅÅÅ-MM (`<input type="month">` sends it), as its first day; a full
/// date ÅÅÅÅ-MM-DD (an older link, a browser without a month field) names its month. Any year
/// from 1900 to 2100. Empty is `None`.
pub fn any_month(field: &str, v: &str) -> Result<Option<NaiveDate>, AppError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let day = match v.len() {
        7 => NaiveDate::parse_from_str(&format!("{v}-01"), DATE_FORMAT).ok(),
        _ => NaiveDate::parse_from_str(v, DATE_FORMAT).ok(),
    };
    day.filter(|d| (1900..=2100).contains(&d.year()))
        .and_then(|d| d.with_day(1))
        .map(Some)
        .ok_or_else(|| {
            AppError::problem(
                field,
                Problem::MonthFormat,
                "Ange månad som ÅÅÅÅ-MM, t.ex. 2026-01.",
            )
        })
}

/// A date in a plan or register (a follow-up, a valid-until): ÅÅÅÅ-MM-DD within ten years of
/// `today`. Empty is `None`, or an error when `required`.
pub fn date(
    field: &str,
    v: &str,
    today: NaiveDate,
    required: bool,
) -> Result<Option<NaiveDate>, AppError> {
    match any_date(field, v)? {
        None if required => Err(AppError::problem(
            field,
            Problem::DateRequired,
            "Ange ett datum.",
        )),
        None => Ok(None),
        Some(d) if (d - today).num_days().abs() > MAX_DAYS_FROM_TODAY => Err(AppError::problem(
            field,
            Problem::DateTooFar,
            "Datumet ligger för långt från dagens datum.",
        )),
        Some(d) => Ok(Some(d)),
    }
}

/// The moment a Swedish clock showed `local`. In the autumn's repeated hour it is the earlier
/// of the two moments; a time skipped in the spring (02:00–02:59 on the last Sunday of March)
/// is `None`.
pub fn swedish_to_utc(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    // Summer time first, so that the repeated hour resolves to the earlier moment.
    [2, 1]
        .into_iter()
        .map(|h| (local - chrono::Duration::hours(h)).and_utc())
        .find(|utc| swedish_local(*utc) == local)
}

/// A `datetime-local` value (ÅÅÅÅ-MM-DDTHH:MM) read on a Swedish clock, as UTC.
pub fn swedish_time(field: &str, v: &str) -> Result<DateTime<Utc>, AppError> {
    let local = NaiveDateTime::parse_from_str(v.trim(), LOCAL_TIME_FORMAT).map_err(|_| {
        AppError::problem(
            field,
            Problem::TimeFormat,
            "Ange tidpunkt som ÅÅÅÅ-MM-DD TT:MM.",
        )
    })?;
    swedish_to_utc(local).ok_or_else(|| {
        AppError::problem(
            field,
            Problem::TimeSkipped,
            "Den tiden finns inte i Sverige (klockan ställs fram). Välj en annan tid.",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_its_first_day_whatever_form_it_is_written_in() {
        let jan = NaiveDate::from_ymd_opt(2026, 1, 1);
        assert_eq!(any_month("from", "2026-01").unwrap(), jan);
        assert_eq!(any_month("from", " 2026-01-31 ").unwrap(), jan);
        assert_eq!(any_month("from", "").unwrap(), None);
        for bad in [
            "2026-13",
            "2026-1",
            "januari",
            "2026-02-30",
            "1899-12",
            "2026-01-01T00:00",
        ] {
            assert_eq!(
                any_month("from", bad).unwrap_err().field(),
                Some("from"),
                "{bad}"
            );
        }
    }

    fn field_of(e: AppError) -> String {
        e.field().unwrap_or_default().to_string()
    }

    #[test]
    fn text_is_trimmed_and_limited_and_names_its_field() {
        assert_eq!(text("s", "Texten", "  hej \n", true, 10).unwrap(), "hej");
        assert_eq!(
            field_of(text("s", "Texten", "   ", true, 10).unwrap_err()),
            "s"
        );
        assert!(text("s", "Texten", "", false, 10).unwrap().is_empty());
        // Characters, not bytes: ten Swedish letters fit in ten.
        assert!(text("s", "Texten", "åäöåäöåäöå", true, 10).is_ok());
        assert!(text("s", "Texten", "åäöåäöåäöåä", true, 10).is_err());
        assert!(text("s", "Texten", "a\u{0}b", true, 10).is_err());
        assert!(text("s", "Texten", "a\tb\r\nc", true, 10).is_ok());
        assert_eq!(optional_text("s", "Texten", "  ", 10).unwrap(), None);
    }

    #[test]
    fn dates_are_iso_and_near_today_where_asked() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(
            date("d", "2026-12-24", today, true).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 24)
        );
        assert_eq!(date("d", " ", today, false).unwrap(), None);
        assert!(date("d", "", today, true).is_err());
        assert!(date("d", "24/12/2026", today, true).is_err());
        assert!(date("d", "2026-02-30", today, true).is_err());
        assert!(date("d", "2040-01-01", today, true).is_err());
        assert!(any_date("d", "1950-06-01").unwrap().is_some());
        assert!(any_date("d", "0001-01-01").is_err());
    }

    #[test]
    fn swedish_clock_times_become_utc_across_both_switches() {
        let t = |s: &str| swedish_time("at", s).map(|u| u.format("%Y-%m-%d %H:%M").to_string());
        assert_eq!(t("2026-01-15T10:00").unwrap(), "2026-01-15 09:00");
        assert_eq!(t("2026-07-15T10:00").unwrap(), "2026-07-15 08:00");
        // 2026-03-29 02:30 never happened on a Swedish clock.
        assert!(t("2026-03-29T02:30").is_err());
        // 2026-10-25 02:30 happened twice; the earlier (summer time) moment is taken.
        assert_eq!(t("2026-10-25T02:30").unwrap(), "2026-10-25 00:30");
        assert_eq!(field_of(t("i går").unwrap_err()), "at");
    }
}
