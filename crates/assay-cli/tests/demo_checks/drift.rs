//! A failing test past its remediation SLA on the demo: a baseline that says a failing test
//! has failed since 2000 makes `assay ci` report it overdue in the summary and tell an
//! `sla-breached` change once; the record carries the first failing day forward.

use super::common::run;
use serde_json::Value;
use std::path::Path;

pub fn overdue(ws: &Path) {
    let (code, out, err) = run(ws, &["ci", "--json"]);
    assert_eq!(code, 1, "{err}");
    let mut base: Value = serde_json::from_str(&out).unwrap();
    let since = base["baseline"]["failing_since"]
        .as_object()
        .unwrap()
        .clone();
    assert!(!since.is_empty(), "no failing test remembered: {base}");
    let test = since.keys().next().unwrap().clone();
    base["baseline"]["failing_since"][&test] = "2000-01-01".into();
    // And a key the baseline listed that is gone now: resolved.
    base["baseline"]["tests"][&test]["exception_keys"]
        .as_array_mut()
        .unwrap()
        .push("GONE-KEY".into());
    std::fs::write(ws.join("ci/old.json"), base.to_string()).unwrap();
    let toml = std::fs::read_to_string(ws.join("assay.toml")).unwrap();
    std::fs::write(
        ws.join("assay.toml"),
        format!(
            "{toml}\n[[notify]]\nname = \"inbox\"\nchannel = \"app\"\non = [\"sla-breached\", \"resolved-exceptions\"]\n"
        ),
    )
    .unwrap();
    let told_of = |record: &Value, change: &str| -> Vec<Value> {
        record["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| d["detail"].as_array().cloned().unwrap_or_default())
            .filter(|e| e["change"] == change)
            .collect()
    };
    let breached = |record: &Value| told_of(record, "sla-breached");
    let (code, out, err) = run(
        ws,
        &[
            "ci",
            "--json",
            "--baseline",
            "ci/old.json",
            "--summary",
            "ci/old.md",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let record: Value = serde_json::from_str(&out).unwrap();
    let told = breached(&record);
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["change"], "sla-breached");
    assert_eq!(told[0]["test"], test.as_str());
    let statement = told[0]["statement"].as_str().unwrap();
    assert!(
        statement.contains("failing since 2000-01-01"),
        "{statement}"
    );
    assert!(
        statement.contains("past its remediation SLA of"),
        "{statement}"
    );
    assert_eq!(record["baseline"]["failing_since"][&test], "2000-01-01");
    assert_eq!(record["baseline"]["overdue"], serde_json::json!([test]));
    let resolved = told_of(&record, "resolved-exceptions");
    assert_eq!(resolved.len(), 1, "{resolved:?}");
    assert_eq!(resolved[0]["test"], test.as_str());
    assert_eq!(
        resolved[0]["exception_keys"],
        serde_json::json!(["GONE-KEY"])
    );
    let summary = std::fs::read_to_string(ws.join("ci/old.md")).unwrap();
    let row = summary
        .lines()
        .find(|l| l.starts_with(&format!("| {} |", test)))
        .unwrap();
    assert!(row.contains(", overdue (SLA "), "{row}");
    assert!(row.contains("; 1 resolved"), "{row}");
    // Told once: the next run, against this one, knows it is overdue already.
    std::fs::write(ws.join("ci/old.json"), record.to_string()).unwrap();
    let (code, out, err) = run(ws, &["ci", "--json", "--baseline", "ci/old.json"]);
    std::fs::write(ws.join("assay.toml"), &toml).unwrap();
    assert_eq!(code, 1, "{err}");
    let again: Value = serde_json::from_str(&out).unwrap();
    assert!(breached(&again).is_empty(), "{again}");
    assert_eq!(again["baseline"]["failing_since"][&test], "2000-01-01");
}
