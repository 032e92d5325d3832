//! `/lagesbild/:id/utskrift`: a situation picture printed for the collaboration council — the
//! agreed summary, priorities and actions, the comparison with earlier quarters and the
//! organisations that contributed. It holds no personal data.

use crate::components::title::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::situation::load_print;
use crate::components::common::{print_page, sv_date};
use crate::components::labels::Label;
use crate::components::situation::{period_label, status_tag, Comparison, PictureBody};
use crate::components::ui::Loaded;
use crate::i18n::{t, t_string, td_string, use_i18n};
use domain::situation::{PicturePrint, PictureStatus};

#[component]
pub fn SituationPrintPage() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let data = Resource::new(id, load_print);
    view! {
        <PageTitle text=move || t_string!(i18n, situation.print.title)/>
        <Loaded resource=data heading=td_string!(l, situation.print.error_heading) render=|p| view! { <Printed p/> }/>
    }
}

#[component]
fn Printed(p: PicturePrint) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let back = format!("/lagesbild/{}/{}", p.area.id, p.picture.period.code());
    let agreed = p
        .picture
        .agreed_at
        .filter(|_| p.picture.status == PictureStatus::Agreed)
        .map(|t| td_string!(l, situation.print.agreed, date = sv_date(t)).to_string());
    let contributors = if p.contributors.is_empty() {
        td_string!(l, situation.print.no_contributions).to_string()
    } else {
        p.contributors.join(", ")
    };
    view! {
        <article class="situation-print" data-testid="situation-print">
            <div class="page-head">
                <h1>{td_string!(l, situation.area.heading, area = p.area.name.clone(), period = period_label(p.picture.period, l)).to_string()}</h1>
                <p class="screen-only">
                    <button type="button" class="primary" on:click=|_| print_page()>{t!(i18n, situation.print.print)}</button>
                    " "
                    <a class="button" href=back>{t!(i18n, situation.print.back)}</a>
                </p>
            </div>
            <p>
                {format!("{}, {}. ", p.area.kind.label_in(l), p.area.municipality)}
                {status_tag(p.picture.status, l)}
                {agreed.map(|a| view! { " " {a} })}
            </p>
            <p>{td_string!(l, situation.print.contributors, list = contributors).to_string()}</p>
            <PictureBody picture=p.picture.clone()/>
            <Comparison comparison=p.comparison.clone()/>
            <p class="hint">{t!(i18n, situation.print.hint)}</p>
        </article>
    }
}
