//! Concluding: where the examination stands (rules `E-*`), whether its matters are pervasive
//! (`P-*`), and the draft opinion (`O-*`). Deviations (criteria not met on the evidence
//! obtained) and scope limitations (criteria the evidence could not speak to) are kept apart
//! from here into the report.

use crate::assessment::{
    ControlOutcome, CriterionResult, CriterionVerdict, Engagement, EngagementState, Opinion,
    Remaining, Verdict,
};
use crate::judge::list;
use crate::rule::{OpinionKind, Rule};
use assay_core::EngineSettings;
use std::collections::BTreeSet;

/// The work a test's result leaves, when it leaves any.
fn work(test: &crate::assessment::TestOutcome) -> Option<String> {
    let what = match test.rule {
        Rule::TSamplePending => format!("record the sample's results in results/{}.yaml", test.id),
        Rule::TSampleAwaitsIpe => format!(
            "draw the sample once its population's source is tested (`assay sample {}`)",
            test.id
        ),
        Rule::TSampleExtend => format!("test the extended sample (results/{}.yaml)", test.id),
        Rule::TNoPopulation => format!(
            "record the population obtained from management (`population:` in results/{}.yaml), or give the test a population query",
            test.id
        ),
        Rule::TNoEvidence | Rule::TSourceGap => "obtain evidence that covers the period".into(),
        Rule::TError => "make the test run".into(),
        Rule::TDeviation => format!(
            "evaluate {} deviation{} (`evaluation:` in findings/F-{}.yaml)",
            test.exception_count,
            if test.exception_count == 1 { "" } else { "s" },
            test.id
        ),
        _ => return None,
    };
    Some(format!("{}: {what} ({})", test.id, test.rule))
}

/// The sources of information produced by the entity behind a test's population whose
/// completeness and accuracy is still to be tested.
fn ipe_work(test: &crate::assessment::TestOutcome) -> Vec<String> {
    test.provided
        .iter()
        .filter(|p| p.ipe.is_none())
        .map(|p| {
            format!(
                "{}: test the completeness and accuracy of {} and record it in ipe.yaml (information produced by the entity)",
                test.id, p.source
            )
        })
        .collect()
}

/// The state of the examination and, per criterion, the work left on its controls. With
/// `fieldwork_complete` the auditor has closed fieldwork: what is still not tested is then a
/// scope limitation, and the examination is ready for conclusion.
pub fn engagement(
    controls: &[ControlOutcome],
    criteria: &[CriterionVerdict],
    fieldwork_complete: bool,
) -> Engagement {
    if fieldwork_complete {
        return Engagement {
            state: EngagementState::ReadyForConclusion,
            rule: Rule::EReady,
            remaining: Vec::new(),
        };
    }
    let remaining: Vec<Remaining> = criteria
        .iter()
        .filter_map(|k| {
            let mut items = BTreeSet::new();
            for c in controls.iter().filter(|c| k.controls.contains(&c.id)) {
                if c.walkthrough.is_none() {
                    items.insert(format!(
                        "{}: walk through the control and record its design and implementation (walkthroughs/{}.yaml)",
                        c.id, c.id
                    ));
                }
                if c.tests.is_empty() {
                    items.insert(format!(
                        "{}: design and perform a test ({})",
                        c.id,
                        Rule::CNoTests
                    ));
                }
                items.extend(c.tests.iter().filter_map(work));
                items.extend(c.tests.iter().flat_map(ipe_work));
            }
            (!items.is_empty()).then(|| Remaining {
                criterion: k.id.clone(),
                work: items.into_iter().collect(),
            })
        })
        .collect();
    let started = controls
        .iter()
        .flat_map(|c| &c.tests)
        .any(|t| !matches!(t.result, Verdict::NotTested | Verdict::Error));
    let (state, rule) = match (started, remaining.is_empty()) {
        (_, true) => (EngagementState::ReadyForConclusion, Rule::EReady),
        (false, false) => (EngagementState::NotStarted, Rule::ENotStarted),
        (true, false) => (EngagementState::InProgress, Rule::EInProgress),
    };
    Engagement {
        state,
        rule,
        remaining,
    }
}

/// A criterion's series: `CC6` for CC6.1, `A1` for A1.2, `PI1` for PI1.3.
fn series(id: &str) -> &str {
    id.split('.').next().unwrap_or(id)
}

