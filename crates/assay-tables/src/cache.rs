//! The rows cache: each piece of evidence's [`Fragment`] (each collection run's, for
//! collector formats) kept as Parquet under a key naming exactly what it was built from
//! (kind, normalizer version, evidence hash, parameters, the table schemas; for a run also
//! every piece's moment and batch). Tables are assembled from it without reading or
//! parsing a blob; a fragment is rebuilt whenever anything in its key changes. `assay
//! evidence import` fills it as it checks each file, so the first assessment after an
//! import parses nothing again.

use crate::fragment::Fragment;
use crate::schema::{self, TABLES};
use crate::{for_kind, Input};
use datafusion::arrow::array::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bumped when the cache layout changes.
const LAYOUT: &str = "assay-rows-cache/1";

/// A cache failure (the caller normalizes the evidence instead).
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// Reading or writing a file failed.
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    /// Parquet encoding or decoding failed.
    #[error("{0}: {1}")]
    Parquet(PathBuf, String),
}

fn hasher(kind: &str) -> Sha256 {
    let mut h = Sha256::new();
    h.update(LAYOUT.as_bytes());
    for t in TABLES {
        h.update(format!("\n{}:{:?}", t.name, t.schema()).as_bytes());
    }
    let version = for_kind(kind).map_or(0, |n| n.version);
    h.update(format!("\n{kind}@{version}").as_bytes());
    h
}

/// The key of one file export's fragment (its moment is stamped on later, so it is not
/// part of the key).
pub fn each_key(kind: &str, evidence: &str, params: &BTreeMap<String, String>) -> String {
    let mut h = hasher(kind);
    h.update(format!("\n{evidence} {params:?}").as_bytes());
    hex::encode(h.finalize())
}

/// The key of one collection run's fragment: every piece, in order, with its moment and
/// batch (a run's normalizer may use them).
pub fn run_key(kind: &str, inputs: &[Input<'_>]) -> String {
    let mut h = hasher(kind);
    for i in inputs {
        h.update(
            format!(
                "\n{} {:?} {:?} {:?}",
                i.evidence, i.snapshot_at, i.batch, i.params
            )
            .as_bytes(),
        );
    }
    hex::encode(h.finalize())
}

const DONE: &str = "complete";

/// The fragment cached under `key`, if a complete one is there.
pub fn read(root: &Path, key: &str) -> Result<Option<Fragment>, CacheError> {
    let dir = root.join(key);
    let done = dir.join(DONE);
    let names = match std::fs::read_to_string(&done) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CacheError::Io(done, e)),
    };
    let mut batches = BTreeMap::new();
    for name in names.lines().filter(|l| !l.is_empty()) {
        let Some(table) = schema::table(name) else {
            return Ok(None);
        };
        let path = dir.join(format!("{name}.parquet"));
        let file = File::open(&path).map_err(|e| CacheError::Io(path.clone(), e))?;
        // One batch for the whole file: no second copy to join parts.
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|b| {
                let rows = b.metadata().file_metadata().num_rows().max(1);
                b.with_batch_size(usize::try_from(rows).unwrap_or(1 << 16))
                    .build()
            })
            .map_err(|e| CacheError::Parquet(path.clone(), e.to_string()))?;
        let mut parts = Vec::new();
        for b in reader {
            parts.push(b.map_err(|e| CacheError::Parquet(path.clone(), e.to_string()))?);
        }
        let batch = match parts.len() {
            1 => parts.swap_remove(0),
            _ => datafusion::arrow::compute::concat_batches(&table.schema(), &parts)
                .map_err(|e| CacheError::Parquet(path.clone(), e.to_string()))?,
        };
        batches.insert(table.name, batch);
    }
    Ok(Some(Fragment { batches }))
}

static TMP: AtomicUsize = AtomicUsize::new(0);

