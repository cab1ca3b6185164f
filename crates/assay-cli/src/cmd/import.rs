//! `assay evidence import`: an export checked file by file in its format, then stored all
//! together or not at all (the pipeline's `Project::import`).

use crate::cli::EvidenceImportArgs;
use crate::output::{self, plural, Style};
use crate::Outcome;
use assay_project::{ImportOutcome, ImportRequest};
use serde_json::json;
use std::path::Path;

pub(crate) fn import(root: &Path, args: EvidenceImportArgs) -> anyhow::Result<Outcome> {
    let req = ImportRequest {
        effective: super::effective(&args.effective)?,
        kind: args.kind.clone(),
        paths: args.paths.clone(),
        table: args.table.clone(),
        map: args.map.clone(),
        source: args.source.clone(),
        max_line_bytes: args.max_line_bytes,
    };
    let bars = output::Bars::default();
    let outcome = super::project(root)?
        .import(&req, &bars)
        .map_err(output::rejected)?;
    if !args.quiet {
        print(&outcome, &args.kind, args.json)?;
    }
    Ok(Outcome::Ok)
}

/// What an import stored, for people or as JSON.
pub(crate) fn print(o: &ImportOutcome, kind: &str, json: bool) -> anyhow::Result<()> {
    for w in &o.warnings {
        eprintln!(
            "{} {w}",
            output::paint("warning:", Style::Warning, output::stderr_color())
        );
    }
    let s = &o.summary;
    if json {
        return output::json(&json!({
            "schema": "assay.evidence-import/v1",
            "kind": kind,
            "batch": s.batch,
            "added": s.added,
            "already_stored": s.already_stored,
            "rows": o.rows.iter().map(|(t, n)| json!({"table": t, "rows": n})).collect::<Vec<_>>(),
        }));
    }
    let color = output::stdout_color();
    println!(
        "{} {} as `{}` ({} rows: {}); batch {}",
        output::paint("Imported", Style::Good, color),
        plural(s.added.len(), "file"),
        kind,
        o.rows.values().sum::<usize>(),
        o.rows
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        s.batch
    );
    if s.already_stored > 0 {
        println!(
            "  {} already stored by this batch; not stored again",
            plural(s.already_stored, "file")
        );
    }
    Ok(())
}
