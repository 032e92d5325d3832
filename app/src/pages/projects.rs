//! `/projekt`: the funded projects (ESF+ and the like), and for program leads the form that
//! defines a new one. A project's report is the funder report limited to its participants.

use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::effect::{list_projects, CreateProject};
use crate::components::common::{error_for, successes, FieldError};
use crate::components::forms::{busy, failure, Submit};
use crate::components::ui::ErrorBox;
use crate::i18n::{t, t_string, td_string, use_i18n};
use domain::project::ProjectDto;

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateProject>::new();
    let saved = successes(create);
    let projects = Resource::new(move || saved.get(), |_| list_projects());
    view! {
        <PageTitle text=move || t_string!(i18n, admin.projects.title)/>
        <div class="page-head"><h1>{t!(i18n, admin.projects.heading)}</h1></div>
        <p class="hint">{t!(i18n, admin.projects.hint)}</p>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.fetching)}</p> }>
            {move || Suspend::new(async move {
                match projects.await {
                    Ok(list) => view! { <ProjectList list/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
        <NewProject create/>
    }
}

#[component]
fn ProjectList(list: Vec<ProjectDto>) -> impl IntoView {
    let i18n = use_i18n();
    if list.is_empty() {
        return view! { <p class="empty">{t!(i18n, admin.projects.empty)}</p> }.into_any();
    }
    view! {
        <table class="list" data-testid="projects">
            <caption class="visually-hidden">{t!(i18n, admin.projects.caption)}</caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, admin.projects.project)}</th>
                    <th scope="col">{t!(i18n, admin.projects.funder)}</th>
                    <th scope="col">{t!(i18n, admin.projects.number)}</th>
                    <th scope="col">{t!(i18n, admin.projects.period)}</th>
                    <th scope="col">{t!(i18n, admin.projects.cofinancing)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, admin.projects.report)}</span></th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|p| {
                    let name = p.name.clone();
                    view! {
                    <tr>
                        <th scope="row">{p.name.clone()}</th>
                        <td>{p.funder.clone()}</td>
                        <td>{if p.number.is_empty() { "–".to_string() } else { p.number.clone() }}</td>
                        <td>{format!("{} – {}", p.from, p.to)}</td>
                        <td class="num">{format!("{} %", p.cofinancing)}</td>
                        <td>
                            <a href=format!("/uppfoljning/rapport?projekt={}", p.id)>
                                {t!(i18n, admin.projects.report_link, name, <span> = <span class="visually-hidden"/>)}
                            </a>
                        </td>
                    </tr>
                }}).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The new-project form; the core refuses it for anyone but a program lead, so the form shows
/// that answer to others. A plain post without JavaScript.
#[component]
fn NewProject(create: ServerAction<CreateProject>) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let err = move |f: &str| {
        let f = f.to_string();
        Signal::derive(move || error_for(create.value().get().and_then(Result::err), &f))
    };
    view! {
        <section class="card" aria-labelledby="np-h">
            <h2 id="np-h">{t!(i18n, admin.projects.new_heading)}</h2>
            {failure(create)}
            <ActionForm action=create attr:class="form" attr:data-testid="new-project" attr:aria-busy=busy(create)>
                <label for="np-name">{t!(i18n, admin.projects.name)}</label>
                <input id="np-name" name="name" required maxlength="120" aria-describedby="np-name-err"/>
                <FieldError id="np-name-err" message=err("name")/>
                <label for="np-funder">{t!(i18n, admin.projects.funder)}</label>
                <input id="np-funder" name="funder" required maxlength="120" placeholder=td_string!(l, admin.projects.funder_placeholder) aria-describedby="np-funder-err"/>
                <FieldError id="np-funder-err" message=err("funder")/>
                <label for="np-number">{t!(i18n, admin.projects.number)}</label>
                <input id="np-number" name="number" maxlength="60" placeholder=td_string!(l, admin.projects.number_placeholder) aria-describedby="np-number-err"/>
                <FieldError id="np-number-err" message=err("number")/>
                <label for="np-from">{t!(i18n, admin.projects.from)}</label>
                <input id="np-from" name="from" type="date" required aria-describedby="np-from-err"/>
                <FieldError id="np-from-err" message=err("from")/>
                <label for="np-to">{t!(i18n, admin.projects.to)}</label>
                <input id="np-to" name="to" type="date" required aria-describedby="np-to-err"/>
                <FieldError id="np-to-err" message=err("to")/>
                <label for="np-cof">{t!(i18n, admin.projects.cofinancing_input)}</label>
                <input id="np-cof" name="cofinancing" type="number" min="0" max="100" step="1" required aria-describedby="np-cof-err"/>
                <FieldError id="np-cof-err" message=err("cofinancing")/>
                <Submit action=create class="primary">{t!(i18n, admin.projects.submit)}</Submit>
            </ActionForm>
            {move || create.value().get().and_then(Result::ok).map(|p| view! { <p class="ok" role="status">{td_string!(l, admin.projects.saved, name = p.name).to_string()}</p> })}
        </section>
    }
}
