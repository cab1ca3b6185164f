//! `assay evidence import`: an export checked file by file in its format, then stored all
//! together or not at all (the pipeline's `Project::import`).

use crate::cli::EvidenceImportArgs;
use crate::output;
use crate::Outcome;
use assay_project::ImportRequest;
use std::path::Path;

pub(crate) fn import(root: &Path, args: EvidenceImportArgs) -> anyhow::Result<Outcome> {
    let req = ImportRequest {
        effective: assay_project::inputs::effective("--effective", args.effective.as_deref())?,
        kind: args.kind.clone(),
        paths: args.paths.clone(),
        table: args.table.clone(),
        map: args.map.clone(),
        source: args.source.clone(),
        max_line_bytes: args.max_line_bytes,
        relabel: None,
    };
    let bars = output::Bars::default();
    let outcome = super::project(root)?
        .import(&req, &bars)
        .map_err(output::rejected)?;
    if !args.quiet {
        output::import_outcome(&outcome, &args.kind, args.json)?;
    }
    Ok(Outcome::Ok)
}
