//! `ipe.yaml`: information produced by the entity. Evidence that management exported and
//! imported (`assay evidence import` or `add`) is only as complete and accurate as the report
//! that produced it; before a population built from it is relied on, the service auditor
//! tests that report once and records the procedure here. Evidence Assay's own collectors
//! pulled from a system's API is system-generated and needs no entry.
//!
//! ```yaml
//! - source: hr-roster from bamboohr        # as the assessment names it: KIND from SYSTEM (TABLE)
//!   report: BambooHR "Employees" report, all statuses, run 2026-10-01
//!   produced_by: People Operations
//!   procedure: >-
//!     Agreed the headcount (50) to the September payroll register; traced five records
//!     from the report to HR files and five from HR files to the report.
//!   tested_by: Dana Reyes <dana@cpa.example>
//!   tested_on: 2026-10-14
//! ```

use serde::{Deserialize, Serialize};

/// The completeness and accuracy procedure performed on one source of information produced
/// by the entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ipe {
    /// The source, as the assessment names it (`provided[].source` of a test).
    pub source: String,
    /// The report or export and its parameters.
    pub report: String,
    /// Who produced it.
    pub produced_by: String,
    /// The procedure: a reconciliation to a control total, a re-run observed, records traced
    /// both ways.
    pub procedure: String,
    /// The auditor who performed it.
    pub tested_by: String,
    /// When.
    pub tested_on: jiff::civil::Date,
}

/// Parses `ipe.yaml`; `Err` names the file, the entry and the field, and says how to fix it.
pub fn parse(file: &str, text: &str) -> Result<Vec<Ipe>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<Ipe> = serde_saphyr::from_str(text).map_err(|e| {
        format!("{file}: {e}\n  help: ipe.yaml is a list of entries with `source`, `report`, `produced_by`, `procedure`, `tested_by` and `tested_on` (YYYY-MM-DD)")
    })?;
    let mut seen = std::collections::BTreeSet::new();
    for (i, e) in list.iter().enumerate() {
        if let Some(field) = crate::required::first_empty(&[
            ("source", &e.source),
            ("report", &e.report),
            ("produced_by", &e.produced_by),
            ("procedure", &e.procedure),
            ("tested_by", &e.tested_by),
        ]) {
            return Err(format!(
                "{file}: entry {} field `{field}` is empty\n  help: a source is relied on only with its report, who produced it, and the procedure performed on it, by whom",
                i + 1
            ));
        }
        if !seen.insert(e.source.as_str()) {
            return Err(format!(
                "{file}: entry {} field `source`: `{}` is recorded twice\n  help: keep one entry per source",
                i + 1,
                e.source
            ));
        }
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = "- source: hr-roster from bamboohr\n  report: Employees report\n  produced_by: People Operations\n  procedure: agreed headcount to payroll\n  tested_by: Dana\n  tested_on: 2026-10-14\n";

    #[test]
    fn entries_need_every_field_once_per_source() {
        assert_eq!(parse("ipe.yaml", ONE).unwrap().len(), 1);
        assert!(parse("ipe.yaml", "").unwrap().is_empty());
        let empty = ONE.replace("agreed headcount to payroll", "''");
        let err = parse("ipe.yaml", &empty).unwrap_err();
        assert!(err.contains("entry 1 field `procedure` is empty"), "{err}");
        let twice = format!("{ONE}{ONE}");
        let err = parse("ipe.yaml", &twice).unwrap_err();
        assert!(err.contains("entry 2 field `source`"), "{err}");
        let err = parse("ipe.yaml", &ONE.replace("tested_on", "tested")).unwrap_err();
        assert!(err.starts_with("ipe.yaml:"), "{err}");
    }
}
