//! Golden outputs of the file normalizers: each one's rows from its fixture, hashed, next to
//! its version in `tests/golden/normalizers.txt`. The rows cache is keyed by a normalizer's
//! version, so a change in output without a version bump would serve stale rows: this test
//! fails then, and says what to do. `UPDATE_GOLDEN=1` rewrites the file after a bump.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use assay_tables::{for_kind, Input, Tables};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// Import parameters: (name, value).
type Params = &'static [(&'static str, &'static str)];

/// (kind, fixture file or folder under tests/fixtures, import parameters).
const CASES: &[(&str, &str, Params)] = &[
    ("hr-roster", "hr_roster_bamboohr.csv", &[]),
    ("aws-credential-report", "aws_credential_report.csv", &[]),
    ("aws-cloudtrail", "cloudtrail", &[]),
    ("github-pulls", "github_pulls.json", &[]),
    ("okta-system-log", "okta_system_log.json", &[]),
    (
        "csv",
        "access_reviews.csv",
        &[
            ("table", "access_reviews"),
            (
                "map",
                "key=Ticket,system=System,reviewer=Reviewer,period_start=From,period_end=To,completed_at=Completed,items=Accounts,revocations=Removed",
            ),
        ],
    ),
];

fn files(path: &Path, out: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        let mut list: Vec<_> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        list.sort();
        for p in list {
            files(&p, out);
        }
    } else {
        out.push(path.to_path_buf());
    }
}

/// SHA-256 over every table the kind fills, rows in key order, cells as text.
fn output_hash(kind: &str, fixture: &str, params: &[(&str, &str)]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    // A fixture named as a file is read whatever its name; in a folder, the files the
    // format reads (as `assay evidence import` picks them).
    let mut paths = Vec::new();
    files(&root.join(fixture), &mut paths);
    if paths.len() > 1 {
        paths.retain(|p| {
            let rel = p.strip_prefix(&root).unwrap().to_string_lossy().to_string();
            assay_tables::normalize::reads_file(kind, &rel)
        });
    }
    let params: BTreeMap<String, String> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let bytes: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let names: Vec<String> = (0..bytes.len()).map(|i| format!("e{i}")).collect();
    let tables = Tables::build(bytes.iter().zip(&names).map(|(b, ev)| {
        (
            kind,
            Input {
                bytes: b,
                evidence: ev,
                snapshot_at: Some(1_782_777_600_000_000),
                params: &params,
                batch: None,
            },
        )
    }))
    .unwrap_or_else(|(i, e)| panic!("{kind} {fixture} #{i}: {e}"));
    let mut filled: Vec<String> = for_kind(kind)
        .unwrap()
        .tables
        .iter()
        .map(|t| t.to_string())
        .filter(|t| assay_tables::schema::table(t).is_some())
        .collect();
    if let Some(t) = params.get("table") {
        filled.push(t.clone());
    }
    let mut h = Sha256::new();
    for t in filled {
        let r = assay_testkit::block_on(tables.query(&format!("SELECT * FROM {t} ORDER BY key")))
            .unwrap();
        h.update(t.as_bytes());
        h.update(r.columns.join("\u{1f}").as_bytes());
        for row in r.text_rows() {
            for c in row {
                h.update(c.as_deref().unwrap_or("\u{0}").as_bytes());
                h.update(b"\x1f");
            }
            h.update(b"\x1e");
        }
    }
    hex::encode(h.finalize())
}

#[test]
fn every_output_change_comes_with_a_version_bump() {
    let golden_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/normalizers.txt");
    let now: Vec<String> = CASES
        .iter()
        .map(|(kind, fixture, params)| {
            let version = for_kind(kind).unwrap().version;
            format!("{kind} {version} {}", output_hash(kind, fixture, params))
        })
        .collect();
    if std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(golden_path.parent().unwrap()).unwrap();
        std::fs::write(&golden_path, now.join("\n") + "\n").unwrap();
        return;
    }
    let golden = std::fs::read_to_string(&golden_path).unwrap_or_default();
    let recorded: BTreeMap<&str, (&str, &str)> = golden
        .lines()
        .filter_map(|l| {
            let mut it = l.split(' ');
            Some((it.next()?, (it.next()?, it.next()?)))
        })
        .collect();
    let mut problems = Vec::new();
    for line in &now {
        let mut it = line.split(' ');
        let (kind, version, hash) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
        match recorded.get(kind) {
            None => problems.push(format!("{kind}: no golden output; run UPDATE_GOLDEN=1 cargo test -p assay-tables --test golden")),
            Some((v, h)) if *v == version && *h != hash => problems.push(format!(
                "{kind}: its output changed but its version is still {version}; bump `version` in its normalizer (the rows cache is keyed by it), then run UPDATE_GOLDEN=1 cargo test -p assay-tables --test golden"
            )),
            Some((v, _)) if *v != version => problems.push(format!(
                "{kind}: now version {version} (golden has {v}); run UPDATE_GOLDEN=1 cargo test -p assay-tables --test golden to record its output"
            )),
            _ => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
