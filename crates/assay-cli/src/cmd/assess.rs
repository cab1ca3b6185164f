//! `assay test`, `assay assess`, `assay sample` and `assay findings`: the engine over the
//! workspace and its locker.

use crate::output::{self, paint, plural, Style};
use crate::Outcome;
use assay_core::Severity;
use assay_engine::assessment::{CriterionResult, Verdict};
use assay_engine::Assessment;
use assay_project::{short, Project};
use std::path::Path;

/// The assessment, with the pipeline's progress on the terminal.
fn run_engine(p: &Project, only: Option<&str>) -> anyhow::Result<Assessment> {
    Ok(p.assess(only, &output::Bars::default())?)
}

fn verdict_style(v: Verdict) -> Style {
    match v {
        Verdict::Effective => Style::Good,
        Verdict::ExceptionsNoted | Verdict::NotTested => Style::Warning,
        Verdict::Error | Verdict::NotEffective => Style::Error,
    }
}

/// `assay test [--control ID] [--json] [--populations DIR]`.
pub fn test(
    root: &Path,
    control: Option<&str>,
    json: bool,
    populations: Option<&Path>,
) -> anyhow::Result<Outcome> {
    let p = super::project(root)?;
    let a = match populations {
        None => run_engine(&p, control)?,
        Some(dir) => {
            let (a, files) =
                p.assess_writing_populations(control, dir, &output::Bars::default())?;
            eprintln!(
                "Wrote {} to {}",
                plural(files.len(), "population file"),
                dir.display()
            );
            a
        }
    };
    if json {
        let v = serde_json::json!({
            "schema": "assay.tests/v1",
            "ledger": a.ledger,
            "controls": a.controls,
        });
        output::json(&v)?;
    } else {
        let color = output::stdout_color();
        let mut t = output::table(vec![
            "test",
            "method",
            "result",
            "exceptions",
            "what was found",
        ]);
        for c in &a.controls {
            for x in &c.tests {
                t.add_row(vec![
                    x.id.clone(),
                    format!("{:?}", x.method).to_lowercase(),
                    paint(x.result.as_str(), verdict_style(x.result), color),
                    x.exception_count.to_string(),
                    short(&x.statement, 160),
                ]);
            }
        }
        println!("{t}");
        println!("{}", summary_line(&a, color));
    }
    Ok(
        if a.controls.iter().any(|c| c.result != Verdict::Effective) {
            Outcome::Findings
        } else {
            Outcome::Ok
        },
    )
}

fn summary_line(a: &Assessment, color: bool) -> String {
    let n = |m: &std::collections::BTreeMap<String, usize>, k: &str| m.get(k).copied().unwrap_or(0);
    let tests: usize = a.summary.tests.values().sum();
    format!(
        "{}: {} effective, {} exceptions noted, {} not effective, {} not tested, {} errors",
        paint(&plural(tests, "test"), Style::Strong, color),
        n(&a.summary.tests, "effective"),
        n(&a.summary.tests, "exceptions noted"),
        n(&a.summary.tests, "not effective"),
        n(&a.summary.tests, "not tested"),
        n(&a.summary.tests, "error"),
    )
}

/// `assay assess [--json]`.
pub fn assess(root: &Path, json: bool) -> anyhow::Result<Outcome> {
    let a = run_engine(&super::project(root)?, None)?;
    if json {
        output::json(&a)?;
        return Ok(Outcome::Ok);
    }
    let color = output::stdout_color();
    for cat in &a.categories {
        let mut t = output::table(vec!["criterion", "verdict", "controls"]);
        for k in a.criteria.iter().filter(|k| &k.category == cat) {
            let (word, style) = match k.verdict {
                CriterionResult::Met => ("met", Style::Good),
                CriterionResult::NotMet => ("not met", Style::Error),
                CriterionResult::NotTested => ("not tested", Style::Warning),
            };
            let controls: Vec<String> = k
                .controls
                .iter()
                .filter_map(|id| a.controls.iter().find(|c| &c.id == id))
                .map(|c| paint(&c.id, verdict_style(c.result), color))
                .collect();
            t.add_row(vec![
                k.id.clone(),
                paint(word, style, color),
                controls.join(" "),
            ]);
        }
        println!("{}", paint(cat, Style::Strong, color));
        println!("{t}");
    }
    if !a.findings.is_empty() {
        println!(
            "{}",
            paint("Findings (most severe first)", Style::Strong, color)
        );
        for f in a.findings.iter().take(15) {
            let style = match f.severity {
                Severity::Critical | Severity::High => Style::Error,
                _ => Style::Warning,
            };
            println!(
                "  {} {} {}",
                paint(&format!("{:<8}", f.severity.as_str()), style, color),
                f.id,
                short(&f.statement, 140)
            );
        }
        if a.findings.len() > 15 {
            println!(
                "  ... and {} more (`assay assess --json`)",
                a.findings.len() - 15
            );
        }
    }
    println!("{}", summary_line(&a, color));
    let n = |k: &str| a.summary.criteria.get(k).copied().unwrap_or(0);
    println!(
        "criteria: {} met, {} not met, {} not tested; examination {} ({}); draft opinion: {} ({})",
        n("met"),
        n("not met"),
        n("not tested"),
        a.engagement.state.as_str(),
        a.engagement.rule,
        paint(a.opinion.kind.as_str(), Style::Strong, color),
        a.opinion.rule
    );
    if let Some(h) = &a.ledger {
        println!(
            "computed from ledger size {} root {}",
            h.size,
            &h.root[..16.min(h.root.len())]
        );
    }
    Ok(Outcome::Ok)
}

