//! `/arenden/:id/plan`: the individual plan — goals per life domain, the actions under each
//! goal and the periodic reviews — and `/arenden/:id/plan/utskrift`, the plan printed for the
//! participant.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::cases::{get_case, BreakGlass};
use crate::api::casework::{get_plan, AddAction, AddGoal, AddReview, SetGoalStatus, UpdateAction};
use crate::api::orgs::list_orgs;
use crate::components::case_frame::{case_frame_with, use_case_id, CaseHead};
use crate::components::common::{date_or_dash, print_page, shown, successes, FieldError};
use crate::components::forms::{
    busy, draft_key, failure, forget_draft, forget_drafts_when_saved, optional_date, required_date,
    Check, ConfirmButton, DraftArea, SignInToSave, Submit,
};
use crate::components::labels::Label;
use crate::components::ui::ActionStatus as SubmitStatus;
use crate::i18n::{t, td_string, use_i18n};
use crate::pages::plan_merge::ActionMerge;
use domain::casework::{ActionDto, ActionStatus, GoalDto, GoalStatus, LifeDomain, PlanDto};
use domain::{input, AppError, CaseView, Me, MAX_TEXT};

/// The core's rule for a review's summary.
fn summary_text(v: &str) -> Result<(), AppError> {
    input::text("summary", "Sammanfattningen", v, true, MAX_TEXT).map(drop)
}

/// The core's rule for an action's comment.
fn comment_text(v: &str) -> Result<(), AppError> {
    input::text("comment", "Kommentaren", v, false, MAX_TEXT).map(drop)
}

/// The plan's goals grouped by life domain, in the order of [`LifeDomain::ALL`].
fn by_domain(goals: &[GoalDto]) -> Vec<(LifeDomain, Vec<GoalDto>)> {
    LifeDomain::ALL
        .iter()
        .map(|d| {
            let gs: Vec<GoalDto> = goals.iter().filter(|g| g.domain == *d).cloned().collect();
            (*d, gs)
        })
        .filter(|(_, gs)| !gs.is_empty())
        .collect()
}

/// The forms of the plan page; one action for all action updates so that the outcome survives
/// the reload that follows a save.
#[derive(Clone, Copy)]
struct PlanForms {
    goal: ServerAction<AddGoal>,
    action: ServerAction<AddAction>,
    review: ServerAction<AddReview>,
    update: ServerAction<UpdateAction>,
    /// A goal marked achieved or dropped, or opened again.
    goal_status: ServerAction<SetGoalStatus>,
    /// The last update sent: which action it was about, and what a stale save's merge offers
    /// as the user's version.
    sent: RwSignal<Option<UpdateAction>>,
    /// Bumped to read the plan again (after a merge is left with the saved version kept).
    refresh: RwSignal<u32>,
}

#[component]
pub fn PlanPage() -> impl IntoView {
    let case_id = use_case_id();
    let glass = ServerAction::<BreakGlass>::new();
    let forms = PlanForms {
        goal: ServerAction::new(),
        action: ServerAction::new(),
        review: ServerAction::new(),
        update: ServerAction::new(),
        goal_status: ServerAction::new(),
        sent: RwSignal::new(None),
        refresh: RwSignal::new(0),
    };
    Effect::new(move |_| {
        if let Some(input) = forms.update.input().get() {
            forms.sent.set(Some(input));
        }
    });
    forget_drafts_when_saved(forms.review, |r| vec![draft_key(&r.case_id, "review")]);
    forget_drafts_when_saved(forms.update, |u| {
        vec![draft_key(&u.case_id, &format!("comment.{}", u.action_id))]
    });
    let saved = (
        successes(forms.goal),
        successes(forms.action),
        successes(forms.review),
        successes(forms.update),
        successes(forms.goal_status),
    );
    let granted = successes(glass);
    let case = Resource::new(move || (case_id(), granted.get()), |(id, _)| get_case(id));
    let plan = Resource::new(
        move || {
            (
                case_id(),
                granted.get(),
                saved.0.get(),
                saved.1.get(),
                saved.2.get(),
                saved.3.get(),
                saved.4.get(),
                forms.refresh.get(),
            )
        },
        |(id, ..)| get_plan(id),
    );
    let orgs = Resource::new(|| (), |_| list_orgs());
    let load = move || async move {
        let p = plan.await?;
        Ok((p, orgs.await.unwrap_or_default()))
    };
    let l = use_i18n().get_locale_untracked();
    case_frame_with(
        td_string!(l, plan.title),
        case_id,
        glass,
        case,
        load,
        move |c, (p, orgs)| view! { <Plan c p orgs forms/> },
    )
}

