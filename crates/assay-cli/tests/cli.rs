//! The `assay` binary end to end: output snapshots (human and JSON) and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod common;
use common::*;

use std::path::Path;

fn init(dir: &Path, name: &str, extra: &[&str]) {
    let mut args = vec!["init", name, "--org", "Acme, Inc."];
    args.extend_from_slice(extra);
    let (code, _, err) = run(dir, &args);
    assert_eq!(code, 0, "{err}");
}

const TYPE2: &[&str] = &[
    "--type",
    "type2",
    "--period-start",
    "2026-01-01",
    "--period-end",
    "2026-06-30",
];
const ALL: &str = "security,availability,confidentiality,processing-integrity,privacy";

#[test]
fn init_type2_all_categories() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut args = vec!["init", "acme", "--org", "Acme, Inc.", "--categories", ALL];
    args.extend_from_slice(TYPE2);
    let (code, out, err) = run(tmp.path(), &args);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn init_type1_security_json() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, out, err) = run(
        tmp.path(),
        &[
            "init",
            "acme",
            "--org",
            "Acme",
            "--type",
            "type1",
            "--as-of",
            "2026-03-31",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["validate"]["ok"], true);
    assert_eq!(v["validate"]["coverage"]["covered"], 33);
    assert!(v["controls"].as_u64().unwrap_or(0) >= 80);
    insta::assert_json_snapshot!(v["validate"]["coverage"]["categories"]);
}

#[test]
fn init_usage_errors_exit_2_and_write_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    for (args, says) in [
        (
            vec!["init", "w", "--org", "A", "--type", "type1"],
            "needs --as-of",
        ),
        (
            vec![
                "init",
                "w",
                "--org",
                "A",
                "--type",
                "type2",
                "--period-start",
                "2026-01-01",
                "--period-end",
                "2025-01-01",
            ],
            "before --period-start",
        ),
        (
            vec![
                "init",
                "w",
                "--org",
                "A",
                "--type",
                "type1",
                "--as-of",
                "2026-02-30",
            ],
            "--as-of 2026-02-30: not a valid date",
        ),
        (
            vec![
                "init",
                "w",
                "--org",
                "A",
                "--type",
                "type1",
                "--as-of",
                "2026-02-03",
                "--categories",
                "security,integrity",
            ],
            "unknown category `integrity`",
        ),
        (
            vec!["init", "w", "--org", "A", "--type", "type3"],
            "invalid value 'type3'",
        ),
    ] {
        let (code, _, err) = run(tmp.path(), &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!tmp.path().join("w").exists(), "{args:?} wrote files");
    }
    init(
        tmp.path(),
        "w",
        &["--type", "type1", "--as-of", "2026-03-31"],
    );
    let (code, _, err) = run(
        tmp.path(),
        &[
            "init",
            "w",
            "--org",
            "A",
            "--type",
            "type1",
            "--as-of",
            "2026-03-31",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("already holds a workspace"), "{err}");
}

