//! Sign-in: a plain HTML form posted to `/api/login`, so it works with and without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let message = move || {
        query.with(|q| match q.get("fel").as_deref() {
            Some("1") => Some(
                "Fel användarnamn eller lösenord, eller så är kontot tillfälligt spärrat efter för många försök.",
            ),
            Some("session") => Some("Din session har gått ut. Logga in igen."),
            Some(_) => Some("Inloggningen misslyckades. Försök igen."),
            None => None,
        })
    };
    let signed_out = move || query.with(|q| q.get("utloggad").is_some());
    // The page asked for before signing in; the server checks it again before going there.
    let next = move || query.with(|q| q.get("next").and_then(|n| domain::next::safe_next(&n)));
    view! {
        <Title text="Logga in"/>
        <main id="main" class="page narrow login">
            <h1>"Utväg"</h1>
            <p class="lead">"Stöd för avhopparverksamhet – logga in med ditt konto."</p>
            {move || signed_out().then(|| view! { <p class="ok" role="status">"Du är utloggad."</p> })}
            {move || message().map(|m| view! { <p class="error" role="alert" data-testid="login-error">{m}</p> })}
            <form method="post" action="/api/login" class="card form">
                <label for="username">"Användarnamn"</label>
                <input id="username" name="username" type="text" autocomplete="username" required maxlength="64" autofocus/>
                <label for="password">"Lösenord"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256"/>
                {move || next().map(|n| view! { <input type="hidden" name="next" value=n/> })}
                <button type="submit" class="primary">"Logga in"</button>
            </form>
        </main>
    }
}
