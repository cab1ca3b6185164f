//! Evidence: the locker's entries with their freshness, one entry, its stored bytes, its
//! inclusion proof, and uploads. An upload is streamed to a temporary folder (never held in
//! memory, refused past `--max-upload`), then stored by the pipeline exactly as
//! `assay evidence import` (a known format: checked, normalized, all or nothing) or
//! `assay evidence add` (any other kind) would: redacted first, recorded in the ledger.

use super::blocking;
use super::extract::{Json, Path, Query};
use super::{page, Ctx, Page, PageQuery};
use crate::audit_log;
use crate::problem::Problem;
use crate::state::AppState;
use assay_project::{AddRequest, EvidenceRow, ImportRequest, Silent};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::StreamExt;
use serde::Deserialize;
use std::io::Write;

/// `?kind=` and paging.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ListQuery {
    /// Only entries of this evidence kind.
    #[serde(default)]
    kind: Option<String>,
    /// Items to skip.
    #[serde(default)]
    offset: usize,
    /// Items to return (at most 500; 100 when absent).
    #[serde(default)]
    limit: Option<usize>,
}

/// `GET .../evidence?kind=`.
pub async fn list(
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<EvidenceRow>>, Problem> {
    let s = ctx.audit()?.clone();
    blocking(move || {
        let rows: Vec<EvidenceRow> = s
            .evidence()?
            .iter()
            .filter(|r| q.kind.as_ref().is_none_or(|k| &r.entry.record.kind == k))
            .cloned()
            .collect();
        Ok(Json(page(
            rows,
            PageQuery {
                offset: q.offset,
                limit: q.limit,
            },
        )))
    })
    .await
}

fn entry_of(
    s: &crate::state::Served,
    id: &str,
) -> Result<(assay_locker::Locker, assay_locker::entry::Entry), Problem> {
    let seq: u64 = id
        .parse()
        .map_err(|_| Problem::not_found(format!("no entry `{id}`: entries are numbered from 1")))?;
    let Some(locker) = s.project.locker_if_any()? else {
        return Err(Problem::not_found(format!(
            "no entry {seq}: this audit has no evidence yet"
        )));
    };
    match locker.find(&seq.to_string()) {
        Ok(e) => Ok((locker, e)),
        Err(assay_locker::LockerError::NotFound(_)) => {
            Err(Problem::not_found(format!("no entry {seq}")))
        }
        Err(e) => Err(assay_project::ProjectError::from(e).into()),
    }
}

/// `GET .../evidence/{entry}`: the entry with its hash and freshness.
pub async fn show(
    Extension(ctx): Extension<Ctx>,
    Path((_, _, id)): Path<(String, String, String)>,
) -> Result<Json<serde_json::Value>, Problem> {
    let s = ctx.audit()?.clone();
    blocking(move || {
        let (_, e) = entry_of(&s, &id)?;
        let stale = s
            .evidence()?
            .iter()
            .find(|r| r.entry.seq == e.seq)
            .and_then(|r| r.stale);
        Ok(Json(
            serde_json::json!({ "entry": e, "hash": e.hash(), "stale": stale }),
        ))
    })
    .await
}

/// `GET .../evidence/{entry}/content`: the stored (redacted) bytes, as an attachment.
pub async fn content(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((_, _, id)): Path<(String, String, String)>,
) -> Result<Response, Problem> {
    let s = ctx.audit()?.clone();
    let (entry, bytes) = blocking(move || {
        let (locker, e) = entry_of(&s, &id)?;
        let bytes = locker
            .content(&e)
            .map_err(assay_project::ProjectError::from)?;
        Ok((e, bytes))
    })
    .await?;
    if ctx.role()? == crate::permissions::Role::Auditor {
        let audit = ctx.audit()?.audit.id.clone();
        audit_log::success(
            &state,
            &ctx,
            Some(&audit),
            "evidence.downloaded",
            &format!("entry {} ({})", entry.seq, entry.record.blob),
        )
        .await?;
    }
    let name = entry
        .record
        .provenance
        .locator
        .rsplit('/')
        .next()
        .unwrap_or("evidence")
        .replace(['"', '\\'], "_");
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (
                header::HeaderName::from_static("x-assay-media-type"),
                entry.record.media_type.clone(),
            ),
            (
                header::HeaderName::from_static("x-assay-sha256"),
                entry.record.blob.clone(),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET .../evidence/{entry}/proof`: an RFC 9162 inclusion proof of the entry in the ledger
/// as it is now, with what is needed to check it offline.
pub async fn proof(
    Extension(ctx): Extension<Ctx>,
    Path((_, _, id)): Path<(String, String, String)>,
) -> Result<Json<serde_json::Value>, Problem> {
    let s = ctx.audit()?.clone();
    blocking(move || {
        let (locker, e) = entry_of(&s, &id)?;
        let (size, root) = locker.head().map_err(assay_project::ProjectError::from)?;
        let path = locker.inclusion_proof(e.seq, size).map_err(assay_project::ProjectError::from)?;
        let leaf = hex::encode(assay_locker::merkle::leaf_hash(&e.canonical()));
        Ok(Json(serde_json::json!({
            "entry": e.seq,
            "tree_size": size,
            "root": root,
            "leaf_hash": leaf,
            "path": path,
            "algorithm": "RFC 9162 section 2.1.3: SHA-256, leaf = H(0x00 || canonical entry), node = H(0x01 || left || right)",
            "public_key": locker.public_key_hex(),
        })))
    })
    .await
}

/// What an upload is.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct UploadQuery {
    /// The file's name (letters, digits, dot, dash, underscore).
    name: String,
    /// The evidence kind: an importable format (`okta-users`, `csv`...) or any kind
    /// (`document`, `policy-acknowledgement`).
    kind: String,
    /// The system it came from (for an import, its format's system when absent).
    #[serde(default)]
    source: Option<String>,
    /// First day the evidence speaks for.
    #[serde(default)]
    from: Option<String>,
    /// Last day.
    #[serde(default)]
    to: Option<String>,
    /// For `csv` and `json`: the table.
    #[serde(default)]
    table: Option<String>,
    /// For `csv` and `json`: the column map.
    #[serde(default)]
    map: Option<String>,
}

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 200
        && !n.starts_with('.')
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// `POST .../evidence?name=&kind=&source=&from=&to=`: the body is the file.
pub async fn upload(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<UploadQuery>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    if !valid_name(&q.name) {
        return Err(Problem::bad_request(format!(
            "name `{}`: use letters, digits, dots, dashes and underscores (no folders)",
            q.name
        )));
    }
    let normalizer = assay_tables::for_kind(&q.kind);
    if normalizer.is_some_and(|n| !n.importable) {
        return Err(Problem::bad_request(format!("kind `{}` is stored by a collector (`assay collect`), not uploaded; nothing was stored", q.kind)));
    }
    let importable = normalizer.is_some();
    // The span the evidence speaks for, checked before a byte is read.
    let span = match (&q.from, &q.to) {
        (Some(f), Some(t)) => Some(format!("{f}..{t}")),
        (Some(f), None) => Some(f.clone()),
        (None, Some(_)) => return Err(Problem::bad_request("`to` needs `from` (YYYY-MM-DD)")),
        (None, None) => None,
    };
    let effective = assay_project::inputs::effective("from/to", span.as_deref())?;
    let max = state.options.max_upload;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(Problem::too_large(max));
    }
    let mut spool = tempfile::Builder::new();
    spool.prefix("assay-upload-");
    let dir = match &state.options.upload_dir {
        Some(d) => spool.tempdir_in(d),
        None => spool.tempdir(),
    }
    .map_err(Problem::internal)?;
    let folder = dir.path().join("upload");
    std::fs::create_dir(&folder).map_err(Problem::internal)?;
    let path = folder.join(&q.name);
    let mut file = std::fs::File::create(&path).map_err(Problem::internal)?;
    let mut stream = body.into_data_stream();
    let mut written: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            Problem::bad_request(format!("the upload was cut off: {e}; nothing was stored"))
        })?;
        written += chunk.len() as u64;
        if written > max {
            return Err(Problem::too_large(max));
        }
        file.write_all(&chunk).map_err(Problem::internal)?;
    }
    file.sync_all().map_err(Problem::internal)?;
    drop(file);
    if written == 0 {
        return Err(Problem::bad_request(
            "the upload is empty; nothing was stored",
        ));
    }
    let s = ctx.audit()?.clone();
    let label = format!("upload/{}", ctx.caller()?.user.email);

    let (kind, name) = (q.kind.clone(), q.name.clone());
    let added = blocking(move || {
        let relabel = Some((folder.clone(), label));
        let added = if importable {
            let req = ImportRequest {
                kind: q.kind,
                paths: vec![path],
                table: q.table,
                map: q.map,
                source: q.source,
                effective,
                max_line_bytes: 256 * 1024 * 1024,
                relabel,
            };
            s.project.import(&req, &Silent)?.summary.added
        } else {
            let req = AddRequest {
                kind: q.kind,
                paths: vec![path],
                source: q.source.unwrap_or_else(|| "upload".into()),
                effective,
                keep_secret_hashes: false,
                new_observation: false,
                relabel,
            };
            s.project.add(&req, &Silent)?.added
        };
        drop(dir);
        Ok(added)
    })
    .await?;
    let audit = ctx.audit()?.audit.id.clone();
    let target = match added.first() {
        Some(e) => format!(
            "{name} ({kind}) as entry {} sha256 {}",
            e.seq, e.record.blob
        ),
        None => format!("{name} ({kind}): already stored"),
    };
    audit_log::success(&state, &ctx, Some(&audit), "evidence.uploaded", &target).await?;
    let status = if added.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(serde_json::json!({ "added": added, "bytes": written })),
    )
        .into_response())
}
