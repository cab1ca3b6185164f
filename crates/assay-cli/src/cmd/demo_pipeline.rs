//! The rest of `assay demo` after the workspace exists: generate the synthetic company's
//! evidence, import it through `assay evidence import`, assess, render every report, and
//! check that every planted failure was found.

use crate::cli::EvidenceImportArgs;
use crate::output::{self, plural, Style};
use crate::synth::{self, Planted, Scale};
use anyhow::Context;
use assay_catalog::Catalog;
use assay_engine::assessment::CriterionResult;
use assay_engine::Assessment;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The reports the demo writes.
const REPORTS: &[(&str, &str)] = &[
    ("readiness", "html"),
    ("readiness", "md"),
    ("readiness", "json"),
    ("soc2", "html"),
    ("soc2", "pdf"),
    ("workpapers", "xlsx"),
    ("oscal", "json"),
];

/// What the pipeline did.
pub struct Outcome {
    /// The assessment.
    pub assessment: Assessment,
    /// Planted failures with whether the assessment reports each.
    pub planted: Vec<(Planted, bool)>,
    /// Clean near-misses with whether the assessment reports each (it must not).
    pub clean: Vec<(Planted, bool)>,
    /// Report files written.
    pub reports: Vec<PathBuf>,
    /// Seconds per phase.
    pub timings: Vec<(&'static str, f64)>,
    /// Bytes of evidence generated and events among them.
    pub generated: (u64, usize),
}

fn spinner(msg: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(msg.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// Whether the assessment reports `p`.
fn found(a: &Assessment, p: &Planted) -> bool {
    a.controls
        .iter()
        .flat_map(|c| &c.tests)
        .find(|t| t.id == p.test)
        .is_some_and(|t| t.exceptions.iter().any(|e| e.key == p.key))
}

/// Runs the pipeline in the workspace at `dir`.
pub fn run(
    dir: &Path,
    scale_name: &str,
    seed: u64,
    quiet: bool,
    catalog: &Catalog,
) -> anyhow::Result<Outcome> {
    let scale = Scale::named(scale_name)
        .with_context(|| format!("--scale {scale_name}: use small, medium or large"))?;
    let mut timings = Vec::new();
    let exports = dir.join("exports");

    let t = Instant::now();
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} generating evidence {bytes} ({bytes_per_sec}) {elapsed}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let generated = synth::generate(&exports, scale, seed, &|b| bar.set_position(b))
        .context("cannot write the synthetic evidence")?;
    bar.finish_and_clear();
    let planted_list = serde_json::to_string_pretty(
        &generated
            .planted
            .iter()
            .map(|p| json!({"test": p.test, "key": p.key}))
            .collect::<Vec<_>>(),
    )?;
    std::fs::write(exports.join("planted.json"), planted_list)
        .context("cannot write exports/planted.json")?;
    let clean_list = serde_json::to_string_pretty(
        &generated
            .clean
            .iter()
            .map(|p| json!({"test": p.test, "key": p.key}))
            .collect::<Vec<_>>(),
    )?;
    std::fs::write(exports.join("clean.json"), clean_list)
        .context("cannot write exports/clean.json")?;
    timings.push(("generate", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    for imp in &generated.imports {
        super::import::import(
            dir,
            EvidenceImportArgs {
                paths: vec![imp.path.clone()],
                kind: imp.kind.to_string(),
                table: imp.table.map(str::to_string),
                map: imp.map.clone(),
                source: Some(imp.source.to_string()),
                effective: imp.effective.clone(),
                max_line_bytes: 256 * 1024 * 1024,
                json: false,
                quiet,
            },
        )?;
    }
    timings.push(("import", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let assessment = super::assess::assessment(dir, catalog)?;
    timings.push(("assess", t.elapsed().as_secs_f64()));

    let t = Instant::now();
    let bar = spinner("rendering reports");
    let mut reports = Vec::new();
    for (kind, format) in REPORTS {
        reports.extend(super::report::write(
            dir,
            &assessment,
            kind,
            Some(format),
            None,
            catalog,
        )?);
    }
    bar.finish_and_clear();
    timings.push(("reports", t.elapsed().as_secs_f64()));

    let planted = generated
        .planted
        .iter()
        .map(|p| (p.clone(), found(&assessment, p)))
        .collect();
    let clean = generated
        .clean
        .iter()
        .map(|p| (p.clone(), found(&assessment, p)))
        .collect();
    Ok(Outcome {
        assessment,
        planted,
        clean,
        reports,
        timings,
        generated: (generated.bytes, generated.events),
    })
}

/// The summary printed at the end of the demo.
pub fn print(dir: &Path, o: &Outcome, color: bool) {
    let a = &o.assessment;
    println!("\n{}", output::paint("Readiness", Style::Strong, color));
    for cat in &a.categories {
        let of = |v: CriterionResult| {
            a.criteria
                .iter()
                .filter(|k| &k.category == cat && k.verdict == v)
                .count()
        };
        let (m, n, t) = (
            of(CriterionResult::Met),
            of(CriterionResult::NotMet),
            of(CriterionResult::NotTested),
        );
        println!(
            "  {:<22} {} met, {} not met, {} not tested",
            cat,
            output::paint(&m.to_string(), Style::Good, color),
            output::paint(
                &n.to_string(),
                if n > 0 { Style::Error } else { Style::Good },
                color
            ),
            t
        );
    }
    let tests: usize = a.summary.tests.values().sum();
    println!(
        "  {}: {}",
        plural(tests, "test"),
        a.summary
            .tests
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  {} (most severe first):",
        plural(a.findings.len(), "finding")
    );
    for f in a.findings.iter().filter(|f| f.kind != "not-tested").take(8) {
        let mut statement: String = f.statement.chars().take(110).collect();
        if f.statement.chars().count() > 110 {
            statement.push('…');
        }
        println!("    {:<8} {:<12} {statement}", f.severity.as_str(), f.id);
    }
    println!(
        "  Draft opinion: {} ({})",
        output::paint(a.opinion.kind, Style::Strong, color),
        a.opinion.rule
    );
    let hit = o.planted.iter().filter(|(_, f)| *f).count();
    println!(
        "  Planted failures found: {}",
        output::paint(
            &format!("{hit} of {}", o.planted.len()),
            if hit == o.planted.len() {
                Style::Good
            } else {
                Style::Error
            },
            color
        )
    );
    for (p, _) in o.planted.iter().filter(|(_, f)| !*f) {
        println!("    missed: {} {}", p.test, p.key);
    }
    let false_alarms = o.clean.iter().filter(|(_, f)| *f).count();
    println!(
        "  Clean items reported: {}",
        output::paint(
            &format!("{false_alarms} of {}", o.clean.len()),
            if false_alarms == 0 {
                Style::Good
            } else {
                Style::Error
            },
            color
        )
    );
    for (p, _) in o.clean.iter().filter(|(_, f)| *f) {
        println!("    false alarm: {} {}", p.test, p.key);
    }
    println!("\n{}", output::paint("Reports", Style::Strong, color));
    for r in &o.reports {
        println!("  {}", r.strip_prefix(dir).unwrap_or(r).display());
    }
    let mb = o.generated.0 as f64 / 1e6;
    println!(
        "\n{mb:.1} MB of evidence ({} audit events) generated in {}; {}",
        output::thousands(o.generated.1),
        dir.join("exports").display(),
        o.timings
            .iter()
            .map(|(p, s)| match *p {
                // The import's rates: what a user's own exports of this size would see.
                "import" if *s > 0.0 => format!(
                    "{p} {s:.1} s ({:.0} MB/s, {} events/s)",
                    mb / s,
                    output::thousands((o.generated.1 as f64 / s) as usize)
                ),
                _ => format!("{p} {s:.1} s"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// The pipeline's part of `assay demo --json`.
pub fn json(o: &Outcome) -> Value {
    json!({
        "opinion": o.assessment.opinion,
        "summary": o.assessment.summary,
        "planted": o.planted.iter().map(|(p, f)| json!({"test": p.test, "key": p.key, "found": f})).collect::<Vec<_>>(),
        "clean": o.clean.iter().map(|(p, f)| json!({"test": p.test, "key": p.key, "reported": f})).collect::<Vec<_>>(),
        "reports": o.reports,
        "seconds": o.timings.iter().map(|(p, s)| (p.to_string(), json!(s))).collect::<serde_json::Map<_, _>>(),
        "evidence_bytes": o.generated.0,
        "audit_events": o.generated.1,
    })
}
