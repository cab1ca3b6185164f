//! `assay monitor`: a schedule every two seconds; each run recorded once in the ledger; a
//! monitor killed (SIGKILL) during a run is found at the next start, its run recorded as
//! interrupted and the times it missed as missed, never twice; one monitor per workspace;
//! bad schedules refused with their line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{run, workspace};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

const EVERY_2S: &str = "\n[monitor]\nschedule = \"*/2 * * * * *\"\ntimezone = \"Europe/Berlin\"\n";

/// The run records in the ledger, in order.
fn records(ws: &Path) -> Vec<Value> {
    let (code, out, err) = run(
        ws,
        &["evidence", "list", "--kind", "assay-monitor-run", "--json"],
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let seq = e["entry"]["seq"].as_u64().unwrap().to_string();
            let (code, body, err) = run(ws, &["evidence", "cat", &seq]);
            assert_eq!(code, 0, "{err}");
            serde_json::from_str(&body).unwrap()
        })
        .collect()
}

fn lines(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_run_is_recorded_once_and_a_killed_run_is_found() {
    let tmp = workspace();
    let ws = tmp.path();
    let toml = std::fs::read_to_string(ws.join("assay.toml")).unwrap();
    // Without [monitor]: refused, saying what to add.
    let (code, _, err) = run(ws, &["monitor", "--runs", "1"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no [monitor] table"), "{err}");
    // A bad schedule: refused by validate with its line.
    std::fs::write(
        ws.join("assay.toml"),
        format!("{toml}\n[monitor]\nschedule = \"61 * * * *\"\n"),
    )
    .unwrap();
    let (code, out, _) = run(ws, &["validate"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("minute: `61` is outside 0 to 59"), "{out}");
    assert!(out.contains("assay.toml:"), "{out}");

    std::fs::write(ws.join("assay.toml"), format!("{toml}{EVERY_2S}")).unwrap();
    // Two runs, each recorded with its due time, outcome and ledger sizes.
    let (code, out, err) = run(ws, &["monitor", "--runs", "2", "--json"]);
    assert_eq!(code, 0, "{err}");
    let said = lines(&out);
    let runs: Vec<&Value> = said.iter().filter(|r| r["outcome"] != "missed").collect();
    assert_eq!(runs.len(), 2, "{out}");
    for r in &runs {
        assert!(
            matches!(r["outcome"].as_str(), Some("ok" | "failing")),
            "{r}"
        );
        assert!(r["ledger_before"].is_u64() && r["ended"].is_string(), "{r}");
        let due: jiff::Timestamp = r["scheduled_for"].as_str().unwrap().parse().unwrap();
        assert_eq!(due.as_second() % 2, 0, "due on the schedule: {r}");
    }
    assert_eq!(records(ws).len(), said.len());

    // A monitor killed during a run.
    let mut monitor = background(ws);
    let marker = ws.join(".assay/monitor/running.json");
    let cut = running(&marker);
    monitor.kill().unwrap();
    monitor.wait().unwrap();
    let before = records(ws).len();
    std::thread::sleep(Duration::from_secs(5));
    // The next start reports the interrupted run and the missed times, then runs.
    let (code, out, err) = run(ws, &["monitor", "--runs", "1", "--json"]);
    assert_eq!(code, 0, "{err}");
    let said = lines(&out);
    assert_eq!(said[0]["outcome"], "interrupted", "{out}");
    assert_eq!(said[0]["scheduled_for"], cut["scheduled_for"]);
    assert_eq!(said[1]["outcome"], "missed", "{out}");
    assert!(said[1]["missed_count"].as_u64().unwrap() >= 2, "{out}");
    assert!(
        matches!(said[2]["outcome"].as_str(), Some("ok" | "failing")),
        "{out}"
    );
    let all = records(ws);
    assert_eq!(all.len(), before + said.len(), "each recorded once");
    let interrupted = |all: &[Value]| all.iter().filter(|r| r["outcome"] == "interrupted").count();
    assert_eq!(interrupted(&all), 1);
    // No due time has two completed records.
    let mut due: Vec<&str> = all
        .iter()
        .filter(|r| r["outcome"] != "missed")
        .map(|r| r["scheduled_for"].as_str().unwrap())
        .collect();
    let n = due.len();
    due.sort();
    due.dedup();
    assert_eq!(due.len(), n, "a time recorded twice: {all:?}");
    // Started again at once: nothing interrupted, nothing recorded twice.
    let (code, out, err) = run(ws, &["monitor", "--runs", "1", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        lines(&out).iter().all(|r| r["outcome"] != "interrupted"),
        "{out}"
    );
    assert_eq!(interrupted(&records(ws)), 1);
    // The history of one test: a point per record, a state for every completed run.
    let recs = records(ws);
    let completed = recs.iter().filter(|r| r["tests"].is_object()).count();
    assert!(completed >= 4, "{recs:?}");
    let id = recs
        .iter()
        .rev()
        .find_map(|r| {
            r["tests"]
                .as_object()
                .and_then(|t| t.keys().next().cloned())
        })
        .unwrap();
    let (code, out, err) = run(ws, &["history", &id, "--json"]);
    assert_eq!(code, 0, "{err}");
    let h: Value = serde_json::from_str(&out).unwrap();
    let points = h["points"].as_array().unwrap();
    assert_eq!(points.len(), recs.len());
    assert_eq!(
        points
            .iter()
            .filter(|p| p["state"]["result"].is_string())
            .count(),
        completed
    );
    for p in points
        .iter()
        .filter(|p| p["outcome"] == "interrupted" || p["outcome"] == "missed")
    {
        assert!(p["state"].is_null(), "{p}");
    }
    let (code, out, _) = run(ws, &["history", &id]);
    assert_eq!(code, 0);
    assert!(out.contains(&format!("{id}: failing in ")), "{out}");
    let (code, _, err) = run(ws, &["history", "NO-SUCH.1"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no recorded run has a result for `NO-SUCH.1`"),
        "{err}"
    );
    let (code, _, err) = run(ws, &["verify"]);
    assert_eq!(code, 0, "{err}");
    // While one monitor runs, a second is refused.
    let mut first = background(ws);
    running(&marker);
    let (code, _, err) = run(ws, &["monitor", "--runs", "1"]);
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("another `assay monitor` is running"), "{err}");
}

/// `assay monitor` until killed.
fn background(ws: &Path) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("assay"))
        .args(["-C", ws.to_str().unwrap(), "monitor"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// The marker of a run in progress, read as soon as one exists.
fn running(marker: &Path) -> Value {
    let started = Instant::now();
    loop {
        if let Ok(bytes) = std::fs::read(marker) {
            if let Ok(v) = serde_json::from_slice(&bytes) {
                return v;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no run started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
