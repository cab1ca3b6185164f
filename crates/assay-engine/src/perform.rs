//! Performing an assessment: every test of every control against the evidence basis, then
//! judgment. See [`assess`].

use crate::assessment::{
    Assessment, Audit, Calendar, ControlOutcome, Coverage, Method, Provided, Sample, SampleItem,
    Span, Summary, TestOutcome, Verdict, SCHEMA,
};
use crate::basis::{micros_text, Basis, EvidenceInfo};
use crate::manual::{Outcome, Results};
use crate::population::{self, Ask, Exception, Run};
use crate::rule::Rule;
use crate::triage::Triage;
use crate::walkthrough::Design;
use crate::{calendar, judge, params, sample, EngineError, LedgerHead, Window};
use assay_core::{
    Category, Control, Criterion, EngineSettings, Frequency, Inventory, Scope, Severity, TestDef,
};
use assay_tables::Tables;
use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Told before each test: (tests done, tests in all, the test's id).
pub type Progress<'a> = dyn Fn(usize, usize, &str) + 'a;

/// Given each population as run: (the test's id, its schema, its rows exactly as hashed).
pub type PopulationSink<'a> = dyn Fn(&str, &SchemaRef, &[RecordBatch]) + 'a;

/// Everything an assessment is computed from.
pub struct Inputs<'a> {
    /// Organization, system, period, categories.
    pub scope: &'a Scope,
    /// Sampling, thresholds, parameters.
    pub settings: &'a EngineSettings,
    /// The workspace's controls.
    pub controls: &'a [Control],
    /// Every criterion of the catalog (those in scope are judged).
    pub criteria: &'a [Criterion],
    /// The system inventory (carve-outs and CUECs become caveats).
    pub inventory: &'a Inventory,
    /// The standard tables built from the locker.
    pub tables: &'a Tables,
    /// The locker entries behind the tables.
    pub evidence: &'a [EvidenceInfo],
    /// Manual test results (`results/*.yaml`).
    pub results: &'a [Results],
    /// Findings triage (`findings/*.yaml`).
    pub triage: &'a [Triage],
    /// The completeness and accuracy procedures performed on information produced by the
    /// entity (`ipe.yaml`).
    pub ipe: &'a [crate::ipe::Ipe],
    /// The walkthroughs of the controls' design and implementation (`walkthroughs/*.yaml`).
    pub walkthroughs: &'a [crate::walkthrough::Walkthrough],
    /// The ledger head.
    pub ledger: Option<LedgerHead>,
    /// Kinds of the collectors the workspace configures (`[[collector]] kind`): a source
    /// role one of them gathers is in use, so tests naming it need it to cover the period.
    pub collectors: &'a [String],
    /// `[sources]` of assay.toml: per role, the company's own systems that also fill it
    /// (evidence kinds, or the source names evidence was stored with).
    pub source_bindings: &'a BTreeMap<String, Vec<String>>,
    /// The auditor's sampling secret (`ASSAY_SAMPLE_SECRET`, read at the binary's edge and
    /// never stored): seeds samples whose results file records no seed yet, so management
    /// cannot compute the selection in advance.
    pub sample_secret: Option<&'a str>,
    /// Only this control (`assay test --control`).
    pub only_control: Option<&'a str>,
    /// Called before each test with (done, total, test id).
    pub progress: Option<&'a Progress<'a>>,
    /// Given every population as run, for re-performance (`assay test --populations`).
    pub populations: Option<&'a PopulationSink<'a>>,
    /// Population runs kept from earlier assessments: a whole-population test whose query
    /// and tables are unchanged is not queried again ([`crate::cache`]).
    pub population_cache: Option<&'a dyn crate::cache::PopulationCache>,
}

struct Ctx<'a> {
    basis: Basis,
    /// The evidence by blob hash, to name the sources behind a table.
    by_blob: HashMap<&'a str, &'a EvidenceInfo>,
    rt: tokio::runtime::Handle,
    values: BTreeMap<String, String>,
    window: Window,
    inputs: &'a Inputs<'a>,
}

fn ts_literal(us: i64) -> String {
    format!(
        "arrow_cast('{}', 'Timestamp(Microsecond, Some(\"UTC\"))')",
        micros_text(us)
    )
}

