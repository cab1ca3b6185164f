//! The working areas of `.assay/` beside the ledger and the blobs, reached only through the
//! locker so that nothing else writes there:
//!
//! - **staging** (`.assay/staging/<pid>-<nanos>/`): files of an import being checked, already
//!   redacted; they move into the blob store only when every file passed ([`Stage`]);
//! - **cursors** (`.assay/cursors.json`): where each collector stopped ([`Cursors`]);
//! - **the rows cache** (`.assay/cache/rows/`): normalized rows per piece of evidence
//!   ([`rows_cache`]), which `assay-tables` reads and writes in its own format.

use crate::import::Staged;
use crate::{Locker, LockerError};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LockerError + '_ {
    move |source| LockerError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where the rows cache of a workspace lives.
pub fn rows_cache(root: &Path) -> PathBuf {
    Locker::dir_of(root).join("cache").join("rows")
}

/// A staging folder for one import, removed when dropped (whether the import succeeded or
/// not). Every file put here is redacted first, so the blob store only ever adopts redacted
/// bytes.
pub struct Stage {
    dir: PathBuf,
}

/// A file put on the stage: what to record, and the content to check.
pub struct StagedFile {
    /// What [`Locker::record_staged`] needs.
    pub staged: Staged,
    /// The redacted content, decompressed when the file was gzip (what a format check
    /// reads).
    pub content: Vec<u8>,
}

impl Stage {
    /// A new, empty staging folder for this process; folders left by interrupted imports of
    /// processes that are gone are removed first.
    pub fn new(root: &Path) -> Result<Stage, LockerError> {
        let staging = crate::import::staging_dir(root);
        clear_stale(&staging);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = staging.join(format!("{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        Ok(Stage { dir })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Redacts `raw` and writes the result (synced to disk) as file number `i`.
    pub fn put(&self, i: usize, raw: Vec<u8>) -> Result<StagedFile, LockerError> {
        let (redacted, plain) = crate::redact::redact_owned(raw, false);
        let hash = crate::blob::sha256_hex(&redacted.bytes);
        let path = self.dir.join(i.to_string());
        let write = || -> std::io::Result<()> {
            let mut out = std::fs::File::create(&path)?;
            out.write_all(&redacted.bytes)?;
            out.sync_all()
        };
        write().map_err(io(&path))?;
        let size = redacted.bytes.len() as u64;
        Ok(StagedFile {
            staged: Staged {
                hash,
                size,
                redactions: redacted.redactions,
                path,
            },
            content: plain.unwrap_or(redacted.bytes),
        })
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Removes staging folders whose process is gone.
fn clear_stale(staging: &Path) {
    let Ok(list) = std::fs::read_dir(staging) else {
        return;
    };
    for e in list.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let pid = name.split('-').next().unwrap_or("");
        let alive = Path::new("/proc").join(pid).exists() || !Path::new("/proc").exists();
        if pid != std::process::id().to_string() && !alive {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Where each collector stopped: collector name to its opaque cursor.
pub type Cursors = BTreeMap<String, String>;

impl Locker {
    fn cursors_path(&self) -> PathBuf {
        self.dir.join("cursors.json")
    }

    /// Every collector's cursor (none before the first collection).
    pub fn cursors(&self) -> Result<Cursors, LockerError> {
        let path = self.cursors_path();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| LockerError::Io {
                path: path.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Cursors::new()),
            Err(e) => Err(io(&path)(e)),
        }
    }

    /// Replaces the cursors, atomically (a crash leaves the old file or the new one).
    pub fn save_cursors(&self, cursors: &Cursors) -> Result<(), LockerError> {
        let path = self.cursors_path();
        let tmp = path.with_extension("json.partial");
        let bytes = serde_json::to_vec_pretty(cursors).map_err(|e| LockerError::Io {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        std::fs::write(&tmp, bytes).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io(&path))
    }

    /// The rows cache of this locker's workspace.
    pub fn rows_cache(&self) -> PathBuf {
        self.dir.join("cache").join("rows")
    }
}
