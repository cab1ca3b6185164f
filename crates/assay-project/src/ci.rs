//! One `assay ci` run: collection (when collectors are configured), every test, the
//! comparison with a baseline (the workspace's last run in `.assay/ci/last.json`, or a given
//! file), the JUnit XML and Markdown summary written where asked, the run kept as the next
//! baseline, and the changes sent by the `[[notify]]` rules.

use crate::notify::{self, Delivery};
use crate::progress::Progress;
use crate::{Project, ProjectError};
use assay_report::ci::{Baseline, CollectorOutcome, Run};
use assay_report::drift::{LateCollector, StaleSource, Watch};
use std::path::{Path, PathBuf};

/// What to run and where to write.
#[derive(Debug, Clone, Default)]
pub struct CiRequest {
    /// Write JUnit XML here.
    pub junit: Option<PathBuf>,
    /// Write the Markdown summary here.
    pub summary: Option<PathBuf>,
    /// Fail only on new failures and new exception keys.
    pub new_only: bool,
    /// Compare with this file instead of the last run.
    pub baseline: Option<PathBuf>,
    /// Run the configured collectors first.
    pub collect: bool,
    /// Only the collectors without a `schedule` of their own.
    pub skip_scheduled: bool,
    /// The build of the running engine: when given, whole-population runs are reused from
    /// `.assay/cache/populations/` where a test's query and tables are unchanged.
    pub build: Option<String>,
}

/// How the run went.
#[derive(Debug)]
pub struct CiDone {
    /// The Markdown summary.
    pub summary: String,
    /// The run's record (`assay.ci/v1`), with the deliveries under `notifications`.
    pub record: serde_json::Value,
    /// Whether a baseline was compared with.
    pub had_baseline: bool,
    /// Where the run was kept for the next one.
    pub kept_in: PathBuf,
    /// Every notification delivery.
    pub deliveries: Vec<Delivery>,
    /// Collectors that failed.
    pub failed_collectors: usize,
    /// Whether the pipeline should fail.
    pub should_fail: bool,
}

fn write(path: &Path, text: &str) -> Result<(), ProjectError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(ProjectError::io(dir))?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(ProjectError::io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(ProjectError::io(path))
}

impl Project {
    /// What a run measures beside the tests: the date, the sources whose newest evidence is
    /// past its time-to-live, and (with `[monitor] collector_sla_hours`) the collectors that
    /// have not succeeded within it, from this run and the monitor's records.
    fn watch(
        &self,
        config: Option<&assay_workspace::config::Config>,
        collectors: &[CollectorOutcome],
        now: jiff::Timestamp,
    ) -> Result<Watch, ProjectError> {
        let today = jiff::tz::TimeZone::UTC.to_datetime(now).date();
        let mut newest: std::collections::BTreeMap<String, &crate::EvidenceRow> =
            std::collections::BTreeMap::new();
        let rows = self.evidence(None)?;
        // Assay's own records (runs, notifications, decisions) are activity, not evidence.
        for r in rows
            .iter()
            .filter(|r| r.stale.is_some() && !r.entry.record.kind.starts_with("assay-"))
        {
            let source = format!(
                "{} from {}",
                r.entry.record.kind, r.entry.record.provenance.system
            );
            newest.insert(source, r);
        }
        let stale = newest
            .into_iter()
            .filter(|(_, r)| r.stale == Some(true))
            .map(|(source, r)| StaleSource {
                source,
                entry: r.entry.seq,
                evidence: r.entry.record.blob.clone(),
                as_of: r
                    .entry
                    .record
                    .effective_to
                    .clone()
                    .unwrap_or_else(|| r.entry.record.collected_at.chars().take(10).collect()),
            })
            .collect();
        let mut late = Vec::new();
        if let Some((cfg, hours)) = config.and_then(|c| {
            c.monitor
                .as_ref()
                .and_then(|m| m.collector_sla_hours)
                .map(|h| (c, h))
        }) {
            let names: Vec<String> = cfg.collectors.iter().map(|c| c.name.clone()).collect();
            let status = crate::monitor::status(&self.monitor_runs()?, &names);
            for name in names {
                if collectors
                    .iter()
                    .any(|c| c.name == name && c.result.is_ok())
                {
                    continue;
                }
                let last_good = status.sources.get(&name).and_then(|s| s.last_good.clone());
                let within = last_good
                    .as_deref()
                    .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                    .is_some_and(|t| now.duration_since(t).as_secs() <= hours as i64 * 3600);
                if !within {
                    late.push(LateCollector {
                        name,
                        last_good,
                        sla_hours: hours,
                    });
                }
            }
        }
        Ok(Watch { today, stale, late })
    }

