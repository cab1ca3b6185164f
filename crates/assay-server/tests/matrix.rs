//! The authorization matrix, built from the router's own route table: every route × every
//! role × own tenant and the other tenant, each with its expected answer, plus the answer
//! without credentials. A route missing from [`EXPECTED`] fails the test, so no route can be
//! added without deciding who may call it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use assay_server::permissions::Role;
use common::{Backend, Client, Harness, Tenant};
use serde_json::json;
use std::collections::BTreeMap;

/// Who may call each route (roles held in the whole organization). `*` is every role;
/// `public` needs nobody.
const EXPECTED: &[(&str, &str)] = &[
    ("GET /healthz", "public"),
    ("GET /readyz", "public"),
    ("GET /api/v1/openapi.json", "public"),
    ("GET /setup", "public"),
    ("POST /setup", "public"),
    ("POST /api/v1/setup", "public"),
    ("POST /api/v1/session", "public"),
    ("DELETE /api/v1/session", "*"),
    ("POST /api/v1/session/logout-everywhere", "*"),
    ("GET /api/v1/me", "*"),
    ("GET /auth/oidc/login", "public"),
    ("GET /auth/oidc/callback", "public"),
    ("POST /api/v1/invitations/accept", "public"),
    ("GET /api/v1/orgs", "*"),
    ("GET /api/v1/orgs/{org}", "*"),
    ("GET /api/v1/orgs/{org}/audits", "*"),
    (
        "GET /api/v1/orgs/{org}/members",
        "owner admin compliance-manager",
    ),
    ("PUT /api/v1/orgs/{org}/members/{user}", "owner admin"),
    ("DELETE /api/v1/orgs/{org}/members/{user}", "owner admin"),
    (
        "GET /api/v1/orgs/{org}/invitations",
        "owner admin compliance-manager",
    ),
    ("POST /api/v1/orgs/{org}/invitations", "owner admin"),
    ("GET /api/v1/orgs/{org}/tokens", "*"),
    ("POST /api/v1/orgs/{org}/tokens", "*"),
    ("DELETE /api/v1/orgs/{org}/tokens/{token}", "*"),
    ("GET /api/v1/orgs/{org}/audit-log", "owner admin"),
    ("GET /api/v1/orgs/{org}/audits/{audit}", "*"),
    ("GET /api/v1/orgs/{org}/audits/{audit}/controls", "*"),
    (
        "GET /api/v1/orgs/{org}/audits/{audit}/controls/{control}",
        "*",
    ),
    ("GET /api/v1/orgs/{org}/audits/{audit}/evidence", "*"),
    (
        "POST /api/v1/orgs/{org}/audits/{audit}/evidence",
        "owner admin compliance-manager control-owner contributor",
    ),
    (
        "GET /api/v1/orgs/{org}/audits/{audit}/evidence/{entry}",
        "*",
    ),
    (
        "GET /api/v1/orgs/{org}/audits/{audit}/evidence/{entry}/content",
        "*",
    ),
    (
        "GET /api/v1/orgs/{org}/audits/{audit}/evidence/{entry}/proof",
        "*",
    ),
    ("GET /api/v1/orgs/{org}/audits/{audit}/tables", "*"),
    (
        "POST /api/v1/orgs/{org}/audits/{audit}/query",
        "owner admin compliance-manager control-owner auditor",
    ),
    (
        "POST /api/v1/orgs/{org}/audits/{audit}/assessments",
        "owner admin compliance-manager",
    ),
    (
        "GET /api/v1/orgs/{org}/audits/{audit}/assessments/latest",
        "*",
    ),
    ("GET /api/v1/orgs/{org}/audits/{audit}/findings", "*"),
    (
        "PATCH /api/v1/orgs/{org}/audits/{audit}/findings/{finding}",
        "owner admin compliance-manager control-owner",
    ),
    ("GET /api/v1/orgs/{org}/audits/{audit}/tests/{test}", "*"),
    (
        "GET /api/v1/orgs/{org}/audits/{audit}/tests/{test}/sample",
        "*",
    ),
    (
        "GET /api/v1/orgs/{org}/audits/{audit}/reports/{kind}",
        "owner admin compliance-manager auditor viewer",
    ),
    ("GET /", "public"),
    ("GET /static/{file}", "public"),
    ("GET /login", "public"),
    ("POST /login", "public"),
    ("POST /logout", "*"),
    ("GET /app", "*"),
    ("GET /invite", "public"),
    ("POST /invite", "public"),
    ("GET /app/{org}/settings", "owner admin compliance-manager"),
    ("POST /app/{org}/settings/invitations", "owner admin"),
    ("POST /app/{org}/settings/tokens", "*"),
    ("GET /app/{org}/{audit}", "*"),
    ("GET /app/{org}/{audit}/notifications", "*"),
    (
        "POST /app/{org}/{audit}/assess",
        "owner admin compliance-manager",
    ),
    ("GET /app/{org}/{audit}/controls", "*"),
    ("GET /app/{org}/{audit}/controls/{control}", "*"),
    ("GET /app/{org}/{audit}/criteria", "*"),
    ("GET /app/{org}/{audit}/evidence", "*"),
    (
        "GET /app/{org}/{audit}/evidence/upload",
        "owner admin compliance-manager control-owner contributor",
    ),
    ("GET /app/{org}/{audit}/evidence/{entry}", "*"),
    ("GET /app/{org}/{audit}/findings", "*"),
    (
        "POST /app/{org}/{audit}/findings/{finding}",
        "owner admin compliance-manager control-owner",
    ),
    (
        "GET /app/{org}/{audit}/query",
        "owner admin compliance-manager control-owner auditor",
    ),
    (
        "POST /app/{org}/{audit}/query",
        "owner admin compliance-manager control-owner auditor",
    ),
    (
        "GET /app/{org}/{audit}/reports",
        "owner admin compliance-manager auditor viewer",
    ),
];