#[component]
fn Plan(c: CaseView, p: PlanDto, orgs: Vec<domain::OrgDto>, forms: PlanForms) -> impl IntoView {
    let case_id = c.case_id.clone();
    let groups = by_domain(&p.goals);
    let goals = p.goals.clone();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let next_review = p
        .next_review
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| td_string!(l, plan.not_decided).into());
    view! {
        <CaseHead c=c.clone()/>
        <div class="page-head">
            <h2 class="page-title">{t!(i18n, plan.title)}</h2>
            <a class="button" href=format!("/arenden/{case_id}/plan/utskrift")>{t!(i18n, plan.print_button)}</a>
        </div>
        <p>
            {t!(i18n, plan.next_review, date = next_review, <strong> = <strong data-testid="next-review"/>)}
        </p>
        {groups.is_empty().then(|| view! { <p class="empty">{t!(i18n, plan.no_goals)}</p> })}
        {failure(forms.goal_status)}
        {move || forms.goal_status.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">{t!(i18n, plan.goal_status_changed)}</p> })}
        {groups.into_iter().map(|(domain, gs)| {
            let hid = format!("dom-{}", domain.as_str());
            let case_id = case_id.clone();
            view! {
                <section class="card" aria-labelledby=hid.clone() data-testid="plan-domain">
                    <h3 id=hid.clone() class="domain">{domain.label_in(l)}</h3>
                    {gs.into_iter().map(|g| view! { <Goal g case_id=case_id.clone() can_edit=p.can_edit forms/> }).collect_view()}
                </section>
            }
        }).collect_view()}
        {p.can_edit.then(|| view! {
            <div class="columns">
                <AddGoalForm case_id=case_id.clone() forms/>
                <AddActionForm case_id=case_id.clone() goals=goals.clone() orgs me_org=c.owner_org_id.clone() forms/>
            </div>
        })}
        <Reviews p=p.clone()/>
        {p.can_edit.then(|| view! { <AddReviewForm case_id=case_id.clone() forms/> })}
    }
}

