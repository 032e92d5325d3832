//! `/uppfoljning`: the program lead's outcomes dashboard, and `/uppfoljning/rapport`: the same
//! figures as a printable report for the board and funders (with a CSV download). The period and
//! municipality are a GET form, so the page works without JavaScript and a view can be linked.
//! Every figure is anonymous and suppressed by the core before it gets here.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::effect::list_projects;
use crate::api::outcomes::load_outcomes;
use crate::components::charts::{BarChart, CountTableView};
use crate::components::common::print_page;
use crate::components::ui::ErrorBox;
use domain::link::urlencode;
use domain::project::ProjectDto;
use domain::stats::{Cell, Change, Median, Outcomes, Share, MIN_CELL};
use domain::time::month_key;

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

#[component]
pub fn OutcomesPage() -> impl IntoView {
    let period = use_period();
    let data = Resource::new(period, |(f, t, m, p)| load_outcomes(f, t, m, false, p));
    let projects = Resource::new(|| (), |_| list_projects());
    view! {
        <Title text="Uppföljning"/>
        <div class="page-head">
            <h1>"Uppföljning"</h1>
        </div>
        <p class="hint">
            {format!("Avidentifierad statistik för programmet. Uppgifter om färre än {MIN_CELL} personer visas som ”< {MIN_CELL}”, och en till uppgift döljs där summan annars skulle avslöja dem.")}
        </p>
        <Transition fallback=|| view! { <p class="loading">"Beräknar…"</p> }>
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
                <a href=format!("/api/rapport.csv?{q}") download data-testid="csv-link">"Ladda ner rapporten (CSV)"</a>
                " · "
                <a href=format!("/uppfoljning/rapport?{q}")>"Utskriftsvänlig rapport"</a>
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
                "Snabbval: "
                <a href=format!("{action}?{}", m.trim_start_matches('&'))>"Senaste 12 månaderna"</a>
                " · "
                <a href=format!("{action}?from={}&to={}{m}", month_key(q_start), month_key(q_end))>"Förra kvartalet"</a>
                " · "
                <a href=format!("{action}?from={year}-01&to={}{m}", month_key(o.to))>"I år"</a>
                " · "
                <a href=format!("{action}?from={}-01&to={}-12{m}", year - 1, year - 1)>"Förra året"</a>
            </p>
        }
    });
    view! {
        <Form method="get" action=action attr:class="filters screen-only" attr:data-testid="period-form">
            <div class="filter">
                <label for="p-from">"Från och med"</label>
                <input id="p-from" name="from" type="month" value=from required
                    pattern="[0-9]{4}-[0-9]{2}" placeholder="ÅÅÅÅ-MM" aria-describedby="p-months"/>
            </div>
            <div class="filter">
                <label for="p-to">"Till och med"</label>
                <input id="p-to" name="to" type="month" value=to.clone() required
                    pattern="[0-9]{4}-[0-9]{2}" placeholder="ÅÅÅÅ-MM" aria-describedby="p-months"/>
            </div>
            <div class="filter">
                <label for="p-kommun">"Kommun"</label>
                <select id="p-kommun" name="kommun">
                    <option value="" selected=kommun.is_empty()>"Alla kommuner"</option>
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
                    <label for="p-projekt">"Projekt"</label>
                    <select id="p-projekt" name="projekt" data-testid="project-filter">
                        <option value="" selected=projekt.is_empty()>"Hela programmet"</option>
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
            <button type="submit">"Visa"</button>
            <p id="p-months" class="hint">"Perioden är hela månader: statistiken räknas per månad."</p>
        </Form>
        {quick}
        {links}
    }
    .into_any()
}

fn share_text(s: Share) -> String {
    match s {
        Share::Shown { part, of, percent } => format!("{percent} % ({part} av {of})"),
        Share::Suppressed => format!("< {MIN_CELL}"),
    }
}

fn median_text(m: Median) -> String {
    match m {
        Median::Shown { days, of } => format!("{days} dagar (median, {of} personer)"),
        Median::Suppressed => format!("< {MIN_CELL}"),
    }
}

