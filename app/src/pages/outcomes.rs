//! `/uppfoljning`: the program lead's outcomes dashboard, and `/uppfoljning/rapport`: the same
//! figures as a printable report for the board and funders (with a CSV download). The period and
//! municipality are a GET form, so the page works without JavaScript and a view can be linked.
//! Every figure is anonymous and suppressed by the core before it gets here.

use crate::components::title::PageTitle;
use leptos::prelude::*;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::effect::list_projects;
use crate::api::outcomes::load_outcomes;
use crate::components::charts::{BarChart, CountTableView};
use crate::components::common::print_page;
use crate::components::labels::InLanguage;
use crate::components::ui::ErrorBox;
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};
use domain::link::urlencode;
use domain::project::ProjectDto;
use domain::stats::{Cell, Change, Median, Outcomes, Share, MIN_CELL};
use domain::time::month_key;
use domain::AppError;

/// The query of the current view: (from, to, municipality, project).
fn use_period() -> impl Fn() -> (String, String, String, String) + Copy + Send + Sync + 'static {
    let q = use_query_map();
    move || {
        q.with(|q| {
            (
                q.get("from").unwrap_or_default(),
                q.get("to").unwrap_or_default(),
                q.get("kommun").unwrap_or_default(),
                q.get("projekt").unwrap_or_default(),
            )
        })
    }
}

fn query_string(o: &Outcomes, projekt: &str) -> String {
    let mut s = format!("from={}&to={}", month_key(o.from), month_key(o.to));
    if let Some(m) = &o.municipality {
        s.push_str("&kommun=");
        s.push_str(&urlencode(m));
    }
    if !projekt.is_empty() {
        s.push_str("&projekt=");
        s.push_str(&urlencode(projekt));
    }
    s
}

/// The figures with their tables' rows and columns named in the page's language.
async fn named(
    figures: impl std::future::Future<Output = Result<Outcomes, AppError>>,
    l: Locale,
) -> Result<Outcomes, AppError> {
    figures.await.map(|o| o.named(&InLanguage(l)))
}

