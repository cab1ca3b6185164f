//! Judgment: deterministic rules, each with an id, from test results to control results,
//! criterion verdicts and findings ([`crate::conclude`] goes on to the engagement's state and
//! the draft opinion). `docs/assessment.md` lists the rules.

use crate::assessment::{
    ControlOutcome, CriterionResult, CriterionVerdict, Finding, TestOutcome, Verdict,
};
use crate::rule::{FindingKind, Rule};
use crate::triage::{Evaluation, Extent};
use assay_core::{Control, Criterion, Inventory, Severity};

/// Version of the rules below; bumped whenever one changes what it decides.
pub const RULES_VERSION: &str = "2";

/// Every rule: id and what it decides.
pub const RULES: &[(&str, &str)] = &[
    ("T-CLEAN", "every row of the population meets the expectation: effective"),
    ("T-EMPTY", "the evidence covers the period and the population is empty: effective, nothing to fail"),
    ("T-CRITICAL", "a critical test has at least one deviation: not effective"),
    ("T-DEVIATION", "a whole-population or calendar test found deviations not yet evaluated: not effective until `evaluation` in the finding's file says isolated (a whole population has no sampling risk, so no tolerable rate applies)"),
    ("T-DEVIATION-ISOLATED", "the deviations were evaluated as isolated (one cause, confined to the items found): exceptions noted, every deviation listed"),
    ("T-DEVIATION-SYSTEMIC", "the deviations were evaluated as systemic: not effective"),
    ("T-NO-EVIDENCE", "a table the test reads has no evidence for the period: not tested"),
    ("T-SOURCE-GAP", "a source the test depends on, which the company uses, does not cover the period: not tested"),
    ("T-ERROR", "the population or expectation SQL failed: error"),
    ("T-SAMPLE-PENDING", "results are not recorded for every sampled item: not tested"),
    ("T-SAMPLE-AWAITS-IPE", "the population is frozen, but it rests on information produced by the entity whose completeness and accuracy is not yet tested (`ipe.yaml`): no sample is selected from it until the source is tested, so the client cannot see the selection before the population is relied on: not tested"),
    ("T-SAMPLE-CLEAN", "no deviation in the sample: effective"),
    ("T-SAMPLE-EXTEND", "one deviation and the sample not yet extended: not tested until the extension is tested"),
    ("T-SAMPLE-EXTENDED", "one deviation, and none more in the extended sample: exceptions noted"),
    ("T-SAMPLE-DEVIATIONS", "more than one deviation: not effective"),
    ("T-NO-POPULATION", "a manual test of an event-driven or continuous control with neither a population query nor a population the tester obtained (`population` in its results file): not tested"),
    ("T-IPE-UNTESTED", "fieldwork is closed and the population rests on information produced by the entity (an import) whose completeness and accuracy was never tested (`ipe.yaml`): not tested, a scope limitation; while fieldwork is open, the untested source is work left"),
    ("C-NO-TESTS", "a control without tests cannot be shown to operate: not tested"),
    ("C-WORST", "a control's result is the worst of its tests' (not effective, error, not tested, exceptions noted, effective)"),
    ("C-DESIGN-DEFICIENT", "the walkthrough (`walkthroughs/<CONTROL>.yaml`) found the design deficient or the control not implemented: not effective, whatever its tests found"),
    ("K-GAP", "no control addresses the criterion: not met (design gap)"),
    ("K-NOT-EFFECTIVE", "a key control did not operate effectively and no control compensating for it did: not met"),
    ("K-COMPENSATED", "each key control that did not operate is compensated by one that did, and the other key controls operated: met, with the reasoning"),
    ("K-MET", "every key control was tested and operated (effective, or exceptions noted): met; supporting controls' results become caveats"),
    ("K-NOT-TESTED", "a key control could not be tested, and none failed without compensation: not tested"),
    ("E-NOT-STARTED", "no test has a result yet: examination not started"),
    ("E-IN-PROGRESS", "tests remain to be performed, samples to be tested, deviations to be evaluated, sources of information produced by the entity to be tested, or controls to be walked through: examination in progress"),
    ("E-READY", "no work remains, or the auditor closed fieldwork (`fieldwork_complete`): ready for conclusion"),
    ("P-SERIES", "the matters touch more criterion series (CC1 to CC9, A1, C1, PI1, P1 to P8) than `pervasive_series`: not confined, so pervasive"),
    ("P-CATEGORY", "the matters touch more than `pervasive_category_share` of one category's criteria in scope: a substantial part of it, so pervasive"),
    ("P-CONFINED", "the matters are confined to the criteria they touch: material, not pervasive"),
    ("O-IN-PROGRESS", "the examination is not ready for conclusion: no opinion, only the matters found so far and the work left"),
    ("O-UNMODIFIED", "every criterion in scope is met: unmodified opinion"),
    ("O-QUALIFIED", "deviations or scope limitations that are not pervasive: qualified opinion, except for the criteria they touch"),
    ("O-ADVERSE", "the deviations are pervasive: adverse opinion"),
    ("O-DISCLAIMER", "no pervasive deviation, but a pervasive scope limitation that fieldwork could not resolve: disclaimer of opinion"),
];

