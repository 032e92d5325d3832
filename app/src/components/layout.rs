//! The signed-in layout: product name, user and organisation, role-dependent navigation and
//! sign-out. Without a session it sends the visitor to the sign-in page.

use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_location;

use crate::api::casework::get_work_count;

use crate::components::labels::Label;
use crate::components::language::LanguageSwitch;
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};
use domain::{AppError, Capability, Me, Role};

/// Navigation entries per role: (href, label in `l`), from the capability table.
pub fn nav_for(role: Role, l: Locale) -> Vec<(&'static str, &'static str)> {
    let entries: [(Capability, &'static str, &'static str); 16] = [
        (
            Capability::ListCases,
            "/arenden",
            td_string!(l, common.nav.cases),
        ),
        (
            Capability::RegisterParticipant,
            "/arenden/ny",
            td_string!(l, common.nav.register),
        ),
        (
            Capability::HandleDuplicates,
            "/inkorg",
            td_string!(l, common.nav.inbox),
        ),
        (
            Capability::HandleReferrals,
            "/remisser",
            td_string!(l, common.nav.referrals),
        ),
        (
            Capability::ManageCase,
            "/overlamningar",
            td_string!(l, common.nav.handovers),
        ),
        (
            Capability::SubmitReferral,
            "/remisser/ny",
            td_string!(l, common.nav.new_referral),
        ),
        (
            Capability::AttendCouncil,
            "/samverkansrad",
            td_string!(l, common.nav.council),
        ),
        (
            Capability::ViewOutcomes,
            "/uppfoljning",
            td_string!(l, common.nav.outcomes),
        ),
        (
            Capability::ManageProjects,
            "/projekt",
            td_string!(l, common.nav.projects),
        ),
        (
            Capability::ManageGroups,
            "/grupper",
            td_string!(l, common.nav.groups),
        ),
        (
            Capability::ContributeSituation,
            "/lagesbild",
            td_string!(l, common.nav.situation),
        ),
        (
            Capability::ReviewLog,
            "/granskning",
            td_string!(l, common.nav.log_review),
        ),
        (
            Capability::ReviewLog,
            "/granskning/nodatkomst",
            td_string!(l, common.nav.break_glass),
        ),
        (
            Capability::Administer,
            "/admin/organisationer",
            td_string!(l, common.nav.organisations),
        ),
        (
            Capability::Administer,
            "/admin/anvandare",
            td_string!(l, common.nav.users),
        ),
        (
            Capability::Administer,
            "/admin/gallring",
            td_string!(l, common.nav.shredding),
        ),
    ];
    let mut items = vec![("/", td_string!(l, common.nav.start))];
    items.extend(
        entries
            .into_iter()
            .filter(|(c, _, _)| role.can(*c))
            .map(|(_, href, label)| (href, label)),
    );
    items
}

#[component]
pub fn Layout() -> impl IntoView {
    match signed_in_user() {
        Ok(Some(me)) => view! { <SignedIn me/> }.into_any(),
        Ok(None) => view! { <Redirect path="/logga-in"/> }.into_any(),
        Err(e) => view! {
            <main id="main" class="page"><crate::components::ui::ErrorBox error=e/></main>
        }
        .into_any(),
    }
}

/// Who is signed in, known before anything renders: on the server from the request (the router
/// checked the session cookie), in the browser from the page the server sent.
fn signed_in_user() -> Result<Option<Me>, AppError> {
    #[cfg(feature = "ssr")]
    {
        crate::api::session::page_user()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Ok(document()
            .get_element_by_id(ME_ID)
            .and_then(|e| e.get_attribute("data-me"))
            .and_then(|json| serde_json::from_str(&json).ok()))
    }
}

/// The element that hands the signed-in user from the server's page to the browser.
const ME_ID: &str = "utvag-me";

#[component]
fn SignedIn(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let nav = nav_for(me.role, i18n.get_locale_untracked());
    let has_work = me.role.reads_case_content();
    let role_label = me.role.label_in(i18n.get_locale_untracked());
    provide_context(me.clone());
    let me_json = serde_json::to_string(&me).unwrap_or_default();
    view! {
        <div id=ME_ID hidden data-me=me_json></div>
        <a class="skip" href="#main">{t!(i18n, common.skip_to_content)}</a>
        <header class="topbar">
            <a class="brand" href="/">"Utväg"</a>
            <nav aria-label=move || t_string!(i18n, common.main_menu) class="mainnav">
                <ul>
                    {nav.into_iter().map(|(href, label)| view! {
                        <li><A href=href>{label}</A>{(href == "/" && has_work).then(|| view! { <WorkBadge/> })}</li>
                    }).collect_view()}
                </ul>
            </nav>
            <div class="who">
                <span class="user" data-testid="user-name">{me.display_name.clone()}</span>
                <span class="org" data-testid="user-org">{format!("{role_label} · {}", me.org_name)}</span>
                <LanguageSwitch/>
                <form method="post" action="/api/logout" class="signout">
                    <button type="submit">{t!(i18n, common.sign_out)}</button>
                </form>
            </div>
        </header>
        <main id="main" class="page" tabindex="-1">
            <Outlet/>
        </main>
    }
}

/// The number of things due this week on the start page's work list, refreshed on every
/// navigation; red when something is late. Fetched by the browser once the page is running, so
/// the server's render of every page does not wait for (or pay for) the count: on the server
/// the badge is not built at all (an effect runs only in the browser), so no page render holds a
/// resource that only the browser can resolve.
#[component]
fn WorkBadge() -> impl IntoView {
    let running = RwSignal::new(false);
    Effect::new(move || running.set(true));
    move || running.get().then(|| view! { <WorkCount/> })
}

/// The badge's count, fetched by the browser.
#[component]
fn WorkCount() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let count = LocalResource::new(move || {
        location.pathname.track();
        get_work_count()
    });
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                count.await.ok().filter(|c| c.due > 0).map(|c| {
                    let late = c.overdue > 0;
                    let text = td_string!(i18n.get_locale_untracked(), common.work_badge, count = c.due, overdue = c.overdue).to_string();
                    view! {
                        <span class="badge" class:late=late data-testid="work-count" title=text.clone()>
                            <span aria-hidden="true">{c.due}</span>
                            <span class="visually-hidden">{format!(" ({text})")}</span>
                        </span>
                    }
                })
            })}
        </Suspense>
    }
}
