//! Single sign-on end to end against a real OpenID Provider (node-oidc-provider, started by
//! the test under the machine's Node.js): the code flow with PKCE, the ID token verified and
//! a tampered one refused, the group mapped to a role, a replayed or foreign callback
//! refused, and a person whose groups map to nothing turned away. On both backends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use assay_server::oidc::{Client, GroupRule, OidcConfig};
use base64::Engine;
use common::{Backend, Harness, BACKENDS};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const REDIRECT: &str = "http://assay.test/auth/oidc/callback";

/// The provider process (killed on drop) and its issuer URL.
struct Provider {
    child: Child,
    issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn provider() -> Option<Provider> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc");
    if !assay_testkit::has_program("node") || !dir.join("node_modules/oidc-provider").is_dir() {
        assay_testkit::missing(
            "Node.js with oidc-provider (single sign-on was not tested against a real OpenID Provider)",
            "apt-get install nodejs npm && npm ci --prefix crates/assay-server/tests/oidc",
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new("node")
        .arg("provider.mjs")
        .current_dir(&dir)
        .env("PORT", port.to_string())
        .env("REDIRECT_URI", REDIRECT)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(
        lines.next().map(|l| l.unwrap()),
        Some("ready".to_string()),
        "the provider did not start"
    );
    // Keep reading what it prints, so it never writes into a closed pipe.
    std::thread::spawn(move || for _ in lines {});
    Some(Provider {
        child,
        issuer: format!("http://127.0.0.1:{port}"),
    })
}

fn config(p: &Provider, groups: Vec<GroupRule>) -> OidcConfig {
    OidcConfig {
        issuer: p.issuer.clone(),
        client_id: "assay".into(),
        client_secret: "assay-test-client-secret".into(),
        redirect_uri: REDIRECT.into(),
        groups,
    }
}

/// A browser at the provider: follows redirects, signs in as `login` on the development
/// form, consents, and stops at the redirect back to Assay: its `code` and `state`.
fn browse(p: &Provider, start: &str, login: &str) -> (String, String) {
    let http = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut jar: BTreeMap<String, String> = BTreeMap::new();
    let mut next = (start.to_string(), None::<Vec<(String, String)>>);
    for _ in 0..20 {
        let (url, form) = next.clone();
        let cookie = jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = match &form {
            Some(f) => http.post(&url).form(f),
            None => http.get(&url),
        };
        let r = req
            .header("cookie", cookie)
            .send()
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        for c in r.headers().get_all("set-cookie") {
            let c = c.to_str().unwrap();
            let (kv, _) = c.split_once(';').unwrap_or((c, ""));
            if let Some((k, v)) = kv.split_once('=') {
                jar.insert(k.to_string(), v.to_string());
            }
        }
        if r.status().is_redirection() {
            let loc = r.headers()["location"].to_str().unwrap().to_string();
            if let Some(q) = loc.strip_prefix(&format!("{REDIRECT}?")) {
                let params: BTreeMap<String, String> =
                    reqwest::Url::parse(&format!("http://x/?{q}"))
                        .unwrap()
                        .query_pairs()
                        .into_owned()
                        .collect();
                return (
                    params.get("code").cloned().unwrap_or_default(),
                    params.get("state").cloned().unwrap_or_default(),
                );
            }
            let abs = if loc.starts_with('/') {
                format!("{}{loc}", p.issuer)
            } else {
                loc
            };
            next = (abs, None);
            continue;
        }
        let html = r.text().unwrap();
        let action = html
            .split("action=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("no form at {url}: {html}"));
        let mut fields = vec![];
        for input in html.split("<input").skip(1) {
            let attr = |name: &str| {
                input
                    .split(&format!("{name}=\""))
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .map(str::to_string)
            };
            if let (Some(n), Some(v)) = (attr("name"), attr("value")) {
                fields.push((n, v));
            }
        }
        if fields.iter().any(|(n, v)| n == "prompt" && v == "login") {
            fields.push(("login".into(), login.into()));
            fields.push(("password".into(), "any password".into()));
        }
        let target = if action.starts_with("http") {
            action.to_string()
        } else {
            format!("{}{action}", p.issuer)
        };
        next = (target, Some(fields));
    }
    panic!("the provider never sent the browser back")
}

fn tamper_payload(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = String::from_utf8(b64.decode(parts[1]).unwrap()).unwrap();
    let forged = payload.replace("acme-auditors", "acme-admins!!");
    assert_ne!(payload, forged);
    format!("{}.{}.{}", parts[0], b64.encode(forged), parts[2])
}

#[test]
fn the_id_token_is_verified_and_a_tampered_one_refused() {
    let Some(p) = provider() else { return };
    let client = assay_testkit::block_on(Client::discover(config(&p, Vec::new()))).unwrap();
    let (url, flow) = client.begin();
    assert!(
        url.contains("code_challenge_method=S256") && url.contains("code_challenge="),
        "{url}"
    );
    let (code, state) = browse(&p, &url, "alice");
    assert_eq!(state, flow.state);
    let (raw, claims) = assay_testkit::block_on(client.exchange(&code, &flow)).unwrap();
    assert_eq!(claims.email.as_deref(), Some("alice@firm.test"));
    assert_eq!(claims.groups, vec!["acme-auditors".to_string()]);
    // The same code again: the provider refuses it.
    assert!(assay_testkit::block_on(client.exchange(&code, &flow)).is_err());
    // A changed payload, a changed signature, another sign-in's nonce, an unsigned token.
    let verify = |t: &str, n: &str| assay_testkit::block_on(client.verify(t, n));
    assert!(verify(&raw, &flow.nonce).is_ok());
    let e = verify(&tamper_payload(&raw), &flow.nonce)
        .unwrap_err()
        .to_string();
    assert!(e.contains("refused"), "{e}");
    let mut sig = raw.clone();
    let last = sig.pop().unwrap();
    sig.push(if last == 'A' { 'B' } else { 'A' });
    assert!(verify(&sig, &flow.nonce).is_err());
    assert!(verify(&raw, "some other nonce")
        .unwrap_err()
        .to_string()
        .contains("nonce"));
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = raw.split('.').collect();
    let none = format!(
        "{}.{}.",
        b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );
    assert!(verify(&none, &flow.nonce).is_err());
}

fn sign_in_through_the_router(backend: Backend, p: &Provider) {
    let rule: GroupRule = "acme-auditors=acme-corp/soc2-2026:auditor".parse().unwrap();
    let client = assay_testkit::block_on(Client::discover(config(p, vec![rule]))).unwrap();
    let Some(h) = Harness::with_oidc(backend, Default::default(), Some(client)) else {
        return;
    };
    let anon = common::Client::anonymous();
    let start = |h: &Harness| {
        let a = h.send("GET", "/auth/oidc/login", &anon, None);
        assert_eq!(a.status, 303, "{}", a.text());
        let flow_cookie = a.headers["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        assert!(flow_cookie.starts_with("assay_oidc="));
        (
            a.headers["location"].to_str().unwrap().to_string(),
            flow_cookie,
        )
    };
    let callback = |h: &Harness, code: &str, state: &str, cookie: Option<&str>| {
        let mut req = axum::http::Request::builder()
            .uri(format!("/auth/oidc/callback?code={code}&state={state}"));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        h.raw(req.body(axum::body::Body::empty()).unwrap())
    };
    let (url, flow_cookie) = start(&h);
    let (code, state) = browse(p, &url, "alice");
    // Started in another browser (no flow cookie): refused, and the flow stays usable.
    assert_eq!(callback(&h, &code, &state, None).status, 400);
    let ok = callback(&h, &code, &state, Some(&flow_cookie));
    assert_eq!(ok.status, 303, "{}", ok.text());
    let session = ok
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("assay_session="))
        .unwrap();
    let me = common::Client {
        cookie: Some(
            session
                .split(';')
                .next()
                .unwrap()
                .trim_start_matches("assay_session=")
                .to_string(),
        ),
        ..anon.clone()
    };
    let who = h.send("GET", "/api/v1/me", &me, None).json();
    assert_eq!(who["user"]["email"], "alice@firm.test");
    assert_eq!(who["orgs"][0]["audits"]["soc2-2026"], "auditor", "{who}");
    // The auditor sees the audit, not the organization's members.
    assert_eq!(
        h.send(
            "GET",
            &format!("/api/v1/orgs/{}/audits/{}", h.a.org, h.a.audit),
            &me,
            None
        )
        .status,
        200
    );
    assert_eq!(
        h.send(
            "GET",
            &format!("/api/v1/orgs/{}/members", h.a.org),
            &me,
            None
        )
        .status,
        403
    );
    // Replayed: the flow is used.
    assert_eq!(callback(&h, &code, &state, Some(&flow_cookie)).status, 400);
    // Bob's groups map to no role: no account, no session.
    let (url, flow_cookie) = start(&h);
    let (code, state) = browse(p, &url, "bob");
    let no = callback(&h, &code, &state, Some(&flow_cookie));
    assert_eq!(no.status, 403, "{}", no.text());
    assert!(no.json()["detail"].as_str().unwrap().contains("unrelated"));
    assert!(!no.headers.contains_key("set-cookie"));
}

#[test]
fn sign_in_maps_groups_to_roles_on_both_backends() {
    let Some(p) = provider() else { return };
    for b in BACKENDS {
        sign_in_through_the_router(b, &p);
    }
}
