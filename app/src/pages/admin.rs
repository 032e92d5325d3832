//! Admin pages: organisations and user accounts. Administrators never see case content.

use crate::components::title::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::admin::{
    list_users, CreateOrg, CreateUser, ResetPassword, ResetSecondFactor, UpdateOrg, UpdateUser,
};
use crate::api::orgs::list_orgs;
use crate::components::forms::{busy, Submit};
use crate::components::labels::Label;
use crate::components::ui::{ActionStatus, ErrorBox};
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};
use domain::{OrgDto, OrgKind, Role, UserDto};

fn kind_options(selected: OrgKind, l: Locale) -> impl IntoView {
    OrgKind::ALL
        .into_iter()
        .map(|k| view! { <option value=k.as_str() selected=k == selected>{k.label_in(l)}</option> })
        .collect_view()
}

fn role_options(selected: Role, l: Locale) -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(|r| view! { <option value=r.as_str() selected=r == selected>{r.label_in(l)}</option> })
        .collect_view()
}

#[component]
pub fn OrgsPage() -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    let create = ServerAction::<CreateOrg>::new();
    let update = ServerAction::<UpdateOrg>::new();
    let orgs = Resource::new(
        move || (create.version().get(), update.version().get()),
        |_| list_orgs(),
    );
    view! {
        <PageTitle text=move || t_string!(i18n, admin.orgs.title)/>
        <h1>{t!(i18n, admin.orgs.title)}</h1>
        <section class="card">
            <h2>{t!(i18n, admin.orgs.new_heading)}</h2>
            <ActionForm action=create attr:class="form grid" attr:aria-busy=busy(create)>
                <label for="org-name">{t!(i18n, admin.orgs.name)}</label>
                <input id="org-name" name="name" required maxlength="120"/>
                <label for="org-kind">{t!(i18n, admin.orgs.kind)}</label>
                <select id="org-kind" name="kind">{kind_options(OrgKind::SocialServices, l)}</select>
                <label for="org-munis">{t!(i18n, admin.orgs.municipalities_input)}</label>
                <input id="org-munis" name="municipalities" required placeholder=td_string!(l, admin.orgs.municipalities_placeholder)/>
                <Submit action=create class="primary">{t!(i18n, admin.orgs.create)}</Submit>
            </ActionForm>
            <ActionStatus value=move || create.value().get() ok=td_string!(l, admin.orgs.created)/>
        </section>
        <ActionStatus value=move || update.value().get() ok=td_string!(l, admin.orgs.saved)/>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match orgs.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, admin.orgs.empty)}</p> }.into_any(),
                    Ok(list) => view! { <OrgTable list update/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn OrgTable(list: Vec<OrgDto>, update: ServerAction<UpdateOrg>) -> impl IntoView {
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <table class="list">
            <caption>{t!(i18n, admin.orgs.caption)}</caption>
            <thead><tr><th scope="col">{t!(i18n, admin.orgs.name)}</th><th scope="col">{t!(i18n, admin.orgs.kind)}</th><th scope="col">{t!(i18n, admin.orgs.municipalities)}</th><th scope="col">{t!(i18n, admin.orgs.status)}</th><th scope="col">{t!(i18n, admin.orgs.edit)}</th></tr></thead>
            <tbody>
                {list.into_iter().map(|o| {
                    let munis = o.municipalities.join(", ");
                    let id_name = format!("edit-org-{}", o.id);
                    view! {
                        <tr>
                            <td>{o.name.clone()}</td>
                            <td>{o.kind.label_in(l)}</td>
                            <td>{munis.clone()}</td>
                            <td>{if o.active { td_string!(l, admin.orgs.active) } else { td_string!(l, admin.orgs.inactive) }}</td>
                            <td>
                                <details>
                                    <summary>{t!(i18n, admin.orgs.edit)}</summary>
                                    <ActionForm action=update attr:class="form grid" attr:id=id_name.clone() attr:aria-busy=busy(update)>
                                        <input type="hidden" name="id" value=o.id.clone()/>
                                        <input type="hidden" name="version" value=o.version.to_string()/>
                                        <label>{t!(i18n, admin.orgs.name)}<input name="name" value=o.name.clone() required maxlength="120"/></label>
                                        <label>{t!(i18n, admin.orgs.kind)}<select name="kind">{kind_options(o.kind, l)}</select></label>
                                        <label>{t!(i18n, admin.orgs.municipalities)}<input name="municipalities" value=munis required/></label>
                                        <label class="check"><input type="checkbox" name="active" checked=o.active/>{t!(i18n, admin.orgs.active)}</label>
                                        <Submit action=update>{t!(i18n, admin.orgs.save)}</Submit>
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
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
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
        <PageTitle text=move || t_string!(i18n, admin.users.title)/>
        <h1>{t!(i18n, admin.users.title)}</h1>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((users, orgs)) => {
                        let new_user_orgs = org_options(&orgs, "");
                        view! {
                        <section class="card">
                            <h2>{t!(i18n, admin.users.new_heading)}</h2>
                            <ActionForm action=create attr:class="form grid" attr:aria-busy=busy(create)>
                                <label for="u-username">{t!(i18n, admin.users.username)}</label>
                                <input id="u-username" name="username" required maxlength="64" pattern="[a-z0-9._\\-]{3,64}" autocomplete="off"/>
                                <label for="u-name">{t!(i18n, admin.users.name)}</label>
                                <input id="u-name" name="display_name" required maxlength="120"/>
                                <label for="u-org">{t!(i18n, admin.users.organisation)}</label>
                                <select id="u-org" name="org_id">{new_user_orgs}</select>
                                <label for="u-role">{t!(i18n, admin.users.role)}</label>
                                <select id="u-role" name="role">{role_options(Role::CaseWorker, l)}</select>
                                <label for="u-pw">{t!(i18n, admin.users.start_password)}</label>
                                <input id="u-pw" name="password" type="password" required minlength="12" maxlength="256" autocomplete="new-password"/>
                                <Submit action=create class="primary">{t!(i18n, admin.users.create)}</Submit>
                            </ActionForm>
                            <ActionStatus value=move || create.value().get() ok=td_string!(l, admin.users.created)/>
                        </section>
                        <ActionStatus value=move || update.value().get() ok=td_string!(l, admin.users.saved)/>
                        <ActionStatus value=move || reset.value().get() ok=td_string!(l, admin.users.password_reset)/>
                        <ActionStatus value=move || reset_mfa.value().get() ok=td_string!(l, admin.users.mfa_reset)/>
                        {if users.is_empty() {
                            view! { <p class="empty">{t!(i18n, admin.users.empty)}</p> }.into_any()
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
    let i18n = use_i18n();
    let l = i18n.get_locale_untracked();
    view! {
        <table class="list">
            <caption>{t!(i18n, admin.users.caption)}</caption>
            <thead><tr><th scope="col">{t!(i18n, admin.users.username)}</th><th scope="col">{t!(i18n, admin.users.name)}</th><th scope="col">{t!(i18n, admin.users.role)}</th><th scope="col">{t!(i18n, admin.users.organisation)}</th><th scope="col">{t!(i18n, admin.users.status)}</th><th scope="col">{t!(i18n, admin.users.edit)}</th></tr></thead>
            <tbody>
                {users.into_iter().map(|u| {
                    let org_opts = org_options(&orgs, &u.org_id);
                    let (id1, id2, id3) = (u.id.clone(), u.id.clone(), u.id.clone());
                    let status = if !u.active { td_string!(l, admin.users.inactive) } else if u.locked_until.is_some_and(|t| t > chrono::Utc::now()) { td_string!(l, admin.users.locked) } else { td_string!(l, admin.users.active) };
                    view! {
                        <tr>
                            <td>{u.username.clone()}</td>
                            <td>{u.display_name.clone()}</td>
                            <td>{u.role.label_in(l)}</td>
                            <td>{u.org_name.clone()}</td>
                            <td>{status}</td>
                            <td>
                                <details>
                                    <summary>{t!(i18n, admin.users.edit)}</summary>
                                    <ActionForm action=update attr:class="form grid" attr:aria-busy=busy(update)>
                                        <input type="hidden" name="id" value=id1/>
                                        <input type="hidden" name="version" value=u.version.to_string()/>
                                        <label>{t!(i18n, admin.users.name)}<input name="display_name" value=u.display_name.clone() required maxlength="120"/></label>
                                        <label>{t!(i18n, admin.users.organisation)}<select name="org_id">{org_opts}</select></label>
                                        <label>{t!(i18n, admin.users.role)}<select name="role">{role_options(u.role, l)}</select></label>
                                        <label class="check"><input type="checkbox" name="active" checked=u.active/>{t!(i18n, admin.users.active_account)}</label>
                                        <Submit action=update>{t!(i18n, admin.users.save)}</Submit>
                                    </ActionForm>
                                    <ActionForm action=reset attr:class="form grid" attr:aria-busy=busy(reset)>
                                        <input type="hidden" name="id" value=id2/>
                                        <label>{t!(i18n, admin.users.new_password)}<input name="password" type="password" required minlength="12" maxlength="256" autocomplete="new-password"/></label>
                                        <Submit action=reset>{t!(i18n, admin.users.change_password)}</Submit>
                                    </ActionForm>
                                    <ActionForm action=reset_mfa attr:class="form grid" attr:aria-busy=busy(reset_mfa)>
                                        <input type="hidden" name="id" value=id3/>
                                        <label class="check"><input type="checkbox" required/>{t!(i18n, admin.users.mfa_lost)}</label>
                                        <Submit action=reset_mfa>{t!(i18n, admin.users.mfa_reset_button)}</Submit>
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
