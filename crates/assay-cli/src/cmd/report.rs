//! `assay report KIND --format FMT --out PATH [--from assessment.json]`: readiness, the
//! draft SOC 2 report, workpapers and OSCAL, from a fresh assessment of the workspace or a
//! stored one (`assay assess --json > assessment.json`).

use crate::output::{self, plural};
use crate::Outcome;
use std::path::Path;

/// `assay report`.
pub fn run(
    root: &Path,
    kind_name: &str,
    format_name: Option<&str>,
    out: Option<&Path>,
    from: Option<&Path>,
) -> anyhow::Result<Outcome> {
    let kind = assay_project::report_kind(kind_name)?;
    let format = format_name.map(assay_project::report_format).transpose()?;
    let p = super::project(root)?;
    let a = match from {
        Some(path) => p.stored_assessment(path)?,
        None => p.assess(None, &output::Bars::default())?,
    };
    let written = p.write_report(&a, kind, format, out)?;
    for p in &written {
        println!("wrote {}", p.display());
    }
    if written.len() > 1 {
        println!("{}", plural(written.len(), "file"));
    }
    Ok(Outcome::Ok)
}
