//! Storing evidence files. `import` reads every file of an export once, on every core:
//! redacted and staged (by the locker), hashed, checked in its format (normalized into its
//! rows, which go to the rows cache so assessing parses nothing again). Only when every file
//! passed are the staged files moved into the store and recorded, so a bad export stores
//! nothing. `add` stores files of any kind as they are (after redaction).

use crate::progress::{rate, Progress, Unit};
use crate::{Project, ProjectError};
use assay_locker::areas::{Stage, StagedFile};
use assay_locker::import::{self, ImportMeta, InputProblem, PlannedFile, Staged, Summary};
use assay_tables::cache;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What to import.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The format (`assay tables` kinds that are importable, e.g. `aws-cloudtrail`).
    pub kind: String,
    /// Files or folders.
    pub paths: Vec<PathBuf>,
    /// For `csv` and `json`: the table the rows go to.
    pub table: Option<String>,
    /// For `csv` and `json`: `column=Header,...`.
    pub map: Option<String>,
    /// The system the export came from (a default per kind when none).
    pub source: Option<String>,
    /// The span the evidence speaks for, as dates (`YYYY-MM-DD`).
    pub effective: (Option<String>, Option<String>),
    /// A line longer than this means the file is not in the format (or is damaged).
    pub max_line_bytes: u64,
    /// Files under this folder are recorded with the folder replaced by this name: the
    /// server records an upload as `upload/<account>/<file>`, not as its temporary path.
    pub relabel: Option<(PathBuf, String)>,
}

/// What an import stored.
#[derive(Debug)]
pub struct ImportOutcome {
    /// The locker's summary: batch, entries added, files already stored by the batch.
    pub summary: Summary,
    /// Rows per table read from the files.
    pub rows: BTreeMap<String, usize>,
    /// Things the user should know (e.g. the rows cache could not be written).
    pub warnings: Vec<String>,
}

/// What to add.
#[derive(Debug, Clone)]
pub struct AddRequest {
    /// Any kind (lowercase letters, digits and dashes).
    pub kind: String,
    /// Files or folders.
    pub paths: Vec<PathBuf>,
    /// The system the files came from.
    pub source: String,
    /// The span the evidence speaks for.
    pub effective: (Option<String>, Option<String>),
    /// Keep a salted hash of each redacted secret (to show two files held the same one).
    pub keep_secret_hashes: bool,
    /// Record the files again even when this batch stored them already.
    pub new_observation: bool,
    /// Files under this folder are recorded with the folder replaced by this name: the
    /// server records an upload as `upload/<account>/<file>`, not as its temporary path.
    pub relabel: Option<(PathBuf, String)>,
}

/// Records files under `from` as under `to` instead (see [`ImportRequest::relabel`]).
fn relabel(plan: &mut import::Plan, relabel: Option<&(PathBuf, String)>) {
    let Some((from, to)) = relabel else { return };
    let from = from.to_string_lossy().replace('\\', "/");
    for f in &mut plan.files {
        if let Some(rest) = f.locator.strip_prefix(&from) {
            f.locator = format!("{to}{rest}");
        }
    }
}

/// The first line over `limit` bytes in a file (streamed, so a huge line is never held in
/// memory), as its 1-based number.
fn first_long_line(path: &Path, limit: u64) -> std::io::Result<Option<usize>> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let (mut line, mut run) = (1usize, 0u64);
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        for &b in &buf[..n] {
            if b == b'\n' {
                line += 1;
                run = 0;
            } else {
                run += 1;
                if run > limit {
                    return Ok(Some(line));
                }
            }
        }
    }
}

/// The system an export of `kind` comes from, when the caller does not say.
fn default_source(kind: &str) -> &'static str {
    match kind {
        "hr-roster" => "hris",
        k if k.starts_with("aws-") => "aws",
        k if k.starts_with("okta-") => "okta",
        k if k.starts_with("github-") => "github",
        _ => "file",
    }
}

/// A file that passed its checks, staged.
struct Checked {
    staged: Staged,
    counts: Vec<(&'static str, usize)>,
    warning: Option<String>,
}

/// What the checks of one import share.
struct Check<'a> {
    kind: &'a str,
    params: &'a BTreeMap<String, String>,
    stage: &'a Stage,
    rows_cache: &'a Path,
    max_line_bytes: u64,
}

