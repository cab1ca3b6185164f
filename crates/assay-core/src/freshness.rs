//! Freshness: how long a snapshot of evidence keeps speaking for the state it shows.
//!
//! A snapshot (a user list, a credential report, a settings export) is *stale for the audit*
//! when the day it speaks for, plus its kind's time-to-live, falls before the day the audit
//! speaks for (the period end, or the Type I date). Event evidence (logs) has no time-to-live:
//! what matters is the span it covers, which the engine checks.

use jiff::civil::Date;

/// Default time-to-live in days for an evidence kind; `None` for event logs.
pub fn default_ttl_days(kind: &str) -> Option<u32> {
    match kind {
        // Event logs: what matters is the span they cover.
        "aws-cloudtrail" | "okta-system-log" | "git-log" | "github-pulls" => None,
        // Snapshots of accounts and settings, imported or collected.
        "hr-roster" | "aws-credential-report" | "github-api" | "okta-api" | "aws-api" | "host" => {
            Some(30)
        }
        "document" | "policy" | "vendor-report" => Some(365),
        _ => Some(90),
    }
}

/// Whether evidence that speaks for `as_of` is stale for an audit that speaks for `reference`.
pub fn is_stale(as_of: Date, ttl_days: u32, reference: Date) -> bool {
    match as_of.checked_add(jiff::Span::new().days(i64::from(ttl_days))) {
        Ok(until) => until < reference,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn stale_when_ttl_ends_before_the_reference_day() {
        let end = date(2026, 6, 30);
        assert!(!is_stale(date(2026, 6, 1), 30, end));
        assert!(!is_stale(date(2026, 5, 31), 30, end));
        assert!(is_stale(date(2026, 5, 30), 30, end));
        assert!(
            !is_stale(date(2026, 8, 1), 30, end),
            "evidence after the period is not stale"
        );
        assert_eq!(default_ttl_days("aws-cloudtrail"), None);
        assert_eq!(default_ttl_days("hr-roster"), Some(30));
        assert_eq!(default_ttl_days("okta-api"), Some(30));
        assert_eq!(default_ttl_days("git-log"), None);
    }
}
