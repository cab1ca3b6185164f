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
    collectors: BTreeMap<String, String>,
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

/// Runs a child to its end, or kills it after `timeout`: its status and output, or `None` when
/// it timed out.
fn run_child(
    mut cmd: Command,
    exe: &Path,
    timeout: Duration,
) -> Result<Option<(std::process::ExitStatus, String, String)>, ProjectError> {
    let mut child = cmd
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| invalid(format!("cannot start `{}`: {e}", exe.display())))?;
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
    Ok(status.map(|s| (s, stdout, stderr)))
}

fn timed_out(timeout: Duration) -> Completed {
    Completed {
        outcome: Outcome::TimedOut,
        failing_tests: None,
        error: Some(format!(
            "ended after the timeout of {} s",
            timeout.as_secs()
        )),
        tests: BTreeMap::new(),
        collectors: BTreeMap::new(),
    }
}

fn last_line(stderr: &str) -> Option<String> {
    stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(str::to_string)
}

/// Runs `exe -C root collect --only NAME --json` once: a collector's own scheduled run.
fn run_collect(
    exe: &Path,
    root: &Path,
    name: &str,
    timeout: Duration,
) -> Result<Completed, ProjectError> {
    let mut cmd = Command::new(exe);
    cmd.arg("-C")
        .arg(root)
        .args(["collect", "--only", name, "--json"]);
    let Some((status, _, stderr)) = run_child(cmd, exe, timeout)? else {
        return Ok(timed_out(timeout));
    };
    let (outcome, how) = if status.success() {
        (Outcome::Ok, "ok".to_string())
    } else {
        let why =
            last_line(&stderr).unwrap_or_else(|| format!("`assay collect` ended with {status}"));
        (Outcome::Failing, why)
    };
    Ok(Completed {
        outcome,
        failing_tests: None,
        error: (outcome != Outcome::Ok).then(|| how.clone()),
        tests: BTreeMap::new(),
        collectors: BTreeMap::from([(name.to_string(), how)]),
    })
}

/// Runs `exe -C root ci --json` once (collecting only the collectors without a schedule of
/// their own when `skip_scheduled`), ended after `timeout`.
fn run_ci(
    exe: &Path,
    root: &Path,
    timeout: Duration,
    skip_scheduled: bool,
) -> Result<Completed, ProjectError> {
    let mut cmd = Command::new(exe);
    cmd.arg("-C").arg(root).args(["ci", "--json"]);
    if skip_scheduled {
        cmd.arg("--skip-scheduled-collectors");
    }
    let Some((status, stdout, stderr)) = run_child(cmd, exe, timeout)? else {
        return Ok(timed_out(timeout));
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
    let collectors: BTreeMap<String, String> = record["collectors"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter_map(|c| {
                    let name = c["name"].as_str()?.to_string();
                    let how = match c["ok"].as_bool() {
                        Some(true) => "ok".to_string(),
                        _ => c["error"].as_str().unwrap_or("failed").to_string(),
                    };
                    Some((name, how))
                })
                .collect()
        })
        .unwrap_or_default();
    let failing = (!tests.is_empty()).then(|| tests.values().filter(|s| fails(s.result)).count());
    let last_line = last_line(&stderr);
    Ok(match status.code() {
        Some(0) => Completed {
            outcome: Outcome::Ok,
            failing_tests: failing,
            error: None,
            tests,
            collectors,
        },
        Some(1) => Completed {
            outcome: Outcome::Failing,
            failing_tests: failing,
            error: last_line.filter(|l| l.contains("collector")),
            tests,
            collectors,
        },
        _ => Completed {
            outcome: Outcome::Error,
            failing_tests: None,
            error: Some(last_line.unwrap_or_else(|| format!("`assay ci` ended with {status}"))),
            tests: BTreeMap::new(),
            collectors,
        },
    })
}

/// One schedule the loop keeps: the suite's (`source` none) or a collector's own.
struct Slot {
    cron: assay_core::cron::Cron,
    source: Option<String>,
    /// The last time it came due (run, missed or recovered).
    last: Timestamp,
}

