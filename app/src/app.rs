//! The HTML shell, the router and the signed-in layout.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, Lazy, LazyRoute, SsrMode};

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

/// The document around the app, rendered on the server. `site` is where the files of the
/// server's own build are (`/build/<id>`, before `/pkg`): the page names them there, so its
/// code and style come from the build that rendered it.
pub fn shell(options: LeptosOptions, site: String) -> impl IntoView {
    let style = format!("{site}/pkg/utvag.css");
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="referrer" content="same-origin"/>
                <link rel="stylesheet" id="utvag" href=style/>
                <HydrationScripts options root=site/>
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
        // The shell's own title, empty: it names the tab "Utväg" while no page has set one. A page
        // behind sign-in hydrates only once its chunk of the wasm has arrived; until then the
        // shell's title is the only one, and without a text here the tab's title would be blank
        // (an inaccessible page, and a blank tab in the browser's history).
        <Title text="" formatter=|t: String| if t.is_empty() { "Utväg".to_string() } else { format!("{t} – Utväg") }/>
        <LanguageProvider>
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/logga-in") view=LoginPage ssr=ssr.clone()/>
                <Route path=path!("/logga-in/kod") view=crate::pages::totp::SecondFactorPage ssr=ssr.clone()/>
                <Route path=path!("/logga-in/aktivera") view=crate::pages::totp::EnrolPage ssr=ssr.clone()/>
                <Route path=path!("/logga-in/aterstallt") view=crate::pages::totp::ResetNoticePage ssr=ssr.clone()/>
                <ParentRoute path=path!("") view=Layout ssr=ssr.clone()>
                    <Route path=path!("") view={Lazy::<LazyHomePage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("admin/organisationer") view={Lazy::<LazyOrgsPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("admin/anvandare") view={Lazy::<LazyUsersPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("admin/gallring") view={Lazy::<LazyShredPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("inkorg") view={Lazy::<LazyInboxPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("arenden") view={Lazy::<LazyCasesPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("arenden/ny") view={Lazy::<LazyNewCasePage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id") view={Lazy::<LazyCasePage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/redigera") view={Lazy::<LazyEditCasePage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/team") view={Lazy::<LazyTeamPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/samtycken") view={Lazy::<LazyConsentsPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/plan") view={Lazy::<LazyPlanPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/plan/utskrift") view={Lazy::<LazyPlanPrintPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/sakerhet") view={Lazy::<LazySafetyPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/boende") view={Lazy::<LazyLivingPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/kontakt") view={Lazy::<LazyContactPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/anteckningar") view={Lazy::<LazyNotesPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/tidslinje") view={Lazy::<LazyTimelinePage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/effekt") view={Lazy::<LazyEffectPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("projekt") view={Lazy::<LazyProjectsPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/vardnadshavare") view={Lazy::<LazyGuardiansPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("grupper") view={Lazy::<LazyGroupsPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("grupper/:id") view={Lazy::<LazyGroupPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/registerutdrag") view={Lazy::<LazyExtractPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("arenden/:id/overlamna") view={Lazy::<LazyHandoverOfferPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("overlamningar") view={Lazy::<LazyHandoversPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("overlamningar/:id") view={Lazy::<LazyHandoverPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("granskning") view={Lazy::<LazyAuditPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("uppfoljning") view={Lazy::<LazyOutcomesPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("uppfoljning/rapport") view={Lazy::<LazyOutcomesReportPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("granskning/nodatkomst") view={Lazy::<LazyBreakGlassQueuePage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("remisser") view={Lazy::<LazyReferralQueuePage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("remisser/ny") view={Lazy::<LazyNewReferralPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("remisser/skickad/:number") view={Lazy::<LazyReferralReceiptPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("remisser/:id") view={Lazy::<LazyReferralPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("samverkansrad") view={Lazy::<LazyCouncilPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("samverkansrad/:id") view={Lazy::<LazyMeetingPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("samverkansrad/:id/protokoll") view={Lazy::<LazyMinutesPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("lagesbild") view={Lazy::<LazySituationOverviewPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("lagesbild/:id/utskrift") view={Lazy::<LazySituationPrintPage>::new()} ssr=ssr.clone()/>
                    <Route path=path!("lagesbild/:area/:period") view={Lazy::<LazySituationAreaPage>::new()} ssr=ssr.clone()/>
                </ParentRoute>
            </Routes>
        </Router>
        </LanguageProvider>
    }
}

/// Every page behind sign-in is fetched by the browser only when it is opened: the first
/// download is the shell, the layout and the sign-in pages. Pages that are used together form
/// a group whose code is split off the main wasm at build time (`site-split`,
/// docs/architecture.md "The site"), with the code several groups share in chunks of its own.
/// The server renders a page as before and names its group's chunks in the page for preloading,
/// so the page hydrates as soon as they arrive; a group no one in a role opens is never
/// downloaded.
///
/// A group is `name: [Route(view function, its preload) => page component, …]`. The view
/// function's name must be unique (it names the split point's symbols); the groups are written
/// in this one invocation so that leptos gives every function of a group the same split module.
/// The preload is the browser-side loader leptos makes for the view function
/// (`__preload_<view function>`): the router awaits it before it hydrates or shows the page, so
/// that building the page does not wait, which hydration could not.
macro_rules! lazy_pages {
    ($($group:ident: [$($route:ident($view:ident, $preload:ident) => $page:path,)*],)*) => {$($(
        struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_this: Self) -> AnyView {
                $view().await
            }

            async fn preload() {
                #[cfg(feature = "hydrate")]
                $preload().await;
            }
        }

        #[leptos::lazy($group)]
        fn $view() -> AnyView {
            $page().into_any()
        }
    )*)*};
}

lazy_pages! {
    admin: [
        LazyOrgsPage(orgs_page, __preload_orgs_page) => admin::OrgsPage,
        LazyUsersPage(users_page, __preload_users_page) => admin::UsersPage,
        LazyShredPage(shred_page, __preload_shred_page) => ShredPage,
    ],
    review: [
        LazyAuditPage(audit_page, __preload_audit_page) => audit::AuditPage,
        LazyBreakGlassQueuePage(break_glass_queue_page, __preload_break_glass_queue_page) => audit::BreakGlassQueuePage,
    ],
    outcomes: [
        LazyOutcomesPage(outcomes_page, __preload_outcomes_page) => outcomes::OutcomesPage,
        LazyOutcomesReportPage(outcomes_report_page, __preload_outcomes_report_page) => outcomes::OutcomesReportPage,
        LazyEffectPage(effect_page, __preload_effect_page) => crate::pages::effect::EffectPage,
        LazyProjectsPage(projects_page, __preload_projects_page) => crate::pages::projects::ProjectsPage,
    ],
    extract: [
        LazyExtractPage(extract_page, __preload_extract_page) => ExtractPage,
    ],
    work: [
        LazyHomePage(home_page, __preload_home_page) => HomePage,
        LazyInboxPage(inbox_page, __preload_inbox_page) => InboxPage,
        LazyCasesPage(cases_page, __preload_cases_page) => CasesPage,
        LazyNewCasePage(new_case_page, __preload_new_case_page) => NewCasePage,
        LazyCasePage(case_page, __preload_case_page) => CasePage,
        LazyEditCasePage(edit_case_page, __preload_edit_case_page) => EditCasePage,
        LazyTeamPage(team_page, __preload_team_page) => TeamPage,
        LazyConsentsPage(consents_page, __preload_consents_page) => ConsentsPage,
        LazyGuardiansPage(guardians_page, __preload_guardians_page) => crate::pages::case_guardians::GuardiansPage,
        LazyPlanPage(plan_page, __preload_plan_page) => PlanPage,
        LazyPlanPrintPage(plan_print_page, __preload_plan_print_page) => PlanPrintPage,
        LazySafetyPage(safety_page, __preload_safety_page) => SafetyPage,
        LazyLivingPage(living_page, __preload_living_page) => LivingPage,
        LazyContactPage(contact_page, __preload_contact_page) => ContactPage,
        LazyNotesPage(notes_page, __preload_notes_page) => NotesPage,
        LazyTimelinePage(timeline_page, __preload_timeline_page) => TimelinePage,
        LazyGroupsPage(groups_page, __preload_groups_page) => crate::pages::groups::GroupsPage,
        LazyGroupPage(group_page, __preload_group_page) => crate::pages::groups::GroupPage,
        LazyHandoverOfferPage(handover_offer_page, __preload_handover_offer_page) => crate::pages::handover::HandoverOfferPage,
        LazyHandoversPage(handovers_page, __preload_handovers_page) => crate::pages::handover::HandoversPage,
        LazyHandoverPage(handover_page, __preload_handover_page) => crate::pages::handover::HandoverPage,
        LazyReferralQueuePage(referral_queue_page, __preload_referral_queue_page) => crate::pages::referrals::ReferralQueuePage,
        LazyNewReferralPage(new_referral_page, __preload_new_referral_page) => crate::pages::referral::NewReferralPage,
        LazyReferralReceiptPage(referral_receipt_page, __preload_referral_receipt_page) => crate::pages::referral::ReferralReceiptPage,
        LazyReferralPage(referral_page, __preload_referral_page) => crate::pages::referrals::ReferralPage,
        LazyCouncilPage(council_page, __preload_council_page) => crate::pages::council::CouncilPage,
        LazyMeetingPage(meeting_page, __preload_meeting_page) => crate::pages::council_meeting::MeetingPage,
        LazyMinutesPage(minutes_page, __preload_minutes_page) => crate::pages::council_minutes::MinutesPage,
        LazySituationOverviewPage(situation_overview_page, __preload_situation_overview_page) => situation::SituationOverviewPage,
        LazySituationPrintPage(situation_print_page, __preload_situation_print_page) => situation_print::SituationPrintPage,
        LazySituationAreaPage(situation_area_page, __preload_situation_area_page) => situation::SituationAreaPage,
    ],
}
