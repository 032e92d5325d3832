//! View pieces shared by the casework pages (plan, safety, housing and occupation, contact
//! log, notes, timeline): the case sub-navigation, the way a page answers when the case
//! cannot be read, date inputs, and textareas that keep an unsaved draft.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::cases::BreakGlass;
use crate::api::session::SignInAgain;
use crate::components::ui::ErrorBox;
use crate::pages::case::{is_no_access, AccessDenied};
use domain::{AppError, CaseView, Category, Me};

/// The tabs of one case, the same on all its pages: casework pages only where the reader may
/// see the category they show; editing, the team and consent pages for the owning team.
#[component]
pub fn CaseworkTabs(c: CaseView) -> impl IntoView {
    let base = format!("/arenden/{}", c.case_id);
    let sees = |cat: Category| c.visible.contains(&cat);
    let mut tabs: Vec<(String, &'static str)> = vec![(base.clone(), "Översikt")];
    if sees(Category::Plan) {
        tabs.push((format!("{base}/plan"), "Handlingsplan"));
    }
    if sees(Category::Safety) {
        tabs.push((format!("{base}/sakerhet"), "Säkerhet"));
    }
    if sees(Category::Housing) || sees(Category::Occupation) {
        tabs.push((format!("{base}/boende"), "Boende och sysselsättning"));
    }
    if sees(Category::Contacts) {
        tabs.push((format!("{base}/kontakt"), "Logga kontakt"));
    }
    if sees(Category::Notes) {
        tabs.push((format!("{base}/anteckningar"), "Anteckningar"));
    }
    tabs.push((format!("{base}/tidslinje"), "Tidslinje"));
    if c.can_edit {
        tabs.push((format!("{base}/redigera"), "Ändra uppgifter"));
        tabs.push((format!("{base}/team"), "Ärendeteam"));
        tabs.push((format!("{base}/samtycken"), "Samtycken och lagstöd"));
    }
    view! {
        <nav class="tabs" aria-label="Ärendet">
            <ul>
                {tabs.into_iter().map(|(href, label)| view! { <li><A href=href exact=true>{label}</A></li> }).collect_view()}
            </ul>
        </nav>
    }
}

/// What a casework page shows when loading failed: the break-glass page when the case cannot
/// be read at all, the error otherwise.
pub fn load_failed(e: AppError, case_id: String, glass: ServerAction<BreakGlass>) -> AnyView {
    if is_no_access(&e) {
        view! { <AccessDenied case_id glass/> }.into_any()
    } else {
        view! { <ErrorBox error=e/> }.into_any()
    }
}

/// The frame of a casework page: its title, then the case and the page's own data loaded
/// together; the break-glass page or the error when either cannot be read, the page otherwise.
pub fn casework_frame<T, V>(
    title: &'static str,
    case_id: impl Fn() -> String + Copy + Send + Sync + 'static,
    glass: ServerAction<BreakGlass>,
    case: Resource<Result<CaseView, AppError>>,
    data: Resource<Result<T, AppError>>,
    page: impl Fn(CaseView, T) -> V + Copy + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    view! {
        <Title text=title/>
        <Transition fallback=|| view! { <p class="loading">"Laddar…"</p> }>
            {move || {
                let id = case_id();
                Suspend::new(async move {
                    let c = match case.await {
                        Ok(c) => c,
                        Err(e) => return load_failed(e, id, glass),
                    };
                    match data.await {
                        Ok(d) => page(c, d).into_any(),
                        Err(e) => load_failed(e, id, glass),
                    }
                })
            }}
        </Transition>
    }
}

/// The message of a failed submission, announced once, above the form it belongs to; when the
/// session ended meanwhile, the in-place sign-in that then saves the same submission.
pub fn failure<S>(action: ServerAction<S>) -> AnyView
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    view! {
        {move || action.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
        <SignInToSave action/>
    }
    .into_any()
}

/// Shown when a save was refused because the session had ended: the user signs in again here
/// and the same submission is sent once more, so nothing typed is lost. The submission is
/// resent only when the same user signed in.
#[component]
pub fn SignInToSave<S>(action: ServerAction<S>) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let me = use_context::<Me>();
    let last = StoredValue::new(None::<S>);
    Effect::new(move |_| {
        if let Some(input) = action.input().get() {
            last.set_value(Some(input));
        }
    });
    let reauth = ServerAction::<SignInAgain>::new();
    let other_user = RwSignal::new(false);
    let my_id = me.as_ref().map(|m| m.user_id.clone());
    Effect::new(move |_| {
        if let Some(Ok(who)) = reauth.value().get() {
            if my_id.as_deref() == Some(who.user_id.as_str()) {
                if let Some(input) = last.get_value() {
                    action.dispatch(input);
                }
            } else {
                other_user.set(true);
            }
        }
    });
    let expired = move || matches!(action.value().get(), Some(Err(AppError::Unauthenticated)));
    let username = StoredValue::new(me.map(|m| m.username).unwrap_or_default());
    let error = move || reauth.value().get().and_then(Result::err);
    view! {
        <Show when=move || expired() || other_user.get()>
            <section class="card reauth" role="dialog" aria-labelledby="reauth-h" data-testid="reauth">
                <h2 id="reauth-h">"Du har blivit utloggad"</h2>
                {move || if other_user.get() {
                    view! { <p class="error" role="alert">"Du loggade in som en annan användare. Det du skrev sparades inte; ladda om sidan."</p> }.into_any()
                } else {
                    view! { <p>"Sessionen tog slut innan det du skrev hann sparas. Logga in igen, så sparas det direkt."</p> }.into_any()
                }}
                {move || error().map(|e| view! { <ErrorBox error=e/> })}
                <ActionForm action=reauth attr:class="form">
                    <label for="reauth-user">"Användarnamn"</label>
                    <input id="reauth-user" name="username" autocomplete="username" readonly value=username.get_value()/>
                    <label for="reauth-pw">"Lösenord"</label>
                    <input id="reauth-pw" name="password" type="password" required autocomplete="current-password" autofocus/>
                    <label for="reauth-code">"Engångskod"</label>
                    <p class="hint" id="reauth-code-hint">"Koden från autentiseringsappen, om ditt konto har tvåstegsverifiering."</p>
                    <input id="reauth-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="40" aria-describedby="reauth-code-hint"/>
                    <button type="submit" class="primary">"Logga in och spara"</button>
                </ActionForm>
            </section>
        </Show>
    }
    .into_any()
}

