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

/// A repository `repo` in the workspace with one commit, for the git collector.
fn git_repo(ws: &Path) {
    let repo = ws.join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["commit", "-q", "--allow-empty", "-m", "first"]);
}

/// `git` in `dir`, with a fixed identity.
fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=Lee Adams",
            "-c",
            "user.email=lee@example.com",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

#[test]
fn the_server_runs_the_schedule_and_the_dashboard_shows_each_source() {
    let tmp = workspace();
    let ws = tmp.path();
    git_repo(ws);
    // One source that works and one that cannot (its repository does not exist).
    let toml = std::fs::read_to_string(ws.join("assay.toml")).unwrap();
    std::fs::write(
        ws.join("assay.toml"),
        format!("{toml}{EVERY_2S}collector_sla_hours = 1\n\n[[collector]]\nkind = \"git\"\nname = \"app-repo\"\npath = \"repo\"\n\n[[collector]]\nkind = \"git\"\nname = \"gone-repo\"\npath = \"no-such-repo\"\n\n[[notify]]\nname = \"inbox\"\nchannel = \"app\"\non = [\"collector-late\", \"collector-failed\"]\n"),
    )
    .unwrap();
    let server = common::start(ws);
    // The server's scheduler records runs as `assay monitor` does.
    let started = Instant::now();
    let done = loop {
        let done: Vec<Value> = records(ws)
            .into_iter()
            .filter(|r| r["collectors"].is_object())
            .collect();
        if !done.is_empty() {
            break done;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no completed run recorded by the server's scheduler"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    let r = &done[0];
    assert_eq!(r["collectors"]["app-repo"], "ok", "{r}");
    let gone = r["collectors"]["gone-repo"].as_str().unwrap();
    assert_ne!(gone, "ok", "{r}");
    assert_eq!(
        r["outcome"], "failing",
        "a failed collector fails the run: {r}"
    );

    // The dashboard: the schedule, the last completed run, and each source's last good run.
    let owner = common::setup_owner(&server, "lead@acme.test", "correct horse battery staple");
    let page = reqwest::blocking::Client::new()
        .get(format!("{}/app/{}/{}", server.base, owner.org, owner.audit))
        .header("cookie", &owner.cookie)
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("<h2>Monitoring</h2>"), "{page}");
    // The page escapes `/` (`&#x2f;`).
    assert!(
        page.replace("&#x2f;", "/").contains("*/2 * * * * *"),
        "no schedule shown"
    );
    let row = |name: &str| -> String {
        let at = page
            .find(&format!("<td>{name}</td>"))
            .unwrap_or_else(|| panic!("no row for {name}"));
        page[at..at + page[at..].find("</tr>").unwrap()].to_string()
    };
    let app = row("app-repo");
    assert!(
        app.contains("<td>20") && app.contains("<td>ok</td>"),
        "{app}"
    );
    let gone_row = row("gone-repo");
    assert!(gone_row.contains("<td>never</td>"), "{gone_row}");
    // The source that never worked is late against its SLA: an in-app notification names it,
    // and not the one that works.
    let inbox = reqwest::blocking::Client::new()
        .get(format!(
            "{}/app/{}/{}/notifications",
            server.base, owner.org, owner.audit
        ))
        .header("cookie", &owner.cookie)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let late: Vec<&str> = inbox
        .split("<li class=\"event\">")
        .skip(1)
        .filter(|e| e.contains("collector late"))
        .collect();
    assert!(!late.is_empty(), "{inbox}");
    assert!(
        late.iter()
            .all(|e| e.contains("gone-repo") && !e.contains("app-repo")),
        "{late:?}"
    );
    assert!(
        late[0].contains("no successful run recorded yet; its SLA is 1 hours"),
        "{late:?}"
    );
    drop(server);
    let (code, _, err) = run(ws, &["verify"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_source_whose_newest_evidence_is_stale_is_told_once() {
    let tmp = workspace();
    let ws = tmp.path();
    let toml = std::fs::read_to_string(ws.join("assay.toml")).unwrap();
    std::fs::write(
        ws.join("assay.toml"),
        format!("{toml}\n[freshness]\ndocument = 30\n\n[[notify]]\nname = \"inbox\"\nchannel = \"app\"\non = [\"evidence-stale\"]\n"),
    )
    .unwrap();
    let doc = ws.join("access-review.txt");
    std::fs::write(&doc, "Access review of January: 12 accounts reviewed.\n").unwrap();
    let add = |effective: &str| {
        let (code, _, err) = run(
            ws,
            &[
                "evidence",
                "add",
                doc.to_str().unwrap(),
                "--kind",
                "document",
                "--source",
                "wiki",
                "--effective",
                effective,
                "--new-observation",
            ],
        );
        assert_eq!(code, 0, "{err}");
    };
    add("2026-01-05");
    let ci = || -> Value {
        let (code, out, err) = run(ws, &["ci", "--json"]);
        assert!(code == 0 || code == 1, "{err}");
        serde_json::from_str(&out).unwrap()
    };
    let told = |r: &Value| -> Vec<Value> {
        r["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| d["detail"].as_array().cloned().unwrap_or_default())
            .filter(|e| e["change"] == "evidence-stale")
            .collect()
    };
    // A document as of 2026-01-05 with a 30-day time-to-live, for a period ending 2026-06-30.
    let first = ci();
    let events = told(&first);
    assert_eq!(events.len(), 1, "{first}");
    assert_eq!(events[0]["test"], "document from wiki");
    assert!(
        events[0]["statement"]
            .as_str()
            .unwrap()
            .contains("as of 2026-01-05"),
        "{events:?}"
    );
    assert_eq!(events[0]["evidence"].as_array().unwrap().len(), 1);
    assert_eq!(
        first["baseline"]["stale"],
        serde_json::json!(["document from wiki"])
    );
    // Still stale at the next run: not told again.
    let second = ci();
    assert!(told(&second).is_empty(), "{second}");
    // A newer document of the same source: fresh again, and remembered as such.
    add("2026-06-29");
    let third = ci();
    assert!(told(&third).is_empty(), "{third}");
    assert!(third["baseline"]["stale"].is_null(), "{third}");
    // A bad SLA is refused with its line.
    std::fs::write(
        ws.join("assay.toml"),
        format!("{toml}{EVERY_2S}collector_sla_hours = 0\n"),
    )
    .unwrap();
    let (code, out, _) = run(ws, &["validate"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("`collector_sla_hours` is 0, outside 1 to 8784"),
        "{out}"
    );
}

#[test]
fn a_collector_with_its_own_schedule_runs_on_it_and_not_with_the_suite() {
    let tmp = workspace();
    let ws = tmp.path();
    git_repo(ws);
    let toml = std::fs::read_to_string(ws.join("assay.toml")).unwrap();
    // A bad schedule is refused with the collector's line.
    std::fs::write(
        ws.join("assay.toml"),
        format!("{toml}{EVERY_2S}\n[[collector]]\nkind = \"git\"\nname = \"app-repo\"\npath = \"repo\"\nschedule = \"every minute\"\n"),
    )
    .unwrap();
    let (code, out, _) = run(ws, &["validate"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("collector `app-repo`: `schedule`"), "{out}");
    std::fs::write(
        ws.join("assay.toml"),
        format!("{toml}{EVERY_2S}\n[[collector]]\nkind = \"git\"\nname = \"app-repo\"\npath = \"repo\"\nschedule = \"*/3 * * * * *\"\n\n[[collector]]\nkind = \"git\"\nname = \"with-suite\"\npath = \"repo\"\n"),
    )
    .unwrap();
    let (code, out, err) = run(ws, &["monitor", "--runs", "6", "--json"]);
    assert_eq!(code, 0, "{err}");
    let said = lines(&out);
    let completed = |source: Option<&str>| -> Vec<&Value> {
        said.iter()
            .filter(|r| r["source"].as_str() == source)
            .filter(|r| matches!(r["outcome"].as_str(), Some("ok" | "failing")))
            .collect()
    };
    let own = completed(Some("app-repo"));
    let suite = completed(None);
    assert!(!own.is_empty() && !suite.is_empty(), "{out}");
    for r in &own {
        assert_eq!(r["schedule"], "*/3 * * * * *", "{r}");
        assert_eq!(
            r["collectors"],
            serde_json::json!({"app-repo": "ok"}),
            "{r}"
        );
        assert!(r["tests"].is_null(), "{r}");
        let due: jiff::Timestamp = r["scheduled_for"].as_str().unwrap().parse().unwrap();
        assert_eq!(due.as_second() % 3, 0, "due on its own schedule: {r}");
    }
    // The suite's runs collect only the collector without a schedule of its own.
    for r in &suite {
        assert_eq!(
            r["collectors"],
            serde_json::json!({"with-suite": "ok"}),
            "{r}"
        );
        assert!(r["tests"].is_object(), "{r}");
    }
    // A test's history has a point per suite run only.
    let id = suite[0]["tests"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    let (code, h, err) = run(ws, &["history", &id, "--json"]);
    assert_eq!(code, 0, "{err}");
    let h: Value = serde_json::from_str(&h).unwrap();
    let suite_records = records(ws).iter().filter(|r| r["source"].is_null()).count();
    assert_eq!(h["points"].as_array().unwrap().len(), suite_records);
}
