//! Every normalizer on fixtures in the source system's real format, checked through SQL;
//! malformed variants give errors that name the line.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use assay_tables::{for_kind, Input, Tables};
use std::collections::BTreeMap;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Tables from (kind, bytes, params) inputs; every input's evidence hash is "e<i>".
fn tables(inputs: &[(&str, Vec<u8>, BTreeMap<String, String>)]) -> Tables {
    let names: Vec<String> = (0..inputs.len()).map(|i| format!("e{i}")).collect();
    Tables::build(
        inputs
            .iter()
            .zip(&names)
            .map(|((kind, bytes, params), ev)| {
                (
                    *kind,
                    Input {
                        bytes,
                        evidence: ev,
                        snapshot_at: Some(1_782_777_600_000_000),
                        params,
                        batch: None,
                    },
                )
            }),
    )
    .map_err(|(i, e)| format!("input {i}: {e}"))
    .unwrap()
}

/// The rows of a query, as text cells joined by `|`.
fn rows(t: &Tables, sql: &str) -> Vec<String> {
    let r = assay_testkit::block_on(t.query(sql)).unwrap();
    r.text_rows()
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|c| c.unwrap_or_else(|| "NULL".into()))
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

fn one(kind: &str, name: &str) -> Tables {
    tables(&[(kind, fixture(name), BTreeMap::new())])
}

fn error(kind: &str, bytes: &[u8]) -> String {
    let assay_tables::Run::Each(run) = for_kind(kind).unwrap().run else {
        panic!("{kind} reads batches")
    };
    let mut out = assay_tables::Output::default();
    let params = BTreeMap::new();
    run(
        &Input {
            bytes,
            evidence: "e",
            snapshot_at: None,
            params: &params,
            batch: None,
        },
        &mut out,
    )
    .unwrap_err()
    .to_string()
}

#[test]
fn hr_roster_with_aliases_iso_dates_and_quoted_commas() {
    let t = one("hr-roster", "hr_roster_bamboohr.csv");
    assert_eq!(
        rows(&t, "select key, name, department, manager, employment_type, start_date, end_date, evidence from people order by key"),
        [
            "dana.kim@northwind.example|Dana Kim|Security|ceo@northwind.example|Full-Time|2024-02-05|NULL|e0",
            "luis.ortega@northwind.example|Luis Ortega|Engineering|dana.kim@northwind.example|Full-Time|2025-11-17|2026-03-13|e0",
            "priya.shah@northwind.example|Priya Shah|Engineering|dana.kim@northwind.example|Contractor|2026-01-12|NULL|e0",
            "sam.oneil@northwind.example|O'Neil, Jr. Sam|Sales, EMEA|cro@northwind.example|Full-Time|2023-06-01|2026-05-29|e0",
        ]
    );
    assert_eq!(
        rows(
            &t,
            "select count(*) from people where snapshot_at = timestamp '2026-06-30T00:00:00Z'"
        ),
        ["4"]
    );
}

#[test]
fn hr_roster_with_bom_and_us_dates() {
    let t = one("hr-roster", "hr_roster_us_dates.csv");
    assert_eq!(
        rows(
            &t,
            "select email, name, start_date, end_date from people order by email"
        ),
        [
            "ana@acme.example|Ana Lopez|2026-01-05|NULL",
            "ben@acme.example|Ben Wu|2025-03-02|2026-06-30",
        ]
    );
}

#[test]
fn hr_roster_errors_name_the_line() {
    assert!(
        error("hr-roster", b"Name,Department\nAna,Finance\n")
            .starts_with("line 1: no email column"),
        "{}",
        error("hr-roster", b"Name,Department\nAna,Finance\n")
    );
    let bad_date = error(
        "hr-roster",
        b"Email,Hire Date\na@x.com,2026-01-05\nb@x.com,2026-13-45\n",
    );
    assert!(bad_date.starts_with("line 3: start date:"), "{bad_date}");
    let ragged = error("hr-roster", b"Email,Hire Date\na@x.com,2026-01-05,extra\n");
    assert!(
        ragged.starts_with("line 2: this row has 3 fields but the header has 2"),
        "{ragged}"
    );
    assert!(error("hr-roster", b"Email\nnot-an-email\n").starts_with("line 2:"));
    assert!(error("hr-roster", b"Email\n\xff\xfe\n").starts_with("line 2: the file is not UTF-8"));
}

