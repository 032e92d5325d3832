//! The case overview's parts about young people: the warning that the guardians' consent is
//! missing (a person under 18) and, for the owning unit's group workers only, the SSPF groups
//! the case is linked to. Both come with the overview's own read (`CaseSummary`), so the page
//! leaves its one entry; for everyone else the group list is empty and nothing is shown.

use leptos::prelude::*;
use leptos_router::components::A;

use domain::casework::CaseSummary;

#[component]
pub fn CaseYouth(s: CaseSummary, case_id: String) -> impl IntoView {
    let warning = s.guardian_consent_missing.then(|| {
        view! {
            <p class="warning banner" role="status" data-testid="guardian-consent-missing">
                "Vårdnadshavares samtycke saknas. "
                <A href=format!("/arenden/{case_id}/vardnadshavare")>"Registrera samtycket under Vårdnadshavare"</A>
            </p>
        }
    });
    let groups = (!s.groups.is_empty()).then(|| {
        view! {
            <section class="card" aria-labelledby="sspf-h" data-testid="case-groups">
                <h2 id="sspf-h">"SSPF-grupper"</h2>
                <ul>
                    {s.groups.into_iter().map(|g| {
                        let period = match g.to {
                            Some(t) => format!("{} – {}", g.from, t),
                            None => format!("från {}", g.from),
                        };
                        view! {
                            <li>
                                <A href=format!("/grupper/{}", g.group_id)>{g.name}</A>
                                {format!(" ({period})")}
                                {(!g.current).then(|| view! { " "<span class="tag">"Avslutad"</span> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
    });
    view! { {warning}{groups} }
}
