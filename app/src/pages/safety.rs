//! `/arenden/:id/sakerhet`: protective measures and threat assessments, with the warning when
//! the threat is high or the assessment is due again.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::cases::{get_case, BreakGlass};
use crate::api::casework::{get_safety, AddAssessment, AddMeasure, EndMeasure, UpdateMeasure};
use crate::api::orgs::list_orgs;
use crate::components::case_frame::{case_frame_with, use_case_id, CaseHead};
use crate::components::common::{date_or_dash, shown, successes};
use crate::components::forms::{
    busy, draft_key, failure, forget_drafts_when_saved, DraftArea, Submit,
};
use crate::components::ui::DataTable;
use domain::casework::{
    threat_warning_lines, MeasureDto, MeasureKind, MeasureStatus, SafetyDto, ThreatLevel,
    ThreatSummary,
};
use domain::{CaseView, OrgDto};

/// The forms that change a recorded measure: one of each for the whole page, so that the
/// outcome survives the reload that follows a save.
#[derive(Clone, Copy)]
struct MeasureForms {
    update: ServerAction<UpdateMeasure>,
    end: ServerAction<EndMeasure>,
}

/// The lines of the threat warning, most serious first; empty when there is nothing to warn of.
/// Without any assessment the page says so in its own hint, not as a warning.
pub fn threat_warnings(s: &SafetyDto) -> Vec<&'static str> {
    let Some(latest) = s.assessments.first() else {
        return Vec::new();
    };
    threat_warning_lines(Some(&ThreatSummary {
        level: latest.level,
        date: latest.date,
        next_review: latest.next_review,
        overdue: s.assessment_overdue,
    }))
}

#[component]
pub fn SafetyPage() -> impl IntoView {
    let case_id = use_case_id();
    let glass = ServerAction::<BreakGlass>::new();
    let measure = ServerAction::<AddMeasure>::new();
    let assessment = ServerAction::<AddAssessment>::new();
    let changes = MeasureForms {
        update: ServerAction::new(),
        end: ServerAction::new(),
    };
    let (u_saved, e_saved) = (successes(changes.update), successes(changes.end));
    forget_drafts_when_saved(measure, |m| vec![draft_key(&m.case_id, "measure")]);
    forget_drafts_when_saved(assessment, |a| vec![draft_key(&a.case_id, "assessment")]);
    let (m_saved, a_saved, granted) = (successes(measure), successes(assessment), successes(glass));
    let case = Resource::new(move || (case_id(), granted.get()), |(id, _)| get_case(id));
    let safety = Resource::new(
        move || {
            (
                case_id(),
                granted.get(),
                m_saved.get(),
                a_saved.get(),
                u_saved.get(),
                e_saved.get(),
            )
        },
        |(id, ..)| get_safety(id),
    );
    let orgs = Resource::new(|| (), |_| list_orgs());
    case_frame_with(
        "Säkerhet",
        case_id,
        glass,
        case,
        move || async move { Ok((safety.await?, orgs.await.unwrap_or_default())) },
        move |c, (s, orgs)| view! { <Safety c s orgs measure assessment changes/> },
    )
}

