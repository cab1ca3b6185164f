//! `[monitor]` of `assay.toml`: when `assay monitor` runs collection and the tests (a cron
//! schedule in a time zone), how much to spread the start, and how long a run may take.

use crate::engine_config::Report;
use assay_core::cron::Cron;
use serde::Deserialize;
use toml::Spanned;

/// `[monitor]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMonitor {
    schedule: Spanned<String>,
    #[serde(default)]
    timezone: Option<Spanned<String>>,
    #[serde(default)]
    jitter_seconds: Option<Spanned<i64>>,
    #[serde(default)]
    timeout_seconds: Option<Spanned<i64>>,
    #[serde(default)]
    collector_sla_hours: Option<Spanned<i64>>,
}

/// The validated `[monitor]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorSettings {
    /// When the suite runs.
    pub schedule: Cron,
    /// The schedule's time zone (IANA name; default `UTC`).
    pub timezone: String,
    /// Each run starts up to this many seconds after its time (spread by the workspace and
    /// the time, the same on every restart; default 0).
    pub jitter_seconds: u64,
    /// A run still going after this many seconds is ended and recorded as timed out
    /// (default 3600).
    pub timeout_seconds: u64,
    /// A collector that has not succeeded for longer than this many hours is late
    /// (`collector-late`); none by default.
    pub collector_sla_hours: Option<u64>,
}

/// The settings, or `None` with each problem reported.
pub fn settings(raw: &RawMonitor, report: &mut Report<'_>) -> Option<MonitorSettings> {
    let schedule = match Cron::parse(raw.schedule.get_ref()) {
        Ok(c) => c,
        Err(m) => {
            report(
                raw.schedule.span(),
                format!("`schedule`: {m}"),
                "write a cron schedule, e.g. `schedule = \"0 * * * *\"` (hourly) or `\"*/15 * * * *\"`",
            );
            return None;
        }
    };
    let timezone = match &raw.timezone {
        None => "UTC".to_string(),
        Some(tz) => match jiff::tz::TimeZone::get(tz.get_ref()) {
            Ok(_) => tz.get_ref().clone(),
            Err(_) => {
                report(
                    tz.span(),
                    format!("`timezone`: `{}` is not a known time zone", tz.get_ref()),
                    "use an IANA name such as `UTC`, `Europe/Berlin` or `America/New_York`",
                );
                return None;
            }
        },
    };
    let mut seconds = |v: &Option<Spanned<i64>>, default: u64, max: i64, field: &str| match v {
        None => Some(default),
        Some(n) if (0..=max).contains(n.get_ref()) => Some(*n.get_ref() as u64),
        Some(n) => {
            report(
                n.span(),
                format!("`{field}` is {}, outside 0 to {max}", n.get_ref()),
                "use a whole number of seconds, or leave the field out for the default",
            );
            None
        }
    };
    let jitter_seconds = seconds(&raw.jitter_seconds, 0, 3600, "jitter_seconds")?;
    let timeout_seconds = seconds(&raw.timeout_seconds, 3600, 86_400, "timeout_seconds")?;
    let collector_sla_hours =
        match &raw.collector_sla_hours {
            None => None,
            Some(n) if (1..=8784).contains(n.get_ref()) => Some(*n.get_ref() as u64),
            Some(n) => {
                report(
                n.span(),
                format!("`collector_sla_hours` is {}, outside 1 to 8784", n.get_ref()),
                "use a whole number of hours, e.g. `collector_sla_hours = 26` for a daily source",
            );
                return None;
            }
        };
    Some(MonitorSettings {
        schedule,
        timezone,
        jitter_seconds,
        timeout_seconds,
        collector_sla_hours,
    })
}
