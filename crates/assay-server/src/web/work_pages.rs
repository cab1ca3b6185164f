//! The working pages: findings with their triage form (written back to `findings/<id>.yaml`
//! by the API's handler), tables and the read-only query box (results as a table or a CSV
//! download), reports to download, and settings (members, invitations, API tokens,
//! collectors and the audit period).

use super::{frame, render, see_other, value, with, PageError};
use crate::api::extract::{Form, Path, Query};
use crate::api::{orgs, results, Ctx, PageQuery};
use crate::problem::Problem;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Value};

fn base(ctx: &Ctx) -> String {
    frame(ctx, "")["base"]
        .as_str()
        .unwrap_or("/app")
        .to_string()
}

/// `GET /app/{org}/{audit}/findings`.
pub async fn findings(Extension(ctx): Extension<Ctx>) -> Result<Html<String>, PageError> {
    let s = ctx.audit()?.clone();
    let a = s.latest.read().ok().and_then(|l| l.clone());
    let items: Vec<Value> = a
        .iter()
        .flat_map(|a| a.findings.iter())
        .map(|f| {
            json!({
                "id": f.id, "kind": f.kind, "severity": f.severity, "criteria": f.criteria, "control": f.control, "test": f.test,
                "rule": f.rule, "statement": f.statement, "exception_count": f.exception_count, "remediation": f.remediation, "owner": f.owner,
                "triage": f.triage.as_ref().map(|t| json!({ "owner": t.owner, "due": t.due.map(|d| d.to_string()), "status": t.status.as_str(), "response": t.response })),
            })
        })
        .collect();
    render(
        "findings.html",
        with(
            frame(&ctx, "findings"),
            json!({ "items": items, "assessed": a.is_some(), "statuses": ["open", "in-progress", "accepted", "resolved"] }),
        ),
    )
}

/// The triage form.
#[derive(Debug, Deserialize)]
pub struct TriageForm {
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due: String,
    status: String,
    #[serde(default)]
    response: String,
}

/// `POST /app/{org}/{audit}/findings/{finding}`: the API's triage, then back to the list.
pub async fn triage(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((org, audit, id)): Path<(String, String, String)>,
    Form(f): Form<TriageForm>,
) -> Result<Response, PageError> {
    let opt = |s: String| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let update: assay_project::TriageUpdate = serde_json::from_value(json!({
        "owner": opt(f.owner), "due": opt(f.due), "status": f.status, "response": opt(f.response),
    }))
    .map_err(|e| Problem::bad_request(format!("triage form: {e}")))?;
    let back = format!("{}/findings#{}", base(&ctx), id);
    results::triage(
        State(state),
        Extension(ctx),
        Path((org, audit, id)),
        crate::api::extract::Json(update),
    )
    .await?;
    Ok(see_other(&back))
}

/// The query form.
#[derive(Debug, Deserialize)]
pub struct QueryForm {
    #[serde(default)]
    sql: String,
    #[serde(default)]
    format: String,
}

/// `GET /app/{org}/{audit}/query`: the tables with their columns and row counts, and the
/// SQL box.
pub async fn query_page(Extension(ctx): Extension<Ctx>) -> Result<Html<String>, PageError> {
    let tables = value(results::tables(Extension(ctx.clone())).await?.0)?;
    let sql = "SELECT * FROM people LIMIT 20";
    render(
        "query.html",
        with(
            frame(&ctx, "query"),
            json!({ "tables": tables["items"], "sql": sql, "result": null, "error": null }),
        ),
    )
}

/// `POST /app/{org}/{audit}/query`: runs the SQL (read-only, as the API) and shows the rows,
/// or with `format=csv` answers them as a CSV file.
pub async fn query_run(
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<QueryForm>,
) -> Result<Response, PageError> {
    let answer = results::query(
        Extension(ctx.clone()),
        crate::api::extract::Json(
            serde_json::from_value(json!({ "sql": f.sql })).map_err(Problem::internal)?,
        ),
    )
    .await;
    let (result, error) = match answer {
        Ok(r) => (Some(r.0), None),
        Err(p) if p.status == 400 => (None, Some(p.detail)),
        Err(p) => return Err(p.into()),
    };
    if f.format == "csv" {
        if let Some(r) = &result {
            return Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"query.csv\"",
                    ),
                ],
                csv_of(r),
            )
                .into_response());
        }
    }
    let tables = value(results::tables(Extension(ctx.clone())).await?.0)?;
    Ok(render(
        "query.html",
        with(
            frame(&ctx, "query"),
            json!({ "tables": tables["items"], "sql": f.sql, "result": result, "error": error }),
        ),
    )?
    .into_response())
}

