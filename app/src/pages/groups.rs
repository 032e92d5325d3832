//! `/grupper`: the unit's SSPF groups and the form for a new one; `/grupper/:id`: one group with
//! its member cases (status, link period, responsible case worker, next review) as far as the
//! reader may read them, and the forms that link a case for a period, end a link or remove one
//! made in error. Only the owning unit's case workers and program leads reach anything here.

use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::cases::list_cases;
use crate::api::group::{get_group, list_groups, CreateGroup, EndLink, LinkCase, RemoveLink};
use crate::components::common::{date_or_dash, error_for, successes, FieldError};
use crate::components::forms::{busy, failure, ConfirmButton, Submit};
use crate::components::labels::Label;
use crate::components::ui::ErrorBox;
use crate::i18n::{t, t_string, td_string, use_i18n};
use domain::group::{GroupDto, GroupView, MAX_GROUP_NAME};
use domain::CaseRow;

#[component]
pub fn GroupsPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateGroup>::new();
    let saved = successes(create);
    let groups = Resource::new(move || saved.get(), |_| list_groups());
    // Someone refused sees the error alone: not even the heading says what the page is about.
    view! {
        <PageTitle text=move || t_string!(i18n, admin.groups.title)/>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.fetching)}</p> }>
            {move || Suspend::new(async move {
                match groups.await {
                    Ok(list) => view! {
                        <div class="page-head"><h1>{t!(i18n, admin.groups.heading)}</h1></div>
                        <p class="hint">{t!(i18n, admin.groups.hint)}</p>
                        <GroupList list/>
                        <NewGroup create/>
                    }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn GroupList(list: Vec<GroupDto>) -> impl IntoView {
    let i18n = use_i18n();
    if list.is_empty() {
        return view! { <p class="empty">{t!(i18n, admin.groups.empty)}</p> }.into_any();
    }
    view! {
        <table class="list" data-testid="groups">
            <caption class="visually-hidden">{t!(i18n, admin.groups.caption)}</caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, admin.groups.group)}</th>
                    <th scope="col">{t!(i18n, admin.groups.municipality)}</th>
                    <th scope="col">{t!(i18n, admin.groups.current_links)}</th>
                    <th scope="col">{t!(i18n, admin.groups.created_on)}</th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|g| view! {
                    <tr>
                        <th scope="row"><A href=format!("/grupper/{}", g.id)>{g.name.clone()}</A></th>
                        <td>{g.municipality.clone()}</td>
                        <td class="num">{g.current_links}</td>
                        <td>{g.created_on.to_string()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The new-group form, a plain post without JavaScript.
#[component]
fn NewGroup(create: ServerAction<CreateGroup>) -> impl IntoView {
    let i18n = use_i18n();
    let err = move |f: &str| {
        let f = f.to_string();
        Signal::derive(move || error_for(create.value().get().and_then(Result::err), &f))
    };
    view! {
        <section class="card" aria-labelledby="ng-h">
            <h2 id="ng-h">{t!(i18n, admin.groups.create.heading)}</h2>
            {failure(create)}
            <ActionForm action=create attr:class="form" attr:data-testid="new-group" attr:aria-busy=busy(create)>
                <label for="ng-name">{t!(i18n, admin.groups.create.name)}</label>
                <p class="hint" id="ng-name-hint">{t!(i18n, admin.groups.create.name_hint)}</p>
                <input id="ng-name" name="name" required maxlength=MAX_GROUP_NAME aria-describedby="ng-name-hint ng-name-err"/>
                <FieldError id="ng-name-err" message=err("name")/>
                <label for="ng-desc">{t!(i18n, admin.groups.create.description)}</label>
                <textarea id="ng-desc" name="description" rows="4" aria-describedby="ng-desc-err"></textarea>
                <FieldError id="ng-desc-err" message=err("description")/>
                <Submit action=create class="primary">{t!(i18n, admin.groups.create.submit)}</Submit>
            </ActionForm>
            {move || create.value().get().and_then(Result::ok).map(|id| {
                let href = format!("/grupper/{id}");
                let open = move |children: ChildrenFn| view! { <A href=href.clone()>{children()}</A> };
                view! { <p class="ok" role="status">{t!(i18n, admin.groups.create.created, <a> = open)}</p> }
            })}
        </section>
    }
}

#[derive(Clone, Copy)]
struct LinkForms {
    link: ServerAction<LinkCase>,
    end: ServerAction<EndLink>,
    remove: ServerAction<RemoveLink>,
}

#[component]
pub fn GroupPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let forms = LinkForms {
        link: ServerAction::new(),
        end: ServerAction::new(),
        remove: ServerAction::new(),
    };
    let saved = (
        successes(forms.link),
        successes(forms.end),
        successes(forms.remove),
    );
    let group = Resource::new(
        move || (id(), saved.0.get(), saved.1.get(), saved.2.get()),
        |(id, ..)| get_group(id),
    );
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || t_string!(i18n, admin.groups.group_title)/>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.fetching)}</p> }>
            {move || Suspend::new(async move {
                match group.await {
                    Ok(v) => view! { <Group v forms/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Group(v: GroupView, forms: LinkForms) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let group_id = v.group.id.clone();
    let can_edit = v.can_edit;
    let members = v.members.clone();
    view! {
        <div class="page-head"><h1 data-testid="group-name">{v.group.name.clone()}</h1></div>
        <p><A href="/grupper">{t!(i18n, admin.groups.members.all_groups)}</A></p>
        {(!v.group.description.is_empty()).then(|| view! { <p class="description">{v.group.description.clone()}</p> })}
        <section class="card" aria-labelledby="gm-h">
            <h2 id="gm-h">{t!(i18n, admin.groups.members.heading)}</h2>
            {failure(forms.end)}
            {failure(forms.remove)}
            {if members.is_empty() {
                view! { <p class="empty">{t!(i18n, admin.groups.members.empty)}</p> }.into_any()
            } else {
                view! {
                    <table class="list" data-testid="group-members">
                        <caption class="visually-hidden">{t!(i18n, admin.groups.members.caption)}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, admin.groups.members.person)}</th>
                                <th scope="col">{t!(i18n, admin.groups.members.status)}</th>
                                <th scope="col">{t!(i18n, admin.groups.members.linked)}</th>
                                <th scope="col">{t!(i18n, admin.groups.members.responsible)}</th>
                                <th scope="col">{t!(i18n, admin.groups.members.next_review)}</th>
                                <th scope="col"><span class="visually-hidden">{t!(i18n, admin.groups.members.edit)}</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {members.into_iter().map(|m| {
                                let period = match m.to {
                                    Some(t) => format!("{} – {}", m.from, t),
                                    None => td_string!(l, admin.groups.members.from, date = m.from).to_string(),
                                };
                                let end_fields = vec![("link_id", m.link_id.clone())];
                                let remove_fields = vec![("link_id", m.link_id.clone())];
                                let end_detail = td_string!(l, admin.groups.members.end_detail, person = m.person.clone()).to_string();
                                let remove_detail = td_string!(l, admin.groups.members.remove_detail, person = m.person.clone()).to_string();
                                view! {
                                    <tr data-testid="group-member">
                                        <th scope="row"><A href=format!("/arenden/{}", m.case_id)>{m.person.clone()}</A></th>
                                        <td>{m.status.label_in(l)}</td>
                                        <td>{period}{(!m.current).then(|| view! { " "<span class="tag">{t!(i18n, admin.groups.members.ended)}</span> })}</td>
                                        <td>{m.responsible.clone()}</td>
                                        <td>{date_or_dash(m.next_review)}</td>
                                        <td>
                                            {(can_edit && m.to.is_none()).then(|| view! {
                                                <ConfirmButton action=forms.end fields=end_fields label=td_string!(l, admin.groups.members.end)
                                                    confirm=td_string!(l, admin.groups.members.end_confirm)
                                                    detail=end_detail/>
                                            })}
                                            {can_edit.then(|| view! {
                                                <ConfirmButton action=forms.remove fields=remove_fields label=td_string!(l, admin.groups.members.remove) class="danger"
                                                    confirm=td_string!(l, admin.groups.members.remove_confirm)
                                                    detail=remove_detail/>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {(v.not_shown > 0).then(|| view! {
                <p class="hint">{td_string!(l, admin.groups.members.not_shown, count = v.not_shown).to_string()}</p>
            })}
        </section>
        {can_edit.then(|| view! { <LinkForm group_id=group_id.clone() link=forms.link/> })}
    }
}

/// Links one of the reader's cases for a period; a plain post without JavaScript.
#[component]
fn LinkForm(group_id: String, link: ServerAction<LinkCase>) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let cases = Resource::new(|| (), |_| list_cases(String::new(), None));
    let err = move |f: &str| {
        let f = f.to_string();
        Signal::derive(move || error_for(link.value().get().and_then(Result::err), &f))
    };
    view! {
        <section class="card" aria-labelledby="gl-h">
            <h2 id="gl-h">{t!(i18n, admin.groups.link.heading)}</h2>
            {failure(link)}
            <ActionForm action=link attr:class="form" attr:data-testid="link-case" attr:aria-busy=busy(link)>
                <input type="hidden" name="group_id" value=group_id/>
                <label for="gl-case">{t!(i18n, admin.groups.link.case)}</label>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, admin.groups.link.loading_cases)}</p> }>
                    {move || Suspend::new(async move {
                        let rows: Vec<CaseRow> = cases.await.unwrap_or_default();
                        view! {
                            <select id="gl-case" name="case_id" required aria-describedby="gl-case-err">
                                <option value="">{t!(i18n, admin.groups.link.choose)}</option>
                                {rows.into_iter().filter(|r| !r.shredded).map(|r| view! {
                                    <option value=r.case_id.clone()>{format!("{} ({}, {})", r.name.text(), r.birth_year, r.status.label_in(l))}</option>
                                }).collect_view()}
                            </select>
                        }
                    })}
                </Transition>
                <FieldError id="gl-case-err" message=err("case_id")/>
                <label for="gl-from">{t!(i18n, admin.groups.link.from)}</label>
                <input id="gl-from" name="from" type="date" required aria-describedby="gl-from-err"/>
                <FieldError id="gl-from-err" message=err("from")/>
                <label for="gl-to">{t!(i18n, admin.groups.link.to)}</label>
                <input id="gl-to" name="to" type="date" aria-describedby="gl-to-err"/>
                <FieldError id="gl-to-err" message=err("to")/>
                <Submit action=link class="primary">{t!(i18n, admin.groups.link.submit)}</Submit>
            </ActionForm>
        </section>
    }
}
