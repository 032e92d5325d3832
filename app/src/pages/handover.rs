//! Handover of a case to another municipality. `/arenden/:id/overlamna`: the managing team
//! chooses the receiving unit, the parts to share, a covering note and how long it keeps reading
//! the case (a plain post that works without JavaScript). `/overlamningar`: the unit's incoming
//! and outgoing handovers. `/overlamningar/:id`: the frozen summary, with accept and decline for
//! the receiving unit and withdraw for the sending one.

use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::api::cases::{get_case, BreakGlass};
use crate::api::handover::{
    get_handover, handover_receivers, list_handovers, pending_handover, AcceptHandover,
    DeclineHandover, OfferHandover, WithdrawHandover,
};
use crate::components::case_frame::{case_frame_with, use_case_id, CaseHead};
use crate::components::common::{
    date_or_dash, error_for, shown, successes, sv_date, sv_datetime, FieldError,
};
use crate::components::forms::{busy, ConfirmButton, Submit};
use crate::components::labels::Label;
use crate::components::ui::{ActionStatus, DataTable, ErrorBox};
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};
use chrono::NaiveDate;
use domain::handover::{
    HandoverPart, HandoverRow, HandoverStatus, HandoverView, ReceiverOrg, SnapshotItem,
    DEFAULT_READ_DAYS, MAX_READ_DAYS,
};
use domain::{Capability, CaseView, Me, Shown};

/// What the offer page loads besides the case: the receiving units and the case's pending
/// handover, if one was already offered.
type OfferData = (Vec<ReceiverOrg>, Option<String>);

#[component]
pub fn HandoverOfferPage() -> impl IntoView {
    let l = use_i18n().get_locale_untracked();
    let case_id = use_case_id();
    let glass = ServerAction::<BreakGlass>::new();
    let offer = ServerAction::<OfferHandover>::new();
    let case = Resource::new(case_id, get_case);
    let extra = Resource::new(case_id, |id| async move {
        let receivers = handover_receivers().await?;
        let pending = pending_handover(id).await?;
        Ok::<OfferData, domain::AppError>((receivers, pending))
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = offer.value().get() {
            navigate(&format!("/overlamningar/{id}"), Default::default());
        }
    });
    case_frame_with(
        td_string!(l, referrals.offer.title),
        case_id,
        glass,
        case,
        move || async move { extra.await },
        move |c, data| view! { <OfferForm c data offer/> },
    )
}

