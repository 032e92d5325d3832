//! `/arenden/:id/registerutdrag`: the register extract (GDPR art. 15) of the case's participant,
//! laid out for printing, with a link to the same data as a JSON file.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::extract::get_extract;
use crate::components::ui::ErrorBox;
use crate::domain::audit::{action_label, decision_label, purpose_label};
use crate::domain::extract::{ExtractRecord, ExtractSection, RegisterExtract};
use crate::domain::Category;
use crate::pages::case::use_case_id;
use crate::pages::common::sv_datetime;

#[component]
pub fn ExtractPage() -> impl IntoView {
    let case_id = use_case_id();
    let extract = Resource::new(case_id, get_extract);
    view! {
        <Title text="Registerutdrag"/>
        <Transition fallback=|| view! { <p class="loading">"Tar fram registerutdraget…"</p> }>
            {move || {
                let id = case_id();
                Suspend::new(async move {
                    match extract.await {
                        Ok(x) => view! { <PrintedExtract x/> }.into_any(),
                        Err(e) => view! {
                            <h1>"Registerutdrag"</h1>
                            <div data-testid="extract-refused"><ErrorBox error=e/></div>
                            <p><a href=format!("/arenden/{id}")>"Tillbaka till ärendet"</a></p>
                        }
                        .into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// The text of one field of the participant record, if given.
fn person_field(x: &RegisterExtract, field: &str) -> Option<String> {
    x.sections
        .iter()
        .find(|s| s.table == "participant")
        .and_then(|s| s.records.first())
        .and_then(|r| r.fields.iter().find(|f| f.name == field))
        .map(|f| f.text.clone())
}

#[component]
fn PrintedExtract(x: RegisterExtract) -> impl IntoView {
    let back = format!("/arenden/{}", x.case_id);
    let json = format!("/api/cases/extract?case_id={}", x.case_id);
    let file = format!("registerutdrag-{}.json", x.participant_id);
    let name = [
        person_field(&x, "first_name"),
        person_field(&x, "last_name"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let pnr = person_field(&x, "personnummer").filter(|p| p != "–");
    view! {
        <article class="extract-print" data-testid="extract">
            <div class="screen-only actions">
                <a href=back>"Tillbaka till ärendet"</a>
                <button type="button" class="primary" onclick="window.print()">"Skriv ut"</button>
                <a href=json download=file data-testid="extract-json">"Ladda ner som JSON"</a>
            </div>
            <p class="screen-only hint">
                "Utdraget innehåller allt som finns lagrat om personen, även det som du annars inte ser i ärendet. Hantera utskriften som sekretessbelagd och lämna den bara till personen själv. Att utdraget togs fram är loggat."
            </p>
            <h1>"Registerutdrag"</h1>
            <p>"Utdrag enligt artikel 15 i dataskyddsförordningen (GDPR) över de personuppgifter som finns registrerade i Utväg."</p>
            <dl class="facts extract-head">
                <dt>"Personen"</dt><dd class="print-name">{name}</dd>
                {pnr.map(|p| view! { <dt>"Personnummer"</dt><dd>{p}</dd> })}
                <dt>"Deltagar-id"</dt><dd><code>{x.participant_id.clone()}</code></dd>
                <dt>"Framtaget"</dt><dd>{sv_datetime(x.produced_at)}</dd>
                <dt>"Framtaget av"</dt><dd>{format!("{}, {}", x.produced_by, x.produced_by_org)}</dd>
            </dl>
            <nav class="screen-only" aria-label="Avsnitt i utdraget">
                <ul class="extract-toc">
                    {x.sections.iter().map(|s| view! {
                        <li><a href=format!("#{}", s.table)>{format!("{} ({})", s.title, s.records.len())}</a></li>
                    }).collect_view()}
                    <li><a href="#logg">{format!("Vem har tagit del av uppgifterna ({})", x.reads.len())}</a></li>
                </ul>
            </nav>
            {x.sections.into_iter().map(|s| view! { <Section s/> }).collect_view()}
            <section class="extract-section" id="logg" aria-labelledby="logg-h">
                <h2 id="logg-h">"Vem har tagit del av eller ändrat uppgifterna"</h2>
                <p class="hint">"Varje gång någon har läst, sökt fram eller ändrat uppgifter om personen, enligt loggen."</p>
                {if x.reads.is_empty() {
                    view! { <p>"Loggen har inga uppgifter om personen."</p> }.into_any()
                } else {
                    view! {
                        <table class="list" data-testid="extract-reads">
                            <caption class="visually-hidden">"Loggen över åtkomst till personens uppgifter, äldst först"</caption>
                            <thead><tr>
                                <th scope="col">"Tid"</th><th scope="col">"Användare"</th><th scope="col">"Organisation"</th>
                                <th scope="col">"Vad"</th><th scope="col">"Uppgifter"</th><th scope="col">"Syfte"</th><th scope="col">"Beslut"</th>
                            </tr></thead>
                            <tbody>
                                {x.reads.into_iter().map(|r| {
                                    let cats = r.categories.iter()
                                        .map(|c| Category::parse(c).map(|c| c.label()).unwrap_or(c.as_str()))
                                        .collect::<Vec<_>>()
                                        .join(", ");
                                    view! {
                                        <tr>
                                            <td>{sv_datetime(r.at)}</td>
                                            <td>{r.user}</td>
                                            <td>{r.org}</td>
                                            <td>{action_label(&r.action).to_string()}</td>
                                            <td>{if cats.is_empty() { "–".to_string() } else { cats }}</td>
                                            <td>{r.purpose.as_deref().map(purpose_label).unwrap_or("–").to_string()}</td>
                                            <td>{decision_label(&r.decision).to_string()}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                    .into_any()
                }}
            </section>
        </article>
    }
}

#[component]
fn Section(s: ExtractSection) -> impl IntoView {
    let heading = format!("{}-h", s.table);
    let labelled_by = heading.clone();
    let n = s.records.len();
    view! {
        <section class="extract-section" id=s.table.clone() aria-labelledby=labelled_by>
            <h2 id=heading>{s.title.clone()}</h2>
            {if n == 0 {
                view! { <p>"Inga uppgifter registrerade."</p> }.into_any()
            } else {
                s.records.into_iter().enumerate().map(|(i, r)| view! {
                    <Record r caption=format!("{}, post {} av {n}", s.title, i + 1)/>
                }).collect_view().into_any()
            }}
        </section>
    }
}

#[component]
fn Record(r: ExtractRecord, caption: String) -> impl IntoView {
    view! {
        <table class="extract-record">
            <caption class="visually-hidden">{caption}</caption>
            <tbody>
                <tr><th scope="row">"Post-id"</th><td><code>{r.id}</code></td></tr>
                {r.fields.into_iter().map(|f| view! {
                    <tr><th scope="row">{f.label}</th><td>{f.text}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
