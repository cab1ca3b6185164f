//! ACC-02.3 (console sign-ins without MFA) against Panther's labelled CloudTrail events for
//! `AWS.Console.LoginWithoutMFA` in `../shared/data/evidence/panther/` (issue 14): every label
//! agrees with Assay's verdict except the differences written down in docs/assessment.md.
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

#[test]
fn acc_02_3_agrees_with_panther_labels() {
    let path = format!(
        "{}/../../../shared/data/evidence/panther/aws_cloudtrail.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    let Ok(text) = std::fs::read_to_string(&path) else {
        assay_testkit::missing(
            &path,
            "the shared test data (../shared/data) next to the repository",
        );
        return;
    };
    let (mut agreed, mut refused, mut deliberate) = (0, 0, 0);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        if case["id"] != "AWS.Console.LoginWithoutMFA" {
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
                "{name}: refused by the normalizer but labelled an alert"
            );
            refused += 1;
            continue;
        };
        let count = assay_testkit::block_on(tables.query(EXCEPTIONS))
            .unwrap()
            .text_rows()[0][0]
            .clone()
            .unwrap();
        let exception = count != "0";
        if let Some((_, why)) = DELIBERATE.iter().find(|(n, _)| *n == name) {
            assert_ne!(
                exception, label,
                "{name}: listed as deliberate ({why}) but agrees"
            );
            deliberate += 1;
        } else {
            assert_eq!(
                exception, label,
                "{name}: Assay {exception}, Panther {label}"
            );
            agreed += 1;
        }
    }
    assert_eq!((agreed, refused, deliberate), (9, 1, 1));
}