impl Check<'_> {
    /// Reads, stages (redacted), normalizes and caches one file; `Err` is the message.
    fn file(&self, i: usize, f: &PlannedFile) -> Result<Checked, String> {
        if f.size > self.max_line_bytes {
            match first_long_line(&f.path, self.max_line_bytes) {
                Ok(Some(line)) => {
                    return Err(format!(
                        "{}:{line}: the line is longer than {} bytes; this is not a {} file, or it is damaged",
                        f.locator, self.max_line_bytes, self.kind
                    ))
                }
                Ok(None) => {}
                Err(e) => return Err(format!("{}: cannot read: {e}", f.locator)),
            }
        }
        let raw = std::fs::read(&f.path).map_err(|e| format!("{}: cannot read: {e}", f.locator))?;
        let StagedFile { staged, content } = self
            .stage
            .put(i, raw)
            .map_err(|e| format!("{}: cannot stage: {e}", f.locator))?;
        let hash = staged.hash().to_string();
        let fragment = assay_tables::fragment::each(self.kind, &content, &hash, self.params)
            .map_err(|e| match e.line {
                Some(l) => format!("{}:{l}: {}", f.locator, e.message),
                None => format!("{}: {}", f.locator, e.message),
            })?
            .unwrap_or_default();
        let key = cache::each_key(self.kind, &hash, self.params);
        let tables = cache::tables_of(self.kind, self.params);
        let warning = cache::write(self.rows_cache, &key, &tables, &fragment)
            .err()
            .map(|e| {
                format!(
                    "the rows cache cannot be written ({e}); assessing will read the file again"
                )
            });
        Ok(Checked {
            staged,
            counts: fragment.counts(),
            warning,
        })
    }
}

fn rejected(problems: Vec<InputProblem>) -> ProjectError {
    let n = problems.len();
    ProjectError::Rejected {
        problems: problems.iter().map(ToString::to_string).collect(),
        summary: format!(
            "{n} problem{} in the input; nothing was stored",
            if n == 1 { "" } else { "s" }
        ),
    }
}

