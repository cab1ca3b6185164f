//! `assay bundle export|verify|key` through the real binary, against the hostile bundles of
//! issue 13: forged and unsigned bundles fail, a pinned key must match, and decompression
//! bombs are refused at the limits set in assay.toml or the environment.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod common;
use assay_locker::bundle::Bundle;
use assay_locker::limits::Limits;
use common::*;
use std::io::Write;
use std::path::Path;

fn add(ws: &Path, name: &str, bytes: &[u8]) -> (i32, String, String) {
    std::fs::write(ws.join(name), bytes).unwrap();
    run(
        ws,
        &[
            "evidence",
            "add",
            name,
            "--kind",
            "document",
            "--effective",
            "2026-03-31",
        ],
    )
}

/// A workspace with two pieces of evidence and its exported bundle `b.tar.gz`.
fn exported() -> tempfile::TempDir {
    let ws = workspace();
    for i in 0..2 {
        let (code, _, err) = add(
            ws.path(),
            &format!("e{i}.csv"),
            format!("n\n{i}\n").as_bytes(),
        );
        assert_eq!(code, 0, "{err}");
    }
    let (code, out, err) = run(ws.path(), &["bundle", "export", "b.tar.gz"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("--key-id"), "{out}");
    ws
}

fn key_id(ws: &Path) -> String {
    let (code, out, err) = run(ws, &["bundle", "key", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["fingerprint"].as_str().unwrap().len(), 64);
    v["key_id"].as_str().unwrap().to_string()
}

#[test]
fn unpinned_verify_says_whose_key_and_pinned_verify_checks_it() {
    let ws = exported();
    let id = key_id(ws.path());
    let (code, out, _) = run(ws.path(), &["bundle", "key"]);
    assert_eq!(code, 0);
    assert!(out.contains(&format!("Key id:      {id}")), "{out}");

    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::copy(
        ws.path().join("b.tar.gz"),
        elsewhere.path().join("b.tar.gz"),
    )
    .unwrap();
    let (code, out, err) = run(elsewhere.path(), &["bundle", "verify", "b.tar.gz"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("verified: bundle from Acme"), "{out}");
    assert!(
        out.contains("whatever the bundle itself claims") && out.contains(&id),
        "{out}"
    );

    let (code, out, err) = run(
        elsewhere.path(),
        &["bundle", "verify", "b.tar.gz", "--key-id", &id],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("the one you pinned"), "{out}");

    std::fs::copy(
        ws.path().join(".assay/keys/ledger.ed25519.pub"),
        elsewhere.path().join("acme.pub"),
    )
    .unwrap();
    let (code, out, err) = run(
        elsewhere.path(),
        &["bundle", "verify", "b.tar.gz", "--key", "acme.pub"],
    );
    assert_eq!(code, 0, "{out}{err}");

    // Another organization's bundle, pinned to Acme's key: exit 1, said plainly.
    let other = exported();
    let (code, out, _) = run(
        other.path(),
        &["bundle", "verify", "b.tar.gz", "--key-id", &id],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("[key-not-trusted]") && out.contains("not by the key you trust"),
        "{out}"
    );
    let (code, _, err) = run(
        other.path(),
        &["bundle", "verify", "b.tar.gz", "--key-id", "xyz"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("16 hex digits"), "{err}");
}

/// The attack of issue 13 through the CLI: checkpoints removed and no statement, or the
/// organization renamed, with the real public key: never "verified".
#[test]
fn forged_and_renamed_bundles_do_not_verify() {
    let ws = exported();
    let real = Bundle::read(&ws.path().join("b.tar.gz"), Limits::default()).unwrap();
    let mut forged = real.clone();
    forged.manifest.checkpoints.clear();
    forged.statement = None;
    forged.write(&ws.path().join("forged.tar.gz")).unwrap();
    let (code, out, _) = run(ws.path(), &["bundle", "verify", "forged.tar.gz"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("TAMPERED") && out.contains("[unsigned]"),
        "{out}"
    );

    let mut evil = real.clone();
    evil.manifest.organization = "EVIL CORP".into();
    evil.write(&ws.path().join("evil.tar.gz")).unwrap();
    let (code, out, _) = run(ws.path(), &["bundle", "verify", "evil.tar.gz"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("[signature-invalid]") && out.contains("EVIL CORP"),
        "{out}"
    );
}

fn zeros_gz(mib: usize) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..mib {
        enc.write_all(&chunk).unwrap();
    }
    enc.finish().unwrap()
}

/// A gzip bomb is refused by import and by `evidence add`, naming the limit, storing
/// nothing; the limit comes from `[limits]` in assay.toml.
#[test]
fn gzip_bombs_are_refused_at_the_configured_limit() {
    let ws = workspace();
    let toml = ws.path().join("assay.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("\n[limits]\nmax_expanded_mib = 8\n");
    std::fs::write(&toml, text).unwrap();
    std::fs::write(ws.path().join("bomb.json.gz"), zeros_gz(16)).unwrap();
    let (code, _, err) = run(
        ws.path(),
        &[
            "evidence",
            "import",
            "bomb.json.gz",
            "--kind",
            "aws-cloudtrail",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("more than 8 MiB") && err.contains("max_expanded_mib"),
        "{err}"
    );
    let (code, _, err) = run(
        ws.path(),
        &["evidence", "add", "bomb.json.gz", "--kind", "document"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("more than 8 MiB"), "{err}");
    assert_eq!(entry_count(ws.path()), 0, "nothing was stored");
}

/// With default limits a bomb past the grace is refused for its ratio.
#[test]
fn gzip_bomb_is_refused_for_its_ratio_by_default() {
    let ws = workspace();
    std::fs::write(ws.path().join("bomb.json.gz"), zeros_gz(80)).unwrap();
    let (code, _, err) = run(
        ws.path(),
        &["evidence", "add", "bomb.json.gz", "--kind", "document"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("limit of expansion ratio") && err.contains("max_expansion_ratio"),
        "{err}"
    );
}

#[test]
fn bad_limits_are_diagnosed() {
    let ws = workspace();
    let toml = ws.path().join("assay.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("\n[limits]\nmax_expansion_ratio = 0\n");
    std::fs::write(&toml, text).unwrap();
    let (code, out, err) = run(ws.path(), &["validate"]);
    assert_ne!(code, 0);
    assert!(
        (out.clone() + &err).contains("`max_expansion_ratio` must be a whole number above 0"),
        "{out}{err}"
    );
}

/// Workspace-less `bundle verify` takes its limits from the environment.
#[test]
fn bundle_verify_limits_come_from_the_environment() {
    let ws = workspace();
    let (code, _, err) = add(ws.path(), "big.bin", &vec![7u8; 12 << 20]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(ws.path(), &["bundle", "export", "b.tar.gz"]);
    assert_eq!(code, 0, "{err}");
    let out = assay(ws.path())
        .args(["bundle", "verify", "b.tar.gz"])
        .env("ASSAY_MAX_EXPANDED_MIB", "8")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("8 MiB") && err.contains("ASSAY_MAX_EXPANDED_MIB"),
        "{err}"
    );
    let out = assay(ws.path())
        .args(["bundle", "verify", "b.tar.gz"])
        .env("ASSAY_MAX_EXPANSION_RATIO", "many")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let (code, _, err) = run(ws.path(), &["bundle", "verify", "b.tar.gz"]);
    assert_eq!(code, 0, "{err}");
}
