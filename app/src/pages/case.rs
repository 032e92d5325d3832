//! `/arenden/:id`: the case overview as this reader may see it, status changes, history and
//! team. Without access the page says so and offers break-glass access on a written reason.

use leptos::prelude::*;

use crate::api::cases::{get_case, BreakGlass, TransitionCase};
use crate::components::case_frame::{case_frame, case_heading, part_name, use_case_id, CaseTabs};
use crate::components::common::{protection_tag, shown, successes, sv_clock, sv_date, sv_datetime};
use crate::components::forms::ConfirmButton;
use crate::components::labels::Label;
use crate::components::ui::{ActionStatus, DataTable};
use crate::i18n::{t, td_string, use_i18n};
use domain::casework::CaseSummary;
use domain::{CaseView, Category};

#[component]
pub fn CasePage() -> impl IntoView {
    let case_id = use_case_id();
    let l = use_i18n().get_locale_untracked();
    let transition = ServerAction::<TransitionCase>::new();
    let glass = ServerAction::<BreakGlass>::new();
    // A refused status change reloads too: the usual cause is that the case changed meanwhile.
    let granted = successes(glass);
    let case = Resource::new(
        move || (case_id(), transition.version().get(), granted.get()),
        |(id, _, _)| get_case(id),
    );
    case_frame(
        td_string!(l, cases.overview.title),
        case_id,
        glass,
        case,
        move |c| view! { <CaseOverview c transition/> },
    )
}

