//! The Okta collector against a local server answering like the documented Okta API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod mock;
use assay_collect::okta::Okta;
use assay_collect::{Collector, Context};
use mock::{ok, status, Memory, Normalized, Server};
use std::sync::{Arc, Mutex};

const TOKEN: &str = "00aTestOktaApiToken0123456789abcdefghijk";

fn okta(s: &Server, var: &str) -> (Okta, Arc<Mutex<Vec<std::time::Duration>>>) {
    std::env::set_var(var, TOKEN);
    let t: toml::Table = toml::from_str(&format!(
        "kind = \"okta\"\nbase_url = \"{}\"\ntoken_env = \"{var}\"",
        s.base
    ))
    .unwrap();
    let mut o = Okta::from_table(&t).unwrap();
    let waits: Arc<Mutex<Vec<std::time::Duration>>> = Arc::default();
    let w = waits.clone();
    o.client_mut().set_sleep(move |d| w.lock().unwrap().push(d));
    (o, waits)
}

fn user(id: &str, login: &str, status: &str, changed: &str) -> String {
    format!(
        r#"{{"id":"{id}","status":"{status}","created":"2025-01-10T09:00:00.000Z","activated":"2025-01-10T09:05:00.000Z","statusChanged":"{changed}","lastLogin":"2026-03-01T08:00:00.000Z","lastUpdated":"{changed}","passwordChanged":"2025-01-10T09:05:00.000Z","type":{{"id":"oty1"}},"profile":{{"firstName":"X","lastName":"Y","mobilePhone":null,"secondEmail":null,"login":"{login}","email":"{login}"}},"credentials":{{"provider":{{"type":"OKTA","name":"OKTA"}}}},"_links":{{"self":{{"href":"{{BASE}}/api/v1/users/{id}"}}}}}}"#
    )
}

fn event(i: u32, t: &str, etype: &str, who: &str) -> String {
    format!(
        r#"{{"uuid":"ev-{i}","published":"{t}","eventType":"{etype}","version":"0","severity":"INFO","displayMessage":"{etype}","actor":{{"id":"00u1","type":"User","alternateId":"{who}","displayName":"X"}},"client":{{"ipAddress":"203.0.113.5"}},"outcome":{{"result":"SUCCESS"}},"target":[]}}"#
    )
}

