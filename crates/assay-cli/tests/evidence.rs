//! `assay evidence`, `verify`, `checkpoint` and `bundle` through the real binary: bad input
//! stores nothing, interrupted imports resume without duplicates, tampering is located.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod common;
use common::*;

use std::path::Path;
use std::time::Duration;

#[test]
fn add_list_show_cat_verify_checkpoint() {
    let ws = workspace();
    std::fs::write(
        ws.path().join("roster.csv"),
        "email,start\nalice@acme.com,2026-01-05\n",
    )
    .unwrap();
    std::fs::write(
        ws.path().join("app.env"),
        "DB_PASSWORD=hunter2hunter2\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n",
    )
    .unwrap();
    let (code, out, err) = run(
        ws.path(),
        &[
            "evidence",
            "add",
            "roster.csv",
            "app.env",
            "--kind",
            "document",
            "--effective",
            "2026-06-30",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Stored 2 files"), "{out}");
    assert!(out.contains("2 secrets redacted"), "{out}");
    let (_, cat, _) = run(ws.path(), &["evidence", "cat", "1"]);
    assert!(
        !cat.contains("hunter2")
            && !cat.contains("AKIAIOSFODNN7EXAMPLE")
            && cat.contains("[REDACTED:"),
        "{cat}"
    );
    let stored = std::fs::read_dir(ws.path().join(".assay/objects"))
        .unwrap()
        .count();
    assert!(stored > 0);
    let (_, show, _) = run(ws.path(), &["evidence", "show", "2"]);
    assert!(
        show.contains("roster.csv") && show.contains("speaks for    2026-06-30"),
        "{show}"
    );
    let (_, again, _) = run(
        ws.path(),
        &[
            "evidence",
            "add",
            "roster.csv",
            "app.env",
            "--kind",
            "document",
            "--effective",
            "2026-06-30",
        ],
    );
    assert!(again.contains("Nothing new to store"), "{again}");
    let (code, again, _) = run(
        ws.path(),
        &[
            "evidence",
            "add",
            "roster.csv",
            "--kind",
            "document",
            "--effective",
            "2026-06-30",
            "--new-observation",
        ],
    );
    assert_eq!(code, 0);
    assert!(again.contains("Stored 1 file"), "{again}");
    assert_eq!(
        entry_count(ws.path()),
        3,
        "a new observation is a new entry"
    );
    let (_, list, _) = run(ws.path(), &["evidence", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(
        v["entries"][1]["entry"]["blob"], v["entries"][2]["entry"]["blob"],
        "pointing at the same blob"
    );
    let (code, out, _) = run(ws.path(), &["checkpoint"]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = run(ws.path(), &["verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("verified: 3 entries, 2 blobs, 1 checkpoint"),
        "{out}"
    );
}

#[test]
fn no_secret_reaches_disk() {
    let ws = workspace();
    let secret = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
    std::fs::write(
        ws.path().join("ci.log"),
        format!("cloning with token {secret}\n"),
    )
    .unwrap();
    let (code, _, err) = run(
        ws.path(),
        &["evidence", "add", "ci.log", "--kind", "document"],
    );
    assert_eq!(code, 0, "{err}");
    std::fs::remove_file(ws.path().join("ci.log")).unwrap();
    fn scan(p: &Path, needle: &[u8]) -> bool {
        std::fs::read_dir(p).unwrap().flatten().any(|e| {
            let p = e.path();
            if p.is_dir() {
                scan(&p, needle)
            } else {
                std::fs::read(&p)
                    .unwrap()
                    .windows(needle.len())
                    .any(|w| w == needle)
            }
        })
    }
    assert!(
        !scan(ws.path(), secret.as_bytes()),
        "the token is somewhere under the workspace"
    );
}

#[test]
fn bad_input_is_named_and_nothing_is_stored() {
    let ws = workspace();
    let p = ws.path();
    std::fs::write(p.join("good.csv"), "a,b\n1,2\n").unwrap();
    std::fs::write(p.join("empty.csv"), "").unwrap();
    std::fs::create_dir_all(p.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", p.join("loop/up")).unwrap();
    std::fs::create_dir_all(p.join("badname")).unwrap();
    let raw: &std::ffi::OsStr = std::os::unix::ffi::OsStrExt::from_bytes(b"caf\xe9.csv");
    std::fs::write(p.join("badname").join(raw), "x\n").unwrap();
    for (arg, says) in [
        ("missing.csv", "missing.csv: cannot read"),
        ("empty.csv", "empty.csv: the file is empty"),
        ("loop", "symbolic link loop"),
        ("badname", "not valid UTF-8"),
    ] {
        let (code, out, err) = run(
            p,
            &["evidence", "add", "good.csv", arg, "--kind", "document"],
        );
        assert_eq!(code, 2, "{arg}: {out}{err}");
        assert!(err.contains(says), "{arg}: {err}");
        assert!(err.contains("nothing was stored"), "{arg}: {err}");
    }
    assert!(!p.join(".assay/ledger.db").exists() || entry_count(p) == 0);
    let (code, _, err) = run(p, &["evidence", "add", "good.csv", "--kind", "Bad Kind"]);
    assert_eq!(code, 2);
    assert!(err.contains("--kind Bad Kind"), "{err}");
}

#[test]
fn a_folder_of_ten_thousand_files() {
    let ws = workspace();
    let dir = ws.path().join("many");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..10_000 {
        std::fs::write(dir.join(format!("f{i:05}.txt")), format!("record {i}\n")).unwrap();
    }
    let (code, out, err) = run(
        ws.path(),
        &["evidence", "add", "many", "--kind", "document"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Stored 10000 files"), "{out}");
    let (code, out, _) = run(ws.path(), &["verify"]);
    assert_eq!(code, 0, "{out}");
}

/// SIGKILL the import at many points; every time the locker verifies, and the re-run
/// completes the batch without storing anything twice.
#[test]
fn killed_imports_verify_and_resume_without_duplicates() {
    let ws = workspace();
    let dir = ws.path().join("export");
    std::fs::create_dir_all(&dir).unwrap();
    let files = 400;
    for i in 0..files {
        let body = format!(
            "id,value\n{}\n",
            format!("{i},{}\n", "x".repeat(i * 37 % 4000)).repeat(1 + i % 7)
        );
        std::fs::write(dir.join(format!("part-{i:04}.csv")), body).unwrap();
    }
    let bin = assert_cmd::cargo::cargo_bin("assay");
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut kills = 0;
    let mut attempts = 0;
    while kills < 20 && attempts < 60 {
        attempts += 1;
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = std::process::Command::new(&bin)
            .current_dir(ws.path())
            .args(["evidence", "add", "export", "--kind", "document"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(2 + seed % 80));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL on Unix
            kills += 1;
        }
        child.wait().unwrap();
        let (code, out, err) = run(ws.path(), &["verify"]);
        assert!(
            code == 0 || !ws.path().join(".assay/ledger.db").exists(),
            "after a kill: {out}{err}"
        );
    }
    assert!(
        kills >= 20,
        "only {kills} runs were interrupted; the import finished too fast to test"
    );
    let (code, _, err) = run(
        ws.path(),
        &["evidence", "add", "export", "--kind", "document"],
    );
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = run(ws.path(), &["evidence", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut locators: Vec<String> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["entry"]["provenance"]["locator"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let total = locators.len();
    locators.sort();
    locators.dedup();
    assert_eq!(
        (total, locators.len()),
        (files, files),
        "every file stored exactly once"
    );
    let (code, out, _) = run(ws.path(), &["verify"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn tampering_is_located_by_verify_and_bundle_verify() {
    let ws = workspace();
    for i in 0..3 {
        std::fs::write(ws.path().join(format!("e{i}.csv")), format!("n\n{i}\n")).unwrap();
        let (code, _, err) = run(
            ws.path(),
            &[
                "evidence",
                "add",
                &format!("e{i}.csv"),
                "--kind",
                "document",
                "--effective",
                "2026-03-31",
            ],
        );
        assert_eq!(code, 0, "{err}");
    }
    let (code, _, err) = run(ws.path(), &["bundle", "export", "b.tar.gz"]);
    assert_eq!(code, 0, "{err}");
    let other = tempfile::tempdir().unwrap();
    std::fs::copy(ws.path().join("b.tar.gz"), other.path().join("b.tar.gz")).unwrap();
    let (code, out, err) = run(other.path(), &["bundle", "verify", "b.tar.gz"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("verified: bundle from Acme"), "{out}");

    let (_, show, _) = run(ws.path(), &["evidence", "show", "2", "--json"]);
    let blob = serde_json::from_str::<serde_json::Value>(&show).unwrap()["entry"]["blob"]
        .as_str()
        .unwrap()
        .to_string();
    let path = ws
        .path()
        .join(".assay/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::write(&path, "n\nforged\n").unwrap();
    let (code, out, _) = run(ws.path(), &["verify"]);
    assert_eq!(code, 1);
    assert!(out.contains("FAULT [blob-altered] entry #2"), "{out}");
    let (code, _, err) = run(ws.path(), &["bundle", "export", "c.tar.gz"]);
    assert_eq!(code, 2, "a tampered locker is not exported");
    assert!(err.contains("fails verification"), "{err}");
}

#[test]
fn stale_snapshots_are_flagged_for_the_period() {
    let ws = workspace();
    std::fs::write(ws.path().join("roster.csv"), "email\nalice@acme.com\n").unwrap();
    std::fs::write(ws.path().join("policy.md"), "# Access policy\n").unwrap();
    // A roster as of March is stale for a period ending in June (30-day time-to-live);
    // a policy from March is not (365 days); a June roster is fresh.
    for (file, kind, day) in [
        ("roster.csv", "hr-roster", "2026-03-01"),
        ("policy.md", "document", "2026-03-01"),
    ] {
        let (code, _, err) = run(
            ws.path(),
            &["evidence", "add", file, "--kind", kind, "--effective", day],
        );
        assert_eq!(code, 0, "{err}");
    }
    std::fs::write(
        ws.path().join("roster.csv"),
        "email\nalice@acme.com\nbob@acme.com\n",
    )
    .unwrap();
    let (code, _, err) = run(
        ws.path(),
        &[
            "evidence",
            "add",
            "roster.csv",
            "--kind",
            "hr-roster",
            "--effective",
            "2026-06-15",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = run(ws.path(), &["evidence", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let stale: Vec<bool> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["stale"].as_bool().unwrap())
        .collect();
    assert_eq!(stale, [true, false, false]);
    let (_, out, _) = run(ws.path(), &["evidence", "list"]);
    assert!(out.contains("1 stale for the audit period"), "{out}");
    // The workspace can shorten a kind's time-to-live.
    let toml = std::fs::read_to_string(ws.path().join("assay.toml")).unwrap();
    std::fs::write(
        ws.path().join("assay.toml"),
        format!("{toml}\n[freshness]\nhr-roster = 10\n"),
    )
    .unwrap();
    let (_, out, _) = run(ws.path(), &["evidence", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["entries"][2]["stale"], true,
        "a roster 15 days old is stale with a 10-day time-to-live"
    );
}

#[test]
fn paths_are_relative_to_the_c_folder_like_git() {
    let ws = workspace();
    std::fs::create_dir_all(ws.path().join("exports")).unwrap();
    std::fs::write(
        ws.path().join("exports/roster.csv"),
        "email\nalice@acme.com\n",
    )
    .unwrap();
    let outside = tempfile::tempdir().unwrap();
    let c = ws.path().to_str().unwrap();
    let (code, out, err) = run(
        outside.path(),
        &[
            "-C",
            c,
            "evidence",
            "add",
            "exports/roster.csv",
            "--kind",
            "hr-roster",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = run(outside.path(), &["-C", c, "bundle", "export", "b.tar.gz"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        ws.path().join("b.tar.gz").exists(),
        "the bundle is written relative to -C"
    );
}
