//! What `assay ci` hands to a pipeline: the tests' state against a baseline (new failures,
//! new exception keys, recoveries; criteria whose verdict changed), a JUnit XML file (one test case per control test, named
//! by its id) and a Markdown summary, so compliance drift shows where engineers already look.
//! Pure functions of the assessment and the baseline: the same inputs give the same bytes.

use assay_engine::assessment::{CriterionResult, CriterionVerdict, TestOutcome};
use assay_engine::{Assessment, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The schema of the record `assay ci` keeps of each run (and accepts as a baseline).
pub const SCHEMA: &str = "assay.ci/v1";

/// Whether a result fails a pipeline: deviations (noted or not effective) and errors. A test
/// not tested is reported as skipped.
pub fn fails(v: Verdict) -> bool {
    matches!(
        v,
        Verdict::NotEffective | Verdict::ExceptionsNoted | Verdict::Error
    )
}

/// One test as a baseline remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Was {
    /// Its result.
    pub result: Verdict,
    /// The exception keys listed.
    #[serde(default)]
    pub exception_keys: BTreeSet<String>,
    /// How many rows failed (exact, where the listed keys stop at 1,000).
    #[serde(default)]
    pub exception_count: usize,
}

/// Tests' results from an earlier run: `assay ci`'s own record, or the output of `assay test
/// --json` or `assay assess --json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Per test id.
    pub tests: BTreeMap<String, Was>,
    /// Per criterion id, its verdict (absent from a baseline made of `assay test --json`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub criteria: BTreeMap<String, CriterionResult>,
    /// Per failing test, the first day of its current failure (`crate::drift`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub failing_since: BTreeMap<String, String>,
    /// Failing tests past their remediation SLA.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub overdue: BTreeSet<String>,
    /// Sources whose newest evidence was past its time-to-live.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub stale: BTreeSet<String>,
}

impl Baseline {
    /// The baseline of an assessment (what `assay ci` records after a run).
    pub fn of(a: &Assessment) -> Baseline {
        Baseline {
            tests: a
                .controls
                .iter()
                .flat_map(|c| &c.tests)
                .map(|t| (t.id.clone(), was(t)))
                .collect(),
            criteria: a
                .criteria
                .iter()
                .map(|c| (c.id.clone(), c.verdict))
                .collect(),
            ..Baseline::default()
        }
    }

    /// Reads a baseline from JSON text; `name` is the file, for the message.
    pub fn parse(name: &str, text: &str) -> Result<Baseline, String> {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| format!("{name}:{}:{}: not JSON: {e}", e.line(), e.column()))?;
        if v["schema"] == SCHEMA {
            return serde_json::from_value(v["baseline"].clone())
                .map_err(|e| format!("{name}: field `baseline`: {e}"));
        }
        let Some(controls) = v["controls"].as_array() else {
            return Err(format!(
                "{name}: no field `controls`; a baseline is the output of `assay test --json`, `assay assess --json`, or a record `assay ci` wrote ({SCHEMA})"
            ));
        };
        let mut tests = BTreeMap::new();
        for (ci, c) in controls.iter().enumerate() {
            for (ti, t) in c["tests"].as_array().into_iter().flatten().enumerate() {
                let at = format!("{name}: controls[{ci}].tests[{ti}]");
                let id = t["id"]
                    .as_str()
                    .ok_or_else(|| format!("{at}: field `id` is missing"))?;
                let result: Verdict = serde_json::from_value(t["result"].clone())
                    .map_err(|e| format!("{at}: field `result`: {e}"))?;
                let exception_count = t["exception_count"].as_u64().unwrap_or(0) as usize;
                let exception_keys = t["exceptions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e["key"].as_str().map(str::to_string))
                    .collect();
                tests.insert(
                    id.to_string(),
                    Was {
                        result,
                        exception_keys,
                        exception_count,
                    },
                );
            }
        }
        let mut criteria = BTreeMap::new();
        for (i, c) in v["criteria"].as_array().into_iter().flatten().enumerate() {
            let at = format!("{name}: criteria[{i}]");
            let id = c["id"]
                .as_str()
                .ok_or_else(|| format!("{at}: field `id` is missing"))?;
            let verdict: CriterionResult = serde_json::from_value(c["verdict"].clone())
                .map_err(|e| format!("{at}: field `verdict`: {e}"))?;
            criteria.insert(id.to_string(), verdict);
        }
        Ok(Baseline {
            tests,
            criteria,
            ..Baseline::default()
        })
    }
}

