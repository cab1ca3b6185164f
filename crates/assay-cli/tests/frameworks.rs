//! Frameworks beside SOC 2 end to end: `assay demo --frameworks soc2,iso27001,hipaa` writes
//! the ISO 27001 Statement of Applicability and the HIPAA safeguard matrix; both open in
//! LibreOffice, list every Annex A control and every HIPAA specification, and each row's
//! status agrees with the SOC 2 results of the controls it names.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::run;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// RFC 4180 rows (quoted fields with doubled quotes and newlines).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            ('\r', false) => {}
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// The first sheet of a workbook, as LibreOffice reads it.
fn libreoffice_csv(xlsx: &Path, out: &Path) -> Vec<Vec<String>> {
    let home = tempfile::tempdir().unwrap();
    let st = Command::new("libreoffice")
        .env("HOME", home.path())
        .args(["--headless", "--convert-to", "csv", "--outdir"])
        .arg(out)
        .arg(xlsx)
        .output();
    let Ok(st) = st else {
        assay_testkit::missing("libreoffice", "apt-get install libreoffice-calc-nogui");
        return Vec::new();
    };
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let name = xlsx.file_stem().unwrap().to_string_lossy().to_string();
    csv_rows(&std::fs::read_to_string(out.join(format!("{name}.csv"))).unwrap())
}

/// The status a requirement must have from its controls' SOC 2 results, by the criterion
/// rules (every linked control is key): any control not effective → not met; else any not
/// tested or in error → not tested; else met; no control → not met (design gap).
fn expected(controls: &str, results: &BTreeMap<String, String>) -> &'static str {
    let ids: Vec<&str> = controls
        .split(", ")
        .filter(|c| results.contains_key(*c))
        .collect();
    let of = |want: &[&str]| ids.iter().any(|c| want.contains(&results[*c].as_str()));
    if ids.is_empty() || of(&["not-effective"]) {
        "not met"
    } else if of(&["not-tested", "error"]) {
        "not tested"
    } else {
        "met"
    }
}

#[test]
fn the_demo_writes_the_soa_and_the_hipaa_matrix_and_their_statuses_follow_the_tests() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run(
        tmp.path(),
        &[
            "demo",
            "--frameworks",
            "soc2,iso27001,hipaa",
            "--out",
            "d",
            "--json",
        ],
    );
    assert!(code == 0 || code == 1, "{err}");
    let demo: Value = serde_json::from_str(&out).unwrap();
    let reports: Vec<&str> = demo["pipeline"]["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    let ws = tmp.path().join("d");
    for name in ["soa.xlsx", "hipaa-matrix.xlsx"] {
        assert!(reports.iter().any(|r| r.ends_with(name)), "{reports:?}");
    }
    let toml = std::fs::read_to_string(ws.join("assay.toml")).unwrap();
    assert!(
        toml.contains("frameworks = [\"soc2\", \"iso27001\", \"hipaa\"]"),
        "{toml}"
    );

    // The SOC 2 result of every control, from the stored assessment's source: assess again.
    let (_, a, err) = run(&ws, &["assess", "--json"]);
    let a: Value = serde_json::from_str(&a).unwrap_or_else(|e| panic!("{e}: {err}"));
    let results: BTreeMap<String, String> = a["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["result"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let ids: Vec<&str> = a["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["iso27001", "hipaa"]);

    let out = tmp.path().join("csv");
    std::fs::create_dir_all(&out).unwrap();
    let soa = libreoffice_csv(&ws.join("reports/soa.xlsx"), &out);
    if soa.is_empty() {
        return; // LibreOffice missing: reported above (a failure under ASSAY_REQUIRE_ALL)
    }
    let head = soa
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "Control"))
        .unwrap();
    assert_eq!(soa[head][5..7], ["Implemented by", "Status"]);
    let rows: Vec<&Vec<String>> = soa[head + 1..]
        .iter()
        .filter(|r| r[0].starts_with("A."))
        .collect();
    assert_eq!(rows.len(), 93, "every Annex A control");
    let mut seen = BTreeMap::new();
    for r in &rows {
        assert_eq!(r[6], expected(&r[5], &results), "{}: {r:?}", r[0]);
        *seen.entry(r[6].clone()).or_insert(0) += 1;
    }
    assert!(
        seen.contains_key("met") && seen.contains_key("not met"),
        "{seen:?}"
    );

    let matrix = libreoffice_csv(&ws.join("reports/hipaa-matrix.xlsx"), &out);
    let head = matrix
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "Section"))
        .unwrap();
    assert_eq!(
        matrix[head][3..7],
        ["Designation", "Status", "Rule", "Implemented by"]
    );
    let rows: Vec<&Vec<String>> = matrix[head + 1..].iter().filter(|r| r.len() > 6).collect();
    assert_eq!(rows.len(), 68, "every standard and specification");
    for r in &rows {
        assert_eq!(r[4], expected(&r[6], &results), "{}: {r:?}", r[1]);
        if r[3] == "addressable" {
            assert!(
                !r[7].is_empty(),
                "{}: an addressable row needs its decision",
                r[1]
            );
        }
    }
}

#[test]
fn an_unknown_framework_is_refused_with_the_list() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run(
        tmp.path(),
        &[
            "init",
            "--org",
            "Acme",
            "--type",
            "type1",
            "--as-of",
            "2026-06-30",
            "--frameworks",
            "pci",
            "x",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`pci` is not a framework Assay knows"),
        "{err}"
    );
    assert!(!tmp.path().join("x/assay.toml").exists(), "nothing written");
}
