//! One harness for the server's tests: two organizations (two tenants, one audit each) in
//! temporary workspaces, the application state on SQLite or on a fresh PostgreSQL schema,
//! and requests sent straight into the router (no network), with sessions made directly in
//! the store so the tests do not spend their time hashing passwords.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test support

use assay_server::permissions::Role;
use assay_server::state::{AppState, Database, Options};
use assay_server::store::{accounts, sessions};
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use tower::ServiceExt;

/// Which application database a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    /// SQLite in a temporary folder.
    Sqlite,
    /// A fresh schema on `ASSAY_TEST_DATABASE_URL`.
    Postgres,
}

/// Both backends.
pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// A tenant: its organization and audit slugs.
#[derive(Clone, Debug)]
pub struct Tenant {
    pub org: String,
    pub audit: String,
    pub org_id: String,
    pub audit_id: String,
}

/// The server under test.
pub struct Harness {
    pub state: AppState,
    pub dirs: Vec<tempfile::TempDir>,
    /// Own tenant (Acme) and the other (Globex).
    pub a: Tenant,
    pub b: Tenant,
    pub setup: Option<String>,
    pub backend: Backend,
    /// Where the state lives, to open it again as a restarted server would.
    pub database: assay_server::state::Database,
}

/// A signed-in browser: its cookie and CSRF token.
#[derive(Clone, Debug)]
pub struct Client {
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
    pub user: String,
}

impl Client {
    /// Nobody.
    pub fn anonymous() -> Client {
        Client {
            cookie: None,
            csrf: None,
            bearer: None,
            user: String::new(),
        }
    }
}

/// An answer.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn workspace(org: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("soc2-2026");
    let opts = assay_workspace::InitOptions {
        organization: org.into(),
        system_name: Some(format!("{org} Platform")),
        system_description: Some(format!("The {org} platform.")),
        period: assay_core::AuditPeriod::Type2 {
            start: jiff::civil::date(2026, 1, 1),
            end: jiff::civil::date(2026, 9, 30),
        },
        categories: vec![assay_core::Category::Security],
        demo_inventory: false,
        frameworks: Vec::new(),
    };
    assay_workspace::init(&root, assay_catalog::Catalog::embedded().unwrap(), &opts).unwrap();
    dir
}

impl Harness {
    /// A harness, or `None` (with a message) when the backend is not available here.
    pub fn new(backend: Backend) -> Option<Harness> {
        Harness::with(backend, Options::default())
    }

    /// A harness with these options.
    pub fn with(backend: Backend, options: Options) -> Option<Harness> {
        Harness::with_oidc(backend, options, None)
    }

    /// A harness with these options and single sign-on through `oidc`.
    pub fn with_oidc(
        backend: Backend,
        options: Options,
        oidc: Option<assay_server::oidc::Client>,
    ) -> Option<Harness> {
        Harness::build(backend, options, oidc, &|_| {})
    }

    /// A harness whose workspaces `edit` changes (for example their `[locker]`) before the
    /// server opens them.
    pub fn build(
        backend: Backend,
        options: Options,
        oidc: Option<assay_server::oidc::Client>,
        edit: &dyn Fn(&std::path::Path),
    ) -> Option<Harness> {
        let dirs = vec![workspace("Acme Corp"), workspace("Globex Inc")];
        for d in &dirs {
            edit(&d.path().join("soc2-2026"));
        }
        let database = match backend {
            Backend::Sqlite => Database::Sqlite(dirs[0].path().join("state.db")),
            Backend::Postgres => {
                let Ok(url) = std::env::var("ASSAY_TEST_DATABASE_URL") else {
                    assay_testkit::missing(
                        "PostgreSQL (ASSAY_TEST_DATABASE_URL is not set, so the server on PostgreSQL was not tested)",
                        "set ASSAY_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to a running server",
                    );
                    return None;
                };
                let schema = assay_testkit::unique_schema("assay_srv");
                Database::Postgres { url, schema }
            }
        };
        let roots: Vec<_> = dirs.iter().map(|d| d.path().join("soc2-2026")).collect();
        let opened = assay_server::open(
            &roots,
            &database.clone(),
            options,
            oidc,
            assay_catalog::Catalog::embedded().unwrap(),
        )
        .unwrap();
        let tenant = |name: &str| {
            let s = opened
                .state
                .audits
                .values()
                .find(|s| s.org.name == name)
                .unwrap();
            Tenant {
                org: s.org.slug.clone(),
                audit: s.audit.slug.clone(),
                org_id: s.org.id.clone(),
                audit_id: s.audit.id.clone(),
            }
        };
        let (a, b) = (tenant("Acme Corp"), tenant("Globex Inc"));
        Some(Harness {
            state: opened.state,
            dirs,
            a,
            b,
            setup: opened.setup,
            backend,
            database,
        })
    }

