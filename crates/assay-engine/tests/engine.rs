//! The engine's guarantees: evidence outside the period is not reported, evidence that stops
//! early makes a test not tested, SQL errors are errors, samples and calendars, snapshot
//! selection, and byte-identical assessments.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use assay_core::{Control, Frequency, Nature, Severity, TestDef};
use assay_engine::assessment::{Span, TestOutcome};
use assay_engine::manual;
use assay_engine::Verdict;
use common::{micros, TableData};
use jiff::civil::date;
use serde_json::json;

fn table(name: &str, snapshot_at: &str, rows: serde_json::Value) -> TableData {
    TableData {
        name: name.into(),
        snapshot_at: micros(snapshot_at),
        effective: None,
        rows: rows.as_array().unwrap().clone(),
    }
}

pub(crate) fn control(
    id: &str,
    frequency: Frequency,
    nature: Nature,
    tests: Vec<TestDef>,
) -> Control {
    Control {
        id: id.into(),
        title: format!("{id} title"),
        description: String::new(),
        owner: "cto".into(),
        frequency,
        nature,
        control_type: assay_core::ControlType::Preventive,
        criteria: vec![assay_core::CriterionLink {
            id: "CC6.1".into(),
            rationale: "test".into(),
            key: None,
            compensates: Vec::new(),
        }],
        tests,
        guidance: None,
        risk: None,
    }
}

pub(crate) fn sql_test(id: &str, population: &str, expect: Option<&str>) -> TestDef {
    TestDef {
        population: Some(population.into()),
        expect: expect.map(str::to_string),
        ..TestDef::manual(id, "procedure")
    }
}

fn one(tables: &[TableData], c: Control, results: &[manual::Results]) -> TestOutcome {
    one_with(tables, c, results, &Default::default(), None)
}

fn one_with(
    tables: &[TableData],
    c: Control,
    results: &[manual::Results],
    settings: &assay_core::EngineSettings,
    sample_secret: Option<&str>,
) -> TestOutcome {
    let refs: Vec<&TableData> = tables.iter().collect();
    let built = common::build(&refs);
    let scope = common::scope(date(2026, 1, 1), date(2026, 6, 30));
    let catalog = assay_catalog::Catalog::embedded().unwrap();
    let id = c.id.clone();
    let _rt = assay_testkit::runtime().enter();
    let a = assay_engine::assess(&assay_engine::Inputs {
        scope: &scope,
        settings,
        controls: &[c],
        criteria: &catalog.criteria,
        inventory: &Default::default(),
        tables: &built.tables,
        evidence: &built.evidence,
        results,
        triage: &[],
        ipe: &[],
        walkthroughs: &[],
        ledger: None,
        collectors: &[],
        source_bindings: &Default::default(),
        sample_secret,
        only_control: Some(&id),
        progress: None,
        populations: None,
        population_cache: None,
    })
    .unwrap();
    a.controls[0].tests[0].clone()
}

fn events(last: &str) -> TableData {
    table(
        "audit_events",
        "2026-07-01",
        json!([
            {"key": "e1", "source": "aws-cloudtrail", "time": "2026-01-01T00:05:00Z", "actor": "a", "action": "ConsoleLogin", "outcome": "success"},
            {"key": "e2", "source": "aws-cloudtrail", "time": "2025-12-20T00:00:00Z", "actor": "a", "action": "StopLogging", "outcome": "success"},
            {"key": "e3", "source": "aws-cloudtrail", "time": last, "actor": "a", "action": "ConsoleLogin", "outcome": "success"},
        ]),
    )
}

const STOPS: &str = "SELECT key, time, action, evidence FROM audit_events WHERE action = 'StopLogging' AND time BETWEEN :period_start AND :period_end";

#[test]
fn a_failure_outside_the_period_is_not_reported() {
    let c = control(
        "LOG-X",
        Frequency::Continuous,
        Nature::Automated,
        vec![sql_test("LOG-X.1", STOPS, Some("FALSE"))],
    );
    let out = one(&[events("2026-06-30T22:00:00Z")], c, &[]);
    assert_eq!(out.result, Verdict::Effective, "{}", out.statement);
    assert_eq!(out.rule, "T-EMPTY");
    assert_eq!(out.exception_count, 0);
}

