//! The assessment: what `assay assess --json` prints (schema `assay.assessment/v1`,
//! documented in `docs/assessment.md`). Every list is sorted and nothing in it depends on
//! the clock, so the same evidence gives byte-identical output on any machine.

use crate::basis::TableBasis;
use crate::calendar::Slot;
use crate::manual::Outcome;
use crate::population::{Exception, Frozen};
use crate::rule::{FindingKind, OpinionKind, Rule};
use crate::triage::Triage;
use assay_core::{EngineSettings, Frequency, Nature, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The schema name and version written into every assessment.
pub const SCHEMA: &str = "assay.assessment/v1";

/// A test's or control's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Operated as designed: no exceptions.
    Effective,
    /// Deviations the sample tolerates, or deviations evaluated as isolated.
    ExceptionsNoted,
    /// Not tested: no evidence for the period, or results not yet recorded.
    NotTested,
    /// The test could not run (SQL error, bad results file).
    Error,
    /// Did not operate effectively.
    NotEffective,
}

impl Verdict {
    /// The word used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Effective => "effective",
            Verdict::ExceptionsNoted => "exceptions noted",
            Verdict::NotTested => "not tested",
            Verdict::Error => "error",
            Verdict::NotEffective => "not effective",
        }
    }
}

/// How a test was performed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Every row of the population checked by its expectation.
    Population,
    /// Occurrences checked against the control's calendar.
    Calendar,
    /// A sample tested by a person.
    Sample,
}

/// The occurrence calendar of a recurring control, as checked.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Calendar {
    /// Windows in which the control had to operate.
    pub expected: Vec<Slot>,
    /// How many had an occurrence.
    pub found: usize,
    /// Keys of the windows without one.
    pub missing: Vec<String>,
}

/// A sampled item and what the tester found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SampleItem {
    /// The population key.
    pub key: String,
    /// pass, fail, or none yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Outcome>,
    /// The tester's notes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// Evidence ids the tester cites.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// The attributes checked on this item (ids of the sample's `attributes`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub attributes: std::collections::BTreeMap<String, crate::manual::Tick>,
    /// Part of the extension after a deviation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub extension: bool,
}

/// A sample: how big, from which table row, which seed, which items.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sample {
    /// Items in the population it was drawn from.
    pub population: usize,
    /// The table and row that gave the size.
    pub basis: String,
    /// Items to test.
    pub size: usize,
    /// Items after an extension for one deviation.
    pub extended_size: usize,
    /// Whether the extension is in use.
    pub extended: bool,
    /// The seed.
    pub seed: String,
    /// `default` (derived from organization, period and test), `auditor's secret`, or the
    /// results file that records it.
    pub seed_from: String,
    /// Whether management could compute the selection in advance (the default seed).
    #[serde(default)]
    pub predictable: bool,
    /// The control's assessed risk that picked the size (`low` or `higher`).
    #[serde(default)]
    pub risk: String,
    /// The selection algorithm.
    pub algorithm: String,
    /// The selected items, in selection order.
    pub items: Vec<SampleItem>,
    /// Who tested it, when, and the results file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tester: Option<String>,
    /// Date of testing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tested_at: Option<String>,
    /// The results file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results_file: Option<String>,
    /// The second auditor who reviewed the work, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// Date of the review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<String>,
    /// The attributes checked on every item, by id.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub attributes: std::collections::BTreeMap<String, String>,
    /// The auditor's own conclusion, apart from the rule's statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<String>,
    /// The population the tester obtained from management, with its source and the
    /// completeness and accuracy procedure, when the test has no population query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obtained: Option<crate::manual::Obtained>,
}

/// A source of information produced by the entity behind a test's population, with the
/// completeness and accuracy procedure performed on it, when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provided {
    /// `KIND from SYSTEM`, as `ipe.yaml` names it.
    pub source: String,
    /// The procedure recorded in `ipe.yaml`; none while untested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipe: Option<crate::ipe::Ipe>,
}

/// What a test's evidence covers in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Span {
    /// Every table it reads is a snapshot taken on one date: the state on that date.
    PointInTime,
    /// Snapshots taken on several dates.
    SeveralPoints,
    /// Event tables (or an occurrence calendar) over the whole period.
    Period,
}

/// The test's coverage in time, so that a snapshot never concludes "for the period".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Point in time, several points, or the whole period.
    pub span: Span,
    /// The snapshots' dates (YYYY-MM-DD, sorted), for point-in-time coverage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub as_of: Vec<String>,
}

