//! The HTTP API under `/api/v1`, and the one table of routes it is built from. Each route
//! names its access rule; `authorize` enforces it before any handler runs, so a route
//! cannot exist without one (deny by default). The same table generates the OpenAPI
//! document, `docs/permissions.md` and the authorization matrix test's list of routes.

pub(crate) mod accounts;
pub(crate) mod audits;
pub mod doc;
pub(crate) mod evidence;
pub(crate) mod extract;
mod openapi;
pub(crate) mod orgs;
pub(crate) mod results;
mod sso;
mod system;

use crate::auth::caller::{self, Caller, Presented, Via};
use crate::permissions::{allows, Permission, Role};
use crate::problem::Problem;
use crate::state::{AppState, Served};
use crate::store::{accounts as acct, tenants};
use crate::web;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{on, MethodFilter};
use axum::Router;
use doc::Doc;
use std::sync::Arc;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (health, sign-in, the setup link).
    Public,
    /// Any signed-in account.
    Account,
    /// A role in the organization `{org}` holding this permission.
    Org(Permission),
    /// A role in the audit `{org}/{audit}` (or in its whole organization) holding this
    /// permission.
    Audit(Permission),
}

impl Access {
    /// In words, for the docs.
    pub fn describe(&self) -> String {
        match self {
            Access::Public => "public".into(),
            Access::Account => "any account".into(),
            Access::Org(p) => format!("organization: `{p:?}`"),
            Access::Audit(p) => format!("audit: `{p:?}`"),
        }
    }
}

/// One route: method, path pattern, access rule and what it does.
#[derive(Debug, Clone)]
pub struct RouteInfo {
    /// `GET`, `POST`, ...
    pub method: &'static str,
    /// The path pattern, with `{name}` parameters.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
    /// What it does.
    pub summary: &'static str,
    /// What it reads besides its path (for the OpenAPI document).
    pub doc: Doc,
}

/// What a handler knows about the request once it is authorized.
#[derive(Clone)]
pub struct Ctx {
    /// The caller (none on public routes).
    pub caller: Option<Caller>,
    /// The organization in the path.
    pub org: Option<tenants::Org>,
    /// The audit in the path.
    pub audit: Option<Arc<Served>>,
    /// The caller's effective role there.
    pub role: Option<Role>,
    /// The client's address.
    pub ip: String,
}

impl Ctx {
    /// The caller; routes that need one are never reached without it.
    pub fn caller(&self) -> Result<&Caller, Problem> {
        self.caller.as_ref().ok_or_else(Problem::unauthorized)
    }
    /// The organization in the path.
    pub fn org(&self) -> Result<&tenants::Org, Problem> {
        self.org
            .as_ref()
            .ok_or_else(|| Problem::not_found("no organization in the path"))
    }
    /// The audit in the path.
    pub fn audit(&self) -> Result<&Arc<Served>, Problem> {
        self.audit
            .as_ref()
            .ok_or_else(|| Problem::not_found("no audit in the path"))
    }
    /// The effective role.
    pub fn role(&self) -> Result<Role, Problem> {
        self.role.ok_or_else(|| Problem::forbidden("no role here"))
    }
    /// Who, for the audit log.
    pub fn actor(&self) -> String {
        self.caller
            .as_ref()
            .map(Caller::actor)
            .unwrap_or_else(|| "anonymous".into())
    }
}

macro_rules! routes {
    ($( $method:ident $path:literal, $access:expr, $summary:literal => $handler:path $(, $doc:expr)?; )*) => {
        /// Every route of the server, in the order they are registered.
        pub fn table() -> Vec<RouteInfo> {
            vec![$(RouteInfo { method: stringify!($method), path: $path, access: $access, summary: $summary, doc: Doc::default() $(.with($doc))? }),*]
        }

        fn build(state: &AppState) -> Router<AppState> {
            let mut r = Router::new();
            $(
                let info = RouteInfo { method: stringify!($method), path: $path, access: $access, summary: $summary, doc: Doc::default() $(.with($doc))? };
                r = r.route(
                    $path,
                    on(MethodFilter::$method, $handler)
                        .route_layer(axum::middleware::from_fn_with_state((state.clone(), info), authorize)),
                );
            )*
            r
        }
    };
}

use Access::*;
use Permission as P;

