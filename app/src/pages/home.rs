//! The start page: what the signed-in user's role is for, and the work list of that role — the
//! case worker's cases with what is due this week, the partner's participants with their open
//! actions and a quick way to log a contact, the police contact's threat picture.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::casework::get_worklist;
use crate::components::common::{protection_tag, shown};
use crate::components::ui::ErrorBox;
use domain::casework::{WorkCase, WorkItem, WorkList};
use domain::{Me, Role};

#[component]
pub fn HomePage() -> impl IntoView {
    let me = expect_context::<Me>();
    let intro = match me.role {
        Role::CaseWorker => "Här ser du dina ärenden och det som ska göras den här veckan.",
        Role::ProgramLead => "Här följer du verksamhetens ärenden och det som ska göras den här veckan.",
        Role::Partner => "Här ser du deltagarna du stöttar, era åtgärder och var du loggar en kontakt.",
        Role::Police => "Här ser du hotbedömningar i de ärenden där du har rättslig grund.",
        Role::Contributor => "Här gör du en orosanmälan till avhopparverksamheten och bidrar till lägesbilden för ditt område. Ärenden visas inte här.",
        Role::Auditor => "Här granskar du vem som har läst vad och varför, och nödåtkomster.",
        Role::Admin => "Här hanterar du organisationer och användarkonton. Ärendeinnehåll visas aldrig för administratörer.",
    };
    let has_work = me.role.reads_case_content();
    view! {
        <Title text="Start"/>
        <h1>{format!("Välkommen, {}", me.display_name)}</h1>
        <p class="lead" data-testid="role-intro">{intro}</p>
        {has_work.then(|| view! { <Work role=me.role/> })}
    }
}