#[component]
fn Goal(g: GoalDto, case_id: String, can_edit: bool, forms: PlanForms) -> impl IntoView {
    let closed = g.status != GoalStatus::Open;
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let target = date_or_dash(g.target_date);
    view! {
        <article class=if closed { "goal closed" } else { "goal" } data-testid="goal">
            <h4>{shown(&g.text)}</h4>
            <p class="goal-meta">
                <span class=format!("tag status goal-{}", g.status.as_str()) data-testid="goal-status">
                    <span class="visually-hidden">{t!(i18n, plan.goal.status)}" "</span>{g.status.label_in(l)}
                </span>
                " "{t!(i18n, plan.goal.target_date, date = target)}
            </p>
            {can_edit.then(|| view! { <GoalStatusButtons g=g.clone() case_id=case_id.clone() forms/> })}
            {if g.actions.is_empty() {
                view! { <p class="empty">{t!(i18n, plan.goal.no_actions)}</p> }.into_any()
            } else {
                view! {
                    <ul class="plan-actions">
                        {g.actions.into_iter().map(|a| view! { <Action a case_id=case_id.clone() forms/> }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </article>
    }
}

/// Marking a goal achieved or dropping it (after a question), or opening a closed one again.
/// Each is a one-button form: a plain post without JavaScript.
#[component]
fn GoalStatusButtons(g: GoalDto, case_id: String, forms: PlanForms) -> impl IntoView {
    let (goal_id, version) = (g.id.clone(), g.version.to_string());
    let fields = move |to: GoalStatus| {
        vec![
            ("case_id", case_id.clone()),
            ("goal_id", goal_id.clone()),
            ("version", version.clone()),
            ("status", to.as_str().to_string()),
        ]
    };
    let detail = format!(" {}", g.text.text());
    let l = use_i18n().get_locale_untracked();
    if g.status == GoalStatus::Open {
        view! {
            <div class="actions goal-status-actions">
                <ConfirmButton action=forms.goal_status fields=fields(GoalStatus::Achieved)
                    label=td_string!(l, plan.goal.mark_achieved) detail=detail.clone()/>
                <ConfirmButton action=forms.goal_status fields=fields(GoalStatus::Dropped)
                    label=td_string!(l, plan.goal.drop) detail=detail
                    confirm=td_string!(l, plan.goal.drop_confirm)/>
            </div>
        }
        .into_any()
    } else {
        view! {
            <div class="actions goal-status-actions">
                <ConfirmButton action=forms.goal_status fields=fields(GoalStatus::Open)
                    label=td_string!(l, plan.goal.reopen) detail=detail/>
            </div>
        }
        .into_any()
    }
}

#[component]
fn Action(a: ActionDto, case_id: String, forms: PlanForms) -> impl IntoView {
    let id = a.id.clone();
    let mine = move || {
        forms
            .sent
            .with(|s| s.as_ref().is_some_and(|s| s.action_id == id))
    };
    let title = a.title.text();
    let st = format!("st-{}", a.id);
    let cm = format!("cm-{}", a.id);
    let draft = draft_key(&case_id, &format!("comment.{}", a.id));
    let current = a.comment.value().cloned().unwrap_or_default();
    // Leaving a merge keeps the saved version: the user's draft of the comment goes, and the
    // plan is read again to show what is saved.
    let keep_saved = {
        let draft = draft.clone();
        StoredValue::new(move || {
            forget_draft(&draft);
            forms.update.value().set(None);
            forms.refresh.update(|n| *n += 1);
        })
    };
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <li class="plan-action" data-testid="action">
            <p class="action-title"><strong>{shown(&a.title)}</strong>" "<span class="tag status" data-testid="action-status">{a.status.label_in(l)}</span>
                {a.with_guardians.then(|| view! { " "<span class="tag" data-testid="action-with-guardians">{t!(i18n, plan.action.with_guardians)}</span> })}</p>
            <dl class="facts compact">
                <dt>{t!(i18n, plan.action.owner_org)}</dt><dd>{a.owner_org.clone()}</dd>
                <dt>{t!(i18n, plan.action.responsible)}</dt><dd>{if a.responsible.is_empty() { "–".to_string() } else { a.responsible.clone() }}</dd>
                <dt>{t!(i18n, plan.action.due)}</dt><dd>{date_or_dash(a.due)}</dd>
                <dt>{t!(i18n, plan.action.comment)}</dt><dd class="prose">{shown(&a.comment)}</dd>
            </dl>
            {a.can_update.then(|| view! {
                <details class="update">
                    <summary>{t!(i18n, plan.action.update, title = title.clone(), <hidden> = <span class="visually-hidden"/>)}</summary>
                    <ActionForm action=forms.update attr:class="form" attr:aria-busy=busy(forms.update)>
                        <input type="hidden" name="case_id" value=case_id.clone()/>
                        <input type="hidden" name="action_id" value=a.id.clone()/>
                        <input type="hidden" name="version" value=a.version.to_string()/>
                        <label for=st.clone()>{t!(i18n, plan.action.status)}</label>
                        <select id=st name="status">
                            {ActionStatus::ALL.iter().map(|s| view! {
                                <option value=s.as_str() selected=*s == a.status>{s.label_in(l)}</option>
                            }).collect_view()}
                        </select>
                        <label for=cm.clone()>{t!(i18n, plan.action.comment)}</label>
                        <DraftArea id=cm name="comment" draft value=current rows=3 required=false check=Check::new(comment_text)/>
                        <Submit action=forms.update class="primary">{t!(i18n, plan.action.save)}</Submit>
                    </ActionForm>
                </details>
            })}
            {move || mine().then(|| {
                let stale = matches!(forms.update.value().get(), Some(Err(AppError::Conflict { .. })));
                match forms.sent.get().filter(|_| stale) {
                    Some(yours) => view! {
                        <ActionMerge yours update=forms.update
                            dismiss=move || keep_saved.with_value(|f| f())/>
                    }
                    .into_any(),
                    None => view! {
                        <SubmitStatus value=move || forms.update.value().get() ok=td_string!(l, plan.action.updated)/>
                        <SignInToSave action=forms.update/>
                    }
                    .into_any(),
                }
            })}
        </li>
    }
}

#[component]
fn AddGoalForm(case_id: String, forms: PlanForms) -> impl IntoView {
    let d_g_target = Check::new(|v| optional_date("target_date", v));
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <section class="card" aria-labelledby="goal-h">
            <h2 id="goal-h">{t!(i18n, plan.add_goal.heading)}</h2>
            {failure(forms.goal)}
            <ActionForm action=forms.goal attr:class="form" attr:data-testid="add-goal" attr:aria-busy=busy(forms.goal)>
                <input type="hidden" name="case_id" value=case_id/>
                <label for="g-domain">{t!(i18n, plan.add_goal.domain)}</label>
                <select id="g-domain" name="domain" required>
                    {LifeDomain::ALL.iter().map(|d| view! { <option value=d.as_str()>{d.label_in(l)}</option> }).collect_view()}
                </select>
                <label for="g-text">{t!(i18n, plan.add_goal.goal)}</label>
                <input id="g-text" name="text" required maxlength="500" autocomplete="off"/>
                <label for="g-target">{t!(i18n, plan.add_goal.target_date)}</label>
                <input id="g-target" name="target_date" type="date" on:input=move |ev| d_g_target.run(&ev)
                    aria-invalid=d_g_target.invalid() aria-describedby=d_g_target.described("g-target-err")/>
                <FieldError id="g-target-err" message=d_g_target.message()/>
                <Submit action=forms.goal class="primary">{t!(i18n, plan.add_goal.submit)}</Submit>
            </ActionForm>
            {move || forms.goal.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">{t!(i18n, plan.add_goal.added)}</p> })}
        </section>
    }
}

#[component]
fn AddActionForm(
    case_id: String,
    goals: Vec<GoalDto>,
    orgs: Vec<domain::OrgDto>,
    me_org: String,
    forms: PlanForms,
) -> impl IntoView {
    let d_a_due = Check::new(|v| optional_date("due", v));
    // The reader's own organisation first: most actions are owned by whoever writes them.
    let own = use_context::<Me>().map(|m| m.org_id).unwrap_or(me_org);
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    if goals.is_empty() {
        return view! {
            <section class="card" aria-labelledby="action-h">
                <h2 id="action-h">{t!(i18n, plan.add_action.heading)}</h2>
                <p class="hint">{t!(i18n, plan.add_action.goal_first)}</p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="card" aria-labelledby="action-h">
            <h2 id="action-h">{t!(i18n, plan.add_action.heading)}</h2>
            {failure(forms.action)}
            <ActionForm action=forms.action attr:class="form" attr:data-testid="add-action" attr:aria-busy=busy(forms.action)>
                <input type="hidden" name="case_id" value=case_id/>
                <label for="a-goal">{t!(i18n, plan.add_action.goal)}</label>
                <select id="a-goal" name="goal_id" required>
                    {goals.iter().map(|g| view! {
                        <option value=g.id.clone()>{format!("{} – {}", g.domain.label_in(l), g.text.text())}</option>
                    }).collect_view()}
                </select>
                <label for="a-title">{t!(i18n, plan.add_action.action)}</label>
                <input id="a-title" name="title" required maxlength="500" autocomplete="off"/>
                <label for="a-org">{t!(i18n, plan.add_action.owner_org)}</label>
                <select id="a-org" name="owner_org" required>
                    {orgs.into_iter().filter(|o| o.active).map(|o| {
                        let selected = o.id == own;
                        view! { <option value=o.id.clone() selected=selected>{o.name.clone()}</option> }
                    }).collect_view()}
                </select>
                <label for="a-resp">{t!(i18n, plan.add_action.responsible)}</label>
                <input id="a-resp" name="responsible" maxlength="200" autocomplete="off"/>
                <div class="check">
                    <input id="a-guardians" name="with_guardians" type="checkbox" value="on"/>
                    <label for="a-guardians">{t!(i18n, plan.action.with_guardians)}</label>
                </div>
                <label for="a-due">{t!(i18n, plan.add_action.due)}</label>
                <input id="a-due" name="due" type="date" on:input=move |ev| d_a_due.run(&ev)
                    aria-invalid=d_a_due.invalid() aria-describedby=d_a_due.described("a-due-err")/>
                <FieldError id="a-due-err" message=d_a_due.message()/>
                <Submit action=forms.action class="primary">{t!(i18n, plan.add_action.submit)}</Submit>
            </ActionForm>
            {move || forms.action.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">{t!(i18n, plan.add_action.added)}</p> })}
        </section>
    }
    .into_any()
}

#[component]
fn Reviews(p: PlanDto) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="reviews-h">
            <h2 id="reviews-h">{t!(i18n, plan.reviews.heading)}</h2>
            {if p.reviews.is_empty() {
                view! { <p class="empty">{t!(i18n, plan.reviews.none)}</p> }.into_any()
            } else {
                view! {
                    <ul class="reviews">
                        {p.reviews.into_iter().map(|r| {
                            let date = r.date.format("%Y-%m-%d").to_string();
                            let present = r.present.clone();
                            let next = date_or_dash(r.next_review);
                            view! {
                                <li data-testid="review">
                                    <p>{t!(i18n, plan.reviews.present, date, present = move || shown(&present), <strong> = <strong/>)}</p>
                                    <p class="prose">{shown(&r.summary)}</p>
                                    <p class="hint">{t!(i18n, plan.reviews.next, date = next)}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
fn AddReviewForm(case_id: String, forms: PlanForms) -> impl IntoView {
    let d_r_date = Check::new(|v| required_date("date", v));
    let d_r_next = Check::new(|v| optional_date("next_review", v));
    let draft = draft_key(&case_id, "review");
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="review-h">
            <h2 id="review-h">{t!(i18n, plan.add_review.heading)}</h2>
            {failure(forms.review)}
            <ActionForm action=forms.review attr:class="form" attr:data-testid="add-review" attr:aria-busy=busy(forms.review)>
                <input type="hidden" name="case_id" value=case_id/>
                <label for="r-date">{t!(i18n, plan.add_review.date)}</label>
                <input id="r-date" name="date" type="date" required on:input=move |ev| d_r_date.run(&ev)
                    aria-invalid=d_r_date.invalid() aria-describedby=d_r_date.described("r-date-err")/>
                <FieldError id="r-date-err" message=d_r_date.message()/>
                <label for="r-present">{t!(i18n, plan.add_review.present)}</label>
                <input id="r-present" name="present" maxlength="500" autocomplete="off"/>
                <label for="r-summary">{t!(i18n, plan.add_review.summary)}</label>
                <DraftArea id="r-summary" name="summary" draft rows=5 check=Check::new(summary_text)/>
                <label for="r-next">{t!(i18n, plan.add_review.next)}</label>
                <input id="r-next" name="next_review" type="date" on:input=move |ev| d_r_next.run(&ev)
                    aria-invalid=d_r_next.invalid() aria-describedby=d_r_next.described("r-next-err")/>
                <FieldError id="r-next-err" message=d_r_next.message()/>
                <Submit action=forms.review class="primary">{t!(i18n, plan.add_review.submit)}</Submit>
            </ActionForm>
            {move || forms.review.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">{t!(i18n, plan.add_review.saved)}</p> })}
        </section>
    }
}

/// The plan as the participant gets it on paper: goals, who does what and by when, and the
/// next review. Comments and review notes stay in the case.
#[component]
pub fn PlanPrintPage() -> impl IntoView {
    let case_id = use_case_id();
    let glass = ServerAction::<BreakGlass>::new();
    let case = Resource::new(case_id, get_case);
    let plan = Resource::new(case_id, get_plan);
    let l = use_i18n().get_locale_untracked();
    case_frame_with(
        td_string!(l, plan.print.title),
        case_id,
        glass,
        case,
        move || async move { plan.await },
        move |c, p| view! { <PrintedPlan c p/> },
    )
}

#[component]
fn PrintedPlan(c: CaseView, p: PlanDto) -> impl IntoView {
    let back = format!("/arenden/{}/plan", c.case_id);
    // The printed date is the Swedish one, also in the first hour after midnight.
    let today = domain::time::swedish_date(chrono::Utc::now())
        .format("%Y-%m-%d")
        .to_string();
    let next = date_or_dash(p.next_review);
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <div class="plan-print" data-testid="plan-print">
            <div class="screen-only actions">
                <a href=back>{t!(i18n, plan.print.back)}</a>
                <button type="button" class="primary" on:click=|_| print_page()>{t!(i18n, plan.print_button)}</button>
            </div>
            <p class="screen-only hint">{t!(i18n, plan.print.hint)}</p>
            <h1>{t!(i18n, plan.print.heading)}</h1>
            <p class="print-name">{shown(&c.first_name)}" "{shown(&c.last_name)}</p>
            <p>{t!(i18n, plan.print.printed, date = today, next)}</p>
            {p.goals.is_empty().then(|| view! { <p>{t!(i18n, plan.no_goals)}</p> })}
            {by_domain(&p.goals).into_iter().map(|(domain, gs)| view! {
                <section class="print-domain">
                    <h2>{domain.label_in(l)}</h2>
                    {gs.into_iter().map(|g| view! {
                        <h3>{g.text.text()}<span class="print-target">{g.target_date.map(|d| format!(" {}", td_string!(l, plan.print.target, date = d.format("%Y-%m-%d").to_string())))}</span></h3>
                        {if g.actions.is_empty() {
                            ().into_any()
                        } else {
                            view! {
                                <table class="list">
                                    <caption class="visually-hidden">{td_string!(l, plan.print.caption, goal = g.text.text()).to_string()}</caption>
                                    <thead><tr>
                                        <th scope="col">{t!(i18n, plan.print.what)}</th><th scope="col">{t!(i18n, plan.print.who)}</th><th scope="col">{t!(i18n, plan.print.due)}</th><th scope="col">{t!(i18n, plan.print.status)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {g.actions.into_iter().map(|a| {
                                            let who = if a.responsible.is_empty() { a.owner_org.clone() } else { format!("{} ({})", a.responsible, a.owner_org) };
                                            view! {
                                                <tr><td>{a.title.text()}</td><td>{who}</td><td>{date_or_dash(a.due)}</td><td>{a.status.label_in(l)}</td></tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }
                            .into_any()
                        }}
                    }).collect_view()}
                </section>
            }).collect_view()}
        </div>
    }
}
