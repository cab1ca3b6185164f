//! Authentication and sessions, on both backends: the one-time setup link, sign-in with
//! argon2id, throttling (the 11th wrong password within a minute), session fixation, CSRF,
//! sign-out everywhere, API tokens (scope, revocation, expiry) and problem details.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use assay_server::permissions::Role;
use common::{Backend, Client, Harness, BACKENDS};
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple";

fn cookie_of(a: &common::Answer) -> Option<String> {
    a.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.strip_prefix("assay_session=")
                .map(|r| r.split(';').next().unwrap_or("").to_string())
        })
        .filter(|v| !v.is_empty())
}

fn signed_in(a: &common::Answer) -> Client {
    Client {
        cookie: cookie_of(a),
        csrf: a.json()["csrf"].as_str().map(str::to_string),
        bearer: None,
        user: a.json()["user"]["id"].as_str().unwrap_or("").to_string(),
    }
}

/// The owner made through the setup link.
fn setup(h: &Harness) -> Client {
    let token = h.setup.clone().expect("a setup secret on first start");
    let weak = h.send("POST", "/api/v1/setup", &Client::anonymous(), Some(json!({ "token": token, "email": "lead@acme.test", "name": "Lee Adams", "password": "short" })));
    assert_eq!(weak.status, 400, "{}", weak.text());
    assert_eq!(weak.headers["content-type"], "application/problem+json");
    assert!(weak.json()["detail"]
        .as_str()
        .unwrap()
        .contains("at least 15"));
    let a = h.send("POST", "/api/v1/setup", &Client::anonymous(), Some(json!({ "token": token, "email": "lead@acme.test", "name": "Lee Adams", "password": PASSWORD })));
    assert_eq!(a.status, 201, "{}", a.text());
    let cookie = a.headers["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    // Once only.
    let again = h.send(
        "POST",
        "/api/v1/setup",
        &Client::anonymous(),
        Some(json!({ "token": token, "email": "x@acme.test", "name": "X", "password": PASSWORD })),
    );
    assert_eq!(again.status, 403, "{}", again.text());
    signed_in(&a)
}

fn login(h: &Harness, email: &str, password: &str) -> common::Answer {
    h.send(
        "POST",
        "/api/v1/session",
        &Client::anonymous(),
        Some(json!({ "email": email, "password": password })),
    )
}

fn setup_link_sign_in_and_sessions(backend: Backend) {
    let Some(h) = Harness::new(backend) else {
        return;
    };
    let owner = setup(&h);
    // The owner owns both organizations served.
    let me = h.send("GET", "/api/v1/me", &owner, None);
    assert_eq!(me.status, 200);
    assert_eq!(
        me.json()["orgs"].as_array().unwrap().len(),
        2,
        "{}",
        me.text()
    );

    // Session fixation: a session id planted before sign-in is never the one after it.
    let planted = h.member("planted@acme.test", None, false, Role::Viewer);
    let mut req_client = Client::anonymous();
    req_client.cookie = planted.cookie.clone();
    let a = h.send(
        "POST",
        "/api/v1/session",
        &req_client,
        Some(json!({ "email": "lead@acme.test", "password": PASSWORD })),
    );
    assert_eq!(a.status, 200, "{}", a.text());
    let fresh = cookie_of(&a).unwrap();
    assert_ne!(
        Some(fresh.clone()),
        planted.cookie,
        "the session id rotates at sign-in"
    );
    let second = signed_in(&a);

    // CSRF: a state change with the cookie but without the token is refused, and changes nothing.
    let mut no_csrf = second.clone();
    no_csrf.csrf = None;
    let r = h.send(
        "POST",
        &format!("/api/v1/orgs/{}/tokens", h.a.org),
        &no_csrf,
        Some(json!({ "name": "ci" })),
    );
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.json()["detail"]
        .as_str()
        .unwrap()
        .contains("X-CSRF-Token"));
    let mut wrong = second.clone();
    wrong.csrf = owner.csrf.clone();
    assert_eq!(
        h.send(
            "POST",
            &format!("/api/v1/orgs/{}/tokens", h.a.org),
            &wrong,
            Some(json!({ "name": "ci" }))
        )
        .status,
        403
    );
    let list = h.send(
        "GET",
        &format!("/api/v1/orgs/{}/tokens", h.a.org),
        &second,
        None,
    );
    assert_eq!(list.json()["total"], 0);

    // Sign out of one session; the other lives. Then everywhere.
    assert_eq!(
        h.send("DELETE", "/api/v1/session", &second, None).status,
        204
    );
    assert_eq!(h.send("GET", "/api/v1/me", &second, None).status, 401);
    assert_eq!(h.send("GET", "/api/v1/me", &owner, None).status, 200);
    let third = signed_in(&login(&h, "lead@acme.test", PASSWORD));
    let all = h.send("POST", "/api/v1/session/logout-everywhere", &third, None);
    assert_eq!(all.status, 200);
    assert_eq!(all.json()["ended"], 2);
    assert_eq!(h.send("GET", "/api/v1/me", &owner, None).status, 401);

    // The audit log holds the setup and every sign-in, failed ones too, in the ledger.
    let _ = login(&h, "lead@acme.test", "not the right password at all");
    let owner = signed_in(&login(&h, "lead@acme.test", PASSWORD));
    let log = h.send(
        "GET",
        &format!("/api/v1/orgs/{}/audit-log", h.a.org),
        &owner,
        None,
    );
    assert_eq!(log.status, 200, "{}", log.text());
    let actions: Vec<String> = log.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["action"].as_str().unwrap(),
                e["outcome"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        actions.first().map(String::as_str),
        Some("account.setup:success"),
        "{actions:?}"
    );
    assert!(
        actions
            .iter()
            .any(|a| a.starts_with("session.login:failure")),
        "{actions:?}"
    );
    let ocsf = h.send(
        "GET",
        &format!("/api/v1/orgs/{}/audit-log?format=ocsf", h.a.org),
        &owner,
        None,
    );
    let lines: Vec<serde_json::Value> = ocsf
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), log.json()["total"].as_u64().unwrap() as usize);
    assert!(
        lines
            .iter()
            .any(|l| l["class_uid"] == 3002 && l["status_id"] == 2),
        "a failed sign-in as an OCSF Authentication failure"
    );
    // Every event is a ledger entry, and the ledger verifies.
    let mut logged = 0;
    for d in &h.dirs {
        let project = assay_project::Project::open(
            &d.path().join("soc2-2026"),
            assay_catalog::Catalog::embedded().unwrap(),
        )
        .unwrap();
        let Some(locker) = project.locker_if_any().unwrap() else {
            continue;
        };
        logged += locker
            .entries()
            .unwrap()
            .iter()
            .filter(|e| e.record.kind == "assay-server-log")
            .count();
        assert!(locker.verify().unwrap().problems.is_empty());
    }
    assert!(
        logged >= actions.len(),
        "{logged} ledger entries for {} events",
        actions.len()
    );
}