#[test]
fn event_evidence_that_stops_before_the_period_ends_makes_the_test_not_tested() {
    let c = control(
        "LOG-X",
        Frequency::Continuous,
        Nature::Automated,
        vec![sql_test("LOG-X.1", STOPS, Some("FALSE"))],
    );
    let out = one(&[events("2026-05-01T00:00:00Z")], c, &[]);
    assert_eq!(out.result, Verdict::NotTested);
    assert_eq!(out.rule, "T-NO-EVIDENCE");
    assert!(
        out.statement.contains("stops at 2026-05-01"),
        "{}",
        out.statement
    );
}

#[test]
fn missing_evidence_is_not_tested_and_bad_sql_is_an_error() {
    let c = control(
        "LOG-X",
        Frequency::Continuous,
        Nature::Automated,
        vec![sql_test("LOG-X.1", STOPS, Some("FALSE"))],
    );
    assert_eq!(one(&[], c, &[]).result, Verdict::NotTested);
    let bad = control(
        "LOG-Y",
        Frequency::Continuous,
        Nature::Automated,
        vec![sql_test(
            "LOG-Y.1",
            "SELECT key, evidence FROM audit_events WHERE nope",
            Some("TRUE"),
        )],
    );
    let out = one(&[events("2026-06-30T22:00:00Z")], bad, &[]);
    assert_eq!(out.result, Verdict::Error);
    assert!(out.statement.contains("nope"), "{}", out.statement);
    let unknown = control(
        "LOG-Z",
        Frequency::Continuous,
        Nature::Automated,
        vec![sql_test(
            "LOG-Z.1",
            "SELECT key, evidence FROM audit_events WHERE time > :nope",
            Some("TRUE"),
        )],
    );
    let out = one(&[events("2026-06-30T22:00:00Z")], unknown, &[]);
    assert_eq!(out.result, Verdict::Error);
    assert!(out.statement.contains("[parameters]"), "{}", out.statement);
}

fn accounts(at: &str, active: bool) -> TableData {
    table(
        "accounts",
        at,
        json!([
            {"key": "okta:1", "system": "okta", "email": "a@x.example", "active": active, "mfa": false},
            {"key": "okta:2", "system": "okta", "email": "b@x.example", "active": true, "mfa": true},
        ]),
    )
}

const MFA: &str = "SELECT key, active, mfa, evidence FROM accounts WHERE active";

#[test]
fn snapshots_are_chosen_per_period_and_a_later_one_says_so() {
    let c = || {
        control(
            "ACC-X",
            Frequency::Continuous,
            Nature::Automated,
            vec![sql_test("ACC-X.1", MFA, Some("mfa"))],
        )
    };
    // The latest snapshot inside the period wins over an earlier one.
    let mut early = accounts("2026-02-01", true);
    early.name = "accounts".into();
    let mut late = accounts("2026-06-15", false);
    late.rows[1]["key"] = json!("okta:3");
    let out = one(&[early, late], c(), &[]);
    assert_eq!(out.exception_count, 0, "{:?}", out.exceptions);
    assert_eq!(out.population.unwrap().rows, 1);
    // Only a snapshot after the period: used, and the notes say so.
    let out = one(&[accounts("2026-08-01", true)], c(), &[]);
    assert_eq!(out.exception_count, 1);
    assert!(
        out.notes
            .iter()
            .any(|n| n.contains("after the period ended")),
        "{:?}",
        out.notes
    );
    // Only a snapshot before the period: not tested.
    let out = one(&[accounts("2025-11-01", true)], c(), &[]);
    assert_eq!(out.result, Verdict::NotTested);
    assert!(out.statement.contains("predates"), "{}", out.statement);
}

#[test]
fn a_snapshot_concludes_as_of_its_date_and_history_by_the_period_concludes_for_the_period() {
    let mfa = || {
        control(
            "ACC-X",
            Frequency::Continuous,
            Nature::Automated,
            vec![sql_test("ACC-X.1", MFA, Some("mfa"))],
        )
    };
    // Accounts as of one date: the state on that date, never "for the period".
    let out = one(&[accounts("2026-06-30", true)], mfa(), &[]);
    let cov = out.coverage.clone().unwrap();
    assert_eq!(cov.span, Span::PointInTime);
    assert_eq!(cov.as_of, ["2026-06-30"]);
    assert!(
        out.statement.contains("as of 2026-06-30") && !out.statement.contains("for the period"),
        "{}",
        out.statement
    );
    assert!(
        out.notes.iter().any(|n| n.starts_with("Point in time")),
        "{:?}",
        out.notes
    );
    // The same snapshot, selected by the period's dates (accounts created in the period):
    // the history it keeps covers the period.
    let created = "SELECT key, active, mfa, evidence FROM accounts WHERE active AND (created_at IS NULL OR created_at <= :period_end)";
    let c = control(
        "ACC-Y",
        Frequency::Continuous,
        Nature::Automated,
        vec![sql_test("ACC-Y.1", created, Some("mfa"))],
    );
    let out = one(&[accounts("2026-06-30", true)], c, &[]);
    assert_eq!(out.coverage.unwrap().span, Span::Period);
    assert!(
        out.statement.contains("for the period"),
        "{}",
        out.statement
    );
    // Event tables cover the period.
    let c = control(
        "LOG-X",
        Frequency::Continuous,
        Nature::Automated,
        vec![sql_test(
            "LOG-X.1",
            "SELECT key, evidence FROM audit_events",
            Some("TRUE"),
        )],
    );
    let out = one(&[events("2026-06-30T22:00:00Z")], c, &[]);
    assert_eq!(out.coverage.unwrap().span, Span::Period);
}

