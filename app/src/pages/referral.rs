//! `/remisser/ny`: the referral form (orosanmälan/remiss) for police, school, leisure, partners
//! and social services, and the organisation's own sent referrals; `/remisser/skickad/:number`:
//! the receipt. The form is a plain post that works without JavaScript: an error comes back
//! beside its field with what was typed, success goes to the receipt.
//!
//! The sender is told nothing back beyond "mottagen" and the number.

use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::referral::{get_receipt, list_submitted, SubmitReferral};
use crate::components::common::{error_for, FieldError};
use crate::components::forms::{busy, Submit};
use crate::components::labels::Label;
use crate::components::ui::ErrorBox;
use crate::i18n::{t, t_string, td_string, use_i18n};
use domain::referral::{ReferralReason, ReferrerKind, Urgency};
use domain::{Capability, Me};

#[component]
pub fn NewReferralPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    if !me.role.can(Capability::SubmitReferral) {
        return view! {
            <PageTitle text=move || t_string!(i18n, referrals.new.title)/>
            <h1>{t!(i18n, referrals.new.heading)}</h1>
            <p class="error" role="alert">{t!(i18n, referrals.new.not_allowed)}</p>
        }
        .into_any();
    }
    let submit = ServerAction::<SubmitReferral>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(r)) = submit.value().get() {
            navigate(
                &format!("/remisser/skickad/{}", r.number),
                Default::default(),
            );
        }
    });
    let error = Signal::derive(move || submit.value().get().and_then(Result::err));
    let err = move |field: &'static str| Signal::derive(move || error_for(error.get(), field));
    let invalid = move |field: &'static str| move || error_for(error.get(), field).map(|_| "true");
    let described = move |field: &'static str| {
        move || error_for(error.get(), field).map(|_| format!("err-{field}"))
    };
    let kinds = ReferrerKind::offered_to(me.org_kind);
    let own = kinds[0];
    view! {
        <PageTitle text=move || t_string!(i18n, referrals.new.title)/>
        <h1>{t!(i18n, referrals.new.heading)}</h1>
        <p class="lead">{t!(i18n, referrals.new.lead)}</p>
        {move || error.get().map(|e| view! { <ErrorBox error=e/> })}
        <ActionForm action=submit attr:class="form" attr:data-testid="referral-form" attr:aria-busy=busy(submit)>
            <fieldset class="form grid">
                <legend>{t!(i18n, referrals.new.person)}</legend>
                <label for="r-pnr">{t!(i18n, referrals.new.pnr)}</label>
                <input id="r-pnr" name="form[personnummer]" required autocomplete="off" inputmode="numeric" placeholder=td_string!(l, referrals.new.pnr_placeholder)
                    aria-invalid=invalid("personnummer") aria-describedby=described("personnummer")/>
                <FieldError id="err-personnummer" message=err("personnummer")/>
                <label for="r-first">{t!(i18n, referrals.new.first_name)}</label>
                <input id="r-first" name="form[first_name]" required maxlength="200" autocomplete="off"
                    aria-invalid=invalid("first_name") aria-describedby=described("first_name")/>
                <FieldError id="err-first_name" message=err("first_name")/>
                <label for="r-last">{t!(i18n, referrals.new.last_name)}</label>
                <input id="r-last" name="form[last_name]" required maxlength="200" autocomplete="off"
                    aria-invalid=invalid("last_name") aria-describedby=described("last_name")/>
                <FieldError id="err-last_name" message=err("last_name")/>
                <label for="r-phone">{t!(i18n, referrals.new.phone)}</label>
                <input id="r-phone" name="form[phone]" type="tel" autocomplete="off"
                    aria-invalid=invalid("phone") aria-describedby=described("phone")/>
                <FieldError id="err-phone" message=err("phone")/>
                <label for="r-muni">{t!(i18n, referrals.new.municipality)}</label>
                <input id="r-muni" name="form[municipality]" required maxlength="60"
                    aria-invalid=invalid("municipality") aria-describedby=described("municipality")/>
                <FieldError id="err-municipality" message=err("municipality")/>
            </fieldset>
            <fieldset aria-describedby=described("reasons")>
                <legend>{t!(i18n, referrals.new.reasons)}</legend>
                <div class="checks">
                    {ReferralReason::ALL.into_iter().enumerate().map(|(i, r)| view! {
                        <label class="check">
                            <input type="checkbox" name=format!("form[reasons][{i}]") value=r.as_str()/>
                            {r.label_in(l)}
                        </label>
                    }).collect_view()}
                </div>
                <FieldError id="err-reasons" message=err("reasons")/>
            </fieldset>
            <fieldset aria-describedby=described("urgency")>
                <legend>{t!(i18n, referrals.new.urgency)}</legend>
                {Urgency::ALL.into_iter().map(|u| view! {
                    <label class="check">
                        <input type="radio" name="form[urgency]" value=u.as_str() checked=u == Urgency::Normal/>
                        {u.label_in(l)}
                    </label>
                }).collect_view()}
                <p class="hint">{t!(i18n, referrals.new.urgency_hint)}</p>
                <FieldError id="err-urgency" message=err("urgency")/>
            </fieldset>
            <fieldset class="form grid">
                <legend>{t!(i18n, referrals.new.concern)}</legend>
                <label for="r-desc">{t!(i18n, referrals.new.description)}</label>
                <textarea id="r-desc" name="form[description]" required rows="6" maxlength="20000"
                    aria-invalid=invalid("description") aria-describedby=described("description")></textarea>
                <FieldError id="err-description" message=err("description")/>
                <label for="r-date">{t!(i18n, referrals.new.date)}</label>
                <input id="r-date" name="form[referred_on]" type="date"
                    aria-invalid=invalid("referred_on") aria-describedby=described("referred_on")/>
                <FieldError id="err-referred_on" message=err("referred_on")/>
            </fieldset>
            <fieldset class="form grid">
                <legend>{t!(i18n, referrals.new.referrer)}</legend>
                <label for="r-kind">{t!(i18n, referrals.new.kind)}</label>
                <select id="r-kind" name="form[kind]" aria-invalid=invalid("kind") aria-describedby=described("kind")>
                    {kinds.into_iter().map(|k| view! {
                        <option value=k.as_str() selected=k == own>{k.label_in(l)}</option>
                    }).collect_view()}
                </select>
                <FieldError id="err-kind" message=err("kind")/>
                <label for="r-contact">{t!(i18n, referrals.new.contact)}</label>
                <input id="r-contact" name="form[referrer_contact]" maxlength="200" autocomplete="off"
                    aria-invalid=invalid("referrer_contact") aria-describedby=described("referrer_contact")/>
                <FieldError id="err-referrer_contact" message=err("referrer_contact")/>
            </fieldset>
            <Submit action=submit class="primary">{t!(i18n, referrals.new.submit)}</Submit>
        </ActionForm>
        <Sent/>
    }
    .into_any()
}

