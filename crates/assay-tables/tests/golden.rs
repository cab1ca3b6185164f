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
    (
        "json",
        "access_reviews.json",
        &[
            ("table", "access_reviews"),
            (
                "map",
                "key=ticket,system=system,reviewer=review.by,period_start=review.from,period_end=review.to,completed_at=review.done,items=accounts,revocations=removed",
            ),
        ],
    ),
];

/// Collection runs, each under `tests/fixtures/runs/KIND`.
const RUNS: &[&str] = &["github-api", "okta-api", "aws-api", "git-log", "host"];

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

/// One piece of evidence: its bytes and import (or collection) parameters.
type Piece = (Vec<u8>, BTreeMap<String, String>);

/// The pieces of a file fixture: the file, or the files of a folder the format reads (as
/// `assay evidence import` picks them), each with the same parameters.
fn file_pieces(kind: &str, fixture: &str, params: &[(&str, &str)]) -> Vec<Piece> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
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
    paths
        .iter()
        .map(|p| (std::fs::read(p).unwrap(), params.clone()))
        .collect()
}

/// The pieces of one collection run: `tests/fixtures/runs/KIND/params.txt` lists each file
/// with the parameters its collector records (`endpoint=members repo=...`).
fn run_pieces(kind: &str) -> Vec<Piece> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/runs")
        .join(kind);
    std::fs::read_to_string(dir.join("params.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut words = l.split_whitespace();
            let file = words.next().unwrap();
            let params = words
                .map(|w| {
                    let (k, v) = w.split_once('=').unwrap();
                    (k.to_string(), v.to_string())
                })
                .collect();
            (std::fs::read(dir.join(file)).unwrap(), params)
        })
        .collect()
}

/// The moment every piece speaks for.
const SNAPSHOT: i64 = 1_782_777_600_000_000;

/// SHA-256 over every table the kind fills, rows in key order, cells as text. Also checks
/// that the framework stamped every row with the hash and moment of a piece it came from.
fn output_hash(kind: &str, pieces: &[Piece]) -> String {
    let names: Vec<String> = (0..pieces.len()).map(|i| format!("e{i}")).collect();
    let tables = Tables::build(pieces.iter().zip(&names).map(|((b, params), ev)| {
        (
            kind,
            Input {
                bytes: b,
                evidence: ev,
                snapshot_at: Some(SNAPSHOT),
                params,
                batch: None,
            },
        )
    }))
    .unwrap_or_else(|(i, e)| panic!("{kind} piece #{i}: {e}"));
    let mut filled: Vec<String> = for_kind(kind)
        .unwrap()
        .tables
        .iter()
        .map(|t| t.to_string())
        .filter(|t| assay_tables::schema::table(t).is_some())
        .collect();
    if let Some(t) = pieces.first().and_then(|p| p.1.get("table")) {
        filled.push(t.clone());
    }
    let mut h = Sha256::new();
    let mut rows = 0;
    for t in filled {
        let r = assay_testkit::block_on(tables.query(&format!("SELECT * FROM {t} ORDER BY key")))
            .unwrap();
        let ev = r.columns.iter().position(|c| c == "evidence").unwrap();
        let at = r.columns.iter().position(|c| c == "snapshot_at");
        h.update(t.as_bytes());
        h.update(r.columns.join("\u{1f}").as_bytes());
        for row in r.text_rows() {
            rows += 1;
            let evidence = row[ev].as_deref().unwrap_or("");
            assert!(
                names.iter().any(|n| n == evidence),
                "{kind}: a row of {t} names evidence `{evidence}`, not one of its inputs"
            );
            if let Some(at) = at {
                assert!(row[at].is_some(), "{kind}: a row of {t} has no snapshot_at");
            }
            for c in row {
                h.update(c.as_deref().unwrap_or("\u{0}").as_bytes());
                h.update(b"\x1f");
            }
            h.update(b"\x1e");
        }
    }
    assert!(rows > 0, "{kind}: its fixture gave no rows");
    hex::encode(h.finalize())
}

#[test]
fn every_output_change_comes_with_a_version_bump() {
    let golden_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/normalizers.txt");
    let mut cases: Vec<(&str, Vec<Piece>)> = CASES
        .iter()
        .map(|(kind, fixture, params)| (*kind, file_pieces(kind, fixture, params)))
        .collect();
    cases.extend(RUNS.iter().map(|kind| (*kind, run_pieces(kind))));
    // Every normalizer has a golden output.
    for n in assay_tables::REGISTRY {
        assert!(
            cases.iter().any(|(k, _)| *k == n.kind),
            "{}: no golden case; add its fixture to CASES or RUNS",
            n.kind
        );
    }
    let now: Vec<String> = cases
        .iter()
        .map(|(kind, pieces)| {
            let version = for_kind(kind).unwrap().version;
            format!("{kind} {version} {}", output_hash(kind, pieces))
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
            None => problems.push(format!("{kind}: no golden output; run UPDATE_GOLDEN=1 cargo test -p assay-tables --test tables golden")),
            Some((v, h)) if *v == version && *h != hash => problems.push(format!(
                "{kind}: its output changed but its version is still {version}; bump `version` in its normalizer (the rows cache is keyed by it), then run UPDATE_GOLDEN=1 cargo test -p assay-tables --test tables golden"
            )),
            Some((v, _)) if *v != version => problems.push(format!(
                "{kind}: now version {version} (golden has {v}); run UPDATE_GOLDEN=1 cargo test -p assay-tables --test tables golden to record its output"
            )),
            _ => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
