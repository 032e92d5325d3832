//! The start page: what the signed-in user's role is for, and the work list of that role — the
//! case worker's cases with what is due this week, the partner's participants with their open
//! actions and a quick way to log a contact, the police contact's threat picture.

use crate::components::title::PageTitle;
use chrono::NaiveDate;
use leptos::prelude::*;

use crate::api::casework::get_worklist;
use crate::components::common::{protection_tag, shown};
use crate::components::labels::Label;
use crate::components::ui::ErrorBox;
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};
use domain::casework::{WorkCase, WorkItem, WorkList};
use domain::{Me, Role};

#[component]
pub fn HomePage() -> impl IntoView {
    let me = expect_context::<Me>();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let intro = match me.role {
        Role::CaseWorker => td_string!(l, home.intro.case_worker),
        Role::ProgramLead => td_string!(l, home.intro.program_lead),
        Role::Partner => td_string!(l, home.intro.partner),
        Role::Police => td_string!(l, home.intro.police),
        Role::Contributor => td_string!(l, home.intro.contributor),
        Role::Auditor => td_string!(l, home.intro.auditor),
        Role::Admin => td_string!(l, home.intro.admin),
    };
    let has_work = me.role.reads_case_content();
    let name = me.display_name.clone();
    view! {
        <PageTitle text=move || t_string!(i18n, home.title)/>
        <h1>{t!(i18n, home.welcome, name)}</h1>
        <p class="lead" data-testid="role-intro">{intro}</p>
        {has_work.then(|| view! { <Work role=me.role/> })}
    }
}

#[component]
fn Work(role: Role) -> impl IntoView {
    let i18n = use_i18n();
    let work = Resource::new(|| (), |_| get_worklist());
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
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
fn item_line(item: &WorkItem, today: NaiveDate, l: Locale) -> impl IntoView {
    let late = item.overdue(today);
    let what = match item {
        WorkItem::Review { .. } => td_string!(l, home.item.review).to_string(),
        WorkItem::Reassessment { .. } => td_string!(l, home.item.reassessment).to_string(),
        WorkItem::Action { title, status, .. } => {
            let status = status.label_in(l).to_lowercase();
            td_string!(l, home.item.action, title, status).to_string()
        }
        WorkItem::ConsentExpiring { org, .. } => {
            td_string!(l, home.item.consent_expiring, org).to_string()
        }
        WorkItem::NoContact { last: Some(d), .. } => {
            td_string!(l, home.item.no_contact_since, date = ymd(*d)).to_string()
        }
        WorkItem::NoContact { last: None, .. } => td_string!(l, home.item.no_contact).to_string(),
    };
    let when = match (item, item.due(), late) {
        (WorkItem::ConsentExpiring { until, .. }, ..) => {
            td_string!(l, home.item.on, date = ymd(*until)).to_string()
        }
        (_, Some(d), true) => td_string!(l, home.item.late, date = ymd(d)).to_string(),
        (_, Some(d), false) => td_string!(l, home.item.by, date = ymd(d)).to_string(),
        (_, None, _) => td_string!(l, home.item.no_date).to_string(),
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
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let horizon = ymd(w.horizon);
    view! {
        <section class="card" aria-labelledby="week-h" data-testid="my-week">
            <h2 id="week-h">{t!(i18n, home.week.heading, date = horizon)}</h2>
            {if w.cases.is_empty() {
                view! { <p class="empty">{t!(i18n, home.week.no_cases)}</p> }.into_any()
            } else if due.is_empty() {
                view! { <p class="empty">{t!(i18n, home.week.nothing_due)}</p> }.into_any()
            } else {
                view! {
                    <ul class="worklist">
                        {due.iter().map(|c| view! {
                            <li data-testid="work-case">
                                <h3 class="work-case">{case_link(c)}<span class="tag status">{c.status.label_in(l)}</span></h3>
                                <ul class="items">{c.items.iter().map(|i| item_line(i, today, l)).collect_view()}</ul>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(quiet > 0).then(|| view! {
                <p class="hint">{td_string!(l, home.week.quiet, count = quiet)}" "<a href="/arenden?mine=1">{t!(i18n, home.week.show_mine)}</a></p>
            })}
        </section>
    }
}

#[component]
fn PartnerView(w: WorkList) -> impl IntoView {
    let today = w.today;
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <section class="card" aria-labelledby="mine-h" data-testid="my-participants">
            <h2 id="mine-h">{t!(i18n, home.partner.heading)}</h2>
            {if w.cases.is_empty() {
                view! { <p class="empty">{t!(i18n, home.partner.none)}</p> }.into_any()
            } else {
                view! {
                    <ul class="worklist">
                        {w.cases.iter().map(|c| {
                            let contact = format!("/arenden/{}/kontakt", c.case_id);
                            view! {
                                <li data-testid="work-case">
                                    <h3 class="work-case">{case_link(c)}</h3>
                                    {if c.my_actions.is_empty() {
                                        view! { <p class="hint">{t!(i18n, home.partner.no_actions)}</p> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="items" aria-label=td_string!(l, home.partner.open_actions)>
                                                {c.my_actions.iter().map(|i| item_line(i, today, l)).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                    {c.may_log_contact.then(|| view! {
                                        <a class="button" href=contact data-testid="quick-contact">{t!(i18n, home.partner.log_contact)}</a>
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
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <section class="card" aria-labelledby="threat-h" data-testid="police-view">
            <h2 id="threat-h">{t!(i18n, home.police.heading)}</h2>
            {if w.cases.is_empty() {
                view! { <p class="empty">{t!(i18n, home.police.none)}</p> }.into_any()
            } else {
                view! {
                    <table class="list">
                        <caption class="visually-hidden">{t!(i18n, home.police.caption)}</caption>
                        <thead><tr>
                            <th scope="col">{t!(i18n, home.police.participant)}</th><th scope="col">{t!(i18n, home.police.level)}</th>
                            <th scope="col">{t!(i18n, home.police.assessed)}</th><th scope="col">{t!(i18n, home.police.next)}</th>
                        </tr></thead>
                        <tbody>
                            {w.cases.iter().map(|c| {
                                let sakerhet = format!("/arenden/{}/sakerhet", c.case_id);
                                let (level, date, next, late) = match &c.threat {
                                    Some(t) => (t.level.label_in(l).to_string(), ymd(t.date), ymd(t.next_review), t.next_review < today),
                                    None => (td_string!(l, home.police.no_assessment).to_string(), "–".to_string(), "–".to_string(), true),
                                };
                                view! {
                                    <tr data-testid="work-case" class=if late { "overdue" } else { "" }>
                                        <td><a href=sakerhet>{shown(&c.name)}</a>" "{protection_tag(c.protection)}</td>
                                        <td>{level}</td>
                                        <td>{date}</td>
                                        <td>{next}{late.then(|| format!(" {}", td_string!(l, home.police.late)))}</td>
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
