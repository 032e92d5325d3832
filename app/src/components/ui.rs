//! Small building blocks: error messages, the outcome of a submission, tables with their
//! empty state.

use leptos::prelude::*;

use crate::components::labels::problem_text;
use crate::i18n::{t, td_string, use_i18n, Locale};
use domain::AppError;

/// A page's content from `resource`: "Laddar…" while it is on its way, `render` once it has
/// come, or the error under the page's `heading`.
#[component]
pub fn Loaded<T, V>(
    resource: Resource<Result<T, AppError>>,
    heading: &'static str,
    render: fn(T) -> V,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    let i18n = use_i18n();
    view! {
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match resource.await {
                    Ok(v) => render(v).into_any(),
                    Err(e) => view! { <h1>{heading}</h1><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// An error message announced to screen readers, in the page's language.
#[component]
pub fn ErrorBox(error: AppError) -> impl IntoView {
    let l = use_i18n().get_locale_untracked();
    view! { <p class="error" role="alert">{error_message(&error, l)}</p> }
}

/// What an error says, in the page's language.
pub fn error_message(error: &AppError, l: Locale) -> String {
    match error {
        AppError::Unauthenticated => td_string!(l, common.error.unauthenticated).to_string(),
        AppError::Forbidden => td_string!(l, common.error.forbidden).to_string(),
        AppError::NotFound => td_string!(l, common.error.not_found).to_string(),
        AppError::TooManyRequests => td_string!(l, common.error.too_many_requests).to_string(),
        AppError::Internal => td_string!(l, common.error.internal).to_string(),
        AppError::Unavailable => td_string!(l, common.error.unavailable).to_string(),
        // Which field is wrong and why, or what the change conflicts with: the server's message
        // on a Swedish page, the coded problem's words in another (see `problem_text`).
        AppError::Invalid {
            message, problem, ..
        }
        | AppError::Conflict { message, problem } => problem_text(message, *problem, l),
    }
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

/// A list as a table, or its empty state when there is nothing to list. `columns` are the
/// headings; `action_column` adds one for the rows' buttons, named for screen readers only.
/// `scroll` lets a wide table scroll sideways on a phone instead of widening the page.
#[component]
pub fn DataTable<T, R, V>(
    rows: Vec<T>,
    /// Read by screen readers: what the table lists and in what order.
    #[prop(into)]
    caption: String,
    columns: Vec<&'static str>,
    /// One `<tr>` per item.
    row: R,
    /// What the page says when there is nothing to list.
    #[prop(into)]
    empty: String,
    #[prop(optional)] testid: Option<&'static str>,
    #[prop(optional)] empty_testid: Option<&'static str>,
    #[prop(optional)] action_column: bool,
    #[prop(optional)] scroll: bool,
) -> impl IntoView
where
    T: 'static,
    R: Fn(T) -> V + 'static,
    V: IntoView + 'static,
{
    let i18n = use_i18n();
    if rows.is_empty() {
        return view! { <p class="empty" data-testid=empty_testid>{empty}</p> }.into_any();
    }
    let table = view! {
        <table class="list" data-testid=testid>
            <caption class="visually-hidden">{caption}</caption>
            <thead>
                <tr>
                    {columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}
                    {action_column.then(|| view! { <th scope="col"><span class="visually-hidden">{t!(i18n, common.table.action)}</span></th> })}
                </tr>
            </thead>
            <tbody>{rows.into_iter().map(row).collect_view()}</tbody>
        </table>
    };
    if scroll {
        view! { <div class="table-scroll">{table}</div> }.into_any()
    } else {
        table.into_any()
    }
}
