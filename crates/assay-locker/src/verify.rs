//! Re-checks everything the locker holds: every blob against its hash, every entry against
//! its sequence number and its predecessor, every checkpoint's signature and root. Each
//! problem names the entry, blob or checkpoint at fault.

use crate::blob::{sha256_hex, BlobStore};
use crate::checkpoint::{Checkpoint, Keys};
use crate::entry::{Entry, GENESIS};
use crate::ledger::StoredRow;
use crate::merkle;
use serde::Serialize;

/// What kind of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
    /// An entry's stored text is not a valid entry.
    EntryUnreadable,
    /// Sequence numbers skip or repeat: an entry was removed, inserted or moved.
    SequenceBroken,
    /// An entry does not record the hash of the one before it.
    ChainBroken,
    /// An entry claims to be collected before its predecessor.
    TimeReversed,
    /// A blob an entry names is missing.
    BlobMissing,
    /// A blob's bytes do not hash to its name.
    BlobAltered,
    /// A blob's size differs from the entry's.
    SizeMismatch,
    /// A checkpoint's signature does not verify with the workspace key.
    SignatureInvalid,
    /// The ledger no longer has the root a checkpoint signed.
    RootMismatch,
    /// A checkpoint covers more entries than the ledger holds.
    EntriesMissing,
    /// A bundle's entries, organization or period are not covered by a signature.
    Unsigned,
    /// A bundle's manifest differs from the one its statement signed.
    ManifestAltered,
    /// A bundle is signed by a key other than the one the verifier trusts.
    KeyNotTrusted,
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The kind of fault.
    pub fault: Fault,
    /// The entry at fault, by sequence number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<u64>,
    /// The blob at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blob: Option<String>,
    /// The checkpoint at fault, by the size it covers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<u64>,
    /// What is wrong, in a sentence.
    pub message: String,
}

/// The outcome of a verification.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Entries read.
    pub entries: u64,
    /// Distinct blobs re-hashed.
    pub blobs: u64,
    /// Checkpoints checked.
    pub checkpoints: u64,
    /// The root of the whole ledger as it is now.
    pub root: String,
    /// Problems, in ledger order.
    pub problems: Vec<Problem>,
}

