//! `/arenden/:id/samtycken`: the consent and legal-basis ledger of a case. Entries are never
//! edited; a consent is added and later revoked or left to expire, and the history stays.
//! Revocation takes effect on the recipient's very next request.

use chrono::Utc;
use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::cases::{get_case, BreakGlass};
use crate::api::consent::{list_consents, AddConsent, RevokeConsent};
use crate::api::orgs::list_orgs;
use crate::components::case_frame::{case_frame_with, use_case_id, CaseHead};
use crate::components::common::{error_for, successes, sv_date, FieldError};
use crate::components::forms::{busy, ConfirmButton, Submit};
use crate::components::labels::Label;
use crate::components::ui::{ActionStatus, DataTable, ErrorBox};
use crate::i18n::{t, td_string, use_i18n, Locale};
use domain::{Category, ConsentDto, Me, OrgDto};

#[component]
pub fn ConsentsPage() -> impl IntoView {
    let case_id = use_case_id();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let add = ServerAction::<AddConsent>::new();
    let revoke = ServerAction::<RevokeConsent>::new();
    let glass = ServerAction::<BreakGlass>::new();
    let (added, revoked, granted) = (successes(add), successes(revoke), successes(glass));
    let case = Resource::new(move || (case_id(), granted.get()), |(id, _)| get_case(id));
    let consents = Resource::new(
        move || (case_id(), added.get(), revoked.get()),
        |(id, ..)| list_consents(id),
    );
    let orgs = Resource::new(|| (), |_| list_orgs());
    // The ledger is for the owning team; the page answers anyone else itself.
    let load = move || async move { Ok((consents.await, orgs.await.unwrap_or_default())) };
    case_frame_with(
        td_string!(l, cases.consents.title),
        case_id,
        glass,
        case,
        load,
        move |c, (list, orgs)| {
            let ledger = match list {
                _ if !c.can_edit => view! {
                    <p class="hint">{t!(i18n, cases.consents.not_team)}</p>
                }
                .into_any(),
                Ok(list) => view! {
                    <Ledger list revoke case_id=c.case_id.clone()/>
                    <AddForm case_id=c.case_id.clone() orgs add/>
                }
                .into_any(),
                Err(e) => view! { <ErrorBox error=e/> }.into_any(),
            };
            view! {
                <CaseHead c/>
                {ledger}
            }
        },
    )
}

/// A consent's state as words (in `l`), with its class.
fn state_of(c: &ConsentDto, l: Locale) -> (&'static str, &'static str) {
    if c.revoked_at.is_some() {
        (td_string!(l, cases.consents.state.revoked), "revoked")
    } else if c.active {
        (td_string!(l, cases.consents.state.active), "active")
    } else if c.valid_from > domain::time::swedish_date(Utc::now()) {
        (td_string!(l, cases.consents.state.pending), "pending")
    } else {
        (td_string!(l, cases.consents.state.expired), "expired")
    }
}

#[component]
fn Ledger(
    list: Vec<ConsentDto>,
    revoke: ServerAction<RevokeConsent>,
    case_id: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <section class="card" aria-labelledby="ledger-h">
            <h2 id="ledger-h">{t!(i18n, cases.consents.title)}</h2>
            <ActionStatus value=move || revoke.value().get() ok=td_string!(l, cases.consents.revoked)/>
            <DataTable rows=list caption=td_string!(l, cases.consents.caption) testid="consents"
                empty=td_string!(l, cases.consents.empty) empty_testid="consents-empty"
                columns=vec![
                    td_string!(l, cases.consents.col.recipient),
                    td_string!(l, cases.consents.col.categories),
                    td_string!(l, cases.consents.col.basis),
                    td_string!(l, cases.consents.col.valid_from),
                    td_string!(l, cases.consents.col.valid_until),
                    td_string!(l, cases.consents.col.status),
                    td_string!(l, cases.consents.col.recorded_by),
                ]
                action_column=true
                row=move |c| {
                    let (state, class) = state_of(&c, l);
                    let revocable = c.revoked_at.is_none() && class != "expired";
                    let cats = c.categories.iter().map(|x| x.label_in(l)).collect::<Vec<_>>().join(", ");
                    let basis = if c.basis == "samtycke" {
                        td_string!(l, cases.consents.basis_consent).to_string()
                    } else {
                        td_string!(l, cases.consents.basis_law, provision = c.basis.clone()).to_string()
                    };
                    let fields = vec![("case_id", case_id.clone()), ("consent_id", c.id.clone())];
                    view! {
                        <tr data-consent-id=c.id.clone()>
                            <td>{c.recipient_org.clone()}</td>
                            <td>{cats}</td>
                            <td>{basis}</td>
                            <td>{c.valid_from.format("%Y-%m-%d").to_string()}</td>
                            <td>{c.valid_until.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| td_string!(l, cases.consents.until_further).into())}</td>
                            <td>
                                <span class=format!("tag consent-{class}")>{state}</span>
                                {c.revoked_at.map(|t| view! { <span class="hint">{format!(" {}", sv_date(t))}</span> })}
                            </td>
                            <td>{c.recorded_by.clone()}</td>
                            <td>
                                {revocable.then(|| view! {
                                    <ConfirmButton action=revoke fields label=td_string!(l, cases.consents.revoke) class="danger"
                                        confirm=td_string!(l, cases.consents.confirm_revoke)
                                        detail=format!(" {}", td_string!(l, cases.consents.revoke_detail, org = c.recipient_org.clone()))/>
                                })}
                            </td>
                        </tr>
                    }
                }/>
        </section>
    }
}