/// The API's query answer as CSV.
fn csv_of(r: &Value) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let cols: Vec<String> = r["columns"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|v| v.as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default();
    let _ = w.write_record(&cols);
    for row in r["rows"].as_array().into_iter().flatten() {
        let cells: Vec<String> = cols
            .iter()
            .map(|c| match &row[c] {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                v => v.to_string(),
            })
            .collect();
        let _ = w.write_record(&cells);
    }
    w.into_inner().unwrap_or_default()
}

fn title(k: assay_report::Kind) -> &'static str {
    use assay_report::Kind::*;
    match k {
        Readiness => "Readiness report",
        Soc2 => "Draft SOC 2 report",
        Workpapers => "Workpapers",
        Oscal => "OSCAL assessment results",
        Soa => "ISO 27001 Statement of Applicability (needs iso27001 in [audit] frameworks)",
        HipaaMatrix => "HIPAA Security Rule matrix (needs hipaa in [audit] frameworks)",
    }
}

/// `GET /app/{org}/{audit}/reports`: every report and format, as links to the API's
/// download route.
pub async fn reports(Extension(ctx): Extension<Ctx>) -> Result<Html<String>, PageError> {
    let s = ctx.audit()?.clone();
    let api = format!(
        "/api/v1/orgs/{}/audits/{}/reports",
        ctx.org()?.slug,
        s.audit.slug
    );
    let kinds: Vec<Value> = assay_report::Kind::ALL
        .iter()
        .map(|k| json!({ "name": k.name(), "title": title(*k), "formats": k.formats().iter().map(|f| f.name()).collect::<Vec<_>>() }))
        .collect();
    let assessed = s.latest.read().ok().is_some_and(|l| l.is_some());
    render(
        "reports.html",
        with(
            frame(&ctx, "reports"),
            json!({ "kinds": kinds, "api": api, "assessed": assessed }),
        ),
    )
}

