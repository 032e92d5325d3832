//! View pieces shared by the casework pages (plan, safety, housing and occupation, contact
//! log, notes, timeline): the case sub-navigation, the way a page answers when the case
//! cannot be read, date inputs, and textareas that keep an unsaved draft.

//! Form pieces shared by the pages: the pending state of a form (no double submission), the
//! one-button form that asks before it acts, the message of a failed submission with the
//! in-place sign-in that saves it anyway, checks of typed values in the browser with the core's
//! own rules (`domain::input`), and textareas that keep an unsaved draft.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::server_fn::{client::Client, codec::PostUrl, request::ClientReq, Http, ServerFn};
use leptos::web_sys::FormData;
use serde::de::DeserializeOwned;

use crate::api::session::SignInAgain;
use crate::components::common::FieldError;
use crate::components::ui::ErrorBox;
use crate::i18n::{t, use_i18n};
use domain::{AppError, Me};

/// The `aria-busy` of an action's form: `"true"` while its submission is on its way, so
/// assistive technology knows the form is working.
pub fn busy<S>(action: ServerAction<S>) -> impl Fn() -> Option<&'static str> + Copy + Send + Sync
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let pending = action.pending();
    move || pending.get().then_some("true")
}

/// The submit button of an action's form, disabled while the submission is on its way so a
/// second tap cannot send it twice. Without JavaScript it is an ordinary submit button.
#[component]
pub fn Submit<S>(
    action: ServerAction<S>,
    #[prop(optional)] class: Option<&'static str>,
    children: Children,
) -> impl IntoView
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let pending = action.pending();
    view! { <button type="submit" class=class disabled=move || pending.get()>{children()}</button> }
}

