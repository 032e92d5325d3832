//! The HTML shell, the router and the signed-in layout.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::language::LanguageProvider;
use crate::components::layout::Layout;
use crate::pages::inbox::InboxPage;
use crate::pages::{
    admin, admin_shred::ShredPage, audit, case::CasePage, case_consents::ConsentsPage,
    case_edit::EditCasePage, case_new::NewCasePage, case_team::TeamPage, cases::CasesPage,
    home::HomePage, login::LoginPage, not_found::NotFound, outcomes,
};
use crate::pages::{
    contact::ContactPage, extract::ExtractPage, living::LivingPage, notes::NotesPage,
    plan::PlanPage, plan::PlanPrintPage, safety::SafetyPage, timeline::TimelinePage,
};
use crate::pages::{situation, situation_print};

/// The document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="referrer" content="same-origin"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Whole pages render before the first byte is sent, so a missing session redirects with a
    // real HTTP redirect and pages read completely without JavaScript.
    let ssr = SsrMode::Async;
    view! {
        <Stylesheet id="utvag" href="/pkg/utvag.css"/>
        <Title formatter=|t: String| if t.is_empty() { "Utväg".to_string() } else { format!("{t} – Utväg") }/>
        <LanguageProvider>
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/logga-in") view=LoginPage ssr=ssr.clone()/>
                <Route path=path!("/logga-in/kod") view=crate::pages::totp::SecondFactorPage ssr=ssr.clone()/>
                <Route path=path!("/logga-in/aktivera") view=crate::pages::totp::EnrolPage ssr=ssr.clone()/>
                <Route path=path!("/logga-in/aterstallt") view=crate::pages::totp::ResetNoticePage ssr=ssr.clone()/>
                <ParentRoute path=path!("") view=Layout ssr=ssr.clone()>
                    <Route path=path!("") view=HomePage ssr=ssr.clone()/>
                    <Route path=path!("admin/organisationer") view=admin::OrgsPage ssr=ssr.clone()/>
                    <Route path=path!("admin/anvandare") view=admin::UsersPage ssr=ssr.clone()/>
                    <Route path=path!("admin/gallring") view=ShredPage ssr=ssr.clone()/>
                    <Route path=path!("inkorg") view=InboxPage ssr=ssr.clone()/>
                    <Route path=path!("arenden") view=CasesPage ssr=ssr.clone()/>
                    <Route path=path!("arenden/ny") view=NewCasePage ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id") view=CasePage ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/redigera") view=EditCasePage ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/team") view=TeamPage ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/samtycken") view=ConsentsPage ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/plan") view=PlanPage ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/plan/utskrift") view=PlanPrintPage ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/sakerhet") view=SafetyPage ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/boende") view=LivingPage ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/kontakt") view=ContactPage ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/anteckningar") view=NotesPage ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/tidslinje") view=TimelinePage ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/effekt") view=crate::pages::effect::EffectPage ssr=ssr.clone()/>
                    <Route path=path!("projekt") view=crate::pages::projects::ProjectsPage ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/vardnadshavare") view=crate::pages::case_guardians::GuardiansPage ssr=ssr.clone()/>
                    <Route path=path!("grupper") view=crate::pages::groups::GroupsPage ssr=ssr.clone()/>
                    <Route path=path!("grupper/:id") view=crate::pages::groups::GroupPage ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/registerutdrag") view=ExtractPage ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/overlamna") view=crate::pages::handover::HandoverOfferPage ssr=ssr.clone()/>
                    <Route path=path!("overlamningar") view=crate::pages::handover::HandoversPage ssr=ssr.clone()/>
                    <Route path=path!("overlamningar/:id") view=crate::pages::handover::HandoverPage ssr=ssr.clone()/>
                    <Route path=path!("granskning") view=audit::AuditPage ssr=ssr.clone()/>
                    <Route path=path!("uppfoljning") view=outcomes::OutcomesPage ssr=ssr.clone()/>
                    <Route path=path!("uppfoljning/rapport") view=outcomes::OutcomesReportPage ssr=ssr.clone()/>
                    <Route path=path!("granskning/nodatkomst") view=audit::BreakGlassQueuePage ssr=ssr.clone()/>
                    <Route path=path!("remisser") view=crate::pages::referrals::ReferralQueuePage ssr=ssr.clone()/>
                    <Route path=path!("remisser/ny") view=crate::pages::referral::NewReferralPage ssr=ssr.clone()/>
                    <Route path=path!("remisser/skickad/:number") view=crate::pages::referral::ReferralReceiptPage ssr=ssr.clone()/>
                    <Route path=path!("remisser/:id") view=crate::pages::referrals::ReferralPage ssr=ssr.clone()/>
                    <Route path=path!("samverkansrad") view=crate::pages::council::CouncilPage ssr=ssr.clone()/>
                    <Route path=path!("samverkansrad/:id") view=crate::pages::council_meeting::MeetingPage ssr=ssr.clone()/>
                    <Route path=path!("samverkansrad/:id/protokoll") view=crate::pages::council_minutes::MinutesPage ssr=ssr.clone()/>
                    <Route path=path!("lagesbild") view=situation::SituationOverviewPage ssr=ssr.clone()/>
                    <Route path=path!("lagesbild/:id/utskrift") view=situation_print::SituationPrintPage ssr=ssr.clone()/>
                    <Route path=path!("lagesbild/:area/:period") view=situation::SituationAreaPage ssr=ssr.clone()/>
                </ParentRoute>
            </Routes>
        </Router>
        </LanguageProvider>
    }
}