fn was(t: &TestOutcome) -> Was {
    Was {
        result: t.result,
        exception_keys: t.exceptions.iter().map(|e| e.key.clone()).collect(),
        exception_count: t.exception_count,
    }
}

/// How a collector run went, for the pipeline's report.
#[derive(Debug, Clone)]
pub struct CollectorOutcome {
    /// The collector's name.
    pub name: String,
    /// Responses stored, or why it failed.
    pub result: Result<usize, String>,
}

/// The change of one test against the baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Failing now, and not failing (or absent) in the baseline.
    NewFailure,
    /// Failing in both, with exception keys the baseline did not list.
    NewExceptions(Vec<String>),
    /// Failing in both, nothing new.
    StillFailing,
    /// Failing in the baseline, not now.
    Recovered,
    /// Neither failing.
    Unchanged,
}

/// One `assay ci` run: the assessment, the collectors that ran, and the baseline if any.
pub struct Run<'a> {
    /// The assessment after collection.
    pub assessment: &'a Assessment,
    /// The collectors run before it (empty when none are configured).
    pub collectors: &'a [CollectorOutcome],
    /// What the run is compared with.
    pub baseline: Option<&'a Baseline>,
    /// The date, stale sources and late collectors the caller measured (`crate::drift`).
    pub watch: Option<&'a crate::drift::Watch>,
}

impl Run<'_> {
    /// Every test with its change, in assessment order.
    pub fn changes(&self) -> Vec<(&TestOutcome, Change)> {
        self.assessment
            .controls
            .iter()
            .flat_map(|c| &c.tests)
            .map(|t| (t, self.change(t)))
            .collect()
    }

    fn change(&self, t: &TestOutcome) -> Change {
        let before = self.baseline.and_then(|b| b.tests.get(&t.id));
        let failed_before = before.is_some_and(|w| fails(w.result));
        match (fails(t.result), failed_before) {
            (true, false) => Change::NewFailure,
            (false, true) => Change::Recovered,
            (false, false) => Change::Unchanged,
            (true, true) => {
                let old = before.map(|w| &w.exception_keys);
                let new: Vec<String> = t
                    .exceptions
                    .iter()
                    .map(|e| e.key.clone())
                    .filter(|k| old.is_none_or(|o| !o.contains(k)))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                if new.is_empty() {
                    Change::StillFailing
                } else {
                    Change::NewExceptions(new)
                }
            }
        }
    }

    /// The baseline's exception keys of a test still failing that are gone now (none when this
    /// run lists only some of its exceptions, so a key past the listing is not taken as gone).
    pub fn resolved_keys(&self, t: &TestOutcome) -> Vec<String> {
        let Some(was) = self.baseline.and_then(|b| b.tests.get(&t.id)) else {
            return Vec::new();
        };
        if !fails(t.result) || !fails(was.result) || t.exception_count > t.exceptions.len() {
            return Vec::new();
        }
        let now: BTreeSet<&str> = t.exceptions.iter().map(|e| e.key.as_str()).collect();
        was.exception_keys
            .iter()
            .filter(|k| !now.contains(k.as_str()))
            .cloned()
            .collect()
    }

    /// The criteria whose verdict differs from the baseline's, with the verdict before (none
    /// when the baseline holds no criteria, as one made of `assay test --json`).
    pub fn criterion_changes(&self) -> Vec<(&CriterionVerdict, CriterionResult)> {
        let Some(b) = self.baseline.filter(|b| !b.criteria.is_empty()) else {
            return Vec::new();
        };
        self.assessment
            .criteria
            .iter()
            .filter_map(|c| match b.criteria.get(&c.id) {
                Some(before) if *before != c.verdict => Some((c, *before)),
                _ => None,
            })
            .collect()
    }

    /// Whether the pipeline should fail: a collector failed, or a test fails (with
    /// `new_only`, only a new failure or new exception keys).
    pub fn should_fail(&self, new_only: bool) -> bool {
        self.collectors.iter().any(|c| c.result.is_err())
            || self.changes().iter().any(|(t, ch)| {
                if new_only {
                    matches!(ch, Change::NewFailure | Change::NewExceptions(_))
                } else {
                    fails(t.result)
                }
            })
    }

    /// The record `assay ci` keeps of this run, and accepts later as a baseline.
    pub fn record(&self) -> serde_json::Value {
        let mut baseline = Baseline::of(self.assessment);
        self.remember(&mut baseline);
        serde_json::json!({
            "schema": SCHEMA,
            "ledger": self.assessment.ledger,
            "baseline": baseline,
            "collectors": self.collectors.iter().map(|c| match &c.result {
                Ok(stored) => serde_json::json!({ "name": c.name, "ok": true, "stored": stored }),
                Err(e) => serde_json::json!({ "name": c.name, "ok": false, "error": e }),
            }).collect::<Vec<_>>(),
        })
    }
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 allows no other control characters.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The exception keys shown per test in the reports (the count is always exact).
const KEYS_SHOWN: usize = 20;

