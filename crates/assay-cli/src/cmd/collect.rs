//! `assay collect`: runs each configured collector, storing every raw response in the locker
//! (redacted, with provenance), keeping a cursor per collector for the next run. A failing
//! collector is reported and the others still run.

use crate::output::{self, plural, Style};
use crate::Outcome;
use anyhow::Context as _;
use assay_collect::{Context, Sink, Stored};
use assay_locker::entry::{Provenance, Record};
use assay_locker::Locker;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;

struct LockerSink<'a> {
    locker: &'a mut Locker,
    collector: String,
    system: String,
    batch: String,
    /// The ledger's clock: the latest `collected_at` so far, so entries never go back in time
    /// even when the system clock does.
    last: String,
}

impl Sink for LockerSink<'_> {
    fn store(&mut self, item: Stored) -> Result<(), String> {
        let red = assay_locker::redact::redact(&item.bytes, false);
        let now = super::now();
        if now > self.last {
            self.last = now;
        }
        let record = Record {
            blob: String::new(),
            size: 0,
            media_type: "application/json".into(),
            kind: item.kind.to_string(),
            provenance: Provenance {
                agent: format!("collect:{}", self.collector),
                system: self.system.clone(),
                locator: item.locator,
                tool_version: env!("CARGO_PKG_VERSION").into(),
                batch: Some(self.batch.clone()),
            },
            collected_at: self.last.clone(),
            effective_from: None,
            effective_to: None,
            redactions: red.redactions,
            params: item.params,
        };
        self.locker
            .add(&red.bytes, record)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

fn cursors_path(root: &Path) -> std::path::PathBuf {
    Locker::dir_of(root).join("cursors.json")
}

pub fn run(
    root: &Path,
    only: Option<String>,
    since: Option<String>,
    json: bool,
) -> anyhow::Result<Outcome> {
    let cfg = assay_workspace::config::read(root).map_err(|d| {
        anyhow::anyhow!(
            "assay.toml has errors ({}); run `assay validate`",
            d.first()
                .map(|d| format!("{}: {}", d.location(), d.message))
                .unwrap_or_default()
        )
    })?;
    let since = match since {
        Some(s) => {
            let day = super::parse_date("--since", &s)?;
            Some(
                format!("{day}T00:00:00Z")
                    .parse::<jiff::Timestamp>()
                    .context("--since")?,
            )
        }
        None => None,
    };
    let collectors: Vec<_> = cfg
        .collectors
        .iter()
        .filter(|c| only.as_ref().is_none_or(|o| &c.name == o))
        .collect();
    if collectors.is_empty() {
        match &only {
            Some(o) => anyhow::bail!("no collector named `{o}` in assay.toml"),
            None => anyhow::bail!(
                "assay.toml configures no collector; add a [[collector]] table (kinds: {})",
                assay_collect::REGISTRY
                    .iter()
                    .map(|s| s.kind)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
    let mut locker = Locker::open_or_create(root, &super::locker_config(root)?)?;
    let mut cursors: BTreeMap<String, String> = std::fs::read(cursors_path(root))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let color = output::stdout_color();
    let mut results = Vec::new();
    let mut failed = 0;
    for c in collectors {
        let Some(spec) = assay_collect::spec(&c.kind) else {
            failed += 1;
            results.push(json!({"name": c.name, "ok": false, "error": format!("unknown collector kind `{}`; known: {}", c.kind, assay_collect::REGISTRY.iter().map(|s| s.kind).collect::<Vec<_>>().join(", "))}));
            continue;
        };
        let outcome = (|| -> anyhow::Result<assay_collect::Report> {
            let collector = (spec.build)(&c.options)?;
            let last = locker
                .entries()?
                .last()
                .map(|e| e.record.collected_at.clone())
                .unwrap_or_default();
            let mut sink = LockerSink {
                locker: &mut locker,
                collector: c.name.clone(),
                system: c.kind.clone(),
                batch: format!("collect-{}-{}", c.name, super::now()),
                last,
            };
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            let mut progress = |what: &str| bar.set_message(format!("{}: {what}", c.name));
            let mut cx = Context {
                sink: &mut sink,
                cursor: cursors.get(&c.name).cloned(),
                since,
                progress: &mut progress,
            };
            let report = collector.collect(&mut cx)?;
            bar.finish_and_clear();
            Ok(report)
        })();
        match outcome {
            Ok(report) => {
                if let Some(cur) = &report.cursor {
                    cursors.insert(c.name.clone(), cur.clone());
                }
                if !json {
                    println!(
                        "{} {}: stored {} ({} requests)",
                        output::paint("ok", Style::Good, color),
                        c.name,
                        plural(report.stored, "response"),
                        report.requests
                    );
                }
                results.push(json!({"name": c.name, "ok": true, "stored": report.stored, "requests": report.requests, "cursor": report.cursor}));
            }
            Err(e) => {
                failed += 1;
                if !json {
                    println!(
                        "{} {}: {e:#}",
                        output::paint("FAILED", Style::Error, color),
                        c.name
                    );
                }
                results.push(json!({"name": c.name, "ok": false, "error": format!("{e:#}")}));
            }
        }
    }
    let path = cursors_path(root);
    std::fs::write(&path, serde_json::to_vec_pretty(&cursors)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    if json {
        output::json(&json!({"schema": "assay.collect/v1", "collectors": results}))?;
    }
    if failed > 0 {
        anyhow::bail!(
            "{} failed; the others ran and their evidence is stored",
            plural(failed, "collector")
        );
    }
    Ok(Outcome::Ok)
}
