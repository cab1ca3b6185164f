//! Per-source completeness: a test that names its source roles (ACC-07.3: the IdP's sign-in
//! log and CloudTrail) is not tested when a source the company uses does not cover the
//! period, naming the source, the gap and how to fill it, even though the table as a whole
//! is covered by the other source. With every source covering, an empty population is
//! effective (T-EMPTY) and the statement lists the sources and their ranges.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use assay_core::{EngineSettings, Inventory};
use assay_engine::assessment::{TestOutcome, Verdict};
use assay_engine::Inputs;
use common::{micros, TableData};
use jiff::civil::date;
use serde_json::json;
use std::collections::BTreeMap;

/// A leaver (left 2026-03-31) and a colleague still employed.
fn people() -> TableData {
    TableData {
        name: "people".into(),
        snapshot_at: micros("2026-06-30"),
        effective: None,
        rows: vec![
            json!({"key": "e1", "email": "ann@example.com", "end_date": "2026-03-31"}),
            json!({"key": "e2", "email": "bob@example.com"}),
        ],
    }
}

/// Successful sign-ins by the colleague, one a fortnight from `from` to `to`.
fn sign_ins(prefix: &str, action: &str, source: &str, from: &str, to: &str) -> TableData {
    let (a, b) = (micros(from), micros(to));
    let step = 14 * 86_400_000_000;
    let rows = (0..)
        .map(|i| a + i * step)
        .take_while(|t| *t <= b)
        .chain([b])
        .enumerate()
        .map(|(i, t)| {
            let time = jiff::Timestamp::from_microsecond(t).unwrap().to_string();
            json!({"key": format!("{prefix}-{i}"), "time": time, "actor": "bob@example.com",
                   "action": action, "outcome": "success", "source": source})
        })
        .collect();
    TableData {
        name: "audit_events".into(),
        snapshot_at: b,
        effective: None,
        rows,
    }
}

/// ACC-07.3 over the people and the two logs, the IdP's evidence recorded as
/// `okta-system-log` and CloudTrail's as `aws-cloudtrail`.
fn acc_07_3(idp: Option<TableData>, collectors: &[String]) -> TestOutcome {
    acc_07_3_with(idp, collectors, "okta-system-log", &BTreeMap::new())
}

/// As [`acc_07_3`], the IdP's evidence stored as `idp_kind`, with `[sources]` bindings.
fn acc_07_3_with(
    idp: Option<TableData>,
    collectors: &[String],
    idp_kind: &str,
    bindings: &BTreeMap<String, Vec<String>>,
) -> TestOutcome {
    let trail = sign_ins(
        "ct",
        "ConsoleLogin",
        "aws-cloudtrail",
        "2026-01-01",
        "2026-06-30",
    );
    let mut tables = vec![people(), trail];
    tables.extend(idp);
    let refs: Vec<&TableData> = tables.iter().collect();
    let mut built = common::build(&refs);
    let kinds = ["hr-roster", "aws-cloudtrail", idp_kind];
    for (e, kind) in built.evidence.iter_mut().zip(kinds) {
        if kind != "json" {
            e.kind = kind.into();
            e.params.clear();
        }
    }
    if let Some(e) = built.evidence.get_mut(2) {
        e.source = "azure-ad".into();
    }
    let controls = common::library();
    let catalog = assay_catalog::Catalog::embedded().unwrap();
    let scope = common::scope(date(2026, 1, 1), date(2026, 6, 30));
    let _rt = assay_testkit::runtime().enter();
    let a = assay_engine::assess(&Inputs {
        scope: &scope,
        settings: &EngineSettings::default(),
        controls: &controls,
        criteria: &catalog.criteria,
        inventory: &Inventory::default(),
        tables: &built.tables,
        evidence: &built.evidence,
        results: &[],
        triage: &[],
        ipe: &[],
        walkthroughs: &[],
        ledger: None,
        collectors,
        source_bindings: bindings,
        sample_secret: None,
        only_control: Some("ACC-07"),
        progress: None,
        populations: None,
        population_cache: None,
    })
    .unwrap();
    a.controls
        .into_iter()
        .flat_map(|c| c.tests)
        .find(|t| t.id == "ACC-07.3")
        .unwrap()
}

