//! Accounts: the one-time setup of the first owner, sign-in and sign-out, the caller's own
//! account, and accepting an invitation.

use super::extract::Query;
use super::extract::{Form, Json};
use super::Ctx;
use crate::audit_log::{self, Log};
use crate::auth::caller::Via;
use crate::auth::{cookie, password};
use crate::permissions::Role;
use crate::problem::Problem;
use crate::state::AppState;
use crate::store::{accounts, sessions, tenants};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;

/// The first owner's details, with the setup link's token.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct Setup {
    /// The token of the one-time setup link the server printed at first start.
    token: String,
    /// The owner's email address (the sign-in name).
    email: String,
    /// The owner's name.
    name: String,
    /// At least 12 characters, not a common or breached password (NIST SP 800-63B).
    password: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct TokenQuery {
    /// The token of the one-time setup link.
    #[serde(default)]
    token: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /setup?token=...`: a plain form (no script) that posts to `/setup`.
pub async fn setup_form(Query(q): Query<TokenQuery>) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Set up Assay</title></head>\
         <body><main><h1>Create the first owner</h1>\
         <p>This link works once. The account you create owns every organization this server serves.</p>\
         <form method=\"post\" action=\"/setup\">\
         <input type=\"hidden\" name=\"token\" value=\"{}\">\
         <p><label>Email <input type=\"email\" name=\"email\" required autocomplete=\"username\"></label></p>\
         <p><label>Name <input name=\"name\" required autocomplete=\"name\"></label></p>\
         <p><label>Password (at least {} characters) <input type=\"password\" name=\"password\" required minlength=\"{}\" autocomplete=\"new-password\"></label></p>\
         <p><button type=\"submit\">Create owner</button></p></form></main></body></html>",
        escape(&q.token),
        password::MIN_CHARS,
        password::MIN_CHARS
    ))
}

/// `POST /setup` (form).
pub async fn setup_submit(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Form(s): Form<Setup>,
) -> Response {
    match setup(&state, &ctx, s).await {
        Ok((cookie, _)) => {
            let mut r = Html("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Assay</title></head><body><main><h1>Owner created</h1><p>You are signed in.</p></main></body></html>").into_response();
            set_cookie(&mut r, &cookie);
            r
        }
        Err(p) => p.into_response(),
    }
}

/// `POST /api/v1/setup`.
pub async fn setup_json(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Json(s): Json<Setup>,
) -> Response {
    match setup(&state, &ctx, s).await {
        Ok((cookie, body)) => {
            let mut r = (StatusCode::CREATED, Json(body)).into_response();
            set_cookie(&mut r, &cookie);
            r
        }
        Err(p) => p.into_response(),
    }
}

/// The answer to a successful sign-in: the account and its CSRF token, with the session
/// cookie set.
fn signed_in(state: &AppState, user: &accounts::User, secret: &str, csrf: &str) -> Response {
    let mut r = Json(serde_json::json!({ "user": user, "csrf": csrf })).into_response();
    let (secure, max_age) = (state.options.secure_cookies, state.options.session_absolute);
    set_cookie(&mut r, &cookie::set(secret, secure, max_age));
    r
}

fn set_cookie(r: &mut Response, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

async fn setup(
    state: &AppState,
    ctx: &Ctx,
    s: Setup,
) -> Result<(String, serde_json::Value), Problem> {
    password::check(&s.password, &s.email, &s.name).map_err(Problem::bad_request)?;
    if !s.email.contains('@') || s.name.trim().is_empty() {
        return Err(Problem::bad_request("give an email address and a name"));
    }
    let hash = tokio::task::spawn_blocking(move || password::hash(&s.password))
        .await?
        .map_err(Problem::internal)?;
    let orgs: Vec<String> = state.audits.values().map(|a| a.org.id.clone()).collect();
    let (email, name, token) = (s.email.clone(), s.name.clone(), s.token.clone());
    let (user, secret, session) = state
        .db(move |c| {
            if !accounts::take_setup_secret(c, &token)? {
                return Err(Problem::forbidden(
                    "this setup link is not valid (used already, replaced by a newer one, or an account exists); restart `assay serve` for a new link if no account exists",
                ));
            }
            let user = accounts::create_user(c, &email, &name, Some(hash))?;
            for o in &orgs {
                accounts::grant(c, &user.id, o, "", Role::Owner)?;
            }
            let (secret, session) = sessions::start(c, &user.id)?;
            Ok((user, secret, session))
        })
        .await?;
    let mut orgs: Vec<String> = state.audits.values().map(|a| a.org.id.clone()).collect();
    orgs.dedup();
    audit_log::append(
        state,
        Log {
            orgs,
            audit: None,
            event: audit_log::event(
                &user.email,
                "account.setup",
                &user.email,
                "success",
                &ctx.ip,
            ),
        },
    )
    .await?;
    let cookie = cookie::set(
        &secret,
        state.options.secure_cookies,
        state.options.session_absolute,
    );
    Ok((
        cookie,
        serde_json::json!({ "user": user, "csrf": session.csrf }),
    ))
}

/// Email and password.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct Login {
    /// The account's email address.
    pub(crate) email: String,
    /// Its password.
    pub(crate) password: String,
}

/// `POST /api/v1/session`: sign in. Always a new session (the id rotates at every sign-in).
pub async fn login(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Json(l): Json<Login>,
) -> Response {
    match sign_in(&state, &ctx, l).await {
        Ok(r) => r,
        Err(p) => p.into_response(),
    }
}

async fn sign_in(state: &AppState, ctx: &Ctx, l: Login) -> Result<Response, Problem> {
    let email = l.email.trim().to_lowercase();
    let keys = vec![format!("acct:{email}"), format!("ip:{}", ctx.ip)];
    if let Some(wait) = state.limiter.blocked(&keys) {
        return Err(Problem::throttled(
            wait,
            format!("too many failed sign-ins; try again in {wait} s"),
        ));
    }
    let e2 = email.clone();
    let (user, orgs) = state
        .db(move |c| {
            let user = accounts::user_by_email(c, &e2)?;
            let orgs = match &user {
                Some(u) => accounts::orgs_of(c, &u.id)?
                    .into_iter()
                    .map(|o| o.id)
                    .collect(),
                None => Vec::new(),
            };
            Ok((user, orgs))
        })
        .await?;
    let phc = user
        .as_ref()
        .and_then(|u| u.password.clone())
        .unwrap_or_else(|| password::decoy().to_string());
    let pw = l.password;
    let ok = tokio::task::spawn_blocking(move || password::verify(&pw, &phc)).await?
        && user.as_ref().is_some_and(|u| u.password.is_some());
    let Some(user) = user.filter(|_| ok) else {
        state.limiter.fail(&keys);
        audit_log::append(
            state,
            Log {
                orgs,
                audit: None,
                event: audit_log::event(
                    &email,
                    "session.login",
                    &email,
                    "failure: wrong email or password",
                    &ctx.ip,
                ),
            },
        )
        .await?;
        return Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "wrong email or password",
        ));
    };
    state.limiter.succeed(&keys[0]);
    let uid = user.id.clone();
    let (secret, session) = state.db(move |c| Ok(sessions::start(c, &uid)?)).await?;
    audit_log::append(
        state,
        Log {
            orgs,
            audit: None,
            event: audit_log::event(
                &user.email,
                "session.login",
                &user.email,
                "success",
                &ctx.ip,
            ),
        },
    )
    .await?;
    Ok(signed_in(state, &user, &secret, &session.csrf))
}

/// `DELETE /api/v1/session`: sign out of this session.
pub async fn logout(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, Problem> {
    let caller = ctx.caller()?.clone();
    let Via::Session(s) = &caller.via else {
        return Err(Problem::bad_request(
            "an API token has no session; revoke the token instead",
        ));
    };
    let key = s.key.clone();
    state.db(move |c| Ok(sessions::end(c, &key)?)).await?;
    let mut r = StatusCode::NO_CONTENT.into_response();
    set_cookie(&mut r, &cookie::clear(state.options.secure_cookies));
    Ok(r)
}

/// `POST /api/v1/session/logout-everywhere`.
pub async fn logout_everywhere(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, Problem> {
    let caller = ctx.caller()?.clone();
    let uid = caller.user.id.clone();
    let (ended, orgs) = state
        .db(move |c| {
            Ok((
                sessions::end_all(c, &uid)?,
                accounts::orgs_of(c, &uid)?
                    .into_iter()
                    .map(|o| o.id)
                    .collect(),
            ))
        })
        .await?;
    audit_log::append(
        &state,
        Log {
            orgs,
            audit: None,
            event: audit_log::event(
                &caller.actor(),
                "session.logout-everywhere",
                &caller.user.email,
                "success",
                &ctx.ip,
            ),
        },
    )
    .await?;
    let mut r = Json(serde_json::json!({ "ended": ended })).into_response();
    set_cookie(&mut r, &cookie::clear(state.options.secure_cookies));
    Ok(r)
}

/// `GET /api/v1/me`.
pub async fn me(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Json<serde_json::Value>, Problem> {
    let caller = ctx.caller()?.clone();
    let uid = caller.user.id.clone();
    let orgs = state
        .db(move |c| {
            let mut out = Vec::new();
            for o in accounts::orgs_of(c, &uid)? {
                let roles = accounts::roles_of(c, &uid, &o.id)?;
                let role = roles.iter().find(|m| m.audit.is_empty()).map(|m| m.role);
                let mut audits = serde_json::Map::new();
                for m in roles.iter().filter(|m| !m.audit.is_empty()) {
                    if let Some(a) = tenants::audits(c, &o.id)?.into_iter().find(|a| a.id == m.audit) {
                        audits.insert(a.slug, serde_json::json!(m.role));
                    }
                }
                out.push(serde_json::json!({ "slug": o.slug, "name": o.name, "role": role, "audits": audits }));
            }
            Ok(out)
        })
        .await?;
    let csrf = match &caller.via {
        Via::Session(s) => Some(s.csrf.clone()),
        Via::Token(_) => None,
    };
    Ok(Json(
        serde_json::json!({ "user": caller.user, "orgs": orgs, "csrf": csrf }),
    ))
}

/// An invitation's token, and the account's name and password.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct Accept {
    /// The invitation's token, from its link.
    pub(crate) token: String,
    /// The new account's name (ignored for an existing account).
    #[serde(default)]
    pub(crate) name: String,
    /// The new account's password, or the existing account's.
    pub(crate) password: String,
}

/// `POST /api/v1/invitations/accept`: a new account (name and password) or an existing one
/// (its password), given the role the invitation offers; signs in.
pub async fn accept_invitation(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    _headers: HeaderMap,
    Json(a): Json<Accept>,
) -> Response {
    match accept(&state, &ctx, a).await {
        Ok(r) => r,
        Err(p) => p.into_response(),
    }
}

async fn accept(state: &AppState, ctx: &Ctx, a: Accept) -> Result<Response, Problem> {
    let keys = vec![format!("ip:{}", ctx.ip)];
    if let Some(wait) = state.limiter.blocked(&keys) {
        return Err(Problem::throttled(
            wait,
            format!("too many failed attempts; try again in {wait} s"),
        ));
    }
    let hash = {
        let p = a.password.clone();
        tokio::task::spawn_blocking(move || password::hash(&p))
            .await?
            .map_err(Problem::internal)?
    };
    let (token, name, pw) = (a.token.clone(), a.name.clone(), a.password.clone());
    let outcome = state
        .db(move |c| {
            let Some((org, audit, role, email)) = accounts::accept(c, &token)? else {
                return Ok(Err(Problem::forbidden(
                    "this invitation is not valid (unknown, used or expired); ask for a new one",
                )));
            };
            let user = match accounts::user_by_email(c, &email)? {
                Some(u) => {
                    if !u
                        .password
                        .as_deref()
                        .is_some_and(|phc| password::verify(&pw, phc))
                    {
                        return Ok(Err(Problem::new(
                            StatusCode::UNAUTHORIZED,
                            "unauthorized",
                            "an account with this email exists; give its password",
                        )));
                    }
                    u
                }
                None => {
                    if let Err(m) = password::check(&pw, &email, &name) {
                        return Ok(Err(Problem::bad_request(m)));
                    }
                    if name.trim().is_empty() {
                        return Ok(Err(Problem::bad_request("give your name")));
                    }
                    accounts::create_user(c, &email, &name, Some(hash))?
                }
            };
            accounts::grant(c, &user.id, &org, &audit, role)?;
            let (secret, session) = sessions::start(c, &user.id)?;
            Ok(Ok((user, org, audit, role, secret, session)))
        })
        .await?;
    let (user, org, audit, role, secret, session) = match outcome {
        Ok(v) => v,
        Err(p) => {
            state.limiter.fail(&keys);
            return Err(p);
        }
    };
    let audit_ref = (!audit.is_empty()).then_some(audit.as_str());
    audit_log::append(
        state,
        Log {
            orgs: vec![org],
            audit: audit_ref,
            event: audit_log::event(
                &user.email,
                "invitation.accepted",
                &format!("{} as {}", user.email, role.name()),
                "success",
                &ctx.ip,
            ),
        },
    )
    .await?;
    Ok(signed_in(state, &user, &secret, &session.csrf))
}
