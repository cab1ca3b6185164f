//! `init` writes complete workspaces that validate clean, and never clobbers anything.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod common;
use assay_core::{AuditPeriod, Category};
use assay_workspace::InitError;
use common::*;
use jiff::civil::date;

#[test]
fn type2_with_all_categories_validates_clean_and_covers_61() {
    let dir = fresh(&Category::ALL);
    let ws = load(dir.path());
    assert!(ws.diagnostics.is_empty(), "{:#?}", ws.diagnostics);
    let cov = ws.coverage.expect("coverage");
    assert_eq!((cov.in_scope, cov.covered), (61, 61));
    assert!(ws.controls.len() >= 80, "{} controls", ws.controls.len());
    assert!(ws.policies.len() >= 18, "{} policies", ws.policies.len());
}

#[test]
fn type1_with_all_categories_validates_clean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut opts = type2(&Category::ALL);
    opts.period = AuditPeriod::Type1 {
        as_of: date(2026, 3, 31),
    };
    assay_workspace::init(dir.path(), catalog(), &opts).expect("init");
    let ws = load(dir.path());
    assert!(ws.diagnostics.is_empty(), "{:#?}", ws.diagnostics);
    let cfg = ws.config.expect("config");
    assert_eq!(
        cfg.scope.period,
        AuditPeriod::Type1 {
            as_of: date(2026, 3, 31)
        }
    );
    assert_eq!(ws.coverage.expect("coverage").covered, 61);
}

#[test]
fn security_only_covers_the_33_common_criteria_and_links_nothing_else() {
    let dir = fresh(&[Category::Security]);
    let ws = load(dir.path());
    assert!(ws.diagnostics.is_empty(), "{:#?}", ws.diagnostics);
    let cov = ws.coverage.expect("coverage");
    assert_eq!((cov.in_scope, cov.covered), (33, 33));
    assert!(ws.controls.len() >= 80, "{} controls", ws.controls.len());
    for c in &ws.controls {
        assert!(
            c.control.criteria.iter().all(|l| l.id.starts_with("CC")),
            "{} links outside scope",
            c.control.id
        );
    }
    for p in &ws.policies {
        assert!(
            p.meta.criteria.iter().all(|id| id.starts_with("CC")),
            "{}",
            p.meta.id
        );
    }
}

#[test]
fn written_controls_read_back_identical_to_the_library() {
    let dir = fresh(&Category::ALL);
    let ws = load(dir.path());
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    for lc in &catalog().controls {
        let got = ws
            .controls
            .iter()
            .find(|c| c.control.id == lc.control.id)
            .expect("control written");
        let (a, b) = (&lc.control, &got.control);
        assert_eq!(norm(&a.title), b.title, "{}", a.id);
        assert_eq!(norm(&a.description), b.description, "{}", a.id);
        assert_eq!(
            (a.owner.as_str(), a.frequency, a.nature, a.control_type),
            (b.owner.as_str(), b.frequency, b.nature, b.control_type)
        );
        assert_eq!(a.criteria.len(), b.criteria.len(), "{}", a.id);
        for (x, y) in a.criteria.iter().zip(&b.criteria) {
            assert_eq!(
                (x.id.as_str(), norm(&x.rationale)),
                (y.id.as_str(), y.rationale.clone())
            );
            // Key and compensating links survive `assay init`.
            assert_eq!(
                (x.key, &x.compensates),
                (y.key, &y.compensates),
                "{} {}",
                a.id,
                x.id
            );
        }
        for (x, y) in a.tests.iter().zip(&b.tests) {
            assert_eq!(
                (x.id.as_str(), norm(&x.procedure)),
                (y.id.as_str(), y.procedure.clone())
            );
        }
        let (ga, gb) = (
            a.guidance.clone().unwrap_or_default(),
            b.guidance.clone().unwrap_or_default(),
        );
        assert_eq!(ga.evidence, gb.evidence, "{}", a.id);
        assert_eq!(norm(&ga.remediation), gb.remediation, "{}", a.id);
    }
}

#[test]
fn policies_name_the_organization_and_their_controls() {
    let dir = fresh(&Category::ALL);
    let text =
        std::fs::read_to_string(dir.path().join("policies/access-control.md")).expect("policy");
    assert!(text.contains("Acme, Inc."));
    assert!(!text.contains("{{org}}"));
    let ws = load(dir.path());
    let access = ws
        .policies
        .iter()
        .find(|p| p.meta.id == "POL-ACCESS")
        .expect("access policy");
    assert!(
        access.meta.controls.iter().any(|c| c.starts_with("ACC-")),
        "{:?}",
        access.meta.controls
    );
}

#[test]
fn refuses_an_existing_workspace_and_writes_nothing() {
    let dir = fresh(&[Category::Security]);
    let before = std::fs::read_to_string(dir.path().join("assay.toml")).expect("toml");
    let err = assay_workspace::init(dir.path(), catalog(), &type2(&Category::ALL))
        .expect_err("second init");
    assert!(matches!(err, InitError::AlreadyWorkspace(_)), "{err}");
    assert_eq!(
        before,
        std::fs::read_to_string(dir.path().join("assay.toml")).expect("toml")
    );
}

#[test]
fn refuses_to_overwrite_any_file_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "controls/CHG-01.yaml", "mine\n");
    let err =
        assay_workspace::init(dir.path(), catalog(), &type2(&Category::ALL)).expect_err("conflict");
    assert!(
        matches!(&err, InitError::Conflict { files, .. } if files == &["controls/CHG-01.yaml".to_string()]),
        "{err}"
    );
    assert!(!dir.path().join("assay.toml").exists());
    assert_eq!(
        std::fs::read_dir(dir.path().join("controls"))
            .expect("dir")
            .count(),
        1
    );
}