/// Runs every test and judges the results.
pub fn assess(inputs: &Inputs<'_>) -> Result<Assessment, EngineError> {
    let window = Window::of(&inputs.scope.period)?;
    let basis = Basis::new(
        inputs.tables,
        inputs.evidence,
        &window,
        inputs.settings.event_gap_days,
    )
    .map_err(EngineError::Basis)?;
    // The caller owns the runtime the queries run on (a server's, or the CLI's one): the
    // engine never starts its own.
    let rt = tokio::runtime::Handle::try_current().map_err(|_| {
        EngineError::Runtime(
            "no Tokio runtime: call the engine with the caller's runtime entered \
             (`Runtime::enter`), or from `spawn_blocking` inside one"
                .into(),
        )
    })?;
    let mut values = params::merged(&inputs.settings.params);
    values.insert("period_start".into(), ts_literal(window.start));
    values.insert("period_end".into(), ts_literal(window.end));
    values.insert("as_of".into(), ts_literal(window.end));
    let cx = Ctx {
        basis,
        by_blob: inputs
            .evidence
            .iter()
            .map(|e| (e.blob.as_str(), e))
            .collect(),
        rt,
        values,
        window,
        inputs,
    };

    let chosen: Vec<&Control> = inputs
        .controls
        .iter()
        .filter(|c| inputs.only_control.is_none_or(|id| c.id == id))
        .collect();
    if let (Some(id), true) = (inputs.only_control, chosen.is_empty()) {
        return Err(EngineError::NotFound(format!(
            "no control `{id}` in the workspace; `assay validate` lists the controls"
        )));
    }
    let total: usize = chosen.iter().map(|c| c.tests.len()).sum();
    let mut done = 0;
    let mut controls = Vec::new();
    for c in chosen {
        let mut tests = Vec::new();
        for t in &c.tests {
            if let Some(p) = inputs.progress {
                p(done, total, &t.id);
            }
            tests.push(ipe_gate(&cx, perform(&cx, c, t)));
            done += 1;
        }
        let walkthrough = inputs
            .walkthroughs
            .iter()
            .find(|w| w.control == c.id)
            .cloned();
        let (result, rule) = match walkthrough.as_ref().map(|w| w.conclusion) {
            Some(Design::DesignDeficient | Design::NotImplemented) => {
                (Verdict::NotEffective, Rule::CDesignDeficient)
            }
            _ => judge::control(&tests),
        };
        controls.push(ControlOutcome {
            id: c.id.clone(),
            title: c.title.clone(),
            owner: c.owner.clone(),
            frequency: c.frequency,
            nature: c.nature,
            criteria: c.criterion_ids().map(str::to_string).collect(),
            result,
            rule,
            tests,
            walkthrough,
        });
    }
    controls.sort_by(|a, b| a.id.cmp(&b.id));

    let mut in_scope: Vec<&Criterion> = inputs
        .criteria
        .iter()
        .filter(|k| inputs.scope.categories.contains(&k.category))
        .collect();
    in_scope.sort_by_key(|k| assay_core::criterion::sort_key(&k.id));
    let criteria = judge::criteria(&in_scope, &controls, inputs.controls, inputs.inventory);
    let engagement =
        crate::conclude::engagement(&controls, &criteria, inputs.settings.fieldwork_complete);
    let opinion = crate::conclude::opinion(&criteria, &engagement, inputs.settings);
    let remediation = |id: &str| {
        inputs
            .controls
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.guidance.as_ref())
            .map(|g| g.remediation.clone())
            .unwrap_or_default()
    };
    let mut findings = judge::findings(&controls, &criteria, &remediation);
    let mut resolved = Vec::new();
    for t in inputs.triage {
        match findings.iter_mut().find(|f| f.id == t.id) {
            Some(f) => f.triage = Some(t.clone()),
            None => resolved.push(t.clone()),
        }
    }
    resolved.sort_by(|a, b| a.id.cmp(&b.id));

    let mut summary = Summary::default();
    for c in &controls {
        *summary
            .controls
            .entry(c.result.as_str().to_string())
            .or_default() += 1;
        for t in &c.tests {
            *summary
                .tests
                .entry(t.result.as_str().to_string())
                .or_default() += 1;
        }
    }
    for k in &criteria {
        let word = match k.verdict {
            crate::assessment::CriterionResult::Met => "met",
            crate::assessment::CriterionResult::NotMet => "not met",
            crate::assessment::CriterionResult::NotTested => "not tested",
        };
        *summary.criteria.entry(word.to_string()).or_default() += 1;
    }
    for f in &findings {
        *summary
            .findings
            .entry(f.severity.as_str().to_string())
            .or_default() += 1;
    }
    let significant_incidents =
        crate::incidents::significant(&cx.basis, &cx.rt, &cx.values).map_err(EngineError::Basis)?;
    let scope = inputs.scope;
    let mut categories: Vec<Category> = scope.categories.clone();
    categories.sort();
    Ok(Assessment {
        schema: SCHEMA.to_string(),
        generator: format!("assay {}", env!("CARGO_PKG_VERSION")),
        rules_version: judge::RULES_VERSION.to_string(),
        organization: scope.organization.clone(),
        system: scope.system_name.clone(),
        audit: Audit {
            audit_type: scope.period.audit_type().to_string(),
            period_start: scope.period.start().to_string(),
            period_end: scope.period.end().to_string(),
        },
        categories: categories.iter().map(|c| c.to_string()).collect(),
        settings: inputs.settings.clone(),
        parameters: cx.values.clone(),
        ledger: inputs.ledger.clone(),
        tables: cx.basis.tables.clone(),
        controls,
        criteria,
        findings,
        resolved_triage: resolved,
        engagement,
        opinion,
        summary,
        significant_incidents,
        frameworks: Vec::new(),
    })
}

