//! `assay ci`: prints what the pipeline's CI run (`Project::ci`) did: the summary, the files
//! written, notifications that failed, and the exit code a pipeline reads.

use crate::output::{self, plural};
use crate::Outcome;
use assay_project::ci::CiRequest;
use std::path::Path;

pub fn run(root: &Path, req: &CiRequest, json: bool) -> anyhow::Result<Outcome> {
    let project = super::project(root)?;
    let now = assay_project::inputs::now()?;
    let done = project.ci(
        req,
        &output::Bars::default(),
        &|k| std::env::var(k).ok(),
        now,
    )?;
    for d in done.deliveries.iter().filter(|d| d.outcome != "sent") {
        eprintln!(
            "warning: notification `{}` failed after {}: {} (recorded in the ledger)",
            d.rule,
            plural(d.attempts as usize, "attempt"),
            d.error.as_deref().unwrap_or("no answer")
        );
    }
    if json {
        output::json(&done.record)?;
    } else {
        println!("{}", done.summary);
        if !done.had_baseline {
            println!(
                "No baseline: every failing test counts as new. This run is kept in {} for the next.",
                done.kept_in.display()
            );
        }
        for (what, path) in [("JUnit XML", &req.junit), ("summary", &req.summary)] {
            if let Some(p) = path {
                println!("Wrote the {what} to {}", p.display());
            }
        }
        let sent = done
            .deliveries
            .iter()
            .filter(|d| d.outcome == "sent")
            .count();
        if sent > 0 {
            println!("Sent {}", plural(sent, "notification"));
        }
        if done.failed_collectors > 0 {
            println!(
                "{} failed; the others ran",
                plural(done.failed_collectors, "collector")
            );
        }
    }
    Ok(if done.should_fail {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}

/// This binary's identity for the population cache: its version, path, size and modification
/// time, so runs kept by another build (a rebuilt or upgraded binary) are never reused.
pub fn build_id() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(format!(
        "{} {} {} {modified}",
        env!("CARGO_PKG_VERSION"),
        exe.display(),
        meta.len()
    ))
}
