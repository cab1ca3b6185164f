//! Drift beyond the tests' results, for `assay ci` and the monitor: how long each failing
//! test has been failing against a remediation SLA by its severity (`failing_sla_<severity>_days`
//! of `[parameters]`), the sources whose newest evidence is past its time-to-live, and the
//! collectors that have not succeeded within their SLA. The caller measures the facts (the
//! date, the evidence, the collectors' runs); this module only compares them with the
//! baseline, so the same inputs give the same bytes.

use crate::ci::{fails, Baseline, Run};
use assay_core::Severity;
use assay_engine::assessment::TestOutcome;
use assay_engine::Assessment;
use jiff::civil::Date;
use std::fmt::Write as _;

/// What the caller measured at the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    /// The run's date (UTC).
    pub today: Date,
    /// Sources whose newest evidence is past its time-to-live.
    pub stale: Vec<StaleSource>,
    /// Collectors that have not succeeded within their SLA.
    pub late: Vec<LateCollector>,
}

/// A source whose newest evidence is past its time-to-live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleSource {
    /// `KIND from SYSTEM`.
    pub source: String,
    /// Its newest ledger entry.
    pub entry: u64,
    /// That entry's SHA-256.
    pub evidence: String,
    /// The date it speaks for.
    pub as_of: String,
}

/// A collector that has not succeeded within its SLA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateCollector {
    /// The collector's name.
    pub name: String,
    /// When the last run it succeeded in was due, if it ever did.
    pub last_good: Option<String>,
    /// The SLA, in hours.
    pub sla_hours: u64,
}

/// How long a failing test has been failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Age {
    /// The first day of the current failure, as the baselines remember it.
    pub since: Date,
    /// Days from then to the run.
    pub days: i64,
    /// The SLA by the test's severity, when `[parameters]` sets one.
    pub sla_days: Option<i64>,
}

impl Age {
    /// Past its SLA.
    pub fn overdue(&self) -> bool {
        self.sla_days.is_some_and(|s| self.days > s)
    }

    /// In words for the summary: `12 d`, or `40 d, overdue (SLA 30 d)`.
    pub fn text(&self) -> String {
        match self.sla_days {
            Some(s) if self.days > s => format!("**{} d, overdue (SLA {s} d)**", self.days),
            Some(s) => format!("{} d (SLA {s} d)", self.days),
            None => format!("{} d", self.days),
        }
    }
}

/// The remediation SLA of a severity, from the assessment's parameters.
pub fn sla_days(a: &Assessment, s: Severity) -> Option<i64> {
    a.parameters
        .get(&format!("failing_sla_{}_days", s.as_str()))
        .and_then(|v| v.parse().ok())
}

impl Run<'_> {
    /// A failing test's age: since the day the baseline says it started failing, or today
    /// when it is new (none without a watch or for a test that does not fail).
    pub fn age(&self, t: &TestOutcome) -> Option<Age> {
        let w = self.watch?;
        if !fails(t.result) {
            return None;
        }
        let b = self.baseline;
        let failed_before = b
            .and_then(|b| b.tests.get(&t.id))
            .is_some_and(|was| fails(was.result));
        let since = b
            .filter(|_| failed_before)
            .and_then(|b| b.failing_since.get(&t.id))
            .and_then(|d| d.parse::<Date>().ok())
            .filter(|d| *d <= w.today)
            .unwrap_or(w.today);
        let days = since
            .until(w.today)
            .map(|s| i64::from(s.get_days()))
            .unwrap_or(0);
        Some(Age {
            since,
            days,
            sla_days: sla_days(self.assessment, t.severity),
        })
    }

    /// Tests that went past their SLA since the baseline.
    pub fn newly_overdue(&self) -> Vec<(&TestOutcome, Age)> {
        self.assessment
            .controls
            .iter()
            .flat_map(|c| &c.tests)
            .filter_map(|t| self.age(t).filter(Age::overdue).map(|a| (t, a)))
            .filter(|(t, _)| self.baseline.is_none_or(|b| !b.overdue.contains(&t.id)))
            .collect()
    }

    /// Sources whose newest evidence went past its time-to-live since the baseline.
    pub fn newly_stale(&self) -> Vec<&StaleSource> {
        let Some(w) = self.watch else {
            return Vec::new();
        };
        w.stale
            .iter()
            .filter(|s| self.baseline.is_none_or(|b| !b.stale.contains(&s.source)))
            .collect()
    }

    /// Collectors past their SLA.
    pub fn late(&self) -> &[LateCollector] {
        self.watch.map_or(&[], |w| w.late.as_slice())
    }

    /// The drift this run leaves for the next: each failing test's first day, the stale
    /// sources and the overdue tests.
    pub fn remember(&self, b: &mut Baseline) {
        let Some(w) = self.watch else {
            return;
        };
        for t in self.assessment.controls.iter().flat_map(|c| &c.tests) {
            if let Some(age) = self.age(t) {
                b.failing_since.insert(t.id.clone(), age.since.to_string());
                if age.overdue() {
                    b.overdue.insert(t.id.clone());
                }
            }
        }
        b.stale = w.stale.iter().map(|s| s.source.clone()).collect();
    }
}

/// The summary's sections for stale sources and late collectors (nothing when there are none).
pub fn summary_sections(run: &Run<'_>, s: &mut String) {
    let Some(w) = run.watch else {
        return;
    };
    if !w.stale.is_empty() {
        s.push_str("\n## Stale evidence\n\n| source | newest entry | as of | change |\n|---|---|---|---|\n");
        let new = run.newly_stale();
        for st in &w.stale {
            let _ = writeln!(
                s,
                "| {} | {} `{}` | {} | {} |",
                crate::ci::md(&st.source),
                st.entry,
                &st.evidence[..st.evidence.len().min(12)],
                st.as_of,
                if new.iter().any(|n| n.source == st.source) {
                    "**new**"
                } else {
                    "as before"
                }
            );
        }
    }
    if !w.late.is_empty() {
        s.push_str("\n## Collectors past their SLA\n\n| collector | last good run | SLA |\n|---|---|---|\n");
        for l in &w.late {
            let _ = writeln!(
                s,
                "| {} | {} | {} h |",
                crate::ci::md(&l.name),
                l.last_good.as_deref().unwrap_or("never"),
                l.sla_hours
            );
        }
    }
}
