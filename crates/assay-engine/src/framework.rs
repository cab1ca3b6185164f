//! Frameworks beside SOC 2, judged from the same control results with the same rules as the
//! criteria: a requirement is met, not met or not tested by exactly the logic of
//! [`crate::judge::requirement`]. The engine knows nothing of the catalog: the caller says
//! which controls each requirement maps to and which are gaps.

use crate::assessment::{ControlOutcome, FrameworkResult, RequirementVerdict};

/// A framework to judge.
#[derive(Debug, Clone)]
pub struct FrameworkInput {
    /// Its id.
    pub id: String,
    /// Its name.
    pub title: String,
    /// Its requirements, in order.
    pub requirements: Vec<RequirementInput>,
}

/// A requirement and what maps to it.
#[derive(Debug, Clone)]
pub struct RequirementInput {
    /// Its id.
    pub id: String,
    /// Its short name.
    pub title: String,
    /// The heading it sits under.
    pub group: String,
    /// What it asks.
    pub summary: String,
    /// HIPAA: standard, required or addressable.
    pub specification: Option<String>,
    /// Ids of the controls linked to it.
    pub controls: Vec<String>,
    /// When the library covers it only in part or not at all: the proposal and reason.
    pub gap: Option<String>,
}

/// Each framework's requirements, judged from the controls' results. A control linked to a
/// requirement but absent from the workspace does not count.
pub fn judge(controls: &[ControlOutcome], frameworks: &[FrameworkInput]) -> Vec<FrameworkResult> {
    frameworks
        .iter()
        .map(|f| FrameworkResult {
            id: f.id.clone(),
            title: f.title.clone(),
            requirements: f
                .requirements
                .iter()
                .map(|r| {
                    let mapped: Vec<&ControlOutcome> = controls
                        .iter()
                        .filter(|o| r.controls.contains(&o.id))
                        .collect();
                    let mut caveats = Vec::new();
                    // Another framework's links carry no key or compensating attribute: every
                    // linked control is key.
                    let weighed = crate::judge::Mapped::all_key(&mapped);
                    let (verdict, rule, statement) =
                        crate::judge::requirement(&r.id, &weighed, &mut caveats);
                    if let (Some(gap), false) = (&r.gap, mapped.is_empty()) {
                        caveats.push(format!("covered only in part: {gap}"));
                    }
                    RequirementVerdict {
                        id: r.id.clone(),
                        title: r.title.clone(),
                        group: r.group.clone(),
                        summary: r.summary.clone(),
                        specification: r.specification.clone(),
                        verdict,
                        rule,
                        statement,
                        controls: mapped.iter().map(|o| o.id.clone()).collect(),
                        caveats,
                        gap: r.gap.clone(),
                    }
                })
                .collect(),
        })
        .collect()
}
