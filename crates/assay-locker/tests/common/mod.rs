//! One harness for both ledger backends: a locker in a temporary workspace, on SQLite or on
//! a fresh PostgreSQL schema, plus raw SQL access to tamper with it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test support

use assay_locker::{LedgerConfig, Locker, LockerConfig};

/// Which ledger backend a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    /// `.assay/ledger.db`.
    Sqlite,
    /// A fresh schema on `ASSAY_TEST_DATABASE_URL`.
    Postgres,
}

/// A workspace folder, its locker configuration and raw access to its ledger tables.
pub struct Harness {
    /// The workspace root.
    pub dir: tempfile::TempDir,
    /// The locker configuration.
    pub config: LockerConfig,
    backend: Backend,
    pg: Option<(String, String)>,
}

/// Quotes a string as an SQL literal.
pub fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl Harness {
    /// A harness, or `None` (with a message) when the backend is not available here.
    pub fn new(backend: Backend) -> Option<Harness> {
        let dir = tempfile::tempdir().unwrap();
        match backend {
            Backend::Sqlite => Some(Harness {
                dir,
                config: LockerConfig::default(),
                backend,
                pg: None,
            }),
            Backend::Postgres => {
                let Ok(url) = std::env::var("ASSAY_TEST_DATABASE_URL") else {
                    assay_testkit::missing(
                        "PostgreSQL (ASSAY_TEST_DATABASE_URL is not set, so the PostgreSQL ledger was not tested)",
                        "set ASSAY_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to a running server",
                    );
                    return None;
                };
                let schema = assay_testkit::unique_schema("assay_t");
                let config = LockerConfig {
                    ledger: LedgerConfig::Postgres {
                        url: url.clone(),
                        schema: schema.clone(),
                    },
                    ..LockerConfig::default()
                };
                Some(Harness {
                    dir,
                    config,
                    backend,
                    pg: Some((url, schema)),
                })
            }
        }
    }

    /// The workspace root.
    pub fn root(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Opens (creating) the locker.
    pub fn locker(&self) -> Locker {
        Locker::open_or_create(self.root(), &self.config).unwrap()
    }

    /// Runs raw SQL on the ledger tables (`entries`, `checkpoints`).
    pub fn exec(&self, sql: &str) {
        match self.backend {
            Backend::Sqlite => {
                rusqlite::Connection::open(self.root().join(".assay/ledger.db"))
                    .unwrap()
                    .execute_batch(sql)
                    .unwrap();
            }
            Backend::Postgres => {
                let (url, schema) = self.pg.as_ref().unwrap();
                let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
                c.batch_execute(&format!("SET search_path TO \"{schema}\"; {sql}"))
                    .unwrap();
            }
        }
    }

    /// One text value from raw SQL.
    pub fn text(&self, sql: &str) -> String {
        match self.backend {
            Backend::Sqlite => rusqlite::Connection::open(self.root().join(".assay/ledger.db"))
                .unwrap()
                .query_row(sql, [], |r| r.get(0))
                .unwrap(),
            Backend::Postgres => {
                let (url, schema) = self.pg.as_ref().unwrap();
                let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
                c.batch_execute(&format!("SET search_path TO \"{schema}\""))
                    .unwrap();
                c.query_one(sql, &[]).unwrap().get(0)
            }
        }
    }

    /// The stored body of entry `seq`.
    pub fn body(&self, seq: u64) -> String {
        self.text(&format!("SELECT body FROM entries WHERE seq = {seq}"))
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some((url, schema)) = &self.pg {
            if let Ok(mut c) = postgres::Client::connect(url, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"));
            }
        }
    }
}

/// Declares each listed case as a test on SQLite and a test on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $case() { if let Some(h) = $crate::common::Harness::new($crate::common::Backend::Sqlite) { super::$case(&h) } })*
        }
        mod postgres {
            $(#[test] fn $case() { if let Some(h) = $crate::common::Harness::new($crate::common::Backend::Postgres) { super::$case(&h) } })*
        }
    };
}
