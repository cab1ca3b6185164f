//! `assay report` through the real binary: every kind and format renders for a workspace
//! with evidence and for one without (which says so plainly); outputs are deterministic;
//! the workbook opens in LibreOffice and the PDF rasterizes, where those tools are installed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::run;
use std::path::Path;
use std::process::Command;

const ALL: &[(&str, &str)] = &[
    ("readiness", "html"),
    ("readiness", "md"),
    ("readiness", "json"),
    ("readiness", "pdf"),
    ("soc2", "html"),
    ("soc2", "md"),
    ("soc2", "pdf"),
    ("workpapers", "xlsx"),
];

fn report(ws: &Path, kind: &str, format: &str) -> Vec<u8> {
    let out = ws.join(format!("out/{kind}.{format}"));
    let (code, stdout, err) = run(
        ws,
        &[
            "report",
            kind,
            "--format",
            format,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{kind} {format}: {stdout}{err}");
    std::fs::read(&out).unwrap()
}

fn with_evidence() -> tempfile::TempDir {
    let ws = common::workspace();
    let fixtures = format!(
        "{}/../assay-tables/tests/fixtures",
        env!("CARGO_MANIFEST_DIR")
    );
    for (kind, file) in [
        ("hr-roster", "hr_roster_bamboohr.csv"),
        ("aws-credential-report", "aws_credential_report.csv"),
        ("github-pulls", "github_pulls.json"),
    ] {
        let (code, _, err) = run(
            ws.path(),
            &[
                "evidence",
                "import",
                &format!("{fixtures}/{file}"),
                "--kind",
                kind,
                "--effective",
                "2026-06-30",
            ],
        );
        assert_eq!(code, 0, "{err}");
    }
    ws
}

#[test]
fn every_report_renders_the_same_bytes_twice() {
    let ws = with_evidence();
    for (kind, format) in ALL {
        let a = report(ws.path(), kind, format);
        let b = report(ws.path(), kind, format);
        assert!(!a.is_empty(), "{kind} {format}");
        assert!(a == b, "{kind} {format} differs between two runs");
        match *format {
            "pdf" => assert!(a.starts_with(b"%PDF-"), "{kind}"),
            "xlsx" => assert!(a.starts_with(b"PK"), "{kind}"),
            "json" => {
                let v: serde_json::Value = serde_json::from_slice(&a).unwrap();
                assert_eq!(v["schema"], "assay.readiness/v1");
                assert_eq!(v["no_evidence"], false);
            }
            "html" => {
                let t = String::from_utf8(a).unwrap();
                assert!(
                    t.contains("<svg") || *kind == "soc2",
                    "{kind}: charts are inline SVG"
                );
                assert!(!t.contains("<script"), "{kind}: no JavaScript");
                assert!(!t.contains("src=\"http"), "{kind}: self-contained");
            }
            _ => {}
        }
    }
    let soc2 = String::from_utf8(report(ws.path(), "soc2", "md")).unwrap();
    for needle in [
        "DRAFT",
        "Section I",
        "Section II",
        "Section III",
        "Section IV",
        "Section V",
        "licensed CPA",
        "throughout the period",
    ] {
        assert!(soc2.contains(needle), "soc2.md lacks {needle}");
    }
    let readiness = String::from_utf8(report(ws.path(), "readiness", "md")).unwrap();
    assert!(
        readiness.contains("Remediation roadmap") && readiness.contains("F-CHG-01.1"),
        "{readiness}"
    );
    assert!(
        readiness.contains("#103"),
        "failing tests list their exception rows"
    );

    let (code, out, err) = run(
        ws.path(),
        &[
            "report",
            "oscal",
            "--out",
            ws.path().join("oscal").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("assessment-results.json"), "{out}");
    for name in [
        "component-definition",
        "system-security-plan",
        "assessment-results",
        "plan-of-action-and-milestones",
    ] {
        let v: serde_json::Value = serde_json::from_slice(
            &std::fs::read(ws.path().join(format!("oscal/{name}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(v[name]["metadata"]["oscal-version"], "1.2.3", "{name}");
    }
}

#[test]
fn reports_without_evidence_say_so_plainly() {
    let ws = common::workspace();
    let md = String::from_utf8(report(ws.path(), "readiness", "md")).unwrap();
    assert!(
        md.contains("There is no evidence for the tests yet"),
        "{md}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&report(ws.path(), "readiness", "json")).unwrap();
    assert_eq!(json["no_evidence"], true);
    let soc2 = String::from_utf8(report(ws.path(), "soc2", "md")).unwrap();
    assert!(
        soc2.contains("No evidence for the tests has been stored"),
        "{soc2}"
    );
    assert!(report(ws.path(), "soc2", "pdf").starts_with(b"%PDF-"));
    let (code, _, err) = run(ws.path(), &["report", "workpapers", "--format", "pdf"]);
    assert_eq!(code, 2);
    assert!(err.contains("comes as xlsx"), "{err}");
    let (code, _, err) = run(ws.path(), &["report", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("readiness, soc2, workpapers, oscal"), "{err}");
}

fn tool(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_workbook_opens_in_libreoffice_and_the_pdf_rasterizes() {
    let ws = with_evidence();
    report(ws.path(), "workpapers", "xlsx");
    report(ws.path(), "soc2", "pdf");
    let out = ws.path().join("out");
    if tool("libreoffice") {
        let home = tempfile::tempdir().unwrap();
        let st = Command::new("libreoffice")
            .env("HOME", home.path())
            .args([
                "--headless",
                "--convert-to",
                "csv",
                "--outdir",
                out.to_str().unwrap(),
                out.join("workpapers.xlsx").to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        let csv = std::fs::read_to_string(out.join("workpapers.csv")).unwrap();
        assert!(
            csv.contains("Organization") && csv.contains("Acme"),
            "{csv}"
        );
    } else {
        assay_testkit::missing("libreoffice", "apt-get install libreoffice-calc-nogui");
    }
    if tool("pdftoppm") {
        let st = Command::new("pdftoppm")
            .args(["-png", "-r", "40", "-f", "1", "-l", "3"])
            .arg(out.join("soc2.pdf"))
            .arg(out.join("page"))
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        assert!(
            out.join("page-1.png").exists()
                || out.join("page-01.png").exists()
                || out.join("page-001.png").exists()
        );
    } else {
        assay_testkit::missing("pdftoppm", "apt-get install poppler-utils");
    }
}

fn report_from(ws: &Path, kind: &str, format: &str, from: &Path) -> Vec<u8> {
    let out = ws.join(format!("from/{kind}.{format}"));
    let (code, stdout, err) = run(
        ws,
        &[
            "report",
            kind,
            "--format",
            format,
            "--out",
            out.to_str().unwrap(),
            "--from",
            from.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{kind} {format} --from: {stdout}{err}");
    std::fs::read(&out).unwrap()
}

/// `assay report --from assessment.json` renders every report byte for byte as a fresh
/// assessment does (with triage files in it), and a stored assessment with a misspelt
/// opinion kind is refused, naming the file, instead of becoming some other opinion.
#[test]
fn a_stored_assessment_renders_the_same_bytes_as_a_fresh_one() {
    let ws = with_evidence();
    let (code, _, err) = run(ws.path(), &["findings", "--sync"]);
    assert_eq!(code, 0, "{err}");
    let (code, json, err) = run(ws.path(), &["assess", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(json.contains("\"triage\""), "the assessment carries triage");
    let stored = ws.path().join("assessment.json");
    std::fs::write(&stored, &json).unwrap();
    for (kind, format) in ALL.iter().chain(&[("oscal", "json")]) {
        if *kind == "oscal" {
            let dir = |d: &str| ws.path().join(d).to_str().unwrap().to_string();
            let (c1, _, e1) = run(ws.path(), &["report", "oscal", "--out", &dir("o1")]);
            let from = stored.to_str().unwrap();
            let (c2, _, e2) = run(
                ws.path(),
                &["report", "oscal", "--out", &dir("o2"), "--from", from],
            );
            assert_eq!((c1, c2), (0, 0), "{e1}{e2}");
            for f in std::fs::read_dir(ws.path().join("o1")).unwrap() {
                let name = f.unwrap().file_name();
                let a = std::fs::read(ws.path().join("o1").join(&name)).unwrap();
                let b = std::fs::read(ws.path().join("o2").join(&name)).unwrap();
                assert!(a == b, "oscal {name:?} differs from --from");
            }
            continue;
        }
        let fresh = report(ws.path(), kind, format);
        let from = report_from(ws.path(), kind, format, &stored);
        assert!(
            fresh == from,
            "{kind} {format} differs when rendered --from"
        );
    }

    let typo = json.replacen("\"kind\": \"disclaimer\"", "\"kind\": \"disclaimr\"", 1);
    let typo = typo.replacen("\"kind\": \"qualified\"", "\"kind\": \"qualifed\"", 1);
    let typo = typo.replacen("\"kind\": \"in-progress\"", "\"kind\": \"in-progres\"", 1);
    assert_ne!(typo, json, "the fixture's opinion kind is in the file");
    let bad = ws.path().join("typo.json");
    std::fs::write(&bad, typo).unwrap();
    let (code, _, err) = run(
        ws.path(),
        &["report", "soc2", "--from", bad.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("typo.json") && err.contains("unknown variant"),
        "{err}"
    );
}
