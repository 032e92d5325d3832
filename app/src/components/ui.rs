//! Small building blocks: error messages, empty states.

use leptos::prelude::*;

use domain::AppError;

/// An error message announced to screen readers.
#[component]
pub fn ErrorBox(error: AppError) -> impl IntoView {
    view! { <p class="error" role="alert">{error.to_string()}</p> }
}

/// Shows the error of the last submission of an action, if any, and a success note otherwise.
#[component]
pub fn ActionStatus<T, F>(value: F, #[prop(into)] ok: String) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn() -> Option<Result<T, AppError>> + Send + Sync + 'static,
{
    move || match value() {
        Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
        Some(Ok(_)) => view! { <p class="ok" role="status">{ok.clone()}</p> }.into_any(),
        None => ().into_any(),
    }
}