/// The key figures as a description list.
#[component]
fn KeyFigures(o: Outcomes) -> impl IntoView {
    let items: Vec<(&str, String)> = vec![
        ("Deltagare under perioden", o.participants.text()),
        ("Flickor och kvinnor", share_text(o.female_share)),
        ("Tid från anmälan till aktiv", median_text(o.days_to_active)),
        (
            "Tid från anmälan till stabilt boende",
            median_text(o.days_to_housing),
        ),
        (
            "Arbete eller studier efter 6 månader",
            share_text(o.occupied_6m),
        ),
        (
            "Arbete eller studier efter 12 månader",
            share_text(o.occupied_12m),
        ),
        (
            "Öppna ärenden med aktuell hotbedömning",
            share_text(o.assessment_current),
        ),
        (
            "Öppna ärenden med planuppföljning i tid",
            share_text(o.review_current),
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

fn scope_text(o: &Outcomes) -> String {
    let mut s = format!(
        "{} – {}, {}",
        month_key(o.from),
        month_key(o.to),
        o.municipality.as_deref().unwrap_or("alla kommuner")
    );
    if let Some(p) = &o.project {
        s.push_str(&format!(", deltagare i projektet {p}"));
    }
    s
}

#[component]
fn Dashboard(o: Outcomes) -> impl IntoView {
    let scope = scope_text(&o);
    let empty = o.participants == Cell::Count(0);
    view! {
        <div data-testid="dashboard">
            <h2 class="scope" data-testid="scope">{scope}</h2>
            {empty.then(|| view! { <p class="empty">"Inga deltagare under perioden."</p> })}
            <section class="card" aria-labelledby="kf-h">
                <h3 id="kf-h">"Nyckeltal"</h3>
                <KeyFigures o=o.clone()/>
            </section>
            <div class="charts">
                <section class="card"><h3>"Status vid periodens slut"</h3>
                    <BarChart id="c-status" title="Deltagare efter status vid periodens slut" table=o.by_status.clone()/></section>
                <section class="card"><h3>"SSPF-nivå"</h3>
                    <BarChart id="c-sspf" title="Deltagare efter SSPF-nivå" table=o.by_sspf.clone()/></section>
                <section class="card"><h3>"Kön och ålder vid inskrivning"</h3>
                    <BarChart id="c-age" title="Deltagare efter kön och åldersgrupp" table=o.gender_age.clone()/></section>
                <section class="card"><h3>"Intag och avslut per månad"</h3>
                    <BarChart id="c-month" title="Intag och avslut per månad" table=o.per_month.clone()/></section>
                <section class="card"><h3>"Skyddsåtgärder"</h3>
                    <BarChart id="c-measures" title="Deltagare med skyddsåtgärd under perioden, efter typ" table=o.measures.clone()/></section>
                <section class="card"><h3>"Avslut efter orsak"</h3>
                    <BarChart id="c-exits" title="Avslutade ärenden efter orsak" table=o.exits.clone()/></section>
            </div>
            <ContactsTable o=o.clone()/>
            <DistanceSection o=o.clone()/>
        </div>
    }
    .into_any()
}

#[component]
fn ContactsTable(o: Outcomes) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="contacts-h">
            <h3 id="contacts-h">"Kontakter per organisation"</h3>
            {if o.contacts.is_empty() {
                view! { <p class="empty">"Inga kontakter loggade under perioden."</p> }.into_any()
            } else {
                view! {
                    <table class="list stats" data-testid="contacts-per-org">
                        <caption class="visually-hidden">"Kontakter per organisation"</caption>
                        <thead><tr><th scope="col">"Organisation"</th><th scope="col">"Kontakter"</th><th scope="col">"Personer"</th></tr></thead>
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
    let data = Resource::new(period, |(f, t, m, p)| load_outcomes(f, t, m, true, p));
    view! {
        <Title text="Rapport – uppföljning"/>
        <Transition fallback=|| view! { <p class="loading">"Beräknar…"</p> }>
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
    view! {
        <article class="report" data-testid="report">
            <div class="page-head">
                <h1>"Rapport: avhopparverksamhetens resultat"</h1>
                <p class="screen-only">
                    <button type="button" class="primary" on:click=|_| print_page()>"Skriv ut"</button>
                    " "
                    <a class="button" href=format!("/api/rapport.csv?{q}") download>"Ladda ner CSV"</a>
                    " "
                    <a class="button" href=format!("/uppfoljning?{q}")>"Tillbaka till uppföljningen"</a>
                </p>
            </div>
            <p class="scope">{format!("Period och urval: {}", scope_text(&o))}</p>
            <KeyFigures o=o.clone()/>
            <CountTableView table=o.by_status.clone() caption="Deltagare efter status vid periodens slut"/>
            <CountTableView table=o.by_sspf.clone() caption="Deltagare efter SSPF-nivå"/>
            <CountTableView table=o.gender_age.clone() caption="Deltagare efter kön och åldersgrupp vid inskrivning"/>
            <CountTableView table=o.per_month.clone() caption="Intag och avslut per månad"/>
            <CountTableView table=o.measures.clone() caption="Deltagare med skyddsåtgärd under perioden, efter typ"/>
            <CountTableView table=o.exits.clone() caption="Avslutade ärenden efter orsak"/>
            <ContactsTable o=o.clone()/>
            <DistanceSection o=o.clone()/>
            <section class="definitions">
                <h2>"Definitioner"</h2>
                <ul>
                    <li>{format!("Uppgifter om färre än {MIN_CELL} personer redovisas som ”< {MIN_CELL}”. Där en summa annars skulle avslöja en dold uppgift döljs även nästa minsta uppgift i raden eller kolumnen.")}</li>
                    <li>"Deltagare under perioden: ärenden som var öppna någon gång under perioden. Status avser läget vid periodens slut."</li>
                    <li>"Ålder: ålder vid inskrivning (inskrivningsår minus födelseår)."</li>
                    <li>"Stabilt boende: eget kontrakt eller andrahandskontrakt."</li>
                    <li>"Arbete eller studier efter 6 och 12 månader: bland dem vars ärende blev aktivt 182 respektive 365 dagar före en dag i perioden, andelen med anställning, praktik, studier eller arbetsmarknadsinsats den dagen."</li>
                    <li>"Aktuell hotbedömning och planuppföljning i tid: andel av de ärenden som är öppna i dag där nästa bedömning eller uppföljning inte har passerats."</li>
                    <li>"Förflyttning: för deltagare med en skattning vid inskrivningen och minst en senare skattning av samma bedömare (handläggaren eller deltagaren själv), den senaste skattningen under perioden minus skattningen vid inskrivningen, per livsområde på skalan 1–5. Handläggarens och deltagarens skattningar redovisas var för sig."</li>
                    <li>"Projekturval: deltagare som var inskrivna i projektet någon gång under perioden."</li>
                    <li>"Uppgifterna är avidentifierade. Gallrade ärenden ingår med sina statistikuppgifter."</li>
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
    view! {
        <section class="card" aria-labelledby="distance-h" data-testid="distance">
            <h3 id="distance-h">"Förflyttning per livsområde"</h3>
            <p class="hint">"Senaste skattningen minus skattningen vid inskrivningen, på skalan 1–5. Positiva tal betyder att läget har blivit bättre."</p>
            {o.distance.into_iter().map(|d| {
                let medians = d.medians.clone();
                view! {
                    <h4>{format!("{} ({} personer)", d.rater, d.persons.text())}</h4>
                    <table class="list stats">
                        <caption class="visually-hidden">{format!("Median förändring, {}", d.rater.to_lowercase())}</caption>
                        <thead><tr><th scope="col">"Livsområde"</th><th scope="col">"Median förändring"</th><th scope="col">"Personer"</th></tr></thead>
                        <tbody>
                            {medians.into_iter().map(|(domain, m)| {
                                let of = match m { Change::Shown { of, .. } => of.to_string(), Change::Suppressed => format!("< {MIN_CELL}") };
                                view! { <tr><th scope="row">{domain}</th><td class="num">{m.text()}</td><td class="num">{of}</td></tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <CountTableView table=d.bands caption=format!("Fördelning av förändringen, {}", d.rater.to_lowercase())/>
                }
            }).collect_view()}
        </section>
    }
}
