//! Load on loopback against a running `assay serve` (bench/serve-load.sh starts one on the
//! medium demo): N concurrent browser sessions for S seconds, each reading the API (the
//! audit, controls, evidence, findings, a test, a control) and, one request in ten,
//! uploading a document. Then the web app's pages: a team of four browser sessions for S/2
//! seconds, each opening every page in turn. Prints latency percentiles (per page, too),
//! throughput, errors and the server's memory as JSON.
//!
//!   load BASE_URL SETUP_TOKEN SESSIONS SECONDS SERVER_PID
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{json, Value};
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery staple";

struct Session {
    http: reqwest::blocking::Client,
    cookie: String,
    csrf: String,
}

fn sign_in(base: &str) -> Session {
    let http = reqwest::blocking::Client::builder()
        .pool_max_idle_per_host(2)
        .build()
        .unwrap();
    let r = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({ "email": "lead@load.test", "password": PASSWORD }))
        .send()
        .unwrap();
    assert!(r.status().is_success(), "sign-in: {}", r.status());
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = r.json::<Value>().unwrap()["csrf"]
        .as_str()
        .unwrap()
        .to_string();
    Session { http, cookie, csrf }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn memory_kib(pid: &str, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (base, setup, sessions, seconds, pid) = (
        args[1].clone(),
        args[2].clone(),
        args[3].parse::<usize>().unwrap(),
        args[4].parse::<u64>().unwrap(),
        args[5].clone(),
    );
    let http = reqwest::blocking::Client::new();
    let r = http.post(format!("{base}/api/v1/setup")).json(&json!({ "token": setup, "email": "lead@load.test", "name": "Load Test", "password": PASSWORD })).send().unwrap();
    assert_eq!(r.status(), 201, "setup: {}", r.text().unwrap_or_default());
    let first = sign_in(&base);
    let orgs: Value = first
        .http
        .get(format!("{base}/api/v1/orgs"))
        .header("cookie", &first.cookie)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let org = orgs["items"][0]["slug"].as_str().unwrap().to_string();
    let audits: Value = first
        .http
        .get(format!("{base}/api/v1/orgs/{org}/audits"))
        .header("cookie", &first.cookie)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let audit = format!(
        "{base}/api/v1/orgs/{org}/audits/{}",
        audits["items"][0]["slug"].as_str().unwrap()
    );
    let started = Instant::now();
    let a = first
        .http
        .post(format!("{audit}/assessments"))
        .header("cookie", &first.cookie)
        .header("x-csrf-token", &first.csrf)
        .send()
        .unwrap();
    assert!(a.status().is_success(), "assess: {}", a.status());
    let assess_ms = started.elapsed().as_millis();
    let finding: Value = first
        .http
        .get(format!("{audit}/findings?limit=1"))
        .header("cookie", &first.cookie)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let test = finding["items"][0]["test"]
        .as_str()
        .unwrap_or("CHG-01.1")
        .to_string();
    let reads = [
        "/api/v1/me".to_string(),
        audit.trim_start_matches(&base).to_string(),
        format!("{}/controls?limit=50", audit.trim_start_matches(&base)),
        format!("{}/controls/CHG-01", audit.trim_start_matches(&base)),
        format!("{}/evidence?limit=50", audit.trim_start_matches(&base)),
        format!("{}/findings?limit=50", audit.trim_start_matches(&base)),
        format!("{}/tests/{test}", audit.trim_start_matches(&base)),
    ];
    let people: Vec<Session> = (0..sessions).map(|_| sign_in(&base)).collect();
    let rss_before = memory_kib(&pid, "VmRSS:");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let t0 = Instant::now();
    let handles: Vec<_> = people
        .into_iter()
        .enumerate()
        .map(|(n, s)| {
            let (base, audit, reads) = (base.clone(), audit.clone(), reads.clone());
            std::thread::spawn(move || {
                let (mut read_us, mut upload_us, mut errors) = (Vec::new(), Vec::new(), 0u64);
                let mut i = n * 7919;
                while Instant::now() < deadline {
                    i += 1;
                    let t = Instant::now();
                    let upload = i % 10 == 0;
                    let r = if upload {
                        let body = format!("load test document {n}-{i}\n").repeat(200);
                        s.http
                            .post(format!(
                                "{audit}/evidence?name=load-{n}-{i}.txt&kind=document"
                            ))
                            .header("cookie", &s.cookie)
                            .header("x-csrf-token", &s.csrf)
                            .body(body)
                            .send()
                    } else {
                        s.http
                            .get(format!("{base}{}", reads[i % reads.len()]))
                            .header("cookie", &s.cookie)
                            .send()
                    };
                    let ok = r.map(|r| {
                        let ok = r.status().is_success();
                        let _ = r.bytes();
                        ok
                    });
                    let us = t.elapsed().as_micros() as u64;
                    if !matches!(ok, Ok(true)) {
                        errors += 1;
                    }
                    if upload {
                        upload_us.push(us)
                    } else {
                        read_us.push(us)
                    }
                }
                (read_us, upload_us, errors)
            })
        })
        .collect();
    let (mut reads_us, mut uploads_us, mut errors) = (Vec::new(), Vec::new(), 0);
    for h in handles {
        let (r, u, e) = h.join().unwrap();
        reads_us.extend(r);
        uploads_us.extend(u);
        errors += e;
    }
    let elapsed = t0.elapsed().as_secs_f64();
    let pages = pages(&base, &audit, seconds / 2);
    reads_us.sort_unstable();
    uploads_us.sort_unstable();
    let total = reads_us.len() + uploads_us.len();
    println!(
        "{}",
        serde_json::to_string_pretty(&json!({
            "sessions": sessions,
            "seconds": elapsed,
            "requests": total,
            "throughput_per_s": total as f64 / elapsed,
            "errors": errors,
            "reads": { "count": reads_us.len(), "p50_ms": percentile(&reads_us, 0.50), "p99_ms": percentile(&reads_us, 0.99), "max_ms": percentile(&reads_us, 1.0) },
            "uploads": { "count": uploads_us.len(), "p50_ms": percentile(&uploads_us, 0.50), "p99_ms": percentile(&uploads_us, 0.99), "max_ms": percentile(&uploads_us, 1.0) },
            "server_rss_mib": { "before": rss_before / 1024, "after": memory_kib(&pid, "VmRSS:") / 1024, "peak": memory_kib(&pid, "VmHWM:") / 1024 },
            "assess_ms": assess_ms,
            "pages": pages,
        }))
        .unwrap()
    );
}