/// The auditor's evaluation of a test's deviations, from the triage of its finding.
fn evaluation<'a>(cx: &'a Ctx<'_>, test: &str) -> Option<&'a crate::triage::Evaluation> {
    let id = format!("F-{test}");
    cx.inputs
        .triage
        .iter()
        .find(|t| t.id == id)
        .and_then(|t| t.evaluation.as_ref())
}

/// What a test with deviations says about their evaluation, after its statement.
fn evaluation_text(rule: Rule, test: &str, e: Option<&crate::triage::Evaluation>) -> String {
    match (rule, e) {
        (Rule::TDeviation, _) => format!(
            " Each deviation awaits evaluation: record its cause and extent (`evaluation:` in findings/F-{test}.yaml)."
        ),
        (Rule::TDeviationIsolated | Rule::TDeviationSystemic, Some(e)) => format!(
            " Evaluated as {}{}: {}",
            e.extent.as_str(),
            e.by.as_deref().map(|b| format!(" by {b}")).unwrap_or_default(),
            e.cause.trim()
        ),
        _ => String::new(),
    }
}

fn outcome(test: &TestDef, method: Method, severity: Severity) -> TestOutcome {
    TestOutcome {
        id: test.id.clone(),
        procedure: test.procedure.clone(),
        method,
        result: Verdict::NotTested,
        rule: Rule::TNoEvidence,
        statement: String::new(),
        severity,
        population: None,
        coverage: None,
        provided: Vec::new(),
        calendar: None,
        sample: None,
        exception_count: 0,
        exceptions: Vec::new(),
        exception_days: BTreeMap::new(),
        notes: Vec::new(),
    }
}

fn errored(mut o: TestOutcome, message: String) -> TestOutcome {
    o.result = Verdict::Error;
    o.rule = Rule::TError;
    o.statement = format!("The test could not be performed: {message}");
    o.notes.push(message);
    o
}

