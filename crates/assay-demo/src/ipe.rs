//! The demo's service auditor tests each source of information produced by the entity once:
//! every export the demo imported (HR roster, Okta and AWS reports, GitHub and ticket exports)
//! gets an entry in `ipe.yaml` with the report, who produced it and the completeness and
//! accuracy procedure, so the populations built from it can be relied on. Synthetic, like the
//! company.

use assay_engine::Assessment;
use assay_project::{Project, ProjectError};
use std::collections::BTreeSet;

use crate::fieldwork::TESTER;

/// When the demo's auditor tested the sources: before the samples, after the period.
pub const TESTED_ON: &str = "2026-10-14";

/// Writes `ipe.yaml` for every source of information produced by the entity behind a
/// population of `a`; the sources, sorted.
pub fn record(p: &Project, a: &Assessment) -> Result<Vec<String>, ProjectError> {
    let sources: BTreeSet<&str> = a
        .controls
        .iter()
        .flat_map(|c| &c.tests)
        .flat_map(|t| &t.provided)
        .map(|s| s.source.as_str())
        .collect();
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut text = String::from(
        "# Demo fieldwork: the completeness and accuracy of each export the synthetic company\n# provided, tested once by the service auditor (written by `assay demo`).\n",
    );
    for source in &sources {
        let system = source
            .split(" from ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .unwrap_or(source);
        text.push_str(&format!(
            "- source: {}\n  report: {}\n  produced_by: {}\n  procedure: {}\n  tested_by: {}\n  tested_on: {TESTED_ON}\n",
            q(source),
            q(&format!("The {system} export imported as {source}, run for the period 2026-01-01 to 2026-09-30")),
            q(&format!("The {system} administrator, Northwind Analytics")),
            q("Observed the export being run with the period's parameters; agreed its record count to the total the system shows for the same filter; traced five records from the export to the system and five from the system to the export; no differences."),
            q(TESTER),
        ));
    }
    let path = p.root().join("ipe.yaml");
    std::fs::write(&path, text).map_err(|source| ProjectError::Io { path, source })?;
    Ok(sources.into_iter().map(str::to_string).collect())
}
