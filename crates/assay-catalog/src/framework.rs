//! Frameworks beside SOC 2 (ISO/IEC 27001:2022, NIST SP 800-53 rev. 5 Moderate, the HIPAA
//! Security Rule, NIST CSF 2.0) and the links from the default controls to their
//! requirements, in the NIST IR 8477 set-theory model: each link says how the control relates
//! to the requirement (subset, intersect, equal, superset), how much of it the control
//! satisfies (strength 1 to 10) and why, in one line of our own words. Requirements no
//! control covers are listed as gaps with a proposed control.
//!
//! SOC 2 is a framework here too: its requirements are the Trust Services Criteria and its
//! links are the criteria each default control names, with that control's rationale. Those
//! links state no relationship or strength (the control files never classified them).

use serde::{Deserialize, Serialize};

/// How a control relates to a requirement (NIST IR 8477 set theory), control first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Relationship {
    /// The control does part of what the requirement asks.
    Subset,
    /// They overlap; each has parts the other lacks.
    Intersect,
    /// The control does what the requirement asks, no more, no less.
    Equal,
    /// The control does all the requirement asks, and more.
    Superset,
}

impl Relationship {
    /// Its word: `subset`, `intersect`, `equal`, `superset`.
    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::Subset => "subset",
            Relationship::Intersect => "intersect",
            Relationship::Equal => "equal",
            Relationship::Superset => "superset",
        }
    }
}

/// A HIPAA implementation specification's designation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Specification {
    /// A standard that has its own implementation specifications.
    Standard,
    /// Must be implemented.
    Required,
    /// Implemented where reasonable and appropriate, or the decision documented.
    Addressable,
}

impl Specification {
    /// Its word.
    pub fn as_str(self) -> &'static str {
        match self {
            Specification::Standard => "standard",
            Specification::Required => "required",
            Specification::Addressable => "addressable",
        }
    }
}

/// One requirement of a framework (an ISO clause or Annex A control, an 800-53 control or
/// enhancement, a HIPAA standard or specification, a CSF subcategory, a TSC criterion).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// The framework's own id, e.g. `A.8.5`, `AC-2(1)`, `164.312(d)`, `PR.AA-01`.
    pub id: String,
    /// The heading it sits under.
    pub group: String,
    /// Its short name.
    pub title: String,
    /// What it asks, in a sentence or two.
    pub summary: String,
    /// HIPAA only: required, addressable, or a standard.
    #[serde(default)]
    pub specification: Option<Specification>,
}

/// A link from a default control to a requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// The default control's id.
    pub control: String,
    /// The requirement's id.
    pub requirement: String,
    /// The control relative to the requirement (none stated for SOC 2).
    #[serde(default)]
    pub relationship: Option<Relationship>,
    /// How much of the requirement the control satisfies, 1 to 10 (none stated for SOC 2).
    #[serde(default)]
    pub strength: Option<u8>,
    /// Why, in one line.
    pub rationale: String,
}

/// A control the default library could add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    /// A new control id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// What it would do.
    pub description: String,
}

/// Requirements the default library does not cover (or covers only in part), with what to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gap {
    /// The requirements.
    pub requirements: Vec<String>,
    /// What is missing.
    pub reason: String,
    /// The control that would close it.
    pub proposal: Proposal,
}

/// A framework with its requirements, links and gaps.
#[derive(Debug, Clone)]
pub struct Framework {
    /// Its id: `soc2`, `iso27001`, `nist-800-53-moderate`, `hipaa`, `csf2`.
    pub id: String,
    /// Its name.
    pub title: String,
    /// Who publishes it.
    pub publisher: String,
    /// Where its text comes from and what is ours.
    pub note: String,
    /// Every requirement, in the framework's order.
    pub requirements: Vec<Requirement>,
    /// Links from default controls, sorted by control then requirement order.
    pub links: Vec<Link>,
    /// Requirements not (fully) covered.
    pub gaps: Vec<Gap>,
}

impl Framework {
    /// The requirement with this id.
    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }

    /// Links to a requirement.
    pub fn links_to<'a>(&'a self, requirement: &'a str) -> impl Iterator<Item = &'a Link> {
        self.links
            .iter()
            .filter(move |l| l.requirement == requirement)
    }

    /// Links from a control.
    pub fn links_from<'a>(&'a self, control: &'a str) -> impl Iterator<Item = &'a Link> {
        self.links.iter().filter(move |l| l.control == control)
    }

    /// Gaps naming a requirement.
    pub fn gaps_for<'a>(&'a self, requirement: &'a str) -> impl Iterator<Item = &'a Gap> {
        self.gaps
            .iter()
            .filter(move |g| g.requirements.iter().any(|r| r == requirement))
    }
}

/// Ids of the frameworks Assay ships, in display order.
pub const IDS: &[&str] = &["soc2", "iso27001", "nist-800-53-moderate", "hipaa", "csf2"];

/// A framework catalog file (`data/frameworks/ID.yaml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CatalogFile {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub note: String,
    pub requirements: Vec<Requirement>,
}

/// A mapping file (`data/mappings/ID.yaml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MappingFile {
    pub framework: String,
    pub links: Vec<Link>,
    #[serde(default)]
    pub gaps: Vec<Gap>,
}

/// A requirement of a framework other than SOC 2, found by its id (exact, or ignoring case),
/// with its framework.
pub fn find<'a>(catalog: &'a crate::Catalog, id: &str) -> Option<(&'a Framework, &'a Requirement)> {
    let id = id.trim();
    let frameworks = || catalog.frameworks.iter().filter(|f| f.id != "soc2");
    frameworks()
        .find_map(|f| f.requirement(id).map(|r| (f, r)))
        .or_else(|| {
            frameworks().find_map(|f| {
                f.requirements
                    .iter()
                    .find(|r| r.id.eq_ignore_ascii_case(id))
                    .map(|r| (f, r))
            })
        })
}

/// A requirement as text: what it asks, the default controls mapped to it with their
/// relationship, strength and rationale, and any gap with its proposal.
pub fn describe(f: &Framework, r: &Requirement) -> String {
    let mut out = format!(
        "{} {}
{} · {}",
        r.id, r.title, f.title, r.group
    );
    if let Some(s) = r.specification {
        out.push_str(&format!(" · {}", s.as_str()));
    }
    out.push_str(&format!(
        "\n\n{}\n\nDefault controls mapped to it\n",
        r.summary.trim()
    ));
    let mut any = false;
    for l in f.links_to(&r.id) {
        any = true;
        let how = match (l.relationship, l.strength) {
            (Some(rel), Some(s)) => format!("{} {s}/10", rel.as_str()),
            _ => String::new(),
        };
        out.push_str(&format!(
            "  {:<7} {how:<14} {}\n",
            l.control,
            l.rationale.trim()
        ));
    }
    if !any {
        out.push_str("  (none)\n");
    }
    for g in f.gaps_for(&r.id) {
        out.push_str(&format!(
            "\nGap: {}\n  Proposed control {}: {}\n",
            g.reason.trim(),
            g.proposal.id,
            g.proposal.title.trim()
        ));
    }
    out
}
