//! The day-by-day history replayed from the demo's evidence (`assay history --replay`),
//! checked against the assessment it comes from: every failing row is placed on a day or
//! counted as undated, and every listed exception whose row carries its event time is on a
//! failing day of that date, derived here from the row itself.

use super::common::run;
use serde_json::Value;
use std::path::Path;

/// The column of each event table that says when a row happened (as the engine's basis).
fn event_time(table: &str) -> Option<&'static str> {
    Some(match table {
        "audit_events" => "time",
        "changes" => "created_at",
        "access_reviews" => "completed_at",
        "training" => "completed_at",
        "policy_acks" => "acknowledged_at",
        "vulnerabilities" => "detected_at",
        "backups" => "started_at",
        "incidents" => "opened_at",
        _ => return None,
    })
}

pub fn replayed(ws: &Path, a: &Value) {
    let stored = ws.join("assessment-for-history.json");
    std::fs::write(&stored, serde_json::to_vec(a).unwrap()).unwrap();
    let from = stored.to_str().unwrap();
    let (code, out, err) = run(ws, &["history", "--replay", "--from", from, "--json"]);
    assert_eq!(code, 0, "{err}");
    let all: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(all["schema"], "assay.history.replay/v1");
    let tests: Vec<&Value> = a["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["tests"].as_array().unwrap())
        .collect();
    assert_eq!(all["tests"].as_array().unwrap().len(), tests.len());

    let mut dated_checked = 0;
    let mut failing_tests = 0;
    for t in &tests {
        let id = t["id"].as_str().unwrap();
        let summary = all["tests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["test"] == id)
            .unwrap();
        let count = t["exception_count"].as_u64().unwrap();
        if summary["observed"] != "daily" || count == 0 {
            continue;
        }
        failing_tests += 1;
        let (code, out, err) = run(ws, &["history", id, "--replay", "--from", from, "--json"]);
        assert_eq!(code, 0, "{err}");
        let h: Value = serde_json::from_str(&out).unwrap();
        let days = h["history"]["days"].as_array().unwrap();
        // The whole period, one entry per day.
        assert_eq!(
            days.first().unwrap()["date"],
            a["audit"]["period_start"],
            "{id}"
        );
        assert_eq!(
            days.last().unwrap()["date"],
            a["audit"]["period_end"],
            "{id}"
        );
        // Every failing row is on a day of the period or counted as undated (rows dated
        // outside the period would be lost: the tests select the period only).
        let placed: u64 = days.iter().map(|d| d["exceptions"].as_u64().unwrap()).sum();
        let undated = h["history"]["undated_exceptions"].as_u64().unwrap();
        assert_eq!(
            placed + undated,
            count,
            "{id}: {placed} placed + {undated} undated"
        );
        // Each listed exception whose row carries its event time is on a failing day.
        let tables: Vec<&str> = t["population"]["tables"]
            .as_array()
            .map(|v| v.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for e in t["exceptions"].as_array().unwrap() {
            let Some(at) = tables
                .iter()
                .filter_map(|t| event_time(t))
                .find_map(|c| e["row"][c].as_str())
            else {
                continue;
            };
            let date = &at[..10];
            let day = days.iter().find(|d| d["date"] == date);
            let Some(day) = day else {
                continue; // outside the period
            };
            assert_eq!(
                day["state"], "failing",
                "{id}: {} on {date}: {day}",
                e["key"]
            );
            assert!(day["exceptions"].as_u64().unwrap() >= 1);
            dated_checked += 1;
        }
        // Operating continuously since a day means every day after it is operating, and the
        // day before it is not.
        if let Some(since) = h["history"]["operating_since"].as_str() {
            let i = days.iter().position(|d| d["date"] == since).unwrap();
            assert!(days[i..].iter().all(|d| d["state"] == "operating"), "{id}");
            assert!(i == 0 || days[i - 1]["state"] != "operating", "{id}");
        }
    }
    assert!(
        failing_tests >= 5,
        "only {failing_tests} failing tests observed daily"
    );
    assert!(
        dated_checked >= 5,
        "only {dated_checked} exceptions checked by date"
    );

    // The summary per control, and the readiness report's section built from it.
    let controls = all["controls"].as_array().unwrap();
    assert!(
        controls
            .iter()
            .any(|c| c["failing_days"].as_u64().unwrap() > 0),
        "no control failed on any day"
    );
    assert!(
        controls
            .iter()
            .any(|c| c["operating_since"] == a["audit"]["period_start"]),
        "no control operated every day of the period"
    );
    let (code, _, err) = run(
        ws,
        &[
            "report",
            "readiness",
            "--format",
            "md",
            "--from",
            from,
            "--out",
            "replay-readiness.md",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let md = std::fs::read_to_string(ws.join("replay-readiness.md")).unwrap();
    assert!(
        md.contains("Operation over the period"),
        "no operation section"
    );

    // The chart of one failing control, as SVG, with its failing days drawn.
    let one = all["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["observed"] == "daily" && t["failing_days"].as_u64().unwrap() > 0)
        .unwrap();
    let svg = ws.join("history.svg");
    let (code, _, err) = run(
        ws,
        &[
            "history",
            one["test"].as_str().unwrap(),
            "--replay",
            "--from",
            from,
            "--svg",
            svg.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.starts_with("<svg") && text.ends_with("</svg>"),
        "{text}"
    );
    assert!(
        text.contains(": failing"),
        "no failing run titled in the chart"
    );

    // Without a test and without --replay, a usage error.
    let (code, _, err) = run(ws, &["history"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--replay"), "{err}");
    std::fs::remove_file(&stored).unwrap();
}
