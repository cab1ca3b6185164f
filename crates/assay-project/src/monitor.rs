//! Scheduled runs and their records: every run of the monitor's schedule, whatever its
//! outcome, becomes one ledger entry of kind `assay-monitor-run` (when it was due, when it
//! started and ended, the outcome, the ledger before and after). A run is recorded once, when
//! it ends; a run the process did not live to finish is found at the next start (its marker
//! is still on disk) and recorded as `interrupted`; scheduled times that passed while nothing
//! ran are recorded as `missed`. So a gap in the schedule is always visible in the ledger.

use crate::{Project, ProjectError};
use assay_core::cron::Cron;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The ledger kind of run records.
pub const KIND: &str = "assay-monitor-run";

/// Missed times listed in one record (the count is always exact).
const MISSED_LISTED: usize = 100;

/// A delay in `0..=max` seconds before a run due at `due`: spread by workspace and time,
/// and the same on every restart (derived from both, not drawn at random).
pub fn jitter(root: &std::path::Path, due: Timestamp, max_seconds: u64) -> std::time::Duration {
    use sha2::{Digest, Sha256};
    if max_seconds == 0 {
        return std::time::Duration::ZERO;
    }
    let h = Sha256::digest(format!("{}\n{due}", root.display()));
    let n = u64::from_be_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]);
    std::time::Duration::from_millis(n % (max_seconds * 1000 + 1))
}

/// How a scheduled run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Collection and tests ran; nothing failed.
    Ok,
    /// Collection and tests ran; a test or a collector failed.
    Failing,
    /// The run could not complete (a bad workspace, a broken ledger).
    Error,
    /// The run exceeded its timeout and was ended.
    TimedOut,
    /// The process ended during the run (found at the next start).
    Interrupted,
    /// Scheduled times at which nothing ran (found at the next start).
    Missed,
}

/// One record in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The schedule (cron text).
    pub schedule: String,
    /// For a collector with a schedule of its own, its name; none for the suite's runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// When the run was due (for `missed`, the last missed time).
    pub scheduled_for: String,
    /// When it started, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
    /// When it ended, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// Ledger size before and after the run (what it stored is the entries in between).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger_before: Option<u64>,
    /// Ledger size after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger_after: Option<u64>,
    /// Failing tests, when the run completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_tests: Option<usize>,
    /// What went wrong, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// For `missed`: how many times were missed, and the first ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missed_count: Option<usize>,
    /// For `missed`: the first missed times.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missed: Vec<String>,
    /// For a completed run: every test's result and exception count (the history).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tests: BTreeMap<String, TestState>,
    /// For a completed run: each collector that ran, `ok` or why it failed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub collectors: BTreeMap<String, String>,
}

/// One test's state in one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestState {
    /// Its result, e.g. `not-effective`.
    pub result: assay_engine::Verdict,
    /// How many rows failed.
    pub exceptions: usize,
}

/// One point of a test's history: a scheduled run and the test's state in it (none when
/// the run did not complete or was missed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Point {
    /// When the run was due.
    pub at: String,
    /// How the run ended.
    pub outcome: Outcome,
    /// The test's state, when the run completed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<TestState>,
    /// `started-failing` or `recovered` against the last completed run before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<&'static str>,
}

/// What a history comes to: completed runs, how many the test failed in, and runs without a
/// result (missed, interrupted or failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistorySummary {
    /// Runs that completed with a result for the test.
    pub completed: usize,
    /// Of those, runs where it failed.
    pub failing: usize,
    /// Points without a result.
    pub gaps: usize,
}

/// Sums up a history.
pub fn summary(points: &[Point]) -> HistorySummary {
    let states: Vec<&TestState> = points.iter().filter_map(|p| p.state.as_ref()).collect();
    HistorySummary {
        completed: states.len(),
        failing: states
            .iter()
            .filter(|s| assay_report::ci::fails(s.result))
            .count(),
        gaps: points.len() - states.len(),
    }
}

/// A test's history over the recorded runs, oldest first.
pub fn history(runs: &[RunRecord], test: &str) -> Vec<Point> {
    let mut out = Vec::new();
    let mut was_failing: Option<bool> = None;
    for r in runs.iter().filter(|r| r.source.is_none()) {
        let state = r.tests.get(test).cloned();
        let mut change = None;
        if let Some(s) = &state {
            let now = assay_report::ci::fails(s.result);
            change = match (was_failing, now) {
                (Some(false), true) => Some("started-failing"),
                (Some(true), false) => Some("recovered"),
                _ => None,
            };
            was_failing = Some(now);
        }
        out.push(Point {
            at: r.scheduled_for.clone(),
            outcome: r.outcome,
            state,
            change,
        });
    }
    out
}

