//! `[[notify]]` tables of `assay.toml`: who hears about compliance drift, over which channel,
//! for which changes and severities. URLs and signing secrets are named by environment
//! variable only, never written in the file.

use crate::engine_config::Report;
use assay_core::Severity;
use serde::Deserialize;
use toml::Spanned;

/// The changes a rule can ask for, as written in `on`.
pub const EVENTS: &[&str] = &[
    "new-failure",
    "new-exceptions",
    "recovered",
    "collector-failed",
    "criterion-changed",
    "evidence-stale",
    "collector-late",
    "sla-breached",
    "resolved-exceptions",
];

/// One `[[notify]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNotify {
    #[serde(default)]
    name: Option<Spanned<String>>,
    channel: Spanned<String>,
    #[serde(default)]
    url_env: Option<Spanned<String>>,
    #[serde(default)]
    secret_env: Option<Spanned<String>>,
    #[serde(default)]
    on: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    min_severity: Option<Spanned<String>>,
    #[serde(default)]
    each: Option<bool>,
    #[serde(default)]
    link: Option<Spanned<String>>,
    #[serde(default)]
    attempts: Option<Spanned<i64>>,
    #[serde(default)]
    backoff_ms: Option<Spanned<i64>>,
    #[serde(default)]
    to: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    from: Option<Spanned<String>>,
    #[serde(default)]
    quiet_hours: Option<Spanned<String>>,
    #[serde(default)]
    timezone: Option<Spanned<String>>,
}

/// Where a notification goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A generic webhook: JSON, signed after Standard Webhooks (HMAC-SHA256).
    Webhook,
    /// A Slack incoming webhook.
    Slack,
    /// E-mail over SMTP (the URL's variable holds `smtp://` or `smtps://`).
    Email,
    /// In the app: recorded in the ledger and listed on the web app's notifications page.
    App,
}

impl Channel {
    /// Its name in `assay.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Slack => "slack",
            Channel::Email => "email",
            Channel::App => "app",
        }
    }
}

/// A validated `[[notify]]` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyRule {
    /// Its name (defaults to the channel), used in records and messages.
    pub name: String,
    /// The channel.
    pub channel: Channel,
    /// The environment variable holding the URL to post to (empty for `app`).
    pub url_env: String,
    /// The environment variable holding the webhook's signing secret (`whsec_…`).
    pub secret_env: Option<String>,
    /// The changes it reports (a subset of [`EVENTS`]).
    pub on: Vec<String>,
    /// The least severity reported.
    pub min_severity: Severity,
    /// One message per change (`true`) or one digest per run (`false`, the default).
    pub each: bool,
    /// A link template, `{control}` and `{test}` filled in.
    pub link: Option<String>,
    /// Delivery attempts before giving up (1 to 10, default 4).
    pub attempts: u32,
    /// The first retry's wait in milliseconds, doubled each time (default 1000).
    pub backoff_ms: u64,
    /// For e-mail: the recipients.
    pub to: Vec<String>,
    /// For e-mail: the sender.
    pub from: Option<String>,
    /// When messages are held (all but critical changes), sent with the first run after.
    pub quiet: Option<QuietHours>,
}

/// Quiet hours: a daily window, in a time zone, when a rule's messages are held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuietHours {
    /// Start, minutes after midnight.
    pub from: u16,
    /// End (exclusive), minutes after midnight; before `from` when the window spans midnight.
    pub to: u16,
    /// The IANA time zone the times are in.
    pub timezone: String,
}

impl QuietHours {
    /// Whether `now` falls in the window (in its time zone).
    pub fn contains(&self, now: jiff::Timestamp) -> bool {
        let Ok(tz) = jiff::tz::TimeZone::get(&self.timezone) else {
            return false;
        };
        let t = tz.to_datetime(now);
        let m = t.hour() as u16 * 60 + t.minute() as u16;
        if self.from <= self.to {
            self.from <= m && m < self.to
        } else {
            m >= self.from || m < self.to
        }
    }
}

/// `HH:MM` as minutes after midnight.
fn clock(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && s.trim().len() == 5).then_some(h * 60 + m)
}

