//! The frameworks a workspace reports on beside SOC 2 (`[audit] frameworks`), as the engine
//! judges them: each requirement with the default controls linked to it and any gap.

use assay_catalog::Catalog;
use assay_engine::framework::{FrameworkInput, RequirementInput};

/// The engine's inputs for the workspace's frameworks other than SOC 2, in catalog order.
pub fn inputs(catalog: &Catalog, chosen: &[String]) -> Vec<FrameworkInput> {
    catalog
        .frameworks
        .iter()
        .filter(|f| f.id != "soc2" && chosen.contains(&f.id))
        .map(|f| FrameworkInput {
            id: f.id.clone(),
            title: f.title.clone(),
            requirements: f
                .requirements
                .iter()
                .map(|r| {
                    let mut controls: Vec<String> =
                        f.links_to(&r.id).map(|l| l.control.clone()).collect();
                    controls.sort();
                    controls.dedup();
                    let gap = f.gaps_for(&r.id).next().map(|g| {
                        format!(
                            "{} (proposed control {}: {})",
                            g.reason.trim(),
                            g.proposal.id,
                            g.proposal.title.trim()
                        )
                    });
                    RequirementInput {
                        id: r.id.clone(),
                        title: r.title.clone(),
                        group: r.group.clone(),
                        summary: r.summary.trim().to_string(),
                        specification: r.specification.map(|s| s.as_str().to_string()),
                        controls,
                        gap,
                    }
                })
                .collect(),
        })
        .collect()
}
