//! The occurrence calendar of a recurring control: from its frequency and the period, the
//! windows in which it must have operated (2 quarters in a 6-month period, 26 weeks, ...).

use crate::Window;
use assay_core::Frequency;
use jiff::civil::{Date, Weekday};
use jiff::ToSpan;
use serde::{Deserialize, Serialize};

/// One window in which the control must operate at least once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// Its name, used as the exception key when nothing happened in it (`2026-Q1`).
    pub key: String,
    /// First day.
    pub from: Date,
    /// Last day (inclusive).
    pub to: Date,
}

impl Slot {
    /// Whether an instant (microseconds) falls in it.
    pub fn contains(&self, us: i64) -> bool {
        let day = jiff::Timestamp::from_microsecond(us)
            .map(|t| jiff::tz::Offset::UTC.to_datetime(t).date())
            .ok();
        day.is_some_and(|d| d >= self.from && d <= self.to)
    }
}

/// The windows of `frequency` whose last day falls inside the period (a Type I: the last
/// window ending on or before the as-of date, else the one holding it). `None` for event
/// and continuous controls, which have no calendar.
pub fn slots(frequency: Frequency, window: &Window) -> Option<Vec<Slot>> {
    let (start, end) = (window.start_date, window.end_date);
    let from = if window.type1 {
        end.checked_sub(400.days()).ok()?
    } else {
        start
    };
    let mut out = Vec::new();
    match frequency {
        Frequency::Event | Frequency::Continuous => return None,
        Frequency::Annual => {
            let first = end.checked_sub(1.year()).ok()?.tomorrow().ok()?;
            out.push(Slot {
                key: format!("12 months to {end}"),
                from: first,
                to: end,
            });
        }
        Frequency::Quarterly | Frequency::Monthly => {
            let months = if frequency == Frequency::Quarterly {
                3
            } else {
                1
            };
            let first_month = (from.month() - 1) / months * months + 1;
            let mut s = Date::new(from.year(), first_month, 1).ok()?;
            while s <= end {
                let next = s.checked_add(i64::from(months).months()).ok()?;
                let last = next.yesterday().ok()?;
                if last >= from && last <= end {
                    let key = if months == 3 {
                        format!("{}-Q{}", s.year(), (s.month() - 1) / 3 + 1)
                    } else {
                        format!("{}-{:02}", s.year(), s.month())
                    };
                    out.push(Slot {
                        key,
                        from: s,
                        to: last,
                    });
                }
                s = next;
            }
        }
        Frequency::Weekly => {
            let mut s = from.nth_weekday_of_month(1, Weekday::Monday).ok()?;
            if s > from {
                s = s.checked_sub(7.days()).ok()?;
            }
            while s <= end {
                let last = s.checked_add(6.days()).ok()?;
                if last >= from && last <= end {
                    let week = s.iso_week_date();
                    out.push(Slot {
                        key: format!("{}-W{:02}", week.year(), week.week()),
                        from: s,
                        to: last,
                    });
                }
                s = s.checked_add(7.days()).ok()?;
            }
        }
        Frequency::Daily => {
            let mut d = from;
            while d <= end {
                out.push(Slot {
                    key: d.to_string(),
                    from: d,
                    to: d,
                });
                d = d.tomorrow().ok()?;
            }
        }
    }
    if window.type1 {
        let last = out
            .iter()
            .rev()
            .find(|s| s.to <= end)
            .or_else(|| out.last())
            .cloned();
        out = last.into_iter().collect();
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn keys(f: Frequency, s: Date, e: Date) -> Vec<String> {
        slots(f, &Window::type2(s, e).unwrap())
            .unwrap()
            .into_iter()
            .map(|s| s.key)
            .collect()
    }

    #[test]
    fn quarters_months_weeks_and_days_of_a_period() {
        let (s, e) = (date(2026, 1, 1), date(2026, 6, 30));
        assert_eq!(keys(Frequency::Quarterly, s, e), ["2026-Q1", "2026-Q2"]);
        assert_eq!(keys(Frequency::Monthly, s, e).len(), 6);
        assert_eq!(keys(Frequency::Weekly, s, e).len(), 26);
        assert_eq!(keys(Frequency::Daily, s, e).len(), 181);
        assert_eq!(keys(Frequency::Annual, s, e), ["12 months to 2026-06-30"]);
        // A period starting mid-quarter: only quarters ending inside it.
        assert_eq!(
            keys(Frequency::Quarterly, date(2026, 2, 15), date(2026, 8, 14)),
            ["2026-Q1", "2026-Q2"]
        );
        assert_eq!(
            keys(Frequency::Quarterly, date(2025, 10, 1), date(2026, 9, 30)),
            ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
        );
        assert!(slots(Frequency::Event, &Window::type2(s, e).unwrap()).is_none());
    }

    #[test]
    fn type1_takes_the_last_window_ending_by_the_date() {
        let w = Window::type1(date(2026, 5, 15)).unwrap();
        let q = slots(Frequency::Quarterly, &w).unwrap();
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].key, "2026-Q1");
    }
}
