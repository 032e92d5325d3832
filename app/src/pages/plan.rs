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
use crate::components::ui::ActionStatus as SubmitStatus;
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
    case_frame_with(
        "Handlingsplan",
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
    view! {
        <CaseHead c=c.clone()/>
        <div class="page-head">
            <h2 class="page-title">"Handlingsplan"</h2>
            <a class="button" href=format!("/arenden/{case_id}/plan/utskrift")>"Skriv ut"</a>
        </div>
        <p>
            "Nästa uppföljning: "
            <strong data-testid="next-review">{p.next_review.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "inte bestämd".into())}</strong>
        </p>
        {groups.is_empty().then(|| view! { <p class="empty">"Planen har inga mål ännu."</p> })}
        {failure(forms.goal_status)}
        {move || forms.goal_status.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">"Målets status är ändrad."</p> })}
        {groups.into_iter().map(|(domain, gs)| {
            let hid = format!("dom-{}", domain.as_str());
            let case_id = case_id.clone();
            view! {
                <section class="card" aria-labelledby=hid.clone() data-testid="plan-domain">
                    <h3 id=hid.clone() class="domain">{domain.label()}</h3>
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
    view! {
        <article class=if closed { "goal closed" } else { "goal" } data-testid="goal">
            <h4>{shown(&g.text)}</h4>
            <p class="goal-meta">
                <span class=format!("tag status goal-{}", g.status.as_str()) data-testid="goal-status">
                    <span class="visually-hidden">"Status: "</span>{g.status.label()}
                </span>
                " Måldatum: "{date_or_dash(g.target_date)}
            </p>
            {can_edit.then(|| view! { <GoalStatusButtons g=g.clone() case_id=case_id.clone() forms/> })}
            {if g.actions.is_empty() {
                view! { <p class="empty">"Inga åtgärder ännu."</p> }.into_any()
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
    if g.status == GoalStatus::Open {
        view! {
            <div class="actions goal-status-actions">
                <ConfirmButton action=forms.goal_status fields=fields(GoalStatus::Achieved)
                    label="Markera som uppnått" detail=detail.clone()/>
                <ConfirmButton action=forms.goal_status fields=fields(GoalStatus::Dropped)
                    label="Avsluta målet" detail=detail
                    confirm="Avsluta målet utan att det har uppnåtts? Det går att öppna det igen."/>
            </div>
        }
        .into_any()
    } else {
        view! {
            <div class="actions goal-status-actions">
                <ConfirmButton action=forms.goal_status fields=fields(GoalStatus::Open)
                    label="Öppna målet igen" detail=detail/>
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
    view! {
        <li class="plan-action" data-testid="action">
            <p class="action-title"><strong>{shown(&a.title)}</strong>" "<span class="tag status" data-testid="action-status">{a.status.label()}</span>
                {a.with_guardians.then(|| view! { " "<span class="tag" data-testid="action-with-guardians">"Arbete med föräldrar/vårdnadshavare"</span> })}</p>
            <dl class="facts compact">
                <dt>"Ansvarig organisation"</dt><dd>{a.owner_org.clone()}</dd>
                <dt>"Ansvarig"</dt><dd>{if a.responsible.is_empty() { "–".to_string() } else { a.responsible.clone() }}</dd>
                <dt>"Klart senast"</dt><dd>{date_or_dash(a.due)}</dd>
                <dt>"Kommentar"</dt><dd class="prose">{shown(&a.comment)}</dd>
            </dl>
            {a.can_update.then(|| view! {
                <details class="update">
                    <summary>"Uppdatera"<span class="visually-hidden">{format!(" åtgärden {title}")}</span></summary>
                    <ActionForm action=forms.update attr:class="form" attr:aria-busy=busy(forms.update)>
                        <input type="hidden" name="case_id" value=case_id.clone()/>
                        <input type="hidden" name="action_id" value=a.id.clone()/>
                        <input type="hidden" name="version" value=a.version.to_string()/>
                        <label for=st.clone()>"Status"</label>
                        <select id=st name="status">
                            {ActionStatus::ALL.iter().map(|s| view! {
                                <option value=s.as_str() selected=*s == a.status>{s.label()}</option>
                            }).collect_view()}
                        </select>
                        <label for=cm.clone()>"Kommentar"</label>
                        <DraftArea id=cm name="comment" draft value=current rows=3 required=false check=Check::new(comment_text)/>
                        <Submit action=forms.update class="primary">"Spara"</Submit>
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
                        <SubmitStatus value=move || forms.update.value().get() ok="Åtgärden är uppdaterad."/>
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
    view! {
        <section class="card" aria-labelledby="goal-h">
            <h2 id="goal-h">"Nytt mål"</h2>
            {failure(forms.goal)}
            <ActionForm action=forms.goal attr:class="form" attr:data-testid="add-goal" attr:aria-busy=busy(forms.goal)>
                <input type="hidden" name="case_id" value=case_id/>
                <label for="g-domain">"Livsområde"</label>
                <select id="g-domain" name="domain" required>
                    {LifeDomain::ALL.iter().map(|d| view! { <option value=d.as_str()>{d.label()}</option> }).collect_view()}
                </select>
                <label for="g-text">"Mål"</label>
                <input id="g-text" name="text" required maxlength="500" autocomplete="off"/>
                <label for="g-target">"Måldatum"</label>
                <input id="g-target" name="target_date" type="date" on:input=move |ev| d_g_target.run(&ev)
                    aria-invalid=d_g_target.invalid() aria-describedby=d_g_target.described("g-target-err")/>
                <FieldError id="g-target-err" message=d_g_target.message()/>
                <Submit action=forms.goal class="primary">"Lägg till mål"</Submit>
            </ActionForm>
            {move || forms.goal.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">"Målet är tillagt."</p> })}
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
    if goals.is_empty() {
        return view! {
            <section class="card" aria-labelledby="action-h">
                <h2 id="action-h">"Ny åtgärd"</h2>
                <p class="hint">"Lägg till ett mål först. Åtgärder hör alltid till ett mål."</p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="card" aria-labelledby="action-h">
            <h2 id="action-h">"Ny åtgärd"</h2>
            {failure(forms.action)}
            <ActionForm action=forms.action attr:class="form" attr:data-testid="add-action" attr:aria-busy=busy(forms.action)>
                <input type="hidden" name="case_id" value=case_id/>
                <label for="a-goal">"Mål"</label>
                <select id="a-goal" name="goal_id" required>
                    {goals.iter().map(|g| view! {
                        <option value=g.id.clone()>{format!("{} – {}", g.domain.label(), g.text.text())}</option>
                    }).collect_view()}
                </select>
                <label for="a-title">"Åtgärd"</label>
                <input id="a-title" name="title" required maxlength="500" autocomplete="off"/>
                <label for="a-org">"Ansvarig organisation"</label>
                <select id="a-org" name="owner_org" required>
                    {orgs.into_iter().filter(|o| o.active).map(|o| {
                        let selected = o.id == own;
                        view! { <option value=o.id.clone() selected=selected>{o.name.clone()}</option> }
                    }).collect_view()}
                </select>
                <label for="a-resp">"Ansvarig person eller funktion"</label>
                <input id="a-resp" name="responsible" maxlength="200" autocomplete="off"/>
                <div class="check">
                    <input id="a-guardians" name="with_guardians" type="checkbox" value="on"/>
                    <label for="a-guardians">"Arbete med föräldrar/vårdnadshavare"</label>
                </div>
                <label for="a-due">"Klart senast"</label>
                <input id="a-due" name="due" type="date" on:input=move |ev| d_a_due.run(&ev)
                    aria-invalid=d_a_due.invalid() aria-describedby=d_a_due.described("a-due-err")/>
                <FieldError id="a-due-err" message=d_a_due.message()/>
                <Submit action=forms.action class="primary">"Lägg till åtgärd"</Submit>
            </ActionForm>
            {move || forms.action.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">"Åtgärden är tillagd."</p> })}
        </section>
    }
    .into_any()
}

#[component]
fn Reviews(p: PlanDto) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="reviews-h">
            <h2 id="reviews-h">"Uppföljningar"</h2>
            {if p.reviews.is_empty() {
                view! { <p class="empty">"Planen har inte följts upp ännu."</p> }.into_any()
            } else {
                view! {
                    <ul class="reviews">
                        {p.reviews.into_iter().map(|r| view! {
                            <li data-testid="review">
                                <p><strong>{r.date.format("%Y-%m-%d").to_string()}</strong>" · Närvarande: "{shown(&r.present)}</p>
                                <p class="prose">{shown(&r.summary)}</p>
                                <p class="hint">"Nästa uppföljning: "{date_or_dash(r.next_review)}</p>
                            </li>
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
    view! {
        <section class="card" aria-labelledby="review-h">
            <h2 id="review-h">"Ny uppföljning"</h2>
            {failure(forms.review)}
            <ActionForm action=forms.review attr:class="form" attr:data-testid="add-review" attr:aria-busy=busy(forms.review)>
                <input type="hidden" name="case_id" value=case_id/>
                <label for="r-date">"Datum"</label>
                <input id="r-date" name="date" type="date" required on:input=move |ev| d_r_date.run(&ev)
                    aria-invalid=d_r_date.invalid() aria-describedby=d_r_date.described("r-date-err")/>
                <FieldError id="r-date-err" message=d_r_date.message()/>
                <label for="r-present">"Närvarande"</label>
                <input id="r-present" name="present" maxlength="500" autocomplete="off"/>
                <label for="r-summary">"Sammanfattning"</label>
                <DraftArea id="r-summary" name="summary" draft rows=5 check=Check::new(summary_text)/>
                <label for="r-next">"Nästa uppföljning"</label>
                <input id="r-next" name="next_review" type="date" on:input=move |ev| d_r_next.run(&ev)
                    aria-invalid=d_r_next.invalid() aria-describedby=d_r_next.described("r-next-err")/>
                <FieldError id="r-next-err" message=d_r_next.message()/>
                <Submit action=forms.review class="primary">"Spara uppföljning"</Submit>
            </ActionForm>
            {move || forms.review.value().get().and_then(Result::ok).map(|_| view! { <p class="ok" role="status">"Uppföljningen är sparad."</p> })}
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
    case_frame_with(
        "Handlingsplan – utskrift",
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
    view! {
        <div class="plan-print" data-testid="plan-print">
            <div class="screen-only actions">
                <a href=back>"Tillbaka till planen"</a>
                <button type="button" class="primary" on:click=|_| print_page()>"Skriv ut"</button>
            </div>
            <p class="screen-only hint">"Utskriften visar mål och åtgärder. Kommentarer och anteckningar från uppföljningar finns bara i ärendet."</p>
            <h1>"Min handlingsplan"</h1>
            <p class="print-name">{shown(&c.first_name)}" "{shown(&c.last_name)}</p>
            <p>"Utskriven "{today}" · Nästa uppföljning: "{date_or_dash(p.next_review)}</p>
            {p.goals.is_empty().then(|| view! { <p>"Planen har inga mål ännu."</p> })}
            {by_domain(&p.goals).into_iter().map(|(domain, gs)| view! {
                <section class="print-domain">
                    <h2>{domain.label()}</h2>
                    {gs.into_iter().map(|g| view! {
                        <h3>{g.text.text()}<span class="print-target">{g.target_date.map(|d| format!(" (mål till {})", d.format("%Y-%m-%d")))}</span></h3>
                        {if g.actions.is_empty() {
                            ().into_any()
                        } else {
                            view! {
                                <table class="list">
                                    <caption class="visually-hidden">{format!("Åtgärder för målet {}", g.text.text())}</caption>
                                    <thead><tr>
                                        <th scope="col">"Vad"</th><th scope="col">"Vem"</th><th scope="col">"Klart senast"</th><th scope="col">"Status"</th>
                                    </tr></thead>
                                    <tbody>
                                        {g.actions.into_iter().map(|a| {
                                            let who = if a.responsible.is_empty() { a.owner_org.clone() } else { format!("{} ({})", a.responsible, a.owner_org) };
                                            view! {
                                                <tr><td>{a.title.text()}</td><td>{who}</td><td>{date_or_dash(a.due)}</td><td>{a.status.label()}</td></tr>
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
