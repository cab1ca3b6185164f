//! Offline evidence bundles: one `.tar.gz` holding the whole ledger (entries are small), every
//! checkpoint, the public key, the blobs of the selected entries, an inclusion proof for each
//! of them and consistency proofs between successive checkpoints. `verify` needs nothing else:
//! it runs on any machine without a workspace.

use crate::blob::{sha256_hex, BlobStore};
use crate::checkpoint::{Checkpoint, Keys};
use crate::entry::Entry;
use crate::ledger::StoredRow;
use crate::verify::{self, Fault, Problem, Report};
use crate::{merkle, Locker, LockerError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

/// The manifest, `bundle.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `assay.bundle/v1`.
    pub schema: String,
    /// Who exported it (organization name).
    pub organization: String,
    /// The span selected, if any (`START..END`).
    pub period: Option<String>,
    /// Hex Ed25519 public key of the workspace.
    pub public_key: String,
    /// Every ledger row, in order.
    pub entries: Vec<BundleRow>,
    /// Every checkpoint, oldest first; the last covers the whole ledger.
    pub checkpoints: Vec<Checkpoint>,
    /// Sequence numbers of the entries whose blobs are included.
    pub included: Vec<u64>,
    /// For each included entry, its inclusion proof in the last checkpoint.
    pub inclusion_proofs: BTreeMap<u64, Vec<String>>,
    /// For each pair of successive checkpoints, `"OLD_SIZE..NEW_SIZE"` → consistency proof.
    pub consistency_proofs: BTreeMap<String, Vec<String>>,
}

/// One ledger row in a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleRow {
    /// Sequence number as stored.
    pub seq: u64,
    /// The stored entry text, byte for byte.
    pub body: String,
}

/// A bundle in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// The manifest.
    pub manifest: Manifest,
    /// Blobs by hash.
    pub blobs: BTreeMap<String, Vec<u8>>,
}

struct MemBlobs<'a>(&'a BTreeMap<String, Vec<u8>>);

impl BlobStore for MemBlobs<'_> {
    fn put(&self, bytes: &[u8]) -> Result<String, LockerError> {
        Ok(sha256_hex(bytes))
    }
    fn get(&self, hash: &str) -> Result<Vec<u8>, LockerError> {
        self.0
            .get(hash)
            .cloned()
            .ok_or_else(|| LockerError::NotFound(hash.to_string()))
    }
    fn contains(&self, hash: &str) -> bool {
        self.0.contains_key(hash)
    }
}

/// Whether an entry speaks for (or, undated, was collected in) the span `from..=to`.
fn in_span(e: &Entry, from: &str, to: &str) -> bool {
    match (&e.record.effective_from, &e.record.effective_to) {
        (Some(a), Some(b)) => a.as_str() <= to && b.as_str() >= from,
        _ => {
            let day = e.record.collected_at.get(..10).unwrap_or("");
            day >= from && day <= to
        }
    }
}

fn hashes(list: &[merkle::Hash]) -> Vec<String> {
    list.iter().map(hex::encode).collect()
}