/// Writes a fragment under `key` (atomically: a reader sees all of it or none).
pub fn write(root: &Path, key: &str, fragment: &Fragment) -> Result<(), CacheError> {
    let dir = root.join(key);
    if dir.join(DONE).is_file() {
        return Ok(());
    }
    let n = TMP.fetch_add(1, Ordering::Relaxed);
    let tmp = root.join(format!(".{key}.{}.{n}.tmp", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| CacheError::Io(tmp.clone(), e))?;
    let result = write_into(&tmp, fragment).and_then(|_| {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::rename(&tmp, &dir).map_err(|e| CacheError::Io(dir.clone(), e))
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

fn write_into(tmp: &Path, fragment: &Fragment) -> Result<(), CacheError> {
    let mut names = String::new();
    for (name, batch) in &fragment.batches {
        let path = tmp.join(format!("{name}.parquet"));
        write_batch(&path, batch)?;
        names.push_str(name);
        names.push('\n');
    }
    std::fs::write(tmp.join(DONE), names).map_err(|e| CacheError::Io(tmp.to_path_buf(), e))
}

/// Writes one batch as a Parquet file (Snappy-compressed).
pub(crate) fn write_batch(path: &Path, batch: &RecordBatch) -> Result<(), CacheError> {
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let parquet =
        |e: parquet::errors::ParquetError| CacheError::Parquet(path.to_path_buf(), e.to_string());
    let file = File::create(path).map_err(|e| CacheError::Io(path.to_path_buf(), e))?;
    let mut w = ArrowWriter::try_new(file, batch.schema(), Some(props)).map_err(parquet)?;
    w.write(batch).map_err(parquet)?;
    w.close().map_err(parquet)?;
    Ok(())
}

/// Removes every cached fragment whose key is not in `keep` (evidence is never removed
/// from a locker, so these are fragments of older normalizer versions or layouts).
pub fn prune(root: &Path, keep: &BTreeSet<String>) {
    let Ok(list) = std::fs::read_dir(root) else {
        return;
    };
    for e in list.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || keep.contains(&name) {
            continue;
        }
        let _ = match e.file_type() {
            Ok(t) if t.is_dir() => std::fs::remove_dir_all(e.path()),
            _ => std::fs::remove_file(e.path()),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fragment;

    #[test]
    fn fragments_round_trip_and_keys_follow_every_input_fact() {
        let csv = b"email,name,start date,end date\nA@x.example,A,2026-01-05,\nb@x.example,B,2025-03-01,2026-02-27\n";
        let params = BTreeMap::new();
        let f = fragment::each("hr-roster", csv, "aa", &params)
            .unwrap()
            .unwrap();
        let k1 = each_key("hr-roster", "aa", &params);
        assert_ne!(k1, each_key("hr-roster", "ab", &params));
        assert_ne!(k1, each_key("csv", "aa", &params));
        let mapped: BTreeMap<String, String> = [("table".to_string(), "people".to_string())].into();
        assert_ne!(k1, each_key("hr-roster", "aa", &mapped));
        let input = |at: i64| Input {
            bytes: &[],
            evidence: "aa",
            snapshot_at: Some(at),
            params: &params,
            batch: Some("run-1"),
        };
        assert_ne!(
            run_key("github-api", &[input(1)]),
            run_key("github-api", &[input(2)]),
            "a run's key follows its moments"
        );

        let root = tempfile::tempdir().unwrap();
        assert!(read(root.path(), &k1).unwrap().is_none());
        write(root.path(), "old", &f).unwrap();
        write(root.path(), &k1, &f).unwrap();
        assert_eq!(read(root.path(), &k1).unwrap(), Some(f.clone()));
        prune(root.path(), &[k1.clone()].into());
        assert!(
            !root.path().join("old").exists(),
            "unused fragments are removed"
        );
        assert!(read(root.path(), &k1).unwrap().is_some());
        // A damaged fragment is an error (the caller normalizes the evidence instead).
        std::fs::write(root.path().join(&k1).join("people.parquet"), b"junk").unwrap();
        assert!(read(root.path(), &k1).is_err());
    }
}
