//! What the server holds while it runs: the application database, the audits it serves
//! (one workspace each, opened once as an `assay_project::Project`), the login throttle and
//! the options it was started with.

use crate::db::Db;
use crate::store::tenants::{Audit, Org};
use assay_engine::Assessment;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

/// How the server was started.
#[derive(Debug, Clone)]
pub struct Options {
    /// The base URL people reach the server at (for the setup link).
    pub public_url: String,
    /// Mark the session cookie `Secure` (the server is behind TLS).
    pub secure_cookies: bool,
    /// The largest evidence upload, in bytes.
    pub max_upload: u64,
    /// The largest JSON body, in bytes.
    pub max_body: usize,
    /// Seconds a session may sit idle.
    pub session_idle: i64,
    /// Seconds a session lives at most.
    pub session_absolute: i64,
    /// Days an API token or invitation may live at most.
    pub max_token_days: i64,
    /// Where uploads are spooled before the pipeline stores them (emptied at start, so an
    /// upload cut off by a crash leaves nothing behind); the system's temporary folder when
    /// none.
    pub upload_dir: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            public_url: "http://127.0.0.1:8080".into(),
            secure_cookies: false,
            max_upload: 512 * 1024 * 1024,
            max_body: 1024 * 1024,
            session_idle: 30 * 60,
            session_absolute: 12 * 60 * 60,
            max_token_days: 366,
            upload_dir: None,
        }
    }
}

/// Where the application state lives.
#[derive(Debug, Clone)]
pub enum Database {
    /// SQLite at this path (the embedded default: `.assay-server/state.db` in the first
    /// workspace).
    Sqlite(PathBuf),
    /// PostgreSQL at this URL, in this schema.
    Postgres {
        /// The URL (never logged).
        url: String,
        /// The schema.
        schema: String,
    },
}

/// One audit the server serves.
pub struct Served {
    /// Its organization.
    pub org: Org,
    /// The audit.
    pub audit: Audit,
    /// Its workspace.
    pub project: assay_project::Project,
    /// The latest assessment run through the server, if any.
    pub latest: RwLock<Option<Arc<Assessment>>>,
    /// The workspace as last read, and when (see [`Served::workspace`]).
    pub parsed: std::sync::Mutex<Option<(std::time::Instant, Arc<assay_workspace::Workspace>)>>,
    /// The standard tables as last built, and the ledger size they were built at (see
    /// [`Served::tables`]).
    pub built: std::sync::Mutex<Option<(u64, Arc<assay_tables::Tables>)>>,
    /// The evidence rows as last listed, with the ledger size and the workspace settings they
    /// were listed for (see [`Served::evidence`]).
    pub listed: std::sync::Mutex<Option<EvidenceCache>>,
}

/// The evidence list as of one ledger size and one parsed workspace.
pub struct EvidenceCache {
    size: u64,
    settings: String,
    rows: Arc<Vec<assay_project::EvidenceRow>>,
}

/// How long a parsed workspace is reused before its files are read again: edits on disk
/// (a `git pull`, a triage written by the server) show within this time.
pub const WORKSPACE_TTL: std::time::Duration = std::time::Duration::from_secs(2);

impl Served {
    /// The workspace, parsed at most [`WORKSPACE_TTL`] ago: reads under load do not parse
    /// every control file again for every request.
    pub fn workspace(&self) -> Arc<assay_workspace::Workspace> {
        if let Ok(cache) = self.parsed.lock() {
            if let Some((at, ws)) = cache.as_ref() {
                if at.elapsed() < WORKSPACE_TTL {
                    return ws.clone();
                }
            }
        }
        let ws = Arc::new(self.project.workspace());
        if let Ok(mut cache) = self.parsed.lock() {
            *cache = Some((std::time::Instant::now(), ws.clone()));
        }
        ws
    }

    /// How many entries the ledger holds now (0 without a locker).
    pub fn ledger_size(&self) -> Result<u64, assay_project::ProjectError> {
        Ok(match self.project.locker_if_any()? {
            Some(l) => l.size().map_err(assay_project::ProjectError::from)?,
            None => 0,
        })
    }

    /// The entries appended after the first `from` (none without a locker).
    fn entries_after(
        &self,
        from: u64,
    ) -> Result<Vec<assay_locker::entry::Entry>, assay_project::ProjectError> {
        Ok(match self.project.locker_if_any()? {
            Some(l) => l
                .entries_after(from)
                .map_err(assay_project::ProjectError::from)?,
            None => Vec::new(),
        })
    }

