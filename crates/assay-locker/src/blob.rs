//! Content-addressed blobs: stored under the SHA-256 of their bytes, written atomically
//! (temporary file, fsync, rename, fsync of the folder) and never rewritten.

use crate::LockerError;
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where blobs live. One implementation today (a local folder); object storage later.
pub trait BlobStore {
    /// Stores `bytes` and returns their hex SHA-256. Storing the same bytes twice is a no-op.
    fn put(&self, bytes: &[u8]) -> Result<String, LockerError>;
    /// The stored bytes of a blob.
    fn get(&self, hash: &str) -> Result<Vec<u8>, LockerError>;
    /// Whether a blob is stored.
    fn contains(&self, hash: &str) -> bool;
}

/// Blobs in a local folder, `objects/ab/cdef...`.
#[derive(Debug, Clone)]
pub struct LocalBlobs {
    dir: PathBuf,
}

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn io(path: &Path, e: std::io::Error) -> LockerError {
    LockerError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

impl LocalBlobs {
    /// Blobs under `dir` (created when needed).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        LocalBlobs { dir: dir.into() }
    }

    /// The path a blob is stored at.
    pub fn path_of(&self, hash: &str) -> PathBuf {
        let (a, b) = hash.split_at(hash.len().min(2));
        self.dir.join(a).join(b)
    }
}

impl BlobStore for LocalBlobs {
    fn put(&self, bytes: &[u8]) -> Result<String, LockerError> {
        let hash = sha256_hex(bytes);
        let path = self.path_of(&hash);
        if path.exists() {
            return Ok(hash);
        }
        let parent = path.parent().unwrap_or(&self.dir).to_path_buf();
        fs::create_dir_all(&parent).map_err(|e| io(&parent, e))?;
        let tmp = parent.join(format!(".tmp-{}-{}", std::process::id(), &hash[..16]));
        let write = || -> std::io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            drop(f);
            fs::rename(&tmp, &path)?;
            File::open(&parent)?.sync_all()
        };
        if let Err(e) = write() {
            let _ = fs::remove_file(&tmp);
            return Err(io(&path, e));
        }
        Ok(hash)
    }

    fn get(&self, hash: &str) -> Result<Vec<u8>, LockerError> {
        let path = self.path_of(hash);
        fs::read(&path).map_err(|e| io(&path, e))
    }

    fn contains(&self, hash: &str) -> bool {
        self.path_of(hash).is_file()
    }
}
