//! `/samverkansrad`: the collaboration council's meetings that the user's organisation chairs
//! or sits on, and — for the chairing social services — a form to plan the next one. The chair
//! opens a meeting's agenda; a member organisation opens its minutes.

use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api::council::{list_meetings, member_choices, CreateMeeting};
use crate::components::common::{error_for, meeting_status, FieldError};
use crate::components::forms::{busy, Submit};
use crate::components::ui::{DataTable, ErrorBox};
use crate::i18n::{t, t_string, td_string, use_i18n};
use domain::council::MeetingRow;
use domain::{Capability, Me};

#[component]
pub fn CouncilPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let chair = me.role.can(Capability::HandleReferrals);
    if !chair && !me.role.can(Capability::AttendCouncil) {
        return view! {
            <PageTitle text=move || t_string!(i18n, council.list.title)/>
            <h1>{t!(i18n, council.list.title)}</h1>
            <p class="error" role="alert">{t!(i18n, council.list.not_allowed)}</p>
        }
        .into_any();
    }
    let meetings = Resource::new(|| (), |_| list_meetings());
    view! {
        <PageTitle text=move || t_string!(i18n, council.list.title)/>
        <h1>{t!(i18n, council.list.title)}</h1>
        <p class="lead">
            {if chair {
                td_string!(l, council.list.lead_chair)
            } else {
                td_string!(l, council.list.lead_member)
            }}
        </p>
        {chair.then(|| view! { <NewMeeting/> })}
        <h2>{t!(i18n, council.list.meetings)}</h2>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match meetings.await {
                    Ok(rows) => view! {
                        <DataTable rows caption=td_string!(l, council.list.caption)
                            columns=vec![
                                td_string!(l, council.list.col_date),
                                td_string!(l, council.list.col_municipality),
                                td_string!(l, council.list.col_chair),
                                td_string!(l, council.list.col_members),
                                td_string!(l, council.list.col_status),
                            ]
                            row=meeting_row empty=td_string!(l, council.list.empty) testid="council-meetings"/>
                    }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

fn meeting_row(m: MeetingRow) -> impl IntoView {
    let date = m.date.format("%Y-%m-%d").to_string();
    let href = if m.chaired {
        format!("/samverkansrad/{}", m.id)
    } else {
        format!("/samverkansrad/{}/protokoll", m.id)
    };
    view! {
        <tr data-meeting=m.id.clone()>
            <td class="nowrap"><a href=href>{date}</a></td>
            <td>{m.municipality.clone()}</td>
            <td>{m.chair.clone()}</td>
            <td>{m.members.join(", ")}</td>
            <td>{meeting_status(m.status)}</td>
        </tr>
    }
}

#[component]
fn NewMeeting() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateMeeting>::new();
    let orgs = Resource::new(|| (), |_| member_choices());
    let err = Signal::derive(move || create.value().get().and_then(Result::err));
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            navigate(&format!("/samverkansrad/{id}"), Default::default());
        }
    });
    let described = move |f: &'static str| error_for(err.get(), f).map(|_| format!("err-{f}"));
    view! {
        <section class="card" aria-labelledby="new-meeting-h">
            <h2 id="new-meeting-h">{t!(i18n, council.new_meeting.heading)}</h2>
            <ActionForm action=create attr:class="form" attr:data-testid="new-meeting" attr:aria-busy=busy(create)>
                <label for="m-date">{t!(i18n, council.new_meeting.date)}</label>
                <input id="m-date" name="date" type="date" required
                    aria-describedby=move || described("date")/>
                <FieldError id="err-date" message=Signal::derive(move || error_for(err.get(), "date"))/>
                <fieldset aria-describedby=move || described("members")>
                    <legend>{t!(i18n, council.new_meeting.members)}</legend>
                    <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                        {move || Suspend::new(async move {
                            match orgs.await {
                                Ok(list) => list.into_iter().enumerate().map(|(i, (id, name))| view! {
                                    <label class="check">
                                        <input type="checkbox" name=format!("members[{i}]") value=id/>
                                        {name}
                                    </label>
                                }).collect_view().into_any(),
                                Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                            }
                        })}
                    </Transition>
                </fieldset>
                <FieldError id="err-members" message=Signal::derive(move || error_for(err.get(), "members"))/>
                {move || err.get().filter(|e| !matches!(e.field(), Some("date" | "members"))).map(|e| view! { <ErrorBox error=e/> })}
                <Submit action=create class="primary">{t!(i18n, council.new_meeting.submit)}</Submit>
            </ActionForm>
        </section>
    }
}
