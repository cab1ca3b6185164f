//! Judgment: deterministic rules, each with an id, from test results to control results,
//! criterion verdicts, findings and a draft opinion. `docs/assessment.md` lists the rules.

use crate::assessment::{
    ControlOutcome, CriterionResult, CriterionVerdict, Finding, Opinion, TestOutcome, Verdict,
};
use crate::rule::{FindingKind, OpinionKind, Rule};
use assay_core::{Criterion, Inventory, Severity};

/// Version of the rules below; bumped whenever one changes what it decides.
pub const RULES_VERSION: &str = "1";

/// Every rule: id and what it decides.
pub const RULES: &[(&str, &str)] = &[
    ("T-CLEAN", "every row of the population meets the expectation: effective"),
    ("T-EMPTY", "the evidence covers the period and the population is empty: effective, nothing to fail"),
    ("T-CRITICAL", "a critical test has at least one exception: not effective"),
    ("T-TOLERABLE", "exceptions are at most the tolerable rate of the population: exceptions noted"),
    ("T-RATE", "exceptions exceed the tolerable rate of the population: not effective"),
    ("T-NO-EVIDENCE", "a table the test reads has no evidence for the period: not tested"),
    ("T-SOURCE-GAP", "a source the test depends on, which the company uses, does not cover the period: not tested"),
    ("T-ERROR", "the population or expectation SQL failed: error"),
    ("T-SAMPLE-PENDING", "results are not recorded for every sampled item: not tested"),
    ("T-SAMPLE-CLEAN", "no deviation in the sample: effective"),
    ("T-SAMPLE-EXTEND", "one deviation and the sample not yet extended: not tested until the extension is tested"),
    ("T-SAMPLE-EXTENDED", "one deviation, and none more in the extended sample: exceptions noted"),
    ("T-SAMPLE-DEVIATIONS", "more than one deviation: not effective"),
    ("T-NO-POPULATION", "a manual test of an event-driven control without a population query: not tested"),
    ("C-NO-TESTS", "a control without tests cannot be shown to operate: not tested"),
    ("C-WORST", "a control's result is the worst of its tests' (not effective, error, not tested, exceptions noted, effective)"),
    ("K-GAP", "no control addresses the criterion: not met (design gap)"),
    ("K-NOT-EFFECTIVE", "a control mapped to the criterion is not effective: not met"),
    ("K-MET", "at least one mapped control operated effectively and none failed: met, with caveats for the rest"),
    ("K-NOT-TESTED", "no mapped control could be tested: not tested"),
    ("O-UNMODIFIED", "every criterion in scope is met: unmodified opinion"),
    ("O-QUALIFIED", "some criteria are not met or not tested, not pervasively: qualified opinion"),
    ("O-ADVERSE", "criteria not met exceed the pervasive share: adverse opinion"),
    ("O-DISCLAIMER", "criteria not tested exceed the pervasive share: disclaimer of opinion"),
];