fn brute_force_is_throttled(backend: Backend) {
    let Some(h) = Harness::new(backend) else {
        return;
    };
    setup(&h);
    for i in 1..=10 {
        let a = login(&h, "lead@acme.test", &format!("wrong password number {i}"));
        assert_eq!(a.status, 401, "attempt {i}: {}", a.text());
    }
    // The 11th within the minute is throttled, even with the right password.
    let a = login(&h, "lead@acme.test", PASSWORD);
    assert_eq!(a.status, 429, "{}", a.text());
    assert!(a.headers.contains_key("retry-after"));
    assert_eq!(a.headers["content-type"], "application/problem+json");
}

fn api_tokens(backend: Backend) {
    let Some(h) = Harness::new(backend) else {
        return;
    };
    let owner = setup(&h);
    let made = h.send(
        "POST",
        &format!("/api/v1/orgs/{}/tokens", h.a.org),
        &owner,
        Some(json!({ "name": "ci upload", "role": "contributor", "audit": h.a.audit, "days": 30 })),
    );
    assert_eq!(made.status, 201, "{}", made.text());
    let secret = made.json()["secret"].as_str().unwrap().to_string();
    let id = made.json()["token"]["id"].as_str().unwrap().to_string();
    // Shown once: the list never has it.
    let list = h.send(
        "GET",
        &format!("/api/v1/orgs/{}/tokens", h.a.org),
        &owner,
        None,
    );
    assert!(!list.text().contains(&secret[10..]));
    let bot = Client {
        cookie: None,
        csrf: None,
        bearer: Some(secret.clone()),
        user: String::new(),
    };
    let audit = format!("/api/v1/orgs/{}/audits/{}", h.a.org, h.a.audit);
    // Inside its scope and role: may upload (no CSRF for tokens), may not assess.
    assert_eq!(
        h.upload(
            &format!("{audit}/evidence?name=ci.txt&kind=document"),
            &bot,
            b"from ci".to_vec()
        )
        .status,
        201
    );
    assert_eq!(
        h.send("POST", &format!("{audit}/assessments"), &bot, None)
            .status,
        403
    );
    // Outside its organization: nothing there.
    assert_eq!(
        h.send(
            "GET",
            &format!("/api/v1/orgs/{}/audits/{}", h.b.org, h.b.audit),
            &bot,
            None
        )
        .status,
        404
    );
    // A token cannot make tokens.
    assert_eq!(
        h.send(
            "POST",
            &format!("/api/v1/orgs/{}/tokens", h.a.org),
            &bot,
            Some(json!({ "name": "x" }))
        )
        .status,
        403
    );
    // A token above the maker's role is refused.
    let viewer = h.member("v@acme.test", Some(&h.a), false, Role::Viewer);
    assert_eq!(
        h.send(
            "POST",
            &format!("/api/v1/orgs/{}/tokens", h.a.org),
            &viewer,
            Some(json!({ "name": "x", "role": "admin" }))
        )
        .status,
        403
    );
    // Revoked: replaying it is refused.
    assert_eq!(
        h.send(
            "DELETE",
            &format!("/api/v1/orgs/{}/tokens/{id}", h.a.org),
            &owner,
            None
        )
        .status,
        204
    );
    assert_eq!(h.send("GET", &audit, &bot, None).status, 401);
    // Expired: refused.
    let uid = owner.user.clone();
    let org = h.a.org_id.clone();
    let (_, old) = h
        .state
        .db
        .tx(|c| assay_server::store::tokens::create(c, &uid, &org, "", Role::Viewer, "old", -1))
        .unwrap();
    let stale = Client {
        bearer: Some(old),
        ..Client::anonymous()
    };
    assert_eq!(h.send("GET", &audit, &stale, None).status, 401);
    // A forged secret for a real id: refused.
    let forged = format!("assay_{id}_{}", "A".repeat(43));
    assert_eq!(
        h.send(
            "GET",
            &audit,
            &Client {
                bearer: Some(forged),
                ..Client::anonymous()
            },
            None
        )
        .status,
        401
    );
}