#[component]
fn Work(role: Role) -> impl IntoView {
    let work = Resource::new(|| (), |_| get_worklist());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Laddar…"</p> }>
            {move || Suspend::new(async move {
                match work.await {
                    Ok(w) => match role {
                        Role::Partner => view! { <PartnerView w/> }.into_any(),
                        Role::Police => view! { <PoliceView w/> }.into_any(),
                        _ => view! { <CaseWorkerView w/> }.into_any(),
                    },
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// One work item as a line: what, when, and whether it is late.
fn item_line(item: &WorkItem, today: NaiveDate) -> impl IntoView {
    let late = item.overdue(today);
    let what = match item {
        WorkItem::Review { .. } => "Planuppföljning".to_string(),
        WorkItem::Reassessment { .. } => "Ny hotbedömning".to_string(),
        WorkItem::Action { title, status, .. } => {
            format!("Åtgärd: {title} ({})", status.label().to_lowercase())
        }
        WorkItem::ConsentExpiring { org, .. } => format!("Samtycke eller lagstöd för {org} upphör"),
        WorkItem::NoContact { last: Some(d), .. } => format!("Ingen kontakt sedan {}", ymd(*d)),
        WorkItem::NoContact { last: None, .. } => "Ingen kontakt loggad".to_string(),
    };
    let when = match (item, item.due(), late) {
        (WorkItem::ConsentExpiring { until, .. }, ..) => format!("den {}", ymd(*until)),
        (_, Some(d), true) => format!("försenad, skulle ha gjorts {}", ymd(d)),
        (_, Some(d), false) => format!("senast {}", ymd(d)),
        (_, None, _) => "inget datum".to_string(),
    };
    view! {
        <li class=if late { "overdue" } else { "" }>
            <span class="what">{what}</span>" – "<span class="when">{when}</span>
        </li>
    }
}

fn case_link(c: &WorkCase) -> impl IntoView {
    let href = format!("/arenden/{}", c.case_id);
    view! {
        <a href=href>{shown(&c.name)}</a>
        " "{protection_tag(c.protection)}
    }
}

#[component]
fn CaseWorkerView(w: WorkList) -> impl IntoView {
    let due: Vec<WorkCase> = w
        .cases
        .iter()
        .filter(|c| !c.items.is_empty())
        .cloned()
        .collect();
    let quiet = w.cases.len() - due.len();
    let today = w.today;
    view! {
        <section class="card" aria-labelledby="week-h" data-testid="my-week">
            <h2 id="week-h">{format!("Att göra till och med {}", ymd(w.horizon))}</h2>
            {if w.cases.is_empty() {
                view! { <p class="empty">"Du är inte med i något öppet ärende."</p> }.into_any()
            } else if due.is_empty() {
                view! { <p class="empty">"Inget av dina ärenden har något som ska göras den här veckan."</p> }.into_any()
            } else {
                view! {
                    <ul class="worklist">
                        {due.iter().map(|c| view! {
                            <li data-testid="work-case">
                                <h3 class="work-case">{case_link(c)}<span class="tag status">{c.status.label()}</span></h3>
                                <ul class="items">{c.items.iter().map(|i| item_line(i, today)).collect_view()}</ul>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(quiet > 0).then(|| view! {
                <p class="hint">{format!("{quiet} ärenden har inget som ska göras den här veckan. ")}<a href="/arenden?mine=1">"Visa mina ärenden"</a></p>
            })}
        </section>
    }
}

#[component]
fn PartnerView(w: WorkList) -> impl IntoView {
    let today = w.today;
    view! {
        <section class="card" aria-labelledby="mine-h" data-testid="my-participants">
            <h2 id="mine-h">"Mina deltagare"</h2>
            {if w.cases.is_empty() {
                view! { <p class="empty">"Ingen deltagare är delad med er organisation just nu."</p> }.into_any()
            } else {
                view! {
                    <ul class="worklist">
                        {w.cases.iter().map(|c| {
                            let contact = format!("/arenden/{}/kontakt", c.case_id);
                            view! {
                                <li data-testid="work-case">
                                    <h3 class="work-case">{case_link(c)}</h3>
                                    {if c.my_actions.is_empty() {
                                        view! { <p class="hint">"Inga öppna åtgärder för er organisation."</p> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="items" aria-label="Era öppna åtgärder">
                                                {c.my_actions.iter().map(|i| item_line(i, today)).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                    {c.may_log_contact.then(|| view! {
                                        <a class="button" href=contact data-testid="quick-contact">"Logga kontakt"</a>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn PoliceView(w: WorkList) -> impl IntoView {
    let today = w.today;
    view! {
        <section class="card" aria-labelledby="threat-h" data-testid="police-view">
            <h2 id="threat-h">"Hotbild i ärenden med rättslig grund"</h2>
            {if w.cases.is_empty() {
                view! { <p class="empty">"Du har inte rättslig grund att se säkerhetsuppgifter i något öppet ärende."</p> }.into_any()
            } else {
                view! {
                    <table class="list">
                        <caption class="visually-hidden">"Senaste hotbedömning per ärende, det som ska göras först överst"</caption>
                        <thead><tr>
                            <th scope="col">"Deltagare"</th><th scope="col">"Hotnivå"</th>
                            <th scope="col">"Bedömd"</th><th scope="col">"Ny bedömning senast"</th>
                        </tr></thead>
                        <tbody>
                            {w.cases.iter().map(|c| {
                                let sakerhet = format!("/arenden/{}/sakerhet", c.case_id);
                                let (level, date, next, late) = match &c.threat {
                                    Some(t) => (t.level.label().to_string(), ymd(t.date), ymd(t.next_review), t.next_review < today),
                                    None => ("Ingen bedömning".to_string(), "–".to_string(), "–".to_string(), true),
                                };
                                view! {
                                    <tr data-testid="work-case" class=if late { "overdue" } else { "" }>
                                        <td><a href=sakerhet>{shown(&c.name)}</a>" "{protection_tag(c.protection)}</td>
                                        <td>{level}</td>
                                        <td>{date}</td>
                                        <td>{next}{late.then_some(" (försenad)")}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
