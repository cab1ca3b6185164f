//! The OpenAPI 3.1 document, generated from the route table at run time (no build step, no
//! download): every path, method, parameter, access rule and the problem-details error.

use super::extract::Json;
use crate::api::{table, Access};
use serde_json::{json, Map, Value};

/// The document as JSON.
pub fn build() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for r in table() {
        let params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
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
        let op = json!({
            "summary": r.summary,
            "operationId": format!("{}{}", r.method.to_lowercase(), r.path.replace(['/', '{', '}', '-', '.'], "_")),
            "parameters": params,
            "security": security,
            "x-assay-access": r.access.describe(),
            "responses": responses,
        });
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        entry[r.method.to_lowercase()] = op;
    }
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
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status", "detail"],
                    "properties": {
                        "type": { "type": "string" },
                        "title": { "type": "string" },
                        "status": { "type": "integer" },
                        "detail": { "type": "string" }
                    }
                }
            }
        }
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(build())
}