routes! {
    GET "/healthz", Public, "Liveness: the process answers" => system::health;
    GET "/readyz", Public, "Readiness: the database answers and every workspace opens" => system::ready;
    GET "/api/v1/openapi.json", Public, "This API as an OpenAPI 3.1 document" => openapi::document;
    GET "/setup", Public, "The one-time form that creates the first owner" => accounts::setup_form, Doc::query::<accounts::TokenQuery>();
    POST "/setup", Public, "Create the first owner from the setup link's token (form)" => accounts::setup_submit, Doc::form::<accounts::Setup>();
    POST "/api/v1/setup", Public, "Create the first owner from the setup link's token" => accounts::setup_json, Doc::json::<accounts::Setup>();
    POST "/api/v1/session", Public, "Sign in with email and password; sets the session cookie" => accounts::login, Doc::json::<accounts::Login>();
    DELETE "/api/v1/session", Account, "Sign out of this session" => accounts::logout;
    POST "/api/v1/session/logout-everywhere", Account, "End every session of this account" => accounts::logout_everywhere;
    GET "/api/v1/me", Account, "The signed-in account, its organizations and the CSRF token" => accounts::me;
    GET "/auth/oidc/login", Public, "Sign in through the identity provider (OpenID Connect)" => sso::login;
    GET "/auth/oidc/callback", Public, "Where the identity provider sends the browser back" => sso::callback, Doc::query::<sso::Callback>();
    POST "/api/v1/invitations/accept", Public, "Accept an invitation: create the account or sign in, and take the role" => accounts::accept_invitation, Doc::json::<accounts::Accept>();
    GET "/api/v1/orgs", Account, "Organizations where the caller holds a role" => orgs::list, Doc::query::<PageQuery>();
    GET "/api/v1/orgs/{org}", Org(P::Read), "One organization" => orgs::show;
    GET "/api/v1/orgs/{org}/audits", Org(P::Read), "The organization's audits the caller may see" => orgs::audits, Doc::query::<PageQuery>();
    GET "/api/v1/orgs/{org}/members", Org(P::ReadMembers), "Members and their roles" => orgs::members, Doc::query::<PageQuery>();
    PUT "/api/v1/orgs/{org}/members/{user}", Org(P::ManageMembers), "Set a member's role in the organization or one audit" => orgs::set_role, Doc::json::<orgs::SetRole>();
    DELETE "/api/v1/orgs/{org}/members/{user}", Org(P::ManageMembers), "Remove a member from the organization" => orgs::remove_member;
    GET "/api/v1/orgs/{org}/invitations", Org(P::ReadMembers), "Pending invitations" => orgs::invitations, Doc::query::<PageQuery>();
    POST "/api/v1/orgs/{org}/invitations", Org(P::ManageMembers), "Invite someone with a role (the link is shown once)" => orgs::invite, Doc::json::<orgs::Invite>();
    GET "/api/v1/orgs/{org}/tokens", Org(P::Tokens), "The caller's API tokens in this organization" => orgs::tokens, Doc::query::<PageQuery>();
    POST "/api/v1/orgs/{org}/tokens", Org(P::Tokens), "Create an API token (shown once)" => orgs::create_token, Doc::json::<orgs::NewToken>();
    DELETE "/api/v1/orgs/{org}/tokens/{token}", Org(P::Tokens), "Revoke one of the caller's API tokens" => orgs::revoke_token;
    GET "/api/v1/orgs/{org}/audit-log", Org(P::ReadAuditLog), "The server's audit log (JSON, or OCSF JSON lines with ?format=ocsf)" => orgs::audit_log, Doc::query::<orgs::LogQuery>();
    GET "/api/v1/orgs/{org}/audits/{audit}", Audit(P::Read), "One audit: scope, period, ledger" => audits::show;
    GET "/api/v1/orgs/{org}/audits/{audit}/controls", Audit(P::Read), "Controls with their criteria and tests" => audits::controls, Doc::query::<audits::ControlQuery>();
    GET "/api/v1/orgs/{org}/audits/{audit}/controls/{control}", Audit(P::Read), "One control" => audits::control;
    GET "/api/v1/orgs/{org}/audits/{audit}/evidence", Audit(P::ReadEvidence), "Evidence in the locker, with freshness" => evidence::list, Doc::query::<evidence::ListQuery>();
    POST "/api/v1/orgs/{org}/audits/{audit}/evidence", Audit(P::UploadEvidence), "Upload one file (streamed; redacted and checked as `assay evidence import`)" => evidence::upload, Doc::file_with::<evidence::UploadQuery>();
    GET "/api/v1/orgs/{org}/audits/{audit}/evidence/{entry}", Audit(P::ReadEvidence), "One ledger entry" => evidence::show;
    GET "/api/v1/orgs/{org}/audits/{audit}/evidence/{entry}/content", Audit(P::ReadEvidence), "The stored (redacted) bytes" => evidence::content;
    GET "/api/v1/orgs/{org}/audits/{audit}/evidence/{entry}/proof", Audit(P::ReadEvidence), "An RFC 9162 inclusion proof for the entry" => evidence::proof;
    GET "/api/v1/orgs/{org}/audits/{audit}/tables", Audit(P::Read), "The standard tables with row counts" => results::tables;
    POST "/api/v1/orgs/{org}/audits/{audit}/query", Audit(P::Query), "Run read-only SQL over the standard tables" => results::query, Doc::json::<results::Sql>();
    POST "/api/v1/orgs/{org}/audits/{audit}/assessments", Audit(P::Assess), "Assess the audit now and keep the result" => results::assess;
    GET "/api/v1/orgs/{org}/audits/{audit}/assessments/latest", Audit(P::Read), "The latest assessment" => results::latest_one;
    GET "/api/v1/orgs/{org}/audits/{audit}/findings", Audit(P::Read), "Findings of the latest assessment" => results::findings, Doc::query::<PageQuery>();
    PATCH "/api/v1/orgs/{org}/audits/{audit}/findings/{finding}", Audit(P::Triage), "Triage a finding (owner, due, status, response) into findings/<id>.yaml" => results::triage, Doc::json::<assay_project::TriageUpdate>();
    GET "/api/v1/orgs/{org}/audits/{audit}/tests/{test}", Audit(P::Read), "A test's outcome in the latest assessment" => results::test_outcome;
    GET "/api/v1/orgs/{org}/audits/{audit}/tests/{test}/sample", Audit(P::Read), "The items to test for a sampled test, from its recorded seed" => results::sample;
    GET "/api/v1/orgs/{org}/audits/{audit}/reports/{kind}", Audit(P::Reports), "A report of the latest assessment (?format=html|md|json|pdf|xlsx)" => results::report, Doc::query::<results::ReportQuery>();
    GET "/", Public, "Page: the web app (to /app)" => web::session_pages::root;
    GET "/static/{file}", Public, "The web app's stylesheet, script and icon" => web::assets::file;
    GET "/login", Public, "Page: sign in" => web::session_pages::form;
    POST "/login", Public, "Page: sign in from the form (then to ?next)" => web::session_pages::submit;
    POST "/logout", Account, "Page: sign out of this session" => web::session_pages::logout;
    GET "/app", Account, "Page: the audits this account may open" => web::session_pages::home;
    GET "/invite", Public, "Page: accept an invitation" => web::session_pages::invite_form;
    POST "/invite", Public, "Page: accept an invitation from the form (then signed in)" => web::session_pages::invite_submit;
    GET "/app/{org}/settings", Org(P::ReadMembers), "Page: members, invitations, API tokens, collectors and periods" => web::work_pages::settings;
    POST "/app/{org}/settings/invitations", Org(P::ManageMembers), "Page: invite someone (form; the link is shown once)" => web::work_pages::invite;
    POST "/app/{org}/settings/tokens", Org(P::Tokens), "Page: create an API token (form; shown once)" => web::work_pages::create_token;
    GET "/app/{org}/{audit}", Audit(P::Read), "Page: the dashboard" => web::audit_pages::dashboard;
    POST "/app/{org}/{audit}/assess", Audit(P::Assess), "Page: assess now (form)" => web::audit_pages::assess;
    GET "/app/{org}/{audit}/controls", Audit(P::Read), "Page: controls, filterable" => web::audit_pages::controls;
    GET "/app/{org}/{audit}/controls/{control}", Audit(P::Read), "Page: one control, its tests, populations and exceptions" => web::audit_pages::control;
    GET "/app/{org}/{audit}/criteria", Audit(P::Read), "Page: the criteria in scope and the controls covering them" => web::audit_pages::criteria;
    GET "/app/{org}/{audit}/evidence", Audit(P::ReadEvidence), "Page: the evidence in the locker" => web::evidence_pages::list;
    GET "/app/{org}/{audit}/evidence/upload", Audit(P::UploadEvidence), "Page: upload evidence" => web::evidence_pages::upload;
    GET "/app/{org}/{audit}/evidence/{entry}", Audit(P::ReadEvidence), "Page: one piece of evidence with its viewer" => web::evidence_pages::entry;
    GET "/app/{org}/{audit}/findings", Audit(P::Read), "Page: findings and their triage" => web::work_pages::findings;
    GET "/app/{org}/{audit}/notifications", Audit(P::Read), "Page: the in-app notifications of drift" => web::notification_pages::list;
    POST "/app/{org}/{audit}/findings/{finding}", Audit(P::Triage), "Page: triage a finding (form)" => web::work_pages::triage;
    GET "/app/{org}/{audit}/query", Audit(P::Query), "Page: the tables and the SQL box" => web::work_pages::query_page;
    POST "/app/{org}/{audit}/query", Audit(P::Query), "Page: run a query (form; format=csv downloads)" => web::work_pages::query_run;
    GET "/app/{org}/{audit}/reports", Audit(P::Reports), "Page: reports to download" => web::work_pages::reports;
}

