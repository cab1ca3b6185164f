//! The readiness report: how close the organization is to a clean SOC 2 report, by category
//! and criterion series, with design gaps, evidence gaps, failing tests and their exception
//! rows, and a remediation roadmap ordered by severity and criterion weight.

use crate::doc::{Block, Doc};
use crate::{charts, history, Context};
use assay_engine::assessment::{CriterionResult, Finding, TestOutcome, Verdict};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Exception rows shown per failing test (the workpapers hold them all).
const ROWS_SHOWN: usize = 10;

/// One roadmap step.
#[derive(Debug, Clone)]
pub struct Step<'a> {
    /// The finding.
    pub finding: &'a Finding,
    /// Criteria in scope it affects that are not met or not tested.
    pub weight: usize,
}

/// The roadmap: findings by severity, then by how many unmet criteria they touch, then id.
pub fn roadmap<'a>(cx: &Context<'a>) -> Vec<Step<'a>> {
    let open: Vec<&str> = cx
        .assessment
        .criteria
        .iter()
        .filter(|k| k.verdict != CriterionResult::Met)
        .map(|k| k.id.as_str())
        .collect();
    let mut steps: Vec<Step<'a>> = cx
        .assessment
        .findings
        .iter()
        .map(|f| Step {
            finding: f,
            weight: f
                .criteria
                .iter()
                .filter(|c| open.contains(&c.as_str()))
                .count(),
        })
        .collect();
    steps.sort_by(|a, b| {
        b.finding
            .severity
            .cmp(&a.finding.severity)
            .then(b.weight.cmp(&a.weight))
            .then_with(|| a.finding.id.cmp(&b.finding.id))
    });
    steps
}

fn counts(cx: &Context<'_>, category: Option<&str>, series: Option<&str>) -> (usize, usize, usize) {
    charts::counts(cx.assessment, category, series)
}

pub use crate::charts::series_of;

fn series_list(cx: &Context<'_>) -> Vec<String> {
    charts::series_list(cx.assessment)
}

fn failing<'a>(cx: &Context<'a>) -> Vec<&'a TestOutcome> {
    cx.assessment
        .controls
        .iter()
        .flat_map(|c| &c.tests)
        .filter(|t| matches!(t.result, Verdict::NotEffective | Verdict::ExceptionsNoted))
        .collect()
}

fn evidence_gaps(cx: &Context<'_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for c in &cx.assessment.controls {
        let reasons: Vec<&str> = c
            .tests
            .iter()
            .filter(|t| t.rule == "T-NO-EVIDENCE")
            .map(|t| t.statement.as_str())
            .collect();
        if !reasons.is_empty() && c.tests.iter().all(|t| t.result == Verdict::NotTested) {
            out.push((
                c.id.clone(),
                reasons[0].trim_start_matches("Not tested: ").to_string(),
            ));
        }
    }
    out
}

fn stale(cx: &Context<'_>) -> Vec<(String, String)> {
    cx.assessment
        .tables
        .iter()
        .filter_map(|(name, t)| {
            t.gap
                .as_ref()
                .filter(|g| {
                    g.contains("predates") || g.contains("stops at") || g.contains("start at")
                })
                .map(|g| (name.clone(), g.clone()))
        })
        .collect()
}

fn short(h: &str) -> String {
    h.chars().take(12).collect()
}

