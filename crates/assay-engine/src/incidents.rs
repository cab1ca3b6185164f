//! Significant incidents for Section III of the draft report (DC 200 asks the description to
//! disclose them, not to count them): the incidents opened in the period whose severity rank
//! is at or above `significant_incident_severities` (1 = sev1/critical, 2 = sev2/high, ...),
//! read from the `incidents` table in opening order.

use crate::basis::Basis;
use crate::params;
use assay_tables::query::QueryResult;
use assay_tables::sandbox;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One significant incident, as the register records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    /// The register's id.
    pub key: String,
    /// What happened, in a line (`title`), when the register says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The register's severity word.
    pub severity: String,
    /// Day opened.
    pub opened: String,
    /// Day closed; none while open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<String>,
    /// The post-mortem reference; none when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postmortem: Option<String>,
}

/// The severity rank of a register's word: 1 for sev1/critical, 2 for sev2/high, 3 for
/// sev3/medium, 4 for sev4/low, 5 for anything else.
const RANK: &str =
    "CASE lower(severity) WHEN 'sev1' THEN 1 WHEN 'critical' THEN 1 WHEN '1' THEN 1 \
     WHEN 'sev2' THEN 2 WHEN 'high' THEN 2 WHEN '2' THEN 2 \
     WHEN 'sev3' THEN 3 WHEN 'medium' THEN 3 WHEN '3' THEN 3 \
     WHEN 'sev4' THEN 4 WHEN 'low' THEN 4 WHEN '4' THEN 4 ELSE 5 END";

/// The significant incidents of the period; empty when the table has no evidence.
pub fn significant(
    basis: &Basis,
    rt: &tokio::runtime::Handle,
    values: &BTreeMap<String, String>,
) -> Result<Vec<Incident>, String> {
    match basis.tables.get("incidents") {
        Some(b) if b.gap.is_none() && b.rows > 0 => {}
        _ => return Ok(Vec::new()),
    }
    let sql = format!(
        "SELECT key, title, severity, CAST(CAST(opened_at AS DATE) AS VARCHAR) AS opened, \
         CAST(CAST(closed_at AS DATE) AS VARCHAR) AS closed, postmortem \
         FROM incidents \
         WHERE opened_at BETWEEN :period_start AND :period_end \
           AND {RANK} <= :significant_incident_severities \
         ORDER BY opened_at, key"
    );
    let sql = params::substitute(&sql, values)
        .map_err(|name| format!("significant incidents: no value for `:{name}`"))?;
    let ctx = basis.sandbox.session().map_err(|e| e.to_string())?;
    let batches = rt
        .block_on(async {
            let df = sandbox::sql(&ctx, &sql).await.map_err(|e| e.to_string())?;
            df.collect().await.map_err(|e| e.to_string())
        })
        .map_err(|e| format!("significant incidents: {e}"))?;
    let rows = QueryResult {
        columns: Vec::new(),
        batches,
    }
    .text_rows();
    Ok(rows
        .into_iter()
        .map(|row| {
            let cell = |c: usize| -> Option<String> {
                row.get(c)
                    .cloned()
                    .flatten()
                    .filter(|s| !s.trim().is_empty())
            };
            Incident {
                key: cell(0).unwrap_or_default(),
                title: cell(1),
                severity: cell(2).unwrap_or_default(),
                opened: cell(3).unwrap_or_default(),
                closed: cell(4),
                postmortem: cell(5),
            }
        })
        .collect())
}