/// The OpenAPI 3.1 document of this router.
pub fn openapi_document() -> serde_json::Value {
    openapi::build()
}

/// The router: every route, behind its access rule, with the body limit.
pub fn router(state: AppState) -> Router {
    build(&state)
        .fallback(|| async {
            Problem::not_found("no such route; GET /api/v1/openapi.json lists them")
        })
        .layer(axum::extract::DefaultBodyLimit::max(state.options.max_body))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::headers::secure,
        ))
        .layer(axum::middleware::from_fn(crate::access_log::log))
        .with_state(state)
}

/// The parameters of `pattern` in `path` (`/orgs/{org}` against `/orgs/acme`).
pub fn params(pattern: &str, path: &str) -> Vec<(String, String)> {
    pattern
        .split('/')
        .zip(path.split('/'))
        .filter_map(|(p, v)| {
            let name = p.strip_prefix('{')?.strip_suffix('}')?;
            Some((name.to_string(), v.to_string()))
        })
        .collect()
}

fn param<'a>(ps: &'a [(String, String)], name: &str) -> Option<&'a str> {
    ps.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The stronger of two roles.
fn stronger(a: Option<Role>, b: Option<Role>) -> Option<Role> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

/// Enforces a route's access rule, then hands the handler a [`Ctx`].
async fn authorize(
    State((state, info)): State<(AppState, RouteInfo)>,
    req: Request,
    next: Next,
) -> Response {
    let page = web::is_page(info.path);
    let fail = |p: Problem, path: &str| {
        if page {
            web::error_page(p, Some(path))
        } else {
            axum::response::IntoResponse::into_response(p)
        }
    };
    let back = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let mut req = match web::forms::lift_token(req, state.options.max_body).await {
        Ok(r) => r,
        Err(p) => return fail(p, &back),
    };
    let parts = Parts {
        ip: client_ip(&req),
        method: req.method().clone(),
        path: req.uri().path().to_string(),
        headers: req.headers().clone(),
    };
    match resolve(&state, &info, parts).await {
        Ok(ctx) => {
            req.extensions_mut().insert(ctx);
            next.run(req).await
        }
        Err(p) => fail(
            p,
            if req.method() == Method::GET {
                &back
            } else {
                "/app"
            },
        ),
    }
}

