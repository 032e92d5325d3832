//! The signed-in layout: product name, user and organisation, role-dependent navigation and
//! sign-out. Without a session it sends the visitor to the sign-in page.

use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_location;

use crate::api::casework::get_work_count;

use domain::{AppError, Capability, Me, Role};

/// Navigation entries per role: (href, label), from the capability table.
pub fn nav_for(role: Role) -> Vec<(&'static str, &'static str)> {
    let entries: [(Capability, &'static str, &'static str); 16] = [
        (Capability::ListCases, "/arenden", "Ärenden"),
        (
            Capability::RegisterParticipant,
            "/arenden/ny",
            "Registrera deltagare",
        ),
        (Capability::HandleDuplicates, "/inkorg", "Inkorg"),
        (Capability::HandleReferrals, "/remisser", "Remisser"),
        (Capability::ManageCase, "/overlamningar", "Överlämningar"),
        (Capability::SubmitReferral, "/remisser/ny", "Ny remiss"),
        (Capability::AttendCouncil, "/samverkansrad", "Samverkansråd"),
        (Capability::ViewOutcomes, "/uppfoljning", "Uppföljning"),
        (Capability::ManageProjects, "/projekt", "Projekt"),
        (Capability::ManageGroups, "/grupper", "Grupper"),
        (Capability::ContributeSituation, "/lagesbild", "Lägesbild"),
        (Capability::ReviewLog, "/granskning", "Loggranskning"),
        (
            Capability::ReviewLog,
            "/granskning/nodatkomst",
            "Nödåtkomster",
        ),
        (
            Capability::Administer,
            "/admin/organisationer",
            "Organisationer",
        ),
        (Capability::Administer, "/admin/anvandare", "Användare"),
        (Capability::Administer, "/admin/gallring", "Gallring"),
    ];
    let mut items = vec![("/", "Start")];
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
    let nav = nav_for(me.role);
    let has_work = me.role.reads_case_content();
    let role_label = me.role.label();
    provide_context(me.clone());
    let me_json = serde_json::to_string(&me).unwrap_or_default();
    view! {
        <div id=ME_ID hidden data-me=me_json></div>
        <a class="skip" href="#main">"Hoppa till innehållet"</a>
        <header class="topbar">
            <a class="brand" href="/">"Utväg"</a>
            <nav aria-label="Huvudmeny" class="mainnav">
                <ul>
                    {nav.into_iter().map(|(href, label)| view! {
                        <li><A href=href>{label}</A>{(href == "/" && has_work).then(|| view! { <WorkBadge/> })}</li>
                    }).collect_view()}
                </ul>
            </nav>
            <div class="who">
                <span class="user" data-testid="user-name">{me.display_name.clone()}</span>
                <span class="org" data-testid="user-org">{format!("{role_label} · {}", me.org_name)}</span>
                <form method="post" action="/api/logout" class="signout">
                    <button type="submit">"Logga ut"</button>
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
/// the server's render of every page does not wait for (or pay for) the count.
#[component]
fn WorkBadge() -> impl IntoView {
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
                    let text = format!("{} att göra den här veckan, varav {} försenade", c.due, c.overdue);
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