fn perform(cx: &Ctx<'_>, control: &Control, test: &TestDef) -> TestOutcome {
    let severity = test.severity.unwrap_or(Severity::Medium);
    let method = if test.occurrence.is_some() {
        Method::Calendar
    } else if test.expect.is_some() {
        Method::Population
    } else {
        Method::Sample
    };
    let mut o = outcome(test, method, severity);
    let sub = |sql: &str| {
        params::substitute(sql, &cx.values).map_err(|name| {
            format!("the SQL uses `:{name}`, which has no value; define `{name} = ...` under [parameters] in assay.toml")
        })
    };
    let obtained = cx
        .inputs
        .results
        .iter()
        .find(|r| r.test == test.id)
        .and_then(|r| r.population.as_ref().map(|p| (r, p)));
    let slots = calendar::slots(control.frequency, &cx.window);
    if let (Some((r, _)), true) = (obtained, test.population.is_some() || slots.is_some()) {
        return errored(
            o,
            format!(
                "{}: field `population` is only for a test with no population query and no calendar of occurrences; {} draws its own population, so delete the field",
                r.file, test.id
            ),
        );
    }
    let Some(pop) = &test.population else {
        if test.expect.is_some() || test.occurrence.is_some() {
            return errored(
                o,
                "`expect` and `occurrence` need a `population` query".into(),
            );
        }
        return match slots {
            Some(slots) => {
                let keys: Vec<String> = slots.iter().map(|s| s.key.clone()).collect();
                sampled(
                    cx,
                    control,
                    test,
                    o,
                    &keys,
                    &format!("{} occurrences", frequency_word(control.frequency)),
                )
            }
            None if obtained.is_some() => {
                let p = obtained.map(|(_, p)| p);
                let keys = p.map(|p| p.keys.clone()).unwrap_or_default();
                let what = format!(
                    "items of the population obtained from management ({})",
                    p.map(|p| p.source.as_str()).unwrap_or_default()
                );
                sampled(cx, control, test, o, &keys, &what)
            }
            None => {
                o.rule = Rule::TNoPopulation;
                o.statement = format!(
                    "Not tested: {} operates per event or continuously, and its test has no population query to test or sample; record the population obtained from management under `population:` in results/{}.yaml.",
                    control.id, test.id
                );
                o
            }
        };
    };
    let (sql, expect, reason) = match (
        sub(pop),
        test.expect.as_deref().map(sub).transpose(),
        test.reason.as_deref().map(sub).transpose(),
    ) {
        (Ok(s), Ok(e), Ok(r)) => (s, e, r),
        (Err(m), _, _) | (_, Err(m), _) | (_, _, Err(m)) => return errored(o, m),
    };
    // A fresh session per test: nothing one test's SQL does is seen by another.
    let ctx = match cx.basis.sandbox.session() {
        Ok(c) => c,
        Err(e) => return errored(o, format!("the SQL session: {e}")),
    };
    let tables = match population::plan_tables(&ctx, &cx.rt, &sql) {
        Ok(t) => t,
        Err(m) => return errored(o, format!("population query: {m}")),
    };
    let mut gaps = Vec::new();
    for t in &tables {
        if let Some(b) = cx.basis.tables.get(t) {
            if let Some(g) = &b.gap {
                gaps.push(format!("{t}: {g}"));
            }
            for s in b.snapshots.iter().filter(|s| s.after_period) {
                o.notes.push(format!(
                    "{t}: read from the snapshot of {} ({}), taken after the {} ended; it supports states that persist to that date (an account active then was active at the end of the {}).",
                    s.at, s.source, cx.window.noun(), cx.window.noun()
                ));
            }
        }
    }
    o.provided = provided(cx, &tables);
    if !gaps.is_empty() {
        o.statement = format!("Not tested: {}.", gaps.join("; "));
        o.notes.extend(gaps);
        return o;
    }
    let sources = match sources_cover(cx, test, &tables) {
        Ok(covered) => covered,
        Err(gaps) => {
            o.rule = Rule::TSourceGap;
            o.statement = format!("Not tested: {}.", gaps.join("; "));
            o.notes.extend(gaps);
            return o;
        }
    };
    let ask = Ask {
        sql: &sql,
        expect: expect.as_deref(),
        reason: reason.as_deref(),
        occurrence: test.occurrence.as_deref(),
        at: test.at.as_deref(),
        keep: cx.inputs.populations.is_some(),
    };
    // A whole-population test over unchanged tables reuses its earlier run.
    let reuse = match (cx.inputs.population_cache, method) {
        (Some(c), Method::Population) if !ask.keep => {
            let read: Vec<(&str, Option<&crate::basis::TableBasis>)> = tables
                .iter()
                .map(|t| (t.as_str(), cx.basis.tables.get(t)))
                .collect();
            let window = format!("{:?}", cx.window);
            Some((c, crate::cache::key(c.build(), &ask, &window, &read)))
        }
        _ => None,
    };
    let kept = reuse.as_ref().and_then(|(c, k)| crate::cache::load(*c, k));
    let mut run = match kept {
        Some(r) => r,
        None => match population::run(&cx.basis, &ctx, &cx.rt, &ask) {
            Ok(r) => {
                if let Some((c, k)) = &reuse {
                    crate::cache::store(*c, k, &r);
                }
                r
            }
            Err(m) => return errored(o, m),
        },
    };
    if let (Some(sink), Some((schema, rows))) = (cx.inputs.populations, run.rows_out.take()) {
        sink(&test.id, &schema, &rows);
    }
    let coverage = if method == Method::Calendar {
        Coverage {
            span: Span::Period,
            as_of: Vec::new(),
        }
    } else {
        coverage_of(cx, &tables, pop)
    };
    let what = match coverage.span {
        Span::Period => format!("for the {} {}", cx.window.noun(), period_text(&cx.window)),
        Span::PointInTime | Span::SeveralPoints => {
            if !cx.window.type1 {
                o.notes.push(format!(
                    "Point in time: the population is read from snapshots ({}), so it shows the state on {}, not throughout the period. For a control that must operate over the period, pair it with a test over change history or logs, or with snapshots on several dates.",
                    tables.iter().filter(|t| cx.basis.tables.get(*t).is_some_and(|b| b.kind == "snapshot")).cloned().collect::<Vec<_>>().join(", "),
                    and_list(&coverage.as_of)
                ));
            }
            format!("as of {}", and_list(&coverage.as_of))
        }
    };
    o.coverage = Some(coverage);
    match method {
        Method::Population => {
            let evaluated = evaluation(cx, &test.id);
            let (v, rule) =
                judge::population(run.exception_count, run.frozen.rows, severity, evaluated);
            o.statement = match run.exceptions.first() {
                None if sources.is_empty() => format!(
                    "Inspected {} of the population {what} ({}); no exceptions.",
                    all_items(run.frozen.rows),
                    run.frozen.tables.join(", ")
                ),
                None => format!(
                    "Inspected {} of the population {what} ({}); no exceptions. Sources: {}.",
                    all_items(run.frozen.rows),
                    run.frozen.tables.join(", "),
                    sources.join("; ")
                ),
                Some(first) => format!(
                    "{} of {} items ({}) {what} did not meet the expectation; for example {}: {}.{}",
                    run.exception_count,
                    run.frozen.rows,
                    crate::percent_rounded(run.exception_count, run.frozen.rows),
                    first.key,
                    first.reason.trim_end_matches('.'),
                    evaluation_text(rule, &test.id, evaluated)
                ),
            };
            finish(o, v, rule, run)
        }
        Method::Calendar => calendar_test(cx, control, o, run),
        Method::Sample => {
            let untested = untested_sources(&o);
            if !untested.is_empty() && !cx.inputs.results.iter().any(|r| r.test == test.id) {
                o.rule = Rule::TSampleAwaitsIpe;
                o.statement = format!(
                    "Not tested: the population ({} row{}) is frozen (rows SHA-256 {}), but it rests on information produced by the entity ({}) whose completeness and accuracy is not yet tested; record that procedure in ipe.yaml, then draw the sample (`assay sample {}`).",
                    run.frozen.rows,
                    if run.frozen.rows == 1 { "" } else { "s" },
                    run.frozen.rows_sha256,
                    crate::judge::list(&untested),
                    test.id
                );
                o.population = Some(run.frozen);
                return o;
            }
            let keys = run.keys.clone();
            let mut o = sampled(cx, control, test, o, &keys, "population rows");
            o.population = Some(run.frozen);
            o
        }
    }
}