#[component]
fn Safety(
    c: CaseView,
    s: SafetyDto,
    orgs: Vec<OrgDto>,
    measure: ServerAction<AddMeasure>,
    assessment: ServerAction<AddAssessment>,
    changes: MeasureForms,
) -> impl IntoView {
    let can_change = s.can_assess;
    let row_case = c.case_id.clone();
    let warnings = threat_warnings(&s);
    let case_id = c.case_id.clone();
    view! {
        <CaseHead c=c.clone()/>
        <h2 class="page-title">"Säkerhet och skydd"</h2>
        {(!warnings.is_empty()).then(|| view! {
            <div class="warning banner threat" role="alert" data-testid="threat-warning">
                {warnings.into_iter().map(|w| view! { <p>{w}</p> }).collect_view()}
            </div>
        })}
        {s.assessments.is_empty().then(|| view! { <p class="hint">"Ingen hotbedömning är registrerad i ärendet."</p> })}
        <section class="card" aria-labelledby="assess-h">
            <h2 id="assess-h">"Hotbedömningar"</h2>
            <DataTable rows=s.assessments.clone() caption="Hotbedömningar, senaste först" testid="assessments" scroll=true
                empty="Inga hotbedömningar."
                columns=vec!["Datum", "Hotnivå", "Bedömd av", "Ny bedömning senast", "Underlag"]
                row=|a| view! {
                    <tr>
                        <td class="nowrap">{a.date.format("%Y-%m-%d").to_string()}</td>
                        <td><span class=format!("tag level-{}", a.level.as_str())>{a.level.label()}</span></td>
                        <td>{a.org.clone()}</td>
                        <td class="nowrap">{a.next_review.format("%Y-%m-%d").to_string()}</td>
                        <td class="prose">{shown(&a.basis)}</td>
                    </tr>
                }/>
        </section>
        <section class="card" aria-labelledby="measures-h">
            <h2 id="measures-h">"Skyddsåtgärder"</h2>
            {failure(changes.update)}
            {failure(changes.end)}
            {move || changes.update.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">"Skyddsåtgärden är ändrad."</p> })}
            {move || changes.end.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">"Skyddsåtgärden är avslutad."</p> })}
            <DataTable rows=s.measures.clone() caption="Skyddsåtgärder" testid="measures" scroll=true
                empty="Inga skyddsåtgärder." action_column=can_change
                columns=vec!["Åtgärd", "Status", "Från", "Till", "Ansvarig", "Beskrivning"]
                row=move |m| {
                    let change = can_change.then(|| view! {
                        <td><MeasureChange m=m.clone() case_id=row_case.clone() orgs=orgs.clone() changes/></td>
                    });
                    view! {
                        <tr data-testid="measure">
                            <td>{m.kind.label()}</td>
                            <td data-testid="measure-status">{m.status.label()}</td>
                            <td class="nowrap">{date_or_dash(m.start)}</td>
                            <td class="nowrap">{date_or_dash(m.end)}</td>
                            <td>{m.responsible_org.clone()}</td>
                            <td class="prose">{shown(&m.details)}</td>
                            {change}
                        </tr>
                    }
                }/>
        </section>
        {s.can_assess.then(|| { let cid0 = case_id.clone(); let cid1 = case_id.clone(); let d_assess = draft_key(&case_id, "assessment"); let d_measure = draft_key(&case_id, "measure"); view! {
            <div class="columns">
                <section class="card" aria-labelledby="new-assess-h">
                    <h2 id="new-assess-h">"Ny hotbedömning"</h2>
                    {failure(assessment)}
                    <ActionForm action=assessment attr:class="form" attr:data-testid="add-assessment" attr:aria-busy=busy(assessment)>
                        <input type="hidden" name="case_id" value=cid0/>
                        <label for="as-level">"Hotnivå"</label>
                        <select id="as-level" name="level" required>
                            {ThreatLevel::ALL.iter().map(|l| view! { <option value=l.as_str()>{l.label()}</option> }).collect_view()}
                        </select>
                        <label for="as-date">"Datum för bedömningen"</label>
                        <input id="as-date" name="date" type="date" aria-describedby="as-date-hint"/>
                        <p id="as-date-hint" class="hint">"Lämna tomt för i dag."</p>
                        <label for="as-next">"Ny bedömning senast"</label>
                        <input id="as-next" name="next_review" type="date" required/>
                        <label for="as-basis">"Underlag och bedömning"</label>
                        <DraftArea id="as-basis" name="basis" draft=d_assess rows=5/>
                        <Submit action=assessment class="primary">"Spara hotbedömning"</Submit>
                    </ActionForm>
                    {move || assessment.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">"Hotbedömningen är sparad."</p> })}
                </section>
                <section class="card" aria-labelledby="new-measure-h">
                    <h2 id="new-measure-h">"Ny skyddsåtgärd"</h2>
                    {failure(measure)}
                    <ActionForm action=measure attr:class="form" attr:data-testid="add-measure" attr:aria-busy=busy(measure)>
                        <input type="hidden" name="case_id" value=cid1/>
                        <label for="ms-kind">"Åtgärd"</label>
                        <select id="ms-kind" name="kind" required>
                            {MeasureKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                        </select>
                        <label for="ms-status">"Status"</label>
                        <select id="ms-status" name="status" required>
                            {MeasureStatus::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                        </select>
                        <label for="ms-start">"Från"</label>
                        <input id="ms-start" name="start" type="date"/>
                        <label for="ms-end">"Till"</label>
                        <input id="ms-end" name="end" type="date"/>
                        <label for="ms-details">"Beskrivning"</label>
                        <DraftArea id="ms-details" name="details" draft=d_measure rows=3 required=false/>
                        <Submit action=measure class="primary">"Spara skyddsåtgärd"</Submit>
                    </ActionForm>
                    {move || measure.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">"Skyddsåtgärden är sparad."</p> })}
                </section>
            </div>
        }})}
    }
}

/// Ending a measure (end date, today when left empty; asked before it is sent) and changing
/// it: status, dates, responsible organisation and details. Plain posts that work without
/// JavaScript; the version read travels with each so a stale save is refused.
#[component]
fn MeasureChange(
    m: MeasureDto,
    case_id: String,
    orgs: Vec<OrgDto>,
    changes: MeasureForms,
) -> impl IntoView {
    let id = m.id.clone();
    let what = format!(" {}", m.kind.label().to_lowercase());
    let ended = matches!(m.status, MeasureStatus::Ended | MeasureStatus::Denied);
    let d = |s: Option<chrono::NaiveDate>| {
        s.map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    let (start, end) = (d(m.start), d(m.end));
    let details = m.details.value().cloned().unwrap_or_default();
    let ask = "return confirm('Avsluta skyddsåtgärden?')";
    let end_form = (!ended).then(|| {
        let (cid, mid) = (case_id.clone(), id.clone());
        view! {
            <details class="update">
                <summary>"Avsluta"<span class="visually-hidden">{what.clone()}</span></summary>
                <ActionForm action=changes.end attr:class="form" attr:onsubmit=ask attr:data-testid="end-measure" attr:aria-busy=busy(changes.end)>
                    <input type="hidden" name="case_id" value=cid/>
                    <input type="hidden" name="measure_id" value=mid.clone()/>
                    <input type="hidden" name="version" value=m.version.to_string()/>
                    <label for=format!("me-end-{mid}")>"Slutdatum"</label>
                    <input id=format!("me-end-{mid}") name="end" type="date" aria-describedby=format!("me-end-hint-{mid}")/>
                    <p id=format!("me-end-hint-{mid}") class="hint">"Lämna tomt för i dag."</p>
                    <Submit action=changes.end class="primary">"Avsluta skyddsåtgärden"</Submit>
                </ActionForm>
            </details>
        }
    });
    view! {
        {end_form}
        <details class="update">
            <summary>"Ändra"<span class="visually-hidden">{what}</span></summary>
            <ActionForm action=changes.update attr:class="form" attr:data-testid="update-measure" attr:aria-busy=busy(changes.update)>
                <input type="hidden" name="case_id" value=case_id/>
                <input type="hidden" name="measure_id" value=id.clone()/>
                <input type="hidden" name="version" value=m.version.to_string()/>
                <label for=format!("mu-status-{id}")>"Status"</label>
                <select id=format!("mu-status-{id}") name="status" required>
                    {MeasureStatus::ALL.iter().map(|k| view! { <option value=k.as_str() selected=*k == m.status>{k.label()}</option> }).collect_view()}
                </select>
                <label for=format!("mu-start-{id}")>"Från"</label>
                <input id=format!("mu-start-{id}") name="start" type="date" value=start/>
                <label for=format!("mu-end-{id}")>"Till"</label>
                <input id=format!("mu-end-{id}") name="end" type="date" value=end aria-describedby=format!("mu-end-hint-{id}")/>
                <p id=format!("mu-end-hint-{id}") class="hint">"En avslutad åtgärd utan slutdatum avslutas i dag."</p>
                <label for=format!("mu-org-{id}")>"Ansvarig organisation"</label>
                <select id=format!("mu-org-{id}") name="responsible_org" required>
                    {orgs.into_iter().filter(|o| o.active || o.id == m.responsible_org_id).map(|o| {
                        let selected = o.id == m.responsible_org_id;
                        view! { <option value=o.id.clone() selected=selected>{o.name.clone()}</option> }
                    }).collect_view()}
                </select>
                <label for=format!("mu-details-{id}")>"Beskrivning"</label>
                <textarea id=format!("mu-details-{id}") name="details" rows="3">{details}</textarea>
                <Submit action=changes.update class="primary">"Spara ändringen"</Submit>
            </ActionForm>
        </details>
    }
}
