//! View pieces shared by the case and log-review pages: masked values, Swedish dates and
//! times, field errors and team parts.

use leptos::prelude::*;

use crate::components::labels::{event_line_text, problem_text, Label};
use crate::i18n::{td_string, use_i18n, Locale};
use domain::event::EventLine;
use domain::{AppError, Protection, Shown, DAMAGED, MASK};

/// The language of the page being built: the helpers here are called from components.
fn locale() -> Locale {
    use_i18n().get_locale_untracked()
}

/// The mask shown instead of a value the reader may not see, with why it is hidden (read by
/// screen readers and shown as a tooltip).
pub fn masked() -> impl IntoView {
    let no_access = td_string!(locale(), common.value.no_access);
    view! {
        <span class="masked" title=no_access>
            <span aria-hidden="true">{MASK}</span>
            <span class="visually-hidden">{no_access}</span>
        </span>
    }
}

/// A value as the reader may see it: the value, a dash when empty, the mask, or the damage notice.
pub fn shown(value: &Shown<String>) -> AnyView {
    match value {
        Shown::Value(v) => view! { <span class="value">{v.clone()}</span> }.into_any(),
        Shown::Empty => view! {
            <span class="none"><span aria-hidden="true">"–"</span><span class="visually-hidden">{td_string!(locale(), common.value.not_given)}</span></span>
        }
        .into_any(),
        Shown::Masked => masked().into_any(),
        Shown::Damaged => damaged().into_any(),
    }
}

/// In place of a stored value that fails to open: said in words, not by colour alone.
pub fn damaged() -> impl IntoView {
    let text = td_string!(locale(), common.value.damaged);
    view! { <span class="damaged" data-testid="damaged" role="note">{text}</span> }
}

/// The protection marker, or nothing for an unprotected person.
pub fn protection_tag(p: Protection) -> Option<impl IntoView> {
    p.is_protected()
        .then(|| view! { <span class="tag protected">{p.label_in(locale())}</span> })
}

pub use domain::casework::{part_label, PARTS};
pub use domain::time::{sv_clock, sv_date, sv_datetime, swedish_local};

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

/// The message of an `Invalid` error that belongs to `field`, if any, in the page's language.
pub fn error_for(error: Option<AppError>, field: &str) -> Option<String> {
    match error {
        Some(AppError::Invalid {
            field: f,
            message,
            problem,
        }) if f == field => {
            // Read where the page's context is; Swedish, the reference, where it is not.
            let l = use_context::<leptos_i18n::I18nContext<Locale>>()
                .map_or(Locale::sv, |i18n| i18n.get_locale_untracked());
            Some(problem_text(&message, problem, l))
        }
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
    view! { <span class=class>{s.label_in(locale())}</span> }
}

/// Whose a timeline event is: the organisation's name, or the page's words for another party
/// when the reader may not know (the core sends no name then).
pub fn event_org(org: &str) -> String {
    if org.is_empty() {
        td_string!(locale(), casework.timeline.other_org).to_string()
    } else {
        org.to_string()
    }
}

/// What a timeline event says: what happened, in the page's language, then what people wrote
/// with it, as written; `other` instead, for an event the reader may know of but not read.
pub fn event_says(line: Option<&EventLine>, text: Option<&str>, other: &'static str) -> AnyView {
    let Some(text) = text else {
        return view! { <span class="other-actor">{other}</span> }.into_any();
    };
    // A stored value that failed to open comes as the domain's notice: said in the page's words.
    if text == DAMAGED {
        return damaged().into_any();
    }
    let line = line.map(|x| event_line_text(x, locale()));
    let sep = (line.is_some() && !text.is_empty()).then_some(": ");
    view! {
        {line.map(|x| view! { <span class="event-line">{x}</span> })}
        {sep}
        {(!text.is_empty()).then(|| view! { <span class="prose">{text.to_string()}</span> })}
    }
    .into_any()
}
