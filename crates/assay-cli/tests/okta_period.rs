//! Collection that knows the audit period, end to end: a Type II period that began more
//! than 90 days before "now" (the clock injected with `ASSAY_NOW`), an Okta collector against
//! a local server answering like the Okta API, and CloudTrail and the HR roster imported.
//! The collector says which days its API no longer holds; `assess` does not call ACC-07.3
//! (sign-ins after leaving) effective on the IdP's missing months; once a System Log export
//! for the period is imported, the test runs on the whole period and finds the April sign-in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

#[path = "../../assay-collect/tests/mock/mod.rs"]
mod mock;
use assert_cmd::Command;
use mock::{ok, Server};
use serde_json::{json, Value};
use std::path::Path;

const TOKEN: &str = "00aCliOktaToken0123456789abcdefghijklmn";
const NOW: &str = "2026-12-06T00:00:00Z";

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("assay")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("ASSAY_OKTA_TOKEN", TOKEN)
        .env("ASSAY_NOW", NOW)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn okta_event(uuid: &str, published: &str, who: &str) -> Value {
    json!({"uuid": uuid, "published": published, "eventType": "user.session.start",
           "version": "0", "severity": "INFO", "displayMessage": "User login to Okta",
           "actor": {"id": "00u1", "type": "User", "alternateId": who, "displayName": who},
           "client": {"ipAddress": "203.0.113.10"}, "outcome": {"result": "SUCCESS"},
           "target": []})
}

fn console_login(id: u32, time: &str) -> Value {
    json!({"eventVersion": "1.09", "userIdentity": {"type": "IAMUser",
           "principalId": "AIDADANA", "arn": "arn:aws:iam::123456789012:user/dana.kim",
           "accountId": "123456789012", "userName": "dana.kim"},
           "eventTime": time, "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
           "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7", "userAgent": "Mozilla/5.0",
           "requestParameters": null, "responseElements": {"ConsoleLogin": "Success"},
           "additionalEventData": {"MFAUsed": "Yes"}, "eventID": format!("ev-{id}"),
           "readOnly": false, "eventType": "AwsConsoleSignIn", "managementEvent": true,
           "recipientAccountId": "123456789012", "eventCategory": "Management"})
}

