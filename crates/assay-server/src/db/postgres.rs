//! The application database in PostgreSQL: a small pool of connections (so concurrent
//! requests do not queue behind one), each with `search_path` set to the server's schema.
//! TLS to remote hosts follows the locker's rules (`assay_locker::ledger::pg_connect`).

use super::{Conn, DbError, Row, Value};
use postgres::types::{ToSql, Type};
use postgres::Client;
use std::sync::Mutex;

/// How many idle connections the pool keeps.
const IDLE: usize = 8;

/// A PostgreSQL database.
pub struct Postgres {
    url: String,
    schema: String,
    idle: Mutex<Vec<Client>>,
}

fn err(e: postgres::Error) -> DbError {
    if e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION) {
        return DbError::Conflict(e.to_string());
    }
    DbError::Backend(e.to_string())
}

impl Postgres {
    pub(super) fn open(url: &str, schema: &str) -> Result<Postgres, DbError> {
        if !assay_locker::ledger::valid_schema(schema) {
            return Err(DbError::Backend(format!(
                "schema `{schema}`: use lowercase letters, digits and underscores (at most 63)"
            )));
        }
        let pg = Postgres {
            url: url.to_string(),
            schema: schema.to_string(),
            idle: Mutex::new(Vec::new()),
        };
        let c = pg.connect()?;
        pg.put(c);
        Ok(pg)
    }

    fn connect(&self) -> Result<Client, DbError> {
        let mut c = assay_locker::ledger::pg_connect(&self.url)
            .map_err(|e| DbError::Backend(e.to_string()))?;
        c.batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS \"{0}\"; SET search_path TO \"{0}\"",
            self.schema
        ))
        .map_err(err)?;
        Ok(c)
    }

    fn take(&self) -> Result<Client, DbError> {
        let pooled = self.idle.lock().ok().and_then(|mut v| v.pop());
        match pooled {
            Some(c) if !c.is_closed() => Ok(c),
            _ => self.connect(),
        }
    }

    fn put(&self, c: Client) {
        if let Ok(mut v) = self.idle.lock() {
            if v.len() < IDLE && !c.is_closed() {
                v.push(c);
            }
        }
    }

    pub(super) fn tx<T, E: From<DbError>>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut client = self.take()?;
        let out = {
            let mut tx = Tx(client.transaction().map_err(err)?);
            match f(&mut tx) {
                Ok(v) => {
                    tx.0.commit().map_err(err)?;
                    Ok(v)
                }
                // Dropping the transaction rolls it back.
                Err(e) => Err(e),
            }
        };
        self.put(client);
        out
    }
}

struct Tx<'a>(postgres::Transaction<'a>);

fn bind(params: &[Value]) -> Vec<Box<dyn ToSql + Sync>> {
    params
        .iter()
        .map(|v| -> Box<dyn ToSql + Sync> {
            match v {
                Value::Text(s) => Box::new(s.clone()),
                Value::Int(n) => Box::new(*n),
            }
        })
        .collect()
}

impl Conn for Tx<'_> {
    fn exec(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let owned = bind(params);
        let refs: Vec<&(dyn ToSql + Sync)> = owned.iter().map(|b| b.as_ref()).collect();
        self.0.execute(sql, &refs).map_err(err)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        let owned = bind(params);
        let refs: Vec<&(dyn ToSql + Sync)> = owned.iter().map(|b| b.as_ref()).collect();
        let rows = self.0.query(sql, &refs).map_err(err)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut cells = Vec::with_capacity(r.len());
            for (i, col) in r.columns().iter().enumerate() {
                cells.push(match *col.type_() {
                    Type::INT8 => Value::Int(r.try_get::<_, Option<i64>>(i).map_err(err)?),
                    Type::INT4 => {
                        Value::Int(r.try_get::<_, Option<i32>>(i).map_err(err)?.map(i64::from))
                    }
                    _ => Value::Text(r.try_get::<_, Option<String>>(i).map_err(err)?),
                });
            }
            out.push(Row(cells));
        }
        Ok(out)
    }
}
