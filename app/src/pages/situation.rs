//! `/lagesbild`: the situation pictures of the areas in the user's municipalities, quarter by
//! quarter; `/lagesbild/:area/:period`: one area and quarter — the observations (everyone's for
//! the coordinator, the own organisation's otherwise), the contribution form, the coordinator's
//! merge form and the comparison with earlier quarters. Every form is a plain post that works
//! without JavaScript.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::situation::{load_area, load_overview, Contribute, SavePicture};
use crate::components::common::{error_for, successes, sv_date, FieldError};
use crate::components::forms::{busy, failure, Submit};
use crate::components::situation::{status_tag, Comparison, PictureBody};
use crate::components::ui::{DataTable, ErrorBox};
use domain::situation::{
    ConcernLevel, ContributionDto, Days, ObservationCategory, PictureInput, PictureStatus,
    SituationOverview, SituationView, TimeOfDay, MAX_OBSERVATION, MAX_SUMMARY,
};

#[component]
pub fn SituationOverviewPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_overview());
    view! {
        <Title text="Lägesbild"/>
        <h1>"Lägesbild"</h1>
        <p class="hint">"Lägesbilden beskriver platser, tider och mönster i ett område, kvartal för kvartal. Den pekar aldrig ut någon: namn, personnummer och telefonnummer tas inte emot."</p>
        <Transition fallback=|| view! { <p class="loading">"Laddar…"</p> }>
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
    if o.rows.is_empty() {
        return view! { <p class="empty">"Det finns inga områden i din organisations kommuner ännu. En administratör lägger till områden."</p> }.into_any();
    }
    let coordinator = o.may_coordinate;
    view! {
        <table class="list" data-testid="situation-overview">
            <caption class="visually-hidden">"Områden och kvartal"</caption>
            <thead>
                <tr>
                    <th scope="col">"Område"</th>
                    {o.periods.iter().map(|p| view! { <th scope="col">{p.label()}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {o.rows.into_iter().map(|r| view! {
                    <tr>
                        <th scope="row">{r.area.name.clone()}<br/><span class="hint">{format!("{}, {}", r.area.kind.label(), r.area.municipality)}</span></th>
                        {r.cells.into_iter().map(|c| {
                            let href = format!("/lagesbild/{}/{}", r.area.id, c.period.code());
                            let count = match (c.contributions, coordinator) {
                                (0, _) => "Inga bidrag".to_string(),
                                (1, true) => "1 bidrag".to_string(),
                                (n, true) => format!("{n} bidrag"),
                                (n, false) => format!("{n} från er"),
                            };
                            view! {
                                <td>
                                    <a href=href>{count}</a>
                                    {c.status.map(|s| view! { " " {status_tag(s)} })}
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
    let contribute = ServerAction::<Contribute>::new();
    let save = ServerAction::<SavePicture>::new();
    let (added, saved) = (successes(contribute), successes(save));
    let data = Resource::new(
        move || (key(), added.get(), saved.get()),
        |((area, period), ..)| load_area(area, period),
    );
    view! {
        <Title text="Lägesbild"/>
        <p class="screen-only"><a href="/lagesbild">"← Alla områden"</a></p>
        <Transition fallback=|| view! { <p class="loading">"Laddar…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <Area v contribute save/> }.into_any(),
                    Err(e) => view! { <h1>"Lägesbild"</h1><ErrorBox error=e/> }.into_any(),
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
    let title = format!("Lägesbild: {}, {}", v.area.name, v.period.label());
    let prev = format!("/lagesbild/{}/{}", v.area.id, v.period.previous().code());
    view! {
        <div class="page-head">
            <h1>{title}</h1>
            <p class="screen-only"><a href=prev>"← Föregående kvartal"</a></p>
        </div>
        {match (&v.picture, v.draft_pending) {
            (Some(p), _) => view! {
                <section class="card" aria-labelledby="pic-h" data-testid="picture">
                    <h2 id="pic-h">"Lägesbilden "{status_tag(p.status)}</h2>
                    <PictureBody picture=p.clone()/>
                    <p class="screen-only"><a class="button" href=format!("/lagesbild/{}/utskrift", p.id)>"Utskrift för samverkansrådet"</a></p>
                </section>
            }.into_any(),
            (None, true) => view! { <p class="hint" data-testid="draft-pending">"Samordnaren arbetar med lägesbilden för kvartalet. Den visas här när den är fastställd."</p> }.into_any(),
            (None, false) => view! { <p class="empty">"Ingen sammanställd lägesbild för kvartalet ännu."</p> }.into_any(),
        }}
        {v.may_coordinate.then(|| view! { <MergeForm v=v.clone() save/> })}
        {if v.open_for_contributions {
            view! { <ContributeForm v=v.clone() contribute/> }.into_any()
        } else {
            view! { <p class="hint">"Lägesbilden för kvartalet är fastställd och tar inte emot fler bidrag."</p> }.into_any()
        }}
        <Contributions list=v.contributions.clone() all=v.may_coordinate/>
        <Comparison comparison=v.comparison.clone()/>
    }
}

fn options<T: Copy + PartialEq + 'static>(
    all: &'static [T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    empty: Option<&'static str>,
) -> impl IntoView {
    view! {
        {empty.map(|e| view! { <option value="">{e}</option> })}
        {all.iter().map(|x| view! { <option value=code(*x)>{label(*x)}</option> }).collect_view()}
    }
}

#[component]
fn ContributeForm(v: SituationView, contribute: ServerAction<Contribute>) -> impl IntoView {
    let err = move |f: &'static str| {
        Signal::derive(move || error_for(contribute.value().get().and_then(Result::err), f))
    };
    view! {
        <section class="card" aria-labelledby="contrib-h">
            <h2 id="contrib-h">"Lägg till en iakttagelse"</h2>
            <p class="hint">"Iakttagelsen sparas för din organisation. Beskriv platser, tider och mönster. Skriv aldrig namn, personnummer eller telefonnummer: sådant tas inte emot."</p>
            {failure(contribute)}
            <ActionForm action=contribute attr:class="form" attr:data-testid="contribute" attr:aria-busy=busy(contribute)>
                <input type="hidden" name="area" value=v.area.id.clone()/>
                <input type="hidden" name="period" value=v.period.code()/>
                <label for="c-category">"Vad gäller iakttagelsen?"</label>
                <select id="c-category" name="category" required>
                    {options(ObservationCategory::ALL, ObservationCategory::as_str, ObservationCategory::label, Some("Välj…"))}
                </select>
                <label for="c-level">"Grad av oro"</label>
                <select id="c-level" name="level" required>
                    {options(ConcernLevel::ALL, ConcernLevel::as_str, ConcernLevel::label, Some("Välj…"))}
                </select>
                <label for="c-place">"Plats (valfritt)"</label>
                <input id="c-place" name="place" maxlength="200" aria-describedby="c-place-err"/>
                <FieldError id="c-place-err" message=err("place")/>
                <label for="c-tod">"Tid på dygnet (valfritt)"</label>
                <select id="c-tod" name="time_of_day">
                    {options(TimeOfDay::ALL, TimeOfDay::as_str, TimeOfDay::label, Some("Ingen särskild"))}
                </select>
                <label for="c-days">"Dagar (valfritt)"</label>
                <select id="c-days" name="days">
                    {options(Days::ALL, Days::as_str, Days::label, Some("Inga särskilda"))}
                </select>
                <label for="c-text">"Iakttagelse"</label>
                <textarea id="c-text" name="text" rows="4" required maxlength=MAX_OBSERVATION.to_string() aria-describedby="c-text-err"></textarea>
                <FieldError id="c-text-err" message=err("text")/>
                <Submit action=contribute class="primary">"Spara iakttagelsen"</Submit>
            </ActionForm>
            {move || contribute.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">"Iakttagelsen är sparad."</p> })}
        </section>
    }
}

#[component]
fn MergeForm(v: SituationView, save: ServerAction<SavePicture>) -> impl IntoView {
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
            <h2 id="merge-h">"Sammanställ lägesbilden"</h2>
            <p class="hint">"Sammanfatta bidragen till en gemensam bild, prioritera och bestäm åtgärder. Markera lägesbilden som fastställd när samverkansrådet har godkänt den; då tar kvartalet inte emot fler bidrag."</p>
            {failure(save)}
            <ActionForm action=save attr:class="form" attr:data-testid="merge" attr:aria-busy=busy(save)>
                <input type="hidden" name="area" value=v.area.id.clone()/>
                <input type="hidden" name="period" value=v.period.code()/>
                <label for="m-summary">"Gemensam bild"</label>
                <textarea id="m-summary" name="summary" rows="6" maxlength=MAX_SUMMARY.to_string() aria-describedby="m-summary-err">{summary}</textarea>
                <FieldError id="m-summary-err" message=err("summary")/>
                <label for="m-prio">"Prioriteringar, en per rad i prioritetsordning"</label>
                <textarea id="m-prio" name="priorities" rows="4" aria-describedby="m-prio-err">{priorities}</textarea>
                <FieldError id="m-prio-err" message=err("priorities")/>
                <label for="m-actions">"Åtgärder, en per rad: vem; vad; senast ÅÅÅÅ-MM-DD"</label>
                <textarea id="m-actions" name="actions" rows="4" placeholder="Fritid; Öppen verksamhet fredagskvällar; 2026-12-31" aria-describedby="m-actions-err">{actions}</textarea>
                <FieldError id="m-actions-err" message=err("actions")/>
                <fieldset>
                    <legend>"Status"</legend>
                    <label class="check"><input type="radio" name="status" value="draft" checked=!agreed/>"Utkast"</label>
                    <label class="check"><input type="radio" name="status" value="agreed" checked=agreed/>"Fastställd av samverkansrådet"</label>
                </fieldset>
                <Submit action=save class="primary">"Spara lägesbilden"</Submit>
            </ActionForm>
            {move || save.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">"Lägesbilden är sparad."</p> })}
        </section>
    }
}

#[component]
fn Contributions(list: Vec<ContributionDto>, all: bool) -> impl IntoView {
    let heading = if all {
        "Bidrag från alla organisationer"
    } else {
        "Er organisations bidrag"
    };
    view! {
        <section class="card" aria-labelledby="contribs-h">
            <h2 id="contribs-h">{heading}</h2>
            <DataTable
                rows=list
                caption=heading
                columns=vec!["Kategori", "Oro", "Plats och tid", "Iakttagelse", "Organisation", "Datum"]
                testid="contributions"
                empty="Inga bidrag för kvartalet ännu."
                scroll=true
                row=|c: ContributionDto| {
                    let when = [
                        c.place.clone(),
                        c.time_of_day.map(|t| t.label().to_lowercase()),
                        c.days.map(|d| d.label().to_lowercase()),
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
                            <td>{c.category.label()}</td>
                            <td><span class=class>{level.label()}</span></td>
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
