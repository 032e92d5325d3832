//! `/arenden/:id/tidslinje`: the shared timeline of a case, newest first, 50 events a page.
//! Filters and paging are plain GET links and forms, so the page works without JavaScript.
//! Events the reader may know of but not read are shown greyed, without content.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::cases::{get_case, BreakGlass};
use crate::api::casework::get_timeline;
use crate::api::orgs::list_orgs;
use crate::components::case_frame::{case_frame_with, use_case_id, CaseHead};
use crate::components::common::{event_org, event_says, successes, sv_datetime};
use crate::components::labels::Label;
use crate::i18n::{t, td_string, use_i18n};
use domain::event::{EventDto, TimelinePage};
use domain::link;
use domain::{CaseView, Category, OrgDto};

/// Events per page.
const PAGE: u32 = 50;

#[derive(Clone, Debug, PartialEq, Default)]
struct Query {
    cursor: String,
    category: String,
    org: String,
}

impl Query {
    /// The link to the next (older) page with the same filters.
    fn older(&self, next: &str) -> String {
        link::query(&[
            ("cursor", next),
            ("category", &self.category),
            ("org", &self.org),
        ])
    }

    /// The newest page with the same filters.
    fn newest(&self) -> String {
        link::query(&[("category", &self.category), ("org", &self.org)])
    }
}

#[component]
pub fn TimelinePage() -> impl IntoView {
    let case_id = use_case_id();
    let query = use_query_map();
    let q = move || {
        query.with(|m| Query {
            cursor: m.get("cursor").unwrap_or_default(),
            category: m.get("category").unwrap_or_default(),
            org: m.get("org").unwrap_or_default(),
        })
    };
    let glass = ServerAction::<BreakGlass>::new();
    let granted = successes(glass);
    let case = Resource::new(move || (case_id(), granted.get()), |(id, _)| get_case(id));
    let page = Resource::new(
        move || (case_id(), q(), granted.get()),
        |(id, q, _)| get_timeline(id, q.cursor, q.category, q.org, Some(PAGE)),
    );
    let orgs = Resource::new(|| (), |_| list_orgs());
    let load = move || async move {
        let p = page.await?;
        Ok((p, orgs.await.unwrap_or_default()))
    };
    let l = use_i18n().get_locale_untracked();
    case_frame_with(
        td_string!(l, casework.timeline.title),
        case_id,
        glass,
        case,
        load,
        move |c, (p, orgs)| view! { <Timeline c p q=q() orgs/> },
    )
}

#[component]
fn Timeline(c: CaseView, p: TimelinePage, q: Query, orgs: Vec<OrgDto>) -> impl IntoView {
    let older = p.next.as_deref().map(|n| q.older(n));
    let newest = (!q.cursor.is_empty()).then(|| q.newest());
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <CaseHead c=c.clone()/>
        <h2 class="page-title">{t!(i18n, casework.timeline.heading)}</h2>
        <form method="get" class="filters" role="search" aria-label=td_string!(l, casework.timeline.filters)>
            <div class="filter">
                <label for="tl-category">{t!(i18n, casework.timeline.category)}</label>
                <select id="tl-category" name="category">
                    <option value="" selected=q.category.is_empty()>{t!(i18n, casework.timeline.all_categories)}</option>
                    {Category::ALL.iter().map(|cat| view! {
                        <option value=cat.as_str() selected=q.category == cat.as_str()>{cat.label_in(l)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="filter">
                <label for="tl-org">{t!(i18n, casework.timeline.org)}</label>
                <select id="tl-org" name="org">
                    <option value="" selected=q.org.is_empty()>{t!(i18n, casework.timeline.all_orgs)}</option>
                    {orgs.into_iter().map(|o| {
                        let selected = q.org == o.id;
                        view! { <option value=o.id.clone() selected=selected>{o.name.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <button type="submit">{t!(i18n, casework.timeline.show)}</button>
        </form>
        {newest.map(|href| view! { <p><a href=href>{t!(i18n, casework.timeline.newest)}</a></p> })}
        {if p.events.is_empty() {
            view! { <p class="empty">{t!(i18n, casework.timeline.none)}</p> }.into_any()
        } else {
            view! {
                <ol class="timeline" data-testid="timeline">
                    {p.events.into_iter().map(|e| view! { <Event e/> }).collect_view()}
                </ol>
            }
            .into_any()
        }}
        {older.map(|href| view! { <p class="more"><a class="button" href=href rel="next">{t!(i18n, casework.timeline.older)}</a></p> })}
    }
}

#[component]
fn Event(e: EventDto) -> impl IntoView {
    let hidden = e.text.is_none();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <li class="event" class:other-actor=hidden data-testid="event">
            <p class="event-meta">
                <time datetime=e.at.to_rfc3339()>{sv_datetime(e.at)}</time>
                " · "<span class="event-kind">{e.kind.label_in(l)}</span>
                " · "<span class="event-org">{event_org(&e.org)}</span>
                {(!e.author.is_empty()).then(|| view! { " · "<span class="event-author">{e.author.clone()}</span> })}
                {e.corrected.then(|| view! { " "<span class="tag corrected">{t!(i18n, casework.timeline.corrected)}</span> })}
            </p>
            <p class="event-text">
                {event_says(e.line.as_ref(), e.text.as_deref(), td_string!(l, casework.timeline.other_actor))}
            </p>
        </li>
    }
}
