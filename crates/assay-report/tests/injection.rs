#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Evidence, inventory and workspace text are attacker input to every report. Each test
//! plants payloads (Markdown links and images, raw HTML, Typst syntax, spreadsheet formulas,
//! an organization name ending in `\`) and checks they come out as literal text in Markdown,
//! HTML, PDF, XLSX and the OSCAL markup fields.
//!
//! The assessment is computed by the engine over the default library with one planted
//! laptops table whose failing rows carry the payloads as their keys and owners.

use assay_core::{AuditPeriod, Category, Control, EngineSettings, Inventory, Scope, System};
use assay_engine::{Assessment, EvidenceInfo, Inputs};
use assay_report::doc::{self, Block, Doc};
use assay_report::{oscal, pdf, render, Context, Format, Kind};
use assay_tables::{Input, Tables};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Read;

/// A Markdown image that would load a remote URL.
const IMAGE: &str = "![x](http://evil.example/pixel.png)";
/// A Markdown link running script.
const SCRIPT_LINK: &str = "[c](javascript:alert(1))";
/// Raw HTML.
const HTML: &str = "<img src=x onerror=alert(1)><script>alert(2)</script>";
/// A spreadsheet formula.
const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"x\")";
/// Every character Typst gives a meaning, and an organization name ending in a backslash.
const TYPST: &str = "#set page(fill: red) $x^2$ *b* _i_ @ref <lbl> `raw` // c /* c */ = h \\";

const SNAPSHOT_AT: i64 = 1_782_820_800_000_000;

fn scope(org: &str) -> Scope {
    Scope {
        organization: org.into(),
        system_name: format!("Platform {IMAGE}"),
        system_description: format!(
            "Runs {SCRIPT_LINK}.\n\n{HTML}\n# not a heading\n1. not a list"
        ),
        period: AuditPeriod::Type2 {
            start: "2026-01-01".parse().unwrap(),
            end: "2026-06-30".parse().unwrap(),
        },
        categories: vec![Category::Security],
    }
}

fn inventory() -> Inventory {
    Inventory {
        systems: vec![System {
            id: "api".into(),
            name: format!("API {SCRIPT_LINK}"),
            kind: "application".into(),
            description: format!("{HTML} {IMAGE}"),
            environment: "production".into(),
            hosting: None,
            owner: "it-admin".into(),
            in_scope: true,
        }],
        ..Inventory::default()
    }
}

fn library() -> Vec<Control> {
    let catalog = assay_catalog::Catalog::embedded().unwrap();
    catalog.controls.iter().map(|c| c.control.clone()).collect()
}

/// Laptops whose failing rows (no disk encryption) carry the payloads.
fn assess(scope: &Scope, inventory: &Inventory) -> Assessment {
    let rows = json!([
        { "key": "LAP-001", "owner": "alice@acme.example", "os": "macOS", "encrypted": true, "edr": true, "last_seen": "2026-06-29T10:00:00Z" },
        { "key": format!("LAP-2 {IMAGE}"), "owner": SCRIPT_LINK, "os": HTML, "encrypted": false, "edr": true, "last_seen": "2026-06-28T10:00:00Z" },
        { "key": FORMULA, "owner": HTML, "os": TYPST, "encrypted": false, "edr": false, "last_seen": "2026-06-15T10:00:00Z" },
        { "key": format!("{SCRIPT_LINK} {HTML}"), "owner": "x", "os": "y", "encrypted": false, "edr": false, "last_seen": "2026-06-15T10:00:00Z" },
    ]);
    let bytes = serde_json::to_vec(&rows).unwrap();
    let hash = "a".repeat(64);
    let mut params = BTreeMap::new();
    params.insert("table".to_string(), "endpoints".to_string());
    params.insert(
        "map".to_string(),
        "edr=edr,encrypted=encrypted,key=key,last_seen=last_seen,os=os,owner=owner".to_string(),
    );
    let tables = Tables::build([(
        "json",
        Input {
            bytes: &bytes,
            evidence: &hash,
            snapshot_at: Some(SNAPSHOT_AT),
            params: &params,
            batch: None,
        },
    )])
    .unwrap_or_else(|(i, e)| panic!("table #{i}: {e}"));
    let evidence = vec![EvidenceInfo {
        blob: hash.clone(),
        kind: "json".into(),
        source: format!("fixture {IMAGE}"),
        params,
        unit: "entry-0".into(),
        snapshot_at: Some(SNAPSHOT_AT),
        effective: None,
        ttl_days: None,
        system_generated: true,
    }];
    let catalog = assay_catalog::Catalog::embedded().unwrap();
    let _rt = assay_testkit::runtime().enter();
    assay_engine::assess(&Inputs {
        scope,
        settings: &EngineSettings::default(),
        controls: &library(),
        criteria: &catalog.criteria,
        inventory,
        tables: &tables,
        evidence: &evidence,
        results: &[],
        triage: &[],
        ipe: &[],
        walkthroughs: &[],
        ledger: None,
        collectors: &[],
        source_bindings: &Default::default(),
        sample_secret: None,
        only_control: None,
        progress: None,
        populations: None,
        population_cache: None,
    })
    .unwrap()
}

