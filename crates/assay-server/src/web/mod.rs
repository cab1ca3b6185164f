//! The web app: server-rendered pages over the same handlers the JSON API uses, so a page
//! shows exactly what the API answers and passes the same access rule (its routes are in
//! the one route table, and so in the authorization matrix). Templates are compiled into
//! the binary; the one stylesheet and the one script are served from here, so a page asks
//! no other host for anything.

pub mod assets;
pub mod audit_pages;
pub mod evidence_pages;
pub mod forms;
pub mod notification_pages;
pub mod session_pages;
pub mod work_pages;

use crate::api::Ctx;
use crate::permissions::{allows, Permission};
use crate::problem::Problem;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::Environment;
use serde_json::{json, Value};
use std::sync::OnceLock;

/// Whether a route is a page of the web app (its failures are pages, not problem documents).
pub fn is_page(path: &str) -> bool {
    matches!(path, "/" | "/login" | "/logout" | "/invite") || path.starts_with("/app")
}

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        fn load(env: &mut Environment<'static>) -> Result<(), minijinja::Error> {
            $( env.add_template($name, include_str!(concat!("templates/", $name)))?; )*
            Ok(())
        }
    };
}

templates!(
    "base.html",
    "error.html",
    "login.html",
    "home.html",
    "dashboard.html",
    "controls.html",
    "control.html",
    "criteria.html",
    "evidence.html",
    "entry.html",
    "upload.html",
    "findings.html",
    "notifications.html",
    "query.html",
    "reports.html",
    "settings.html",
    "invite.html",
);

fn env() -> &'static Result<Environment<'static>, String> {
    static ENV: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        env.add_filter("short", |s: String| s.chars().take(12).collect::<String>());
        env.add_filter("title", |s: String| s.replace(['_', '-'], " "));
        env.add_filter("day", |secs: i64| {
            jiff::Timestamp::from_second(secs)
                .map(|t| t.strftime("%Y-%m-%d").to_string())
                .unwrap_or_default()
        });
        load(&mut env).map_err(|e| format!("{e:#}"))?;
        Ok(env)
    })
}

/// Renders template `name` with `cx`.
pub fn render(name: &str, cx: Value) -> Result<Html<String>, PageError> {
    let env = env().as_ref().map_err(|e| Problem::internal(e.clone()))?;
    let t = env.get_template(name).map_err(Problem::internal)?;
    Ok(Html(
        t.render(cx)
            .map_err(|e| Problem::internal(format!("{e:#}")))?,
    ))
}

/// What every page of an audit shows around its content: who is signed in, where, the
/// session's CSRF token for forms, and which sections the role may open.
pub fn frame(ctx: &Ctx, section: &str) -> Value {
    let user = ctx.caller.as_ref().map(|c| &c.user);
    let csrf = ctx.caller.as_ref().and_then(|c| match &c.via {
        crate::auth::caller::Via::Session(s) => Some(s.csrf.clone()),
        crate::auth::caller::Via::Token(_) => None,
    });
    let can = |p: Permission| ctx.role.is_some_and(|r| allows(r, p));
    let base = match (&ctx.org, &ctx.audit) {
        (Some(o), Some(a)) => Some(format!("/app/{}/{}", o.slug, a.audit.slug)),
        _ => None,
    };
    json!({
        "user": user.map(|u| json!({ "email": u.email, "name": u.name })),
        "csrf": csrf.unwrap_or_default(),
        "section": section,
        "org": ctx.org.as_ref().map(|o| json!({ "slug": o.slug, "name": o.name })),
        "audit": ctx.audit.as_ref().map(|a| json!({ "slug": a.audit.slug, "name": a.audit.name })),
        "base": base,
        "role": ctx.role.map(|r| r.name()),
        "can": {
            "evidence": can(Permission::ReadEvidence),
            "upload": can(Permission::UploadEvidence),
            "triage": can(Permission::Triage),
            "query": can(Permission::Query),
            "assess": can(Permission::Assess),
            "reports": can(Permission::Reports),
            "members": can(Permission::ReadMembers),
        },
    })
}

/// Merges `extra` into the frame.
pub fn with(mut frame: Value, extra: Value) -> Value {
    if let (Some(f), Value::Object(e)) = (frame.as_object_mut(), extra) {
        f.extend(e);
    }
    frame
}

/// A failure on a page: an HTML page with the problem's status and detail, or for a caller
/// who is not signed in, the sign-in page (which comes back here afterwards).
#[derive(Debug)]
pub struct PageError(pub Problem);

impl From<Problem> for PageError {
    fn from(p: Problem) -> PageError {
        PageError(p)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(self.0, None)
    }
}

/// The answer to a failed page request; `path` (with its query) is where to come back to
/// after signing in.
pub fn error_page(p: Problem, path: Option<&str>) -> Response {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == StatusCode::UNAUTHORIZED {
        let next = path.filter(|p| p.starts_with('/') && !p.starts_with("//"));
        let to = match next {
            Some(n) => format!("/login?next={}", encode(n)),
            None => "/login".into(),
        };
        return Redirect::to(&to).into_response();
    }
    let cx = json!({ "status": p.status, "title": p.title, "detail": p.detail, "user": null, "section": "", "csrf": "", "base": null, "org": null, "audit": null, "role": null, "can": {} });
    match render("error.html", cx) {
        Ok(html) => (status, html).into_response(),
        Err(_) => (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            p.detail,
        )
            .into_response(),
    }
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A JSON handler's answer, as a value for a template.
pub fn value<T: serde::Serialize>(t: T) -> Result<Value, PageError> {
    Ok(serde_json::to_value(t).map_err(Problem::internal)?)
}

/// `303 See Other` to `to`: where a form post lands.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}