#[component]
fn CaseOverview(c: CaseView, transition: ServerAction<TransitionCase>) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let visible_labels: Vec<&'static str> = c.visible.iter().map(|c| c.label_in(l)).collect();
    let hidden_labels: Vec<&'static str> = Category::ALL
        .iter()
        .filter(|x| !c.visible.contains(x))
        .map(|c| c.label_in(l))
        .collect();
    let fact = |label: &'static str, value: AnyView| view! { <dt>{label}</dt><dd>{value}</dd> };
    let text = |s: String| view! { <span>{s}</span> }.into_any();
    view! {
        {case_heading(&c, l)}
        <p class="case-tags">
            <span class="tag status">{c.status.label_in(l)}</span>
            {protection_tag(c.protection)}
            {c.shredded.then(|| view! { <span class="tag shredded">{t!(i18n, cases.tags.shredded)}</span> })}
        </p>
        {c.break_glass_until.map(|until| view! {
            <p class="warning banner" role="status" data-testid="break-glass-banner">
                {td_string!(l, cases.overview.break_glass_banner, until = sv_clock(until)).to_string()}
            </p>
        })}
        {c.shredded.then(|| view! {
            <p class="warning" data-testid="shredded">
                {t!(i18n, cases.overview.shredded)}
            </p>
        })}
        <CaseTabs c=c.clone()/>
        <CurrentState s=c.summary.clone() case_id=c.case_id.clone()/>
        <crate::components::case_youth::CaseYouth s=c.summary.clone() case_id=c.case_id.clone()/>

        <div class="columns">
            <section class="card" aria-labelledby="person-h">
                <h2 id="person-h">{t!(i18n, cases.overview.person_heading)}</h2>
                <dl class="facts">
                    {fact(td_string!(l, cases.person.first_name), shown(&c.first_name))}
                    {fact(td_string!(l, cases.person.last_name), shown(&c.last_name))}
                    {fact(td_string!(l, cases.person.personnummer), shown(&c.personnummer))}
                    {fact(td_string!(l, cases.person.birth_year), text(c.birth_year.to_string()))}
                    {fact(td_string!(l, cases.person.gender), text(c.gender.label_in(l).to_string()))}
                    {fact(td_string!(l, cases.person.municipality), text(c.municipality.clone()))}
                    {fact(td_string!(l, cases.person.protection), text(c.protection.label_in(l).to_string()))}
                    {fact(td_string!(l, cases.person.phone), shown(&c.phone))}
                    {fact(td_string!(l, cases.person.email), shown(&c.email))}
                    {fact(td_string!(l, cases.person.address), shown(&c.address))}
                </dl>
                <h3>{t!(i18n, cases.person.background)}</h3>
                <div class="prose" data-testid="background">{shown(&c.background)}</div>
            </section>

            <section class="card" aria-labelledby="case-h">
                <h2 id="case-h">{t!(i18n, cases.overview.case_heading)}</h2>
                <dl class="facts">
                    {fact(td_string!(l, cases.overview.status), text(c.status.label_in(l).to_string()))}
                    {fact(td_string!(l, cases.overview.sspf_level), text(c.sspf_level.label_in(l).to_string()))}
                    {fact(td_string!(l, cases.overview.referral_source), shown(&c.referral_source))}
                    {fact(td_string!(l, cases.overview.owner_org), text(c.owner_org.clone()))}
                    {fact(td_string!(l, cases.overview.opened), text(sv_date(c.opened_at)))}
                    {fact(td_string!(l, cases.overview.participant_id), view! { <code data-testid="participant-id">{c.participant_id.clone()}</code> }.into_any())}
                    {fact(td_string!(l, cases.overview.case_id), view! { <code>{c.case_id.clone()}</code> }.into_any())}
                </dl>
                <h3>{t!(i18n, cases.overview.visible)}</h3>
                <ul class="categories" data-testid="visible-categories">
                    {visible_labels.into_iter().map(|v| view! { <li>{v}</li> }).collect_view()}
                </ul>
                {(!hidden_labels.is_empty()).then(|| view! {
                    <p class="hint" data-testid="hidden-categories">
                        {td_string!(l, cases.overview.hidden, categories = hidden_labels.join(", ")).to_string()}
                    </p>
                })}
                {if c.can_extract {
                    Some(view! {
                        <p><a href=format!("/arenden/{}/registerutdrag", c.case_id) data-testid="extract-link">
                            {t!(i18n, cases.overview.extract_link)}
                        </a></p>
                    }.into_any())
                } else if c.can_edit && !c.shredded {
                    // Those who manage the case but may not read all of it (a protected address):
                    // an extract must be complete, so it is not offered, and they learn why here
                    // instead of from a refused page.
                    Some(view! {
                        <p class="hint" data-testid="extract-unavailable">
                            {t!(i18n, cases.overview.extract_unavailable)}
                        </p>
                    }.into_any())
                } else {
                    None
                }}
            </section>
        </div>

        <StatusSection c=c.clone() transition/>

        <section class="card" aria-labelledby="history-h">
            <h2 id="history-h">{t!(i18n, cases.overview.history.heading)}</h2>
            <DataTable rows=c.transitions.clone() caption=td_string!(l, cases.overview.history.caption)
                columns=vec![
                    td_string!(l, cases.overview.history.time),
                    td_string!(l, cases.overview.history.from),
                    td_string!(l, cases.overview.history.to),
                    td_string!(l, cases.overview.history.by),
                ]
                empty=td_string!(l, cases.overview.history.empty)
                row=move |t| view! {
                    <tr>
                        <td>{sv_datetime(t.at)}</td>
                        <td>{t.from.map(|f| f.label_in(l)).unwrap_or("–")}</td>
                        <td>{t.to.label_in(l)}</td>
                        <td>{t.by.clone()}</td>
                    </tr>
                }/>
        </section>

        <section class="card" aria-labelledby="team-h">
            <h2 id="team-h">{t!(i18n, cases.overview.team_heading)}</h2>
            <TeamTable c=c.clone()/>
        </section>
    }
}

