//! `/remisser`: the social-services unit's queue of referrals sent to it; `/remisser/:id`: one
//! referral (an audited read) with the decisions — start the review, accept and open a case,
//! decline with a reason, forward to another unit.

use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::referral::{
    forward_targets, get_referral, referral_queue, referral_workers, AcceptReferral,
    DeclineReferral, ForwardReferral, StartReferralReview,
};
use crate::components::common::{error_for, successes, sv_datetime, FieldError};
use crate::components::forms::{busy, ConfirmButton, Submit};
use crate::components::labels::Label;
use crate::components::ui::{ActionStatus, ErrorBox};
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};
use domain::referral::{ReferralRow, ReferralStatus, ReferralView, Urgency};
use domain::{Capability, Me, SspfLevel};

fn urgency_tag(u: Urgency, l: Locale) -> impl IntoView {
    let class = match u {
        Urgency::Normal => "tag",
        Urgency::Urgent => "tag warn",
        Urgency::Acute => "tag danger",
    };
    view! { <span class=class>{u.label_in(l)}</span> }
}

#[component]
pub fn ReferralQueuePage() -> impl IntoView {
    let me = expect_context::<Me>();
    let i18n = use_i18n();
    if !me.role.can(Capability::HandleReferrals) {
        return view! {
            <PageTitle text=move || t_string!(i18n, referrals.queue.title)/>
            <h1>{t!(i18n, referrals.queue.title)}</h1>
            <p class="error" role="alert">{t!(i18n, referrals.queue.not_allowed)}</p>
        }
        .into_any();
    }
    let (decided, set_decided) = signal(false);
    let list = Resource::new(move || decided.get(), referral_queue);
    view! {
        <PageTitle text=move || t_string!(i18n, referrals.queue.title)/>
        <h1>{t!(i18n, referrals.queue.heading)}</h1>
        <p class="lead">{t!(i18n, referrals.queue.lead)}</p>
        <label class="check">
            <input type="checkbox" prop:checked=decided on:change=move |ev| set_decided.set(event_target_checked(&ev))/>
            {t!(i18n, referrals.queue.show_decided)}
        </label>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(rows) if rows.is_empty() => view! { <p class="empty">{t!(i18n, referrals.queue.empty)}</p> }.into_any(),
                    Ok(rows) => view! { <QueueTable rows/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn QueueTable(rows: Vec<ReferralRow>) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <table class="list" data-testid="referral-queue">
            <caption class="visually-hidden">{t!(i18n, referrals.queue.caption)}</caption>
            <thead><tr>
                <th scope="col">{t!(i18n, referrals.queue.col_referral)}</th>
                <th scope="col">{t!(i18n, referrals.queue.col_received)}</th>
                <th scope="col">{t!(i18n, referrals.queue.col_from)}</th>
                <th scope="col">{t!(i18n, referrals.queue.col_reasons)}</th>
                <th scope="col">{t!(i18n, referrals.queue.col_urgency)}</th>
                <th scope="col">{t!(i18n, referrals.queue.col_status)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let reasons = r.reasons.iter().map(|x| x.label_in(l)).collect::<Vec<_>>().join(", ");
                    view! {
                        <tr data-referral=r.number.clone()>
                            <td class="nowrap"><a href=format!("/remisser/{}", r.id)>{r.number.clone()}</a></td>
                            <td class="nowrap">{sv_datetime(r.received_at)}</td>
                            <td>{format!("{} ({})", r.kind.label_in(l), r.from_org)}</td>
                            <td>{reasons}</td>
                            <td>{urgency_tag(r.urgency, l)}</td>
                            <td>{r.status.label_in(l)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn ReferralPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let start = ServerAction::<StartReferralReview>::new();
    let accept = ServerAction::<AcceptReferral>::new();
    let decline = ServerAction::<DeclineReferral>::new();
    let forward = ServerAction::<ForwardReferral>::new();
    let (s1, s2, s3) = (successes(start), successes(decline), successes(forward));
    let referral = Resource::new(
        move || (id(), s1.get(), s2.get(), s3.get()),
        |(id, ..)| get_referral(id),
    );
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(case_id)) = accept.value().get() {
            navigate(&format!("/arenden/{case_id}"), Default::default());
        }
    });
    let actions = Actions {
        start,
        accept,
        decline,
        forward,
    };
    view! {
        <PageTitle text=move || t_string!(i18n, referrals.detail.title)/>
        <p><a href="/remisser">{t!(i18n, referrals.detail.back)}</a></p>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match referral.await {
                    Ok(v) => view! { <Detail v actions/> }.into_any(),
                    Err(e) => view! { <h1>{t!(i18n, referrals.detail.title)}</h1><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    start: ServerAction<StartReferralReview>,
    accept: ServerAction<AcceptReferral>,
    decline: ServerAction<DeclineReferral>,
    forward: ServerAction<ForwardReferral>,
}

#[component]
fn Detail(v: ReferralView, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let r = &v.row;
    let reasons = r
        .reasons
        .iter()
        .map(|x| x.label_in(l))
        .collect::<Vec<_>>()
        .join(", ");
    let status = r.status;
    let case = v.case_id.clone().map(|c| {
        view! { <p><a href=format!("/arenden/{c}") data-testid="referral-case">{t!(i18n, referrals.detail.open_case)}</a></p> }
    });
    view! {
        <h1>{td_string!(l, referrals.detail.heading, number = r.number.clone()).to_string()}</h1>
        <section class="card" data-testid="referral-detail">
            <dl class="facts">
                <dt>{t!(i18n, referrals.detail.status)}</dt><dd data-testid="referral-status">{status.label_in(l)}</dd>
                <dt>{t!(i18n, referrals.detail.urgency)}</dt><dd>{urgency_tag(r.urgency, l)}</dd>
                <dt>{t!(i18n, referrals.detail.received)}</dt><dd>{sv_datetime(r.received_at)}</dd>
                <dt>{t!(i18n, referrals.detail.concern_date)}</dt><dd>{r.referred_on.format("%Y-%m-%d").to_string()}</dd>
                <dt>{t!(i18n, referrals.detail.from)}</dt><dd>{format!("{}: {}", r.kind.label_in(l), v.submitted_by)}</dd>
                {v.referrer_contact.clone().map(|c| view! { <dt>{t!(i18n, referrals.detail.referrer)}</dt><dd>{c}</dd> })}
                {v.forwarded_from.clone().map(|f| view! { <dt>{t!(i18n, referrals.detail.forwarded_from)}</dt><dd>{f}</dd> })}
                <dt>{t!(i18n, referrals.detail.reasons)}</dt><dd>{reasons}</dd>
            </dl>
        </section>
        <section class="card" aria-labelledby="person-h">
            <h2 id="person-h">{t!(i18n, referrals.detail.person)}</h2>
            <dl class="facts">
                <dt>{t!(i18n, referrals.detail.name)}</dt><dd>{format!("{} {}", v.first_name, v.last_name)}</dd>
                <dt>{t!(i18n, referrals.detail.pnr)}</dt><dd>{v.personnummer.clone()}</dd>
                {v.phone.clone().map(|p| view! { <dt>{t!(i18n, referrals.detail.phone)}</dt><dd>{p}</dd> })}
                <dt>{t!(i18n, referrals.detail.municipality)}</dt><dd>{r.municipality.clone()}</dd>
            </dl>
            {v.known_here.then(|| view! {
                <p class="hint">{t!(i18n, referrals.detail.known_here)}</p>
            })}
        </section>
        <section class="card" aria-labelledby="desc-h">
            <h2 id="desc-h">{t!(i18n, referrals.detail.description)}</h2>
            <p class="prose">{v.description.clone()}</p>
            {v.decline_reason.clone().map(|d| view! { <h3>{t!(i18n, referrals.detail.decline_reason)}</h3><p class="prose">{d}</p> })}
            {case}
        </section>
        {status.is_open().then(|| view! { <Decisions id=r.id.clone() version=v.version status actions/> })}
        <section class="card" aria-labelledby="steps-h">
            <h2 id="steps-h">{t!(i18n, referrals.detail.history)}</h2>
            <ul class="plain">
                {v.steps.iter().map(|s| view! { <li>{format!("{} {} – {}", sv_datetime(s.at), s.to.label_in(l), s.by)}</li> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Decisions(id: String, version: i64, status: ReferralStatus, actions: Actions) -> impl IntoView {
    let Actions {
        start,
        accept,
        decline,
        forward,
    } = actions;
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let targets = Resource::new(|| (), |_| forward_targets());
    let workers = Resource::new(|| (), |_| referral_workers());
    let aerr = Signal::derive(move || accept.value().get().and_then(Result::err));
    let derr = Signal::derive(move || decline.value().get().and_then(Result::err));
    let ferr = Signal::derive(move || forward.value().get().and_then(Result::err));
    let fields = |id: &str| vec![("id", id.to_string()), ("version", version.to_string())];
    let reviewing = status == ReferralStatus::UnderReview;
    let (id2, id3, id4) = (id.clone(), id.clone(), id.clone());
    view! {
        <section class="card" aria-labelledby="decide-h" data-testid="referral-decisions">
            <h2 id="decide-h">{t!(i18n, referrals.decisions.heading)}</h2>
            <ActionStatus value=move || start.value().get() ok=td_string!(l, referrals.decisions.started)/>
            <ActionStatus value=move || accept.value().get() ok=td_string!(l, referrals.decisions.accepted)/>
            {(!reviewing).then(|| view! {
                <ConfirmButton action=start fields=fields(&id) label=td_string!(l, referrals.decisions.start) class="primary"/>
            })}
            {reviewing.then(|| view! {
                <ActionForm action=accept attr:class="form" attr:data-testid="accept-referral" attr:aria-busy=busy(accept)>
                    <input type="hidden" name="id" value=id2.clone()/>
                    <input type="hidden" name="version" value=version.to_string()/>
                    <label for="a-sspf">{t!(i18n, referrals.decisions.sspf)}</label>
                    <select id="a-sspf" name="sspf_level">
                        {SspfLevel::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=s == SspfLevel::Individual>{s.label_in(l)}</option> }).collect_view()}
                    </select>
                    <label for="a-resp">{t!(i18n, referrals.decisions.responsible)}</label>
                    <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                        {move || Suspend::new(async move {
                            let people = workers.await.unwrap_or_default();
                            view! {
                                <select id="a-resp" name="responsible"
                                    aria-describedby=move || error_for(aerr.get(), "responsible").map(|_| "err-responsible")>
                                    <option value="">{t!(i18n, referrals.decisions.myself)}</option>
                                    {people.into_iter().map(|(uid, name)| view! { <option value=uid>{name}</option> }).collect_view()}
                                </select>
                            }
                        })}
                    </Transition>
                    <FieldError id="err-responsible" message=Signal::derive(move || error_for(aerr.get(), "responsible"))/>
                    <Submit action=accept class="primary">{t!(i18n, referrals.decisions.accept)}</Submit>
                </ActionForm>
            })}
            <ActionForm action=decline attr:class="form" attr:data-testid="decline-referral" attr:aria-busy=busy(decline)>
                <input type="hidden" name="id" value=id3/>
                <input type="hidden" name="version" value=version.to_string()/>
                <label for="d-reason">{t!(i18n, referrals.decisions.decline_reason)}</label>
                <textarea id="d-reason" name="reason" rows="3" maxlength="20000" required
                    aria-describedby=move || error_for(derr.get(), "reason").map(|_| "err-reason")></textarea>
                <FieldError id="err-reason" message=Signal::derive(move || error_for(derr.get(), "reason"))/>
                {move || derr.get().filter(|e| e.field() != Some("reason")).map(|e| view! { <ErrorBox error=e/> })}
                <Submit action=decline>{t!(i18n, referrals.decisions.decline)}</Submit>
            </ActionForm>
            <ActionForm action=forward attr:class="form" attr:data-testid="forward-referral" attr:aria-busy=busy(forward)>
                <input type="hidden" name="id" value=id4/>
                <input type="hidden" name="version" value=version.to_string()/>
                <label for="f-org">{t!(i18n, referrals.decisions.forward_to)}</label>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        let orgs = targets.await.unwrap_or_default();
                        view! {
                            <select id="f-org" name="to_org" required
                                aria-describedby=move || error_for(ferr.get(), "to_org").map(|_| "err-to_org")>
                                <option value="">{t!(i18n, referrals.decisions.choose_unit)}</option>
                                {orgs.into_iter().map(|(oid, name)| view! { <option value=oid>{name}</option> }).collect_view()}
                            </select>
                        }
                    })}
                </Transition>
                <FieldError id="err-to_org" message=Signal::derive(move || error_for(ferr.get(), "to_org"))/>
                {move || ferr.get().filter(|e| e.field() != Some("to_org")).map(|e| view! { <ErrorBox error=e/> })}
                <Submit action=forward>{t!(i18n, referrals.decisions.forward)}</Submit>
            </ActionForm>
        </section>
    }
}
