//! `assay serve`: opens the server library on the workspace(s), prints the one-time setup
//! link when no account exists, and serves until Ctrl-C or SIGTERM.

use crate::cli::ServeArgs;
use crate::Outcome;
use anyhow::Context;
use assay_server::state::{Database, Options};
use std::path::Path;

/// The environment variable naming a PostgreSQL database for the application state.
const DATABASE_URL: &str = "ASSAY_DATABASE_URL";
/// The schema in it (default `assay_server`).
const DATABASE_SCHEMA: &str = "ASSAY_DATABASE_SCHEMA";
/// The environment variable holding the OpenID Connect client secret.
const OIDC_SECRET: &str = "ASSAY_OIDC_CLIENT_SECRET";

pub fn run(
    root: &Path,
    args: ServeArgs,
    catalog: &'static assay_catalog::Catalog,
) -> anyhow::Result<Outcome> {
    init_logs(args.log_json);
    let mut workspaces = vec![root.to_path_buf()];
    for a in &args.audits {
        workspaces.push(
            assay_workspace::find_root(&std::path::absolute(a).unwrap_or(a.clone())).with_context(
                || format!("--audit {}: no assay.toml there or above", a.display()),
            )?,
        );
    }
    let database = match std::env::var(DATABASE_URL) {
        Ok(url) if !url.trim().is_empty() => Database::Postgres {
            url,
            schema: std::env::var(DATABASE_SCHEMA).unwrap_or_else(|_| "assay_server".into()),
        },
        _ => Database::Sqlite(assay_server::default_state_path(root)),
    };
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            Some(assay_server::tls::config(cert, key).map_err(anyhow::Error::msg)?)
        }
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("{scheme}://{}", args.listen));
    let options = Options {
        upload_dir: Some(assay_server::default_upload_dir(root)),
        public_url: public_url.trim_end_matches('/').to_string(),
        secure_cookies: args.secure_cookies || tls.is_some(),
        max_upload: args.max_upload_mib.saturating_mul(1024 * 1024),
        ..Options::default()
    };
    let rt = crate::runtime()?;
    let oidc = match &args.oidc_issuer {
        Some(issuer) => {
            let client_id = args
                .oidc_client_id
                .clone()
                .context("--oidc-issuer needs --oidc-client-id")?;
            let client_secret = std::env::var(OIDC_SECRET)
                .ok()
                .filter(|s| !s.is_empty())
                .with_context(|| format!("--oidc-issuer needs the client secret in the environment variable {OIDC_SECRET}"))?;
            let mut groups = Vec::new();
            for g in &args.oidc_groups {
                groups.push(
                    g.parse::<assay_server::oidc::GroupRule>()
                        .map_err(|e| anyhow::anyhow!("--oidc-group {e}"))?,
                );
            }
            let config = assay_server::oidc::OidcConfig {
                issuer: issuer.clone(),
                client_id,
                client_secret,
                redirect_uri: format!("{}/auth/oidc/callback", options.public_url),
                groups,
            };
            Some(
                rt.block_on(assay_server::oidc::Client::discover(config))
                    .with_context(|| format!("--oidc-issuer {issuer}"))?,
            )
        }
        None => None,
    };
    let opened = assay_server::open(&workspaces, &database, options, oidc, catalog)?;
    let listener = rt
        .block_on(tokio::net::TcpListener::bind(&args.listen))
        .with_context(|| {
            format!(
                "--listen {}: cannot listen there (in use, or not an address:port)",
                args.listen
            )
        })?;
    let addr = listener.local_addr()?;
    println!(
        "Serving {} audit(s) on {scheme}://{addr} (application state: {})",
        opened.state.audits.len(),
        opened.state.db.backend()
    );
    for s in opened.state.audits.values() {
        println!(
            "  /api/v1/orgs/{}/audits/{}  {}",
            s.org.slug,
            s.audit.slug,
            s.project.root().display()
        );
    }
    if let Some(secret) = &opened.setup {
        println!("No account exists yet. Open this link once to create the first owner:");
        println!("  {}/setup?token={secret}", opened.state.options.public_url);
    }
    println!("Press Ctrl-C to stop.");
    match tls {
        Some(cfg) => {
            let listener = assay_server::tls::TlsListener::new(listener, cfg)?;
            rt.block_on(assay_server::serve(listener, opened.state, shutdown()))?;
        }
        None => rt.block_on(assay_server::serve(listener, opened.state, shutdown()))?,
    }
    println!("Stopped.");
    Ok(Outcome::Ok)
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

/// Logs to stderr, as text or JSON lines; `RUST_LOG` filters (default `info`).
fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
