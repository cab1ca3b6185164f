//! The day-by-day history of every test over the audit period, replayed from the evidence of
//! one assessment: each failing row is placed on the day it happened (the engine dates it by
//! the test's occurrence column, the event table's time column, or the snapshot it was read
//! from: `TestOutcome::exception_days`), and a day counts as operating only where the test's
//! evidence reaches it. This is what a monitor would have reported had it run the test every
//! day of the period, without running the suite once per day. It feeds `assay history
//! --replay`, the readiness report's "Operation over the period" and the control page's chart.

use crate::doc::esc;
use assay_engine::assessment::{Method, TestOutcome, Verdict};
use assay_engine::Assessment;
use jiff::civil::Date;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// A test's state on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DayState {
    /// The test's evidence reaches the day and no row of that day failed.
    Operating,
    /// Rows of that day failed.
    Failing,
    /// The test's evidence does not reach the day (or there is none).
    NoEvidence,
    /// The evidence reaches the day, but some failing rows carry no date, so the day cannot be
    /// called clean.
    Undated,
    /// Not observed day by day: a snapshot test on a day without a snapshot, a test a person
    /// performs on a sample, or a test that could not run.
    NotObserved,
}

impl DayState {
    /// The words used in text output.
    pub fn as_str(self) -> &'static str {
        match self {
            DayState::Operating => "operating",
            DayState::Failing => "failing",
            DayState::NoEvidence => "no evidence",
            DayState::Undated => "undated exceptions",
            DayState::NotObserved => "not observed",
        }
    }

    fn colour(self) -> &'static str {
        match self {
            DayState::Operating => "#2e8b57",
            DayState::Failing => "#c0392b",
            DayState::NoEvidence => "#8a94a6",
            DayState::Undated => "#d68910",
            DayState::NotObserved => "#e3e7ee",
        }
    }
}

/// One day of a test's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Day {
    /// The date (UTC), `YYYY-MM-DD`.
    pub date: String,
    /// The state.
    pub state: DayState,
    /// Failing rows dated that day.
    pub exceptions: usize,
}

/// How a test's days were observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Observed {
    /// Every day its event tables (or its calendar) cover.
    Daily,
    /// Only the days a snapshot was taken.
    Snapshots,
    /// Not day by day: a sample, or a test that could not run.
    NotDaily,
}

/// One test's days over the period.
#[derive(Debug, Clone, Serialize)]
pub struct TestDays {
    /// The test.
    pub test: String,
    /// Its control.
    pub control: String,
    /// Its result over the whole period.
    pub result: Verdict,
    /// How its days were observed.
    pub observed: Observed,
    /// Every day of the period, in order.
    pub days: Vec<Day>,
    /// Days with failing rows.
    pub failing_days: usize,
    /// Days its evidence does not reach.
    pub no_evidence_days: usize,
    /// Failing rows that carry no date (not placed on any day).
    pub undated_exceptions: usize,
    /// The first day from which every day to the period's end was operating.
    pub operating_since: Option<String>,
    /// The last day with failing rows.
    pub last_failing: Option<String>,
}

