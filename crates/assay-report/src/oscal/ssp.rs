//! The system security plan: characteristics, implementation and control implementation.

use super::component::system_description;
use super::*;

/// The system as an OSCAL `system-security-plan`: its characteristics (name, description,
/// data by classification, boundary), its implementation (users from the inventory's roles,
/// the system itself, its components and its policies) and, per criterion in scope, how the
/// workspace's controls implement it.
pub fn ssp(cx: &Context<'_>) -> Value {
    super::literal(build_ssp(cx))
}

fn build_ssp(cx: &Context<'_>) -> Value {
    let reqs = requirements(cx);
    let this_system = system_uuid(cx);

    // Roles: the inventory's, then any other owner a system, control or policy names.
    let mut roles: BTreeMap<String, String> = BTreeMap::new();
    for r in &cx.inventory.roles {
        roles
            .entry(token(&r.id))
            .or_insert_with(|| line_or(&r.title, &r.id));
    }
    let owners = cx
        .inventory
        .systems
        .iter()
        .map(|s| s.owner.as_str())
        .chain(cx.controls.iter().map(|c| c.owner.as_str()))
        .chain(cx.policies.iter().map(|p| p.owner.as_str()));
    for o in owners.filter(|o| !o.trim().is_empty()) {
        roles.entry(token(o)).or_insert_with(|| line(o));
    }

    let mut meta = metadata(cx, &format!("{}: system security plan", system_name(cx)));
    put_list(
        &mut meta,
        "roles",
        roles
            .iter()
            .map(|(id, title)| json!({ "id": id, "title": title }))
            .collect(),
    );

    // System characteristics.
    let mut chars = Map::new();
    set(
        &mut chars,
        "system-ids",
        json!([{ "identifier-type": UUID_SCHEME, "id": this_system }]),
    );
    set(&mut chars, "system-name", json!(system_name(cx)));
    set(&mut chars, "description", json!(system_description(cx)));
    let mut p = vec![
        prop("audit-type", &cx.scope.period.audit_type().to_string()),
        prop("period-start", &period_start(cx)),
        prop("period-end", &period_end(cx)),
    ];
    let mut cats = cx.scope.categories.clone();
    cats.sort();
    cats.dedup();
    p.extend(
        cats.iter()
            .map(|c| prop("trust-services-category", c.slug())),
    );
    put_list(&mut chars, "props", props(p));
    let stores = stores_by_classification(cx);
    if let Some((top, _)) = stores.first() {
        set(
            &mut chars,
            "security-sensitivity-level",
            json!(line_or(top, "unclassified")),
        );
    }
    set(
        &mut chars,
        "system-information",
        json!({ "information-types": information_types(cx, &stores) }),
    );
    set(&mut chars, "status", json!({ "state": "operational" }));
    set(
        &mut chars,
        "authorization-boundary",
        json!({ "description": boundary(cx) }),
    );

    // System implementation.
    let mut imp = Map::new();
    let users: Vec<Value> = cx
        .inventory
        .roles
        .iter()
        .map(|r| {
            let mut u = Map::new();
            set(&mut u, "uuid", json!(stable_uuid(cx, &["user", &r.id])));
            set(&mut u, "title", json!(line_or(&r.title, &r.id)));
            put_text(&mut u, "description", &r.responsibilities);
            set(&mut u, "role-ids", json!([token(&r.id)]));
            Value::Object(u)
        })
        .collect();
    put_list(&mut imp, "users", users);
    let mut components = vec![json!({
        "uuid": this_system,
        "type": "this-system",
        "title": system_name(cx),
        "description": system_description(cx),
        "status": { "state": "operational" },
    })];
    let mut systems: Vec<_> = cx.inventory.systems.iter().collect();
    systems.sort_by(|a, b| a.id.cmp(&b.id));
    for s in systems {
        let mut c = Map::new();
        set(
            &mut c,
            "uuid",
            json!(stable_uuid(cx, &["component", &s.id])),
        );
        set(&mut c, "type", json!(component_type(&s.kind)));
        set(&mut c, "title", json!(line_or(&s.name, &s.id)));
        let description = if s.description.trim().is_empty() {
            format!(
                "{} ({}), a component of {}.",
                line_or(&s.name, &s.id),
                line_or(&s.kind, "component"),
                system_name(cx)
            )
        } else {
            s.description.trim().to_string()
        };
        set(&mut c, "description", json!(description));
        let hosting = s.hosting.as_deref().map(|h| {
            cx.inventory
                .vendors
                .iter()
                .find(|v| v.id == h)
                .map_or_else(|| line(h), |v| line_or(&v.name, h))
        });
        put_list(
            &mut c,
            "props",
            props([
                prop("inventory-id", &s.id),
                prop("kind", &s.kind),
                prop("environment", &s.environment),
                prop("in-boundary", if s.in_scope { "yes" } else { "no" }),
                prop("hosted-by", hosting.as_deref().unwrap_or_default()),
            ]),
        );
        set(&mut c, "status", json!({ "state": "operational" }));
        if !s.owner.trim().is_empty() {
            set(
                &mut c,
                "responsible-roles",
                json!([{ "role-id": token(&s.owner) }]),
            );
        }
        if !s.in_scope {
            set(&mut c, "remarks", json!("Outside the system boundary."));
        }
        components.push(Value::Object(c));
    }
    let mut policies: Vec<_> = cx.policies.iter().collect();
    policies.sort_by(|a, b| a.id.cmp(&b.id));
    for pol in policies {
        let mut c = Map::new();
        set(&mut c, "uuid", json!(stable_uuid(cx, &["policy", &pol.id])));
        set(&mut c, "type", json!("policy"));
        set(&mut c, "title", json!(line_or(&pol.title, &pol.id)));
        let mut d = format!(
            "Policy {}, version {}, {}",
            line_or(&pol.id, "without an id"),
            line_or(&pol.version, "unversioned"),
            line_or(&pol.status, "status not recorded")
        );
        if let Some(day) = pol.approved {
            d.push_str(&format!(" on {day}"));
        }
        d.push_str(&format!(
            "; owned by {}, reviewed {}.",
            line_or(&pol.owner, "no owner"),
            line_or(&pol.review_cycle, "on no stated cycle")
        ));
        set(&mut c, "description", json!(d));
        let mut p = vec![prop("inventory-id", &pol.id), prop("version", &pol.version)];
        p.extend(pol.criteria.iter().map(|k| prop("criterion", k)));
        p.extend(pol.controls.iter().map(|k| prop("control", k)));
        put_list(&mut c, "props", props(p));
        let state = if pol.status.trim().eq_ignore_ascii_case("approved") {
            "operational"
        } else {
            "under-development"
        };
        set(&mut c, "status", json!({ "state": state }));
        if !pol.owner.trim().is_empty() {
            set(
                &mut c,
                "responsible-roles",
                json!([{ "role-id": token(&pol.owner) }]),
            );
        }
        components.push(Value::Object(c));
    }
    set(&mut imp, "components", Value::Array(components));

    // Control implementation.
    let implemented: Vec<Value> = reqs
        .iter()
        .map(|req| {
            let controls = mapped(cx, &req.id);
            let mut r = Map::new();
            set(&mut r, "uuid", json!(requirement_uuid(cx, &req.id)));
            set(&mut r, "control-id", json!(control_id(&req.id)));
            let mut owners: Vec<String> = controls
                .iter()
                .map(|(c, _)| c.owner.as_str())
                .filter(|o| !o.trim().is_empty())
                .map(token)
                .collect();
            owners.sort();
            owners.dedup();
            put_list(
                &mut r,
                "responsible-roles",
                owners
                    .into_iter()
                    .map(|o| json!({ "role-id": o }))
                    .collect(),
            );
            let state = if controls.is_empty() {
                "planned"
            } else {
                "implemented"
            };
            let mut by = Map::new();
            set(&mut by, "component-uuid", json!(this_system));
            set(
                &mut by,
                "uuid",
                json!(stable_uuid(
                    cx,
                    &["ssp-by-component", &req.id.to_ascii_lowercase()]
                )),
            );
            set(&mut by, "description", json!(addressed(req, &controls)));
            put_list(
                &mut by,
                "props",
                props(controls.iter().map(|(c, _)| prop("control", &c.id))),
            );
            set(&mut by, "implementation-status", json!({ "state": state }));
            set(&mut r, "by-components", json!([by]));
            put_text(&mut r, "remarks", &complementary(cx, &req.id));
            Value::Object(r)
        })
        .collect();
    let control_implementation = json!({
        "description": format!(
            "How the controls of {} implement the {} in scope ({}).",
            organization(cx),
            plural(reqs.len(), "Trust Services Criterion", "Trust Services Criteria"),
            categories_text(cx)
        ),
        "implemented-requirements": implemented,
    });

    let mut doc = document(cx, "system-security-plan", meta);
    set(
        &mut doc,
        "import-profile",
        json!({
            "href": PROFILE_HREF,
            "remarks": format!(
                "The AICPA 2017 Trust Services Criteria (revised points of focus, 2022), categories in scope: {}. The criteria are in catalog.json (imported through profile.json); control ids are the criterion ids in lower case.",
                categories_text(cx)
            ),
        }),
    );
    set(&mut doc, "system-characteristics", Value::Object(chars));
    set(&mut doc, "system-implementation", Value::Object(imp));
    set(&mut doc, "control-implementation", control_implementation);
    Value::Object(doc)
}

