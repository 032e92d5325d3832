//! `/lagesbild/:id/utskrift`: a situation picture printed for the collaboration council — the
//! agreed summary, priorities and actions, the comparison with earlier quarters and the
//! organisations that contributed. It holds no personal data.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::situation::load_print;
use crate::components::common::{print_page, sv_date};
use crate::components::situation::{status_tag, Comparison, PictureBody};
use crate::components::ui::Loaded;
use domain::situation::{PicturePrint, PictureStatus};

#[component]
pub fn SituationPrintPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let data = Resource::new(id, load_print);
    view! {
        <Title text="Lägesbild – utskrift"/>
        <Loaded resource=data heading="Lägesbild" render=|p| view! { <Printed p/> }/>
    }
}

#[component]
fn Printed(p: PicturePrint) -> impl IntoView {
    let back = format!("/lagesbild/{}/{}", p.area.id, p.picture.period.code());
    let agreed = p
        .picture
        .agreed_at
        .filter(|_| p.picture.status == PictureStatus::Agreed)
        .map(|t| format!("Fastställd {}", sv_date(t)));
    let contributors = if p.contributors.is_empty() {
        "Inga bidrag.".to_string()
    } else {
        p.contributors.join(", ")
    };
    view! {
        <article class="situation-print" data-testid="situation-print">
            <div class="page-head">
                <h1>{format!("Lägesbild: {}, {}", p.area.name, p.picture.period.label())}</h1>
                <p class="screen-only">
                    <button type="button" class="primary" on:click=|_| print_page()>"Skriv ut"</button>
                    " "
                    <a class="button" href=back>"Tillbaka"</a>
                </p>
            </div>
            <p>
                {format!("{}, {}. ", p.area.kind.label(), p.area.municipality)}
                {status_tag(p.picture.status)}
                {agreed.map(|a| view! { " " {a} })}
            </p>
            <p>{format!("Bidrag från: {contributors}")}</p>
            <PictureBody picture=p.picture.clone()/>
            <Comparison comparison=p.comparison.clone()/>
            <p class="hint">"Lägesbilden beskriver området och innehåller inga uppgifter om enskilda personer. Underlag för samverkansrådet."</p>
        </article>
    }
}
