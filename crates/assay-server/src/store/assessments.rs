//! The latest assessment of each audit, kept so a restarted server shows the same results
//! (dashboard, findings, reports) until someone assesses again. One row per audit: the
//! assessment as JSON, replaced by the next one.

use crate::db::{Conn, DbError};

/// Keeps `json` as the latest assessment of `audit`.
pub fn save(c: &mut dyn Conn, audit: &str, json: &str) -> Result<(), DbError> {
    c.exec("DELETE FROM assessments WHERE audit = $1", &[audit.into()])?;
    c.exec(
        "INSERT INTO assessments (audit, body, created) VALUES ($1, $2, $3)",
        &[audit.into(), json.into(), super::now().into()],
    )?;
    Ok(())
}

/// The latest assessment of `audit` as JSON, if one was kept.
pub fn latest(c: &mut dyn Conn, audit: &str) -> Result<Option<String>, DbError> {
    Ok(c.one(
        "SELECT body FROM assessments WHERE audit = $1",
        &[audit.into()],
    )?
    .map(|r| r.text(0)))
}