/// An inventory kind as an OSCAL component type.
fn component_type(kind: &str) -> &'static str {
    match kind.trim().to_ascii_lowercase().as_str() {
        "saas" | "infrastructure" => "service",
        "network" => "network",
        "endpoint" => "hardware",
        _ => "software",
    }
}

fn classification_rank(c: &str) -> u8 {
    match c {
        "restricted" => 4,
        "confidential" => 3,
        "internal" => 2,
        "public" => 1,
        _ => 0,
    }
}

/// Data stores grouped by classification, most sensitive first.
fn stores_by_classification<'c>(cx: &'c Context<'_>) -> Vec<(String, Vec<&'c DataStore>)> {
    let mut groups: BTreeMap<String, Vec<&DataStore>> = BTreeMap::new();
    for d in &cx.inventory.data_stores {
        let c = line_or(&d.classification.to_ascii_lowercase(), "unclassified");
        groups.entry(c).or_default().push(d);
    }
    let mut out: Vec<(String, Vec<&DataStore>)> = groups.into_iter().collect();
    out.sort_by(|a, b| {
        classification_rank(&b.0)
            .cmp(&classification_rank(&a.0))
            .then_with(|| a.0.cmp(&b.0))
    });
    for (_, stores) in &mut out {
        stores.sort_by(|a, b| a.id.cmp(&b.id));
    }
    out
}

