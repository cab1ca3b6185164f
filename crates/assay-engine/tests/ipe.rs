//! What a test rests on beyond its own evidence. Information produced by the entity: a
//! population built from imported evidence names its sources, is work left until their
//! completeness and accuracy is tested (`ipe.yaml`), and cannot conclude once fieldwork closes
//! without it (`T-IPE-UNTESTED`); no sample is selected from it until then
//! (`T-SAMPLE-AWAITS-IPE`); collected evidence is system-generated and needs nothing.
//! Walkthroughs: a control not walked through is work left, and a deficient design fails it
//! (`C-DESIGN-DEFICIENT`).

use crate::common::{self, micros, TableData};
use assay_core::{Control, EngineSettings, Frequency, Nature};
use assay_engine::assessment::Assessment;
use assay_engine::ipe::Ipe;
use assay_engine::Verdict;
use jiff::civil::date;
use serde_json::json;

/// ACC-X with one test over the active accounts.
fn acc_x(frequency: Frequency, nature: Nature, sql: &str, expect: Option<&str>) -> Control {
    crate::engine::control(
        "ACC-X",
        frequency,
        nature,
        vec![crate::engine::sql_test("ACC-X.1", sql, expect)],
    )
}

/// An automated control tested over its whole population.
fn control() -> Control {
    acc_x(
        Frequency::Continuous,
        Nature::Automated,
        "SELECT key, mfa, evidence FROM accounts WHERE active",
        Some("mfa"),
    )
}

/// Every line of work the engagement has left.
fn work(a: &Assessment) -> Vec<&String> {
    a.engagement
        .remaining
        .iter()
        .flat_map(|r| &r.work)
        .collect()
}

fn run(system_generated: bool, ipe: &[Ipe], fieldwork_complete: bool) -> Assessment {
    run_with(
        system_generated,
        ipe,
        fieldwork_complete,
        &[walked("designed-and-implemented")],
    )
}

fn run_with(
    system_generated: bool,
    ipe: &[Ipe],
    fieldwork_complete: bool,
    walkthroughs: &[assay_engine::walkthrough::Walkthrough],
) -> Assessment {
    run_control(
        control(),
        system_generated,
        ipe,
        fieldwork_complete,
        walkthroughs,
        &[],
    )
}

fn run_control(
    control: Control,
    system_generated: bool,
    ipe: &[Ipe],
    fieldwork_complete: bool,
    walkthroughs: &[assay_engine::walkthrough::Walkthrough],
    results: &[assay_engine::manual::Results],
) -> Assessment {
    let accounts = TableData {
        name: "accounts".into(),
        snapshot_at: micros("2026-06-30"),
        effective: None,
        rows: json!([{"key": "okta:1", "active": true, "mfa": true}])
            .as_array()
            .unwrap()
            .clone(),
    };
    let mut built = common::build(&[&accounts]);
    for e in &mut built.evidence {
        e.system_generated = system_generated;
    }
    let scope = common::scope(date(2026, 1, 1), date(2026, 6, 30));
    let settings = EngineSettings {
        fieldwork_complete,
        ..EngineSettings::default()
    };
    let catalog = assay_catalog::Catalog::embedded().unwrap();
    let _rt = assay_testkit::runtime().enter();
    assay_engine::assess(&assay_engine::Inputs {
        scope: &scope,
        settings: &settings,
        controls: &[control],
        criteria: &catalog.criteria,
        inventory: &Default::default(),
        tables: &built.tables,
        evidence: &built.evidence,
        results,
        triage: &[],
        ipe,
        walkthroughs,
        ledger: None,
        collectors: &[],
        source_bindings: &Default::default(),
        sample_secret: None,
        only_control: Some("ACC-X"),
        progress: None,
        populations: None,
        population_cache: None,
    })
    .unwrap()
}

fn walked(conclusion: &str) -> assay_engine::walkthrough::Walkthrough {
    assay_engine::walkthrough::parse(
        "walkthroughs/ACC-X.yaml",
        &format!("control: ACC-X\nperformed_by: Dana\nperformed_on: 2026-07-01\nprocedure: Inquired and inspected one instance.\nconclusion: {conclusion}\n"),
    )
    .unwrap()
}

fn tested(source: &str) -> Ipe {
    Ipe {
        source: source.into(),
        report: "Okta users report".into(),
        produced_by: "IT admin".into(),
        procedure: "agreed the count to the Okta console".into(),
        tested_by: "Dana".into(),
        tested_on: date(2026, 7, 10),
    }
}

