//! The library's CloudTrail tests against Panther's labelled CloudTrail events in
//! `../shared/data/evidence/panther/` (issue 14): ACC-02.3 (console sign-ins without MFA)
//! against `AWS.Console.LoginWithoutMFA`, ACC-08.2 (root sign-ins) against
//! `AWS.Console.RootLogin` and LOG-01.1 (logging stopped) against `AWS.CloudTrail.Stopped`.
//! Every label agrees with Assay's verdict except the differences written down in
//! docs/assessment.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use assay_tables::{Input, Tables};
use std::collections::BTreeMap;

/// ACC-02.3's population and expectation (crates/assay-catalog/data/controls/ACC-02.yaml),
/// without the period bounds: the count of exceptions.
const EXCEPTIONS: &str = "SELECT count(*) FROM audit_events \
    WHERE source = 'aws-cloudtrail' AND action = 'ConsoleLogin' AND outcome = 'success' \
    AND actor_type IN ('user', 'root') AND federated IS NOT TRUE AND NOT (mfa_used IS NOT FALSE)";

/// Labels where Assay deliberately differs, by Panther test name, with the reason.
const DELIBERATE: &[(&str, &str)] = &[(
    "No MFA Login - New User",
    "Panther ignores a new user's first sign-in without MFA; an auditor would not",
)];

/// ACC-08.2's population (crates/assay-catalog/data/controls/ACC-08.yaml; its expectation
/// is FALSE: every row is an exception), without the period bounds.
const ROOT_SIGN_INS: &str = "SELECT count(*) FROM audit_events \
    WHERE actor_type = 'root' AND action = 'ConsoleLogin'";

/// LOG-01.1's population (crates/assay-catalog/data/controls/LOG-01.yaml; expectation FALSE),
/// without the period bounds.
const LOGGING_STOPPED: &str = "SELECT count(*) FROM audit_events \
    WHERE source = 'aws-cloudtrail' \
    AND action IN ('StopLogging', 'DeleteTrail', 'DeleteEventDataStore', 'StopEventDataStoreIngestion') \
    AND outcome = 'success'";

/// Runs `query` (a count of exceptions) over each labelled event of Panther rule `rule`, one
/// event at a time, and returns (agreed, refused by the normalizer, deliberately different).
fn agreement(rule: &str, query: &str, deliberate: &[(&str, &str)]) -> Option<(u32, u32, u32)> {
    let path = format!(
        "{}/../../../shared/data/evidence/panther/aws_cloudtrail.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    let Ok(text) = std::fs::read_to_string(&path) else {
        assay_testkit::missing(
            &path,
            "the shared test data (../shared/data) next to the repository",
        );
        return None;
    };
    let (mut agreed, mut refused, mut different) = (0, 0, 0);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        if case["id"] != rule {
            continue;
        }
        let name = case["test_name"].as_str().unwrap();
        let label = case["expected_result"].as_bool().unwrap();
        let file = serde_json::json!({ "Records": [case["event"]] }).to_string();
        let params = BTreeMap::new();
        let built = Tables::build([(
            "aws-cloudtrail",
            Input {
                bytes: file.as_bytes(),
                evidence: "e",
                snapshot_at: None,
                params: &params,
                batch: None,
            },
        )]);
        let Ok(tables) = built else {
            // Not a CloudTrail record (no eventID or eventTime): the import refuses it, so it
            // can never be a finding; Panther's label for it must be "no alert".
            assert!(
                !label,
                "{rule} {name}: refused by the normalizer but labelled an alert"
            );
            refused += 1;
            continue;
        };
        let count = assay_testkit::block_on(tables.query(query))
            .unwrap()
            .text_rows()[0][0]
            .clone()
            .unwrap();
        let exception = count != "0";
        if let Some((_, why)) = deliberate.iter().find(|(n, _)| *n == name) {
            assert_ne!(
                exception, label,
                "{rule} {name}: listed as deliberate ({why}) but agrees"
            );
            different += 1;
        } else {
            assert_eq!(
                exception, label,
                "{rule} {name}: Assay {exception}, Panther {label}"
            );
            agreed += 1;
        }
    }
    Some((agreed, refused, different))
}

#[test]
fn acc_02_3_agrees_with_panther_labels() {
    let counts = agreement("AWS.Console.LoginWithoutMFA", EXCEPTIONS, DELIBERATE);
    assert!(counts.is_none_or(|c| c == (9, 1, 1)), "{counts:?}");
}

#[test]
fn acc_08_2_agrees_with_panther_root_login_labels() {
    let counts = agreement("AWS.Console.RootLogin", ROOT_SIGN_INS, &[]);
    assert!(counts.is_none_or(|c| c == (2, 0, 0)), "{counts:?}");
}

#[test]
fn log_01_1_agrees_with_panther_cloudtrail_stopped_labels() {
    let counts = agreement("AWS.CloudTrail.Stopped", LOGGING_STOPPED, &[]);
    assert!(counts.is_none_or(|c| c == (3, 0, 0)), "{counts:?}");
}
