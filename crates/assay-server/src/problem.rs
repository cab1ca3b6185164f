//! Errors as RFC 9457 problem details (`application/problem+json`): a status, a short title
//! that is the same for every problem of its kind, and a detail that says what to do.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A problem, answered as `application/problem+json`.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// A URI naming the kind of problem (relative to the API's documentation).
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind in words.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened here and how to fix it.
    pub detail: String,
    /// Seconds to wait before retrying (throttling).
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl Problem {
    /// A problem with this status, kind and detail.
    pub fn new(status: StatusCode, kind: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("/docs/api#{kind}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            retry_after: None,
        }
    }
    /// 400: the request is malformed or names something invalid.
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }
    /// 401: no valid session or token.
    pub fn unauthorized() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "sign in (POST /api/v1/session) or send an API token as `Authorization: Bearer ...`",
        )
    }
    /// 403: signed in, but the role does not allow this.
    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }
    /// 404: nothing here, or nothing this caller may know about.
    pub fn not_found(what: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", what)
    }
    /// 409: it exists already, or the state does not allow it.
    pub fn conflict(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::CONFLICT, "conflict", detail)
    }
    /// 413: the body is over the configured limit.
    pub fn too_large(limit: u64) -> Problem {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            format!("the body is over the limit of {limit} bytes; nothing was stored (the limit is `assay serve --max-upload`)"),
        )
    }
    /// 429: throttled; retry after `seconds`.
    pub fn throttled(seconds: u64, detail: impl Into<String>) -> Problem {
        let mut p = Problem::new(StatusCode::TOO_MANY_REQUESTS, "throttled", detail);
        p.retry_after = Some(seconds);
        p
    }
    /// 500: the server failed; the detail is logged, not sent.
    pub fn internal(e: impl std::fmt::Display) -> Problem {
        tracing::error!(error = %e, "request failed");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to answer; its log has the cause",
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut r = (status, body).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        r
    }
}

impl From<crate::db::DbError> for Problem {
    fn from(e: crate::db::DbError) -> Problem {
        match e {
            crate::db::DbError::Conflict(_) => Problem::conflict("that already exists"),
            e => Problem::internal(e),
        }
    }
}

impl From<assay_project::ProjectError> for Problem {
    fn from(e: assay_project::ProjectError) -> Problem {
        use assay_project::ProjectError as E;
        match e {
            E::Invalid(m) => Problem::bad_request(m),
            E::Rejected { problems, summary } => {
                Problem::bad_request(format!("{summary}: {}", problems.join("; ")))
            }
            E::Workspace(m) => Problem::conflict(m),
            e => Problem::internal(e),
        }
    }
}

impl From<tokio::task::JoinError> for Problem {
    fn from(e: tokio::task::JoinError) -> Problem {
        Problem::internal(e)
    }
}
