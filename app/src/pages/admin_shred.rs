//! `/admin/gallring`: crypto-shredding of a participant's data. One administrator asks, with
//! the decision as reason; another administrator confirms, and the participant's key is
//! deleted, which makes every copy of their sealed data unreadable. It cannot be undone.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::admin::{
    list_shred_requests, retention_status, ConfirmShred, RequestShred, RetentionPreview,
};
use crate::components::common::{error_for, successes, sv_date, sv_datetime, FieldError};
use crate::components::forms::{busy, ConfirmButton, Submit};
use crate::components::ui::{ActionStatus, ErrorBox};
use domain::{Me, RetentionStatus, ShredRequestDto};

#[component]
pub fn ShredPage() -> impl IntoView {
    let me = expect_context::<Me>();
    if !me.role.can(domain::Capability::Administer) {
        return view! {
            <Title text="Gallring"/>
            <h1>"Gallring"</h1>
            <p class="error" role="alert">"Sidan är bara för systemadministratörer."</p>
        }
        .into_any();
    }
    let request = ServerAction::<RequestShred>::new();
    let confirm = ServerAction::<ConfirmShred>::new();
    let (requested, confirmed) = (successes(request), successes(confirm));
    let list = Resource::new(
        move || (requested.get(), confirmed.get()),
        |_| list_shred_requests(),
    );
    let error = Signal::derive(move || request.value().get().and_then(Result::err));
    let err = move |field: &'static str| Signal::derive(move || error_for(error.get(), field));
    let described = move |field: &'static str| {
        move || error_for(error.get(), field).map(|_| format!("err-{field}"))
    };
    let me_id = me.user_id.clone();
    view! {
        <Title text="Gallring"/>
        <h1>"Gallring"</h1>
        <p class="lead">
            "Gallring raderar deltagarens nyckel så att alla krypterade uppgifter – även i säkerhetskopior och uttag – blir oläsbara. Det går inte att ångra. En administratör begär, en annan bekräftar."
        </p>
        <section class="card" aria-labelledby="req-h">
            <h2 id="req-h">"Begär gallring"</h2>
            {move || error.get().map(|e| view! { <ErrorBox error=e/> })}
            <ActionForm action=request attr:class="form grid" attr:data-testid="shred-request" attr:aria-busy=busy(request)>
                <label for="s-participant">"Deltagar-id"</label>
                <input id="s-participant" name="participant_id" required maxlength="64" autocomplete="off" spellcheck="false"
                    aria-describedby=described("participant")/>
                <FieldError id="err-participant" message=err("participant")/>
                <label for="s-reason">"Skäl (beslut och diarienummer)"</label>
                <textarea id="s-reason" name="reason" required minlength="10" maxlength="1000" rows="3"
                    aria-describedby=described("reason")></textarea>
                <FieldError id="err-reason" message=err("reason")/>
                <Submit action=request class="primary">"Begär gallring"</Submit>
            </ActionForm>
            <ActionStatus value=move || request.value().get().filter(Result::is_ok) ok="Gallringen är begärd. En annan administratör måste bekräfta den."/>
        </section>
        <section aria-labelledby="list-h">
            <h2 id="list-h">"Begäranden"</h2>
            <ActionStatus value=move || confirm.value().get() ok="Gallringen är genomförd."/>
            <Transition fallback=|| view! { <p class="loading">"Laddar…"</p> }>
                {move || {
                    let me_id = me_id.clone();
                    Suspend::new(async move {
                        match list.await {
                            Ok(rows) if rows.is_empty() => view! { <p class="empty">"Inga begäranden om gallring."</p> }.into_any(),
                            Ok(rows) => view! { <RequestTable rows confirm me_id/> }.into_any(),
                            Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
        <AutomaticRetention/>
    }
    .into_any()
}

/// The daily retention run: its settings, a look at what is due now, and the latest runs.
#[component]
fn AutomaticRetention() -> impl IntoView {
    let status = Resource::new(|| (), |_| retention_status());
    let preview = ServerAction::<RetentionPreview>::new();
    view! {
        <section class="card" aria-labelledby="auto-h" data-testid="retention">
            <h2 id="auto-h">"Automatisk gallring"</h2>
            <Transition fallback=|| view! { <p class="loading">"Laddar…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) => view! { <RetentionRuns s/> }.into_any(),
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })}
            </Transition>
            <ActionForm action=preview attr:class="inline" attr:aria-busy=busy(preview)>
                <Submit action=preview>"Visa vad som står på tur"</Submit>
            </ActionForm>
            {move || match preview.value().get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
                Some(Ok(p)) => view! {
                    <p role="status" data-testid="retention-preview">
                        {format!(
                            "Står på tur nu: {} deltagare ({} ärenden) utan anteckning sedan före {}, och {} loggposter äldre än {}. Inget har ändrats.",
                            p.participants, p.cases, sv_date(p.case_cutoff), p.audit_entries, sv_date(p.audit_cutoff)
                        )}
                    </p>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn RetentionRuns(s: RetentionStatus) -> impl IntoView {
    view! {
        <p>
            {format!(
                "Körs varje dygn. Avslutade ärenden utan anteckning på {} år krypteringsraderas och tas bort; statistiken behålls avidentifierad. Loggposter äldre än {} år tas bort som ett registrerat, verifierbart snitt.",
                s.case_years, s.audit_years
            )}
        </p>
        {if s.runs.is_empty() {
            view! { <p class="empty">"Ingen gallring har körts ännu."</p> }.into_any()
        } else {
            view! {
                <table class="list">
                    <caption>"Senaste körningarna"</caption>
                    <thead><tr>
                        <th scope="col">"Tid"</th><th scope="col">"Deltagare"</th>
                        <th scope="col">"Ärenden"</th><th scope="col">"Loggposter"</th>
                    </tr></thead>
                    <tbody>
                        {s.runs.into_iter().map(|r| view! {
                            <tr><td class="nowrap">{sv_datetime(r.at)}</td><td>{r.participants}</td>
                                <td>{r.cases}</td><td>{r.audit_removed}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

#[component]
fn RequestTable(
    rows: Vec<ShredRequestDto>,
    confirm: ServerAction<ConfirmShred>,
    me_id: String,
) -> impl IntoView {
    view! {
        <table class="list" data-testid="shred-requests">
            <caption class="visually-hidden">"Begäranden om gallring, senaste först"</caption>
            <thead>
                <tr>
                    <th scope="col">"Begärd"</th>
                    <th scope="col">"Deltagar-id"</th>
                    <th scope="col">"Skäl"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"><span class="visually-hidden">"Åtgärd"</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let own = r.requested_by == me_id;
                    let request_id = r.id.clone();
                    let status = match r.done_at {
                        Some(t) => format!("Genomförd {}", sv_datetime(t)),
                        None if own => "Väntar på bekräftelse av en annan administratör".to_string(),
                        None => "Väntar på bekräftelse".to_string(),
                    };
                    view! {
                        <tr data-request-id=r.id.clone()>
                            <td class="nowrap">{sv_datetime(r.requested_at)}</td>
                            <td><code>{r.participant_id.clone()}</code></td>
                            <td class="prose">{r.reason.clone()}</td>
                            <td>{status}</td>
                            <td>
                                {r.done_at.is_none().then(|| view! {
                                    <ConfirmButton action=confirm fields=vec![("request_id", request_id)] label="Bekräfta" class="danger"
                                        confirm="Bekräfta gallringen? Deltagarens uppgifter blir oläsbara för alltid."/>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
