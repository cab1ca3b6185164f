//! `assay history --replay [TEST]`: every day of the audit period replayed from the evidence
//! of one assessment (`assay_report::history`), for one test (its days as runs of one state,
//! and the control's chart as SVG) or as every control's summary.

use crate::output;
use crate::Outcome;
use anyhow::{bail, Context as _};
use assay_report::history::{self, Observed, TestDays};
use std::path::Path;

/// `assay history --replay [TEST] [--from FILE] [--svg FILE] [--json]`.
pub fn replay(
    root: &Path,
    test: Option<&str>,
    from: Option<&Path>,
    svg: Option<&Path>,
    json: bool,
) -> anyhow::Result<Outcome> {
    let p = super::project(root)?;
    let a = match from {
        Some(path) => p.stored_assessment(path)?,
        None => p.assess(None, &output::Bars::default())?,
    };
    let all = history::replay(&a);
    let Some(test) = test else {
        if svg.is_some() {
            bail!("--svg draws one control's chart: name a test, e.g. `assay history CHG-01.1 --replay --svg chart.svg`");
        }
        return summary(&a, &all, json);
    };
    let Some(one) = all.iter().find(|t| t.test == test) else {
        bail!("no test `{test}` in the assessment; `assay validate` lists the tests");
    };
    if let Some(path) = svg {
        let siblings: Vec<&TestDays> = all.iter().filter(|t| t.control == one.control).collect();
        let (svg, _) = history::chart(&siblings);
        std::fs::write(path, svg).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("Wrote the chart of {} to {}", one.control, path.display());
    }
    if json {
        output::json(&serde_json::json!({
            "schema": "assay.history.replay/v1",
            "period": [a.audit.period_start, a.audit.period_end],
            "ledger": a.ledger,
            "history": one,
        }))?;
        return Ok(Outcome::Ok);
    }
    let mut t = output::table(vec!["from", "to", "days", "state", "failing rows"]);
    for r in history::stretches(one) {
        t.add_row(vec![
            r.from.to_string(),
            r.to.to_string(),
            r.days.to_string(),
            r.state.as_str().to_string(),
            if r.exceptions > 0 {
                r.exceptions.to_string()
            } else {
                String::new()
            },
        ]);
    }
    println!("{t}");
    println!("{}", history::describe(one));
    Ok(Outcome::Ok)
}

/// Every control observed day by day, then the tests that are not.
fn summary(a: &assay_engine::Assessment, all: &[TestDays], json: bool) -> anyhow::Result<Outcome> {
    let controls = history::controls(all);
    if json {
        output::json(&serde_json::json!({
            "schema": "assay.history.replay/v1",
            "period": [a.audit.period_start, a.audit.period_end],
            "ledger": a.ledger,
            "controls": controls,
            "tests": all.iter().map(|t| serde_json::json!({
                "test": t.test,
                "control": t.control,
                "result": t.result,
                "observed": t.observed,
                "failing_days": t.failing_days,
                "no_evidence_days": t.no_evidence_days,
                "undated_exceptions": t.undated_exceptions,
                "operating_since": t.operating_since,
                "last_failing": t.last_failing,
            })).collect::<Vec<_>>(),
        }))?;
        return Ok(Outcome::Ok);
    }
    let mut t = output::table(vec![
        "control",
        "operating continuously since",
        "days failing",
        "days without evidence",
        "last failing",
    ]);
    for c in &controls {
        t.add_row(vec![
            c.control.clone(),
            c.operating_since.clone().unwrap_or_else(|| "-".into()),
            c.failing_days.to_string(),
            c.no_evidence_days.to_string(),
            c.last_failing.clone().unwrap_or_default(),
        ]);
    }
    println!("{t}");
    let not_daily = all.iter().filter(|t| t.observed != Observed::Daily).count();
    println!(
        "{} of {} tests observed day by day over {} to {}; {not_daily} over snapshots or samples (`assay history TEST --replay` shows each).",
        all.len() - not_daily,
        all.len(),
        a.audit.period_start,
        a.audit.period_end
    );
    Ok(Outcome::Ok)
}