#[component]
fn OfferForm(c: CaseView, data: OfferData, offer: ServerAction<OfferHandover>) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let (receivers, pending) = data;
    let query = use_query_map();
    let preselected = query.read_untracked().get("till").unwrap_or_default();
    let case_id = c.case_id.clone();
    let can_edit = c.can_edit;
    let error = Signal::derive(move || offer.value().get().and_then(Result::err));
    let err = move |field: &'static str| Signal::derive(move || error_for(error.get(), field));
    let invalid = move |field: &'static str| move || error_for(error.get(), field).map(|_| "true");
    let described = move |field: &'static str| {
        move || error_for(error.get(), field).map(|_| format!("err-{field}"))
    };
    let body = if !can_edit {
        view! {
            <p class="error" role="alert">{t!(i18n, referrals.offer.not_allowed)}</p>
        }
        .into_any()
    } else if let Some(id) = pending {
        view! {
            <p data-testid="handover-pending">
                {t!(i18n, referrals.offer.pending, <a> = move |children: ChildrenFn| view! { <a href=format!("/overlamningar/{id}")>{children()}</a> })}
            </p>
        }
        .into_any()
    } else if receivers.is_empty() {
        view! { <p class="empty">{t!(i18n, referrals.offer.no_receivers)}</p> }.into_any()
    } else {
        view! {
            {move || error.get().filter(|e| e.field().is_none_or(|f| f.is_empty())).map(|e| view! { <ErrorBox error=e/> })}
            <ActionForm action=offer attr:class="form" attr:data-testid="handover-form" attr:aria-busy=busy(offer)
                attr:onsubmit=format!("return confirm('{}')", td_string!(l, referrals.offer.confirm).replace('\\', "\\\\").replace('\'', "\\'"))>
                <input type="hidden" name="case_id" value=case_id/>
                <fieldset class="form grid">
                    <legend>{t!(i18n, referrals.offer.recipient)}</legend>
                    <label for="h-to">{t!(i18n, referrals.offer.to_unit)}</label>
                    <select id="h-to" name="form[to_org]" required
                        aria-invalid=invalid("to_org") aria-describedby=described("to_org")>
                        <option value="">{t!(i18n, referrals.offer.choose_unit)}</option>
                        {receivers.into_iter().map(|r| {
                            let selected = r.id == preselected;
                            view! { <option value=r.id selected=selected>{format!("{} ({})", r.name, r.municipalities.join(", "))}</option> }
                        }).collect_view()}
                    </select>
                    <FieldError id="err-to_org" message=err("to_org")/>
                </fieldset>
                <fieldset aria-describedby=described("parts")>
                    <legend>{t!(i18n, referrals.offer.parts)}</legend>
                    <p class="hint">{t!(i18n, referrals.offer.parts_hint)}</p>
                    <div class="checks">
                        {HandoverPart::ALL.into_iter().enumerate().map(|(i, p)| view! {
                            <label class="check">
                                <input type="checkbox" name=format!("form[parts][{i}]") value=p.as_str()
                                    checked=matches!(p, HandoverPart::Person | HandoverPart::Status)/>
                                {p.label_in(l)}
                            </label>
                        }).collect_view()}
                    </div>
                    <FieldError id="err-parts" message=err("parts")/>
                </fieldset>
                <fieldset class="form grid">
                    <legend>{t!(i18n, referrals.offer.note_and_access)}</legend>
                    <label for="h-note">{t!(i18n, referrals.offer.note)}</label>
                    <textarea id="h-note" name="form[note]" rows="4" maxlength="4000"
                        aria-invalid=invalid("note") aria-describedby=described("note")></textarea>
                    <FieldError id="err-note" message=err("note")/>
                    <label for="h-days">{td_string!(l, referrals.offer.read_days, max = MAX_READ_DAYS).to_string()}</label>
                    <input id="h-days" name="form[read_days]" type="number" min="0" max=MAX_READ_DAYS.to_string()
                        value=DEFAULT_READ_DAYS.to_string() inputmode="numeric"
                        aria-invalid=invalid("read_days") aria-describedby=described("read_days")/>
                    <FieldError id="err-read_days" message=err("read_days")/>
                </fieldset>
                <p class="hint">{t!(i18n, referrals.offer.after_hint)}</p>
                <Submit action=offer class="primary">{t!(i18n, referrals.offer.submit)}</Submit>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <CaseHead c/>
        <section class="card" aria-labelledby="offer-h">
            <h2 id="offer-h">{t!(i18n, referrals.offer.heading)}</h2>
            {body}
        </section>
    }
}