/// One information type per data classification (at least one).
fn information_types(cx: &Context<'_>, stores: &[(String, Vec<&DataStore>)]) -> Vec<Value> {
    if stores.is_empty() {
        return vec![json!({
            "uuid": stable_uuid(cx, &["information-type", "system-data"]),
            "title": "System data",
            "description": format!(
                "The data {} stores, processes and transmits; the inventory records no data stores.",
                system_name(cx)
            ),
        })];
    }
    stores
        .iter()
        .map(|(class, list)| {
            let mut d = format!(
                "Data classified {class}, kept in {}:\n",
                plural(list.len(), "data store", "data stores")
            );
            for s in list {
                let mut bullet = format!(
                    "\n- {} (system {}",
                    line_or(&s.name, &s.id),
                    line_or(&s.system, "not recorded")
                );
                let location = line(&s.location);
                if !location.is_empty() {
                    bullet.push_str(&format!(", {location}"));
                }
                bullet.push_str(&format!(
                    "): personal data {}; encrypted at rest {}",
                    if s.personal_data { "yes" } else { "no" },
                    if s.encrypted_at_rest { "yes" } else { "no" }
                ));
                if let Some(r) = s.retention.as_deref().map(line).filter(|r| !r.is_empty()) {
                    bullet.push_str(&format!("; kept {r}"));
                }
                d.push_str(&bullet);
            }
            json!({
                "uuid": stable_uuid(cx, &["information-type", class]),
                "title": format!("{} data", capitalized(class)),
                "description": d,
            })
        })
        .collect()
}

/// The system boundary as the inventory records it.
fn boundary(cx: &Context<'_>) -> String {
    let inv = cx.inventory;
    let mut inside: Vec<String> = Vec::new();
    let mut outside: Vec<String> = Vec::new();
    for s in &inv.systems {
        let name = line_or(&s.name, &s.id);
        if s.in_scope {
            inside.push(name);
        } else {
            outside.push(name);
        }
    }
    inside.sort();
    outside.sort();
    let mut parts = vec![format!(
        "The boundary of {} as the inventory of {} records it.",
        system_name(cx),
        organization(cx)
    )];
    if inside.is_empty() && outside.is_empty() {
        parts.push("The inventory lists no components.".to_string());
    } else {
        parts.push(format!(
            "Components inside the boundary: {}.",
            id_list(&inside, "none")
        ));
        if !outside.is_empty() {
            parts.push(format!(
                "Components outside the boundary: {}.",
                id_list(&outside, "none")
            ));
        }
    }
    let mut subservice: Vec<String> = inv
        .vendors
        .iter()
        .filter(|v| v.subservice)
        .map(|v| {
            let method = v
                .method
                .as_deref()
                .map(|m| line(m).to_ascii_lowercase())
                .unwrap_or_default();
            match method.as_str() {
                "carve-out" => format!(
                    "{} (carved out: its controls are outside the boundary and not tested; the criteria rely on its complementary controls)",
                    line_or(&v.name, &v.id)
                ),
                "inclusive" => format!(
                    "{} (inclusive: its relevant controls are inside the boundary)",
                    line_or(&v.name, &v.id)
                ),
                _ => line_or(&v.name, &v.id),
            }
        })
        .collect();
    subservice.sort();
    if !subservice.is_empty() {
        parts.push(format!(
            "Subservice organizations: {}.",
            subservice.join("; ")
        ));
    }
    if !inv.cuecs.is_empty() {
        parts.push(format!(
            "User entities are expected to operate {}.",
            plural(
                inv.cuecs.len(),
                "complementary user-entity control",
                "complementary user-entity controls"
            )
        ));
    }
    parts.join("\n\n")
}