/// Where the schedule stands, from its records: the dashboard's monitoring panel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Status {
    /// Records read.
    pub records: usize,
    /// The last run that started, when it was due and how it ended.
    pub last: Option<(String, Outcome)>,
    /// The last run that completed (collection and tests ran, failing or not).
    pub last_completed: Option<String>,
    /// Scheduled times with no run (every `missed` record's count).
    pub missed: usize,
    /// Runs cut off by the process's end.
    pub interrupted: usize,
    /// Runs ended at their timeout.
    pub timed_out: usize,
    /// Runs that could not complete.
    pub errors: usize,
    /// Per collector: the last run it succeeded in (none yet when it never did), and how it
    /// did in the last completed run.
    pub sources: BTreeMap<String, SourceStatus>,
}

/// One collector's runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceStatus {
    /// When the last run it succeeded in was due.
    pub last_good: Option<String>,
    /// `ok`, or why it failed, in the last completed run.
    pub last: Option<String>,
}

/// Sums up the records (in ledger order) for the collectors the workspace configures.
pub fn status(runs: &[RunRecord], collectors: &[String]) -> Status {
    let mut s = Status {
        records: runs.len(),
        ..Status::default()
    };
    for name in collectors {
        s.sources.insert(name.clone(), SourceStatus::default());
    }
    for r in runs {
        // A collector's own run: only that source's state.
        if let Some(name) = &r.source {
            let src = s.sources.entry(name.clone()).or_default();
            match r.outcome {
                Outcome::Ok => {
                    src.last_good = Some(r.scheduled_for.clone());
                    src.last = Some("ok".into());
                }
                Outcome::Missed => s.missed += r.missed_count.unwrap_or(1),
                Outcome::Interrupted => s.interrupted += 1,
                Outcome::TimedOut => s.timed_out += 1,
                Outcome::Error | Outcome::Failing => {
                    src.last = Some(r.error.clone().unwrap_or_else(|| "failed".into()));
                }
            }
            continue;
        }
        match r.outcome {
            Outcome::Missed => s.missed += r.missed_count.unwrap_or(1),
            Outcome::Interrupted => s.interrupted += 1,
            Outcome::TimedOut => s.timed_out += 1,
            Outcome::Error => s.errors += 1,
            Outcome::Ok | Outcome::Failing => {
                s.last_completed = Some(r.scheduled_for.clone());
                for (name, how) in &r.collectors {
                    let src = s.sources.entry(name.clone()).or_default();
                    if how == "ok" {
                        src.last_good = Some(r.scheduled_for.clone());
                    }
                    src.last = Some(how.clone());
                }
            }
        }
        if r.outcome != Outcome::Missed {
            s.last = Some((r.scheduled_for.clone(), r.outcome));
        }
    }
    s
}

/// The marker of a run in progress (`.assay/monitor/running.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Running {
    /// The schedule.
    pub schedule: String,
    /// When the run was due.
    pub scheduled_for: String,
    /// When it started.
    pub started: String,
    /// The ledger's size at the start.
    pub ledger_before: u64,
    /// The collector it is for, when it is a collector's own run.
    #[serde(default)]
    pub source: Option<String>,
}

/// What the monitor found at its start.
#[derive(Debug, Default)]
pub struct Recovery {
    /// A run that was cut off, now recorded as interrupted.
    pub interrupted: Option<RunRecord>,
    /// The times missed while nothing ran, now recorded (none when nothing was missed).
    pub missed: Option<RunRecord>,
    /// The last time a run was due, after recovery: the schedule continues from here.
    pub last_due: Option<Timestamp>,
}

impl Project {
    fn monitor_dir(&self) -> PathBuf {
        self.root.join(".assay").join("monitor")
    }

    fn running_path(&self) -> PathBuf {
        self.monitor_dir().join("running.json")
    }

    /// The ledger's size now (0 without a locker).
    pub fn ledger_size(&self) -> Result<u64, ProjectError> {
        Ok(match self.locker_if_any()? {
            Some(l) => l.head()?.0,
            None => 0,
        })
    }

    /// Every run record in the ledger, in ledger order.
    pub fn monitor_runs(&self) -> Result<Vec<RunRecord>, ProjectError> {
        self.records_of(KIND)?
            .into_iter()
            .map(|(seq, bytes)| {
                serde_json::from_slice(&bytes).map_err(|err| {
                    ProjectError::Invalid(format!("ledger entry {seq}: not a run record: {err}"))
                })
            })
            .collect()
    }

    /// Every ledger entry of `kind` Assay recorded of its own activity, in ledger order:
    /// (entry number, the stored bytes).
    pub fn records_of(&self, kind: &str) -> Result<Vec<(u64, Vec<u8>)>, ProjectError> {
        let Some(locker) = self.locker_if_any()? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for e in locker.entries()? {
            if e.record.kind == kind {
                out.push((e.seq, locker.blob_store().get(&e.record.blob)?));
            }
        }
        Ok(out)
    }

    /// Appends one run record to the ledger.
    pub fn record_run(&self, r: &RunRecord) -> Result<(), ProjectError> {
        let bytes =
            serde_json::to_vec(r).map_err(|e| ProjectError::Invalid(format!("run record: {e}")))?;
        self.record_activity(KIND, "assay-monitor", &bytes)?;
        Ok(())
    }

