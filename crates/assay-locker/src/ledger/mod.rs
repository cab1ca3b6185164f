//! The append-only ledger of entries and checkpoints, behind one trait with two backends:
//! SQLite (embedded default) and PostgreSQL (server mode). Both store each entry's canonical
//! text as-is; verification reads exactly the bytes that were written.

mod postgres;
mod sqlite;

pub use self::postgres::{connect as pg_connect, valid_schema, PgLedger};
pub use self::sqlite::SqliteLedger;

use crate::checkpoint::Checkpoint;
use crate::entry::{Entry, Record, GENESIS};
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

/// The hash chain, in one place for every backend: the entries for `records`, appended
/// after `last` (the ledger's last stored row, or none for an empty ledger), each with the
/// canonical text a backend must store as-is. Entry `seq` is one more than the last; its
/// `prev` is the SHA-256 of the last row's stored bytes (the genesis value for the first).
///
/// It is also the ledger's one clock: called inside the backend's append transaction, it
/// stamps a record whose `collected_at` is earlier than the entry before it with that
/// entry's time, so writers that took their time before another writer appended (two
/// imports at once, a clock stepped back) never record time going backwards.
pub(crate) fn chain(
    last: Option<StoredRow>,
    records: Vec<Record>,
) -> Result<Vec<(Entry, StoredRow)>, LockerError> {
    let mut clock = last
        .as_ref()
        .and_then(|row| serde_json::from_str::<Entry>(&row.body).ok())
        .map(|e| e.record.collected_at);
    let (mut seq, mut prev) = match last {
        Some(row) => (row.seq + 1, row.hash()),
        None => (1, GENESIS.to_string()),
    };
    let mut out = Vec::with_capacity(records.len());
    for mut record in records {
        match &clock {
            Some(t) if crate::verify::earlier(&record.collected_at, t) => {
                record.collected_at = t.clone();
            }
            _ => clock = Some(record.collected_at.clone()),
        }
        let entry = Entry { seq, record, prev };
        let body = String::from_utf8(entry.canonical())
            .map_err(|e| LockerError::Database(format!("entry #{seq} is not UTF-8: {e}")))?;
        let row = StoredRow { seq, body };
        prev = row.hash();
        seq += 1;
        out.push((entry, row));
    }
    Ok(out)
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
    /// The rows whose sequence number is above `seq`, in order (a backend that can reads
    /// only those).
    fn rows_after(&self, seq: u64) -> Result<Vec<StoredRow>, LockerError> {
        Ok(self.rows()?.into_iter().filter(|r| r.seq > seq).collect())
    }
    /// The rows whose body holds `needle` (a backend that can searches without reading the
    /// others). A superset is allowed: callers check each row they get.
    fn rows_containing(&self, needle: &str) -> Result<Vec<StoredRow>, LockerError> {
        Ok(self
            .rows()?
            .into_iter()
            .filter(|r| r.body.contains(needle))
            .collect())
    }
    /// How many rows the ledger holds (a backend that can counts without reading them).
    fn size(&self) -> Result<u64, LockerError> {
        Ok(self.rows()?.len() as u64)
    }
    /// Records a checkpoint.
    fn add_checkpoint(&mut self, cp: &Checkpoint) -> Result<(), LockerError>;
    /// Every checkpoint, oldest first.
    fn checkpoints(&self) -> Result<Vec<Checkpoint>, LockerError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Provenance;

    fn record(n: u32) -> Record {
        Record {
            blob: format!("{n:064x}"),
            size: u64::from(n),
            media_type: "text/plain".into(),
            kind: "document".into(),
            provenance: Provenance {
                agent: "test".into(),
                system: "test".into(),
                locator: format!("{n}.txt"),
                tool_version: "0".into(),
                batch: None,
            },
            collected_at: "2026-01-01T00:00:00.000Z".into(),
            effective_from: None,
            effective_to: None,
            redactions: Vec::new(),
            params: Default::default(),
        }
    }

    /// The chain starts at genesis, links each entry to the hash of the text stored before
    /// it, and continues from a stored last row exactly as it would have in one call.
    #[test]
    fn one_chain_for_every_backend() {
        let all = chain(None, (1..=3).map(record).collect()).unwrap();
        assert_eq!(all[0].0.seq, 1);
        assert_eq!(all[0].0.prev, GENESIS);
        for w in all.windows(2) {
            assert_eq!(w[1].0.seq, w[0].0.seq + 1);
            assert_eq!(w[1].0.prev, w[0].1.hash());
            assert_eq!(w[1].1.body.as_bytes(), w[1].0.canonical().as_slice());
        }
        let first = chain(None, vec![record(1)]).unwrap();
        let rest = chain(Some(first[0].1.clone()), (2..=3).map(record).collect()).unwrap();
        let split: Vec<StoredRow> = first.iter().chain(&rest).map(|(_, r)| r.clone()).collect();
        let whole: Vec<StoredRow> = all.iter().map(|(_, r)| r.clone()).collect();
        assert_eq!(split, whole);
    }

    /// A record stamped before the entry it follows (its writer read the clock before
    /// another writer appended) takes that entry's time; later records keep theirs.
    #[test]
    fn time_never_goes_backwards_in_the_chain() {
        let at = |n: u32, t: &str| Record {
            collected_at: t.into(),
            ..record(n)
        };
        let first = chain(None, vec![at(1, "2026-05-01T10:00:00.500Z")]).unwrap();
        let next = chain(
            Some(first[0].1.clone()),
            vec![
                at(2, "2026-05-01T10:00:00.100Z"),
                at(3, "2026-05-01T10:00:01Z"),
                at(4, "2026-05-01T09:00:00.000Z"),
            ],
        )
        .unwrap();
        let times: Vec<&str> = next
            .iter()
            .map(|(e, _)| e.record.collected_at.as_str())
            .collect();
        assert_eq!(
            times,
            [
                "2026-05-01T10:00:00.500Z",
                "2026-05-01T10:00:01Z",
                "2026-05-01T10:00:01Z"
            ]
        );
    }
}
