//! Issue 13 through the engine: a control's SQL cannot read files (external tables over
//! /etc/passwd or the ledger's signing key), cannot change the tables another control's
//! test reads, and an expectation cannot reshape the query it is placed in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use assay_core::{Control, ControlType, CriterionLink, Frequency, Nature, TestDef};
use assay_engine::assessment::Assessment;
use assay_engine::Verdict;
use common::{micros, TableData};
use jiff::civil::date;
use serde_json::json;

fn control(id: &str, population: &str, expect: &str) -> Control {
    Control {
        id: id.into(),
        title: id.into(),
        description: String::new(),
        owner: "cto".into(),
        frequency: Frequency::Continuous,
        nature: Nature::Automated,
        control_type: ControlType::Preventive,
        criteria: vec![CriterionLink {
            id: "CC6.1".into(),
            rationale: "test".into(),
            key: None,
            compensates: Vec::new(),
        }],
        tests: vec![TestDef {
            population: Some(population.into()),
            expect: Some(expect.into()),
            ..TestDef::manual(&format!("{id}.1"), "procedure")
        }],
        guidance: None,
        risk: None,
    }
}

/// Two accounts in the period, one of them an active account without MFA.
fn accounts() -> TableData {
    TableData {
        name: "accounts".into(),
        snapshot_at: micros("2026-06-15"),
        effective: None,
        rows: json!([
            {"key": "okta:1", "system": "okta", "email": "a@x.example", "active": true, "mfa": false},
            {"key": "okta:2", "system": "okta", "email": "b@x.example", "active": false, "mfa": false},
        ])
        .as_array()
        .unwrap()
        .clone(),
    }
}

const MFA: &str = "SELECT key, active, mfa, evidence FROM accounts WHERE active";

fn assess(controls: &[Control]) -> Assessment {
    let t = accounts();
    let built = common::build(&[&t]);
    let scope = common::scope(date(2026, 1, 1), date(2026, 6, 30));
    common::assess(&scope, controls, &built, None)
}

fn test_of<'a>(a: &'a Assessment, id: &str) -> &'a assay_engine::assessment::TestOutcome {
    &a.controls.iter().find(|c| c.id == id).unwrap().tests[0]
}

#[test]
fn external_tables_over_system_files_and_the_signing_key_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join(".assay/keys/ledger.ed25519");
    std::fs::create_dir_all(key.parent().unwrap()).unwrap();
    std::fs::write(&key, "SIGNING-KEY-SECRET\n").unwrap();
    for (i, location) in ["/etc/passwd".to_string(), key.display().to_string()]
        .iter()
        .enumerate()
    {
        let create = control(
            "AAA-1",
            &format!(
                "CREATE EXTERNAL TABLE leak{i} (line VARCHAR) STORED AS CSV LOCATION '{location}'"
            ),
            "TRUE",
        );
        let read = control(
            "AAB-1",
            &format!("SELECT line AS key, line AS evidence FROM leak{i}"),
            "FALSE",
        );
        let a = assess(&[create, read]);
        let text = serde_json::to_string(&a).unwrap();
        assert!(
            !text.contains("root:"),
            "no /etc/passwd line in the assessment"
        );
        assert!(
            !text.contains("SIGNING-KEY-SECRET"),
            "no key in the assessment"
        );
        let made = test_of(&a, "AAA-1");
        assert_eq!(made.result, Verdict::Error);
        assert!(
            made.statement.contains("CREATE EXTERNAL TABLE"),
            "{}",
            made.statement
        );
        let read = test_of(&a, "AAB-1");
        assert_eq!(read.result, Verdict::Error);
        assert!(read.exceptions.is_empty());
    }
}

#[test]
fn one_control_cannot_change_the_table_another_reads() {
    let mfa = control("ACC-11", MFA, "mfa");
    let alone = assess(std::slice::from_ref(&mfa));
    let before = test_of(&alone, "ACC-11").clone();
    assert_eq!(before.result, Verdict::NotEffective);
    assert_eq!(before.exception_count, 1);
    for ddl in [
        "CREATE OR REPLACE TABLE accounts AS SELECT * FROM accounts WHERE NOT active",
        "SELECT key, evidence FROM accounts; DROP TABLE accounts",
        "INSERT INTO accounts SELECT * FROM accounts",
        "SELECT * INTO accounts FROM accounts WHERE NOT active",
    ] {
        // "AAA" sorts (and runs) before the control it attacks.
        let a = assess(&[control("AAA-1", ddl, "TRUE"), mfa.clone()]);
        assert_eq!(test_of(&a, "AAA-1").result, Verdict::Error, "{ddl}");
        let after = test_of(&a, "ACC-11");
        assert_eq!(after.result, before.result, "{ddl}");
        assert_eq!(after.exception_count, before.exception_count, "{ddl}");
        assert_eq!(
            after.population.as_ref().unwrap().rows_sha256,
            before.population.as_ref().unwrap().rows_sha256,
            "{ddl}"
        );
    }
}

#[test]
fn an_expectation_is_one_expression() {
    for expect in [
        "TRUE) AS __assay_pass, NULL AS __assay_reason FROM accounts) AS population --",
        "TRUE; DROP TABLE accounts",
    ] {
        let a = assess(&[control("ACC-11", MFA, expect)]);
        let t = test_of(&a, "ACC-11");
        assert_eq!(t.result, Verdict::Error, "{expect}");
        assert!(
            t.statement.contains("`expect` is not one SQL expression"),
            "{}",
            t.statement
        );
    }
    // A trailing comment no longer swallows the rest of the query.
    let a = assess(&[control("ACC-11", MFA, "mfa -- every active account")]);
    assert_eq!(test_of(&a, "ACC-11").exception_count, 1);
}