#[test]
fn setup_link_sign_in_and_sessions_on_both_backends() {
    for b in BACKENDS {
        setup_link_sign_in_and_sessions(b);
    }
}

#[test]
fn the_eleventh_wrong_password_within_a_minute_is_throttled() {
    for b in BACKENDS {
        brute_force_is_throttled(b);
    }
}

#[test]
fn api_tokens_are_scoped_revocable_and_expire() {
    for b in BACKENDS {
        api_tokens(b);
    }
}

#[test]
fn security_headers_on_every_answer() {
    let h = Harness::new(Backend::Sqlite).unwrap();
    for path in ["/healthz", "/api/v1/me", "/no/such/route"] {
        let a = h.send("GET", path, &Client::anonymous(), None);
        let csp = a.headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(a.headers["x-content-type-options"], "nosniff");
        assert_eq!(a.headers["referrer-policy"], "no-referrer");
        assert!(
            !a.headers.contains_key("strict-transport-security"),
            "no HSTS without TLS"
        );
    }
    let secure = Harness::with(
        Backend::Sqlite,
        assay_server::state::Options {
            secure_cookies: true,
            ..Default::default()
        },
    )
    .unwrap();
    let a = secure.send("GET", "/healthz", &Client::anonymous(), None);
    assert!(a.headers.contains_key("strict-transport-security"));
}
