//! `assay evidence import`, `assay tables` and `assay query` through the real binary, on the
//! real-format fixtures of `assay-tables`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod common;
use common::*;

use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assay-tables/tests/fixtures")
}

fn count(ws: &Path, sql: &str) -> String {
    let (code, out, err) = run(ws, &["query", sql, "--csv"]);
    assert_eq!(code, 0, "{err}");
    out.lines().nth(1).unwrap_or("").to_string()
}

#[test]
fn imports_fill_the_tables_and_query_answers() {
    let ws = workspace();
    let f = fixtures();
    let p = |n: &str| f.join(n).to_string_lossy().into_owned();
    for (kind, file) in [
        ("hr-roster", p("hr_roster_bamboohr.csv")),
        ("aws-credential-report", p("aws_credential_report.csv")),
        ("aws-cloudtrail", p("cloudtrail")),
        ("okta-system-log", p("okta_system_log.ndjson")),
        ("github-pulls", p("github_pulls.json")),
    ] {
        let (code, out, err) = run(
            ws.path(),
            &[
                "evidence",
                "import",
                &file,
                "--kind",
                kind,
                "--effective",
                "2026-06-30",
            ],
        );
        assert_eq!(code, 0, "{kind}: {out}{err}");
        assert!(out.starts_with("Imported"), "{out}");
    }
    let (code, out, err) = run(ws.path(), &[
        "evidence", "import", &p("access_reviews.csv"), "--kind", "csv", "--table", "access_reviews",
        "--map", "key=Ticket,system=System,reviewer=Reviewer,period_start=From,period_end=To,completed_at=Completed,items=Accounts,revocations=Removed",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("access_reviews 2"), "{out}");

    assert_eq!(count(ws.path(), "select count(*) from changes"), "7");
    assert_eq!(count(ws.path(), "select count(*) from people"), "4");
    assert_eq!(
        count(ws.path(), "select count(*) from audit_events"),
        "12",
        "7 CloudTrail + 5 Okta; the digest file is skipped"
    );
    assert_eq!(
        count(
            ws.path(),
            "select count(*) from cloud_credentials where is_root and not mfa_active"
        ),
        "0"
    );
    assert_eq!(count(ws.path(), "select count(*) from access_reviews"), "2");
    let (_, json, _) = run(
        ws.path(),
        &[
            "query",
            "select key, approvals, self_approved from changes where number = 102",
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["rows"][0],
        serde_json::json!({"key": "northwind/api#102", "approvals": 0, "self_approved": true})
    );
    // Every row names the evidence it came from, and that evidence is in the ledger.
    let blob = count(ws.path(), "select evidence from people limit 1");
    let (code, _, _) = run(ws.path(), &["evidence", "show", &blob[..12]]);
    assert_eq!(code, 0);

    let (code, out, _) = run(ws.path(), &["tables", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (
            v["rows"]["changes"].as_u64(),
            v["rows"]["accounts"].as_u64()
        ),
        (Some(7), Some(0))
    );
    let (code, _, err) = run(ws.path(), &["query", "select nope from people"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("nope") && err.contains("assay tables --schema"),
        "{err}"
    );
}

/// `assay query` runs one read-only query: statements that write files, read files or change
/// the catalog exit 2 and leave no trace (issue 13).
#[test]
fn query_refuses_copy_ddl_and_file_tables() {
    let ws = workspace();
    let target = ws.path().join("out").join("stolen.csv");
    let copy = format!("COPY (SELECT 1) TO '{}'", target.display());
    let cases: [(&str, &str); 5] = [
        (copy.as_str(), "`COPY` is refused"),
        (
            "CREATE EXTERNAL TABLE pw (line TEXT) STORED AS CSV LOCATION '/etc/passwd'",
            "`CREATE EXTERNAL TABLE` is refused",
        ),
        ("CREATE TABLE t AS SELECT 1", "is refused"),
        ("DROP TABLE people", "is refused"),
        ("SELECT 1; SELECT 2", "holds 2 statements"),
    ];
    for (sql, says) in cases {
        let (code, out, err) = run(ws.path(), &["query", sql]);
        assert_eq!(code, 2, "{sql}: {out}{err}");
        assert!(err.contains(says), "{sql}: {err}");
    }
    assert!(!target.exists() && !ws.path().join("out").exists());
    // A file-reading table function is not there either.
    let (code, _, err) = run(
        ws.path(),
        &["query", "SELECT * FROM read_csv('/etc/passwd')"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains("root:"), "{err}");
}

#[test]
fn malformed_exports_name_file_and_line_and_store_nothing() {
    let ws = workspace();
    let dir = ws.path().join("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let gz = std::fs::read(fixtures().join("cloudtrail/AWSLogs/123456789012/CloudTrail/us-east-1/2026/03/01/123456789012_CloudTrail_us-east-1_20260301T0905Z_a1b2c3.json.gz")).unwrap();
    std::fs::write(dir.join("cut.json.gz"), &gz[..gz.len() / 2]).unwrap();
    std::fs::write(dir.join("wrong-header.csv"), "Name,Team\nAna,Finance\n").unwrap();
    std::fs::write(
        dir.join("bad-date.csv"),
        "Work Email,Hire Date\nana@x.com,2026-01-05\nben@x.com,31/31/2026\n",
    )
    .unwrap();
    std::fs::write(
        ws.path().join("good.csv"),
        "Work Email,Hire Date\nana@x.com,2026-01-05\n",
    )
    .unwrap();
    // Latin-1 bytes on line 3 (an export saved in the wrong encoding).
    std::fs::write(
        dir.join("latin1.csv"),
        b"Work Email,Hire Date\nana@x.com,2026-01-05\nren\xe9@x.com,2026-01-06\n",
    )
    .unwrap();
    // A 2 GB line (a sparse file: no disk used) is refused by streaming, never loaded whole.
    std::fs::File::create(dir.join("huge.csv"))
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    for (file, kind, says) in [
        (
            "bad/cut.json.gz",
            "aws-cloudtrail",
            "bad/cut.json.gz: the gzip data is damaged or cut off",
        ),
        (
            "bad/wrong-header.csv",
            "hr-roster",
            "bad/wrong-header.csv:1: no email column",
        ),
        (
            "bad/bad-date.csv",
            "hr-roster",
            "bad/bad-date.csv:3: start date: `31/31/2026` is not a date",
        ),
        (
            "bad/latin1.csv",
            "hr-roster",
            "not UTF-8 text; export it again as CSV (UTF-8)",
        ),
        (
            "bad/huge.csv",
            "hr-roster",
            "bad/huge.csv:1: the line is longer than 268435456 bytes",
        ),
    ] {
        let (code, out, err) = run(
            ws.path(),
            &["evidence", "import", "good.csv", file, "--kind", kind],
        );
        assert_eq!(code, 2, "{file}: {out}{err}");
        assert!(err.contains(says), "{file}: {err}");
    }
    assert_eq!(entry_count(ws.path()), 0, "nothing was stored");
    // A good file next to a bad one: still nothing.
    let (code, _, err) = run(
        ws.path(),
        &[
            "evidence",
            "import",
            "good.csv",
            "bad/bad-date.csv",
            "--kind",
            "hr-roster",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert_eq!(entry_count(ws.path()), 0);
    let empty = |dir: &str| {
        let p = ws.path().join(dir);
        !p.exists() || std::fs::read_dir(&p).unwrap().count() == 0
    };
    assert!(empty(".assay/objects"), "no blob stored");
    assert!(empty(".assay/staging"), "nothing left staged");
    let (code, _, err) = run(
        ws.path(),
        &["evidence", "import", "good.csv", "--kind", "pdf"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("not an importable format; use one of hr-roster"),
        "{err}"
    );
    let (code, _, err) = run(
        ws.path(),
        &["evidence", "import", "good.csv", "--kind", "csv"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("needs --table T and --map"), "{err}");
}

#[test]
fn an_interrupted_import_leaves_nothing_behind_once_imports_resume() {
    let ws = workspace();
    // What a killed import leaves: a staging folder of a process that is gone.
    let stale = ws.path().join(".assay/staging/999999999-1");
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join("0"), "half a file").unwrap();
    let file = fixtures().join("hr_roster_bamboohr.csv");
    let (code, out, err) = run(
        ws.path(),
        &[
            "evidence",
            "import",
            file.to_str().unwrap(),
            "--kind",
            "hr-roster",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(!stale.exists(), "the stale staging folder is removed");
    let left = std::fs::read_dir(ws.path().join(".assay/staging"))
        .unwrap()
        .count();
    assert_eq!(left, 0, "this import's own staging folder is removed too");
}
