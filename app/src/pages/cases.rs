//! `/arenden`: the cases the signed-in user has a relation to, filtered by status and "only
//! mine" (a GET form, so it works without JavaScript), and exact search on personnummer or
//! phone number.
//!
//! The search is a POST (server action) on purpose: a personnummer in a query string would end
//! up in browser history and in proxy logs.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use crate::api::cases::{list_cases, SearchCases};
use crate::components::common::{protection_tag, shown};
use crate::components::forms::{busy, Submit};
use crate::components::ui::ErrorBox;
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

    view! {
        <Title text="Ärenden"/>
        <div class="page-head">
            <h1>"Ärenden"</h1>
            {can_register.then(|| view! { <a class="button primary" href="/arenden/ny">"Registrera deltagare"</a> })}
        </div>

        <section class="card" aria-labelledby="search-h">
            <h2 id="search-h">"Sök deltagare"</h2>
            <p class="hint">"Sök på hela personnumret (ÅÅÅÅMMDD-NNNN) eller telefonnumret. Sökningen loggas."</p>
            <ActionForm action=search attr:class="form inline" attr:data-testid="search-form" attr:aria-busy=busy(search)>
                <label for="case-search">"Personnummer eller telefonnummer"</label>
                <input id="case-search" name="q" type="search" required maxlength="40" autocomplete="off" spellcheck="false"/>
                <Submit action=search>"Sök"</Submit>
            </ActionForm>
            {move || match search.value().get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => {
                    view! { <p class="empty" role="status">"Ingen deltagare hittades."</p> }.into_any()
                }
                Some(Ok(rows)) => view! { <CaseTable rows caption="Sökträffar" search=true/> }.into_any(),
            }}
        </section>

        <section aria-labelledby="list-h">
            <h2 id="list-h">"Ärendelista"</h2>
            <Form method="get" action="/arenden" attr:class="filters" attr:data-testid="case-filter">
                <div class="filter">
                    <label for="f-status">"Status"</label>
                    <select id="f-status" name="status">
                        <option value="" selected=move || status().is_empty()>"Alla"</option>
                        {CaseStatus::ALL
                            .into_iter()
                            .map(|s| view! { <option value=s.as_str() selected=move || status() == s.as_str()>{s.label()}</option> })
                            .collect_view()}
                    </select>
                </div>
                <label class="check">
                    <input type="checkbox" name="mine" value="on" checked=move || mine().is_some()/>
                    "Bara mina ärenden"
                </label>
                <button type="submit">"Visa"</button>
            </Form>
            <Transition fallback=|| view! { <p class="loading">"Laddar…"</p> }>
                {move || {
                    let filtered = !status().is_empty() || mine().is_some();
                    Suspend::new(async move {
                        match cases.await {
                            Ok(rows) if rows.is_empty() => {
                                let text = if filtered {
                                    "Inga ärenden matchar filtret."
                                } else {
                                    "Det finns inga ärenden som du har åtkomst till."
                                };
                                view! { <p class="empty" data-testid="cases-empty">{text}</p> }.into_any()
                            }
                            Ok(rows) => view! { <CaseTable rows caption="Ärenden du har åtkomst till" search=false/> }.into_any(),
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
    view! {
        <table class="list cases" data-testid=if search { "search-results" } else { "case-list" }>
            <caption>{caption}<span class="count">{format!(" ({count})")}</span></caption>
            <thead>
                <tr>
                    <th scope="col">"Namn"</th>
                    <th scope="col">"Födelseår"</th>
                    <th scope="col">"Kön"</th>
                    <th scope="col">"Kommun"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Markeringar"</th>
                    <th scope="col"><span class="visually-hidden">"Ärende"</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| case_row(r, search)).collect_view()}
            </tbody>
        </table>
    }
}

fn case_row(r: CaseRow, search: bool) -> impl IntoView {
    let href = format!("/arenden/{}", r.case_id);
    let no_access = search && r.name.is_masked() && !r.on_my_team && !r.break_glass && !r.shredded;
    // A shredded case has nothing left to read, so there is nothing to open.
    let link = if r.shredded {
        ().into_any()
    } else if no_access {
        view! { <A href=format!("{href}#nodatkomst")>"Begär nödåtkomst"</A> }.into_any()
    } else {
        view! { <A href=href>"Öppna"<span class="visually-hidden">" ärendet"</span></A> }.into_any()
    };
    view! {
        <tr data-case-id=r.case_id.clone()>
            <td>{shown(&r.name)}</td>
            <td>{r.birth_year}</td>
            <td>{r.gender.label()}</td>
            <td>{r.municipality.clone()}</td>
            <td>{r.status.label()}</td>
            <td class="tags">
                {protection_tag(r.protection)}
                {r.on_my_team.then(|| view! { <span class="tag mine">"Mitt ärende"</span> })}
                {r.break_glass.then(|| view! { <span class="tag glass">"Nödåtkomst"</span> })}
                {r.shredded.then(|| view! { <span class="tag shredded">"Gallrad"</span> })}
            </td>
            <td>{link}</td>
        </tr>
    }
}
