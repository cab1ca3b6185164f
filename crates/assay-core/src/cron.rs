//! Cron schedules for monitoring: five fields (minute, hour, day of month, month, day of
//! week) or six with seconds first, each `*`, a value, a range `a-b`, a step `*/n` or
//! `a-b/n`, or a list of those; month and day names (`JAN`, `MON`) are accepted, and day of
//! week 0 and 7 are both Sunday. As in cron, when both day fields are restricted a day
//! matching either one matches. Times are in the schedule's time zone.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// A parsed schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    seconds: Vec<bool>,
    minutes: Vec<bool>,
    hours: Vec<bool>,
    days: Vec<bool>,
    months: Vec<bool>,
    weekdays: Vec<bool>,
    days_any: bool,
    weekdays_any: bool,
    text: String,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn value(s: &str, names: &[&str], offset: u32, field: &str) -> Result<u32, String> {
    if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
        return Ok(i as u32 + offset);
    }
    s.parse::<u32>().map_err(|_| {
        format!(
            "{field}: `{s}` is not a number{}",
            if names.is_empty() { "" } else { " or a name" }
        )
    })
}

/// One field: which values in `min..=max` it allows.
fn field(
    text: &str,
    min: u32,
    max: u32,
    names: &[&str],
    offset: u32,
    name: &str,
) -> Result<Vec<bool>, String> {
    let mut allowed = vec![false; max as usize + 1];
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step =
                    s.parse::<u32>().ok().filter(|s| *s > 0).ok_or_else(|| {
                        format!("{name}: step `{s}` is not a whole number above 0")
                    })?;
                (r, step)
            }
            None => (part, 1),
        };
        let (lo, hi) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (
                value(a, names, offset, name)?,
                value(b, names, offset, name)?,
            )
        } else {
            let v = value(range, names, offset, name)?;
            (v, if part.contains('/') { max } else { v })
        };
        if lo < min || hi > max || lo > hi {
            return Err(format!("{name}: `{part}` is outside {min} to {max}"));
        }
        let mut v = lo;
        while v <= hi {
            allowed[v as usize] = true;
            v += step;
        }
    }
    Ok(allowed)
}