/// `assay sample TEST [--json|--csv]`.
pub fn sample(root: &Path, test: &str, json: bool, csv: bool) -> anyhow::Result<Outcome> {
    let t = super::project(root)?.sample(test, &output::Bars::default())?;
    let Some(s) = &t.sample else {
        anyhow::bail!("{test} has no sample");
    };
    if json {
        output::json(
            &serde_json::json!({"schema": "assay.sample/v1", "test": test, "sample": s, "population": t.population}),
        )?;
    } else if csv {
        println!("key,extension,result,notes");
        for i in &s.items {
            let result = i
                .result
                .map(|r| format!("{r:?}").to_lowercase())
                .unwrap_or_default();
            println!(
                "{},{},{},{}",
                crate::output::csv_field(&i.key),
                i.extension,
                result,
                crate::output::csv_field(&i.notes)
            );
        }
    } else {
        println!(
            "{test}: {} of {} items ({}), seed {} ({})",
            s.items.len(),
            s.population,
            s.basis,
            s.seed,
            s.seed_from
        );
        println!("selection: {}", s.algorithm);
        for i in &s.items {
            let r = i
                .result
                .map(|r| format!("{r:?}").to_lowercase())
                .unwrap_or_else(|| "-".into());
            println!(
                "  {:<6} {}{}",
                r,
                i.key,
                if i.extension { " (extension)" } else { "" }
            );
        }
        if s.seed_from == assay_engine::sample::FROM_SECRET {
            println!(
                "Record `seed: {}` in results/{test}.yaml with the results: the selection came from your ASSAY_SAMPLE_SECRET, and anyone re-performs it from the recorded seed.",
                s.seed
            );
        } else if s.predictable {
            println!(
                "warning: the default seed is derived from the organization, period and test id, so management can compute this selection in advance; set ASSAY_SAMPLE_SECRET (kept out of the repository) before drawing, or write a `seed:` of your own in results/{test}.yaml."
            );
        }
        println!("Record results in results/{test}.yaml (see docs/assessment.md).");
    }
    Ok(Outcome::Ok)
}

/// `assay findings [--sync] [--json]`.
pub fn findings(root: &Path, sync: bool, json: bool) -> anyhow::Result<Outcome> {
    let p = super::project(root)?;
    let a = run_engine(&p, None)?;
    let mut created = Vec::new();
    if sync {
        let today = jiff::tz::Offset::UTC
            .to_datetime(jiff::Timestamp::now())
            .date();
        created = p.sync_findings(&a, today)?.created;
    }
    if json {
        output::json(&serde_json::json!({
            "schema": "assay.findings/v1",
            "findings": a.findings,
            "resolved": a.resolved_triage,
            "created": created,
        }))?;
        return Ok(Outcome::Ok);
    }
    let mut t = output::table(vec![
        "finding",
        "severity",
        "status",
        "owner",
        "due",
        "statement",
    ]);
    for f in &a.findings {
        let (status, owner, due) = match &f.triage {
            Some(tr) => (
                tr.status.as_str().to_string(),
                tr.owner.clone().unwrap_or_default(),
                tr.due.map(|d| d.to_string()).unwrap_or_default(),
            ),
            None => ("untriaged".into(), f.owner.clone(), String::new()),
        };
        t.add_row(vec![
            f.id.clone(),
            f.severity.as_str().into(),
            status,
            owner,
            due,
            short(&f.statement, 100),
        ]);
    }
    println!("{t}");
    for r in &a.resolved_triage {
        println!(
            "{}: {} no longer occurs in this run (status {:?})",
            r.file, r.id, r.status
        );
    }
    if !created.is_empty() {
        println!(
            "created {}: set owner, due date and status, then commit them",
            plural(created.len(), "findings file")
        );
    }
    Ok(Outcome::Ok)
}
