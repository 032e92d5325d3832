//! The second sign-in step: `/logga-in/kod` asks for the code from the authenticator app,
//! `/logga-in/aktivera` sets the app up (QR code, the secret for typing in, recovery codes) for a
//! user who has none yet. Both post a plain form to `/api/login/kod`, so they work without
//! JavaScript; the session they run under has passed the password and opens nothing else.

use crate::components::title::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::session::{mfa_enrolment, Enrolment};
use crate::components::ui::ErrorBox;
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};
use domain::AppError;

fn error_message(fel: Option<String>, l: Locale) -> Option<&'static str> {
    match fel.as_deref() {
        Some("1") => Some(td_string!(l, auth.code.wrong)),
        Some(_) => Some(td_string!(l, auth.code.failed)),
        None => None,
    }
}

/// The form both pages end with: one code, posted to the server.
#[component]
fn CodeForm(button: &'static str, hint: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next").and_then(|n| domain::next::safe_next(&n)));
    view! {
        <form method="post" action="/api/login/kod" class="card form" data-testid="code-form">
            <label for="code">{t!(i18n, auth.code.label)}</label>
            <p class="hint" id="code-hint">{hint}</p>
            <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                required maxlength="40" autofocus aria-describedby="code-hint"/>
            {move || next().map(|n| view! { <input type="hidden" name="next" value=n/> })}
            <button type="submit" class="primary">{button}</button>
        </form>
        <form method="post" action="/api/logout" class="inline">
            <button type="submit" class="link">{t!(i18n, auth.code.cancel)}</button>
        </form>
    }
}

#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let query = use_query_map();
    let message = move || query.with(|q| error_message(q.get("fel"), l));
    view! {
        <PageTitle text=move || t_string!(i18n, auth.code.title)/>
        <main id="main" class="page narrow login">
            <h1>{t!(i18n, auth.code.title)}</h1>
            <p class="lead">{t!(i18n, auth.code.lead)}</p>
            {move || message().map(|m| view! { <p class="error" role="alert" data-testid="login-error">{m}</p> })}
            <CodeForm button=td_string!(l, auth.code.submit) hint=td_string!(l, auth.code.hint)/>
        </main>
    }
}

#[component]
pub fn EnrolPage() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let query = use_query_map();
    let message = move || query.with(|q| error_message(q.get("fel"), l));
    let enrolment = Resource::new(|| (), |_| mfa_enrolment());
    view! {
        <PageTitle text=move || t_string!(i18n, auth.enrol.title)/>
        <main id="main" class="page narrow login">
            <h1>{t!(i18n, auth.enrol.title)}</h1>
            {move || message().map(|m| view! { <p class="error" role="alert" data-testid="login-error">{m}</p> })}
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, auth.enrol.preparing)}</p> }>
                {move || Suspend::new(async move {
                    match enrolment.await {
                        Ok(e) => view! { <EnrolSteps e/> }.into_any(),
                        Err(AppError::Unauthenticated) => view! {
                            <p>{t!(i18n, auth.enrol.expired, <a> = <a href="/logga-in"/>)}</p>
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
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <p class="lead">{t!(i18n, auth.enrol.lead, username)}</p>
        <ol class="steps">
            <li>
                <p>{t!(i18n, auth.enrol.scan)}</p>
                <div class="qr" data-testid="totp-qr" inner_html=qr_svg></div>
                <p>{t!(i18n, auth.enrol.manual)}</p>
                <p><code class="secret" data-testid="totp-secret" data-secret=secret.clone()>{grouped}</code></p>
            </li>
            <li>
                <p>{t!(i18n, auth.enrol.recovery)}</p>
                <ul class="recovery-codes" data-testid="recovery-codes">
                    {recovery_codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                </ul>
            </li>
            <li>
                <p>{t!(i18n, auth.enrol.finish)}</p>
            </li>
        </ol>
        <CodeForm button=td_string!(l, auth.enrol.submit) hint=td_string!(l, auth.enrol.hint)/>
    }
}

/// `/logga-in/aterstallt`: shown once after signing in when an administrator has set the user's
/// password or removed their second factor since the last sign-in.
#[component]
pub fn ResetNoticePage() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
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
        <PageTitle text=move || t_string!(i18n, auth.reset.title)/>
        <main id="main" class="page narrow login">
            <h1>{t!(i18n, auth.reset.title)}</h1>
            <p class="warning" role="alert" data-testid="reset-notice">
                {move || match when() {
                    Some(when) => td_string!(l, auth.reset.notice_at, when).to_string(),
                    None => td_string!(l, auth.reset.notice).to_string(),
                }}
            </p>
            <p><a class="button primary" href=next>{t!(i18n, auth.reset.proceed)}</a></p>
        </main>
    }
}
