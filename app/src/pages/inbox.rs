//! `/inkorg`: what waits for the owning unit — possible duplicates that another organisation
//! registered (only the owning unit ever sees them), and notices that a colleague used
//! break-glass on one of the user's cases.

use crate::components::title::PageTitle;
use leptos::prelude::*;

use crate::api::inbox::{
    list_duplicates, list_notifications, MarkNotificationRead, SettleDuplicate,
};
use crate::components::common::{successes, sv_clock, sv_datetime};
use crate::components::forms::ConfirmButton;
use crate::components::ui::{ActionStatus, ErrorBox};
use crate::i18n::{t, t_string, td_string, use_i18n};
use domain::inbox::{DuplicateDto, NotificationDto};
use domain::{Capability, Me};

#[component]
pub fn InboxPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let handles_duplicates = me.role.can(Capability::HandleDuplicates);
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || t_string!(i18n, referrals.inbox.title)/>
        <h1>{t!(i18n, referrals.inbox.title)}</h1>
        <Notices/>
        {handles_duplicates.then(|| view! { <Duplicates/> })}
    }
}

#[component]
fn Notices() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let read = ServerAction::<MarkNotificationRead>::new();
    let done = successes(read);
    let list = Resource::new(move || done.get(), |_| list_notifications());
    view! {
        <section class="card" aria-labelledby="notices-h" data-testid="notices">
            <h2 id="notices-h">{t!(i18n, referrals.inbox.notices_heading)}</h2>
            <ActionStatus value=move || read.value().get() ok=td_string!(l, referrals.inbox.marked_read)/>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="empty">{t!(i18n, referrals.inbox.no_notices)}</p> }.into_any(),
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
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <ul class="plain">
            {rows.into_iter().map(|n| {
                let href = format!("/arenden/{}", n.case_id);
                let at = sv_datetime(n.at);
                let by = n.by.clone();
                let link = move |children: ChildrenFn| view! { <a href=href.clone()>{children()}</a> };
                // `<who>` only holds the time and the name: the catalogue reads no placeholder
                // before a sentence's first tag, so they sit inside one that adds no markup.
                let who = |children: ChildrenFn| children();
                let notice = match n.until {
                    Some(u) => t!(i18n, referrals.inbox.notice_until, at, by, until = sv_clock(u), <who>, <a> = link).into_any(),
                    None => t!(i18n, referrals.inbox.notice, at, by, <who>, <a> = link).into_any(),
                };
                view! {
                    <li>
                        {notice}
                        <ConfirmButton action=read fields=vec![("id", n.id)] label=td_string!(l, referrals.inbox.mark_read)/>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn Duplicates() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let settle = ServerAction::<SettleDuplicate>::new();
    let done = successes(settle);
    let list = Resource::new(move || done.get(), |_| list_duplicates());
    view! {
        <section class="card" aria-labelledby="dups-h" data-testid="duplicates">
            <h2 id="dups-h">{t!(i18n, referrals.duplicates.heading)}</h2>
            <p>{t!(i18n, referrals.duplicates.intro)}</p>
            <ActionStatus value=move || settle.value().get() ok=td_string!(l, referrals.duplicates.saved)/>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="empty">{t!(i18n, referrals.duplicates.empty)}</p> }.into_any(),
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
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <table class="list">
            <caption class="visually-hidden">{t!(i18n, referrals.duplicates.caption)}</caption>
            <thead><tr>
                <th scope="col">{t!(i18n, referrals.duplicates.col_found)}</th>
                <th scope="col">{t!(i18n, referrals.duplicates.col_also)}</th>
                <th scope="col">{t!(i18n, referrals.duplicates.col_case)}</th>
                <th scope="col">{t!(i18n, referrals.duplicates.col_action)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|d| {
                    let case = match d.case_id.clone() {
                        Some(c) => view! { <a href=format!("/arenden/{c}")>{t!(i18n, referrals.duplicates.open_case)}</a> }.into_any(),
                        None => view! { <span>"–"</span> }.into_any(),
                    };
                    let (id1, id2) = (d.id.clone(), d.id.clone());
                    // Another municipality's social services registered the person: the case
                    // can be handed over to them.
                    let handover = d.case_id.clone().filter(|_| d.can_hand_over).map(|c| view! {
                        <a class="button" data-testid="start-handover"
                            href=format!("/arenden/{c}/overlamna?till={}", d.other_org_id)>{t!(i18n, referrals.duplicates.start_handover)}</a>
                    });
                    view! {
                        <tr data-duplicate-id=d.id.clone()>
                            <td class="nowrap">{sv_datetime(d.found_at)}</td>
                            <td>{d.other_org.clone()}</td>
                            <td>{case}</td>
                            <td>
                                <ConfirmButton action=settle label=td_string!(l, referrals.duplicates.linked)
                                    fields=vec![("id", id1), ("outcome", "linked".to_string())]/>
                                <ConfirmButton action=settle label=td_string!(l, referrals.duplicates.dismiss)
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
