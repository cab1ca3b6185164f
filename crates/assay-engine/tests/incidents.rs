//! Significant incidents for Section III: those of the period at or above the severity rank
//! `significant_incident_severities`, in opening order, with what the register says.

use crate::common::{self, micros, TableData};
use jiff::civil::date;
use serde_json::json;

#[test]
fn significant_incidents_are_those_of_the_period_at_or_above_the_rank() {
    let incidents = TableData {
        name: "incidents".into(),
        snapshot_at: micros("2026-06-30"),
        effective: Some((micros("2026-01-01"), micros("2026-06-30") + 86_399_999_999)),
        rows: json!([
            {"key": "INC-2", "severity": "SEV1", "opened_at": "2026-03-01T10:00:00Z", "closed_at": "2026-03-01T12:00:00Z", "postmortem": "PM-2", "title": "API down"},
            {"key": "INC-1", "severity": "high", "opened_at": "2026-02-01T10:00:00Z", "title": "Slow sign-in"},
            {"key": "INC-3", "severity": "sev3", "opened_at": "2026-04-01T10:00:00Z", "title": "Minor"},
            {"key": "INC-0", "severity": "sev1", "opened_at": "2025-12-01T10:00:00Z", "title": "Before the period"},
        ])
        .as_array()
        .unwrap()
        .clone(),
    };
    let built = common::build(&[&incidents]);
    let scope = common::scope(date(2026, 1, 1), date(2026, 6, 30));
    let a = common::assess(&scope, &[], &built, None);
    let got: Vec<(&str, &str, Option<&str>, Option<&str>)> = a
        .significant_incidents
        .iter()
        .map(|i| {
            (
                i.key.as_str(),
                i.opened.as_str(),
                i.closed.as_deref(),
                i.title.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("INC-1", "2026-02-01", None, Some("Slow sign-in")),
            ("INC-2", "2026-03-01", Some("2026-03-01"), Some("API down")),
        ]
    );
    assert_eq!(
        a.significant_incidents[1].postmortem.as_deref(),
        Some("PM-2")
    );
}
