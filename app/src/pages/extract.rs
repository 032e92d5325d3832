//! `/arenden/:id/registerutdrag`: the register extract (GDPR art. 15) of the case's participant,
//! laid out for printing, with a link to the same data as a JSON file. Before it, the release
//! step: every item that needs a secrecy review (another organisation's records, assessment
//! bases, break-glass reasons) with a form per item to release it or withhold it with a reason.
//! Until released, the extract gives a marker in its place.
//!
//! The document itself (section titles, field names and values) is the core's, in Swedish, the
//! authority's language, as the JSON file is; on a page in another language it is marked
//! `lang="sv"` so that it is read as Swedish. The page around it follows the user's language.

use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::extract::{get_extract_review, DecideRelease};
use crate::components::case_frame::use_case_id;
use crate::components::common::{print_page, successes, sv_datetime};
use crate::components::forms::{busy, failure, Submit};
use crate::components::labels::{action_text, decision_text, purpose_text, Label};
use crate::components::ui::ErrorBox;
use crate::i18n::{t, t_string, td, td_string, use_i18n, Locale};
use domain::extract::{
    ExtractRecord, ExtractReview, ExtractSection, RegisterExtract, ReviewItem, ReviewStatus,
};
use domain::Category;

#[component]
pub fn ExtractPage() -> impl IntoView {
    let case_id = use_case_id();
    let decide = ServerAction::<DecideRelease>::new();
    let decided = successes(decide);
    let extract = Resource::new(
        move || (case_id(), decided.get()),
        |(id, _)| get_extract_review(id),
    );
    let i18n = use_i18n();
    view! {
        <PageTitle text=move || t_string!(i18n, cases.extract.title)/>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, cases.extract.loading)}</p> }>
            {move || {
                let id = case_id();
                Suspend::new(async move {
                    match extract.await {
                        Ok(r) => {
                            let ExtractReview { extract: x, items } = r;
                            let review = view! { <ReleaseStep case_id=id items decide/> }.into_any();
                            view! { <PrintedExtract x review/> }.into_any()
                        }
                        Err(e) => view! {
                            <h1>{t!(i18n, cases.extract.title)}</h1>
                            <div data-testid="extract-refused"><ErrorBox error=e/></div>
                            <p><a href=format!("/arenden/{id}")>{t!(i18n, cases.extract.back)}</a></p>
                        }
                        .into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// The text of one field of the participant record, if given.
fn person_field(x: &RegisterExtract, field: &str) -> Option<String> {
    x.sections
        .iter()
        .find(|s| s.table == "participant")
        .and_then(|s| s.records.first())
        .and_then(|r| r.fields.iter().find(|f| f.name == field))
        .map(|f| f.text.clone())
}

/// Where an item stands, in words (in `l`), with the class of its tag.
fn status_tag(i: &ReviewItem, l: Locale) -> impl IntoView {
    let (class, text) = match i.status {
        ReviewStatus::Pending if i.changed => (
            "tag consent-pending",
            td_string!(l, cases.extract.status.changed).to_string(),
        ),
        ReviewStatus::Pending => (
            "tag consent-pending",
            td_string!(l, cases.extract.status.pending).to_string(),
        ),
        ReviewStatus::Released => (
            "tag consent-active",
            td_string!(l, cases.extract.status.released).to_string(),
        ),
        ReviewStatus::Withheld => (
            "tag consent-revoked",
            td_string!(l, cases.extract.status.withheld).to_string(),
        ),
    };
    view! { <span class=class data-testid="review-item-status">{text}</span> }
}

/// What the extract says in place of an item that is not released (`ReviewStatus::marker`), in
/// `l`.
fn marker(status: ReviewStatus, l: Locale) -> &'static str {
    match status {
        ReviewStatus::Pending => td_string!(l, cases.extract.marker.pending),
        ReviewStatus::Withheld => td_string!(l, cases.extract.marker.withheld),
        ReviewStatus::Released => td_string!(l, cases.extract.marker.released),
    }
}

/// The release step: each item that needs a secrecy review, what it is and whose it is, its
/// value (the producer may read everything), the decision so far and a plain form per choice.
#[component]
fn ReleaseStep(
    case_id: String,
    items: Vec<ReviewItem>,
    decide: ServerAction<DecideRelease>,
) -> impl IntoView {
    let total = items.len();
    let done = items
        .iter()
        .filter(|i| i.status != ReviewStatus::Pending)
        .count();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <section class="card screen-only extract-review" data-testid="extract-review" aria-labelledby="review-h">
            <h2 id="review-h">{t!(i18n, cases.extract.review.heading)}</h2>
            <p class="hint">
                {t!(i18n, cases.extract.review.hint)}
            </p>
            <p role="status" data-testid="review-status" class=if done == total { "ok" } else { "warning" }>
                {if total == 0 {
                    td_string!(l, cases.extract.review.nothing).to_string()
                } else {
                    td_string!(l, cases.extract.review.progress, done, total).to_string()
                }}
            </p>
            {failure(decide)}
            <ol class="review-list">
                {items.into_iter().enumerate().map(|(n, i)| {
                    let head = format!("review-{n}-h");
                    let (head0, head1) = (head.clone(), head.clone());
                    let reason_id = format!("review-{n}-reason");
                    let decided = match (i.status, &i.decided_by, i.decided_at) {
                        (ReviewStatus::Pending, ..) | (_, None, _) | (_, _, None) => None,
                        (s, Some(by), Some(at)) => {
                            let (by, at) = (by.clone(), sv_datetime(at));
                            let released = s == ReviewStatus::Released;
                            Some(match (released, i.reason.clone()) {
                                (true, None) => td_string!(l, cases.extract.review.released, by, at).to_string(),
                                (true, Some(reason)) => td_string!(l, cases.extract.review.released_reason, by, at, reason).to_string(),
                                (false, None) => td_string!(l, cases.extract.review.withheld, by, at).to_string(),
                                (false, Some(reason)) => td_string!(l, cases.extract.review.withheld_reason, by, at, reason).to_string(),
                            })
                        }
                    };
                    let (cid0, cid1) = (case_id.clone(), case_id.clone());
                    let (key0, key1) = (i.key.clone(), i.key.clone());
                    let (v0, v1) = (i.version.clone(), i.version.clone());
                    view! {
                        <li class="review-item" data-testid="review-item" data-item=i.key.clone()>
                            <h3 id=head.clone()>{format!("{}: {}", i.section, i.what.to_lowercase())}</h3>
                            <p>
                                {td!(l, cases.extract.review.owner, <strong> = <strong data-testid="review-item-owner"/>, org = i.owner_org.clone())}
                                " · "{status_tag(&i, l)}
                            </p>
                            <p class="hint">{i.why.clone()}</p>
                            <p class="review-value" data-testid="review-item-value">{i.value.clone()}</p>
                            {decided.map(|d| view! { <p class="hint">{d}</p> })}
                            <div class="review-forms">
                                <ActionForm action=decide attr:class="inline" attr:aria-busy=busy(decide)>
                                    <input type="hidden" name="case_id" value=cid0/>
                                    <input type="hidden" name="item" value=key0/>
                                    <input type="hidden" name="version" value=v0/>
                                    <input type="hidden" name="decision" value="release"/>
                                    <Submit action=decide attr:aria-describedby=head0.clone()>{td_string!(l, cases.extract.review.release)}</Submit>
                                </ActionForm>
                                <ActionForm action=decide attr:class="form" attr:aria-busy=busy(decide)>
                                    <input type="hidden" name="case_id" value=cid1/>
                                    <input type="hidden" name="item" value=key1/>
                                    <input type="hidden" name="version" value=v1/>
                                    <input type="hidden" name="decision" value="withhold"/>
                                    <label for=reason_id.clone()>{td_string!(l, cases.extract.review.reason)}</label>
                                    <textarea id=reason_id.clone() name="reason" required minlength="10" maxlength="1000" rows="2"></textarea>
                                    <Submit action=decide attr:aria-describedby=head1.clone()>{td_string!(l, cases.extract.review.withhold)}</Submit>
                                </ActionForm>
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn PrintedExtract(x: RegisterExtract, review: AnyView) -> impl IntoView {
    let back = format!("/arenden/{}", x.case_id);
    let json = format!("/api/cases/extract?case_id={}", x.case_id);
    let file = format!("registerutdrag-{}.json", x.participant_id);
    let name = [
        person_field(&x, "first_name"),
        person_field(&x, "last_name"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let pnr = person_field(&x, "personnummer").filter(|p| p != "–");
    let pending = x.withheld.iter().any(|w| w.status == ReviewStatus::Pending);
    let withheld = x.withheld.clone();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <article class="extract-print" data-testid="extract">
            <div class="screen-only actions">
                <a href=back>{t!(i18n, cases.extract.back)}</a>
                <button type="button" class="primary" on:click=|_| print_page()>{t!(i18n, cases.extract.print)}</button>
                <a href=json download=file data-testid="extract-json">{t!(i18n, cases.extract.json)}</a>
            </div>
            <p class="screen-only hint">
                {t!(i18n, cases.extract.screen_hint)}
            </p>
            <h1>{t!(i18n, cases.extract.title)}</h1>
            {review}
            {pending.then(|| view! {
                <p class="warning screen-only" data-testid="extract-pending">
                    {t!(i18n, cases.extract.pending)}
                </p>
            })}
            <p>{t!(i18n, cases.extract.intro)}</p>
            <dl class="facts extract-head">
                <dt>{t!(i18n, cases.extract.person)}</dt><dd class="print-name">{name}</dd>
                {pnr.map(|p| view! { <dt>{t!(i18n, cases.extract.personnummer)}</dt><dd>{p}</dd> })}
                <dt>{t!(i18n, cases.extract.participant_id)}</dt><dd><code>{x.participant_id.clone()}</code></dd>
                <dt>{t!(i18n, cases.extract.produced)}</dt><dd>{sv_datetime(x.produced_at)}</dd>
                <dt>{t!(i18n, cases.extract.produced_by)}</dt><dd>{format!("{}, {}", x.produced_by, x.produced_by_org)}</dd>
            </dl>
            <nav class="screen-only" aria-label=td_string!(l, cases.extract.toc)>
                <ul class="extract-toc">
                    {x.sections.iter().map(|s| view! {
                        <li><a href=format!("#{}", s.table) lang="sv">{format!("{} ({})", s.title, s.records.len())}</a></li>
                    }).collect_view()}
                    <li><a href="#undantaget">{td_string!(l, cases.extract.toc_withheld, count = withheld.len()).to_string()}</a></li>
                    <li><a href="#logg">{td_string!(l, cases.extract.toc_reads, count = x.reads.len()).to_string()}</a></li>
                </ul>
            </nav>
            {x.sections.into_iter().map(|s| view! { <Section s/> }).collect_view()}
            <section class="extract-section" id="undantaget" aria-labelledby="undantaget-h">
                <h2 id="undantaget-h">{t!(i18n, cases.extract.withheld.heading)}</h2>
                {if withheld.is_empty() {
                    view! { <p>{t!(i18n, cases.extract.withheld.none)}</p> }.into_any()
                } else {
                    view! {
                        <p class="hint">{t!(i18n, cases.extract.withheld.hint)}</p>
                        <table class="list" data-testid="extract-withheld">
                            <caption class="visually-hidden">{t!(i18n, cases.extract.withheld.caption)}</caption>
                            <thead><tr>
                                <th scope="col">{t!(i18n, cases.extract.withheld.section)}</th><th scope="col">{t!(i18n, cases.extract.withheld.item)}</th>
                                <th scope="col">{t!(i18n, cases.extract.withheld.owner)}</th><th scope="col">{t!(i18n, cases.extract.withheld.decision)}</th>
                            </tr></thead>
                            <tbody>
                                {withheld.into_iter().map(|w| view! {
                                    <tr>
                                        <td>{w.section}</td>
                                        <td>{w.what}</td>
                                        <td>{w.owner_org}</td>
                                        <td class="withheld">{match w.reason {
                                            Some(r) => td_string!(l, cases.extract.withheld.marker_reason, marker = marker(w.status, l), reason = r).to_string(),
                                            None => marker(w.status, l).to_string(),
                                        }}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                    .into_any()
                }}
            </section>
            <section class="extract-section" id="logg" aria-labelledby="logg-h">
                <h2 id="logg-h">{t!(i18n, cases.extract.log.heading)}</h2>
                <p class="hint">{t!(i18n, cases.extract.log.hint)}</p>
                {if x.reads.is_empty() {
                    view! { <p>{t!(i18n, cases.extract.log.empty)}</p> }.into_any()
                } else {
                    view! {
                        <table class="list" data-testid="extract-reads">
                            <caption class="visually-hidden">{t!(i18n, cases.extract.log.caption)}</caption>
                            <thead><tr>
                                <th scope="col">{t!(i18n, cases.extract.log.time)}</th><th scope="col">{t!(i18n, cases.extract.log.user)}</th><th scope="col">{t!(i18n, cases.extract.log.organisation)}</th>
                                <th scope="col">{t!(i18n, cases.extract.log.what)}</th><th scope="col">{t!(i18n, cases.extract.log.categories)}</th><th scope="col">{t!(i18n, cases.extract.log.purpose)}</th><th scope="col">{t!(i18n, cases.extract.log.decision)}</th>
                            </tr></thead>
                            <tbody>
                                {x.reads.into_iter().map(|r| {
                                    let cats = r.categories.iter()
                                        .map(|c| Category::parse(c).map(|c| c.label_in(l)).unwrap_or(c.as_str()))
                                        .collect::<Vec<_>>()
                                        .join(", ");
                                    view! {
                                        <tr>
                                            <td>{sv_datetime(r.at)}</td>
                                            <td>{r.user}</td>
                                            <td>{r.org}</td>
                                            <td>{action_text(&r.action, l).to_string()}</td>
                                            <td>{if cats.is_empty() { "–".to_string() } else { cats }}</td>
                                            <td>{r.purpose.as_deref().map(|p| purpose_text(p, l)).unwrap_or("–").to_string()}</td>
                                            <td>{decision_text(&r.decision, l).to_string()}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                    .into_any()
                }}
            </section>
        </article>
    }
}

#[component]
fn Section(s: ExtractSection) -> impl IntoView {
    let heading = format!("{}-h", s.table);
    let labelled_by = heading.clone();
    let n = s.records.len();
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <section class="extract-section" id=s.table.clone() aria-labelledby=labelled_by>
            <h2 id=heading lang="sv">{s.title.clone()}</h2>
            {(!s.owners.is_empty()).then(|| view! {
                <p class="hint">{td_string!(l, cases.extract.section.owners, owners = s.owners.join(", ")).to_string()}</p>
            })}
            {if n == 0 {
                view! { <p>{t!(i18n, cases.extract.section.empty)}</p> }.into_any()
            } else {
                s.records.into_iter().enumerate().map(|(i, r)| view! {
                    <Record r caption=td_string!(l, cases.extract.section.record, title = s.title.clone(), n = i + 1, total = n).to_string()/>
                }).collect_view().into_any()
            }}
        </section>
    }
}

#[component]
fn Record(r: ExtractRecord, caption: String) -> impl IntoView {
    let record_id = r.id.clone();
    let i18n = use_i18n();
    view! {
        <table class="extract-record" data-record=record_id>
            <caption class="visually-hidden">{caption}</caption>
            <tbody>
                <tr><th scope="row">{t!(i18n, cases.extract.record.id)}</th><td><code>{r.id}</code></td></tr>
                <tr><th scope="row">{t!(i18n, cases.extract.record.owner)}</th><td>{r.owner_org_name}</td></tr>
                {r.withheld.iter().find(|w| w.field.is_none()).map(|w| view! {
                    <tr><th scope="row">{t!(i18n, cases.extract.record.content)}</th><td class="withheld" data-testid="withheld-marker">{w.text.clone()}</td></tr>
                })}
                {r.fields.into_iter().map(|f| view! {
                    <tr><th scope="row" lang="sv">{f.label}</th><td lang="sv">{f.text}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