fn scripted() -> Server {
    let s = Server::start();
    s.route("/api/v1/users?limit=200", vec![ok(&format!("[{},{}]", user("00u1", "ana@acme.example", "ACTIVE", "2025-01-10T09:05:00.000Z"), user("00u2", "ben@acme.example", "ACTIVE", "2025-01-10T09:05:00.000Z")))
        .header("Link", r#"<{BASE}/api/v1/users?limit=200>; rel="self", <{BASE}/api/v1/users?after=00u2&limit=200>; rel="next""#)]);
    s.route(
        "/api/v1/users?after=00u2&limit=200",
        vec![ok(&format!(
            "[{}]",
            user(
                "00u3",
                "cy@acme.example",
                "SUSPENDED",
                "2026-02-20T10:00:00.000Z"
            )
        ))],
    );
    s.route(
        "/api/v1/users?limit=200&filter=status%20eq%20%22DEPROVISIONED%22",
        vec![ok(&format!(
            "[{}]",
            user(
                "00u4",
                "dee@acme.example",
                "DEPROVISIONED",
                "2026-03-14T17:00:00.000Z"
            )
        ))],
    );
    s.route("/api/v1/users/00u1/factors", vec![ok(r#"[{"id":"opf1","factorType":"push","provider":"OKTA","status":"ACTIVE","created":"2025-01-10T09:06:00.000Z"}]"#)]);
    s.route("/api/v1/users/00u2/factors", vec![
        status(502, "Bad Gateway"),
        ok(r#"[{"id":"sms1","factorType":"sms","provider":"OKTA","status":"PENDING_ACTIVATION"}]"#),
    ]);
    s.route(
        "/api/v1/logs?since=*",
        vec![ok(&format!(
            "[{},{}]",
            event(
                1,
                "2026-03-01T08:00:00.000Z",
                "user.session.start",
                "ana@acme.example"
            ),
            event(
                2,
                "2026-03-14T17:00:00.000Z",
                "user.lifecycle.deactivate",
                "admin@acme.example"
            )
        ))
        .header(
            "Link",
            r#"<{BASE}/api/v1/logs?after=cursor2&limit=1000>; rel="next""#,
        )],
    );
    s.route("/api/v1/logs?after=cursor2&limit=1000", vec![
        status(429, r#"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}"#).header("X-Rate-Limit-Remaining", "0").header("Retry-After", "3"),
        ok("[]").header("Link", r#"<{BASE}/api/v1/logs?after=cursor3&limit=1000>; rel="next""#),
    ]);
    s
}

#[test]
fn users_deprovisioned_factors_and_log() {
    let s = scripted();
    let (o, waits) = okta(&s, "OKTA_TOKEN_FULL");
    let mut sink = Memory::default();
    let mut progress = |_: &str| {};
    let mut cx = Context {
        sink: &mut sink,
        cursor: None,
        since: None,
        period_start: None,
        now: jiff::Timestamp::now(),
        progress: &mut progress,
    };
    let report = o.collect(&mut cx).unwrap();
    // 2 user pages + deprovisioned + 2 factor lists + 1 log page (an empty page ends the log).
    assert_eq!(
        report.stored,
        6,
        "{:#?}",
        sink.0.iter().map(|s| &s.locator).collect::<Vec<_>>()
    );
    assert_eq!(report.cursor.as_deref(), Some("2026-03-14T17:00:00.000Z"));
    assert_eq!(
        s.hits("/api/v1/users/00u3/factors"),
        0,
        "factors only for active users"
    );
    assert_eq!(s.hits("/api/v1/logs?after=cursor3&limit=1000"), 0);
    assert!(
        waits
            .lock()
            .unwrap()
            .contains(&std::time::Duration::from_secs(3)),
        "Retry-After honoured"
    );
    for seen in s.seen.lock().unwrap().iter() {
        assert_eq!(
            seen.authorization.as_deref(),
            Some(format!("SSWS {TOKEN}").as_str())
        );
    }
    let t = Normalized::of(&sink.0);
    let q = |sql: &str| t.rows(sql);
    assert_eq!(
        q("select login, status, active, mfa, deactivated_at from accounts order by login"),
        [
            "ana@acme.example|ACTIVE|true|true|NULL",
            "ben@acme.example|ACTIVE|true|false|NULL",
            "cy@acme.example|SUSPENDED|false|NULL|2026-02-20T10:00:00Z",
            "dee@acme.example|DEPROVISIONED|false|NULL|2026-03-14T17:00:00Z",
        ]
    );
    assert_eq!(
        q("select action from audit_events order by time"),
        ["user.session.start", "user.lifecycle.deactivate"]
    );
}

#[test]
fn unauthorized_names_the_variable_not_the_token() {
    let s = Server::start();
    s.route(
        "/api/v1/users?limit=200",
        vec![status(
            401,
            r#"{"errorCode":"E0000011","errorSummary":"Invalid token provided"}"#,
        )],
    );
    let (o, _) = okta(&s, "OKTA_TOKEN_401");
    let mut sink = Memory::default();
    let mut progress = |_: &str| {};
    let mut cx = Context {
        sink: &mut sink,
        cursor: None,
        since: None,
        period_start: None,
        now: jiff::Timestamp::now(),
        progress: &mut progress,
    };
    let e = o.collect(&mut cx).err().unwrap().to_string();
    assert!(
        e.contains("401 Unauthorized") && e.contains("OKTA_TOKEN_401") && !e.contains(TOKEN),
        "{e}"
    );
}

fn run(
    o: &Okta,
) -> (
    Result<assay_collect::Report, assay_collect::CollectError>,
    Vec<assay_collect::Stored>,
) {
    mock::collect(o, None)
}

#[test]
fn a_next_link_to_another_origin_is_refused_and_nothing_is_sent_there() {
    let s = Server::start();
    let other = Server::start();
    s.route(
        "/api/v1/users?limit=200",
        vec![ok("[]").header(
            "Link",
            &format!(
                r#"<{}/api/v1/users?after=x&limit=200>; rel="next""#,
                other.base
            ),
        )],
    );
    let (o, _) = okta(&s, "OKTA_TOKEN_LINK");
    let e = run(&o).0.unwrap_err().to_string();
    assert!(
        e.contains(&other.base) && e.contains(&s.base) && e.contains("nothing was sent"),
        "{e}"
    );
    assert!(!e.contains(TOKEN));
    assert!(other.seen.lock().unwrap().is_empty());
}

#[test]
fn an_error_body_echoing_the_token_is_scrubbed() {
    let s = Server::start();
    s.route(
        "/api/v1/users?limit=200",
        vec![status(
            500,
            &format!(r#"{{"errorSummary":"boom","echo":"Authorization: SSWS {TOKEN}"}}"#),
        )],
    );
    let (o, _) = okta(&s, "OKTA_TOKEN_500");
    let e = run(&o).0.unwrap_err().to_string();
    assert!(e.contains("HTTP 500") && e.contains("boom"), "{e}");
    assert!(!e.contains(TOKEN), "{e}");
}

#[test]
fn a_base_url_that_is_not_a_url_is_a_clear_error() {
    std::env::set_var("OKTA_TOKEN_BADURL", TOKEN);
    let t: toml::Table = toml::from_str(
        "kind = \"okta\"\nbase_url = \"acme.okta.com\"\ntoken_env = \"OKTA_TOKEN_BADURL\"",
    )
    .unwrap();
    let e = Okta::from_table(&t).err().unwrap().to_string();
    assert!(e.contains("base_url") && e.contains("https://HOST"), "{e}");
}
