//! `/arenden/ny`: registers a participant and opens their case, then goes to the new case.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use crate::api::admin::list_orgs;
use crate::api::cases::RegisterParticipant;
use crate::components::ui::ErrorBox;
use crate::pages::common::{error_for, FieldError};
use domain::{AppError, Gender, Me, OrgDto, ParticipantForm, Protection, SspfLevel};

#[component]
pub fn NewCasePage() -> impl IntoView {
    let me = expect_context::<Me>();
    if !me.role.can(domain::Capability::RegisterParticipant) {
        return view! {
            <Title text="Registrera deltagare"/>
            <h1>"Registrera deltagare"</h1>
            <p class="error" role="alert">"Bara handläggare och programledare kan registrera deltagare."</p>
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
        <Title text="Registrera deltagare"/>
        <h1>"Registrera deltagare"</h1>
        <p class="lead">"Uppgifterna krypteras och visas bara för dem som har rätt att se dem. Ett ärende öppnas med dig som ansvarig handläggare."</p>
        {move || error.get().map(|e| view! { <ErrorBox error=e/> })}
        <Suspense fallback=|| view! { <p class="loading">"Laddar…"</p> }>
        {move || {
            let municipalities = municipalities();
            Suspend::new(async move {
            let munis = municipalities.await;
            view! {
        <ActionForm action=register attr:class="form" attr:data-testid="register-form">
            <ParticipantFields initial=ParticipantForm::default() error munis/>
            <fieldset class="form grid">
                <legend>"Ärendet"</legend>
                <label for="p-sspf">"SSPF-nivå"</label>
                <select id="p-sspf" name="sspf_level" aria-invalid=invalid("sspf_level") aria-describedby=described("sspf_level")>
                    {SspfLevel::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=s == SspfLevel::Individual>{s.label()}</option> }).collect_view()}
                </select>
                <FieldError id="err-sspf_level" message=err("sspf_level")/>
                <label for="p-ref">"Remittent (vem anmälde)"</label>
                <input id="p-ref" name="referral_source" maxlength="200" placeholder="t.ex. Polisen, skolkurator"
                    aria-invalid=invalid("referral_source") aria-describedby=described("referral_source")/>
                <FieldError id="err-referral_source" message=err("referral_source")/>
            </fieldset>
            <button type="submit" class="primary">"Registrera deltagare"</button>
        </ActionForm>
            }
            })
        }}
        </Suspense>
    }
    .into_any()
}

/// The municipalities an organisation serves, from the organisation list.
pub(crate) fn municipalities_of(orgs: Vec<OrgDto>, org_id: &str) -> Vec<String> {
    orgs.into_iter()
        .find(|o| o.id == org_id)
        .map(|o| o.municipalities)
        .unwrap_or_default()
}