/// A form of one button that sends `fields` (hidden) to the action: marking, settling,
/// removing. With `confirm` the browser asks that question first and sends only on yes — for
/// what cannot be undone (removing from a team, revoking a consent, shredding). `detail` is
/// read only by screen readers and says what the button acts on when a list has many.
#[component]
pub fn ConfirmButton<S, O>(
    action: ServerAction<S>,
    fields: Vec<(&'static str, String)>,
    #[prop(into)] label: String,
    /// The question asked before sending; none when empty.
    #[prop(optional, into)]
    confirm: String,
    #[prop(optional, into)] detail: Option<String>,
    /// The button's class; none when empty.
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView
where
    S: DeserializeOwned + ServerFn<Protocol = Http<PostUrl, O>> + Clone + Send + Sync + 'static,
    <<S::Client as Client<S::Error>>::Request as ClientReq<S::Error>>::FormData: From<FormData>,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
    S::Client: Client<S::Error>,
{
    let onsubmit =
        (!confirm.is_empty()).then(|| format!("return confirm('{}')", js_quoted(&confirm)));
    let pending = action.pending();
    view! {
        <ActionForm action attr:class="inline" attr:onsubmit=onsubmit attr:aria-busy=busy(action)>
            {fields.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
            <button type="submit" class=(!class.is_empty()).then_some(class) disabled=move || pending.get()>
                {label}{detail.map(|d| view! { <span class="visually-hidden">{d}</span> })}
            </button>
        </ActionForm>
    }
}

/// Text for a single-quoted string in an inline script: quotes and backslashes escaped.
fn js_quoted(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\'', "\\'")
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
    let i18n = use_i18n();
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
                <h2 id="reauth-h">{t!(i18n, common.form.reauth.heading)}</h2>
                {move || if other_user.get() {
                    view! { <p class="error" role="alert">{t!(i18n, common.form.reauth.other_user)}</p> }.into_any()
                } else {
                    view! { <p>{t!(i18n, common.form.reauth.expired)}</p> }.into_any()
                }}
                {move || error().map(|e| view! { <ErrorBox error=e/> })}
                <ActionForm action=reauth attr:class="form" attr:aria-busy=busy(reauth)>
                    <label for="reauth-user">{t!(i18n, common.form.reauth.username)}</label>
                    <input id="reauth-user" name="username" autocomplete="username" readonly value=username.get_value()/>
                    <label for="reauth-pw">{t!(i18n, common.form.reauth.password)}</label>
                    <input id="reauth-pw" name="password" type="password" required autocomplete="current-password" autofocus/>
                    <label for="reauth-code">{t!(i18n, common.form.reauth.code)}</label>
                    <p class="hint" id="reauth-code-hint">{t!(i18n, common.form.reauth.code_hint)}</p>
                    <input id="reauth-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="40" aria-describedby="reauth-code-hint"/>
                    <Submit action=reauth class="primary">{t!(i18n, common.form.reauth.submit)}</Submit>
                </ActionForm>
            </section>
        </Show>
    }
    .into_any()
}

/// The sessionStorage key of one draft: per case and field, so drafts never cross cases.
pub fn draft_key(case_id: &str, field: &str) -> String {
    format!("utvag.utkast:{case_id}:{field}")
}

/// Forgets one draft: the user chose the saved text over it.
pub fn forget_draft(key: &str) {
    drafts::remove(key);
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

/// A field checked in the browser with the rule the core applies on save (`domain::input`),
/// so the person gets the core's own message while typing instead of after a round trip: it
/// shows under the field, and the browser holds the form back until the value passes. Without
/// JavaScript nothing changes; the core checks every save either way.
#[derive(Clone, Copy)]
pub struct Check {
    rule: fn(&str) -> Result<(), AppError>,
    message: RwSignal<Option<String>>,
}

impl Check {
    pub fn new(rule: fn(&str) -> Result<(), AppError>) -> Self {
        Check {
            rule,
            message: RwSignal::new(None),
        }
    }

    /// The field's input handler: runs the rule on the value and tells the browser. The rules
    /// answer with `AppError::Invalid`, whose message is the core's own, shown as it is.
    pub fn run(self, ev: &leptos::ev::Event) {
        let message = (self.rule)(&event_target_value(ev))
            .err()
            .map(|e| e.to_string());
        set_validity(ev, message.as_deref().unwrap_or(""));
        self.message.set(message);
    }

    /// The current message, for a [`FieldError`](crate::components::common::FieldError).
    pub fn message(self) -> Signal<Option<String>> {
        self.message.into()
    }

    /// `aria-invalid` of the field.
    pub fn invalid(self) -> impl Fn() -> Option<&'static str> + Copy + Send + Sync {
        move || self.message.with(|m| m.as_ref().map(|_| "true"))
    }

    /// `aria-describedby` of the field: `id` (the message's element) while there is a message.
    pub fn described(self, id: &'static str) -> impl Fn() -> Option<&'static str> + Copy {
        move || self.message.with(|m| m.as_ref().map(|_| id))
    }
}

/// The browser's own validity message of the input or textarea an event came from; empty
/// clears it. The browser then refuses to submit while a message is set.
fn set_validity(ev: &leptos::ev::Event, message: &str) {
    use leptos::wasm_bindgen::JsCast;
    let Some(target) = ev.target() else {
        return;
    };
    if let Some(input) = target.dyn_ref::<leptos::web_sys::HtmlInputElement>() {
        input.set_custom_validity(message);
    } else if let Some(area) = target.dyn_ref::<leptos::web_sys::HtmlTextAreaElement>() {
        area.set_custom_validity(message);
    }
}

/// The rule of a date in a plan or register that may be left empty (`domain::input::date`),
/// for a [`Check`].
pub fn optional_date(field: &str, v: &str) -> Result<(), AppError> {
    domain::input::date(field, v, today(), false).map(drop)
}

/// The rule of a date that must be given.
pub fn required_date(field: &str, v: &str) -> Result<(), AppError> {
    domain::input::date(field, v, today(), true).map(drop)
}

/// Today on a Swedish calendar, as the core counts it.
fn today() -> chrono::NaiveDate {
    domain::time::swedish_date(chrono::Utc::now())
}

/// A textarea whose unsaved text survives a reload or a lost connection: it is kept in the
/// tab's sessionStorage (never sent anywhere, gone when the tab is closed) and restored when
/// the page loads, with a note that says so and a button that throws the draft away and puts
/// back what was saved. Without JavaScript it is an ordinary textarea. Its length limit is the
/// core's (`MAX_TEXT`); with `check` the core's rule runs on every change too, and its message
/// shows under the field (element id `{id}-err`).
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
    #[prop(optional)] check: Option<Check>,
) -> impl IntoView {
    let i18n = use_i18n();
    let node = NodeRef::<leptos::html::Textarea>::new();
    let restored = RwSignal::new(false);
    let restore_key = draft.clone();
    Effect::new(move |_| {
        if let (Some(el), Some(saved)) = (node.get(), drafts::get(&restore_key)) {
            if !saved.is_empty() && el.value() != saved {
                el.set_value(&saved);
                restored.set(true);
            }
        }
    });
    let discard = {
        let (draft, value) = (draft.clone(), value.clone());
        move |_| {
            drafts::remove(&draft);
            if let Some(el) = node.get() {
                el.set_value(&value);
                let _ = el.focus();
            }
            restored.set(false);
        }
    };
    // The link-like button inside the notice's sentence.
    let discard_button = move |children: ChildrenFn| {
        view! { <button type="button" class="link" on:click=discard.clone()>{children()}</button> }
    };
    let on_input = move |ev: leptos::ev::Event| {
        drafts::set(&draft, &event_target_value(&ev));
        if let Some(c) = check {
            c.run(&ev);
        }
    };
    let err_id = format!("{id}-err");
    let described = {
        let err_id = err_id.clone();
        move || check.and_then(|c| c.message.with(|m| m.is_some()).then(|| err_id.clone()))
    };
    let invalid = move || check.and_then(|c| (c.invalid())());
    view! {
        <textarea id=id name=name rows=rows required=required maxlength=domain::input::MAX_TEXT node_ref=node
            aria-invalid=invalid aria-describedby=described on:input=on_input>{value}</textarea>
        <Show when=move || restored.get()>
            <p class="hint draft-restored" role="status" data-testid="draft-restored">
                {t!(i18n, common.form.draft_restored, <button> = discard_button.clone())}
            </p>
        </Show>
        {check.map(|c| view! { <FieldError id=err_id message=c.message()/> })}
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
