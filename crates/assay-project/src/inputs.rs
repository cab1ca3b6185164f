//! Values people type, checked the same way for every front end (flags on the command line,
//! fields and query parameters in the server): dates, spans, categories, audit periods and
//! the clock override. Every error names the flag or field and shows a valid example.

use crate::ProjectError;
use assay_core::{AuditPeriod, Category};
use jiff::civil::Date;

fn invalid(m: String) -> ProjectError {
    ProjectError::Invalid(m)
}

/// A `YYYY-MM-DD` date given as `flag`.
pub fn date(flag: &str, value: &str) -> Result<Date, ProjectError> {
    value.trim().parse().map_err(|_| {
        invalid(format!(
            "{flag} {value}: not a valid date; write it as YYYY-MM-DD, e.g. 2026-06-30"
        ))
    })
}

/// Categories (Security always among them), sorted, without repeats.
pub fn categories(values: &[String]) -> Result<Vec<Category>, ProjectError> {
    let mut out = vec![Category::Security];
    for v in values.iter().filter(|v| !v.trim().is_empty()) {
        let c: Category = v
            .parse()
            .map_err(|e| invalid(format!("--categories: {e}")))?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out.sort();
    Ok(out)
}

/// A span the evidence speaks for, `DATE` or `START..END`, given as `flag`: (from, to).
pub fn effective(
    flag: &str,
    text: Option<&str>,
) -> Result<(Option<String>, Option<String>), ProjectError> {
    let Some(text) = text else {
        return Ok((None, None));
    };
    let (a, b) = text.split_once("..").unwrap_or((text, text));
    let (from, to) = (date(flag, a)?, date(flag, b)?);
    if to < from {
        return Err(invalid(format!(
            "{flag} {text}: the span ends before it starts"
        )));
    }
    Ok((Some(from.to_string()), Some(to.to_string())))
}

/// The audit period: Type I as of a date, or Type II from start to end.
pub fn period(
    type1: bool,
    as_of: Option<&str>,
    start: Option<&str>,
    end: Option<&str>,
) -> Result<AuditPeriod, ProjectError> {
    if type1 {
        let Some(d) = as_of else {
            return Err(invalid(
                "a Type I audit needs --as-of DATE (the date the design is judged as of)".into(),
            ));
        };
        return Ok(AuditPeriod::Type1 {
            as_of: date("--as-of", d)?,
        });
    }
    let (Some(s), Some(e)) = (start, end) else {
        return Err(invalid(
            "a Type II audit needs --period-start DATE and --period-end DATE (3 to 12 months)"
                .into(),
        ));
    };
    let (start, end) = (date("--period-start", s)?, date("--period-end", e)?);
    if end < start {
        return Err(invalid(format!(
            "--period-end {end} is before --period-start {start}"
        )));
    }
    Ok(AuditPeriod::Type2 { start, end })
}

/// Now: the wall clock, or `ASSAY_NOW` (RFC 3339) to reproduce a run as of a given moment
/// (what collection requests and retention warnings are counted from).
pub fn now() -> Result<jiff::Timestamp, ProjectError> {
    match std::env::var("ASSAY_NOW") {
        Ok(t) => t.parse::<jiff::Timestamp>().map_err(|_| {
            invalid(format!(
                "ASSAY_NOW={t}: not an RFC 3339 instant, e.g. 2026-12-06T00:00:00Z"
            ))
        }),
        Err(_) => Ok(jiff::Timestamp::now()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_checked_with_the_flag_named() {
        assert_eq!(
            effective("--effective", Some("2026-01-01..2026-03-31")).ok(),
            Some((Some("2026-01-01".into()), Some("2026-03-31".into())))
        );
        let e = effective("--effective", Some("2026-03-31..2026-01-01"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("ends before it starts"), "{e}");
        assert!(date("--since", "31/12/2026").is_err());
        assert!(period(false, None, Some("2026-06-30"), Some("2026-01-01")).is_err());
        assert!(period(true, None, None, None).is_err());
        assert_eq!(
            categories(&["privacy".into(), "privacy".into()])
                .ok()
                .map(|c| c.len()),
            Some(2)
        );
    }
}
