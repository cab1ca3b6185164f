//! `kind = "okta"`: users (including deprovisioned ones, which the default list omits: they
//! are fetched with the documented `filter=status eq "DEPROVISIONED"`), each active user's
//! enrolled factors, and the System Log from `--since`, else the last run's cursor, else the
//! audit period's start, to now, following Okta's `Link: rel="next"` cursor pagination. The
//! API keeps 90 days: a start before that is requested from the oldest day it holds, and the
//! run's notes name the days it cannot collect and the export to import instead.
//!
//! ```toml
//! [[collector]]
//! kind = "okta"
//! base_url = "https://acme.okta.com"
//! token_env = "OKTA_API_TOKEN"   # default; sent as `Authorization: SSWS <token>`
//! ```

use crate::http::{Auth, Client, Response};
use crate::{opt, token, CollectError, Collector, Context, Report, Retention, Spec};
use serde_json::Value as Json;

/// The registry entry.
pub const SPEC: Spec = Spec {
    kind: "okta",
    about: "Okta: users (deprovisioned too), factors, System Log",
    build,
    retention: Some(Retention {
        days: LOG_RETENTION_DAYS,
        what: "the Okta System Log",
        export_kind: "okta-system-log",
    }),
};

/// Days the Okta System Log API returns (Okta's retention for the System Log).
pub const LOG_RETENTION_DAYS: u32 = 90;

/// The note for a period that reaches before the System Log's retention.
fn retention_gap(wanted: jiff::Timestamp, kept: jiff::Timestamp) -> String {
    let day = |t: jiff::Timestamp| t.strftime("%Y-%m-%d").to_string();
    let last_missing = kept
        .checked_sub(jiff::SignedDuration::from_hours(24))
        .unwrap_or(kept);
    format!(
        "the Okta System Log API keeps {LOG_RETENTION_DAYS} days: {} to {} cannot be collected from it; import those days' events as the API returns them (JSON, e.g. a copy kept by your SIEM) with `assay evidence import FILE --kind okta-system-log`",
        day(wanted),
        day(last_missing)
    )
}

/// A configured Okta collector.
pub struct Okta {
    client: Client,
    base: String,
}

fn build(t: &toml::Table) -> Result<Box<dyn Collector>, CollectError> {
    Ok(Box::new(Okta::from_table(t)?))
}

impl Okta {
    /// From a `[[collector]]` table.
    pub fn from_table(t: &toml::Table) -> Result<Okta, CollectError> {
        let base = opt(t, "base_url")
            .ok_or_else(|| {
                CollectError::Config(
                    "the okta collector needs `base_url = \"https://YOUR-ORG.okta.com\"`".into(),
                )
            })?
            .trim_end_matches('/')
            .to_string();
        let (secret, var) = token(t, "OKTA_API_TOKEN")?;
        Ok(Okta {
            client: Client::new(Auth::Ssws(secret), &var, &base)?,
            base,
        })
    }

    /// The HTTP client (tests shorten its waits).
    pub fn client_mut(&mut self) -> &mut Client {
        &mut self.client
    }

    fn array(r: &Response) -> Result<Vec<Json>, CollectError> {
        match serde_json::from_slice::<Json>(&r.body) {
            Ok(Json::Array(a)) => Ok(a),
            _ => Err(CollectError::Unexpected {
                url: r.url.clone(),
                message: "expected a JSON array".into(),
            }),
        }
    }
}

impl Collector for Okta {
    fn collect(&self, cx: &mut Context<'_>) -> Result<Report, CollectError> {
        let mut report = Report::default();
        let b = &self.base;
        let mut users = Vec::new();
        for (url, endpoint) in [
            (format!("{b}/api/v1/users?limit=200"), "users"),
            (
                format!("{b}/api/v1/users?limit=200&filter=status%20eq%20%22DEPROVISIONED%22"),
                "users-deprovisioned",
            ),
        ] {
            (cx.progress)(&self.client.shown(&url));
            for page in self.client.pages(&url)? {
                cx.store_response("okta-api", &page, &[("endpoint", endpoint)], &mut report)?;
                users.extend(Self::array(&page)?);
            }
        }
        for u in &users {
            if u.get("status").and_then(Json::as_str) != Some("ACTIVE") {
                continue;
            }
            let Some(id) = u.get("id").and_then(Json::as_str) else {
                continue;
            };
            let url = format!("{b}/api/v1/users/{id}/factors");
            (cx.progress)(&self.client.shown(&url));
            let r = self.client.get(&url, &[])?;
            cx.store_response(
                "okta-api",
                &r,
                &[("endpoint", "factors"), ("user_id", id)],
                &mut report,
            )?;
        }

        // The System Log: from --since, or the cursor, or the period's start, until now; but
        // never before Okta's retention, and a period reaching further back is reported.
        let until = cx.now;
        let kept = until
            .checked_sub(jiff::SignedDuration::from_hours(
                24 * i64::from(LOG_RETENTION_DAYS),
            ))
            .unwrap_or(until);
        let wanted = cx
            .since
            .or_else(|| cx.cursor.as_deref().and_then(|c| c.parse().ok()))
            .or(cx.period_start)
            .unwrap_or(kept);
        if wanted < kept {
            report.notes.push(retention_gap(wanted, kept));
        }
        let since = wanted.max(kept).to_string();
        let mut newest = cx.cursor.clone();
        let mut next = Some(format!(
            "{b}/api/v1/logs?since={since}&until={until}&limit=1000&sortOrder=ASCENDING"
        ));
        while let Some(url) = next.take() {
            (cx.progress)(&self.client.shown(&url));
            let page = self.client.get(&url, &[])?;
            let events = Self::array(&page)?;
            if events.is_empty() {
                break;
            }
            cx.store_response("okta-api", &page, &[("endpoint", "logs")], &mut report)?;
            for e in &events {
                if let Some(p) = e.get("published").and_then(Json::as_str) {
                    if newest.as_deref().is_none_or(|n| p > n) {
                        newest = Some(p.to_string());
                    }
                }
            }
            next = page.next;
        }
        report.cursor = newest;
        report.requests = self
            .client
            .requests
            .load(std::sync::atomic::Ordering::Relaxed);
        Ok(report)
    }
}
