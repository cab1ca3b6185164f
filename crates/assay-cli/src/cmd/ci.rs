//! `assay ci`: collection, every test, and the comparison with the last run, written where a
//! pipeline shows it (JUnit XML, a Markdown job summary); the run is recorded in
//! `.assay/ci/last.json` so the next run has a baseline, and the changes are sent by the
//! `[[notify]]` rules.

use crate::output::{self, plural};
use crate::Outcome;
use anyhow::Context as _;
use assay_project::notify;
use assay_report::ci::{Baseline, CollectorOutcome, Run};
use std::path::{Path, PathBuf};

/// The command's options.
pub struct Options {
    pub junit: Option<PathBuf>,
    pub summary: Option<PathBuf>,
    pub new_only: bool,
    pub baseline: Option<PathBuf>,
    pub collect: bool,
    pub json: bool,
}

/// Where the last run is kept, inside the workspace's state folder.
fn last_run(root: &Path) -> PathBuf {
    root.join(".assay").join("ci").join("last.json")
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

fn baseline(root: &Path, given: Option<&Path>) -> anyhow::Result<Option<Baseline>> {
    let path = match given {
        Some(p) => p.to_path_buf(),
        None => {
            let p = last_run(root);
            if !p.exists() {
                return Ok(None);
            }
            p
        }
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the baseline {}", path.display()))?;
    Baseline::parse(&path.display().to_string(), &text)
        .map(Some)
        .map_err(|m| anyhow::anyhow!(m))
}

pub fn run(root: &Path, o: &Options) -> anyhow::Result<Outcome> {
    // The baseline is read first: a bad file is refused before anything runs or is stored.
    let base = baseline(root, o.baseline.as_deref())?;
    let project = super::project(root)?;
    let config = assay_workspace::config::read(root).ok();
    let configured = config.as_ref().is_some_and(|c| !c.collectors.is_empty());
    let mut collectors = Vec::new();
    if o.collect && configured {
        let now = assay_project::inputs::now()?;
        let collected = project.collect(None, None, now, &output::Bars::default())?;
        collectors = collected
            .runs
            .into_iter()
            .map(|r| CollectorOutcome {
                name: r.name,
                result: r.result.map(|report| report.stored),
            })
            .collect();
    }
    let a = project.assess(None, &output::Bars::default())?;
    let run = Run {
        assessment: &a,
        collectors: &collectors,
        baseline: base.as_ref(),
    };
    let summary = assay_report::ci::summary(&run);
    if let Some(path) = &o.junit {
        write(path, &assay_report::ci::junit(&run))?;
    }
    if let Some(path) = &o.summary {
        write(path, &summary)?;
    }
    let mut record = run.record();
    write(&last_run(root), &serde_json::to_string_pretty(&record)?)?;
    let rules = config.map(|c| c.notify).unwrap_or_default();
    let deliveries = if rules.is_empty() {
        Vec::new()
    } else {
        let events = notify::events(&run);
        let header = notify::Header {
            system: &a.system,
            ledger: a.ledger.as_ref(),
        };
        let now = assay_project::inputs::now()?;
        project.notify(&rules, &events, &header, &|k| std::env::var(k).ok(), now)?
    };
    for d in &deliveries {
        if d.outcome != "sent" {
            eprintln!(
                "warning: notification `{}` failed after {}: {} (recorded in the ledger)",
                d.rule,
                plural(d.attempts as usize, "attempt"),
                d.error.as_deref().unwrap_or("no answer")
            );
        }
    }
    if o.json {
        record["notifications"] = serde_json::to_value(&deliveries)?;
        output::json(&record)?;
    } else {
        println!("{summary}");
        if base.is_none() {
            println!(
                "No baseline: every failing test counts as new. This run is kept in {} for the next.",
                last_run(root).display()
            );
        }
        for (what, path) in [("JUnit XML", &o.junit), ("summary", &o.summary)] {
            if let Some(p) = path {
                println!("Wrote the {what} to {}", p.display());
            }
        }
        let sent = deliveries.iter().filter(|d| d.outcome == "sent").count();
        if sent > 0 {
            println!("Sent {}", plural(sent, "notification"));
        }
        let failed = collectors.iter().filter(|c| c.result.is_err()).count();
        if failed > 0 {
            println!("{} failed; the others ran", plural(failed, "collector"));
        }
    }
    Ok(if run.should_fail(o.new_only) {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}
