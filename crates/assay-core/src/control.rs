//! A control: an activity of the service organization, mapped to criteria with a reason for
//! each link, and the tests an auditor performs on it.

use serde::{Deserialize, Serialize};

/// How often a control operates; drives sample sizes and expected occurrences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Frequency {
    /// Each time something happens (a hire, a change, an incident).
    Event,
    /// Enforced by a system all the time.
    Continuous,
    /// Once a day.
    Daily,
    /// Once a week.
    Weekly,
    /// Once a month.
    Monthly,
    /// Once a quarter.
    Quarterly,
    /// Once a year.
    Annual,
}

impl Frequency {
    /// Every value, as written in files.
    pub const NAMES: &'static str = "event, continuous, daily, weekly, monthly, quarterly, annual";
}

/// Whether a person or a system performs the control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Nature {
    /// Performed by a system; tested over the whole population.
    Automated,
    /// Performed by a person; tested on a sample.
    Manual,
}

/// What the control does about a risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlType {
    /// Stops the problem from happening.
    Preventive,
    /// Finds the problem after it happened.
    Detective,
    /// Restores the intended state after a problem.
    Corrective,
}

/// A control's link to one criterion, with the reason it addresses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionLink {
    /// The criterion id, e.g. `CC8.1`.
    pub id: String,
    /// One line on why this control addresses this criterion.
    pub rationale: String,
    /// Whether the criterion relies on this control (a key control), or the control only
    /// supports others (`key: false`). A criterion is met only when its key controls were
    /// tested and operated; where no link to a criterion says `key`, every one counts as key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<bool>,
    /// Controls whose failure this control compensates for, for this criterion: when one of
    /// them did not operate and this one did, the criterion can still be met.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compensates: Vec<String>,
}

/// A test of a control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestDef {
    /// Its id, e.g. `CHG-01.1`.
    pub id: String,
    /// What the tester inspects, observes or re-performs.
    pub procedure: String,
    /// SQL over the evidence tables selecting the population, when the test is automated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<String>,
    /// SQL boolean over each population row; rows where it is false are exceptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
    /// SQL text over each exception row saying what is wrong with it, in an auditor's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A timestamp column of the population: each row is one occurrence of a recurring
    /// control, checked against the calendar of the control's frequency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurrence: Option<String>,
    /// A timestamp column of the population saying when each row happened: it dates failing
    /// rows for the day-by-day history. Without it, the time column of an event table the
    /// population reads, when selected under that name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// How serious an exception of this test is (default medium).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Source roles the population can come from (`idp-log`, `cloud-audit-log`; see
    /// [`crate::source::ROLES`]): each one the company uses must cover the period before
    /// an empty population counts as clean.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

impl TestDef {
    /// A test with only an id and a procedure (performed by a person).
    pub fn manual(id: &str, procedure: &str) -> TestDef {
        TestDef {
            id: id.to_string(),
            procedure: procedure.to_string(),
            population: None,
            expect: None,
            reason: None,
            occurrence: None,
            at: None,
            severity: None,
            sources: Vec::new(),
        }
    }
}

/// How serious an exception is; orders findings and the remediation roadmap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Little effect on the criteria.
    Low,
    /// The default.
    Medium,
    /// A criterion is at risk.
    High,
    /// A criterion fails on one exception (e.g. root keys, logging stopped).
    Critical,
}

impl Severity {
    /// Every value, as written in files.
    pub const NAMES: &'static str = "low, medium, high, critical";

    /// The word used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// Guidance text shipped with a control: the fixed headings an auditor and an owner read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guidance {
    /// Why it matters: the risk it addresses.
    #[serde(default)]
    pub why: String,
    /// Evidence used to show it operates.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// What to do when it fails or is missing.
    #[serde(default)]
    pub remediation: String,
}

/// A control of the service organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Control {
    /// Stable id, e.g. `CHG-01`.
    pub id: String,
    /// One line saying what the control achieves.
    pub title: String,
    /// How it operates: who, what, with which system.
    pub description: String,
    /// The role that owns it.
    pub owner: String,
    /// How often it operates.
    pub frequency: Frequency,
    /// Automated or manual.
    pub nature: Nature,
    /// Preventive, detective or corrective.
    #[serde(rename = "type")]
    pub control_type: ControlType,
    /// The risk the auditor assessed for this control, which picks its sample size; `None`
    /// takes `[sampling] risk` of the workspace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<crate::Risk>,
    /// The criteria it addresses, each with a rationale.
    pub criteria: Vec<CriterionLink>,
    /// Its tests.
    pub tests: Vec<TestDef>,
    /// Why it matters, evidence, remediation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<Guidance>,
}

impl Control {
    /// The ids of the criteria this control is mapped to.
    pub fn criterion_ids(&self) -> impl Iterator<Item = &str> {
        self.criteria.iter().map(|l| l.id.as_str())
    }
}
