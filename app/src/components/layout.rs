//! The signed-in layout: product name, user and organisation, role-dependent navigation and
//! sign-out. Without a session it sends the visitor to the sign-in page.

use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};

use crate::api::session::current_user;
use crate::domain::{Me, Role};

/// Navigation entries per role: (href, label).
pub fn nav_for(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut items = vec![("/", "Start")];
    match role {
        Role::CaseWorker | Role::ProgramLead => {
            items.push(("/arenden", "Ärenden"));
            items.push(("/arenden/ny", "Registrera deltagare"));
        }
        Role::Partner | Role::Police => items.push(("/arenden", "Ärenden")),
        Role::Auditor => {
            items.push(("/granskning", "Loggranskning"));
            items.push(("/granskning/nodatkomst", "Nödåtkomster"));
        }
        Role::Admin => {
            items.push(("/admin/organisationer", "Organisationer"));
            items.push(("/admin/anvandare", "Användare"));
            items.push(("/admin/gallring", "Gallring"));
        }
    }
    items
}

#[component]
pub fn Layout() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Laddar…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => view! { <SignedIn me/> }.into_any(),
                    Ok(None) => view! { <Redirect path="/logga-in"/> }.into_any(),
                    Err(e) => view! {
                        <main id="main" class="page"><crate::components::ui::ErrorBox error=e/></main>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignedIn(me: Me) -> impl IntoView {
    let nav = nav_for(me.role);
    let role_label = me.role.label();
    provide_context(me.clone());
    view! {
        <a class="skip" href="#main">"Hoppa till innehållet"</a>
        <header class="topbar">
            <a class="brand" href="/">"Utväg"</a>
            <nav aria-label="Huvudmeny" class="mainnav">
                <ul>
                    {nav.into_iter().map(|(href, label)| view! { <li><A href=href>{label}</A></li> }).collect_view()}
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