    /// Marks a run as started (the marker survives if the process dies).
    pub fn mark_running(&self, r: &Running) -> Result<(), ProjectError> {
        let dir = self.monitor_dir();
        std::fs::create_dir_all(&dir).map_err(ProjectError::io(&dir))?;
        let path = self.running_path();
        let tmp = path.with_extension("tmp");
        let bytes =
            serde_json::to_vec(r).map_err(|e| ProjectError::Invalid(format!("run marker: {e}")))?;
        std::fs::write(&tmp, bytes).map_err(ProjectError::io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(ProjectError::io(&path))
    }

    /// Records a finished run, then removes its marker (in that order: a crash between the
    /// two is recognized at the next start and not recorded twice).
    pub fn finish_run(&self, r: &RunRecord) -> Result<(), ProjectError> {
        self.record_run(r)?;
        let path = self.running_path();
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(ProjectError::Io { path, source: e }),
        }
    }

    /// At the monitor's start, for one schedule (the suite's, or a collector's own, by
    /// `source`): records a run cut off by the process's end as interrupted (whichever
    /// schedule it was on) and this schedule's times that passed without a run as missed,
    /// each once.
    pub fn recover_monitor(
        &self,
        cron: &Cron,
        source: Option<&str>,
        tz: &jiff::tz::TimeZone,
        now: Timestamp,
    ) -> Result<Recovery, ProjectError> {
        let runs = self.monitor_runs()?;
        let mut last_due = runs
            .iter()
            .filter(|r| r.schedule == cron.as_str() && r.source.as_deref() == source)
            .filter_map(|r| r.scheduled_for.parse::<Timestamp>().ok())
            .max();
        let mut out = Recovery::default();
        let path = self.running_path();
        if let Ok(bytes) = std::fs::read(&path) {
            if let Ok(m) = serde_json::from_slice::<Running>(&bytes) {
                let due = m.scheduled_for.parse::<Timestamp>().ok();
                let recorded = runs.iter().any(|r| {
                    r.scheduled_for == m.scheduled_for
                        && r.schedule == m.schedule
                        && r.source == m.source
                });
                if !recorded {
                    let r = RunRecord {
                        schedule: m.schedule.clone(),
                        source: m.source.clone(),
                        scheduled_for: m.scheduled_for.clone(),
                        started: Some(m.started.clone()),
                        ended: None,
                        outcome: Outcome::Interrupted,
                        ledger_before: Some(m.ledger_before),
                        ledger_after: Some(self.ledger_size()?),
                        failing_tests: None,
                        error: Some("the monitor stopped during the run (killed or crashed); found at the next start".into()),
                        missed_count: None,
                        missed: Vec::new(),
                        tests: BTreeMap::new(),
                        collectors: BTreeMap::new(),
                    };
                    self.record_run(&r)?;
                    out.interrupted = Some(r);
                }
                if m.schedule == cron.as_str() && m.source.as_deref() == source {
                    last_due = last_due.max(due);
                }
            }
            std::fs::remove_file(&path).map_err(ProjectError::io(&path))?;
        }
        if let Some(since) = last_due {
            let why = "the monitor was not running";
            if let Some(r) = self.record_missed(cron, source, tz, since, now, why)? {
                last_due = r.scheduled_for.parse().ok();
                out.missed = Some(r);
            }
        }
        out.last_due = last_due;
        Ok(out)
    }

    /// Records the scheduled times in `(since, until]` at which nothing ran, in one record
    /// (`None` when there were none).
    pub fn record_missed(
        &self,
        cron: &Cron,
        source: Option<&str>,
        tz: &jiff::tz::TimeZone,
        since: Timestamp,
        until: Timestamp,
        why: &str,
    ) -> Result<Option<RunRecord>, ProjectError> {
        let (mut count, mut listed, mut last, mut t) = (0usize, Vec::new(), None, since);
        while let Some(n) = cron.next_after(t, tz).filter(|n| *n <= until) {
            count += 1;
            if listed.len() < MISSED_LISTED {
                listed.push(n.to_string());
            }
            last = Some(n);
            t = n;
        }
        let Some(last) = last else {
            return Ok(None);
        };
        let r = RunRecord {
            schedule: cron.as_str().to_string(),
            source: source.map(str::to_string),
            scheduled_for: last.to_string(),
            started: None,
            ended: None,
            outcome: Outcome::Missed,
            ledger_before: None,
            ledger_after: None,
            failing_tests: None,
            error: Some(format!(
                "no run at {count} scheduled time{} after {since}: {why}",
                if count == 1 { "" } else { "s" }
            )),
            missed_count: Some(count),
            missed: listed,
            tests: BTreeMap::new(),
            collectors: BTreeMap::new(),
        };
        self.record_run(&r)?;
        Ok(Some(r))
    }
}
