//! Signing in and out in the browser, and the first page after it: the audits the account
//! may open. Sign-in is the API's (same throttling, same audit log); the page only turns
//! its answer into a redirect or a form with the reason.

use super::{frame, render, see_other, with, PageError};
use crate::api::accounts::{self, Login};
use crate::api::extract::Query;
use crate::api::Ctx;
use crate::state::AppState;
use crate::store::accounts as acct;
use axum::extract::{Form, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;
use serde_json::json;

/// Where to go after signing in.
#[derive(Debug, Deserialize)]
pub struct Next {
    #[serde(default)]
    next: Option<String>,
}

/// A local path only: never another host.
fn local(next: Option<&str>) -> &str {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or("/app")
}

fn login_page(
    next: &str,
    email: &str,
    error: Option<String>,
    sso: bool,
) -> Result<Html<String>, PageError> {
    render(
        "login.html",
        json!({ "next": next, "email": email, "error": error, "sso": sso, "user": null, "section": "login", "csrf": "", "base": null, "org": null, "audit": null, "role": null, "can": {} }),
    )
}

/// `GET /login`.
pub async fn form(
    State(state): State<AppState>,
    Query(q): Query<Next>,
) -> Result<Html<String>, PageError> {
    login_page(local(q.next.as_deref()), "", None, state.oidc.is_some())
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// An API answer that signed someone in, as a redirect to `to` carrying its session
/// cookie; or, when it did not, its status and the problem's detail for the form.
async fn signed_in_or_reason(answer: Response, to: &str) -> Result<Response, (StatusCode, String)> {
    if answer.status().is_success() {
        let mut r = see_other(to);
        for c in answer.headers().get_all(header::SET_COOKIE) {
            r.headers_mut().append(header::SET_COOKIE, c.clone());
        }
        return Ok(r);
    }
    let status = answer.status();
    let body = axum::body::to_bytes(answer.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let detail = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["detail"].as_str().map(str::to_string))
        .unwrap_or_else(|| "the server refused it without saying why".into());
    Err((status, detail))
}

/// `POST /login`: signs in through the API's handler, then goes to `next`.
pub async fn submit(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    let next = local(f.next.as_deref()).to_string();
    let sso = state.oidc.is_some();
    let answer = accounts::login(
        State(state),
        Extension(ctx),
        crate::api::extract::Json(Login {
            email: f.email.clone(),
            password: f.password,
        }),
    )
    .await;
    let (status, detail) = match signed_in_or_reason(answer, &next).await {
        Ok(r) => return Ok(r),
        Err(failed) => failed,
    };
    let code = if status == StatusCode::TOO_MANY_REQUESTS {
        status
    } else {
        StatusCode::UNAUTHORIZED
    };
    Ok((code, login_page(&next, &f.email, Some(detail), sso)?).into_response())
}

/// The invitation form's fields.
#[derive(Debug, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

fn invite_page(token: &str, name: &str, error: Option<String>) -> Result<Html<String>, PageError> {
    render(
        "invite.html",
        json!({ "token": token, "name": name, "error": error, "min": crate::auth::password::MIN_CHARS, "user": null, "section": "invite", "csrf": "", "base": null, "org": null, "audit": null, "role": null, "can": {} }),
    )
}

/// `GET /invite?token=`: accept an invitation (a new account gives a name and a password;
/// an existing one, its password).
pub async fn invite_form(Query(f): Query<InviteForm>) -> Result<Html<String>, PageError> {
    invite_page(&f.token, "", None)
}

/// `POST /invite`: the API's acceptance, then into the app signed in.
pub async fn invite_submit(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    headers: axum::http::HeaderMap,
    Form(f): Form<InviteForm>,
) -> Result<Response, PageError> {
    let answer = accounts::accept_invitation(
        State(state),
        Extension(ctx),
        headers,
        crate::api::extract::Json(accounts::Accept {
            token: f.token.clone(),
            name: f.name.clone(),
            password: f.password,
        }),
    )
    .await;
    let (status, detail) = match signed_in_or_reason(answer, "/app").await {
        Ok(r) => return Ok(r),
        Err(failed) => failed,
    };
    Ok((status, invite_page(&f.token, &f.name, Some(detail))?).into_response())
}

/// `POST /logout`: ends this session and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, PageError> {
    let answer = accounts::logout(State(state), Extension(ctx)).await?;
    let mut r = see_other("/login");
    for c in answer.headers().get_all(header::SET_COOKIE) {
        r.headers_mut().append(header::SET_COOKIE, c.clone());
    }
    Ok(r)
}

/// `GET /`: the app.
pub async fn root() -> Response {
    see_other("/app")
}

/// `GET /app`: the audits this account may open, by organization. With exactly one, it
/// opens that audit's dashboard.
pub async fn home(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Response, PageError> {
    let uid = ctx.caller()?.user.id.clone();
    let memberships = state
        .db(move |c| {
            let mut out = Vec::new();
            for o in acct::orgs_of(c, &uid)? {
                let roles = acct::roles_of(c, &uid, &o.id)?;
                out.push((o, roles));
            }
            Ok(out)
        })
        .await?;
    let mut orgs = Vec::new();
    let mut links = Vec::new();
    for (o, roles) in memberships {
        let whole = roles.iter().any(|m| m.audit.is_empty());
        let audits: Vec<serde_json::Value> = state
            .audits_of(&o.id)
            .into_iter()
            .filter(|s| whole || roles.iter().any(|m| m.audit == s.audit.id))
            .map(|s| {
                let href = format!("/app/{}/{}", o.slug, s.audit.slug);
                links.push(href.clone());
                json!({ "name": s.audit.name, "slug": s.audit.slug, "period": crate::api::audits::period_of(&s), "href": href })
            })
            .collect();
        orgs.push(json!({ "name": o.name, "slug": o.slug, "audits": audits, "settings": whole }));
    }
    if links.len() == 1 {
        return Ok(see_other(&links[0]));
    }
    Ok(render(
        "home.html",
        with(frame(&ctx, "home"), json!({ "orgs": orgs })),
    )?
    .into_response())
}