impl Project {
    /// Runs the monitor: `runs` scheduled runs, or until the process is stopped. `exe` is the
    /// `assay` binary each run starts: `assay ci --json` for the suite's schedule (collecting
    /// the collectors without a schedule of their own), `assay collect --only NAME --json` for
    /// a collector's own `schedule`. One run at a time, earliest due first.
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
        let mut slots = vec![Slot {
            cron: m.schedule.clone(),
            source: None,
            last: Timestamp::now(),
        }];
        for c in &config.collectors {
            if let Some(cron) = &c.schedule {
                slots.push(Slot {
                    cron: cron.clone(),
                    source: Some(c.name.clone()),
                    last: Timestamp::now(),
                });
            }
        }
        let own_schedules = slots.len() > 1;
        for slot in &mut slots {
            let now = Timestamp::now();
            let rec = self.recover_monitor(&slot.cron, slot.source.as_deref(), &tz, now)?;
            for r in rec.interrupted.iter().chain(rec.missed.iter()) {
                tell(Told::Recorded(r));
            }
            slot.last = rec.last_due.unwrap_or(now);
        }
        tell(Told::Started {
            schedule: m.schedule.as_str(),
            timezone: &m.timezone,
        });
        let mut done = 0u64;
        while runs.is_none_or(|n| done < n) {
            let mut next: Option<(usize, Timestamp)> = None;
            for (i, slot) in slots.iter().enumerate() {
                let due = slot.cron.next_after(slot.last, &tz).ok_or_else(|| {
                    invalid(format!(
                        "the schedule `{}` names no time in the next five years",
                        slot.cron.as_str()
                    ))
                })?;
                if next.is_none_or(|(_, d)| due < d) {
                    next = Some((i, due));
                }
            }
            let Some((i, due)) = next else {
                break;
            };
            let start_at = due
                .checked_add(crate::monitor::jitter(&self.root, due, m.jitter_seconds))
                .unwrap_or(due);
            let wait = start_at.duration_since(Timestamp::now());
            if wait.is_positive() {
                std::thread::sleep(Duration::try_from(wait).unwrap_or_default());
            }
            let schedule = slots[i].cron.as_str().to_string();
            let source = slots[i].source.clone();
            let before = self.ledger_size()?;
            let started = Timestamp::now();
            self.mark_running(&Running {
                schedule: schedule.clone(),
                scheduled_for: due.to_string(),
                started: started.to_string(),
                ledger_before: before,
                source: source.clone(),
            })?;
            let timeout = Duration::from_secs(m.timeout_seconds);
            let c = match &source {
                None => run_ci(exe, &self.root, timeout, own_schedules)?,
                Some(name) => run_collect(exe, &self.root, name, timeout)?,
            };
            let r = RunRecord {
                schedule: schedule.clone(),
                source: source.clone(),
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
                collectors: c.collectors,
            };
            self.finish_run(&r)?;
            tell(Told::Recorded(&r));
            done += 1;
            slots[i].last = due;
            // Times of any schedule that came due while the run was going had no run of their
            // own: recorded as missed, and each schedule goes on from now.
            let now = Timestamp::now();
            for slot in &mut slots {
                if let Some(skipped) = self.record_missed(
                    &slot.cron,
                    slot.source.as_deref(),
                    &tz,
                    slot.last,
                    now,
                    "the previous run was still going",
                )? {
                    tell(Told::Recorded(&skipped));
                    slot.last = now;
                }
            }
        }
        Ok(())
    }
}

/// Runs the `[monitor]` schedule of the workspace at `root` on a thread of its own, until the
/// process ends (the scheduler inside `assay serve`): `None` when the workspace has no
/// schedule. What the loop tells goes to `tell`; why it stopped (another monitor holds the
/// lock, a broken ledger) to `stopped`.
pub fn in_background(
    root: &Path,
    catalog: &'static assay_catalog::Catalog,
    exe: std::path::PathBuf,
    mut tell: impl FnMut(Told<'_>) + Send + 'static,
    stopped: impl FnOnce(ProjectError) + Send + 'static,
) -> Result<Option<std::thread::JoinHandle<()>>, ProjectError> {
    let has_schedule = assay_workspace::config::read(root)
        .ok()
        .is_some_and(|c| c.monitor.is_some());
    if !has_schedule {
        return Ok(None);
    }
    let project = Project::open(root, catalog)?;
    let handle = std::thread::Builder::new()
        .name("assay-monitor".into())
        .spawn(move || {
            if let Err(e) = project.monitor(&exe, None, &mut tell) {
                stopped(e);
            }
        })
        .map_err(|e| invalid(format!("cannot start the monitor's thread: {e}")))?;
    Ok(Some(handle))
}
