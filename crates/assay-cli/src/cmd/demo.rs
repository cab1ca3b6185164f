//! `assay demo`: a complete workspace for a synthetic company (Northwind Analytics), its
//! validation and design coverage, then a year of its evidence through the whole pipeline
//! (the `assay-demo` crate): import, assessment, every report. This file prints.

use crate::cli::DemoArgs;
use crate::output::{self, plural, Style};
use crate::Outcome;
use assay_catalog::Catalog;
use assay_engine::assessment::CriterionResult;
use assay_workspace::Workspace;
use std::path::{Path, PathBuf};

pub fn run(base: PathBuf, args: DemoArgs, catalog: &Catalog) -> anyhow::Result<Outcome> {
    let dir = assay_demo::out_dir(&base, args.out.as_deref())?;
    let opts = assay_demo::options(&args.frameworks);
    let report = assay_workspace::init(&dir, catalog, &opts)?;
    assay_demo::approve_policies(&dir)?;
    let ws = Workspace::load(&dir, catalog);
    let project = super::project(&dir)?;
    let locker = assay_demo::store_policies(&project, &opts)?;
    let quiet = args.json;
    let pipeline = assay_demo::run(
        &project,
        &args.scale,
        args.seed,
        &output::Bars::default(),
        &mut |o, kind| {
            if !quiet {
                let _ = output::import_outcome(o, kind, false);
            }
        },
    )?;
    if args.json {
        output::json(&serde_json::json!({
            "schema": "assay.demo/v1",
            "workspace": dir,
            "organization": opts.organization,
            "period": opts.period,
            "files": report.files.len(),
            "validate": ws.report_json(),
            "locker": locker,
            "pipeline": pipeline.json(),
        }))?;
    } else {
        let color = output::stdout_color();
        println!(
            "{}",
            output::paint(
                "Assay demo: Northwind Analytics, Inc. (SOC 2 Type II, all five categories)",
                Style::Strong,
                color
            )
        );
        println!("Workspace: {}", dir.display());
        println!(
            "  {}, {}, {} systems, {} vendors ({} subservice organizations), {} CUECs",
            plural(report.controls, "control"),
            plural(report.policies, "policy").replace("policys", "policies"),
            ws.inventory.systems.len(),
            ws.inventory.vendors.len(),
            ws.inventory.vendors.iter().filter(|v| v.subservice).count(),
            ws.inventory.cuecs.len(),
        );
        println!("  Period {}\n", opts.period);
        print!("{}", crate::workspace_report::report_text(&ws, color));
        println!(
            "\nEvidence locker: {} policies stored as evidence ({} bytes), checkpoint signed (size {}, root {}..., key {}), {}",
            locker.stored,
            locker.bytes,
            locker.checkpoint_size,
            &locker.root[..16],
            locker.key_id,
            if locker.verified { output::paint("verified", Style::Good, color) } else { output::paint("VERIFY FAILED", Style::Error, color) }
        );
        print_pipeline(&dir, &pipeline, color);
        println!("\nTry: assay -C {d} assess | assay -C {d} test --control ACC-07 | assay -C {d} query \"select count(*) from audit_events\" | assay -C {d} verify", d = dir.display());
    }
    Ok(
        if ws.error_count() > 0 || !locker.verified || !pipeline.exact() {
            Outcome::Findings
        } else {
            Outcome::Ok
        },
    )
}

/// The summary printed at the end of the demo.
fn print_pipeline(dir: &Path, o: &assay_demo::Outcome, color: bool) {
    let a = &o.assessment;
    println!("\n{}", output::paint("Readiness", Style::Strong, color));
    for cat in &a.categories {
        let of = |v: CriterionResult| {
            a.criteria
                .iter()
                .filter(|k| &k.category == cat && k.verdict == v)
                .count()
        };
        let n = of(CriterionResult::NotMet);
        let style = if n > 0 { Style::Error } else { Style::Good };
        println!(
            "  {cat:<22} {} met, {} not met, {} not tested",
            output::paint(&of(CriterionResult::Met).to_string(), Style::Good, color),
            output::paint(&n.to_string(), style, color),
            of(CriterionResult::NotTested)
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
        let statement = assay_project::short(&f.statement, 111);
        println!("    {:<8} {:<12} {statement}", f.severity.as_str(), f.id);
    }
    if !o.fieldwork.written.is_empty() {
        println!(
            "  Fieldwork: {} controls walked through in walkthroughs/; {} imported sources tested for completeness and accuracy in ipe.yaml; populations obtained for {} tests; results recorded for {} sampled tests in results/; deviations of {} tests evaluated in findings/{}",
            o.fieldwork.walkthroughs,
            o.fieldwork.ipe.len(),
            o.fieldwork.obtained,
            o.fieldwork.written.len(),
            o.fieldwork.evaluated.len(),
            match &o.fieldwork.deviation {
                Some((test, key)) => {
                    format!("; one deviation ({test}, {key}), sample extended and tested")
                }
                None => String::new(),
            }
        );
    }
    println!(
        "  Examination {} ({}); draft opinion: {} ({})",
        a.engagement.state.as_str(),
        a.engagement.rule,
        output::paint(a.opinion.kind.as_str(), Style::Strong, color),
        a.opinion.rule
    );
    let hit = o.planted.iter().filter(|(_, f)| *f).count();
    let alarms = o.clean.iter().filter(|(_, f)| *f).count();
    for (label, n, total, ok) in [
        (
            "Planted failures found",
            hit,
            o.planted.len(),
            hit == o.planted.len(),
        ),
        ("Clean items reported", alarms, o.clean.len(), alarms == 0),
    ] {
        let style = if ok { Style::Good } else { Style::Error };
        let tally = output::paint(&format!("{n} of {total}"), style, color);
        println!("  {label}: {tally}");
    }
    for (p, _) in o.planted.iter().filter(|(_, f)| !*f) {
        println!("    missed: {} {}", p.test, p.key);
    }
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