/// The fixtures a probe needs: a victim member to change or remove, a token to revoke, one
/// evidence entry and one assessment in each tenant.
struct Fixture {
    h: Harness,
    owner_a: Client,
    owner_b: Client,
    entry: u64,
    /// A finding of the latest assessment, and a test performed on a sample (the same ids
    /// in both tenants: they start from the same library).
    finding: String,
    sampled_test: String,
    n: std::cell::Cell<u32>,
}

impl Fixture {
    fn new(backend: Backend) -> Option<Fixture> {
        let h = Harness::new(backend)?;
        let owner_a = h.member("owner@acme.test", Some(&h.a), false, Role::Owner);
        let owner_b = h.member("owner@globex.test", Some(&h.b), false, Role::Owner);
        let mut entry = 0;
        for (t, o) in [(&h.a, &owner_a), (&h.b, &owner_b)] {
            let up = h.upload(
                &format!(
                    "/api/v1/orgs/{}/audits/{}/evidence?name=note.txt&kind=document",
                    t.org, t.audit
                ),
                o,
                b"a note".to_vec(),
            );
            assert_eq!(up.status, 201, "{}", up.text());
            entry = up.json()["added"][0]["seq"].as_u64().unwrap();
            // An HR roster, so the new hires give HR-02.1 a sample to draw.
            let roster = std::fs::read(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../assay-tables/tests/fixtures/hr_roster_bamboohr.csv"),
            )
            .unwrap();
            let up = h.upload(
                &format!(
                    "/api/v1/orgs/{}/audits/{}/evidence?name=roster.csv&kind=hr-roster&from=2026-09-30",
                    t.org, t.audit
                ),
                o,
                roster,
            );
            assert_eq!(up.status, 201, "{}", up.text());
            let a = h.send(
                "POST",
                &format!("/api/v1/orgs/{}/audits/{}/assessments", t.org, t.audit),
                o,
                None,
            );
            assert_eq!(a.status, 200, "{}", a.text());
        }
        let (org, audit) = (&h.a.org, &h.a.audit);
        let findings = h
            .send(
                "GET",
                &format!("/api/v1/orgs/{org}/audits/{audit}/findings?limit=1"),
                &owner_a,
                None,
            )
            .json();
        let finding = findings["items"][0]["id"]
            .as_str()
            .expect("the new workspace has findings")
            .to_string();
        let a = h
            .state
            .served(&h.a.audit_id)
            .unwrap()
            .latest
            .read()
            .unwrap()
            .clone()
            .unwrap();
        let sampled_test = a
            .controls
            .iter()
            .flat_map(|c| c.tests.iter())
            .find(|t| t.sample.is_some())
            .map(|t| t.id.clone())
            .expect("a test performed on a sample in the library");
        Some(Fixture {
            h,
            owner_a,
            owner_b,
            entry,
            finding,
            sampled_test,
            n: std::cell::Cell::new(0),
        })
    }

    fn next(&self) -> u32 {
        self.n.set(self.n.get() + 1);
        self.n.get()
    }