/// Runs `f` with a context built over the payloads, the organization named `org`.
fn with_context(org: &str, f: impl FnOnce(&Context<'_>)) {
    let scope = scope(org);
    let inv = inventory();
    let controls = library();
    let a = assess(&scope, &inv);
    let catalog = assay_catalog::Catalog::embedded().unwrap();
    let cx = Context {
        assessment: &a,
        scope: &scope,
        legal_name: Some(org),
        inventory: &inv,
        criteria: &catalog.criteria,
        controls: &controls,
        policies: &[],
        evidence_count: 1,
    };
    f(&cx);
}

/// Live Markdown syntax in `md` (outside what the renderer itself writes: headings, list
/// markers, `**` around fact keys and the watermark, table pipes, `<br>`): an unescaped `[`,
/// `]`, `!`, backtick, `$`, `~` or `_`, or a `<` that is not our `<br>`.
fn live_markdown(md: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in md.lines() {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\\' {
                i += 2;
                continue;
            }
            let ours_toc = c == '[' && line.starts_with("- [") && i == 2;
            let live = match c {
                '[' | ']' | '!' | '`' | '$' | '~' | '_' => !ours_toc,
                '<' => {
                    !line[line.char_indices().nth(i).map_or(0, |(b, _)| b)..].starts_with("<br>")
                }
                _ => false,
            };
            if live && !(c == ']' && line.starts_with("- [")) {
                found.push(format!("{c:?} in {line}"));
            }
            i += 1;
        }
    }
    found
}

fn payload_doc(title: &str) -> Doc {
    let all = format!("{IMAGE} {SCRIPT_LINK} {HTML} {FORMULA} {TYPST}");
    Doc {
        title: title.into(),
        subtitle: vec![all.clone(), "Acme\\".into()],
        watermark: Some("DRAFT".into()),
        contents: false,
        blocks: vec![
            Block::Heading(1, format!("Heading {IMAGE}")),
            Block::Para(format!(
                "{all}\n# h\n- item\n1. one\n---\n| a | b |\n|---|---|"
            )),
            Block::Notice(all.clone()),
            Block::List(vec![all.clone(), "+ plus".into()]),
            Block::Facts(vec![(format!("key {SCRIPT_LINK}"), all.clone())]),
            Block::Table {
                header: vec![format!("h {IMAGE}"), "h2".into()],
                rows: vec![vec![all.clone(), format!("line1\n{SCRIPT_LINK}\n|x|")]],
            },
            Block::Chart {
                svg: "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"></svg>"
                    .into(),
                alt: all,
            },
        ],
    }
}

#[test]
fn markdown_escapes_links_images_html_and_emphasis_everywhere() {
    let md = doc::markdown(&payload_doc(&format!("Report {IMAGE} {HTML}")));
    assert!(!md.contains("!["), "{md}");
    assert!(!md.contains("<img") && !md.contains("<script"), "{md}");
    // Every `](` is an escaped `\](`: no link destination can open.
    assert!(!md.replace("\\](", "").contains("]("), "{md}");
    let live = live_markdown(&md);
    assert!(
        live.is_empty(),
        "live Markdown:\n{}\n\n{md}",
        live.join("\n")
    );
    // Line starts cannot open a heading, list, rule or table row.
    for bad in ["\n# h", "\n- item", "\n1. one", "\n---\n| a"] {
        assert!(!md.contains(bad), "{bad:?} survived:\n{md}");
    }
    // The text is still there, escaped, and one table row stays one row.
    assert!(
        md.contains("\\!\\[x\\](http://evil.example/pixel.png)"),
        "{md}"
    );
    assert!(md.contains("&lt;script&gt;"), "{md}");
    let table_rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(table_rows.len(), 2, "{table_rows:#?}");
    assert!(table_rows[1].contains("line1<br>"), "{}", table_rows[1]);
}

#[test]
fn md_escape_keeps_plain_text_as_is() {
    assert_eq!(
        doc::md_escape("END-01.1 failed on 2026-03-01 (3 of 12 rows)"),
        "END-01.1 failed on 2026-03-01 (3 of 12 rows)"
    );
    assert_eq!(doc::md_escape("a_b *c* `d`"), "a\\_b \\*c\\* \\`d\\`");
    assert_eq!(doc::md_escape("1. x\n1.5 y"), "1\\. x\n1.5 y");
}

