//! The server's own audit log. Every state change (sign-in, role change, token, upload,
//! assessment, report downloaded) becomes a ledger entry of kind `assay-server-log` in the
//! evidence ledger of the audit it concerns (events of a whole organization go to its first
//! audit; events outside any organization, such as a failed sign-in, to the first workspace
//! the server serves). Assay's own activity is then evidence of the same kind it asks of
//! others (CC6.2, CC6.3, CC7.2), `assay verify` covers it, and the `log` table indexes it by
//! organization.

use crate::problem::Problem;
use crate::state::AppState;
use crate::store::log::Event;

/// The evidence kind of audit-log entries.
pub const KIND: &str = "assay-server-log";

/// What to log: the organization and audit (internal ids) it concerns, and the event.
pub struct Log<'a> {
    /// Internal organization ids to index it under (several for a sign-in by a member of
    /// several organizations; none for an unknown account).
    pub orgs: Vec<String>,
    /// Internal audit id whose ledger holds it, when it concerns one audit.
    pub audit: Option<&'a str>,
    /// The event.
    pub event: Event,
}

/// An event of now.
pub fn event(actor: &str, action: &str, target: &str, outcome: &str, ip: &str) -> Event {
    Event {
        at: assay_project::now(),
        org: String::new(),
        audit: String::new(),
        actor: actor.to_string(),
        action: action.to_string(),
        target: target.to_string(),
        outcome: outcome.to_string(),
        ip: ip.to_string(),
    }
}

/// Appends the event to the ledger and indexes it. A failure to log fails the request: an
/// action that cannot be recorded must not pass unrecorded.
pub async fn append(state: &AppState, log: Log<'_>) -> Result<(), Problem> {
    let ledger_audit = match log.audit {
        Some(a) => a.to_string(),
        None => log
            .orgs
            .first()
            .and_then(|o| state.audits_of(o).first().map(|s| s.audit.id.clone()))
            .unwrap_or_else(|| state.home.clone()),
    };
    let served = state
        .served(&ledger_audit)
        .ok_or_else(|| Problem::internal("the audit log's ledger is not served"))?;
    let mut event = log.event;
    if let Some(o) = log.orgs.first() {
        event.org = state
            .audits_of(o)
            .first()
            .map(|s| s.org.slug.clone())
            .unwrap_or_default();
    }
    if let Some(a) = log.audit.and_then(|a| state.served(a)) {
        event.audit = a.audit.slug.clone();
    }
    let _serial = state.log_lock.lock().await;
    let bytes = serde_json::to_vec(&event).map_err(Problem::internal)?;
    let s2 = served.clone();
    let entry = tokio::task::spawn_blocking(move || {
        s2.project.record_activity(KIND, "assay-serve", &bytes)
    })
    .await??;
    let (hash, seq, slug) = (entry.hash(), entry.seq as i64, served.audit.slug.clone());
    let orgs = log.orgs.clone();
    let ev = event.clone();
    state
        .db(move |c| {
            for o in &orgs {
                crate::store::log::index(c, o, &ev, &slug, seq, &hash)?;
            }
            Ok(())
        })
        .await
}

/// Logs a success by the caller of `ctx` in the organization of its path (and in `audit`,
/// an internal audit id, when the action concerns one audit).
pub async fn success(
    state: &AppState,
    ctx: &crate::api::Ctx,
    audit: Option<&str>,
    action: &str,
    target: &str,
) -> Result<(), Problem> {
    let log = Log {
        orgs: vec![ctx.org()?.id.clone()],
        audit,
        event: event(&ctx.actor(), action, target, "success", &ctx.ip),
    };
    append(state, log).await
}
