//! View pieces shared by the case and log-review pages: masked values, Swedish dates and
//! times, field errors and team parts.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use domain::{AppError, Protection, Shown, MASK};

/// Why a value is hidden; read by screen readers and shown as a tooltip.
pub const NO_ACCESS: &str = "Du har inte behörighet att se detta";

/// The mask shown instead of a value the reader may not see.
pub fn masked() -> impl IntoView {
    view! {
        <span class="masked" title=NO_ACCESS>
            <span aria-hidden="true">{MASK}</span>
            <span class="visually-hidden">{NO_ACCESS}</span>
        </span>
    }
}

/// A value as the reader may see it: the value, a dash when empty, or the mask.
pub fn shown(value: &Shown<String>) -> AnyView {
    match value {
        Shown::Value(v) => view! { <span class="value">{v.clone()}</span> }.into_any(),
        Shown::Empty => view! {
            <span class="none"><span aria-hidden="true">"–"</span><span class="visually-hidden">"Inte angivet"</span></span>
        }
        .into_any(),
        Shown::Masked => masked().into_any(),
    }
}

/// The protection marker, or nothing for an unprotected person.
pub fn protection_tag(p: Protection) -> Option<impl IntoView> {
    p.is_protected()
        .then(|| view! { <span class="tag protected">{p.label()}</span> })
}

pub use domain::time::swedish_local;

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

/// Parts a person can have on a case team: (stored value, label). `responsible` is set when
/// the case is opened and is not offered when adding members.
pub const PARTS: [(&str, &str); 6] = [
    ("responsible", "Ansvarig handläggare"),
    ("case_worker", "Handläggare"),
    ("program_lead", "Programledare"),
    ("police_contact", "Polisens kontaktperson"),
    ("mentor", "Mentor"),
    ("other", "Annan"),
];

pub fn part_label(part: &str) -> String {
    PARTS
        .iter()
        .find(|(p, _)| *p == part)
        .map(|(_, l)| l.to_string())
        .unwrap_or_else(|| part.to_string())
}

/// Counts the successful submissions of an action. Resources keyed on it reload after a change
/// was made but not after a refused one, so a form with a mistake keeps what the user typed.
pub fn successes<S>(action: ServerAction<S>) -> ReadSignal<usize>
where
    S: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let (count, set_count) = signal(0usize);
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            set_count.update(|n| *n += 1);
        }
    });
    count
}

/// The message of an `Invalid` error that belongs to `field`, if any.
pub fn error_for(error: Option<AppError>, field: &str) -> Option<String> {
    match error {
        Some(AppError::Invalid { field: f, message }) if f == field => Some(message),
        _ => None,
    }
}

/// The message next to one form field, linked to it with `aria-describedby`.
#[component]
pub fn FieldError(
    #[prop(into)] id: String,
    #[prop(into)] message: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        message
            .get()
            .map(|m| view! { <p class="field-error" id=id.clone()>{m}</p> })
    }
}

/// `ÅÅÅÅ-MM-DD` or a dash.
pub fn date_or_dash(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "–".to_string())
}

/// The print buttons' handler. An inline `onclick` attribute would be refused by the
/// Content-Security-Policy (no inline scripts), so the hydrated page calls the browser here.
pub fn print_page() {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().print();
    }
}

/// A council meeting's status as a tag (text, not colour alone).
pub fn meeting_status(s: domain::council::MeetingStatus) -> impl IntoView {
    let class = match s {
        domain::council::MeetingStatus::Planned => "tag",
        domain::council::MeetingStatus::Held => "tag ok",
    };
    view! { <span class=class>{s.label()}</span> }
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
    fn unknown_part_is_shown_as_stored() {
        assert_eq!(part_label("mentor"), "Mentor");
        assert_eq!(part_label("x"), "x");
    }
}
