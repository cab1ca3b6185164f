//! One audit's pages: the dashboard, the controls (filterable) and one control with its
//! tests, populations, exceptions and the rule applied, and the criteria with the controls
//! that cover them. They read the latest assessment run through the server; until there is
//! one, they say so and offer to run it.

use super::{frame, render, see_other, value, with, PageError};
use crate::api::extract::{Path, Query};
use crate::api::{blocking, results, Ctx};
use crate::state::{AppState, Served};
use assay_engine::Assessment;
use axum::extract::State;
use axum::response::{Html, Response};
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

fn latest(s: &Served) -> Option<Arc<Assessment>> {
    s.latest.read().ok().and_then(|l| l.clone())
}

/// The evidence hash → ledger entry number, to link exceptions to their evidence.
pub fn entry_numbers(s: &Served) -> BTreeMap<String, u64> {
    s.evidence()
        .map(|rows| {
            rows.iter()
                .map(|r| (r.entry.record.blob.clone(), r.entry.seq))
                .collect()
        })
        .unwrap_or_default()
}

/// `GET /app/{org}/{audit}`: the dashboard.
pub async fn dashboard(Extension(ctx): Extension<Ctx>) -> Result<Html<String>, PageError> {
    let s = ctx.audit()?.clone();
    let show = value(crate::api::audits::show(Extension(ctx.clone())).await?.0)?;
    let a = latest(&s);
    let s2 = s.clone();
    let stale: Vec<Value> = blocking(move || {
        Ok(s2
            .evidence()?
            .iter()
            .filter(|r| r.stale == Some(true))
            .map(|r| json!({ "seq": r.entry.seq, "kind": r.entry.record.kind, "source": r.entry.record.provenance, "effective_to": r.entry.record.effective_to, "collected_at": r.entry.record.collected_at }))
            .collect())
    })
    .await?;
    // The monitor's schedule and its records: last run, last good run per source, gaps.
    let s3 = s.clone();
    let monitor: Value = blocking(move || {
        let ws = s3.workspace();
        let Some((cfg, m)) = ws
            .config
            .as_ref()
            .and_then(|c| c.monitor.as_ref().map(|m| (c, m)))
        else {
            return Ok(Value::Null);
        };
        let names: Vec<String> = cfg.collectors.iter().map(|c| c.name.clone()).collect();
        let status = assay_project::monitor::status(&s3.project.monitor_runs()?, &names);
        Ok(json!({ "schedule": m.schedule.as_str(), "timezone": m.timezone, "status": status }))
    })
    .await?;
    let body = match &a {
        None => json!({ "assessed": false }),
        Some(a) => {
            let bars = assay_report::charts::by_category(a);
            let heat = assay_report::charts::by_series(a);
            // Every test observed day by day, over the period (`assay history --replay`).
            let days = assay_report::history::replay(a);
            let daily: Vec<&assay_report::history::TestDays> = days
                .iter()
                .filter(|t| t.observed == assay_report::history::Observed::Daily)
                .collect();
            let history = (daily.first().is_some_and(|t| t.days.len() > 1)).then(|| {
                let (svg, alt) = assay_report::history::chart(&daily);
                json!({ "svg": svg, "alt": alt })
            });
            let mut open: Vec<&assay_engine::assessment::Finding> = a
                .findings
                .iter()
                .filter(|f| {
                    f.triage
                        .as_ref()
                        .is_none_or(|t| t.status.as_str() != "resolved")
                })
                .collect();
            open.sort_by(|x, y| {
                y.severity
                    .cmp(&x.severity)
                    .then_with(|| {
                        let due = |f: &assay_engine::assessment::Finding| {
                            f.triage
                                .as_ref()
                                .and_then(|t| t.due.map(|d| d.to_string()))
                                .unwrap_or_else(|| "9999".into())
                        };
                        due(x).cmp(&due(y))
                    })
                    .then_with(|| x.id.cmp(&y.id))
            });
            let findings: Vec<Value> = open.iter().map(|f| json!({
                "id": f.id, "severity": f.severity, "statement": f.statement, "control": f.control,
                "owner": f.triage.as_ref().and_then(|t| t.owner.clone()).unwrap_or_else(|| f.owner.clone()),
                "due": f.triage.as_ref().and_then(|t| t.due.map(|d| d.to_string())),
                "status": f.triage.as_ref().map(|t| t.status.as_str()).unwrap_or("open"),
            })).collect();
            json!({
                "assessed": true,
                "bars": { "svg": bars.svg, "alt": bars.alt },
                "heat": { "svg": heat.svg, "alt": heat.alt },
                "history": history,
                "tests": a.summary.tests,
                "criteria": a.summary.criteria,
                "findings": findings,
                "opinion": { "kind": a.opinion.kind, "rule": a.opinion.rule, "reasons": a.opinion.reasons },
                "engagement": {
                    "state": a.engagement.state.as_str(), "rule": a.engagement.rule,
                    "remaining": a.engagement.remaining.len(),
                    "first": a.engagement.remaining.iter().take(5).collect::<Vec<_>>(),
                },
                "ledger": a.ledger,
            })
        }
    };
    render(
        "dashboard.html",
        with(
            frame(&ctx, "dashboard"),
            json!({ "audit_info": show, "stale": stale, "monitor": monitor, "a": body }),
        ),
    )
}

