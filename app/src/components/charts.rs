//! Charts drawn as SVG on the server: no script and no outside service draws them. Each chart
//! is an image with a title and a description for screen readers, and the same figures follow
//! it as a table. A hidden figure ("< 5") is drawn as a short hatched stub, never as its value.

use leptos::prelude::*;

use crate::i18n::{t, td_string, use_i18n};
use domain::stats::{Cell, CountTable};

const LABEL_W: f64 = 190.0;
const BAR_W: f64 = 330.0;
const VALUE_W: f64 = 50.0;
const BAR_H: f64 = 14.0;
const GAP: f64 = 10.0;
const STUB_W: f64 = 10.0;

/// Horizontal bars, one group per row of the table and one bar per column.
#[component]
pub fn BarChart(
    /// Unique on the page: names the title and description for `aria-labelledby`.
    id: &'static str,
    #[prop(into)] title: String,
    table: CountTable,
) -> impl IntoView {
    let series = table.cols.len().max(1);
    let max = table
        .cells
        .iter()
        .flatten()
        .filter_map(|c| c.shown())
        .max()
        .unwrap_or(0)
        .max(1);
    let group_h = series as f64 * BAR_H + GAP;
    let legend_h = if series > 1 { 22.0 } else { 0.0 };
    let height = legend_h + table.rows.len() as f64 * group_h + GAP;
    let width = LABEL_W + BAR_W + VALUE_W;
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let hidden = table
        .cells
        .iter()
        .flatten()
        .filter(|c| **c == Cell::Suppressed)
        .count();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let n_groups = table.rows.len();
    let mut desc = vec![if series > 1 {
        let names = table.cols.join(", ");
        td_string!(
            l,
            outcomes.chart.groups_series,
            count = n_groups,
            series,
            names
        )
        .to_string()
    } else {
        td_string!(l, outcomes.chart.groups, count = n_groups).to_string()
    }];
    if hidden > 0 {
        desc.push(td_string!(l, outcomes.chart.hidden, count = hidden).to_string());
    }
    desc.push(td_string!(l, outcomes.chart.same_figures).to_string());
    let desc = desc.join(" ");
    let legend = (series > 1).then(|| {
        table
            .cols
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let x = LABEL_W + i as f64 * 120.0;
                view! {
                    <g>
                        <rect x=x y=4 width=12 height=12 class=format!("bar s{i}")/>
                        <text x=x + 16.0 y=14 class="legend">{c.clone()}</text>
                    </g>
                }
            })
            .collect_view()
    });
    let groups = table
        .rows
        .iter()
        .enumerate()
        .map(|(r, label)| {
            let y0 = legend_h + r as f64 * group_h + GAP / 2.0;
            let bars = (0..series)
                .map(|s| {
                    let cell = table.cells[r].get(s).copied().unwrap_or(Cell::Suppressed);
                    let y = y0 + s as f64 * BAR_H;
                    let (w, class, fill, text) = match cell {
                        Cell::Count(n) => (
                            BAR_W * f64::from(n) / f64::from(max),
                            format!("bar s{s}"),
                            None,
                            n.to_string(),
                        ),
                        Cell::Suppressed => (
                            STUB_W,
                            "bar hidden".to_string(),
                            Some(format!("url(#{id}-hatch)")),
                            cell.text(),
                        ),
                    };
                    view! {
                        <rect x=LABEL_W y=y + 1.0 width=w height=BAR_H - 2.0 class=class fill=fill/>
                        <text x=LABEL_W + w + 4.0 y=y + BAR_H - 3.0 class="value">{text}</text>
                    }
                })
                .collect_view();
            view! {
                <g>
                    <text x=LABEL_W - 6.0 y=y0 + series as f64 * BAR_H / 2.0 + 4.0 class="label" text-anchor="end">{label.clone()}</text>
                    {bars}
                </g>
            }
        })
        .collect_view();
    let labelled_by = format!("{title_id} {desc_id}");
    view! {
        <figure class="chart">
            <svg
                role="img"
                aria-labelledby=labelled_by
                viewBox=format!("0 0 {width} {height}")
                width=width
                height=height
            >
                <title id=title_id>{title.clone()}</title>
                <desc id=desc_id>{desc}</desc>
                <defs>
                    <pattern id=format!("{id}-hatch") width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                        <rect width="2" height="4" class="hatch"/>
                    </pattern>
                </defs>
                {legend}
                {groups}
            </svg>
            <details class="chart-table">
                <summary>{t!(i18n, outcomes.chart.show_table)}<span class="visually-hidden">{format!(": {title}")}</span></summary>
                <CountTableView table caption=title/>
            </details>
        </figure>
    }
    .into_any()
}

/// A count table with its totals; hidden figures read "< 5".
#[component]
pub fn CountTableView(table: CountTable, #[prop(into)] caption: String) -> impl IntoView {
    let i18n = use_i18n();
    let has_rt = table.row_totals.is_some();
    let head = table
        .cols
        .iter()
        .map(|c| view! { <th scope="col">{c.clone()}</th> })
        .collect_view();
    let rows = table
        .rows
        .iter()
        .enumerate()
        .map(|(r, label)| {
            let cells = table.cells[r]
                .iter()
                .map(|c| view! { <td class="num">{c.text()}</td> })
                .collect_view();
            let rt = table
                .row_totals
                .as_ref()
                .map(|t| view! { <td class="num total">{t[r].text()}</td> });
            view! { <tr><th scope="row">{label.clone()}</th>{cells}{rt}</tr> }
        })
        .collect_view();
    let foot = table.col_totals.as_ref().map(|ct| {
        let cells = ct
            .iter()
            .map(|c| view! { <td class="num total">{c.text()}</td> })
            .collect_view();
        let grand = has_rt.then(|| {
            view! { <td class="num total">{table.total.map(|t| t.text()).unwrap_or_default()}</td> }
        });
        view! { <tfoot><tr><th scope="row">{t!(i18n, outcomes.chart.total)}</th>{cells}{grand}</tr></tfoot> }
    });
    view! {
        <table class="list stats">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, outcomes.chart.group)}</span></th>
                    {head}
                    {has_rt.then(|| view! { <th scope="col">{t!(i18n, outcomes.chart.total)}</th> })}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
            {foot}
        </table>
    }
    .into_any()
}
