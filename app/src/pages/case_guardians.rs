//! `/arenden/:id/vardnadshavare`: a young person's guardians and parents — contact details,
//! custody and the guardians' consent — with the warning "Vårdnadshavares samtycke saknas"
//! while the person is under 18 and no consent is recorded. The owning team adds, changes and
//! removes guardians (removal after a question) and records consent; plain posts.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::cases::{get_case, BreakGlass};
use crate::api::guardian::{
    get_guardians, AddGuardian, RecordConsent, RemoveGuardian, UpdateGuardian,
};
use crate::components::case_frame::{case_frame_with, use_case_id, CaseHead};
use crate::components::common::{error_for, successes, FieldError};
use crate::components::forms::{busy, failure, ConfirmButton, Submit};
use crate::components::labels::Label;
use crate::i18n::{t, td_string, use_i18n};
use domain::guardian::{GuardianDto, GuardianRelation, GuardiansDto};
use domain::CaseView;

#[derive(Clone, Copy)]
struct Forms {
    add: ServerAction<AddGuardian>,
    update: ServerAction<UpdateGuardian>,
    remove: ServerAction<RemoveGuardian>,
    consent: ServerAction<RecordConsent>,
}

#[component]
pub fn GuardiansPage() -> impl IntoView {
    let case_id = use_case_id();
    let l = use_i18n().get_locale_untracked();
    let glass = ServerAction::<BreakGlass>::new();
    let forms = Forms {
        add: ServerAction::new(),
        update: ServerAction::new(),
        remove: ServerAction::new(),
        consent: ServerAction::new(),
    };
    let saved = (
        successes(forms.add),
        successes(forms.update),
        successes(forms.remove),
        successes(forms.consent),
    );
    let granted = successes(glass);
    let case = Resource::new(move || (case_id(), granted.get()), |(id, _)| get_case(id));
    let guardians = Resource::new(
        move || {
            (
                case_id(),
                granted.get(),
                saved.0.get(),
                saved.1.get(),
                saved.2.get(),
                saved.3.get(),
            )
        },
        |(id, ..)| get_guardians(id),
    );
    let load = move || async move { guardians.await };
    case_frame_with(
        td_string!(l, cases.guardians.title),
        case_id,
        glass,
        case,
        load,
        move |c, g| view! { <Guardians c g forms/> },
    )
}

#[component]
fn Guardians(c: CaseView, g: GuardiansDto, forms: Forms) -> impl IntoView {
    let case_id = c.case_id.clone();
    let can_edit = g.can_edit;
    let i18n = use_i18n();
    view! {
        <CaseHead c/>
        {g.consent_missing.then(|| view! {
            <p class="warning banner" role="status" data-testid="guardian-consent-missing">
                {t!(i18n, cases.guardians.consent_missing)}
            </p>
        })}
        <section class="card" aria-labelledby="gd-h">
            <h2 id="gd-h">{t!(i18n, cases.guardians.heading)}</h2>
            {failure(forms.remove)}
            {failure(forms.update)}
            {failure(forms.consent)}
            {if g.guardians.is_empty() {
                view! { <p class="empty">{t!(i18n, cases.guardians.none)}</p> }.into_any()
            } else {
                g.guardians.into_iter().map(|x| view! {
                    <Guardian g=x case_id=case_id.clone() can_edit forms/>
                }).collect_view().into_any()
            }}
        </section>
        {can_edit.then(|| view! { <NewGuardian case_id=case_id.clone() add=forms.add/> })}
    }
}

fn dash(s: &str) -> String {
    if s.is_empty() {
        "–".into()
    } else {
        s.to_string()
    }
}

