//! Sweden's civil time, the same on the server and in the browser: what "today" is for due
//! dates and reminders, and how times are shown.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc};

/// Sweden's civil time: CET (UTC+1), and CEST (UTC+2) from 01:00 UTC on the last Sunday of
/// March to 01:00 UTC on the last Sunday of October (the EU rule). Computed here rather than
/// from the host's time zone so that the server and the browser render the same text.
pub fn swedish_local(t: DateTime<Utc>) -> NaiveDateTime {
    let year = t.year();
    let switch = |month: u32| {
        last_sunday(year, month)
            .and_hms_opt(1, 0, 0)
            .map(|d| d.and_utc())
    };
    let summer = match (switch(3), switch(10)) {
        (Some(start), Some(end)) => t >= start && t < end,
        _ => false,
    };
    (t + Duration::hours(if summer { 2 } else { 1 })).naive_utc()
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    let last = first_of_next.and_then(|d| d.pred_opt()).unwrap_or_default();
    last - Duration::days(i64::from(last.weekday().num_days_from_sunday()))
}

/// A date's month as `YYYY-MM`: what a month field sends, and the key of the monthly counters.
pub fn month_key(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The date in Sweden at the moment `t`.
pub fn swedish_date(t: DateTime<Utc>) -> NaiveDate {
    swedish_local(t).date()
}

/// A calendar date as it is stored: midnight UTC of that date, read back with `date_naive()`.
/// Such a value names a day, not a moment: compare it with `stored_date(swedish_date(now))`,
/// never with `now` (between 00:00 and 01:00 or 02:00 in Sweden, today's value still lies in
/// the future).
pub fn stored_date(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The moment the Swedish civil day `d` begins. Midnight is never inside a daylight-saving
/// switch (those happen at 02:00 and 03:00), so it is exactly one of UTC+1 or UTC+2.
pub fn swedish_day_start(d: NaiveDate) -> DateTime<Utc> {
    let local = d.and_time(chrono::NaiveTime::MIN);
    [1, 2]
        .into_iter()
        .map(|h| (local - Duration::hours(h)).and_utc())
        .find(|t| swedish_local(*t) == local)
        .unwrap_or_else(|| (local - Duration::hours(1)).and_utc())
}

/// `ÅÅÅÅ-MM-DD TT:MM` in Swedish time.
pub fn sv_datetime(t: DateTime<Utc>) -> String {
    swedish_local(t).format("%Y-%m-%d %H:%M").to_string()
}

/// `TT:MM` in Swedish time.
pub fn sv_clock(t: DateTime<Utc>) -> String {
    swedish_local(t).format("%H:%M").to_string()
}

/// `ÅÅÅÅ-MM-DD` of a moment, in Swedish time.
pub fn sv_date(t: DateTime<Utc>) -> String {
    swedish_local(t).format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn winter_time_is_utc_plus_one() {
        let t = Utc.with_ymd_and_hms(2026, 1, 15, 12, 30, 0).unwrap();
        assert_eq!(sv_datetime(t), "2026-01-15 13:30");
    }

    #[test]
    fn summer_time_is_utc_plus_two() {
        let t = Utc.with_ymd_and_hms(2026, 7, 1, 22, 15, 0).unwrap();
        assert_eq!(sv_datetime(t), "2026-07-02 00:15");
    }

    #[test]
    fn summer_time_starts_and_ends_at_one_utc_on_the_last_sunday() {
        // 2026: last Sunday of March is the 29th, of October the 25th.
        assert_eq!(
            sv_clock(Utc.with_ymd_and_hms(2026, 3, 29, 0, 59, 0).unwrap()),
            "01:59"
        );
        assert_eq!(
            sv_clock(Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap()),
            "03:00"
        );
        assert_eq!(
            sv_clock(Utc.with_ymd_and_hms(2026, 10, 25, 0, 59, 0).unwrap()),
            "02:59"
        );
        assert_eq!(
            sv_clock(Utc.with_ymd_and_hms(2026, 10, 25, 1, 0, 0).unwrap()),
            "02:00"
        );
    }

    #[test]
    fn a_swedish_day_starts_at_23_or_22_utc_the_day_before() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(
            swedish_day_start(d(2026, 1, 15)),
            Utc.with_ymd_and_hms(2026, 1, 14, 23, 0, 0).unwrap()
        );
        assert_eq!(
            swedish_day_start(d(2026, 7, 1)),
            Utc.with_ymd_and_hms(2026, 6, 30, 22, 0, 0).unwrap()
        );
        // The days the clocks change begin in the time that held at midnight.
        assert_eq!(
            swedish_day_start(d(2026, 3, 29)),
            Utc.with_ymd_and_hms(2026, 3, 28, 23, 0, 0).unwrap()
        );
        assert_eq!(
            swedish_day_start(d(2026, 10, 25)),
            Utc.with_ymd_and_hms(2026, 10, 24, 22, 0, 0).unwrap()
        );
    }
}