/// The days of the assessment's period, first to last (one day, the as-of date, for a
/// Type I). Empty when the period's dates do not parse.
pub fn period_days(a: &Assessment) -> Vec<Date> {
    let (Ok(start), Ok(end)) = (
        a.audit.period_start.parse::<Date>(),
        a.audit.period_end.parse::<Date>(),
    ) else {
        return Vec::new();
    };
    let start = if a.audit.audit_type == "type1" {
        end
    } else {
        start
    };
    let mut out = Vec::new();
    let mut d = start;
    while d <= end {
        out.push(d);
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    out
}

/// The dates (inclusive) every event table the test reads covers; none when one has no
/// coverage.
fn covered(a: &Assessment, t: &TestOutcome) -> Option<(Date, Date)> {
    let pop = t.population.as_ref()?;
    let mut range: Option<(Date, Date)> = None;
    let mut any = false;
    for name in &pop.tables {
        let Some(tb) = a.tables.get(name) else {
            continue;
        };
        if tb.kind != "events" {
            continue;
        }
        any = true;
        let [from, to] = tb.coverage.as_ref()?;
        let from: Date = from.get(..10)?.parse().ok()?;
        let to: Date = to.get(..10)?.parse().ok()?;
        range = Some(match range {
            None => (from, to),
            Some((f, l)) => (f.max(from), l.min(to)),
        });
    }
    if !any {
        return None;
    }
    range.filter(|(f, l)| f <= l)
}

/// Consecutive days of a test in one state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stretch<'a> {
    /// Index of its first day in the period.
    pub first: usize,
    /// First day.
    pub from: &'a str,
    /// Last day.
    pub to: &'a str,
    /// How many days.
    pub days: usize,
    /// The state.
    pub state: DayState,
    /// Failing rows dated in it.
    pub exceptions: usize,
}

/// A test's days as stretches of one state, in order.
pub fn stretches(t: &TestDays) -> Vec<Stretch<'_>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.days.len() {
        let state = t.days[i].state;
        let mut j = i;
        while j + 1 < t.days.len() && t.days[j + 1].state == state {
            j += 1;
        }
        out.push(Stretch {
            first: i,
            from: &t.days[i].date,
            to: &t.days[j].date,
            days: j - i + 1,
            state,
            exceptions: t.days[i..=j].iter().map(|d| d.exceptions).sum(),
        });
        i = j + 1;
    }
    out
}

/// One test's days.
pub fn test_days(a: &Assessment, control: &str, t: &TestOutcome, period: &[Date]) -> TestDays {
    let dated: usize = t.exception_days.values().sum();
    let undated = t.exception_count.saturating_sub(dated);
    let reads_events = t.population.as_ref().is_some_and(|p| {
        p.tables
            .iter()
            .any(|n| a.tables.get(n).is_some_and(|b| b.kind == "events"))
    });
    let observed = match (t.method, t.result) {
        (Method::Sample, _) | (_, Verdict::Error) => Observed::NotDaily,
        (_, Verdict::NotTested) => Observed::Daily,
        _ if reads_events => Observed::Daily,
        _ if t.population.is_some() => Observed::Snapshots,
        _ => Observed::NotDaily,
    };
    // A test over snapshots only is observed on its snapshots' dates and on the dates its
    // failing rows carry.
    let mut snapshot_dates: BTreeSet<&str> = t
        .coverage
        .as_ref()
        .map(|c| c.as_of.iter().map(String::as_str).collect())
        .unwrap_or_default();
    snapshot_dates.extend(t.exception_days.keys().map(String::as_str));
    let range = match (observed, t.result) {
        (Observed::Daily, Verdict::NotTested) => None,
        (Observed::Daily, _) => covered(a, t),
        _ => None,
    };
    // A lone snapshot's undated exceptions all belong to its day.
    let lone_snapshot = observed == Observed::Snapshots && snapshot_dates.len() == 1;
    let days: Vec<Day> = period
        .iter()
        .map(|d| {
            let date = d.to_string();
            let mut exceptions = t.exception_days.get(&date).copied().unwrap_or(0);
            let state = match observed {
                Observed::NotDaily => DayState::NotObserved,
                Observed::Snapshots if !snapshot_dates.contains(date.as_str()) => {
                    DayState::NotObserved
                }
                Observed::Snapshots => {
                    if lone_snapshot {
                        exceptions += undated;
                    }
                    if exceptions > 0 {
                        DayState::Failing
                    } else if undated > 0 {
                        DayState::Undated
                    } else {
                        DayState::Operating
                    }
                }
                Observed::Daily => match range {
                    _ if exceptions > 0 => DayState::Failing,
                    Some((f, l)) if f <= *d && *d <= l => {
                        if undated > 0 {
                            DayState::Undated
                        } else {
                            DayState::Operating
                        }
                    }
                    _ => DayState::NoEvidence,
                },
            };
            Day {
                date,
                state,
                exceptions,
            }
        })
        .collect();
    let failing_days = days.iter().filter(|d| d.state == DayState::Failing).count();
    let no_evidence_days = days
        .iter()
        .filter(|d| d.state == DayState::NoEvidence)
        .count();
    let last_failing = days
        .iter()
        .rev()
        .find(|d| d.state == DayState::Failing)
        .map(|d| d.date.clone());
    let operating_since = match observed {
        Observed::Daily => {
            let run = days
                .iter()
                .rev()
                .take_while(|d| d.state == DayState::Operating)
                .count();
            (run > 0).then(|| days[days.len() - run].date.clone())
        }
        _ => None,
    };
    TestDays {
        test: t.id.clone(),
        control: control.to_string(),
        result: t.result,
        observed,
        days,
        failing_days,
        no_evidence_days,
        undated_exceptions: if lone_snapshot { 0 } else { undated },
        operating_since,
        last_failing,
    }
}

