//! Health and readiness, for load balancers and orchestrators.

use super::extract::Json;
use crate::problem::Problem;
use crate::state::AppState;
use axum::extract::State;

/// Liveness: the process answers.
pub async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Readiness: the database answers a query and every served workspace has its `assay.toml`.
pub async fn ready(State(state): State<AppState>) -> Result<Json<serde_json::Value>, Problem> {
    state.db(|c| Ok(c.one("SELECT 1", &[])?)).await?;
    for s in state.audits.values() {
        if !s.project.root().join("assay.toml").is_file() {
            return Err(Problem::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "not-ready",
                format!(
                    "audit `{}`: its workspace has no assay.toml any more",
                    s.audit.slug
                ),
            ));
        }
    }
    Ok(Json(serde_json::json!({
        "status": "ready",
        "database": state.db.backend(),
        "audits": state.audits.len(),
    })))
}
