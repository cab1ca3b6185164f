//! The evidence locker: evidence nobody can quietly change.
//!
//! - **Blobs** are content-addressed (SHA-256 of the stored bytes), written atomically and
//!   never rewritten ([`blob`]).
//! - The **ledger** is append-only; each [`entry::Entry`] records what was stored, its
//!   provenance, when it was collected and which period it speaks for, and the hash of the
//!   entry before it ([`ledger`]).
//! - A **Merkle tree** over the entries (RFC 9162) gives one root; **checkpoints** sign it
//!   with the workspace's Ed25519 key ([`merkle`], [`checkpoint`]).
//! - [`verify::verify`] re-checks all of it and names the entry, blob or checkpoint at fault.
//!
//! **Architecture invariant:** the locker never interprets evidence; it stores bytes and
//! facts about them. One type, [`Locker`], owns the `.assay/` folder and writes through it.

pub mod areas;
pub mod blob;
pub mod bundle;
pub mod checkpoint;
pub mod entry;
pub mod import;
pub mod ledger;
pub mod limits;
pub mod merkle;
pub mod redact;
pub mod verify;

use blob::{BlobStore, LocalBlobs};
use checkpoint::{Checkpoint, Keys};
use entry::{Entry, Record};
use ledger::{Ledger, PgLedger, SqliteLedger};
use std::path::{Path, PathBuf};

/// Errors of the locker.
#[derive(Debug, thiserror::Error)]
pub enum LockerError {
    /// A file could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The ledger database failed.
    #[error("ledger database: {0}")]
    Database(String),
    /// A key file is wrong.
    #[error("key {}: {message}", .path.display())]
    Key {
        /// The key file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// No entry with that id.
    #[error("no evidence entry `{0}`; `assay evidence list` shows the ids")]
    NotFound(String),
    /// A bundle is malformed.
    #[error("bundle {0}")]
    Bundle(String),
    /// The workspace has no locker yet.
    #[error("no evidence locker at {}; add evidence with `assay evidence add` first", .0.display())]
    NoLocker(PathBuf),
}

/// Where the ledger lives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum LedgerConfig {
    /// `.assay/ledger.db` (the default).
    #[default]
    Sqlite,
    /// A PostgreSQL schema.
    Postgres {
        /// Connection URL (from the environment, never from a file).
        url: String,
        /// Schema name.
        schema: String,
    },
}

/// Where blobs live.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum BlobConfig {
    /// `.assay/objects/` (the default).
    #[default]
    Local,
    /// S3-compatible object storage.
    S3(blob::S3Config),
}

/// The backends of a locker.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockerConfig {
    /// The ledger backend.
    pub ledger: LedgerConfig,
    /// The blob backend.
    pub blobs: BlobConfig,
}

/// The locker of one workspace: the signing key always under `<root>/.assay/keys/`, the
/// ledger and blobs where its [`LockerConfig`] says.
pub struct Locker {
    dir: PathBuf,
    blobs: Box<dyn BlobStore + Send + Sync>,
    ledger: Box<dyn Ledger + Send>,
    keys: Keys,
}

impl Locker {
    /// The locker folder of a workspace.
    pub fn dir_of(root: &Path) -> PathBuf {
        root.join(".assay")
    }

    /// Opens the workspace's locker, creating folder, ledger and signing key when absent.
    pub fn open_or_create(root: &Path, config: &LockerConfig) -> Result<Locker, LockerError> {
        let dir = Self::dir_of(root);
        std::fs::create_dir_all(&dir).map_err(|e| LockerError::Io {
            path: dir.clone(),
            source: e,
        })?;
        let keys = Keys::load_or_create(&dir.join("keys"))?;
        Self::open_dir(dir, config, keys)
    }

    /// Opens an existing locker; fails when the workspace has none. Creates nothing: a
    /// missing signing key is an error, not a new key.
    pub fn open(root: &Path, config: &LockerConfig) -> Result<Locker, LockerError> {
        let dir = Self::dir_of(root);
        let exists = match config.ledger {
            LedgerConfig::Sqlite => dir.join("ledger.db").exists(),
            LedgerConfig::Postgres { .. } => dir.join("keys").exists(),
        };
        if !exists {
            return Err(LockerError::NoLocker(dir));
        }
        let keys = Keys::load(&dir.join("keys"))?;
        Self::open_dir(dir, config, keys)
    }

    fn open_dir(dir: PathBuf, config: &LockerConfig, keys: Keys) -> Result<Locker, LockerError> {
        let ledger: Box<dyn Ledger + Send> = match &config.ledger {
            LedgerConfig::Sqlite => Box::new(SqliteLedger::open(&dir.join("ledger.db"))?),
            LedgerConfig::Postgres { url, schema } => Box::new(PgLedger::open(url, schema)?),
        };
        let blobs: Box<dyn BlobStore + Send + Sync> = match &config.blobs {
            BlobConfig::Local => Box::new(LocalBlobs::new(dir.join("objects"))),
            BlobConfig::S3(s3) => Box::new(blob::S3Blobs::new(s3)?),
        };
        Ok(Locker {
            blobs,
            ledger,
            keys,
            dir,
        })
    }

