//! Sign-in: a plain HTML form posted to `/api/login`, so it works with and without JavaScript.

use crate::components::title::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::language::LanguageSwitch;
use crate::i18n::{t, t_string, use_i18n};

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let message = move || {
        query.with(|q| match q.get("fel").as_deref() {
            Some("1") => Some(t_string!(i18n, auth.sign_in.wrong)),
            Some("session") => Some(t_string!(i18n, auth.sign_in.expired)),
            Some(_) => Some(t_string!(i18n, auth.sign_in.failed)),
            None => None,
        })
    };
    let signed_out = move || query.with(|q| q.get("utloggad").is_some());
    // The page asked for before signing in; the server checks it again before going there.
    let next = move || query.with(|q| q.get("next").and_then(|n| domain::next::safe_next(&n)));
    view! {
        <PageTitle text=move || t_string!(i18n, auth.sign_in.title)/>
        <main id="main" class="page narrow login">
            <LanguageSwitch/>
            <h1>"Utväg"</h1>
            <p class="lead">{t!(i18n, auth.sign_in.lead)}</p>
            {move || signed_out().then(|| view! { <p class="ok" role="status">{t!(i18n, auth.sign_in.signed_out)}</p> })}
            {move || message().map(|m| view! { <p class="error" role="alert" data-testid="login-error">{m}</p> })}
            <form method="post" action="/api/login" class="card form">
                <label for="username">{t!(i18n, auth.sign_in.username)}</label>
                <input id="username" name="username" type="text" autocomplete="username" required maxlength="64" autofocus/>
                <label for="password">{t!(i18n, auth.sign_in.password)}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256"/>
                {move || next().map(|n| view! { <input type="hidden" name="next" value=n/> })}
                <button type="submit" class="primary">{t!(i18n, auth.sign_in.submit)}</button>
            </form>
        </main>
    }
}
