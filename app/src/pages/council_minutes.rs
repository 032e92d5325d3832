//! `/samverkansrad/:id/protokoll`: the minutes of a meeting, printable. What each reader sees
//! is decided by the core: the chairing unit every item with names, interventions and notes; a
//! member organisation only the interventions it provides, and a person's name only where it
//! may read that case's identity.

use crate::components::title::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::council::get_minutes;
use crate::components::common::{meeting_status, print_page};
use crate::components::labels::{item_label_text, Label};
use crate::components::ui::Loaded;
use crate::i18n::{t, t_string, td_string, use_i18n};
use domain::council::{ItemLabel, MinutesItem, MinutesView};

#[component]
pub fn MinutesPage() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let minutes = Resource::new(id, get_minutes);
    view! {
        <PageTitle text=move || t_string!(i18n, council.minutes.title)/>
        <Loaded resource=minutes heading=td_string!(l, council.minutes.error_heading) render=|v| view! { <Minutes v/> }/>
    }
}

#[component]
fn Minutes(v: MinutesView) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let m = &v.meeting;
    let back = if m.chaired {
        format!("/samverkansrad/{}", m.id)
    } else {
        "/samverkansrad".to_string()
    };
    let scope = if v.full {
        td_string!(l, council.minutes.scope_full)
    } else {
        td_string!(l, council.minutes.scope_member)
    };
    view! {
        <article class="minutes-print" data-testid="minutes">
            <div class="page-head">
                <h1>{td_string!(l, council.minutes.heading, date = m.date.format("%Y-%m-%d").to_string()).to_string()}</h1>
                <p class="screen-only">
                    <button type="button" class="primary" on:click=|_| print_page()>{t!(i18n, council.minutes.print)}</button>
                    " "
                    <a class="button" href=back>{t!(i18n, council.minutes.back)}</a>
                </p>
            </div>
            <dl class="facts">
                <dt>{t!(i18n, council.minutes.municipality)}</dt><dd>{m.municipality.clone()}</dd>
                <dt>{t!(i18n, council.minutes.chair)}</dt><dd>{m.chair.clone()}</dd>
                <dt>{t!(i18n, council.minutes.members)}</dt><dd>{m.members.join(", ")}</dd>
                <dt>{t!(i18n, council.minutes.status)}</dt><dd>{meeting_status(m.status)}</dd>
            </dl>
            <p class="hint">{scope}</p>
            {if v.items.is_empty() {
                view! { <p class="empty">{t!(i18n, council.minutes.no_items)}</p> }.into_any()
            } else {
                view! { <ol class="plain">{v.items.into_iter().map(|it| view! { <Item it/> }).collect_view()}</ol> }.into_any()
            }}
        </article>
    }
}

#[component]
fn Item(it: MinutesItem) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let interventions = if it.interventions.is_empty() {
        view! { <p class="hint">{t!(i18n, council.minutes.no_interventions)}</p> }.into_any()
    } else {
        view! {
            <table class="list">
                <caption class="visually-hidden">{t!(i18n, council.minutes.caption)}</caption>
                <thead><tr>
                    <th scope="col">{t!(i18n, council.minutes.intervention)}</th>
                    <th scope="col">{t!(i18n, council.minutes.provider)}</th>
                    <th scope="col">{t!(i18n, council.minutes.follow_up)}</th>
                </tr></thead>
                <tbody>
                    {it.interventions.into_iter().map(|i| view! {
                        <tr>
                            <td>{i.kind.label_in(l)}</td>
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
            <h2>{format!("§ {} {}", it.position, it.name.clone().unwrap_or_else(|| item_label_text(&ItemLabel::Case { position: it.position }, l)))}</h2>
            <p>
                {match it.priority {
                    Some(p) => td_string!(l, council.minutes.status_priority, status = it.status.label_in(l), priority = p).to_string(),
                    None => it.status.label_in(l).to_string(),
                }}
            </p>
            {interventions}
            {it.note.map(|n| view! { <h3>{t!(i18n, council.minutes.note)}</h3><p class="prose">{n}</p> })}
        </li>
    }
}
