//! `results/*.yaml`: what a tester found on each sampled item of a manual test.
//!
//! ```yaml
//! test: HR-02.1
//! tester: Dana Reyes <dana@cpa.example>
//! tested_at: 2026-10-14
//! reviewer: Marcus Lee <marcus@cpa.example>   # the second auditor, once reviewed
//! reviewed_at: 2026-10-21
//! attributes:                # what is checked on every item: the workpaper's columns
//!   A: background check completed before access was granted
//!   B: report retained in the HR file
//! conclusion: >-             # the auditor's own conclusion, kept apart from Assay's
//!   The control operated effectively for the items tested.
//! extended: false            # true once the sample was extended after one deviation
//! items:
//!   - key: alice@northwind.example
//!     result: pass           # pass | fail
//!     attributes: {A: pass, B: pass}    # pass | fail | n/a per attribute
//!     notes: background check report dated 2026-02-20, before access on 2026-03-01
//!     evidence: [3f2a9c1b0d4e]
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A tester's result on one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The control operated on this item.
    Pass,
    /// A deviation.
    Fail,
}

/// A tickmark: one attribute checked on one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tick {
    /// The attribute was met.
    #[serde(rename = "pass")]
    Pass,
    /// The attribute was not met: a deviation.
    #[serde(rename = "fail")]
    Fail,
    /// The attribute does not apply to this item.
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl Tick {
    /// The workpaper's tickmark.
    pub fn mark(self) -> &'static str {
        match self {
            Tick::Pass => "\u{2713}",
            Tick::Fail => "\u{2717}",
            Tick::NotApplicable => "n/a",
        }
    }
}

/// A population the tester obtained from management, for a test with no population query
/// (an event-driven or continuous control whose records Assay does not hold), with what an
/// auditor needs to rely on it: the report and its parameters, who produced it and when,
/// and the completeness and accuracy procedure performed on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Obtained {
    /// The system report or query and its parameters, as run.
    pub source: String,
    /// Who produced it.
    pub produced_by: String,
    /// When.
    pub produced_at: jiff::civil::Date,
    /// The completeness and accuracy procedure: a reconciliation to a control total, a
    /// re-run observed or performed by the auditor.
    pub completeness: String,
    /// The population's keys, one per item.
    #[serde(default)]
    pub keys: Vec<String>,
}

/// One item's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// The sampled key.
    pub key: String,
    /// Pass or fail.
    pub result: Outcome,
    /// Each attribute of the file's `attributes` checked on this item.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Tick>,
    /// What the tester saw.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// Locker ids (hash prefixes) of the evidence inspected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// A results file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Results {
    /// The test id.
    pub test: String,
    /// Who performed it.
    pub tester: String,
    /// When (a date).
    pub tested_at: jiff::civil::Date,
    /// The second auditor who reviewed the work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// When it was reviewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<jiff::civil::Date>,
    /// The attributes checked on every item, by short id (`A`, `B`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    /// The auditor's conclusion, in the auditor's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<String>,
    /// The population the tester obtained, for a test with no population query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<Obtained>,
    /// A seed replacing the default one (recorded in the assessment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
    /// Whether the sample was extended after one deviation.
    #[serde(default)]
    pub extended: bool,
    /// Results per item.
    #[serde(default)]
    pub items: Vec<Item>,
    /// Notes on the whole test.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// The file it was read from (workspace-relative).
    #[serde(skip)]
    pub file: String,
}

/// Parses one results file; `Err` says where and what is wrong.
pub fn parse(file: &str, text: &str) -> Result<Results, String> {
    let mut r: Results = serde_saphyr::from_str(text).map_err(|e| {
        format!("{file}: {e}\n  help: a results file has `test`, `tester`, `tested_at` (YYYY-MM-DD) and `items` with `key` and `result: pass|fail`; optionally `reviewer` and `reviewed_at`, `attributes` (id: what is checked), each item's `attributes` (id: pass|fail|n/a), and `conclusion`")
    })?;
    r.file = file.to_string();
    check(&r)?;
    Ok(r)
}

