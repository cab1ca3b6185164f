//! HTML forms and the CSRF rule. A browser session must echo its CSRF token on anything
//! that changes state; scripts send it as the `X-CSRF-Token` header, and a plain form
//! posts it as the hidden field `csrf`. This moves that field into the header before the
//! access rule runs, so both paths meet one check.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};

/// The form field that carries the token.
pub const FIELD: &str = "csrf";

/// If `req` is a form post with a `csrf` field and no header, copies the field into the
/// header. The body is read once (up to `limit` bytes) and handed on unchanged.
pub async fn lift_token(req: Request, limit: usize) -> Result<Request, crate::problem::Problem> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !is_form || !unsafe_method || req.headers().contains_key("x-csrf-token") {
        return Ok(req);
    }
    let (mut parts, body) = req.into_parts();
    let bytes = to_bytes(body, limit)
        .await
        .map_err(|_| crate::problem::Problem::too_large(limit as u64))?;
    let token = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned());
    if let Some(v) = token.and_then(|t| HeaderValue::from_str(&t).ok()) {
        parts.headers.insert("x-csrf-token", v);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}
