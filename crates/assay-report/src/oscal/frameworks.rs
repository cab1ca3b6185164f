//! OSCAL documents for each framework beside SOC 2 the assessment judged: a catalog of its
//! requirements, a profile selecting all of them, and assessment results with one finding
//! per requirement (its verdict, rule and the workspace's controls behind it). Requirement
//! ids become OSCAL control ids: lower case, `(x)` as `.x`, any other character not allowed
//! in a token as `-` (`AC-2(1)` becomes `ac-2.1`, `164.312(a)(1)` becomes `_164.312.a.1`).
//! The component definition lists, per control, every framework requirement it implements
//! ([`control_implementations`]).

use super::*;
use assay_engine::assessment::{FrameworkResult, RequirementVerdict};

/// A requirement id as an OSCAL control id.
pub(super) fn requirement_id(id: &str) -> String {
    let mut s = id.to_ascii_lowercase().replace(')', "");
    s = s.replace('(', ".");
    token(&s)
}

/// The file each framework document is written to: `catalog-iso27001.json`, ...
pub(super) fn file(model: &str, framework: &str) -> String {
    format!("{model}-{framework}")
}

/// Catalog, profile and assessment results of every judged framework, as (file stem, model,
/// object).
pub(super) fn documents(cx: &Context<'_>) -> Vec<(String, &'static str, Value)> {
    let mut out = Vec::new();
    for f in &cx.assessment.frameworks {
        out.push((file("catalog", &f.id), "catalog", literal(catalog(cx, f))));
        out.push((file("profile", &f.id), "profile", literal(profile(cx, f))));
        out.push((
            file("assessment-results", &f.id),
            "assessment-results",
            literal(results(cx, f)),
        ));
    }
    out
}

fn catalog(cx: &Context<'_>, f: &FrameworkResult) -> Value {
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    for r in &f.requirements {
        let control = json!({
            "id": requirement_id(&r.id),
            "title": line_or(&format!("{} {}", r.id, r.title), &r.id),
            "props": [{"name": "label", "value": line_or(&r.id, "-")}],
            "parts": [{
                "id": format!("{}_smt", requirement_id(&r.id)),
                "name": "statement",
                "prose": line_or(&r.summary, &r.title),
            }],
        });
        match groups.iter_mut().find(|(g, _)| *g == r.group) {
            Some((_, list)) => list.push(control),
            None => groups.push((r.group.clone(), vec![control])),
        }
    }
    let groups: Vec<Value> = groups
        .into_iter()
        .enumerate()
        .map(|(i, (title, controls))| {
            json!({
                "id": format!("g{}", i + 1),
                "title": line_or(&title, "Requirements"),
                "controls": controls,
            })
        })
        .collect();
    let mut doc = document_for(cx, f, "catalog", &format!("{}: requirements", f.title));
    set(&mut doc, "groups", Value::Array(groups));
    Value::Object(doc)
}

fn profile(cx: &Context<'_>, f: &FrameworkResult) -> Value {
    let mut doc = document_for(
        cx,
        f,
        "profile",
        &format!("{}: every requirement, for {}", f.title, system_name(cx)),
    );
    set(
        &mut doc,
        "imports",
        json!([{ "href": format!("{}.json", file("catalog", &f.id)), "include-all": {} }]),
    );
    Value::Object(doc)
}

fn state(r: &RequirementVerdict) -> (&'static str, &'static str) {
    match r.verdict {
        CriterionResult::Met => ("satisfied", "pass"),
        CriterionResult::NotMet => ("not-satisfied", "fail"),
        CriterionResult::NotTested => ("not-satisfied", "other"),
    }
}

