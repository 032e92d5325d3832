//! The case overview's parts about young people: the warning that the guardians' consent is
//! missing (a person under 18) and, for the owning unit's group workers only, the SSPF groups
//! the case is linked to. Both come with the overview's own read (`CaseSummary`), so the page
//! leaves its one entry; for everyone else the group list is empty and nothing is shown.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{t, td_string, use_i18n};
use domain::casework::CaseSummary;

#[component]
pub fn CaseYouth(s: CaseSummary, case_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let warning = s.guardian_consent_missing.then(|| {
        let href = format!("/arenden/{case_id}/vardnadshavare");
        let link = move |children: ChildrenFn| view! { <A href=href.clone()>{children()}</A> };
        view! {
            <p class="warning banner" role="status" data-testid="guardian-consent-missing">
                {t!(i18n, cases.youth.consent_missing, <a> = link)}
            </p>
        }
    });
    let groups = (!s.groups.is_empty()).then(|| {
        view! {
            <section class="card" aria-labelledby="sspf-h" data-testid="case-groups">
                <h2 id="sspf-h">{t!(i18n, cases.youth.groups)}</h2>
                <ul>
                    {s.groups.into_iter().map(|g| {
                        let period = match g.to {
                            Some(t) => format!("{} – {}", g.from, t),
                            None => td_string!(l, cases.youth.from, date = g.from.to_string()).to_string(),
                        };
                        view! {
                            <li>
                                <A href=format!("/grupper/{}", g.group_id)>{g.name}</A>
                                {format!(" ({period})")}
                                {(!g.current).then(|| view! { " "<span class="tag">{td_string!(l, cases.youth.ended)}</span> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
    });
    view! { {warning}{groups} }
}