impl Locker {
    /// Builds a bundle of the entries in `span` (all when `None`), signing a fresh checkpoint
    /// first when the ledger grew since the last one.
    pub fn export_bundle(
        &mut self,
        organization: &str,
        span: Option<(String, String)>,
        now: &str,
    ) -> Result<Bundle, LockerError> {
        let rows = self.rows()?;
        let mut checkpoints = self.checkpoints()?;
        if checkpoints
            .last()
            .is_none_or(|c| c.size != rows.len() as u64)
        {
            checkpoints.push(self.checkpoint(now)?);
        }
        let leaves: Vec<merkle::Hash> = rows
            .iter()
            .map(|r| merkle::leaf_hash(r.body.as_bytes()))
            .collect();
        let mut blobs = BTreeMap::new();
        let mut included = Vec::new();
        let mut inclusion_proofs = BTreeMap::new();
        for e in self.entries()? {
            if span.as_ref().is_some_and(|(a, b)| !in_span(&e, a, b)) {
                continue;
            }
            if !blobs.contains_key(&e.record.blob) {
                blobs.insert(e.record.blob.clone(), self.content(&e)?);
            }
            inclusion_proofs.insert(
                e.seq,
                hashes(&merkle::inclusion_proof(e.seq as usize - 1, &leaves)),
            );
            included.push(e.seq);
        }
        let mut consistency_proofs = BTreeMap::new();
        for pair in checkpoints.windows(2) {
            let (old, new) = (pair[0].size as usize, pair[1].size as usize);
            if old < new && new <= leaves.len() {
                consistency_proofs.insert(
                    format!("{old}..{new}"),
                    hashes(&merkle::consistency_proof(old, &leaves[..new])),
                );
            }
        }
        Ok(Bundle {
            manifest: Manifest {
                schema: "assay.bundle/v1".into(),
                organization: organization.to_string(),
                period: span.map(|(a, b)| format!("{a}..{b}")),
                public_key: self.public_key_hex(),
                entries: rows
                    .into_iter()
                    .map(|r| BundleRow {
                        seq: r.seq,
                        body: r.body,
                    })
                    .collect(),
                checkpoints,
                included,
                inclusion_proofs,
                consistency_proofs,
            },
            blobs,
        })
    }
}