/// The web app's pages, opened in turn by four sessions for `seconds`: per page and overall
/// p50 and p99 in milliseconds, and errors.
fn pages(base: &str, audit_api: &str, seconds: u64) -> Value {
    let app = audit_api
        .replace("/api/v1/orgs/", "/app/")
        .replace("/audits/", "/");
    let app = app.trim_start_matches(base).to_string();
    let org_settings = format!(
        "{}/settings",
        app.rsplit_once('/').map(|(o, _)| o).unwrap_or("")
    );
    let list = vec![
        ("dashboard", app.clone()),
        ("controls", format!("{app}/controls")),
        ("control", format!("{app}/controls/CHG-01")),
        ("criteria", format!("{app}/criteria")),
        ("evidence", format!("{app}/evidence")),
        ("evidence-entry", format!("{app}/evidence/1")),
        ("findings", format!("{app}/findings")),
        ("query", format!("{app}/query")),
        ("reports", format!("{app}/reports")),
        ("settings", org_settings),
    ];
    // A first visit to each page, timed on its own: the first query builds the tables and
    // the first evidence page lists the ledger; later visits reuse them until it grows.
    let first = sign_in(base);
    let mut cold = serde_json::Map::new();
    for (name, path) in &list {
        let t = Instant::now();
        let r = first
            .http
            .get(format!("{base}{path}"))
            .header("cookie", &first.cookie)
            .send();
        let ok = r.map(|r| r.status().is_success()).unwrap_or(false);
        cold.insert(
            name.to_string(),
            json!({ "ms": t.elapsed().as_millis(), "ok": ok }),
        );
    }
    let deadline = Instant::now() + Duration::from_secs(seconds.max(1));
    let handles: Vec<_> = (0..4)
        .map(|n| {
            let (base, list) = (base.to_string(), list.clone());
            std::thread::spawn(move || {
                let s = sign_in(&base);
                let mut out: Vec<(&'static str, u64, bool)> = Vec::new();
                let mut i = n;
                while Instant::now() < deadline {
                    let (name, path) = &list[i % list.len()];
                    i += 1;
                    let t = Instant::now();
                    let ok = s
                        .http
                        .get(format!("{base}{path}"))
                        .header("cookie", &s.cookie)
                        .send()
                        .map(|r| {
                            let ok = r.status().is_success();
                            let _ = r.bytes();
                            ok
                        })
                        .unwrap_or(false);
                    out.push((name, t.elapsed().as_micros() as u64, ok));
                }
                out
            })
        })
        .collect();
    let mut all: Vec<(&'static str, u64, bool)> = Vec::new();
    for h in handles {
        all.extend(h.join().unwrap());
    }
    let mut per = serde_json::Map::new();
    for (name, _) in &list {
        let mut us: Vec<u64> = all
            .iter()
            .filter(|(n, _, _)| n == name)
            .map(|(_, u, _)| *u)
            .collect();
        us.sort_unstable();
        per.insert(
            name.to_string(),
            json!({ "count": us.len(), "p50_ms": percentile(&us, 0.50), "p99_ms": percentile(&us, 0.99) }),
        );
    }
    let mut us: Vec<u64> = all.iter().map(|(_, u, _)| *u).collect();
    us.sort_unstable();
    json!({
        "first_visit_ms": cold,
        "sessions": 4,
        "requests": us.len(),
        "errors": all.iter().filter(|(_, _, ok)| !ok).count(),
        "p50_ms": percentile(&us, 0.50),
        "p99_ms": percentile(&us, 0.99),
        "max_ms": percentile(&us, 1.0),
        "per_page": per,
    })
}