#[test]
fn a_missing_quarter_is_an_exception_keyed_by_its_window() {
    let reviews = table(
        "access_reviews",
        "2026-07-02",
        json!([
            {"key": "AR-1", "system": "okta", "reviewer": "x", "completed_at": "2026-03-20T10:00:00Z", "items": 10},
            {"key": "AR-2", "system": "okta", "reviewer": "x", "completed_at": "2025-12-20T10:00:00Z", "items": 10},
        ]),
    );
    let mut t = sql_test(
        "ACC-X.1",
        "SELECT key, completed_at, items, evidence FROM access_reviews",
        Some("items > 0"),
    );
    t.occurrence = Some("completed_at".into());
    let out = one(
        &[reviews],
        control("ACC-X", Frequency::Quarterly, Nature::Manual, vec![t]),
        &[],
    );
    let keys: Vec<&str> = out.exceptions.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["2026-Q2"]);
    assert_eq!(out.calendar.as_ref().unwrap().found, 1);
    assert_eq!(out.result, Verdict::NotEffective);
}

fn hires() -> TableData {
    let rows: Vec<serde_json::Value> = (0..30)
        .map(|i| json!({"key": format!("p{i:02}@x.example"), "email": format!("p{i:02}@x.example"), "start_date": "2026-02-01"}))
        .collect();
    table("people", "2026-06-30", serde_json::Value::Array(rows))
}

fn results(sample: &[String], fail: usize, extended: bool) -> manual::Results {
    let items: Vec<String> = sample
        .iter()
        .enumerate()
        .map(|(i, k)| {
            format!(
                "  - key: {k}\n    result: {}\n",
                if i < fail { "fail" } else { "pass" }
            )
        })
        .collect();
    let text = format!(
        "test: HR-X.1\ntester: Dana\ntested_at: 2026-07-10\nextended: {extended}\nitems:\n{}",
        items.concat()
    );
    manual::parse("results/HR-X.1.yaml", &text).unwrap()
}

#[test]
fn samples_are_reproducible_and_judged_by_deviations() {
    let c = || {
        control("HR-X", Frequency::Event, Nature::Manual, vec![sql_test("HR-X.1", "SELECT key, start_date, evidence FROM people WHERE start_date BETWEEN :period_start AND :period_end", None)])
    };
    let out = one(&[hires()], c(), &[]);
    assert_eq!(out.result, Verdict::NotTested);
    assert_eq!(out.rule, "T-SAMPLE-PENDING");
    let s = out.sample.unwrap();
    assert_eq!((s.population, s.size, s.extended_size), (30, 5, 10));
    let keys: Vec<String> = s.items.iter().map(|i| i.key.clone()).collect();
    assert_eq!(one(&[hires()], c(), &[]).sample.unwrap().items.len(), 5);

    let clean = one(&[hires()], c(), &[results(&keys, 0, false)]);
    assert_eq!(
        (clean.result, clean.rule.id()),
        (Verdict::Effective, "T-SAMPLE-CLEAN")
    );
    let one_dev = one(&[hires()], c(), &[results(&keys, 1, false)]);
    assert_eq!(
        (one_dev.result, one_dev.rule.id()),
        (Verdict::NotTested, "T-SAMPLE-EXTEND")
    );
    assert_eq!(one_dev.exceptions.len(), 1);

    // Extended: the first five stay, five more are added.
    let pending = one(&[hires()], c(), &[results(&keys, 1, true)]);
    let ext: Vec<String> = pending
        .sample
        .unwrap()
        .items
        .iter()
        .map(|i| i.key.clone())
        .collect();
    assert_eq!(&ext[..5], &keys[..]);
    assert_eq!(ext.len(), 10);
    let noted = one(&[hires()], c(), &[results(&ext, 1, true)]);
    assert_eq!(
        (noted.result, noted.rule.id()),
        (Verdict::ExceptionsNoted, "T-SAMPLE-EXTENDED")
    );
    let failed = one(&[hires()], c(), &[results(&ext, 2, true)]);
    assert_eq!(failed.result, Verdict::NotEffective);

    // Results for a key outside the sample are an error, not silently ignored.
    let stray = results(&["nobody@x.example".to_string()], 0, false);
    assert_eq!(one(&[hires()], c(), &[stray]).result, Verdict::Error);
}

