//! `/arenden/:id/boende`: housing and occupation periods, the current one marked. A new period
//! ends the one before it.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::cases::{get_case, BreakGlass};
use crate::api::casework::{get_living, AddHousing, AddOccupation};
use crate::components::case_frame::{case_frame_with, use_case_id, CaseHead};
use crate::components::common::{date_or_dash, shown, successes};
use crate::components::forms::{busy, failure, Submit};
use crate::components::ui::DataTable;
use domain::casework::{HousingType, LivingDto, OccupationType};
use domain::CaseView;

#[component]
pub fn LivingPage() -> impl IntoView {
    let case_id = use_case_id();
    let glass = ServerAction::<BreakGlass>::new();
    let housing = ServerAction::<AddHousing>::new();
    let occupation = ServerAction::<AddOccupation>::new();
    let (h_saved, o_saved, granted) = (successes(housing), successes(occupation), successes(glass));
    let case = Resource::new(move || (case_id(), granted.get()), |(id, _)| get_case(id));
    let living = Resource::new(
        move || (case_id(), granted.get(), h_saved.get(), o_saved.get()),
        |(id, ..)| get_living(id),
    );
    case_frame_with(
        "Boende och sysselsättning",
        case_id,
        glass,
        case,
        move || async move { living.await },
        move |c, l| view! { <Living c l housing occupation/> },
    )
}

/// The marker of the period that is going on now.
fn current_tag(current: bool) -> impl IntoView {
    current.then(|| view! { " "<span class="tag current-tag">"Nuvarande"</span> })
}

#[component]
fn Living(
    c: CaseView,
    l: LivingDto,
    housing: ServerAction<AddHousing>,
    occupation: ServerAction<AddOccupation>,
) -> impl IntoView {
    let case_id = c.case_id.clone();
    view! {
        <CaseHead c=c.clone()/>
        <h2 class="page-title">"Boende och sysselsättning"</h2>
        <section class="card" aria-labelledby="housing-h">
            <h2 id="housing-h">"Boende"</h2>
            <DataTable rows=l.housing.clone() caption="Boendeperioder, senaste först" testid="housing" scroll=true
                empty="Inget boende registrerat."
                columns=vec!["Boendeform", "Adress", "Från", "Till"]
                row=|h| {
                    let current = h.to.is_none();
                    view! {
                        <tr class:current=current aria-current=current.then_some("true")>
                            <td>{h.kind.label()}{current_tag(current)}</td>
                            <td>{shown(&h.address)}</td>
                            <td class="nowrap">{h.from.format("%Y-%m-%d").to_string()}</td>
                            <td class="nowrap">{date_or_dash(h.to)}</td>
                        </tr>
                    }
                }/>
        </section>
        <section class="card" aria-labelledby="occupation-h">
            <h2 id="occupation-h">"Sysselsättning"</h2>
            <DataTable rows=l.occupation.clone() caption="Sysselsättningsperioder, senaste först" testid="occupation" scroll=true
                empty="Ingen sysselsättning registrerad."
                columns=vec!["Sysselsättning", "Från", "Till", "Utfall"]
                row=|o| {
                    let current = o.to.is_none();
                    view! {
                        <tr class:current=current aria-current=current.then_some("true")>
                            <td>{o.kind.label()}{current_tag(current)}</td>
                            <td class="nowrap">{o.from.format("%Y-%m-%d").to_string()}</td>
                            <td class="nowrap">{date_or_dash(o.to)}</td>
                            <td>{if o.outcome.is_empty() { "–".to_string() } else { o.outcome.clone() }}</td>
                        </tr>
                    }
                }/>
        </section>
        {l.can_edit.then(|| { let cid0 = case_id.clone(); let cid1 = case_id.clone(); view! {
            <div class="columns">
                <section class="card" aria-labelledby="new-housing-h">
                    <h2 id="new-housing-h">"Nytt boende"</h2>
                    {failure(housing)}
                    <ActionForm action=housing attr:class="form" attr:data-testid="add-housing" attr:aria-busy=busy(housing)>
                        <input type="hidden" name="case_id" value=cid0/>
                        <label for="h-kind">"Boendeform"</label>
                        <select id="h-kind" name="kind" required>
                            {HousingType::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                        </select>
                        <label for="h-address">"Adress"</label>
                        <input id="h-address" name="address" maxlength="300" autocomplete="off" aria-describedby="h-address-hint"/>
                        <p id="h-address-hint" class="hint">"Adressen krypteras och visas bara för dem som har behov av den."</p>
                        <label for="h-from">"Från"</label>
                        <input id="h-from" name="from" type="date" required/>
                        <Submit action=housing class="primary">"Spara boende"</Submit>
                    </ActionForm>
                    {move || housing.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">"Boendet är sparat."</p> })}
                </section>
                <section class="card" aria-labelledby="new-occupation-h">
                    <h2 id="new-occupation-h">"Ny sysselsättning"</h2>
                    {failure(occupation)}
                    <ActionForm action=occupation attr:class="form" attr:data-testid="add-occupation" attr:aria-busy=busy(occupation)>
                        <input type="hidden" name="case_id" value=cid1/>
                        <label for="o-kind">"Sysselsättning"</label>
                        <select id="o-kind" name="kind" required>
                            {OccupationType::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                        </select>
                        <label for="o-from">"Från"</label>
                        <input id="o-from" name="from" type="date" required/>
                        <label for="o-outcome">"Utfall"</label>
                        <input id="o-outcome" name="outcome" maxlength="300" autocomplete="off"/>
                        <Submit action=occupation class="primary">"Spara sysselsättning"</Submit>
                    </ActionForm>
                    {move || occupation.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">"Sysselsättningen är sparad."</p> })}
                </section>
            </div>
        }})}
    }
}
