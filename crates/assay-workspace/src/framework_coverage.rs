//! Design coverage of the frameworks beside SOC 2 a workspace reports on (`[audit]
//! frameworks`): which requirements at least one of the workspace's controls is linked to,
//! and for the rest the control the library proposes.

use assay_catalog::Catalog;
use serde::Serialize;

/// A requirement no control of the workspace covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequirementGap {
    /// Its id.
    pub requirement: String,
    /// The control the library proposes, as `ID: title`, when it names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposal: Option<String>,
}

/// Design coverage of one framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrameworkCoverage {
    /// Its id.
    pub framework: String,
    /// Its name.
    pub title: String,
    /// Its requirements.
    pub requirements: usize,
    /// Requirements with at least one of the workspace's controls linked.
    pub covered: usize,
    /// The others, in the framework's order.
    pub gaps: Vec<RequirementGap>,
}

impl FrameworkCoverage {
    /// Coverage of each chosen framework but SOC 2 (whose coverage is the criteria table).
    pub fn compute(
        catalog: &Catalog,
        chosen: &[String],
        controls: &[&str],
    ) -> Vec<FrameworkCoverage> {
        catalog
            .frameworks
            .iter()
            .filter(|f| f.id != "soc2" && chosen.contains(&f.id))
            .map(|f| {
                let gaps: Vec<RequirementGap> = f
                    .requirements
                    .iter()
                    .filter(|r| {
                        !f.links_to(&r.id)
                            .any(|l| controls.contains(&l.control.as_str()))
                    })
                    .map(|r| RequirementGap {
                        requirement: r.id.clone(),
                        proposal: f
                            .gaps_for(&r.id)
                            .next()
                            .map(|g| format!("{}: {}", g.proposal.id, g.proposal.title.trim())),
                    })
                    .collect();
                FrameworkCoverage {
                    framework: f.id.clone(),
                    title: f.title.clone(),
                    requirements: f.requirements.len(),
                    covered: f.requirements.len() - gaps.len(),
                    gaps,
                }
            })
            .collect()
    }

    /// One paragraph for `assay validate`: the count, then each gap with its proposal.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "{}: {} of {} requirements covered by the workspace's controls",
            self.title, self.covered, self.requirements
        );
        if self.gaps.is_empty() {
            out.push('\n');
            return out;
        }
        out.push_str(&format!("; not covered ({}):\n", self.gaps.len()));
        for g in &self.gaps {
            match &g.proposal {
                Some(p) => out.push_str(&format!("  {:<22} proposed control {p}\n", g.requirement)),
                None => out.push_str(&format!("  {}\n", g.requirement)),
            }
        }
        out
    }
}