fn results(cx: &Context<'_>, f: &FrameworkResult) -> Value {
    let findings: Vec<Value> = f
        .requirements
        .iter()
        .map(|r| {
            let (state, reason) = state(r);
            let mut description = line_or(&r.statement, &r.id);
            for c in &r.caveats {
                description.push_str(&format!(" Caveat: {}.", line(c)));
            }
            let mut m = Map::new();
            set(
                &mut m,
                "uuid",
                json!(stable_uuid(cx, &["fw-finding", &f.id, &r.id])),
            );
            set(
                &mut m,
                "title",
                json!(line_or(&format!("{} {}", r.id, r.title), &r.id)),
            );
            set(&mut m, "description", json!(description));
            let mut p = vec![
                prop("framework", &f.id),
                prop("requirement", &r.id),
                prop("verdict", verdict_word(r.verdict)),
                prop("rule", r.rule.id()),
            ];
            if let Some(s) = &r.specification {
                p.push(prop("specification", s));
            }
            p.extend(r.controls.iter().map(|c| prop("control", c)));
            put_list(&mut m, "props", props(p));
            set(
                &mut m,
                "target",
                json!({
                    "type": "objective-id",
                    "target-id": requirement_id(&r.id),
                    "status": { "state": state, "reason": reason },
                }),
            );
            Value::Object(m)
        })
        .collect();
    let count = |v: CriterionResult| f.requirements.iter().filter(|r| r.verdict == v).count();
    let mut result = Map::new();
    set(
        &mut result,
        "uuid",
        json!(period_uuid(cx, &["fw-result", &f.id])),
    );
    set(
        &mut result,
        "title",
        json!(line(&format!(
            "{} assessed against {}, {}",
            system_name(cx),
            f.title,
            cx.scope.period
        ))),
    );
    set(
        &mut result,
        "description",
        json!(format!(
            "The control results of the {} assessment of {} judged against each requirement of {} with the criterion rules: {} met, {} not met, {} not tested.",
            audit_words(cx),
            system_name(cx),
            f.title,
            count(CriterionResult::Met),
            count(CriterionResult::NotMet),
            count(CriterionResult::NotTested)
        )),
    );
    set(
        &mut result,
        "start",
        json!(date_time(cx.scope.period.start())),
    );
    set(&mut result, "end", json!(last_modified(cx)));
    set(
        &mut result,
        "reviewed-controls",
        json!({ "control-selections": [{ "include-all": {} }] }),
    );
    put_list(&mut result, "findings", findings);
    let mut doc = document_for(
        cx,
        f,
        "assessment-results",
        &format!("{} assessment results against {}", system_name(cx), f.title),
    );
    set(
        &mut doc,
        "import-ap",
        json!({
            "href": PLAN_HREF,
            "remarks": "The plan is the workspace's controls and tests, as for the SOC 2 assessment results.",
        }),
    );
    set(&mut doc, "results", json!([Value::Object(result)]));
    Value::Object(doc)
}

/// A document of `model` for framework `f`, with its own UUID and metadata.
fn document_for(
    cx: &Context<'_>,
    f: &FrameworkResult,
    model: &str,
    title: &str,
) -> Map<String, Value> {
    let mut doc = Map::new();
    set(
        &mut doc,
        "uuid",
        json!(stable_uuid(cx, &["fw-document", model, &f.id])),
    );
    set(&mut doc, "metadata", Value::Object(metadata(cx, title)));
    doc
}

/// One control implementation per judged framework for the component definition: its source
/// is the framework's catalog, and each requirement some workspace control implements is an
/// implemented requirement naming those controls, so the document lists every framework a
/// control implements.
pub(super) fn control_implementations(cx: &Context<'_>) -> Vec<Value> {
    cx.assessment
        .frameworks
        .iter()
        .filter_map(|f| {
            let implemented: Vec<Value> = f
                .requirements
                .iter()
                .filter(|r| !r.controls.is_empty())
                .map(|r| {
                    let mut m = Map::new();
                    set(&mut m, "uuid", json!(stable_uuid(cx, &["cd-fw-requirement", &f.id, &r.id])));
                    set(&mut m, "control-id", json!(requirement_id(&r.id)));
                    set(
                        &mut m,
                        "description",
                        json!(line(&format!("{} {} is implemented by {}.", r.id, r.title, r.controls.join(", ")))),
                    );
                    put_list(&mut m, "props", props(r.controls.iter().map(|c| prop("control", c))));
                    Value::Object(m)
                })
                .collect();
            (!implemented.is_empty()).then(|| {
                json!({
                    "uuid": stable_uuid(cx, &["cd-fw-control-implementation", &f.id]),
                    "source": format!("{}.json", file("catalog", &f.id)),
                    "description": line(&format!("How the controls of {} implement {}.", organization(cx), f.title)),
                    "implemented-requirements": implemented,
                })
            })
        })
        .collect()
}
