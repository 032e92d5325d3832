//! The interface language: the catalogue's context for every page, and the switch that changes
//! it.
//!
//! The server decides the language of each page from the `utvag_lang` cookie alone (never from
//! the browser's `Accept-Language`: the program works in Swedish unless a person chooses
//! otherwise) and writes it to `<html lang>`; the browser takes it from there when it hydrates.
//! Only the server sets the cookie (`POST /api/sprak`), so switching is a plain form post that
//! works without JavaScript and is remembered in the person's account.

use leptos::prelude::*;
use leptos_i18n::context::{
    init_i18n_context_with_options, CookieOptions, I18nContextOptions, UseLocalesOptions,
};
use leptos_i18n::I18nContext;
use leptos_meta::Html;

use crate::i18n::{use_i18n, Locale};
use domain::language::{Language, COOKIE};

/// The catalogue's context for `children`, in the language of the request, and the language on
/// `<html lang>`. (Provided here rather than with the generated `I18nContextProvider`, which
/// also renders an empty `<script>` without the page's CSP nonce.)
#[component]
pub fn LanguageProvider(children: Children) -> impl IntoView {
    let i18n = language_context();
    provide_context(i18n);
    let lang = move || language_of(i18n.get_locale()).code();
    view! {
        <Html attr:lang=lang/>
        {children()}
    }
}

/// The catalogue's context for the page being rendered, not yet provided.
pub fn language_context() -> I18nContext<Locale> {
    #[cfg(feature = "ssr")]
    {
        let owner = Owner::new();
        let i18n = paused_language_context(&owner);
        // Lives as long as the component that asked (an owner's parent holds it weakly).
        on_cleanup(move || drop(owner));
        i18n
    }
    #[cfg(not(feature = "ssr"))]
    init_i18n_context_with_options::<Locale>(options())
}

/// On the server: the context made under `owner`, whose effects are then paused.
///
/// The context's one effect that runs on the server writes the language back to the cookie
/// (read-only here, so it does nothing) in a task of its own. That task could run on another
/// thread while the page's render was being cleaned up (its stream ended, or the browser went
/// elsewhere), read the locale just disposed, and panic. Paused, it never runs on the server.
#[cfg(feature = "ssr")]
pub fn paused_language_context(owner: &Owner) -> I18nContext<Locale> {
    let i18n = owner.with(|| init_i18n_context_with_options::<Locale>(options()));
    owner.pause();
    i18n
}

/// The language comes from the `utvag_lang` cookie alone; the context never writes it (the
/// server sets it when a person chooses) and never reads `Accept-Language`.
fn options() -> I18nContextOptions<'static, Locale> {
    I18nContextOptions::<Locale>::default()
        .cookie_name(COOKIE)
        .cookie_options(CookieOptions::default().readonly(true))
        .ssr_lang_header_getter(UseLocalesOptions::default().ssr_lang_header_getter(|| None))
}

/// The catalogue's locale for a language, and back.
pub fn locale_of(language: Language) -> Locale {
    match language {
        Language::Swedish => Locale::sv,
        Language::English => Locale::en,
    }
}

pub fn language_of(locale: Locale) -> Language {
    match locale {
        Locale::sv => Language::Swedish,
        Locale::en => Language::English,
    }
}

/// The language of the page being rendered.
pub fn current_language() -> Language {
    language_of(use_i18n().get_locale_untracked())
}

/// A form that switches to each other language; the server returns to the page it was sent
/// from (its `Referer`, same-origin only). Each choice is named in its own language (and marked
/// so, for screen readers).
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let current = current_language();
    view! {
        <form method="post" action="/api/sprak" class="language">
            {Language::ALL.into_iter().filter(|l| *l != current).map(|l| view! {
                <button type="submit" name="sprak" value=l.code() lang=l.code() class="link" data-testid="language-switch">
                    {l.endonym()}
                </button>
            }).collect_view()}
        </form>
    }
}