#[test]
fn sample_size_follows_the_control_risk_and_the_test_all_threshold_and_the_seed_the_secret() {
    let hires_query = "SELECT key, start_date, evidence FROM people WHERE start_date BETWEEN :period_start AND :period_end";
    let weekly = |risk| Control {
        risk,
        ..control(
            "HR-X",
            Frequency::Weekly,
            Nature::Manual,
            vec![sql_test("HR-X.1", hires_query, None)],
        )
    };
    let defaults = assay_core::EngineSettings::default();
    let size = |c: Control, s: &assay_core::EngineSettings| {
        let x = one_with(&[hires()], c, &[], s, None).sample.unwrap();
        (x.size, x.risk)
    };
    // Without a risk of its own or the workspace's, a manual control is sampled at the higher
    // risk and an automated one at the low.
    assert_eq!(size(weekly(None), &defaults), (10, "higher".to_string()));
    let automated = Control {
        nature: Nature::Automated,
        ..weekly(None)
    };
    assert_eq!(size(automated, &defaults), (5, "low".to_string()));
    let low = assay_core::EngineSettings {
        risk: Some(assay_core::Risk::Low),
        ..Default::default()
    };
    assert_eq!(
        size(weekly(None), &low),
        (5, "low".to_string()),
        "the workspace's risk wins over the nature"
    );
    assert_eq!(
        size(weekly(Some(assay_core::Risk::Higher)), &defaults),
        (10, "higher".to_string())
    );
    let higher = assay_core::EngineSettings {
        risk: Some(assay_core::Risk::Higher),
        ..Default::default()
    };
    assert_eq!(
        size(weekly(None), &higher).0,
        10,
        "the workspace default applies"
    );
    assert_eq!(
        size(weekly(Some(assay_core::Risk::Low)), &higher).0,
        5,
        "the control's own risk wins"
    );

    let event = || {
        control(
            "HR-X",
            Frequency::Event,
            Nature::Manual,
            vec![sql_test("HR-X.1", hires_query, None)],
        )
    };
    let all = assay_core::EngineSettings {
        test_all_up_to: 30,
        ..Default::default()
    };
    let full = one_with(&[hires()], event(), &[], &all, None)
        .sample
        .unwrap();
    assert_eq!((full.size, full.items.len()), (30, 30), "{}", full.basis);

    let plain = one_with(&[hires()], event(), &[], &defaults, None)
        .sample
        .unwrap();
    assert!(plain.predictable);
    let secret = one_with(&[hires()], event(), &[], &defaults, Some("auditor-only"))
        .sample
        .unwrap();
    assert!(!secret.predictable);
    assert_eq!(secret.seed_from, "auditor's secret");
    let scope = common::scope(date(2026, 1, 1), date(2026, 6, 30));
    assert_eq!(
        secret.seed,
        assay_engine::sample::secret_seed(
            "auditor-only",
            &scope.organization,
            &scope.period.to_string(),
            "HR-X.1"
        )
    );
    let keys = |s: &assay_engine::assessment::Sample| -> Vec<String> {
        s.items.iter().map(|i| i.key.clone()).collect()
    };
    assert_ne!(
        keys(&plain),
        keys(&secret),
        "another seed, another selection"
    );
    // Once recorded in the results file, the seed re-performs without the secret.
    let mut recorded = results(&keys(&secret), 0, false);
    recorded.seed = Some(secret.seed.clone());
    let later = one_with(&[hires()], event(), &[recorded], &defaults, None);
    assert_eq!(later.rule.id(), "T-SAMPLE-CLEAN", "{}", later.statement);
    assert_eq!(keys(later.sample.as_ref().unwrap()), keys(&secret));
}

