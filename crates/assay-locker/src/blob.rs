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
    /// Stores `bytes` whose hex SHA-256 the caller already computed (it must be right:
    /// `verify` would report the blob as altered otherwise).
    fn put_hashed(&self, hash: &str, bytes: &[u8]) -> Result<(), LockerError> {
        let actual = self.put(bytes)?;
        debug_assert_eq!(actual, hash);
        Ok(())
    }
    /// Stores files already written and synced elsewhere (`(hash, path)`, each hash the
    /// file's hex SHA-256, which the caller computed). A local store moves them into place;
    /// others copy them. Staged files may be gone afterwards.
    fn adopt(&self, staged: &[(String, PathBuf)]) -> Result<(), LockerError> {
        for (hash, path) in staged {
            let bytes = fs::read(path).map_err(|e| io(path, e))?;
            self.put_hashed(hash, &bytes)?;
        }
        Ok(())
    }
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
        self.put_hashed(&hash, bytes)?;
        Ok(hash)
    }

    fn put_hashed(&self, hash: &str, bytes: &[u8]) -> Result<(), LockerError> {
        let path = self.path_of(hash);
        if path.exists() {
            return Ok(());
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
        Ok(())
    }

    fn get(&self, hash: &str) -> Result<Vec<u8>, LockerError> {
        let path = self.path_of(hash);
        fs::read(&path).map_err(|e| io(&path, e))
    }

    /// Renames each staged file into place (copying when the stage is on another file
    /// system), then syncs each folder that changed once.
    fn adopt(&self, staged: &[(String, PathBuf)]) -> Result<(), LockerError> {
        let mut parents = std::collections::BTreeSet::new();
        for (hash, from) in staged {
            let path = self.path_of(hash);
            if path.exists() {
                continue;
            }
            let parent = path.parent().unwrap_or(&self.dir).to_path_buf();
            fs::create_dir_all(&parent).map_err(|e| io(&parent, e))?;
            if fs::rename(from, &path).is_err() {
                let bytes = fs::read(from).map_err(|e| io(from, e))?;
                self.put_hashed(hash, &bytes)?;
                continue;
            }
            parents.insert(parent);
        }
        for dir in parents {
            File::open(&dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| io(&dir, e))?;
        }
        Ok(())
    }

    fn contains(&self, hash: &str) -> bool {
        self.path_of(hash).is_file()
    }
}

/// Settings of an S3-compatible bucket. Credentials come from the standard AWS environment
/// variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`), never from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Config {
    /// Bucket name.
    pub bucket: String,
    /// Key prefix inside the bucket, e.g. `acme/objects`.
    pub prefix: String,
    /// Endpoint for S3-compatible services (MinIO, moto, ...); `None` for AWS.
    pub endpoint: Option<String>,
    /// Region.
    pub region: String,
    /// Allow plain HTTP (local test servers only).
    pub allow_http: bool,
}

/// Blobs in an S3-compatible bucket, at `<prefix>/<ab>/<cdef...>`.
pub struct S3Blobs {
    store: object_store::aws::AmazonS3,
    prefix: String,
    runtime: tokio::runtime::Handle,
}

fn s3_err(what: &str, e: impl std::fmt::Display) -> LockerError {
    LockerError::Database(format!("object storage {what}: {e}"))
}

impl S3Blobs {
    /// Connects to the bucket (no request is made until first use). Its requests run on the
    /// caller's Tokio runtime, which must be entered here and outlive the store.
    pub fn new(cfg: &S3Config) -> Result<Self, LockerError> {
        let mut b = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(&cfg.bucket)
            .with_region(&cfg.region)
            .with_allow_http(cfg.allow_http);
        if let Some(e) = &cfg.endpoint {
            b = b.with_endpoint(e).with_virtual_hosted_style_request(false);
        }
        let store = b.build().map_err(|e| s3_err("configuration", e))?;
        // Requests run on the caller's runtime (entered, or `spawn_blocking` inside one).
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            s3_err(
                "runtime",
                "S3 storage needs the caller's Tokio runtime entered (`Runtime::enter`)",
            )
        })?;
        Ok(S3Blobs {
            store,
            prefix: cfg.prefix.trim_matches('/').to_string(),
            runtime,
        })
    }

    fn key(&self, hash: &str) -> object_store::path::Path {
        let (a, b) = hash.split_at(hash.len().min(2));
        if self.prefix.is_empty() {
            object_store::path::Path::from(format!("{a}/{b}"))
        } else {
            object_store::path::Path::from(format!("{}/{a}/{b}", self.prefix))
        }
    }
}

impl BlobStore for S3Blobs {
    fn put(&self, bytes: &[u8]) -> Result<String, LockerError> {
        use object_store::ObjectStoreExt;
        let hash = sha256_hex(bytes);
        if self.contains(&hash) {
            return Ok(hash);
        }
        let key = self.key(&hash);
        let payload = object_store::PutPayload::from(bytes::Bytes::copy_from_slice(bytes));
        self.runtime
            .block_on(self.store.put(&key, payload))
            .map_err(|e| s3_err(&format!("put {key}"), e))?;
        Ok(hash)
    }

    fn get(&self, hash: &str) -> Result<Vec<u8>, LockerError> {
        use object_store::ObjectStoreExt;
        let key = self.key(hash);
        self.runtime
            .block_on(async { self.store.get(&key).await?.bytes().await })
            .map(|b| b.to_vec())
            .map_err(|e| s3_err(&format!("get {key}"), e))
    }

    fn contains(&self, hash: &str) -> bool {
        use object_store::ObjectStoreExt;
        self.runtime
            .block_on(self.store.head(&self.key(hash)))
            .is_ok()
    }
}
