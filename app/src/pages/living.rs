//! `/arenden/:id/boende`: housing and occupation periods, the current one marked. A new period
//! ends the one before it.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::cases::{get_case, BreakGlass};
use crate::api::casework::{get_living, AddHousing, AddOccupation};
use crate::components::case_frame::{case_frame_with, use_case_id, CaseHead};
use crate::components::common::{date_or_dash, shown, successes};
use crate::components::forms::{busy, failure, Submit};
use crate::components::labels::Label;
use crate::components::ui::DataTable;
use crate::i18n::{t, td_string, use_i18n, Locale};
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
    let l = use_i18n().get_locale_untracked();
    case_frame_with(
        td_string!(l, casework.living.title),
        case_id,
        glass,
        case,
        move || async move { living.await },
        move |c, l| view! { <Living c l housing occupation/> },
    )
}

/// The marker of the period that is going on now.
fn current_tag(current: bool, l: Locale) -> impl IntoView {
    current.then(|| view! { " "<span class="tag current-tag">{td_string!(l, casework.living.current)}</span> })
}

#[component]
fn Living(
    c: CaseView,
    l: LivingDto,
    housing: ServerAction<AddHousing>,
    occupation: ServerAction<AddOccupation>,
) -> impl IntoView {
    let case_id = c.case_id.clone();
    let i18n = use_i18n();
    let lc = i18n.get_locale_untracked();
    view! {
        <CaseHead c=c.clone()/>
        <h2 class="page-title">{t!(i18n, casework.living.heading)}</h2>
        <section class="card" aria-labelledby="housing-h">
            <h2 id="housing-h">{t!(i18n, casework.living.housing.heading)}</h2>
            <DataTable rows=l.housing.clone() caption=td_string!(lc, casework.living.housing.caption) testid="housing" scroll=true
                empty=td_string!(lc, casework.living.housing.empty)
                columns=vec![
                    td_string!(lc, casework.living.housing.kind),
                    td_string!(lc, casework.living.housing.address),
                    td_string!(lc, casework.living.housing.from),
                    td_string!(lc, casework.living.housing.to),
                ]
                row=move |h| {
                    let current = h.to.is_none();
                    view! {
                        <tr class:current=current aria-current=current.then_some("true")>
                            <td>{h.kind.label_in(lc)}{current_tag(current, lc)}</td>
                            <td>{shown(&h.address)}</td>
                            <td class="nowrap">{h.from.format("%Y-%m-%d").to_string()}</td>
                            <td class="nowrap">{date_or_dash(h.to)}</td>
                        </tr>
                    }
                }/>
        </section>
        <section class="card" aria-labelledby="occupation-h">
            <h2 id="occupation-h">{t!(i18n, casework.living.occupation.heading)}</h2>
            <DataTable rows=l.occupation.clone() caption=td_string!(lc, casework.living.occupation.caption) testid="occupation" scroll=true
                empty=td_string!(lc, casework.living.occupation.empty)
                columns=vec![
                    td_string!(lc, casework.living.occupation.kind),
                    td_string!(lc, casework.living.occupation.from),
                    td_string!(lc, casework.living.occupation.to),
                    td_string!(lc, casework.living.occupation.outcome),
                ]
                row=move |o| {
                    let current = o.to.is_none();
                    view! {
                        <tr class:current=current aria-current=current.then_some("true")>
                            <td>{o.kind.label_in(lc)}{current_tag(current, lc)}</td>
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
                    <h2 id="new-housing-h">{t!(i18n, casework.living.new_housing.heading)}</h2>
                    {failure(housing)}
                    <ActionForm action=housing attr:class="form" attr:data-testid="add-housing" attr:aria-busy=busy(housing)>
                        <input type="hidden" name="case_id" value=cid0/>
                        <label for="h-kind">{t!(i18n, casework.living.new_housing.kind)}</label>
                        <select id="h-kind" name="kind" required>
                            {HousingType::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label_in(lc)}</option> }).collect_view()}
                        </select>
                        <label for="h-address">{t!(i18n, casework.living.new_housing.address)}</label>
                        <input id="h-address" name="address" maxlength="300" autocomplete="off" aria-describedby="h-address-hint"/>
                        <p id="h-address-hint" class="hint">{t!(i18n, casework.living.new_housing.address_hint)}</p>
                        <label for="h-from">{t!(i18n, casework.living.new_housing.from)}</label>
                        <input id="h-from" name="from" type="date" required/>
                        <Submit action=housing class="primary">{t!(i18n, casework.living.new_housing.submit)}</Submit>
                    </ActionForm>
                    {move || housing.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">{t!(i18n, casework.living.new_housing.saved)}</p> })}
                </section>
                <section class="card" aria-labelledby="new-occupation-h">
                    <h2 id="new-occupation-h">{t!(i18n, casework.living.new_occupation.heading)}</h2>
                    {failure(occupation)}
                    <ActionForm action=occupation attr:class="form" attr:data-testid="add-occupation" attr:aria-busy=busy(occupation)>
                        <input type="hidden" name="case_id" value=cid1/>
                        <label for="o-kind">{t!(i18n, casework.living.new_occupation.kind)}</label>
                        <select id="o-kind" name="kind" required>
                            {OccupationType::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label_in(lc)}</option> }).collect_view()}
                        </select>
                        <label for="o-from">{t!(i18n, casework.living.new_occupation.from)}</label>
                        <input id="o-from" name="from" type="date" required/>
                        <label for="o-outcome">{t!(i18n, casework.living.new_occupation.outcome)}</label>
                        <input id="o-outcome" name="outcome" maxlength="300" autocomplete="off"/>
                        <Submit action=occupation class="primary">{t!(i18n, casework.living.new_occupation.submit)}</Submit>
                    </ActionForm>
                    {move || occupation.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">{t!(i18n, casework.living.new_occupation.saved)}</p> })}
                </section>
            </div>
        }})}
    }
}