#[test]
fn credential_report_exactly_as_aws_emits_it() {
    let t = one("aws-credential-report", "aws_credential_report.csv");
    assert_eq!(
        rows(&t, "select user, is_root, password_enabled, mfa_active, access_key_1_active, access_key_2_active, password_last_used from cloud_credentials order by user"),
        [
            "<root_account>|true|NULL|true|false|false|2026-02-14T08:01:33Z",
            "ci-deploy|false|false|false|true|true|NULL",
            "dana.kim|false|true|true|true|false|2026-06-29T15:42:00Z",
            "luis.ortega|false|true|false|false|false|NULL",
        ]
    );
    assert_eq!(
        rows(
            &t,
            "select key, account_id from cloud_credentials where is_root"
        ),
        ["arn:aws:iam::123456789012:root|123456789012"]
    );
    // An older report without the region/service columns (a public fixture) reads too.
    let t = one(
        "aws-credential-report",
        "aws_credential_report_cloudbeat.csv",
    );
    assert_eq!(
        rows(
            &t,
            "select count(*), sum(case when is_root then 1 else 0 end) from cloud_credentials"
        ),
        ["3|1"]
    );
}

#[test]
fn credential_report_rejects_other_csv() {
    let e = error(
        "aws-credential-report",
        b"email,start\na@x.com,2026-01-01\n",
    );
    assert!(e.starts_with("line 1: not an IAM credential report"), "{e}");
}

#[test]
fn cloudtrail_gzip_and_plain_log_files() {
    let base = "cloudtrail/AWSLogs/123456789012/CloudTrail/us-east-1/2026/03";
    let t = tables(&[
        (
            "aws-cloudtrail",
            fixture(&format!(
                "{base}/01/123456789012_CloudTrail_us-east-1_20260301T0905Z_a1b2c3.json.gz"
            )),
            BTreeMap::new(),
        ),
        (
            "aws-cloudtrail",
            fixture(&format!(
                "{base}/02/123456789012_CloudTrail_us-east-1_20260302T1000Z_d4e5f6.json"
            )),
            BTreeMap::new(),
        ),
    ]);
    assert_eq!(
        rows(&t, "select action, actor_type, mfa_used, outcome, evidence from audit_events order by time"),
        [
            "ConsoleLogin|root|false|success|e0",
            "ConsoleLogin|user|true|failure|e0",
            "StopLogging|assumed-role|true|success|e0",
            "DeleteTrail|assumed-role|true|success|e0",
            "CreateAccessKey|user|NULL|success|e1",
            "PutEvaluations|service|NULL|success|e1",
            "GetObject|user|NULL|failure|e1",
        ]
    );
    assert_eq!(
        rows(&t, "select count(distinct key) from audit_events"),
        ["7"]
    );
}

#[test]
fn cloudtrail_truncated_gzip_and_wrong_shape() {
    let gz = fixture("cloudtrail/AWSLogs/123456789012/CloudTrail/us-east-1/2026/03/01/123456789012_CloudTrail_us-east-1_20260301T0905Z_a1b2c3.json.gz");
    let e = error("aws-cloudtrail", &gz[..gz.len() / 2]);
    assert!(e.contains("gzip data is damaged or cut off"), "{e}");
    let e = error(
        "aws-cloudtrail",
        b"{\"Records\": [{\"eventTime\": \"2026-03-01T00:00:00Z\"}]}",
    );
    assert!(e.starts_with("line 1: a record has no `eventID`"), "{e}");
    let e = error("aws-cloudtrail", b"{\"Records\": [\n{\"eventID\": \"1\",\n");
    assert!(e.contains("ends too early"), "{e}");
}

