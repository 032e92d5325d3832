//! The participant's own fields, shared by registration and editing, and the municipalities
//! an organisation serves (the choices of the home municipality).

use leptos::prelude::*;

use crate::components::common::{error_for, FieldError};
use crate::components::labels::Label;
use crate::i18n::{td_string, use_i18n};
use domain::{AppError, Gender, OrgDto, ParticipantForm, Protection};

/// The municipalities an organisation serves, from the organisation list.
pub fn municipalities_of(orgs: Vec<OrgDto>, org_id: &str) -> Vec<String> {
    orgs.into_iter()
        .find(|o| o.id == org_id)
        .map(|o| o.municipalities)
        .unwrap_or_default()
}

/// The participant's own fields (`form[…]`), shared by registration and editing. Each field
/// shows the server's message for it and is marked invalid for assistive technology.
#[component]
pub fn ParticipantFields(
    initial: ParticipantForm,
    error: Signal<Option<AppError>>,
    munis: Vec<String>,
) -> impl IntoView {
    let err = move |field: &'static str| Signal::derive(move || error_for(error.get(), field));
    let invalid = move |field: &'static str| move || error_for(error.get(), field).map(|_| "true");
    let described = move |field: &'static str| {
        move || error_for(error.get(), field).map(|_| format!("err-{field}"))
    };
    let l = use_i18n().get_locale_untracked();
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
            <legend>{td_string!(l, cases.fields.identity)}</legend>
            <label for="p-first">{td_string!(l, cases.person.first_name)}</label>
            <input id="p-first" name="form[first_name]" required maxlength="200" autocomplete="off" value=first_name
                aria-invalid=invalid("first_name") aria-describedby=described("first_name")/>
            <FieldError id="err-first_name" message=err("first_name")/>
            <label for="p-last">{td_string!(l, cases.person.last_name)}</label>
            <input id="p-last" name="form[last_name]" required maxlength="200" autocomplete="off" value=last_name
                aria-invalid=invalid("last_name") aria-describedby=described("last_name")/>
            <FieldError id="err-last_name" message=err("last_name")/>
            <label for="p-pnr">{td_string!(l, cases.fields.personnummer)}</label>
            <input id="p-pnr" name="form[personnummer]" maxlength="20" autocomplete="off" spellcheck="false" value=personnummer
                aria-invalid=invalid("personnummer") aria-describedby=described("personnummer")/>
            <FieldError id="err-personnummer" message=err("personnummer")/>
            <label for="p-year">{td_string!(l, cases.fields.birth_year)}</label>
            <input id="p-year" name="form[birth_year]" type="number" min="1900" max="2100" step="1" inputmode="numeric" value=birth_year
                aria-invalid=invalid("birth_year") aria-describedby=described("birth_year")/>
            <FieldError id="err-birth_year" message=err("birth_year")/>
            <label for="p-gender">{td_string!(l, cases.person.gender)}</label>
            <select id="p-gender" name="form[gender]" required aria-invalid=invalid("gender") aria-describedby=described("gender")>
                <option value="" selected=gender.is_empty()>{td_string!(l, cases.fields.choose)}</option>
                {Gender::ALL
                    .into_iter()
                    .map(|g| view! { <option value=g.as_str() selected=gender == g.as_str()>{g.label_in(l)}</option> })
                    .collect_view()}
            </select>
            <FieldError id="err-gender" message=err("gender")/>
            <label for="p-muni">{td_string!(l, cases.person.municipality)}</label>
            {municipality_input(munis, municipality, invalid("municipality"), described("municipality"))}
            <FieldError id="err-municipality" message=err("municipality")/>
            <label for="p-prot">{td_string!(l, cases.person.protection)}</label>
            <select id="p-prot" name="form[protection]" aria-invalid=invalid("protection") aria-describedby=described("protection")>
                {Protection::ALL
                    .into_iter()
                    .map(|p| view! { <option value=p.as_str() selected=protection == p.as_str()>{p.label_in(l)}</option> })
                    .collect_view()}
            </select>
            <FieldError id="err-protection" message=err("protection")/>
            <p class="hint full">{td_string!(l, cases.fields.protection_hint)}</p>
        </fieldset>
        <fieldset class="form grid">
            <legend>{td_string!(l, cases.fields.contact)}</legend>
            <label for="p-phone">{td_string!(l, cases.person.phone)}</label>
            <input id="p-phone" name="form[phone]" type="tel" maxlength="40" autocomplete="off" value=phone
                aria-invalid=invalid("phone") aria-describedby=described("phone")/>
            <FieldError id="err-phone" message=err("phone")/>
            <label for="p-email">{td_string!(l, cases.person.email)}</label>
            <input id="p-email" name="form[email]" type="email" maxlength="200" autocomplete="off" value=email
                aria-invalid=invalid("email") aria-describedby=described("email")/>
            <FieldError id="err-email" message=err("email")/>
            <label for="p-address">{td_string!(l, cases.person.address)}</label>
            <input id="p-address" name="form[address]" maxlength="200" autocomplete="off" value=address
                aria-invalid=invalid("address") aria-describedby=described("address")/>
            <FieldError id="err-address" message=err("address")/>
        </fieldset>
        <fieldset class="form grid">
            <legend>{td_string!(l, cases.person.background)}</legend>
            <label for="p-bg">{td_string!(l, cases.fields.background_text)}</label>
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
