//! `/arenden/:id/anteckningar`: the case's journal notes, newest first. The author may change
//! a note; after the first minutes a change is a correction that keeps the earlier text and
//! marks the note "Rättad".

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::cases::{get_case, BreakGlass};
use crate::api::casework::{list_notes, AddNote, EditNote};
use crate::components::case_frame::{case_frame_with, use_case_id, CaseHead};
use crate::components::common::{successes, sv_datetime};
use crate::components::forms::{
    busy, draft_key, failure, forget_drafts_when_saved, Check, DraftArea, Submit,
};
use crate::components::ui::ActionStatus;
use crate::i18n::{t, td_string, use_i18n};
use domain::casework::NoteDto;
use domain::{input, AppError, CaseView, MAX_TEXT};

/// The core's rule for a note's text.
fn note_text(v: &str) -> Result<(), AppError> {
    input::text("text", "Anteckningen", v, true, MAX_TEXT).map(drop)
}

#[component]
pub fn NotesPage() -> impl IntoView {
    let case_id = use_case_id();
    let glass = ServerAction::<BreakGlass>::new();
    let add = ServerAction::<AddNote>::new();
    let edit = ServerAction::<EditNote>::new();
    forget_drafts_when_saved(add, |n| vec![draft_key(&n.case_id, "note")]);
    forget_drafts_when_saved(edit, |n| {
        vec![draft_key(&n.case_id, &format!("note.{}", n.note_id))]
    });
    let editing = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(id) = edit.input().with(|i| i.as_ref().map(|i| i.note_id.clone())) {
            editing.set(id);
        }
    });
    let (added, edited, granted) = (successes(add), successes(edit), successes(glass));
    let case = Resource::new(move || (case_id(), granted.get()), |(id, _)| get_case(id));
    let notes = Resource::new(
        move || (case_id(), granted.get(), added.get(), edited.get()),
        |(id, ..)| list_notes(id),
    );
    let l = use_i18n().get_locale_untracked();
    case_frame_with(
        td_string!(l, casework.notes.title),
        case_id,
        glass,
        case,
        move || async move { notes.await },
        move |c, n| view! { <Notes c notes=n add edit editing/> },
    )
}

#[component]
fn Notes(
    c: CaseView,
    notes: Vec<NoteDto>,
    add: ServerAction<AddNote>,
    edit: ServerAction<EditNote>,
    editing: RwSignal<String>,
) -> impl IntoView {
    let case_id = c.case_id.clone();
    let note_draft = draft_key(&case_id, "note");
    let i18n = use_i18n();
    view! {
        <CaseHead c=c.clone()/>
        // A case handed over takes no new notes here (the frame says why).
        {(!c.handed_over).then(|| view! {
        <section class="card" aria-labelledby="new-note-h">
            <h2 id="new-note-h">{t!(i18n, casework.notes.new_heading)}</h2>
            {failure(add)}
            <ActionForm action=add attr:class="form" attr:data-testid="add-note" attr:aria-busy=busy(add)>
                <input type="hidden" name="case_id" value=c.case_id.clone()/>
                <label for="n-text">{t!(i18n, casework.notes.note)}</label>
                <DraftArea id="n-text" name="text" draft=note_draft rows=5 check=Check::new(note_text)/>
                <Submit action=add class="primary">{t!(i18n, casework.notes.submit)}</Submit>
            </ActionForm>
            {move || add.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">{t!(i18n, casework.notes.saved)}</p> })}
        </section>
        })}
        <section aria-labelledby="notes-h">
            <h2 id="notes-h">{t!(i18n, casework.notes.heading)}</h2>
            <p class="hint">{t!(i18n, casework.notes.hint)}</p>
            {if notes.is_empty() {
                view! { <p class="empty">{t!(i18n, casework.notes.none)}</p> }.into_any()
            } else {
                view! {
                    <ul class="notes">
                        {notes.into_iter().map(|n| view! { <Note n case_id=case_id.clone() edit editing/> }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
fn Note(
    n: NoteDto,
    case_id: String,
    edit: ServerAction<EditNote>,
    editing: RwSignal<String>,
) -> impl IntoView {
    let id = n.id.clone();
    let field = format!("nt-{}", n.id);
    let draft = draft_key(&case_id, &format!("note.{}", n.id));
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <li class="card note" data-testid="note">
            <p class="note-meta">
                <time datetime=n.at.to_rfc3339()>{sv_datetime(n.at)}</time>" · "{n.author.clone()}
                {n.corrected.then(|| view! { " "<span class="tag corrected">{t!(i18n, casework.notes.corrected)}</span> })}
            </p>
            <p class="prose">{n.text.clone()}</p>
            {n.can_edit.then(|| view! {
                <details>
                    <summary>{t!(i18n, casework.notes.edit)}</summary>
                    <ActionForm action=edit attr:class="form" attr:aria-busy=busy(edit)>
                        <input type="hidden" name="case_id" value=case_id.clone()/>
                        <input type="hidden" name="note_id" value=n.id.clone()/>
                        <input type="hidden" name="version" value=n.version.to_string()/>
                        <label for=field.clone()>{t!(i18n, casework.notes.new_text)}</label>
                        <DraftArea id=field name="text" draft value=n.text.clone() rows=5 check=Check::new(note_text)/>
                        <Submit action=edit class="primary">{t!(i18n, casework.notes.save_edit)}</Submit>
                    </ActionForm>
                </details>
            })}
            {move || (editing.get() == id).then(|| view! {
                <ActionStatus value=move || edit.value().get() ok=td_string!(l, casework.notes.edited)/>
            })}
        </li>
    }
}
