//! The assessment results: observations per test with their evidence, and findings.

use super::*;

/// A test that ran a population or drew a sample, and so gives an observation.
pub(super) struct Observed<'c> {
    pub(super) control: &'c ControlOutcome,
    pub(super) test: &'c TestOutcome,
    pub(super) uuid: String,
}

pub(super) fn observed<'c>(cx: &'c Context<'_>) -> Vec<Observed<'c>> {
    let mut out = Vec::new();
    for c in &cx.assessment.controls {
        for t in &c.tests {
            if t.population.is_some() || t.sample.is_some() {
                out.push(Observed {
                    control: c,
                    test: t,
                    uuid: observation_uuid(cx, &t.id),
                });
            }
        }
    }
    out
}

pub(super) fn method_word(m: Method) -> &'static str {
    match m {
        Method::Population => "population",
        Method::Calendar => "calendar",
        Method::Sample => "sample",
    }
}

pub(super) fn observation(cx: &Context<'_>, o: &Observed<'_>) -> Value {
    let t = o.test;
    let mut m = Map::new();
    set(&mut m, "uuid", json!(o.uuid));
    set(
        &mut m,
        "title",
        json!(line_or(&format!("{}: {}", t.id, o.control.title), &t.id)),
    );
    let mut description = t.procedure.trim().to_string();
    if !t.statement.trim().is_empty() {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(t.statement.trim());
    }
    if description.is_empty() {
        description = format!("Test {} of control {}.", t.id, o.control.id);
    }
    set(&mut m, "description", json!(description));
    put_list(
        &mut m,
        "props",
        props([
            prop("control", &o.control.id),
            prop("test", &t.id),
            prop("method", method_word(t.method)),
            prop("result", t.result.as_str()),
            prop("rule", t.rule.id()),
            prop("severity", t.severity.as_str()),
            prop("exception-count", &t.exception_count.to_string()),
        ]),
    );
    let method = match t.method {
        Method::Population | Method::Calendar => "TEST",
        Method::Sample => "EXAMINE",
    };
    set(&mut m, "methods", json!([method]));
    let mut types = vec!["control-objective"];
    if t.exception_count > 0 || matches!(t.result, Verdict::NotEffective | Verdict::ExceptionsNoted)
    {
        types.push("finding");
    }
    set(&mut m, "types", json!(types));
    set(
        &mut m,
        "subjects",
        json!([{
            "subject-uuid": system_uuid(cx),
            "type": "component",
            "title": system_name(cx),
        }]),
    );
    put_list(&mut m, "relevant-evidence", relevant_evidence(t));
    set(&mut m, "collected", json!(last_modified(cx)));
    put_text(&mut m, "remarks", &observation_remarks(t));
    Value::Object(m)
}

