//! The ledger in PostgreSQL (server mode): one schema per workspace, the same two tables as
//! SQLite, appends serialized by a table lock so the chain can never fork.
//!
//! Connections to a remote host use TLS (rustls, certificates checked against the system's
//! and Mozilla's roots); connections to loopback or a Unix socket do not, as with `psql`'s
//! usual local setup. `sslmode=disable` in the URL turns TLS off; `sslmode=require` insists.

use super::{Ledger, StoredRow};
use crate::checkpoint::Checkpoint;
use crate::entry::{Entry, Record};
use crate::LockerError;
use postgres::{Client, NoTls};
use std::sync::Mutex;

/// The ledger in a PostgreSQL schema.
pub struct PgLedger {
    client: Mutex<Client>,
    schema: String,
}

fn db(e: impl std::fmt::Display) -> LockerError {
    LockerError::Database(e.to_string())
}

/// Whether `name` is a plain SQL identifier (so it can be quoted safely).
pub fn valid_schema(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl PgLedger {
    /// Connects to `url` and uses (creating if needed) the ledger tables in `schema`.
    pub fn open(url: &str, schema: &str) -> Result<Self, LockerError> {
        if !valid_schema(schema) {
            return Err(LockerError::Database(format!(
                "schema `{schema}`: use lowercase letters, digits and underscores (at most 63)"
            )));
        }
        let mut client = connect(url)?;
        client
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS \"{schema}\";
                 CREATE TABLE IF NOT EXISTS \"{schema}\".entries (seq BIGINT PRIMARY KEY, body TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS \"{schema}\".checkpoints (
                     id BIGSERIAL PRIMARY KEY, size BIGINT NOT NULL, root TEXT NOT NULL,
                     signed_at TEXT NOT NULL, key_id TEXT NOT NULL, signature TEXT NOT NULL);"
            ))
            .map_err(db)?;
        Ok(PgLedger {
            client: Mutex::new(client),
            schema: schema.to_string(),
        })
    }

    fn client(&self) -> Result<std::sync::MutexGuard<'_, Client>, LockerError> {
        self.client
            .lock()
            .map_err(|_| LockerError::Database("ledger connection poisoned".into()))
    }
}

/// A connection to `url`, over TLS to a remote host (see the module's notes). Errors never
/// echo the URL: it may carry a password. The server's application state uses it too.
pub fn connect(url: &str) -> Result<Client, LockerError> {
    let config: postgres::Config = url
        .parse()
        .map_err(|e| LockerError::Database(format!("the PostgreSQL URL is not valid: {e}")))?;
    let connect_err =
        |e: postgres::Error| LockerError::Database(format!("cannot connect to PostgreSQL: {e}"));
    if use_tls(&config) {
        config.connect(tls_connector()?).map_err(connect_err)
    } else {
        config.connect(NoTls).map_err(connect_err)
    }
}

/// Whether to speak TLS to the server this configuration names.
fn use_tls(config: &postgres::Config) -> bool {
    use postgres::config::{Host, SslMode};
    match config.get_ssl_mode() {
        SslMode::Disable => false,
        SslMode::Require => true,
        _ => !config.get_hosts().iter().all(|h| match h {
            Host::Tcp(name) => matches!(name.as_str(), "localhost" | "127.0.0.1" | "::1"),
            #[cfg(unix)]
            Host::Unix(_) => true,
        }),
    }
}