#[component]
pub fn OutcomesPage() -> impl IntoView {
    let period = use_period();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let data = Resource::new(period, move |(f, t, m, p)| {
        named(load_outcomes(f, t, m, false, p), l)
    });
    let projects = Resource::new(|| (), |_| list_projects());
    view! {
        <PageTitle text=move || t_string!(i18n, outcomes.title)/>
        <div class="page-head">
            <h1>{t!(i18n, outcomes.title)}</h1>
        </div>
        <p class="hint">
            {t!(i18n, outcomes.hint, min = MIN_CELL)}
        </p>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, outcomes.computing)}</p> }>
            {move || Suspend::new(async move {
                let (f, t, m, p) = period();
                let projects = projects.await.unwrap_or_default();
                match data.await {
                    Ok(o) => view! { <PeriodForm action="/uppfoljning" o=Some(o.clone()) from=f to=t kommun=m projekt=p projects/><Dashboard o/> }.into_any(),
                    Err(e) => view! { <PeriodForm action="/uppfoljning" o=None from=f to=t kommun=m projekt=p projects/><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The period and municipality chooser, with quick choices and the report links.
#[component]
fn PeriodForm(
    action: &'static str,
    o: Option<Outcomes>,
    from: String,
    to: String,
    kommun: String,
    projekt: String,
    projects: Vec<ProjectDto>,
) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let (from, to) = match &o {
        Some(o) => (month_key(o.from), month_key(o.to)),
        None => (from, to),
    };
    let munis = o
        .as_ref()
        .map(|o| o.municipalities.clone())
        .unwrap_or_default();
    let links = o.as_ref().map(|o| {
        let q = query_string(o, &projekt);
        view! {
            <p class="report-links screen-only">
                <a href=format!("/api/rapport.csv?{q}") download data-testid="csv-link">{t!(i18n, outcomes.period.csv_link)}</a>
                " · "
                <a href=format!("/uppfoljning/rapport?{q}")>{t!(i18n, outcomes.period.print_link)}</a>
            </p>
        }
    });
    let quick = o.as_ref().map(|o| {
        let year = chrono::Datelike::year(&o.to);
        // The quarter before the one the period ends in.
        let q_end = o
            .to
            .checked_sub_months(chrono::Months::new(chrono::Datelike::month0(&o.to) % 3 + 1))
            .unwrap_or(o.to);
        let q_start = q_end.checked_sub_months(chrono::Months::new(2)).unwrap_or(q_end);
        let m = o
            .municipality
            .as_ref()
            .map(|m| format!("&kommun={}", urlencode(m)))
            .unwrap_or_default();
        view! {
            <p class="quick screen-only">
                {t!(i18n, outcomes.period.quick)}" "
                <a href=format!("{action}?{}", m.trim_start_matches('&'))>{t!(i18n, outcomes.period.last_12_months)}</a>
                " · "
                <a href=format!("{action}?from={}&to={}{m}", month_key(q_start), month_key(q_end))>{t!(i18n, outcomes.period.last_quarter)}</a>
                " · "
                <a href=format!("{action}?from={year}-01&to={}{m}", month_key(o.to))>{t!(i18n, outcomes.period.this_year)}</a>
                " · "
                <a href=format!("{action}?from={}-01&to={}-12{m}", year - 1, year - 1)>{t!(i18n, outcomes.period.last_year)}</a>
            </p>
        }
    });
    view! {
        <Form method="get" action=action attr:class="filters screen-only" attr:data-testid="period-form">
            <div class="filter">
                <label for="p-from">{t!(i18n, outcomes.period.from)}</label>
                <input id="p-from" name="from" type="month" value=from required
                    pattern="[0-9]{4}-[0-9]{2}" placeholder=td_string!(l, outcomes.period.month_placeholder) aria-describedby="p-months"/>
            </div>
            <div class="filter">
                <label for="p-to">{t!(i18n, outcomes.period.to)}</label>
                <input id="p-to" name="to" type="month" value=to.clone() required
                    pattern="[0-9]{4}-[0-9]{2}" placeholder=td_string!(l, outcomes.period.month_placeholder) aria-describedby="p-months"/>
            </div>
            <div class="filter">
                <label for="p-kommun">{t!(i18n, outcomes.period.municipality)}</label>
                <select id="p-kommun" name="kommun">
                    <option value="" selected=kommun.is_empty()>{t!(i18n, outcomes.period.all_municipalities)}</option>
                    {munis
                        .into_iter()
                        .map(|m| {
                            let sel = m == kommun;
                            view! { <option value=m.clone() selected=sel>{m.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            {(!projects.is_empty()).then(|| view! {
                <div class="filter">
                    <label for="p-projekt">{t!(i18n, outcomes.period.project)}</label>
                    <select id="p-projekt" name="projekt" data-testid="project-filter">
                        <option value="" selected=projekt.is_empty()>{t!(i18n, outcomes.period.whole_program)}</option>
                        {projects
                            .into_iter()
                            .map(|p| {
                                let sel = p.id == projekt;
                                view! { <option value=p.id.clone() selected=sel>{p.title()}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
            })}
            <button type="submit">{t!(i18n, outcomes.period.show)}</button>
            <p id="p-months" class="hint">{t!(i18n, outcomes.period.months_hint)}</p>
        </Form>
        {quick}
        {links}
    }
    .into_any()
}

fn share_text(s: Share, l: Locale) -> String {
    match s {
        Share::Shown { part, of, percent } => {
            td_string!(l, outcomes.share, percent, part, of).to_string()
        }
        Share::Suppressed => format!("< {MIN_CELL}"),
    }
}

fn median_text(m: Median, l: Locale) -> String {
    match m {
        Median::Shown { days, of } => td_string!(l, outcomes.median, count = days, of).to_string(),
        Median::Suppressed => format!("< {MIN_CELL}"),
    }
}

/// The key figures as a description list.
#[component]
fn KeyFigures(o: Outcomes) -> impl IntoView {
    let l = use_i18n().get_locale_untracked();
    let items: Vec<(&str, String)> = vec![
        (
            td_string!(l, outcomes.key_figures.participants),
            o.participants.text(),
        ),
        (
            td_string!(l, outcomes.key_figures.female),
            share_text(o.female_share, l),
        ),
        (
            td_string!(l, outcomes.key_figures.to_active),
            median_text(o.days_to_active, l),
        ),
        (
            td_string!(l, outcomes.key_figures.to_housing),
            median_text(o.days_to_housing, l),
        ),
        (
            td_string!(l, outcomes.key_figures.occupied_6m),
            share_text(o.occupied_6m, l),
        ),
        (
            td_string!(l, outcomes.key_figures.occupied_12m),
            share_text(o.occupied_12m, l),
        ),
        (
            td_string!(l, outcomes.key_figures.assessment_current),
            share_text(o.assessment_current, l),
        ),
        (
            td_string!(l, outcomes.key_figures.review_current),
            share_text(o.review_current, l),
        ),
    ];
    view! {
        <dl class="key-figures" data-testid="key-figures">
            {items
                .into_iter()
                .map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> })
                .collect_view()}
        </dl>
    }
}

fn scope_text(o: &Outcomes, l: Locale) -> String {
    let (from, to) = (month_key(o.from), month_key(o.to));
    match (o.municipality.clone(), o.project.clone()) {
        (Some(municipality), None) => {
            td_string!(l, outcomes.scope.municipality, from, to, municipality).to_string()
        }
        (None, None) => td_string!(l, outcomes.scope.all, from, to).to_string(),
        (Some(municipality), Some(project)) => td_string!(
            l,
            outcomes.scope.municipality_project,
            from,
            to,
            municipality,
            project
        )
        .to_string(),
        (None, Some(project)) => {
            td_string!(l, outcomes.scope.all_project, from, to, project).to_string()
        }
    }
}

#[component]
fn Dashboard(o: Outcomes) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let scope = scope_text(&o, l);
    let empty = o.participants == Cell::Count(0);
    view! {
        <div data-testid="dashboard">
            <h2 class="scope" data-testid="scope">{scope}</h2>
            {empty.then(|| view! { <p class="empty">{t!(i18n, outcomes.dashboard.empty)}</p> })}
            <section class="card" aria-labelledby="kf-h">
                <h3 id="kf-h">{t!(i18n, outcomes.dashboard.key_figures)}</h3>
                <KeyFigures o=o.clone()/>
            </section>
            <div class="charts">
                <section class="card"><h3>{t!(i18n, outcomes.dashboard.status)}</h3>
                    <BarChart id="c-status" title=td_string!(l, outcomes.tables.status) table=o.by_status.clone()/></section>
                <section class="card"><h3>{t!(i18n, outcomes.dashboard.sspf)}</h3>
                    <BarChart id="c-sspf" title=td_string!(l, outcomes.tables.sspf) table=o.by_sspf.clone()/></section>
                <section class="card"><h3>{t!(i18n, outcomes.dashboard.gender_age)}</h3>
                    <BarChart id="c-age" title=td_string!(l, outcomes.tables.gender_age) table=o.gender_age.clone()/></section>
                <section class="card"><h3>{t!(i18n, outcomes.dashboard.per_month)}</h3>
                    <BarChart id="c-month" title=td_string!(l, outcomes.tables.per_month) table=o.per_month.clone()/></section>
                <section class="card"><h3>{t!(i18n, outcomes.dashboard.measures)}</h3>
                    <BarChart id="c-measures" title=td_string!(l, outcomes.tables.measures) table=o.measures.clone()/></section>
                <section class="card"><h3>{t!(i18n, outcomes.dashboard.exits)}</h3>
                    <BarChart id="c-exits" title=td_string!(l, outcomes.tables.exits) table=o.exits.clone()/></section>
            </div>
            <ContactsTable o=o.clone()/>
            <DistanceSection o=o.clone()/>
        </div>
    }
    .into_any()
}

#[component]
fn ContactsTable(o: Outcomes) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="contacts-h">
            <h3 id="contacts-h">{t!(i18n, outcomes.contacts.heading)}</h3>
            {if o.contacts.is_empty() {
                view! { <p class="empty">{t!(i18n, outcomes.contacts.empty)}</p> }.into_any()
            } else {
                view! {
                    <table class="list stats" data-testid="contacts-per-org">
                        <caption class="visually-hidden">{t!(i18n, outcomes.contacts.heading)}</caption>
                        <thead><tr><th scope="col">{t!(i18n, outcomes.contacts.org)}</th><th scope="col">{t!(i18n, outcomes.contacts.contacts)}</th><th scope="col">{t!(i18n, outcomes.contacts.persons)}</th></tr></thead>
                        <tbody>
                            {o.contacts.iter().map(|c| view! {
                                <tr><th scope="row">{c.org.clone()}</th><td class="num">{c.contacts.text()}</td><td class="num">{c.persons.text()}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

/// The printable report: the same figures as tables, with the definitions the board needs.
#[component]
pub fn OutcomesReportPage() -> impl IntoView {
    let period = use_period();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let data = Resource::new(period, move |(f, t, m, p)| {
        named(load_outcomes(f, t, m, true, p), l)
    });
    view! {
        <PageTitle text=move || t_string!(i18n, outcomes.report.title)/>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, outcomes.computing)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(o) => view! { <Report o projekt=period().3/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Report(o: Outcomes, projekt: String) -> impl IntoView {
    let q = query_string(&o, &projekt);
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let scope = scope_text(&o, l);
    view! {
        <article class="report" data-testid="report">
            <div class="page-head">
                <h1>{t!(i18n, outcomes.report.heading)}</h1>
                <p class="screen-only">
                    <button type="button" class="primary" on:click=|_| print_page()>{t!(i18n, outcomes.report.print)}</button>
                    " "
                    <a class="button" href=format!("/api/rapport.csv?{q}") download>{t!(i18n, outcomes.report.csv)}</a>
                    " "
                    <a class="button" href=format!("/uppfoljning?{q}")>{t!(i18n, outcomes.report.back)}</a>
                </p>
            </div>
            <p class="scope">{td_string!(l, outcomes.report.scope, scope).to_string()}</p>
            <KeyFigures o=o.clone()/>
            <CountTableView table=o.by_status.clone() caption=td_string!(l, outcomes.tables.status)/>
            <CountTableView table=o.by_sspf.clone() caption=td_string!(l, outcomes.tables.sspf)/>
            <CountTableView table=o.gender_age.clone() caption=td_string!(l, outcomes.tables.gender_age_intake)/>
            <CountTableView table=o.per_month.clone() caption=td_string!(l, outcomes.tables.per_month)/>
            <CountTableView table=o.measures.clone() caption=td_string!(l, outcomes.tables.measures)/>
            <CountTableView table=o.exits.clone() caption=td_string!(l, outcomes.tables.exits)/>
            <ContactsTable o=o.clone()/>
            <DistanceSection o=o.clone()/>
            <section class="definitions">
                <h2>{t!(i18n, outcomes.report.definitions)}</h2>
                <ul>
                    <li>{t!(i18n, outcomes.report.def_suppression, min = MIN_CELL)}</li>
                    <li>{t!(i18n, outcomes.report.def_participants)}</li>
                    <li>{t!(i18n, outcomes.report.def_age)}</li>
                    <li>{t!(i18n, outcomes.report.def_housing)}</li>
                    <li>{t!(i18n, outcomes.report.def_occupation)}</li>
                    <li>{t!(i18n, outcomes.report.def_current)}</li>
                    <li>{t!(i18n, outcomes.report.def_distance)}</li>
                    <li>{t!(i18n, outcomes.report.def_project)}</li>
                    <li>{t!(i18n, outcomes.report.def_anonymous)}</li>
                </ul>
            </section>
        </article>
    }
    .into_any()
}

/// Distance travelled per life domain, one part per rater: the median change and how the
/// changes spread, as a table (figures under five persons hidden like everywhere else).
#[component]
fn DistanceSection(o: Outcomes) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <section class="card" aria-labelledby="distance-h" data-testid="distance">
            <h3 id="distance-h">{t!(i18n, outcomes.distance.heading)}</h3>
            <p class="hint">{t!(i18n, outcomes.distance.hint)}</p>
            {o.distance.into_iter().map(|d| {
                let medians = d.medians.clone();
                let rater = d.rater.to_lowercase();
                view! {
                    <h4>{td_string!(l, outcomes.distance.rater, rater = d.rater.clone(), persons = d.persons.text()).to_string()}</h4>
                    <table class="list stats">
                        <caption class="visually-hidden">{td_string!(l, outcomes.distance.median_caption, rater = rater.clone()).to_string()}</caption>
                        <thead><tr><th scope="col">{t!(i18n, outcomes.distance.domain)}</th><th scope="col">{t!(i18n, outcomes.distance.median)}</th><th scope="col">{t!(i18n, outcomes.distance.persons)}</th></tr></thead>
                        <tbody>
                            {medians.into_iter().map(|(domain, m)| {
                                let of = match m { Change::Shown { of, .. } => of.to_string(), Change::Suppressed => format!("< {MIN_CELL}") };
                                view! { <tr><th scope="row">{domain}</th><td class="num">{m.text()}</td><td class="num">{of}</td></tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <CountTableView table=d.bands caption=td_string!(l, outcomes.distance.bands_caption, rater).to_string()/>
                }
            }).collect_view()}
        </section>
    }
}
