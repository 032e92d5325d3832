//! `/arenden/:id/redigera`: the owning team edits the participant's details. The form carries
//! the version it was read at; if someone else saved in between, the save is refused as a
//! conflict and the user is asked to reload and redo the change. Below the form, the earlier
//! versions the edits replaced ("Tidigare uppgifter"), for those who may read the identity.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api::cases::{get_case, participant_history, BreakGlass, UpdateParticipant};
use crate::api::orgs::list_orgs;
use crate::components::case_frame::{case_frame_with, use_case_id, CaseHead};
use crate::components::common::{shown, successes, sv_datetime};
use crate::components::forms::{busy, Submit};
use crate::components::labels::problem_text;
use crate::components::participant_fields::{municipalities_of, ParticipantFields};
use crate::components::ui::ErrorBox;
use crate::i18n::{t, td, td_string, use_i18n, Locale};
use domain::{AppError, CaseView, ParticipantForm, ParticipantVersion, Shown};

#[component]
pub fn EditCasePage() -> impl IntoView {
    let case_id = use_case_id();
    let l = use_i18n().get_locale_untracked();
    let update = ServerAction::<UpdateParticipant>::new();
    let glass = ServerAction::<BreakGlass>::new();
    let granted = successes(glass);
    let case = Resource::new(move || (case_id(), granted.get()), |(id, _)| get_case(id));
    let orgs = Resource::new(|| (), |_| list_orgs());
    let history = Resource::new(
        move || (case_id(), granted.get()),
        |(id, _)| participant_history(id),
    );
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = update.value().get() {
            navigate(&format!("/arenden/{}", case_id()), Default::default());
        }
    });
    case_frame_with(
        td_string!(l, cases.edit.title),
        case_id,
        glass,
        case,
        move || async move { Ok((orgs.await.unwrap_or_default(), history.await)) },
        move |c, (orgs, history)| {
            let munis = municipalities_of(orgs, &c.owner_org_id);
            view! {
                <EditForm c munis update reload=move || case.refetch()/>
                // Refused (no identity for this reader): the section is left out.
                {history.ok().map(|versions| view! { <EarlierVersions versions/> })}
            }
        },
    )
}

/// The stored values as the form's starting point; `None` when any of them is hidden from this
/// reader (saving the form would then overwrite what they cannot see) or fails to open (saving
/// would overwrite what the system administrator may still restore).
fn prefill(c: &CaseView) -> Option<ParticipantForm> {
    let v = |s: &Shown<String>| match s {
        Shown::Value(v) => Some(v.clone()),
        Shown::Empty => Some(String::new()),
        Shown::Masked | Shown::Damaged => None,
    };
    Some(ParticipantForm {
        first_name: v(&c.first_name)?,
        last_name: v(&c.last_name)?,
        personnummer: v(&c.personnummer)?,
        phone: v(&c.phone)?,
        email: v(&c.email)?,
        address: v(&c.address)?,
        background: v(&c.background)?,
        birth_year: c.birth_year.to_string(),
        gender: c.gender.as_str().to_string(),
        municipality: c.municipality.clone(),
        protection: c.protection.as_str().to_string(),
    })
}

#[component]
fn EditForm<R>(
    c: CaseView,
    munis: Vec<String>,
    update: ServerAction<UpdateParticipant>,
    reload: R,
) -> impl IntoView
where
    R: Fn() + Copy + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let head = view! { <CaseHead c=c.clone()/> };
    let blocked = if c.shredded {
        Some(td_string!(l, cases.edit.shredded))
    } else if !c.can_edit {
        Some(td_string!(l, cases.edit.not_team))
    } else {
        None
    };
    let initial = prefill(&c);
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    let body = match (blocked, initial) {
        (Some(why), _) => view! { <p class="warning" role="status">{why}</p> }.into_any(),
        (None, None) => view! {
            <p class="warning" role="status">
                {t!(i18n, cases.edit.hidden)}
            </p>
        }
        .into_any(),
        (None, Some(initial)) => view! {
            {move || match error.get() {
                Some(AppError::Conflict { message, problem }) => {
                    let message = problem_text(&message, problem, i18n.get_locale_untracked());
                    view! {
                    <div class="error" role="alert" data-testid="conflict">
                        <p>{t!(i18n, cases.edit.conflict, <strong> = <strong/>, message)}</p>
                        <p>{t!(i18n, cases.edit.not_saved)}</p>
                        <button type="button" on:click=move |_| {
                            update.value().set(None);
                            reload();
                        }>{t!(i18n, cases.edit.reload)}</button>
                    </div>
                }
                .into_any()
                }
                Some(e) => view! { <ErrorBox error=e/> }.into_any(),
                None => ().into_any(),
            }}
            <ActionForm action=update attr:class="form" attr:data-testid="edit-form" attr:aria-busy=busy(update)>
                <input type="hidden" name="case_id" value=c.case_id.clone()/>
                <input type="hidden" name="version" value=c.participant_version.to_string()/>
                <ParticipantFields initial error munis/>
                <div class="actions">
                    <Submit action=update class="primary">{t!(i18n, cases.edit.save)}</Submit>
                    <a href=format!("/arenden/{}", c.case_id)>{t!(i18n, cases.edit.cancel)}</a>
                </div>
            </ActionForm>
        }
        .into_any(),
    };
    view! {
        {head}
        <h2>{t!(i18n, cases.edit.heading)}</h2>
        {body}
    }
}

/// What the edits replaced, newest first: when, by whom, which fields and what they said.
#[component]
fn EarlierVersions(versions: Vec<ParticipantVersion>) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <section class="card" aria-labelledby="earlier-h" data-testid="earlier-versions">
            <h2 id="earlier-h">{t!(i18n, cases.edit.earlier.heading)}</h2>
            {if versions.is_empty() {
                view! { <p class="empty">{t!(i18n, cases.edit.earlier.unchanged)}</p> }.into_any()
            } else {
                view! {
                    <ul class="versions">
                        {versions.into_iter().map(|v| view! {
                            <li data-testid="earlier-version">
                                <p>
                                    {td!(l, cases.edit.earlier.changed, <strong> = <strong/>, date = sv_datetime(v.replaced_at), by = v.by.clone())}
                                </p>
                                {if v.readable {
                                    view! {
                                        <dl class="facts compact">
                                            {v.changes.into_iter().map(|c| view! {
                                                <dt>{field_name(&c.field, l).map_or(c.label, str::to_string)}</dt><dd>{shown(&c.before)}</dd>
                                            }).collect_view()}
                                        </dl>
                                    }
                                    .into_any()
                                } else {
                                    view! { <p class="hint">{t!(i18n, cases.edit.earlier.shredded)}</p> }.into_any()
                                }}
                            </li>
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}

/// The name of a participant field an edit changed, in the page's language; `None` for a field
/// not on the form (its label as the server gave it is shown then).
fn field_name(field: &str, l: Locale) -> Option<&'static str> {
    Some(match field {
        "first_name" => td_string!(l, cases.person.first_name),
        "last_name" => td_string!(l, cases.person.last_name),
        "personnummer" => td_string!(l, cases.person.personnummer),
        "birth_year" => td_string!(l, cases.person.birth_year),
        "gender" => td_string!(l, cases.person.gender),
        "phone" => td_string!(l, cases.person.phone),
        "email" => td_string!(l, cases.person.email),
        "address" => td_string!(l, cases.person.address),
        "background" => td_string!(l, cases.person.background),
        "municipality" => td_string!(l, cases.person.municipality),
        "protection" => td_string!(l, cases.person.protection),
        _ => return None,
    })
}
