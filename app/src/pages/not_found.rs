use crate::components::title::PageTitle;
use leptos::prelude::*;

use crate::i18n::{t, t_string, use_i18n};

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || t_string!(i18n, common.not_found.title)/>
        <main id="main" class="page narrow">
            <h1>{t!(i18n, common.not_found.title)}</h1>
            <p>{t!(i18n, common.not_found.text, <a> = <a href="/"/>)}</p>
        </main>
    }
}
