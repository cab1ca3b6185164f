//! The OpenAPI 3.1 document, generated from the route table at run time (no build step, no
//! download): every path, method, parameter, request body, access rule and the
//! problem-details error. Bodies and query parameters come from the types the handlers read
//! ([`super::doc`]), as JSON Schema 2020-12 under `components/schemas`.

use super::doc::Body;
use super::extract::Json;
use crate::api::{table, Access};
use schemars::generate::SchemaSettings;
use schemars::SchemaGenerator;
use serde_json::{json, Map, Value};

/// Each property of a query type as one `in: query` parameter.
fn query_parameters(g: &mut SchemaGenerator, f: super::doc::SchemaFn) -> Vec<Value> {
    let schema = f(g).to_value();
    // A named type is a reference: read its definition.
    let resolved = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap_or_default();
            g.definitions().get(name).cloned().unwrap_or(Value::Null)
        }
        None => schema,
    };
    let required: Vec<&str> = resolved["required"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    if let Some(props) = resolved["properties"].as_object() {
        for (name, p) in props {
            let mut p = p.clone();
            let description = p
                .as_object_mut()
                .and_then(|o| o.remove("description"))
                .unwrap_or(Value::Null);
            let mut param = json!({ "name": name, "in": "query", "required": required.contains(&name.as_str()), "schema": p });
            if !description.is_null() {
                param["description"] = description;
            }
            out.push(param);
        }
    }
    out
}

/// The document as JSON.
pub fn build() -> Value {
    let mut g = SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "/components/schemas".into())
        .into_generator();
    let mut paths: Map<String, Value> = Map::new();
    for r in table() {
        let mut params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        if let Some(q) = r.doc.query {
            params.extend(query_parameters(&mut g, q));
        }
        let security = match r.access {
            Access::Public => json!([]),
            _ => json!([{ "session": [] }, { "token": [] }]),
        };
        let mut responses = json!({
            "200": { "description": "OK" },
            "default": { "description": "A problem (RFC 9457)", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
        });
        if r.access != Access::Public {
            responses["401"] = json!({ "$ref": "#/components/responses/Unauthorized" });
        }
        let mut op = json!({
            "summary": r.summary,
            "operationId": format!("{}{}", r.method.to_lowercase(), r.path.replace(['/', '{', '}', '-', '.'], "_")),
            "parameters": params,
            "security": security,
            "x-assay-access": r.access.describe(),
            "responses": responses,
        });
        if let Some(body) = r.doc.body {
            let (media, schema) = match body {
                Body::Json(f) => ("application/json", f(&mut g).to_value()),
                Body::Form(f) => ("application/x-www-form-urlencoded", f(&mut g).to_value()),
                Body::File => (
                    "application/octet-stream",
                    json!({ "type": "string", "contentMediaType": "application/octet-stream" }),
                ),
            };
            op["requestBody"] =
                json!({ "required": true, "content": { media: { "schema": schema } } });
        }
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        entry[r.method.to_lowercase()] = op;
    }
    let mut schemas = g.take_definitions(true);
    schemas.insert(
        "Problem".into(),
        json!({
            "type": "object",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": { "type": "string" },
                "title": { "type": "string" },
                "status": { "type": "integer" },
                "detail": { "type": "string" }
            }
        }),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Assay",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The Assay server's API. Errors are RFC 9457 problem details; lists take ?offset= and ?limit= (at most 500). docs/permissions.md lists who may call what."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": { "type": "apiKey", "in": "cookie", "name": "assay_session", "description": "A browser session; state-changing requests also send X-CSRF-Token" },
                "token": { "type": "http", "scheme": "bearer", "description": "An API token: assay_<id>_<secret>" }
            },
            "responses": {
                "Unauthorized": { "description": "No valid session or token", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
            },
            "schemas": schemas
        }
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(build())
}
