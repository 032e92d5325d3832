//! `/arenden/:id/kontakt`: the contact log entry, made for a mentor on a phone right after a
//! meeting. One short form that saves in one tap, with or without JavaScript (a plain form post
//! to `/api/contacts/add` comes back to this page), and nothing kept on the device: no
//! autocomplete and no drafts. The latest contacts below confirm what was saved.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::cases::{get_case, BreakGlass};
use crate::api::casework::{get_timeline, AddContact};
use crate::components::case_frame::{case_frame_with, use_case_id, CaseHead};
use crate::components::common::{event_org, event_says, successes, sv_datetime, FieldError};
use crate::components::forms::{busy, Check, SignInToSave, Submit};
use crate::components::labels::Label;
use crate::components::ui::ActionStatus;
use crate::i18n::{t, td_string, use_i18n};
use domain::casework::ContactKind;
use domain::event::TimelinePage;
use domain::{input, CaseView, MAX_TEXT};

/// How many of the latest contacts the page lists.
const RECENT: u32 = 5;

#[component]
pub fn ContactPage() -> impl IntoView {
    let case_id = use_case_id();
    let glass = ServerAction::<BreakGlass>::new();
    let add = ServerAction::<AddContact>::new();
    let (saved, granted) = (successes(add), successes(glass));
    let case = Resource::new(move || (case_id(), granted.get()), |(id, _)| get_case(id));
    let recent = Resource::new(
        move || (case_id(), granted.get(), saved.get()),
        |(id, ..)| {
            get_timeline(
                id,
                String::new(),
                "contacts".into(),
                String::new(),
                Some(RECENT),
            )
        },
    );
    // The list of recent contacts is only a confirmation: a reader who may log contacts but not
    // read them still gets the form.
    let l = use_i18n().get_locale_untracked();
    case_frame_with(
        td_string!(l, casework.contact.title),
        case_id,
        glass,
        case,
        move || async move { Ok(recent.await) },
        move |c, recent| view! { <Contact c recent add/> },
    )
}

#[component]
fn Contact(
    c: CaseView,
    recent: Result<TimelinePage, domain::AppError>,
    add: ServerAction<AddContact>,
) -> impl IntoView {
    let summary =
        Check::new(|v| input::text("summary", "Sammanfattningen", v, true, MAX_TEXT).map(drop));
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <CaseHead c=c.clone()/>
        // A case handed over takes no new contacts here (the frame says why).
        {(!c.handed_over).then(|| view! {
        <section class="card contact-entry" aria-labelledby="contact-h">
            <h2 id="contact-h">{t!(i18n, casework.contact.heading)}</h2>
            <ActionStatus value=move || add.value().get() ok=td_string!(l, casework.contact.saved)/>
            <SignInToSave action=add/>
            <ActionForm action=add attr:class="form" attr:autocomplete="off" attr:data-testid="contact-form" attr:aria-busy=busy(add)>
                <input type="hidden" name="case_id" value=c.case_id.clone()/>
                <label for="ct-kind">{t!(i18n, casework.contact.kind)}</label>
                <select id="ct-kind" name="kind" required autocomplete="off">
                    {ContactKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label_in(l)}</option> }).collect_view()}
                </select>
                <label for="ct-at">{t!(i18n, casework.contact.at)}</label>
                <input id="ct-at" name="at" type="datetime-local" autocomplete="off" aria-describedby="ct-at-hint"/>
                <p id="ct-at-hint" class="hint">{t!(i18n, casework.contact.at_hint)}</p>
                <label for="ct-minutes">{t!(i18n, casework.contact.minutes)}</label>
                <input id="ct-minutes" name="minutes" type="number" inputmode="numeric" min="0" max="1440" step="1" autocomplete="off"/>
                <label for="ct-summary">{t!(i18n, casework.contact.summary)}</label>
                <textarea id="ct-summary" name="summary" required maxlength=MAX_TEXT rows="5" autocomplete="off"
                    on:input=move |ev| summary.run(&ev) aria-invalid=summary.invalid() aria-describedby=summary.described("ct-summary-err")></textarea>
                <FieldError id="ct-summary-err" message=summary.message()/>
                <Submit action=add class="primary wide">{t!(i18n, casework.contact.submit)}</Submit>
            </ActionForm>
        </section>
        })}
        <section class="card" aria-labelledby="recent-h">
            <h2 id="recent-h">{t!(i18n, casework.contact.recent)}</h2>
            {match recent {
                Ok(page) if page.events.is_empty() => view! { <p class="empty">{t!(i18n, casework.contact.none)}</p> }.into_any(),
                Ok(page) => view! {
                    <ul class="recent-contacts" data-testid="recent-contacts">
                        {page.events.into_iter().map(|e| view! {
                            <li>
                                <time datetime=e.at.to_rfc3339()>{sv_datetime(e.at)}</time>
                                " · "{event_org(&e.org)}
                                {(!e.author.is_empty()).then(|| format!(", {}", e.author))}
                                <br/>
                                {event_says(e.line.as_ref(), e.text.as_deref(), td_string!(l, casework.contact.other_actor))}
                            </li>
                        }).collect_view()}
                    </ul>
                }
                .into_any(),
                Err(_) => view! { <p class="hint">{t!(i18n, casework.contact.cannot_read)}</p> }.into_any(),
            }}
        </section>
    }
}
