//! Tables and queries, assessments, findings and reports. An assessment run through the
//! server is kept (the latest per audit) so findings and reports read it without testing
//! again.

use super::blocking;
use super::extract::{Json, Path, Query};
use super::{page, Ctx, Page, PageQuery};
use crate::audit_log;
use crate::permissions::Role;
use crate::problem::Problem;
use crate::state::AppState;
use assay_engine::Assessment;
use assay_project::Silent;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;
use std::sync::Arc;

/// The most rows a query answers with (the answer says when it cut).
pub const MAX_ROWS: usize = 10_000;

/// `GET .../tables`: each standard table and its rows.
pub async fn tables(Extension(ctx): Extension<Ctx>) -> Result<Json<serde_json::Value>, Problem> {
    let s = ctx.audit()?.clone();
    let t = blocking(move || Ok(s.tables()?)).await?;
    let schema: std::collections::BTreeMap<&str, &assay_tables::schema::Table> =
        assay_tables::schema::TABLES
            .iter()
            .map(|d| (d.name, d))
            .collect();
    let items: Vec<serde_json::Value> = t
        .counts()
        .into_iter()
        .map(|(name, rows)| {
            let d = schema.get(name);
            serde_json::json!({
                "name": name,
                "rows": rows,
                "row": d.map(|d| d.row),
                "columns": d.map(|d| d.all_columns().iter().map(|(n, k, doc)| serde_json::json!({ "name": n, "type": k.name(), "doc": doc })).collect::<Vec<_>>()),
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "items": items })))
}

/// The SQL to run.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct Sql {
    /// One `SELECT` or `WITH` over the standard tables.
    sql: String,
}

/// `POST .../query`: read-only SQL (one `SELECT` or `WITH`; the tables' sandbox refuses
/// anything else) over the standard tables; at most [`MAX_ROWS`] rows.
pub async fn query(
    Extension(ctx): Extension<Ctx>,
    Json(q): Json<Sql>,
) -> Result<Json<serde_json::Value>, Problem> {
    let s = ctx.audit()?.clone();
    let t = blocking(move || Ok(s.tables()?)).await?;
    let result = t.query(&q.sql).await.map_err(|e| {
        Problem::bad_request(format!(
            "query failed: {e}; GET .../tables lists the tables and columns"
        ))
    })?;
    let mut rows = result.json_rows();
    let total = rows.len();
    rows.truncate(MAX_ROWS);
    Ok(Json(serde_json::json!({
        "columns": result.columns,
        "rows": rows,
        "total": total,
        "truncated": total > MAX_ROWS,
    })))
}

