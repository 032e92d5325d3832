//! `/arenden/ny`: registers a participant and opens their case, then goes to the new case.

use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api::cases::RegisterParticipant;
use crate::api::orgs::list_orgs;
use crate::components::common::{error_for, FieldError};
use crate::components::forms::{busy, Submit};
use crate::components::labels::Label;
use crate::components::participant_fields::{municipalities_of, ParticipantFields};
use crate::components::ui::ErrorBox;
use crate::i18n::{t, t_string, td_string, use_i18n};
use domain::{Me, ParticipantForm, SspfLevel};

#[component]
pub fn NewCasePage() -> impl IntoView {
    let me = expect_context::<Me>();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    if !me.role.can(domain::Capability::RegisterParticipant) {
        return view! {
            <PageTitle text=move || t_string!(i18n, cases.new.title)/>
            <h1>{t!(i18n, cases.new.title)}</h1>
            <p class="error" role="alert">{t!(i18n, cases.new.not_allowed)}</p>
        }
        .into_any();
    }
    let register = ServerAction::<RegisterParticipant>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(case_id)) = register.value().get() {
            navigate(&format!("/arenden/{case_id}"), Default::default());
        }
    });
    let error = Signal::derive(move || register.value().get().and_then(Result::err));
    let err = move |field: &'static str| Signal::derive(move || error_for(error.get(), field));
    let invalid = move |field: &'static str| move || error_for(error.get(), field).map(|_| "true");
    let described = move |field: &'static str| {
        move || error_for(error.get(), field).map(|_| format!("err-{field}"))
    };
    // The home municipality is one of the organisation's own.
    let orgs = Resource::new(|| (), |_| list_orgs());
    let org_id = me.org_id.clone();
    let municipalities = move || {
        let org_id = org_id.clone();
        async move { municipalities_of(orgs.await.unwrap_or_default(), &org_id) }
    };

    view! {
        <PageTitle text=move || t_string!(i18n, cases.new.title)/>
        <h1>{t!(i18n, cases.new.title)}</h1>
        <p class="lead">{t!(i18n, cases.new.lead)}</p>
        {move || error.get().map(|e| view! { <ErrorBox error=e/> })}
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
        {move || {
            let municipalities = municipalities();
            Suspend::new(async move {
            let munis = municipalities.await;
            view! {
        <ActionForm action=register attr:class="form" attr:data-testid="register-form" attr:aria-busy=busy(register)>
            <ParticipantFields initial=ParticipantForm::default() error munis/>
            <fieldset class="form grid">
                <legend>{td_string!(l, cases.new.case)}</legend>
                <label for="p-sspf">{td_string!(l, cases.new.sspf_level)}</label>
                <select id="p-sspf" name="sspf_level" aria-invalid=invalid("sspf_level") aria-describedby=described("sspf_level")>
                    {SspfLevel::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=s == SspfLevel::Individual>{s.label_in(l)}</option> }).collect_view()}
                </select>
                <FieldError id="err-sspf_level" message=err("sspf_level")/>
                <label for="p-ref">{td_string!(l, cases.new.referral_source)}</label>
                <input id="p-ref" name="referral_source" maxlength="200" placeholder=td_string!(l, cases.new.referral_source_placeholder)
                    aria-invalid=invalid("referral_source") aria-describedby=described("referral_source")/>
                <FieldError id="err-referral_source" message=err("referral_source")/>
            </fieldset>
            <Submit action=register class="primary">{td_string!(l, cases.new.submit)}</Submit>
        </ActionForm>
            }
            })
        }}
        </Suspense>
    }
    .into_any()
}
