//! `assay validate`: every diagnostic of the workspace, then design coverage.

use crate::cli::ValidateArgs;
use crate::output;
use crate::workspace_report::report_text;
use crate::Outcome;
use assay_catalog::Catalog;
use assay_workspace::Workspace;
use std::path::Path;

pub fn run(root: &Path, args: ValidateArgs, catalog: &Catalog) -> anyhow::Result<Outcome> {
    let ws = Workspace::load(root, catalog);
    // Collection that cannot reach the period's start (only when assay.toml reads).
    let today = jiff::tz::Offset::UTC
        .to_datetime(assay_project::inputs::now()?)
        .date();
    let retention = match (ws.config.is_some(), super::project(root)) {
        (true, Ok(p)) => p.retention_warnings(today)?,
        _ => Vec::new(),
    };
    if args.json {
        let mut v = ws.report_json();
        v["collection_warnings"] = serde_json::json!(retention);
        output::json(&v)?;
    } else {
        let color = output::stdout_color();
        for w in &retention {
            println!(
                "{} {w}",
                output::paint(
                    "warning[collection-retention]:",
                    output::Style::Warning,
                    color
                )
            );
        }
        print!("{}", report_text(&ws, color));
    }
    let warnings = ws.warning_count() + retention.len();
    let failed = ws.error_count() > 0 || (args.deny_warnings && warnings > 0);
    Ok(if failed {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}