/// A TLS connector trusting the system's certificates and Mozilla's roots.
fn tls_connector() -> Result<tokio_postgres_rustls::MakeRustlsConnect, LockerError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| LockerError::Database(format!("TLS setup: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// Rows of `SELECT seq, body` as stored rows.
fn stored(rows: &[postgres::Row]) -> Vec<StoredRow> {
    rows.iter()
        .map(|r| StoredRow {
            seq: r.get::<_, i64>(0) as u64,
            body: r.get(1),
        })
        .collect()
}

impl Ledger for PgLedger {
    fn append(&mut self, record: Record) -> Result<Entry, LockerError> {
        let mut entries = self.append_all(vec![record])?;
        entries
            .pop()
            .ok_or_else(|| LockerError::Database("no entry appended".into()))
    }

    fn append_all(&mut self, records: Vec<Record>) -> Result<Vec<Entry>, LockerError> {
        let s = self.schema.clone();
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(db)?;
        tx.batch_execute(&format!(
            "LOCK TABLE \"{s}\".entries IN SHARE ROW EXCLUSIVE MODE"
        ))
        .map_err(db)?;
        let last = tx
            .query_opt(
                &format!("SELECT seq, body FROM \"{s}\".entries ORDER BY seq DESC LIMIT 1"),
                &[],
            )
            .map_err(db)?;
        let last = last.map(|row| StoredRow {
            seq: row.get::<_, i64>(0) as u64,
            body: row.get(1),
        });
        let insert = format!("INSERT INTO \"{s}\".entries (seq, body) VALUES ($1, $2)");
        let mut out = Vec::with_capacity(records.len());
        for (entry, row) in super::chain(last, records)? {
            tx.execute(&insert, &[&(row.seq as i64), &row.body])
                .map_err(db)?;
            out.push(entry);
        }
        tx.commit().map_err(db)?;
        Ok(out)
    }

    fn rows(&self) -> Result<Vec<StoredRow>, LockerError> {
        self.rows_after(0)
    }

    fn rows_after(&self, seq: u64) -> Result<Vec<StoredRow>, LockerError> {
        let rows = self
            .client()?
            .query(
                &format!(
                    "SELECT seq, body FROM \"{}\".entries WHERE seq > $1 ORDER BY seq",
                    self.schema
                ),
                &[&(seq as i64)],
            )
            .map_err(db)?;
        Ok(stored(&rows))
    }

    fn rows_containing(&self, needle: &str) -> Result<Vec<StoredRow>, LockerError> {
        let rows = self
            .client()?
            .query(
                &format!(
                    "SELECT seq, body FROM \"{}\".entries WHERE strpos(body, $1) > 0 ORDER BY seq",
                    self.schema
                ),
                &[&needle],
            )
            .map_err(db)?;
        Ok(stored(&rows))
    }

    fn size(&self) -> Result<u64, LockerError> {
        let row = self
            .client()?
            .query_one(
                &format!("SELECT COUNT(*) FROM \"{}\".entries", self.schema),
                &[],
            )
            .map_err(db)?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    fn add_checkpoint(&mut self, cp: &Checkpoint) -> Result<(), LockerError> {
        self.client()?
            .execute(
                &format!("INSERT INTO \"{}\".checkpoints (size, root, signed_at, key_id, signature) VALUES ($1, $2, $3, $4, $5)", self.schema),
                &[&(cp.size as i64), &cp.root, &cp.signed_at, &cp.key_id, &cp.signature],
            )
            .map_err(db)?;
        Ok(())
    }

    fn checkpoints(&self) -> Result<Vec<Checkpoint>, LockerError> {
        let rows = self
            .client()?
            .query(&format!("SELECT size, root, signed_at, key_id, signature FROM \"{}\".checkpoints ORDER BY id", self.schema), &[])
            .map_err(db)?;
        Ok(rows
            .iter()
            .map(|r| Checkpoint {
                size: r.get::<_, i64>(0) as u64,
                root: r.get(1),
                signed_at: r.get(2),
                key_id: r.get(3),
                signature: r.get(4),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::use_tls;

    #[test]
    fn tls_for_remote_hosts_only_unless_the_url_says_otherwise() {
        let tls = |url: &str| use_tls(&url.parse().unwrap_or_default());
        assert!(!tls("postgres://postgres@127.0.0.1:5432/test"));
        assert!(!tls("postgres://postgres@localhost/test"));
        assert!(!tls("host=/var/run/postgresql dbname=test"));
        assert!(tls("postgres://app@db.example.com/assay"));
        assert!(!tls("postgres://app@db.example.com/assay?sslmode=disable"));
        assert!(tls("postgres://app@localhost/assay?sslmode=require"));
    }

    #[test]
    fn the_tls_connector_builds() {
        assert!(super::tls_connector().is_ok());
    }
}
