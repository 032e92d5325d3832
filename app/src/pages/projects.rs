//! `/projekt`: the funded projects (ESF+ and the like), and for program leads the form that
//! defines a new one. A project's report is the funder report limited to its participants.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::effect::{list_projects, CreateProject};
use crate::components::common::{error_for, successes, FieldError};
use crate::components::forms::{busy, failure, Submit};
use crate::components::ui::ErrorBox;
use domain::project::ProjectDto;

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let create = ServerAction::<CreateProject>::new();
    let saved = successes(create);
    let projects = Resource::new(move || saved.get(), |_| list_projects());
    view! {
        <Title text="Projekt"/>
        <div class="page-head"><h1>"Finansierade projekt"</h1></div>
        <p class="hint">"Projekt som deltagare kan skrivas in i, till exempel ESF+-projekt. Rapporten för ett projekt räknar bara de deltagare som var inskrivna under perioden."</p>
        <Transition fallback=|| view! { <p class="loading">"Hämtar…"</p> }>
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
    if list.is_empty() {
        return view! { <p class="empty">"Inga projekt ännu."</p> }.into_any();
    }
    view! {
        <table class="list" data-testid="projects">
            <caption class="visually-hidden">"Projekt"</caption>
            <thead>
                <tr>
                    <th scope="col">"Projekt"</th>
                    <th scope="col">"Finansiär"</th>
                    <th scope="col">"Projektnummer"</th>
                    <th scope="col">"Period"</th>
                    <th scope="col">"Medfinansiering"</th>
                    <th scope="col"><span class="visually-hidden">"Rapport"</span></th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|p| view! {
                    <tr>
                        <th scope="row">{p.name.clone()}</th>
                        <td>{p.funder.clone()}</td>
                        <td>{if p.number.is_empty() { "–".to_string() } else { p.number.clone() }}</td>
                        <td>{format!("{} – {}", p.from, p.to)}</td>
                        <td class="num">{format!("{} %", p.cofinancing)}</td>
                        <td>
                            <a href=format!("/uppfoljning/rapport?projekt={}", p.id)>
                                "Rapport"<span class="visually-hidden">{format!(" för {}", p.name)}</span>
                            </a>
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The new-project form; the core refuses it for anyone but a program lead, so the form shows
/// that answer to others. A plain post without JavaScript.
#[component]
fn NewProject(create: ServerAction<CreateProject>) -> impl IntoView {
    let err = move |f: &str| {
        let f = f.to_string();
        Signal::derive(move || error_for(create.value().get().and_then(Result::err), &f))
    };
    view! {
        <section class="card" aria-labelledby="np-h">
            <h2 id="np-h">"Nytt projekt"</h2>
            {failure(create)}
            <ActionForm action=create attr:class="form" attr:data-testid="new-project" attr:aria-busy=busy(create)>
                <label for="np-name">"Namn"</label>
                <input id="np-name" name="name" required maxlength="120" aria-describedby="np-name-err"/>
                <FieldError id="np-name-err" message=err("name")/>
                <label for="np-funder">"Finansiär"</label>
                <input id="np-funder" name="funder" required maxlength="120" placeholder="t.ex. ESF+" aria-describedby="np-funder-err"/>
                <FieldError id="np-funder-err" message=err("funder")/>
                <label for="np-number">"Projektnummer"</label>
                <input id="np-number" name="number" maxlength="60" placeholder="t.ex. 2024/00123" aria-describedby="np-number-err"/>
                <FieldError id="np-number-err" message=err("number")/>
                <label for="np-from">"Från och med"</label>
                <input id="np-from" name="from" type="date" required aria-describedby="np-from-err"/>
                <FieldError id="np-from-err" message=err("from")/>
                <label for="np-to">"Till och med"</label>
                <input id="np-to" name="to" type="date" required aria-describedby="np-to-err"/>
                <FieldError id="np-to-err" message=err("to")/>
                <label for="np-cof">"Medfinansiering (procent)"</label>
                <input id="np-cof" name="cofinancing" type="number" min="0" max="100" step="1" required aria-describedby="np-cof-err"/>
                <FieldError id="np-cof-err" message=err("cofinancing")/>
                <Submit action=create class="primary">"Spara projektet"</Submit>
            </ActionForm>
            {move || create.value().get().and_then(Result::ok).map(|p| view! { <p class="ok" role="status">{format!("Projektet {} är sparat.", p.name)}</p> })}
        </section>
    }
}
