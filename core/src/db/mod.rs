//! The database handle and the few helpers every repository uses.
//!
//! `Db` is visible only inside `crate`: nothing in `api/` or `pages/` can name it. Values
//! always go in through `.bind()`; rows come back as JSON and are decoded into typed records here.

pub mod migrations;

use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use surrealdb::engine::any::Any;
use surrealdb::types::QueryError;
use surrealdb::Surreal;

use super::config::DbSettings;
use domain::AppError;

#[derive(Clone)]
pub(crate) struct Db {
    pub(crate) inner: Surreal<Any>,
    /// The engine cancels a query (and rolls back its transaction) after this long.
    timeout: std::time::Duration,
}

/// How much longer than the engine's own timeout the client waits for an answer: a server over
/// `ws://` that stops answering is given up on here.
const ANSWER_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database: {0}")]
    Surreal(#[from] surrealdb::Error),
    #[error("decoding a row: {0}")]
    Decode(#[from] serde_json::Error),
    #[error("{0}")]
    Other(String),
    #[error("the database did not answer within {0:?}")]
    Timeout(std::time::Duration),
}

impl DbError {
    /// A unique index, an existing record or a transaction conflict rejected the write. Decided
    /// by the error's kind as the SDK reports it (alike for the embedded engine and a server over
    /// `ws://`), not by its wording — except for a unique-index violation, which SurrealDB 3.3
    /// reports with the kind `Internal` and only its message tells apart
    /// (`unique_index_violations_are_conflicts_on_every_engine` holds it to that).
    pub fn is_conflict(&self) -> bool {
        let DbError::Surreal(e) = self else {
            return false;
        };
        e.is_already_exists()
            || matches!(e.query_details(), Some(QueryError::TransactionConflict))
            || (e.is_internal()
                && e.message().starts_with("Database index `")
                && e.message().contains("` already contains "))
    }
}

impl DbError {
    /// The engine cancelled the query at its timeout, or no answer came in time.
    pub fn is_timeout(&self) -> bool {
        match self {
            DbError::Timeout(_) => true,
            DbError::Surreal(e) => matches!(e.query_details(), Some(QueryError::TimedOut { .. })),
            _ => false,
        }
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        tracing::error!(error = %e, "database error");
        if e.is_timeout() {
            AppError::Unavailable
        } else {
            AppError::Internal
        }
    }
}

pub(crate) async fn connect(s: &DbSettings) -> Result<Db, DbError> {
    // The TLS library is built with two crypto providers in this workspace (other crates bring
    // ring), so the process names one before any wss:// connection picks its default; a provider
    // installed earlier stays.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let mut config = surrealdb::opt::Config::default().query_timeout(s.timeout);
    if let Some(ca) = &s.ca_file {
        config = config.rustls(tls_trusting(ca)?);
    }
    let wait = s.timeout + ANSWER_GRACE;
    let setup = || async {
        let inner = surrealdb::engine::any::connect((s.url.as_str(), config.clone())).await?;
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
        Ok::<_, DbError>(inner)
    };
    // A server that accepts the connection and then says nothing is given up on, too. Selecting
    // a namespace and database that another client is creating at the same moment can lose a
    // write conflict on the server; that is tried again.
    let mut attempt = 0u64;
    let inner = loop {
        match tokio::time::timeout(wait, setup()).await {
            Err(_) => return Err(DbError::Timeout(wait)),
            Ok(Err(e)) if e.is_conflict() && attempt < 5 => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(20 * attempt)).await;
            }
            Ok(r) => break r?,
        }
    };
    Ok(Db {
        inner,
        timeout: s.timeout,
    })
}

/// A TLS client configuration that trusts the certificate authorities in `ca` (PEM) alone.
fn tls_trusting(ca: &std::path::Path) -> Result<rustls::ClientConfig, DbError> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let bad = |e: &dyn std::fmt::Display| DbError::Other(format!("{}: {e}", ca.display()));
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).map_err(|e| bad(&e))? {
        roots.add(cert.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
    }
    if roots.is_empty() {
        return Err(bad(&"no certificate in the file"));
    }
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(&e))?
        .with_root_certificates(roots)
        .with_no_client_auth())
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
        let answer = self.inner.query("RETURN 1");
        match tokio::time::timeout(self.timeout + ANSWER_GRACE, answer).await {
            Ok(Ok(r)) => r.check().is_ok(),
            _ => false,
        }
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