/// Result of a whole-population (or calendar) test: every deviation counts, and only the
/// auditor's evaluation of them (`evaluation` in the finding's file) can make a test with
/// deviations "exceptions noted".
pub fn population(
    exceptions: usize,
    population: usize,
    severity: Severity,
    evaluation: Option<&Evaluation>,
) -> (Verdict, Rule) {
    if exceptions == 0 {
        return if population == 0 {
            (Verdict::Effective, Rule::TEmpty)
        } else {
            (Verdict::Effective, Rule::TClean)
        };
    }
    if severity == Severity::Critical {
        return (Verdict::NotEffective, Rule::TCritical);
    }
    match evaluation.map(|e| e.extent) {
        None => (Verdict::NotEffective, Rule::TDeviation),
        Some(Extent::Isolated) => (Verdict::ExceptionsNoted, Rule::TDeviationIsolated),
        Some(Extent::Systemic) => (Verdict::NotEffective, Rule::TDeviationSystemic),
    }
}

/// Result of a sampled test from its deviations.
pub fn sample(deviations: usize, extended: bool) -> (Verdict, Rule) {
    match (deviations, extended) {
        (0, _) => (Verdict::Effective, Rule::TSampleClean),
        (1, false) => (Verdict::NotTested, Rule::TSampleExtend),
        (1, true) => (Verdict::ExceptionsNoted, Rule::TSampleExtended),
        _ => (Verdict::NotEffective, Rule::TSampleDeviations),
    }
}

/// A control's result from its tests.
pub fn control(tests: &[TestOutcome]) -> (Verdict, Rule) {
    let worst = tests.iter().map(|t| t.result).max();
    match worst {
        None => (Verdict::NotTested, Rule::CNoTests),
        Some(v) => (v, Rule::CWorst),
    }
}

/// A control mapped to a criterion (or another framework's requirement), as judgment sees
/// it: its result, whether the criterion relies on it, and whose failure it compensates for.
#[derive(Debug, Clone, Copy)]
pub struct Mapped<'a> {
    /// The control's result.
    pub outcome: &'a ControlOutcome,
    /// A key control (the criterion relies on it), or a supporting one.
    pub key: bool,
    /// Controls whose failure this one compensates for, for this criterion.
    pub compensates: &'a [String],
}

