//! The server's application state (organizations, audits, accounts, sessions, tokens,
//! memberships, the audit log index) in one SQL dialect that both backends speak: SQLite
//! inside the home workspace (the embedded default) or PostgreSQL (`ASSAY_DATABASE_URL`).
//! Every operation runs in one transaction through [`Db::tx`]; statements use `$1, $2, ...`
//! bind parameters in order of first use, columns are `TEXT` or `BIGINT` only.

mod postgres;
mod schema;
mod sqlite;

use std::path::Path;

/// A value bound to a statement or read from a row. The type travels with a NULL, because
/// PostgreSQL checks parameter types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A `TEXT` column.
    Text(Option<String>),
    /// A `BIGINT` column.
    Int(Option<i64>),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(Some(s.to_string()))
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(Some(s))
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::Text(Some(s.clone()))
    }
}
impl From<Option<String>> for Value {
    fn from(s: Option<String>) -> Self {
        Value::Text(s)
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(Some(n))
    }
}
impl From<Option<i64>> for Value {
    fn from(n: Option<i64>) -> Self {
        Value::Int(n)
    }
}

/// One row read back.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Value>);

impl Row {
    /// The text in column `i` (empty for NULL or an integer).
    pub fn text(&self, i: usize) -> String {
        self.opt_text(i).unwrap_or_default()
    }
    /// The text in column `i`, none for NULL.
    pub fn opt_text(&self, i: usize) -> Option<String> {
        match self.0.get(i) {
            Some(Value::Text(s)) => s.clone(),
            Some(Value::Int(Some(n))) => Some(n.to_string()),
            _ => None,
        }
    }
    /// The integer in column `i` (0 for NULL or text).
    pub fn int(&self, i: usize) -> i64 {
        self.opt_int(i).unwrap_or(0)
    }
    /// The integer in column `i`, none for NULL.
    pub fn opt_int(&self, i: usize) -> Option<i64> {
        match self.0.get(i) {
            Some(Value::Int(n)) => *n,
            Some(Value::Text(Some(s))) => s.parse().ok(),
            _ => None,
        }
    }
}

/// What went wrong in the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database refused or failed (the message never holds a connection string).
    #[error("application database: {0}")]
    Backend(String),
    /// A unique key already holds this value.
    #[error("already exists: {0}")]
    Conflict(String),
}

/// A connection inside a transaction.
pub trait Conn {
    /// Runs a statement; the number of rows it changed.
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError>;
    /// Runs a query; its rows.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError>;
    /// The first row of a query, if any.
    fn one(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
}

/// The application database.
pub enum Db {
    /// SQLite in a file (the embedded default).
    Sqlite(sqlite::Sqlite),
    /// PostgreSQL, in its own schema.
    Postgres(postgres::Postgres),
}

impl Db {
    /// Opens (creating its tables) the SQLite database at `path`.
    pub fn sqlite(path: &Path) -> Result<Db, DbError> {
        let db = Db::Sqlite(sqlite::Sqlite::open(path)?);
        db.tx(|c| schema::create(c))?;
        Ok(db)
    }

    /// Connects to PostgreSQL at `url` and uses (creating if needed) `schema`.
    pub fn postgres(url: &str, schema: &str) -> Result<Db, DbError> {
        let db = Db::Postgres(postgres::Postgres::open(url, schema)?);
        db.tx(|c| schema::create(c))?;
        Ok(db)
    }

    /// The backend's name, for logs and the readiness endpoint.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgresql",
        }
    }

    /// Runs `f` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    /// Blocking: call it from `spawn_blocking` inside the server.
    pub fn tx<T, E: From<DbError>>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, E>,
    ) -> Result<T, E> {
        match self {
            Db::Sqlite(s) => s.tx(f),
            Db::Postgres(p) => p.tx(f),
        }
    }
}
