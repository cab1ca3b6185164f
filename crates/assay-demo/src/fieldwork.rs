//! The service auditor's fieldwork in the demo, written as a tester would
//! (`results/<TEST>.yaml`): first the population obtained from management for every test that
//! has no population query (see [`crate::obtained`]), then a result for every item of every
//! sampled test, with one deviation whose sample is extended and tested again. The results
//! are synthetic, like the company, and say so.

use assay_engine::assessment::TestOutcome;
use assay_engine::manual::Obtained;
use assay_engine::Assessment;
use assay_project::{Progress, Project, ProjectError};

/// Who performed the demo's manual tests (a fictional firm).
pub const TESTER: &str = "Dana Reyes <dana.reyes@ledgerline-cpa.example>";
/// When, after the demo's period ends on 2026-09-30.
pub const TESTED_AT: &str = "2026-10-20";
/// The second auditor who reviewed the work, and when.
pub const REVIEWER: &str = "Marcus Lee <marcus.lee@ledgerline-cpa.example>";
/// The review's date.
pub const REVIEWED_AT: &str = "2026-10-27";
/// What is checked on every item (the workpaper's columns).
const ATTRIBUTES: [(&str, &str); 2] = [
    (
        "A",
        "the control was performed on the item as the procedure describes",
    ),
    (
        "B",
        "evidence of its performance was retained and inspected",
    ),
];

/// What the fieldwork recorded.
#[derive(Debug, Default)]
pub struct Fieldwork {
    /// Results files written, workspace-relative, sorted.
    pub written: Vec<String>,
    /// The test and item where the deviation was recorded.
    pub deviation: Option<(String, String)>,
    /// Tests whose population was obtained from management.
    pub obtained: usize,
    /// Whole-population tests whose deviations were evaluated (see [`crate::evaluation`]).
    pub evaluated: Vec<String>,
    /// Sources of information produced by the entity tested in `ipe.yaml` (see
    /// [`crate::ipe`]).
    pub ipe: Vec<String>,
    /// Controls walked through (see [`crate::walkthroughs`]).
    pub walkthroughs: usize,
}

/// The tests that cannot be sampled until a population is obtained, in id order.
fn without_population(a: &Assessment) -> Vec<&str> {
    let mut out: Vec<&str> = a
        .controls
        .iter()
        .flat_map(|c| &c.tests)
        .filter(|t| t.rule.id() == "T-NO-POPULATION")
        .map(|t| t.id.as_str())
        .collect();
    out.sort();
    out
}

/// The `population:` block of a results file (JSON strings are YAML).
fn population_yaml(o: &Obtained) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let keys = serde_json::to_string(&o.keys).unwrap_or_default();
    format!(
        "population:\n  source: {}\n  produced_by: {}\n  produced_at: {}\n  completeness: {}\n  keys: {keys}\n",
        q(&o.source),
        q(&o.produced_by),
        o.produced_at,
        q(&o.completeness)
    )
}

fn header(test: &str) -> String {
    format!(
        "# Demo fieldwork: synthetic results for the synthetic company, written by `assay demo`.\n\
         test: {test}\ntester: {TESTER}\ntested_at: {TESTED_AT}\n"
    )
}

fn save(p: &Project, test: &str, text: &str) -> Result<String, ProjectError> {
    let rel = format!("results/{test}.yaml");
    let path = p.root().join(&rel);
    std::fs::create_dir_all(p.root().join("results")).map_err(|source| ProjectError::Io {
        path: p.root().join("results"),
        source,
    })?;
    std::fs::write(&path, text).map_err(|source| ProjectError::Io { path, source })?;
    Ok(rel)
}

