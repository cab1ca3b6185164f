//! SQL functions tests need beyond DataFusion's own: `business_days(from, to)` and
//! `days_between(from, to)`, both over UTC calendar days.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit, TimestampMicrosecondType};
use datafusion::common::DataFusionError;
use datafusion::logical_expr::{create_udf, ColumnarValue, ScalarUDF, Volatility};
use std::sync::Arc;

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Weekdays (Monday to Friday) after `from`'s day up to and including `to`'s day, counted
/// on UTC calendar days; negative when `to` is earlier. Friday to the next Monday is 1.
pub fn business_days_between(from_us: i64, to_us: i64) -> i64 {
    let a = from_us.div_euclid(MICROS_PER_DAY);
    let b = to_us.div_euclid(MICROS_PER_DAY);
    let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
    // 1970-01-01 (day 0) was a Thursday: (day + 3) mod 7 is 0 on Mondays.
    let weekdays_through = |d: i64| {
        let weeks = (d + 3).div_euclid(7);
        let rest = (d + 3).rem_euclid(7);
        weeks * 5 + (rest + 1).min(5)
    };
    sign * (weekdays_through(hi) - weekdays_through(lo))
}

/// Calendar days (UTC) from `from`'s day to `to`'s day; negative when `to` is earlier.
pub fn days_between(from_us: i64, to_us: i64) -> i64 {
    to_us.div_euclid(MICROS_PER_DAY) - from_us.div_euclid(MICROS_PER_DAY)
}

fn micros(v: &ColumnarValue, rows: usize) -> Result<ArrayRef, DataFusionError> {
    let arr = v.clone().into_array(rows)?;
    Ok(cast(
        &arr,
        &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
    )?)
}

fn business_days(args: &[ColumnarValue]) -> Result<ColumnarValue, DataFusionError> {
    pairwise(args, "business_days", business_days_between)
}

fn days(args: &[ColumnarValue]) -> Result<ColumnarValue, DataFusionError> {
    pairwise(args, "days_between", days_between)
}

fn pairwise(
    args: &[ColumnarValue],
    name: &str,
    f: fn(i64, i64) -> i64,
) -> Result<ColumnarValue, DataFusionError> {
    let rows = args
        .iter()
        .find_map(|a| match a {
            ColumnarValue::Array(x) => Some(x.len()),
            ColumnarValue::Scalar(_) => None,
        })
        .unwrap_or(1);
    let [from, to] = args else {
        return Err(DataFusionError::Plan(format!(
            "{name} takes two arguments: {name}(from, to)"
        )));
    };
    let from = micros(from, rows)?;
    let to = micros(to, rows)?;
    let from = from.as_primitive::<TimestampMicrosecondType>();
    let to = to.as_primitive::<TimestampMicrosecondType>();
    let out: Int64Array = (0..rows)
        .map(|i| (!from.is_null(i) && !to.is_null(i)).then(|| f(from.value(i), to.value(i))))
        .collect();
    Ok(ColumnarValue::Array(Arc::new(out)))
}

fn two_instants(
    name: &str,
    f: fn(&[ColumnarValue]) -> Result<ColumnarValue, DataFusionError>,
) -> ScalarUDF {
    let ts = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    create_udf(
        name,
        vec![ts.clone(), ts],
        DataType::Int64,
        Volatility::Immutable,
        Arc::new(f),
    )
}

/// The functions, to register in a session: `business_days(from, to)` (see
/// [`business_days_between`]) and `days_between(from, to)` (see [`days_between`]); both
/// take timestamps or dates and give null when either is null.
pub fn functions() -> Vec<ScalarUDF> {
    vec![
        two_instants("business_days", business_days),
        two_instants("days_between", days),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i16, m: i8, d: i8) -> i64 {
        format!("{y:04}-{m:02}-{d:02}T00:00:00Z")
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_microsecond()
    }

    #[test]
    fn counts_weekdays_after_the_first_day() {
        // 2026-09-04 is a Friday.
        assert_eq!(business_days_between(day(2026, 9, 4), day(2026, 9, 4)), 0);
        assert_eq!(business_days_between(day(2026, 9, 4), day(2026, 9, 5)), 0);
        assert_eq!(business_days_between(day(2026, 9, 4), day(2026, 9, 7)), 1);
        assert_eq!(business_days_between(day(2026, 9, 4), day(2026, 9, 8)), 2);
        assert_eq!(business_days_between(day(2026, 9, 1), day(2026, 9, 15)), 10);
        assert_eq!(business_days_between(day(2026, 9, 8), day(2026, 9, 4)), -2);
        // Across the epoch and a year.
        assert_eq!(business_days_between(day(1969, 12, 31), day(1970, 1, 1)), 1);
        assert_eq!(business_days_between(day(2026, 1, 1), day(2027, 1, 1)), 261);
    }

    #[test]
    fn brute_force_agrees() {
        let start = day(2025, 12, 20);
        for len in 0..40 {
            let end = start + len * MICROS_PER_DAY;
            let mut n = 0;
            for k in 1..=len {
                let d = (start / MICROS_PER_DAY) + k;
                if (d + 3).rem_euclid(7) < 5 {
                    n += 1;
                }
            }
            assert_eq!(business_days_between(start, end), n, "len {len}");
        }
    }
}