/// The report as a document.
pub fn doc(cx: &Context<'_>) -> Doc {
    let a = cx.assessment;
    let in_scope = a.criteria.len();
    let (met, not_met, not_tested) = counts(cx, None, None);
    let mut b = vec![Block::Heading(1, "Summary".into())];
    if cx.evidence_count == 0 {
        b.push(Block::Notice(
            "There is no evidence for the tests yet (nothing in the locker fills the evidence tables), so no test could be performed: every result below is \"not tested\", and the readiness figures only show the design. Import exports (assay evidence import) or run the collectors (assay collect), then run assay report readiness again.".into(),
        ));
    }
    b.push(Block::Facts(vec![
        (
            "Readiness".into(),
            format!(
                "{met} of {in_scope} criteria met ({}%)",
                met * 100 / in_scope.max(1)
            ),
        ),
        (
            "Criteria".into(),
            format!("{met} met, {not_met} not met, {not_tested} not tested"),
        ),
        (
            "Tests".into(),
            a.summary
                .tests
                .iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "Findings".into(),
            format!(
                "{} ({})",
                a.findings.len(),
                a.summary
                    .findings
                    .iter()
                    .rev()
                    .map(|(k, v)| format!("{v} {k}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        (
            "Examination".into(),
            format!(
                "{} (rule {}); work remains on {} criteria",
                a.engagement.state.as_str(),
                a.engagement.rule,
                a.engagement.remaining.len()
            ),
        ),
        (
            "Draft opinion if audited today".into(),
            format!("{} (rule {})", a.opinion.kind, a.opinion.rule),
        ),
        (
            "Evidence".into(),
            format!(
                "{} pieces in the locker{}",
                cx.evidence_count,
                a.ledger
                    .as_ref()
                    .map(|l| format!("; ledger size {}, root {}", l.size, short(&l.root)))
                    .unwrap_or_default()
            ),
        ),
    ]));
    b.push(Block::List(
        a.opinion.reasons.iter().take(6).cloned().collect(),
    ));

    b.push(Block::Heading(1, "Readiness by category".into()));
    let bars = charts::by_category(a);
    let table: Vec<Vec<String>> = bars
        .rows
        .iter()
        .map(|(c, m, n, t)| {
            vec![
                c.clone(),
                m.to_string(),
                n.to_string(),
                t.to_string(),
                format!("{}%", m * 100 / (m + n + t).max(1)),
            ]
        })
        .collect();
    b.push(Block::Chart {
        svg: bars.svg,
        alt: bars.alt,
    });
    b.push(Block::Table {
        header: vec![
            "category".into(),
            "met".into(),
            "not met".into(),
            "not tested".into(),
            "readiness".into(),
        ],
        rows: table,
    });

    b.push(Block::Heading(1, "Readiness by criterion series".into()));
    let heat = charts::by_series(a);
    b.push(Block::Chart {
        svg: heat.svg,
        alt: heat.alt,
    });
    let series_rows: Vec<Vec<String>> = heat
        .rows
        .iter()
        .map(|(s, m, n, t)| vec![s.clone(), m.to_string(), n.to_string(), t.to_string()])
        .collect();
    b.push(Block::Table {
        header: vec![
            "series".into(),
            "met".into(),
            "not met".into(),
            "not tested".into(),
        ],
        rows: series_rows,
    });

    b.push(Block::Heading(1, "Design gaps".into()));
    let gaps: Vec<String> = a
        .criteria
        .iter()
        .filter(|k| k.rule == "K-GAP")
        .map(|k| format!("{}: {}", k.id, k.statement))
        .collect();
    if gaps.is_empty() {
        b.push(Block::Para(
            "Every criterion in scope is addressed by at least one control.".into(),
        ));
    } else {
        b.push(Block::List(gaps));
    }

    frameworks_section(cx, &mut b);

    b.push(Block::Heading(1, "Controls without evidence".into()));
    let ev = evidence_gaps(cx);
    if ev.is_empty() {
        b.push(Block::Para(
            "Every control with an automated test has evidence for the period.".into(),
        ));
    } else {
        b.push(Block::Table {
            header: vec!["control".into(), "why it could not be tested".into()],
            rows: ev.into_iter().map(|(c, r)| vec![c, r]).collect(),
        });
    }
    let st = stale(cx);
    if !st.is_empty() {
        b.push(Block::Heading(2, "Stale or incomplete evidence".into()));
        b.push(Block::Table {
            header: vec!["table".into(), "problem".into()],
            rows: st.into_iter().map(|(t, g)| vec![t, g]).collect(),
        });
    }

    operation_section(cx, &mut b);

    b.push(Block::Heading(1, "Failing tests".into()));
    let fails = failing(cx);
    if fails.is_empty() {
        b.push(Block::Para("No test found exceptions.".into()));
    }
    for t in fails {
        b.push(Block::Heading(
            2,
            format!(
                "{} — {} ({} exceptions)",
                t.id,
                t.result.as_str(),
                t.exception_count
            ),
        ));
        b.push(Block::Para(t.statement.clone()));
        let rows = t
            .exceptions
            .iter()
            .take(ROWS_SHOWN)
            .map(|e| {
                vec![
                    e.key.clone(),
                    e.reason.clone(),
                    e.evidence
                        .iter()
                        .map(|h| short(h))
                        .collect::<Vec<_>>()
                        .join(" "),
                ]
            })
            .collect();
        b.push(Block::Table {
            header: vec!["key".into(), "reason".into(), "evidence".into()],
            rows,
        });
        if t.exception_count > ROWS_SHOWN {
            b.push(Block::Para(format!(
                "… and {} more: the workpapers and `assay assess --json` list them all.",
                t.exception_count - ROWS_SHOWN
            )));
        }
    }

    b.push(Block::Heading(1, "Remediation roadmap".into()));
    b.push(Block::Para("Findings in the order to fix them: most severe first, then those affecting the most criteria that are not yet met.".into()));
    let rows = roadmap(cx)
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let f = s.finding;
            let (owner, due, status) = match &f.triage {
                Some(t) => (
                    t.owner.clone().unwrap_or_else(|| f.owner.clone()),
                    t.due.map(|d| d.to_string()).unwrap_or_default(),
                    t.status.as_str().to_string(),
                ),
                None => (f.owner.clone(), String::new(), "untriaged".into()),
            };
            vec![
                (i + 1).to_string(),
                f.id.clone(),
                f.severity.as_str().into(),
                f.criteria.join(", "),
                owner,
                due,
                status,
                if f.remediation.is_empty() {
                    f.statement.clone()
                } else {
                    f.remediation.clone()
                },
            ]
        })
        .collect();
    b.push(Block::Table {
        header: [
            "#",
            "finding",
            "severity",
            "criteria",
            "owner",
            "due",
            "status",
            "suggested fix",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows,
    });

    Doc {
        title: format!("SOC 2 readiness: {}", cx.scope.organization),
        subtitle: vec![
            format!(
                "{} · {} {}",
                cx.scope.system_name,
                if a.audit.audit_type == "type1" {
                    "Type I"
                } else {
                    "Type II"
                },
                period(cx)
            ),
            format!(
                "Generated by {} from the assessment (rules version {})",
                a.generator, a.rules_version
            ),
        ],
        watermark: None,
        contents: true,
        blocks: b,
    }
}

/// The period as words.
pub fn period(cx: &Context<'_>) -> String {
    let a = &cx.assessment.audit;
    if a.period_start == a.period_end {
        format!("as of {}", a.period_end)
    } else {
        format!("{} to {}", a.period_start, a.period_end)
    }
}

/// `processing-integrity` → `Processing integrity`.
pub fn title_case(s: &str) -> String {
    let s = s.replace('-', " ");
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The report as JSON (schema `assay.readiness/v1`).
pub fn json(cx: &Context<'_>) -> Value {
    let a = cx.assessment;
    let (met, not_met, not_tested) = counts(cx, None, None);
    let categories: Vec<Value> = a
        .categories
        .iter()
        .map(|c| {
            let (m, n, t) = counts(cx, Some(c), None);
            json!({"category": c, "met": m, "not_met": n, "not_tested": t})
        })
        .collect();
    let series: Vec<Value> = series_list(cx)
        .iter()
        .map(|s| {
            let (m, n, t) = counts(cx, None, Some(s));
            let criteria: BTreeMap<&str, &CriterionResult> = a
                .criteria
                .iter()
                .filter(|k| series_of(&k.id) == s)
                .map(|k| (k.id.as_str(), &k.verdict))
                .collect();
            json!({"series": s, "met": m, "not_met": n, "not_tested": t, "criteria": criteria})
        })
        .collect();
    let failing: Vec<Value> = failing(cx)
        .iter()
        .map(|t| json!({"test": t.id, "result": t.result, "exception_count": t.exception_count, "statement": t.statement, "exceptions": t.exceptions.iter().take(ROWS_SHOWN).collect::<Vec<_>>()}))
        .collect();
    let roadmap: Vec<Value> = roadmap(cx)
        .iter()
        .enumerate()
        .map(|(i, s)| json!({"order": i + 1, "finding": s.finding.id, "severity": s.finding.severity, "weight": s.weight, "criteria": s.finding.criteria, "owner": s.finding.owner, "triage": s.finding.triage, "remediation": s.finding.remediation, "statement": s.finding.statement}))
        .collect();
    json!({
        "schema": "assay.readiness/v1",
        "organization": cx.scope.organization,
        "system": cx.scope.system_name,
        "audit": a.audit,
        "evidence_count": cx.evidence_count,
        "no_evidence": cx.evidence_count == 0,
        "ledger": a.ledger,
        "criteria": {"in_scope": a.criteria.len(), "met": met, "not_met": not_met, "not_tested": not_tested},
        "opinion": a.opinion,
        "categories": categories,
        "series": series,
        "design_gaps": a.criteria.iter().filter(|k| k.rule == "K-GAP").map(|k| &k.id).collect::<Vec<_>>(),
        "evidence_gaps": evidence_gaps(cx).into_iter().map(|(c, r)| json!({"control": c, "reason": r})).collect::<Vec<_>>(),
        "stale_evidence": stale(cx).into_iter().map(|(t, g)| json!({"table": t, "problem": g})).collect::<Vec<_>>(),
        "failing_tests": failing,
        "operation": if a.audit.audit_type == "type1" { Vec::new() } else { history::controls(&history::replay(a)) },
        "roadmap": roadmap,
    })
}

/// For a Type II: per control observed day by day, since when it has operated continuously
/// and on how many days it failed or had no evidence ([`crate::history`]).
fn operation_section(cx: &Context<'_>, b: &mut Vec<Block>) {
    let a = cx.assessment;
    if a.audit.audit_type == "type1" || cx.evidence_count == 0 {
        return;
    }
    let controls = history::controls(&history::replay(a));
    if controls.is_empty() {
        return;
    }
    b.push(Block::Heading(1, "Operation over the period".into()));
    b.push(Block::Para(format!(
        "Each day of the period, replayed from the evidence: a control operated on a day when \
         every one of its tests observed day by day had evidence reaching that day and no \
         failing row dated that day. \"Operating continuously since\" is the first day from \
         which that held every day to the end of the period ({}). Tests over snapshots or \
         samples are not observed day by day and are not counted here (`assay history \
         --replay` lists them).",
        a.audit.period_end
    )));
    b.push(Block::Table {
        header: vec![
            "control".into(),
            "tests".into(),
            "operating continuously since".into(),
            "days failing".into(),
            "days without evidence".into(),
            "last failing".into(),
        ],
        rows: controls
            .iter()
            .map(|c| {
                vec![
                    c.control.clone(),
                    c.tests.join(", "),
                    c.operating_since
                        .clone()
                        .unwrap_or_else(|| "not at the period's end".into()),
                    c.failing_days.to_string(),
                    c.no_evidence_days.to_string(),
                    c.last_failing.clone().unwrap_or_else(|| "never".into()),
                ]
            })
            .collect(),
    });
}

/// Readiness for each framework beside SOC 2: counts by verdict, then the requirements not
/// met and those no control covers. Nothing when the workspace reports on SOC 2 alone.
fn frameworks_section(cx: &Context<'_>, b: &mut Vec<Block>) {
    let a = cx.assessment;
    if a.frameworks.is_empty() {
        return;
    }
    b.push(Block::Heading(1, "Other frameworks".into()));
    b.push(Block::Para(
        "The same control results judged against each framework's requirements, with the \
         criterion rules (docs/frameworks.md). A requirement no control covers is not met (K-GAP)."
            .into(),
    ));
    let count = |f: &assay_engine::assessment::FrameworkResult, v: CriterionResult| {
        f.requirements
            .iter()
            .filter(|r| r.verdict == v)
            .count()
            .to_string()
    };
    b.push(Block::Table {
        header: vec![
            "framework".into(),
            "requirements".into(),
            "met".into(),
            "not met".into(),
            "not tested".into(),
        ],
        rows: a
            .frameworks
            .iter()
            .map(|f| {
                vec![
                    f.title.clone(),
                    f.requirements.len().to_string(),
                    count(f, CriterionResult::Met),
                    count(f, CriterionResult::NotMet),
                    count(f, CriterionResult::NotTested),
                ]
            })
            .collect(),
    });
    for f in &a.frameworks {
        b.push(Block::Heading(2, f.title.clone()));
        let rows: Vec<Vec<String>> = f
            .requirements
            .iter()
            .filter(|r| r.verdict == CriterionResult::NotMet)
            .map(|r| {
                vec![
                    r.id.clone(),
                    r.title.clone(),
                    r.rule.id().to_string(),
                    r.statement.clone(),
                ]
            })
            .collect();
        if rows.is_empty() {
            b.push(Block::Para("No requirement is not met.".into()));
        } else {
            b.push(Block::Table {
                header: vec![
                    "requirement".into(),
                    "name".into(),
                    "rule".into(),
                    "why".into(),
                ],
                rows,
            });
        }
    }
}