    /// The request that exercises `route` in tenant `t` as `client`, with a body that would
    /// succeed: (method, path, json body, raw upload).
    fn probe(&self, route: &str, t: &Tenant, client: &Client) -> Probe {
        let (method, pattern) = route.split_once(' ').unwrap();
        let n = self.next();
        let h = &self.h;
        let mut path = pattern
            .replace("{org}", &t.org)
            .replace("{audit}", &t.audit);
        if path.contains("{user}") {
            // A fresh viewer in the tenant to change or remove.
            let victim = h.member(
                &format!("victim{n}@{}.test", t.org),
                Some(t),
                false,
                Role::Viewer,
            );
            path = path.replace("{user}", &victim.user);
        }
        if path.contains("{token}") && client.user.is_empty() {
            path = path.replace("{token}", "nosuchtoken");
        }
        if path.contains("{token}") {
            let t2 = t.clone();
            let uid = client.user.clone();
            let id = h
                .state
                .db
                .tx(|c| -> Result<String, assay_server::db::DbError> {
                    let (tok, _) = assay_server::store::tokens::create(
                        c,
                        &uid,
                        &t2.org_id,
                        "",
                        Role::Viewer,
                        "probe",
                        3600,
                    )?;
                    Ok(tok.id)
                })
                .unwrap();
            path = path.replace("{token}", &id);
        }
        path = path
            .replace("{finding}", &self.finding)
            .replace("{test}", &self.sampled_test)
            .replace("{control}", "CHG-01")
            .replace("{entry}", &self.entry.to_string())
            .replace("{kind}", "readiness")
            .replace("{file}", "app.css");
        // The web app's forms post url-encoded fields (the CSRF token among them).
        let form = match route {
            "POST /login" => {
                Some("email=nobody%40nowhere.test&password=wrong+password+here".to_string())
            }
            "POST /logout" | "POST /app/{org}/{audit}/assess" => Some(String::new()),
            "POST /app/{org}/{audit}/findings/{finding}" => {
                Some(format!("status=in-progress&response=page+probe+{n}"))
            }
            "POST /app/{org}/{audit}/query" => Some("sql=SELECT+1+AS+one".to_string()),
            "POST /invite" => {
                Some("token=no.such&name=X&password=correct+horse+battery+staple".to_string())
            }
            "POST /app/{org}/settings/invitations" => {
                Some(format!("email=page{n}%40example.test&role=viewer"))
            }
            "POST /app/{org}/settings/tokens" => Some(format!("name=page+{n}&role=viewer")),
            _ => None,
        };
        let body = match route {
            "POST /api/v1/setup" | "POST /setup" => Some(
                json!({ "token": "wrong", "email": "x@y.test", "name": "X", "password": "correct horse battery staple" }),
            ),
            "POST /api/v1/session" => {
                Some(json!({ "email": "nobody@nowhere.test", "password": "wrong password here" }))
            }
            "POST /api/v1/invitations/accept" => Some(
                json!({ "token": "no.such", "name": "X", "password": "correct horse battery staple" }),
            ),
            r if r.ends_with("/members/{user}") && method == "PUT" => {
                Some(json!({ "role": "viewer" }))
            }
            r if r.ends_with("/invitations") && method == "POST" => {
                Some(json!({ "email": format!("new{n}@example.test"), "role": "viewer" }))
            }
            r if r.ends_with("/tokens") && method == "POST" => {
                Some(json!({ "name": format!("ci {n}") }))
            }
            r if r.ends_with("/query") => Some(json!({ "sql": "SELECT 1 AS one" })),
            _ if form.is_some() => None,
            r if r.ends_with("/findings/{finding}") => {
                Some(json!({ "status": "in-progress", "response": format!("probe {n}") }))
            }
            _ => None,
        };
        let upload = (route.ends_with("/evidence") && method == "POST")
            .then(|| format!("evidence {n}").into_bytes());
        if upload.is_some() {
            path.push_str(&format!("?name=probe{n}.txt&kind=document"));
        }
        Probe {
            method: method.to_string(),
            path,
            body,
            upload,
            form,
        }
    }

    fn call(&self, route: &str, t: &Tenant, client: &Client) -> (u16, String) {
        let Probe {
            method,
            path,
            body,
            upload,
            form,
        } = self.probe(route, t, client);
        let a = match (upload, form) {
            (Some(bytes), _) => self.h.upload(&path, client, bytes),
            (None, Some(fields)) => self.h.form(&path, client, &fields),
            (None, None) if route == "POST /setup" => {
                let req = axum::http::Request::builder()
                    .method("POST")
                    .uri(&path)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(axum::body::Body::from(
                        "token=wrong&email=x%40y.test&name=X&password=correct+horse+battery+staple",
                    ))
                    .unwrap();
                self.h.raw(req)
            }
            (None, None) => self.h.send(&method, &path, client, body),
        };
        if route == "POST /login" || route == "POST /api/v1/session" {
            // The probes' wrong passwords would otherwise reach the sign-in throttle.
            for key in ["ip:local", "acct:nobody@nowhere.test"] {
                self.h.state.limiter.succeed(key);
            }
        }
        (
            a.status.as_u16(),
            format!("{method} {path} -> {} {}", a.status, a.text()),
        )
    }
}

/// One request of the matrix: a JSON body, a raw upload or form fields.
struct Probe {
    method: String,
    path: String,
    body: Option<serde_json::Value>,
    upload: Option<Vec<u8>>,
    form: Option<String>,
}