impl Project {
    /// Imports an export: every file checked in its format first; all stored, or none.
    pub fn import(
        &self,
        req: &ImportRequest,
        progress: &dyn Progress,
    ) -> Result<ImportOutcome, ProjectError> {
        let importable = |n: &&assay_tables::Normalizer| n.importable;
        let Some(normalizer) = assay_tables::for_kind(&req.kind).filter(importable) else {
            let kinds: Vec<&str> = assay_tables::REGISTRY
                .iter()
                .filter(importable)
                .map(|n| n.kind)
                .collect();
            return Err(ProjectError::Invalid(format!(
                "--kind {}: not an importable format; use one of {}",
                req.kind,
                kinds.join(", ")
            )));
        };
        if !matches!(normalizer.run, assay_tables::Run::Each(_)) {
            return Err(ProjectError::Invalid(format!(
                "--kind {}: stored by a collector, not imported",
                req.kind
            )));
        }
        let mut params = BTreeMap::new();
        if matches!(req.kind.as_str(), "csv" | "json") {
            let (Some(table), Some(map)) = (&req.table, &req.map) else {
                return Err(ProjectError::Invalid(format!("--kind {} needs --table T and --map column=Header,... (with key=...); `assay tables --schema` lists the columns", req.kind)));
            };
            params.insert("table".to_string(), table.clone());
            params.insert("map".to_string(), map.clone());
        } else if req.table.is_some() || req.map.is_some() {
            return Err(ProjectError::Invalid(format!(
                "--table and --map are only for --kind csv or json; {} has a fixed format ({})",
                req.kind, normalizer.format
            )));
        }
        let mut plan = import::plan(&req.paths).map_err(rejected)?;
        // Inside folders, keep only the files this format reads (given files are always read).
        let explicit: Vec<String> = req
            .paths
            .iter()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .collect();
        plan.files.retain(|f| {
            explicit.contains(&f.locator)
                || assay_tables::normalize::reads_file(&req.kind, &f.locator)
        });
        plan.total_bytes = plan.files.iter().map(|f| f.size).sum();
        relabel(&mut plan, req.relabel.as_ref());
        if plan.files.is_empty() {
            return Err(ProjectError::Invalid(format!(
                "no {} files found in {}; nothing was stored",
                req.kind,
                explicit.join(", ")
            )));
        }

        let stage = Stage::new(&self.root)?;
        let rows_cache = assay_locker::areas::rows_cache(&self.root);
        std::fs::create_dir_all(&rows_cache).map_err(ProjectError::io(&rows_cache))?;
        let check = Check {
            kind: &req.kind,
            params: &params,
            stage: &stage,
            rows_cache: &rows_cache,
            max_line_bytes: req.max_line_bytes,
        };

        // Check and stage every file on every core.
        progress.start("checking", plan.total_bytes, Unit::Bytes);
        let started = Instant::now();
        let (mut bytes, mut rows) = (0u64, 0usize);
        // One more thread than cores: each file ends with a sync to disk, during which
        // another file can be parsed.
        let results = crate::parallel::map_on(
            crate::parallel::threads() + 1,
            &plan.files,
            |i, f| check.file(i, f),
            |i, r| {
                bytes += plan.files.get(i).map_or(0, |f| f.size);
                if let Ok(c) = r {
                    rows += c.counts.iter().map(|(_, n)| n).sum::<usize>();
                }
                progress.update(bytes, &rate(rows, started));
            },
        );
        progress.finish();
        let mut errors = Vec::new();
        let mut staged = Vec::new();
        let mut per_table: BTreeMap<String, usize> = BTreeMap::new();
        let mut warnings = Vec::new();
        for r in results {
            match r {
                Ok(c) => {
                    for (t, n) in &c.counts {
                        *per_table.entry(t.to_string()).or_default() += n;
                    }
                    if let (Some(w), true) = (c.warning, warnings.is_empty()) {
                        warnings.push(w);
                    }
                    staged.push(c.staged);
                }
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            let n = errors.len();
            return Err(ProjectError::Rejected {
                problems: errors,
                summary: format!(
                    "{n} file{} not readable as {} ({}); nothing was stored",
                    if n == 1 { "" } else { "s" },
                    req.kind,
                    normalizer.format
                ),
            });
        }

        let mut locker = self.locker_or_create()?;
        let mut now = crate::clock::after(&locker)?;
        let meta = ImportMeta {
            kind: req.kind.clone(),
            agent: "evidence-import".into(),
            system: req
                .source
                .clone()
                .unwrap_or_else(|| default_source(&req.kind).to_string()),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            effective_from: req.effective.0.clone(),
            effective_to: req.effective.1.clone(),
            keep_secret_hashes: false,
            observation: None,
            params,
        };
        let summary = locker.record_staged(&plan, &meta, staged, &mut now)?;
        drop(stage);
        Ok(ImportOutcome {
            summary,
            rows: per_table,
            warnings,
        })
    }

    /// Stores files of any kind (redacted), as one batch.
    pub fn add(&self, req: &AddRequest, progress: &dyn Progress) -> Result<Summary, ProjectError> {
        let valid = !req.kind.is_empty()
            && !req.kind.starts_with('-')
            && req
                .kind
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            return Err(ProjectError::Invalid(format!(
                "--kind {}: use lowercase letters, digits and dashes, e.g. document, hr-roster",
                req.kind
            )));
        }
        let mut plan = import::plan(&req.paths).map_err(rejected)?;
        relabel(&mut plan, req.relabel.as_ref());
        let mut locker = self.locker_or_create()?;
        let mut now = crate::clock::after(&locker)?;
        let files = plan.files.len();
        progress.start("storing", plan.total_bytes, Unit::Bytes);
        let meta = ImportMeta {
            kind: req.kind.clone(),
            agent: "evidence-add".into(),
            system: req.source.clone(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            effective_from: req.effective.0.clone(),
            effective_to: req.effective.1.clone(),
            keep_secret_hashes: req.keep_secret_hashes,
            observation: req.new_observation.then(crate::clock::now),
            params: Default::default(),
        };
        let summary = locker.import(&plan, &meta, &mut now, &mut |p| {
            progress.update(p.bytes_done, &format!("{}/{files} files", p.files_done));
        })?;
        progress.finish();
        Ok(summary)
    }
}
