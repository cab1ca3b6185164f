//! The demo's service auditor walks through every control once, at an interim date inside
//! the period (`walkthroughs/<CONTROL>.yaml`): inquiry of the control's owner, inspection of
//! one instance of the evidence the control's guidance names, and a conclusion on design and
//! implementation. Synthetic, like the company; every control is found designed and
//! implemented, so the demo's opinion rests on its tests.

use assay_project::{Project, ProjectError};

use crate::fieldwork::TESTER;

/// When the walkthroughs were performed: an interim visit during the period.
pub const PERFORMED_ON: &str = "2026-07-15";

/// Writes a walkthrough for every control of the workspace; how many.
pub fn record(p: &Project) -> Result<usize, ProjectError> {
    let ws = p.workspace();
    let dir = p.root().join("walkthroughs");
    std::fs::create_dir_all(&dir).map_err(|source| ProjectError::Io {
        path: dir.clone(),
        source,
    })?;
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut n = 0;
    for lc in &ws.controls {
        let c = &lc.control;
        let inspected = c
            .guidance
            .as_ref()
            .and_then(|g| g.evidence.first())
            .map(|e| format!("inspected one instance of the {e}"))
            .unwrap_or_else(|| "inspected one instance of its performance".into());
        let procedure = format!(
            "Inquired of the control owner ({}) how the control operates and who performs it; {inspected}; agreed what was seen to the control's description.",
            c.owner
        );
        let text = format!(
            "# Demo fieldwork: a synthetic walkthrough, written by `assay demo`.\ncontrol: {}\nperformed_by: {}\nperformed_on: {PERFORMED_ON}\nprocedure: {}\nconclusion: designed-and-implemented\n",
            c.id,
            q(TESTER),
            q(&procedure)
        );
        let path = dir.join(format!("{}.yaml", c.id));
        std::fs::write(&path, text).map_err(|source| ProjectError::Io { path, source })?;
        n += 1;
    }
    Ok(n)
}