/// `GET /app/{org}/settings`: members, invitations, the caller's API tokens, and each
/// audit's period and collectors with their last run.
pub async fn settings(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Html<String>, PageError> {
    settings_page(&state, &ctx, Value::Null).await
}

async fn settings_page(
    state: &AppState,
    ctx: &Ctx,
    flash: Value,
) -> Result<Html<String>, PageError> {
    let q = || {
        Query(PageQuery {
            offset: 0,
            limit: Some(500),
        })
    };
    // The handlers trust the route's access rule; this page is reached by routes with
    // different rules, so it asks for members only where the role may see them.
    let mine = ctx.role()?;
    let (members, invitations) =
        if crate::permissions::allows(mine, crate::permissions::Permission::ReadMembers) {
            (
                value(
                    orgs::members(State(state.clone()), Extension(ctx.clone()), q())
                        .await?
                        .0,
                )?,
                value(
                    orgs::invitations(State(state.clone()), Extension(ctx.clone()), q())
                        .await?
                        .0,
                )?,
            )
        } else {
            (Value::Null, Value::Null)
        };
    let tokens = value(
        orgs::tokens(State(state.clone()), Extension(ctx.clone()), q())
            .await?
            .0,
    )?;
    let org = ctx.org()?.clone();
    let served = state.audits_of(&org.id);
    let audits = crate::api::blocking(move || {
        let mut out = Vec::new();
        for s in served {
            let ws = s.workspace();
            let entries = s.evidence()?;
            let collectors: Vec<Value> = ws
                .config
                .as_ref()
                .map(|c| {
                    c.collectors
                        .iter()
                        .map(|k| {
                            let agent = format!("collect:{}", k.name);
                            let last = entries
                                .iter()
                                .filter(|r| r.entry.record.provenance.agent == agent)
                                .map(|r| r.entry.record.collected_at.clone())
                                .max();
                            json!({ "name": k.name, "kind": k.kind, "last": last })
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.push(json!({ "name": s.audit.name, "slug": s.audit.slug, "period": crate::api::audits::period_of(&s), "collectors": collectors }));
        }
        Ok(out)
    })
    .await?;
    let roles: Vec<&str> = crate::permissions::Role::ALL
        .iter()
        .filter(|r| **r >= mine)
        .map(|r| r.name())
        .collect();
    let manage = crate::permissions::allows(mine, crate::permissions::Permission::ManageMembers);
    render(
        "settings.html",
        with(
            frame(ctx, "settings"),
            json!({ "members": members["items"], "invitations": invitations["items"], "tokens": tokens["items"], "audits": audits, "roles": roles, "org_slug": org.slug, "manage": manage, "flash": flash }),
        ),
    )
}

/// What the settings page shows after a form that creates a secret: the secret, once (taken
/// from the API's answer by `secret`), or the reason the API refused.
async fn shown_once(
    answer: Result<Response, Problem>,
    kind: &str,
    what: &str,
    secret: impl FnOnce(&Value) -> Value,
) -> Result<Value, PageError> {
    match answer {
        Ok(r) => {
            let bytes = axum::body::to_bytes(r.into_body(), 64 * 1024)
                .await
                .map_err(Problem::internal)?;
            let v: Value = serde_json::from_slice(&bytes).map_err(Problem::internal)?;
            Ok(json!({ "kind": kind, "what": what, "secret": secret(&v) }))
        }
        Err(p) if p.status < 500 => Ok(json!({ "kind": "error", "what": p.detail })),
        Err(p) => Err(p.into()),
    }
}

/// The invitation form.
#[derive(Debug, Deserialize)]
pub struct InviteForm {
    email: String,
    role: String,
    #[serde(default)]
    audit: String,
}

/// `POST /app/{org}/settings/invitations`: the API's invitation; the page shows the link
/// once.
pub async fn invite(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<InviteForm>,
) -> Result<Html<String>, PageError> {
    let body = json!({ "email": f.email.trim(), "role": f.role, "audit": (!f.audit.is_empty()).then_some(f.audit.clone()) });
    let b = serde_json::from_value(body)
        .map_err(|e| Problem::bad_request(format!("invitation form: {e}")))?;
    let answer = orgs::invite(
        State(state.clone()),
        Extension(ctx.clone()),
        crate::api::extract::Json(b),
    )
    .await;
    let base = state.options.public_url.trim_end_matches('/').to_string();
    let what = format!("Invitation for {} as {}", f.email.trim(), f.role);
    let flash = shown_once(answer, "invitation", &what, |v| {
        json!(format!(
            "{base}/invite?token={}",
            v["token"].as_str().unwrap_or("")
        ))
    })
    .await?;
    settings_page(&state, &ctx, flash).await
}

/// The API token form.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    days: String,
}

/// `POST /app/{org}/settings/tokens`: the API's token creation; the page shows the secret
/// once.
pub async fn create_token(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<TokenForm>,
) -> Result<Html<String>, PageError> {
    let days = match f.days.trim() {
        "" => None,
        d => Some(d.parse::<i64>().map_err(|_| {
            Problem::bad_request(format!("days `{d}`: give a whole number of days"))
        })?),
    };
    let body = json!({ "name": f.name.trim(), "role": (!f.role.is_empty()).then_some(f.role.clone()), "days": days });
    let b = serde_json::from_value(body)
        .map_err(|e| Problem::bad_request(format!("token form: {e}")))?;
    let answer = orgs::create_token(
        State(state.clone()),
        Extension(ctx.clone()),
        crate::api::extract::Json(b),
    )
    .await;
    let what = format!("API token `{}`", f.name.trim());
    let flash = shown_once(answer, "token", &what, |v| v["secret"].clone()).await?;
    settings_page(&state, &ctx, flash).await
}
