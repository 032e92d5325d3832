//! `/lagesbild`: the situation pictures of the areas in the user's municipalities, quarter by
//! quarter; `/lagesbild/:area/:period`: one area and quarter — the observations (everyone's for
//! the coordinator, the own organisation's otherwise), the contribution form, the coordinator's
//! merge form and the comparison with earlier quarters. Every form is a plain post that works
//! without JavaScript.

use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::situation::{load_area, load_overview, Contribute, SavePicture};
use crate::components::common::{error_for, successes, sv_date, FieldError};
use crate::components::forms::{busy, failure, Submit};
use crate::components::labels::Label;
use crate::components::situation::{period_label, status_tag, Comparison, PictureBody};
use crate::components::ui::{DataTable, ErrorBox};
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};
use domain::situation::{
    ConcernLevel, ContributionDto, Days, ObservationCategory, PictureInput, PictureStatus,
    SituationOverview, SituationView, TimeOfDay, MAX_OBSERVATION, MAX_SUMMARY,
};

#[component]
pub fn SituationOverviewPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| load_overview());
    view! {
        <PageTitle text=move || t_string!(i18n, situation.overview.title)/>
        <h1>{t!(i18n, situation.overview.title)}</h1>
        <p class="hint">{t!(i18n, situation.overview.hint)}</p>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(o) => view! { <Overview o/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Overview(o: SituationOverview) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    if o.rows.is_empty() {
        return view! { <p class="empty">{t!(i18n, situation.overview.no_areas)}</p> }.into_any();
    }
    let coordinator = o.may_coordinate;
    view! {
        <table class="list" data-testid="situation-overview">
            <caption class="visually-hidden">{t!(i18n, situation.overview.caption)}</caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, situation.overview.area)}</th>
                    {o.periods.iter().map(|p| view! { <th scope="col">{period_label(*p, l)}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {o.rows.into_iter().map(|r| view! {
                    <tr>
                        <th scope="row">{r.area.name.clone()}<br/><span class="hint">{format!("{}, {}", r.area.kind.label_in(l), r.area.municipality)}</span></th>
                        {r.cells.into_iter().map(|c| {
                            let href = format!("/lagesbild/{}/{}", r.area.id, c.period.code());
                            let count = match (c.contributions, coordinator) {
                                (0, _) => td_string!(l, situation.overview.no_contributions).to_string(),
                                (n, true) => td_string!(l, situation.overview.contributions, count = n).to_string(),
                                (n, false) => td_string!(l, situation.overview.from_you, count = n).to_string(),
                            };
                            view! {
                                <td>
                                    <a href=href>{count}</a>
                                    {c.status.map(|s| view! { " " {status_tag(s, l)} })}
                                </td>
                            }
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn SituationAreaPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        params.with(|p| {
            (
                p.get("area").unwrap_or_default(),
                p.get("period").unwrap_or_default(),
            )
        })
    };
    let i18n = use_i18n();
    let contribute = ServerAction::<Contribute>::new();
    let save = ServerAction::<SavePicture>::new();
    let (added, saved) = (successes(contribute), successes(save));
    let data = Resource::new(
        move || (key(), added.get(), saved.get()),
        |((area, period), ..)| load_area(area, period),
    );
    view! {
        <PageTitle text=move || t_string!(i18n, situation.overview.title)/>
        <p class="screen-only"><a href="/lagesbild">{t!(i18n, situation.area.back)}</a></p>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <Area v contribute save/> }.into_any(),
                    Err(e) => view! { <h1>{t!(i18n, situation.overview.title)}</h1><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Area(
    v: SituationView,
    contribute: ServerAction<Contribute>,
    save: ServerAction<SavePicture>,
) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let title = td_string!(
        l,
        situation.area.heading,
        area = v.area.name.clone(),
        period = period_label(v.period, l)
    )
    .to_string();
    let prev = format!("/lagesbild/{}/{}", v.area.id, v.period.previous().code());
    view! {
        <div class="page-head">
            <h1>{title}</h1>
            <p class="screen-only"><a href=prev>{t!(i18n, situation.area.previous)}</a></p>
        </div>
        {match (&v.picture, v.draft_pending) {
            (Some(p), _) => view! {
                <section class="card" aria-labelledby="pic-h" data-testid="picture">
                    <h2 id="pic-h">{t!(i18n, situation.area.picture)}" "{status_tag(p.status, l)}</h2>
                    <PictureBody picture=p.clone()/>
                    <p class="screen-only"><a class="button" href=format!("/lagesbild/{}/utskrift", p.id)>{t!(i18n, situation.area.print)}</a></p>
                </section>
            }.into_any(),
            (None, true) => view! { <p class="hint" data-testid="draft-pending">{t!(i18n, situation.area.draft_pending)}</p> }.into_any(),
            (None, false) => view! { <p class="empty">{t!(i18n, situation.area.no_picture)}</p> }.into_any(),
        }}
        {v.may_coordinate.then(|| view! { <MergeForm v=v.clone() save/> })}
        {if v.open_for_contributions {
            view! { <ContributeForm v=v.clone() contribute/> }.into_any()
        } else {
            view! { <p class="hint">{t!(i18n, situation.area.closed)}</p> }.into_any()
        }}
        <Contributions list=v.contributions.clone() all=v.may_coordinate/>
        <Comparison comparison=v.comparison.clone()/>
    }
}

fn options<T: Label + PartialEq + 'static>(
    all: &'static [T],
    code: fn(T) -> &'static str,
    l: Locale,
    empty: Option<&'static str>,
) -> impl IntoView {
    view! {
        {empty.map(|e| view! { <option value="">{e}</option> })}
        {all.iter().map(|x| view! { <option value=code(*x)>{x.label_in(l)}</option> }).collect_view()}
    }
}

#[component]
fn ContributeForm(v: SituationView, contribute: ServerAction<Contribute>) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let err = move |f: &'static str| {
        Signal::derive(move || error_for(contribute.value().get().and_then(Result::err), f))
    };
    view! {
        <section class="card" aria-labelledby="contrib-h">
            <h2 id="contrib-h">{t!(i18n, situation.contribute.heading)}</h2>
            <p class="hint">{t!(i18n, situation.contribute.hint)}</p>
            {failure(contribute)}
            <ActionForm action=contribute attr:class="form" attr:data-testid="contribute" attr:aria-busy=busy(contribute)>
                <input type="hidden" name="area" value=v.area.id.clone()/>
                <input type="hidden" name="period" value=v.period.code()/>
                <label for="c-category">{t!(i18n, situation.contribute.category)}</label>
                <select id="c-category" name="category" required>
                    {options(ObservationCategory::ALL, ObservationCategory::as_str, l, Some(td_string!(l, situation.contribute.choose)))}
                </select>
                <label for="c-level">{t!(i18n, situation.contribute.level)}</label>
                <select id="c-level" name="level" required>
                    {options(ConcernLevel::ALL, ConcernLevel::as_str, l, Some(td_string!(l, situation.contribute.choose)))}
                </select>
                <label for="c-place">{t!(i18n, situation.contribute.place)}</label>
                <input id="c-place" name="place" maxlength="200" aria-describedby="c-place-err"/>
                <FieldError id="c-place-err" message=err("place")/>
                <label for="c-tod">{t!(i18n, situation.contribute.time_of_day)}</label>
                <select id="c-tod" name="time_of_day">
                    {options(TimeOfDay::ALL, TimeOfDay::as_str, l, Some(td_string!(l, situation.contribute.any_time)))}
                </select>
                <label for="c-days">{t!(i18n, situation.contribute.days)}</label>
                <select id="c-days" name="days">
                    {options(Days::ALL, Days::as_str, l, Some(td_string!(l, situation.contribute.any_days)))}
                </select>
                <label for="c-text">{t!(i18n, situation.contribute.text)}</label>
                <textarea id="c-text" name="text" rows="4" required maxlength=MAX_OBSERVATION.to_string() aria-describedby="c-text-err"></textarea>
                <FieldError id="c-text-err" message=err("text")/>
                <Submit action=contribute class="primary">{t!(i18n, situation.contribute.submit)}</Submit>
            </ActionForm>
            {move || contribute.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">{t!(i18n, situation.contribute.saved)}</p> })}
        </section>
    }
}

#[component]
fn MergeForm(v: SituationView, save: ServerAction<SavePicture>) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let p = v.picture.clone();
    let summary = p.as_ref().map(|p| p.summary.clone()).unwrap_or_default();
    let priorities = p
        .as_ref()
        .map(|p| p.priorities.join("\n"))
        .unwrap_or_default();
    let actions = p
        .as_ref()
        .map(|p| PictureInput::actions_text(&p.actions))
        .unwrap_or_default();
    let agreed = p
        .as_ref()
        .is_some_and(|p| p.status == PictureStatus::Agreed);
    let err = move |f: &'static str| {
        Signal::derive(move || error_for(save.value().get().and_then(Result::err), f))
    };
    view! {
        <section class="card screen-only" aria-labelledby="merge-h">
            <h2 id="merge-h">{t!(i18n, situation.merge.heading)}</h2>
            <p class="hint">{t!(i18n, situation.merge.hint)}</p>
            {failure(save)}
            <ActionForm action=save attr:class="form" attr:data-testid="merge" attr:aria-busy=busy(save)>
                <input type="hidden" name="area" value=v.area.id.clone()/>
                <input type="hidden" name="period" value=v.period.code()/>
                <label for="m-summary">{t!(i18n, situation.merge.summary)}</label>
                <textarea id="m-summary" name="summary" rows="6" maxlength=MAX_SUMMARY.to_string() aria-describedby="m-summary-err">{summary}</textarea>
                <FieldError id="m-summary-err" message=err("summary")/>
                <label for="m-prio">{t!(i18n, situation.merge.priorities)}</label>
                <textarea id="m-prio" name="priorities" rows="4" aria-describedby="m-prio-err">{priorities}</textarea>
                <FieldError id="m-prio-err" message=err("priorities")/>
                <label for="m-actions">{t!(i18n, situation.merge.actions)}</label>
                <textarea id="m-actions" name="actions" rows="4" placeholder=td_string!(l, situation.merge.actions_placeholder) aria-describedby="m-actions-err">{actions}</textarea>
                <FieldError id="m-actions-err" message=err("actions")/>
                <fieldset>
                    <legend>{t!(i18n, situation.merge.status)}</legend>
                    <label class="check"><input type="radio" name="status" value="draft" checked=!agreed/>{t!(i18n, situation.merge.draft)}</label>
                    <label class="check"><input type="radio" name="status" value="agreed" checked=agreed/>{t!(i18n, situation.merge.agreed)}</label>
                </fieldset>
                <Submit action=save class="primary">{t!(i18n, situation.merge.submit)}</Submit>
            </ActionForm>
            {move || save.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">{t!(i18n, situation.merge.saved)}</p> })}
        </section>
    }
}

#[component]
fn Contributions(list: Vec<ContributionDto>, all: bool) -> impl IntoView {
    let l = use_i18n().get_locale_untracked();
    let heading = if all {
        td_string!(l, situation.contributions.all)
    } else {
        td_string!(l, situation.contributions.own)
    };
    view! {
        <section class="card" aria-labelledby="contribs-h">
            <h2 id="contribs-h">{heading}</h2>
            <DataTable
                rows=list
                caption=heading
                columns=vec![
                    td_string!(l, situation.contributions.category),
                    td_string!(l, situation.contributions.level),
                    td_string!(l, situation.contributions.place_and_time),
                    td_string!(l, situation.contributions.text),
                    td_string!(l, situation.contributions.organisation),
                    td_string!(l, situation.contributions.date),
                ]
                testid="contributions"
                empty=td_string!(l, situation.contributions.empty)
                scroll=true
                row=move |c: ContributionDto| {
                    let when = [
                        c.place.clone(),
                        c.time_of_day.map(|t| t.label_in(l).to_lowercase()),
                        c.days.map(|d| d.label_in(l).to_lowercase()),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", ");
                    let level = c.level;
                    let class = match level {
                        ConcernLevel::High => "tag level-high",
                        _ => "tag",
                    };
                    view! {
                        <tr data-testid="contribution">
                            <td>{c.category.label_in(l)}</td>
                            <td><span class=class>{level.label_in(l)}</span></td>
                            <td>{if when.is_empty() { "–".to_string() } else { when }}</td>
                            <td class="prose">{c.text.clone()}</td>
                            <td>{c.org_name.clone()}</td>
                            <td>{sv_date(c.created_at)}</td>
                        </tr>
                    }
                }
            />
        </section>
    }
}
