//! The merge of a stale save of a plan action: someone else saved the action while this user
//! was writing. Instead of "reload and redo", the saved version (read through the plan, an
//! audited read) and the user's own are shown side by side; the user picks, field by field,
//! what to keep — for the comment also both, the saved text first — and saves the result on
//! top of the saved version. If that is stale too, the same view comes back with the newer one.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::casework::{get_plan, UpdateAction};
use crate::components::forms::{busy, Submit};
use crate::components::labels::Label;
use crate::components::ui::ErrorBox;
use crate::i18n::{t, td_string, use_i18n, Locale};
use domain::casework::{ActionDto, ActionStatus};
use domain::{AppError, Shown};

/// The comment when the user keeps both texts: the saved one, then the user's.
pub fn both_comments(saved: &str, yours: &str) -> String {
    match (saved.trim().is_empty(), yours.trim().is_empty()) {
        (true, _) => yours.to_string(),
        (_, true) => saved.to_string(),
        _ => format!("{saved}\n\n{yours}"),
    }
}

/// The merge panel of one action after its save was refused as stale. `yours` is the refused
/// submission (it names the case and the action); `update` the plan's action for action
/// updates, which the merged save goes through; `dismiss` leaves the merge and keeps the saved
/// version.
#[component]
pub fn ActionMerge<D>(
    yours: UpdateAction,
    update: ServerAction<UpdateAction>,
    dismiss: D,
) -> impl IntoView
where
    D: Fn() + Copy + Send + Sync + 'static,
{
    let plan_of = yours.case_id.clone();
    let current = LocalResource::new(move || get_plan(plan_of.clone()));
    let action_id = yours.action_id.clone();
    let yours = StoredValue::new(yours);
    let i18n = use_i18n();
    view! {
        <section class="card merge" role="region" aria-labelledby=format!("merge-h-{action_id}") data-testid="merge">
            <h3 id=format!("merge-h-{action_id}")>{t!(i18n, plan.merge.heading)}</h3>
            <p>{t!(i18n, plan.merge.intro)}</p>
            <Suspense fallback=move || view! { <p class="loading" aria-busy="true">{t!(i18n, plan.merge.loading)}</p> }>
                {move || current.get().map(|r| {
                    let found = r.and_then(|p| {
                        p.goals
                            .into_iter()
                            .flat_map(|g| g.actions)
                            .find(|a| yours.with_value(|y| a.id == y.action_id))
                            .ok_or(AppError::NotFound)
                    });
                    match found {
                        Ok(saved) => view! {
                            <MergeForm saved yours=yours.get_value() update dismiss/>
                        }
                        .into_any(),
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn MergeForm<D>(
    saved: ActionDto,
    yours: UpdateAction,
    update: ServerAction<UpdateAction>,
    dismiss: D,
) -> impl IntoView
where
    D: Fn() + Copy + Send + Sync + 'static,
{
    let id = saved.id.clone();
    let saved_comment = saved.comment.value().cloned().unwrap_or_default();
    let your_status = ActionStatus::parse(&yours.status).ok();
    // A field the two versions agree on is sent as it is, with nothing to choose.
    let same_status = (your_status == Some(saved.status)).then_some(saved.status.as_str());
    // A saved comment this user cannot read (withheld, or damaged) is never offered as a choice:
    // choosing it would send an empty text over it. The user's own is sent, as the first save
    // would have done.
    let readable = matches!(saved.comment, Shown::Value(_) | Shown::Empty);
    let same_comment = if readable {
        (saved_comment == yours.comment).then(|| saved_comment.clone())
    } else {
        Some(yours.comment.clone())
    };
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let status_row = if same_status.is_some() {
        view! {
            <tr>
                <th scope="row">{t!(i18n, plan.merge.status)}</th>
                <td colspan="2">{td_string!(l, plan.merge.same, value = saved.status.label_in(l)).to_string()}</td>
            </tr>
        }
        .into_any()
    } else {
        let your = your_status.unwrap_or(saved.status);
        view! {
            <tr>
                <th scope="row">{t!(i18n, plan.merge.status)}</th>
                <td>
                    <label class="choice">
                        <input type="radio" name="status" value=saved.status.as_str() required/>
                        <span class="visually-hidden">{t!(i18n, plan.merge.status_saved)}" "</span>
                        <span>{saved.status.label_in(l)}</span>
                    </label>
                </td>
                <td>
                    <label class="choice">
                        <input type="radio" name="status" value=your.as_str() required/>
                        <span class="visually-hidden">{t!(i18n, plan.merge.status_yours)}" "</span>
                        <span>{your.label_in(l)}</span>
                    </label>
                </td>
            </tr>
        }
        .into_any()
    };
    let comment_row = if same_comment.is_some() {
        view! {
            <tr>
                <th scope="row">{t!(i18n, plan.merge.comment)}</th>
                <td colspan="2" class="prose">
                    {if readable {
                        td_string!(l, plan.merge.same, value = shown_text(&saved_comment, l)).to_string()
                    } else {
                        td_string!(l, plan.merge.unreadable, value = shown_text(&yours.comment, l)).to_string()
                    }}
                </td>
            </tr>
        }
        .into_any()
    } else {
        let both = both_comments(&saved_comment, &yours.comment);
        view! {
            <tr>
                <th scope="row">{t!(i18n, plan.merge.comment)}</th>
                <td>
                    <label class="choice">
                        <input type="radio" name="comment" value=saved_comment.clone() required/>
                        <span class="visually-hidden">{t!(i18n, plan.merge.comment_saved)}" "</span>
                        <span class="prose" data-testid="merge-saved-comment">{shown_text(&saved_comment, l)}</span>
                    </label>
                </td>
                <td>
                    <label class="choice">
                        <input type="radio" name="comment" value=yours.comment.clone() required/>
                        <span class="visually-hidden">{t!(i18n, plan.merge.comment_yours)}" "</span>
                        <span class="prose" data-testid="merge-your-comment">{shown_text(&yours.comment, l)}</span>
                    </label>
                </td>
            </tr>
            <tr>
                <td></td>
                <td colspan="2">
                    <label class="choice">
                        <input type="radio" name="comment" value=both required/>
                        <span>{t!(i18n, plan.merge.keep_both, <hidden> = <span class="visually-hidden"/>)}</span>
                    </label>
                </td>
            </tr>
        }
        .into_any()
    };
    view! {
        <ActionForm action=update attr:class="form" attr:data-testid="merge-form" attr:aria-busy=busy(update)>
            <input type="hidden" name="case_id" value=yours.case_id.clone()/>
            <input type="hidden" name="action_id" value=id/>
            <input type="hidden" name="version" value=saved.version.to_string()/>
            {same_status.map(|s| view! { <input type="hidden" name="status" value=s/> })}
            {same_comment.map(|c| view! { <input type="hidden" name="comment" value=c/> })}
            <div class="table-scroll">
                <table class="merge-table">
                    <caption class="visually-hidden">{t!(i18n, plan.merge.caption)}</caption>
                    <thead>
                        <tr><th scope="col">{t!(i18n, plan.merge.field)}</th><th scope="col">{t!(i18n, plan.merge.saved_version)}</th><th scope="col">{t!(i18n, plan.merge.your_version)}</th></tr>
                    </thead>
                    <tbody>{status_row}{comment_row}</tbody>
                </table>
            </div>
            <div class="actions">
                <Submit action=update class="primary">{t!(i18n, plan.merge.submit)}</Submit>
                <button type="button" on:click=move |_| dismiss()>{t!(i18n, plan.merge.keep_saved)}</button>
            </div>
        </ActionForm>
    }
}

/// A comment as shown in the merge: an empty one says so.
fn shown_text(s: &str, l: Locale) -> String {
    if s.trim().is_empty() {
        td_string!(l, plan.merge.no_comment).into()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::both_comments;

    #[test]
    fn keeping_both_comments_puts_the_saved_first_and_drops_nothing() {
        assert_eq!(both_comments("saved", "mine"), "saved\n\nmine");
        assert_eq!(both_comments("", "mine"), "mine");
        assert_eq!(both_comments("saved", "  "), "saved");
    }
}
