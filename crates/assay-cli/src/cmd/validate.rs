//! `assay validate`: every diagnostic of the workspace, then design coverage.

use crate::cli::ValidateArgs;
use crate::output;
use crate::workspace_report::{report_json, report_text};
use crate::Outcome;
use assay_catalog::Catalog;
use assay_workspace::Workspace;
use std::path::Path;

pub fn run(root: &Path, args: ValidateArgs, catalog: &Catalog) -> anyhow::Result<Outcome> {
    let ws = Workspace::load(root, catalog);
    if args.json {
        output::json(&report_json(&ws))?;
    } else {
        print!("{}", report_text(&ws, output::stdout_color()));
    }
    let failed = ws.error_count() > 0 || (args.deny_warnings && ws.warning_count() > 0);
    Ok(if failed {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}
