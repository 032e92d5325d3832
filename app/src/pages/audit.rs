//! Log review (loggkontroll), for the log reviewer: `/granskning` answers "who has read this
//! person's data" and "what has this user read", searches the log by person, user,
//! organisation, action and period, and shows the audit chain's state;
//! `/granskning/nodatkomst` is the queue of break-glass accesses waiting for review.
//!
//! The questions are GET forms (an opaque participant id or a username in the address, never
//! personal data), so the answers can be read without JavaScript. Every question is itself
//! written to the audit log by the core.

use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use crate::api::audit::{
    break_glass_queue, flagged_reads, last_verification, reads_by_user, reads_of_participant,
    search_audit, ReviewBreakGlass, VerifyAuditChain,
};
use crate::api::orgs::list_orgs;
use crate::components::common::{error_for, successes, sv_datetime, FieldError};
use crate::components::forms::{busy, Submit};
use crate::components::labels::{action_text, decision_text, purpose_text, Label};
use crate::components::ui::{ActionStatus, ErrorBox};
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};
use domain::audit::{ACTIONS, SEARCH_LIMIT};
use domain::{AppError, AuditRow, BreakGlassRow, Category, Me, VerificationDto};

/// `case_team`, `consent:<id>`, `break_glass:<id>`… as words; ids are kept for follow-up.
fn basis_label(basis: &str, l: Locale) -> String {
    basis
        .split(',')
        .map(|b| match b.split_once(':') {
            Some(("consent", id)) => td_string!(l, audit.basis.consent, id).to_string(),
            Some(("break_glass", id)) => td_string!(l, audit.basis.break_glass_id, id).to_string(),
            _ => match b {
                "case_team" => td_string!(l, audit.basis.case_team).to_string(),
                "program_lead" => td_string!(l, audit.basis.program_lead).to_string(),
                "break_glass" => td_string!(l, audit.basis.break_glass).to_string(),
                other => other.to_string(),
            },
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn categories_label(cats: &[String], l: Locale) -> String {
    cats.iter()
        .map(|c| {
            Category::parse(c)
                .map(|c| c.label_in(l).to_string())
                .unwrap_or_else(|_| c.clone())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn not_auditor(l: Locale) -> AnyView {
    view! { <p class="error" role="alert">{td_string!(l, audit.not_auditor)}</p> }.into_any()
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    if !me.role.can(domain::Capability::ReviewLog) {
        return view! { <PageTitle text=move || t_string!(i18n, audit.title)/><h1>{t!(i18n, audit.title)}</h1>{not_auditor(l)} }
            .into_any();
    }
    let query = use_query_map();
    let participant = move || {
        query.with(|q| {
            q.get("deltagare")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        })
    };
    let username = move || {
        query.with(|q| {
            q.get("anvandare")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        })
    };
    let by_participant = Resource::new(participant, |p| async move {
        match p {
            Some(p) => reads_of_participant(p).await.map(Some),
            None => Ok(None),
        }
    });
    let by_user = Resource::new(username, |u| async move {
        match u {
            Some(u) => reads_by_user(u).await.map(Some),
            None => Ok(None),
        }
    });

    view! {
        <PageTitle text=move || t_string!(i18n, audit.title)/>
        <h1>{t!(i18n, audit.title)}</h1>
        <ChainStatus/>
        <Flagged/>
        <section class="card" aria-labelledby="who-h">
            <h2 id="who-h">{t!(i18n, audit.who.heading)}</h2>
            <p class="hint">{t!(i18n, audit.who.hint)}</p>
            <Form method="get" action="/granskning" attr:class="form inline" attr:data-testid="who-read-form">
                <label for="a-participant">{t!(i18n, audit.who.participant)}</label>
                <input id="a-participant" name="deltagare" required maxlength="64" autocomplete="off" spellcheck="false"
                    value=move || participant().unwrap_or_default()/>
                <button type="submit">{t!(i18n, audit.show)}</button>
            </Form>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move { results(by_participant.await, "who-read", l) })}
            </Transition>
        </section>
        <section class="card" aria-labelledby="what-h">
            <h2 id="what-h">{t!(i18n, audit.what.heading)}</h2>
            <p class="hint">{t!(i18n, audit.what.hint)}</p>
            <Form method="get" action="/granskning" attr:class="form inline" attr:data-testid="user-read-form">
                <label for="a-user">{t!(i18n, audit.what.username)}</label>
                <input id="a-user" name="anvandare" required maxlength="64" autocomplete="off" spellcheck="false"
                    value=move || username().unwrap_or_default()/>
                <button type="submit">{t!(i18n, audit.show)}</button>
            </Form>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move { results(by_user.await, "user-read", l) })}
            </Transition>
        </section>
        <LogSearch/>
    }
    .into_any()
}

/// A search of the whole log; a GET form (ids, a username and dates in the address, never
/// personal data), so it works without JavaScript. Every part left empty matches anything.
#[component]
fn LogSearch() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let query = use_query_map();
    let param = move |k: &'static str| {
        move || query.with(|q| q.get(k).map(|s| s.trim().to_string()).unwrap_or_default())
    };
    let (participant, username, org, action, from, to) = (
        param("sok_deltagare"),
        param("sok_anvandare"),
        param("sok_org"),
        param("sok_handelse"),
        param("sok_fran"),
        param("sok_till"),
    );
    let asked = move || query.with(|q| q.get("sok").is_some());
    let found = Resource::new(
        move || asked().then(|| (participant(), username(), org(), action(), from(), to())),
        |args| async move {
            match args {
                Some((p, u, o, a, f, t)) => search_audit(p, u, o, a, f, t).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let orgs = Resource::new(|| (), |_| list_orgs());
    view! {
        <section class="card" aria-labelledby="search-h">
            <h2 id="search-h">{t!(i18n, audit.search.heading)}</h2>
            <p class="hint">{t!(i18n, audit.search.hint, limit = SEARCH_LIMIT)}</p>
            <Form method="get" action="/granskning" attr:class="filters" attr:data-testid="log-search-form">
                <input type="hidden" name="sok" value="1"/>
                <div class="filter">
                    <label for="s-participant">{t!(i18n, audit.search.participant)}</label>
                    <input id="s-participant" name="sok_deltagare" maxlength="64" autocomplete="off" spellcheck="false" value=participant/>
                </div>
                <div class="filter">
                    <label for="s-user">{t!(i18n, audit.search.user)}</label>
                    <input id="s-user" name="sok_anvandare" maxlength="64" autocomplete="off" spellcheck="false" value=username/>
                </div>
                // The list of organisations is loaded first, so that the select is whole.
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let list = orgs.await.unwrap_or_default();
                        view! {
                            <div class="filter">
                                <label for="s-org">{t!(i18n, audit.search.org)}</label>
                                <select id="s-org" name="sok_org">
                                    <option value="" selected=move || org().is_empty()>{t!(i18n, audit.search.all)}</option>
                                    {list.into_iter().map(|o| {
                                        let id = o.id.clone();
                                        view! { <option value=o.id selected=move || org() == id>{o.name}</option> }
                                    }).collect_view()}
                                </select>
                            </div>
                        }
                    })}
                </Suspense>
                <div class="filter">
                    <label for="s-action">{t!(i18n, audit.search.action)}</label>
                    <select id="s-action" name="sok_handelse">
                        <option value="" selected=move || action().is_empty()>{t!(i18n, audit.search.all)}</option>
                        {ACTIONS.iter().map(|(code, _)| view! {
                            <option value=*code selected=move || action() == *code>{action_text(code, l)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="filter">
                    <label for="s-from">{t!(i18n, audit.search.from)}</label>
                    <input id="s-from" name="sok_fran" type="date" value=from/>
                </div>
                <div class="filter">
                    <label for="s-to">{t!(i18n, audit.search.to)}</label>
                    <input id="s-to" name="sok_till" type="date" value=to/>
                </div>
                <button type="submit">{t!(i18n, audit.search.submit)}</button>
            </Form>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, audit.search.searching)}</p> }>
                {move || Suspend::new(async move {
                    match found.await {
                        Ok(Some(r)) => {
                            let capped = r.capped.then(|| view! {
                                <p class="warning" role="status" data-testid="log-search-capped">
                                    {td_string!(l, audit.search.capped, count = r.limit).to_string()}
                                </p>
                            });
                            view! { {capped}{results(Ok(Some(r.rows)), "log-search", l)} }.into_any()
                        }
                        other => results(other.map(|o| o.map(|r| r.rows)), "log-search", l),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Reads of the last seven days that stand out, for the reviewer to look at first.
#[component]
fn Flagged() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let flagged = Resource::new(|| (), |_| flagged_reads(7));
    view! {
        <section class="card" aria-labelledby="flag-h">
            <h2 id="flag-h">{t!(i18n, audit.flagged.heading)}</h2>
            <p class="hint">{t!(i18n, audit.flagged.hint)}</p>
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match flagged.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="empty">{td_string!(l, audit.flagged.empty)}</p> }.into_any(),
                        Ok(rows) => view! {
                            <div class="table-scroll" role="region" aria-label=td_string!(l, audit.flagged.region) tabindex="0">
                                <table class="list audit" data-testid="flagged">
                                    <caption>{td_string!(l, audit.flagged.caption, count = rows.len()).to_string()}</caption>
                                    <thead><tr>
                                        <th scope="col">{td_string!(l, audit.table.time)}</th><th scope="col">{td_string!(l, audit.table.user)}</th><th scope="col">{td_string!(l, audit.table.org)}</th>
                                        <th scope="col">{td_string!(l, audit.table.action)}</th><th scope="col">{td_string!(l, audit.table.participant)}</th><th scope="col">{td_string!(l, audit.flagged.why)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|f| {
                                            let href = format!("/granskning?deltagare={}", f.row.participants.first().cloned().unwrap_or_default());
                                            view! {
                                                <tr>
                                                    <td>{sv_datetime(f.row.at)}</td>
                                                    <td>{f.row.actor.clone()}</td>
                                                    <td>{f.row.org.clone()}</td>
                                                    <td>{action_text(&f.row.action, l).to_string()}</td>
                                                    <td>{match f.row.participants.first().cloned() {
                                                        Some(p) => view! { <a href=href><code>{p}</code></a> }.into_any(),
                                                        // An administrative act names an account, not a participant.
                                                        None => view! { <span>{f.row.reason.clone().unwrap_or_default()}</span> }.into_any(),
                                                    }}</td>
                                                    <td>{f.flags.iter().map(|x| x.label_in(l)).collect::<Vec<_>>().join(", ")}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn results(r: Result<Option<Vec<AuditRow>>, AppError>, testid: &'static str, l: Locale) -> AnyView {
    match r {
        Ok(None) => ().into_any(),
        Ok(Some(rows)) if rows.is_empty() => {
            view! { <p class="empty" role="status">{td_string!(l, audit.table.empty)}</p> }
                .into_any()
        }
        Ok(Some(rows)) => view! { <AuditTable rows testid/> }.into_any(),
        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
    }
}

#[component]
fn AuditTable(rows: Vec<AuditRow>, testid: &'static str) -> impl IntoView {
    let count = rows.len();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <div class="table-scroll" role="region" aria-label=td_string!(l, audit.table.region) tabindex="0">
            <table class="list audit" data-testid=testid>
                <caption>{td_string!(l, audit.table.caption, count).to_string()}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, audit.table.time)}</th>
                        <th scope="col">{t!(i18n, audit.table.user)}</th>
                        <th scope="col">{t!(i18n, audit.table.org)}</th>
                        <th scope="col">{t!(i18n, audit.table.action)}</th>
                        <th scope="col">{t!(i18n, audit.table.categories)}</th>
                        <th scope="col">{t!(i18n, audit.table.decision)}</th>
                        <th scope="col">{t!(i18n, audit.table.basis)}</th>
                        <th scope="col">{t!(i18n, audit.table.purpose)}</th>
                        <th scope="col">{t!(i18n, audit.table.reason)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let flagged = r.decision == "deny" || r.basis.as_deref().is_some_and(|b| b.contains("break_glass"));
                        view! {
                            <tr class:flagged=flagged data-seq=r.seq>
                                <td class="nowrap">{sv_datetime(r.at)}</td>
                                <td>{r.actor.clone()}</td>
                                <td>{r.org.clone()}</td>
                                <td>{action_text(&r.action, l).to_string()}</td>
                                <td>
                                    {categories_label(&r.categories, l)}
                                    {(!r.denied.is_empty()).then(|| view! {
                                        <span class="denied">{format!(" {}", td_string!(l, audit.table.denied, categories = categories_label(&r.denied, l)))}</span>
                                    })}
                                </td>
                                <td>{decision_text(&r.decision, l).to_string()}</td>
                                <td>{r.basis.as_deref().map(|b| basis_label(b, l)).unwrap_or_default()}</td>
                                <td>{r.purpose.as_deref().map(|p| purpose_text(p, l).to_string()).unwrap_or_default()}</td>
                                <td class="prose">{r.reason.clone().unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The last verification of the audit chain, and a button to verify it now.
#[component]
fn ChainStatus() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let verify = ServerAction::<VerifyAuditChain>::new();
    let last = Resource::new(move || verify.version().get(), |_| last_verification());
    view! {
        <section class="card" aria-labelledby="chain-h">
            <h2 id="chain-h">{t!(i18n, audit.chain.heading)}</h2>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match last.await {
                        Ok(Some(v)) => verification(&v, l),
                        Ok(None) => view! { <p data-testid="chain-status">{td_string!(l, audit.chain.not_verified)}</p> }.into_any(),
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })}
            </Transition>
            <ActionForm action=verify attr:class="inline" attr:aria-busy=busy(verify)>
                <Submit action=verify>{t!(i18n, audit.chain.verify)}</Submit>
            </ActionForm>
            {move || match verify.value().get() {
                Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
                _ => ().into_any(),
            }}
        </section>
    }
}

fn verification(v: &VerificationDto, l: Locale) -> AnyView {
    let anchor = v.anchor.clone().map(|anchor| {
        view! { <p class="hint" data-testid="chain-anchor">{td_string!(l, audit.chain.anchor, anchor).to_string()}</p> }
    });
    view! { {verdict(v, l)} {anchor} }.into_any()
}

fn verdict(v: &VerificationDto, l: Locale) -> AnyView {
    let when = sv_datetime(v.checked_at);
    match v.broken_at {
        None => view! {
            <p class="ok" data-testid="chain-status">
                {td_string!(l, audit.chain.whole, count = v.entries, head = v.head_seq, when).to_string()}
            </p>
        }
        .into_any(),
        Some(at) => view! {
            <p class="error" role="alert" data-testid="chain-status">
                {td_string!(
                    l,
                    audit.chain.broken,
                    at,
                    problem = v
                        .problem
                        .clone()
                        .unwrap_or_else(|| td_string!(l, audit.chain.unknown_problem).to_string()),
                    when
                )
                .to_string()}
            </p>
        }
        .into_any(),
    }
}

/// `/granskning/nodatkomst`: break-glass accesses; pending ones get a review form.
#[component]
pub fn BreakGlassQueuePage() -> impl IntoView {
    let me = expect_context::<Me>();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    if !me.role.can(domain::Capability::ReviewLog) {
        return view! { <PageTitle text=move || t_string!(i18n, audit.break_glass.title)/><h1>{t!(i18n, audit.break_glass.title)}</h1>{not_auditor(l)} }
            .into_any();
    }
    let query = use_query_map();
    let all = move || query.with(|q| q.get("alla").filter(|v| !v.is_empty()));
    let review = ServerAction::<ReviewBreakGlass>::new();
    let reviewed = successes(review);
    // Which grant's form was submitted last, so its error is shown next to it.
    let last_submitted = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(id) = review.input().with(|i| i.as_ref().map(|i| i.id.clone())) {
            last_submitted.set(Some(id));
        }
    });
    let queue = Resource::new(
        move || (all(), reviewed.get()),
        |(all, _)| break_glass_queue(all),
    );
    view! {
        <PageTitle text=move || t_string!(i18n, audit.break_glass.title)/>
        <h1>{t!(i18n, audit.break_glass.title)}</h1>
        <p class="lead">{t!(i18n, audit.break_glass.lead)}</p>
        <Form method="get" action="/granskning/nodatkomst" attr:class="filters">
            <label class="check">
                <input type="checkbox" name="alla" value="on" checked=move || all().is_some()/>
                {t!(i18n, audit.break_glass.show_reviewed)}
            </label>
            <button type="submit">{t!(i18n, audit.show)}</button>
        </Form>
        <ActionStatus value=move || review.value().get().filter(Result::is_ok) ok=td_string!(l, audit.break_glass.saved)/>
        // Without JavaScript the page cannot know which form was sent: show the error here.
        {move || {
            review
                .value()
                .get()
                .and_then(Result::err)
                .filter(|_| last_submitted.get().is_none())
                .map(|e| view! { <ErrorBox error=e/> })
        }}
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(rows) if rows.is_empty() => {
                        view! { <p class="empty" data-testid="break-glass-empty">{td_string!(l, audit.break_glass.empty)}</p> }.into_any()
                    }
                    Ok(rows) => view! {
                        <ul class="queue" data-testid="break-glass-queue">
                            {rows.into_iter().map(|g| view! { <GrantItem g review last_submitted/> }).collect_view()}
                        </ul>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

fn review_label(review: &str, l: Locale) -> &str {
    match review {
        "pending" => td_string!(l, audit.break_glass.status.pending),
        "justified" => td_string!(l, audit.break_glass.status.justified),
        "escalated" => td_string!(l, audit.break_glass.status.escalated),
        other => other,
    }
}

#[component]
fn GrantItem(
    g: BreakGlassRow,
    review: ServerAction<ReviewBreakGlass>,
    last_submitted: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let pending = g.review == "pending";
    let form_id = format!("bg-{}", g.id);
    let grant_id = g.id.clone();
    let error = Signal::derive(move || review.value().get().and_then(Result::err));
    let submitted_here = {
        let id = g.id.clone();
        Signal::derive(move || last_submitted.with(|l| l.as_deref() == Some(id.as_str())))
    };
    let err = move |field: &'static str| {
        Signal::derive(move || error_for(error.get(), field).filter(|_| submitted_here.get()))
    };
    view! {
        <li class="card grant" data-grant-id=g.id.clone()>
            <h2 class="grant-h">{format!("{} · {}", g.user, g.org)}</h2>
            <dl class="facts">
                <dt>{t!(i18n, audit.break_glass.granted)}</dt><dd>{sv_datetime(g.granted_at)}</dd>
                <dt>{t!(i18n, audit.break_glass.expired)}</dt><dd>{sv_datetime(g.expires_at)}</dd>
                <dt>{t!(i18n, audit.break_glass.participant)}</dt>
                <dd>
                    <A href=format!("/granskning?deltagare={}", g.participant_id)>
                        <code>{g.participant_id.clone()}</code>
                        <span class="visually-hidden">" "{t!(i18n, audit.break_glass.show_reads)}</span>
                    </A>
                </dd>
                <dt>{t!(i18n, audit.break_glass.reason)}</dt><dd class="prose">{g.reason.clone()}</dd>
                <dt>{t!(i18n, audit.break_glass.review)}</dt>
                <dd>
                    {review_label(&g.review, l).to_string()}
                    {g.review_comment.clone().map(|c| view! { <span class="prose">{format!(": {c}")}</span> })}
                </dd>
            </dl>
            {pending.then(|| view! {
                <ActionForm action=review attr:class="form" attr:aria-label=td_string!(l, audit.break_glass.form) attr:aria-busy=busy(review)>
                    <input type="hidden" name="id" value=grant_id/>
                    <fieldset>
                        <legend>{t!(i18n, audit.break_glass.assessment)}</legend>
                        <label class="check"><input type="radio" name="decision" value="justified" required/>{t!(i18n, audit.break_glass.justified)}</label>
                        <label class="check"><input type="radio" name="decision" value="escalated"/>{t!(i18n, audit.break_glass.escalate)}</label>
                        <FieldError id=format!("{form_id}-decision-err") message=err("decision")/>
                    </fieldset>
                    <label for=format!("{form_id}-comment")>{t!(i18n, audit.break_glass.comment)}</label>
                    <textarea id=format!("{form_id}-comment") name="comment" required minlength="5" maxlength="2000" rows="3"></textarea>
                    <FieldError id=format!("{form_id}-comment-err") message=err("comment")/>
                    <Submit action=review class="primary">{t!(i18n, audit.break_glass.save)}</Submit>
                </ActionForm>
                {move || {
                    error
                        .get()
                        .filter(|e| submitted_here.get() && !matches!(e.field(), Some("decision" | "comment")))
                        .map(|e| view! { <ErrorBox error=e/> })
                }}
            })}
        </li>
    }
}