#[test]
fn a_source_that_stops_short_of_the_period_makes_the_test_not_tested() {
    // The IdP's log was collected with the API's 90 days: it starts in May.
    let idp = sign_ins(
        "ok",
        "user.session.start",
        "okta",
        "2026-05-01",
        "2026-06-30",
    );
    let out = acc_07_3(Some(idp), &[]);
    assert_eq!(
        (out.result, out.rule.id()),
        (Verdict::NotTested, "T-SOURCE-GAP"),
        "{}",
        out.statement
    );
    for needle in [
        "System Log",
        "`idp-log`",
        "okta-system-log",
        "its events start on 2026-05-01",
        "assay collect --since 2026-01-01",
    ] {
        assert!(
            out.statement.contains(needle),
            "{needle}: {}",
            out.statement
        );
    }
    assert!(
        !out.statement.contains("cloud-audit-log"),
        "CloudTrail covers the period: {}",
        out.statement
    );
}

#[test]
fn every_source_covering_an_empty_population_is_effective_with_the_ranges() {
    let idp = sign_ins(
        "ok",
        "user.session.start",
        "okta",
        "2026-01-01",
        "2026-06-30",
    );
    let out = acc_07_3(Some(idp), &[]);
    assert_eq!(
        (out.result, out.rule.id()),
        (Verdict::Effective, "T-EMPTY"),
        "{}",
        out.statement
    );
    for needle in [
        "idp-log covers 2026-01-01 to 2026-06-30",
        "cloud-audit-log covers 2026-01-01 to 2026-06-30",
    ] {
        assert!(
            out.statement.contains(needle),
            "{needle}: {}",
            out.statement
        );
    }
}

#[test]
fn a_configured_collector_puts_a_source_in_scope_even_without_evidence() {
    // No IdP evidence at all, and nothing says the company uses one: not in use.
    let out = acc_07_3(None, &[]);
    assert_eq!(out.rule.id(), "T-EMPTY", "{}", out.statement);
    assert!(
        out.statement.contains("idp-log not in use"),
        "{}",
        out.statement
    );
    // An Okta collector is configured, but collected nothing for the period.
    let out = acc_07_3(None, &["okta".to_string()]);
    assert_eq!(
        (out.result, out.rule.id()),
        (Verdict::NotTested, "T-SOURCE-GAP"),
        "{}",
        out.statement
    );
    assert!(out.statement.contains("no events"), "{}", out.statement);
}

#[test]
fn a_sign_in_after_leaving_is_found_when_every_source_covers() {
    let mut idp = sign_ins(
        "ok",
        "user.session.start",
        "okta",
        "2026-01-01",
        "2026-06-30",
    );
    idp.rows
        .push(json!({"key": "ok-late", "time": "2026-04-20T09:00:00Z",
        "actor": "ann@example.com", "action": "user.session.start", "outcome": "success",
        "source": "okta"}));
    let out = acc_07_3(Some(idp), &[]);
    assert_eq!(out.exception_count, 1, "{}", out.statement);
    assert_eq!(out.exceptions[0].key, "ok-late");
}

/// A company whose IdP is not one Assay collects from binds it in `[sources]`: its sign-in
/// log, imported as json with `--source azure-ad`, is then the `idp-log` source, checked for
/// coverage like Okta's.
#[test]
fn a_workspace_binds_its_own_idp_to_the_role() {
    let bind: BTreeMap<String, Vec<String>> =
        [("idp-log".to_string(), vec!["azure-ad".to_string()])].into();
    let short = sign_ins(
        "az",
        "user.session.start",
        "azure-ad",
        "2026-05-01",
        "2026-06-30",
    );
    let out = acc_07_3_with(Some(short), &[], "json", &bind);
    assert_eq!(out.rule.id(), "T-SOURCE-GAP", "{}", out.statement);
    assert!(
        out.statement.contains("azure-ad") && out.statement.contains("2026-05-01"),
        "{}",
        out.statement
    );
    let whole = sign_ins(
        "az",
        "user.session.start",
        "azure-ad",
        "2026-01-01",
        "2026-06-30",
    );
    let out = acc_07_3_with(Some(whole), &[], "json", &bind);
    assert_eq!(out.rule.id(), "T-EMPTY", "{}", out.statement);
    assert!(
        out.statement
            .contains("idp-log covers 2026-01-01 to 2026-06-30"),
        "{}",
        out.statement
    );
    // Without the binding, the same json import is not the IdP's log: not in use.
    let whole = sign_ins(
        "az",
        "user.session.start",
        "azure-ad",
        "2026-05-01",
        "2026-06-30",
    );
    let out = acc_07_3_with(Some(whole), &[], "json", &BTreeMap::new());
    assert!(
        out.statement.contains("idp-log not in use"),
        "{}",
        out.statement
    );
}