/// Whether a route is a page of the web app: without a session it sends the browser to the
/// sign-in page (303) instead of answering 401, and its form posts answer 303 on success.
fn is_page(route: &str) -> bool {
    let path = route.split_once(' ').map(|(_, p)| p).unwrap_or(route);
    matches!(path, "/" | "/login" | "/logout" | "/invite") || path.starts_with("/app")
}

/// What a public route answers to the probe (the probes of sign-in, setup and invitation
/// carry wrong secrets, so they are refused on their merits, not by the router).
fn public_answer(route: &str) -> u16 {
    match route {
        "POST /api/v1/setup"
        | "POST /setup"
        | "POST /api/v1/invitations/accept"
        | "POST /invite" => 403,
        "POST /api/v1/session" | "POST /login" => 401,
        "GET /" => 303,
        // Single sign-on is not configured in the matrix's server.
        "GET /auth/oidc/login" | "GET /auth/oidc/callback" => 404,
        _ => 200,
    }
}

fn allowed(spec: &str, role: Role) -> bool {
    spec == "*" || spec.split(' ').any(|r| r == role.name())
}

fn run(backend: Backend) {
    let Some(f) = Fixture::new(backend) else {
        return;
    };
    let routes: Vec<String> = assay_server::api::table()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let expected: BTreeMap<&str, &str> = EXPECTED.iter().copied().collect();
    let missing: Vec<&String> = routes
        .iter()
        .filter(|r| !expected.contains_key(r.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without an expected answer in the matrix: {missing:?}"
    );
    let stale: Vec<&&str> = expected
        .keys()
        .filter(|k| !routes.iter().any(|r| r == *k))
        .collect();
    assert!(
        stale.is_empty(),
        "matrix rows for routes that no longer exist: {stale:?}"
    );

    let mut failures = Vec::new();
    let mut cells = 0;
    for route in &routes {
        let spec = expected[route.as_str()];
        let is_public = spec == "public";
        let tenant_route = route.contains("{org}");
        // Without credentials.
        let (code, what) = f.call(route, &f.h.a, &Client::anonymous());
        let want = if is_public {
            public_answer(route)
        } else if is_page(route) {
            303
        } else {
            401
        };
        cells += 1;
        if code != want {
            failures.push(format!("anonymous: want {want}: {what}"));
        }
        for role in Role::ALL {
            let email = format!("{}-{}@acme.test", role.name(), f.next());
            // Own tenant.
            let me = f.h.member(&email, Some(&f.h.a), false, role);
            let (code, what) = f.call(route, &f.h.a, &me);
            let want = if is_public {
                public_answer(route)
            } else if allowed(spec, role) {
                0
            } else {
                403
            };
            cells += 1;
            let ok = if want == 0 {
                (200..300).contains(&code) || (is_page(route) && code == 303)
            } else {
                code == want
            };
            if !ok {
                failures.push(format!(
                    "{} in own tenant: want {}: {what}",
                    role.name(),
                    if want == 0 {
                        "2xx".into()
                    } else {
                        want.to_string()
                    }
                ));
            }
            // The other tenant: nothing there exists for this caller.
            if tenant_route {
                let me = f.h.member(&format!("x{email}"), Some(&f.h.a), false, role);
                let (code, what) = f.call(route, &f.h.b, &me);
                cells += 1;
                if code != 404 {
                    failures.push(format!("{} across tenants: want 404: {what}", role.name()));
                }
            }
        }
    }
    // An audit-only member sees their audit and nothing else of the organization's.
    let auditor =
        f.h.member("auditor-only@firm.test", Some(&f.h.a), true, Role::Auditor);
    let a = f.h.send(
        "GET",
        &format!("/api/v1/orgs/{}/audits/{}", f.h.a.org, f.h.a.audit),
        &auditor,
        None,
    );
    assert_eq!(a.status, 200, "{}", a.text());
    let a = f.h.send(
        "GET",
        &format!("/api/v1/orgs/{}/members", f.h.a.org),
        &auditor,
        None,
    );
    assert_eq!(a.status, 403, "{}", a.text());
    let _ = (&f.owner_a, &f.owner_b);
    assert!(
        failures.is_empty(),
        "{} of {cells} cells wrong on {backend:?}:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let tenant_routes = routes.iter().filter(|r| r.contains("{org}")).count();
    assert_eq!(
        cells,
        routes.len() * (1 + Role::ALL.len()) + tenant_routes * Role::ALL.len(),
        "every cell was checked"
    );
}

#[test]
fn every_route_every_role_both_tenants_on_sqlite() {
    run(Backend::Sqlite);
}

#[test]
fn every_route_every_role_both_tenants_on_postgres() {
    run(Backend::Postgres);
}
