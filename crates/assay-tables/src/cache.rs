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

/// The tables a fragment of `kind` holds (one file each): the normalizer's tables, or the
/// table a mapped import names.
pub fn tables_of(kind: &str, params: &BTreeMap<String, String>) -> Vec<&'static str> {
    match (kind, params.get("table")) {
        ("csv" | "json", Some(t)) => schema::table(t).map(|t| vec![t.name]).unwrap_or_default(),
        _ => for_kind(kind)
            .map(|n| {
                n.tables
                    .iter()
                    .filter_map(|t| schema::table(t))
                    .map(|t| t.name)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn file(root: &Path, key: &str, table: &str) -> PathBuf {
    root.join(format!("{key}.{table}.parquet"))
}

/// The fragment cached under `key` with these `tables`, if every table's file is there.
pub fn read(root: &Path, key: &str, tables: &[&str]) -> Result<Option<Fragment>, CacheError> {
    let mut batches = BTreeMap::new();
    for name in tables {
        let Some(table) = schema::table(name) else {
            return Ok(None);
        };
        let path = file(root, key, name);
        let f = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(CacheError::Io(path, e)),
        };
        // One batch for the whole file: no second copy to join parts.
        let reader = ParquetRecordBatchReaderBuilder::try_new(f)
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
        if batch.num_rows() > 0 {
            batches.insert(table.name, batch);
        }
    }
    Ok(Some(Fragment { batches }))
}

static TMP: AtomicUsize = AtomicUsize::new(0);

/// Writes a fragment under `key`: one Parquet file per table in `tables` (empty tables
/// too, so a reader can tell "no rows" from "not written"), each written whole and renamed
/// into place.
pub fn write(
    root: &Path,
    key: &str,
    tables: &[&str],
    fragment: &Fragment,
) -> Result<(), CacheError> {
    for name in tables {
        let Some(table) = schema::table(name) else {
            continue;
        };
        let path = file(root, key, name);
        if path.is_file() {
            continue;
        }
        let empty = RecordBatch::new_empty(table.schema());
        let batch = fragment.batches.get(table.name).unwrap_or(&empty);
        let n = TMP.fetch_add(1, Ordering::Relaxed);
        let tmp = root.join(format!(".{key}.{name}.{}.{n}.tmp", std::process::id()));
        let result = write_batch(&tmp, batch).and_then(|_| {
            std::fs::rename(&tmp, &path).map_err(|e| CacheError::Io(path.clone(), e))
        });
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
            return result;
        }
    }
    Ok(())
}

/// Writes one batch as a Parquet file (Snappy-compressed).
fn write_batch(path: &Path, batch: &RecordBatch) -> Result<(), CacheError> {
    write_parts(path, &batch.schema(), std::slice::from_ref(batch))
}

/// Writes batches of one schema as one Parquet file (Snappy-compressed).
pub fn write_parts(
    path: &Path,
    schema: &datafusion::arrow::datatypes::SchemaRef,
    parts: &[RecordBatch],
) -> Result<(), CacheError> {
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let parquet =
        |e: parquet::errors::ParquetError| CacheError::Parquet(path.to_path_buf(), e.to_string());
    let file = File::create(path).map_err(|e| CacheError::Io(path.to_path_buf(), e))?;
    let mut w = ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(parquet)?;
    for batch in parts {
        w.write(batch).map_err(parquet)?;
    }
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
        let key = name.split('.').next().unwrap_or("");
        if name.starts_with('.') || keep.contains(key) {
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
        let tables = tables_of("hr-roster", &params);
        assert_eq!(tables, vec!["people"]);
        assert_eq!(tables_of("csv", &mapped), vec!["people"]);
        assert!(read(root.path(), &k1, &tables).unwrap().is_none());
        write(root.path(), "old", &tables, &f).unwrap();
        write(root.path(), &k1, &tables, &f).unwrap();
        assert_eq!(read(root.path(), &k1, &tables).unwrap(), Some(f.clone()));
        // Empty tables are written too: "no rows" is not "not cached".
        let runs = tables_of("github-api", &params);
        write(root.path(), "run", &runs, &Fragment::default()).unwrap();
        assert_eq!(
            read(root.path(), "run", &runs).unwrap(),
            Some(Fragment::default())
        );
        prune(root.path(), &[k1.clone()].into());
        let left: Vec<String> = std::fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            left,
            vec![format!("{k1}.people.parquet")],
            "unused fragments are removed"
        );
        // A damaged fragment is an error (the caller normalizes the evidence instead).
        std::fs::write(root.path().join(format!("{k1}.people.parquet")), b"junk").unwrap();
        assert!(read(root.path(), &k1, &tables).is_err());
    }
}
