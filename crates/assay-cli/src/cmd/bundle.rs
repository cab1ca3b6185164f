//! `assay bundle export|verify`: evidence that travels and verifies offline.

use super::{base_dir, parse_date, workspace_root};
use crate::cli::BundleCommand;
use crate::output::{self, plural, Style};
use crate::Outcome;
use anyhow::{bail, Context};
use assay_catalog::Catalog;
use assay_locker::bundle::Bundle;
use assay_locker::Locker;
use assay_workspace::Workspace;
use serde_json::json;
use std::path::PathBuf;

pub fn run(
    chdir: &Option<PathBuf>,
    cmd: BundleCommand,
    catalog: &Catalog,
) -> anyhow::Result<Outcome> {
    match cmd {
        BundleCommand::Export { out, period, json } => {
            let root = workspace_root(chdir)?;
            let span = match &period {
                Some(p) => {
                    let (a, b) = p
                        .split_once("..")
                        .context("--period takes START..END, e.g. 2026-01-01..2026-06-30")?;
                    let (a, b) = (parse_date("--period", a)?, parse_date("--period", b)?);
                    if b < a {
                        bail!("--period {p}: ends before it starts");
                    }
                    Some((a.to_string(), b.to_string()))
                }
                None => None,
            };
            let mut locker = Locker::open(&root, &super::locker_config(&root)?)?;
            let report = locker.verify()?;
            if !report.ok() {
                bail!(
                    "the locker fails verification ({}); run `assay verify` before exporting",
                    plural(report.problems.len(), "fault")
                );
            }
            let org = Workspace::load(&root, catalog)
                .config
                .map(|c| c.scope.organization)
                .unwrap_or_default();
            let bundle = locker.export_bundle(&org, span, &super::now())?;
            let path = base_dir(chdir)?.join(&out);
            bundle.write(&path)?;
            let m = &bundle.manifest;
            let cp = m.checkpoints.last();
            if json {
                output::json(&json!({
                    "schema": "assay.bundle-export/v1",
                    "file": path,
                    "entries": m.entries.len(),
                    "included": m.included.len(),
                    "blobs": bundle.blobs.len(),
                    "checkpoint": cp,
                }))?;
            } else {
                println!(
                    "Wrote {}: {} with evidence ({}) of {} in the ledger",
                    path.display(),
                    plural(m.included.len(), "entry").replace("entrys", "entries"),
                    plural(bundle.blobs.len(), "blob"),
                    m.entries.len()
                );
                if let Some(cp) = cp {
                    println!(
                        "Checkpoint: size {} root {} key {}",
                        cp.size, cp.root, cp.key_id
                    );
                    println!("Give the recipient the key id out of band; they run `assay bundle verify {}`.", out.display());
                }
            }
            Ok(Outcome::Ok)
        }
        BundleCommand::Verify {
            file,
            recorded,
            json,
        } => {
            let path = base_dir(chdir)?.join(&file);
            let recorded = match &recorded {
                Some(r) => {
                    let (size, root) = r
                        .split_once(':')
                        .context("--recorded takes SIZE:ROOT, as `assay checkpoint` prints them")?;
                    Some((
                        size.trim()
                            .parse::<u64>()
                            .context("--recorded: SIZE must be a number")?,
                        root.trim().to_ascii_lowercase(),
                    ))
                }
                None => None,
            };
            let bundle = Bundle::read(&path)?;
            let report = bundle.verify(recorded)?;
            let m = &bundle.manifest;
            let key_id = assay_locker::checkpoint::Keys::public_from_hex(&m.public_key)
                .map(|k| k.key_id())
                .unwrap_or_default();
            if json {
                output::json(&json!({
                    "schema": "assay.bundle-verify/v1",
                    "ok": report.ok(),
                    "organization": m.organization,
                    "period": m.period,
                    "key_id": key_id,
                    "included": m.included.len(),
                    "report": report,
                }))?;
            } else {
                let color = output::stdout_color();
                super::verify::print_problems(&report.problems, color);
                println!(
                    "{} bundle from {} ({}), signed by key {key_id}",
                    if report.ok() {
                        output::paint("verified:", Style::Good, color)
                    } else {
                        output::paint("TAMPERED:", Style::Error, color)
                    },
                    if m.organization.is_empty() {
                        "an unnamed organization"
                    } else {
                        &m.organization
                    },
                    m.period.as_deref().unwrap_or("all evidence"),
                );
                println!(
                    "  {} in the ledger, {} with evidence, {} checked; compare the key id with the one the organization gave you",
                    m.entries.len(),
                    m.included.len(),
                    plural(report.checkpoints as usize, "checkpoint")
                );
            }
            Ok(if report.ok() {
                Outcome::Ok
            } else {
                Outcome::Findings
            })
        }
    }
}
