//! Reading the locker for people: each entry with whether it is stale for the audit.

use crate::{Project, ProjectError};
use assay_locker::entry::Entry;
use assay_workspace::Workspace;

/// One entry of the locker, with its freshness for the workspace's audit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EvidenceRow {
    /// The ledger entry.
    pub entry: Entry,
    /// Whether it is too old to speak for the period end (none when that cannot be judged:
    /// no time-to-live for its kind).
    pub stale: Option<bool>,
}

impl EvidenceRow {
    /// One entry with its freshness for the workspace's audit.
    pub fn of(entry: Entry, ws: &Workspace) -> EvidenceRow {
        EvidenceRow {
            stale: stale(&entry, ws),
            entry,
        }
    }

    /// The span the entry speaks for, `DATE` or `START..END`; `None` when it speaks for the
    /// moment it was collected.
    pub fn speaks_for(&self) -> Option<String> {
        let r = &self.entry.record;
        match (&r.effective_from, &r.effective_to) {
            (Some(a), Some(b)) if a == b => Some(a.clone()),
            (Some(a), Some(b)) => Some(format!("{a}..{b}")),
            (Some(a), None) | (None, Some(a)) => Some(a.clone()),
            (None, None) => None,
        }
    }
}

/// Whether an entry is stale for the workspace's audit, when that can be judged.
fn stale(entry: &Entry, ws: &Workspace) -> Option<bool> {
    let cfg = ws.config.as_ref()?;
    let ttl = cfg.ttl_days(&entry.record.kind)?;
    let as_of = match &entry.record.effective_to {
        Some(d) => d.parse().ok()?,
        // collected_at is RFC 3339 in UTC: its first ten characters are the UTC date.
        None => entry.record.collected_at.get(..10)?.parse().ok()?,
    };
    Some(assay_core::freshness::is_stale(
        as_of,
        ttl,
        cfg.scope.period.end(),
    ))
}

impl Project {
    /// The locker's entries (of `kind`, when given) with their freshness; none without a
    /// locker.
    pub fn evidence(&self, kind: Option<&str>) -> Result<Vec<EvidenceRow>, ProjectError> {
        self.evidence_in(&self.workspace(), kind)
    }

    /// As [`Project::evidence`], judging freshness by an already parsed workspace.
    pub fn evidence_in(
        &self,
        ws: &Workspace,
        kind: Option<&str>,
    ) -> Result<Vec<EvidenceRow>, ProjectError> {
        let Some(locker) = self.locker_if_any()? else {
            return Ok(Vec::new());
        };
        Ok(locker
            .entries()?
            .into_iter()
            .filter(|e| kind.is_none_or(|k| e.record.kind == k))
            .map(|e| EvidenceRow::of(e, ws))
            .collect())
    }
}

impl Project {
    /// Stores one record of Assay's own activity (for example an event of the server's audit
    /// log) as a ledger entry of `kind`, collected now (never before the ledger's last
    /// entry), redacted like any evidence.
    pub fn record_activity(
        &self,
        kind: &str,
        agent: &str,
        bytes: &[u8],
    ) -> Result<Entry, ProjectError> {
        let mut locker = self.locker_or_create()?;
        let collected_at = crate::clock::after(&locker)?();
        let record = assay_locker::entry::Record {
            blob: String::new(),
            size: 0,
            media_type: "application/json".into(),
            kind: kind.into(),
            provenance: assay_locker::entry::Provenance {
                agent: agent.into(),
                system: "assay".into(),
                locator: kind.into(),
                tool_version: env!("CARGO_PKG_VERSION").into(),
                batch: None,
            },
            collected_at,
            effective_from: None,
            effective_to: None,
            redactions: Vec::new(),
            params: Default::default(),
        };
        Ok(locker.add(bytes, record)?)
    }
}
