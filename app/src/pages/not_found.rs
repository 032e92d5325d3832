use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text="Sidan finns inte"/>
        <main id="main" class="page narrow">
            <h1>"Sidan finns inte"</h1>
            <p>"Adressen leder inte till någon sida. "<a href="/">"Gå till startsidan"</a>"."</p>
        </main>
    }
}
