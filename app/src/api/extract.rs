//! The register extract (GDPR art. 15) of a case's participant.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
use crate::api::require_user;
use domain::extract::{ExtractReview, RegisterExtract, ReviewStatus};
use domain::AppError;
#[cfg(feature = "ssr")]
use utvag_core::extract;

/// Everything stored about the participant of `case_id`, as it may be given to them: items
/// awaiting or refused release after the secrecy review are left out. A `GET`, so that a plain
/// link downloads it as a JSON file; the page renders the same data for printing.
#[server(endpoint = "cases/extract", input = GetUrl)]
pub async fn get_extract(case_id: String) -> Result<RegisterExtract, AppError> {
    super::reply(
        async {
            let x = extract::extract(&require_user().await?, &case_id).await?;
            download_as(&format!("registerutdrag-{}.json", x.participant_id));
            Ok(x)
        }
        .await,
    )
}

/// The page's release step: the extract as it would be given now and every item that needs a
/// secrecy review, with its value, for the case worker who produces it.
#[server(endpoint = "cases/extract_review", input = GetUrl)]
pub async fn get_extract_review(case_id: String) -> Result<ExtractReview, AppError> {
    super::reply(extract::review(&require_user().await?, &case_id).await)
}

/// Records the secrecy-review decision on one item: `decision` is `release` or `withhold`
/// (then `reason`, 10–1000 characters, is required); `version` is the item's version as shown.
#[server(endpoint = "cases/extract_decide")]
pub async fn decide_release(
    case_id: String,
    item: String,
    decision: String,
    #[server(default)] reason: String,
    version: String,
) -> Result<ReviewStatus, AppError> {
    super::reply(
        extract::decide(
            &require_user().await?,
            &case_id,
            &item,
            &decision,
            &reason,
            &version,
        )
        .await,
    )
}

/// Names the file when the endpoint itself was asked (not when a page renders the extract).
#[cfg(feature = "ssr")]
fn download_as(filename: &str) {
    let called_directly =
        use_context::<http::request::Parts>().is_some_and(|p| p.uri.path().starts_with("/api/"));
    if !called_directly {
        return;
    }
    if let (Some(opts), Ok(v)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")),
    ) {
        opts.insert_header(http::header::CONTENT_DISPOSITION, v);
    }
}