#[component]
pub fn HandoversPage() -> impl IntoView {
    let me = expect_context::<Me>();
    let i18n = use_i18n();
    if !me.role.can(Capability::ManageCase) {
        return view! {
            <PageTitle text=move || t_string!(i18n, referrals.handovers.title)/>
            <h1>{t!(i18n, referrals.handovers.title)}</h1>
            <p class="error" role="alert">{t!(i18n, referrals.handovers.not_allowed)}</p>
        }
        .into_any();
    }
    let lists = Resource::new(|| (), |_| list_handovers());
    view! {
        <PageTitle text=move || t_string!(i18n, referrals.handovers.title)/>
        <h1>{t!(i18n, referrals.handovers.heading)}</h1>
        <p class="lead">{t!(i18n, referrals.handovers.lead)}</p>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match lists.await {
                    Ok(l) => view! {
                        <section class="card" aria-labelledby="in-h">
                            <h2 id="in-h">{t!(i18n, referrals.handovers.incoming)}</h2>
                            <Rows rows=l.incoming incoming=true/>
                        </section>
                        <section class="card" aria-labelledby="out-h">
                            <h2 id="out-h">{t!(i18n, referrals.handovers.outgoing)}</h2>
                            <Rows rows=l.outgoing incoming=false/>
                        </section>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn Rows(rows: Vec<HandoverRow>, incoming: bool) -> impl IntoView {
    let l = use_i18n().get_locale_untracked();
    let (testid, empty, other) = if incoming {
        (
            "handovers-incoming",
            td_string!(l, referrals.handovers.empty_incoming),
            td_string!(l, referrals.handovers.col_from),
        )
    } else {
        (
            "handovers-outgoing",
            td_string!(l, referrals.handovers.empty_outgoing),
            td_string!(l, referrals.handovers.col_to),
        )
    };
    view! {
        <DataTable rows caption=td_string!(l, referrals.handovers.caption) testid=testid empty=empty
            columns=vec![
                other,
                td_string!(l, referrals.handovers.col_handed_over),
                td_string!(l, referrals.handovers.col_status),
                td_string!(l, referrals.handovers.col_answered),
            ]
            row=move |r: HandoverRow| {
                let counterpart = if incoming { r.from_org.clone() } else { r.to_org.clone() };
                view! {
                    <tr data-handover=r.id.clone()>
                        <td><a href=format!("/overlamningar/{}", r.id)>{counterpart}</a></td>
                        <td class="nowrap">{sv_date(r.created_at)}</td>
                        <td>{status_tag(r.status, l)}</td>
                        <td class="nowrap">{r.decided_at.map(sv_date).unwrap_or_else(|| "–".into())}</td>
                    </tr>
                }
            }/>
    }
}

fn status_tag(s: HandoverStatus, l: Locale) -> impl IntoView {
    let class = match s {
        HandoverStatus::Pending => "tag warn",
        HandoverStatus::Accepted => "tag",
        HandoverStatus::Declined | HandoverStatus::Withdrawn => "tag muted",
    };
    view! { <span class=class data-testid="handover-status">{s.label_in(l)}</span> }
}

#[component]
pub fn HandoverPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let accept = ServerAction::<AcceptHandover>::new();
    let decline = ServerAction::<DeclineHandover>::new();
    let withdraw = ServerAction::<WithdrawHandover>::new();
    let (d, w) = (successes(decline), successes(withdraw));
    let handover = Resource::new(
        move || (id(), d.get(), w.get()),
        |(id, ..)| get_handover(id),
    );
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(case_id)) = accept.value().get() {
            navigate(&format!("/arenden/{case_id}"), Default::default());
        }
    });
    let actions = Answers {
        accept,
        decline,
        withdraw,
    };
    view! {
        <PageTitle text=move || t_string!(i18n, referrals.handover.title)/>
        <p><a href="/overlamningar">{t!(i18n, referrals.handover.back)}</a></p>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match handover.await {
                    Ok(v) => view! { <Detail v actions/> }.into_any(),
                    Err(e) => view! { <h1>{t!(i18n, referrals.handover.title)}</h1><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[derive(Clone, Copy)]
struct Answers {
    accept: ServerAction<AcceptHandover>,
    decline: ServerAction<DeclineHandover>,
    withdraw: ServerAction<WithdrawHandover>,
}

#[component]
fn Detail(v: HandoverView, actions: Answers) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let heading = if v.incoming {
        td_string!(l, referrals.handover.heading_from, org = v.from_org.clone()).to_string()
    } else {
        td_string!(l, referrals.handover.heading_to, org = v.to_org.clone()).to_string()
    };
    let case_link = v.case_id.clone().map(|c| {
        view! { <p><a href=format!("/arenden/{c}") data-testid="handover-case">{t!(i18n, referrals.handover.open_case)}</a></p> }
    });
    let waiting = (v.incoming && v.status == HandoverStatus::Pending).then(|| {
        view! {
            <p class="hint">{t!(i18n, referrals.handover.waiting)}</p>
        }
    });
    view! {
        <h1>{heading}</h1>
        <section class="card" data-testid="handover-detail">
            <dl class="facts">
                <dt>{t!(i18n, referrals.handover.status)}</dt><dd>{status_tag(v.status, l)}</dd>
                <dt>{t!(i18n, referrals.handover.from)}</dt><dd>{v.from_org.clone()}</dd>
                <dt>{t!(i18n, referrals.handover.to)}</dt><dd>{format!("{} ({})", v.to_org, v.to_municipality)}</dd>
                <dt>{t!(i18n, referrals.handover.handed_over)}</dt><dd>{td_string!(l, referrals.handover.when_by, when = sv_datetime(v.created_at), by = v.created_by.clone()).to_string()}</dd>
                {v.decided_at.map(|at| view! {
                    <dt>{t!(i18n, referrals.handover.answered)}</dt><dd>{td_string!(l, referrals.handover.when_by, when = sv_datetime(at), by = v.decided_by.clone().unwrap_or_default()).to_string()}</dd>
                })}
                <dt>{t!(i18n, referrals.handover.sender_access)}</dt>
                <dd>{match v.sender_until {
                    Some(at) => td_string!(l, referrals.handover.access_until, date = sv_date(at)).to_string(),
                    None => td_string!(l, referrals.handover.access_days, count = v.read_days).to_string(),
                }}</dd>
            </dl>
            {waiting}
            {case_link}
        </section>
        {v.note.clone().map(|n| view! {
            <section class="card" aria-labelledby="note-h">
                <h2 id="note-h">{t!(i18n, referrals.handover.note)}</h2>
                <p class="prose" data-testid="handover-note">{n}</p>
            </section>
        })}
        <section class="card" aria-labelledby="snap-h" data-testid="handover-summary">
            <h2 id="snap-h">{t!(i18n, referrals.handover.summary)}</h2>
            {if v.sections.is_empty() {
                view! { <p class="empty">{t!(i18n, referrals.handover.summary_gone)}</p> }.into_any()
            } else {
                v.sections.iter().map(|s| view! {
                    <h3>{s.part.label_in(l)}</h3>
                    <dl class="facts" data-part=s.part.as_str()>
                        // A summary frozen before its values were codes: its Swedish rows, as written.
                        {s.rows.iter().map(|r| view! { <dt lang="sv">{r.label.clone()}</dt><dd>{r.value.clone()}</dd> }).collect_view()}
                        {s.items.iter().map(|item| {
                            let (label, value) = snapshot_item(item, s.part, l);
                            view! { <dt>{label}</dt><dd>{value}</dd> }
                        }).collect_view()}
                    </dl>
                }).collect_view().into_any()
            }}
        </section>
        {v.decline_reason.clone().map(|d| view! {
            <section class="card" aria-labelledby="why-h">
                <h2 id="why-h">{t!(i18n, referrals.handover.declined_reason)}</h2>
                <p class="prose">{d}</p>
            </section>
        })}
        {v.can_decide.then(|| view! { <Decide id=v.id.clone() actions/> })}
        {v.can_withdraw.then(|| view! {
            <section class="card" aria-labelledby="withdraw-h">
                <h2 id="withdraw-h">{t!(i18n, referrals.handover.withdraw_heading)}</h2>
                <ActionStatus value=move || actions.withdraw.value().get() ok=td_string!(l, referrals.handover.withdrawn)/>
                <ConfirmButton action=actions.withdraw fields=vec![("id", v.id.clone())] label=td_string!(l, referrals.handover.withdraw)
                    class="danger" confirm=td_string!(l, referrals.handover.withdraw_confirm)/>
            </section>
        })}
    }
}

#[component]
fn Decide(id: String, actions: Answers) -> impl IntoView {
    let Answers {
        accept, decline, ..
    } = actions;
    let derr = Signal::derive(move || decline.value().get().and_then(Result::err));
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <section class="card" aria-labelledby="decide-h" data-testid="handover-decide">
            <h2 id="decide-h">{t!(i18n, referrals.answer.heading)}</h2>
            {move || accept.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
            <ActionStatus value=move || decline.value().get() ok=td_string!(l, referrals.answer.declined)/>
            <ConfirmButton action=accept fields=vec![("id", id.clone())] label=td_string!(l, referrals.answer.accept) class="primary"
                confirm=td_string!(l, referrals.answer.accept_confirm)/>
            <ActionForm action=decline attr:class="form" attr:data-testid="decline-handover" attr:aria-busy=busy(decline)>
                <input type="hidden" name="id" value=id.clone()/>
                <label for="hd-reason">{t!(i18n, referrals.answer.reason)}</label>
                <textarea id="hd-reason" name="reason" rows="3" maxlength="4000" required
                    aria-invalid=move || error_for(derr.get(), "reason").map(|_| "true")
                    aria-describedby=move || error_for(derr.get(), "reason").map(|_| "err-hd-reason")></textarea>
                <FieldError id="err-hd-reason" message=Signal::derive(move || error_for(derr.get(), "reason"))/>
                {move || derr.get().filter(|e| e.field() != Some("reason")).map(|e| view! { <ErrorBox error=e/> })}
                <Submit action=decline>{t!(i18n, referrals.answer.decline)}</Submit>
            </ActionForm>
        </section>
    }
}

/// One value of a handover's frozen summary in the page's language: its label and its value.
fn snapshot_item(item: &SnapshotItem, part: HandoverPart, l: Locale) -> (String, AnyView) {
    use SnapshotItem as I;
    let text = |s: String| s.into_any();
    let dates = |from: NaiveDate, to: Option<NaiveDate>| format!("{from} – {}", date_or_dash(to));
    match item {
        I::Name { first, last } => (
            td_string!(l, referrals.handover.item.name).to_string(),
            view! { {shown(first)}" "{shown(last)} }.into_any(),
        ),
        I::Personnummer { value } => (
            td_string!(l, referrals.handover.item.personnummer).to_string(),
            shown(value),
        ),
        I::BirthYear { year } => (
            td_string!(l, referrals.handover.item.birth_year).to_string(),
            text(year.to_string()),
        ),
        I::Gender { gender } => (
            td_string!(l, referrals.handover.item.gender).to_string(),
            text(gender.label_in(l).to_string()),
        ),
        I::Protection { protection } => (
            td_string!(l, referrals.handover.item.protection).to_string(),
            text(protection.label_in(l).to_string()),
        ),
        I::Status { status } => (
            td_string!(l, referrals.handover.item.status).to_string(),
            text(status.label_in(l).to_string()),
        ),
        I::SspfLevel { level } => (
            td_string!(l, referrals.handover.item.sspf_level).to_string(),
            text(level.label_in(l).to_string()),
        ),
        I::Opened { on } => (
            td_string!(l, referrals.handover.item.opened).to_string(),
            text(on.to_string()),
        ),
        I::Goal {
            domain,
            text: goal,
            status,
            by,
        } => {
            let domain = domain.label_in(l);
            let by = by
                .map(|date| format!(", {}", td_string!(l, referrals.handover.item.by, date)))
                .unwrap_or_default();
            (
                td_string!(l, referrals.handover.item.goal, domain).to_string(),
                view! { {shown(goal)}{format!(" ({}{by})", status.label_in(l))} }.into_any(),
            )
        }
        I::Action {
            title,
            owner,
            status,
            due,
        } => {
            let date = date_or_dash(*due);
            let due = td_string!(l, referrals.handover.item.due, date);
            (
                td_string!(l, referrals.handover.item.action).to_string(),
                view! { {shown(title)}{format!(" – {owner}, {} ({due})", status.label_in(l))} }
                    .into_any(),
            )
        }
        I::OpenGoals { count } => (
            td_string!(l, referrals.handover.item.open_goals).to_string(),
            text(count.to_string()),
        ),
        I::NextReview { on } => (
            td_string!(l, referrals.handover.item.next_review).to_string(),
            text(date_or_dash(*on)),
        ),
        I::Measure {
            kind,
            status,
            start,
            end,
            details,
        } => {
            let head = format!(
                "{} ({}), {} – {}",
                kind.label_in(l),
                status.label_in(l),
                date_or_dash(*start),
                date_or_dash(*end)
            );
            let details =
                (!matches!(details, Shown::Empty)).then(|| view! { ": "{shown(details)} });
            (
                td_string!(l, referrals.handover.item.measure).to_string(),
                view! { {head}{details} }.into_any(),
            )
        }
        I::Assessment { on, level, next } => {
            let date = on;
            let label = td_string!(l, referrals.handover.item.assessment, date).to_string();
            let date = next;
            let next = td_string!(l, referrals.handover.item.next_assessment, date);
            (label, text(format!("{} ({next})", level.label_in(l))))
        }
        I::Housing { kind, from, to } => (
            td_string!(l, referrals.handover.item.housing).to_string(),
            text(format!("{}, {}", kind.label_in(l), dates(*from, *to))),
        ),
        I::Occupation {
            kind,
            from,
            to,
            outcome,
        } => {
            let mut v = format!("{}, {}", kind.label_in(l), dates(*from, *to));
            if !outcome.is_empty() {
                v.push_str(&format!(": {outcome}"));
            }
            (
                td_string!(l, referrals.handover.item.occupation).to_string(),
                text(v),
            )
        }
        I::Nothing => (
            part.label_in(l).to_string(),
            text(td_string!(l, referrals.handover.item.nothing).to_string()),
        ),
    }
}
