//! `/samverkansrad/:id`: the chair's view of one meeting — the agenda in order, what may be put
//! on it (the unit's waiting referrals and the cases due for review), and per open item the
//! council's decision: priority, interventions with their providers and follow-up dates, the
//! responsible case worker. A decision opens the case (for a referral) and writes the plan
//! actions in the same step.

use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::council::{get_agenda, AddAgendaItem, DecideItem, DeclineItem, MarkMeetingHeld};
use crate::components::common::{error_for, meeting_status, successes, FieldError};
use crate::components::forms::{busy, ConfirmButton, Submit};
use crate::components::labels::{item_label_text, Label};
use crate::components::ui::{ActionStatus, ErrorBox};
use crate::i18n::{t, t_string, td_string, use_i18n};
use domain::council::{
    AgendaItem, AgendaView, InterventionKind, ItemKind, ItemStatus, MeetingStatus,
    FORM_INTERVENTIONS,
};
use domain::SspfLevel;

/// The page's actions. A decision and a decline belong to one item each (their errors show
/// beside that item's form); their success reloads the agenda through `done`.
#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddAgendaItem>,
    held: ServerAction<MarkMeetingHeld>,
    done: RwSignal<Option<&'static str>>,
    tick: RwSignal<usize>,
}

impl Actions {
    /// After an item's action succeeds: says so and reloads the agenda.
    fn finished<S>(self, action: ServerAction<S>, message: &'static str)
    where
        S: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
        S::Error: Clone + Send + Sync + 'static,
    {
        Effect::new(move |_| {
            if let Some(Ok(_)) = action.value().get() {
                self.done.set(Some(message));
                self.tick.update(|t| *t += 1);
            }
        });
    }
}

#[component]
pub fn MeetingPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let actions = Actions {
        add: ServerAction::new(),
        held: ServerAction::new(),
        done: RwSignal::new(None),
        tick: RwSignal::new(0),
    };
    let (s1, s2, tick) = (
        successes(actions.add),
        successes(actions.held),
        actions.tick,
    );
    let agenda = Resource::new(
        move || (id(), s1.get(), s2.get(), tick.get()),
        |(id, ..)| get_agenda(id),
    );
    view! {
        <PageTitle text=move || t_string!(i18n, council.meeting.title)/>
        <p><a href="/samverkansrad">{t!(i18n, council.meeting.back)}</a></p>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match agenda.await {
                    Ok(v) => view! { <Agenda v actions/> }.into_any(),
                    Err(e) => view! { <h1>{t!(i18n, council.meeting.error_heading)}</h1><ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Agenda(v: AgendaView, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let m = v.meeting.clone();
    let planned = m.status == MeetingStatus::Planned;
    let title = td_string!(
        l,
        council.meeting.heading,
        date = m.date.format("%Y-%m-%d").to_string()
    )
    .to_string();
    let held_q = td_string!(l, council.meeting.held_confirm);
    let items = v.items.clone();
    view! {
        <h1>{title}</h1>
        <section class="card" data-testid="meeting-facts">
            <dl class="facts">
                <dt>{t!(i18n, council.meeting.status)}</dt><dd>{meeting_status(m.status)}</dd>
                <dt>{t!(i18n, council.meeting.municipality)}</dt><dd>{m.municipality.clone()}</dd>
                <dt>{t!(i18n, council.meeting.members)}</dt><dd>{m.members.join(", ")}</dd>
            </dl>
            <p>
                <a class="button" href=format!("/samverkansrad/{}/protokoll", m.id)>{t!(i18n, council.meeting.minutes)}</a>
                " "
                {planned.then(|| view! {
                    <ConfirmButton action=actions.held fields=vec![("id", m.id.clone())]
                        label=td_string!(l, council.meeting.mark_held) confirm=held_q/>
                })}
            </p>
            <ActionStatus value=move || actions.held.value().get() ok=td_string!(l, council.meeting.held_ok)/>
        </section>
        <h2>{t!(i18n, council.meeting.agenda)}</h2>
        {move || actions.done.get().map(|m| view! { <p class="ok" role="status">{m}</p> })}
        {if items.is_empty() {
            view! { <p class="empty" data-testid="agenda-empty">{t!(i18n, council.meeting.agenda_empty)}</p> }.into_any()
        } else {
            view! {
                <ol class="agenda" data-testid="agenda">
                    {items.into_iter().map(|it| view! { <Item it v=v.clone() actions/> }).collect_view()}
                </ol>
            }.into_any()
        }}
        {planned.then(|| view! { <AddItem v=v.clone() add=actions.add/> })}
    }
}

#[component]
fn AddItem(v: AgendaView, add: ServerAction<AddAgendaItem>) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let err = Signal::derive(move || add.value().get().and_then(Result::err));
    if v.candidates.is_empty() {
        return view! {
            <p class="empty" data-testid="no-candidates">{t!(i18n, council.add_item.none)}</p>
        }
        .into_any();
    }
    view! {
        <section class="card" aria-labelledby="add-h">
            <h2 id="add-h">{t!(i18n, council.add_item.heading)}</h2>
            <ActionForm action=add attr:class="form" attr:data-testid="add-item" attr:aria-busy=busy(add)>
                <input type="hidden" name="meeting" value=v.meeting.id.clone()/>
                <label for="add-target">{t!(i18n, council.add_item.target)}</label>
                <select id="add-target" name="target" required
                    aria-describedby=move || error_for(err.get(), "target").map(|_| "err-target")>
                    <option value="">{t!(i18n, council.add_item.choose)}</option>
                    {v.candidates.into_iter().map(|c| view! {
                        <option value=format!("{}:{}", c.kind.as_str(), c.id)>{item_label_text(&c.label, l)}</option>
                    }).collect_view()}
                </select>
                <FieldError id="err-target" message=Signal::derive(move || error_for(err.get(), "target"))/>
                {move || err.get().filter(|e| e.field() != Some("target")).map(|e| view! { <ErrorBox error=e/> })}
                <Submit action=add>{t!(i18n, council.add_item.submit)}</Submit>
            </ActionForm>
        </section>
    }
    .into_any()
}

#[component]
fn Item(it: AgendaItem, v: AgendaView, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let label = item_label_text(&it.label, l);
    let heading = format!("{}. {label}", it.position);
    let decided = (!it.interventions.is_empty()).then(|| {
        view! {
            <ul class="plain">
                {it.interventions.iter().map(|i| view! {
                    <li>{td_string!(l, council.item.intervention, kind = i.kind.label_in(l), provider = i.provider.clone(), date = i.follow_up.format("%Y-%m-%d").to_string()).to_string()}</li>
                }).collect_view()}
            </ul>
        }
    });
    let case = it.case_id.clone().filter(|_| it.status == ItemStatus::Decided).map(|c| {
        view! { <p><a href=format!("/arenden/{c}/plan") data-testid="item-case">{t!(i18n, council.item.open_plan)}</a></p> }
    });
    let open = it.status == ItemStatus::Open;
    view! {
        <li class="card" data-item=label>
            <h3>{heading}</h3>
            <p>
                <span class="tag">{it.status.label_in(l)}</span>
                {it.priority.map(|p| view! { " " <span class="tag warn">{td_string!(l, council.item.priority, priority = p).to_string()}</span> })}
            </p>
            {decided}
            {case}
            {open.then(|| view! { <DecisionForm it=it.clone() v=v.clone() actions/> })}
            {(open && it.kind == ItemKind::Referral).then(|| view! { <DeclineForm item=it.id.clone() actions/> })}
        </li>
    }
}

#[component]
fn DecisionForm(it: AgendaItem, v: AgendaView, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let decide = ServerAction::<DecideItem>::new();
    actions.finished(decide, td_string!(l, council.decision.saved));
    let err = Signal::derive(move || decide.value().get().and_then(Result::err));
    let p = format!("d{}", it.id);
    let fid = move |f: &str| format!("{p}-{f}");
    let msg = move |f: &'static str| Signal::derive(move || error_for(err.get(), f));
    let described =
        move |f: &'static str| move || error_for(err.get(), f).map(|_| format!("err-{f}"));
    let rows = (0..FORM_INTERVENTIONS).map(|i| {
        let providers = v.providers.clone();
        let (k, o, d) = (fid(&format!("kind{i}")), fid(&format!("org{i}")), fid(&format!("due{i}")));
        view! {
            <fieldset class="row">
                <legend>{td_string!(l, council.decision.intervention_n, n = i + 1).to_string()}</legend>
                <label for=k.clone()>{t!(i18n, council.decision.intervention)}</label>
                <select id=k name=format!("form[interventions][{i}][kind]") required=i == 0>
                    <option value="">{t!(i18n, council.decision.none)}</option>
                    {InterventionKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label_in(l)}</option> }).collect_view()}
                </select>
                <label for=o.clone()>{t!(i18n, council.decision.provider)}</label>
                <select id=o name=format!("form[interventions][{i}][provider_org]")>
                    <option value="">{t!(i18n, council.decision.choose_org)}</option>
                    {providers.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                </select>
                <label for=d.clone()>{t!(i18n, council.decision.follow_up)}</label>
                <input id=d type="date" name=format!("form[interventions][{i}][follow_up]")/>
            </fieldset>
        }
    }).collect_view();
    view! {
        <ActionForm action=decide attr:class="form" attr:data-testid="decide-item" attr:aria-busy=busy(decide)>
            <input type="hidden" name="item" value=it.id.clone()/>
            <fieldset aria-describedby=described("priority")>
                <legend>{t!(i18n, council.decision.priority)}</legend>
                {[(1, td_string!(l, council.decision.priority_highest)), (2, "2"), (3, "3")].into_iter().map(|(n, text)| view! {
                    <label class="check"><input type="radio" name="form[priority]" value=n.to_string() required/>{text}</label>
                }).collect_view()}
            </fieldset>
            <FieldError id="err-priority" message=msg("priority")/>
            <label for=fid("sspf")>{t!(i18n, council.decision.sspf)}</label>
            <select id=fid("sspf") name="form[sspf]">
                {SspfLevel::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=s == SspfLevel::Individual>{s.label_in(l)}</option> }).collect_view()}
            </select>
            <label for=fid("resp")>{t!(i18n, council.decision.responsible)}</label>
            <select id=fid("resp") name="form[responsible]" aria-describedby=described("responsible")>
                <option value="">{t!(i18n, council.decision.myself)}</option>
                {v.workers.iter().map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view()}
            </select>
            <FieldError id="err-responsible" message=msg("responsible")/>
            {rows}
            <FieldError id="err-interventions" message=msg("interventions")/>
            <label for=fid("note")>{t!(i18n, council.decision.note)}</label>
            <textarea id=fid("note") name="form[note]" rows="3" maxlength="20000"></textarea>
            {move || err.get().filter(|e| !matches!(e.field(), Some("priority" | "responsible" | "interventions"))).map(|e| view! { <ErrorBox error=e/> })}
            <Submit action=decide class="primary">{t!(i18n, council.decision.submit)}</Submit>
        </ActionForm>
    }
}

#[component]
fn DeclineForm(item: String, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let decline = ServerAction::<DeclineItem>::new();
    actions.finished(decline, td_string!(l, council.decline.done));
    let err = Signal::derive(move || decline.value().get().and_then(Result::err));
    let id = format!("decline-{item}");
    view! {
        <details>
            <summary>{t!(i18n, council.decline.summary)}</summary>
            <ActionForm action=decline attr:class="form" attr:data-testid="decline-item" attr:aria-busy=busy(decline)>
                <input type="hidden" name="item" value=item.clone()/>
                <label for=id.clone()>{t!(i18n, council.decline.reason)}</label>
                <textarea id=id name="reason" rows="3" maxlength="20000" required
                    aria-describedby=move || error_for(err.get(), "reason").map(|_| "err-reason")></textarea>
                <FieldError id="err-reason" message=Signal::derive(move || error_for(err.get(), "reason"))/>
                <Submit action=decline>{t!(i18n, council.decline.submit)}</Submit>
            </ActionForm>
        </details>
    }
}