/// The `quiet_hours` and `timezone` of a rule, checked.
fn quiet_hours(r: &RawNotify, report: &mut Report<'_>) -> Result<Option<QuietHours>, ()> {
    let Some(q) = &r.quiet_hours else {
        if let Some(tz) = &r.timezone {
            report(
                tz.span(),
                "`timezone` is for `quiet_hours`".into(),
                "add `quiet_hours = \"22:00-07:00\"`, or remove `timezone`",
            );
            return Err(());
        }
        return Ok(None);
    };
    let window = q
        .get_ref()
        .split_once('-')
        .and_then(|(a, b)| Some((clock(a)?, clock(b)?)));
    let Some((from, to)) = window.filter(|(a, b)| a != b) else {
        report(
            q.span(),
            format!(
                "`quiet_hours` `{}` is not a window HH:MM-HH:MM",
                q.get_ref()
            ),
            "e.g. `quiet_hours = \"22:00-07:00\"` (24-hour clock; it may span midnight)",
        );
        return Err(());
    };
    let timezone = r
        .timezone
        .as_ref()
        .map(|t| t.get_ref().clone())
        .unwrap_or_else(|| "UTC".into());
    if jiff::tz::TimeZone::get(&timezone).is_err() {
        let span = r.timezone.as_ref().map_or(q.span(), |t| t.span());
        report(
            span,
            format!("unknown time zone `{timezone}`"),
            "use an IANA name such as `Europe/Berlin` or `America/New_York`",
        );
        return Err(());
    }
    Ok(Some(QuietHours { from, to, timezone }))
}

pub(crate) fn env_name(
    v: &Spanned<String>,
    field: &str,
    report: &mut Report<'_>,
) -> Option<String> {
    let s = v.get_ref();
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    {
        return Some(s.clone());
    }
    report(
        v.span(),
        // The value itself is not echoed: it may be the URL or secret that belongs elsewhere.
        format!("`{field}` must name an environment variable (capital letters, digits and _), not hold the URL or secret itself"),
        "write the variable's name, e.g. `url_env = \"ASSAY_WEBHOOK_URL\"`, and put the URL or secret in the environment",
    );
    None
}

fn bounded(
    v: &Option<Spanned<i64>>,
    range: std::ops::RangeInclusive<i64>,
    default: i64,
    field: &'static str,
    report: &mut Report<'_>,
) -> i64 {
    match v {
        None => default,
        Some(n) if range.contains(n.get_ref()) => *n.get_ref(),
        Some(n) => {
            report(
                n.span(),
                format!(
                    "`{field}` is {}, outside {} to {}",
                    n.get_ref(),
                    range.start(),
                    range.end()
                ),
                "use a value inside the range, or leave the field out for the default",
            );
            default
        }
    }
}

