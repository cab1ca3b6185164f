//! The ledger in a SQLite file (the embedded default, `.assay/ledger.db`).

use super::{Ledger, StoredRow};
use crate::checkpoint::Checkpoint;
use crate::entry::{Entry, Record};
use crate::LockerError;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

/// The ledger in a SQLite file.
pub struct SqliteLedger {
    conn: Connection,
}

fn db(e: rusqlite::Error) -> LockerError {
    LockerError::Database(e.to_string())
}

impl SqliteLedger {
    /// Opens (creating if needed) the ledger at `path`.
    pub fn open(path: &Path) -> Result<Self, LockerError> {
        let conn = Connection::open(path).map_err(db)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS checkpoints (
                 id INTEGER PRIMARY KEY, size INTEGER NOT NULL, root TEXT NOT NULL,
                 signed_at TEXT NOT NULL, key_id TEXT NOT NULL, signature TEXT NOT NULL);",
        )
        .map_err(db)?;
        Ok(SqliteLedger { conn })
    }
}

impl Ledger for SqliteLedger {
    fn append(&mut self, record: Record) -> Result<Entry, LockerError> {
        let mut entries = self.append_all(vec![record])?;
        entries
            .pop()
            .ok_or_else(|| LockerError::Database("no entry appended".into()))
    }

    fn append_all(&mut self, records: Vec<Record>) -> Result<Vec<Entry>, LockerError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(db)?;
        let last: Option<(i64, String)> = tx
            .query_row(
                "SELECT seq, body FROM entries ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db)?;
        let last = last.map(|(s, body)| StoredRow {
            seq: s as u64,
            body,
        });
        let mut out = Vec::with_capacity(records.len());
        for (entry, row) in super::chain(last, records)? {
            tx.execute(
                "INSERT INTO entries (seq, body) VALUES (?1, ?2)",
                params![row.seq as i64, row.body],
            )
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
        let mut stmt = self
            .conn
            .prepare("SELECT seq, body FROM entries WHERE seq > ?1 ORDER BY seq")
            .map_err(db)?;
        let rows = stmt
            .query_map([seq as i64], |r| {
                Ok(StoredRow {
                    seq: r.get::<_, i64>(0)? as u64,
                    body: r.get(1)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db)
    }

    fn rows_containing(&self, needle: &str) -> Result<Vec<StoredRow>, LockerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, body FROM entries WHERE instr(body, ?1) > 0 ORDER BY seq")
            .map_err(db)?;
        let rows = stmt
            .query_map([needle], |r| {
                Ok(StoredRow {
                    seq: r.get::<_, i64>(0)? as u64,
                    body: r.get(1)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db)
    }

    fn size(&self) -> Result<u64, LockerError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM entries", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(db)
    }

    fn add_checkpoint(&mut self, cp: &Checkpoint) -> Result<(), LockerError> {
        self.conn
            .execute(
                "INSERT INTO checkpoints (size, root, signed_at, key_id, signature) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![cp.size as i64, cp.root, cp.signed_at, cp.key_id, cp.signature],
            )
            .map_err(db)?;
        Ok(())
    }

    fn checkpoints(&self) -> Result<Vec<Checkpoint>, LockerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT size, root, signed_at, key_id, signature FROM checkpoints ORDER BY id")
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Checkpoint {
                    size: r.get::<_, i64>(0)? as u64,
                    root: r.get(1)?,
                    signed_at: r.get(2)?,
                    key_id: r.get(3)?,
                    signature: r.get(4)?,
                })
            })
            .map_err(db)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(db)
    }
}
