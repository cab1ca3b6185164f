//! `assay monitor`: runs collection and the tests (`assay ci`, notifications included) on the
//! `[monitor]` schedule of `assay.toml`, without the web app, for a container or a systemd
//! unit. One monitor per workspace (a lock); runs never overlap; a run past its timeout is
//! ended; every run, and every scheduled time without one, is a ledger entry.

use crate::output::{self, plural};
use crate::Outcome;
use anyhow::{bail, Context as _};
use assay_project::monitor::{Outcome as Ran, RunRecord, Running, TestState};
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn say(r: &RunRecord, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(r)?);
        return Ok(());
    }
    let what = match r.outcome {
        Ran::Missed => format!(
            "MISSED {} ({})",
            plural(r.missed_count.unwrap_or(0), "scheduled run"),
            r.error.as_deref().unwrap_or_default()
        ),
        Ran::Interrupted => "INTERRUPTED: the monitor stopped during this run".into(),
        other => {
            let stored = r.ledger_after.unwrap_or(0) - r.ledger_before.unwrap_or(0);
            format!(
                "{}; {} failing, {} stored{}",
                serde_json::to_value(other)?.as_str().unwrap_or_default(),
                plural(r.failing_tests.unwrap_or(0), "test"),
                plural(stored as usize, "ledger entry"),
                r.error
                    .as_deref()
                    .map(|e| format!("; {e}"))
                    .unwrap_or_default()
            )
        }
    };
    println!("{} {what}", r.scheduled_for);
    Ok(())
}

/// Runs `assay ci --json` for one scheduled time, ended after `timeout`.
/// What one run gave: its outcome, failing tests, error, and every test's state.
type Ran3 = (
    Ran,
    Option<usize>,
    Option<String>,
    BTreeMap<String, TestState>,
);

