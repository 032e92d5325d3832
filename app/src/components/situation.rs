//! View pieces of the situation pages (the area page and the print for the council): the
//! agreed picture and the comparison with earlier quarters.

use leptos::prelude::*;

use crate::components::charts::BarChart;
use crate::components::labels::Label;
use crate::i18n::{t, td_string, use_i18n, Locale};
use domain::situation::{
    ConcernLevel, ObservationCategory, Period, PeriodCounts, PictureDto, PictureStatus,
};
use domain::stats::{Cell, CountTable};

/// A quarter's name, as "Kvartal 3 2026".
pub fn period_label(p: Period, l: Locale) -> String {
    td_string!(l, situation.period, quarter = p.quarter, year = p.year).to_string()
}

/// The status of a picture as a tag.
pub fn status_tag(s: PictureStatus, l: Locale) -> impl IntoView {
    let class = match s {
        PictureStatus::Draft => "tag draft",
        PictureStatus::Agreed => "tag current-tag",
    };
    view! { <span class=class>{s.label_in(l)}</span> }
}

/// The summary, priorities and actions of a picture.
#[component]
pub fn PictureBody(picture: PictureDto) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h3>{t!(i18n, situation.picture.summary)}</h3>
        {if picture.summary.is_empty() {
            view! { <p class="empty">{t!(i18n, situation.picture.no_summary)}</p> }.into_any()
        } else {
            view! { <p class="prose" data-testid="picture-summary">{picture.summary.clone()}</p> }.into_any()
        }}
        <h3>{t!(i18n, situation.picture.priorities)}</h3>
        {if picture.priorities.is_empty() {
            view! { <p class="empty">{t!(i18n, situation.picture.no_priorities)}</p> }.into_any()
        } else {
            view! {
                <ol class="priorities">
                    {picture.priorities.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}
                </ol>
            }
            .into_any()
        }}
        <h3>{t!(i18n, situation.picture.actions)}</h3>
        {if picture.actions.is_empty() {
            view! { <p class="empty">{t!(i18n, situation.picture.no_actions)}</p> }.into_any()
        } else {
            view! {
                <table class="list">
                    <caption class="visually-hidden">{t!(i18n, situation.picture.actions_caption)}</caption>
                    <thead><tr><th scope="col">{t!(i18n, situation.picture.who)}</th><th scope="col">{t!(i18n, situation.picture.what)}</th><th scope="col">{t!(i18n, situation.picture.by)}</th></tr></thead>
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
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let mut oldest_first = comparison.clone();
    oldest_first.reverse();
    let totals = CountTable {
        rows: ObservationCategory::ALL
            .iter()
            .map(|c| c.label_in(l).to_string())
            .collect(),
        cols: oldest_first
            .iter()
            .map(|p| period_label(p.period, l))
            .collect(),
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
            <h2 id="cmp-h">{t!(i18n, situation.comparison.heading)}</h2>
            <p class="hint">{t!(i18n, situation.comparison.hint)}</p>
            <BarChart id="cmp-chart" title=td_string!(l, situation.comparison.chart_title) table=totals/>
            <table class="list stats">
                <caption>{t!(i18n, situation.comparison.caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, situation.comparison.category)}</th>
                        <th scope="col">{t!(i18n, situation.comparison.level)}</th>
                        {oldest_first.iter().map(|p| view! { <th scope="col">{period_label(p.period, l)}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {ObservationCategory::ALL.iter().flat_map(|c| ConcernLevel::ALL.iter().map(move |level| (*c, *level))).map(|(c, level)| {
                        let cells = oldest_first.iter().map(|p| view! { <td class="num">{p.get(c, level)}</td> }).collect_view();
                        view! { <tr><th scope="row">{c.label_in(l)}</th><td>{level.label_in(l)}</td>{cells}</tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