impl Cron {
    /// Parses five or six fields.
    pub fn parse(text: &str) -> Result<Cron, String> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        let (sec, rest) = match parts.len() {
            5 => ("0", &parts[..]),
            6 => (parts[0], &parts[1..]),
            n => {
                return Err(format!(
                    "`{text}` has {n} fields; write five (minute hour day month weekday, e.g. `0 * * * *`) or six with seconds first"
                ))
            }
        };
        let mut weekdays = field(rest[4], 0, 7, &WEEKDAYS, 0, "day of week")?;
        if weekdays[7] {
            weekdays[0] = true;
        }
        Ok(Cron {
            seconds: field(sec, 0, 59, &[], 0, "second")?,
            minutes: field(rest[0], 0, 59, &[], 0, "minute")?,
            hours: field(rest[1], 0, 23, &[], 0, "hour")?,
            days: field(rest[2], 1, 31, &[], 0, "day of month")?,
            months: field(rest[3], 1, 12, &MONTHS, 1, "month")?,
            weekdays,
            days_any: rest[2] == "*",
            weekdays_any: rest[4] == "*",
            text: text.to_string(),
        })
    }

    /// The schedule as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn day_matches(&self, dt: DateTime) -> bool {
        let d = self.days[dt.day() as usize];
        let w = self.weekdays[dt.weekday().to_sunday_zero_offset() as usize];
        match (self.days_any, self.weekdays_any) {
            (true, true) => true,
            (false, true) => d,
            (true, false) => w,
            (false, false) => d || w,
        }
    }

    /// The first instant strictly after `after` that the schedule names, within five years.
    pub fn next_after(&self, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let start = tz.to_datetime(after);
        let mut dt = start
            .checked_add(1.second())
            .ok()?
            .with()
            .subsec_nanosecond(0)
            .build()
            .ok()?;
        let limit = start.checked_add(5.years()).ok()?;
        while dt <= limit {
            if !self.months[dt.month() as usize] {
                dt = dt
                    .first_of_month()
                    .checked_add(1.month())
                    .ok()?
                    .date()
                    .at(0, 0, 0, 0);
                continue;
            }
            if !self.day_matches(dt) {
                dt = dt.date().tomorrow().ok()?.at(0, 0, 0, 0);
                continue;
            }
            if !self.hours[dt.hour() as usize] {
                dt = dt
                    .date()
                    .at(dt.hour(), 0, 0, 0)
                    .checked_add(1.hour())
                    .ok()?;
                continue;
            }
            if !self.minutes[dt.minute() as usize] {
                dt = dt
                    .date()
                    .at(dt.hour(), dt.minute(), 0, 0)
                    .checked_add(1.minute())
                    .ok()?;
                continue;
            }
            if !self.seconds[dt.second() as usize] {
                dt = dt.checked_add(1.second()).ok()?;
                continue;
            }
            // A civil time a clock change skips is taken as the instant after the gap.
            let at = tz.to_ambiguous_timestamp(dt).compatible().ok()?;
            if at > after {
                return Some(at);
            }
            dt = dt.checked_add(1.second()).ok()?;
        }
        None
    }

    /// Every instant the schedule names in `(after, until]`, at most `limit` of them.
    pub fn between(
        &self,
        after: Timestamp,
        until: Timestamp,
        tz: &TimeZone,
        limit: usize,
    ) -> Vec<Timestamp> {
        let mut out = Vec::new();
        let mut t = after;
        while out.len() < limit {
            match self.next_after(t, tz) {
                Some(n) if n <= until => {
                    out.push(n);
                    t = n;
                }
                _ => break,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn schedules_name_the_expected_instants() {
        let utc = TimeZone::UTC;
        let hourly = Cron::parse("0 * * * *").unwrap();
        assert_eq!(
            hourly.next_after(ts("2026-03-01T10:00:00Z"), &utc),
            Some(ts("2026-03-01T11:00:00Z"))
        );
        assert_eq!(
            hourly.next_after(ts("2026-03-01T10:59:59Z"), &utc),
            Some(ts("2026-03-01T11:00:00Z"))
        );
        let every2s = Cron::parse("*/2 * * * * *").unwrap();
        assert_eq!(
            every2s.next_after(ts("2026-03-01T10:00:01Z"), &utc),
            Some(ts("2026-03-01T10:00:02Z"))
        );
        let weekday9 = Cron::parse("30 9 * * MON-FRI").unwrap();
        // 2026-03-07 is a Saturday: the next is Monday the 9th.
        assert_eq!(
            weekday9.next_after(ts("2026-03-06T10:00:00Z"), &utc),
            Some(ts("2026-03-09T09:30:00Z"))
        );
        let first = Cron::parse("0 0 1 * *").unwrap();
        assert_eq!(
            first.next_after(ts("2026-01-31T12:00:00Z"), &utc),
            Some(ts("2026-02-01T00:00:00Z"))
        );
        let leap = Cron::parse("0 0 29 2 *").unwrap();
        assert_eq!(
            leap.next_after(ts("2026-03-01T00:00:00Z"), &utc),
            Some(ts("2028-02-29T00:00:00Z"))
        );
        // Day of month or day of week when both are restricted: the 13th, or any Friday.
        let either = Cron::parse("0 0 13 * FRI").unwrap();
        assert_eq!(
            either.next_after(ts("2026-03-01T00:00:00Z"), &utc),
            Some(ts("2026-03-06T00:00:00Z"))
        );
        assert_eq!(
            hourly
                .between(
                    ts("2026-03-01T10:00:00Z"),
                    ts("2026-03-01T13:00:00Z"),
                    &utc,
                    100
                )
                .len(),
            3
        );
    }

    #[test]
    fn time_zones_and_clock_changes_are_honoured() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let daily = Cron::parse("0 6 * * *").unwrap();
        // 06:00 in Berlin is 05:00 UTC in winter and 04:00 UTC in summer.
        assert_eq!(
            daily.next_after(ts("2026-01-10T00:00:00Z"), &berlin),
            Some(ts("2026-01-10T05:00:00Z"))
        );
        assert_eq!(
            daily.next_after(ts("2026-07-10T00:00:00Z"), &berlin),
            Some(ts("2026-07-10T04:00:00Z"))
        );
        // 02:30 does not exist on 2026-03-29 in Berlin: the run is at the end of the gap.
        let skipped = Cron::parse("30 2 * * *").unwrap();
        assert_eq!(
            skipped.next_after(ts("2026-03-28T12:00:00Z"), &berlin),
            Some(ts("2026-03-29T01:30:00Z"))
        );
    }

    #[test]
    fn bad_schedules_say_what_is_wrong() {
        for (text, says) in [
            ("* * * *", "has 4 fields"),
            ("61 * * * *", "minute: `61` is outside 0 to 59"),
            ("*/0 * * * *", "step `0`"),
            (
                "0 0 * * FUNDAY",
                "day of week: `FUNDAY` is not a number or a name",
            ),
            ("0 0 32 * *", "day of month"),
        ] {
            let e = Cron::parse(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