    fn last_ci_run(&self) -> PathBuf {
        self.root.join(".assay").join("ci").join("last.json")
    }

    fn ci_baseline(&self, given: Option<&Path>) -> Result<Option<Baseline>, ProjectError> {
        let path = match given {
            Some(p) => p.to_path_buf(),
            None => {
                let p = self.last_ci_run();
                if !p.exists() {
                    return Ok(None);
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path).map_err(ProjectError::io(&path))?;
        Baseline::parse(&path.display().to_string(), &text)
            .map(Some)
            .map_err(ProjectError::Invalid)
    }

    /// One `assay ci` run. `env` reads the environment (notification URLs and secrets);
    /// `now` is the caller's clock. A bad baseline is refused before anything runs or is
    /// stored.
    pub fn ci(
        &self,
        req: &CiRequest,
        progress: &dyn Progress,
        env: &dyn Fn(&str) -> Option<String>,
        now: jiff::Timestamp,
    ) -> Result<CiDone, ProjectError> {
        let base = self.ci_baseline(req.baseline.as_deref())?;
        let config = assay_workspace::config::read(&self.root).ok();
        let mut collectors = Vec::new();
        let configured = config
            .as_ref()
            .map(|c| c.collectors.as_slice())
            .unwrap_or_default();
        if req.collect && !configured.is_empty() {
            let runs = if req.skip_scheduled {
                let mut runs = Vec::new();
                for c in configured.iter().filter(|c| c.schedule.is_none()) {
                    runs.extend(self.collect(Some(&c.name), None, now, progress)?.runs);
                }
                runs
            } else {
                self.collect(None, None, now, progress)?.runs
            };
            collectors = runs
                .into_iter()
                .map(|r| CollectorOutcome {
                    name: r.name,
                    result: r.result.map(|report| report.stored),
                })
                .collect();
        }
        let cache = req.build.as_ref().map(|b| {
            crate::reuse::FileCache::new(
                self.root.join(".assay").join("cache").join("populations"),
                b.clone(),
            )
        });
        let a = match &cache {
            Some(c) => {
                let a = self.assess_reusing(c, progress)?;
                c.prune();
                a
            }
            None => self.assess(None, progress)?,
        };
        // The assessment is kept with the ledger head it was computed from.
        let kept_assessment = self.root.join(".assay").join("ci").join("assessment.json");
        let text = serde_json::to_string_pretty(&a)
            .map_err(|e| ProjectError::Invalid(format!("assessment: {e}")))?;
        write(&kept_assessment, &text)?;
        let watch = self.watch(config.as_ref(), &collectors, now)?;
        let run = Run {
            assessment: &a,
            collectors: &collectors,
            baseline: base.as_ref(),
            watch: Some(&watch),
        };
        let summary = assay_report::ci::summary(&run);
        if let Some(path) = &req.junit {
            write(path, &assay_report::ci::junit(&run))?;
        }
        if let Some(path) = &req.summary {
            write(path, &summary)?;
        }
        let mut record = run.record();
        if let Some(c) = &cache {
            let (reused, ran) = c.counts();
            record["populations"] = serde_json::json!({ "reused": reused, "ran": ran });
        }
        let kept_in = self.last_ci_run();
        let text = serde_json::to_string_pretty(&record)
            .map_err(|e| ProjectError::Invalid(format!("ci record: {e}")))?;
        write(&kept_in, &text)?;
        let rules = config.map(|c| c.notify).unwrap_or_default();
        let deliveries = if rules.is_empty() {
            Vec::new()
        } else {
            let header = notify::Header {
                system: &a.system,
                ledger: a.ledger.as_ref(),
            };
            self.notify(&rules, &notify::events(&run), &header, env, now)?
        };
        record["notifications"] = serde_json::to_value(&deliveries).unwrap_or_default();
        Ok(CiDone {
            summary,
            record,
            had_baseline: base.is_some(),
            kept_in,
            failed_collectors: collectors.iter().filter(|c| c.result.is_err()).count(),
            should_fail: run.should_fail(req.new_only),
            deliveries,
        })
    }
}
