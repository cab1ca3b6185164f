//! The append-only ledger of entries and checkpoints, behind one trait with two backends:
//! SQLite (embedded default) and PostgreSQL (server mode). Both store each entry's canonical
//! text as-is; verification reads exactly the bytes that were written.

mod postgres;
mod sqlite;

pub use self::postgres::PgLedger;
pub use self::sqlite::SqliteLedger;

use crate::checkpoint::Checkpoint;
use crate::entry::{Entry, Record};
use crate::LockerError;
use sha2::{Digest, Sha256};

/// One stored row: its sequence number and the exact bytes stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRow {
    /// The row's sequence number.
    pub seq: u64,
    /// The entry's canonical JSON as stored.
    pub body: String,
}

impl StoredRow {
    /// Hex SHA-256 of the stored bytes: what the next entry's `prev` must record.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.body.as_bytes()))
    }
}

/// An append-only ledger.
pub trait Ledger {
    /// Appends an entry for `record`, chained to the last one, atomically.
    fn append(&mut self, record: Record) -> Result<Entry, LockerError>;
    /// Appends entries for `records`, in order; a backend that can does so in one
    /// transaction (all or none).
    fn append_all(&mut self, records: Vec<Record>) -> Result<Vec<Entry>, LockerError> {
        records.into_iter().map(|r| self.append(r)).collect()
    }
    /// Every row, in sequence order.
    fn rows(&self) -> Result<Vec<StoredRow>, LockerError>;
    /// Records a checkpoint.
    fn add_checkpoint(&mut self, cp: &Checkpoint) -> Result<(), LockerError>;
    /// Every checkpoint, oldest first.
    fn checkpoints(&self) -> Result<Vec<Checkpoint>, LockerError>;
}