#[test]
fn an_untested_import_is_work_left_then_a_limitation_and_a_collection_needs_nothing() {
    // Imported, untested: the test concludes on its own terms, but the examination is in
    // progress with the source to test named.
    let a = run(false, &[], false);
    let t = &a.controls[0].tests[0];
    assert_eq!(t.rule, "T-CLEAN", "{}", t.statement);
    assert_eq!(t.provided.len(), 1);
    let source = t.provided[0].source.clone();
    assert_eq!(source, "json from fixture (accounts)");
    assert!(t.provided[0].ipe.is_none());
    assert_eq!(a.engagement.rule, "E-IN-PROGRESS");
    let work = work(&a);
    assert!(
        work.iter()
            .any(|w| w.contains(&source) && w.contains("ipe.yaml")),
        "{work:?}"
    );
    // Fieldwork closed without it: the test cannot conclude.
    let a = run(false, &[], true);
    let t = &a.controls[0].tests[0];
    assert_eq!(t.rule, "T-IPE-UNTESTED");
    assert_eq!(t.result, Verdict::NotTested);
    assert!(
        t.statement.contains("What the test found: Inspected"),
        "{}",
        t.statement
    );
    // Tested: recorded on the test, and nothing is left.
    let a = run(false, &[tested(&source)], false);
    let t = &a.controls[0].tests[0];
    assert_eq!(
        t.provided[0].ipe.as_ref().unwrap().procedure,
        "agreed the count to the Okta console"
    );
    assert_eq!(a.engagement.rule, "E-READY");
    // Collected by Assay: system-generated, no source to test.
    let a = run(true, &[], true);
    let t = &a.controls[0].tests[0];
    assert!(t.provided.is_empty());
    assert_eq!(t.rule, "T-CLEAN");
}

#[test]
fn a_control_is_walked_through_before_the_examination_concludes_and_a_deficient_design_fails_it() {
    // Not walked through: work left, naming the file to write.
    let a = run_with(true, &[], false, &[]);
    assert_eq!(a.engagement.rule, "E-IN-PROGRESS");
    let work = work(&a);
    assert!(
        work.iter().any(|w| w.contains("walkthroughs/ACC-X.yaml")),
        "{work:?}"
    );
    // A deficient design: not effective, though its test is clean.
    let a = run_with(true, &[], false, &[walked("design-deficient")]);
    let c = &a.controls[0];
    assert_eq!(c.tests[0].rule, "T-CLEAN");
    assert_eq!(c.rule, "C-DESIGN-DEFICIENT");
    assert_eq!(c.result, Verdict::NotEffective);
    assert_eq!(
        a.criteria.iter().find(|k| k.id == "CC6.1").unwrap().rule,
        "K-NOT-EFFECTIVE"
    );
}

/// A manual control performed per event: its test is sampled from the population.
fn sampled_control() -> Control {
    acc_x(
        Frequency::Event,
        Nature::Manual,
        "SELECT key, evidence FROM accounts WHERE active",
        None,
    )
}

#[test]
fn a_sample_is_selected_only_once_the_populations_source_is_tested() {
    let walked = [walked("designed-and-implemented")];
    let sample =
        |system_generated: bool, ipe: &[Ipe], results: &[assay_engine::manual::Results]| {
            run_control(
                sampled_control(),
                system_generated,
                ipe,
                false,
                &walked,
                results,
            )
            .controls[0]
                .tests[0]
                .clone()
        };
    // Imported and untested: the population is frozen, but nothing is selected from it.
    let t = sample(false, &[], &[]);
    assert_eq!(t.rule, "T-SAMPLE-AWAITS-IPE", "{}", t.statement);
    assert_eq!(t.result, Verdict::NotTested);
    assert!(t.sample.is_none());
    let frozen = t.population.as_ref().expect("the population is frozen");
    assert_eq!(frozen.rows, 1);
    assert!(
        t.statement.contains(&frozen.rows_sha256) && t.statement.contains("ipe.yaml"),
        "{}",
        t.statement
    );
    let source = t.provided[0].source.clone();
    // Once tested, the sample is drawn from the same frozen population.
    let t = sample(false, &[tested(&source)], &[]);
    assert_eq!(t.rule, "T-SAMPLE-PENDING", "{}", t.statement);
    assert_eq!(t.sample.as_ref().unwrap().items[0].key, "okta:1");
    assert_eq!(t.population.unwrap().rows_sha256, frozen.rows_sha256);
    // System-generated evidence needs no procedure: sampled at once.
    assert_eq!(sample(true, &[], &[]).rule, "T-SAMPLE-PENDING");
    // Results already recorded are never hidden: they are judged, and the source stays work
    // left.
    let recorded = assay_engine::manual::parse(
        "results/ACC-X.1.yaml",
        "test: ACC-X.1\ntester: Dana\ntested_at: 2026-07-10\nitems:\n  - key: okta:1\n    result: pass\n",
    )
    .unwrap();
    let a = run_control(sampled_control(), false, &[], false, &walked, &[recorded]);
    assert_eq!(a.controls[0].tests[0].rule, "T-SAMPLE-CLEAN");
    assert!(
        work(&a).iter().any(|w| w.contains(&source)),
        "{:?}",
        work(&a)
    );
}