fn detail(t: &TestOutcome, change: &Change) -> String {
    let mut d = format!("{}\nrule: {}", t.statement, t.rule.id());
    if t.exception_count > 0 {
        let keys: Vec<&str> = t
            .exceptions
            .iter()
            .take(KEYS_SHOWN)
            .map(|e| e.key.as_str())
            .collect();
        let _ = write!(
            d,
            "\nexceptions: {} ({}{})",
            t.exception_count,
            keys.join(", "),
            if t.exception_count > keys.len() {
                ", …"
            } else {
                ""
            }
        );
    }
    match change {
        Change::NewFailure => d.push_str("\nnew since the baseline"),
        Change::NewExceptions(k) => {
            let _ = write!(d, "\nnew exception keys: {}", k.join(", "));
        }
        _ => {}
    }
    if let Some(p) = &t.population {
        let _ = write!(
            d,
            "\npopulation: {} rows, rows SHA-256 {}",
            p.rows, p.rows_sha256
        );
    }
    d
}

/// The JUnit XML file: a suite per control, a case per test (`classname` the control, `name`
/// the test id); failing tests have a `<failure>` (an error a `<error>`), tests not tested a
/// `<skipped>`; failed collectors are errors in a suite `collectors`. No times: the file is a
/// pure function of the assessment.
pub fn junit(run: &Run<'_>) -> String {
    let changes = run.changes();
    let count = |f: &dyn Fn(&TestOutcome) -> bool| changes.iter().filter(|(t, _)| f(t)).count();
    let collector_errors = run.collectors.iter().filter(|c| c.result.is_err()).count();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"assay\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        changes.len() + run.collectors.len(),
        count(&|t| fails(t.result) && t.result != Verdict::Error),
        count(&|t| t.result == Verdict::Error) + collector_errors,
        count(&|t| t.result == Verdict::NotTested),
    );
    if !run.collectors.is_empty() {
        let _ = writeln!(
            x,
            "  <testsuite name=\"collectors\" tests=\"{}\" failures=\"0\" errors=\"{collector_errors}\" skipped=\"0\">",
            run.collectors.len()
        );
        for c in run.collectors {
            let _ = write!(
                x,
                "    <testcase classname=\"collectors\" name=\"{}\"",
                xml(&c.name)
            );
            match &c.result {
                Ok(_) => x.push_str("/>\n"),
                Err(e) => {
                    let _ = writeln!(
                        x,
                        ">\n      <error message=\"{}\" type=\"collector-failed\"/>\n    </testcase>",
                        xml(e)
                    );
                }
            }
        }
        x.push_str("  </testsuite>\n");
    }
    for c in &run.assessment.controls {
        let mine: Vec<&(&TestOutcome, Change)> = changes
            .iter()
            .filter(|(t, _)| c.tests.iter().any(|ct| std::ptr::eq(ct, *t)))
            .collect();
        let n = |f: &dyn Fn(Verdict) -> bool| mine.iter().filter(|(t, _)| f(t.result)).count();
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
            xml(&c.id),
            mine.len(),
            n(&|v| fails(v) && v != Verdict::Error),
            n(&|v| v == Verdict::Error),
            n(&|v| v == Verdict::NotTested),
        );
        for (t, change) in mine {
            let _ = write!(
                x,
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml(&c.id),
                xml(&t.id)
            );
            let message = format!("{}: {}", t.result.as_str(), t.statement);
            let element = match t.result {
                Verdict::Effective => None,
                Verdict::NotTested => Some("skipped"),
                Verdict::Error => Some("error"),
                _ => Some("failure"),
            };
            match element {
                None => x.push_str("/>\n"),
                Some("skipped") => {
                    let _ = writeln!(
                        x,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        xml(&message)
                    );
                }
                Some(el) => {
                    let _ = writeln!(
                        x,
                        ">\n      <{el} message=\"{}\" type=\"{}\">{}</{el}>\n    </testcase>",
                        xml(&message),
                        xml(t.rule.id()),
                        xml(&detail(t, change))
                    );
                }
            }
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

pub(crate) fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The Markdown summary (for a pipeline's job summary, such as `$GITHUB_STEP_SUMMARY`).
pub fn summary(run: &Run<'_>) -> String {
    let a = run.assessment;
    let changes = run.changes();
    let failing: Vec<&(&TestOutcome, Change)> =
        changes.iter().filter(|(t, _)| fails(t.result)).collect();
    let new = changes
        .iter()
        .filter(|(_, c)| matches!(c, Change::NewFailure | Change::NewExceptions(_)))
        .count();
    let mut s = format!(
        "# Assay: {}, {} {} to {}\n\n",
        md(&a.system),
        match a.audit.audit_type.as_str() {
            "type1" => "Type I",
            "type2" => "Type II",
            other => other,
        },
        a.audit.period_start,
        a.audit.period_end
    );
    let _ = write!(
        s,
        "**{} of {} tests failing**",
        failing.len(),
        changes.len()
    );
    if run.baseline.is_some() {
        let recovered = changes
            .iter()
            .filter(|(_, c)| *c == Change::Recovered)
            .count();
        let _ = write!(
            s,
            "; {new} new and {recovered} recovered since the baseline"
        );
    } else {
        s.push_str("; no baseline to compare with");
    }
    if let Some(l) = &a.ledger {
        let _ = write!(
            s,
            ". Evidence: ledger of {} entries, root `{}`",
            l.size, l.root
        );
    }
    s.push_str(".\n\n| result | tests |\n|---|---|\n");
    let mut by: BTreeMap<Verdict, usize> = BTreeMap::new();
    for (t, _) in &changes {
        *by.entry(t.result).or_default() += 1;
    }
    for (v, n) in &by {
        let _ = writeln!(s, "| {} | {n} |", v.as_str());
    }
    if !run.collectors.is_empty() {
        s.push_str("\n## Collectors\n\n| collector | outcome |\n|---|---|\n");
        for c in run.collectors {
            let outcome = match &c.result {
                Ok(n) => format!("ok, {n} stored"),
                Err(e) => format!("**failed**: {}", md(e)),
            };
            let _ = writeln!(s, "| {} | {outcome} |", md(&c.name));
        }
    }
    if !failing.is_empty() {
        s.push_str("\n## Failing tests\n\n| test | result | change | exceptions | failing for | rule | what was found |\n|---|---|---|---|---|---|---|\n");
        for (t, change) in &failing {
            let ch = match change {
                Change::NewFailure => "**new**".to_string(),
                Change::NewExceptions(k) => format!(
                    "**{} new key{}**",
                    k.len(),
                    if k.len() == 1 { "" } else { "s" }
                ),
                _ if run.baseline.is_some() => "as before".to_string(),
                _ => String::new(),
            };
            let ch = match run.resolved_keys(t).len() {
                0 => ch,
                n => format!("{ch}; {n} resolved"),
            };
            let _ = writeln!(
                s,
                "| {} | {} | {ch} | {} | {} | {} | {} |",
                md(&t.id),
                t.result.as_str(),
                t.exception_count,
                run.age(t).map(|a| a.text()).unwrap_or_default(),
                t.rule.id(),
                md(&t.statement)
            );
        }
    }
    let recovered: Vec<&str> = changes
        .iter()
        .filter(|(_, c)| *c == Change::Recovered)
        .map(|(t, _)| t.id.as_str())
        .collect();
    if !recovered.is_empty() {
        let _ = writeln!(s, "\n## Recovered\n\n{}", recovered.join(", "));
    }
    crate::drift::summary_sections(run, &mut s);
    let criteria = run.criterion_changes();
    if !criteria.is_empty() {
        s.push_str("\n## Criteria whose verdict changed\n\n| criterion | before | now | controls | why |\n|---|---|---|---|---|\n");
        for (c, before) in criteria {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                md(&c.id),
                verdict_name(before),
                verdict_name(c.verdict),
                md(&c.controls.join(", ")),
                md(&c.statement)
            );
        }
    }
    s
}

/// A criterion verdict as written in files: `met`, `not-met`, `not-tested`.
pub fn verdict_name(v: CriterionResult) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