/// The casework at a glance: the threat warning, then threat level, active measures, housing,
/// occupation and the next plan review — each row only when the reader may see its category.
#[component]
fn CurrentState(s: CaseSummary, case_id: String) -> impl IntoView {
    if !(s.sees_safety || s.sees_housing || s.sees_occupation || s.sees_plan) {
        return ().into_any();
    }
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let warnings: Vec<&str> = s.warnings().into_iter().map(|w| w.label_in(l)).collect();
    let safety_href = format!("/arenden/{case_id}/sakerhet");
    let row = |label: &'static str, value: String| view! { <dt>{label}</dt><dd>{value}</dd> };
    let threat = s.threat.as_ref().map_or_else(
        || td_string!(l, cases.overview.now.no_threat).to_string(),
        |t| {
            td_string!(
                l,
                cases.overview.now.threat,
                level = t.level.label_in(l),
                date = t.date.format("%Y-%m-%d").to_string(),
                next = t.next_review.format("%Y-%m-%d").to_string()
            )
            .to_string()
        },
    );
    let measures = if s.active_measures.is_empty() {
        td_string!(l, cases.overview.now.no_measures).to_string()
    } else {
        s.active_measures
            .iter()
            .map(|m| m.label_in(l))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let since = |label: &'static str, d: chrono::NaiveDate| {
        td_string!(
            l,
            cases.overview.now.since,
            kind = label,
            date = d.format("%Y-%m-%d").to_string()
        )
        .to_string()
    };
    let housing = s.housing.as_ref().map_or_else(
        || td_string!(l, cases.overview.now.no_housing).to_string(),
        |h| since(h.kind.label_in(l), h.since),
    );
    let occupation = s.occupation.as_ref().map_or_else(
        || td_string!(l, cases.overview.now.no_occupation).to_string(),
        |o| since(o.kind.label_in(l), o.since),
    );
    let review = match (s.next_review, s.review_overdue) {
        (None, _) => td_string!(l, cases.overview.now.review_not_set).to_string(),
        (Some(d), false) => d.format("%Y-%m-%d").to_string(),
        (Some(d), true) => td_string!(
            l,
            cases.overview.now.review_late,
            date = d.format("%Y-%m-%d").to_string()
        )
        .to_string(),
    };
    view! {
        {(!warnings.is_empty()).then(|| view! {
            <div class="warning banner threat" role="alert" data-testid="overview-threat-warning">
                {warnings.into_iter().map(|w| view! { <p>{w}</p> }).collect_view()}
                <p><a href=safety_href>{t!(i18n, cases.overview.now.to_safety)}</a></p>
            </div>
        })}
        <section class="card" aria-labelledby="now-h">
            <h2 id="now-h">{t!(i18n, cases.overview.now.heading)}</h2>
            <dl class="facts" data-testid="current-state">
                {s.sees_safety.then(|| row(td_string!(l, cases.overview.now.threat_level), threat))}
                {s.sees_safety.then(|| row(td_string!(l, cases.overview.now.measures), measures))}
                {s.sees_housing.then(|| row(td_string!(l, cases.overview.now.housing), housing))}
                {s.sees_occupation.then(|| row(td_string!(l, cases.overview.now.occupation), occupation))}
                {s.sees_plan.then(|| row(td_string!(l, cases.overview.now.next_review), review))}
            </dl>
        </section>
    }
    .into_any()
}

/// The current status and, for those who may change it, the allowed next steps.
#[component]
fn StatusSection(c: CaseView, transition: ServerAction<TransitionCase>) -> impl IntoView {
    let next = c.status.next();
    let show_buttons = c.can_edit && !next.is_empty();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let status = c.status.label_in(l);
    view! {
        <section class="card" aria-labelledby="status-h">
            <h2 id="status-h">{t!(i18n, cases.overview.status_section.heading)}</h2>
            <p>{t!(i18n, cases.overview.status_section.current, <strong> = <strong data-testid="case-status"/>, status)}</p>
            {c.status.is_closed().then(|| view! { <p class="hint">{t!(i18n, cases.overview.status_section.closed)}</p> })}
            {show_buttons.then(|| view! {
                <div class="actions" role="group" aria-label=td_string!(l, cases.overview.status_section.change)>
                    {next.iter().map(|to| {
                        let to = *to;
                        let case_id = c.case_id.clone();
                        let label = td_string!(l, cases.overview.status_section.change_to, status = to.label_in(l).to_lowercase()).to_string();
                        let confirm = to.is_closed().then(|| {
                            td_string!(l, cases.overview.status_section.confirm_close, status = to.label_in(l).to_lowercase()).to_string()
                        });
                        let fields = vec![("case_id", case_id), ("version", c.version.to_string()), ("to", to.as_str().to_string())];
                        let class = if to.is_closed() { "closing" } else { "" };
                        view! { <ConfirmButton action=transition fields label confirm=confirm.unwrap_or_default() class/> }
                    }).collect_view()}
                </div>
            })}
            <ActionStatus value=move || transition.value().get() ok=td_string!(l, cases.overview.status_section.changed)/>
        </section>
    }
}

/// The team as a table; used on the overview.
#[component]
fn TeamTable(c: CaseView) -> impl IntoView {
    let l = use_i18n().get_locale_untracked();
    view! {
        <DataTable rows=c.team caption=td_string!(l, cases.team.caption) testid="team" empty=td_string!(l, cases.team.empty)
            columns=vec![td_string!(l, cases.team.name), td_string!(l, cases.team.organisation), td_string!(l, cases.team.part)]
            row=move |m| view! {
                <tr><td>{m.display_name.clone()}</td><td>{m.org_name.clone()}</td><td>{part_name(&m.part, l)}</td></tr>
            }/>
    }
}
