//! The display names of organisations and staff that pages show beside case content (who wrote
//! an event, for which organisation), kept in the process for a minute: a timeline page of fifty
//! events by three organisations fetched the same three names on every read, about 0.4 ms of a
//! 4 ms page (benchmark probe). A name changed through this process is forgotten at once
//! ([`forget_org`], [`forget_user`]); one changed through another instance shows here within
//! [`NAME_TTL`]. The names are not case content: which of them a page shows is the page's
//! decision, as before.

use std::collections::HashMap;
use std::sync::Arc;

use crate::db::DbError;
use crate::state::AppState;
use domain::AppError;

pub(crate) mod cache;
pub use cache::NAME_TTL;

/// The names of the organisations `orgs` and the users `users` that have one. Empty ids are no
/// record keys and are left out. Names not in the cache are fetched in one round trip.
pub(crate) async fn of<'a>(
    state: &AppState,
    orgs: impl IntoIterator<Item = &'a str>,
    users: impl IntoIterator<Item = &'a str>,
) -> Result<Names, AppError> {
    let mut names = Names::default();
    let (mut miss_orgs, mut miss_users) = (Vec::new(), Vec::new());
    for (ids, prefix, miss) in [
        (orgs.into_iter().collect::<Vec<_>>(), "org:", &mut miss_orgs),
        (users.into_iter().collect(), "user:", &mut miss_users),
    ] {
        for id in ids.into_iter().filter(|id| !id.is_empty()) {
            let key = format!("{prefix}{id}");
            if names.0.contains_key(&key) || miss.contains(&id) {
                continue;
            }
            match state.names().get(&key) {
                Some(Some(name)) => {
                    names.0.insert(key, name);
                }
                Some(None) => {}
                None => miss.push(id),
            }
        }
    }
    if miss_orgs.is_empty() && miss_users.is_empty() {
        return Ok(names);
    }
    let (org_names, user_names): (Vec<Option<String>>, Vec<Option<String>>) =
        serde_json::from_value(
            state
                .db()
                .q("RETURN [
                        $orgs.map(|$o| type::record('org', $o).name),
                        $users.map(|$u| type::record('user', $u).display_name),
                    ]")
                .bind("orgs", &miss_orgs)
                .bind("users", &miss_users)
                .run()
                .await?
                .last(),
        )
        .map_err(DbError::from)?;
    for (prefix, ids, found) in [
        ("org:", miss_orgs, org_names),
        ("user:", miss_users, user_names),
    ] {
        for (id, name) in ids.into_iter().zip(found) {
            let key = format!("{prefix}{id}");
            state.names().insert(key.clone(), name.clone());
            if let Some(name) = name {
                names.0.insert(key, name);
            }
        }
    }
    Ok(names)
}

/// Every organisation's name by id, as the casework tabs name the organisations of their rows
/// (the responsible organisation of a measure, the author of a note): read whole once a minute
/// instead of once per tab, and forgotten with any organisation's name ([`forget_org`]).
pub(crate) async fn directory(state: &AppState) -> Result<Arc<HashMap<String, String>>, AppError> {
    if let Some(d) = state.org_directory().get(DIRECTORY) {
        return Ok(d);
    }
    #[derive(serde::Deserialize)]
    struct Org {
        id: String,
        name: String,
    }
    let orgs: Vec<Org> = state
        .db()
        .q("SELECT record::id(id) AS id, name FROM org")
        .run()
        .await?
        .all(0)?;
    let d = Arc::new(orgs.into_iter().map(|o| (o.id, o.name)).collect());
    state
        .org_directory()
        .insert(DIRECTORY.into(), Arc::clone(&d));
    Ok(d)
}

/// The one key of the organisations' directory in its cache.
const DIRECTORY: &str = "orgs";

/// Forgets an organisation's name (after it was changed here), and the directory that holds it.
pub(crate) fn forget_org(state: &AppState, id: &str) {
    state.names().remove(&format!("org:{id}"));
    state.org_directory().remove(DIRECTORY);
}

/// Forgets a user's display name (after it was changed here).
pub(crate) fn forget_user(state: &AppState, id: &str) {
    state.names().remove(&format!("user:{id}"));
}

/// Names found by [`of`].
#[derive(Default, Debug)]
pub(crate) struct Names(HashMap<String, String>);

impl Names {
    pub(crate) fn org(&self, id: &str) -> Option<&str> {
        self.0.get(&format!("org:{id}")).map(String::as_str)
    }

    pub(crate) fn user(&self, id: &str) -> Option<&str> {
        self.0.get(&format!("user:{id}")).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;
    use crate::testing::setup;

    #[tokio::test]
    async fn names_and_the_directory_are_read_once_and_a_change_made_here_is_seen_at_once() {
        let state = setup().await;
        let n = of(
            &state,
            [demo::ORG_GBG, "", "no_such_org"],
            ["demo_handlaggare"],
        )
        .await
        .unwrap();
        let org = n
            .org(demo::ORG_GBG)
            .expect("the organisation's name")
            .to_string();
        assert!(n.org("no_such_org").is_none());
        assert!(n.user("demo_handlaggare").is_some());
        let dir = directory(&state).await.unwrap();
        assert_eq!(dir.get(demo::ORG_GBG), Some(&org));
        // Kept: a change in the store that did not go through this process is not seen yet…
        state
            .db()
            .q("UPDATE type::record('org', $o) SET name = 'Nytt namn'")
            .bind("o", demo::ORG_GBG)
            .run()
            .await
            .unwrap();
        let again = of(&state, [demo::ORG_GBG], []).await.unwrap();
        assert_eq!(again.org(demo::ORG_GBG), Some(org.as_str()));
        assert_eq!(
            directory(&state).await.unwrap().get(demo::ORG_GBG),
            Some(&org)
        );
        // …and once forgotten (as a change made here does), the new name is read.
        forget_org(&state, demo::ORG_GBG);
        let fresh = of(&state, [demo::ORG_GBG], []).await.unwrap();
        assert_eq!(fresh.org(demo::ORG_GBG), Some("Nytt namn"));
        let dir = directory(&state).await.unwrap();
        assert_eq!(
            dir.get(demo::ORG_GBG).map(String::as_str),
            Some("Nytt namn")
        );
        // A missing organisation is remembered as missing, not asked for again.
        assert_eq!(state.names().get("org:no_such_org"), Some(None));
    }
}
