//! `assay init`: write a starting workspace, then validate it and show its coverage.

use super::{parse_categories, parse_date};
use crate::cli::{AuditTypeArg, InitArgs};
use crate::output::{self, plural, Style};
use crate::Outcome;
use anyhow::bail;
use assay_catalog::Catalog;
use assay_core::AuditPeriod;
use assay_workspace::{InitOptions, Workspace};
use std::path::PathBuf;

/// The period from the flags, with errors that name the flag.
fn period(args: &InitArgs) -> anyhow::Result<AuditPeriod> {
    match args.audit_type {
        AuditTypeArg::Type1 => {
            let Some(d) = &args.as_of else {
                bail!("a Type I audit needs --as-of DATE (the date the design is judged as of)");
            };
            Ok(AuditPeriod::Type1 {
                as_of: parse_date("--as-of", d)?,
            })
        }
        AuditTypeArg::Type2 => {
            let (Some(s), Some(e)) = (&args.period_start, &args.period_end) else {
                bail!("a Type II audit needs --period-start DATE and --period-end DATE (3 to 12 months)");
            };
            let (start, end) = (
                parse_date("--period-start", s)?,
                parse_date("--period-end", e)?,
            );
            if end < start {
                bail!("--period-end {end} is before --period-start {start}");
            }
            Ok(AuditPeriod::Type2 { start, end })
        }
    }
}

pub fn run(base: PathBuf, args: InitArgs, catalog: &Catalog) -> anyhow::Result<Outcome> {
    if args.org.trim().is_empty() {
        bail!("--org must name the organization");
    }
    let opts = InitOptions {
        organization: args.org.clone(),
        system_name: args.system.clone(),
        system_description: None,
        period: period(&args)?,
        categories: parse_categories(&args.categories)?,
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
            "validate": crate::workspace_report::report_json(&ws),
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