#[component]
fn Guardian(g: GuardianDto, case_id: String, can_edit: bool, forms: Forms) -> impl IntoView {
    let remove_fields = vec![("case_id", case_id.clone()), ("guardian_id", g.id.clone())];
    let consent = g.consent.clone();
    let err = move |f: &str| {
        let f = f.to_string();
        Signal::derive(move || error_for(forms.consent.value().get().and_then(Result::err), &f))
    };
    let cid = format!("gc-{}", g.id);
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let edit = can_edit.then(|| {
        let (gid, name, filled) = (g.id.clone(), g.name.clone(), g.clone());
        let (case_a, case_b) = (case_id.clone(), case_id.clone());
        let (gid_a, gid_b) = (gid.clone(), gid.clone());
        let update_errors = Signal::derive(move || forms.update.value().get().and_then(Result::err));
        view! {
                <details>
                    <summary>{t!(i18n, cases.guardians.record_consent)}</summary>
                    <ActionForm action=forms.consent attr:class="form" attr:aria-busy=busy(forms.consent)>
                        <input type="hidden" name="case_id" value=case_a/>
                        <input type="hidden" name="guardian_id" value=gid_a/>
                        <label for=format!("{cid}-on")>{t!(i18n, cases.guardians.given_on)}</label>
                        <input id=format!("{cid}-on") name="given_on" type="date" required aria-describedby=format!("{cid}-on-err")/>
                        <FieldError id=format!("{cid}-on-err") message=err("given_on")/>
                        <label for=format!("{cid}-scope")>{t!(i18n, cases.guardians.scope)}</label>
                        <textarea id=format!("{cid}-scope") name="scope" rows="2" required maxlength="500" aria-describedby=format!("{cid}-scope-err")></textarea>
                        <FieldError id=format!("{cid}-scope-err") message=err("scope")/>
                        <Submit action=forms.consent class="primary">{t!(i18n, cases.guardians.save_consent)}</Submit>
                    </ActionForm>
                </details>
                <details>
                    <summary>{t!(i18n, cases.guardians.edit)}</summary>
                    <ActionForm action=forms.update attr:class="form" attr:aria-busy=busy(forms.update)>
                        <input type="hidden" name="case_id" value=case_b/>
                        <input type="hidden" name="guardian_id" value=gid_b/>
                        <GuardianFields prefix=format!("ge-{gid}") g=Some(filled) errors=update_errors/>
                        <Submit action=forms.update class="primary">{t!(i18n, cases.guardians.save_edit)}</Submit>
                    </ActionForm>
                </details>
                <ConfirmButton action=forms.remove fields=remove_fields label=td_string!(l, cases.guardians.remove) class="danger"
                    confirm=td_string!(l, cases.guardians.confirm_remove)
                    detail=format!(" {name}")/>
        }
    });
    view! {
        <article class="guardian" data-testid="guardian">
            <h3>{g.name.clone()}" "<span class="tag">{g.relation.label_in(l)}</span></h3>
            <dl class="facts">
                <dt>{t!(i18n, cases.guardians.custody)}</dt><dd>{if g.custody { td_string!(l, cases.guardians.yes) } else { td_string!(l, cases.guardians.no) }}</dd>
                <dt>{t!(i18n, cases.person.phone)}</dt><dd>{dash(&g.phone)}</dd>
                <dt>{t!(i18n, cases.person.email)}</dt><dd>{dash(&g.email)}</dd>
                <dt>{t!(i18n, cases.person.address)}</dt><dd>{dash(&g.address)}</dd>
                <dt>{t!(i18n, cases.guardians.consent)}</dt>
                <dd data-testid="guardian-consent">{match consent {
                    Some(c) => td_string!(l, cases.guardians.consent_given, date = c.given_on.to_string(), scope = c.scope, by = c.recorded_by).to_string(),
                    None => td_string!(l, cases.guardians.no_consent).to_string(),
                }}</dd>
            </dl>
            {edit}
        </article>
    }
}

/// The fields of a guardian, empty or filled with `g`.
#[component]
fn GuardianFields(
    prefix: String,
    g: Option<GuardianDto>,
    errors: Signal<Option<domain::AppError>>,
) -> impl IntoView {
    let err = move |f: &str| {
        let f = f.to_string();
        Signal::derive(move || error_for(errors.get(), &f))
    };
    let v = |f: fn(&GuardianDto) -> String| g.as_ref().map(f).unwrap_or_default();
    let relation = g.as_ref().map(|x| x.relation);
    let custody = g.as_ref().is_none_or(|x| x.custody);
    let id = |f: &str| format!("{prefix}-{f}");
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <label for=id("name")>{t!(i18n, cases.guardians.name)}</label>
        <input id=id("name") name="name" required maxlength="120" value=v(|x| x.name.clone()) aria-describedby=id("name-err")/>
        <FieldError id=id("name-err") message=err("name")/>
        <label for=id("relation")>{t!(i18n, cases.guardians.relation)}</label>
        <select id=id("relation") name="relation" required aria-describedby=id("relation-err")>
            {GuardianRelation::ALL.iter().map(|r| view! {
                <option value=r.as_str() selected=relation == Some(*r)>{r.label_in(l)}</option>
            }).collect_view()}
        </select>
        <FieldError id=id("relation-err") message=err("relation")/>
        <div class="check">
            <input id=id("custody") name="custody" type="checkbox" value="on" checked=custody/>
            <label for=id("custody")>{t!(i18n, cases.guardians.has_custody)}</label>
        </div>
        <label for=id("phone")>{t!(i18n, cases.person.phone)}</label>
        <input id=id("phone") name="phone" type="tel" value=v(|x| x.phone.clone()) aria-describedby=id("phone-err")/>
        <FieldError id=id("phone-err") message=err("phone")/>
        <label for=id("email")>{t!(i18n, cases.person.email)}</label>
        <input id=id("email") name="email" type="email" value=v(|x| x.email.clone()) aria-describedby=id("email-err")/>
        <FieldError id=id("email-err") message=err("email")/>
        <label for=id("address")>{t!(i18n, cases.person.address)}</label>
        <input id=id("address") name="address" maxlength="200" value=v(|x| x.address.clone()) aria-describedby=id("address-err")/>
        <FieldError id=id("address-err") message=err("address")/>
    }
}

#[component]
fn NewGuardian(case_id: String, add: ServerAction<AddGuardian>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="ng-h">
            <h2 id="ng-h">{t!(i18n, cases.guardians.add_heading)}</h2>
            {failure(add)}
            <ActionForm action=add attr:class="form" attr:data-testid="add-guardian" attr:aria-busy=busy(add)>
                <input type="hidden" name="case_id" value=case_id/>
                <GuardianFields prefix="gn".to_string() g=None errors=Signal::derive(move || add.value().get().and_then(Result::err))/>
                <Submit action=add class="primary">{t!(i18n, cases.guardians.add)}</Submit>
            </ActionForm>
        </section>
    }
}
