//! `/arenden/:id/effekt`: outcome ratings per life domain (the change as a small chart with the
//! figures as a table), the form to add a rating set, and the case's funded projects.
//!
//! A tab of its own rather than a section of the plan: the rating form carries ten domains with
//! five defined steps each, which would bury the plan's goals and actions; the plan's category
//! decides who sees the tab, as for the plan itself.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::cases::{get_case, BreakGlass};
use crate::api::effect::{get_enrolments, get_ratings, AddRating, EndEnrolment, Enrol};
use crate::components::case_frame::{case_frame_with, use_case_id, CaseHead};
use crate::components::common::{date_or_dash, error_for, shown, successes, FieldError};
use crate::components::forms::{busy, failure, Submit};
use crate::components::labels::Label;
use crate::i18n::{t, td_string, use_i18n, Locale};
use domain::casework::LifeDomain;
use domain::project::EnrolmentsDto;
use domain::rating::{Occasion, Rater, RatingsDto};
use domain::CaseView;

#[derive(Clone, Copy)]
struct EffectForms {
    rating: ServerAction<AddRating>,
    enrol: ServerAction<Enrol>,
    exit: ServerAction<EndEnrolment>,
}

#[component]
pub fn EffectPage() -> impl IntoView {
    let case_id = use_case_id();
    let glass = ServerAction::<BreakGlass>::new();
    let forms = EffectForms {
        rating: ServerAction::new(),
        enrol: ServerAction::new(),
        exit: ServerAction::new(),
    };
    let saved = (
        successes(forms.rating),
        successes(forms.enrol),
        successes(forms.exit),
    );
    let granted = successes(glass);
    let case = Resource::new(move || (case_id(), granted.get()), |(id, _)| get_case(id));
    let ratings = Resource::new(
        move || (case_id(), granted.get(), saved.0.get()),
        |(id, ..)| get_ratings(id),
    );
    let enrolments = Resource::new(
        move || (case_id(), granted.get(), saved.1.get(), saved.2.get()),
        |(id, ..)| get_enrolments(id),
    );
    let load = move || async move { Ok((ratings.await?, enrolments.await?)) };
    let l = use_i18n().get_locale_untracked();
    case_frame_with(
        td_string!(l, casework.effect.title),
        case_id,
        glass,
        case,
        load,
        move |c, (r, e)| view! { <Effect c r e forms/> },
    )
}

#[component]
fn Effect(c: CaseView, r: RatingsDto, e: EnrolmentsDto, forms: EffectForms) -> impl IntoView {
    let case_id = c.case_id.clone();
    let i18n = use_i18n();
    view! {
        <CaseHead c=c.clone()/>
        <h2 class="page-title">{t!(i18n, casework.effect.heading)}</h2>
        <section class="card" aria-labelledby="change-h" data-testid="rating-change">
            <h3 id="change-h">{t!(i18n, casework.effect.change.heading)}</h3>
            {if r.sets.is_empty() {
                view! { <p class="empty">{t!(i18n, casework.effect.change.none)}</p> }.into_any()
            } else {
                Rater::ALL
                    .iter()
                    .map(|rater| view! { <ChangeChart r=r.clone() rater=*rater/> })
                    .collect_view()
                    .into_any()
            }}
            {(!r.sets.is_empty()).then(|| view! { <RatingTable r=r.clone()/> })}
        </section>
        {r.can_edit.then(|| view! { <RatingFormView case_id=case_id.clone() r=r.clone() forms/> })}
        <Projects case_id=case_id.clone() e forms/>
    }
}

const ROW_H: f64 = 22.0;
const LABEL_W: f64 = 190.0;
const STEP_W: f64 = 48.0;
const VALUE_W: f64 = 70.0;

