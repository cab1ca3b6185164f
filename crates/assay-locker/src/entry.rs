//! A ledger entry: what was stored, where it came from, when, and for which period; plus the
//! hash of the entry before it. Its canonical bytes (JSON, fields in declaration order) are
//! what is hashed, chained and put in the Merkle tree.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where a piece of evidence came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The collector or importer, e.g. `evidence-add` or `github`.
    pub agent: String,
    /// The source system, e.g. `okta`, `aws`, `manual`.
    pub system: String,
    /// The request URL or file path it was read from.
    pub locator: String,
    /// Version of the tool that stored it.
    pub tool_version: String,
    /// The import batch it belongs to: re-running an interrupted import skips what the
    /// batch already stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<String>,
}

/// A secret removed before storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redaction {
    /// What kind of secret, e.g. `aws-access-key-id`.
    pub kind: String,
    /// Byte offset in the original where it started.
    pub offset: u64,
    /// Its length in bytes.
    pub length: u64,
    /// SHA-256 of the secret, only when the user opted in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_sha256: Option<String>,
}

/// The facts one ledger entry records (everything but its sequence number and chain link).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Hex SHA-256 of the stored bytes.
    pub blob: String,
    /// Size in bytes.
    pub size: u64,
    /// Media type, e.g. `text/csv`.
    pub media_type: String,
    /// Evidence kind, e.g. `document`, `hr-roster`.
    pub kind: String,
    /// Where it came from.
    pub provenance: Provenance,
    /// When it was collected (RFC 3339, UTC).
    pub collected_at: String,
    /// First day the evidence speaks for (YYYY-MM-DD), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<String>,
    /// Last day the evidence speaks for; equal to `effective_from` for a snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<String>,
    /// Secrets removed before storage.
    #[serde(default)]
    pub redactions: Vec<Redaction>,
    /// Import parameters needed to read the evidence again (e.g. a mapped import's table and
    /// column map); sorted, so the canonical bytes are stable.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub params: std::collections::BTreeMap<String, String>,
}

/// A ledger entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Sequence number, from 1.
    pub seq: u64,
    /// The facts.
    #[serde(flatten)]
    pub record: Record,
    /// Hex hash of the previous entry (64 zeros for the first).
    pub prev: String,
}

/// The `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl Entry {
    /// The canonical bytes: compact JSON in declaration order.
    pub fn canonical(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Hex SHA-256 of the canonical bytes: what the next entry's `prev` records.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.canonical()))
    }
}