/// One test of a control, performed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TestOutcome {
    /// Test id.
    pub id: String,
    /// The procedure as written.
    pub procedure: String,
    /// How it was performed.
    pub method: Method,
    /// Its result.
    pub result: Verdict,
    /// The judgment rule that decided it.
    pub rule: Rule,
    /// A sentence an auditor can paste into a workpaper.
    pub statement: String,
    /// Severity of its exceptions.
    pub severity: Severity,
    /// The frozen population, when one was run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<Frozen>,
    /// What its evidence covers in time (point in time, several points, the period), for a
    /// test over the standard tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<Coverage>,
    /// The sources of information produced by the entity (imports, not collectors) the
    /// population was built from, each with its IPE procedure or none yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provided: Vec<Provided>,
    /// The calendar, for a recurring control's occurrences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<Calendar>,
    /// The sample, for a test a person performs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<Sample>,
    /// How many exceptions (the list holds the first 1,000).
    pub exception_count: usize,
    /// The exceptions.
    pub exceptions: Vec<Exception>,
    /// Failing rows per day they happened (UTC, `YYYY-MM-DD`), for a test whose population
    /// dates its rows: by its occurrence column, the time column of an event table it reads
    /// (`basis::event_time`), or `snapshot_at`; a calendar's missed window counts on its last
    /// day. Rows without a date are not counted here (`exception_count` counts them all).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub exception_days: BTreeMap<String, usize>,
    /// What the result rests on: snapshots after the period, missing evidence, errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A control and its tests.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ControlOutcome {
    /// Control id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Owner role.
    pub owner: String,
    /// Frequency.
    pub frequency: Frequency,
    /// Automated or manual.
    pub nature: Nature,
    /// Criteria it is mapped to.
    pub criteria: Vec<String>,
    /// Its result: the worst of its tests'.
    pub result: Verdict,
    /// The rule that decided it.
    pub rule: Rule,
    /// Its tests.
    pub tests: Vec<TestOutcome>,
    /// The walkthrough of its design and implementation, once recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub walkthrough: Option<crate::walkthrough::Walkthrough>,
}

/// A criterion's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CriterionResult {
    /// The mapped controls operated effectively.
    Met,
    /// A mapped control did not, or no control addresses it.
    NotMet,
    /// No mapped control could be tested.
    NotTested,
}

/// One criterion, judged.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CriterionVerdict {
    /// Criterion id.
    pub id: String,
    /// Its category.
    pub category: String,
    /// Met, not met, not tested.
    pub verdict: CriterionResult,
    /// The rule that decided it.
    pub rule: Rule,
    /// Why, in a sentence.
    pub statement: String,
    /// Controls mapped to it.
    pub controls: Vec<String>,
    /// The mapped controls it relies on (its key controls).
    #[serde(default)]
    pub key_controls: Vec<String>,
    /// Carve-outs, complementary user-entity controls, untested controls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<String>,
}

/// A finding: something a reader of the report must act on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    /// Stable id: `F-<test>` or `F-GAP-<criterion>`.
    pub id: String,
    /// not-effective, exceptions-noted, not-tested, error, design-gap.
    pub kind: FindingKind,
    /// Severity.
    pub severity: Severity,
    /// Criteria affected.
    pub criteria: Vec<String>,
    /// Control, when one is involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    /// Test, when one is involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<String>,
    /// The rule that raised it.
    pub rule: Rule,
    /// A sentence for the workpaper.
    pub statement: String,
    /// How many exceptions stand behind it.
    pub exception_count: usize,
    /// Their keys (the first 1,000).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exception_keys: Vec<String>,
    /// Evidence behind the exceptions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// What to do about it.
    pub remediation: String,
    /// The owner the control names.
    pub owner: String,
    /// Management's triage from `findings/<id>.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triage: Option<Triage>,
}

/// The draft opinion.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Opinion {
    /// in-progress (no opinion yet), unmodified, qualified, adverse, disclaimer.
    pub kind: OpinionKind,
    /// The rule that decided it.
    pub rule: Rule,
    /// Its reasons, one sentence each: the pervasiveness judgment, then the deviations, then
    /// the scope limitations.
    pub reasons: Vec<String>,
    /// The criteria a qualified opinion is given "except for".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except_for: Vec<String>,
    /// Deviations: criteria not met on the evidence obtained, one sentence each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deviations: Vec<String>,
    /// Scope limitations: criteria the evidence could not speak to, one sentence each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limitations: Vec<String>,
    /// Whether the deviations, and the limitations, are pervasive, with the rule and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pervasiveness: Vec<String>,
}

