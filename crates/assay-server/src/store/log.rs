//! The index of the server's audit log. The events themselves are ledger entries (kind
//! `assay-server-log`) in the evidence ledger of the audit they concern, so `assay verify`
//! covers them; this table finds them by organization and points at each entry by sequence
//! number and hash.

use crate::db::{Conn, DbError, Row};

/// One event of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Organization slug (empty for events outside any organization, such as a sign-in).
    pub org: String,
    /// Audit slug (empty for organization-wide events).
    pub audit: String,
    /// Who: an account's email, `token:<id>`, or `anonymous`.
    pub actor: String,
    /// What, e.g. `session.login`, `member.role-changed`, `evidence.uploaded`.
    pub action: String,
    /// What it acted on (an email, a token id, an entry, a report).
    pub target: String,
    /// `success`, or `failure` with the reason.
    pub outcome: String,
    /// The client's address.
    pub ip: String,
}

/// An event with where it is in the ledger.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Logged {
    /// Position in the server's log, from 1.
    pub seq: i64,
    /// The event.
    #[serde(flatten)]
    pub event: Event,
    /// The audit whose ledger holds it (slug).
    pub ledger_audit: String,
    /// The ledger entry's sequence number.
    pub entry_seq: i64,
    /// The ledger entry's hash.
    pub entry_hash: String,
}

/// Indexes an event stored as ledger entry `entry_seq` (hash `entry_hash`) of the ledger of
/// `ledger_audit`, under organization id `org_id`.
pub fn index(
    c: &mut dyn Conn,
    org_id: &str,
    e: &Event,
    ledger_audit: &str,
    entry_seq: i64,
    entry_hash: &str,
) -> Result<i64, DbError> {
    let seq = c
        .one("SELECT COALESCE(MAX(seq), 0) + 1 FROM log", &[])?
        .map(|r| r.int(0))
        .unwrap_or(1);
    c.exec(
        "INSERT INTO log (seq, at, org, audit, actor, action, target, ip, ledger_audit, entry_seq, entry_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            seq.into(),
            e.at.as_str().into(),
            org_id.into(),
            e.audit.as_str().into(),
            e.actor.as_str().into(),
            format!("{}:{}", e.action, e.outcome).into(),
            e.target.as_str().into(),
            e.ip.as_str().into(),
            ledger_audit.into(),
            entry_seq.into(),
            entry_hash.into(),
        ],
    )?;
    Ok(seq)
}

fn logged_of(r: &Row, org_slug: &str) -> Logged {
    let action = r.text(5);
    let (action, outcome) = action.split_once(':').unwrap_or((&action, ""));
    Logged {
        seq: r.int(0),
        event: Event {
            at: r.text(1),
            org: org_slug.to_string(),
            audit: r.text(3),
            actor: r.text(4),
            action: action.to_string(),
            outcome: outcome.to_string(),
            target: r.text(6),
            ip: r.text(7),
        },
        ledger_audit: r.text(8),
        entry_seq: r.int(9),
        entry_hash: r.text(10),
    }
}

/// The events of organization `org_id`, oldest first, from `offset`, at most `limit`; and
/// how many there are in all.
pub fn list(
    c: &mut dyn Conn,
    org_id: &str,
    org_slug: &str,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Logged>, i64), DbError> {
    let total = c
        .one("SELECT COUNT(*) FROM log WHERE org = $1", &[org_id.into()])?
        .map(|r| r.int(0))
        .unwrap_or(0);
    let rows = c.query(
        "SELECT seq, at, org, audit, actor, action, target, ip, ledger_audit, entry_seq, entry_hash
         FROM log WHERE org = $1 ORDER BY seq LIMIT $2 OFFSET $3",
        &[org_id.into(), limit.into(), offset.into()],
    )?;
    Ok((rows.iter().map(|r| logged_of(r, org_slug)).collect(), total))
}