/// The frozen population, the sample, and each piece of evidence behind the exceptions.
pub(super) fn relevant_evidence(t: &TestOutcome) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(p) = &t.population {
        let mut e = Map::new();
        set(
            &mut e,
            "description",
            json!(format!(
                "Frozen population of {} read from {} ({}). SHA-256 over the hashes of the {} behind those tables (evidence_sha256): `{}`. SHA-256 over the rows in order: `{}`.",
                plural(p.rows, "row", "rows"),
                id_list(&p.tables, "no table"),
                id_list(&p.normalizers, "no normalizer"),
                plural(p.evidence_count, "piece of evidence", "pieces of evidence"),
                line(&p.evidence_sha256),
                line(&p.rows_sha256)
            )),
        );
        put_list(
            &mut e,
            "props",
            props([
                prop("evidence-sha256", &p.evidence_sha256),
                prop("evidence-count", &p.evidence_count.to_string()),
                prop("rows", &p.rows.to_string()),
                prop("rows-sha256", &p.rows_sha256),
            ]),
        );
        if !p.query.trim().is_empty() {
            set(
                &mut e,
                "remarks",
                json!(format!(
                    "The population query:\n\n```sql\n{}\n```",
                    p.query.trim()
                )),
            );
        }
        out.push(Value::Object(e));
    }
    if let Some(s) = &t.sample {
        let size = if s.extended { s.extended_size } else { s.size };
        let mut d = format!(
            "Sample of {} of {} ({}), selected with {} from seed `{}` ({}).",
            size,
            plural(s.population, "item", "items"),
            line_or(&s.basis, "no basis recorded"),
            line_or(&s.algorithm, "the recorded algorithm"),
            line(&s.seed),
            if s.seed_from == "default" {
                "derived from organization, period and test".to_string()
            } else {
                format!("from {}", line_or(&s.seed_from, "the results file"))
            }
        );
        match (&s.tester, &s.tested_at) {
            (Some(who), Some(at)) => {
                d.push_str(&format!(" Tested by {} on {}.", line(who), line(at)))
            }
            (Some(who), None) => d.push_str(&format!(" Tested by {}.", line(who))),
            (None, Some(at)) => d.push_str(&format!(" Tested on {}.", line(at))),
            (None, None) => d.push_str(" Results not yet recorded."),
        }
        if let Some(f) = s
            .results_file
            .as_deref()
            .map(line)
            .filter(|f| !f.is_empty())
        {
            d.push_str(&format!(" Results file: {f}."));
        }
        let mut e = Map::new();
        set(&mut e, "description", json!(d));
        put_list(
            &mut e,
            "props",
            props([
                prop("sample-size", &size.to_string()),
                prop("sample-population", &s.population.to_string()),
                prop("sample-seed", &s.seed),
            ]),
        );
        let items: Vec<String> = s
            .items
            .iter()
            .map(|it| {
                let result = match it.result {
                    Some(Outcome::Pass) => "pass",
                    Some(Outcome::Fail) => "fail",
                    None => "not yet tested",
                };
                let mut b = format!("- {}: {result}", line(&it.key));
                if it.extension {
                    b.push_str(" (extension)");
                }
                let notes = line(&it.notes);
                if !notes.is_empty() {
                    b.push_str(&format!("; {notes}"));
                }
                if !it.evidence.is_empty() {
                    b.push_str(&format!("; evidence {}", id_list(&it.evidence, "none")));
                }
                b
            })
            .collect();
        if !items.is_empty() {
            set(
                &mut e,
                "remarks",
                json!(format!("Items selected:\n\n{}", items.join("\n"))),
            );
        }
        out.push(Value::Object(e));
    }
    // Each piece of evidence behind the exceptions, by its SHA-256.
    let mut by_hash: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for x in &t.exceptions {
        for h in &x.evidence {
            let h = h.trim().to_ascii_lowercase();
            if h.is_empty() || !h.chars().all(|c| c.is_ascii_hexdigit()) {
                continue;
            }
            let keys = by_hash.entry(h).or_default();
            let key = line_or(&x.key, "(no key)");
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    for (h, keys) in by_hash {
        let named: Vec<&str> = keys.iter().take(KEYS_NAMED).map(String::as_str).collect();
        let more = keys.len().saturating_sub(KEYS_NAMED);
        out.push(json!({
            "href": format!("urn:assay:evidence:sha256:{h}"),
            "description": format!(
                "Evidence behind {}: {}{}.",
                plural(keys.len(), "exception", "exceptions"),
                named.join(", "),
                if more > 0 { format!(" and {more} more") } else { String::new() }
            ),
        }));
    }
    out
}

pub(super) fn observation_remarks(t: &TestOutcome) -> String {
    let mut parts = Vec::new();
    let notes: Vec<String> = t
        .notes
        .iter()
        .map(|n| line(n))
        .filter(|n| !n.is_empty())
        .map(|n| format!("- {n}"))
        .collect();
    if !notes.is_empty() {
        parts.push(format!("Notes:\n\n{}", notes.join("\n")));
    }
    if !t.exceptions.is_empty() {
        let listed: Vec<String> = t
            .exceptions
            .iter()
            .take(EXCEPTIONS_LISTED)
            .map(|x| format!("- {}: {}", line_or(&x.key, "(no key)"), line(&x.reason)))
            .collect();
        let head = if t.exception_count > listed.len() {
            format!(
                "Exceptions ({}; the first {} listed):",
                t.exception_count,
                listed.len()
            )
        } else {
            format!("Exceptions ({}):", t.exception_count.max(listed.len()))
        };
        parts.push(format!("{head}\n\n{}", listed.join("\n")));
    }
    parts.join("\n\n")
}

pub(super) fn kind_phrase(kind: &str) -> String {
    match kind {
        "not-effective" => "control not effective".to_string(),
        "exceptions-noted" => "exceptions noted".to_string(),
        "not-tested" => "not tested".to_string(),
        "error" => "test could not be performed".to_string(),
        "design-gap" => "no control addresses the criterion".to_string(),
        other => line_or(&other.replace('-', " "), "finding"),
    }
}

/// A finding's target: the first criterion it affects that is not met (else its first
/// criterion), as a control objective.
/// A finding's description: its statement, or its id and kind when it has none.
pub(super) fn finding_description(f: &Finding) -> String {
    let statement = f.statement.trim();
    if statement.is_empty() {
        format!("Finding {}: {}.", line(&f.id), kind_phrase(f.kind.as_str()))
    } else {
        statement.to_string()
    }
}

pub(super) fn finding(
    cx: &Context<'_>,
    f: &Finding,
    observed: &[Observed<'_>],
    with_risk: bool,
) -> Value {
    let mut m = Map::new();
    set(&mut m, "uuid", json!(finding_uuid(cx, &f.id)));
    set(&mut m, "title", json!(line_or(&f.id, "Finding")));
    set(&mut m, "description", json!(finding_description(f)));
    let mut p = vec![
        prop("severity", f.severity.as_str()),
        prop("kind", f.kind.as_str()),
        prop("rule", f.rule.id()),
        prop("exception-count", &f.exception_count.to_string()),
        prop("control", f.control.as_deref().unwrap_or_default()),
        prop("test", f.test.as_deref().unwrap_or_default()),
        prop("owner", &f.owner),
    ];
    p.extend(f.criteria.iter().map(|k| prop("criterion", k)));
    if let Some(t) = &f.triage {
        p.push(prop("triage-status", t.status.as_str()));
        p.push(prop(
            "due",
            &t.due.map(|d| d.to_string()).unwrap_or_default(),
        ));
    }
    put_list(&mut m, "props", props(p));

    let target = f
        .criteria
        .iter()
        .find(|id| verdict(cx, id).is_none_or(|v| v.verdict != CriterionResult::Met))
        .or(f.criteria.first());
    let (state, reason) = match target.and_then(|id| verdict(cx, id)).map(|v| v.verdict) {
        Some(CriterionResult::Met) => ("satisfied", "pass"),
        Some(CriterionResult::NotMet) => ("not-satisfied", "fail"),
        _ => ("not-satisfied", "other"),
    };
    let mut tg = Map::new();
    set(&mut tg, "type", json!("objective-id"));
    let target_id = match target {
        Some(id) => control_id(id),
        None => control_id(f.control.as_deref().unwrap_or(&f.id)),
    };
    set(&mut tg, "target-id", json!(target_id));
    if let Some(k) = target.and_then(|id| criterion(cx, id)) {
        set(
            &mut tg,
            "title",
            json!(line_or(&format!("{} {}", k.id, k.subject), &k.id)),
        );
    }
    let affected: Vec<String> = f
        .criteria
        .iter()
        .map(|id| match verdict(cx, id) {
            Some(v) => format!("{} ({})", line(id), verdict_word(v.verdict)),
            None => line(id),
        })
        .collect();
    set(
        &mut tg,
        "description",
        json!(if affected.is_empty() {
            "The finding names no criterion.".to_string()
        } else {
            format!("Criteria affected: {}.", affected.join(", "))
        }),
    );
    set(
        &mut tg,
        "status",
        json!({ "state": state, "reason": reason }),
    );
    set(&mut m, "target", Value::Object(tg));
    if let Some(id) = target {
        set(
            &mut m,
            "implementation-statement-uuid",
            json!(requirement_uuid(cx, id)),
        );
    }
    if let Some(o) = related(f, observed) {
        set(
            &mut m,
            "related-observations",
            json!([{ "observation-uuid": o.uuid }]),
        );
    }
    if with_risk {
        set(
            &mut m,
            "related-risks",
            json!([{ "risk-uuid": risk_uuid(cx, &f.id) }]),
        );
    }
    put_text(&mut m, "remarks", &finding_remarks(f));
    Value::Object(m)
}

/// The observation of the test a finding is about, when the test gave one.
pub(super) fn related<'o, 'c>(
    f: &Finding,
    observed: &'o [Observed<'c>],
) -> Option<&'o Observed<'c>> {
    let test = f.test.as_deref()?;
    observed.iter().find(|o| o.test.id == test)
}

pub(super) fn finding_remarks(f: &Finding) -> String {
    let mut parts = Vec::new();
    if !f.remediation.trim().is_empty() {
        parts.push(format!("Remediation: {}", f.remediation.trim()));
    }
    if let Some(r) = f
        .triage
        .as_ref()
        .and_then(|t| t.response.as_deref())
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        parts.push(format!("Management's response: {r}"));
    }
    parts.join("\n\n")
}

