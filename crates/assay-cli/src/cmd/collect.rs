//! `assay collect`: runs each configured collector into the locker (the pipeline's
//! `Project::collect`); a failing collector is reported and the others still run.

use crate::output::{self, plural, Style};
use crate::Outcome;
use anyhow::Context as _;
use serde_json::json;
use std::path::Path;

pub fn run(
    root: &Path,
    only: Option<String>,
    since: Option<String>,
    json: bool,
) -> anyhow::Result<Outcome> {
    let since = match since {
        Some(s) => {
            let day = assay_project::inputs::date("--since", &s)?;
            Some(
                format!("{day}T00:00:00Z")
                    .parse::<jiff::Timestamp>()
                    .context("--since")?,
            )
        }
        None => None,
    };
    let now = assay_project::inputs::now()?;
    let collected =
        super::project(root)?.collect(only.as_deref(), since, now, &output::Bars::default())?;
    let color = output::stdout_color();
    let mut results = Vec::new();
    for run in &collected.runs {
        match &run.result {
            Ok(report) => {
                if !json {
                    println!(
                        "{} {}: stored {} ({} requests)",
                        output::paint("ok", Style::Good, color),
                        run.name,
                        plural(report.stored, "response"),
                        report.requests
                    );
                    for note in &report.notes {
                        println!("  {} {note}", output::paint("note:", Style::Warning, color));
                    }
                }
                results.push(json!({"name": run.name, "ok": true, "stored": report.stored, "requests": report.requests, "cursor": report.cursor, "notes": report.notes}));
            }
            Err(e) => {
                if !json {
                    println!(
                        "{} {}: {e}",
                        output::paint("FAILED", Style::Error, color),
                        run.name
                    );
                }
                results.push(json!({"name": run.name, "ok": false, "error": e}));
            }
        }
    }
    if json {
        output::json(&json!({"schema": "assay.collect/v1", "collectors": results}))?;
    }
    if collected.failed() > 0 {
        anyhow::bail!(
            "{} failed; the others ran and their evidence is stored",
            plural(collected.failed(), "collector")
        );
    }
    Ok(Outcome::Ok)
}
