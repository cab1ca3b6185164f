//! `assay evidence add|list|show|cat`: storing files in the locker and reading them back.

use crate::cli::{EvidenceAddArgs, EvidenceCommand};
use crate::output::{self, plural, Style};
use crate::Outcome;
use anyhow::Context;
use assay_project::AddRequest;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use serde_json::json;
use std::io::Write;
use std::path::Path;

pub fn run(root: &Path, cmd: EvidenceCommand) -> anyhow::Result<Outcome> {
    match cmd {
        EvidenceCommand::Add(args) => add(root, args),
        EvidenceCommand::Import(args) => super::import::import(root, args),
        EvidenceCommand::List { kind, json } => list(root, kind, json),
        EvidenceCommand::Show { id, json } => show(root, &id, json),
        EvidenceCommand::Cat { id } => {
            let locker = super::project(root)?.locker()?;
            let entry = locker.find(&id)?;
            let bytes = locker.content(&entry)?;
            std::io::stdout()
                .write_all(&bytes)
                .context("cannot write to standard output")?;
            Ok(Outcome::Ok)
        }
    }
}

fn add(root: &Path, args: EvidenceAddArgs) -> anyhow::Result<Outcome> {
    let req = AddRequest {
        effective: assay_project::inputs::effective("--effective", args.effective.as_deref())?,
        kind: args.kind.clone(),
        paths: args.paths.clone(),
        source: args.source.clone(),
        keep_secret_hashes: args.keep_secret_hashes,
        new_observation: args.new_observation,
        relabel: None,
    };
    let summary = super::project(root)?
        .add(&req, &output::Bars::default())
        .map_err(output::rejected)?;
    let secrets: usize = summary
        .added
        .iter()
        .map(|e| e.record.redactions.len())
        .sum();
    let redacted_files = summary
        .added
        .iter()
        .filter(|e| !e.record.redactions.is_empty())
        .count();
    if args.json {
        output::json(&json!({
            "schema": "assay.evidence-add/v1",
            "batch": summary.batch,
            "added": summary.added,
            "already_stored": summary.already_stored,
        }))?;
    } else {
        let color = output::stdout_color();
        let bytes: u64 = summary.added.iter().map(|e| e.record.size).sum();
        if summary.added.is_empty() {
            println!(
                "Nothing new to store: all {} were stored by batch {} already (--new-observation records them again)",
                plural(summary.already_stored, "file"),
                summary.batch
            );
            return Ok(Outcome::Ok);
        }
        println!(
            "{} {} ({} bytes) as `{}` in batch {}",
            output::paint("Stored", Style::Good, color),
            plural(summary.added.len(), "file"),
            bytes,
            args.kind,
            summary.batch
        );
        if let (Some(first), Some(last)) = (summary.added.first(), summary.added.last()) {
            println!("  entries #{} to #{}", first.seq, last.seq);
        }
        if summary.already_stored > 0 {
            println!(
                "  {} already stored by this batch (an earlier run); not stored again",
                plural(summary.already_stored, "file")
            );
        }
        if secrets > 0 {
            println!(
                "  {} redacted before storage in {}; `assay evidence show ID` lists them",
                plural(secrets, "secret"),
                plural(redacted_files, "file")
            );
        }
    }
    Ok(Outcome::Ok)
}

fn list(root: &Path, kind: Option<String>, json: bool) -> anyhow::Result<Outcome> {
    let p = super::project(root)?;
    let empty = p.locker_if_any()?.is_none();
    let rows = p.evidence(kind.as_deref())?;
    if json {
        output::json(&json!({ "schema": "assay.evidence-list/v1", "entries": rows }))?;
        return Ok(Outcome::Ok);
    }
    if empty {
        println!("No evidence yet. Store some with `assay evidence add PATH --kind KIND`.");
        return Ok(Outcome::Ok);
    }
    let color = output::stdout_color();
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec![
        "#",
        "kind",
        "source",
        "file",
        "bytes",
        "collected",
        "speaks for",
        "blob",
        "fresh",
    ]);
    let mut stale_count = 0;
    for row in &rows {
        let (e, r) = (&row.entry, &row.entry.record);
        let fresh = match row.stale {
            Some(true) => {
                stale_count += 1;
                output::paint("stale", Style::Warning, color)
            }
            Some(false) => "ok".into(),
            None => "-".into(),
        };
        let speaks = row.speaks_for().unwrap_or_else(|| "-".into());
        let redacted = if r.redactions.is_empty() {
            String::new()
        } else {
            format!(" ({} redacted)", r.redactions.len())
        };
        t.add_row(vec![
            e.seq.to_string(),
            r.kind.clone(),
            r.provenance.system.clone(),
            format!("{}{redacted}", r.provenance.locator),
            r.size.to_string(),
            r.collected_at.chars().take(19).collect(),
            speaks,
            r.blob[..12].to_string(),
            fresh,
        ]);
    }
    println!("{t}");
    println!(
        "{}{}",
        plural(rows.len(), "entry").replace("entrys", "entries"),
        if stale_count > 0 {
            format!("; {stale_count} stale for the audit period")
        } else {
            String::new()
        }
    );
    Ok(Outcome::Ok)
}

fn show(root: &Path, id: &str, json: bool) -> anyhow::Result<Outcome> {
    let locker = super::project(root)?.locker()?;
    let e = locker.find(id)?;
    if json {
        output::json(&json!({ "schema": "assay.evidence/v1", "entry": e }))?;
        return Ok(Outcome::Ok);
    }
    let r = &e.record;
    println!("entry #{}", e.seq);
    println!("  kind          {}", r.kind);
    println!(
        "  blob          sha256:{} ({} bytes, {})",
        r.blob, r.size, r.media_type
    );
    println!(
        "  source        {} via {} {}",
        r.provenance.system, r.provenance.agent, r.provenance.tool_version
    );
    println!("  file          {}", r.provenance.locator);
    if let Some(b) = &r.provenance.batch {
        println!("  batch         {b}");
    }
    println!("  collected at  {}", r.collected_at);
    if let (Some(a), Some(b)) = (&r.effective_from, &r.effective_to) {
        println!(
            "  speaks for    {a}{}",
            if a == b {
                String::new()
            } else {
                format!(" to {b}")
            }
        );
    }
    println!("  previous      {}", e.prev);
    for x in &r.redactions {
        println!(
            "  redacted      {} at byte {} ({} bytes){}",
            x.kind,
            x.offset,
            x.length,
            x.original_sha256
                .as_ref()
                .map(|h| format!(", sha256 {h}"))
                .unwrap_or_default()
        );
    }
    Ok(Outcome::Ok)
}
