//! The start page: what the signed-in user's role is for, and where to go.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::{Me, Role};

#[component]
pub fn HomePage() -> impl IntoView {
    let me = expect_context::<Me>();
    let intro = match me.role {
        Role::CaseWorker => "Här ser du dina ärenden, planer och det som ska göras den här veckan.",
        Role::ProgramLead => "Här följer du verksamhetens ärenden, uppföljningar och resultat.",
        Role::Partner => "Här ser du deltagarna du stöttar, dina åtgärder och kontaktloggen.",
        Role::Police => "Här ser du hotbedömningar och skyddsåtgärder i de ärenden där du har rättslig grund.",
        Role::Auditor => "Här granskar du vem som har läst vad och varför, och brytglasåtkomster.",
        Role::Admin => "Här hanterar du organisationer och användarkonton. Ärendeinnehåll visas aldrig för administratörer.",
    };
    view! {
        <Title text="Start"/>
        <h1>{format!("Välkommen, {}", me.display_name)}</h1>
        <p class="lead" data-testid="role-intro">{intro}</p>
    }
}