/// `POST .../assessments`: assess now, keep it as the latest.
pub async fn assess(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Json<serde_json::Value>, Problem> {
    let s = ctx.audit()?.clone();
    let s2 = s.clone();
    let a = blocking(move || Ok(s2.project.assess(None, &Silent)?)).await?;
    let a = Arc::new(a);
    let (id, json) = (
        s.audit.id.clone(),
        serde_json::to_string(&*a).map_err(Problem::internal)?,
    );
    state
        .db(move |c| Ok(crate::store::assessments::save(c, &id, &json)?))
        .await?;
    if let Ok(mut latest) = s.latest.write() {
        *latest = Some(a.clone());
    }
    let target = format!(
        "ledger {} ({})",
        a.ledger.as_ref().map(|l| l.size).unwrap_or(0),
        a.ledger
            .as_ref()
            .map(|l| l.root.clone())
            .unwrap_or_default()
    );
    audit_log::success(
        &state,
        &ctx,
        Some(&s.audit.id),
        "assessment.assessed",
        &target,
    )
    .await?;
    Ok(Json(
        serde_json::json!({ "summary": a.summary, "engagement": a.engagement, "opinion": a.opinion, "ledger": a.ledger }),
    ))
}

fn latest(ctx: &Ctx) -> Result<Arc<Assessment>, Problem> {
    let s = ctx.audit()?;
    s.latest
        .read()
        .ok()
        .and_then(|l| l.clone())
        .ok_or_else(|| Problem::not_found("no assessment yet; POST .../assessments runs one"))
}

/// `GET .../assessments/latest`.
pub async fn latest_one(Extension(ctx): Extension<Ctx>) -> Result<Json<Arc<Assessment>>, Problem> {
    Ok(Json(latest(&ctx)?))
}

/// `GET .../findings` of the latest assessment.
pub async fn findings(
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<assay_engine::assessment::Finding>>, Problem> {
    Ok(Json(page(latest(&ctx)?.findings.clone(), q)))
}

/// `?format=` and, for OSCAL's several documents, `?file=`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ReportQuery {
    /// html, md, json, pdf or xlsx, as the report offers; its first format when absent.
    #[serde(default)]
    format: Option<String>,
    /// For OSCAL: one of the documents the answer lists.
    #[serde(default)]
    file: Option<String>,
}

fn media_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// `GET .../reports/{kind}?format=`: one file as an attachment, or for OSCAL the list of its
/// documents (pick one with `?file=`).
pub async fn report(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((_, _, kind)): Path<(String, String, String)>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, Problem> {
    let a = latest(&ctx)?;
    let s = ctx.audit()?.clone();
    let k = assay_project::report_kind(&kind)?;
    let fmt = match &q.format {
        Some(f) => assay_project::report_format(f)?,
        None => k.formats()[0],
    };
    let files = blocking(move || Ok(s.project.render_report(&a, k, fmt)?)).await?;
    let chosen = match (&q.file, files.len()) {
        (None, 1) => files.into_iter().next(),
        (Some(f), _) => files
            .into_iter()
            .find(|(n, _)| n.trim_start_matches('-') == f.trim_end_matches(".json")),
        (None, _) => {
            let names: Vec<String> = files
                .iter()
                .map(|(n, _)| format!("{}.json", n.trim_start_matches('-')))
                .collect();
            return Ok(
                Json(serde_json::json!({ "files": names, "pick": "add ?file=NAME" }))
                    .into_response(),
            );
        }
    };
    let Some((suffix, bytes)) = chosen else {
        return Err(Problem::not_found(format!(
            "no file `{}` in the {kind} report",
            q.file.unwrap_or_default()
        )));
    };
    let name = if k == assay_report::Kind::Oscal {
        format!("{}.json", suffix.trim_start_matches('-'))
    } else {
        format!("{}.{}", k.name(), fmt.name())
    };
    if ctx.role()? == Role::Auditor {
        let audit = ctx.audit()?.audit.id.clone();
        audit_log::success(&state, &ctx, Some(&audit), "report.downloaded", &name).await?;
    }
    Ok((
        [
            (header::CONTENT_TYPE, media_type(&name).to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `PATCH .../findings/{finding}`: owner, due date, status, management response, written to
/// `findings/<id>.yaml` in the workspace.
pub async fn triage(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((_, _, id)): Path<(String, String, String)>,
    Json(update): Json<assay_project::TriageUpdate>,
) -> Result<Json<assay_engine::triage::Triage>, Problem> {
    let s = ctx.audit()?.clone();
    let known = latest(&ctx).is_ok_and(|a| a.findings.iter().any(|f| f.id == id));
    let has_file = s
        .project
        .root()
        .join("findings")
        .join(format!("{id}.yaml"))
        .is_file();
    if !known && !has_file {
        return Err(Problem::not_found(format!(
            "no finding `{id}` in the latest assessment; POST .../assessments first"
        )));
    }
    let (s2, id2) = (s.clone(), id.clone());
    let t = blocking(move || Ok(s2.project.triage(&id2, &update)?)).await?;
    let target = format!(
        "{id}: {}{}",
        t.status.as_str(),
        t.owner
            .as_deref()
            .map(|o| format!(", owner {o}"))
            .unwrap_or_default()
    );
    audit_log::success(&state, &ctx, Some(&s.audit.id), "finding.triaged", &target).await?;
    Ok(Json(t))
}

/// `GET .../tests/{test}`: the test's outcome in the latest assessment (population size,
/// exceptions, evidence hashes, sample, the rule applied).
pub async fn test_outcome(
    Extension(ctx): Extension<Ctx>,
    Path((_, _, id)): Path<(String, String, String)>,
) -> Result<Json<serde_json::Value>, Problem> {
    let a = latest(&ctx)?;
    let t = a
        .controls
        .iter()
        .flat_map(|c| c.tests.iter().map(move |t| (c, t)))
        .find(|(_, t)| t.id == id)
        .ok_or_else(|| Problem::not_found(format!("no test `{id}` in the latest assessment")))?;
    Ok(Json(serde_json::json!({ "control": t.0.id, "test": t.1 })))
}

/// `GET .../tests/{test}/sample`: the items to test for a test performed on a sample,
/// drawn from its frozen population with the recorded seed (as `assay sample`).
pub async fn sample(
    Extension(ctx): Extension<Ctx>,
    Path((_, _, id)): Path<(String, String, String)>,
) -> Result<Json<serde_json::Value>, Problem> {
    let s = ctx.audit()?.clone();
    let t = blocking(move || Ok(s.project.sample(&id, &Silent)?)).await?;
    Ok(Json(
        serde_json::json!({ "test": t.id, "sample": t.sample, "population": t.population }),
    ))
}
