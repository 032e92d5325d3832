//! `/arenden/:id`: the case overview as this reader may see it, status changes, history and
//! team. Without access the page says so and offers break-glass access on a written reason.

use leptos::prelude::*;

use crate::api::cases::{get_case, BreakGlass, TransitionCase};
use crate::components::case_frame::{case_frame, case_heading, use_case_id, CaseTabs};
use crate::components::common::{
    part_label, protection_tag, shown, successes, sv_clock, sv_date, sv_datetime,
};
use crate::components::forms::ConfirmButton;
use crate::components::ui::{ActionStatus, DataTable};
use domain::casework::CaseSummary;
use domain::{CaseView, Category};

#[component]
pub fn CasePage() -> impl IntoView {
    let case_id = use_case_id();
    let transition = ServerAction::<TransitionCase>::new();
    let glass = ServerAction::<BreakGlass>::new();
    // A refused status change reloads too: the usual cause is that the case changed meanwhile.
    let granted = successes(glass);
    let case = Resource::new(
        move || (case_id(), transition.version().get(), granted.get()),
        |(id, _, _)| get_case(id),
    );
    case_frame(
        "Ärende",
        case_id,
        glass,
        case,
        move |c| view! { <CaseOverview c transition/> },
    )
}

#[component]
fn CaseOverview(c: CaseView, transition: ServerAction<TransitionCase>) -> impl IntoView {
    let visible_labels: Vec<&'static str> = c.visible.iter().map(|c| c.label()).collect();
    let hidden_labels: Vec<&'static str> = Category::ALL
        .iter()
        .filter(|x| !c.visible.contains(x))
        .map(|c| c.label())
        .collect();
    let fact = |label: &'static str, value: AnyView| view! { <dt>{label}</dt><dd>{value}</dd> };
    let text = |s: String| view! { <span>{s}</span> }.into_any();
    view! {
        {case_heading(&c)}
        <p class="case-tags">
            <span class="tag status">{c.status.label()}</span>
            {protection_tag(c.protection)}
            {c.shredded.then(|| view! { <span class="tag shredded">"Gallrad"</span> })}
        </p>
        {c.break_glass_until.map(|until| view! {
            <p class="warning banner" role="status" data-testid="break-glass-banner">
                {format!("Du har nödåtkomst till och med {} – åtkomsten granskas", sv_clock(until))}
            </p>
        })}
        {c.shredded.then(|| view! {
            <p class="warning" data-testid="shredded">
                "Gallrad: deltagarens personuppgifter är gallrade och kan inte längre läsas eller ändras."
            </p>
        })}
        <CaseTabs c=c.clone()/>
        <CurrentState s=c.summary.clone() case_id=c.case_id.clone()/>
        <crate::components::case_youth::CaseYouth s=c.summary.clone() case_id=c.case_id.clone()/>

        <div class="columns">
            <section class="card" aria-labelledby="person-h">
                <h2 id="person-h">"Personuppgifter"</h2>
                <dl class="facts">
                    {fact("Förnamn", shown(&c.first_name))}
                    {fact("Efternamn", shown(&c.last_name))}
                    {fact("Personnummer", shown(&c.personnummer))}
                    {fact("Födelseår", text(c.birth_year.to_string()))}
                    {fact("Kön", text(c.gender.label().to_string()))}
                    {fact("Hemkommun", text(c.municipality.clone()))}
                    {fact("Skyddade personuppgifter", text(c.protection.label().to_string()))}
                    {fact("Telefon", shown(&c.phone))}
                    {fact("E-post", shown(&c.email))}
                    {fact("Adress", shown(&c.address))}
                </dl>
                <h3>"Bakgrund"</h3>
                <div class="prose" data-testid="background">{shown(&c.background)}</div>
            </section>

            <section class="card" aria-labelledby="case-h">
                <h2 id="case-h">"Ärendet"</h2>
                <dl class="facts">
                    {fact("Status", text(c.status.label().to_string()))}
                    {fact("SSPF-nivå", text(c.sspf_level.label().to_string()))}
                    {fact("Remittent", shown(&c.referral_source))}
                    {fact("Ansvarig organisation", text(c.owner_org.clone()))}
                    {fact("Öppnat", text(sv_date(c.opened_at)))}
                    {fact("Deltagar-id", view! { <code data-testid="participant-id">{c.participant_id.clone()}</code> }.into_any())}
                    {fact("Ärende-id", view! { <code>{c.case_id.clone()}</code> }.into_any())}
                </dl>
                <h3>"Det här får du se"</h3>
                <ul class="categories" data-testid="visible-categories">
                    {visible_labels.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                </ul>
                {(!hidden_labels.is_empty()).then(|| view! {
                    <p class="hint" data-testid="hidden-categories">
                        {format!("Dolt för dig: {}.", hidden_labels.join(", "))}
                    </p>
                })}
                {if c.can_extract {
                    Some(view! {
                        <p><a href=format!("/arenden/{}/registerutdrag", c.case_id) data-testid="extract-link">
                            "Registerutdrag till personen (GDPR art. 15)"
                        </a></p>
                    }.into_any())
                } else if c.can_edit && !c.shredded {
                    // Those who manage the case but may not read all of it (a protected address):
                    // an extract must be complete, so it is not offered, and they learn why here
                    // instead of from a refused page.
                    Some(view! {
                        <p class="hint" data-testid="extract-unavailable">
                            "Registerutdrag till personen tas fram av en handläggare i ärendeteamet som får läsa alla uppgifter om personen."
                        </p>
                    }.into_any())
                } else {
                    None
                }}
            </section>
        </div>

        <StatusSection c=c.clone() transition/>

        <section class="card" aria-labelledby="history-h">
            <h2 id="history-h">"Statushistorik"</h2>
            <DataTable rows=c.transitions.clone() caption="Statusändringar, äldst först"
                columns=vec!["Tid", "Från", "Till", "Av"] empty="Inga statusändringar."
                row=|t| view! {
                    <tr>
                        <td>{sv_datetime(t.at)}</td>
                        <td>{t.from.map(|f| f.label()).unwrap_or("–")}</td>
                        <td>{t.to.label()}</td>
                        <td>{t.by.clone()}</td>
                    </tr>
                }/>
        </section>

        <section class="card" aria-labelledby="team-h">
            <h2 id="team-h">"Ärendeteam"</h2>
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
    let warnings = s.warnings();
    let safety_href = format!("/arenden/{case_id}/sakerhet");
    let row = |label: &'static str, value: String| view! { <dt>{label}</dt><dd>{value}</dd> };
    let threat = s.threat.as_ref().map_or_else(
        || "Ingen hotbedömning".to_string(),
        |t| {
            format!(
                "{} (bedömd {}, ny bedömning senast {})",
                t.level.label(),
                t.date.format("%Y-%m-%d"),
                t.next_review.format("%Y-%m-%d")
            )
        },
    );
    let measures = if s.active_measures.is_empty() {
        "Inga".to_string()
    } else {
        s.active_measures
            .iter()
            .map(|m| m.label())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let since =
        |label: &str, d: chrono::NaiveDate| format!("{label} sedan {}", d.format("%Y-%m-%d"));
    let housing = s.housing.as_ref().map_or_else(
        || "Inget aktuellt boende registrerat".to_string(),
        |h| since(h.kind.label(), h.since),
    );
    let occupation = s.occupation.as_ref().map_or_else(
        || "Ingen aktuell sysselsättning registrerad".to_string(),
        |o| since(o.kind.label(), o.since),
    );
    let review = match (s.next_review, s.review_overdue) {
        (None, _) => "Inte bestämd".to_string(),
        (Some(d), false) => d.format("%Y-%m-%d").to_string(),
        (Some(d), true) => format!("{} – försenad", d.format("%Y-%m-%d")),
    };
    view! {
        {(!warnings.is_empty()).then(|| view! {
            <div class="warning banner threat" role="alert" data-testid="overview-threat-warning">
                {warnings.into_iter().map(|w| view! { <p>{w}</p> }).collect_view()}
                <p><a href=safety_href>"Gå till säkerhet och skydd"</a></p>
            </div>
        })}
        <section class="card" aria-labelledby="now-h">
            <h2 id="now-h">"Läget just nu"</h2>
            <dl class="facts" data-testid="current-state">
                {s.sees_safety.then(|| row("Hotnivå", threat))}
                {s.sees_safety.then(|| row("Pågående skyddsåtgärder", measures))}
                {s.sees_housing.then(|| row("Boende", housing))}
                {s.sees_occupation.then(|| row("Sysselsättning", occupation))}
                {s.sees_plan.then(|| row("Nästa planuppföljning", review))}
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
    view! {
        <section class="card" aria-labelledby="status-h">
            <h2 id="status-h">"Status"</h2>
            <p>"Nuvarande status: "<strong data-testid="case-status">{c.status.label()}</strong></p>
            {c.status.is_closed().then(|| view! { <p class="hint">"Ärendet är avslutat."</p> })}
            {show_buttons.then(|| view! {
                <div class="actions" role="group" aria-label="Ändra status">
                    {next.iter().map(|to| {
                        let to = *to;
                        let case_id = c.case_id.clone();
                        let label = format!("Ändra till {}", to.label().to_lowercase());
                        let confirm = to.is_closed().then(|| {
                            format!("Vill du ändra status till {}? Ärendet stängs och kan inte öppnas igen.", to.label().to_lowercase())
                        });
                        let fields = vec![("case_id", case_id), ("version", c.version.to_string()), ("to", to.as_str().to_string())];
                        let class = if to.is_closed() { "closing" } else { "" };
                        view! { <ConfirmButton action=transition fields label confirm=confirm.unwrap_or_default() class/> }
                    }).collect_view()}
                </div>
            })}
            <ActionStatus value=move || transition.value().get() ok="Statusen är ändrad."/>
        </section>
    }
}

/// The team as a table; used on the overview.
#[component]
fn TeamTable(c: CaseView) -> impl IntoView {
    view! {
        <DataTable rows=c.team caption="Ärendeteamet" testid="team" empty="Ingen är med i ärendeteamet."
            columns=vec!["Namn", "Organisation", "Roll i ärendet"]
            row=|m| view! {
                <tr><td>{m.display_name.clone()}</td><td>{m.org_name.clone()}</td><td>{part_label(&m.part)}</td></tr>
            }/>
    }
}
