//! Importing files: first a plan (every path resolved, every problem found, nothing stored),
//! then the import itself, which redacts, stores and records each file. An import is a
//! batch identified by its files' paths, sizes and modification times: re-running an
//! interrupted import stores only what the batch had not stored yet.

use crate::entry::{Entry, Provenance, Record};
use crate::limits::LimitError;
use crate::{Locker, LockerError};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// A file to import.
#[derive(Debug, Clone)]
pub struct PlannedFile {
    /// Where it is.
    pub path: PathBuf,
    /// How it is named in the ledger (the path as given, `/`-separated).
    pub locator: String,
    /// Its size.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch (for the batch id).
    pub mtime: i128,
}

/// Every file of an import, sorted by locator.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The files.
    pub files: Vec<PlannedFile>,
    /// Their total size.
    pub total_bytes: u64,
}

/// Something wrong with an input path; the import stores nothing when there is any.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputProblem {
    /// Cannot be read.
    #[error("{path}: cannot read: {reason}")]
    Unreadable {
        /// The path.
        path: String,
        /// Why.
        reason: String,
    },
    /// Empty file.
    #[error("{path}: the file is empty (0 bytes); an empty export is usually a failed one, re-export it")]
    Empty {
        /// The path.
        path: String,
    },
    /// Name not UTF-8.
    #[error("{path}: the file name is not valid UTF-8; rename it so auditors can refer to it")]
    NotUtf8 {
        /// The path, lossily shown.
        path: String,
    },
    /// A directory reached twice through symlinks.
    #[error("{path}: symbolic link loop (the folder contains itself); remove the link")]
    SymlinkLoop {
        /// The path.
        path: String,
    },
    /// Not a regular file or folder.
    #[error("{path}: not a regular file or folder")]
    NotAFile {
        /// The path.
        path: String,
    },
    /// Nothing to import.
    #[error("{path}: the folder holds no files")]
    NoFiles {
        /// The path.
        path: String,
    },
}

fn locator_of(path: &Path) -> Result<String, InputProblem> {
    path.to_str()
        .map(|s| s.replace('\\', "/"))
        .ok_or_else(|| InputProblem::NotUtf8 {
            path: path.to_string_lossy().into_owned(),
        })
}

fn unreadable(path: &Path, e: &std::io::Error) -> InputProblem {
    InputProblem::Unreadable {
        path: path.to_string_lossy().into_owned(),
        reason: e.to_string(),
    }
}

