//! The ledger's clock: the wall clock in the ledger's text form, never going backwards
//! past the ledger's last entry.

use crate::ProjectError;
use assay_locker::Locker;

/// The current time as the ledger records it: RFC 3339 in UTC with exactly three fraction
/// digits, so that the text sorts in time order.
pub fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// A clock for new entries: now, but never before the ledger's last entry (so collection
/// times never go backwards when the system clock does). Only the last entry is read.
pub(crate) fn after(locker: &Locker) -> Result<impl FnMut() -> String, ProjectError> {
    let size = locker.size()?;
    let mut last = locker
        .entries_after(size.saturating_sub(1))?
        .last()
        .map(|e| e.record.collected_at.clone())
        .unwrap_or_default();
    Ok(move || {
        let t = now();
        if t > last {
            last = t;
        }
        last.clone()
    })
}