fn client_ip(req: &Request) -> String {
    req.extensions()
        .get::<ConnectInfo<crate::tls::ClientAddr>>()
        .map(|c| c.0 .0.ip().to_string())
        .unwrap_or_else(|| "local".into())
}

/// What authorization reads from a request (owned, so the check can await).
struct Parts {
    ip: String,
    method: Method,
    path: String,
    headers: axum::http::HeaderMap,
}

async fn resolve(state: &AppState, info: &RouteInfo, req: Parts) -> Result<Ctx, Problem> {
    let mut ctx = Ctx {
        caller: None,
        org: None,
        audit: None,
        role: None,
        ip: req.ip.clone(),
    };
    if info.access == Public {
        return Ok(ctx);
    }
    let headers = req.headers.clone();
    let (secure, idle, absolute) = (
        state.options.secure_cookies,
        state.options.session_idle,
        state.options.session_absolute,
    );
    let ps = params(info.path, &req.path);
    let (org_slug, audit_slug) = (
        param(&ps, "org").map(str::to_string),
        param(&ps, "audit").map(str::to_string),
    );
    let (caller, org, roles, audit) = state
        .db(move |c| {
            let caller = match caller::resolve(c, &headers, secure, idle, absolute)? {
                Presented::Valid(caller) => *caller,
                Presented::Nothing | Presented::Invalid => return Err(Problem::unauthorized()),
            };
            let Some(slug) = org_slug else {
                return Ok((caller, None, Vec::new(), None));
            };
            let hidden =
                || Problem::not_found(format!("no organization `{slug}` that you can see"));
            let org = tenants::org_by_slug(c, &slug)?.ok_or_else(hidden)?;
            let roles = acct::roles_of(c, &caller.user.id, &org.id)?;
            let audit = match audit_slug {
                Some(a) => Some(tenants::audit_by_slug(c, &org.id, &a)?.ok_or_else(|| {
                    Problem::not_found(format!("no audit `{a}` in `{slug}` that you can see"))
                })?),
                None => None,
            };
            Ok((caller, Some(org), roles, audit))
        })
        .await?;
    // CSRF: a browser session must echo its token on anything that changes state.
    if let Via::Session(s) = &caller.via {
        let unsafe_method = !matches!(req.method, Method::GET | Method::HEAD | Method::OPTIONS);
        let echoed = req
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok());
        if unsafe_method && !echoed.is_some_and(|t| crate::auth::secret::same(t, &s.csrf)) {
            return Err(Problem::forbidden(
                "missing or wrong X-CSRF-Token header; GET /api/v1/me gives this session's token",
            ));
        }
    }
    ctx.caller = Some(caller);
    let Some(org) = org else { return Ok(ctx) };
    let caller = ctx.caller()?.clone();
    let hidden = || Problem::not_found(format!("no organization `{}` that you can see", org.slug));
    let org_role = roles.iter().find(|m| m.audit.is_empty()).map(|m| m.role);
    let best_audit_role = roles
        .iter()
        .filter(|m| !m.audit.is_empty())
        .map(|m| m.role)
        .min();
    if roles.is_empty() {
        return Err(hidden());
    }
    let (perm, role) = match (info.access, &audit) {
        (Org(p), _) => {
            // Audit-only members see the organization and their own tokens, nothing else of it.
            let r = if matches!(p, P::Read | P::Tokens) {
                stronger(org_role, best_audit_role)
            } else {
                org_role
            };
            (p, r)
        }
        (Audit(p), Some(a)) => {
            let here = roles.iter().find(|m| m.audit == a.id).map(|m| m.role);
            let r = stronger(org_role, here);
            if r.is_none() {
                return Err(Problem::not_found(format!(
                    "no audit `{}` in `{}` that you can see",
                    a.slug, org.slug
                )));
            }
            (p, r)
        }
        _ => {
            return Err(Problem::internal(format!(
                "route {} {} has no audit parameter",
                info.method, info.path
            )))
        }
    };
    // A token acts only inside its scope, and never above its role.
    let role = match &caller.via {
        Via::Token(t) => {
            if t.org != org.id
                || audit
                    .as_ref()
                    .is_some_and(|a| !t.audit.is_empty() && t.audit != a.id)
            {
                return Err(hidden());
            }
            role.map(|r| r.max(t.role))
        }
        Via::Session(_) => role,
    };
    let Some(role) = role.filter(|r| allows(*r, perm)) else {
        return Err(Problem::forbidden(format!(
            "your role here ({}) does not allow this ({perm:?}); docs/permissions.md lists who may",
            role.map(Role::name).unwrap_or("none at this level")
        )));
    };
    ctx.role = Some(role);
    if let Some(a) = audit {
        ctx.audit = Some(state.served(&a.id).ok_or_else(|| {
            Problem::not_found(format!(
                "audit `{}` is registered but not served by this process",
                a.slug
            ))
        })?);
    }
    ctx.org = Some(org);
    Ok(ctx)
}

/// Runs blocking work (the pipeline, the file system) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    tokio::task::spawn_blocking(f).await?
}

/// `?offset=&limit=` on every list.
#[derive(Debug, Clone, Copy, serde::Deserialize, schemars::JsonSchema)]
pub struct PageQuery {
    /// Items to skip.
    #[serde(default)]
    pub offset: usize,
    /// Items to return (at most 500; 100 when absent).
    pub limit: Option<usize>,
}

impl PageQuery {
    /// The limit, bounded.
    pub fn limit(&self) -> usize {
        self.limit.unwrap_or(100).clamp(1, 500)
    }
}

/// One page of a list.
#[derive(Debug, serde::Serialize)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// How many there are in all.
    pub total: usize,
    /// The offset of this page.
    pub offset: usize,
    /// The offset of the next page, if there is one.
    pub next: Option<usize>,
}

/// A page out of a whole list.
pub fn page<T>(all: Vec<T>, q: PageQuery) -> Page<T> {
    let total = all.len();
    let limit = q.limit();
    let items: Vec<T> = all.into_iter().skip(q.offset).take(limit).collect();
    let next = (q.offset + items.len() < total).then_some(q.offset + items.len());
    Page {
        items,
        total,
        offset: q.offset,
        next,
    }
}
