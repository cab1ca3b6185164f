//! `assay serve`: the HTTP API over one or more audit workspaces, for a whole audit team.
//!
//! - [`open`] registers each workspace as an audit of its organization in the application
//!   database (SQLite inside the first workspace by default, or PostgreSQL), and makes the
//!   one-time setup link when no account exists yet.
//! - [`api::router`] is every route, each behind its access rule ([`api::Access`]) checked
//!   against the one permission table ([`permissions`]); tenants are isolated in the store
//!   and in the router; errors are RFC 9457 problem details; every state change goes to the
//!   audit log ([`audit_log`]), which is chained into the evidence ledger.
//! - The web app (module `web`) is server-rendered pages in the same route table, each
//!   calling the API's own handler and rendering its answer, so a page and the API can
//!   never disagree about what a role may see.
//! - [`serve`] runs it on a listener until the shutdown signal, finishing requests in flight.
//!
//! Every operation on a workspace is a call into `assay_project`, so the server stores,
//! tests and reports exactly as the command line does.
//!
//! **Invariants.** The library never prints (it logs through `tracing`; the binary decides
//! where logs go). Secrets (passwords, session ids, tokens, invitations, the setup link) are
//! stored only as digests or argon2id hashes and never logged.

mod access_log;
pub mod api;
pub mod audit_log;
pub mod auth;
pub mod db;
mod headers;
pub mod launch;
pub mod ocsf;
pub mod oidc;
pub mod permissions;
pub mod problem;
pub mod state;
pub mod store;
pub mod tls;
mod web;

use state::{AppState, Database, Inner, Options, Served};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A workspace could not be opened.
    #[error("{path}: {message}")]
    Workspace {
        /// The folder.
        path: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The application database failed.
    #[error(transparent)]
    Db(#[from] db::DbError),
    /// Listening or serving failed.
    #[error("{0}")]
    Io(String),
}

/// A server ready to serve, and its one-time setup secret when no account exists yet.
pub struct Opened {
    /// The state to serve.
    pub state: AppState,
    /// The setup secret: `GET /setup?token=SECRET` creates the first owner.
    pub setup: Option<String>,
}

/// Opens the application database and registers `workspaces` (the first is the home: its
/// folder holds the SQLite state by default, and its ledger records events outside any
/// organization), with single sign-on through `oidc` when given.
pub fn open(
    workspaces: &[PathBuf],
    database: &Database,
    options: Options,
    oidc: Option<oidc::Client>,
    catalog: &'static assay_catalog::Catalog,
) -> Result<Opened, ServerError> {
    if workspaces.is_empty() {
        return Err(ServerError::Workspace {
            path: ".".into(),
            message: "no workspace to serve".into(),
        });
    }
    let db = match database {
        Database::Sqlite(path) => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| ServerError::Io(format!("{}: {e}", dir.display())))?;
            }
            db::Db::sqlite(path)?
        }
        Database::Postgres { url, schema } => db::Db::postgres(url, schema)?,
    };
    let mut audits = BTreeMap::new();
    let mut home = String::new();
    for root in workspaces {
        let bad = |message: String| ServerError::Workspace {
            path: root.display().to_string(),
            message,
        };
        let root = root
            .canonicalize()
            .map_err(|e| bad(format!("cannot open: {e}")))?;
        let project =
            assay_project::Project::open(&root, catalog).map_err(|e| bad(e.to_string()))?;
        let ws = project.workspace();
        let Some(config) = ws.config else {
            return Err(bad(
                "assay.toml could not be read; run `assay validate` there".into(),
            ));
        };
        let scope = &config.scope;
        let name = format!("{} {}", scope.system_name, scope.period);
        let folder = root
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| "audit".into());
        let root_text = root.to_string_lossy().into_owned();
        let (org, audit) = db
            .tx(|c| store::tenants::register(c, &scope.organization, &name, &folder, &root_text))?;
        if home.is_empty() {
            home = audit.id.clone();
        }
        if audits.contains_key(&audit.id) {
            return Err(bad("given twice".into()));
        }
        // The latest assessment run through the server survives a restart. One that no
        // longer reads (written by another version) is dropped: the next assessment
        // replaces it.
        let id = audit.id.clone();
        let kept = db
            .tx(|c| store::assessments::latest(c, &id))?
            .and_then(|json| serde_json::from_str::<assay_engine::Assessment>(&json).ok())
            .map(Arc::new);
        audits.insert(
            audit.id.clone(),
            Arc::new(Served {
                org,
                audit,
                project,
                latest: RwLock::new(kept),
                parsed: Default::default(),
                built: Default::default(),
                listed: Default::default(),
            }),
        );
    }
    if let Some(dir) = &options.upload_dir {
        // Spooled uploads of a process that died are incomplete by definition: drop them.
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir)
            .map_err(|e| ServerError::Io(format!("{}: {e}", dir.display())))?;
    }
    let setup = db.tx(|c| store::accounts::new_setup_secret(c))?;
    let state = AppState(Arc::new(Inner {
        db,
        options,
        limiter: Default::default(),
        audits,
        home,
        oidc: oidc.map(Arc::new),
        log_lock: tokio::sync::Mutex::new(()),
    }));
    Ok(Opened { state, setup })
}

/// The default SQLite file for the application state: inside the home workspace, next to
/// (not inside) the locker, which only the locker writes.
pub fn default_state_path(home: &std::path::Path) -> PathBuf {
    home.join(".assay-server").join("state.db")
}

/// The default spool folder for uploads, beside the application state.
pub fn default_upload_dir(home: &std::path::Path) -> PathBuf {
    home.join(".assay-server").join("uploads")
}

/// Serves `state` on `listener` (plain TCP, or [`tls::TlsListener`]) until `shutdown`
/// resolves, then finishes the requests in flight.
pub async fn serve<L>(
    listener: L,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError>
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
    for<'a> tls::ClientAddr:
        axum::extract::connect_info::Connected<axum::serve::IncomingStream<'a, L>>,
{
    let app = api::router(state).into_make_service_with_connect_info::<tls::ClientAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| ServerError::Io(e.to_string()))
}
