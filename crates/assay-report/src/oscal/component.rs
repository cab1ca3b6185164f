//! The component definition: the organization's controls mapped to the criteria.

use super::*;

/// The organization's controls as an OSCAL `component-definition`: one component, the system,
/// whose control implementation takes its requirements from the Trust Services Criteria and
/// holds one implemented requirement per criterion in scope, describing the workspace's
/// controls mapped to it.
pub fn component_definition(cx: &Context<'_>) -> Value {
    super::literal(build_component_definition(cx))
}

fn build_component_definition(cx: &Context<'_>) -> Value {
    let reqs = requirements(cx);
    let implemented: Vec<Value> = reqs
        .iter()
        .map(|req| {
            let controls = mapped(cx, &req.id);
            let mut r = Map::new();
            set(
                &mut r,
                "uuid",
                json!(stable_uuid(
                    cx,
                    &["cd-requirement", &req.id.to_ascii_lowercase()]
                )),
            );
            set(&mut r, "control-id", json!(control_id(&req.id)));
            set(&mut r, "description", json!(addressed(req, &controls)));
            let mut p = vec![prop(
                "category",
                req.criterion.map(|k| k.category.slug()).unwrap_or_default(),
            )];
            p.extend(controls.iter().map(|(c, _)| prop("control", &c.id)));
            put_list(&mut r, "props", props(p));
            put_text(&mut r, "remarks", &complementary(cx, &req.id));
            Value::Object(r)
        })
        .collect();

    let mut component = Map::new();
    set(&mut component, "uuid", json!(system_uuid(cx)));
    set(&mut component, "type", json!("software"));
    set(&mut component, "title", json!(system_name(cx)));
    set(&mut component, "description", json!(system_description(cx)));
    set(
        &mut component,
        "purpose",
        json!(line(&format!(
            "The system of {} in scope of its {} audit",
            organization(cx),
            audit_words(cx)
        ))),
    );
    put_list(
        &mut component,
        "props",
        props([
            prop("control-count", &cx.controls.len().to_string()),
            prop("policy-count", &cx.policies.len().to_string()),
        ]),
    );
    if !implemented.is_empty() {
        let mut ci = Map::new();
        set(
            &mut ci,
            "uuid",
            json!(stable_uuid(cx, &["cd-control-implementation"])),
        );
        set(&mut ci, "source", json!(TSC_SOURCE));
        set(
            &mut ci,
            "description",
            json!(format!(
                "How the controls of {} address the 2017 Trust Services Criteria (with the revised points of focus of 2022) in scope: {}.",
                organization(cx),
                categories_text(cx)
            )),
        );
        set(
            &mut ci,
            "implemented-requirements",
            Value::Array(implemented),
        );
        let mut all = vec![Value::Object(ci)];
        all.extend(super::frameworks::control_implementations(cx));
        set(&mut component, "control-implementations", Value::Array(all));
    }

    let mut doc = document(
        cx,
        "component-definition",
        metadata(
            cx,
            &format!(
                "{}: controls of {} mapped to the Trust Services Criteria",
                system_name(cx),
                organization(cx)
            ),
        ),
    );
    set(&mut doc, "components", json!([component]));
    Value::Object(doc)
}

pub(super) fn system_description(cx: &Context<'_>) -> String {
    let d = cx.scope.system_description.trim();
    if d.is_empty() {
        format!(
            "{}, the system of {} under {} audit.",
            system_name(cx),
            organization(cx),
            audit_words(cx)
        )
    } else {
        d.to_string()
    }
}