/// The assessment as OSCAL `assessment-results`: one result for the audit period, with the
/// criteria in scope as reviewed controls, one observation per test that ran a population or
/// drew a sample (its frozen population, sample and the evidence behind its exceptions), and one
/// finding per finding of the assessment, targeting the criterion it affects.
pub fn assessment_results(cx: &Context<'_>) -> Value {
    super::literal(build_assessment_results(cx))
}

fn build_assessment_results(cx: &Context<'_>) -> Value {
    let a = cx.assessment;
    let reqs = requirements(cx);
    let observed = observed(cx);

    let mut meta = metadata(
        cx,
        &format!(
            "{} assessment results: {}, {}",
            audit_words(cx),
            system_name(cx),
            cx.scope.period
        ),
    );
    let mut p = vec![prop("rules-version", &a.rules_version)];
    if let Some(l) = &a.ledger {
        p.push(prop("ledger-root", &l.root));
        p.push(prop("ledger-size", &l.size.to_string()));
    }
    put_list(&mut meta, "props", props(p));

    let selection = if reqs.is_empty() {
        json!({ "include-all": {} })
    } else {
        json!({
            "description": format!("The Trust Services Criteria in scope: {}.", categories_text(cx)),
            "include-controls": reqs
                .iter()
                .map(|r| json!({ "control-id": control_id(&r.id) }))
                .collect::<Vec<_>>(),
        })
    };

    let count = |map: &BTreeMap<String, usize>, key: &str| map.get(key).copied().unwrap_or(0);
    let tests: usize = a.controls.iter().map(|c| c.tests.len()).sum();
    let description = format!(
        "{} assessment of {} ({}) against the Trust Services Criteria in scope ({}) for {}: {} and {}. Criteria: {} met, {} not met, {} not tested. {}. Draft opinion: {}.",
        audit_words(cx),
        system_name(cx),
        organization(cx),
        categories_text(cx),
        cx.scope.period,
        plural(a.controls.len(), "control", "controls"),
        plural(tests, "test", "tests"),
        count(&a.summary.criteria, "met"),
        count(&a.summary.criteria, "not met"),
        count(&a.summary.criteria, "not tested"),
        capitalized(&plural(a.findings.len(), "finding", "findings")),
        line_or(a.opinion.kind.as_str(), "none")
    );

    let mut result = Map::new();
    set(&mut result, "uuid", json!(period_uuid(cx, &["result"])));
    set(
        &mut result,
        "title",
        json!(line(&format!(
            "{} assessment of {}, {}",
            audit_words(cx),
            system_name(cx),
            cx.scope.period
        ))),
    );
    set(&mut result, "description", json!(description));
    set(
        &mut result,
        "start",
        json!(date_time(cx.scope.period.start())),
    );
    set(&mut result, "end", json!(last_modified(cx)));
    put_list(
        &mut result,
        "props",
        props([
            prop("audit-type", &a.audit.audit_type),
            prop("opinion", a.opinion.kind.as_str()),
            prop("opinion-rule", a.opinion.rule.id()),
            prop("evidence-count", &cx.evidence_count.to_string()),
        ]),
    );
    set(
        &mut result,
        "reviewed-controls",
        json!({ "control-selections": [selection] }),
    );
    put_list(
        &mut result,
        "observations",
        observed.iter().map(|o| observation(cx, o)).collect(),
    );
    put_list(
        &mut result,
        "findings",
        a.findings
            .iter()
            .map(|f| finding(cx, f, &observed, false))
            .collect(),
    );
    let reasons: Vec<String> = a
        .opinion
        .reasons
        .iter()
        .map(|r| line(r))
        .filter(|r| !r.is_empty())
        .map(|r| format!("- {r}"))
        .collect();
    if !reasons.is_empty() {
        set(
            &mut result,
            "remarks",
            json!(format!(
                "Draft opinion ({}):\n\n{}",
                line_or(a.opinion.kind.as_str(), "none"),
                reasons.join("\n")
            )),
        );
    }

    let mut doc = document(cx, "assessment-results", meta);
    set(
        &mut doc,
        "import-ap",
        json!({
            "href": PLAN_HREF,
            "remarks": "Assay exports no assessment plan: the plan is the workspace's controls, their tests and the engine settings, recorded in the assessment (`assay assess --json`).",
        }),
    );
    set(&mut doc, "results", json!([Value::Object(result)]));
    Value::Object(doc)
}
