//! `/admin/gallring`: crypto-shredding of a participant's data. One administrator asks, with
//! the decision as reason; another administrator confirms, and the participant's key is
//! deleted, which makes every copy of their sealed data unreadable. It cannot be undone.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::admin::{list_shred_requests, ConfirmShred, RequestShred};
use crate::components::ui::{ActionStatus, ErrorBox};
use crate::domain::{Me, Role, ShredRequestDto};
use crate::pages::common::{error_for, successes, sv_datetime, FieldError};

#[component]
pub fn ShredPage() -> impl IntoView {
    let me = expect_context::<Me>();
    if me.role != Role::Admin {
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
            <ActionForm action=request attr:class="form grid" attr:data-testid="shred-request">
                <label for="s-participant">"Deltagar-id"</label>
                <input id="s-participant" name="participant_id" required maxlength="64" autocomplete="off" spellcheck="false"
                    aria-describedby=described("participant")/>
                <FieldError id="err-participant" message=err("participant")/>
                <label for="s-reason">"Skäl (beslut och diarienummer)"</label>
                <textarea id="s-reason" name="reason" required minlength="10" maxlength="1000" rows="3"
                    aria-describedby=described("reason")></textarea>
                <FieldError id="err-reason" message=err("reason")/>
                <button type="submit" class="primary">"Begär gallring"</button>
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
    }
    .into_any()
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
                                    <ActionForm action=confirm attr:class="inline"
                                        attr:onsubmit="return confirm('Bekräfta gallringen? Deltagarens uppgifter blir oläsbara för alltid.')">
                                        <input type="hidden" name="request_id" value=request_id/>
                                        <button type="submit" class="danger">"Bekräfta"</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