/// Where the examination stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EngagementState {
    /// No test has a result yet.
    NotStarted,
    /// Fieldwork remains: tests not yet performed, samples pending, deviations to evaluate.
    InProgress,
    /// Nothing remains (or the auditor closed fieldwork): the opinion can be concluded.
    ReadyForConclusion,
}

impl EngagementState {
    /// The words used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            EngagementState::NotStarted => "not started",
            EngagementState::InProgress => "in progress",
            EngagementState::ReadyForConclusion => "ready for conclusion",
        }
    }
}

/// The work left on one criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remaining {
    /// The criterion.
    pub criterion: String,
    /// What remains, one item per test or control, each naming its rule.
    pub work: Vec<String>,
}

/// The state of the examination and the work left, per criterion.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Engagement {
    /// Not started, in progress, ready for conclusion.
    pub state: EngagementState,
    /// The rule that decided it.
    pub rule: Rule,
    /// Work left, per criterion in catalog order (empty when ready).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remaining: Vec<Remaining>,
}

/// The ledger state the assessment was computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerHead {
    /// Entries in the ledger.
    pub size: u64,
    /// Merkle root of the entries (RFC 9162), hex.
    pub root: String,
}

/// The audit an assessment is for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Audit {
    /// type1 or type2.
    #[serde(rename = "type")]
    pub audit_type: String,
    /// First day.
    pub period_start: String,
    /// Last day (the as-of date of a Type I).
    pub period_end: String,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Tests by result.
    pub tests: BTreeMap<String, usize>,
    /// Controls by result.
    pub controls: BTreeMap<String, usize>,
    /// Criteria by verdict.
    pub criteria: BTreeMap<String, usize>,
    /// Findings by severity.
    pub findings: BTreeMap<String, usize>,
}

/// The whole assessment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Assessment {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The tool and version.
    pub generator: String,
    /// Version of the judgment rules.
    pub rules_version: String,
    /// Organization.
    pub organization: String,
    /// System.
    pub system: String,
    /// Type and period.
    pub audit: Audit,
    /// Categories in scope.
    pub categories: Vec<String>,
    /// Settings used.
    pub settings: EngineSettings,
    /// Parameters used in the tests' SQL (defaults and workspace values).
    pub parameters: BTreeMap<String, String>,
    /// The ledger checkpoint it was computed from.
    pub ledger: Option<LedgerHead>,
    /// What each standard table held.
    pub tables: BTreeMap<String, TableBasis>,
    /// Controls and their tests.
    pub controls: Vec<ControlOutcome>,
    /// Criteria verdicts.
    pub criteria: Vec<CriterionVerdict>,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// Findings files whose finding did not occur in this run.
    pub resolved_triage: Vec<Triage>,
    /// Where the examination stands, and the work left.
    pub engagement: Engagement,
    /// The draft opinion.
    pub opinion: Opinion,
    /// Counts.
    pub summary: Summary,
    /// The significant incidents of the period, for Section III of the draft report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub significant_incidents: Vec<crate::incidents::Incident>,
    /// Frameworks beside SOC 2 the workspace reports on, judged requirement by requirement
    /// from the same control results and rules ([`crate::framework`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frameworks: Vec<FrameworkResult>,
}

/// A framework beside SOC 2, judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkResult {
    /// Its id, e.g. `iso27001`.
    pub id: String,
    /// Its name.
    pub title: String,
    /// Every requirement, in the framework's order.
    pub requirements: Vec<RequirementVerdict>,
}

/// One requirement of a framework, judged with the criterion rules (K-GAP, K-NOT-EFFECTIVE,
/// K-MET, K-NOT-TESTED).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequirementVerdict {
    /// Its id, e.g. `A.8.5`.
    pub id: String,
    /// Its short name.
    pub title: String,
    /// The heading it sits under.
    pub group: String,
    /// What it asks, in a sentence or two.
    pub summary: String,
    /// HIPAA: standard, required or addressable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specification: Option<String>,
    /// Met, not met, not tested.
    pub verdict: CriterionResult,
    /// The rule that decided it.
    pub rule: Rule,
    /// Why, in a sentence.
    pub statement: String,
    /// The workspace's controls mapped to it.
    pub controls: Vec<String>,
    /// Exceptions noted, untested controls, and what the default library leaves uncovered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<String>,
    /// Where the default library covers it only in part or not at all: the proposed
    /// control and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap: Option<String>,
}
