//! One audit: its scope and ledger, and its controls.

use super::blocking;
use super::extract::Json;
use super::extract::{Path, Query};
use super::{page, Ctx, Page, PageQuery};
use crate::problem::Problem;
use crate::state::Served;
use axum::Extension;
use serde::Deserialize;

/// The audit period as `YYYY-MM-DD..YYYY-MM-DD` (or the date of a Type I), from the
/// workspace as it is now.
pub fn period_of(s: &Served) -> String {
    s.workspace()
        .config
        .as_ref()
        .map(|c| c.scope.period.to_string())
        .unwrap_or_default()
}

/// `GET /api/v1/orgs/{org}/audits/{audit}`.
pub async fn show(Extension(ctx): Extension<Ctx>) -> Result<Json<serde_json::Value>, Problem> {
    let s = ctx.audit()?.clone();
    let role = ctx.role()?;
    blocking(move || {
        let ws = s.workspace();
        let scope = ws.config.as_ref().map(|c| &c.scope);
        let ledger = match s.project.locker_if_any()? {
            Some(l) => {
                let (size, root) = l.head().map_err(assay_project::ProjectError::from)?;
                let last = l.checkpoints().map_err(assay_project::ProjectError::from)?.last().map(|c| serde_json::json!({ "size": c.size, "signed_at": c.signed_at }));
                serde_json::json!({ "size": size, "root": root, "last_checkpoint": last })
            }
            None => serde_json::Value::Null,
        };
        Ok(Json(serde_json::json!({
            "slug": s.audit.slug,
            "name": s.audit.name,
            "organization": scope.map(|s| s.organization.clone()),
            "system": scope.map(|s| s.system_name.clone()),
            "period": scope.map(|s| s.period.to_string()),
            "categories": scope.map(|s| s.categories.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>()),
            "controls": ws.controls.len(),
            "errors": ws.error_count(),
            "ledger": ledger,
            "role": role,
        })))
    })
    .await
}

/// Filters for the control list.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct ControlQuery {
    /// Only controls mapped to this criterion, e.g. CC6.1.
    #[serde(default)]
    criterion: Option<String>,
    /// Only controls with this owner.
    #[serde(default)]
    owner: Option<String>,
    /// Items to skip.
    #[serde(default)]
    offset: usize,
    /// Items to return (at most 500; 100 when absent).
    #[serde(default)]
    limit: Option<usize>,
}

/// `GET /api/v1/orgs/{org}/audits/{audit}/controls?criterion=&owner=`.
pub async fn controls(
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<ControlQuery>,
) -> Result<Json<Page<assay_core::Control>>, Problem> {
    let s = ctx.audit()?.clone();
    blocking(move || {
        let all: Vec<assay_core::Control> = s
            .workspace()
            .controls
            .iter()
            .map(|c| c.control.clone())
            .filter(|c| {
                q.criterion
                    .as_ref()
                    .is_none_or(|k| c.criteria.iter().any(|l| &l.id == k))
            })
            .filter(|c| q.owner.as_ref().is_none_or(|o| &c.owner == o))
            .collect();
        Ok(Json(page(
            all,
            PageQuery {
                offset: q.offset,
                limit: q.limit,
            },
        )))
    })
    .await
}

/// `GET /api/v1/orgs/{org}/audits/{audit}/controls/{control}`.
pub async fn control(
    Extension(ctx): Extension<Ctx>,
    Path((_, _, id)): Path<(String, String, String)>,
) -> Result<Json<assay_core::Control>, Problem> {
    let s = ctx.audit()?.clone();
    blocking(move || {
        s.workspace()
            .controls
            .iter()
            .map(|c| &c.control)
            .find(|c| c.id == id)
            .cloned()
            .map(Json)
            .ok_or_else(|| Problem::not_found(format!("no control `{id}` in this audit")))
    })
    .await
}