/// Every test's days, in the assessment's order.
pub fn replay(a: &Assessment) -> Vec<TestDays> {
    let period = period_days(a);
    a.controls
        .iter()
        .flat_map(|c| c.tests.iter().map(|t| test_days(a, &c.id, t, &period)))
        .collect()
}

/// One control's operation over the period, from its tests observed day by day.
#[derive(Debug, Clone, Serialize)]
pub struct ControlDays {
    /// The control.
    pub control: String,
    /// Its tests observed day by day.
    pub tests: Vec<String>,
    /// Days on which one of them failed.
    pub failing_days: usize,
    /// Days one of them has no evidence for.
    pub no_evidence_days: usize,
    /// The first day from which every one of them operated every day to the period's end.
    pub operating_since: Option<String>,
    /// The last day one of them failed.
    pub last_failing: Option<String>,
}

/// Per control with at least one test observed day by day, in the assessment's order.
pub fn controls(history: &[TestDays]) -> Vec<ControlDays> {
    let mut out: Vec<ControlDays> = Vec::new();
    for t in history.iter().filter(|t| t.observed == Observed::Daily) {
        if out.last().is_none_or(|c| c.control != t.control) {
            out.push(ControlDays {
                control: t.control.clone(),
                tests: Vec::new(),
                failing_days: 0,
                no_evidence_days: 0,
                operating_since: None,
                last_failing: None,
            });
        }
        if let Some(c) = out.last_mut() {
            c.tests.push(t.test.clone());
        }
    }
    for c in &mut out {
        let tests: Vec<&TestDays> = history
            .iter()
            .filter(|t| t.observed == Observed::Daily && t.control == c.control)
            .collect();
        let days = tests.first().map_or(0, |t| t.days.len());
        let on = |i: usize, s: DayState| tests.iter().any(|t| t.days[i].state == s);
        c.failing_days = (0..days).filter(|&i| on(i, DayState::Failing)).count();
        c.no_evidence_days = (0..days).filter(|&i| on(i, DayState::NoEvidence)).count();
        c.last_failing = tests.iter().filter_map(|t| t.last_failing.clone()).max();
        c.operating_since = if tests.iter().all(|t| t.operating_since.is_some()) {
            tests.iter().filter_map(|t| t.operating_since.clone()).max()
        } else {
            None
        };
    }
    out
}

