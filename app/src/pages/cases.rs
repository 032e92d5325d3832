//! `/arenden`: the cases the signed-in user has a relation to, filtered by status and "only
//! mine" (a GET form, so it works without JavaScript), and exact search on personnummer or
//! phone number.
//!
//! The search is a POST (server action) on purpose: a personnummer in a query string would end
//! up in browser history and in proxy logs.

use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use crate::api::cases::{list_cases, SearchCases};
use crate::components::common::{protection_tag, shown};
use crate::components::forms::{busy, Submit};
use crate::components::labels::Label;
use crate::components::ui::ErrorBox;
use crate::i18n::{t, t_string, td, td_string, use_i18n, Locale};
use domain::{CaseRow, CaseStatus, Me};

#[component]
pub fn CasesPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let query = use_query_map();
    let status = move || query.with(|q| q.get("status").unwrap_or_default());
    let mine = move || query.with(|q| q.get("mine").filter(|v| !v.is_empty()));
    let cases = Resource::new(move || (status(), mine()), |(s, m)| list_cases(s, m));
    let search = ServerAction::<SearchCases>::new();
    let can_register = me.role.can(domain::Capability::RegisterParticipant);
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();

    view! {
        <PageTitle text=move || t_string!(i18n, cases.list.title)/>
        <div class="page-head">
            <h1>{t!(i18n, cases.list.title)}</h1>
            {can_register.then(|| view! { <a class="button primary" href="/arenden/ny">{t!(i18n, cases.list.register)}</a> })}
        </div>

        <section class="card" aria-labelledby="search-h">
            <h2 id="search-h">{t!(i18n, cases.list.search_heading)}</h2>
            <p class="hint">{t!(i18n, cases.list.search_hint)}</p>
            <ActionForm action=search attr:class="form inline" attr:data-testid="search-form" attr:aria-busy=busy(search)>
                <label for="case-search">{t!(i18n, cases.list.search_label)}</label>
                <input id="case-search" name="q" type="search" required maxlength="40" autocomplete="off" spellcheck="false"/>
                <Submit action=search>{t!(i18n, cases.list.search)}</Submit>
            </ActionForm>
            {move || match search.value().get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => {
                    view! { <p class="empty" role="status">{t!(i18n, cases.list.no_hit)}</p> }.into_any()
                }
                Some(Ok(rows)) => view! { <CaseTable rows caption=td_string!(l, cases.list.hits_caption) search=true/> }.into_any(),
            }}
        </section>

        <section aria-labelledby="list-h">
            <h2 id="list-h">{t!(i18n, cases.list.heading)}</h2>
            <Form method="get" action="/arenden" attr:class="filters" attr:data-testid="case-filter">
                <div class="filter">
                    <label for="f-status">{t!(i18n, cases.list.status)}</label>
                    <select id="f-status" name="status">
                        <option value="" selected=move || status().is_empty()>{t!(i18n, cases.list.all)}</option>
                        {CaseStatus::ALL
                            .into_iter()
                            .map(|s| view! { <option value=s.as_str() selected=move || status() == s.as_str()>{s.label_in(l)}</option> })
                            .collect_view()}
                    </select>
                </div>
                <label class="check">
                    <input type="checkbox" name="mine" value="on" checked=move || mine().is_some()/>
                    {t!(i18n, cases.list.only_mine)}
                </label>
                <button type="submit">{t!(i18n, cases.list.show)}</button>
            </Form>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || {
                    let filtered = !status().is_empty() || mine().is_some();
                    Suspend::new(async move {
                        match cases.await {
                            Ok(rows) if rows.is_empty() => {
                                let text = if filtered {
                                    td_string!(l, cases.list.none_filtered)
                                } else {
                                    td_string!(l, cases.list.none)
                                };
                                view! { <p class="empty" data-testid="cases-empty">{text}</p> }.into_any()
                            }
                            Ok(rows) => view! { <CaseTable rows caption=td_string!(l, cases.list.caption) search=false/> }.into_any(),
                            Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

/// Cases as rows. In search results a hit the user cannot read links to the break-glass form.
#[component]
fn CaseTable(rows: Vec<CaseRow>, caption: &'static str, search: bool) -> impl IntoView {
    let count = rows.len();
    let l = use_i18n().get_locale_untracked();
    view! {
        <table class="list cases" data-testid=if search { "search-results" } else { "case-list" }>
            <caption>{caption}<span class="count">{format!(" ({count})")}</span></caption>
            <thead>
                <tr>
                    <th scope="col">{td_string!(l, cases.list.col.name)}</th>
                    <th scope="col">{td_string!(l, cases.list.col.birth_year)}</th>
                    <th scope="col">{td_string!(l, cases.list.col.gender)}</th>
                    <th scope="col">{td_string!(l, cases.list.col.municipality)}</th>
                    <th scope="col">{td_string!(l, cases.list.col.status)}</th>
                    <th scope="col">{td_string!(l, cases.list.col.markers)}</th>
                    <th scope="col"><span class="visually-hidden">{td_string!(l, cases.list.col.case)}</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| case_row(r, search, l)).collect_view()}
            </tbody>
        </table>
    }
}

fn case_row(r: CaseRow, search: bool, l: Locale) -> impl IntoView {
    let href = format!("/arenden/{}", r.case_id);
    let no_access = search && r.name.is_masked() && !r.on_my_team && !r.break_glass && !r.shredded;
    // A shredded case has nothing left to read, so there is nothing to open.
    let link = if r.shredded {
        ().into_any()
    } else if no_access {
        view! { <A href=format!("{href}#nodatkomst")>{td_string!(l, cases.list.request_break_glass)}</A> }.into_any()
    } else {
        view! { <A href=href>{td!(l, cases.list.open, <hidden> = <span class="visually-hidden"/>)}</A> }.into_any()
    };
    view! {
        <tr data-case-id=r.case_id.clone()>
            <td>{shown(&r.name)}</td>
            <td>{r.birth_year}</td>
            <td>{r.gender.label_in(l)}</td>
            <td>{r.municipality.clone()}</td>
            <td>{r.status.label_in(l)}</td>
            <td class="tags">
                {protection_tag(r.protection)}
                {r.on_my_team.then(|| view! { <span class="tag mine">{td_string!(l, cases.tags.mine)}</span> })}
                {r.break_glass.then(|| view! { <span class="tag glass">{td_string!(l, cases.tags.break_glass)}</span> })}
                {r.shredded.then(|| view! { <span class="tag shredded">{td_string!(l, cases.tags.shredded)}</span> })}
            </td>
            <td>{link}</td>
        </tr>
    }
}