#[component]
fn AddForm(case_id: String, orgs: Vec<OrgDto>, add: ServerAction<AddConsent>) -> impl IntoView {
    let me = expect_context::<Me>();
    let recipients: Vec<OrgDto> = orgs
        .into_iter()
        .filter(|o| o.active && o.id != me.org_id)
        .collect();
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let err = move |field: &'static str| Signal::derive(move || error_for(error.get(), field));
    let described = move |field: &'static str| {
        move || error_for(error.get(), field).map(|_| format!("err-{field}"))
    };
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <section class="card" aria-labelledby="add-consent-h">
            <h2 id="add-consent-h">{t!(i18n, cases.consents.add.heading)}</h2>
            <p class="hint">
                {t!(i18n, cases.consents.add.hint)}
            </p>
            {move || error.get().map(|e| view! { <ErrorBox error=e/> })}
            <ActionForm action=add attr:class="form" attr:data-testid="add-consent" attr:aria-busy=busy(add)>
                <input type="hidden" name="case_id" value=case_id/>
                <div class="form grid">
                    <label for="c-org">{t!(i18n, cases.consents.add.recipient)}</label>
                    <select id="c-org" name="recipient_org" required aria-describedby=described("recipient_org")>
                        <option value="">{t!(i18n, cases.consents.add.choose)}</option>
                        {recipients.into_iter().map(|o| view! { <option value=o.id.clone()>{o.name.clone()}</option> }).collect_view()}
                    </select>
                    <FieldError id="err-recipient_org" message=err("recipient_org")/>
                </div>
                <fieldset aria-describedby=described("categories")>
                    <legend>{t!(i18n, cases.consents.add.categories)}</legend>
                    <div class="checks">
                        {Category::ALL
                            .into_iter()
                            .enumerate()
                            .map(|(i, cat)| view! {
                                <label class="check">
                                    <input type="checkbox" name=format!("categories[{i}]") value=cat.as_str()/>
                                    {cat.label_in(l)}
                                </label>
                            })
                            .collect_view()}
                    </div>
                    <FieldError id="err-categories" message=err("categories")/>
                </fieldset>
                <fieldset aria-describedby=described("basis")>
                    <legend>{t!(i18n, cases.consents.add.basis)}</legend>
                    <label class="check"><input type="radio" name="basis" value="samtycke" checked=true/>{t!(i18n, cases.consents.add.basis_consent)}</label>
                    <label class="check"><input type="radio" name="basis" value="lag"/>{t!(i18n, cases.consents.add.basis_law)}</label>
                    <FieldError id="err-basis" message=err("basis")/>
                    <label for="c-provision">{t!(i18n, cases.consents.add.provision)}</label>
                    <input id="c-provision" name="provision" maxlength="120" placeholder=td_string!(l, cases.consents.add.provision_placeholder) aria-describedby=described("provision")/>
                    <FieldError id="err-provision" message=err("provision")/>
                </fieldset>
                <div class="form grid">
                    <label for="c-from">{t!(i18n, cases.consents.add.valid_from)}</label>
                    <input id="c-from" name="valid_from" type="date" aria-describedby=described("valid_from")/>
                    <FieldError id="err-valid_from" message=err("valid_from")/>
                    <label for="c-until">{t!(i18n, cases.consents.add.valid_until)}</label>
                    <input id="c-until" name="valid_until" type="date" aria-describedby=described("valid_until")/>
                    <FieldError id="err-valid_until" message=err("valid_until")/>
                </div>
                <Submit action=add class="primary">{t!(i18n, cases.consents.add.submit)}</Submit>
            </ActionForm>
            <ActionStatus value=move || add.value().get().filter(Result::is_ok) ok=td_string!(l, cases.consents.add.added)/>
        </section>
    }
}