/// The participant's own fields (`form[…]`), shared by registration and editing. Each field
/// shows the server's message for it and is marked invalid for assistive technology.
#[component]
pub(crate) fn ParticipantFields(
    initial: ParticipantForm,
    error: Signal<Option<AppError>>,
    munis: Vec<String>,
) -> impl IntoView {
    let err = move |field: &'static str| Signal::derive(move || error_for(error.get(), field));
    let invalid = move |field: &'static str| move || error_for(error.get(), field).map(|_| "true");
    let described = move |field: &'static str| {
        move || error_for(error.get(), field).map(|_| format!("err-{field}"))
    };
    let ParticipantForm {
        first_name,
        last_name,
        personnummer,
        phone,
        email,
        address,
        background,
        birth_year,
        gender,
        municipality,
        protection,
    } = initial;
    let protection = if protection.is_empty() {
        Protection::None.as_str().to_string()
    } else {
        protection
    };
    view! {
        <fieldset class="form grid">
            <legend>"Identitet"</legend>
            <label for="p-first">"Förnamn"</label>
            <input id="p-first" name="form[first_name]" required maxlength="200" autocomplete="off" value=first_name
                aria-invalid=invalid("first_name") aria-describedby=described("first_name")/>
            <FieldError id="err-first_name" message=err("first_name")/>
            <label for="p-last">"Efternamn"</label>
            <input id="p-last" name="form[last_name]" required maxlength="200" autocomplete="off" value=last_name
                aria-invalid=invalid("last_name") aria-describedby=described("last_name")/>
            <FieldError id="err-last_name" message=err("last_name")/>
            <label for="p-pnr">"Personnummer (ÅÅÅÅMMDD-NNNN)"</label>
            <input id="p-pnr" name="form[personnummer]" maxlength="20" autocomplete="off" spellcheck="false" value=personnummer
                aria-invalid=invalid("personnummer") aria-describedby=described("personnummer")/>
            <FieldError id="err-personnummer" message=err("personnummer")/>
            <label for="p-year">"Födelseår (krävs utan personnummer)"</label>
            <input id="p-year" name="form[birth_year]" type="number" min="1900" max="2100" step="1" inputmode="numeric" value=birth_year
                aria-invalid=invalid("birth_year") aria-describedby=described("birth_year")/>
            <FieldError id="err-birth_year" message=err("birth_year")/>
            <label for="p-gender">"Kön"</label>
            <select id="p-gender" name="form[gender]" required aria-invalid=invalid("gender") aria-describedby=described("gender")>
                <option value="" selected=gender.is_empty()>"Välj…"</option>
                {Gender::ALL
                    .into_iter()
                    .map(|g| view! { <option value=g.as_str() selected=gender == g.as_str()>{g.label()}</option> })
                    .collect_view()}
            </select>
            <FieldError id="err-gender" message=err("gender")/>
            <label for="p-muni">"Hemkommun"</label>
            {municipality_input(munis, municipality, invalid("municipality"), described("municipality"))}
            <FieldError id="err-municipality" message=err("municipality")/>
            <label for="p-prot">"Skyddade personuppgifter"</label>
            <select id="p-prot" name="form[protection]" aria-invalid=invalid("protection") aria-describedby=described("protection")>
                {Protection::ALL
                    .into_iter()
                    .map(|p| view! { <option value=p.as_str() selected=protection == p.as_str()>{p.label()}</option> })
                    .collect_view()}
            </select>
            <FieldError id="err-protection" message=err("protection")/>
            <p class="hint full">"Vid skyddade personuppgifter visas adressen bara för namngivna medlemmar i ärendeteamet, aldrig på grund av samtycke."</p>
        </fieldset>
        <fieldset class="form grid">
            <legend>"Kontaktuppgifter"</legend>
            <label for="p-phone">"Telefon"</label>
            <input id="p-phone" name="form[phone]" type="tel" maxlength="40" autocomplete="off" value=phone
                aria-invalid=invalid("phone") aria-describedby=described("phone")/>
            <FieldError id="err-phone" message=err("phone")/>
            <label for="p-email">"E-post"</label>
            <input id="p-email" name="form[email]" type="email" maxlength="200" autocomplete="off" value=email
                aria-invalid=invalid("email") aria-describedby=described("email")/>
            <FieldError id="err-email" message=err("email")/>
            <label for="p-address">"Adress"</label>
            <input id="p-address" name="form[address]" maxlength="200" autocomplete="off" value=address
                aria-invalid=invalid("address") aria-describedby=described("address")/>
            <FieldError id="err-address" message=err("address")/>
        </fieldset>
        <fieldset class="form grid">
            <legend>"Bakgrund"</legend>
            <label for="p-bg">"Bakgrund och situation"</label>
            <textarea id="p-bg" name="form[background]" rows="6" maxlength="20000"
                aria-invalid=invalid("background") aria-describedby=described("background")>{background}</textarea>
            <FieldError id="err-background" message=err("background")/>
        </fieldset>
    }
}

/// The home municipality: a choice among the organisation's municipalities when they are known
/// (the current value is kept even if it is no longer one of them), otherwise free text.
fn municipality_input<I, D>(
    mut munis: Vec<String>,
    current: String,
    invalid: I,
    described: D,
) -> AnyView
where
    I: Fn() -> Option<&'static str> + Send + Sync + 'static,
    D: Fn() -> Option<String> + Send + Sync + 'static,
{
    if munis.is_empty() {
        return view! {
            <input id="p-muni" name="form[municipality]" required maxlength="60" value=current
                aria-invalid=invalid aria-describedby=described/>
        }
        .into_any();
    }
    if !current.is_empty() && !munis.iter().any(|m| m.eq_ignore_ascii_case(&current)) {
        munis.insert(0, current.clone());
    }
    view! {
        <select id="p-muni" name="form[municipality]" required aria-invalid=invalid aria-describedby=described>
            {munis
                .into_iter()
                .map(|m| {
                    let selected = m.eq_ignore_ascii_case(&current);
                    view! { <option value=m.clone() selected=selected>{m.clone()}</option> }
                })
                .collect_view()}
        </select>
    }
    .into_any()
}
