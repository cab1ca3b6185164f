//! The audit's scope: who is audited, which system, Type I or Type II, the date or period,
//! and the categories in scope.

use crate::Category;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

/// SOC 2 Type I (design as of a date) or Type II (operation over a period).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditType {
    /// Design and implementation as of one date.
    Type1,
    /// Operating effectiveness over a period of 3 to 12 months.
    Type2,
}

impl fmt::Display for AuditType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuditType::Type1 => "type1",
            AuditType::Type2 => "type2",
        })
    }
}

/// The date or period the audit speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum AuditPeriod {
    /// Type I: one date.
    Type1 {
        /// The date the design is judged as of.
        as_of: Date,
    },
    /// Type II: a period.
    Type2 {
        /// First day of the period.
        start: Date,
        /// Last day of the period (inclusive).
        end: Date,
    },
}

impl AuditPeriod {
    /// Type I or Type II.
    pub fn audit_type(&self) -> AuditType {
        match self {
            AuditPeriod::Type1 { .. } => AuditType::Type1,
            AuditPeriod::Type2 { .. } => AuditType::Type2,
        }
    }

    /// The first day the audit speaks for.
    pub fn start(&self) -> Date {
        match *self {
            AuditPeriod::Type1 { as_of } => as_of,
            AuditPeriod::Type2 { start, .. } => start,
        }
    }

    /// The last day the audit speaks for (the `as_of` date of a Type I).
    pub fn end(&self) -> Date {
        match *self {
            AuditPeriod::Type1 { as_of } => as_of,
            AuditPeriod::Type2 { end, .. } => end,
        }
    }

    /// How a Type II period's length compares with the 3 to 12 months SOC 2 expects.
    /// `None` for a Type I or a period of acceptable length.
    pub fn length_problem(&self) -> Option<PeriodLength> {
        let AuditPeriod::Type2 { start, end } = *self else {
            return None;
        };
        let after_end = end.tomorrow().ok()?;
        if after_end < start.checked_add(jiff::Span::new().months(3)).ok()? {
            Some(PeriodLength::TooShort)
        } else if after_end > start.checked_add(jiff::Span::new().months(12)).ok()? {
            Some(PeriodLength::TooLong)
        } else {
            None
        }
    }
}

/// A Type II period outside the usual 3 to 12 months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodLength {
    /// Shorter than 3 months.
    TooShort,
    /// Longer than 12 months.
    TooLong,
}

impl fmt::Display for AuditPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditPeriod::Type1 { as_of } => write!(f, "as of {as_of}"),
            AuditPeriod::Type2 { start, end } => write!(f, "{start} to {end}"),
        }
    }
}

/// What is audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// The service organization's name.
    pub organization: String,
    /// The system's name.
    pub system_name: String,
    /// What the system does, for Section III of the report.
    pub system_description: String,
    /// Type and date or period.
    pub period: AuditPeriod,
    /// Categories in scope; always contains security.
    pub categories: Vec<Category>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn p(s: Date, e: Date) -> AuditPeriod {
        AuditPeriod::Type2 { start: s, end: e }
    }

    #[test]
    fn period_length_bounds_are_inclusive() {
        assert_eq!(
            p(date(2026, 1, 1), date(2026, 3, 31)).length_problem(),
            None
        );
        assert_eq!(
            p(date(2026, 1, 1), date(2026, 3, 30)).length_problem(),
            Some(PeriodLength::TooShort)
        );
        assert_eq!(
            p(date(2026, 1, 1), date(2026, 12, 31)).length_problem(),
            None
        );
        assert_eq!(
            p(date(2026, 1, 1), date(2027, 1, 1)).length_problem(),
            Some(PeriodLength::TooLong)
        );
        assert_eq!(
            AuditPeriod::Type1 {
                as_of: date(2026, 1, 1)
            }
            .length_problem(),
            None
        );
    }
}