/// `POST /app/{org}/{audit}/assess`: assess now (the API's handler), back to the dashboard.
pub async fn assess(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, PageError> {
    let back = frame(&ctx, "")["base"]
        .as_str()
        .unwrap_or("/app")
        .to_string();
    results::assess(State(state), Extension(ctx)).await?;
    Ok(see_other(&back))
}

/// A category as its files name it (`processing-integrity`).
fn category_name(c: assay_core::Category) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The control list's filters.
#[derive(Debug, Deserialize)]
pub struct ControlFilter {
    #[serde(default)]
    category: String,
    #[serde(default)]
    criterion: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    status: String,
}

/// `GET /app/{org}/{audit}/controls?category=&criterion=&owner=&status=`.
pub async fn controls(
    Extension(ctx): Extension<Ctx>,
    Query(f): Query<ControlFilter>,
) -> Result<Html<String>, PageError> {
    let s = ctx.audit()?.clone();
    let a = latest(&s);
    let catalog = s.project.catalog();
    let results: BTreeMap<&str, Value> = a
        .iter()
        .flat_map(|a| a.controls.iter())
        .map(|c| (c.id.as_str(), json!(c.result)))
        .collect();
    let ws = s.workspace();
    let mut owners = std::collections::BTreeSet::new();
    let mut rows = Vec::new();
    for c in ws.controls.iter().map(|c| &c.control) {
        owners.insert(c.owner.clone());
        let cats: std::collections::BTreeSet<String> = c
            .criteria
            .iter()
            .filter_map(|l| catalog.criterion(&l.id))
            .map(|k| category_name(k.category))
            .collect();
        let status = results
            .get(c.id.as_str())
            .cloned()
            .unwrap_or(json!("not-assessed"));
        let status_s = status.as_str().unwrap_or("").to_string();
        if (!f.category.is_empty() && !cats.contains(&f.category))
            || (!f.criterion.is_empty() && !c.criteria.iter().any(|l| l.id == f.criterion))
            || (!f.owner.is_empty() && c.owner != f.owner)
            || (!f.status.is_empty() && status_s != f.status)
        {
            continue;
        }
        rows.push(json!({ "id": c.id, "title": c.title, "owner": c.owner, "criteria": c.criteria.iter().map(|l| &l.id).collect::<Vec<_>>(), "tests": c.tests.len(), "status": status }));
    }
    let categories: Vec<String> = ws
        .config
        .as_ref()
        .map(|c| {
            c.scope
                .categories
                .iter()
                .map(|k| category_name(*k))
                .collect()
        })
        .unwrap_or_default();
    render(
        "controls.html",
        with(
            frame(&ctx, "controls"),
            json!({ "rows": rows, "owners": owners, "categories": categories, "statuses": ["effective", "exceptions-noted", "not-effective", "not-tested", "error"], "f": { "category": f.category, "criterion": f.criterion, "owner": f.owner, "status": f.status }, "assessed": a.is_some() }),
        ),
    )
}

/// `GET /app/{org}/{audit}/controls/{control}`.
pub async fn control(
    Extension(ctx): Extension<Ctx>,
    Path((_, _, id)): Path<(String, String, String)>,
) -> Result<Html<String>, PageError> {
    let s = ctx.audit()?.clone();
    let ws = s.workspace();
    let Some(c) = ws.controls.iter().map(|c| &c.control).find(|c| c.id == id) else {
        return Err(
            crate::problem::Problem::not_found(format!("no control `{id}` in this audit")).into(),
        );
    };
    let catalog = s.project.catalog();
    let criteria: Vec<Value> = c
        .criteria
        .iter()
        .map(|l| json!({ "id": l.id, "rationale": l.rationale, "summary": catalog.criterion(&l.id).map(|k| k.summary.clone()) }))
        .collect();
    let policies: Vec<Value> = ws
        .policies
        .iter()
        .filter(|p| p.meta.controls.contains(&c.id) || p.control_refs.iter().any(|(r, _)| r == &c.id))
        .map(|p| json!({ "id": p.meta.id, "title": p.meta.title, "status": p.meta.status, "version": p.meta.version }))
        .collect();
    let a = latest(&s);
    let outcome = a
        .as_ref()
        .and_then(|a| a.controls.iter().find(|o| o.id == c.id));
    // The control's tests day by day over the period, replayed from the assessment.
    let history = a.as_ref().zip(outcome).and_then(|(a, o)| {
        use assay_report::history;
        let period = history::period_days(a);
        let days: Vec<history::TestDays> = o
            .tests
            .iter()
            .map(|t| history::test_days(a, &o.id, t, &period))
            .collect();
        if period.len() < 2
            || days
                .iter()
                .all(|t| t.observed == history::Observed::NotDaily)
        {
            return None;
        }
        let (svg, alt) = history::chart(&days.iter().collect::<Vec<_>>());
        Some(json!({ "svg": svg, "alt": alt }))
    });
    let s2 = s.clone();
    let entries = blocking(move || Ok(entry_numbers(&s2))).await?;
    let tests: Vec<Value> = c
        .tests
        .iter()
        .map(|t| {
            let o = outcome.and_then(|o| o.tests.iter().find(|x| x.id == t.id));
            let link = |h: &String| json!({ "hash": h, "seq": entries.get(h) });
            json!({
                "id": t.id,
                "procedure": t.procedure,
                "population_sql": t.population,
                "expect": t.expect,
                "outcome": o.map(|o| json!({
                    "result": o.result,
                    "rule": o.rule,
                    "statement": o.statement,
                    "severity": o.severity,
                    "method": o.method,
                    "population": o.population,
                    "evidence": o.exceptions.iter().flat_map(|e| e.evidence.iter()).collect::<std::collections::BTreeSet<_>>().into_iter().map(link).collect::<Vec<_>>(),
                    "exception_count": o.exception_count,
                    "exceptions": o.exceptions.iter().map(|e| json!({ "key": e.key, "reason": e.reason, "evidence": e.evidence.iter().map(link).collect::<Vec<_>>() })).collect::<Vec<_>>(),
                    "sample": o.sample,
                    "notes": o.notes,
                })),
            })
        })
        .collect();
    render(
        "control.html",
        with(
            frame(&ctx, "controls"),
            json!({ "c": { "id": c.id, "title": c.title, "description": c.description, "owner": c.owner, "frequency": c.frequency, "nature": c.nature, "type": c.control_type }, "criteria": criteria, "policies": policies, "tests": tests, "result": outcome.map(|o| json!({ "result": o.result, "rule": o.rule })), "history": history, "assessed": a.is_some() }),
        ),
    )
}

/// `GET /app/{org}/{audit}/criteria`: every criterion in scope, its points of focus, the
/// controls covering it and its verdict.
pub async fn criteria(Extension(ctx): Extension<Ctx>) -> Result<Html<String>, PageError> {
    let s = ctx.audit()?.clone();
    let ws = s.workspace();
    let catalog = s.project.catalog();
    let a = latest(&s);
    let verdicts: BTreeMap<&str, &assay_engine::assessment::CriterionVerdict> = a
        .iter()
        .flat_map(|a| a.criteria.iter())
        .map(|k| (k.id.as_str(), k))
        .collect();
    let cats = ws
        .config
        .as_ref()
        .map(|c| c.scope.categories.clone())
        .unwrap_or_default();
    let rows: Vec<Value> = catalog
        .criteria_in(&cats)
        .map(|k| {
            let controls: Vec<&str> = ws.controls.iter().map(|c| &c.control).filter(|c| c.criteria.iter().any(|l| l.id == k.id)).map(|c| c.id.as_str()).collect();
            let v = verdicts.get(k.id.as_str());
            json!({ "id": k.id, "series_title": k.series_title, "summary": k.summary, "points": k.points_of_focus, "controls": controls, "verdict": v.map(|v| json!(v.verdict)), "statement": v.map(|v| v.statement.clone()) })
        })
        .collect();
    render(
        "criteria.html",
        with(
            frame(&ctx, "criteria"),
            json!({ "rows": rows, "assessed": a.is_some() }),
        ),
    )
}