/// The Okta API as of NOW: users, and the System Log of the 90 days it keeps.
fn okta_api() -> Server {
    let s = Server::start();
    let user = json!([{"id": "00u1", "status": "ACTIVE", "created": "2024-02-05T09:00:00.000Z",
        "activated": "2024-02-05T09:05:00.000Z", "statusChanged": "2024-02-05T09:05:00.000Z",
        "lastLogin": "2026-12-01T08:00:00.000Z", "lastUpdated": "2024-02-05T09:05:00.000Z",
        "passwordChanged": "2024-02-05T09:05:00.000Z", "type": {"id": "oty1"},
        "profile": {"firstName": "Dana", "lastName": "Kim", "login": "dana.kim@northwind.example",
                    "email": "dana.kim@northwind.example"},
        "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}}}]);
    s.route("/api/v1/users?limit=200", vec![ok(&user.to_string())]);
    s.route(
        "/api/v1/users?limit=200&filter=status%20eq%20%22DEPROVISIONED%22",
        vec![ok("[]")],
    );
    s.route("/api/v1/users/00u1/factors", vec![ok("[]")]);
    let log = json!([
        okta_event(
            "ok-sep",
            "2026-09-08T09:00:00.000Z",
            "dana.kim@northwind.example"
        ),
        okta_event(
            "ok-nov",
            "2026-11-20T09:00:00.000Z",
            "dana.kim@northwind.example"
        ),
    ]);
    // Only the request for the retention window is answered: asking for older days fails.
    s.route(
        "/api/v1/logs?since=2026-09-07T00:00:00Z&until=2026-12-06T00:00:00Z&limit=1000&sortOrder=ASCENDING",
        vec![ok(&log.to_string()), ok("[]")],
    );
    s
}

#[test]
fn the_collector_names_the_days_its_api_no_longer_holds_and_assess_does_not_assume_them() {
    let s = okta_api();
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    let (code, _, err) = run(
        ws,
        &[
            "init",
            ".",
            "--org",
            "Northwind",
            "--type",
            "type2",
            "--period-start",
            "2026-01-01",
            "--period-end",
            "2026-06-30",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let toml = std::fs::read_to_string(ws.join("assay.toml")).unwrap();
    std::fs::write(
        ws.join("assay.toml"),
        format!(
            "{toml}\n[[collector]]\nkind = \"okta\"\nbase_url = \"{}\"\ntoken_env = \"ASSAY_OKTA_TOKEN\"\n",
            s.base
        ),
    )
    .unwrap();

    // The HR roster (Luis left on 2026-03-13) and CloudTrail for the whole period.
    let roster = "Employee #,First Name,Last Name,Work Email,Department,Job Title,Supervisor Email,Employment Status,Hire Date,Termination Date\n\
        1001,Dana,Kim,dana.kim@northwind.example,Security,Head of Security,ceo@northwind.example,Full-Time,2024-02-05,\n\
        1002,Luis,Ortega,luis.ortega@northwind.example,Engineering,Staff Engineer,dana.kim@northwind.example,Full-Time,2025-11-17,2026-03-13\n";
    std::fs::write(ws.join("roster.csv"), roster).unwrap();
    let trail: Vec<Value> = [
        "2026-01-02T10:00:00Z",
        "2026-03-15T10:00:00Z",
        "2026-06-29T10:00:00Z",
    ]
    .iter()
    .enumerate()
    .map(|(i, t)| console_login(i as u32, t))
    .collect();
    std::fs::write(
        ws.join("trail.json"),
        json!({ "Records": trail }).to_string(),
    )
    .unwrap();
    let imports: [&[&str]; 2] = [
        &[
            "evidence",
            "import",
            "roster.csv",
            "--kind",
            "hr-roster",
            "--effective",
            "2026-06-30",
        ],
        &[
            "evidence",
            "import",
            "trail.json",
            "--kind",
            "aws-cloudtrail",
            "--quiet",
        ],
    ];
    for args in imports {
        let (code, out, err) = run(ws, args);
        assert_eq!(code, 0, "{out}{err}");
    }

    // Collection starts at the period's start, and says which days the API no longer has.
    let (code, out, err) = run(ws, &["collect"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("note: the Okta System Log API keeps 90 days: 2026-01-01 to 2026-09-06 cannot be collected from it")
            && out.contains("--kind okta-system-log"),
        "{out}"
    );

    // `validate` warns until an export covers the days the API no longer holds.
    let (code, out, err) = run(ws, &["validate"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("warning[collection-retention]: collector `okta`: the Okta System Log keeps 90 days and the period began 339 days ago, so 2026-01-01 to 2026-09-06 cannot be collected"),
        "{out}"
    );

    let acc_07_3 = |ws: &Path| -> Value {
        let (code, out, err) = run(ws, &["assess", "--json"]);
        assert_eq!(code, 0, "{err}");
        let a: Value = serde_json::from_str(&out).unwrap();
        a["controls"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["tests"].as_array().unwrap().clone())
            .find(|t| t["id"] == "ACC-07.3")
            .unwrap()
    };
    let t = acc_07_3(ws);
    assert_eq!(t["result"], "not-tested", "{t:#}");
    assert_eq!(t["rule"], "T-SOURCE-GAP", "{t:#}");
    let statement = t["statement"].as_str().unwrap();
    assert!(
        statement.contains("`idp-log`")
            && statement.contains("its events start on 2026-09-08")
            && statement.contains("--kind okta-system-log"),
        "{statement}"
    );

    // The System Log export for the period: the April sign-in after leaving is found.
    let export = json!([
        okta_event(
            "ex-jan",
            "2026-01-03T09:00:00.000Z",
            "dana.kim@northwind.example"
        ),
        okta_event(
            "ex-apr",
            "2026-04-20T09:00:00.000Z",
            "luis.ortega@northwind.example"
        ),
        okta_event(
            "ex-jun",
            "2026-06-28T09:00:00.000Z",
            "dana.kim@northwind.example"
        ),
    ]);
    std::fs::write(ws.join("system-log.json"), export.to_string()).unwrap();
    let (code, out, err) = run(
        ws,
        &[
            "evidence",
            "import",
            "system-log.json",
            "--kind",
            "okta-system-log",
            "--quiet",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (_, out, _) = run(ws, &["validate"]);
    assert!(!out.contains("collection-retention"), "{out}");
    let t = acc_07_3(ws);
    assert_eq!(t["result"], "not-effective", "{t:#}");
    let keys: Vec<&str> = t["exceptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["ex-apr"], "{t:#}");
}