/// Records the population obtained for each test `a` could not sample; how many.
fn obtain(p: &Project, a: &Assessment, progress: &dyn Progress) -> Result<usize, ProjectError> {
    let tests = without_population(a);
    let period = (date(&a.audit.period_start)?, date(&a.audit.period_end)?);
    let mut tables = None;
    let mut n = 0;
    for test in tests {
        let Some(o) = crate::obtained::report(p, test, period, &mut tables, progress)? else {
            continue;
        };
        save(
            p,
            test,
            &format!("{}{}items: []\n", header(test), population_yaml(&o)),
        )?;
        n += 1;
    }
    Ok(n)
}

fn date(s: &str) -> Result<jiff::civil::Date, ProjectError> {
    s.parse()
        .map_err(|e| ProjectError::Invalid(format!("the assessment's period `{s}`: {e}")))
}

/// The sampled tests still waiting for results, in id order.
fn pending(a: &Assessment) -> Vec<(&str, &TestOutcome)> {
    let mut out: Vec<(&str, &TestOutcome)> = a
        .controls
        .iter()
        .flat_map(|c| c.tests.iter().map(move |t| (c.id.as_str(), t)))
        .filter(|(_, t)| {
            t.rule.id() == "T-SAMPLE-PENDING"
                && t.sample
                    .as_ref()
                    .is_some_and(|s| s.items.iter().all(|i| i.result.is_none()))
        })
        .collect();
    out.sort_by(|a, b| a.1.id.cmp(&b.1.id));
    out
}

/// The test that gets the deviation: the first sampled event test by id (sized by its
/// population, drawn by a population query) whose extension adds items, so the extended
/// sample has something to show.
fn deviation_test<'a>(tests: &[(&'a str, &'a TestOutcome)]) -> Option<(&'a str, &'a TestOutcome)> {
    tests.iter().copied().find(|(_, t)| {
        t.sample.as_ref().is_some_and(|s| {
            s.size >= 2
                && s.extended_size > s.size
                && s.basis.contains("by population")
                && s.obtained.is_none()
        })
    })
}

fn item(key: &str, pass: bool, procedure: &str) -> String {
    let key_json = serde_json::to_string(key).unwrap_or_default();
    let (result, ticks, notes) = if pass {
        (
            "pass",
            "{A: pass, B: pass}",
            match inspection(procedure) {
                Some(step) => {
                    format!("Performed the step \"{step}\" for this item; attributes A and B met.")
                }
                None => "Inspected the supporting record for this item; attributes A and B met."
                    .to_string(),
            },
        )
    } else {
        (
            "fail",
            "{A: fail, B: fail}",
            "The supporting record could not be produced for this item; management confirmed the step was missed. Deviation.".to_string(),
        )
    };
    let notes_json = serde_json::to_string(&notes).unwrap_or_default();
    format!("  - key: {key_json}\n    result: {result}\n    attributes: {ticks}\n    notes: {notes_json}\n")
}