/// Result of a whole-population (or calendar) test.
pub fn population(
    exceptions: usize,
    population: usize,
    severity: Severity,
    tolerable_rate: f64,
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
    // Compare exceptions / population with the rate in whole numbers of parts per million,
    // so the decision does not depend on floating-point rounding.
    let rate_ppm = (tolerable_rate * 1_000_000.0).round() as u128;
    if (exceptions as u128) * 1_000_000 <= rate_ppm * population.max(1) as u128 {
        (Verdict::ExceptionsNoted, Rule::TTolerable)
    } else {
        (Verdict::NotEffective, Rule::TRate)
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

/// Verdicts of the criteria in scope.
pub fn criteria(
    in_scope: &[&Criterion],
    controls: &[ControlOutcome],
    inventory: &Inventory,
) -> Vec<CriterionVerdict> {
    in_scope
        .iter()
        .map(|c| {
            let mapped: Vec<&ControlOutcome> = controls
                .iter()
                .filter(|o| o.criteria.iter().any(|id| id == &c.id))
                .collect();
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
                controls: mapped.iter().map(|o| o.id.clone()).collect(),
                caveats,
            }
        })
        .collect()
}

/// A requirement's verdict (a criterion, or a requirement of another framework) from the
/// results of the controls mapped to it: K-GAP, K-NOT-EFFECTIVE, K-MET or K-NOT-TESTED.
/// Exceptions noted and untested controls behind a met requirement become caveats.
pub fn requirement(
    id: &str,
    mapped: &[&ControlOutcome],
    caveats: &mut Vec<String>,
) -> (CriterionResult, Rule, String) {
    let ids = |keep: &dyn Fn(Verdict) -> bool| -> Vec<String> {
        mapped
            .iter()
            .filter(|o| keep(o.result))
            .map(|o| o.id.clone())
            .collect()
    };
    let failed = ids(&|v| v == Verdict::NotEffective);
    let worked = ids(&|v| matches!(v, Verdict::Effective | Verdict::ExceptionsNoted));
    let untested = ids(&|v| matches!(v, Verdict::NotTested | Verdict::Error));
    if mapped.is_empty() {
        (
            CriterionResult::NotMet,
            Rule::KGap,
            format!("No control in the workspace addresses {id}."),
        )
    } else if !failed.is_empty() {
        (
            CriterionResult::NotMet,
            Rule::KNotEffective,
            format!(
                "{id} is not met: {} did not operate effectively.",
                list(&failed)
            ),
        )
    } else if !worked.is_empty() {
        let noted = ids(&|v| v == Verdict::ExceptionsNoted);
        if !noted.is_empty() {
            caveats.push(format!("exceptions noted in {}", list(&noted)));
        }
        if !untested.is_empty() {
            caveats.push(format!("not tested: {}", list(&untested)));
        }
        (
            CriterionResult::Met,
            Rule::KMet,
            format!("{id} is met: {} operated effectively.", list(&worked)),
        )
    } else {
        (
            CriterionResult::NotTested,
            Rule::KNotTested,
            format!(
                "{id} could not be tested: no evidence or results for {}.",
                list(&untested)
            ),
        )
    }
}

fn list(ids: &[String]) -> String {
    match ids {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The draft opinion from the criterion verdicts.
pub fn opinion(criteria: &[CriterionVerdict], pervasive_share: f64) -> Opinion {
    let n = criteria.len().max(1);
    let not_met: Vec<&CriterionVerdict> = criteria
        .iter()
        .filter(|c| c.verdict == CriterionResult::NotMet)
        .collect();
    let not_tested: Vec<&CriterionVerdict> = criteria
        .iter()
        .filter(|c| c.verdict == CriterionResult::NotTested)
        .collect();
    let pervasive = |k: usize| (k as f64) > pervasive_share * n as f64;
    let mut reasons: Vec<String> = not_met
        .iter()
        .chain(&not_tested)
        .map(|c| c.statement.clone())
        .collect();
    let (kind, rule) = if pervasive(not_tested.len()) {
        reasons.insert(0, format!(
            "{} of {} criteria could not be tested, more than the pervasive share of {:.0}%: the scope limitation is pervasive.",
            not_tested.len(), criteria.len(), pervasive_share * 100.0
        ));
        (OpinionKind::Disclaimer, Rule::ODisclaimer)
    } else if pervasive(not_met.len()) {
        reasons.insert(
            0,
            format!(
                "{} of {} criteria are not met, more than the pervasive share of {:.0}%.",
                not_met.len(),
                criteria.len(),
                pervasive_share * 100.0
            ),
        );
        (OpinionKind::Adverse, Rule::OAdverse)
    } else if !not_met.is_empty() || !not_tested.is_empty() {
        reasons.insert(0, format!(
            "{} criteria not met and {} not tested of {}; the effect is material but not pervasive.",
            not_met.len(), not_tested.len(), criteria.len()
        ));
        (OpinionKind::Qualified, Rule::OQualified)
    } else {
        reasons.push(format!("All {} criteria in scope are met.", criteria.len()));
        (OpinionKind::Unmodified, Rule::OUnmodified)
    };
    Opinion {
        kind,
        rule,
        reasons,
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

    #[test]
    fn population_rules() {
        assert_eq!(population(0, 0, Severity::Medium, 0.05).1, "T-EMPTY");
        assert_eq!(population(0, 10, Severity::Medium, 0.05).1, "T-CLEAN");
        assert_eq!(population(1, 10, Severity::Critical, 0.05).1, "T-CRITICAL");
        assert_eq!(population(5, 100, Severity::Medium, 0.05).1, "T-TOLERABLE");
        assert_eq!(population(6, 100, Severity::Medium, 0.05).1, "T-RATE");
        assert_eq!(population(1, 1, Severity::Low, 0.05).1, "T-RATE");
    }

    #[test]
    fn sample_rules() {
        assert_eq!(sample(0, false).0, Verdict::Effective);
        assert_eq!(sample(1, false).0, Verdict::NotTested);
        assert_eq!(sample(1, true).0, Verdict::ExceptionsNoted);
        assert_eq!(sample(2, true).0, Verdict::NotEffective);
    }
}