#[test]
fn okta_system_log_array_and_ndjson_agree() {
    let a = one("okta-system-log", "okta_system_log.json");
    let b = one("okta-system-log", "okta_system_log.ndjson");
    let q = "select key, action, actor, target, outcome, mfa_used from audit_events order by time";
    assert_eq!(rows(&a, q), rows(&b, q));
    assert_eq!(rows(&a, "select action, outcome, target from audit_events where actor_type = 'user' and action like 'user.lifecycle%'"), [
        "user.lifecycle.deactivate|success|luis.ortega@northwind.example"
    ]);
    assert_eq!(
        rows(
            &a,
            "select count(*) from audit_events where outcome = 'failure'"
        ),
        ["1"]
    );
    let e = error(
        "okta-system-log",
        b"{\"published\":\"2026-01-01T00:00:00Z\"}\n{\"published\":\"2026-01-01T00:00:00Z\"}\n",
    );
    assert!(e.starts_with("line 1: an event has no `uuid`"), "{e}");
}

#[test]
fn github_pulls_count_only_real_approvals() {
    let t = one("github-pulls", "github_pulls.json");
    assert_eq!(
        rows(&t, "select key, merged, approvals, approvers, self_approved, changes_requested, emergency from changes order by number"),
        [
            "northwind/api#101|true|1|priya|false|false|false",
            "northwind/api#102|true|0||true|false|false",
            "northwind/api#103|true|0||false|false|false",
            "northwind/api#104|true|0||false|true|false",
            "northwind/api#105|true|0||false|false|false",
            "northwind/api#106|true|1|luis|false|false|true",
            "northwind/api#107|false|0||false|false|false",
        ]
    );
}

#[test]
fn mapped_csv_into_access_reviews() {
    let params: BTreeMap<String, String> = [
        ("table".to_string(), "access_reviews".to_string()),
        ("map".to_string(), "key=Ticket,system=System,reviewer=Reviewer,period_start=From,period_end=To,completed_at=Completed,items=Accounts,revocations=Removed".to_string()),
    ]
    .into_iter()
    .collect();
    let t = tables(&[("csv", fixture("access_reviews.csv"), params.clone())]);
    assert_eq!(
        rows(
            &t,
            "select key, system, period_end, items, revocations from access_reviews order by key"
        ),
        [
            "SEC-101|AWS production|2026-03-31|42|3",
            "SEC-145|Okta|2026-06-30|58|1",
        ]
    );
    let mut bad = params.clone();
    bad.insert("map".into(), "system=System".into());
    let assay_tables::Run::Each(run_csv) = for_kind("csv").unwrap().run else {
        panic!()
    };
    let e = run_csv(
        &Input {
            bytes: &fixture("access_reviews.csv"),
            evidence: "e",
            snapshot_at: None,
            params: &bad,
            batch: None,
        },
        &mut assay_tables::Output::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("--map must map `key`"), "{e}");
    bad.insert("map".into(), "key=Ticket,items=Reviewer".into());
    let e = run_csv(
        &Input {
            bytes: &fixture("access_reviews.csv"),
            evidence: "e",
            snapshot_at: None,
            params: &bad,
            batch: None,
        },
        &mut assay_tables::Output::default(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 2: items: `dana.kim@northwind.example` is not a whole number"
    );
}

#[test]
fn every_table_is_queryable_even_when_empty() {
    let t = tables(&[]);
    for table in assay_tables::schema::TABLES {
        assert_eq!(
            rows(&t, &format!("select count(*) from {}", table.name)),
            ["0"],
            "{}",
            table.name
        );
    }
    let e = assay_testkit::block_on(t.query("select nope from people"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("nope"), "{e}");
}

#[test]
fn columns_named_in_code_exist_in_the_schema() {
    // Cols::at returns usize::MAX for an unknown name; every normalizer's columns must exist.
    for table in assay_tables::schema::TABLES {
        let cols = table.all_columns();
        assert_eq!(cols[0].0, "key");
        assert!(cols.iter().any(|c| c.0 == "evidence"));
        assert_eq!(cols.iter().any(|c| c.0 == "snapshot_at"), table.snapshot);
    }
}

#[test]
fn docs_tables_md_is_generated_from_the_schema() {
    let path = format!("{}/../../docs/tables.md", env!("CARGO_MANIFEST_DIR"));
    let want = assay_tables::schema::markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/tables.md is out of date: run `UPDATE_DOCS=1 cargo test -p assay-tables docs`"
    );
}
