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
