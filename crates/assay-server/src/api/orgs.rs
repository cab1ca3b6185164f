//! Organizations: their audits, members and roles, invitations, the caller's API tokens,
//! and the audit log.

use super::extract::{Json, Path, Query};
use super::{page, Ctx, Page, PageQuery};
use crate::audit_log;
use crate::permissions::Role;
use crate::problem::Problem;
use crate::state::AppState;
use crate::store::{accounts, log, tenants, tokens};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;

/// `GET /api/v1/orgs`.
pub async fn list(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<tenants::Org>>, Problem> {
    let uid = ctx.caller()?.user.id.clone();
    let orgs = state.db(move |c| Ok(accounts::orgs_of(c, &uid)?)).await?;
    Ok(Json(page(orgs, q)))
}

/// `GET /api/v1/orgs/{org}`.
pub async fn show(Extension(ctx): Extension<Ctx>) -> Result<Json<serde_json::Value>, Problem> {
    let org = ctx.org()?;
    Ok(Json(
        serde_json::json!({ "slug": org.slug, "name": org.name, "role": ctx.role()? }),
    ))
}

/// An audit as listed.
#[derive(Debug, serde::Serialize)]
pub struct AuditItem {
    slug: String,
    name: String,
    period: String,
}

/// `GET /api/v1/orgs/{org}/audits`: the audits the caller has a role in (all of them with a
/// role in the whole organization).
pub async fn audits(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<AuditItem>>, Problem> {
    let org = ctx.org()?.clone();
    let uid = ctx.caller()?.user.id.clone();
    let oid = org.id.clone();
    let roles = state
        .db(move |c| Ok(accounts::roles_of(c, &uid, &oid)?))
        .await?;
    let whole = roles.iter().any(|m| m.audit.is_empty());
    let token_audit = match &ctx.caller()?.via {
        crate::auth::caller::Via::Token(t) if !t.audit.is_empty() => Some(t.audit.clone()),
        _ => None,
    };
    let items = state
        .audits_of(&org.id)
        .into_iter()
        .filter(|s| whole || roles.iter().any(|m| m.audit == s.audit.id))
        .filter(|s| token_audit.as_ref().is_none_or(|a| *a == s.audit.id))
        .map(|s| AuditItem {
            slug: s.audit.slug.clone(),
            name: s.audit.name.clone(),
            period: super::audits::period_of(&s),
        })
        .collect();
    Ok(Json(page(items, q)))
}

/// `GET /api/v1/orgs/{org}/members`.
pub async fn members(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<accounts::Member>>, Problem> {
    let oid = ctx.org()?.id.clone();
    let m = state.db(move |c| Ok(accounts::members(c, &oid)?)).await?;
    Ok(Json(page(m, q)))
}

/// A role to set: in the whole organization, or in one audit.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct SetRole {
    /// owner, admin, compliance-manager, control-owner, contributor, auditor or viewer.
    role: String,
    /// The audit the role is limited to; the whole organization when absent.
    #[serde(default)]
    audit: Option<String>,
}

fn role_named(name: &str) -> Result<Role, Problem> {
    Role::parse(name).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
        Problem::bad_request(format!("role `{name}`: use one of {}", names.join(", ")))
    })
}

/// How many days an invitation or token lives: `given` or `default`, at most a year.
fn days(state: &AppState, given: Option<i64>, default: i64) -> Result<i64, Problem> {
    let (days, max) = (given.unwrap_or(default), state.options.max_token_days);
    if !(1..=max).contains(&days) {
        return Err(Problem::bad_request(format!("days: between 1 and {max}")));
    }
    Ok(days)
}

/// Refuses a role above the caller's own (`what` is what would hold it).
fn not_above(role: Role, mine: Role, what: &str) -> Result<(), Problem> {
    if role < mine {
        return Err(Problem::forbidden(format!(
            "{what} a role above your own ({})",
            mine.name()
        )));
    }
    Ok(())
}

/// The internal id of audit `slug` in the caller's organization.
fn audit_id(state: &AppState, ctx: &Ctx, slug: Option<&str>) -> Result<String, Problem> {
    let Some(slug) = slug else {
        return Ok(String::new());
    };
    let org = ctx.org()?;
    state
        .audits_of(&org.id)
        .iter()
        .find(|s| s.audit.slug == slug)
        .map(|s| s.audit.id.clone())
        .ok_or_else(|| {
            Problem::bad_request(format!("audit `{slug}`: no such audit in `{}`", org.slug))
        })
}

