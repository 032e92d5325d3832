//! View pieces of the situation pages (the area page and the print for the council): the
//! agreed picture and the comparison with earlier quarters.

use leptos::prelude::*;

use crate::components::charts::BarChart;
use domain::situation::{
    ConcernLevel, ObservationCategory, PeriodCounts, PictureDto, PictureStatus,
};
use domain::stats::{Cell, CountTable};

/// The status of a picture as a tag.
pub fn status_tag(s: PictureStatus) -> impl IntoView {
    let class = match s {
        PictureStatus::Draft => "tag draft",
        PictureStatus::Agreed => "tag current-tag",
    };
    view! { <span class=class>{s.label()}</span> }
}

/// The summary, priorities and actions of a picture.
#[component]
pub fn PictureBody(picture: PictureDto) -> impl IntoView {
    view! {
        <h3>"Gemensam bild"</h3>
        {if picture.summary.is_empty() {
            view! { <p class="empty">"Ingen sammanfattning skriven ännu."</p> }.into_any()
        } else {
            view! { <p class="prose" data-testid="picture-summary">{picture.summary.clone()}</p> }.into_any()
        }}
        <h3>"Prioriteringar"</h3>
        {if picture.priorities.is_empty() {
            view! { <p class="empty">"Inga prioriteringar ännu."</p> }.into_any()
        } else {
            view! {
                <ol class="priorities">
                    {picture.priorities.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}
                </ol>
            }
            .into_any()
        }}
        <h3>"Åtgärder"</h3>
        {if picture.actions.is_empty() {
            view! { <p class="empty">"Inga åtgärder ännu."</p> }.into_any()
        } else {
            view! {
                <table class="list">
                    <caption class="visually-hidden">"Överenskomna åtgärder"</caption>
                    <thead><tr><th scope="col">"Vem"</th><th scope="col">"Vad"</th><th scope="col">"Senast"</th></tr></thead>
                    <tbody>
                        {picture.actions.iter().map(|a| view! {
                            <tr><td>{a.who.clone()}</td><td>{a.what.clone()}</td><td>{a.by.format("%Y-%m-%d").to_string()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }
            .into_any()
        }}
    }
}

/// Observations per category (a chart, oldest quarter first) and per category and concern
/// level (a table). Counts of observations, not of people: nothing is suppressed.
#[component]
pub fn Comparison(comparison: Vec<PeriodCounts>) -> impl IntoView {
    let mut oldest_first = comparison.clone();
    oldest_first.reverse();
    let totals = CountTable {
        rows: ObservationCategory::ALL
            .iter()
            .map(|c| c.label().to_string())
            .collect(),
        cols: oldest_first.iter().map(|p| p.period.label()).collect(),
        cells: ObservationCategory::ALL
            .iter()
            .map(|c| {
                oldest_first
                    .iter()
                    .map(|p| Cell::Count(p.total(*c)))
                    .collect()
            })
            .collect(),
        row_totals: None,
        col_totals: None,
        total: None,
    };
    view! {
        <section class="card comparison" aria-labelledby="cmp-h" data-testid="comparison">
            <h2 id="cmp-h">"Jämförelse med tidigare perioder"</h2>
            <p class="hint">"Antal iakttagelser per kategori och grad av oro, från alla organisationer som bidragit."</p>
            <BarChart id="cmp-chart" title="Iakttagelser per kategori och kvartal" table=totals/>
            <table class="list stats">
                <caption>"Iakttagelser per kategori och grad av oro"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Kategori"</th>
                        <th scope="col">"Oro"</th>
                        {oldest_first.iter().map(|p| view! { <th scope="col">{p.period.label()}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {ObservationCategory::ALL.iter().flat_map(|c| ConcernLevel::ALL.iter().map(move |l| (*c, *l))).map(|(c, l)| {
                        let cells = oldest_first.iter().map(|p| view! { <td class="num">{p.get(c, l)}</td> }).collect_view();
                        view! { <tr><th scope="row">{c.label()}</th><td>{l.label()}</td>{cells}</tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