/// One rater's change per domain as a dumbbell chart: a hollow circle at the intake score, a
/// filled square at the latest, joined by a line, with "2 → 4" written beside — readable
/// without colour.
#[component]
fn ChangeChart(r: RatingsDto, rater: Rater) -> impl IntoView {
    let rows = r.change(rater);
    let id = format!("chg-{}", rater.as_str());
    let l = use_i18n().get_locale_untracked();
    if rows.is_empty() {
        return view! {
            <p class="empty">{td_string!(l, casework.effect.change.not_enough, rater = rater.label_in(l)).to_string()}</p>
        }
        .into_any();
    }
    let x = |s: u8| LABEL_W + (f64::from(s) - 0.5) * STEP_W;
    let height = 24.0 + rows.len() as f64 * ROW_H;
    let width = LABEL_W + 5.0 * STEP_W + VALUE_W;
    let desc = rows
        .iter()
        .map(|(d, a, b)| {
            td_string!(
                l,
                casework.effect.change.row,
                domain = d.label_in(l),
                from = *a,
                to = *b
            )
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("; ");
    let axis = (1..=5u8)
        .map(|s| view! { <text x=x(s) y=14 class="legend" text-anchor="middle">{s.to_string()}</text> })
        .collect_view();
    let marks = rows
        .iter()
        .enumerate()
        .map(|(i, (d, a, b))| {
            let y = 24.0 + i as f64 * ROW_H + ROW_H / 2.0;
            let (xa, xb) = (x(*a), x(*b));
            view! {
                <g>
                    <text x=LABEL_W - 6.0 y=y + 4.0 class="label" text-anchor="end">{d.label_in(l)}</text>
                    <line x1=x(1) x2=x(5) y1=y y2=y class="grid"/>
                    <line x1=xa x2=xb y1=y y2=y class="change" stroke-width="3"/>
                    <circle cx=xa cy=y r="5" class="intake"/>
                    <rect x=xb - 5.0 y=y - 5.0 width="10" height="10" class="latest"/>
                    <text x=LABEL_W + 5.0 * STEP_W + 8.0 y=y + 4.0 class="value">{format!("{a} → {b}")}</text>
                </g>
            }
        })
        .collect_view();
    let title = td_string!(
        l,
        casework.effect.change.chart_title,
        rater = rater.label_in(l)
    )
    .to_string();
    view! {
        <figure class="chart" data-testid=format!("chart-{}", rater.as_str())>
            <svg role="img" aria-labelledby=format!("{id}-t {id}-d") viewBox=format!("0 0 {width} {height}") width=width height=height>
                <title id=format!("{id}-t")>{title}</title>
                <desc id=format!("{id}-d")>{desc}</desc>
                {axis}
                {marks}
            </svg>
        </figure>
    }
    .into_any()
}

/// Every rating set as a table: the chart's figures, and each set's comment.
#[component]
fn RatingTable(r: RatingsDto) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <details class="chart-table" open=true>
            <summary>{t!(i18n, casework.effect.table.summary)}</summary>
            <table class="list stats" data-testid="rating-table">
                <caption class="visually-hidden">{t!(i18n, casework.effect.table.caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, casework.effect.table.date)}</th>
                        <th scope="col">{t!(i18n, casework.effect.table.occasion)}</th>
                        <th scope="col">{t!(i18n, casework.effect.table.rater)}</th>
                        {LifeDomain::ALL.iter().map(|d| view! { <th scope="col">{d.label_in(l)}</th> }).collect_view()}
                        <th scope="col">{t!(i18n, casework.effect.table.comment)}</th>
                    </tr>
                </thead>
                <tbody>
                    {r.sets.iter().map(|s| view! {
                        <tr>
                            <th scope="row">{s.date.to_string()}</th>
                            <td>{s.occasion.label_in(l)}</td>
                            <td>{s.rater.label_in(l)}</td>
                            {LifeDomain::ALL.iter().map(|d| view! {
                                <td class="num">{s.score(*d).map(|n| n.to_string()).unwrap_or_else(|| "–".into())}</td>
                            }).collect_view()}
                            <td class="prose">{shown(&s.comment)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}

/// A new rating set: whose, when, and a 1–5 step (or none) per domain, each step with what it
/// means. A plain post without JavaScript.
#[component]
fn RatingFormView(case_id: String, r: RatingsDto, forms: EffectForms) -> impl IntoView {
    let err = move |f: &str| {
        let f = f.to_string();
        Signal::derive(move || error_for(forms.rating.value().get().and_then(Result::err), &f))
    };
    let reviews = r.reviews.clone();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <section class="card" aria-labelledby="rate-h">
            <h3 id="rate-h">{t!(i18n, casework.effect.form.heading)}</h3>
            <p class="hint">{t!(i18n, casework.effect.form.hint)}</p>
            {failure(forms.rating)}
            <ActionForm action=forms.rating attr:class="form" attr:data-testid="add-rating" attr:aria-busy=busy(forms.rating)>
                <input type="hidden" name="case_id" value=case_id/>
                <fieldset>
                    <legend>{t!(i18n, casework.effect.form.whose)}</legend>
                    {Rater::ALL.iter().map(|x| {
                        let id = format!("rater-{}", x.as_str());
                        let for_id = id.clone();
                        view! {
                            <label for=for_id class="inline">
                                <input type="radio" id=id name="form[rater]" value=x.as_str() required checked=*x == Rater::CaseWorker/>
                                {x.label_in(l)}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <label for="rate-date">{t!(i18n, casework.effect.form.date)}</label>
                <input id="rate-date" name="form[date]" type="date" required aria-describedby="rate-date-err"/>
                <FieldError id="rate-date-err" message=err("date")/>
                <label for="rate-occasion">{t!(i18n, casework.effect.form.occasion)}</label>
                <select id="rate-occasion" name="form[occasion]">
                    {Occasion::ALL.iter().map(|o| view! { <option value=o.as_str()>{o.label_in(l)}</option> }).collect_view()}
                </select>
                <label for="rate-review">{t!(i18n, casework.effect.form.review)}</label>
                <select id="rate-review" name="form[review_id]" aria-describedby="rate-review-err">
                    <option value="">{t!(i18n, casework.effect.form.no_review)}</option>
                    {reviews.into_iter().map(|v| view! { <option value=v.id.clone()>{td_string!(l, casework.effect.form.review_option, date = v.date.to_string()).to_string()}</option> }).collect_view()}
                </select>
                <FieldError id="rate-review-err" message=err("review_id")/>
                <FieldError id="rate-scores-err" message=err("scores")/>
                {LifeDomain::ALL.iter().map(|d| {
                    let name = format!("form[{}]", d.as_str());
                    let field = domain::rating::score_field(*d);
                    let err_id = format!("{field}-err");
                    let described = err_id.clone();
                    view! {
                        <fieldset class="rating-domain" aria-describedby=described>
                            <legend>{d.label_in(l)}</legend>
                            <label class="inline"><input type="radio" name=name.clone() value="" checked=true/>{t!(i18n, casework.effect.form.not_rated)}</label>
                            {steps_in(*d, l).iter().enumerate().map(|(i, text)| view! {
                                <label class="inline step">
                                    <input type="radio" name=name.clone() value=(i + 1).to_string()/>
                                    <strong>{(i + 1).to_string()}</strong>" "{*text}
                                </label>
                            }).collect_view()}
                            <FieldError id=err_id message=err(&field)/>
                        </fieldset>
                    }
                }).collect_view()}
                <label for="rate-comment">{t!(i18n, casework.effect.form.comment)}</label>
                <textarea id="rate-comment" name="form[comment]" rows="3" maxlength="20000"></textarea>
                <Submit action=forms.rating class="primary">{t!(i18n, casework.effect.form.submit)}</Submit>
            </ActionForm>
            {move || forms.rating.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">{t!(i18n, casework.effect.form.saved)}</p> })}
        </section>
    }
}

/// What each step of the scale means in a domain, from 1 to 5 (`domain::rating::steps`), in
/// the page's language.
fn steps_in(d: LifeDomain, l: Locale) -> [&'static str; 5] {
    macro_rules! steps {
        ($key:ident) => {
            [
                td_string!(l, casework.effect.steps.$key.s1),
                td_string!(l, casework.effect.steps.$key.s2),
                td_string!(l, casework.effect.steps.$key.s3),
                td_string!(l, casework.effect.steps.$key.s4),
                td_string!(l, casework.effect.steps.$key.s5),
            ]
        };
    }
    match d {
        LifeDomain::Safety => steps!(safety),
        LifeDomain::Housing => steps!(housing),
        LifeDomain::Occupation => steps!(occupation),
        LifeDomain::Education => steps!(education),
        LifeDomain::Health => steps!(health),
        LifeDomain::SubstanceUse => steps!(substance_use),
        LifeDomain::Family => steps!(family),
        LifeDomain::Finances => steps!(finances),
        LifeDomain::LeavingNetwork => steps!(leaving_network),
        LifeDomain::Leisure => steps!(leisure),
    }
}

/// The funded projects the participant takes part in, and enrolment for the owning team.
#[component]
fn Projects(case_id: String, e: EnrolmentsDto, forms: EffectForms) -> impl IntoView {
    let err = move |f: &'static str| {
        Signal::derive(move || error_for(forms.enrol.value().get().and_then(Result::err), f))
    };
    let exit_err =
        Signal::derive(move || error_for(forms.exit.value().get().and_then(Result::err), "exit"));
    let can_edit = e.can_edit;
    let projects = e.projects.clone();
    let cid = case_id.clone();
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="proj-h" data-testid="enrolments">
            <h3 id="proj-h">{t!(i18n, casework.effect.projects.heading)}</h3>
            {if e.enrolments.is_empty() {
                view! { <p class="empty">{t!(i18n, casework.effect.projects.none)}</p> }.into_any()
            } else {
                view! {
                    <table class="list">
                        <caption class="visually-hidden">{t!(i18n, casework.effect.projects.caption)}</caption>
                        <thead><tr><th scope="col">{t!(i18n, casework.effect.projects.project)}</th><th scope="col">{t!(i18n, casework.effect.projects.entry)}</th><th scope="col">{t!(i18n, casework.effect.projects.exit)}</th></tr></thead>
                        <tbody>
                            {e.enrolments.into_iter().map(|x| {
                                let open = x.exit.is_none() && can_edit;
                                let cid = cid.clone();
                                view! {
                                    <tr>
                                        <th scope="row">{x.project.clone()}</th>
                                        <td>{x.entry.to_string()}</td>
                                        <td>
                                            {date_or_dash(x.exit)}
                                            {open.then(|| view! {
                                                <ActionForm action=forms.exit attr:class="form inline" attr:aria-busy=busy(forms.exit)>
                                                    <input type="hidden" name="case_id" value=cid/>
                                                    <input type="hidden" name="enrolment_id" value=x.id.clone()/>
                                                    <label for=format!("exit-{}", x.id)>{t!(i18n, casework.effect.projects.exit)}</label>
                                                    <input id=format!("exit-{}", x.id) name="exit" type="date" required/>
                                                    <Submit action=forms.exit>{t!(i18n, casework.effect.projects.exit_submit)}</Submit>
                                                </ActionForm>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <FieldError id="exit-err" message=exit_err/>
            {failure(forms.exit)}
            {(can_edit && !projects.is_empty()).then(|| view! {
                <h4>{t!(i18n, casework.effect.projects.enrol_heading)}</h4>
                {failure(forms.enrol)}
                <ActionForm action=forms.enrol attr:class="form" attr:data-testid="enrol" attr:aria-busy=busy(forms.enrol)>
                    <input type="hidden" name="case_id" value=case_id.clone()/>
                    <label for="en-project">{t!(i18n, casework.effect.projects.project)}</label>
                    <select id="en-project" name="project" required aria-describedby="en-project-err">
                        {projects.iter().map(|p| view! { <option value=p.id.clone()>{format!("{} ({} – {})", p.title(), p.from, p.to)}</option> }).collect_view()}
                    </select>
                    <FieldError id="en-project-err" message=err("project")/>
                    <label for="en-entry">{t!(i18n, casework.effect.projects.entry)}</label>
                    <input id="en-entry" name="entry" type="date" required aria-describedby="en-entry-err"/>
                    <FieldError id="en-entry-err" message=err("entry")/>
                    <label for="en-exit">{t!(i18n, casework.effect.projects.exit_optional)}</label>
                    <input id="en-exit" name="exit" type="date" aria-describedby="en-exit-err"/>
                    <FieldError id="en-exit-err" message=err("exit")/>
                    <Submit action=forms.enrol class="primary">{t!(i18n, casework.effect.projects.enrol_submit)}</Submit>
                </ActionForm>
                {move || forms.enrol.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">{t!(i18n, casework.effect.projects.enrolled)}</p> })}
            })}
        </section>
    }
}