impl<'a> Mapped<'a> {
    /// Every control as a key control, compensating for none (frameworks beside SOC 2).
    pub fn all_key(outcomes: &[&'a ControlOutcome]) -> Vec<Mapped<'a>> {
        outcomes
            .iter()
            .copied()
            .map(|o| Mapped {
                outcome: o,
                key: true,
                compensates: &[],
            })
            .collect()
    }
}

/// The controls mapped to criterion `id`, with their link attributes from the workspace:
/// where no link to the criterion says `key`, every mapped control counts as key.
fn mapped_to<'a>(id: &str, controls: &'a [ControlOutcome], defs: &'a [Control]) -> Vec<Mapped<'a>> {
    let link = |o: &ControlOutcome| -> Option<&'a assay_core::CriterionLink> {
        defs.iter()
            .find(|d| d.id == o.id)
            .and_then(|d| d.criteria.iter().find(|l| l.id == id))
    };
    let mut out: Vec<Mapped<'a>> = controls
        .iter()
        .filter(|o| o.criteria.iter().any(|c| c == id))
        .map(|o| {
            let l = link(o);
            Mapped {
                outcome: o,
                key: l.and_then(|l| l.key).unwrap_or(true),
                compensates: l.map_or(&[][..], |l| l.compensates.as_slice()),
            }
        })
        .collect();
    if !out.iter().any(|m| m.key) {
        for m in &mut out {
            m.key = true;
        }
    }
    out
}

/// Verdicts of the criteria in scope: every mapped control is weighed as key or supporting
/// (from the workspace's links `defs`), with compensating controls and the carve-outs and
/// complementary user entity controls the criterion depends on.
pub fn criteria(
    in_scope: &[&Criterion],
    controls: &[ControlOutcome],
    defs: &[Control],
    inventory: &Inventory,
) -> Vec<CriterionVerdict> {
    in_scope
        .iter()
        .map(|c| {
            let mapped = mapped_to(&c.id, controls, defs);
            let mut caveats = Vec::new();
            for v in &inventory.vendors {
                if v.method.as_deref() == Some("carve-out") {
                    for csoc in &v.csocs {
                        if csoc.criteria.iter().any(|x| x == &c.id) {
                            caveats.push(format!(
                                "relies on {} (carved out) for {}: {}",
                                v.name, csoc.id, csoc.description
                            ));
                        }
                    }
                }
            }
            for cuec in &inventory.cuecs {
                if cuec.criteria.iter().any(|x| x == &c.id) {
                    caveats.push(format!(
                        "assumes user entities operate {}: {}",
                        cuec.id, cuec.description
                    ));
                }
            }
            let (verdict, rule, statement) = requirement(&c.id, &mapped, &mut caveats);
            CriterionVerdict {
                id: c.id.clone(),
                category: c.category.to_string(),
                verdict,
                rule,
                statement,
                controls: mapped.iter().map(|m| m.outcome.id.clone()).collect(),
                key_controls: mapped
                    .iter()
                    .filter(|m| m.key)
                    .map(|m| m.outcome.id.clone())
                    .collect(),
                caveats,
            }
        })
        .collect()
}

fn operated(v: Verdict) -> bool {
    matches!(v, Verdict::Effective | Verdict::ExceptionsNoted)
}

/// A requirement's verdict (a criterion, or a requirement of another framework) from the
/// controls mapped to it: K-GAP, K-NOT-EFFECTIVE, K-NOT-TESTED, K-COMPENSATED or K-MET. What
/// the verdict does not rest on (supporting controls, exceptions noted) becomes a caveat.
pub fn requirement(
    id: &str,
    mapped: &[Mapped<'_>],
    caveats: &mut Vec<String>,
) -> (CriterionResult, Rule, String) {
    if mapped.is_empty() {
        return (
            CriterionResult::NotMet,
            Rule::KGap,
            format!("No control in the workspace addresses {id}."),
        );
    }
    let ids = |keep: &dyn Fn(&Mapped<'_>) -> bool| -> Vec<String> {
        mapped
            .iter()
            .filter(|m| keep(m))
            .map(|m| m.outcome.id.clone())
            .collect()
    };
    // Key controls that did not operate, each with the controls that compensate for it.
    let mut compensated: Vec<(String, Vec<String>)> = Vec::new();
    let mut uncompensated = Vec::new();
    for k in mapped
        .iter()
        .filter(|m| m.key && m.outcome.result == Verdict::NotEffective)
    {
        let by = ids(&|m| {
            m.outcome.id != k.outcome.id
                && operated(m.outcome.result)
                && m.compensates.contains(&k.outcome.id)
        });
        if by.is_empty() {
            uncompensated.push(k.outcome.id.clone());
        } else {
            compensated.push((k.outcome.id.clone(), by));
        }
    }
    let untested =
        ids(&|m| m.key && matches!(m.outcome.result, Verdict::NotTested | Verdict::Error));
    let supporting_failed = ids(&|m| !m.key && m.outcome.result == Verdict::NotEffective);
    let supporting_untested =
        ids(&|m| !m.key && matches!(m.outcome.result, Verdict::NotTested | Verdict::Error));
    let noted = ids(&|m| m.outcome.result == Verdict::ExceptionsNoted);
    if !supporting_failed.is_empty() {
        caveats.push(format!(
            "supporting control{} {} did not operate effectively; the criterion does not rest on {}",
            plural(supporting_failed.len()),
            list(&supporting_failed),
            if supporting_failed.len() == 1 { "it" } else { "them" }
        ));
    }
    if !supporting_untested.is_empty() {
        caveats.push(format!(
            "supporting control{} not tested: {}",
            plural(supporting_untested.len()),
            list(&supporting_untested)
        ));
    }
    if !noted.is_empty() {
        caveats.push(format!("exceptions noted in {}", list(&noted)));
    }
    let keys = ids(&|m| m.key);
    if !uncompensated.is_empty() {
        return (
            CriterionResult::NotMet,
            Rule::KNotEffective,
            format!(
                "{id} is not met: key control{} {} did not operate effectively, and no control compensates for {}.",
                plural(uncompensated.len()),
                list(&uncompensated),
                if uncompensated.len() == 1 { "it" } else { "them" }
            ),
        );
    }
    if !untested.is_empty() {
        return (
            CriterionResult::NotTested,
            Rule::KNotTested,
            format!(
                "{id} cannot be concluded: key control{} {} could not be tested.",
                plural(untested.len()),
                list(&untested)
            ),
        );
    }
    if !compensated.is_empty() {
        let how: Vec<String> = compensated
            .iter()
            .map(|(k, by)| {
                format!(
                    "{k} did not operate effectively, but {} compensating for it did",
                    list(by)
                )
            })
            .collect();
        return (
            CriterionResult::Met,
            Rule::KCompensated,
            format!("{id} is met: {}.", how.join("; ")),
        );
    }
    (
        CriterionResult::Met,
        Rule::KMet,
        format!(
            "{id} is met: key control{} {} operated effectively.",
            plural(keys.len()),
            list(&keys)
        ),
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub(crate) fn list(ids: &[String]) -> String {
    match ids {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Findings from tests and criteria, most severe first, then by id.
pub fn findings(
    controls: &[ControlOutcome],
    criteria: &[CriterionVerdict],
    remediation: &dyn Fn(&str) -> String,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in controls {
        for t in &c.tests {
            let (kind, severity) = match t.result {
                Verdict::Effective => continue,
                Verdict::ExceptionsNoted => (FindingKind::ExceptionsNoted, lower(t.severity)),
                Verdict::NotEffective => (FindingKind::NotEffective, t.severity),
                Verdict::NotTested => (FindingKind::NotTested, Severity::Medium),
                Verdict::Error => (FindingKind::Error, Severity::Medium),
            };
            let mut evidence: Vec<String> = t
                .exceptions
                .iter()
                .flat_map(|e| e.evidence.iter().cloned())
                .collect();
            evidence.sort();
            evidence.dedup();
            out.push(Finding {
                id: format!("F-{}", t.id),
                kind,
                severity,
                criteria: c.criteria.clone(),
                control: Some(c.id.clone()),
                test: Some(t.id.clone()),
                rule: t.rule,
                statement: t.statement.clone(),
                exception_count: t.exception_count,
                exception_keys: t.exceptions.iter().map(|e| e.key.clone()).collect(),
                evidence,
                remediation: remediation(&c.id),
                owner: c.owner.clone(),
                triage: None,
            });
        }
    }
    for k in criteria {
        if k.rule == Rule::KGap {
            out.push(Finding {
                id: format!("F-GAP-{}", k.id),
                kind: FindingKind::DesignGap,
                severity: Severity::High,
                criteria: vec![k.id.clone()],
                control: None,
                test: None,
                rule: Rule::KGap,
                statement: k.statement.clone(),
                exception_count: 0,
                exception_keys: Vec::new(),
                evidence: Vec::new(),
                remediation: format!(
                    "Design a control for {} (`assay catalog show {}` lists the library's), add it under controls/, and collect its evidence.",
                    k.id, k.id
                ),
                owner: String::new(),
                triage: None,
            });
        }
    }
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
    out
}

fn lower(s: Severity) -> Severity {
    match s {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        _ => Severity::Low,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluated(extent: Extent) -> Evaluation {
        Evaluation {
            extent,
            cause: "one engineer during an outage".into(),
            by: None,
            on: None,
        }
    }

    /// No rate decides a whole-population test: one deviation in 229 is not effective until
    /// evaluated, whatever the population's size.
    #[test]
    fn population_rules() {
        assert_eq!(population(0, 0, Severity::Medium, None).1, "T-EMPTY");
        assert_eq!(population(0, 10, Severity::Medium, None).1, "T-CLEAN");
        assert_eq!(population(1, 10, Severity::Critical, None).1, "T-CRITICAL");
        assert_eq!(
            population(1, 229, Severity::Medium, None),
            (Verdict::NotEffective, Rule::TDeviation)
        );
        assert_eq!(
            population(1, 17, Severity::Medium, None),
            population(1, 204, Severity::Medium, None)
        );
        let iso = evaluated(Extent::Isolated);
        assert_eq!(
            population(1, 229, Severity::Medium, Some(&iso)),
            (Verdict::ExceptionsNoted, Rule::TDeviationIsolated)
        );
        let sys = evaluated(Extent::Systemic);
        assert_eq!(
            population(1, 229, Severity::Medium, Some(&sys)),
            (Verdict::NotEffective, Rule::TDeviationSystemic)
        );
        assert_eq!(
            population(1, 10, Severity::Critical, Some(&iso)).1,
            "T-CRITICAL"
        );
    }

    #[test]
    fn sample_rules() {
        assert_eq!(sample(0, false).0, Verdict::Effective);
        assert_eq!(sample(1, false).0, Verdict::NotTested);
        assert_eq!(sample(1, true).0, Verdict::ExceptionsNoted);
        assert_eq!(sample(2, true).0, Verdict::NotEffective);
    }
}