#[test]
fn a_population_the_tester_obtained_is_sampled_with_its_source_recorded() {
    let manual_only = || {
        control(
            "SEC-X",
            Frequency::Event,
            Nature::Manual,
            vec![TestDef::manual("SEC-X.1", "Inspect each incident ticket")],
        )
    };
    let none = one(&[hires()], manual_only(), &[]);
    assert_eq!(none.rule.id(), "T-NO-POPULATION");
    assert!(
        none.statement.contains("`population:`"),
        "{}",
        none.statement
    );

    let head = "test: SEC-X.1\ntester: Dana\ntested_at: 2026-07-10\npopulation:\n  source: Jira SEC project, created 2026-01-01 to 2026-06-30\n  produced_by: Priya Shah\n  produced_at: 2026-07-02\n  completeness: count of 12 agreed to the Jira dashboard\n";
    let keys: Vec<String> = (1..=12).map(|i| format!("SEC-{i}")).collect();
    let listed = format!("{head}  keys: [{}]\n", keys.join(", "));
    let obtained = manual::parse("results/SEC-X.1.yaml", &format!("{listed}items: []\n")).unwrap();
    let pending = one(&[hires()], manual_only(), &[obtained]);
    assert_eq!(
        pending.rule.id(),
        "T-SAMPLE-PENDING",
        "{}",
        pending.statement
    );
    let s = pending.sample.unwrap();
    assert_eq!((s.population, s.size), (12, 5));
    assert!(s.items.iter().all(|i| keys.contains(&i.key)));
    assert_eq!(s.obtained.as_ref().unwrap().produced_by, "Priya Shah");
    assert!(
        pending
            .statement
            .contains("obtained from management (Jira SEC project"),
        "{}",
        pending.statement
    );

    let items: String = s
        .items
        .iter()
        .map(|i| format!("  - key: {}\n    result: pass\n", i.key))
        .collect();
    let done = manual::parse("results/SEC-X.1.yaml", &format!("{listed}items:\n{items}")).unwrap();
    let clean = one(&[hires()], manual_only(), &[done]);
    assert_eq!(clean.rule.id(), "T-SAMPLE-CLEAN", "{}", clean.statement);

    // A test that draws its own population does not take one from the tester.
    let own = control(
        "SEC-X",
        Frequency::Event,
        Nature::Manual,
        vec![sql_test(
            "SEC-X.1",
            "SELECT key, start_date, evidence FROM people",
            None,
        )],
    );
    let twice = manual::parse("results/SEC-X.1.yaml", &format!("{listed}items: []\n")).unwrap();
    let out = one(&[hires()], own, &[twice]);
    assert_eq!(out.result, Verdict::Error);
    assert!(
        out.statement.contains("field `population` is only for"),
        "{}",
        out.statement
    );
}

#[test]
fn the_same_evidence_gives_byte_identical_assessments_in_any_load_order() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/library");
    let mut all = Vec::new();
    for name in ["CHG-01.1.yaml", "ACC-07.1.yaml", "VUL-02.1.yaml"] {
        all.extend(common::load(&fixtures.join(name)).tables);
    }
    let controls = common::library();
    let scope = common::scope(date(2026, 1, 1), date(2026, 6, 30));
    let forward: Vec<&TableData> = all.iter().collect();
    let backward: Vec<&TableData> = all.iter().rev().collect();
    let a = serde_json::to_string_pretty(&common::assess(
        &scope,
        &controls,
        &common::build(&forward),
        None,
    ))
    .unwrap();
    let b = serde_json::to_string_pretty(&common::assess(
        &scope,
        &controls,
        &common::build(&forward),
        None,
    ))
    .unwrap();
    let c = serde_json::to_string_pretty(&common::assess(
        &scope,
        &controls,
        &common::build(&backward),
        None,
    ))
    .unwrap();
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert!(a.contains("\"schema\": \"assay.assessment/v1\""));
}

#[test]
fn duplicate_events_from_overlapping_exports_count_once() {
    let a = events("2026-06-30T22:00:00Z");
    let mut b = events("2026-06-30T22:00:00Z");
    b.rows.push(json!({"key": "e4", "source": "aws-cloudtrail", "time": "2026-03-01T00:00:00Z", "actor": "a", "action": "StopLogging", "outcome": "success"}));
    let c = control(
        "LOG-X",
        Frequency::Continuous,
        Nature::Automated,
        vec![TestDef {
            severity: Some(Severity::Critical),
            ..sql_test("LOG-X.1", STOPS, Some("FALSE"))
        }],
    );
    let out = one(&[a, b], c, &[]);
    assert_eq!(out.exception_count, 1);
    assert_eq!(out.rule, "T-CRITICAL");
}
