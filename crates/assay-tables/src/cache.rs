//! The table cache: normalized tables kept as Parquet files under a key that names exactly
//! what they were built from (every input's kind, normalizer version, evidence hash, moment
//! and parameters, and the table schemas), so they are rebuilt whenever any of it changes
//! and reused, without reading a blob, when nothing did.

use crate::query::Tables;
use crate::schema::TABLES;
use crate::{for_kind, Input};
use datafusion::arrow::array::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Bumped when the cache layout changes.
const LAYOUT: &str = "assay-table-cache/1";

/// A cache failure (the caller rebuilds the tables instead).
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// Reading or writing a file failed.
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    /// Parquet encoding or decoding failed.
    #[error("{0}: {1}")]
    Parquet(PathBuf, String),
}

/// What one input contributes to the cache key.
pub struct KeyPart<'a> {
    /// Evidence kind.
    pub kind: &'a str,
    /// The input's facts (bytes are not read: the evidence hash stands for them).
    pub input: &'a Input<'a>,
}

/// The cache key of a set of inputs, in order: hex SHA-256.
pub fn key<'a>(parts: impl IntoIterator<Item = KeyPart<'a>>) -> String {
    let mut h = Sha256::new();
    h.update(LAYOUT.as_bytes());
    for t in TABLES {
        h.update(format!("\n{}:{:?}", t.name, t.schema()).as_bytes());
    }
    for p in parts {
        let version = for_kind(p.kind).map_or(0, |n| n.version);
        let i = p.input;
        h.update(
            format!(
                "\n{}@{version} {} {:?} {:?} {:?}",
                p.kind, i.evidence, i.snapshot_at, i.batch, i.params
            )
            .as_bytes(),
        );
    }
    hex::encode(h.finalize())
}

/// The folder holding the tables cached under `key`.
pub fn dir(cache_root: &Path, key: &str) -> PathBuf {
    cache_root.join(key)
}

const DONE: &str = "complete";

/// The cached tables under `key`, if a complete set is there.
pub fn read(cache_root: &Path, key: &str) -> Result<Option<Tables>, CacheError> {
    let dir = dir(cache_root, key);
    if !dir.join(DONE).is_file() {
        return Ok(None);
    }
    let mut batches = BTreeMap::new();
    for t in TABLES {
        let path = dir.join(format!("{}.parquet", t.name));
        let file = File::open(&path).map_err(|e| CacheError::Io(path.clone(), e))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|b| b.with_batch_size(1 << 16).build())
            .map_err(|e| CacheError::Parquet(path.clone(), e.to_string()))?;
        let mut parts = Vec::new();
        for b in reader {
            let b = b.map_err(|e| CacheError::Parquet(path.clone(), e.to_string()))?;
            parts.push(b);
        }
        let batch = datafusion::arrow::compute::concat_batches(&t.schema(), &parts)
            .map_err(|e| CacheError::Parquet(path.clone(), e.to_string()))?;
        batches.insert(t.name, batch);
    }
    Ok(Some(Tables::from_batches(batches)))
}

/// Writes the tables under `key` and removes every other cached set.
pub fn write(cache_root: &Path, key: &str, tables: &Tables) -> Result<PathBuf, CacheError> {
    let dir = dir(cache_root, key);
    let tmp = cache_root.join(format!("{key}.tmp"));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| CacheError::Io(tmp.clone(), e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    for t in TABLES {
        let path = tmp.join(format!("{}.parquet", t.name));
        let empty = RecordBatch::new_empty(t.schema());
        let batch = tables.batch(t.name).unwrap_or(&empty);
        let file = File::create(&path).map_err(|e| CacheError::Io(path.clone(), e))?;
        let mut w = ArrowWriter::try_new(file, t.schema(), Some(props.clone()))
            .map_err(|e| CacheError::Parquet(path.clone(), e.to_string()))?;
        w.write(batch)
            .and_then(|_| w.close().map(|_| ()))
            .map_err(|e| CacheError::Parquet(path.clone(), e.to_string()))?;
    }
    std::fs::write(tmp.join(DONE), key).map_err(|e| CacheError::Io(tmp.clone(), e))?;
    if let Ok(list) = std::fs::read_dir(cache_root) {
        for e in list.flatten() {
            if e.path() != tmp {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    std::fs::rename(&tmp, &dir).map_err(|e| CacheError::Io(dir.clone(), e))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn tables_round_trip_and_the_key_follows_every_input_fact() {
        let csv = b"email,name,start date,end date\nA@x.example,A,2026-01-05,\nb@x.example,B,2025-03-01,2026-02-27\n";
        let params = BTreeMap::new();
        let input = |ev: &'static str, at: i64| Input {
            bytes: csv,
            evidence: ev,
            snapshot_at: Some(at),
            params: &params,
            batch: None,
        };
        let tables = Tables::build([("hr-roster", input("aa", 1))]).unwrap();
        let k1 = key([KeyPart {
            kind: "hr-roster",
            input: &input("aa", 1),
        }]);
        assert_ne!(
            k1,
            key([KeyPart {
                kind: "hr-roster",
                input: &input("ab", 1)
            }])
        );
        assert_ne!(
            k1,
            key([KeyPart {
                kind: "hr-roster",
                input: &input("aa", 2)
            }])
        );
        assert_ne!(
            k1,
            key([KeyPart {
                kind: "csv",
                input: &input("aa", 1)
            }])
        );

        let root = tempfile::tempdir().unwrap();
        assert!(read(root.path(), &k1).unwrap().is_none());
        write(root.path(), "old", &tables).unwrap();
        write(root.path(), &k1, &tables).unwrap();
        assert!(!root.path().join("old").exists(), "older sets are removed");
        let back = read(root.path(), &k1).unwrap().unwrap();
        assert_eq!(back.counts(), tables.counts());
        assert_eq!(back.batch("people"), tables.batch("people"));
    }
}