fn one_run(root: &Path, timeout: Duration) -> anyhow::Result<Ran3> {
    let exe = std::env::current_exe().context("cannot find the assay binary to run")?;
    let mut child = Command::new(exe)
        .arg("-C")
        .arg(root)
        .args(["ci", "--json"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start `assay ci`")?;
    let mut out = child.stdout.take().context("no stdout")?;
    let mut err = child.stderr.take().context("no stderr")?;
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break Some(s);
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    let Some(status) = status else {
        return Ok((
            Ran::TimedOut,
            None,
            Some(format!(
                "ended after the timeout of {} s",
                timeout.as_secs()
            )),
            BTreeMap::new(),
        ));
    };
    let record = serde_json::from_str::<serde_json::Value>(&stdout).unwrap_or_default();
    let tests: BTreeMap<String, TestState> = record["baseline"]["tests"]
        .as_object()
        .map(|t| {
            t.iter()
                .map(|(id, w)| {
                    let state = TestState {
                        result: w["result"].as_str().unwrap_or_default().to_string(),
                        exceptions: w["exception_count"].as_u64().unwrap_or(0) as usize,
                    };
                    (id.clone(), state)
                })
                .collect()
        })
        .unwrap_or_default();
    let failing = (!tests.is_empty()).then(|| {
        tests
            .values()
            .filter(|s| {
                matches!(
                    s.result.as_str(),
                    "not-effective" | "exceptions-noted" | "error"
                )
            })
            .count()
    });
    let last_line = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(str::to_string);
    Ok(match status.code() {
        Some(0) => (Ran::Ok, failing, None, tests),
        Some(1) => (
            Ran::Failing,
            failing,
            last_line.filter(|l| l.contains("collector")),
            tests,
        ),
        _ => (
            Ran::Error,
            None,
            Some(last_line.unwrap_or_else(|| format!("`assay ci` ended with {status}"))),
            BTreeMap::new(),
        ),
    })
}

pub fn run(root: &Path, runs: Option<u64>, json: bool) -> anyhow::Result<Outcome> {
    let project = super::project(root)?;
    let config = assay_workspace::config::read(root)
        .map_err(|_| anyhow::anyhow!("assay.toml has errors; run `assay validate`"))?;
    let Some(m) = config.monitor else {
        bail!("assay.toml has no [monitor] table; add one with a cron schedule, e.g.\n\n[monitor]\nschedule = \"0 * * * *\"\ntimezone = \"UTC\"");
    };
    let tz = jiff::tz::TimeZone::get(&m.timezone)?;
    // One monitor per workspace: the lock is released when the process ends, however it ends.
    let dir = root.join(".assay").join("monitor");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let lock_path = dir.join("lock");
    let lock = std::fs::File::create(&lock_path)
        .with_context(|| format!("cannot create {}", lock_path.display()))?;
    if lock.try_lock().is_err() {
        bail!(
            "another `assay monitor` is running on this workspace (it holds {}); runs never overlap",
            lock_path.display()
        );
    }
    let rec = project.recover_monitor(&m.schedule, &tz, Timestamp::now())?;
    for r in rec.interrupted.iter().chain(rec.missed.iter()) {
        say(r, json)?;
    }
    if !json {
        println!(
            "Monitoring {} on `{}` ({}); every run is recorded in the ledger (kind {}).",
            root.display(),
            m.schedule.as_str(),
            m.timezone,
            assay_project::monitor::KIND
        );
    }
    let mut last = rec.last_due.unwrap_or_else(Timestamp::now);
    let mut done = 0u64;
    while runs.is_none_or(|n| done < n) {
        let Some(due) = m.schedule.next_after(last, &tz) else {
            bail!(
                "the schedule `{}` names no time in the next five years",
                m.schedule.as_str()
            );
        };
        let start_at = due
            .checked_add(assay_project::monitor::jitter(root, due, m.jitter_seconds))
            .unwrap_or(due);
        let wait = start_at.duration_since(Timestamp::now());
        if wait.is_positive() {
            std::thread::sleep(Duration::try_from(wait).unwrap_or_default());
        }
        let before = project.ledger_size()?;
        let started = Timestamp::now();
        project.mark_running(&Running {
            schedule: m.schedule.as_str().to_string(),
            scheduled_for: due.to_string(),
            started: started.to_string(),
            ledger_before: before,
        })?;
        let (outcome, failing_tests, error, tests) =
            one_run(root, Duration::from_secs(m.timeout_seconds))?;
        let r = RunRecord {
            schedule: m.schedule.as_str().to_string(),
            scheduled_for: due.to_string(),
            started: Some(started.to_string()),
            ended: Some(Timestamp::now().to_string()),
            outcome,
            ledger_before: Some(before),
            ledger_after: Some(project.ledger_size()?),
            failing_tests,
            error,
            missed_count: None,
            missed: Vec::new(),
            tests,
        };
        project.finish_run(&r)?;
        say(&r, json)?;
        done += 1;
        // Times that came due while the run was going had no run of their own: recorded.
        let now = Timestamp::now();
        if let Some(skipped) = project.record_missed(
            &m.schedule,
            &tz,
            due,
            now,
            "the previous run was still going",
        )? {
            say(&skipped, json)?;
            last = now;
        } else {
            last = due;
        }
    }
    Ok(Outcome::Ok)
}

/// `assay history TEST [--json]`: the test's state at every recorded run of the monitor.
pub fn history(root: &Path, test: &str, json: bool) -> anyhow::Result<Outcome> {
    let project = super::project(root)?;
    let runs = project.monitor_runs()?;
    let points = assay_project::monitor::history(&runs, test);
    if !points.iter().any(|p| p.state.is_some()) {
        bail!(
            "no recorded run has a result for `{test}`; `assay monitor` records one per run (`assay validate` lists the tests)"
        );
    }
    if json {
        output::json(&serde_json::json!({
            "schema": "assay.history/v1",
            "test": test,
            "points": points,
        }))?;
        return Ok(Outcome::Ok);
    }
    let mut t = output::table(vec!["due", "run", "result", "exceptions", "change"]);
    for p in &points {
        t.add_row(vec![
            p.at.clone(),
            serde_json::to_value(p.outcome)?
                .as_str()
                .unwrap_or_default()
                .to_string(),
            p.state
                .as_ref()
                .map(|s| s.result.clone())
                .unwrap_or_else(|| "-".into()),
            p.state
                .as_ref()
                .map(|s| s.exceptions.to_string())
                .unwrap_or_else(|| "-".into()),
            p.change.unwrap_or_default().to_string(),
        ]);
    }
    println!("{t}");
    let measured: Vec<_> = points.iter().filter_map(|p| p.state.as_ref()).collect();
    let failing = measured
        .iter()
        .filter(|s| {
            matches!(
                s.result.as_str(),
                "not-effective" | "exceptions-noted" | "error"
            )
        })
        .count();
    let gaps = points.len() - measured.len();
    println!(
        "{test}: failing in {failing} of {} completed runs; {} without a result (missed, interrupted or failed runs)",
        measured.len(),
        gaps
    );
    Ok(Outcome::Ok)
}