/// The rules, validated; each problem is reported and its rule left out.
pub fn rules(raw: &[Spanned<RawNotify>], report: &mut Report<'_>) -> Vec<NotifyRule> {
    let mut out: Vec<NotifyRule> = Vec::new();
    for table in raw {
        let r = table.get_ref();
        let channel = match r.channel.get_ref().as_str() {
            "webhook" => Channel::Webhook,
            "slack" => Channel::Slack,
            "email" => Channel::Email,
            "app" => Channel::App,
            other => {
                report(
                    r.channel.span(),
                    format!("unknown notification channel `{other}`"),
                    "write `channel = \"webhook\"`, `\"slack\"`, `\"email\"` or `\"app\"`",
                );
                continue;
            }
        };
        let url_env = match (&r.url_env, channel) {
            (Some(u), Channel::App) => {
                report(
                    u.span(),
                    "an in-app rule sends nothing out, so it has no URL".into(),
                    "remove `url_env` from this rule",
                );
                continue;
            }
            (None, Channel::App) => String::new(),
            (Some(u), _) => match env_name(u, "url_env", report) {
                Some(n) => n,
                None => continue,
            },
            (None, _) => {
                report(
                    table.span(),
                    format!("a {} rule needs `url_env`", channel.as_str()),
                    "add `url_env = \"ASSAY_NOTIFY_URL\"` and put the URL in that environment variable (never in assay.toml)",
                );
                continue;
            }
        };
        let Ok(quiet) = quiet_hours(r, report) else {
            continue;
        };
        if quiet.is_some() && channel == Channel::App {
            report(
                table.span(),
                "an in-app rule is never held: it disturbs nobody".into(),
                "remove `quiet_hours` from this rule",
            );
            continue;
        }
        let secret_env = match &r.secret_env {
            Some(s) if channel == Channel::App => {
                report(
                    s.span(),
                    "an in-app rule signs nothing, so it has no secret".into(),
                    "remove `secret_env` from this rule",
                );
                continue;
            }
            Some(s) => match env_name(s, "secret_env", report) {
                Some(n) => Some(n),
                None => continue,
            },
            None if channel == Channel::Webhook => {
                report(
                    table.span(),
                    "a webhook needs `secret_env`: every delivery is signed".into(),
                    "add `secret_env = \"ASSAY_WEBHOOK_SECRET\"` and put the receiver's secret (`whsec_…`) in that variable",
                );
                continue;
            }
            None => None,
        };
        let address = |a: &str| {
            let a = a.trim();
            a.split_once('@').is_some_and(|(l, d)| {
                !l.is_empty() && d.contains('.') && !a.contains(char::is_whitespace)
            })
        };
        let (to, from) = match (channel, &r.to, &r.from) {
            (Channel::Email, Some(to), Some(from)) => {
                if to.get_ref().is_empty() || !to.get_ref().iter().all(|a| address(a)) {
                    report(
                        to.span(),
                        "`to` must list e-mail addresses".into(),
                        "e.g. `to = [\"security@example.com\"]`",
                    );
                    continue;
                }
                if !address(from.get_ref()) {
                    report(
                        from.span(),
                        format!("`from` `{}` is not an e-mail address", from.get_ref()),
                        "e.g. `from = \"assay@example.com\"`",
                    );
                    continue;
                }
                (
                    to.get_ref().clone(),
                    Some(from.get_ref().trim().to_string()),
                )
            }
            (Channel::Email, _, _) => {
                report(
                    table.span(),
                    "an e-mail rule needs `to` and `from`".into(),
                    "add e.g. `to = [\"security@example.com\"]` and `from = \"assay@example.com\"`; the SMTP URL goes in the variable `url_env` names",
                );
                continue;
            }
            (_, None, None) => (Vec::new(), None),
            (_, to, from) => {
                let span = to
                    .as_ref()
                    .map(|t| t.span())
                    .or(from.as_ref().map(|f| f.span()))
                    .unwrap_or(table.span());
                report(
                    span,
                    "`to` and `from` are for `channel = \"email\"` only".into(),
                    "remove them, or make the rule an e-mail rule",
                );
                continue;
            }
        };
        let on = match &r.on {
            None => EVENTS.iter().map(|e| e.to_string()).collect(),
            Some(list) => {
                let unknown: Vec<&String> = list
                    .get_ref()
                    .iter()
                    .filter(|e| !EVENTS.contains(&e.as_str()))
                    .collect();
                if !unknown.is_empty() || list.get_ref().is_empty() {
                    report(
                        list.span(),
                        format!("`on` lists no known change: {unknown:?}"),
                        "use any of new-failure, new-exceptions, recovered, collector-failed, criterion-changed, evidence-stale, collector-late, sla-breached, resolved-exceptions",
                    );
                    continue;
                }
                list.get_ref().clone()
            }
        };
        let min_severity = match r
            .min_severity
            .as_ref()
            .map(|s| (s.get_ref().as_str(), s.span()))
        {
            None | Some(("low", _)) => Severity::Low,
            Some(("medium", _)) => Severity::Medium,
            Some(("high", _)) => Severity::High,
            Some(("critical", _)) => Severity::Critical,
            Some((other, span)) => {
                report(
                    span,
                    format!("`min_severity` cannot be `{other}`"),
                    "use low, medium, high or critical",
                );
                continue;
            }
        };
        let name = r
            .name
            .as_ref()
            .map(|n| n.get_ref().clone())
            .unwrap_or_else(|| channel.as_str().to_string());
        if out.iter().any(|o| o.name == name) {
            report(
                table.span(),
                format!("two [[notify]] rules are named `{name}`"),
                "give one of them a distinct `name = \"...\"`",
            );
            continue;
        }
        out.push(NotifyRule {
            name,
            channel,
            url_env,
            secret_env,
            on,
            min_severity,
            each: r.each.unwrap_or(false),
            link: r.link.as_ref().map(|l| l.get_ref().clone()),
            attempts: bounded(&r.attempts, 1..=10, 4, "attempts", report) as u32,
            backoff_ms: bounded(&r.backoff_ms, 0..=60_000, 1000, "backoff_ms", report) as u64,
            to,
            from,
            quiet,
        });
    }
    out
}
