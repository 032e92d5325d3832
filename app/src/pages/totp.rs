//! The second sign-in step: `/logga-in/kod` asks for the code from the authenticator app,
//! `/logga-in/aktivera` sets the app up (QR code, the secret for typing in, recovery codes) for a
//! user who has none yet. Both post a plain form to `/api/login/kod`, so they work without
//! JavaScript; the session they run under has passed the password and opens nothing else.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::session::{mfa_enrolment, Enrolment};
use crate::components::ui::ErrorBox;
use domain::AppError;

fn error_message(fel: Option<String>) -> Option<&'static str> {
    match fel.as_deref() {
        Some("1") => Some(
            "Koden stämmer inte eller har redan använts. Vänta på nästa kod i appen och försök igen.",
        ),
        Some(_) => Some("Något gick fel. Försök igen."),
        None => None,
    }
}

/// The form both pages end with: one code, posted to the server.
#[component]
fn CodeForm(button: &'static str, hint: &'static str) -> impl IntoView {
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next").and_then(|n| domain::next::safe_next(&n)));
    view! {
        <form method="post" action="/api/login/kod" class="card form" data-testid="code-form">
            <label for="code">"Engångskod"</label>
            <p class="hint" id="code-hint">{hint}</p>
            <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                required maxlength="40" autofocus aria-describedby="code-hint"/>
            {move || next().map(|n| view! { <input type="hidden" name="next" value=n/> })}
            <button type="submit" class="primary">{button}</button>
        </form>
        <form method="post" action="/api/logout" class="inline">
            <button type="submit" class="link">"Avbryt och logga ut"</button>
        </form>
    }
}

#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let query = use_query_map();
    let message = move || query.with(|q| error_message(q.get("fel")));
    view! {
        <Title text="Tvåstegsverifiering"/>
        <main id="main" class="page narrow login">
            <h1>"Tvåstegsverifiering"</h1>
            <p class="lead">"Skriv koden som visas i autentiseringsappen i din telefon."</p>
            {move || message().map(|m| view! { <p class="error" role="alert" data-testid="login-error">{m}</p> })}
            <CodeForm button="Logga in" hint="Sex siffror. Har du inte telefonen kan du använda en av dina reservkoder."/>
        </main>
    }
}

#[component]
pub fn EnrolPage() -> impl IntoView {
    let query = use_query_map();
    let message = move || query.with(|q| error_message(q.get("fel")));
    let enrolment = Resource::new(|| (), |_| mfa_enrolment());
    view! {
        <Title text="Aktivera tvåstegsverifiering"/>
        <main id="main" class="page narrow login">
            <h1>"Aktivera tvåstegsverifiering"</h1>
            {move || message().map(|m| view! { <p class="error" role="alert" data-testid="login-error">{m}</p> })}
            <Suspense fallback=|| view! { <p class="loading">"Förbereder…"</p> }>
                {move || Suspend::new(async move {
                    match enrolment.await {
                        Ok(e) => view! { <EnrolSteps e/> }.into_any(),
                        Err(AppError::Unauthenticated) => view! {
                            <p>"Inloggningen tog för lång tid eller har avslutats. "
                                <a href="/logga-in">"Logga in igen"</a>"."</p>
                        }.into_any(),
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn EnrolSteps(e: Enrolment) -> impl IntoView {
    let Enrolment {
        username,
        qr_svg,
        secret,
        recovery_codes,
        ..
    } = e;
    // Groups of four make the secret easier to type.
    let grouped = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <p class="lead">"Ditt konto ("{username}") kräver en andra inloggningsfaktor: en kod från en autentiseringsapp i din telefon."</p>
        <ol class="steps">
            <li>
                <p>"Öppna autentiseringsappen och skanna QR-koden."</p>
                <div class="qr" data-testid="totp-qr" inner_html=qr_svg></div>
                <p>"Går det inte att skanna? Välj att ange nyckeln för hand och skriv:"</p>
                <p><code class="secret" data-testid="totp-secret" data-secret=secret.clone()>{grouped}</code></p>
            </li>
            <li>
                <p>"Spara reservkoderna på ett säkert ställe, till exempel utskrivna i ett låst skåp. Varje kod fungerar en gång om du inte har telefonen. De visas bara nu."</p>
                <ul class="recovery-codes" data-testid="recovery-codes">
                    {recovery_codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                </ul>
            </li>
            <li>
                <p>"Skriv koden som appen visar nu för att slutföra."</p>
            </li>
        </ol>
        <CodeForm button="Aktivera och logga in" hint="Sex siffror från appen."/>
    }
}

/// `/logga-in/aterstallt`: shown once after signing in when an administrator has set the user's
/// password or removed their second factor since the last sign-in.
#[component]
pub fn ResetNoticePage() -> impl IntoView {
    let query = use_query_map();
    let when = move || {
        query.with(|q| {
            q.get("vid")
                .and_then(|v| v.parse::<i64>().ok())
                .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                .map(crate::components::common::sv_datetime)
        })
    };
    let next = move || {
        query.with(|q| {
            q.get("next")
                .and_then(|n| domain::next::safe_next(&n))
                .unwrap_or_else(|| "/".to_string())
        })
    };
    view! {
        <Title text="Kontot har återställts"/>
        <main id="main" class="page narrow login">
            <h1>"Kontot har återställts"</h1>
            <p class="warning" role="alert" data-testid="reset-notice">
                "En administratör har bytt ditt lösenord eller tagit bort din andra inloggningsfaktor"
                {move || when().map(|w| format!(" ({w})"))}
                ". Om du inte själv bad om det: kontakta din chef och systemadministratören, och granska vad som gjorts i ditt namn."
            </p>
            <p><a class="button primary" href=next>"Fortsätt"</a></p>
        </main>
    }
}