/// What serde cannot check: reviews after testing, attributes that are declared, and an
/// item that fails when one of its attributes does.
fn check(r: &Results) -> Result<(), String> {
    let file = &r.file;
    match (&r.reviewer, r.reviewed_at) {
        (Some(_), None) | (None, Some(_)) => {
            return Err(format!(
                "{file}: field `reviewer` and `reviewed_at` go together\n  help: write both, or neither until the review is done"
            ))
        }
        (Some(_), Some(on)) if on < r.tested_at => {
            return Err(format!(
                "{file}: field `reviewed_at` ({on}) is before `tested_at` ({})\n  help: a review follows the testing; correct the date",
                r.tested_at
            ))
        }
        _ => {}
    }
    if let Some(p) = &r.population {
        if let Some(field) = crate::required::first_empty(&[
            ("source", &p.source),
            ("produced_by", &p.produced_by),
            ("completeness", &p.completeness),
        ]) {
            return Err(format!(
                "{file}: field `population.{field}` is empty\n  help: an obtained population is relied on only with its source report and parameters, who produced it, and the completeness and accuracy procedure performed on it"
            ));
        }
        if p.produced_at > r.tested_at {
            return Err(format!(
                "{file}: field `population.produced_at` ({}) is after `tested_at` ({})\n  help: the population is obtained before its sample is tested; correct the date",
                p.produced_at, r.tested_at
            ));
        }
    }
    for item in &r.items {
        for (id, tick) in &item.attributes {
            if !r.attributes.contains_key(id) {
                return Err(format!(
                    "{file}: item `{}` field `attributes` names `{id}`, which the file's `attributes` does not declare\n  help: declare it under `attributes:` at the top ({})",
                    item.key,
                    if r.attributes.is_empty() {
                        "none is declared".to_string()
                    } else {
                        format!("declared: {}", r.attributes.keys().cloned().collect::<Vec<_>>().join(", "))
                    }
                ));
            }
            if *tick == Tick::Fail && item.result == Outcome::Pass {
                return Err(format!(
                    "{file}: item `{}` passes while its attribute `{id}` fails\n  help: an item with a failed attribute is a deviation: write `result: fail`",
                    item.key
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_results_file_and_names_the_bad_field() {
        let ok = "test: HR-02.1\ntester: Dana\ntested_at: 2026-10-14\nitems:\n  - key: a@x.example\n    result: fail\n    notes: no check\n";
        let r = parse("results/HR-02.1.yaml", ok).unwrap();
        assert_eq!(r.items[0].result, Outcome::Fail);
        let bad = "test: HR-02.1\ntester: Dana\ntested_at: 2026-10-14\nitems:\n  - key: a@x.example\n    result: maybe\n";
        let e = parse("results/HR-02.1.yaml", bad).unwrap_err();
        assert!(e.starts_with("results/HR-02.1.yaml: "), "{e}");
        assert!(e.contains("line 6") || e.contains("6:"), "{e}");
    }

    #[test]
    fn attributes_and_reviews_are_checked() {
        let head = "test: HR-02.1\ntester: Dana\ntested_at: 2026-10-14\n";
        let ok = format!("{head}reviewer: Marcus\nreviewed_at: 2026-10-21\nattributes:\n  A: before access\n  B: retained\nconclusion: Operated.\nitems:\n  - key: a\n    result: fail\n    attributes: {{A: pass, B: fail}}\n  - key: b\n    result: pass\n    attributes: {{A: pass, B: n/a}}\n");
        let r = parse("results/HR-02.1.yaml", &ok).unwrap();
        assert_eq!(r.items[1].attributes["B"], Tick::NotApplicable);
        assert_eq!(r.reviewer.as_deref(), Some("Marcus"));
        let undeclared = ok.replace("B: fail", "C: fail");
        let e = parse("results/HR-02.1.yaml", &undeclared).unwrap_err();
        assert!(e.contains("`C`") && e.contains("declared: A, B"), "{e}");
        let passing = ok.replace("result: fail", "result: pass");
        let e = parse("results/HR-02.1.yaml", &passing).unwrap_err();
        assert!(
            e.contains("item `a` passes while its attribute `B` fails"),
            "{e}"
        );
        let early = ok.replace("reviewed_at: 2026-10-21", "reviewed_at: 2026-10-01");
        let e = parse("results/HR-02.1.yaml", &early).unwrap_err();
        assert!(e.contains("`reviewed_at` (2026-10-01) is before"), "{e}");
        let obtained = format!("{head}population:\n  source: Jira SEC project, created in 2026\n  produced_by: Priya Shah\n  produced_at: 2026-10-06\n  completeness: count agreed to the dashboard total of 2\n  keys: [SEC-1, SEC-2]\nitems: []\n");
        let r = parse("results/HR-02.1.yaml", &obtained).unwrap();
        assert_eq!(r.population.unwrap().keys, ["SEC-1", "SEC-2"]);
        let e = parse(
            "results/HR-02.1.yaml",
            &obtained.replace("count agreed to the dashboard total of 2", "\"\""),
        )
        .unwrap_err();
        assert!(e.contains("`population.completeness` is empty"), "{e}");
        let e = parse(
            "results/HR-02.1.yaml",
            &obtained.replace("2026-10-06", "2026-11-06"),
        )
        .unwrap_err();
        assert!(
            e.contains("`population.produced_at` (2026-11-06) is after"),
            "{e}"
        );
        let half = ok.replace("reviewed_at: 2026-10-21\n", "");
        assert!(parse("results/HR-02.1.yaml", &half)
            .unwrap_err()
            .contains("go together"));
    }
}
