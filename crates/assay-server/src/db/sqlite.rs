//! The application database in a SQLite file (WAL, one connection behind a mutex: SQLite
//! serializes writers anyway, and reads of the server's small tables are fast).

use super::{Conn, DbError, Row, Value};
use rusqlite::types::{ToSqlOutput, ValueRef};
use std::path::Path;
use std::sync::Mutex;

/// An open SQLite database.
pub struct Sqlite(Mutex<rusqlite::Connection>);

fn err(e: rusqlite::Error) -> DbError {
    if let rusqlite::Error::SqliteFailure(f, ref msg) = e {
        if f.code == rusqlite::ErrorCode::ConstraintViolation {
            return DbError::Conflict(msg.clone().unwrap_or_default());
        }
    }
    DbError::Backend(e.to_string())
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Text(Some(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Int(Some(n)) => ToSqlOutput::Borrowed(ValueRef::Integer(*n)),
            Value::Text(None) | Value::Int(None) => ToSqlOutput::Borrowed(ValueRef::Null),
        })
    }
}

impl Sqlite {
    pub(super) fn open(path: &Path) -> Result<Sqlite, DbError> {
        let conn = rusqlite::Connection::open(path)
            .map_err(|e| DbError::Backend(format!("cannot open {}: {e}", path.display())))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err)?;
        Ok(Sqlite(Mutex::new(conn)))
    }

    pub(super) fn tx<T, E: From<DbError>>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut guard = self
            .0
            .lock()
            .map_err(|_| DbError::Backend("connection poisoned".into()))?;
        let mut tx = Tx(guard.transaction().map_err(err)?);
        let out = f(&mut tx)?;
        tx.0.commit().map_err(err)?;
        Ok(out)
    }
}

struct Tx<'a>(rusqlite::Transaction<'a>);

impl Conn for Tx<'_> {
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let n = self
            .0
            .execute(sql, rusqlite::params_from_iter(params.iter()))
            .map_err(err)?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        let mut stmt = self.0.prepare_cached(sql).map_err(err)?;
        let width = stmt.column_count();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(err)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(err)? {
            let mut cells = Vec::with_capacity(width);
            for i in 0..width {
                cells.push(match r.get_ref(i).map_err(err)? {
                    ValueRef::Integer(n) => Value::Int(Some(n)),
                    ValueRef::Null => Value::Text(None),
                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                        Value::Text(Some(String::from_utf8_lossy(t).into_owned()))
                    }
                    ValueRef::Real(x) => Value::Text(Some(x.to_string())),
                });
            }
            out.push(Row(cells));
        }
        Ok(out)
    }
}