/// Resolves `paths` (files and folders, recursively; dot-files inside folders are skipped)
/// into a plan, or every problem found.
pub fn plan(paths: &[PathBuf]) -> Result<Plan, Vec<InputProblem>> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for p in paths {
        let mut visited = HashSet::new();
        let before = files.len();
        walk(p, true, &mut visited, &mut files, &mut problems);
        if files.len() == before && problems.is_empty() && p.is_dir() {
            problems.push(InputProblem::NoFiles {
                path: p.to_string_lossy().into_owned(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    files.sort_by(|a: &PlannedFile, b| a.locator.cmp(&b.locator));
    files.dedup_by(|a, b| a.locator == b.locator);
    let total_bytes = files.iter().map(|f| f.size).sum();
    Ok(Plan { files, total_bytes })
}

fn walk(
    path: &Path,
    explicit: bool,
    visited: &mut HashSet<PathBuf>,
    files: &mut Vec<PlannedFile>,
    problems: &mut Vec<InputProblem>,
) {
    let locator = match locator_of(path) {
        Ok(l) => l,
        Err(e) => return problems.push(e),
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return problems.push(unreadable(path, &e)),
    };
    if meta.is_dir() {
        let canon = match std::fs::canonicalize(path) {
            Ok(c) => c,
            Err(e) => return problems.push(unreadable(path, &e)),
        };
        if !visited.insert(canon) {
            return problems.push(InputProblem::SymlinkLoop { path: locator });
        }
        let entries = match std::fs::read_dir(path) {
            Ok(e) => e,
            Err(e) => return problems.push(unreadable(path, &e)),
        };
        let mut children: Vec<PathBuf> = Vec::new();
        for entry in entries {
            match entry {
                Ok(e) => children.push(e.path()),
                Err(e) => problems.push(unreadable(path, &e)),
            }
        }
        children.sort();
        for child in children {
            let hidden = child
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if !hidden {
                walk(&child, false, visited, files, problems);
            }
        }
        // A folder is left once walked, so only true cycles count as loops.
        if let Ok(c) = std::fs::canonicalize(path) {
            visited.remove(&c);
        }
    } else if meta.is_file() {
        if meta.len() == 0 {
            return problems.push(InputProblem::Empty { path: locator });
        }
        if let Err(e) = std::fs::File::open(path) {
            return problems.push(unreadable(path, &e));
        }
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos() as i128)
            .unwrap_or(0);
        files.push(PlannedFile {
            path: path.to_path_buf(),
            locator,
            size: meta.len(),
            mtime,
        });
    } else if explicit {
        problems.push(InputProblem::NotAFile { path: locator });
    }
}

/// What every entry of an import shares.
#[derive(Debug, Clone)]
pub struct ImportMeta {
    /// Evidence kind.
    pub kind: String,
    /// The importer, e.g. `evidence-add`.
    pub agent: String,
    /// Source system.
    pub system: String,
    /// Version of the tool.
    pub tool_version: String,
    /// First day the evidence speaks for.
    pub effective_from: Option<String>,
    /// Last day it speaks for.
    pub effective_to: Option<String>,
    /// Keep SHA-256 hashes of redacted secrets.
    pub keep_secret_hashes: bool,
    /// Parameters recorded with every entry (see [`crate::entry::Record::params`]).
    pub params: std::collections::BTreeMap<String, String>,
    /// Makes this import a batch of its own even when its files are unchanged (a new
    /// observation); `None` lets an identical re-run resume the earlier batch.
    pub observation: Option<String>,
}

impl ImportMeta {
    /// The entry record of one file of a batch (blob and size are filled in when stored).
    fn record(
        &self,
        f: &PlannedFile,
        batch: &str,
        collected_at: String,
        redactions: Vec<crate::entry::Redaction>,
    ) -> Record {
        Record {
            blob: String::new(),
            size: 0,
            media_type: media_type(&f.locator).to_string(),
            kind: self.kind.clone(),
            provenance: Provenance {
                agent: self.agent.clone(),
                system: self.system.clone(),
                locator: f.locator.clone(),
                tool_version: self.tool_version.clone(),
                batch: Some(batch.to_string()),
            },
            collected_at,
            effective_from: self.effective_from.clone(),
            effective_to: self.effective_to.clone(),
            redactions,
            params: self.params.clone(),
        }
    }
}

/// Progress of an import, reported after each file.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Files done.
    pub files_done: usize,
    /// Bytes done.
    pub bytes_done: u64,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// The batch id.
    pub batch: String,
    /// Entries added.
    pub added: Vec<Entry>,
    /// Files the batch had already stored (an earlier, interrupted or identical run).
    pub already_stored: usize,
}

/// A file read, redacted and hashed, ready to store.
struct Prepared {
    hash: String,
    redacted: crate::redact::Redacted,
}

/// The id of an import: its kind, source, effective dates and files (path, size, mtime).
pub fn batch_id(plan: &Plan, meta: &ImportMeta) -> String {
    let mut h = Sha256::new();
    for part in [
        &meta.kind,
        &meta.system,
        meta.effective_from.as_deref().unwrap_or(""),
        meta.effective_to.as_deref().unwrap_or(""),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    for f in &plan.files {
        h.update(f.locator.as_bytes());
        h.update(format!("\0{}\0{}\0", f.size, f.mtime).as_bytes());
    }
    hex::encode(h.finalize())[..16].to_string()
}

impl Locker {
    /// The files (locators) a batch has stored already. The ledger is asked only for the
    /// rows whose body names the batch (bodies are compact JSON, so the field reads
    /// `"batch":"<id>"`), and each is checked once parsed; the rest are never read.
    fn stored_by(&self, batch: &str) -> Result<BTreeSet<String>, LockerError> {
        let needle = format!("\"batch\":{}", serde_json::Value::from(batch));
        Ok(self
            .ledger
            .rows_containing(&needle)?
            .iter()
            .filter_map(|r| serde_json::from_str::<crate::entry::Entry>(&r.body).ok())
            .filter(|e| e.record.provenance.batch.as_deref() == Some(batch))
            .map(|e| e.record.provenance.locator)
            .collect())
    }

    /// Imports a plan: redacts, stores and records each file not already stored by the same
    /// batch. `now` gives each entry's collection time; `progress` is told after each file.
    pub fn import(
        &mut self,
        plan: &Plan,
        meta: &ImportMeta,
        now: &mut dyn FnMut() -> String,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Summary, LockerError> {
        let batch = batch_id(plan, meta);
        let done = self.stored_by(&batch)?;
        let mut summary = Summary {
            batch: batch.clone(),
            ..Summary::default()
        };
        // Two stages on two threads: one reads, redacts and hashes the next files while this
        // one writes blobs and appends entries in order. The queue is short, so memory stays
        // bounded and a failure stops both stages promptly.
        let pending: Vec<&PlannedFile> = plan
            .files
            .iter()
            .filter(|f| !done.contains(&f.locator))
            .collect();
        summary.already_stored = plan.files.len() - pending.len();
        let mut bytes_done: u64 = plan
            .files
            .iter()
            .filter(|f| done.contains(&f.locator))
            .map(|f| f.size)
            .sum();
        let mut files_done = summary.already_stored;
        if files_done > 0 {
            progress(Progress {
                files_done,
                bytes_done,
            });
        }
        let keep = meta.keep_secret_hashes;
        std::thread::scope(|scope| -> Result<(), LockerError> {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Prepared, LockerError>>(2);
            let pending = &pending;
            scope.spawn(move || {
                for f in pending.iter() {
                    let item = std::fs::read(&f.path)
                        .map_err(|e| LockerError::Io {
                            path: f.path.clone(),
                            source: e,
                        })
                        .and_then(|raw| {
                            // Gzip beyond the decompression limits is refused, never stored
                            // unredacted (redaction cannot look inside it).
                            if let Err(
                                e @ (LimitError::TooLarge { .. } | LimitError::Ratio { .. }),
                            ) = crate::limits::gunzip(&raw, crate::limits::active())
                            {
                                return Err(LockerError::Io {
                                    path: f.path.clone(),
                                    source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
                                });
                            }
                            let red = crate::redact::redact(&raw, keep);
                            Ok(Prepared {
                                hash: crate::blob::sha256_hex(&red.bytes),
                                redacted: red,
                            })
                        });
                    let failed = item.is_err();
                    if tx.send(item).is_err() || failed {
                        return;
                    }
                }
            });
            for f in pending.iter() {
                let prepared = rx
                    .recv()
                    .map_err(|_| LockerError::Database("import stage stopped".into()))??;
                let record = meta.record(f, &batch, now(), prepared.redacted.redactions);
                summary.added.push(self.add_hashed(
                    prepared.hash,
                    &prepared.redacted.bytes,
                    record,
                )?);
                files_done += 1;
                bytes_done += f.size;
                progress(Progress {
                    files_done,
                    bytes_done,
                });
            }
            Ok(())
        })?;
        Ok(summary)
    }
}

/// A file of a plan already read, redacted, hashed and written (synced) to a staging
/// folder by [`crate::areas::Stage::put`] (the only way to make one), which the caller
/// checked in the meantime (see [`Locker::record_staged`]).
#[derive(Debug, Clone)]
pub struct Staged {
    /// Hex SHA-256 of the staged (redacted) bytes.
    pub(crate) hash: String,
    /// Their length.
    pub(crate) size: u64,
    /// What redaction removed.
    pub(crate) redactions: Vec<crate::entry::Redaction>,
    /// Where the staged bytes are.
    pub(crate) path: PathBuf,
}

impl Staged {
    /// Hex SHA-256 of the staged (redacted) bytes.
    pub fn hash(&self) -> &str {
        &self.hash
    }
}

/// The staging folder of a workspace's imports: on the locker's file system, so staged
/// files move into the blob store without a copy.
pub fn staging_dir(root: &Path) -> PathBuf {
    Locker::dir_of(root).join("staging")
}

impl Locker {
    /// Stores and records a plan whose files were staged (`staged[i]` is `plan.files[i]`):
    /// files the same batch stored already are skipped, the rest are moved into the blob
    /// store and their entries appended together (in one transaction where the ledger can).
    /// Nothing is stored until this is called, so a caller that checks every file first
    /// stores all of them or none.
    pub fn record_staged(
        &mut self,
        plan: &Plan,
        meta: &ImportMeta,
        staged: Vec<Staged>,
        now: &mut dyn FnMut() -> String,
    ) -> Result<Summary, LockerError> {
        if staged.len() != plan.files.len() {
            return Err(LockerError::Database(format!(
                "{} files staged for a plan of {}",
                staged.len(),
                plan.files.len()
            )));
        }
        let batch = batch_id(plan, meta);
        let done = self.stored_by(&batch)?;
        let pending: Vec<(&PlannedFile, Staged)> = plan
            .files
            .iter()
            .zip(staged)
            .filter(|(f, _)| !done.contains(&f.locator))
            .collect();
        let moves: Vec<(String, PathBuf)> = pending
            .iter()
            .map(|(_, s)| (s.hash.clone(), s.path.clone()))
            .collect();
        self.blobs.adopt(&moves)?;
        let records: Vec<Record> = pending
            .into_iter()
            .map(|(f, s)| Record {
                blob: s.hash,
                size: s.size,
                ..meta.record(f, &batch, now(), s.redactions)
            })
            .collect();
        let added = self.ledger.append_all(records)?;
        Ok(Summary {
            batch,
            already_stored: plan.files.len() - added.len(),
            added,
        })
    }
}

/// The media type of a file, from its extension.
pub fn media_type(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit('.').next().unwrap_or("");
    match ext {
        "csv" => "text/csv",
        "json" => "application/json",
        "ndjson" | "jsonl" => "application/x-ndjson",
        "gz" => "application/gzip",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "md" => "text/markdown",
        "txt" | "log" => "text/plain",
        "yaml" | "yml" => "application/yaml",
        "toml" => "application/toml",
        "xml" => "application/xml",
        "html" | "htm" => "text/html",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}
