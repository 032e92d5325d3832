//! `/admin/gallring`: crypto-shredding of a participant's data. One administrator asks, with
//! the decision as reason; another administrator confirms, and the participant's key is
//! deleted, which makes every copy of their sealed data unreadable. It cannot be undone.

use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::admin::{
    list_shred_requests, retention_status, ConfirmShred, RequestShred, RetentionPreview,
};
use crate::components::common::{error_for, successes, sv_date, sv_datetime, FieldError};
use crate::components::forms::{busy, ConfirmButton, Submit};
use crate::components::ui::{ActionStatus, ErrorBox};
use crate::i18n::{t, t_string, td_string, use_i18n};
use domain::{Me, RetentionStatus, ShredRequestDto};

#[component]
pub fn ShredPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    if !me.role.can(domain::Capability::Administer) {
        return view! {
            <PageTitle text=move || t_string!(i18n, admin.shred.title)/>
            <h1>{t!(i18n, admin.shred.title)}</h1>
            <p class="error" role="alert">{t!(i18n, admin.shred.admins_only)}</p>
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
        <PageTitle text=move || t_string!(i18n, admin.shred.title)/>
        <h1>{t!(i18n, admin.shred.title)}</h1>
        <p class="lead">
            {t!(i18n, admin.shred.lead)}
        </p>
        <section class="card" aria-labelledby="req-h">
            <h2 id="req-h">{t!(i18n, admin.shred.request_heading)}</h2>
            {move || error.get().map(|e| view! { <ErrorBox error=e/> })}
            <ActionForm action=request attr:class="form grid" attr:data-testid="shred-request" attr:aria-busy=busy(request)>
                <label for="s-participant">{t!(i18n, admin.shred.participant_id)}</label>
                <input id="s-participant" name="participant_id" required maxlength="64" autocomplete="off" spellcheck="false"
                    aria-describedby=described("participant")/>
                <FieldError id="err-participant" message=err("participant")/>
                <label for="s-reason">{t!(i18n, admin.shred.reason_input)}</label>
                <textarea id="s-reason" name="reason" required minlength="10" maxlength="1000" rows="3"
                    aria-describedby=described("reason")></textarea>
                <FieldError id="err-reason" message=err("reason")/>
                <Submit action=request class="primary">{t!(i18n, admin.shred.request_submit)}</Submit>
            </ActionForm>
            <ActionStatus value=move || request.value().get().filter(Result::is_ok) ok=td_string!(l, admin.shred.requested)/>
        </section>
        <section aria-labelledby="list-h">
            <h2 id="list-h">{t!(i18n, admin.shred.requests_heading)}</h2>
            <ActionStatus value=move || confirm.value().get() ok=td_string!(l, admin.shred.done)/>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || {
                    let me_id = me_id.clone();
                    Suspend::new(async move {
                        match list.await {
                            Ok(rows) if rows.is_empty() => view! { <p class="empty">{t!(i18n, admin.shred.empty)}</p> }.into_any(),
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
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let status = Resource::new(|| (), |_| retention_status());
    let preview = ServerAction::<RetentionPreview>::new();
    view! {
        <section class="card" aria-labelledby="auto-h" data-testid="retention">
            <h2 id="auto-h">{t!(i18n, admin.shred.auto.heading)}</h2>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) => view! { <RetentionRuns s/> }.into_any(),
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })}
            </Transition>
            <ActionForm action=preview attr:class="inline" attr:aria-busy=busy(preview)>
                <Submit action=preview>{t!(i18n, admin.shred.auto.preview_button)}</Submit>
            </ActionForm>
            {move || match preview.value().get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
                Some(Ok(p)) => view! {
                    <p role="status" data-testid="retention-preview">
                        {td_string!(l, admin.shred.auto.preview,
                            participants = td_string!(l, admin.shred.auto.participants, count = p.participants).to_string(),
                            cases = td_string!(l, admin.shred.auto.cases, count = p.cases).to_string(),
                            case_cutoff = sv_date(p.case_cutoff),
                            entries = td_string!(l, admin.shred.auto.entries, count = p.audit_entries).to_string(),
                            audit_cutoff = sv_date(p.audit_cutoff)
                        ).to_string()}
                    </p>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn RetentionRuns(s: RetentionStatus) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <p>
            {td_string!(l, admin.shred.auto.schedule,
                case_years = td_string!(l, admin.shred.auto.years, count = s.case_years).to_string(),
                audit_years = td_string!(l, admin.shred.auto.years, count = s.audit_years).to_string()
            ).to_string()}
        </p>
        {if s.runs.is_empty() {
            view! { <p class="empty">{t!(i18n, admin.shred.auto.no_runs)}</p> }.into_any()
        } else {
            view! {
                <table class="list">
                    <caption>{t!(i18n, admin.shred.auto.runs_caption)}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, admin.shred.auto.time)}</th><th scope="col">{t!(i18n, admin.shred.auto.participants_column)}</th>
                        <th scope="col">{t!(i18n, admin.shred.auto.cases_column)}</th><th scope="col">{t!(i18n, admin.shred.auto.entries_column)}</th>
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
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <table class="list" data-testid="shred-requests">
            <caption class="visually-hidden">{t!(i18n, admin.shred.caption)}</caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, admin.shred.requested_at)}</th>
                    <th scope="col">{t!(i18n, admin.shred.participant_id)}</th>
                    <th scope="col">{t!(i18n, admin.shred.reason)}</th>
                    <th scope="col">{t!(i18n, admin.shred.status)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, common.table.action)}</span></th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let own = r.requested_by == me_id;
                    let request_id = r.id.clone();
                    let status = match r.done_at {
                        Some(t) => td_string!(l, admin.shred.carried_out, at = sv_datetime(t)).to_string(),
                        None if own => td_string!(l, admin.shred.waiting_for_another).to_string(),
                        None => td_string!(l, admin.shred.waiting).to_string(),
                    };
                    view! {
                        <tr data-request-id=r.id.clone()>
                            <td class="nowrap">{sv_datetime(r.requested_at)}</td>
                            <td><code>{r.participant_id.clone()}</code></td>
                            <td class="prose">{r.reason.clone()}</td>
                            <td>{status}</td>
                            <td>
                                {r.done_at.is_none().then(|| view! {
                                    <ConfirmButton action=confirm fields=vec![("request_id", request_id)] label=td_string!(l, admin.shred.confirm) class="danger"
                                        confirm=td_string!(l, admin.shred.confirm_question)/>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
