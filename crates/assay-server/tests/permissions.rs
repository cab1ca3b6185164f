//! `docs/permissions.md` is generated from the permission table and the router
//! (`UPDATE_DOCS=1` rewrites it), and the OpenAPI document lists exactly the router's routes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn permissions_doc_is_current() {
    let want = assay_server::permissions::markdown(&assay_server::api::table());
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/permissions.md");
    if std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "docs/permissions.md is stale; run UPDATE_DOCS=1 cargo test -p assay-server --test api permissions");
}

#[test]
fn openapi_lists_every_route_once() {
    let doc = assay_server::api::openapi_document();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut listed = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            listed.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    listed.sort();
    let mut routes: Vec<String> = assay_server::api::table()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    routes.sort();
    assert_eq!(listed, routes);
    let ids: std::collections::BTreeSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|o| {
            o.as_object()
                .unwrap()
                .values()
                .map(|op| op["operationId"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(ids.len(), routes.len(), "operation ids are unique");
}

/// A validator for one schema of the OpenAPI document (its references resolve inside it).
fn validator(doc: &serde_json::Value, schema: &serde_json::Value) -> jsonschema::Validator {
    let mut root = schema.clone();
    root["components"] = doc["components"].clone();
    jsonschema::validator_for(&root).unwrap()
}

#[test]
fn openapi_describes_bodies_and_query_parameters_from_the_handlers_types() {
    let doc = assay_server::api::openapi_document();
    let op = |method: &str, path: &str| doc["paths"][path][method].clone();
    let body = |method: &str, path: &str| {
        op(method, path)["requestBody"]["content"]["application/json"]["schema"].clone()
    };
    // Every state-changing API route that reads a body says so; the ones listed read none.
    let bodiless = [
        "post /api/v1/session/logout-everywhere",
        "post /api/v1/orgs/{org}/audits/{audit}/assessments",
    ];
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, o) in ops.as_object().unwrap() {
            let named = format!("{method} {path}");
            if path.starts_with("/api/v1")
                && ["post", "put", "patch"].contains(&method.as_str())
                && !bodiless.contains(&named.as_str())
            {
                assert!(o.get("requestBody").is_some(), "{named} documents no body");
            }
        }
    }
    // Every reference resolves.
    let text = doc.to_string();
    for r in text.split("\"$ref\":\"").skip(1) {
        let pointer = r.split('"').next().unwrap();
        let at = pointer
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{pointer}"));
        assert!(doc.pointer(at).is_some(), "{pointer} resolves to nothing");
    }
    // The schemas say what the handlers accept.
    let login = validator(&doc, &body("post", "/api/v1/session"));
    assert!(login.is_valid(&serde_json::json!({"email": "a@b.test", "password": "x"})));
    assert!(!login.is_valid(&serde_json::json!({"email": "a@b.test"})));
    let triage = validator(
        &doc,
        &body(
            "patch",
            "/api/v1/orgs/{org}/audits/{audit}/findings/{finding}",
        ),
    );
    assert!(triage.is_valid(
        &serde_json::json!({"status": "in-progress", "due": "2026-12-15",
        "evaluation": {"extent": "isolated", "cause": "one person"}})
    ));
    assert!(!triage.is_valid(&serde_json::json!({"status": "maybe"})));
    assert!(!triage.is_valid(&serde_json::json!({"owner": "x", "colour": "red"})));
    let upload = op("post", "/api/v1/orgs/{org}/audits/{audit}/evidence");
    assert!(upload["requestBody"]["content"]["application/octet-stream"].is_object());
    // Query parameters, each with whether it is required.
    let names = |o: serde_json::Value| -> Vec<(String, bool)> {
        o["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in"] == "query")
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_string(),
                    p["required"] == true,
                )
            })
            .collect()
    };
    let listed = names(op("get", "/api/v1/orgs"));
    assert!(
        listed.contains(&("offset".into(), false)) && listed.contains(&("limit".into(), false)),
        "{listed:?}"
    );
    let up = names(upload);
    assert!(
        up.contains(&("name".into(), true))
            && up.contains(&("kind".into(), true))
            && up.contains(&("from".into(), false)),
        "{up:?}"
    );
}
