//! Values as the sources write them, parsed into column values: timestamps in the forms APIs
//! and exports use, ISO and US dates, booleans, and the marker values that mean "none"
//! (`N/A`, `not_supported`, `no_information`, empty).

use jiff::civil::{Date, DateTime};
use jiff::Timestamp;

/// A cell of a row being built.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Value {
    /// No value.
    #[default]
    Null,
    /// Text.
    Text(String),
    /// Boolean.
    Bool(bool),
    /// Whole number.
    Int(i64),
    /// Microseconds since the Unix epoch, UTC.
    Time(i64),
    /// Days since 1970-01-01.
    Date(i32),
}

/// Whether a source value means "nothing here".
pub fn is_none(s: &str) -> bool {
    let t = s.trim();
    t.is_empty()
        || t.eq_ignore_ascii_case("n/a")
        || t.eq_ignore_ascii_case("not_supported")
        || t.eq_ignore_ascii_case("no_information")
        || t.eq_ignore_ascii_case("null")
        || t.eq_ignore_ascii_case("none")
        || t == "-"
}

/// Text, or null for a marker of no value.
pub fn text(s: &str) -> Value {
    if is_none(s) {
        Value::Null
    } else {
        Value::Text(s.trim().to_string())
    }
}

/// An optional string as text.
pub fn opt_text(s: Option<&str>) -> Value {
    s.map(text).unwrap_or(Value::Null)
}

/// Parses a timestamp: RFC 3339 (`2026-01-02T03:04:05Z`, `+00:00` offsets, fractions), the
/// same with a space for `T`, or without a zone (taken as UTC), or a bare date (midnight UTC).
pub fn parse_time(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Some(ts.as_microsecond());
    }
    let t2 = t.replacen(' ', "T", 1);
    if let Ok(ts) = t2.parse::<Timestamp>() {
        return Some(ts.as_microsecond());
    }
    // No zone: the time is taken as UTC.
    if t2.parse::<DateTime>().is_ok() {
        if let Ok(ts) = format!("{t2}Z").parse::<Timestamp>() {
            return Some(ts.as_microsecond());
        }
    }
    parse_date(t).map(|days| i64::from(days) * 86_400_000_000)
}

/// A timestamp value, null for no-value markers; `Err` names what could not be read.
pub fn time(s: &str) -> Result<Value, String> {
    if is_none(s) {
        return Ok(Value::Null);
    }
    parse_time(s).map(Value::Time).ok_or_else(|| {
        format!(
            "`{}` is not a date and time (expected e.g. 2026-01-02T03:04:05Z)",
            s.trim()
        )
    })
}

fn days(d: Date) -> Option<i32> {
    let epoch = Date::constant(1970, 1, 1);
    d.since(epoch).ok().map(|span| span.get_days())
}

/// Parses a date: ISO `2026-01-05` (or the date part of a timestamp), US `01/05/2026` or
/// `1/5/26`.
pub fn parse_date(s: &str) -> Option<i32> {
    let t = s.trim();
    if let Ok(d) = t.get(..10).unwrap_or(t).parse::<Date>() {
        return days(d);
    }
    let parts: Vec<&str> = t.split('/').collect();
    if let [m, d, y] = parts[..] {
        let (m, d, y): (i8, i8, i16) = (m.parse().ok()?, d.parse().ok()?, y.parse().ok()?);
        let y = if y < 100 { 2000 + y } else { y };
        return Date::new(y, m, d).ok().and_then(days);
    }
    None
}

/// A date value, null for no-value markers; `Err` names what could not be read.
pub fn date(s: &str) -> Result<Value, String> {
    if is_none(s) {
        return Ok(Value::Null);
    }
    parse_date(s).map(Value::Date).ok_or_else(|| {
        format!(
            "`{}` is not a date (expected YYYY-MM-DD or MM/DD/YYYY)",
            s.trim()
        )
    })
}

/// A boolean from `true/false`, `yes/no`, `1/0`, `y/n`; null for no-value markers.
pub fn boolean(s: &str) -> Result<Value, String> {
    let t = s.trim().to_ascii_lowercase();
    match t.as_str() {
        "true" | "yes" | "y" | "1" => Ok(Value::Bool(true)),
        "false" | "no" | "n" | "0" => Ok(Value::Bool(false)),
        _ if is_none(&t) => Ok(Value::Null),
        _ => Err(format!("`{}` is not true or false", s.trim())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_the_forms_sources_use() {
        let z = parse_time("2022-01-02T00:00:00Z");
        assert_eq!(z, Some(1_641_081_600_000_000));
        assert_eq!(parse_time("2022-01-02T00:00:00+00:00"), z);
        assert_eq!(parse_time("2022-01-02 00:00:00"), z);
        assert_eq!(parse_time("2022-01-02"), z);
        assert_eq!(
            parse_time("2022-03-22 14:21:53.225").map(|t| t % 1_000_000),
            Some(225_000)
        );
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn dates_iso_and_us() {
        assert_eq!(parse_date("1970-01-02"), Some(1));
        assert_eq!(parse_date("01/02/1970"), Some(1));
        assert_eq!(
            parse_date("1/2/70"),
            parse_date("2070-01-02"),
            "two-digit years are 20xx"
        );
        assert_eq!(parse_date("1/2/26"), parse_date("2026-01-02"));
        assert_eq!(parse_date("13/01/2026"), None, "US order: month first");
        assert_eq!(date("N/A"), Ok(Value::Null));
    }

    #[test]
    fn no_value_markers_are_null() {
        for s in ["N/A", "not_supported", "no_information", "", " "] {
            assert!(is_none(s), "{s:?}");
        }
        assert_eq!(boolean("not_supported"), Ok(Value::Null));
        assert!(boolean("maybe").is_err());
    }
}