fn finish(mut o: TestOutcome, v: Verdict, rule: Rule, run: Run) -> TestOutcome {
    o.result = v;
    o.rule = rule;
    o.exception_count = run.exception_count;
    o.exceptions = run.exceptions;
    o.exception_days = run.exception_days;
    o.population = Some(run.frozen);
    o
}

fn frequency_word(f: Frequency) -> &'static str {
    match f {
        Frequency::Event => "event",
        Frequency::Continuous => "continuous",
        Frequency::Daily => "daily",
        Frequency::Weekly => "weekly",
        Frequency::Monthly => "monthly",
        Frequency::Quarterly => "quarterly",
        Frequency::Annual => "annual",
    }
}

/// Whether every source role the test names, where the company uses it, covers the
/// period: `Ok` with a phrase per role (its covered range, or why it is not in use), or
/// `Err` with a sentence per gap naming the source, the gap and how to fill it.
fn sources_cover(
    cx: &Ctx<'_>,
    test: &TestDef,
    tables: &[String],
) -> Result<Vec<String>, Vec<String>> {
    let slack = i64::from(cx.inputs.settings.event_gap_days) * 86_400_000_000;
    let day = |us: i64| micros_text(us).chars().take(10).collect::<String>();
    let (mut covered, mut gaps) = (Vec::new(), Vec::new());
    for id in &test.sources {
        let Some(role) = assay_core::source::role(id) else {
            gaps.push(format!(
                "`{id}` is not a source role; `assay validate` lists them"
            ));
            continue;
        };
        // The role's own kinds, and the systems the workspace binds to it ([sources]): by
        // evidence kind, or by the source name evidence was stored with (`@name` spans).
        let bound: &[String] = cx
            .inputs
            .source_bindings
            .get(id.as_str())
            .map_or(&[], Vec::as_slice);
        let mut keys: Vec<String> = role.kinds.iter().map(|k| k.to_string()).collect();
        for b in bound {
            keys.push(b.clone());
            keys.push(format!("@{b}"));
        }
        let mut span: Option<(i64, i64)> = None;
        for by_kind in tables.iter().filter_map(|t| cx.basis.spans.get(t)) {
            for (a, b) in keys.iter().filter_map(|k| by_kind.get(k)) {
                span = Some(span.map_or((*a, *b), |(x, y)| (x.min(*a), y.max(*b))));
            }
        }
        let evidence = cx.inputs.evidence.iter().any(|e| {
            role.kinds.contains(&e.kind.as_str())
                || bound.iter().any(|b| *b == e.kind || *b == e.source)
        });
        let collected = cx
            .inputs
            .collectors
            .iter()
            .any(|c| role.collectors.contains(&c.as_str()));
        if !evidence && !collected && bound.is_empty() && !role.in_inventory(cx.inputs.inventory) {
            covered.push(format!(
                "{id} not in use (no evidence, collector or inventory entry names it)"
            ));
            continue;
        }
        let gap = match span {
            None => Some("it has no events in the evidence".to_string()),
            Some((a, _)) if a > cx.window.start + slack => {
                Some(format!("its events start on {}", day(a)))
            }
            Some((_, b)) if b < cx.window.end - slack => {
                Some(format!("its events stop on {}", day(b)))
            }
            Some(_) => None,
        };
        match (gap, span) {
            (Some(g), _) => gaps.push(format!(
                "{} (`{id}`: {}) does not cover the {} {}: {g}; to fill it, {}",
                role.what,
                keys.iter()
                    .filter(|k| !k.starts_with('@'))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
                cx.window.noun(),
                period_text(&cx.window),
                role.fill
                    .replace("PERIOD_START", &cx.window.start_date.to_string())
            )),
            (None, Some((a, b))) => covered.push(format!("{id} covers {} to {}", day(a), day(b))),
            (None, None) => {}
        }
    }
    if gaps.is_empty() {
        Ok(covered)
    } else {
        Err(gaps)
    }
}

