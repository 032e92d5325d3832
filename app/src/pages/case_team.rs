//! `/arenden/:id/team`: who is on the case team and in what part; the owning team adds and
//! removes members. Being on the team gives another organisation's member no content by
//! itself: their access still follows consent or legal basis.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::cases::{get_case, team_candidates, AddTeamMember, BreakGlass, RemoveTeamMember};
use crate::components::case_frame::{case_frame_with, part_name, use_case_id, CaseHead};
use crate::components::common::{error_for, successes, FieldError, PARTS};
use crate::components::forms::{busy, ConfirmButton, Submit};
use crate::components::ui::{ActionStatus, DataTable};
use crate::i18n::{t, td_string, use_i18n};
use domain::{CaseView, Me};

#[component]
pub fn TeamPage() -> impl IntoView {
    let case_id = use_case_id();
    let l = use_i18n().get_locale_untracked();
    let add = ServerAction::<AddTeamMember>::new();
    let remove = ServerAction::<RemoveTeamMember>::new();
    let glass = ServerAction::<BreakGlass>::new();
    let (added, removed, granted) = (successes(add), successes(remove), successes(glass));
    let case = Resource::new(
        move || (case_id(), added.get(), removed.get(), granted.get()),
        |(id, ..)| get_case(id),
    );
    // Only those who can manage a team may list the accounts that can join one.
    let may_add = expect_context::<Me>()
        .role
        .can(domain::Capability::ManageCase);
    let candidates = Resource::new(
        || (),
        move |_| async move {
            if may_add {
                team_candidates().await.unwrap_or_default()
            } else {
                Vec::new()
            }
        },
    );
    case_frame_with(
        td_string!(l, cases.team.title),
        case_id,
        glass,
        case,
        move || async move { Ok(candidates.await) },
        move |c, candidates| view! { <Team c candidates add remove/> },
    )
}

#[component]
fn Team(
    c: CaseView,
    candidates: Vec<(String, String, String)>,
    add: ServerAction<AddTeamMember>,
    remove: ServerAction<RemoveTeamMember>,
) -> impl IntoView {
    let can_edit = c.can_edit;
    let case_id = c.case_id.clone();
    let members = c.team.clone();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <CaseHead c=c.clone()/>
        <section class="card" aria-labelledby="team-h">
            <h2 id="team-h">{t!(i18n, cases.team.title)}</h2>
            <ActionStatus value=move || remove.value().get() ok=td_string!(l, cases.team.removed)/>
            <DataTable rows=members caption=td_string!(l, cases.team.caption) testid="team" empty=td_string!(l, cases.team.empty)
                columns=vec![td_string!(l, cases.team.name), td_string!(l, cases.team.organisation), td_string!(l, cases.team.part)]
                action_column=can_edit
                row=move |m| {
                    let removable = can_edit && m.part != "responsible";
                    let fields = vec![("case_id", case_id.clone()), ("user_id", m.user_id.clone())];
                    view! {
                        <tr>
                            <td>{m.display_name.clone()}</td>
                            <td>{m.org_name.clone()}</td>
                            <td>{part_name(&m.part, l)}</td>
                            {can_edit.then(|| view! {
                                <td>
                                    {removable.then(|| view! {
                                        <ConfirmButton action=remove fields label=td_string!(l, cases.team.remove) class="danger"
                                            confirm=td_string!(l, cases.team.confirm_remove)
                                            detail=format!(" {}", m.display_name)/>
                                    })}
                                </td>
                            })}
                        </tr>
                    }
                }/>
        </section>
        {if can_edit {
            view! { <AddMember case_id=c.case_id.clone() candidates add/> }.into_any()
        } else {
            view! { <p class="hint">{t!(i18n, cases.team.not_team)}</p> }.into_any()
        }}
    }
}

#[component]
fn AddMember(
    case_id: String,
    candidates: Vec<(String, String, String)>,
    add: ServerAction<AddTeamMember>,
) -> impl IntoView {
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let err = move |field: &'static str| Signal::derive(move || error_for(error.get(), field));
    let described = move |field: &'static str| {
        move || error_for(error.get(), field).map(|_| format!("err-{field}"))
    };
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <section class="card" aria-labelledby="add-h">
            <h2 id="add-h">{t!(i18n, cases.team.add_heading)}</h2>
            <p class="hint">{t!(i18n, cases.team.add_hint)}</p>
            <ActionForm action=add attr:class="form grid" attr:data-testid="add-member" attr:aria-busy=busy(add)>
                <input type="hidden" name="case_id" value=case_id/>
                <label for="tm-user">{t!(i18n, cases.team.username)}</label>
                <input id="tm-user" name="username" required maxlength="64" list="tm-candidates" autocomplete="off" spellcheck="false"
                    aria-describedby=described("username")/>
                <FieldError id="err-username" message=err("username")/>
                <label for="tm-part">{t!(i18n, cases.team.part)}</label>
                <select id="tm-part" name="part" aria-describedby=described("part")>
                    {PARTS
                        .into_iter()
                        .filter(|(p, _)| *p != "responsible")
                        .map(|(p, _)| view! { <option value=p>{part_name(p, l)}</option> })
                        .collect_view()}
                </select>
                <FieldError id="err-part" message=err("part")/>
                <Submit action=add class="primary">{t!(i18n, cases.team.add)}</Submit>
            </ActionForm>
            <datalist id="tm-candidates">
                {candidates
                    .into_iter()
                    .map(|(username, name, org)| view! { <option value=username>{format!("{name} – {org}")}</option> })
                    .collect_view()}
            </datalist>
            <ActionStatus value=move || add.value().get() ok=td_string!(l, cases.team.added)/>
        </section>
    }
}