/// Whether `matters` (criterion ids, described as `what`) are pervasive, with the rule that
/// decided and the reasoning in a sentence.
fn pervasive(
    what: &str,
    matters: &[&CriterionVerdict],
    in_scope: &[CriterionVerdict],
    s: &EngineSettings,
) -> (bool, String) {
    let touched: BTreeSet<&str> = matters.iter().map(|k| series(&k.id)).collect();
    let touched_list: Vec<String> = touched.iter().map(|x| x.to_string()).collect();
    if touched.len() > s.pervasive_series as usize {
        return (
            true,
            format!(
                "The {what} touch {} criterion series ({}), more than {}: they are not confined to specific criteria, so they are pervasive ({}).",
                touched.len(),
                list(&touched_list),
                s.pervasive_series,
                Rule::PSeries
            ),
        );
    }
    let categories: BTreeSet<&str> = in_scope.iter().map(|k| k.category.as_str()).collect();
    for cat in categories {
        let total = in_scope.iter().filter(|k| k.category == cat).count();
        let hit = matters.iter().filter(|k| k.category == cat).count();
        // hit / total > share, in whole numbers of parts per million.
        let share_ppm = (s.pervasive_category_share * 1_000_000.0).round() as u128;
        if hit as u128 * 1_000_000 > share_ppm * total as u128 {
            return (
                true,
                format!(
                    "The {what} touch {hit} of the {total} {cat} criteria in scope, more than {}: a substantial part of the category, so they are pervasive ({}).",
                    crate::percent_rounded(share_ppm as usize, 1_000_000),
                    Rule::PCategory
                ),
            );
        }
    }
    let ids: Vec<String> = matters.iter().map(|k| k.id.clone()).collect();
    (
        false,
        format!(
            "The {what} are confined to {} (they touch {} criterion series, where more than {} would be pervasive, and no more than {} of any category's criteria): material, but not pervasive ({}).",
            list(&ids),
            touched.len(),
            s.pervasive_series,
            crate::percent_rounded(
                (s.pervasive_category_share * 1_000_000.0).round() as usize,
                1_000_000
            ),
            Rule::PConfined
        ),
    )
}

/// The draft opinion. Until the examination is ready for conclusion there is none, only the
/// matters found so far. Then: adverse when the deviations are pervasive; a disclaimer when
/// a scope limitation is (and no deviation is); qualified, except for the criteria touched,
/// when matters are material but not pervasive; unmodified otherwise.
pub fn opinion(
    criteria: &[CriterionVerdict],
    engagement: &Engagement,
    settings: &EngineSettings,
) -> Opinion {
    let not_met: Vec<&CriterionVerdict> = criteria
        .iter()
        .filter(|c| c.verdict == CriterionResult::NotMet)
        .collect();
    let not_tested: Vec<&CriterionVerdict> = criteria
        .iter()
        .filter(|c| c.verdict == CriterionResult::NotTested)
        .collect();
    let deviations: Vec<String> = not_met.iter().map(|c| c.statement.clone()).collect();
    let limitations: Vec<String> = not_tested.iter().map(|c| c.statement.clone()).collect();
    if engagement.state != EngagementState::ReadyForConclusion {
        let mut reasons = vec![format!(
            "The examination is {}: work remains on {} of the {} criteria in scope, so no opinion is formed yet.",
            engagement.state.as_str(),
            engagement.remaining.len(),
            criteria.len()
        )];
        reasons.extend(deviations.iter().cloned());
        return Opinion {
            kind: OpinionKind::InProgress,
            rule: Rule::OInProgress,
            reasons,
            except_for: Vec::new(),
            deviations,
            limitations,
            pervasiveness: Vec::new(),
        };
    }
    let mut pervasiveness = Vec::new();
    let mut judge = |what: &str, matters: &[&CriterionVerdict]| {
        if matters.is_empty() {
            return false;
        }
        let (yes, why) = pervasive(what, matters, criteria, settings);
        pervasiveness.push(why);
        yes
    };
    let deviations_pervasive = judge("deviations", &not_met);
    let limitations_pervasive = judge("scope limitations", &not_tested);
    let (kind, rule) = if deviations_pervasive {
        (OpinionKind::Adverse, Rule::OAdverse)
    } else if limitations_pervasive {
        (OpinionKind::Disclaimer, Rule::ODisclaimer)
    } else if !not_met.is_empty() || !not_tested.is_empty() {
        (OpinionKind::Qualified, Rule::OQualified)
    } else {
        (OpinionKind::Unmodified, Rule::OUnmodified)
    };
    let except_for: Vec<String> = if kind == OpinionKind::Qualified {
        criteria
            .iter()
            .filter(|c| c.verdict != CriterionResult::Met)
            .map(|c| c.id.clone())
            .collect()
    } else {
        Vec::new()
    };
    let mut reasons = pervasiveness.clone();
    reasons.extend(deviations.iter().cloned());
    reasons.extend(limitations.iter().cloned());
    if kind == OpinionKind::Unmodified {
        reasons.push(format!("All {} criteria in scope are met.", criteria.len()));
    }
    Opinion {
        kind,
        rule,
        reasons,
        except_for,
        deviations,
        limitations,
        pervasiveness,
    }
}