/// The organisation's sent referrals: number, date and "mottagen", nothing else.
#[component]
fn Sent() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let list = Resource::new(|| (), |_| list_submitted());
    view! {
        <section class="card" aria-labelledby="sent-h" data-testid="sent-referrals">
            <h2 id="sent-h">{t!(i18n, referrals.sent.heading)}</h2>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="empty">{t!(i18n, referrals.sent.empty)}</p> }.into_any(),
                        Ok(rows) => view! {
                            <table class="list">
                                <caption class="visually-hidden">{t!(i18n, referrals.sent.caption)}</caption>
                                <thead><tr>
                                    <th scope="col">{t!(i18n, referrals.sent.number)}</th>
                                    <th scope="col">{t!(i18n, referrals.sent.date)}</th>
                                    <th scope="col">{t!(i18n, referrals.sent.received)}</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|s| view! {
                                        <tr>
                                            <td class="nowrap">{s.number}</td>
                                            <td class="nowrap">{s.referred_on.format("%Y-%m-%d").to_string()}</td>
                                            <td class="nowrap">{td_string!(l, referrals.sent.received_on, date = s.received_on.format("%Y-%m-%d").to_string()).to_string()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// `/remisser/skickad/:number`: the receipt of a sent referral.
#[component]
pub fn ReferralReceiptPage() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let params = use_params_map();
    let number = move || params.read().get("number").unwrap_or_default();
    let receipt = Resource::new(number, get_receipt);
    view! {
        <PageTitle text=move || t_string!(i18n, referrals.receipt.title)/>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match receipt.await {
                    Ok(r) => view! {
                        <h1>{t!(i18n, referrals.receipt.title)}</h1>
                        <section class="card" data-testid="referral-receipt">
                            <p>{t!(i18n, referrals.receipt.number, number = r.number.clone(), <strong> = |children: ChildrenFn| view! { <strong data-testid="referral-number">{children()}</strong> })}</p>
                            <p>{td_string!(l, referrals.receipt.received_on, date = r.received_on.format("%Y-%m-%d").to_string()).to_string()}</p>
                            <p class="hint">{t!(i18n, referrals.receipt.hint)}</p>
                            <p><a href="/remisser/ny">{t!(i18n, referrals.receipt.new)}</a></p>
                        </section>
                    }.into_any(),
                    Err(e) => view! { <h1>{t!(i18n, referrals.receipt.error_heading)}</h1><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}
