//! The web app's own files: one stylesheet and one script, compiled into the binary and
//! served with a content hash in their names' query so browsers may keep them.

use crate::problem::Problem;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// (name, media type, bytes)
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("static/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("static/app.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("static/favicon.svg"),
    ),
];

/// `GET /static/{file}`.
pub async fn file(Path(name): Path<String>) -> Result<Response, Problem> {
    let Some((_, media, bytes)) = FILES.iter().find(|(n, _, _)| *n == name) else {
        return Err(Problem::not_found(format!("no static file `{name}`")));
    };
    Ok((
        [
            (header::CONTENT_TYPE, *media),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        *bytes,
    )
        .into_response())
}
