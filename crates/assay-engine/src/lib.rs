//! The engine: control tests as SQL over whole populations, reproducible samples for tests a
//! person performs, occurrence calendars for recurring controls, and deterministic judgment
//! from test results to findings, criterion verdicts and a draft opinion.
//!
//! **Architecture invariant:** the engine reads tables, workspace content and recorded
//! results, and returns an [`Assessment`]; it never reads the clock, the network or files.
//! The same inputs give the same assessment, byte for byte. [`assess`] is synchronous and
//! runs its queries on the caller's Tokio runtime (entered, or from `spawn_blocking`); it
//! never starts one of its own.

pub mod assessment;
pub mod basis;
pub mod cache;
pub mod calendar;
pub mod conclude;
pub mod digest;
pub mod framework;
pub mod incidents;
pub mod ipe;
pub mod judge;
pub mod manual;
pub mod params;
mod perform;
pub mod population;
mod required;
pub mod rule;
pub mod sample;
pub mod triage;
pub mod udf;
pub mod walkthrough;

#[cfg(test)]
mod judgment_tests;

pub use assessment::{Assessment, LedgerHead, Verdict};
pub use basis::EvidenceInfo;
pub use perform::{assess, Inputs, PopulationSink, Progress};

use assay_core::AuditPeriod;
use jiff::civil::Date;

/// An engine failure that stops the whole assessment (a test's own failure is its result).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The tables could not be prepared.
    #[error("cannot prepare the evidence tables: {0}")]
    Basis(String),
    /// No query runtime to run on.
    #[error("no query runtime: {0}")]
    Runtime(String),
    /// The period is outside the dates the engine handles.
    #[error("the audit period cannot be used: {0}")]
    Period(String),
    /// `--control` or a test id named nothing.
    #[error("{0}")]
    NotFound(String),
}

/// The time the audit speaks for, as instants (microseconds, UTC) and days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The first day's first microsecond.
    pub start: i64,
    /// The last day's last microsecond.
    pub end: i64,
    /// First day.
    pub start_date: Date,
    /// Last day (the as-of date of a Type I).
    pub end_date: Date,
    /// Type I: one date.
    pub type1: bool,
}

fn day_start(d: Date) -> Result<i64, EngineError> {
    format!("{d}T00:00:00Z")
        .parse::<jiff::Timestamp>()
        .map(|t| t.as_microsecond())
        .map_err(|e| EngineError::Period(e.to_string()))
}

impl Window {
    /// A Type II period, both days included.
    pub fn type2(start: Date, end: Date) -> Result<Window, EngineError> {
        Ok(Window {
            start: day_start(start)?,
            end: day_start(end)? + 86_400_000_000 - 1,
            start_date: start,
            end_date: end,
            type1: false,
        })
    }

    /// A Type I date.
    pub fn type1(as_of: Date) -> Result<Window, EngineError> {
        Ok(Window {
            type1: true,
            ..Window::type2(as_of, as_of)?
        })
    }

    /// The window of an audit period.
    pub fn of(period: &AuditPeriod) -> Result<Window, EngineError> {
        match *period {
            AuditPeriod::Type1 { as_of } => Window::type1(as_of),
            AuditPeriod::Type2 { start, end } => Window::type2(start, end),
        }
    }

    /// The earliest moment a snapshot may speak for and still be read before the end: the
    /// period's start for a Type II; for a Type I, the as-of date less the kind's freshness
    /// (30 days when it has none).
    pub fn snapshot_from(&self, ttl_days: Option<u32>) -> i64 {
        if self.type1 {
            self.start - i64::from(ttl_days.unwrap_or(30)) * 86_400_000_000
        } else {
            self.start
        }
    }

    /// "period" or "as-of date".
    pub fn noun(&self) -> &'static str {
        if self.type1 {
            "as-of date"
        } else {
            "period"
        }
    }
}

/// `part / whole` as a percentage with one decimal, rounded half up in whole-number
/// arithmetic (1 of 6 is "16.7%"); "0.0%" when `whole` is 0.
pub fn percent_rounded(part: usize, whole: usize) -> String {
    let tenths = (part as u128 * 2000 + whole as u128)
        .checked_div(2 * whole as u128)
        .unwrap_or(0);
    format!("{}.{}%", tenths / 10, tenths % 10)
}
