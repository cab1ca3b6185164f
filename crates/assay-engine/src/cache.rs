//! Population runs reused between assessments (`assay ci` and the monitor's runs): a
//! population's result depends only on its SQL, its expectation and reason, the column that
//! dates its rows, the window, and the contents of the tables it reads, which the evidence
//! basis fingerprints (`TableBasis`: the evidence behind each table, the snapshots chosen,
//! the coverage, duplicates dropped, the normalizers and their versions). A run whose
//! fingerprint, with the engine's build, matches a stored one is reused instead of queried
//! again, so after new evidence only the tests whose tables changed run their SQL. Only
//! whole-population tests are reused (samples and calendars need every row's key). The
//! engine does no I/O: the caller keeps the bytes.

use crate::basis::TableBasis;
use crate::population::{Ask, Exception, Frozen, Run};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Where reusable population runs are kept (the caller's storage).
pub trait PopulationCache: Sync {
    /// The build of the engine: runs stored by another build are never reused.
    fn build(&self) -> &str;
    /// The bytes stored under `key`, if any.
    fn get(&self, key: &str) -> Option<Vec<u8>>;
    /// Stores `bytes` under `key`; a failure to store only costs a run next time.
    fn put(&self, key: &str, bytes: &[u8]);
}

/// What is kept of a run: everything a whole-population test's outcome reads.
#[derive(Serialize, Deserialize)]
struct Kept {
    frozen: Frozen,
    exceptions: Vec<Exception>,
    exception_count: usize,
    exception_days: BTreeMap<String, usize>,
}

/// The fingerprint of a population run: SHA-256 over the build, the digest construction, the
/// query and its expressions, the window and every table it reads with its basis.
pub fn key(
    build: &str,
    ask: &Ask<'_>,
    window: &str,
    tables: &[(&str, Option<&TableBasis>)],
) -> String {
    let v = serde_json::json!({
        "build": build,
        "rows_digest": crate::digest::ROWS_DIGEST,
        "sql": ask.sql,
        "expect": ask.expect,
        "reason": ask.reason,
        "occurrence": ask.occurrence,
        "at": ask.at,
        "window": window,
        "tables": tables,
    });
    hex::encode(Sha256::digest(serde_json::to_vec(&v).unwrap_or_default()))
}

/// A stored run, if there is one under `key` and it reads back.
pub fn load(cache: &dyn PopulationCache, key: &str) -> Option<Run> {
    let bytes = cache.get(key)?;
    let k: Kept = serde_json::from_slice(&bytes).ok()?;
    Some(Run {
        frozen: k.frozen,
        keys: Vec::new(),
        occurrences: Vec::new(),
        exceptions: k.exceptions,
        exception_count: k.exception_count,
        exception_days: k.exception_days,
        rows_out: None,
    })
}

/// Keeps a run under `key`.
pub fn store(cache: &dyn PopulationCache, key: &str, run: &Run) {
    let k = serde_json::json!({
        "frozen": run.frozen,
        "exceptions": run.exceptions,
        "exception_count": run.exception_count,
        "exception_days": run.exception_days,
    });
    if let Ok(bytes) = serde_json::to_vec(&k) {
        cache.put(key, &bytes);
    }
}
