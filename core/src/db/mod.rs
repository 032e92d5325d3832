//! The database handle and the few helpers every repository uses.
//!
//! `Db` is visible only inside `crate`: nothing in `api/` or `pages/` can name it. Values
//! always go in through `.bind()`; rows come back as JSON and are decoded into typed records here.

pub mod migrations;

use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use surrealdb::engine::any::Any;
use surrealdb::Surreal;

use super::config::DbSettings;
use domain::AppError;

#[derive(Clone)]
pub(crate) struct Db {
    pub(crate) inner: Surreal<Any>,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database: {0}")]
    Surreal(#[from] surrealdb::Error),
    #[error("decoding a row: {0}")]
    Decode(#[from] serde_json::Error),
    #[error("{0}")]
    Other(String),
}

impl DbError {
    /// A unique index or a transaction conflict rejected the write.
    pub fn is_conflict(&self) -> bool {
        let s = self.to_string().to_lowercase();
        s.contains("already contains")
            || s.contains("already exists")
            || s.contains("conflict")
            || s.contains("retry")
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        tracing::error!(error = %e, "database error");
        AppError::Internal
    }
}

pub(crate) async fn connect(s: &DbSettings) -> Result<Db, DbError> {
    let inner = surrealdb::engine::any::connect(s.url.as_str()).await?;
    if let (Some(user), Some(pass)) = (&s.username, &s.password) {
        inner
            .signin(surrealdb::opt::auth::Root {
                username: user.clone(),
                password: pass.clone(),
            })
            .await?;
    }
    inner
        .use_ns(s.namespace.as_str())
        .use_db(s.database.as_str())
        .await?;
    Ok(Db { inner })
}

/// A query being built: SurrealQL text plus bound values. Values are never formatted into the text.
pub(crate) struct Q<'a> {
    db: &'a Db,
    sql: String,
    vars: serde_json::Map<String, Json>,
}

impl Db {
    pub(crate) fn q(&self, sql: impl Into<String>) -> Q<'_> {
        Q {
            db: self,
            sql: sql.into(),
            vars: serde_json::Map::new(),
        }
    }

    pub(crate) async fn ping(&self) -> bool {
        self.inner
            .query("RETURN 1")
            .await
            .map(|r| r.check().is_ok())
            .unwrap_or(false)
    }
}

/// `Option::None` serialises to JSON `null`, which SurrealDB would store as `NULL` and every
/// `option<…>` field refuses. Leaving the value out instead makes it `NONE` (absent) in the query.
fn none_for_null(v: Json) -> Option<Json> {
    match v {
        Json::Null => None,
        Json::Object(o) => Some(Json::Object(
            o.into_iter()
                .filter_map(|(k, v)| Some((k, none_for_null(v)?)))
                .collect(),
        )),
        Json::Array(a) => Some(Json::Array(
            a.into_iter()
                .map(|v| none_for_null(v).unwrap_or(Json::Null))
                .collect(),
        )),
        v => Some(v),
    }
}

/// How much an error only echoes another statement's failure: 0 for a cause (a THROW, a write
/// conflict at COMMIT), 1 for a COMMIT refused after a prior error, 2 for a statement not run.
fn consequence_only(e: &surrealdb::Error) -> u8 {
    let s = e.to_string();
    if s.contains("was not executed due to a") {
        2
    } else if s.starts_with("Cannot COMMIT") && !s.contains("conflict") {
        1
    } else {
        0
    }
}

/// The results of every statement of a query, each as JSON.
pub(crate) struct Rows(Vec<Json>);

impl<'a> Q<'a> {
    pub(crate) fn bind(mut self, name: &str, v: impl serde::Serialize) -> Self {
        match none_for_null(serde_json::to_value(v).unwrap_or(Json::Null)) {
            Some(v) => self.vars.insert(name.to_string(), v),
            None => self.vars.remove(name),
        };
        self
    }

    /// Runs the query; any failed statement fails the whole call.
    pub(crate) async fn run(self) -> Result<Rows, DbError> {
        let mut resp = self
            .db
            .inner
            .query(self.sql)
            .bind(Json::Object(self.vars))
            .await?;
        let mut errors: Vec<(usize, surrealdb::Error)> = resp.take_errors().into_iter().collect();
        if !errors.is_empty() {
            // In a failed transaction every other statement reports only that it was not run;
            // the statement that failed (a THROW, a conflict) is the one that says why.
            errors.sort_by_key(|(i, e)| (consequence_only(e), *i));
            return Err(DbError::Surreal(errors.swap_remove(0).1));
        }
        let n = resp.num_statements();
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let v: Json = resp
                .take::<surrealdb::types::Value>(i)
                .map(|v| v.into_json_value())
                .unwrap_or(Json::Null);
            out.push(v);
        }
        Ok(Rows(out))
    }
}

impl Rows {
    fn stmt(&mut self, i: usize) -> Json {
        self.0.get_mut(i).map(Json::take).unwrap_or(Json::Null)
    }

    /// All rows of statement `i`.
    pub(crate) fn all<T: DeserializeOwned>(&mut self, i: usize) -> Result<Vec<T>, DbError> {
        match self.stmt(i) {
            Json::Null => Ok(Vec::new()),
            Json::Array(a) => a
                .into_iter()
                .map(|v| serde_json::from_value(v).map_err(DbError::from))
                .collect(),
            v => Ok(vec![serde_json::from_value(v)?]),
        }
    }

    /// The first row of statement `i`, if any.
    pub(crate) fn first<T: DeserializeOwned>(&mut self, i: usize) -> Result<Option<T>, DbError> {
        match self.stmt(i) {
            Json::Null => Ok(None),
            Json::Array(a) => match a.into_iter().next() {
                None | Some(Json::Null) => Ok(None),
                Some(v) => Ok(Some(serde_json::from_value(v)?)),
            },
            v => Ok(Some(serde_json::from_value(v)?)),
        }
    }

    pub(crate) fn value(&mut self, i: usize) -> Json {
        self.stmt(i)
    }
}

/// A new record key: time-ordered (UUIDv7), hex without dashes, so ids sort by creation.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// Record keys accepted from the outside: what `new_id` makes (and the demo's readable keys).
pub fn valid_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
