//! Evidence pages: the locker's entries with kind, source, effective period, collection
//! time, freshness and batch; one entry with its provenance, redactions, inclusion proof
//! and a viewer for CSV, JSON and text (rows holding `?key=` are marked, so an exception
//! leads to its row); and the upload page, whose script streams the file to the API's
//! upload route with a progress bar.

use super::{frame, render, value, with, PageError};
use crate::api::extract::{Path, Query};
use crate::api::{blocking, evidence, Ctx, PageQuery};
use crate::audit_log;
use crate::problem::Problem;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Html;
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Value};

/// Rows the viewer shows; the download has them all.
const VIEW_ROWS: usize = 500;
/// Bytes the viewer reads.
const VIEW_BYTES: usize = 2 * 1024 * 1024;

/// The list's filter and page.
#[derive(Debug, Deserialize)]
pub struct ListFilter {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    offset: usize,
}

/// `GET /app/{org}/{audit}/evidence?kind=`.
pub async fn list(
    Extension(ctx): Extension<Ctx>,
    Query(f): Query<ListFilter>,
) -> Result<Html<String>, PageError> {
    let s = ctx.audit()?.clone();
    let (kind, offset) = (f.kind.clone(), f.offset);
    let (rows, kinds) = blocking(move || {
        let all: Vec<_> = s.evidence()?.iter().cloned().collect();
        let kinds: std::collections::BTreeSet<String> =
            all.iter().map(|r| r.entry.record.kind.clone()).collect();
        // The server's own audit log shares the ledger; it shows only when asked for.
        let mut rows: Vec<_> = all
            .into_iter()
            .filter(|r| {
                if kind.is_empty() {
                    r.entry.record.kind != crate::audit_log::KIND
                } else {
                    r.entry.record.kind == kind
                }
            })
            .collect();
        rows.reverse();
        Ok((rows, kinds))
    })
    .await?;
    let page = crate::api::page(
        rows,
        PageQuery {
            offset,
            limit: Some(100),
        },
    );
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|r| {
            let e = &r.entry;
            json!({ "seq": e.seq, "hash": e.record.blob, "kind": e.record.kind, "system": e.record.provenance.system, "agent": e.record.provenance.agent, "locator": e.record.provenance.locator, "batch": e.record.provenance.batch, "from": e.record.effective_from, "to": e.record.effective_to, "collected_at": e.record.collected_at, "stale": r.stale, "size": e.record.size })
        })
        .collect();
    render(
        "evidence.html",
        with(
            frame(&ctx, "evidence"),
            json!({ "items": items, "total": page.total, "offset": page.offset, "next": page.next, "prev": (offset > 0).then(|| offset.saturating_sub(100)), "kinds": kinds, "kind": f.kind }),
        ),
    )
}

/// `?key=`: the row to mark.
#[derive(Debug, Deserialize)]
pub struct Mark {
    #[serde(default)]
    key: String,
}

/// `GET /app/{org}/{audit}/evidence/{entry}?key=`.
pub async fn entry(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((org, audit, id)): Path<(String, String, String)>,
    Query(m): Query<Mark>,
) -> Result<Html<String>, PageError> {
    let shown = value(
        evidence::show(
            Extension(ctx.clone()),
            Path((org.clone(), audit.clone(), id.clone())),
        )
        .await?
        .0,
    )?;
    let s = ctx.audit()?.clone();
    let id2 = id.clone();
    let bytes = blocking(move || {
        let l = s
            .project
            .locker_if_any()?
            .ok_or_else(|| Problem::not_found("this audit has no evidence yet"))?;
        let e = l.find(&id2).map_err(assay_project::ProjectError::from)?;
        Ok(l.content(&e).map_err(assay_project::ProjectError::from)?)
    })
    .await?;
    if ctx.role()? == crate::permissions::Role::Auditor {
        let a = ctx.audit()?.audit.id.clone();
        audit_log::success(
            &state,
            &ctx,
            Some(&a),
            "evidence.viewed",
            &format!("entry {id}"),
        )
        .await?;
    }
    let media = shown["entry"]["media_type"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let locator = shown["entry"]["provenance"]["locator"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let view = viewer(&bytes, &media, &locator, &m.key);
    render(
        "entry.html",
        with(
            frame(&ctx, "evidence"),
            json!({ "e": shown, "view": view, "key": m.key }),
        ),
    )
}

/// The stored bytes as a table (CSV), pretty JSON or text, with marked rows.
fn viewer(bytes: &[u8], media: &str, locator: &str, key: &str) -> Value {
    let cut = bytes.len() > VIEW_BYTES;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(VIEW_BYTES)]);
    // A key joined from several records (`ben@x.example / okta:00u2`, a leaver and their
    // account) marks the rows holding any of its parts, in whichever piece of evidence.
    let parts: Vec<&str> = std::iter::once(key)
        .chain(key.split(" / "))
        .map(str::trim)
        .filter(|p| p.len() >= 3)
        .collect();
    let has = |s: &str| parts.iter().any(|p| s.contains(p));
    if media.contains("csv") || locator.ends_with(".csv") {
        let mut r = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let header: Vec<String> = r
            .headers()
            .map(|h| h.iter().map(str::to_string).collect())
            .unwrap_or_default();
        let mut rows = Vec::new();
        let mut total = 0usize;
        for rec in r.records().flatten() {
            total += 1;
            let cells: Vec<String> = rec.iter().map(str::to_string).collect();
            let marked = cells.iter().any(|c| has(c));
            if rows.len() < VIEW_ROWS || marked {
                rows.push(json!({ "n": total, "cells": cells, "marked": marked }));
            }
        }
        return json!({ "kind": "csv", "header": header, "rows": rows, "total": total, "cut": cut || total > rows.len() });
    }
    let pretty = if media.contains("json") || locator.ends_with(".json") {
        serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
    } else {
        None
    };
    let kind = if pretty.is_some() { "json" } else { "text" };
    let body = pretty.unwrap_or_else(|| text.into_owned());
    let lines: Vec<Value> = body
        .lines()
        .enumerate()
        .take(20_000)
        .map(|(i, l)| json!({ "n": i + 1, "text": l, "marked": has(l) }))
        .collect();
    json!({ "kind": kind, "lines": lines, "cut": cut || body.lines().count() > lines.len() })
}

/// `GET /app/{org}/{audit}/evidence/upload`: the upload page (drag and drop, kind,
/// effective dates, progress); the file goes to the API's upload route.
pub async fn upload(Extension(ctx): Extension<Ctx>) -> Result<Html<String>, PageError> {
    let kinds: Vec<Value> = assay_tables::REGISTRY
        .iter()
        .filter(|n| n.importable)
        .map(|n| json!({ "kind": n.kind, "doc": n.format }))
        .collect();
    let base = frame(&ctx, "")["base"].as_str().unwrap_or("").to_string();
    let api = format!(
        "/api/v1/orgs/{}/audits/{}/evidence",
        ctx.org()?.slug,
        ctx.audit()?.audit.slug
    );
    render(
        "upload.html",
        with(
            frame(&ctx, "upload"),
            json!({ "kinds": kinds, "api": api, "back": format!("{base}/evidence") }),
        ),
    )
}
