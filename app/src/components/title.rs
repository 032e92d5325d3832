//! The page's `<title>`.

use leptos::prelude::*;
use leptos_meta::Title;

/// The page's `<title>`: `text` (its catalogue text) read once, while the page renders.
///
/// A page's language is fixed while it is shown (switching is a form post, see `language`), so
/// the title has nothing to follow. It must not be a closure over the catalogue either: on the
/// server `leptos_meta` reads the title only when it writes the `<head>`, after the page's first
/// part is ready and outside the page's owner. The language signal is then looked up in
/// whichever request's store the thread touched last; when that request had ended, the read
/// panicked and the page was never answered.
#[component]
pub fn PageTitle<T, S>(text: T) -> impl IntoView
where
    T: FnOnce() -> S,
    S: std::fmt::Display,
{
    let text = untrack(text).to_string();
    view! { <Title text/> }
}
