//! `/arenden/:id/registerutdrag`: the register extract (GDPR art. 15) of the case's participant,
//! laid out for printing, with a link to the same data as a JSON file. Before it, the release
//! step: every item that needs a secrecy review (another organisation's records, assessment
//! bases, break-glass reasons) with a form per item to release it or withhold it with a reason.
//! Until released, the extract gives a marker in its place.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::extract::{get_extract_review, DecideRelease};
use crate::components::case_frame::use_case_id;
use crate::components::common::{print_page, successes, sv_datetime};
use crate::components::forms::{busy, failure, Submit};
use crate::components::ui::ErrorBox;
use domain::audit::{action_label, decision_label, purpose_label};
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
    view! {
        <Title text="Registerutdrag"/>
        <Transition fallback=|| view! { <p class="loading">"Tar fram registerutdraget…"</p> }>
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
                            <h1>"Registerutdrag"</h1>
                            <div data-testid="extract-refused"><ErrorBox error=e/></div>
                            <p><a href=format!("/arenden/{id}")>"Tillbaka till ärendet"</a></p>
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

/// Where an item stands, in words, with the class of its tag.
fn status_tag(i: &ReviewItem) -> impl IntoView {
    let (class, text) = match i.status {
        ReviewStatus::Pending if i.changed => (
            "tag consent-pending",
            "Ändrad sedan prövningen: väntar på ny prövning".to_string(),
        ),
        ReviewStatus::Pending => ("tag consent-pending", "Väntar på prövning".to_string()),
        ReviewStatus::Released => ("tag consent-active", "Lämnas ut".to_string()),
        ReviewStatus::Withheld => ("tag consent-revoked", "Undantas".to_string()),
    };
    view! { <span class=class data-testid="review-item-status">{text}</span> }
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
    view! {
        <section class="card screen-only extract-review" data-testid="extract-review" aria-labelledby="review-h">
            <h2 id="review-h">"Sekretessprövning före utlämnande"</h2>
            <p class="hint">
                "Uppgifter som en annan myndighet eller organisation äger, underlaget för hotbedömningar och motiveringar för nödåtkomst kan omfattas av sekretess mot personen själv (offentlighets- och sekretesslagen 10 kap. 3 § och 21 kap.). De lämnas inte ut förrän du har prövat dem. Lämna ut eller undanta varje uppgift. Skälet för ett undantag står i utdraget."
            </p>
            <p role="status" data-testid="review-status" class=if done == total { "ok" } else { "warning" }>
                {if total == 0 {
                    "Inget i utdraget behöver sekretessprövas.".to_string()
                } else {
                    format!("{done} av {total} prövade")
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
                        (s, Some(by), Some(at)) => Some(format!(
                            "{} av {by} {}{}",
                            if s == ReviewStatus::Released { "Beslut att lämna ut fattat" } else { "Beslut att undanta fattat" },
                            sv_datetime(at),
                            i.reason.as_ref().map(|r| format!(". Skäl: {r}")).unwrap_or_default(),
                        )),
                    };
                    let (cid0, cid1) = (case_id.clone(), case_id.clone());
                    let (key0, key1) = (i.key.clone(), i.key.clone());
                    let (v0, v1) = (i.version.clone(), i.version.clone());
                    view! {
                        <li class="review-item" data-testid="review-item" data-item=i.key.clone()>
                            <h3 id=head.clone()>{format!("{}: {}", i.section, i.what.to_lowercase())}</h3>
                            <p>
                                "Uppgiftsägare: "<strong data-testid="review-item-owner">{i.owner_org.clone()}</strong>
                                " · "{status_tag(&i)}
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
                                    <Submit action=decide attr:aria-describedby=head0.clone()>"Lämna ut"</Submit>
                                </ActionForm>
                                <ActionForm action=decide attr:class="form" attr:aria-busy=busy(decide)>
                                    <input type="hidden" name="case_id" value=cid1/>
                                    <input type="hidden" name="item" value=key1/>
                                    <input type="hidden" name="version" value=v1/>
                                    <input type="hidden" name="decision" value="withhold"/>
                                    <label for=reason_id.clone()>"Skäl för undantag (står i utdraget)"</label>
                                    <textarea id=reason_id.clone() name="reason" required minlength="10" maxlength="1000" rows="2"></textarea>
                                    <Submit action=decide attr:aria-describedby=head1.clone()>"Undanta"</Submit>
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
    view! {
        <article class="extract-print" data-testid="extract">
            <div class="screen-only actions">
                <a href=back>"Tillbaka till ärendet"</a>
                <button type="button" class="primary" on:click=|_| print_page()>"Skriv ut"</button>
                <a href=json download=file data-testid="extract-json">"Ladda ner som JSON"</a>
            </div>
            <p class="screen-only hint">
                "Utdraget innehåller allt som finns lagrat om personen, även det som du annars inte ser i ärendet. Hantera utskriften som sekretessbelagd och lämna den bara till personen själv. Att utdraget togs fram är loggat."
            </p>
            <h1>"Registerutdrag"</h1>
            {review}
            {pending.then(|| view! {
                <p class="warning screen-only" data-testid="extract-pending">
                    "Alla uppgifter är inte sekretessprövade. De som väntar lämnas inte ut: i utdraget står \"Väntar på sekretessprövning\" i deras ställe."
                </p>
            })}
            <p>"Utdrag enligt artikel 15 i dataskyddsförordningen (GDPR) över de personuppgifter som finns registrerade i Utväg."</p>
            <dl class="facts extract-head">
                <dt>"Personen"</dt><dd class="print-name">{name}</dd>
                {pnr.map(|p| view! { <dt>"Personnummer"</dt><dd>{p}</dd> })}
                <dt>"Deltagar-id"</dt><dd><code>{x.participant_id.clone()}</code></dd>
                <dt>"Framtaget"</dt><dd>{sv_datetime(x.produced_at)}</dd>
                <dt>"Framtaget av"</dt><dd>{format!("{}, {}", x.produced_by, x.produced_by_org)}</dd>
            </dl>
            <nav class="screen-only" aria-label="Avsnitt i utdraget">
                <ul class="extract-toc">
                    {x.sections.iter().map(|s| view! {
                        <li><a href=format!("#{}", s.table)>{format!("{} ({})", s.title, s.records.len())}</a></li>
                    }).collect_view()}
                    <li><a href="#undantaget">{format!("Uppgifter som inte lämnas ut ({})", withheld.len())}</a></li>
                    <li><a href="#logg">{format!("Vem har tagit del av uppgifterna ({})", x.reads.len())}</a></li>
                </ul>
            </nav>
            {x.sections.into_iter().map(|s| view! { <Section s/> }).collect_view()}
            <section class="extract-section" id="undantaget" aria-labelledby="undantaget-h">
                <h2 id="undantaget-h">"Uppgifter som inte lämnas ut"</h2>
                {if withheld.is_empty() {
                    view! { <p>"Alla uppgifter lämnas ut."</p> }.into_any()
                } else {
                    view! {
                        <p class="hint">"Uppgifterna har prövats enligt offentlighets- och sekretesslagen och lämnas inte ut, eller väntar på prövning."</p>
                        <table class="list" data-testid="extract-withheld">
                            <caption class="visually-hidden">"Uppgifter som inte lämnas ut och varför"</caption>
                            <thead><tr>
                                <th scope="col">"Avsnitt"</th><th scope="col">"Uppgift"</th>
                                <th scope="col">"Uppgiftsägare"</th><th scope="col">"Beslut"</th>
                            </tr></thead>
                            <tbody>
                                {withheld.into_iter().map(|w| view! {
                                    <tr>
                                        <td>{w.section}</td>
                                        <td>{w.what}</td>
                                        <td>{w.owner_org}</td>
                                        <td>{match w.reason {
                                            Some(r) => format!("{}. Skäl: {r}", w.status.marker()),
                                            None => w.status.marker().to_string(),
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
                <h2 id="logg-h">"Vem har tagit del av eller ändrat uppgifterna"</h2>
                <p class="hint">"Varje gång någon har läst, sökt fram eller ändrat uppgifter om personen, enligt loggen."</p>
                {if x.reads.is_empty() {
                    view! { <p>"Loggen har inga uppgifter om personen."</p> }.into_any()
                } else {
                    view! {
                        <table class="list" data-testid="extract-reads">
                            <caption class="visually-hidden">"Loggen över åtkomst till personens uppgifter, äldst först"</caption>
                            <thead><tr>
                                <th scope="col">"Tid"</th><th scope="col">"Användare"</th><th scope="col">"Organisation"</th>
                                <th scope="col">"Vad"</th><th scope="col">"Uppgifter"</th><th scope="col">"Syfte"</th><th scope="col">"Beslut"</th>
                            </tr></thead>
                            <tbody>
                                {x.reads.into_iter().map(|r| {
                                    let cats = r.categories.iter()
                                        .map(|c| Category::parse(c).map(|c| c.label()).unwrap_or(c.as_str()))
                                        .collect::<Vec<_>>()
                                        .join(", ");
                                    view! {
                                        <tr>
                                            <td>{sv_datetime(r.at)}</td>
                                            <td>{r.user}</td>
                                            <td>{r.org}</td>
                                            <td>{action_label(&r.action).to_string()}</td>
                                            <td>{if cats.is_empty() { "–".to_string() } else { cats }}</td>
                                            <td>{r.purpose.as_deref().map(purpose_label).unwrap_or("–").to_string()}</td>
                                            <td>{decision_label(&r.decision).to_string()}</td>
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
    view! {
        <section class="extract-section" id=s.table.clone() aria-labelledby=labelled_by>
            <h2 id=heading>{s.title.clone()}</h2>
            {(!s.owners.is_empty()).then(|| view! {
                <p class="hint">{format!("Uppgiftsägare: {}", s.owners.join(", "))}</p>
            })}
            {if n == 0 {
                view! { <p>"Inga uppgifter registrerade."</p> }.into_any()
            } else {
                s.records.into_iter().enumerate().map(|(i, r)| view! {
                    <Record r caption=format!("{}, post {} av {n}", s.title, i + 1)/>
                }).collect_view().into_any()
            }}
        </section>
    }
}

#[component]
fn Record(r: ExtractRecord, caption: String) -> impl IntoView {
    let record_id = r.id.clone();
    view! {
        <table class="extract-record" data-record=record_id>
            <caption class="visually-hidden">{caption}</caption>
            <tbody>
                <tr><th scope="row">"Post-id"</th><td><code>{r.id}</code></td></tr>
                <tr><th scope="row">"Uppgiftsägare"</th><td>{r.owner_org_name}</td></tr>
                {r.withheld.iter().find(|w| w.field.is_none()).map(|w| view! {
                    <tr><th scope="row">"Innehåll"</th><td data-testid="withheld-marker">{w.text.clone()}</td></tr>
                })}
                {r.fields.into_iter().map(|f| view! {
                    <tr><th scope="row">{f.label}</th><td>{f.text}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
