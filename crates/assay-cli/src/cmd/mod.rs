//! One module per command; `run` dispatches.

mod assess;
mod bundle;
mod catalog;
mod ci;
mod collect;
mod demo;
mod evidence;
mod history;
mod import;
mod init;
mod monitor;
mod questionnaire;
mod report;
mod serve;
mod tables;
mod validate;
mod verify;

use crate::cli::{Cli, Command};
use crate::Outcome;
use anyhow::{bail, Context};
use std::path::PathBuf;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    // Like `git -C`: every relative path on the command line is then relative to DIR.
    if let Some(dir) = &cli.chdir {
        if !dir.is_dir() {
            bail!("-C {}: no such directory", dir.display());
        }
        std::env::set_current_dir(dir)
            .with_context(|| format!("-C {}: cannot enter the directory", dir.display()))?;
    }
    let cli = Cli { chdir: None, ..cli };
    let catalog = assay_catalog::Catalog::embedded()?;
    match cli.command {
        Command::Init(args) => init::run(base_dir(&cli.chdir)?, args, catalog),
        Command::Validate(args) => validate::run(&workspace_root(&cli.chdir)?, args, catalog),
        Command::Catalog(c) => catalog::run(c, catalog),
        Command::Demo(args) => demo::run(base_dir(&cli.chdir)?, args, catalog),
        Command::Evidence(c) => evidence::run(&workspace_root(&cli.chdir)?, c),
        Command::Verify { json } => verify::verify(&workspace_root(&cli.chdir)?, json),
        Command::Bundle(c) => bundle::run(&cli.chdir, c),
        Command::Collect { only, since, json } => {
            collect::run(&workspace_root(&cli.chdir)?, only, since, json)
        }
        Command::Tables {
            schema,
            json,
            export,
        } => tables::tables(
            &workspace_root(&cli.chdir)?,
            schema,
            json,
            export.as_deref(),
        ),
        Command::Query { sql, json, csv } => {
            tables::query(&workspace_root(&cli.chdir)?, &sql, json, csv)
        }
        Command::Test {
            control,
            json,
            populations,
        } => assess::test(
            &workspace_root(&cli.chdir)?,
            control.as_deref(),
            json,
            populations.as_deref(),
        ),
        Command::Assess { json } => assess::assess(&workspace_root(&cli.chdir)?, json),
        Command::Sample { test, json, csv } => {
            assess::sample(&workspace_root(&cli.chdir)?, &test, json, csv)
        }
        Command::Findings { sync, json } => {
            assess::findings(&workspace_root(&cli.chdir)?, sync, json)
        }
        Command::Report {
            kind,
            format,
            out,
            from,
        } => report::run(
            &workspace_root(&cli.chdir)?,
            &kind,
            format.as_deref(),
            out.as_deref(),
            from.as_deref(),
        ),
        Command::Ci {
            junit,
            summary,
            new_only,
            baseline,
            no_collect,
            skip_scheduled_collectors,
            fresh,
            json,
        } => ci::run(
            &workspace_root(&cli.chdir)?,
            &assay_project::ci::CiRequest {
                junit,
                summary,
                new_only,
                baseline,
                collect: !no_collect,
                skip_scheduled: skip_scheduled_collectors,
                build: if fresh { None } else { ci::build_id() },
            },
            json,
        ),
        Command::Monitor { runs, json } => monitor::run(&workspace_root(&cli.chdir)?, runs, json),
        Command::History {
            test,
            replay,
            from,
            svg,
            json,
        } => {
            let root = workspace_root(&cli.chdir)?;
            match (replay, test) {
                (true, test) => history::replay(&root, test.as_deref(), from.as_deref(), svg.as_deref(), json),
                (false, Some(test)) => monitor::history(&root, &test, json),
                (false, None) => Err(anyhow::anyhow!(
                    "assay history needs a TEST (e.g. `assay history CHG-01.1`), or --replay for every control"
                )),
            }
        }
        Command::Checkpoint { json } => verify::checkpoint(&workspace_root(&cli.chdir)?, json),
        Command::Questionnaire(c) => questionnaire::run(&workspace_root(&cli.chdir)?, c),
        Command::Policy(c) => questionnaire::policy(&workspace_root(&cli.chdir)?, c),
        Command::Vendor(c) => questionnaire::vendor(&workspace_root(&cli.chdir)?, c),
        Command::Serve(args) => serve::run(&workspace_root(&cli.chdir)?, args, catalog),
    }
}

/// The folder commands start from: `-C DIR` or the current directory.
fn base_dir(dir: &Option<PathBuf>) -> anyhow::Result<PathBuf> {
    match dir {
        Some(d) => {
            if !d.is_dir() {
                bail!("-C {}: no such directory", d.display());
            }
            Ok(d.clone())
        }
        None => std::env::current_dir().context("cannot read the current directory"),
    }
}

/// The workspace root, searched upward from the base folder.
fn workspace_root(dir: &Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let base = base_dir(dir)?;
    let abs = std::path::absolute(&base).unwrap_or(base);
    match assay_workspace::find_root(&abs) {
        Some(root) => Ok(root),
        None => bail!(
            "no assay.toml in {} or any parent folder; run `assay init DIR --org NAME --type type2 ...` to create a workspace, or pass -C DIR",
            abs.display()
        ),
    }
}

/// The workspace at `root` as a pipeline project, with the auditor's sampling secret from
/// `ASSAY_SAMPLE_SECRET` when it is set.
fn project(root: &std::path::Path) -> anyhow::Result<assay_project::Project> {
    Ok(
        assay_project::Project::open(root, assay_catalog::Catalog::embedded()?)?
            .with_sample_secret(std::env::var("ASSAY_SAMPLE_SECRET").ok()),
    )
}