/// `ÅÅÅÅ-MM-DD` or a dash.
pub fn date_or_dash(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "–".to_string())
}

/// The sessionStorage key of one draft: per case and field, so drafts never cross cases.
pub fn draft_key(case_id: &str, field: &str) -> String {
    format!("utvag.utkast:{case_id}:{field}")
}

/// Forgets the drafts of a form once the server has saved it. `keys` names the drafts of one
/// submission from its arguments (a case's note, one action's comment…).
pub fn forget_drafts_when_saved<S>(
    action: ServerAction<S>,
    keys: impl Fn(&S) -> Vec<String> + Send + Sync + 'static,
) where
    S: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let pending = StoredValue::new(Vec::<String>::new());
    Effect::new(move |_| {
        if let Some(k) = action.input().with(|i| i.as_ref().map(&keys)) {
            pending.set_value(k);
        }
    });
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            for k in pending.get_value() {
                drafts::remove(&k);
            }
        }
    });
}

/// A textarea whose unsaved text survives a reload or a lost connection: it is kept in the
/// tab's sessionStorage (never sent anywhere, gone when the tab is closed) and restored when
/// the page loads. Without JavaScript it is an ordinary textarea.
#[component]
pub fn DraftArea(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    /// From [`draft_key`].
    #[prop(into)]
    draft: String,
    #[prop(optional, into)] value: String,
    #[prop(default = 4)] rows: u32,
    #[prop(default = true)] required: bool,
    #[prop(optional, into)] described_by: Option<String>,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Textarea>::new();
    let restore_key = draft.clone();
    Effect::new(move |_| {
        if let (Some(el), Some(saved)) = (node.get(), drafts::get(&restore_key)) {
            if !saved.is_empty() && el.value() != saved {
                el.set_value(&saved);
            }
        }
    });
    let on_input = move |ev: leptos::ev::Event| drafts::set(&draft, &event_target_value(&ev));
    view! {
        <textarea id=id name=name rows=rows required=required maxlength="10000" node_ref=node
            aria-describedby=described_by on:input=on_input>{value}</textarea>
    }
}

/// sessionStorage through the browser's own API; nothing on the server.
#[cfg(feature = "hydrate")]
mod drafts {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(catch, js_namespace = sessionStorage, js_name = getItem)]
        fn get_item(key: &str) -> Result<Option<String>, JsValue>;
        #[wasm_bindgen(catch, js_namespace = sessionStorage, js_name = setItem)]
        fn set_item(key: &str, value: &str) -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_namespace = sessionStorage, js_name = removeItem)]
        fn remove_item(key: &str) -> Result<(), JsValue>;
    }

    // Storage can be switched off or full; a draft is a convenience, so failures are ignored.
    pub fn get(key: &str) -> Option<String> {
        get_item(key).ok().flatten()
    }

    pub fn set(key: &str, value: &str) {
        let _ = if value.is_empty() {
            remove_item(key)
        } else {
            set_item(key, value)
        };
    }

    pub fn remove(key: &str) {
        let _ = remove_item(key);
    }
}

#[cfg(not(feature = "hydrate"))]
mod drafts {
    pub fn get(_key: &str) -> Option<String> {
        None
    }

    pub fn set(_key: &str, _value: &str) {}

    pub fn remove(_key: &str) {}
}
