//! `assay monitor` and `assay history`: print what the pipeline's scheduler
//! (`assay_project::scheduler`) reports and the history of one test.

use crate::output::{self, plural};
use crate::Outcome;
use anyhow::{bail, Context as _};
use assay_project::monitor::{Outcome as Ran, RunRecord};
use assay_project::scheduler::Told;
use std::path::Path;

fn say(r: &RunRecord, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(r)?);
        return Ok(());
    }
    let what = match r.outcome {
        Ran::Missed => format!(
            "MISSED {} ({})",
            plural(r.missed_count.unwrap_or(0), "scheduled run"),
            r.error.as_deref().unwrap_or_default()
        ),
        Ran::Interrupted => "INTERRUPTED: the monitor stopped during this run".into(),
        other => {
            let stored = r.ledger_after.unwrap_or(0) - r.ledger_before.unwrap_or(0);
            format!(
                "{}; {} failing, {} stored{}",
                serde_json::to_value(other)?.as_str().unwrap_or_default(),
                plural(r.failing_tests.unwrap_or(0), "test"),
                plural(stored as usize, "ledger entry"),
                r.error
                    .as_deref()
                    .map(|e| format!("; {e}"))
                    .unwrap_or_default()
            )
        }
    };
    println!("{} {what}", r.scheduled_for);
    Ok(())
}

pub fn run(root: &Path, runs: Option<u64>, json: bool) -> anyhow::Result<Outcome> {
    let project = super::project(root)?;
    let exe = std::env::current_exe().context("cannot find the assay binary to run")?;
    let mut failed = None;
    project.monitor(&exe, runs, &mut |told| {
        let shown = match told {
            Told::Recorded(r) => say(r, json),
            Told::Started { schedule, timezone } if !json => {
                println!(
                    "Monitoring {} on `{schedule}` ({timezone}); every run is recorded in the ledger (kind {}).",
                    root.display(),
                    assay_project::monitor::KIND
                );
                Ok(())
            }
            Told::Started { .. } => Ok(()),
        };
        if let Err(e) = shown {
            failed.get_or_insert(e);
        }
    })?;
    match failed {
        Some(e) => Err(e),
        None => Ok(Outcome::Ok),
    }
}

/// `assay history TEST [--json]`: the test's state at every recorded run of the monitor.
pub fn history(root: &Path, test: &str, json: bool) -> anyhow::Result<Outcome> {
    let project = super::project(root)?;
    let runs = project.monitor_runs()?;
    let points = assay_project::monitor::history(&runs, test);
    if !points.iter().any(|p| p.state.is_some()) {
        bail!(
            "no recorded run has a result for `{test}`; `assay monitor` records one per run (`assay validate` lists the tests)"
        );
    }
    if json {
        output::json(&serde_json::json!({
            "schema": "assay.history/v1",
            "test": test,
            "points": points,
        }))?;
        return Ok(Outcome::Ok);
    }
    let mut t = output::table(vec!["due", "run", "result", "exceptions", "change"]);
    for p in &points {
        t.add_row(vec![
            p.at.clone(),
            serde_json::to_value(p.outcome)?
                .as_str()
                .unwrap_or_default()
                .to_string(),
            p.state
                .as_ref()
                .map(|s| s.result.as_str().to_string())
                .unwrap_or_else(|| "-".into()),
            p.state
                .as_ref()
                .map(|s| s.exceptions.to_string())
                .unwrap_or_else(|| "-".into()),
            p.change.unwrap_or_default().to_string(),
        ]);
    }
    println!("{t}");
    let sum = assay_project::monitor::summary(&points);
    println!(
        "{test}: failing in {} of {} completed runs; {} without a result (missed, interrupted or failed runs)",
        sum.failing, sum.completed, sum.gaps
    );
    Ok(Outcome::Ok)
}
