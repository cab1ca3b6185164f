//! `assay verify` and `assay checkpoint`.

use crate::output::{self, plural, Style};
use crate::Outcome;
use serde_json::json;
use std::path::Path;

pub fn verify(root: &Path, json: bool) -> anyhow::Result<Outcome> {
    let locker = super::project(root)?.locker()?;
    let report = locker.verify()?;
    if json {
        output::json(&json!({ "schema": "assay.verify/v1", "ok": report.ok(), "report": report }))?;
    } else {
        let color = output::stdout_color();
        output::print_problems(&report.problems, color);
        let summary = format!(
            "{}, {}, {} checked; root {}",
            plural(report.entries as usize, "entry").replace("entrys", "entries"),
            plural(report.blobs as usize, "blob"),
            plural(report.checkpoints as usize, "checkpoint"),
            &report.root
        );
        if report.ok() {
            println!(
                "{} {summary}",
                output::paint("verified:", Style::Good, color)
            );
        } else {
            println!(
                "{} {}; {summary}",
                output::paint("TAMPERED:", Style::Error, color),
                plural(report.problems.len(), "fault")
            );
        }
    }
    Ok(if report.ok() {
        Outcome::Ok
    } else {
        Outcome::Findings
    })
}

pub fn checkpoint(root: &Path, json: bool) -> anyhow::Result<Outcome> {
    let mut locker = super::project(root)?.locker_or_create()?;
    let report = locker.verify()?;
    if !report.ok() {
        anyhow::bail!("the ledger fails verification ({}); run `assay verify` and resolve it before signing a checkpoint", plural(report.problems.len(), "fault"));
    }
    let cp = locker.checkpoint(&assay_project::now())?;
    if json {
        output::json(&json!({ "schema": "assay.checkpoint/v1", "checkpoint": cp }))?;
    } else {
        println!(
            "Signed checkpoint: {} entries, root {}, key {}, at {}",
            cp.size, cp.root, cp.key_id, cp.signed_at
        );
        println!(
            "Public key: {}",
            locker
                .dir()
                .join("keys")
                .join(assay_locker::checkpoint::PUBLIC_FILE)
                .display()
        );
    }
    Ok(Outcome::Ok)
}
