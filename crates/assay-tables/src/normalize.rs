//! Normalizers: raw evidence of a known kind → rows of standard tables. One file per
//! normalizer, one line in [`REGISTRY`]. Raw evidence stays raw; normalizing the same bytes
//! again gives the same rows, and each normalizer has a version so cached tables are rebuilt
//! when it changes.

mod aws_api;
mod aws_cloudtrail;
mod aws_credential_report;
mod csvutil;
mod git_log;
mod github_api;
mod github_pulls;
mod host;
mod hr_roster;
mod jsonutil;
pub use jsonutil::set_gzip_limits;
pub mod loose;
mod mapped;
mod okta_api;
mod okta_system_log;

use crate::rows::Rows;
use crate::schema;
use std::collections::BTreeMap;

/// One piece of evidence to normalize.
pub struct Input<'a> {
    /// Its bytes (as stored in the locker).
    pub bytes: &'a [u8],
    /// SHA-256 of the bytes: the `evidence` column.
    pub evidence: &'a str,
    /// The moment a snapshot speaks for (microseconds, UTC): `snapshot_at`.
    pub snapshot_at: Option<i64>,
    /// Import parameters recorded with the evidence (e.g. `table`, `map` for mapped imports).
    pub params: &'a BTreeMap<String, String>,
    /// The import batch or collection run it belongs to.
    pub batch: Option<&'a str>,
}

/// Why evidence could not be normalized: where (line, or record number) and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", .line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct NormalizeError {
    /// 1-based line (or record) number, when known.
    pub line: Option<usize>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl NormalizeError {
    /// An error at a line.
    pub fn at(line: usize, message: impl Into<String>) -> Self {
        NormalizeError {
            line: Some(line),
            message: message.into(),
        }
    }

    /// An error about the whole input.
    pub fn whole(message: impl Into<String>) -> Self {
        NormalizeError {
            line: None,
            message: message.into(),
        }
    }
}

/// The tables being built, by name.
pub struct Output {
    tables: BTreeMap<&'static str, Rows>,
}

impl Default for Output {
    fn default() -> Self {
        Output {
            tables: schema::TABLES
                .iter()
                .map(|t| (t.name, Rows::new(t)))
                .collect(),
        }
    }
}

impl Output {
    /// Tables for the rows of one piece of evidence: every row gets its hash and moment.
    pub fn for_input(input: &Input<'_>) -> Output {
        let mut out = Output::default();
        out.set_source(input.evidence, input.snapshot_at);
        out
    }

    /// Sets the evidence the rows pushed from now on come from. The framework fills each
    /// row's `evidence` and `snapshot_at` columns from it; a normalizer never writes them.
    /// Normalizers of a collection run call it as they move from one piece to the next.
    pub fn set_source(&mut self, evidence: &str, snapshot_at: Option<i64>) {
        for rows in self.tables.values_mut() {
            rows.set_source(evidence, snapshot_at);
        }
    }

    /// The rows of a table (every standard table exists).
    pub fn rows(&mut self, table: &str) -> Option<&mut Rows> {
        self.tables.get_mut(table)
    }

    /// A table's rows and column positions, for a normalizer about to write to it.
    pub fn table(&mut self, name: &str) -> Result<(&mut Rows, crate::rows::Cols), NormalizeError> {
        let table = schema::table(name)
            .ok_or_else(|| NormalizeError::whole(format!("no standard table `{name}`")))?;
        let rows = self
            .tables
            .get_mut(name)
            .ok_or_else(|| NormalizeError::whole(format!("no standard table `{name}`")))?;
        Ok((rows, crate::rows::Cols::of(table)))
    }

    /// Every table's rows, by name.
    pub fn into_tables(self) -> BTreeMap<&'static str, Rows> {
        self.tables
    }
}

/// A normalizer.
pub struct Normalizer {
    /// The evidence kind it reads.
    pub kind: &'static str,
    /// Bumped whenever its output changes.
    pub version: u32,
    /// The tables it writes.
    pub tables: &'static [&'static str],
    /// The format, in a phrase (for help and errors).
    pub format: &'static str,
    /// Turns input into rows.
    pub run: Run,
    /// Whether `assay evidence import` accepts it (file exports); collector formats are not.
    pub importable: bool,
}

/// How a normalizer reads its evidence.
#[derive(Clone, Copy)]
pub enum Run {
    /// Each piece of evidence on its own (file exports).
    Each(fn(&Input<'_>, &mut Output) -> Result<usize, NormalizeError>),
    /// All pieces of one collection run together (API responses that must be joined).
    Batch(fn(&[Input<'_>], &mut Output) -> Result<usize, NormalizeError>),
}

/// Every normalizer.
pub const REGISTRY: &[Normalizer] = &[
    hr_roster::NORMALIZER,
    aws_credential_report::NORMALIZER,
    aws_cloudtrail::NORMALIZER,
    okta_system_log::NORMALIZER,
    github_pulls::NORMALIZER,
    mapped::CSV,
    mapped::JSON,
    github_api::NORMALIZER,
    okta_api::NORMALIZER,
    git_log::NORMALIZER,
    host::NORMALIZER,
    aws_api::NORMALIZER,
];

/// Whether a file (by its path) is one this kind reads, when met inside a folder:
/// JSON kinds take `.json`, `.json.gz`, `.ndjson`, `.jsonl` (not CloudTrail digest files);
/// CSV kinds take `.csv` and `.txt`.
pub fn reads_file(kind: &str, path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    match kind {
        "hr-roster" | "aws-credential-report" | "csv" => p.ends_with(".csv") || p.ends_with(".txt"),
        _ => {
            !p.contains("cloudtrail-digest")
                && [
                    ".json",
                    ".json.gz",
                    ".ndjson",
                    ".jsonl",
                    ".ndjson.gz",
                    ".jsonl.gz",
                ]
                .iter()
                .any(|e| p.ends_with(e))
        }
    }
}

/// The normalizer for an evidence kind.
pub fn for_kind(kind: &str) -> Option<&'static Normalizer> {
    REGISTRY.iter().find(|n| n.kind == kind)
}