impl Report {
    /// Whether nothing is wrong.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

fn problem(fault: Fault, entry: Option<u64>, message: String) -> Problem {
    Problem {
        fault,
        entry,
        blob: None,
        checkpoint: None,
        message,
    }
}

/// Whether timestamp `a` is before `b`: compared as instants when both parse (RFC 3339 text
/// with different fraction lengths does not sort as text), else as text.
pub(crate) fn earlier(a: &str, b: &str) -> bool {
    match (a.parse::<jiff::Timestamp>(), b.parse::<jiff::Timestamp>()) {
        (Ok(x), Ok(y)) => x < y,
        _ => a < b,
    }
}

/// Verifies `rows` and their blobs against `checkpoints` signed by `keys`. With `only_blobs`,
/// blobs outside that set are not expected to be present (a bundle carries a slice).
pub fn verify(
    rows: &[StoredRow],
    blobs: &dyn BlobStore,
    checkpoints: &[Checkpoint],
    keys: &Keys,
    only_blobs: Option<&std::collections::BTreeSet<String>>,
) -> Report {
    let mut problems = Vec::new();
    let mut prev_hash = GENESIS.to_string();
    let mut prev_time: Option<String> = None;
    let mut seen_blobs = std::collections::BTreeSet::new();
    for (i, row) in rows.iter().enumerate() {
        let expected = i as u64 + 1;
        let entry: Option<Entry> = serde_json::from_str(&row.body).ok();
        let Some(entry) = entry else {
            problems.push(problem(
                Fault::EntryUnreadable,
                Some(row.seq),
                format!("entry #{} is not a valid ledger entry", row.seq),
            ));
            prev_hash = row.hash();
            continue;
        };
        if row.seq != expected || entry.seq != expected {
            problems.push(problem(
                Fault::SequenceBroken,
                Some(entry.seq),
                format!(
                    "position {expected} holds entry #{} (row {}): an entry was removed, inserted or moved here",
                    entry.seq, row.seq
                ),
            ));
        }
        if entry.prev != prev_hash {
            problems.push(problem(
                Fault::ChainBroken,
                Some(entry.seq),
                format!(
                    "entry #{} does not chain to the entry before it: that entry was altered, or one was removed or inserted between them",
                    entry.seq
                ),
            ));
        }
        if let Some(t) = &prev_time {
            if earlier(&entry.record.collected_at, t) {
                problems.push(problem(
                    Fault::TimeReversed,
                    Some(entry.seq),
                    format!(
                        "entry #{} says it was collected at {}, before the entry preceding it ({t}): back-dated",
                        entry.seq, entry.record.collected_at
                    ),
                ));
            }
        }
        prev_time = Some(entry.record.collected_at.clone());
        prev_hash = row.hash();

        let hash = &entry.record.blob;
        let expected = only_blobs.is_none_or(|set| set.contains(hash));
        if expected && seen_blobs.insert(hash.clone()) {
            match blobs.get(hash) {
                Err(_) => problems.push(Problem {
                    blob: Some(hash.clone()),
                    ..problem(
                        Fault::BlobMissing,
                        Some(entry.seq),
                        format!("blob {hash} of entry #{} is missing", entry.seq),
                    )
                }),
                Ok(bytes) => {
                    let actual = sha256_hex(&bytes);
                    if &actual != hash {
                        problems.push(Problem {
                            blob: Some(hash.clone()),
                            ..problem(
                                Fault::BlobAltered,
                                Some(entry.seq),
                                format!("blob {hash} of entry #{} was altered: its bytes now hash to {actual}", entry.seq),
                            )
                        });
                    } else if bytes.len() as u64 != entry.record.size {
                        problems.push(Problem {
                            blob: Some(hash.clone()),
                            ..problem(
                                Fault::SizeMismatch,
                                Some(entry.seq),
                                format!(
                                    "entry #{} records {} bytes but blob {hash} has {}",
                                    entry.seq,
                                    entry.record.size,
                                    bytes.len()
                                ),
                            )
                        });
                    }
                }
            }
        }
    }

    let leaves: Vec<merkle::Hash> = rows
        .iter()
        .map(|r| merkle::leaf_hash(r.body.as_bytes()))
        .collect();
    for cp in checkpoints {
        let at = |fault, message| Problem {
            checkpoint: Some(cp.size),
            ..problem(fault, None, message)
        };
        if !cp.verify(keys.verifying()) {
            problems.push(at(Fault::SignatureInvalid, format!("checkpoint of size {} signed at {} has an invalid signature: forged or altered", cp.size, cp.signed_at)));
            continue;
        }
        if cp.size as usize > leaves.len() {
            problems.push(at(
                Fault::EntriesMissing,
                format!("checkpoint of size {} was signed, but the ledger now holds only {} entries: entries were removed", cp.size, leaves.len()),
            ));
            continue;
        }
        let root = hex::encode(merkle::root(&leaves[..cp.size as usize]));
        if root != cp.root {
            problems.push(at(
                Fault::RootMismatch,
                format!("the first {} entries no longer have the root checkpoint {} signed: an entry among #1..#{} was altered, removed or inserted", cp.size, cp.signed_at, cp.size),
            ));
        }
    }
    Report {
        entries: rows.len() as u64,
        blobs: seen_blobs.len() as u64,
        checkpoints: checkpoints.len() as u64,
        root: hex::encode(merkle::root(&leaves)),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::earlier;

    #[test]
    fn timestamps_compare_as_instants_not_text() {
        assert!(!earlier(
            "2026-11-24T22:17:33.051Z",
            "2026-11-24T22:17:33.05Z"
        ));
        assert!(earlier(
            "2026-11-24T22:17:33.05Z",
            "2026-11-24T22:17:33.051Z"
        ));
        assert!(earlier("2026-01-01T00:00:00Z", "2026-01-01T00:00:00.001Z"));
    }
}
