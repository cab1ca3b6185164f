//! `assay evidence add|list|show|cat`: storing files in the locker and reading them back.

use crate::cli::{EvidenceAddArgs, EvidenceCommand};
use crate::output::{self, plural, Style};
use crate::Outcome;
use anyhow::{bail, Context};
use assay_catalog::Catalog;
use assay_locker::entry::Entry;
use assay_locker::import::{self, ImportMeta};
use assay_locker::Locker;
use assay_workspace::Workspace;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::io::Write;
use std::path::Path;

pub fn run(root: &Path, cmd: EvidenceCommand, catalog: &Catalog) -> anyhow::Result<Outcome> {
    match cmd {
        EvidenceCommand::Add(args) => add(root, args),
        EvidenceCommand::Import(args) => super::import::import(root, args),
        EvidenceCommand::List { kind, json } => list(root, kind, json, catalog),
        EvidenceCommand::Show { id, json } => show(root, &id, json),
        EvidenceCommand::Cat { id } => {
            let locker = Locker::open(root, &super::locker_config(root)?)?;
            let entry = locker.find(&id)?;
            let bytes = locker.content(&entry)?;
            std::io::stdout()
                .write_all(&bytes)
                .context("cannot write to standard output")?;
            Ok(Outcome::Ok)
        }
    }
}

fn valid_kind(kind: &str) -> bool {
    !kind.is_empty()
        && kind
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !kind.starts_with('-')
}

/// `--effective DATE` or `START..END` into (from, to).
pub(super) fn effective(arg: &Option<String>) -> anyhow::Result<(Option<String>, Option<String>)> {
    let Some(text) = arg else {
        return Ok((None, None));
    };
    let (a, b) = text.split_once("..").unwrap_or((text, text));
    let from = super::parse_date("--effective", a)?;
    let to = super::parse_date("--effective", b)?;
    if to < from {
        bail!("--effective {text}: the span ends before it starts");
    }
    Ok((Some(from.to_string()), Some(to.to_string())))
}

fn add(root: &Path, args: EvidenceAddArgs) -> anyhow::Result<Outcome> {
    if !valid_kind(&args.kind) {
        bail!(
            "--kind {}: use lowercase letters, digits and dashes, e.g. document, hr-roster",
            args.kind
        );
    }
    let (effective_from, effective_to) = effective(&args.effective)?;
    let plan = match import::plan(&args.paths) {
        Ok(p) => p,
        Err(problems) => {
            for p in &problems {
                eprintln!(
                    "{} {p}",
                    output::paint("error:", Style::Error, output::stderr_color())
                );
            }
            bail!(
                "{} in the input; nothing was stored",
                plural(problems.len(), "problem")
            );
        }
    };
    let mut locker = Locker::open_or_create(root, &super::locker_config(root)?)?;
    let mut now = clock_after(&locker)?;
    let bar = bytes_bar(plan.total_bytes, "storing");
    let files = plan.files.len();
    let meta = ImportMeta {
        kind: args.kind.clone(),
        agent: "evidence-add".into(),
        system: args.source.clone(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        effective_from,
        effective_to,
        keep_secret_hashes: args.keep_secret_hashes,
        observation: args.new_observation.then(super::now),
        params: Default::default(),
    };
    let summary = locker.import(&plan, &meta, &mut now, &mut |p| {
        bar.set_position(p.bytes_done);
        bar.set_message(format!("{}/{files} files", p.files_done));
    })?;
    bar.finish_and_clear();
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

/// Whether an entry is stale for the workspace's audit, when that can be judged.
fn stale(entry: &Entry, ws: &Workspace) -> Option<bool> {
    let cfg = ws.config.as_ref()?;
    let ttl = cfg.ttl_days(&entry.record.kind)?;
    let as_of = match &entry.record.effective_to {
        Some(d) => d.parse().ok()?,
        // collected_at is RFC 3339 in UTC: its first ten characters are the UTC date.
        None => entry.record.collected_at.get(..10)?.parse().ok()?,
    };
    Some(assay_core::freshness::is_stale(
        as_of,
        ttl,
        cfg.scope.period.end(),
    ))
}

fn list(
    root: &Path,
    kind: Option<String>,
    json: bool,
    catalog: &Catalog,
) -> anyhow::Result<Outcome> {
    let locker = match Locker::open(root, &super::locker_config(root)?) {
        Ok(l) => l,
        Err(assay_locker::LockerError::NoLocker(_)) => {
            if json {
                output::json(&json!({ "schema": "assay.evidence-list/v1", "entries": [] }))?;
            } else {
                println!("No evidence yet. Store some with `assay evidence add PATH --kind KIND`.");
            }
            return Ok(Outcome::Ok);
        }
        Err(e) => return Err(e.into()),
    };
    let ws = Workspace::load(root, catalog);
    let entries: Vec<Entry> = locker
        .entries()?
        .into_iter()
        .filter(|e| kind.as_ref().is_none_or(|k| &e.record.kind == k))
        .collect();
    if json {
        let rows: Vec<_> = entries
            .iter()
            .map(|e| json!({ "entry": e, "stale": stale(e, &ws) }))
            .collect();
        output::json(&json!({ "schema": "assay.evidence-list/v1", "entries": rows }))?;
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
    for e in &entries {
        let r = &e.record;
        let fresh = match stale(e, &ws) {
            Some(true) => {
                stale_count += 1;
                output::paint("stale", Style::Warning, color)
            }
            Some(false) => "ok".into(),
            None => "-".into(),
        };
        let speaks = match (&r.effective_from, &r.effective_to) {
            (Some(a), Some(b)) if a == b => a.clone(),
            (Some(a), Some(b)) => format!("{a}..{b}"),
            _ => "-".into(),
        };
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
        plural(entries.len(), "entry").replace("entrys", "entries"),
        if stale_count > 0 {
            format!("; {stale_count} stale for the audit period")
        } else {
            String::new()
        }
    );
    Ok(Outcome::Ok)
}

fn show(root: &Path, id: &str, json: bool) -> anyhow::Result<Outcome> {
    let locker = Locker::open(root, &super::locker_config(root)?)?;
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

/// A clock for new entries: now, but never before the ledger's last entry (so collection
/// times never go backwards when the system clock does).
pub(super) fn clock_after(locker: &Locker) -> anyhow::Result<impl FnMut() -> String> {
    let mut last = locker
        .entries()?
        .last()
        .map(|e| e.record.collected_at.clone())
        .unwrap_or_default();
    Ok(move || {
        let t = super::now();
        if t > last {
            last = t;
        }
        last.clone()
    })
}

/// A progress bar over bytes, shown only on a terminal.
pub(super) fn bytes_bar(total: u64, verb: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(&format!("{{spinner}} {verb} [{{bar:30}}] {{bytes}}/{{total_bytes}} {{bytes_per_sec}} eta {{eta}} {{msg}}"))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
