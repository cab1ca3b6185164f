//! The plan of action and milestones: one item and one risk per finding.

use super::results::{
    finding, finding_description, finding_remarks, kind_phrase, observation, observed, related,
    Observed,
};
use super::*;

fn risk_status(f: &Finding) -> &'static str {
    match f.triage.as_ref().map(|t| t.status) {
        Some(Status::InProgress) => "remediating",
        Some(Status::Remediated) => "closed",
        Some(Status::RiskAccepted) => "deviation-approved",
        Some(Status::Open) | None => "open",
    }
}

fn risk(cx: &Context<'_>, f: &Finding, observation: Option<&Observed<'_>>) -> Value {
    let mut m = Map::new();
    set(&mut m, "uuid", json!(risk_uuid(cx, &f.id)));
    set(
        &mut m,
        "title",
        json!(line_or(
            &format!("{}: {}", f.id, kind_phrase(f.kind.as_str())),
            &f.id
        )),
    );
    set(&mut m, "description", json!(finding_description(f)));
    set(
        &mut m,
        "statement",
        json!(format!(
            "{} severity. Until it is resolved, {} may not be met for {}.",
            capitalized(f.severity.as_str()),
            if f.criteria.is_empty() {
                "the criteria its control addresses".to_string()
            } else {
                id_list(&f.criteria, "the criteria it affects")
            },
            system_name(cx)
        )),
    );
    put_list(
        &mut m,
        "props",
        props([
            prop("severity", f.severity.as_str()),
            prop("kind", f.kind.as_str()),
        ]),
    );
    set(&mut m, "status", json!(risk_status(f)));
    if let Some(due) = f.triage.as_ref().and_then(|t| t.due) {
        set(&mut m, "deadline", json!(date_time(due)));
    }
    let mut responses = Vec::new();
    if !f.remediation.trim().is_empty() {
        responses.push(json!({
            "uuid": period_uuid(cx, &["recommendation", &f.id]),
            "lifecycle": "recommendation",
            "title": line_or(&format!("Recommended remediation of {}", f.id), "Recommended remediation"),
            "description": f.remediation.trim(),
        }));
    }
    if let Some(t) = &f.triage {
        if let Some(r) = t
            .response
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            let lifecycle = if t.status == Status::Remediated {
                "completed"
            } else {
                "planned"
            };
            responses.push(json!({
                "uuid": period_uuid(cx, &["response", &f.id]),
                "lifecycle": lifecycle,
                "title": line_or(&format!("Management's response to {}", f.id), "Management's response"),
                "description": r,
            }));
        }
    }
    put_list(&mut m, "remediations", responses);
    if let Some(o) = observation {
        set(
            &mut m,
            "related-observations",
            json!([{ "observation-uuid": o.uuid }]),
        );
    }
    Value::Object(m)
}

/// The findings as an OSCAL `plan-of-action-and-milestones`: one POA&M item per finding (with
/// its severity, owner and triage), each related to its finding, its risk and, when its test
/// gave one, its observation. An assessment without findings gives one item saying so.
pub fn poam(cx: &Context<'_>) -> Value {
    super::literal(build_poam(cx))
}

fn build_poam(cx: &Context<'_>) -> Value {
    let a = cx.assessment;
    let all_observed = observed(cx);
    // Only the observations a finding refers to, in assessment order.
    let observed: Vec<Observed<'_>> = all_observed
        .into_iter()
        .filter(|o| {
            a.findings
                .iter()
                .any(|f| f.test.as_deref() == Some(o.test.id.as_str()))
        })
        .collect();

    let items: Vec<Value> = if a.findings.is_empty() {
        vec![json!({
            "uuid": period_uuid(cx, &["poam-item", "none"]),
            "title": "No findings",
            "description": format!(
                "The {} assessment of {} for {} raised no findings; there is nothing to remediate.",
                audit_words(cx),
                system_name(cx),
                cx.scope.period
            ),
        })]
    } else {
        a.findings
            .iter()
            .map(|f| {
                let mut m = Map::new();
                set(
                    &mut m,
                    "uuid",
                    json!(period_uuid(cx, &["poam-item", &f.id])),
                );
                let about = f
                    .test
                    .as_deref()
                    .or(f.control.as_deref())
                    .map(line)
                    .filter(|s| !s.is_empty() && *s != line(&f.id));
                set(
                    &mut m,
                    "title",
                    json!(line_or(
                        &match about {
                            Some(x) => format!("{}: {} ({x})", f.id, kind_phrase(f.kind.as_str())),
                            None => format!("{}: {}", f.id, kind_phrase(f.kind.as_str())),
                        },
                        "Finding"
                    )),
                );
                set(&mut m, "description", json!(finding_description(f)));
                let owner = f
                    .triage
                    .as_ref()
                    .and_then(|t| t.owner.as_deref())
                    .filter(|o| !o.trim().is_empty())
                    .unwrap_or(&f.owner);
                let mut p = vec![
                    prop("finding-id", &f.id),
                    prop("severity", f.severity.as_str()),
                    prop("kind", f.kind.as_str()),
                    prop("owner", owner),
                    prop(
                        "status",
                        f.triage.as_ref().map_or("open", |t| t.status.as_str()),
                    ),
                ];
                if let Some(due) = f.triage.as_ref().and_then(|t| t.due) {
                    p.push(prop("due", &due.to_string()));
                }
                put_list(&mut m, "props", props(p));
                set(
                    &mut m,
                    "related-findings",
                    json!([{ "finding-uuid": finding_uuid(cx, &f.id) }]),
                );
                if let Some(o) = related(f, &observed) {
                    set(
                        &mut m,
                        "related-observations",
                        json!([{ "observation-uuid": o.uuid }]),
                    );
                }
                set(
                    &mut m,
                    "related-risks",
                    json!([{ "risk-uuid": risk_uuid(cx, &f.id) }]),
                );
                put_text(&mut m, "remarks", &finding_remarks(f));
                Value::Object(m)
            })
            .collect()
    };

    let mut doc = document(
        cx,
        "plan-of-action-and-milestones",
        metadata(
            cx,
            &format!(
                "Plan of action and milestones: {}, {}",
                system_name(cx),
                cx.scope.period
            ),
        ),
    );
    set(&mut doc, "import-ssp", json!({ "href": SSP_HREF }));
    set(
        &mut doc,
        "system-id",
        json!({ "identifier-type": UUID_SCHEME, "id": system_uuid(cx) }),
    );
    put_list(
        &mut doc,
        "observations",
        observed.iter().map(|o| observation(cx, o)).collect(),
    );
    put_list(
        &mut doc,
        "risks",
        a.findings
            .iter()
            .map(|f| risk(cx, f, related(f, &observed)))
            .collect(),
    );
    put_list(
        &mut doc,
        "findings",
        a.findings
            .iter()
            .map(|f| finding(cx, f, &observed, true))
            .collect(),
    );
    set(&mut doc, "poam-items", Value::Array(items));
    Value::Object(doc)
}