    /// The state a restarted server would have: the same workspaces and database.
    pub fn reopen(&self) -> assay_server::state::AppState {
        let roots: Vec<_> = self
            .dirs
            .iter()
            .map(|d| d.path().join("soc2-2026"))
            .collect();
        assay_server::open(
            &roots,
            &self.database,
            self.state.options.clone(),
            None,
            assay_catalog::Catalog::embedded().unwrap(),
        )
        .unwrap()
        .state
    }

    /// The workspace root of tenant A.
    pub fn root_a(&self) -> std::path::PathBuf {
        self.dirs[0].path().join("soc2-2026")
    }

    /// An account `email` holding `role` in the whole organization `t` (none: no role), and
    /// a browser session for it.
    pub fn member(&self, email: &str, t: Option<&Tenant>, audit_only: bool, role: Role) -> Client {
        let (org, audit) = t
            .map(|t| {
                (
                    t.org_id.clone(),
                    if audit_only {
                        t.audit_id.clone()
                    } else {
                        String::new()
                    },
                )
            })
            .unzip();
        let email = email.to_string();
        self.state
            .db
            .tx(|c| -> Result<Client, assay_server::db::DbError> {
                let user = match accounts::user_by_email(c, &email)? {
                    Some(u) => u,
                    None => accounts::create_user(c, &email, "Test Person", None)?,
                };
                if let (Some(o), Some(a)) = (&org, &audit) {
                    accounts::grant(c, &user.id, o, a, role)?;
                }
                let (secret, session) = sessions::start(c, &user.id)?;
                Ok(Client {
                    cookie: Some(secret),
                    csrf: Some(session.csrf),
                    bearer: None,
                    user: user.id,
                })
            })
            .unwrap()
    }

    /// A request as `client` (its cookie, CSRF token and bearer token, when it has them).
    fn request(&self, method: &str, path: &str, client: &Client) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(path);
        if let Some(c) = &client.cookie {
            let name = assay_server::auth::cookie::name(self.state.options.secure_cookies);
            b = b.header("cookie", format!("{name}={c}"));
        }
        if let Some(t) = &client.csrf {
            b = b.header("x-csrf-token", t);
        }
        if let Some(t) = &client.bearer {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        b
    }

    /// Sends a request into the router, with a JSON body when given.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        client: &Client,
        body: Option<serde_json::Value>,
    ) -> Answer {
        let b = self.request(method, path, client);
        let req = match body {
            Some(v) => b
                .header("content-type", "application/json")
                .body(Body::from(v.to_string()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        self.raw(req)
    }

    /// Posts url-encoded form fields as a browser's form does: the session cookie, and the
    /// CSRF token as the `csrf` field rather than a header.
    pub fn form(&self, path: &str, client: &Client, fields: &str) -> Answer {
        let mut b = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(c) = &client.cookie {
            let name = assay_server::auth::cookie::name(self.state.options.secure_cookies);
            b = b.header("cookie", format!("{name}={c}"));
        }
        let mut body = fields.to_string();
        if let Some(t) = &client.csrf {
            if !body.is_empty() {
                body.push('&');
            }
            body.push_str(&format!("csrf={t}"));
        }
        self.raw(b.body(Body::from(body)).unwrap())
    }

    /// Sends raw bytes (an upload).
    pub fn upload(&self, path: &str, client: &Client, bytes: Vec<u8>) -> Answer {
        let b = self
            .request("POST", path, client)
            .header("content-length", bytes.len());
        self.raw(b.body(Body::from(bytes)).unwrap())
    }

    /// Sends a built request.
    pub fn raw(&self, req: Request<Body>) -> Answer {
        let app = assay_server::api::router(self.state.clone());
        assay_testkit::block_on(async move {
            let r = app.oneshot(req).await.unwrap();
            let status = r.status();
            let headers = r.headers().clone();
            let body = axum::body::to_bytes(r.into_body(), usize::MAX)
                .await
                .unwrap()
                .to_vec();
            Answer {
                status,
                headers,
                body,
            }
        })
    }
}
