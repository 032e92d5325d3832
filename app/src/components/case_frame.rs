//! The frame every case page stands in: the case route's id, the participant's name as the
//! heading, the case's tabs, and how a page answers when the case or its own data cannot be
//! read (the one no-access page with break-glass, or the error).

use std::future::Future;

use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::cases::BreakGlass;
use crate::components::common::{damaged, error_for, masked, FieldError};
use crate::components::forms::{busy, Submit};
use crate::components::ui::ErrorBox;
use crate::i18n::{t, td, td_string, use_i18n, Locale};
use domain::{AppError, Capability, CaseView, Category, Me, Shown};

/// The `:id` of the current case route.
pub fn use_case_id() -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.with(|p| p.get("id").unwrap_or_default())
}

/// The participant's name as a heading: the name, or the mask.
pub fn case_heading(c: &CaseView, l: Locale) -> impl IntoView {
    let name = match (&c.first_name, &c.last_name) {
        (Shown::Value(f), Shown::Value(l)) => {
            view! { <span>{format!("{f} {l}")}</span> }.into_any()
        }
        (Shown::Masked, _) | (_, Shown::Masked) => {
            view! { {td!(l, cases.frame.unreadable_name, <value/> = masked)} }.into_any()
        }
        (Shown::Damaged, _) | (_, Shown::Damaged) => {
            view! { {td!(l, cases.frame.unreadable_name, <value/> = damaged)} }.into_any()
        }
        (f, l) => view! { <span>{format!("{} {}", f.text(), l.text())}</span> }.into_any(),
    };
    view! { <h1 data-testid="case-name">{name}</h1> }
}

/// A case team member's part (`responsible`, `mentor` …) in the page's language; a part not
/// in `domain::casework::PARTS` as stored.
pub fn part_name(part: &str, l: Locale) -> String {
    match part {
        "responsible" => td_string!(l, cases.part.responsible),
        "case_worker" => td_string!(l, cases.part.case_worker),
        "program_lead" => td_string!(l, cases.part.program_lead),
        "police_contact" => td_string!(l, cases.part.police_contact),
        "mentor" => td_string!(l, cases.part.mentor),
        "other" => td_string!(l, cases.part.other),
        other => other,
    }
    .to_string()
}

/// What to show when the case cannot be read at all.
pub fn is_no_access(e: &AppError) -> bool {
    matches!(e, AppError::NotFound | AppError::Forbidden)
}

/// The heading and the tabs: the top of every case page but the overview (which shows the
/// case's tags between them) and the printed plan.
#[component]
pub fn CaseHead(c: CaseView) -> impl IntoView {
    let l = use_i18n().get_locale_untracked();
    view! {
        {case_heading(&c, l)}
        <CaseTabs c/>
    }
}

