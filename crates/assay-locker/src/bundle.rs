//! Offline evidence bundles: one `.tar.gz` holding the whole ledger (entries are small), every
//! checkpoint, the public key, the blobs of the selected entries, an inclusion proof for each
//! of them and consistency proofs between successive checkpoints. `verify` needs nothing else:
//! it runs on any machine without a workspace.

use crate::blob::{sha256_hex, BlobStore};
use crate::checkpoint::{Checkpoint, Keys, Scope, Statement};
use crate::entry::Entry;
use crate::ledger::StoredRow;
use crate::limits::{self, Limits};
use crate::verify::{self, Fault, Problem, Report};
use crate::{merkle, Locker, LockerError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

/// The manifest schema this version writes and reads.
pub const SCHEMA: &str = "assay.bundle/v2";

/// The manifest, `bundle.json`. Every field is covered by the signed [`Statement`] through
/// the manifest hash; unknown fields are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// `assay.bundle/v2`.
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
#[serde(deny_unknown_fields)]
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
    /// The signed statement over the manifest (`signature.json`); `None` only for a bundle
    /// that lacks one, which never verifies.
    pub statement: Option<Statement>,
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
    /// first when the ledger grew since the last one, and a statement over the whole
    /// manifest (organization, period, every entry, proofs). An empty ledger is refused.
    pub fn export_bundle(
        &mut self,
        organization: &str,
        span: Option<(String, String)>,
        now: &str,
    ) -> Result<Bundle, LockerError> {
        let rows = self.rows()?;
        if rows.is_empty() {
            return Err(LockerError::Bundle(
                "cannot be exported: the ledger is empty; add evidence first".into(),
            ));
        }
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
        let manifest = Manifest {
            schema: SCHEMA.into(),
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
        };
        let statement = self.keys.sign_statement(
            manifest.scope(),
            leaves.len() as u64,
            &hex::encode(merkle::root(&leaves)),
            &manifest.sha256()?,
            now,
        )?;
        Ok(Bundle {
            manifest,
            statement: Some(statement),
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

/// The names a bundle may hold besides `blobs/<hash>`.
const MANIFEST: &str = "bundle.json";
const SIGNATURE: &str = "signature.json";
const PUBLIC_KEY: &str = "public-key.txt";

impl Manifest {
    /// The exact bytes of `bundle.json`: pretty JSON (two-space indentation, fields in the
    /// order of this type, maps sorted by key), as written and as [`Bundle::read`] requires.
    pub fn to_bytes(&self) -> Result<Vec<u8>, LockerError> {
        serde_json::to_vec_pretty(self)
            .map_err(|e| LockerError::Bundle(format!("bundle.json cannot be written: {e}")))
    }

    /// Hex SHA-256 of [`Manifest::to_bytes`]: the manifest hash the statement signs.
    pub fn sha256(&self) -> Result<String, LockerError> {
        Ok(sha256_hex(&self.to_bytes()?))
    }

    /// The organization and period, as the statement signs them.
    pub fn scope(&self) -> Scope<'_> {
        Scope {
            organization: &self.organization,
            period: self.period.as_deref(),
        }
    }

    /// The blobs the included entries name.
    fn included_blobs(&self) -> BTreeSet<String> {
        let wanted: BTreeSet<u64> = self.included.iter().copied().collect();
        self.entries
            .iter()
            .filter(|r| wanted.contains(&r.seq))
            .filter_map(|r| serde_json::from_str::<Entry>(&r.body).ok())
            .map(|e| e.record.blob)
            .collect()
    }
}

/// Whether `name` is `blobs/` and 64 lowercase hex digits; gives the hash.
fn blob_name(name: &str) -> Option<&str> {
    name.strip_prefix("blobs/").filter(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

impl Bundle {
    /// Writes the bundle as a `.tar.gz` (deterministic: sorted names, fixed times).
    pub fn write(&self, path: &Path) -> Result<(), LockerError> {
        let manifest = self.manifest.to_bytes()?;
        let statement = match &self.statement {
            Some(st) => Some(serde_json::to_vec_pretty(st).map_err(|e| {
                LockerError::Bundle(format!("signature.json cannot be written: {e}"))
            })?),
            None => None,
        };
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
            add(MANIFEST, &manifest)?;
            add(
                PUBLIC_KEY,
                format!("{}\n", self.manifest.public_key).as_bytes(),
            )?;
            if let Some(st) = &statement {
                add(SIGNATURE, st)?;
            }
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

    /// Reads a bundle written by [`Bundle::write`], decompressing within `limits` (the
    /// whole stream and each file in it). Refused: anything but regular files named
    /// `bundle.json`, `signature.json`, `public-key.txt` and `blobs/<sha256>`; a name twice;
    /// a blob no included entry names; a `bundle.json` not exactly as Assay writes it; a
    /// public key file that differs from the manifest's; data after the end of the archive.
    pub fn read(path: &Path, limits: Limits) -> Result<Bundle, LockerError> {
        let file = std::fs::File::open(path).map_err(|e| io(path, e))?;
        let bad = |m: String| LockerError::Bundle(format!("{}: {m}", path.display()));
        let stream_error = |e: std::io::Error| match limits::limit_error(&e) {
            Some(l) => bad(format!("refused: {l}")),
            None => bad(format!(
                "cannot be read ({e}); the file is damaged or cut off"
            )),
        };
        let mut archive =
            tar::Archive::new(limits::gzip_reader(std::io::BufReader::new(file), limits));
        let mut manifest = None;
        let mut statement = None;
        let mut key_file = None;
        let mut blobs = BTreeMap::new();
        let mut seen = BTreeSet::new();
        for entry in archive.entries().map_err(stream_error)? {
            let mut entry = entry.map_err(stream_error)?;
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let kind = entry.header().entry_type();
            if !kind.is_file() {
                return Err(bad(format!(
                    "`{name}` is not a regular file ({kind:?}); a bundle holds only files, never links or folders"
                )));
            }
            if ![MANIFEST, SIGNATURE, PUBLIC_KEY].contains(&name.as_str())
                && blob_name(&name).is_none()
            {
                return Err(bad(format!(
                    "`{name}` is not part of an Assay bundle (only bundle.json, signature.json, public-key.txt and blobs/<sha256>; never absolute paths or `..`)"
                )));
            }
            if !seen.insert(name.clone()) {
                return Err(bad(format!(
                    "`{name}` appears twice; a bundle holds each file once"
                )));
            }
            let size = entry.header().size().map_err(stream_error)?;
            if size > limits.max_expanded {
                return Err(bad(format!(
                    "refused: `{name}` is {size} bytes, over the limit of {} MiB; raise it with {}",
                    limits.max_expanded >> 20,
                    limits::ENV_MAX_MIB
                )));
            }
            let mut bytes = Vec::new();
            (&mut entry)
                .take(size)
                .read_to_end(&mut bytes)
                .map_err(stream_error)?;
            match name.as_str() {
                MANIFEST => {
                    let m = serde_json::from_slice::<Manifest>(&bytes)
                        .map_err(|e| bad(format!("bundle.json: {e}")))?;
                    if m.schema != SCHEMA {
                        return Err(bad(format!(
                            "bundle.json: schema `{}` is not {SCHEMA}; bundles of older versions carry no signed statement: export the bundle again",
                            m.schema
                        )));
                    }
                    if m.to_bytes()? != bytes {
                        return Err(bad("bundle.json is not byte for byte as Assay writes it (it was edited); its hash could not be checked".into()));
                    }
                    manifest = Some(m);
                }
                SIGNATURE => {
                    statement = Some(
                        serde_json::from_slice::<Statement>(&bytes)
                            .map_err(|e| bad(format!("signature.json: {e}")))?,
                    );
                }
                PUBLIC_KEY => key_file = Some(String::from_utf8_lossy(&bytes).into_owned()),
                _ => {
                    if let Some(hash) = blob_name(&name) {
                        blobs.insert(hash.to_string(), bytes);
                    }
                }
            }
        }
        let mut rest = archive.into_inner();
        let mut tail = [0u8; 8192];
        loop {
            let n = rest.read(&mut tail).map_err(stream_error)?;
            if n == 0 {
                break;
            }
            if tail[..n].iter().any(|&b| b != 0) {
                return Err(bad(
                    "holds data after the end of the archive; it was altered".into(),
                ));
            }
        }
        let manifest = manifest
            .ok_or_else(|| bad("no bundle.json inside; is this an Assay bundle?".into()))?;
        if let Some(k) = key_file {
            if k.trim() != manifest.public_key {
                return Err(bad(
                    "public-key.txt differs from the key in bundle.json; it was altered".into(),
                ));
            }
        }
        let named = manifest.included_blobs();
        if let Some(extra) = blobs.keys().find(|h| !named.contains(*h)) {
            return Err(bad(format!(
                "blobs/{extra} is not the evidence of any included entry; a bundle carries only what its manifest lists"
            )));
        }
        Ok(Bundle {
            manifest,
            statement,
            blobs,
        })
    }

    /// Verifies the bundle on its own: the signed statement (organization, period, every
    /// entry, the manifest hash), ledger chain and tree, checkpoint signatures, the included
    /// blobs, the inclusion and consistency proofs, and (when given) that the ledger extends
    /// a checkpoint `(size, root)` the verifier recorded earlier. With `trusted`, a key id
    /// (16 or more hex digits of the key's SHA-256), the bundle must be signed by that key;
    /// without it, the key is only the one the bundle carries.
    pub fn verify(
        &self,
        recorded: Option<(u64, String)>,
        trusted: Option<&str>,
    ) -> Result<Report, LockerError> {
        let m = &self.manifest;
        let keys = Keys::public_from_hex(&m.public_key)
            .map_err(|e| LockerError::Bundle(format!("public key: {e}")))?;
        let mut signed = self.check_signed(&keys)?;
        if let Some(pin) = trusted {
            let pin = pin.trim().to_ascii_lowercase();
            if pin.len() < 16 || !keys.fingerprint().starts_with(&pin) {
                signed.push(Problem {
                    fault: Fault::KeyNotTrusted,
                    entry: None,
                    blob: None,
                    checkpoint: None,
                    message: format!(
                        "the bundle is signed by key {}, not by the key you trust ({pin}): it was not exported by that organization, or you were given the wrong key id",
                        keys.key_id()
                    ),
                });
            }
        }
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
        report.problems.splice(0..0, signed);

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

    /// The problems with the signed statement: missing, not covering every entry, not
    /// matching the manifest, or not signed by the manifest's key; and with the last
    /// checkpoint, which must cover every entry too.
    fn check_signed(&self, keys: &Keys) -> Result<Vec<Problem>, LockerError> {
        let m = &self.manifest;
        let mut out = Vec::new();
        let mut unsigned = |message: String| {
            out.push(Problem {
                fault: Fault::Unsigned,
                entry: None,
                blob: None,
                checkpoint: None,
                message,
            })
        };
        let size = m.entries.len() as u64;
        if size == 0 {
            unsigned("the bundle holds no ledger entries: it proves nothing".into());
        }
        match m.checkpoints.last() {
            None => unsigned("the bundle carries no signed checkpoint: nothing in it is signed".into()),
            Some(cp) if cp.size != size => unsigned(format!(
                "the last checkpoint covers {} entries but the bundle holds {size}: the rest are not signed",
                cp.size
            )),
            Some(_) => {}
        }
        let Some(st) = &self.statement else {
            unsigned("the bundle has no signed statement (signature.json): its organization, period and manifest are not signed".into());
            return Ok(out);
        };
        let leaves: Vec<merkle::Hash> = m
            .entries
            .iter()
            .map(|r| merkle::leaf_hash(r.body.as_bytes()))
            .collect();
        if st.size != size {
            unsigned(format!(
                "the signed statement covers {} entries but the bundle holds {size}",
                st.size
            ));
        }
        let mut at = |fault, message| {
            out.push(Problem {
                fault,
                entry: None,
                blob: None,
                checkpoint: None,
                message,
            })
        };
        if st.key_id != keys.key_id() || !st.verify(keys.verifying(), m.scope()) {
            at(Fault::SignatureInvalid, format!(
                "the signed statement does not verify with the bundle's key {}: the organization ({:?}), the period or the statement was altered, or it was signed by another key",
                keys.key_id(), m.organization
            ));
        }
        if st.root != hex::encode(merkle::root(&leaves)) {
            at(Fault::RootMismatch, "the ledger entries do not have the root the statement signed: entries were altered, removed or inserted".into());
        }
        let hash = m.sha256()?;
        if st.manifest_sha256 != hash {
            at(Fault::ManifestAltered, format!(
                "bundle.json hashes to {hash}, not to the manifest hash the statement signed ({}): the manifest was altered",
                st.manifest_sha256
            ));
        }
        Ok(out)
    }
}
