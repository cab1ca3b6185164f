//! Shared helpers for the workspace tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // shared by several test files; tests may fail loudly

use assay_catalog::Catalog;
use assay_core::{AuditPeriod, Category};
use assay_workspace::{Code, Diagnostic, InitOptions, Severity, Workspace};
use jiff::civil::date;
use std::path::Path;

/// The embedded catalog.
pub fn catalog() -> &'static Catalog {
    Catalog::embedded().expect("embedded catalog")
}

/// Init options for a Type II audit of Acme, Inc. for the first half of 2026.
pub fn type2(categories: &[Category]) -> InitOptions {
    InitOptions {
        organization: "Acme, Inc.".into(),
        system_name: None,
        system_description: None,
        period: AuditPeriod::Type2 {
            start: date(2026, 1, 1),
            end: date(2026, 6, 30),
        },
        categories: categories.to_vec(),
        demo_inventory: false,
        frameworks: Vec::new(),
    }
}

/// A fresh workspace in a temporary folder.
pub fn fresh(categories: &[Category]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    assay_workspace::init(dir.path(), catalog(), &type2(categories)).expect("init");
    dir
}

/// Loads the workspace at `dir`.
pub fn load(dir: &Path) -> Workspace {
    Workspace::load(dir, catalog())
}

/// Writes a workspace file, creating its folder.
pub fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// Replaces `from` with `to` in a workspace file, checking it was there.
pub fn edit(dir: &Path, rel: &str, from: &str, to: &str) {
    let p = dir.join(rel);
    let text = std::fs::read_to_string(&p).expect("read");
    assert!(text.contains(from), "{rel} does not contain {from:?}");
    std::fs::write(p, text.replacen(from, to, 1)).expect("write");
}

/// The single diagnostic with `code`, failing with the full list otherwise.
pub fn only(ws: &Workspace, code: Code) -> Diagnostic {
    let found: Vec<_> = ws.diagnostics.iter().filter(|d| d.code == code).collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {code}, got {:#?}",
        ws.diagnostics
    );
    found[0].clone()
}

/// The error diagnostics.
pub fn errors(ws: &Workspace) -> Vec<&Diagnostic> {
    ws.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

/// The 1-based line of the first line containing `needle`.
pub fn line_of(dir: &Path, rel: &str, needle: &str) -> usize {
    std::fs::read_to_string(dir.join(rel))
        .expect("read")
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{rel} has no {needle:?}"))
        + 1
}
