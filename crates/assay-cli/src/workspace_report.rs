//! The validation report of a workspace (diagnostics, design coverage, summary), shared by
//! `assay validate`, `assay init` and `assay demo`.

use crate::output::{self, plural, Style};
use assay_workspace::Workspace;

/// The human report: diagnostics, coverage table, summary line.
pub fn report_text(ws: &Workspace, color: bool) -> String {
    let mut out = String::new();
    for d in &ws.diagnostics {
        out.push_str(&output::diagnostic(d, color));
        out.push('\n');
    }
    if let Some(cov) = &ws.coverage {
        out.push_str(&format!(
            "{}\n",
            output::paint("Design coverage", Style::Strong, color)
        ));
        out.push_str(&output::coverage_table(cov, color));
        out.push('\n');
    }
    for f in &ws.framework_coverage {
        out.push_str(&f.summary());
        out.push('\n');
    }
    let (errors, warnings) = (ws.error_count(), ws.warning_count());
    let covered = ws
        .coverage
        .as_ref()
        .map(|c| format!("{}/{} criteria covered", c.covered, c.in_scope))
        .unwrap_or_else(|| "coverage unknown (assay.toml has errors)".into());
    let verdict = if errors > 0 {
        output::paint("invalid", Style::Error, color)
    } else if warnings > 0 {
        output::paint("valid with warnings", Style::Warning, color)
    } else {
        output::paint("valid", Style::Good, color)
    };
    out.push_str(&format!(
        "{verdict}: {}, {}; {covered}; {}, {}\n",
        plural(ws.controls.len(), "control"),
        plural(ws.policies.len(), "policy").replace("policys", "policies"),
        plural(errors, "error"),
        plural(warnings, "warning"),
    ));
    out
}