/// What the tables a test reads cover in time: the period as soon as one holds events, or
/// when the population selects by the period's dates (`:period_start`, `:period_end`) from
/// the history a snapshot keeps (start and end dates, deactivations); otherwise the snapshots'
/// point (or points) in time.
fn coverage_of(cx: &Ctx<'_>, tables: &[String], population_sql: &str) -> Coverage {
    let period = Coverage {
        span: Span::Period,
        as_of: Vec::new(),
    };
    if population_sql.contains(":period_start") || population_sql.contains(":period_end") {
        return period;
    }
    let mut as_of = Vec::new();
    for t in tables {
        match cx.basis.tables.get(t) {
            Some(b) if b.kind == "snapshot" => as_of.extend(
                b.snapshots
                    .iter()
                    .map(|s| s.at.chars().take(10).collect::<String>()),
            ),
            _ => return period,
        }
    }
    as_of.sort();
    as_of.dedup();
    if as_of.is_empty() {
        // Snapshot tables with nothing read: the as-of date the basis used.
        as_of.push(cx.window.end_date.to_string());
    }
    Coverage {
        span: if as_of.len() > 1 {
            Span::SeveralPoints
        } else {
            Span::PointInTime
        },
        as_of,
    }
}

/// The sources of information produced by the entity (imported, not collected) behind the
/// tables a population reads, each with the IPE procedure `ipe.yaml` records for it.
fn provided(cx: &Ctx<'_>, tables: &[String]) -> Vec<Provided> {
    let mut sources = BTreeSet::new();
    for t in tables {
        let Some(b) = cx.basis.tables.get(t) else {
            continue;
        };
        for blob in &b.evidence {
            if let Some(e) = cx.by_blob.get(blob.as_str()) {
                if !e.system_generated {
                    sources.insert(e.group());
                }
            }
        }
    }
    sources
        .into_iter()
        .map(|source| Provided {
            ipe: cx.inputs.ipe.iter().find(|i| i.source == source).cloned(),
            source,
        })
        .collect()
}

/// The sources behind a test's population whose completeness and accuracy `ipe.yaml` does
/// not yet record.
fn untested_sources(o: &TestOutcome) -> Vec<String> {
    o.provided
        .iter()
        .filter(|p| p.ipe.is_none())
        .map(|p| p.source.clone())
        .collect()
}

/// Once fieldwork is closed, a test whose population rests on a source of information
/// produced by the entity that was never tested cannot conclude (`T-IPE-UNTESTED`): not
/// tested, with what it found kept in the statement and its exceptions. While fieldwork is
/// open the untested source is work left ([`crate::conclude::engagement`]).
fn ipe_gate(cx: &Ctx<'_>, mut o: TestOutcome) -> TestOutcome {
    let untested = untested_sources(&o);
    if untested.is_empty()
        || !cx.inputs.settings.fieldwork_complete
        || matches!(o.result, Verdict::NotTested | Verdict::Error)
    {
        return o;
    }
    o.result = Verdict::NotTested;
    o.rule = Rule::TIpeUntested;
    o.statement = format!(
        "Not concluded: the population rests on information produced by the entity ({}) whose completeness and accuracy was not tested before fieldwork closed. What the test found: {}",
        crate::judge::list(&untested),
        o.statement
    );
    o
}

