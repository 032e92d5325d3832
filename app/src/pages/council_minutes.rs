//! `/samverkansrad/:id/protokoll`: the minutes of a meeting, printable. What each reader sees
//! is decided by the core: the chairing unit every item with names, interventions and notes; a
//! member organisation only the interventions it provides, and a person's name only where it
//! may read that case's identity.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::council::get_minutes;
use crate::components::common::{meeting_status, print_page};
use crate::components::ui::Loaded;
use domain::council::{MinutesItem, MinutesView};

#[component]
pub fn MinutesPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let minutes = Resource::new(id, get_minutes);
    view! {
        <Title text="Samverkansråd – protokoll"/>
        <Loaded resource=minutes heading="Protokoll" render=|v| view! { <Minutes v/> }/>
    }
}

#[component]
fn Minutes(v: MinutesView) -> impl IntoView {
    let m = &v.meeting;
    let back = if m.chaired {
        format!("/samverkansrad/{}", m.id)
    } else {
        "/samverkansrad".to_string()
    };
    let scope = if v.full {
        "Fullständigt protokoll för socialtjänsten. Medlemsorganisationerna ser bara sina egna insatser."
    } else {
        "Utdrag för er organisation: de insatser ni ska utföra. Namn visas bara där ni arbetar i ärendet med samtycke."
    };
    view! {
        <article class="minutes-print" data-testid="minutes">
            <div class="page-head">
                <h1>{format!("Protokoll, samverkansråd {}", m.date.format("%Y-%m-%d"))}</h1>
                <p class="screen-only">
                    <button type="button" class="primary" on:click=|_| print_page()>"Skriv ut"</button>
                    " "
                    <a class="button" href=back>"Tillbaka"</a>
                </p>
            </div>
            <dl class="facts">
                <dt>"Kommun"</dt><dd>{m.municipality.clone()}</dd>
                <dt>"Ordförande"</dt><dd>{m.chair.clone()}</dd>
                <dt>"Deltagande organisationer"</dt><dd>{m.members.join(", ")}</dd>
                <dt>"Status"</dt><dd>{meeting_status(m.status)}</dd>
            </dl>
            <p class="hint">{scope}</p>
            {if v.items.is_empty() {
                view! { <p class="empty">"Inga punkter på dagordningen."</p> }.into_any()
            } else {
                view! { <ol class="plain">{v.items.into_iter().map(|it| view! { <Item it/> }).collect_view()}</ol> }.into_any()
            }}
        </article>
    }
}

#[component]
fn Item(it: MinutesItem) -> impl IntoView {
    let interventions = if it.interventions.is_empty() {
        view! { <p class="hint">"Inga insatser för er organisation."</p> }.into_any()
    } else {
        view! {
            <table class="list">
                <caption class="visually-hidden">"Beslutade insatser"</caption>
                <thead><tr>
                    <th scope="col">"Insats"</th>
                    <th scope="col">"Utförs av"</th>
                    <th scope="col">"Uppföljning"</th>
                </tr></thead>
                <tbody>
                    {it.interventions.into_iter().map(|i| view! {
                        <tr>
                            <td>{i.kind.label()}</td>
                            <td>{i.provider}</td>
                            <td class="nowrap">{i.follow_up.format("%Y-%m-%d").to_string()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <li class="card" data-minutes-item=it.position.to_string()>
            <h2>{format!("§ {} {}", it.position, it.heading)}</h2>
            <p>
                {it.status.label()}
                {it.priority.map(|p| format!(", prioritet {p}"))}
            </p>
            {interventions}
            {it.note.map(|n| view! { <h3>"Motivering"</h3><p class="prewrap">{n}</p> })}
        </li>
    }
}
