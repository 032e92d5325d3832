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
use crate::components::labels::Label;
use crate::components::ui::DataTable;
use crate::i18n::{t, td_string, use_i18n, Locale};
use domain::casework::{
    MeasureDto, MeasureKind, MeasureStatus, SafetyDto, ThreatLevel, ThreatSummary,
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
pub fn threat_warnings(s: &SafetyDto, l: Locale) -> Vec<&'static str> {
    let Some(latest) = s.assessments.first() else {
        return Vec::new();
    };
    let latest = ThreatSummary {
        level: latest.level,
        date: latest.date,
        next_review: latest.next_review,
        overdue: s.assessment_overdue,
    };
    domain::casework::threat_warnings(Some(&latest))
        .into_iter()
        .map(|w| w.label_in(l))
        .collect()
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
    let l = use_i18n().get_locale_untracked();
    case_frame_with(
        td_string!(l, casework.safety.title),
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
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let warnings = threat_warnings(&s, l);
    let case_id = c.case_id.clone();
    view! {
        <CaseHead c=c.clone()/>
        <h2 class="page-title">{t!(i18n, casework.safety.heading)}</h2>
        {(!warnings.is_empty()).then(|| view! {
            <div class="warning banner threat" role="alert" data-testid="threat-warning">
                {warnings.into_iter().map(|w| view! { <p>{w}</p> }).collect_view()}
            </div>
        })}
        {s.assessments.is_empty().then(|| view! { <p class="hint">{t!(i18n, casework.safety.no_assessment)}</p> })}
        <section class="card" aria-labelledby="assess-h">
            <h2 id="assess-h">{t!(i18n, casework.safety.assessments.heading)}</h2>
            <DataTable rows=s.assessments.clone() caption=td_string!(l, casework.safety.assessments.caption) testid="assessments" scroll=true
                empty=td_string!(l, casework.safety.assessments.empty)
                columns=vec![
                    td_string!(l, casework.safety.assessments.date),
                    td_string!(l, casework.safety.assessments.level),
                    td_string!(l, casework.safety.assessments.assessed_by),
                    td_string!(l, casework.safety.assessments.next),
                    td_string!(l, casework.safety.assessments.basis),
                ]
                row=move |a| view! {
                    <tr>
                        <td class="nowrap">{a.date.format("%Y-%m-%d").to_string()}</td>
                        <td><span class=format!("tag level-{}", a.level.as_str())>{a.level.label_in(l)}</span></td>
                        <td>{a.org.clone()}</td>
                        <td class="nowrap">{a.next_review.format("%Y-%m-%d").to_string()}</td>
                        <td class="prose">{shown(&a.basis)}</td>
                    </tr>
                }/>
        </section>
        <section class="card" aria-labelledby="measures-h">
            <h2 id="measures-h">{t!(i18n, casework.safety.measures.heading)}</h2>
            {failure(changes.update)}
            {failure(changes.end)}
            {move || changes.update.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">{t!(i18n, casework.safety.measures.changed)}</p> })}
            {move || changes.end.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">{t!(i18n, casework.safety.measures.ended)}</p> })}
            <DataTable rows=s.measures.clone() caption=td_string!(l, casework.safety.measures.caption) testid="measures" scroll=true
                empty=td_string!(l, casework.safety.measures.empty) action_column=can_change
                columns=vec![
                    td_string!(l, casework.safety.measures.measure),
                    td_string!(l, casework.safety.measures.status),
                    td_string!(l, casework.safety.measures.from),
                    td_string!(l, casework.safety.measures.to),
                    td_string!(l, casework.safety.measures.responsible),
                    td_string!(l, casework.safety.measures.details),
                ]
                row=move |m| {
                    let change = can_change.then(|| view! {
                        <td><MeasureChange m=m.clone() case_id=row_case.clone() orgs=orgs.clone() changes/></td>
                    });
                    view! {
                        <tr data-testid="measure">
                            <td>{m.kind.label_in(l)}</td>
                            <td data-testid="measure-status">{m.status.label_in(l)}</td>
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
                    <h2 id="new-assess-h">{t!(i18n, casework.safety.new_assessment.heading)}</h2>
                    {failure(assessment)}
                    <ActionForm action=assessment attr:class="form" attr:data-testid="add-assessment" attr:aria-busy=busy(assessment)>
                        <input type="hidden" name="case_id" value=cid0/>
                        <label for="as-level">{t!(i18n, casework.safety.new_assessment.level)}</label>
                        <select id="as-level" name="level" required>
                            {ThreatLevel::ALL.iter().map(|v| view! { <option value=v.as_str()>{v.label_in(l)}</option> }).collect_view()}
                        </select>
                        <label for="as-date">{t!(i18n, casework.safety.new_assessment.date)}</label>
                        <input id="as-date" name="date" type="date" aria-describedby="as-date-hint"/>
                        <p id="as-date-hint" class="hint">{t!(i18n, casework.safety.new_assessment.date_hint)}</p>
                        <label for="as-next">{t!(i18n, casework.safety.new_assessment.next)}</label>
                        <input id="as-next" name="next_review" type="date" required/>
                        <label for="as-basis">{t!(i18n, casework.safety.new_assessment.basis)}</label>
                        <DraftArea id="as-basis" name="basis" draft=d_assess rows=5/>
                        <Submit action=assessment class="primary">{t!(i18n, casework.safety.new_assessment.submit)}</Submit>
                    </ActionForm>
                    {move || assessment.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">{t!(i18n, casework.safety.new_assessment.saved)}</p> })}
                </section>
                <section class="card" aria-labelledby="new-measure-h">
                    <h2 id="new-measure-h">{t!(i18n, casework.safety.new_measure.heading)}</h2>
                    {failure(measure)}
                    <ActionForm action=measure attr:class="form" attr:data-testid="add-measure" attr:aria-busy=busy(measure)>
                        <input type="hidden" name="case_id" value=cid1/>
                        <label for="ms-kind">{t!(i18n, casework.safety.new_measure.kind)}</label>
                        <select id="ms-kind" name="kind" required>
                            {MeasureKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label_in(l)}</option> }).collect_view()}
                        </select>
                        <label for="ms-status">{t!(i18n, casework.safety.new_measure.status)}</label>
                        <select id="ms-status" name="status" required>
                            {MeasureStatus::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label_in(l)}</option> }).collect_view()}
                        </select>
                        <label for="ms-start">{t!(i18n, casework.safety.new_measure.from)}</label>
                        <input id="ms-start" name="start" type="date"/>
                        <label for="ms-end">{t!(i18n, casework.safety.new_measure.to)}</label>
                        <input id="ms-end" name="end" type="date"/>
                        <label for="ms-details">{t!(i18n, casework.safety.new_measure.details)}</label>
                        <DraftArea id="ms-details" name="details" draft=d_measure rows=3 required=false/>
                        <Submit action=measure class="primary">{t!(i18n, casework.safety.new_measure.submit)}</Submit>
                    </ActionForm>
                    {move || measure.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">{t!(i18n, casework.safety.new_measure.saved)}</p> })}
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
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let what = m.kind.label_in(l).to_lowercase();
    let ended = matches!(m.status, MeasureStatus::Ended | MeasureStatus::Denied);
    let d = |s: Option<chrono::NaiveDate>| {
        s.map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    let (start, end) = (d(m.start), d(m.end));
    let details = m.details.value().cloned().unwrap_or_default();
    let ask = format!(
        "return confirm('{}')",
        td_string!(l, casework.safety.change.end_confirm)
            .replace('\\', "\\\\")
            .replace('\'', "\\'")
    );
    let end_form = (!ended).then(|| {
        let (cid, mid) = (case_id.clone(), id.clone());
        view! {
            <details class="update">
                <summary>{t!(i18n, casework.safety.change.end, what = what.clone(), <hidden> = <span class="visually-hidden"/>)}</summary>
                <ActionForm action=changes.end attr:class="form" attr:onsubmit=ask attr:data-testid="end-measure" attr:aria-busy=busy(changes.end)>
                    <input type="hidden" name="case_id" value=cid/>
                    <input type="hidden" name="measure_id" value=mid.clone()/>
                    <input type="hidden" name="version" value=m.version.to_string()/>
                    <label for=format!("me-end-{mid}")>{t!(i18n, casework.safety.change.end_date)}</label>
                    <input id=format!("me-end-{mid}") name="end" type="date" aria-describedby=format!("me-end-hint-{mid}")/>
                    <p id=format!("me-end-hint-{mid}") class="hint">{t!(i18n, casework.safety.change.end_hint)}</p>
                    <Submit action=changes.end class="primary">{t!(i18n, casework.safety.change.end_submit)}</Submit>
                </ActionForm>
            </details>
        }
    });
    view! {
        {end_form}
        <details class="update">
            <summary>{t!(i18n, casework.safety.change.change, what, <hidden> = <span class="visually-hidden"/>)}</summary>
            <ActionForm action=changes.update attr:class="form" attr:data-testid="update-measure" attr:aria-busy=busy(changes.update)>
                <input type="hidden" name="case_id" value=case_id/>
                <input type="hidden" name="measure_id" value=id.clone()/>
                <input type="hidden" name="version" value=m.version.to_string()/>
                <label for=format!("mu-status-{id}")>{t!(i18n, casework.safety.change.status)}</label>
                <select id=format!("mu-status-{id}") name="status" required>
                    {MeasureStatus::ALL.iter().map(|k| view! { <option value=k.as_str() selected=*k == m.status>{k.label_in(l)}</option> }).collect_view()}
                </select>
                <label for=format!("mu-start-{id}")>{t!(i18n, casework.safety.change.from)}</label>
                <input id=format!("mu-start-{id}") name="start" type="date" value=start/>
                <label for=format!("mu-end-{id}")>{t!(i18n, casework.safety.change.to)}</label>
                <input id=format!("mu-end-{id}") name="end" type="date" value=end aria-describedby=format!("mu-end-hint-{id}")/>
                <p id=format!("mu-end-hint-{id}") class="hint">{t!(i18n, casework.safety.change.ended_hint)}</p>
                <label for=format!("mu-org-{id}")>{t!(i18n, casework.safety.change.org)}</label>
                <select id=format!("mu-org-{id}") name="responsible_org" required>
                    {orgs.into_iter().filter(|o| o.active || o.id == m.responsible_org_id).map(|o| {
                        let selected = o.id == m.responsible_org_id;
                        view! { <option value=o.id.clone() selected=selected>{o.name.clone()}</option> }
                    }).collect_view()}
                </select>
                <label for=format!("mu-details-{id}")>{t!(i18n, casework.safety.change.details)}</label>
                <textarea id=format!("mu-details-{id}") name="details" rows="3">{details}</textarea>
                <Submit action=changes.update class="primary">{t!(i18n, casework.safety.change.submit)}</Submit>
            </ActionForm>
        </details>
    }
}
