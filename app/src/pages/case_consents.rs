//! `/arenden/:id/samtycken`: the consent and legal-basis ledger of a case. Entries are never
//! edited; a consent is added and later revoked or left to expire, and the history stays.
//! Revocation takes effect on the recipient's very next request.

use chrono::Utc;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::admin::list_orgs;
use crate::api::cases::{get_case, BreakGlass};
use crate::api::consent::{list_consents, AddConsent, RevokeConsent};
use crate::components::ui::{ActionStatus, ErrorBox};
use crate::pages::case::{case_heading, is_no_access, use_case_id, AccessDenied};
use crate::pages::casework::CaseworkTabs;
use crate::pages::common::{error_for, successes, sv_date, FieldError};
use domain::{CaseView, Category, ConsentDto, Me, OrgDto};

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
    view! {
        <Title text="Samtycken och lagstöd"/>
        <Transition fallback=|| view! { <p class="loading">"Laddar…"</p> }>
            {move || {
                let id = case_id();
                Suspend::new(async move {
                    match case.await {
                        Ok(c) => view! { <Header c/> }.into_any(),
                        Err(e) if is_no_access(&e) => view! { <AccessDenied case_id=id glass/> }.into_any(),
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Transition>
        <Transition fallback=|| ()>
            {move || {
                let id = case_id();
                Suspend::new(async move {
                    // The ledger is for the owning team; others have already been told above.
                    match (case.await, consents.await, orgs.await) {
                        (Ok(c), Ok(list), orgs) if c.can_edit => view! {
                            <Ledger list revoke case_id=id.clone()/>
                            <AddForm case_id=id orgs=orgs.unwrap_or_default() add/>
                        }
                        .into_any(),
                        (Ok(c), _, _) if !c.can_edit => view! {
                            <p class="hint">"Bara ärendeteamet i den ansvariga organisationen kan se och ändra samtyckena."</p>
                        }
                        .into_any(),
                        (Ok(_), Err(e), _) => view! { <ErrorBox error=e/> }.into_any(),
                        _ => ().into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn Header(c: CaseView) -> impl IntoView {
    view! {
        {case_heading(&c)}
        <CaseworkTabs c=c.clone()/>
    }
}

/// A consent's state as words.
fn state_of(c: &ConsentDto) -> (&'static str, &'static str) {
    if c.revoked_at.is_some() {
        ("Återkallat", "revoked")
    } else if c.active {
        ("Aktivt", "active")
    } else if c.valid_from > Utc::now().date_naive() {
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
            {if list.is_empty() {
                view! { <p class="empty" data-testid="consents-empty">"Inga samtycken eller beslut om lagstöd är registrerade."</p> }.into_any()
            } else {
                view! {
                    <table class="list" data-testid="consents">
                        <caption class="visually-hidden">"Samtycken och lagstöd, senast registrerade först"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Mottagare"</th>
                                <th scope="col">"Uppgifter"</th>
                                <th scope="col">"Grund"</th>
                                <th scope="col">"Giltigt från"</th>
                                <th scope="col">"Giltigt till"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Registrerat av"</th>
                                <th scope="col"><span class="visually-hidden">"Åtgärd"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|c| {
                                let (state, class) = state_of(&c);
                                let revocable = c.revoked_at.is_none() && class != "expired";
                                let cats = c.categories.iter().map(|x| x.label()).collect::<Vec<_>>().join(", ");
                                let basis = if c.basis == "samtycke" { "Samtycke".to_string() } else { format!("Lagstöd: {}", c.basis) };
                                let case_id = case_id.clone();
                                let consent_id = c.id.clone();
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
                                                <ActionForm action=revoke attr:class="inline"
                                                    attr:onsubmit="return confirm('Vill du återkalla samtycket? Mottagaren förlorar åtkomsten direkt.')">
                                                    <input type="hidden" name="case_id" value=case_id/>
                                                    <input type="hidden" name="consent_id" value=consent_id/>
                                                    <button type="submit" class="danger">
                                                        "Återkalla"<span class="visually-hidden">{format!(" samtycket för {}", c.recipient_org)}</span>
                                                    </button>
                                                </ActionForm>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }
                .into_any()
            }}
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
            <ActionForm action=add attr:class="form" attr:data-testid="add-consent">
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
                <button type="submit" class="primary">"Registrera"</button>
            </ActionForm>
            <ActionStatus value=move || add.value().get().filter(Result::is_ok) ok="Samtycket är registrerat."/>
        </section>
    }
}
