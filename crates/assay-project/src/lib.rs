//! The pipeline of one Assay workspace, end to end, under every front end (the `assay`
//! command line today; the server, the scheduler and the web app next). A [`Project`] is a
//! workspace folder: its `assay.toml`, its controls and policies, and its evidence locker.
//! It offers every operation the front ends need:
//!
//! - [`Project::import`] (check every file, stage, record: all or nothing) and
//!   [`Project::add`] (store files as they are);
//! - [`Project::collect`]: the configured collectors, into the locker;
//! - [`Project::tables`]: the standard tables, from the rows cache where it can;
//! - [`Project::assess`], [`Project::sample`], [`Project::sync_findings`],
//!   [`Project::triage`];
//! - [`Project::export_bundle`] and [`bundle::verify`]: evidence that travels;
//! - [`Project::render_report`] and [`Project::write_report`], from a fresh or a stored
//!   assessment.
//!
//! **Architecture invariants.**
//! - The library never prints: long work reports through a [`Progress`], and outcomes are
//!   values for the front end to show.
//! - It is synchronous, and never starts a Tokio runtime: its async parts (queries, S3, the
//!   AWS collector) run on the caller's runtime, which must be entered
//!   (`Runtime::enter`) or, inside an async server, reached through
//!   `tokio::task::spawn_blocking`. A `Project` is `Send + Sync`; operations take `&self`
//!   and can run concurrently (each opens the locker it needs; the ledger serializes
//!   appends).
//! - Every write to `.assay/` goes through the [`assay_locker::Locker`].

pub mod ai;
mod assess;
pub mod bundle;
pub mod ci;
mod clock;
mod collect;
mod config;
mod error;
mod evidence;
mod frameworks;
mod import;
pub mod inputs;
mod mail;
pub mod monitor;
pub mod notify;
pub mod parallel;
mod progress;
mod report;
pub mod reuse;
pub mod review;
pub mod scheduler;
mod tables;
mod triage;

pub use assess::{due_date, short, Synced};
pub use clock::now;
pub use collect::{Collected, CollectorRun};
pub use config::limits;
pub use error::ProjectError;
pub use evidence::EvidenceRow;
pub use import::{AddRequest, ImportOutcome, ImportRequest};
pub use progress::{rate, thousands, Progress, Silent, Unit};
pub use report::{report_format, report_kind};
pub use tables::{snapshot_at, Loaded};
pub use triage::TriageUpdate;

use assay_catalog::Catalog;
use assay_locker::{Locker, LockerConfig, LockerError};
use std::path::{Path, PathBuf};

/// One workspace and its locker.
pub struct Project {
    root: PathBuf,
    catalog: &'static Catalog,
    locker_config: LockerConfig,
    /// The auditor's sampling secret; never stored, printed or sent anywhere.
    sample_secret: Option<String>,
}

impl Project {
    /// Opens the workspace whose root (the folder holding `assay.toml`) is `root`. Reads
    /// `assay.toml` for the locker's settings and the `[limits]`; creates nothing.
    pub fn open(root: &Path, catalog: &'static Catalog) -> Result<Project, ProjectError> {
        let locker_config = config::locker_config(root)?;
        Ok(Project {
            root: root.to_path_buf(),
            catalog,
            locker_config,
            sample_secret: None,
        })
    }

    /// Seeds samples with the auditor's secret (the CLI reads it from
    /// `ASSAY_SAMPLE_SECRET`) where a results file records no seed yet. The seed it gives is
    /// printed with the sample, to be recorded in the results file; the secret itself is
    /// kept in memory only.
    pub fn with_sample_secret(mut self, secret: Option<String>) -> Project {
        self.sample_secret = secret.filter(|s| !s.is_empty());
        self
    }

    /// The workspace root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The criteria catalog the project was opened with.
    pub fn catalog(&self) -> &'static Catalog {
        self.catalog
    }

    /// The existing locker ([`LockerError::NoLocker`] when there is none yet). Opening
    /// creates nothing.
    pub fn locker(&self) -> Result<Locker, ProjectError> {
        Ok(Locker::open(&self.root, &self.locker_config)?)
    }

    /// The locker, or none when the workspace has none yet.
    pub fn locker_if_any(&self) -> Result<Option<Locker>, ProjectError> {
        match Locker::open(&self.root, &self.locker_config) {
            Ok(l) => Ok(Some(l)),
            Err(LockerError::NoLocker(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The locker, created (folder, ledger, signing key) when absent: for operations that
    /// store.
    pub fn locker_or_create(&self) -> Result<Locker, ProjectError> {
        Ok(Locker::open_or_create(&self.root, &self.locker_config)?)
    }

    /// The workspace as it is on disk now (controls, policies, inventory, diagnostics).
    pub fn workspace(&self) -> assay_workspace::Workspace {
        assay_workspace::Workspace::load(&self.root, self.catalog)
    }

    /// The workspace, refusing one with errors (`assay validate` lists them), with its
    /// configuration.
    pub fn valid_workspace(
        &self,
    ) -> Result<(assay_workspace::Workspace, assay_workspace::Config), ProjectError> {
        let ws = self.workspace();
        if ws.error_count() > 0 {
            let first = ws
                .diagnostics
                .iter()
                .find(|d| d.severity == assay_workspace::Severity::Error)
                .map(|d| format!("{}: {}", d.location(), d.message))
                .unwrap_or_default();
            let n = ws.error_count();
            return Err(ProjectError::Workspace(format!(
                "the workspace has {n} error{} ({first}); run `assay validate` and fix them first",
                if n == 1 { "" } else { "s" }
            )));
        }
        let Some(config) = ws.config.clone() else {
            return Err(ProjectError::Workspace(
                "assay.toml could not be read; run `assay validate`".into(),
            ));
        };
        Ok((ws, config))
    }
}