/// `PUT /api/v1/orgs/{org}/members/{user}`: never above the caller's own role, and never on
/// someone who holds a stronger role than the caller.
pub async fn set_role(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((_, user)): Path<(String, String)>,
    Json(b): Json<SetRole>,
) -> Result<StatusCode, Problem> {
    let (mine, role) = (ctx.role()?, role_named(&b.role)?);
    not_above(role, mine, "you cannot give")?;
    let audit = audit_id(&state, &ctx, b.audit.as_deref())?;
    let oid = ctx.org()?.id.clone();
    let (u2, a2) = (user.clone(), audit.clone());
    let email = state
        .db(move |c| {
            let Some(target) = accounts::user(c, &u2)? else {
                return Err(Problem::not_found(format!("no member `{u2}`")));
            };
            let held = accounts::roles_of(c, &u2, &oid)?;
            if held.is_empty() {
                return Err(Problem::not_found(format!(
                    "no member `{u2}` in this organization; invite them first"
                )));
            }
            if held.iter().any(|m| m.role < mine) {
                return Err(Problem::forbidden("this member holds a role above yours"));
            }
            if held
                .iter()
                .any(|m| m.audit.is_empty() && m.role == Role::Owner)
                && (role != Role::Owner || !a2.is_empty())
                && owners(c, &oid)? <= 1
            {
                return Err(Problem::conflict(
                    "this is the last owner; make someone else owner first",
                ));
            }
            accounts::grant(c, &u2, &oid, &a2, role)?;
            Ok(target.email)
        })
        .await?;
    let target = format!(
        "{email} as {}{}",
        role.name(),
        b.audit.map(|a| format!(" in {a}")).unwrap_or_default()
    );
    audit_log::success(
        &state,
        &ctx,
        (!audit.is_empty()).then_some(audit.as_str()),
        "member.role-changed",
        &target,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn owners(c: &mut dyn crate::db::Conn, org: &str) -> Result<i64, crate::db::DbError> {
    Ok(c.one(
        "SELECT COUNT(*) FROM memberships WHERE org = $1 AND audit = '' AND role = 'owner'",
        &[org.into()],
    )?
    .map(|r| r.int(0))
    .unwrap_or(0))
}

/// `DELETE /api/v1/orgs/{org}/members/{user}`.
pub async fn remove_member(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((_, user)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    let mine = ctx.role()?;
    let oid = ctx.org()?.id.clone();
    let u2 = user.clone();
    let email = state
        .db(move |c| {
            let held = accounts::roles_of(c, &u2, &oid)?;
            let Some(target) = accounts::user(c, &u2)?.filter(|_| !held.is_empty()) else {
                return Err(Problem::not_found(format!(
                    "no member `{u2}` in this organization"
                )));
            };
            if held.iter().any(|m| m.role < mine) {
                return Err(Problem::forbidden("this member holds a role above yours"));
            }
            if held
                .iter()
                .any(|m| m.audit.is_empty() && m.role == Role::Owner)
                && owners(c, &oid)? <= 1
            {
                return Err(Problem::conflict(
                    "this is the last owner; make someone else owner first",
                ));
            }
            accounts::revoke_all(c, &u2, &oid)?;
            Ok(target.email)
        })
        .await?;
    audit_log::success(&state, &ctx, None, "member.removed", &email).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/orgs/{org}/invitations`.
pub async fn invitations(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<accounts::Invitation>>, Problem> {
    let oid = ctx.org()?.id.clone();
    Ok(Json(page(
        state
            .db(move |c| Ok(accounts::invitations(c, &oid)?))
            .await?,
        q,
    )))
}

/// Who to invite, with what role, for how long.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct Invite {
    /// Who to invite.
    email: String,
    /// The role offered (as in SetRole).
    role: String,
    /// The audit the role is limited to; the whole organization when absent.
    #[serde(default)]
    audit: Option<String>,
    /// Days until the invitation expires (at most 365; the server's default when absent).
    #[serde(default)]
    days: Option<i64>,
}

/// `POST /api/v1/orgs/{org}/invitations`: the token is in the answer, once.
pub async fn invite(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Json(b): Json<Invite>,
) -> Result<Response, Problem> {
    let (mine, role) = (ctx.role()?, role_named(&b.role)?);
    not_above(role, mine, "you cannot offer")?;
    if !b.email.contains('@') {
        return Err(Problem::bad_request(format!(
            "`{}` is not an email address",
            b.email
        )));
    }
    let days = days(&state, b.days, 7)?;
    let audit = audit_id(&state, &ctx, b.audit.as_deref())?;
    let (oid, by, email, slug) = (
        ctx.org()?.id.clone(),
        ctx.caller()?.user.id.clone(),
        b.email.clone(),
        b.audit.clone().unwrap_or_default(),
    );
    let a2 = audit.clone();
    let (inv, token) = state
        .db(move |c| {
            Ok(accounts::invite(
                c,
                &oid,
                (!a2.is_empty()).then_some((a2.as_str(), slug.as_str())),
                role,
                &email,
                &by,
                days * 86_400,
            )?)
        })
        .await?;
    audit_log::success(
        &state,
        &ctx,
        (!audit.is_empty()).then_some(audit.as_str()),
        "member.invited",
        &format!("{} as {}", inv.email, role.name()),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "invitation": inv, "token": token, "accept": "POST /api/v1/invitations/accept with {token, name, password}" }))).into_response())
}

/// `GET /api/v1/orgs/{org}/tokens`.
pub async fn tokens(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<tokens::Token>>, Problem> {
    let (uid, oid) = (ctx.caller()?.user.id.clone(), ctx.org()?.id.clone());
    Ok(Json(page(
        state.db(move |c| Ok(tokens::list(c, &uid, &oid)?)).await?,
        q,
    )))
}

/// A token to create.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct NewToken {
    /// What the token is for.
    name: String,
    /// Its role, at most the caller's own; the caller's when absent.
    #[serde(default)]
    role: Option<String>,
    /// The one audit it may reach; every audit the role covers when absent.
    #[serde(default)]
    audit: Option<String>,
    /// Days until it expires (at most 365; the server's default when absent).
    #[serde(default)]
    days: Option<i64>,
}

/// `POST /api/v1/orgs/{org}/tokens`: the token is in the answer, once.
pub async fn create_token(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Json(b): Json<NewToken>,
) -> Result<Response, Problem> {
    let mine = ctx.role()?;
    let role = match &b.role {
        Some(r) => role_named(r)?,
        None => mine,
    };
    not_above(role, mine, "a token cannot hold")?;
    if matches!(ctx.caller()?.via, crate::auth::caller::Via::Token(_)) {
        return Err(Problem::forbidden(
            "a token cannot create tokens; sign in to create one",
        ));
    }
    let days = days(&state, b.days, 90)?;
    if b.name.trim().is_empty() || b.name.len() > 100 {
        return Err(Problem::bad_request(
            "name: 1 to 100 characters, saying what the token is for",
        ));
    }
    let audit = audit_id(&state, &ctx, b.audit.as_deref())?;
    let (uid, oid, name, a2) = (
        ctx.caller()?.user.id.clone(),
        ctx.org()?.id.clone(),
        b.name.clone(),
        audit.clone(),
    );
    let (t, secret) = state
        .db(move |c| {
            Ok(tokens::create(
                c,
                &uid,
                &oid,
                &a2,
                role,
                &name,
                days * 86_400,
            )?)
        })
        .await?;
    audit_log::success(
        &state,
        &ctx,
        (!audit.is_empty()).then_some(audit.as_str()),
        "token.created",
        &format!("{} ({}, {})", t.id, t.name, role.name()),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "token": t, "secret": secret, "note": "shown once; store it in a secret manager" }))).into_response())
}

/// `DELETE /api/v1/orgs/{org}/tokens/{token}`.
pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    let (uid, oid, i2) = (
        ctx.caller()?.user.id.clone(),
        ctx.org()?.id.clone(),
        id.clone(),
    );
    if !state
        .db(move |c| Ok(tokens::revoke(c, &uid, &oid, &i2)?))
        .await?
    {
        return Err(Problem::not_found(format!(
            "no live token `{id}` of yours here"
        )));
    }
    audit_log::success(&state, &ctx, None, "token.revoked", &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?format=ocsf` for OCSF JSON lines.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct LogQuery {
    /// `ocsf` for OCSF JSON lines; JSON pages when absent.
    #[serde(default)]
    format: Option<String>,
    /// Items to skip.
    #[serde(default)]
    offset: usize,
    /// Items to return (at most 500; 100 when absent).
    #[serde(default)]
    limit: Option<usize>,
}

/// `GET /api/v1/orgs/{org}/audit-log`.
pub async fn audit_log(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<LogQuery>,
) -> Result<Response, Problem> {
    let org = ctx.org()?.clone();
    let pq = PageQuery {
        offset: q.offset,
        limit: q.limit,
    };
    let ocsf = match q.format.as_deref() {
        None | Some("json") => false,
        Some("ocsf") => true,
        Some(f) => {
            return Err(Problem::bad_request(format!(
                "format `{f}`: use json or ocsf"
            )))
        }
    };
    let (offset, limit) = if ocsf {
        (0, i64::MAX / 2)
    } else {
        (pq.offset as i64, pq.limit() as i64)
    };
    let (items, total) = state
        .db(move |c| Ok(log::list(c, &org.id, &org.slug, offset, limit)?))
        .await?;
    if ocsf {
        let mut body = String::new();
        for l in &items {
            body.push_str(&crate::ocsf::event(l).to_string());
            body.push('\n');
        }
        return Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response());
    }
    let n = items.len();
    let next = (pq.offset + n < total as usize).then_some(pq.offset + n);
    Ok(Json(Page {
        items,
        total: total as usize,
        offset: pq.offset,
        next,
    })
    .into_response())
}
