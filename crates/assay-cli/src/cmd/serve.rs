//! `assay serve`: starts the server library (`assay_server::launch`) on the workspace(s),
//! prints where it listens and the one-time setup link, runs each workspace's `[monitor]`
//! schedule on a thread of its own (the same loop as `assay monitor`), and serves until
//! Ctrl-C or SIGTERM.

use crate::cli::ServeArgs;
use crate::Outcome;
use std::path::Path;

pub fn run(
    root: &Path,
    args: ServeArgs,
    catalog: &'static assay_catalog::Catalog,
) -> anyhow::Result<Outcome> {
    init_logs(args.log_json);
    let settings = assay_server::launch::Settings {
        listen: args.listen,
        audits: args.audits,
        public_url: args.public_url,
        secure_cookies: args.secure_cookies,
        tls: args.tls_cert.zip(args.tls_key),
        max_upload_mib: args.max_upload_mib,
        oidc_issuer: args.oidc_issuer,
        oidc_client_id: args.oidc_client_id,
        oidc_groups: args.oidc_groups,
    };
    let no_monitor = args.no_monitor;
    let rt = crate::runtime()?;
    let server = rt.block_on(assay_server::launch::prepare(root, &settings, catalog))?;
    let state = &server.state;
    println!(
        "Serving {} audit(s) on {} (application state: {})",
        state.audits.len(),
        server.url,
        state.db.backend()
    );
    for s in state.audits.values() {
        let root = s.project.root().display();
        println!(
            "  /api/v1/orgs/{}/audits/{}  {root}",
            s.org.slug, s.audit.slug
        );
    }
    if let Some(secret) = &server.setup {
        println!("No account exists yet. Open this link once to create the first owner:");
        println!("  {}/setup?token={secret}", state.options.public_url);
    }
    if !no_monitor {
        let roots: Vec<std::path::PathBuf> = state
            .audits
            .values()
            .map(|s| s.project.root().to_path_buf())
            .collect();
        for root in roots {
            monitor_in_background(root, catalog)?;
        }
    }
    println!("Press Ctrl-C to stop.");
    rt.block_on(server.run())?;
    println!("Stopped.");
    Ok(Outcome::Ok)
}

/// Starts a workspace's `[monitor]` schedule in the background (`assay_project::scheduler`),
/// logging each record; a workspace without a schedule is left alone, and one whose schedule
/// another `assay monitor` already runs is logged and left to it.
fn monitor_in_background(
    root: std::path::PathBuf,
    catalog: &'static assay_catalog::Catalog,
) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    let (shown, shown2) = (root.display().to_string(), root.display().to_string());
    let started = assay_project::scheduler::in_background(
        &root,
        catalog,
        exe,
        move |told| match told {
            assay_project::scheduler::Told::Started { schedule, timezone } => {
                tracing::info!(workspace = %shown, schedule, timezone, "monitor started");
            }
            assay_project::scheduler::Told::Recorded(r) => {
                tracing::info!(
                    workspace = %shown,
                    due = %r.scheduled_for,
                    outcome = ?r.outcome,
                    failing_tests = ?r.failing_tests,
                    error = r.error.as_deref().unwrap_or(""),
                    "monitor run recorded"
                );
            }
        },
        move |e| tracing::warn!(workspace = %shown2, "the monitor is not running: {e}"),
    )?;
    if started.is_some() {
        println!("  monitoring {} on its [monitor] schedule", root.display());
    }
    Ok(())
}

/// Logs to stderr, as text or JSON lines; `RUST_LOG` filters (default `info`).
fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