/// The procedure's first sentence that inspects something on each item (after the ones
/// that say how the sample is selected), for an item's note.
fn inspection(procedure: &str) -> Option<String> {
    const VERBS: [&str; 6] = [
        "Inspect", "Confirm", "Verify", "Compare", "Agree", "Observe",
    ];
    procedure
        .split(". ")
        .map(|s| s.trim().trim_end_matches('.'))
        .find(|s| VERBS.iter().any(|v| s.starts_with(v)))
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn write(
    p: &Project,
    test: &TestOutcome,
    extended: bool,
    failed: Option<&str>,
) -> Result<String, ProjectError> {
    let Some(s) = &test.sample else {
        return Err(ProjectError::Invalid(format!("{} has no sample", test.id)));
    };
    let items: String = s
        .items
        .iter()
        .map(|i| item(&i.key, failed != Some(i.key.as_str()), &test.procedure))
        .collect();
    // A seed drawn from the auditor's secret is recorded, so the selection re-performs
    // without it; the default seed needs no recording.
    let seed = if s.seed_from == assay_engine::sample::FROM_SECRET {
        format!("seed: {}\n", s.seed)
    } else {
        String::new()
    };
    let attributes: String = ATTRIBUTES
        .iter()
        .map(|(id, what)| format!("  {id}: {what}\n"))
        .collect();
    let conclusion = match failed {
        None => format!(
            "The control operated effectively for the {} items tested; no deviations.",
            s.items.len()
        ),
        Some(key) => format!(
            "One deviation ({key}) in the first {} items; the extended sample of {} items found no other. Exceptions noted: the deviation is reported in Section IV with management's response.",
            s.size,
            s.items.len()
        ),
    };
    let conclusion_json = serde_json::to_string(&conclusion).unwrap_or_default();
    let population = s.obtained.as_ref().map(population_yaml).unwrap_or_default();
    let text = format!(
        "{}reviewer: {REVIEWER}\nreviewed_at: {REVIEWED_AT}\n\
         {seed}attributes:\n{attributes}conclusion: {conclusion_json}\n{population}extended: {extended}\nitems:\n{items}",
        header(&test.id)
    );
    save(p, &test.id, &text)
}

/// Obtains a population for every test `first` could not sample, then draws every sample
/// (once `ipe.yaml` records the sources, a selection can be made) and records results for
/// each. One test gets a deviation
/// on its first item; its sample is extended (the extension's items drawn by a fresh
/// assessment of that control) and every extended item passes, so the test ends with
/// exceptions noted, as an auditor would report it.
pub fn record(
    p: &Project,
    first: &Assessment,
    progress: &dyn Progress,
) -> Result<Fieldwork, ProjectError> {
    let obtained = obtain(p, first, progress)?;
    // With the populations recorded and their sources' IPE tested (`ipe.yaml`, written
    // before this), the samples are drawn: assess again to see them.
    let drawn = p.assess(None, progress)?;
    let tests = pending(&drawn);
    let deviating = deviation_test(&tests);
    let mut done = Fieldwork {
        obtained,
        ..Fieldwork::default()
    };
    for (_, t) in &tests {
        if deviating.is_some_and(|(_, d)| d.id == t.id) {
            continue;
        }
        done.written.push(write(p, t, false, None)?);
    }
    if let Some((control, t)) = deviating {
        let key = t
            .sample
            .as_ref()
            .and_then(|s| s.items.first())
            .map(|i| i.key.clone())
            .unwrap_or_default();
        // The first pass: one deviation, extension requested; the extension's items come
        // from the engine, as `assay sample` would list them.
        write(p, t, true, Some(&key))?;
        let again = p.assess(Some(control), progress)?;
        let extended = again
            .controls
            .iter()
            .flat_map(|c| &c.tests)
            .find(|x| x.id == t.id)
            .ok_or_else(|| {
                ProjectError::Invalid(format!("{} vanished from the assessment", t.id))
            })?;
        done.written.push(write(p, extended, true, Some(&key))?);
        done.deviation = Some((t.id.clone(), key));
    }
    done.written.sort();
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_quote_the_procedure_and_keys_are_quoted_for_yaml() {
        let text = item(
            "a: b #c",
            true,
            "Select a sample of hires. Inspect the signed\n  NDA. Late ones are exceptions.",
        );
        assert!(text.contains(r#"key: "a: b #c""#), "{text}");
        assert!(
            text.contains(r#"step \"Inspect the signed NDA\" for"#),
            "{text}"
        );
        assert!(item("k", true, "Select a sample.").contains("Inspected the supporting record"));
        let failed = item("x", false, "Inspect");
        assert!(
            failed.contains("result: fail") && failed.contains("Deviation."),
            "{failed}"
        );
        let parsed = assay_engine::manual::parse(
            "results/X.1.yaml",
            &format!("test: X.1\ntester: {TESTER}\ntested_at: {TESTED_AT}\nattributes:\n  A: a\n  B: b\nitems:\n{text}{failed}"),
        )
        .unwrap();
        assert_eq!(parsed.items.len(), 2);
    }
}