/// The history of a control's tests as a strip chart (one row per test, one column per day),
/// inline SVG with no script, and its text alternative.
pub fn chart(history: &[&TestDays]) -> (String, String) {
    let label_w = 120u32;
    let row_h = 18u32;
    let days = history.first().map_or(0, |t| t.days.len()) as u32;
    let day_w = if days <= 120 { 6 } else { 2 };
    let width = (label_w + days * day_w + 10).max(label_w + 5 * 130);
    let height = 24 + history.len() as u32 * row_h + 24;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif">"#
    );
    // Month ticks from the first test's dates.
    if let Some(first) = history.first() {
        for (i, d) in first.days.iter().enumerate() {
            if i == 0 || d.date.ends_with("-01") {
                let x = label_w + i as u32 * day_w;
                let _ = write!(
                    out,
                    r#"<line x1="{x}" y1="14" x2="{x}" y2="{}" stroke="rgb(29,36,51)" stroke-width="0.5"/><text x="{}" y="11" font-size="10" fill="rgb(29,36,51)">{}</text>"#,
                    height - 24,
                    x + 1,
                    esc(d.date.get(..7).unwrap_or(&d.date))
                );
            }
        }
    }
    for (r, t) in history.iter().enumerate() {
        let y = 18 + r as u32 * row_h;
        let _ = write!(
            out,
            r#"<text x="0" y="{}" font-size="12" fill="rgb(29,36,51)">{}</text>"#,
            y + 12,
            esc(&t.test)
        );
        // Runs of one state are drawn as one rectangle, titled with their dates.
        for r in stretches(t) {
            let what = if r.exceptions > 0 {
                format!("{}, {} failing rows", r.state.as_str(), r.exceptions)
            } else {
                r.state.as_str().to_string()
            };
            let _ = write!(
                out,
                r#"<rect x="{}" y="{y}" width="{}" height="{}" fill="{}"><title>{}: {} to {}: {}</title></rect>"#,
                label_w + r.first as u32 * day_w,
                r.days as u32 * day_w,
                row_h - 4,
                r.state.colour(),
                esc(&t.test),
                r.from,
                r.to,
                what
            );
        }
    }
    let ly = height - 14;
    for (k, s) in [
        DayState::Operating,
        DayState::Failing,
        DayState::NoEvidence,
        DayState::Undated,
        DayState::NotObserved,
    ]
    .iter()
    .enumerate()
    {
        let x = label_w + k as u32 * 130;
        let _ = write!(
            out,
            r#"<rect x="{x}" y="{ly}" width="10" height="10" fill="{}"/><text x="{}" y="{}" font-size="11" fill="rgb(29,36,51)">{}</text>"#,
            s.colour(),
            x + 14,
            ly + 9,
            s.as_str()
        );
    }
    out.push_str("</svg>");
    let alt = history
        .iter()
        .map(|t| describe(t))
        .collect::<Vec<_>>()
        .join(" ");
    (out, alt)
}

/// One test's history in a sentence.
pub fn describe(t: &TestDays) -> String {
    let count = |s: DayState| t.days.iter().filter(|d| d.state == s).count();
    match t.observed {
        Observed::NotDaily => format!(
            "{}: not observed day by day ({}).",
            t.test,
            if t.result == Verdict::Error {
                "the test could not run"
            } else {
                "a sample or a population without dates stands for the period"
            }
        ),
        Observed::Snapshots => format!(
            "{}: observed on {} snapshot days, failing on {}.",
            t.test,
            count(DayState::Operating) + count(DayState::Failing) + count(DayState::Undated),
            count(DayState::Failing)
        ),
        Observed::Daily => {
            let mut s = format!(
                "{}: {} days operating, {} failing, {} without evidence",
                t.test,
                count(DayState::Operating),
                t.failing_days,
                t.no_evidence_days
            );
            if t.undated_exceptions > 0 {
                let _ = write!(s, ", {} failing rows without a date", t.undated_exceptions);
            }
            match (&t.operating_since, &t.last_failing) {
                (Some(since), _) => {
                    let _ = write!(s, "; operating continuously since {since}");
                }
                (None, Some(last)) => {
                    let _ = write!(s, "; last failing {last}");
                }
                _ => {}
            }
            s.push('.');
            s
        }
    }
}
