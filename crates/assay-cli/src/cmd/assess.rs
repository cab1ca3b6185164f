//! `assay test`, `assay assess`, `assay sample` and `assay findings`: the engine over the
//! workspace and its locker.

use crate::output::{self, paint, plural, Style};
use crate::Outcome;
use anyhow::{bail, Context};
use assay_catalog::Catalog;
use assay_core::Severity;
use assay_engine::assessment::{CriterionResult, Verdict};
use assay_engine::manual::Results;
use assay_engine::triage::Triage;
use assay_engine::{Assessment, EvidenceInfo, Inputs, LedgerHead};
use assay_workspace::{Config, Workspace};
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;

/// The engine's inputs, read from the workspace and its locker.
struct Prepared {
    ws: Workspace,
    config: Config,
    tables: assay_tables::Tables,
    evidence: Vec<EvidenceInfo>,
    results: Vec<Results>,
    triage: Vec<Triage>,
    head: Option<LedgerHead>,
}

fn day_micros(d: &str) -> Option<i64> {
    format!("{d}T00:00:00Z")
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_microsecond())
}

/// Every `*.yaml` under `dir`, sorted, as (workspace-relative name, text).
fn yaml_files(root: &Path, dir: &str) -> anyhow::Result<Vec<(String, String)>> {
    let path = root.join(dir);
    if !path.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for e in std::fs::read_dir(&path).with_context(|| format!("cannot read {dir}/"))? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            let name = format!(
                "{dir}/{}",
                p.file_name().unwrap_or_default().to_string_lossy()
            );
            let text =
                std::fs::read_to_string(&p).with_context(|| format!("cannot read {name}"))?;
            out.push((name, text));
        }
    }
    out.sort();
    Ok(out)
}

fn prepare(root: &Path, catalog: &Catalog) -> anyhow::Result<Prepared> {
    let ws = Workspace::load(root, catalog);
    if ws.error_count() > 0 {
        let first = ws
            .diagnostics
            .iter()
            .find(|d| d.severity == assay_workspace::Severity::Error)
            .map(|d| format!("{}: {}", d.location(), d.message))
            .unwrap_or_default();
        bail!(
            "the workspace has {} ({first}); run `assay validate` and fix them first",
            plural(ws.error_count(), "error")
        );
    }
    let Some(config) = ws.config.clone() else {
        bail!("assay.toml could not be read; run `assay validate`");
    };
    let super::tables::Loaded {
        tables,
        entries,
        head,
    } = super::tables::load_all(root)?;
    let evidence = entries
        .iter()
        .map(|e| {
            let r = &e.record;
            // A range (`--effective START..END`) is the span the evidence covers; a single
            // date is the moment an export speaks for (its snapshot_at), not a span.
            let effective = match (&r.effective_from, &r.effective_to) {
                (Some(a), Some(b)) if a != b => {
                    day_micros(a).zip(day_micros(b).map(|b| b + 86_400_000_000 - 1))
                }
                _ => None,
            };
            EvidenceInfo {
                blob: r.blob.clone(),
                kind: r.kind.clone(),
                source: r.provenance.system.clone(),
                params: r.params.clone(),
                unit: r
                    .provenance
                    .batch
                    .clone()
                    .unwrap_or_else(|| format!("entry-{}", e.seq)),
                snapshot_at: super::tables::snapshot_at(e),
                effective,
                ttl_days: config.ttl_days(&r.kind),
            }
        })
        .collect();
    let mut results = Vec::new();
    for (name, text) in yaml_files(root, "results")? {
        results.push(assay_engine::manual::parse(&name, &text).map_err(anyhow::Error::msg)?);
    }
    let mut seen = std::collections::BTreeMap::new();
    for r in &results {
        if let Some(prev) = seen.insert(r.test.clone(), r.file.clone()) {
            bail!(
                "{} and {prev} both record results for {}; keep one file per test",
                r.file,
                r.test
            );
        }
    }
    let mut triage = Vec::new();
    for (name, text) in yaml_files(root, "findings")? {
        triage.push(assay_engine::triage::parse(&name, &text).map_err(anyhow::Error::msg)?);
    }
    Ok(Prepared {
        ws,
        config,
        tables,
        evidence,
        results,
        triage,
        head: head.map(|(size, root)| LedgerHead { size, root }),
    })
}

fn run_engine(p: &Prepared, catalog: &Catalog, only: Option<&str>) -> anyhow::Result<Assessment> {
    let controls: Vec<assay_core::Control> =
        p.ws.controls.iter().map(|c| c.control.clone()).collect();
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} testing {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = |done: usize, total: usize, id: &str| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        bar.set_message(id.to_string());
    };
    let a = assay_engine::assess(&Inputs {
        scope: &p.config.scope,
        settings: &p.config.engine,
        controls: &controls,
        criteria: &catalog.criteria,
        inventory: &p.ws.inventory,
        tables: &p.tables,
        evidence: &p.evidence,
        results: &p.results,
        triage: &p.triage,
        ledger: p.head.clone(),
        only_control: only,
        progress: Some(&progress),
    })?;
    bar.finish_and_clear();
    Ok(a)
}

