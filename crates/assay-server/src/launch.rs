//! From settings to a listening server, for every front end that starts one (`assay serve`
//! now, `assay monitor` next): the application database chosen from the environment
//! (`ASSAY_DATABASE_URL`, `ASSAY_DATABASE_SCHEMA`; SQLite in the home workspace otherwise),
//! TLS, single sign-on (its secret from `ASSAY_OIDC_CLIENT_SECRET` only), the listener, and
//! serving until Ctrl-C or SIGTERM.

use crate::state::{AppState, Database, Options};
use crate::{oidc, tls, ServerError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The environment variable naming a PostgreSQL database for the application state.
pub const DATABASE_URL: &str = "ASSAY_DATABASE_URL";
/// The schema in it (default `assay_server`).
pub const DATABASE_SCHEMA: &str = "ASSAY_DATABASE_SCHEMA";
/// The environment variable holding the OpenID Connect client secret.
pub const OIDC_SECRET: &str = "ASSAY_OIDC_CLIENT_SECRET";

/// How to start: what the command line gives.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `ADDR:PORT` to listen on.
    pub listen: String,
    /// More workspaces beside the home one.
    pub audits: Vec<PathBuf>,
    /// The URL people reach the server at (default from `listen`).
    pub public_url: Option<String>,
    /// TLS ends at a proxy.
    pub secure_cookies: bool,
    /// PEM certificate chain and key for TLS in the process.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// The largest upload, MiB.
    pub max_upload_mib: u64,
    /// OpenID Connect issuer.
    pub oidc_issuer: Option<String>,
    /// Its client id.
    pub oidc_client_id: Option<String>,
    /// `GROUP=ORG[/AUDIT]:ROLE` rules.
    pub oidc_groups: Vec<String>,
}

/// A server ready to serve.
pub struct Launched {
    /// Its state.
    pub state: AppState,
    /// The one-time setup secret, when no account exists yet.
    pub setup: Option<String>,
    /// Where it listens, as a URL (`https://` with TLS).
    pub url: String,
    listener: tokio::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
}

fn bad(m: impl Into<String>) -> ServerError {
    ServerError::Io(m.into())
}

/// Opens everything and binds the listener (home workspace at `home`).
pub async fn prepare(
    home: &Path,
    s: &Settings,
    catalog: &'static assay_catalog::Catalog,
) -> Result<Launched, ServerError> {
    let mut workspaces = vec![home.to_path_buf()];
    for a in &s.audits {
        let abs = std::path::absolute(a).unwrap_or(a.clone());
        workspaces.push(assay_workspace::find_root(&abs).ok_or_else(|| {
            bad(format!(
                "--audit {}: no assay.toml there or above",
                a.display()
            ))
        })?);
    }
    let database = match std::env::var(DATABASE_URL) {
        Ok(url) if !url.trim().is_empty() => Database::Postgres {
            url,
            schema: std::env::var(DATABASE_SCHEMA).unwrap_or_else(|_| "assay_server".into()),
        },
        _ => Database::Sqlite(crate::default_state_path(home)),
    };
    let tls = match &s.tls {
        Some((cert, key)) => Some(tls::config(cert, key).map_err(bad)?),
        None => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let public_url = s
        .public_url
        .clone()
        .unwrap_or_else(|| format!("{scheme}://{}", s.listen));
    let options = Options {
        upload_dir: Some(crate::default_upload_dir(home)),
        public_url: public_url.trim_end_matches('/').to_string(),
        secure_cookies: s.secure_cookies || tls.is_some(),
        max_upload: s.max_upload_mib.saturating_mul(1024 * 1024),
        ..Options::default()
    };
    let oidc = match &s.oidc_issuer {
        Some(issuer) => Some(single_sign_on(issuer, s, &options.public_url).await?),
        None => None,
    };
    let opened = crate::open(&workspaces, &database, options, oidc, catalog)?;
    let listener = tokio::net::TcpListener::bind(&s.listen)
        .await
        .map_err(|e| {
            bad(format!(
                "--listen {}: cannot listen there ({e}); use a free address:port",
                s.listen
            ))
        })?;
    let addr = listener.local_addr().map_err(|e| bad(e.to_string()))?;
    Ok(Launched {
        state: opened.state,
        setup: opened.setup,
        url: format!("{scheme}://{addr}"),
        listener,
        tls,
    })
}

async fn single_sign_on(
    issuer: &str,
    s: &Settings,
    public_url: &str,
) -> Result<oidc::Client, ServerError> {
    let client_id = s
        .oidc_client_id
        .clone()
        .ok_or_else(|| bad("--oidc-issuer needs --oidc-client-id"))?;
    let client_secret = std::env::var(OIDC_SECRET)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            bad(format!(
                "--oidc-issuer needs the client secret in the environment variable {OIDC_SECRET}"
            ))
        })?;
    let mut groups = Vec::new();
    for g in &s.oidc_groups {
        groups.push(
            g.parse::<oidc::GroupRule>()
                .map_err(|e| bad(format!("--oidc-group {e}")))?,
        );
    }
    let config = oidc::OidcConfig {
        issuer: issuer.to_string(),
        client_id,
        client_secret,
        redirect_uri: format!("{public_url}/auth/oidc/callback"),
        groups,
    };
    oidc::Client::discover(config)
        .await
        .map_err(|e| bad(format!("--oidc-issuer {issuer}: {e}")))
}

impl Launched {
    /// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
    pub async fn run(self) -> Result<(), ServerError> {
        match self.tls {
            Some(cfg) => {
                let listener =
                    tls::TlsListener::new(self.listener, cfg).map_err(|e| bad(e.to_string()))?;
                crate::serve(listener, self.state, shutdown()).await
            }
            None => crate::serve(self.listener, self.state, shutdown()).await,
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
