//! Admin pages: organisations and user accounts. Administrators never see case content.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::admin::{
    list_users, CreateOrg, CreateUser, ResetPassword, ResetSecondFactor, UpdateOrg, UpdateUser,
};
use crate::api::orgs::list_orgs;
use crate::components::forms::{busy, Submit};
use crate::components::ui::{ActionStatus, ErrorBox};
use domain::{OrgDto, OrgKind, Role, UserDto};

fn kind_options(selected: OrgKind) -> impl IntoView {
    OrgKind::ALL
        .into_iter()
        .map(|k| view! { <option value=k.as_str() selected=k == selected>{k.label()}</option> })
        .collect_view()
}

fn role_options(selected: Role) -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(|r| view! { <option value=r.as_str() selected=r == selected>{r.label()}</option> })
        .collect_view()
}

#[component]
pub fn OrgsPage() -> impl IntoView {
    let create = ServerAction::<CreateOrg>::new();
    let update = ServerAction::<UpdateOrg>::new();
    let orgs = Resource::new(
        move || (create.version().get(), update.version().get()),
        |_| list_orgs(),
    );
    view! {
        <Title text="Organisationer"/>
        <h1>"Organisationer"</h1>
        <section class="card">
            <h2>"Ny organisation"</h2>
            <ActionForm action=create attr:class="form grid" attr:aria-busy=busy(create)>
                <label for="org-name">"Namn"</label>
                <input id="org-name" name="name" required maxlength="120"/>
                <label for="org-kind">"Typ"</label>
                <select id="org-kind" name="kind">{kind_options(OrgKind::SocialServices)}</select>
                <label for="org-munis">"Kommuner (kommaseparerade)"</label>
                <input id="org-munis" name="municipalities" required placeholder="t.ex. Göteborg, Mölndal"/>
                <Submit action=create class="primary">"Skapa organisation"</Submit>
            </ActionForm>
            <ActionStatus value=move || create.value().get() ok="Organisationen är skapad."/>
        </section>
        <ActionStatus value=move || update.value().get() ok="Ändringen är sparad."/>
        <Transition fallback=|| view! { <p class="loading">"Laddar…"</p> }>
            {move || Suspend::new(async move {
                match orgs.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">"Inga organisationer ännu."</p> }.into_any(),
                    Ok(list) => view! { <OrgTable list update/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn OrgTable(list: Vec<OrgDto>, update: ServerAction<UpdateOrg>) -> impl IntoView {
    view! {
        <table class="list">
            <caption>"Alla organisationer"</caption>
            <thead><tr><th scope="col">"Namn"</th><th scope="col">"Typ"</th><th scope="col">"Kommuner"</th><th scope="col">"Status"</th><th scope="col">"Ändra"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|o| {
                    let munis = o.municipalities.join(", ");
                    let id_name = format!("edit-org-{}", o.id);
                    view! {
                        <tr>
                            <td>{o.name.clone()}</td>
                            <td>{o.kind.label()}</td>
                            <td>{munis.clone()}</td>
                            <td>{if o.active { "Aktiv" } else { "Inaktiv" }}</td>
                            <td>
                                <details>
                                    <summary>"Ändra"</summary>
                                    <ActionForm action=update attr:class="form grid" attr:id=id_name.clone() attr:aria-busy=busy(update)>
                                        <input type="hidden" name="id" value=o.id.clone()/>
                                        <input type="hidden" name="version" value=o.version.to_string()/>
                                        <label>"Namn"<input name="name" value=o.name.clone() required maxlength="120"/></label>
                                        <label>"Typ"<select name="kind">{kind_options(o.kind)}</select></label>
                                        <label>"Kommuner"<input name="municipalities" value=munis required/></label>
                                        <label class="check"><input type="checkbox" name="active" checked=o.active/>"Aktiv"</label>
                                        <Submit action=update>"Spara"</Submit>
                                    </ActionForm>
                                </details>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let update = ServerAction::<UpdateUser>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let reset_mfa = ServerAction::<ResetSecondFactor>::new();
    let data = Resource::new(
        move || {
            (
                create.version().get(),
                update.version().get(),
                reset.version().get(),
                reset_mfa.version().get(),
            )
        },
        |_| async move { Ok::<_, domain::AppError>((list_users().await?, list_orgs().await?)) },
    );
    view! {
        <Title text="Användare"/>
        <h1>"Användare"</h1>
        <Transition fallback=|| view! { <p class="loading">"Laddar…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((users, orgs)) => {
                        let new_user_orgs = org_options(&orgs, "");
                        view! {
                        <section class="card">
                            <h2>"Nytt konto"</h2>
                            <ActionForm action=create attr:class="form grid" attr:aria-busy=busy(create)>
                                <label for="u-username">"Användarnamn"</label>
                                <input id="u-username" name="username" required maxlength="64" pattern="[a-z0-9._\\-]{3,64}" autocomplete="off"/>
                                <label for="u-name">"Namn"</label>
                                <input id="u-name" name="display_name" required maxlength="120"/>
                                <label for="u-org">"Organisation"</label>
                                <select id="u-org" name="org_id">{new_user_orgs}</select>
                                <label for="u-role">"Roll"</label>
                                <select id="u-role" name="role">{role_options(Role::CaseWorker)}</select>
                                <label for="u-pw">"Startlösenord (minst 12 tecken)"</label>
                                <input id="u-pw" name="password" type="password" required minlength="12" maxlength="256" autocomplete="new-password"/>
                                <Submit action=create class="primary">"Skapa konto"</Submit>
                            </ActionForm>
                            <ActionStatus value=move || create.value().get() ok="Kontot är skapat."/>
                        </section>
                        <ActionStatus value=move || update.value().get() ok="Ändringen är sparad."/>
                        <ActionStatus value=move || reset.value().get() ok="Lösenordet är bytt och användarens sessioner är avslutade."/>
                        <ActionStatus value=move || reset_mfa.value().get() ok="Tvåstegsverifieringen är återställd. Personen aktiverar en ny autentiseringsapp vid nästa inloggning."/>
                        {if users.is_empty() {
                            view! { <p class="empty">"Inga konton ännu."</p> }.into_any()
                        } else {
                            view! { <UserTable users orgs update reset reset_mfa/> }.into_any()
                        }}
                    }.into_any()
                    }
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn org_options(orgs: &[OrgDto], selected: &str) -> impl IntoView {
    orgs.iter()
        .filter(|o| o.active || o.id == selected)
        .map(|o| view! { <option value=o.id.clone() selected=o.id == selected>{o.name.clone()}</option> })
        .collect_view()
}

#[component]
fn UserTable(
    users: Vec<UserDto>,
    orgs: Vec<OrgDto>,
    update: ServerAction<UpdateUser>,
    reset: ServerAction<ResetPassword>,
    reset_mfa: ServerAction<ResetSecondFactor>,
) -> impl IntoView {
    view! {
        <table class="list">
            <caption>"Alla konton"</caption>
            <thead><tr><th scope="col">"Användarnamn"</th><th scope="col">"Namn"</th><th scope="col">"Roll"</th><th scope="col">"Organisation"</th><th scope="col">"Status"</th><th scope="col">"Ändra"</th></tr></thead>
            <tbody>
                {users.into_iter().map(|u| {
                    let org_opts = org_options(&orgs, &u.org_id);
                    let (id1, id2, id3) = (u.id.clone(), u.id.clone(), u.id.clone());
                    let status = if !u.active { "Inaktiv" } else if u.locked_until.is_some_and(|t| t > chrono::Utc::now()) { "Tillfälligt spärrad" } else { "Aktiv" };
                    view! {
                        <tr>
                            <td>{u.username.clone()}</td>
                            <td>{u.display_name.clone()}</td>
                            <td>{u.role.label()}</td>
                            <td>{u.org_name.clone()}</td>
                            <td>{status}</td>
                            <td>
                                <details>
                                    <summary>"Ändra"</summary>
                                    <ActionForm action=update attr:class="form grid" attr:aria-busy=busy(update)>
                                        <input type="hidden" name="id" value=id1/>
                                        <input type="hidden" name="version" value=u.version.to_string()/>
                                        <label>"Namn"<input name="display_name" value=u.display_name.clone() required maxlength="120"/></label>
                                        <label>"Organisation"<select name="org_id">{org_opts}</select></label>
                                        <label>"Roll"<select name="role">{role_options(u.role)}</select></label>
                                        <label class="check"><input type="checkbox" name="active" checked=u.active/>"Aktivt konto"</label>
                                        <Submit action=update>"Spara"</Submit>
                                    </ActionForm>
                                    <ActionForm action=reset attr:class="form grid" attr:aria-busy=busy(reset)>
                                        <input type="hidden" name="id" value=id2/>
                                        <label>"Nytt lösenord"<input name="password" type="password" required minlength="12" maxlength="256" autocomplete="new-password"/></label>
                                        <Submit action=reset>"Byt lösenord"</Submit>
                                    </ActionForm>
                                    <ActionForm action=reset_mfa attr:class="form grid" attr:aria-busy=busy(reset_mfa)>
                                        <input type="hidden" name="id" value=id3/>
                                        <label class="check"><input type="checkbox" required/>"Personen har tappat sin autentiseringsapp och ska aktivera en ny vid nästa inloggning"</label>
                                        <Submit action=reset_mfa>"Återställ tvåstegsverifiering"</Submit>
                                    </ActionForm>
                                </details>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