/// How much an error only echoes another statement's failure: 1 for a statement not run or
/// cancelled because another failed, 0 for a cause (a THROW, a conflict, a refused write).
fn consequence_only(e: &surrealdb::Error) -> u8 {
    match e.query_details() {
        Some(QueryError::NotExecuted | QueryError::Cancelled) => 1,
        _ => 0,
    }
}

/// The results of every statement of a query, each as JSON.
#[derive(Default)]
pub(crate) struct Rows(Vec<Json>);

impl From<Vec<Json>> for Rows {
    /// Values read as the elements of one array, each as if it were a statement's result.
    fn from(values: Vec<Json>) -> Rows {
        Rows(values)
    }
}

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
        let wait = self.db.timeout + ANSWER_GRACE;
        let answer = self.db.inner.query(self.sql).bind(Json::Object(self.vars));
        let mut resp = tokio::time::timeout(wait, answer)
            .await
            .map_err(|_| DbError::Timeout(wait))??;
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

    /// The value of the last statement.
    pub(crate) fn last(&mut self) -> Json {
        self.0.pop().unwrap_or(Json::Null)
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

#[cfg(test)]
mod tests {
    use super::*;

    async fn db() -> Db {
        connect(&crate::config::CoreSettings::for_tests().db)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn unique_index_violations_are_conflicts_on_every_engine() {
        let db = db().await;
        db.q("DEFINE TABLE t SCHEMALESS; DEFINE INDEX t_name ON t FIELDS name UNIQUE;")
            .run()
            .await
            .unwrap();
        db.q("CREATE t:a SET name = 'x'").run().await.unwrap();
        let dup = db
            .q("CREATE t:b SET name = 'x'")
            .run()
            .await
            .map(drop)
            .unwrap_err();
        assert!(dup.is_conflict(), "{dup}");
        let again = db
            .q("CREATE t:a SET name = 'y'")
            .run()
            .await
            .map(drop)
            .unwrap_err();
        assert!(again.is_conflict(), "{again}");
        // Inside a transaction the statement that failed is the one reported.
        let tx = db
            .q("BEGIN; CREATE t:c SET name = 'z'; CREATE t:d SET name = 'x'; COMMIT;")
            .run()
            .await
            .map(drop)
            .unwrap_err();
        assert!(tx.is_conflict(), "{tx}");
        // Other failures are not conflicts.
        let thrown = db
            .q("BEGIN; CREATE t:e SET name = 'w'; THROW 'nope'; COMMIT;")
            .run()
            .await
            .map(drop)
            .unwrap_err();
        assert!(!thrown.is_conflict(), "{thrown}");
        assert!(thrown.to_string().contains("nope"), "{thrown}");
        let wrong = db
            .q("CREATE t:f SET n = <int> 'not a number'")
            .run()
            .await
            .map(drop)
            .unwrap_err();
        assert!(!wrong.is_conflict(), "{wrong}");
    }

    #[tokio::test]
    async fn a_query_past_the_timeout_is_cancelled_rolled_back_and_answered_unavailable() {
        let mut settings = crate::config::CoreSettings::for_tests().db;
        settings.timeout = std::time::Duration::from_millis(300);
        let embedded = settings.url.starts_with("mem://");
        let db = connect(&settings).await.unwrap();
        db.q("DEFINE TABLE t SCHEMALESS").run().await.unwrap();
        let started = std::time::Instant::now();
        let slow = db
            .q("BEGIN; CREATE t:slow SET n = 1; SLEEP 4s; COMMIT;")
            .run()
            .await
            .map(drop)
            .unwrap_err();
        assert!(slow.is_timeout(), "{slow}");
        assert_eq!(AppError::from(slow), AppError::Unavailable);
        // Answered at the deadline (a server over ws:// at the latest after the grace period),
        // not when the query would have finished.
        assert!(
            started.elapsed()
                < settings.timeout + ANSWER_GRACE + std::time::Duration::from_millis(900)
        );
        if embedded {
            // The engine cancelled the transaction: nothing of it was written. (A server cancels
            // by its own `--query-timeout`, docs/deploy.md.)
            let left: Vec<Json> = db.q("SELECT * FROM t").run().await.unwrap().all(0).unwrap();
            assert!(left.is_empty(), "{left:?}");
        }
        // A quick query on the same handle still answers.
        db.q("RETURN 1").run().await.unwrap();
    }
}