fn io(path: &Path, e: std::io::Error) -> LockerError {
    LockerError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

impl Bundle {
    /// Writes the bundle as a `.tar.gz` (deterministic: sorted names, fixed times).
    pub fn write(&self, path: &Path) -> Result<(), LockerError> {
        let tmp = path.with_extension("partial");
        let write = || -> std::io::Result<()> {
            let file = std::fs::File::create(&tmp)?;
            let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
            let mut tar = tar::Builder::new(gz);
            let mut add = |name: &str, bytes: &[u8]| -> std::io::Result<()> {
                let mut h = tar::Header::new_gnu();
                h.set_size(bytes.len() as u64);
                h.set_mode(0o644);
                h.set_mtime(0);
                h.set_cksum();
                tar.append_data(&mut h, name, bytes)
            };
            add(
                "bundle.json",
                &serde_json::to_vec_pretty(&self.manifest).unwrap_or_default(),
            )?;
            add(
                "public-key.txt",
                format!("{}\n", self.manifest.public_key).as_bytes(),
            )?;
            for (hash, bytes) in &self.blobs {
                add(&format!("blobs/{hash}"), bytes)?;
            }
            let gz = tar.into_inner()?;
            let file = gz.finish()?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(path, e)
        })
    }

    /// Reads a bundle written by [`Bundle::write`].
    pub fn read(path: &Path) -> Result<Bundle, LockerError> {
        let file = std::fs::File::open(path).map_err(|e| io(path, e))?;
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
        let mut manifest = None;
        let mut blobs = BTreeMap::new();
        let bad = |m: String| LockerError::Bundle(format!("{}: {m}", path.display()));
        for entry in archive.entries().map_err(|e| bad(e.to_string()))? {
            let mut entry = entry.map_err(|e| bad(e.to_string()))?;
            let name = entry
                .path()
                .map_err(|e| bad(e.to_string()))?
                .to_string_lossy()
                .into_owned();
            let mut bytes = Vec::new();
            entry
                .read_to_end(&mut bytes)
                .map_err(|e| bad(e.to_string()))?;
            if name == "bundle.json" {
                manifest = Some(
                    serde_json::from_slice::<Manifest>(&bytes)
                        .map_err(|e| bad(format!("bundle.json: {e}")))?,
                );
            } else if let Some(hash) = name.strip_prefix("blobs/") {
                blobs.insert(hash.to_string(), bytes);
            }
        }
        let manifest = manifest
            .ok_or_else(|| bad("no bundle.json inside; is this an Assay bundle?".into()))?;
        Ok(Bundle { manifest, blobs })
    }

    /// Verifies the bundle on its own: ledger chain and tree, checkpoint signatures, the
    /// included blobs, the inclusion and consistency proofs, and (when given) that the
    /// ledger extends a checkpoint `(size, root)` the verifier recorded earlier.
    pub fn verify(&self, recorded: Option<(u64, String)>) -> Result<Report, LockerError> {
        let m = &self.manifest;
        let keys = Keys::public_from_hex(&m.public_key)
            .map_err(|e| LockerError::Bundle(format!("public key: {e}")))?;
        let rows: Vec<StoredRow> = m
            .entries
            .iter()
            .map(|r| StoredRow {
                seq: r.seq,
                body: r.body.clone(),
            })
            .collect();
        let mut expected = BTreeSet::new();
        let mut problems_extra = Vec::new();
        let by_seq: BTreeMap<u64, &StoredRow> = rows.iter().map(|r| (r.seq, r)).collect();
        for seq in &m.included {
            match by_seq.get(seq).and_then(|r| serde_json::from_str::<Entry>(&r.body).ok()) {
                Some(e) => {
                    expected.insert(e.record.blob);
                }
                None => problems_extra.push(Problem {
                    fault: Fault::EntryUnreadable,
                    entry: Some(*seq),
                    blob: None,
                    checkpoint: None,
                    message: format!("the bundle says entry #{seq} is included, but its ledger has no readable entry #{seq}"),
                }),
            }
        }
        let mut report = verify::verify(
            &rows,
            &MemBlobs(&self.blobs),
            &m.checkpoints,
            &keys,
            Some(&expected),
        );
        report.problems.extend(problems_extra);

        let leaves: Vec<merkle::Hash> = rows
            .iter()
            .map(|r| merkle::leaf_hash(r.body.as_bytes()))
            .collect();
        let decode = |list: &[String]| -> Option<Vec<merkle::Hash>> {
            list.iter()
                .map(|h| hex::decode(h).ok().and_then(|b| b.try_into().ok()))
                .collect()
        };
        if let Some(last) = m.checkpoints.last() {
            let root: Option<merkle::Hash> =
                hex::decode(&last.root).ok().and_then(|b| b.try_into().ok());
            for seq in &m.included {
                let ok = match (
                    root,
                    m.inclusion_proofs.get(seq).and_then(|p| decode(p)),
                    leaves.get((*seq as usize).wrapping_sub(1)),
                ) {
                    (Some(root), Some(proof), Some(leaf)) => {
                        merkle::verify_inclusion(seq - 1, last.size, leaf, &proof, &root)
                    }
                    _ => false,
                };
                if !ok {
                    report.problems.push(Problem {
                        fault: Fault::RootMismatch,
                        entry: Some(*seq),
                        blob: None,
                        checkpoint: Some(last.size),
                        message: format!("entry #{seq} is not proven to be in the checkpoint of size {}: its inclusion proof fails", last.size),
                    });
                }
            }
            for pair in m.checkpoints.windows(2) {
                let key = format!("{}..{}", pair[0].size, pair[1].size);
                if pair[0].size >= pair[1].size {
                    continue;
                }
                let roots: Option<(merkle::Hash, merkle::Hash)> = (|| {
                    Some((
                        hex::decode(&pair[0].root).ok()?.try_into().ok()?,
                        hex::decode(&pair[1].root).ok()?.try_into().ok()?,
                    ))
                })();
                let ok = match (
                    roots,
                    m.consistency_proofs.get(&key).and_then(|p| decode(p)),
                ) {
                    (Some((a, b)), Some(proof)) => {
                        merkle::verify_consistency(pair[0].size, pair[1].size, &a, &b, &proof)
                    }
                    _ => false,
                };
                if !ok {
                    report.problems.push(Problem {
                        fault: Fault::RootMismatch,
                        entry: None,
                        blob: None,
                        checkpoint: Some(pair[1].size),
                        message: format!("checkpoint of size {} is not proven to extend the one of size {}: history was rewritten", pair[1].size, pair[0].size),
                    });
                }
            }
        }
        if let Some((size, root)) = recorded {
            let now = (size as usize <= leaves.len())
                .then(|| hex::encode(merkle::root(&leaves[..size as usize])));
            if now.as_deref() != Some(root.as_str()) {
                report.problems.push(Problem {
                    fault: Fault::RootMismatch,
                    entry: None,
                    blob: None,
                    checkpoint: Some(size),
                    message: format!("the ledger does not extend the checkpoint you recorded (size {size}, root {root}): entries you saw were changed or removed"),
                });
            }
        }
        Ok(report)
    }
}
