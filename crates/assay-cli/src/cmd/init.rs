//! `assay init`: write a starting workspace, then validate it and show its coverage.

use crate::cli::{AuditTypeArg, InitArgs};
use crate::output::{self, plural, Style};
use crate::Outcome;
use anyhow::bail;
use assay_catalog::Catalog;
use assay_workspace::{InitOptions, Workspace};
use std::path::PathBuf;

pub fn run(base: PathBuf, args: InitArgs, catalog: &Catalog) -> anyhow::Result<Outcome> {
    if args.org.trim().is_empty() {
        bail!("--org must name the organization");
    }
    // The period from the flags, with errors that name the flag.
    let type1 = matches!(args.audit_type, AuditTypeArg::Type1);
    let (as_of, start, end) = (&args.as_of, &args.period_start, &args.period_end);
    let period =
        assay_project::inputs::period(type1, as_of.as_deref(), start.as_deref(), end.as_deref())?;
    let opts = InitOptions {
        organization: args.org.clone(),
        system_name: args.system.clone(),
        system_description: None,
        period,
        categories: assay_project::inputs::categories(&args.categories)?,
        demo_inventory: false,
        frameworks: args.frameworks.clone(),
    };
    let dir = base.join(&args.dir);
    let report = assay_workspace::init(&dir, catalog, &opts)?;
    super::project(&dir)?.locker_or_create()?;
    let ws = Workspace::load(&dir, catalog);
    if args.json {
        output::json(&serde_json::json!({
            "schema": "assay.init/v1",
            "files": report.files,
            "controls": report.controls,
            "policies": report.policies,
            "validate": ws.report_json(),
        }))?;
    } else {
        let color = output::stdout_color();
        println!(
            "{} {} for {} ({}, {})",
            output::paint("Created", Style::Good, color),
            args.dir.display(),
            opts.organization,
            opts.period.audit_type(),
            opts.period
        );
        println!(
            "  {}, {}, inventory templates; {} in all",
            plural(report.controls, "control"),
            plural(report.policies, "policy").replace("policys", "policies"),
            plural(report.files.len(), "file")
        );
        if let Some(cov) = &ws.coverage {
            println!("{}", output::coverage_table(cov, color));
        }
        println!("Next: fill in inventory/ and the system description in assay.toml, then run `assay -C {} validate`.", args.dir.display());
    }
    Ok(if ws.error_count() > 0 {
        Outcome::Findings
    } else {
        Outcome::Ok
    })
}
