//! `assay demo`: a complete workspace for a synthetic company (Northwind Analytics), its
//! validation and design coverage, then a year of its evidence through the whole pipeline
//! (`demo_pipeline.rs`): import, assessment, every report.

use crate::cli::DemoArgs;
use crate::output::{self, plural, Style};
use crate::Outcome;
use anyhow::{bail, Context};
use assay_catalog::Catalog;
use assay_core::{AuditPeriod, Category};
use assay_workspace::{InitOptions, Workspace};
use jiff::civil::date;
use std::path::PathBuf;

/// The demo company and its audit: fixed, so every run gives the same workspace.
fn demo_options() -> InitOptions {
    InitOptions {
        organization: "Northwind Analytics, Inc.".into(),
        system_name: Some("Northwind Insights".into()),
        system_description: Some(
            "Northwind Insights is a multi-tenant analytics service. Customers send product events \
             through an ingestion API; a data pipeline validates, enriches and loads them into a \
             warehouse, and customers explore the results in a web application and scheduled reports. \
             The system runs on Amazon Web Services in us-east-1 with recovery in us-west-2; \
             the workforce signs in through Okta, code lives in GitHub, and laptops are managed by MDM."
                .into(),
        ),
        period: AuditPeriod::Type2 { start: date(2026, 1, 1), end: date(2026, 9, 30) },
        categories: Category::ALL.to_vec(),
        demo_inventory: true,
    }
}

pub fn run(base: PathBuf, args: DemoArgs, catalog: &Catalog) -> anyhow::Result<Outcome> {
    let dir = match &args.out {
        Some(out) => {
            let dir = base.join(out);
            if dir.exists()
                && dir
                    .read_dir()
                    .with_context(|| format!("cannot read {}", dir.display()))?
                    .next()
                    .is_some()
            {
                bail!(
                    "--out {}: the folder is not empty; choose a new or empty folder",
                    out.display()
                );
            }
            dir
        }
        None => tempfile::Builder::new()
            .prefix("assay-demo-")
            .tempdir()
            .context("cannot create a temporary folder")?
            .keep(),
    };
    let opts = demo_options();
    let report = assay_workspace::init(&dir, catalog, &opts)?;
    let ws = Workspace::load(&dir, catalog);
    let locker = store_policies(&dir, &opts)?;
    let pipeline = super::demo_pipeline::run(&dir, &args.scale, args.seed, args.json, catalog)?;
    if args.json {
        output::json(&serde_json::json!({
            "schema": "assay.demo/v1",
            "workspace": dir,
            "organization": opts.organization,
            "period": opts.period,
            "files": report.files.len(),
            "validate": super::validate::report_json(&ws),
            "locker": locker,
            "pipeline": super::demo_pipeline::json(&pipeline),
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
        print!("{}", super::validate::report_text(&ws, color));
        println!(
            "\nEvidence locker: {} policies stored as evidence ({} bytes), checkpoint signed (size {}, root {}..., key {}), {}",
            locker.stored,
            locker.bytes,
            locker.checkpoint_size,
            &locker.root[..16],
            locker.key_id,
            if locker.verified { output::paint("verified", Style::Good, color) } else { output::paint("VERIFY FAILED", Style::Error, color) }
        );
        super::demo_pipeline::print(&dir, &pipeline, color);
        println!("\nTry: assay -C {d} assess | assay -C {d} test --control ACC-07 | assay -C {d} query \"select count(*) from audit_events\" | assay -C {d} verify", d = dir.display());
    }
    let missed = pipeline.planted.iter().any(|(_, found)| !*found);
    let false_alarm = pipeline.clean.iter().any(|(_, reported)| *reported);
    Ok(
        if ws.error_count() > 0 || !locker.verified || missed || false_alarm {
            Outcome::Findings
        } else {
            Outcome::Ok
        },
    )
}

/// What the demo put in the locker.
#[derive(serde::Serialize)]
struct LockerSummary {
    stored: usize,
    bytes: u64,
    checkpoint_size: u64,
    root: String,
    key_id: String,
    verified: bool,
}

/// Stores the workspace's policies as evidence (they speak for the period end), signs a
/// checkpoint and verifies the locker, as a first look at the evidence trail.
fn store_policies(dir: &std::path::Path, opts: &InitOptions) -> anyhow::Result<LockerSummary> {
    use assay_locker::import::{self, ImportMeta};
    let mut locker = assay_locker::Locker::open_or_create(dir, &super::locker_config(dir)?)?;
    let plan = import::plan(&[dir.join("policies")]).map_err(|p| {
        anyhow::anyhow!(
            "{}",
            p.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        )
    })?;
    let end = opts.period.end().to_string();
    let meta = ImportMeta {
        kind: "policy".into(),
        agent: "demo".into(),
        system: "workspace".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        effective_from: Some(end.clone()),
        effective_to: Some(end),
        keep_secret_hashes: false,
        observation: None,
        params: Default::default(),
    };
    let summary = locker.import(&plan, &meta, &mut super::now, &mut |_| {})?;
    let cp = locker.checkpoint(&super::now())?;
    let verified = locker.verify()?.ok();
    Ok(LockerSummary {
        stored: summary.added.len(),
        bytes: summary.added.iter().map(|e| e.record.size).sum(),
        checkpoint_size: cp.size,
        root: cp.root,
        key_id: cp.key_id,
        verified,
    })
}