#[test]
fn html_keeps_evidence_text_literal() {
    let html = doc::html(&payload_doc(&format!("Report {HTML}")));
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "{html}"
    );
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("<title>Report &lt;img"), "the title too");
}

/// The text of a PDF, from `pdftotext`, or `None` (said) when it is not installed.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    if !assay_testkit::has_program("pdftotext") {
        assay_testkit::missing(
            "pdftotext (poppler-utils)",
            "install poppler-utils to check the PDF's text",
        );
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn pdf_renders_typst_syntax_and_a_trailing_backslash_literally() {
    for title in ["Acme\\", "Acme \"quoted\" \\", TYPST] {
        let d = payload_doc(title);
        let src = pdf::source(&d);
        let bytes = pdf::render(&d).unwrap_or_else(|e| panic!("{title:?}: {e}\n{src}"));
        assert!(bytes.starts_with(b"%PDF"));
        if let Some(text) = pdf_text(&bytes) {
            let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for needle in [
                "#set page(fill: red)",
                "$x^2$",
                "*b* _i_ @ref <lbl> `raw` // c /* c */",
                IMAGE,
                "[c](javascript:alert(1))",
            ] {
                assert!(
                    flat.contains(needle),
                    "{needle:?} not literal in the PDF:\n{flat}"
                );
            }
        }
    }
}

#[test]
fn every_report_of_hostile_evidence_renders_and_stays_literal() {
    let org = format!("Acme {TYPST} {IMAGE} {HTML} \\");
    with_context(&org, |cx| {
        // Markdown reports: no live link, image or HTML.
        for kind in [Kind::Readiness, Kind::Soc2] {
            let md = String::from_utf8(render(cx, kind, Format::Md).unwrap().remove(0).1).unwrap();
            assert!(
                !md.contains("![") && !md.contains("<img") && !md.contains("<script"),
                "{md}"
            );
            let live = live_markdown(&md);
            assert!(
                live.is_empty(),
                "{kind:?} live Markdown:\n{}",
                live.join("\n")
            );
            let html =
                String::from_utf8(render(cx, kind, Format::Html).unwrap().remove(0).1).unwrap();
            assert!(
                !html.contains("<img") && !html.contains("<script"),
                "{kind:?}"
            );
            // The PDF typesets with the organization name ending in a backslash.
            let pdf = render(cx, kind, Format::Pdf).unwrap().remove(0).1;
            assert!(pdf.starts_with(b"%PDF"), "{kind:?}");
        }
        // The evidence reached the readiness report (else this test proves nothing).
        let md = String::from_utf8(render(cx, Kind::Readiness, Format::Md).unwrap().remove(0).1)
            .unwrap();
        assert!(
            md.contains("javascript:alert(1)"),
            "the payload is not in the report:\n{md}"
        );
    });
}

/// Every string under an OSCAL markup field (title, description, remarks, prose).
fn markup_fields<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("title" | "description" | "remarks" | "prose", Value::String(s)) => {
                        out.push(s)
                    }
                    _ => markup_fields(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| markup_fields(x, out)),
        _ => {}
    }
}

#[test]
fn oscal_markup_fields_carry_no_raw_html_or_live_markdown() {
    let org = format!("Acme {HTML} {IMAGE}");
    with_context(&org, |cx| {
        let mut reached = false;
        for (name, v) in oscal::all(cx) {
            let mut fields = Vec::new();
            markup_fields(&v, &mut fields);
            for f in fields {
                assert!(!f.contains('<'), "{name}: raw `<` in {f}");
                let live = live_markdown(f);
                assert!(live.is_empty(), "{name}: {}", live.join("\n"));
                reached |= f.contains("javascript:alert(1)");
            }
        }
        assert!(
            reached,
            "the evidence payload reaches some OSCAL markup field"
        );
    });
}

#[test]
fn the_workbook_holds_formulas_as_text() {
    with_context("Acme", |cx| {
        let xlsx = render(cx, Kind::Workpapers, Format::Xlsx)
            .unwrap()
            .remove(0)
            .1;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
        let mut all = String::new();
        let mut formulas = Vec::new();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            let name = f.name().to_string();
            let mut text = String::new();
            if f.read_to_string(&mut text).is_err() {
                continue;
            }
            if name.starts_with("xl/worksheets/") && text.contains("<f>") {
                formulas.push(name.clone());
            }
            all.push_str(&text);
        }
        assert!(formulas.is_empty(), "cells with formulas: {formulas:?}");
        assert!(
            all.contains("=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)")
                || all.contains("=HYPERLINK(\"http://evil.example\",\"x\")"),
            "the formula text is stored as a string"
        );
    });
}