/// `the one item` or `all N items`.
fn all_items(n: usize) -> String {
    if n == 1 {
        "the one item".into()
    } else {
        format!("all {n} items")
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn period_text(w: &Window) -> String {
    if w.type1 {
        w.end_date.to_string()
    } else {
        format!("{} to {}", w.start_date, w.end_date)
    }
}

fn calendar_test(cx: &Ctx<'_>, control: &Control, mut o: TestOutcome, mut run: Run) -> TestOutcome {
    let Some(slots) = calendar::slots(control.frequency, &cx.window) else {
        return errored(
            o,
            format!(
                "`occurrence` needs a recurring frequency (daily to annual); {} is {}",
                control.id,
                frequency_word(control.frequency)
            ),
        );
    };
    let failed: std::collections::HashSet<&str> =
        run.exceptions.iter().map(|e| e.key.as_str()).collect();
    let times: Vec<i64> = run
        .occurrences
        .iter()
        .filter(|(i, _)| !failed.contains(run.keys[*i].as_str()))
        .filter_map(|(_, at)| *at)
        .collect();
    let mut missing = Vec::new();
    for s in &slots {
        if !times.iter().any(|t| s.contains(*t)) {
            missing.push(s.key.clone());
            let mut row = Map::new();
            row.insert("window".into(), json!(s.key));
            row.insert("from".into(), json!(s.from.to_string()));
            row.insert("to".into(), json!(s.to.to_string()));
            run.exceptions.push(Exception {
                key: s.key.clone(),
                reason: format!(
                    "no {} occurrence between {} and {}",
                    frequency_word(control.frequency),
                    s.from,
                    s.to
                ),
                row,
                evidence: Vec::new(),
            });
            run.exception_count += 1;
            *run.exception_days.entry(s.to.to_string()).or_default() += 1;
        }
    }
    let expected = slots.len();
    let found = expected - missing.len();
    let denominator = expected.max(run.frozen.rows);
    let evaluated = evaluation(cx, &o.id);
    let (v, rule) = judge::population(run.exception_count, denominator, o.severity, evaluated);
    o.statement = if missing.is_empty() && run.exception_count == 0 {
        format!(
            "Expected {expected} {} occurrences in the {} {}; found one in each.",
            frequency_word(control.frequency),
            cx.window.noun(),
            period_text(&cx.window)
        )
    } else {
        format!(
            "Expected {expected} {} occurrences in the {} {}; found {found}{}{}.",
            frequency_word(control.frequency),
            cx.window.noun(),
            period_text(&cx.window),
            if missing.is_empty() {
                String::new()
            } else {
                format!("; missing: {}", missing.join(", "))
            },
            match run.exception_count - missing.len() {
                0 => String::new(),
                n => format!("; {n} occurrences did not meet the expectation"),
            }
        ) + &evaluation_text(rule, &o.id, evaluated)
    };
    o.calendar = Some(Calendar {
        expected: slots,
        found,
        missing,
    });
    finish(o, v, rule, run)
}

fn sampled(
    cx: &Ctx<'_>,
    control: &Control,
    test: &TestDef,
    mut o: TestOutcome,
    keys: &[String],
    what: &str,
) -> TestOutcome {
    o.method = Method::Sample;
    let s = cx.inputs.settings;
    let size = sample::size(
        control.frequency,
        keys.len(),
        &s.sampling_table,
        assay_core::Risk::of(control.risk, s.risk, control.nature),
        s.test_all_up_to as usize,
    );
    let results = cx.inputs.results.iter().find(|r| r.test == test.id);
    let organization = &cx.inputs.scope.organization;
    let period = cx.inputs.scope.period.to_string();
    let (seed, seed_from) = match (
        results.and_then(|r| r.seed.clone()),
        cx.inputs.sample_secret,
    ) {
        (Some(seed), _) => (seed, results.map(|r| r.file.clone()).unwrap_or_default()),
        (None, Some(secret)) => (
            sample::secret_seed(secret, organization, &period, &test.id),
            sample::FROM_SECRET.to_string(),
        ),
        (None, None) => (
            sample::default_seed(organization, &period, &test.id),
            sample::FROM_DEFAULT.to_string(),
        ),
    };
    let extended = results.is_some_and(|r| r.extended);
    let n = if extended { size.extended } else { size.size };
    let chosen = sample::select(keys, &seed, n);
    let mut items = Vec::new();
    let mut pending = 0;
    for (i, key) in chosen.iter().enumerate() {
        let found = results.and_then(|r| r.items.iter().find(|it| &it.key == key));
        if found.is_none() {
            pending += 1;
        }
        items.push(SampleItem {
            key: key.clone(),
            result: found.map(|f| f.result),
            notes: found.map(|f| f.notes.clone()).unwrap_or_default(),
            evidence: found.map(|f| f.evidence.clone()).unwrap_or_default(),
            attributes: found.map(|f| f.attributes.clone()).unwrap_or_default(),
            extension: i >= size.size,
        });
    }
    let stray: Vec<&str> = results
        .map(|r| {
            r.items
                .iter()
                .filter(|it| !chosen.contains(&it.key))
                .map(|it| it.key.as_str())
                .collect()
        })
        .unwrap_or_default();
    o.sample = Some(Sample {
        population: keys.len(),
        basis: size.basis.clone(),
        size: size.size,
        extended_size: size.extended,
        extended,
        seed: seed.clone(),
        predictable: seed_from == sample::FROM_DEFAULT,
        risk: assay_core::Risk::of(control.risk, s.risk, control.nature)
            .as_str()
            .to_string(),
        seed_from,
        algorithm: sample::ALGORITHM.to_string(),
        items: items.clone(),
        tester: results.map(|r| r.tester.clone()),
        tested_at: results.map(|r| r.tested_at.to_string()),
        results_file: results.map(|r| r.file.clone()),
        reviewer: results.and_then(|r| r.reviewer.clone()),
        reviewed_at: results.and_then(|r| r.reviewed_at.map(|d| d.to_string())),
        attributes: results.map(|r| r.attributes.clone()).unwrap_or_default(),
        conclusion: results.and_then(|r| r.conclusion.clone()),
        obtained: results.and_then(|r| r.population.clone()),
    });
    if let (Some(r), false) = (results, stray.is_empty()) {
        return errored(o, format!(
            "{} records results for {}, which the sample does not hold; `assay sample {}` lists the selected items (a sample drawn with ASSAY_SAMPLE_SECRET needs its `seed:` recorded in the file)",
            r.file,
            stray.join(", "),
            test.id
        ));
    }
    if keys.is_empty() {
        o.result = Verdict::Effective;
        o.rule = Rule::TEmpty;
        o.statement = format!(
            "No {what} in the {} {}: nothing to sample.",
            cx.window.noun(),
            period_text(&cx.window)
        );
        return o;
    }
    if pending > 0 {
        o.rule = Rule::TSamplePending;
        o.statement = format!(
            "Sample of {n} of {} {what} selected (seed {seed}, {}); results recorded for {} of {n}: record them in results/{}.yaml.",
            keys.len(),
            size.basis,
            n - pending,
            test.id
        );
        return o;
    }
    let fails: Vec<&SampleItem> = items
        .iter()
        .filter(|i| i.result == Some(Outcome::Fail))
        .collect();
    let (v, rule) = judge::sample(fails.len(), extended);
    o.result = v;
    o.rule = rule;
    o.exception_count = fails.len();
    o.exceptions = fails
        .iter()
        .map(|i| {
            let mut row = Map::new();
            row.insert("key".into(), Value::String(i.key.clone()));
            row.insert("result".into(), json!("fail"));
            row.insert("notes".into(), Value::String(i.notes.clone()));
            Exception {
                key: i.key.clone(),
                reason: if i.notes.is_empty() {
                    "the tester recorded a deviation".into()
                } else {
                    i.notes.clone()
                },
                row,
                evidence: i.evidence.clone(),
            }
        })
        .collect();
    o.statement = format!(
        "Tested a sample of {n} of {} {what} selected with seed {seed} ({}){}; {} deviation{}.{}",
        keys.len(),
        size.basis,
        results
            .map(|r| format!(", by {} on {}", r.tester, r.tested_at))
            .unwrap_or_default(),
        fails.len(),
        if fails.len() == 1 { "" } else { "s" },
        if rule == "T-SAMPLE-EXTEND" {
            format!(" Extend the sample to {} items (`extended: true` in results/{}.yaml) and test the added items.", size.extended, test.id)
        } else {
            String::new()
        }
    );
    o
}