#[test]
fn validate_clean_workspace_from_a_subfolder() {
    let tmp = tempfile::tempdir().expect("tmp");
    init(tmp.path(), "w", TYPE2);
    let (code, out, err) = run(&tmp.path().join("w/controls"), &["validate"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}

fn broken(tmp: &Path) {
    init(tmp, "w", TYPE2);
    let w = tmp.join("w");
    let chg = std::fs::read_to_string(w.join("controls/CHG-01.yaml")).expect("read");
    std::fs::write(
        w.join("controls/CHG-01.yaml"),
        chg.replacen("  - id: CC8.1", "  - id: CC10.1", 1),
    )
    .expect("write");
    let acc = std::fs::read_to_string(w.join("controls/ACC-01.yaml")).expect("read");
    std::fs::write(
        w.join("controls/ACC-99.yaml"),
        acc.replace("ACC-01.", "ACC-99."),
    )
    .expect("write");
    std::fs::write(
        w.join("controls/BAD-01.yaml"),
        "id: BAD-01\ntitle: \"unterminated\nowner: x\n",
    )
    .expect("write");
}

#[test]
fn validate_reports_each_error_with_its_place() {
    let tmp = tempfile::tempdir().expect("tmp");
    broken(tmp.path());
    let (code, out, _) = run(tmp.path(), &["-C", "w", "validate"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn validate_json_is_stable() {
    let tmp = tempfile::tempdir().expect("tmp");
    broken(tmp.path());
    let (code, out, _) = run(tmp.path(), &["-C", "w", "validate", "--json"]);
    assert_eq!(code, 1);
    let mut v: serde_json::Value = serde_json::from_str(&out).expect("json");
    v["coverage"]["controls_by_criterion"] = serde_json::Value::Null;
    insta::assert_json_snapshot!(v);
}

#[test]
fn validate_deny_warnings_fails_on_a_design_gap() {
    let tmp = tempfile::tempdir().expect("tmp");
    init(tmp.path(), "w", TYPE2);
    for f in ["PHY-01", "PHY-02"] {
        std::fs::remove_file(tmp.path().join(format!("w/controls/{f}.yaml"))).expect("rm");
    }
    // Policies name the removed controls; take them out of the picture.
    std::fs::remove_dir_all(tmp.path().join("w/policies")).expect("rm policies");
    let (code, out, _) = run(tmp.path(), &["-C", "w", "validate"]);
    assert_eq!(code, 0);
    assert!(out.contains("warning[design-gap]: CC6.4"), "{out}");
    let (code, _, _) = run(tmp.path(), &["-C", "w", "validate", "--deny-warnings"]);
    assert_eq!(code, 1);
}

#[test]
fn validate_outside_a_workspace_exits_2() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, _, err) = run(tmp.path(), &["validate"]);
    assert_eq!(code, 2);
    assert!(err.contains("no assay.toml"), "{err}");
}

#[test]
fn catalog_criteria_by_category() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, out, _) = run(
        tmp.path(),
        &["catalog", "criteria", "--category", "availability"],
    );
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn catalog_criteria_json_lists_61() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, out, _) = run(tmp.path(), &["catalog", "criteria", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let ids: Vec<&str> = v["criteria"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 61);
    insta::assert_snapshot!(ids.join(" "));
}

#[test]
fn catalog_show_criterion() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, out, _) = run(tmp.path(), &["catalog", "show", "cc6.1"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn catalog_shows_framework_requirements_and_crosswalks() {
    let tmp = tempfile::tempdir().expect("tmp");
    // An ISO 27001 requirement with the controls mapped to it and their rationales.
    let (code, out, _) = run(tmp.path(), &["catalog", "show", "a.8.5"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("A.8.5 Secure authentication\nISO/IEC 27001:2022"),
        "{out}"
    );
    assert!(out.contains("ACC-02"), "{out}");
    // A HIPAA specification, as JSON.
    let (code, out, _) = run(tmp.path(), &["catalog", "show", "164.312(d)", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["framework"], "hipaa");
    assert!(!v["links"].as_array().expect("links").is_empty());
    // A derived crosswalk as CSV; an unknown framework is a usage error.
    let (code, out, _) = run(
        tmp.path(),
        &["catalog", "crosswalk", "soc2", "iso27001", "--csv"],
    );
    assert_eq!(code, 0);
    let on_disk = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/crosswalks/soc2--iso27001.csv"),
    )
    .expect("docs/crosswalks");
    assert_eq!(out, on_disk);
    let (code, _, err) = run(tmp.path(), &["catalog", "crosswalk", "soc2", "pci"]);
    assert_eq!(code, 2);
    assert!(err.contains("no framework `pci`"), "{err}");
}

#[test]
fn catalog_show_control_and_unknown_id() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, out, _) = run(tmp.path(), &["catalog", "show", "CHG-01", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["control"]["id"], "CHG-01");
    let (code, _, err) = run(tmp.path(), &["catalog", "show", "CC10.1"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("not a criterion, a default control or a framework requirement"),
        "{err}"
    );
}

#[test]
fn catalog_policies_lists_at_least_18() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, out, _) = run(tmp.path(), &["catalog", "policies", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert!(v["policies"].as_array().map_or(0, Vec::len) >= 18);
}

#[test]
fn demo_leaves_a_workspace_that_validates() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (code, out, err) = run(tmp.path(), &["demo", "--out", "demo"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("61/61 criteria covered"), "{out}");
    assert!(out.contains("Northwind"), "{out}");
    assert!(
        out.contains("Evidence locker: 20 policies stored as evidence") && out.contains("verified"),
        "{out}"
    );
    let (code, out, _) = run(&tmp.path().join("demo"), &["verify"]);
    assert_eq!(code, 0, "{out}");
    let entries: usize = out
        .strip_prefix("verified: ")
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(
        entries > 20,
        "the 20 policies and the imported evidence: {out}"
    );
    let (code, out, _) = run(&tmp.path().join("demo"), &["validate", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        (v["errors"].as_u64(), v["warnings"].as_u64()),
        (Some(0), Some(0))
    );
    let (code, _, err) = run(tmp.path(), &["demo", "--out", "demo"]);
    assert_eq!(code, 2);
    assert!(err.contains("not empty"), "{err}");
}
