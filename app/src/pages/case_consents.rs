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
use crate::components::ui::{ActionStatus, DataTable, ErrorBox};
use domain::{Category, ConsentDto, Me, OrgDto};

#[component]
pub fn ConsentsPage() -> impl IntoView {
    let case_id = use_case_id();
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
        "Samtycken och lagstöd",
        case_id,
        glass,
        case,
        load,
        move |c, (list, orgs)| {
            let ledger = match list {
                _ if !c.can_edit => view! {
                    <p class="hint">"Bara ärendeteamet i den ansvariga organisationen kan se och ändra samtyckena."</p>
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

/// A consent's state as words.
fn state_of(c: &ConsentDto) -> (&'static str, &'static str) {
    if c.revoked_at.is_some() {
        ("Återkallat", "revoked")
    } else if c.active {
        ("Aktivt", "active")
    } else if c.valid_from > domain::time::swedish_date(Utc::now()) {
        ("Ej börjat gälla", "pending")
    } else {
        ("Utgånget", "expired")
    }
}

#[component]
fn Ledger(
    list: Vec<ConsentDto>,
    revoke: ServerAction<RevokeConsent>,
    case_id: String,
) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="ledger-h">
            <h2 id="ledger-h">"Samtycken och lagstöd"</h2>
            <ActionStatus value=move || revoke.value().get() ok="Samtycket är återkallat. Det gäller från och med nu."/>
            <DataTable rows=list caption="Samtycken och lagstöd, senast registrerade först" testid="consents"
                empty="Inga samtycken eller beslut om lagstöd är registrerade." empty_testid="consents-empty"
                columns=vec!["Mottagare", "Uppgifter", "Grund", "Giltigt från", "Giltigt till", "Status", "Registrerat av"]
                action_column=true
                row=move |c| {
                    let (state, class) = state_of(&c);
                    let revocable = c.revoked_at.is_none() && class != "expired";
                    let cats = c.categories.iter().map(|x| x.label()).collect::<Vec<_>>().join(", ");
                    let basis = if c.basis == "samtycke" { "Samtycke".to_string() } else { format!("Lagstöd: {}", c.basis) };
                    let fields = vec![("case_id", case_id.clone()), ("consent_id", c.id.clone())];
                    view! {
                        <tr data-consent-id=c.id.clone()>
                            <td>{c.recipient_org.clone()}</td>
                            <td>{cats}</td>
                            <td>{basis}</td>
                            <td>{c.valid_from.format("%Y-%m-%d").to_string()}</td>
                            <td>{c.valid_until.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "Tills vidare".into())}</td>
                            <td>
                                <span class=format!("tag consent-{class}")>{state}</span>
                                {c.revoked_at.map(|t| view! { <span class="hint">{format!(" {}", sv_date(t))}</span> })}
                            </td>
                            <td>{c.recorded_by.clone()}</td>
                            <td>
                                {revocable.then(|| view! {
                                    <ConfirmButton action=revoke fields label="Återkalla" class="danger"
                                        confirm="Vill du återkalla samtycket? Mottagaren förlorar åtkomsten direkt."
                                        detail=format!(" samtycket för {}", c.recipient_org)/>
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
    view! {
        <section class="card" aria-labelledby="add-consent-h">
            <h2 id="add-consent-h">"Registrera samtycke eller lagstöd"</h2>
            <p class="hint">
                "Välj bara de uppgifter mottagaren behöver. Adress och vistelseort för en person med skyddade personuppgifter lämnas aldrig ut enbart på grund av samtycke."
            </p>
            {move || error.get().map(|e| view! { <ErrorBox error=e/> })}
            <ActionForm action=add attr:class="form" attr:data-testid="add-consent" attr:aria-busy=busy(add)>
                <input type="hidden" name="case_id" value=case_id/>
                <div class="form grid">
                    <label for="c-org">"Mottagande organisation"</label>
                    <select id="c-org" name="recipient_org" required aria-describedby=described("recipient_org")>
                        <option value="">"Välj…"</option>
                        {recipients.into_iter().map(|o| view! { <option value=o.id.clone()>{o.name.clone()}</option> }).collect_view()}
                    </select>
                    <FieldError id="err-recipient_org" message=err("recipient_org")/>
                </div>
                <fieldset aria-describedby=described("categories")>
                    <legend>"Uppgifter som får lämnas ut"</legend>
                    <div class="checks">
                        {Category::ALL
                            .into_iter()
                            .enumerate()
                            .map(|(i, cat)| view! {
                                <label class="check">
                                    <input type="checkbox" name=format!("categories[{i}]") value=cat.as_str()/>
                                    {cat.label()}
                                </label>
                            })
                            .collect_view()}
                    </div>
                    <FieldError id="err-categories" message=err("categories")/>
                </fieldset>
                <fieldset aria-describedby=described("basis")>
                    <legend>"Grund"</legend>
                    <label class="check"><input type="radio" name="basis" value="samtycke" checked=true/>"Samtycke från deltagaren"</label>
                    <label class="check"><input type="radio" name="basis" value="lag"/>"Lagstöd (ange lagrum)"</label>
                    <FieldError id="err-basis" message=err("basis")/>
                    <label for="c-provision">"Lagrum vid lagstöd"</label>
                    <input id="c-provision" name="provision" maxlength="120" placeholder="t.ex. OSL 10 kap. 18 b §" aria-describedby=described("provision")/>
                    <FieldError id="err-provision" message=err("provision")/>
                </fieldset>
                <div class="form grid">
                    <label for="c-from">"Giltigt från (tomt = från i dag)"</label>
                    <input id="c-from" name="valid_from" type="date" aria-describedby=described("valid_from")/>
                    <FieldError id="err-valid_from" message=err("valid_from")/>
                    <label for="c-until">"Giltigt till (tomt = tills vidare)"</label>
                    <input id="c-until" name="valid_until" type="date" aria-describedby=described("valid_until")/>
                    <FieldError id="err-valid_until" message=err("valid_until")/>
                </div>
                <Submit action=add class="primary">"Registrera"</Submit>
            </ActionForm>
            <ActionStatus value=move || add.value().get().filter(Result::is_ok) ok="Samtycket är registrerat."/>
        </section>
    }
}