    /// Whether every entry after the first `from` is an event of the server's audit log.
    fn only_log_since(&self, from: u64) -> bool {
        self.entries_after(from)
            .is_ok_and(|new| new.iter().all(|e| e.record.kind == crate::audit_log::KIND))
    }

    /// The standard tables, built again only when evidence has been added since the last
    /// build (the ledger is append-only, so its size names its contents; the server's own
    /// audit-log entries feed no table).
    pub fn tables(&self) -> Result<Arc<assay_tables::Tables>, assay_project::ProjectError> {
        let size = self.ledger_size()?;
        if let Ok(mut cache) = self.built.lock() {
            if let Some((at, t)) = cache.as_mut() {
                // Entries of the server's own audit log (a sign-in, a triage) feed no table.
                if *at < size && self.only_log_since(*at) {
                    *at = size;
                }
                if *at == size {
                    return Ok(t.clone());
                }
            }
        }
        let t = Arc::new(self.project.tables(&assay_project::Silent)?.tables);
        if let Ok(mut cache) = self.built.lock() {
            *cache = Some((size, t.clone()));
        }
        Ok(t)
    }

    /// Every evidence row with its freshness. The ledger is append-only, so when it has grown
    /// only the new entries are read; all are listed again when the workspace's settings
    /// changed (freshness depends on them).
    pub fn evidence(
        &self,
    ) -> Result<Arc<Vec<assay_project::EvidenceRow>>, assay_project::ProjectError> {
        let (size, ws) = (self.ledger_size()?, self.workspace());
        // Freshness reads the audit period and the time-to-live per kind from assay.toml.
        let settings = format!("{:?}", ws.config);
        let cached = match self.listed.lock() {
            Ok(cache) => cache
                .as_ref()
                .filter(|c| c.settings == settings && c.size <= size)
                .map(|c| (c.size, c.rows.clone())),
            Err(_) => None,
        };
        let rows = match cached {
            Some((at, rows)) if at == size => return Ok(rows),
            Some((at, rows)) => {
                let mut all = Vec::clone(&rows);
                let new = self.entries_after(at)?;
                all.extend(
                    new.into_iter()
                        .map(|e| assay_project::EvidenceRow::of(e, &ws)),
                );
                Arc::new(all)
            }
            None => Arc::new(self.project.evidence_in(&ws, None)?),
        };
        // What was read may include entries appended after `size` was taken: name it by what
        // it holds.
        let size = rows.last().map_or(size, |r| r.entry.seq.max(size));
        if let Ok(mut cache) = self.listed.lock() {
            *cache = Some(EvidenceCache {
                size,
                settings,
                rows: rows.clone(),
            });
        }
        Ok(rows)
    }
}

/// The shared state of the server.
pub struct Inner {
    /// The application database.
    pub db: Db,
    /// Options.
    pub options: Options,
    /// The login throttle.
    pub limiter: crate::auth::ratelimit::Limiter,
    /// The audits served, by internal audit id.
    pub audits: BTreeMap<String, Arc<Served>>,
    /// The audit whose ledger records events outside any organization.
    pub home: String,
    /// Single sign-on, when configured.
    pub oidc: Option<Arc<crate::oidc::Client>>,
    /// Serializes audit-log appends (the log's own sequence is `MAX + 1`).
    pub log_lock: tokio::sync::Mutex<()>,
}

/// A cheap handle on the shared state.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Runs `f` on the database in a blocking thread, in one transaction.
    pub async fn db<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn crate::db::Conn) -> Result<T, crate::problem::Problem> + Send + 'static,
    ) -> Result<T, crate::problem::Problem> {
        let s = self.clone();
        tokio::task::spawn_blocking(move || s.db.tx(f)).await?
    }

    /// The served audit with this internal id.
    pub fn served(&self, audit_id: &str) -> Option<Arc<Served>> {
        self.audits.get(audit_id).cloned()
    }

    /// The served audits of organization `org_id`, by slug.
    pub fn audits_of(&self, org_id: &str) -> Vec<Arc<Served>> {
        let mut v: Vec<Arc<Served>> = self
            .audits
            .values()
            .filter(|s| s.org.id == org_id)
            .cloned()
            .collect();
        v.sort_by(|a, b| a.audit.slug.cmp(&b.audit.slug));
        v
    }
}
