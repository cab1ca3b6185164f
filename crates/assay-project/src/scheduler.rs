//! The monitor's loop (`assay monitor`): the `[monitor]` schedule of `assay.toml`, one
//! monitor per workspace (a file lock released however the process ends), recovery at the
//! start, then each due time run as an `assay ci --json` child process of the given binary,
//! ended at its timeout, and recorded (see [`crate::monitor`]). Runs never overlap: times that
//! came due during a run are recorded as missed. What happens is told to the caller, which
//! prints; the library does not.

use crate::monitor::{Outcome, RunRecord, Running, TestState};
use crate::{Project, ProjectError};
use assay_report::ci::{fails, Baseline};
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What the loop tells its caller.
pub enum Told<'a> {
    /// Monitoring started on this schedule and time zone.
    Started {
        /// The cron text.
        schedule: &'a str,
        /// The time zone's name.
        timezone: &'a str,
    },
    /// A record was written (a run, an interrupted run, missed times).
    Recorded(&'a RunRecord),
}

/// What one run gave.
struct Completed {
    outcome: Outcome,
    failing_tests: Option<usize>,
    error: Option<String>,
    tests: BTreeMap<String, TestState>,
}

fn invalid(m: String) -> ProjectError {
    ProjectError::Invalid(m)
}

/// Reads a pipe to its end on a thread of its own (so neither pipe fills and blocks the child).
fn drain(mut r: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = r.read_to_string(&mut s);
        s
    })
}

/// Runs `exe -C root ci --json` once, ended after `timeout`.
fn run_ci(exe: &Path, root: &Path, timeout: Duration) -> Result<Completed, ProjectError> {
    let mut child = Command::new(exe)
        .arg("-C")
        .arg(root)
        .args(["ci", "--json"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| invalid(format!("cannot start `{} ci`: {e}", exe.display())))?;
    let out = child.stdout.take().map(drain);
    let err = child.stderr.take().map(drain);
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().map_err(ProjectError::io(exe))? {
            break Some(s);
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = out.and_then(|h| h.join().ok()).unwrap_or_default();
    let stderr = err.and_then(|h| h.join().ok()).unwrap_or_default();
    let Some(status) = status else {
        return Ok(Completed {
            outcome: Outcome::TimedOut,
            failing_tests: None,
            error: Some(format!(
                "ended after the timeout of {} s",
                timeout.as_secs()
            )),
            tests: BTreeMap::new(),
        });
    };
    // The child's record (`assay.ci/v1`) carries every test's result.
    let record: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_default();
    let tests: BTreeMap<String, TestState> =
        serde_json::from_value::<Baseline>(record["baseline"].clone())
            .map(|b| {
                b.tests
                    .into_iter()
                    .map(|(id, w)| {
                        let state = TestState {
                            result: w.result,
                            exceptions: w.exception_count,
                        };
                        (id, state)
                    })
                    .collect()
            })
            .unwrap_or_default();
    let failing = (!tests.is_empty()).then(|| tests.values().filter(|s| fails(s.result)).count());
    let last_line = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(str::to_string);
    Ok(match status.code() {
        Some(0) => Completed {
            outcome: Outcome::Ok,
            failing_tests: failing,
            error: None,
            tests,
        },
        Some(1) => Completed {
            outcome: Outcome::Failing,
            failing_tests: failing,
            error: last_line.filter(|l| l.contains("collector")),
            tests,
        },
        _ => Completed {
            outcome: Outcome::Error,
            failing_tests: None,
            error: Some(last_line.unwrap_or_else(|| format!("`assay ci` ended with {status}"))),
            tests: BTreeMap::new(),
        },
    })
}

impl Project {
    /// Runs the monitor: `runs` scheduled runs, or until the process is stopped. `exe` is the
    /// `assay` binary each run starts (`assay ci --json`).
    pub fn monitor(
        &self,
        exe: &Path,
        runs: Option<u64>,
        tell: &mut dyn FnMut(Told<'_>),
    ) -> Result<(), ProjectError> {
        let (_, config) = self.valid_workspace()?;
        let Some(m) = config.monitor else {
            return Err(invalid("assay.toml has no [monitor] table; add one with a cron schedule, e.g.\n\n[monitor]\nschedule = \"0 * * * *\"\ntimezone = \"UTC\"".into()));
        };
        let tz = jiff::tz::TimeZone::get(&m.timezone)
            .map_err(|e| invalid(format!("[monitor] timezone `{}`: {e}", m.timezone)))?;
        let dir = self.root.join(".assay").join("monitor");
        std::fs::create_dir_all(&dir).map_err(ProjectError::io(&dir))?;
        let lock_path = dir.join("lock");
        let lock = std::fs::File::create(&lock_path).map_err(ProjectError::io(&lock_path))?;
        if lock.try_lock().is_err() {
            return Err(invalid(format!(
                "another `assay monitor` is running on this workspace (it holds {}); runs never overlap",
                lock_path.display()
            )));
        }
        let rec = self.recover_monitor(&m.schedule, &tz, Timestamp::now())?;
        for r in rec.interrupted.iter().chain(rec.missed.iter()) {
            tell(Told::Recorded(r));
        }
        tell(Told::Started {
            schedule: m.schedule.as_str(),
            timezone: &m.timezone,
        });
        let schedule = m.schedule.as_str().to_string();
        let mut last = rec.last_due.unwrap_or_else(Timestamp::now);
        let mut done = 0u64;
        while runs.is_none_or(|n| done < n) {
            let due = m.schedule.next_after(last, &tz).ok_or_else(|| {
                invalid(format!(
                    "the schedule `{schedule}` names no time in the next five years"
                ))
            })?;
            let start_at = due
                .checked_add(crate::monitor::jitter(&self.root, due, m.jitter_seconds))
                .unwrap_or(due);
            let wait = start_at.duration_since(Timestamp::now());
            if wait.is_positive() {
                std::thread::sleep(Duration::try_from(wait).unwrap_or_default());
            }
            let before = self.ledger_size()?;
            let started = Timestamp::now();
            self.mark_running(&Running {
                schedule: schedule.clone(),
                scheduled_for: due.to_string(),
                started: started.to_string(),
                ledger_before: before,
            })?;
            let c = run_ci(exe, &self.root, Duration::from_secs(m.timeout_seconds))?;
            let r = RunRecord {
                schedule: schedule.clone(),
                scheduled_for: due.to_string(),
                started: Some(started.to_string()),
                ended: Some(Timestamp::now().to_string()),
                outcome: c.outcome,
                ledger_before: Some(before),
                ledger_after: Some(self.ledger_size()?),
                failing_tests: c.failing_tests,
                error: c.error,
                missed_count: None,
                missed: Vec::new(),
                tests: c.tests,
            };
            self.finish_run(&r)?;
            tell(Told::Recorded(&r));
            done += 1;
            // Times that came due while the run was going had no run of their own: recorded.
            let now = Timestamp::now();
            match self.record_missed(
                &m.schedule,
                &tz,
                due,
                now,
                "the previous run was still going",
            )? {
                Some(skipped) => {
                    tell(Told::Recorded(&skipped));
                    last = now;
                }
                None => last = due,
            }
        }
        Ok(())
    }
}