    /// The `.assay/` folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stores bytes whose SHA-256 is already known and appends an entry for them.
    pub(crate) fn add_hashed(
        &mut self,
        hash: String,
        bytes: &[u8],
        mut record: Record,
    ) -> Result<Entry, LockerError> {
        self.blobs.put_hashed(&hash, bytes)?;
        record.blob = hash;
        record.size = bytes.len() as u64;
        self.ledger.append(record)
    }

    /// The blob store, for reading blobs from several threads at once.
    pub fn blob_store(&self) -> &(dyn BlobStore + Send + Sync) {
        self.blobs.as_ref()
    }

    /// Redacts bytes, stores them and appends an entry for them. `record.blob`,
    /// `record.size` and `record.redactions` are filled in from what was stored.
    pub fn add(&mut self, bytes: &[u8], mut record: Record) -> Result<Entry, LockerError> {
        let red = redact::redact(bytes, false);
        record.blob = self.blobs.put(&red.bytes)?;
        record.size = red.bytes.len() as u64;
        record.redactions = red.redactions;
        self.ledger.append(record)
    }

    /// Every entry that parses, in order.
    pub fn entries(&self) -> Result<Vec<Entry>, LockerError> {
        Ok(self
            .ledger
            .rows()?
            .iter()
            .filter_map(|r| serde_json::from_str(&r.body).ok())
            .collect())
    }

    /// The entries after the first `seq`, in order (what was appended since the ledger held
    /// `seq` entries).
    pub fn entries_after(&self, seq: u64) -> Result<Vec<Entry>, LockerError> {
        Ok(self
            .ledger
            .rows_after(seq)?
            .iter()
            .filter_map(|r| serde_json::from_str(&r.body).ok())
            .collect())
    }

    /// How many entries the ledger holds, without reading them.
    pub fn size(&self) -> Result<u64, LockerError> {
        self.ledger.size()
    }

    /// The entry with this sequence number, or whose blob hash starts with this prefix.
    pub fn find(&self, id: &str) -> Result<Entry, LockerError> {
        let id = id.trim().trim_start_matches('#');
        let entries = self.entries()?;
        let by_seq = id
            .parse::<u64>()
            .ok()
            .and_then(|seq| entries.iter().position(|e| e.seq == seq));
        let prefix = id.to_ascii_lowercase();
        let found = match by_seq {
            Some(i) => entries.into_iter().nth(i),
            None if prefix.len() >= 6 => entries
                .into_iter()
                .find(|e| e.record.blob.starts_with(&prefix)),
            None => None,
        };
        found.ok_or_else(|| LockerError::NotFound(id.to_string()))
    }

    /// The bytes of an entry's blob.
    pub fn content(&self, entry: &Entry) -> Result<Vec<u8>, LockerError> {
        self.blobs.get(&entry.record.blob)
    }

    /// The ledger as it is now: its size and Merkle root (hex), unsigned.
    pub fn head(&self) -> Result<(u64, String), LockerError> {
        let rows = self.ledger.rows()?;
        let leaves: Vec<merkle::Hash> = rows
            .iter()
            .map(|r| merkle::leaf_hash(r.body.as_bytes()))
            .collect();
        Ok((rows.len() as u64, hex::encode(merkle::root(&leaves))))
    }

    /// Signs a checkpoint of the ledger as it is now and records it.
    pub fn checkpoint(&mut self, signed_at: &str) -> Result<Checkpoint, LockerError> {
        let rows = self.ledger.rows()?;
        let leaves: Vec<merkle::Hash> = rows
            .iter()
            .map(|r| merkle::leaf_hash(r.body.as_bytes()))
            .collect();
        let cp = self.keys.sign(
            rows.len() as u64,
            &hex::encode(merkle::root(&leaves)),
            signed_at,
        )?;
        self.ledger.add_checkpoint(&cp)?;
        Ok(cp)
    }

    /// Checkpoints, oldest first.
    pub fn checkpoints(&self) -> Result<Vec<Checkpoint>, LockerError> {
        self.ledger.checkpoints()
    }

    /// Verifies everything.
    pub fn verify(&self) -> Result<verify::Report, LockerError> {
        Ok(verify::verify(
            &self.ledger.rows()?,
            self.blobs.as_ref(),
            &self.ledger.checkpoints()?,
            &self.keys,
            None,
        ))
    }

    /// Every stored row, exactly as stored.
    pub fn rows(&self) -> Result<Vec<ledger::StoredRow>, LockerError> {
        self.ledger.rows()
    }

    /// The public key, hex.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.keys.verifying().as_bytes())
    }

    /// An inclusion proof for entry `seq` in the tree of the first `size` entries.
    pub fn inclusion_proof(&self, seq: u64, size: u64) -> Result<Vec<String>, LockerError> {
        let rows = self.ledger.rows()?;
        let leaves: Vec<merkle::Hash> = rows
            .iter()
            .take(size as usize)
            .map(|r| merkle::leaf_hash(r.body.as_bytes()))
            .collect();
        Ok(
            merkle::inclusion_proof(seq.saturating_sub(1) as usize, &leaves)
                .iter()
                .map(hex::encode)
                .collect(),
        )
    }
}
