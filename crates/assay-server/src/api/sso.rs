//! Single sign-on routes: `/auth/oidc/login` sends the browser to the identity provider with
//! a fresh flow (state in an HttpOnly cookie scoped to `/auth/oidc`); `/auth/oidc/callback`
//! takes the flow once, checks the cookie, exchanges the code, verifies the ID token, maps
//! the person's groups to roles and starts a session.

use super::extract::Query;
use super::Ctx;
use crate::audit_log::{self, Log};
use crate::auth::{cookie, secret};
use crate::problem::Problem;
use crate::state::AppState;
use crate::store::{accounts, flows, sessions, tenants};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;

const FLOW_COOKIE: &str = "assay_oidc";

fn client(state: &AppState) -> Result<std::sync::Arc<crate::oidc::Client>, Problem> {
    state.oidc.clone().ok_or_else(|| {
        Problem::not_found("single sign-on is not configured; start the server with --oidc-issuer, --oidc-client-id and ASSAY_OIDC_CLIENT_SECRET")
    })
}

fn redirect(to: &str, cookies: &[String]) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}

/// `GET /auth/oidc/login`.
pub async fn login(State(state): State<AppState>) -> Result<Response, Problem> {
    let oidc = client(&state)?;
    let (url, flow) = oidc.begin();
    let s = flow.state.clone();
    state.db(move |c| Ok(flows::keep(c, &flow)?)).await?;
    let secure = if state.options.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{FLOW_COOKIE}={s}; Path=/auth/oidc; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        flows::TTL
    );
    Ok(redirect(&url, &[cookie]))
}

/// What the provider sends back.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct Callback {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

fn flow_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == FLOW_COOKIE)
        .map(|(_, v)| v.to_string())
}

/// `GET /auth/oidc/callback`.
pub async fn callback(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    headers: HeaderMap,
    Query(q): Query<Callback>,
) -> Result<Response, Problem> {
    let oidc = client(&state)?;
    if let Some(e) = q.error {
        return Err(Problem::forbidden(format!(
            "the identity provider refused the sign-in: {e} {}",
            q.error_description.unwrap_or_default()
        )));
    }
    let (Some(code), Some(st)) = (q.code, q.state) else {
        return Err(Problem::bad_request(
            "the provider's answer has no code or state; start again at /auth/oidc/login",
        ));
    };
    if !flow_cookie(&headers).is_some_and(|c| secret::same(&c, &st)) {
        return Err(Problem::bad_request(
            "this sign-in was not started in this browser; start again at /auth/oidc/login",
        ));
    }
    let st2 = st.clone();
    let Some(flow) = state.db(move |c| Ok(flows::take(c, &st2)?)).await? else {
        return Err(Problem::bad_request(
            "this sign-in expired or was used already; start again at /auth/oidc/login",
        ));
    };
    let claims = match oidc.exchange(&code, &flow).await {
        Ok((_, claims)) => claims,
        Err(e) => {
            audit_log::append(
                &state,
                Log {
                    orgs: Vec::new(),
                    audit: None,
                    event: audit_log::event(
                        "anonymous",
                        "session.login",
                        "oidc",
                        &format!("failure: {e}"),
                        &ctx.ip,
                    ),
                },
            )
            .await?;
            return Err(Problem::forbidden(format!("single sign-on failed: {e}")));
        }
    };
    let email = claims
        .email
        .clone()
        .filter(|_| claims.email_verified != Some(false));
    let Some(email) = email else {
        return Err(Problem::forbidden("the identity provider gave no verified email address; Assay needs one to name the account"));
    };
    let rules: Vec<crate::oidc::GroupRule> = oidc
        .config
        .groups
        .iter()
        .filter(|r| claims.groups.contains(&r.group))
        .cloned()
        .collect();
    let subject = format!("{}|{}", claims.iss, claims.sub);
    let name = claims.name.clone().unwrap_or_else(|| email.clone());
    let (e2, groups) = (email.clone(), claims.groups.clone());
    let outcome = state
        .db(move |c| {
            let mut grants = Vec::new();
            for r in &rules {
                let Some(org) = tenants::org_by_slug(c, &r.org)? else {
                    continue;
                };
                let audit = match &r.audit {
                    Some(a) => match tenants::audit_by_slug(c, &org.id, a)? {
                        Some(a) => a.id,
                        None => continue,
                    },
                    None => String::new(),
                };
                grants.push((org.id, audit, r.role));
            }
            if grants.is_empty() {
                return Ok(Err(groups));
            }
            let user = accounts::sso_user(c, &subject, &e2, &name)?;
            for (org, audit, role) in &grants {
                accounts::grant(c, &user.id, org, audit, *role)?;
            }
            let (secret, _) = sessions::start(c, &user.id)?;
            let orgs: Vec<String> = grants.iter().map(|g| g.0.clone()).collect();
            Ok(Ok((user, secret, orgs)))
        })
        .await?;
    let (user, secret, mut orgs) = match outcome {
        Ok(v) => v,
        Err(groups) => {
            audit_log::append(
                &state,
                Log {
                    orgs: Vec::new(),
                    audit: None,
                    event: audit_log::event(
                        &email,
                        "session.login",
                        "oidc",
                        "failure: no role for the person's groups",
                        &ctx.ip,
                    ),
                },
            )
            .await?;
            return Err(Problem::forbidden(format!("signed in as {email}, but none of your groups ({}) is given a role on this server; ask an owner to map one (--oidc-group)", groups.join(", "))));
        }
    };
    orgs.sort();
    orgs.dedup();
    audit_log::append(
        &state,
        Log {
            orgs,
            audit: None,
            event: audit_log::event(&user.email, "session.login", "oidc", "success", &ctx.ip),
        },
    )
    .await?;
    let clear_flow = format!("{FLOW_COOKIE}=; Path=/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=0");
    let session = cookie::set(
        &secret,
        state.options.secure_cookies,
        state.options.session_absolute,
    );
    Ok(redirect("/api/v1/me", &[session, clear_flow]))
}