fn verdict_style(v: Verdict) -> Style {
    match v {
        Verdict::Effective => Style::Good,
        Verdict::ExceptionsNoted | Verdict::NotTested => Style::Warning,
        Verdict::Error | Verdict::NotEffective => Style::Error,
    }
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// `assay test [--control ID] [--json]`.
pub fn test(
    root: &Path,
    control: Option<&str>,
    json: bool,
    catalog: &Catalog,
) -> anyhow::Result<Outcome> {
    let p = prepare(root, catalog)?;
    let a = run_engine(&p, catalog, control)?;
    if json {
        let v = serde_json::json!({
            "schema": "assay.tests/v1",
            "ledger": a.ledger,
            "controls": a.controls,
        });
        output::json(&v)?;
    } else {
        let color = output::stdout_color();
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(vec![
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
    let n = |m: &std::collections::BTreeMap<&str, usize>, k: &str| m.get(k).copied().unwrap_or(0);
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

/// A fresh assessment of the workspace (for reports and the demo).
pub fn assessment(root: &Path, catalog: &Catalog) -> anyhow::Result<Assessment> {
    let p = prepare(root, catalog)?;
    run_engine(&p, catalog, None)
}

/// `assay assess [--json]`.
pub fn assess(root: &Path, json: bool, catalog: &Catalog) -> anyhow::Result<Outcome> {
    let p = prepare(root, catalog)?;
    let a = run_engine(&p, catalog, None)?;
    if json {
        output::json(&a)?;
        return Ok(Outcome::Ok);
    }
    let color = output::stdout_color();
    for cat in &a.categories {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(vec!["criterion", "verdict", "controls"]);
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
        "criteria: {} met, {} not met, {} not tested; draft opinion: {} ({})",
        n("met"),
        n("not met"),
        n("not tested"),
        paint(a.opinion.kind, Style::Strong, color),
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
pub fn sample(
    root: &Path,
    test: &str,
    json: bool,
    csv: bool,
    catalog: &Catalog,
) -> anyhow::Result<Outcome> {
    let p = prepare(root, catalog)?;
    let Some(control) =
        p.ws.controls
            .iter()
            .find(|c| c.control.tests.iter().any(|t| t.id == test))
    else {
        bail!("no test `{test}` in the workspace's controls; test ids look like CHG-01.1");
    };
    let a = run_engine(&p, catalog, Some(&control.control.id))?;
    let Some(t) = a
        .controls
        .iter()
        .flat_map(|c| &c.tests)
        .find(|t| t.id == test)
    else {
        bail!("no test `{test}`");
    };
    let Some(s) = &t.sample else {
        bail!(
            "{test} is tested over its whole population ({:?}), not on a sample: {}",
            t.method,
            t.statement
        );
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
                super::tables::csv_field(&i.key),
                i.extension,
                result,
                super::tables::csv_field(&i.notes)
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
        println!("Record results in results/{test}.yaml (see docs/assessment.md).");
    }
    Ok(Outcome::Ok)
}

/// `assay findings [--sync] [--json]`.
pub fn findings(root: &Path, sync: bool, json: bool, catalog: &Catalog) -> anyhow::Result<Outcome> {
    let p = prepare(root, catalog)?;
    let a = run_engine(&p, catalog, None)?;
    let mut created = Vec::new();
    if sync {
        let dir = root.join("findings");
        std::fs::create_dir_all(&dir).context("cannot create findings/")?;
        let today = jiff::tz::Offset::UTC
            .to_datetime(jiff::Timestamp::now())
            .date();
        for f in a.findings.iter().filter(|f| f.triage.is_none()) {
            let days = match f.severity {
                Severity::Critical => 14,
                Severity::High => 30,
                Severity::Medium => 60,
                Severity::Low => 90,
            };
            let due = today
                .checked_add(jiff::Span::new().days(days))
                .unwrap_or(today);
            let path = dir.join(format!("{}.yaml", f.id));
            if path.exists() {
                continue;
            }
            let owner = if f.owner.is_empty() {
                "unassigned"
            } else {
                &f.owner
            };
            let text = assay_engine::triage::new_file(
                &f.id,
                owner,
                due,
                &short(&f.statement, 200).replace('\n', " "),
            );
            std::fs::write(&path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            created.push(format!("findings/{}.yaml", f.id));
        }
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
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(vec![
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
