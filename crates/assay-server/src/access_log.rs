//! One structured log line per request: method, the route's pattern (never the raw path or
//! query, which can hold a setup or invitation secret), status and latency.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

/// Logs the request when it is answered.
pub async fn log(req: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "(no route)".into());
    let r = next.run(req).await;
    tracing::info!(
        method = %method,
        route = %route,
        status = r.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    r
}
