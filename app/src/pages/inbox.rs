//! `/inkorg`: what waits for the owning unit — possible duplicates that another organisation
//! registered (only the owning unit ever sees them), and notices that a colleague used
//! break-glass on one of the user's cases.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::inbox::{
    list_duplicates, list_notifications, MarkNotificationRead, SettleDuplicate,
};
use crate::components::common::{successes, sv_clock, sv_datetime};
use crate::components::forms::ConfirmButton;
use crate::components::ui::{ActionStatus, ErrorBox};
use domain::inbox::{DuplicateDto, NotificationDto};
use domain::{Capability, Me};

#[component]
pub fn InboxPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let handles_duplicates = me.role.can(Capability::HandleDuplicates);
    view! {
        <Title text="Inkorg"/>
        <h1>"Inkorg"</h1>
        <Notices/>
        {handles_duplicates.then(|| view! { <Duplicates/> })}
    }
}

#[component]
fn Notices() -> impl IntoView {
    let read = ServerAction::<MarkNotificationRead>::new();
    let done = successes(read);
    let list = Resource::new(move || done.get(), |_| list_notifications());
    view! {
        <section class="card" aria-labelledby="notices-h" data-testid="notices">
            <h2 id="notices-h">"Nödåtkomst i dina ärenden"</h2>
            <ActionStatus value=move || read.value().get() ok="Markerad som läst."/>
            <Transition fallback=|| view! { <p class="loading">"Laddar…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="empty">"Ingen har använt nödåtkomst i dina ärenden."</p> }.into_any(),
                        Ok(rows) => view! { <NoticeList rows read/> }.into_any(),
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn NoticeList(
    rows: Vec<NotificationDto>,
    read: ServerAction<MarkNotificationRead>,
) -> impl IntoView {
    view! {
        <ul class="plain">
            {rows.into_iter().map(|n| {
                let href = format!("/arenden/{}", n.case_id);
                let until = n.until.map(|u| format!(" (till {})", sv_clock(u))).unwrap_or_default();
                view! {
                    <li>
                        {format!("{} {} öppnade ", sv_datetime(n.at), n.by)}
                        <a href=href>"ett av dina ärenden"</a>
                        {format!(" med nödåtkomst{until}. Åtkomsten granskas av loggansvarig.")}
                        <ConfirmButton action=read fields=vec![("id", n.id)] label="Markera som läst"/>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn Duplicates() -> impl IntoView {
    let settle = ServerAction::<SettleDuplicate>::new();
    let done = successes(settle);
    let list = Resource::new(move || done.get(), |_| list_duplicates());
    view! {
        <section class="card" aria-labelledby="dups-h" data-testid="duplicates">
            <h2 id="dups-h">"Möjliga dubbletter"</h2>
            <p>
                "En annan organisation har registrerat en person med samma personnummer som någon i er verksamhet. "
                "Den andra organisationen har inte fått veta något. Kontrollera ärendet och ta kontakt vid behov."
            </p>
            <ActionStatus value=move || settle.value().get() ok="Sparat."/>
            <Transition fallback=|| view! { <p class="loading">"Laddar…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="empty">"Inga möjliga dubbletter väntar."</p> }.into_any(),
                        Ok(rows) => view! { <DuplicateTable rows settle/> }.into_any(),
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn DuplicateTable(rows: Vec<DuplicateDto>, settle: ServerAction<SettleDuplicate>) -> impl IntoView {
    view! {
        <table class="list">
            <caption class="visually-hidden">"Möjliga dubbletter"</caption>
            <thead><tr>
                <th scope="col">"Upptäckt"</th>
                <th scope="col">"Registrerad även hos"</th>
                <th scope="col">"Ert ärende"</th>
                <th scope="col">"Åtgärd"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|d| {
                    let case = match d.case_id.clone() {
                        Some(c) => view! { <a href=format!("/arenden/{c}")>"Öppna ärendet"</a> }.into_any(),
                        None => view! { <span>"–"</span> }.into_any(),
                    };
                    let (id1, id2) = (d.id.clone(), d.id.clone());
                    // Another municipality's social services registered the person: the case
                    // can be handed over to them.
                    let handover = d.case_id.clone().filter(|_| d.can_hand_over).map(|c| view! {
                        <a class="button" data-testid="start-handover"
                            href=format!("/arenden/{c}/overlamna?till={}", d.other_org_id)>"Påbörja överlämning"</a>
                    });
                    view! {
                        <tr data-duplicate-id=d.id.clone()>
                            <td class="nowrap">{sv_datetime(d.found_at)}</td>
                            <td>{d.other_org.clone()}</td>
                            <td>{case}</td>
                            <td>
                                <ConfirmButton action=settle label="Samma person – vi tar kontakt"
                                    fields=vec![("id", id1), ("outcome", "linked".to_string())]/>
                                <ConfirmButton action=settle label="Avskriv"
                                    fields=vec![("id", id2), ("outcome", "dismissed".to_string())]/>
                                {handover}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
