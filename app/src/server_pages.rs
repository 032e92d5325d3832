//! The few pages the server answers outside the app's router (an unknown address, a fault, too
//! many sign-in attempts), in the language of the request, from the same catalogue.

use leptos_i18n::display::DisplayComp;

use crate::components::language::locale_of;
use crate::i18n::td_string;
use domain::language::Language;

/// `s` with the characters that mean something in HTML escaped.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A whole HTML page with `heading` and one paragraph of `body` (already HTML).
fn page(language: Language, title: &str, heading: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title} – Utväg</title>\
         <link rel=\"stylesheet\" href=\"/pkg/utvag.css\"></head><body><main id=\"main\" class=\"page narrow\">\
         <h1>{heading}</h1><p>{body}</p></main></body></html>",
        lang = language.code(),
        title = escape(title),
        heading = escape(heading),
    )
}

/// The page for an address that leads nowhere.
pub fn not_found(language: Language) -> String {
    let l = locale_of(language);
    let home = [("href", "/")];
    let title = td_string!(l, common.not_found.title);
    let body = td_string!(l, common.not_found.text, <a> = DisplayComp::new("a", &home));
    page(language, title, title, &body.to_string())
}

/// The page for a request that failed inside the server (a fault, never a refusal): nothing
/// about the request or the fault is on it.
pub fn failed(language: Language) -> String {
    let l = locale_of(language);
    let home = [("href", "/")];
    let title = td_string!(l, common.failed.title);
    let body = td_string!(l, common.failed.text, <a> = DisplayComp::new("a", &home));
    page(language, title, title, &body.to_string())
}

/// The page for a sign-in refused for too many attempts: wait `wait` seconds.
pub fn too_many_attempts(language: Language, wait: i64) -> String {
    let l = locale_of(language);
    let text = td_string!(l, auth.throttled.text, wait).to_string();
    let body = format!(
        "{} <a href=\"/logga-in\">{}</a>",
        escape(&text),
        escape(td_string!(l, auth.throttled.again))
    );
    page(
        language,
        td_string!(l, auth.throttled.title),
        td_string!(l, auth.throttled.heading),
        &body,
    )
}