/// The tabs of one case, the same on all its pages: casework pages only where the reader may
/// see the category they show; editing, the team and consent pages for the owning team.
#[component]
pub fn CaseTabs(c: CaseView) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let base = format!("/arenden/{}", c.case_id);
    let sees = |cat: Category| c.visible.contains(&cat);
    let mut tabs: Vec<(String, &'static str)> =
        vec![(base.clone(), td_string!(l, cases.frame.tab.overview))];
    if sees(Category::Plan) {
        tabs.push((format!("{base}/plan"), td_string!(l, cases.frame.tab.plan)));
        tabs.push((
            format!("{base}/effekt"),
            td_string!(l, cases.frame.tab.effect),
        ));
    }
    if sees(Category::Safety) {
        tabs.push((
            format!("{base}/sakerhet"),
            td_string!(l, cases.frame.tab.safety),
        ));
    }
    if sees(Category::Housing) || sees(Category::Occupation) {
        tabs.push((
            format!("{base}/boende"),
            td_string!(l, cases.frame.tab.living),
        ));
    }
    if sees(Category::Contacts) {
        tabs.push((
            format!("{base}/kontakt"),
            td_string!(l, cases.frame.tab.contact),
        ));
    }
    if sees(Category::Notes) {
        tabs.push((
            format!("{base}/anteckningar"),
            td_string!(l, cases.frame.tab.notes),
        ));
    }
    if sees(Category::ContactInfo) {
        tabs.push((
            format!("{base}/vardnadshavare"),
            td_string!(l, cases.frame.tab.guardians),
        ));
    }
    tabs.push((
        format!("{base}/tidslinje"),
        td_string!(l, cases.frame.tab.timeline),
    ));
    if c.can_edit {
        tabs.push((
            format!("{base}/redigera"),
            td_string!(l, cases.frame.tab.edit),
        ));
        tabs.push((format!("{base}/team"), td_string!(l, cases.frame.tab.team)));
        tabs.push((
            format!("{base}/samtycken"),
            td_string!(l, cases.frame.tab.consents),
        ));
        tabs.push((
            format!("{base}/overlamna"),
            td_string!(l, cases.frame.tab.handover),
        ));
    }
    // Under the tabs of every page of a case handed over from the reader's organisation.
    let handed_over = c.handed_over.then(|| {
        view! { <p class="warning" role="note" data-testid="handed-over">{td_string!(l, cases.frame.handed_over)}</p> }
    });
    view! {
        <nav class="tabs" aria-label=td_string!(l, cases.frame.tabs)>
            <ul>
                {tabs.into_iter().map(|(href, label)| view! { <li><A href=href exact=true>{label}</A></li> }).collect_view()}
            </ul>
        </nav>
        {handed_over}
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

/// The frame of a case page that needs only the case: its title, then the case; the no-access
/// page or the error when it cannot be read, the page otherwise.
pub fn case_frame<V>(
    title: &'static str,
    case_id: impl Fn() -> String + Copy + Send + Sync + 'static,
    glass: ServerAction<BreakGlass>,
    case: Resource<Result<CaseView, AppError>>,
    page: impl Fn(CaseView) -> V + Copy + Send + Sync + 'static,
) -> impl IntoView
where
    V: IntoView + 'static,
{
    case_frame_with(
        title,
        case_id,
        glass,
        case,
        || async { Ok(()) },
        move |c, ()| page(c),
    )
}

/// The frame of a case page with data of its own: its title, then the case and `load` (the
/// page's resources, awaited together); the no-access page or the error when either fails, the
/// page otherwise. A page that shows its own answer to a failed part loads it as `Ok(result)`.
pub fn case_frame_with<T, L, F, V>(
    title: &'static str,
    case_id: impl Fn() -> String + Copy + Send + Sync + 'static,
    glass: ServerAction<BreakGlass>,
    case: Resource<Result<CaseView, AppError>>,
    load: L,
    page: impl Fn(CaseView, T) -> V + Copy + Send + Sync + 'static,
) -> impl IntoView
where
    L: Fn() -> F + Copy + Send + Sync + 'static,
    F: Future<Output = Result<T, AppError>> + Send + 'static,
    T: Send + 'static,
    V: IntoView + 'static,
{
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || title/>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || {
                let id = case_id();
                Suspend::new(async move {
                    let c = match case.await {
                        Ok(c) => c,
                        Err(e) => return load_failed(e, id, glass),
                    };
                    match load().await {
                        Ok(d) => page(c, d).into_any(),
                        Err(e) => load_failed(e, id, glass),
                    }
                })
            }}
        </Transition>
    }
}

/// The one page for a case the reader may not open — whether it does not exist, belongs to
/// another organisation or is outside the reader's team. It depends only on the reader's role,
/// never on the case, so that it tells nobody outside the owning organisation whether the case
/// exists (status 404 in every case). It says what the reader may do: staff who may ask for
/// break-glass (only ever granted on their own organisation's cases) get the request form.
#[component]
pub fn AccessDenied(case_id: String, glass: ServerAction<BreakGlass>) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    let me = expect_context::<Me>();
    let may_break_glass = me.role.can(Capability::BreakGlass);
    let error = Signal::derive(move || glass.value().get().and_then(Result::err));
    let reason_error = Signal::derive(move || error_for(error.get(), "reason"));
    let i18n = use_i18n();
    view! {
        <section class="access-denied" data-testid="access-denied">
            <h1>{t!(i18n, cases.frame.denied.heading)}</h1>
            <p>{t!(i18n, cases.frame.denied.text)}</p>
            {(!may_break_glass).then(|| view! {
                <p data-testid="access-what-now">{t!(i18n, cases.frame.denied.what_now)}</p>
            })}
            {may_break_glass.then(|| view! {
                <section class="card" id="nodatkomst" aria-labelledby="bg-h">
                    <h2 id="bg-h">{t!(i18n, cases.frame.denied.break_glass)}</h2>
                    <p>{t!(i18n, cases.frame.denied.break_glass_text)}</p>
                    {move || error.get().map(|e| view! { <ErrorBox error=e/> })}
                    <ActionForm action=glass attr:class="form" attr:aria-busy=busy(glass)>
                        <input type="hidden" name="case_id" value=case_id.clone()/>
                        <label for="bg-reason">{t!(i18n, cases.frame.denied.reason)}</label>
                        <textarea id="bg-reason" name="reason" required minlength="20" maxlength="2000" rows="4"
                            aria-invalid=move || reason_error.get().map(|_| "true")
                            aria-describedby=move || reason_error.get().map(|_| "bg-reason-err")></textarea>
                        <FieldError id="bg-reason-err" message=reason_error/>
                        <Submit action=glass class="danger">{t!(i18n, cases.frame.denied.submit)}</Submit>
                    </ActionForm>
                </section>
            })}
        </section>
    }
}
