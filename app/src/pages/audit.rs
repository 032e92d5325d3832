//! Log review (loggkontroll), for the log reviewer: `/granskning` answers "who has read this
//! person's data" and "what has this user read", searches the log by person, user,
//! organisation, action and period, and shows the audit chain's state;
//! `/granskning/nodatkomst` is the queue of break-glass accesses waiting for review.
//!
//! The questions are GET forms (an opaque participant id or a username in the address, never
//! personal data), so the answers can be read without JavaScript. Every question is itself
//! written to the audit log by the core.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use crate::api::audit::{
    break_glass_queue, flagged_reads, last_verification, reads_by_user, reads_of_participant,
    search_audit, ReviewBreakGlass, VerifyAuditChain,
};
use crate::api::orgs::list_orgs;
use crate::components::common::{error_for, successes, sv_datetime, FieldError};
use crate::components::forms::{busy, Submit};
use crate::components::ui::{ActionStatus, ErrorBox};
use domain::audit::{action_label, decision_label, purpose_label, ACTIONS, SEARCH_LIMIT};
use domain::{AppError, AuditRow, BreakGlassRow, Category, Me, VerificationDto};

/// `case_team`, `consent:<id>`, `break_glass:<id>`… as words; ids are kept for follow-up.
fn basis_label(basis: &str) -> String {
    basis
        .split(',')
        .map(|b| match b.split_once(':') {
            Some(("consent", id)) => format!("Samtycke/lagstöd ({id})"),
            Some(("break_glass", id)) => format!("Nödåtkomst ({id})"),
            _ => match b {
                "case_team" => "Ärendeteam".to_string(),
                "program_lead" => "Programledare".to_string(),
                "break_glass" => "Nödåtkomst".to_string(),
                other => other.to_string(),
            },
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn categories_label(cats: &[String]) -> String {
    cats.iter()
        .map(|c| {
            Category::parse(c)
                .map(|c| c.label().to_string())
                .unwrap_or_else(|_| c.clone())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn not_auditor() -> AnyView {
    view! { <p class="error" role="alert">"Sidan är bara för loggansvariga."</p> }.into_any()
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let me = expect_context::<Me>();
    if !me.role.can(domain::Capability::ReviewLog) {
        return view! { <Title text="Loggranskning"/><h1>"Loggranskning"</h1>{not_auditor()} }
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
        <Title text="Loggranskning"/>
        <h1>"Loggranskning"</h1>
        <ChainStatus/>
        <Flagged/>
        <section class="card" aria-labelledby="who-h">
            <h2 id="who-h">"Vem har läst?"</h2>
            <p class="hint">"Alla läsningar och ändringar som rör en deltagare, senaste först."</p>
            <Form method="get" action="/granskning" attr:class="form inline" attr:data-testid="who-read-form">
                <label for="a-participant">"Deltagar-id"</label>
                <input id="a-participant" name="deltagare" required maxlength="64" autocomplete="off" spellcheck="false"
                    value=move || participant().unwrap_or_default()/>
                <button type="submit">"Visa"</button>
            </Form>
            <Transition fallback=|| view! { <p class="loading">"Laddar…"</p> }>
                {move || Suspend::new(async move { results(by_participant.await, "who-read") })}
            </Transition>
        </section>
        <section class="card" aria-labelledby="what-h">
            <h2 id="what-h">"Vad har användaren läst?"</h2>
            <p class="hint">"Allt en användare har gjort i systemet, senaste först."</p>
            <Form method="get" action="/granskning" attr:class="form inline" attr:data-testid="user-read-form">
                <label for="a-user">"Användarnamn"</label>
                <input id="a-user" name="anvandare" required maxlength="64" autocomplete="off" spellcheck="false"
                    value=move || username().unwrap_or_default()/>
                <button type="submit">"Visa"</button>
            </Form>
            <Transition fallback=|| view! { <p class="loading">"Laddar…"</p> }>
                {move || Suspend::new(async move { results(by_user.await, "user-read") })}
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
            <h2 id="search-h">"Sök i loggen"</h2>
            <p class="hint">{format!(
                "Fyll i det du vill söka på; allt du fyller i måste stämma. Perioden räknas i svensk tid, båda dagarna inräknade. Träffarna visas med den senaste först, högst {SEARCH_LIMIT}. Sökningen loggas."
            )}</p>
            <Form method="get" action="/granskning" attr:class="filters" attr:data-testid="log-search-form">
                <input type="hidden" name="sok" value="1"/>
                <div class="filter">
                    <label for="s-participant">"Deltagare (id)"</label>
                    <input id="s-participant" name="sok_deltagare" maxlength="64" autocomplete="off" spellcheck="false" value=participant/>
                </div>
                <div class="filter">
                    <label for="s-user">"Användare"</label>
                    <input id="s-user" name="sok_anvandare" maxlength="64" autocomplete="off" spellcheck="false" value=username/>
                </div>
                // The list of organisations is loaded first, so that the select is whole.
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let list = orgs.await.unwrap_or_default();
                        view! {
                            <div class="filter">
                                <label for="s-org">"Organisation"</label>
                                <select id="s-org" name="sok_org">
                                    <option value="" selected=move || org().is_empty()>"Alla"</option>
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
                    <label for="s-action">"Händelse"</label>
                    <select id="s-action" name="sok_handelse">
                        <option value="" selected=move || action().is_empty()>"Alla"</option>
                        {ACTIONS.iter().map(|(code, label)| view! {
                            <option value=*code selected=move || action() == *code>{*label}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="filter">
                    <label for="s-from">"Från och med"</label>
                    <input id="s-from" name="sok_fran" type="date" value=from/>
                </div>
                <div class="filter">
                    <label for="s-to">"Till och med"</label>
                    <input id="s-to" name="sok_till" type="date" value=to/>
                </div>
                <button type="submit">"Sök"</button>
            </Form>
            <Transition fallback=|| view! { <p class="loading">"Söker…"</p> }>
                {move || Suspend::new(async move {
                    match found.await {
                        Ok(Some(r)) => {
                            let capped = r.capped.then(|| view! {
                                <p class="warning" role="status" data-testid="log-search-capped">
                                    {format!("Fler än {} poster matchar. Bara de {} senaste visas – avgränsa sökningen, till exempel med en kortare period.", r.limit, r.limit)}
                                </p>
                            });
                            view! { {capped}{results(Ok(Some(r.rows)), "log-search")} }.into_any()
                        }
                        other => results(other.map(|o| o.map(|r| r.rows)), "log-search"),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Reads of the last seven days that stand out, for the reviewer to look at first.
#[component]
fn Flagged() -> impl IntoView {
    let flagged = Resource::new(|| (), |_| flagged_reads(7));
    view! {
        <section class="card" aria-labelledby="flag-h">
            <h2 id="flag-h">"Flaggade läsningar, senaste 7 dagarna"</h2>
            <p class="hint">"Läsningar utanför ärendeteamet, utanför arbetstid (före 07, från 19, helger), många deltagare på kort tid och läsningar av personer med skyddade personuppgifter."</p>
            <Suspense fallback=|| view! { <p class="loading">"Laddar…"</p> }>
                {move || Suspend::new(async move {
                    match flagged.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="empty">"Inga flaggade läsningar."</p> }.into_any(),
                        Ok(rows) => view! {
                            <div class="table-scroll" role="region" aria-label="Flaggade läsningar" tabindex="0">
                                <table class="list audit" data-testid="flagged">
                                    <caption>{format!("{} flaggade läsningar", rows.len())}</caption>
                                    <thead><tr>
                                        <th scope="col">"Tid"</th><th scope="col">"Användare"</th><th scope="col">"Organisation"</th>
                                        <th scope="col">"Händelse"</th><th scope="col">"Deltagare"</th><th scope="col">"Varför"</th>
                                    </tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|f| {
                                            let href = format!("/granskning?deltagare={}", f.row.participants.first().cloned().unwrap_or_default());
                                            view! {
                                                <tr>
                                                    <td>{sv_datetime(f.row.at)}</td>
                                                    <td>{f.row.actor.clone()}</td>
                                                    <td>{f.row.org.clone()}</td>
                                                    <td>{f.row.action.clone()}</td>
                                                    <td>{match f.row.participants.first().cloned() {
                                                        Some(p) => view! { <a href=href><code>{p}</code></a> }.into_any(),
                                                        // An administrative act names an account, not a participant.
                                                        None => view! { <span>{f.row.reason.clone().unwrap_or_default()}</span> }.into_any(),
                                                    }}</td>
                                                    <td>{f.flags.join(", ")}</td>
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

fn results(r: Result<Option<Vec<AuditRow>>, AppError>, testid: &'static str) -> AnyView {
    match r {
        Ok(None) => ().into_any(),
        Ok(Some(rows)) if rows.is_empty() => {
            view! { <p class="empty" role="status">"Inga loggposter."</p> }.into_any()
        }
        Ok(Some(rows)) => view! { <AuditTable rows testid/> }.into_any(),
        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
    }
}

#[component]
fn AuditTable(rows: Vec<AuditRow>, testid: &'static str) -> impl IntoView {
    let count = rows.len();
    view! {
        <div class="table-scroll" role="region" aria-label="Loggposter" tabindex="0">
            <table class="list audit" data-testid=testid>
                <caption>{format!("{count} loggposter")}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Tid"</th>
                        <th scope="col">"Användare"</th>
                        <th scope="col">"Organisation"</th>
                        <th scope="col">"Händelse"</th>
                        <th scope="col">"Uppgifter"</th>
                        <th scope="col">"Beslut"</th>
                        <th scope="col">"Grund"</th>
                        <th scope="col">"Syfte"</th>
                        <th scope="col">"Motivering"</th>
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
                                <td>{action_label(&r.action).to_string()}</td>
                                <td>
                                    {categories_label(&r.categories)}
                                    {(!r.denied.is_empty()).then(|| view! {
                                        <span class="denied">{format!(" Nekat: {}", categories_label(&r.denied))}</span>
                                    })}
                                </td>
                                <td>{decision_label(&r.decision).to_string()}</td>
                                <td>{r.basis.as_deref().map(basis_label).unwrap_or_default()}</td>
                                <td>{r.purpose.as_deref().map(|p| purpose_label(p).to_string()).unwrap_or_default()}</td>
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
    let verify = ServerAction::<VerifyAuditChain>::new();
    let last = Resource::new(move || verify.version().get(), |_| last_verification());
    view! {
        <section class="card" aria-labelledby="chain-h">
            <h2 id="chain-h">"Loggkedjan"</h2>
            <Transition fallback=|| view! { <p class="loading">"Laddar…"</p> }>
                {move || Suspend::new(async move {
                    match last.await {
                        Ok(Some(v)) => verification(&v),
                        Ok(None) => view! { <p data-testid="chain-status">"Kedjan har inte verifierats ännu."</p> }.into_any(),
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })}
            </Transition>
            <ActionForm action=verify attr:class="inline" attr:aria-busy=busy(verify)>
                <Submit action=verify>"Verifiera nu"</Submit>
            </ActionForm>
            {move || match verify.value().get() {
                Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
                _ => ().into_any(),
            }}
        </section>
    }
}

fn verification(v: &VerificationDto) -> AnyView {
    let anchor = v.anchor.clone().map(|a| {
        view! { <p class="hint" data-testid="chain-anchor">{format!("Extern kontrollpunkt: {a}")}</p> }
    });
    view! { {verdict(v)} {anchor} }.into_any()
}

fn verdict(v: &VerificationDto) -> AnyView {
    let when = sv_datetime(v.checked_at);
    match v.broken_at {
        None => view! {
            <p class="ok" data-testid="chain-status">
                {format!("Kedjan är hel: {} poster kontrollerade (senaste nr {}). Verifierad {when}.", v.entries, v.head_seq)}
            </p>
        }
        .into_any(),
        Some(at) => view! {
            <p class="error" role="alert" data-testid="chain-status">
                {format!(
                    "Kedjan är bruten vid post {at}: {}. Verifierad {when}. Kontakta säkerhetsansvarig.",
                    v.problem.clone().unwrap_or_else(|| "okänt fel".into())
                )}
            </p>
        }
        .into_any(),
    }
}

/// `/granskning/nodatkomst`: break-glass accesses; pending ones get a review form.
#[component]
pub fn BreakGlassQueuePage() -> impl IntoView {
    let me = expect_context::<Me>();
    if !me.role.can(domain::Capability::ReviewLog) {
        return view! { <Title text="Nödåtkomster"/><h1>"Nödåtkomster"</h1>{not_auditor()} }
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
        <Title text="Nödåtkomster"/>
        <h1>"Nödåtkomster"</h1>
        <p class="lead">"Varje nödåtkomst ska granskas: var den befogad, eller ska den eskaleras?"</p>
        <Form method="get" action="/granskning/nodatkomst" attr:class="filters">
            <label class="check">
                <input type="checkbox" name="alla" value="on" checked=move || all().is_some()/>
                "Visa även granskade"
            </label>
            <button type="submit">"Visa"</button>
        </Form>
        <ActionStatus value=move || review.value().get().filter(Result::is_ok) ok="Granskningen är sparad."/>
        // Without JavaScript the page cannot know which form was sent: show the error here.
        {move || {
            review
                .value()
                .get()
                .and_then(Result::err)
                .filter(|_| last_submitted.get().is_none())
                .map(|e| view! { <ErrorBox error=e/> })
        }}
        <Transition fallback=|| view! { <p class="loading">"Laddar…"</p> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(rows) if rows.is_empty() => {
                        view! { <p class="empty" data-testid="break-glass-empty">"Inga nödåtkomster väntar på granskning."</p> }.into_any()
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

fn review_label(review: &str) -> &str {
    match review {
        "pending" => "Väntar på granskning",
        "justified" => "Befogad",
        "escalated" => "Eskalerad",
        other => other,
    }
}

#[component]
fn GrantItem(
    g: BreakGlassRow,
    review: ServerAction<ReviewBreakGlass>,
    last_submitted: RwSignal<Option<String>>,
) -> impl IntoView {
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
                <dt>"Beviljad"</dt><dd>{sv_datetime(g.granted_at)}</dd>
                <dt>"Gällde till"</dt><dd>{sv_datetime(g.expires_at)}</dd>
                <dt>"Deltagare"</dt>
                <dd>
                    <A href=format!("/granskning?deltagare={}", g.participant_id)>
                        <code>{g.participant_id.clone()}</code>
                        <span class="visually-hidden">" – visa vem som har läst"</span>
                    </A>
                </dd>
                <dt>"Motivering"</dt><dd class="prose">{g.reason.clone()}</dd>
                <dt>"Granskning"</dt>
                <dd>
                    {review_label(&g.review).to_string()}
                    {g.review_comment.clone().map(|c| view! { <span class="prose">{format!(": {c}")}</span> })}
                </dd>
            </dl>
            {pending.then(|| view! {
                <ActionForm action=review attr:class="form" attr:aria-label="Granska nödåtkomsten" attr:aria-busy=busy(review)>
                    <input type="hidden" name="id" value=grant_id/>
                    <fieldset>
                        <legend>"Bedömning"</legend>
                        <label class="check"><input type="radio" name="decision" value="justified" required/>"Befogad"</label>
                        <label class="check"><input type="radio" name="decision" value="escalated"/>"Eskalera"</label>
                        <FieldError id=format!("{form_id}-decision-err") message=err("decision")/>
                    </fieldset>
                    <label for=format!("{form_id}-comment")>"Kommentar"</label>
                    <textarea id=format!("{form_id}-comment") name="comment" required minlength="5" maxlength="2000" rows="3"></textarea>
                    <FieldError id=format!("{form_id}-comment-err") message=err("comment")/>
                    <Submit action=review class="primary">"Spara granskning"</Submit>
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
