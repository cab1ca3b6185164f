//! Collection: each configured collector's raw responses go into the locker (redacted by it,
//! with provenance, stamped by the ledger's never-go-backwards clock), and each collector's
//! cursor is kept by the locker for the next run. A failing collector is reported and the
//! others still run.

use crate::progress::{Progress, Unit};
use crate::{Project, ProjectError};
use assay_collect::{Context, Sink, Stored};
use assay_locker::entry::{Provenance, Record};
use assay_locker::Locker;

/// The locker as a collector's sink.
struct LockerSink<'a> {
    locker: &'a mut Locker,
    collector: String,
    system: String,
    batch: String,
    clock: &'a mut dyn FnMut() -> String,
}

impl Sink for LockerSink<'_> {
    fn store(&mut self, item: Stored) -> Result<(), String> {
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
            collected_at: (self.clock)(),
            effective_from: None,
            effective_to: None,
            redactions: Vec::new(),
            params: item.params,
        };
        // The locker redacts the bytes and records what it removed.
        self.locker
            .add(&item.bytes, record)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// One collector's run.
#[derive(Debug)]
pub struct CollectorRun {
    /// Its name in `assay.toml`.
    pub name: String,
    /// What it did, or why it failed.
    pub result: Result<assay_collect::Report, String>,
}

/// Every collector's run, in `assay.toml` order.
#[derive(Debug)]
pub struct Collected {
    /// The runs.
    pub runs: Vec<CollectorRun>,
}

impl Collected {
    /// How many collectors failed.
    pub fn failed(&self) -> usize {
        self.runs.iter().filter(|r| r.result.is_err()).count()
    }
}

/// An error with its causes, "outer: inner: ...".
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(&format!(": {c}"));
        cause = c.source();
    }
    out
}

fn known_kinds() -> String {
    assay_collect::REGISTRY
        .iter()
        .map(|s| s.kind)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Project {
    /// Runs the configured collectors (or only the one named `only`), from `since` when
    /// given, else from each collector's cursor.
    ///
    /// `now` is the caller's clock (the wall clock, or one a test injects): the end of what
    /// is requested, and where retention is counted from. Event logs start at the audit
    /// period's first day unless `since` or a cursor says otherwise.
    pub fn collect(
        &self,
        only: Option<&str>,
        since: Option<jiff::Timestamp>,
        now: jiff::Timestamp,
        progress: &dyn Progress,
    ) -> Result<Collected, ProjectError> {
        let cfg = assay_workspace::config::read(&self.root).map_err(|d| {
            ProjectError::Workspace(format!(
                "assay.toml has errors ({}); run `assay validate`",
                d.first()
                    .map(|d| format!("{}: {}", d.location(), d.message))
                    .unwrap_or_default()
            ))
        })?;
        let collectors: Vec<_> = cfg
            .collectors
            .iter()
            .filter(|c| only.is_none_or(|o| c.name == o))
            .collect();
        if collectors.is_empty() {
            return Err(ProjectError::Invalid(match only {
                Some(o) => format!("no collector named `{o}` in assay.toml"),
                None => format!(
                    "assay.toml configures no collector; add a [[collector]] table (kinds: {})",
                    known_kinds()
                ),
            }));
        }
        let period_start = format!("{}T00:00:00Z", cfg.scope.period.start())
            .parse::<jiff::Timestamp>()
            .ok();
        let mut locker = self.locker_or_create()?;
        let mut cursors = locker.cursors()?;
        let mut clock = crate::clock::after(&locker)?;
        let mut runs = Vec::new();
        for c in collectors {
            let Some(spec) = assay_collect::spec(&c.kind) else {
                runs.push(CollectorRun {
                    name: c.name.clone(),
                    result: Err(format!(
                        "unknown collector kind `{}`; known: {}",
                        c.kind,
                        known_kinds()
                    )),
                });
                continue;
            };
            let mut outcome = || -> Result<assay_collect::Report, String> {
                let collector = (spec.build)(&c.options).map_err(|e| chain(&e))?;
                let batch = format!("collect-{}-{}", c.name, crate::clock::now());
                let mut sink = LockerSink {
                    locker: &mut locker,
                    collector: c.name.clone(),
                    system: c.kind.clone(),
                    batch,
                    clock: &mut clock,
                };
                progress.start(&c.name, 0, Unit::Requests);
                let mut n = 0u64;
                let mut step = |what: &str| {
                    n += 1;
                    progress.update(n, &format!("{}: {what}", c.name));
                };
                let mut cx = Context {
                    sink: &mut sink,
                    cursor: cursors.get(&c.name).cloned(),
                    since,
                    period_start,
                    now,
                    progress: &mut step,
                };
                let report = collector.collect(&mut cx).map_err(|e| chain(&e));
                progress.finish();
                report
            };
            let result = outcome();
            if let Ok(Some(cur)) = result.as_ref().map(|r| &r.cursor) {
                cursors.insert(c.name.clone(), cur.clone());
            }
            runs.push(CollectorRun {
                name: c.name.clone(),
                result,
            });
        }
        locker.save_cursors(&cursors)?;
        Ok(Collected { runs })
    }
}

impl Project {
    /// Warnings for collectors whose API keeps fewer days than have passed since the
    /// audit period began (as of `today`), unless an export of the kind that fills the
    /// older days is in the locker. `assay validate` prints them; `assay assess` then
    /// judges any test that needs the missing days not tested (rule T-SOURCE-GAP).
    pub fn retention_warnings(
        &self,
        today: jiff::civil::Date,
    ) -> Result<Vec<String>, ProjectError> {
        let Ok(cfg) = assay_workspace::config::read(&self.root) else {
            return Ok(Vec::new());
        };
        let start = cfg.scope.period.start();
        let Ok(elapsed) = start.until(today).map(|s| s.get_days()) else {
            return Ok(Vec::new());
        };
        let kinds: Vec<String> = match self.locker_if_any()? {
            Some(l) => l.entries()?.into_iter().map(|e| e.record.kind).collect(),
            None => Vec::new(),
        };
        let mut out = Vec::new();
        for c in &cfg.collectors {
            let Some(r) = assay_collect::spec(&c.kind).and_then(|s| s.retention) else {
                continue;
            };
            if i64::from(elapsed) <= i64::from(r.days) || kinds.iter().any(|k| k == r.export_kind) {
                continue;
            }
            let first_kept = today
                .checked_sub(jiff::Span::new().days(i64::from(r.days)))
                .unwrap_or(today);
            let last_missing = first_kept.yesterday().unwrap_or(first_kept);
            out.push(format!(
                "collector `{}`: {} keeps {} days and the period began {elapsed} days ago, so {start} to {last_missing} cannot be collected; import those days with `assay evidence import FILE --kind {}`, or tests that read them are not tested",
                c.name, r.what, r.days, r.export_kind
            ));
        }
        Ok(out)
    }
}
