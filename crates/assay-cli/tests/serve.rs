//! `assay serve` as a process: the setup link on first start, sign-in, a token, uploads
//! over real HTTP on loopback, graceful stop on SIGTERM; and 20 SIGKILLs in the middle of
//! uploads, each followed by `assay verify` passing with no half-stored evidence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::*;

use serde_json::json;
use std::path::Path;
use std::process::{Command, Stdio};

const PASSWORD: &str = "correct horse battery staple";

fn verify(ws: &Path) {
    let (code, out, err) = run(ws, &["verify"]);
    assert_eq!(code, 0, "assay verify failed: {out}{err}");
}

/// The owner's API token (contributor, 1 day), made through the setup link, and the audit's
/// API address.
fn owner_token(s: &Server, http: &reqwest::blocking::Client) -> (String, String) {
    let o = common::setup_owner(s, "lead@acme.test", PASSWORD);
    let t: serde_json::Value = http
        .post(format!("{}/api/v1/orgs/{}/tokens", s.base, o.org))
        .header("cookie", &o.cookie)
        .header("x-csrf-token", &o.csrf)
        .json(&json!({ "name": "uploads", "role": "contributor", "days": 1 }))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let audit = format!("{}/api/v1/orgs/{}/audits/{}", s.base, o.org, o.audit);
    (t["secret"].as_str().unwrap().to_string(), audit)
}

#[test]
fn serve_setup_sign_in_upload_and_stop() {
    let tmp = workspace();
    let ws = tmp.path().to_path_buf();
    let mut s = start(&ws);
    let http = reqwest::blocking::Client::new();
    assert!(s.setup.is_some(), "the first start prints a setup link");
    assert_eq!(
        http.get(format!("{}/healthz", s.base))
            .send()
            .unwrap()
            .status(),
        200
    );
    let (token, audit) = owner_token(&s, &http);
    let r = http
        .post(format!("{audit}/evidence?name=policy.md&kind=document"))
        .bearer_auth(&token)
        .body("# Access policy\n")
        .send()
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().unwrap());
    let list: serde_json::Value = http
        .get(format!("{audit}/evidence?kind=document"))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(list["total"], 1);
    // SIGTERM: a graceful stop, exit 0.
    Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .unwrap();
    let status = s.child.wait().unwrap();
    assert!(status.success(), "{status}");
    verify(&ws);
    // A second start prints no setup link: an account exists.
    let mut again = start(&ws);
    assert!(again.setup.is_none());
    again.child.kill().unwrap();
    let _ = again.child.wait();
}

#[test]
fn sigkill_during_uploads_twenty_times_leaves_a_ledger_that_verifies() {
    let tmp = workspace();
    let ws = tmp.path().to_path_buf();
    let first = start(&ws);
    let http = reqwest::blocking::Client::new();
    let (token, audit) = owner_token(&first, &http);
    let first_base = first.base.clone();
    let mut server = Some(first);
    let mut stored_total = 0u64;
    for round in 0..20u64 {
        let mut s = server.take().unwrap_or_else(|| start(&ws));
        // The port changes with every start.
        let url = format!("{}/evidence", audit.replace(&first_base, &s.base));
        let token2 = token.clone();
        let uploader = std::thread::spawn(move || {
            let http = reqwest::blocking::Client::new();
            let mut ok = 0u64;
            for i in 0..1000u64 {
                // Distinct content every time, big enough to be cut mid-stream.
                let body: Vec<u8> = format!("round {round} file {i}\n")
                    .repeat(8_000)
                    .into_bytes();
                match http
                    .post(format!("{url}?name=r{round}-{i}.txt&kind=document"))
                    .bearer_auth(&token2)
                    .body(body)
                    .send()
                {
                    Ok(r) if r.status() == 201 => ok += 1,
                    Ok(r) => panic!(
                        "upload refused: {} {}",
                        r.status(),
                        r.text().unwrap_or_default()
                    ),
                    Err(_) => break, // the server is gone
                }
            }
            ok
        });
        std::thread::sleep(std::time::Duration::from_millis(150 + (round * 53) % 400));
        s.child.kill().unwrap(); // SIGKILL
        let _ = s.child.wait();
        stored_total += uploader.join().unwrap();
        verify(&ws);
    }
    assert!(stored_total > 0, "uploads went through between the kills");
    // Every acknowledged upload is in the ledger.
    let (code, out, err) = run(&ws, &["evidence", "list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let listed: serde_json::Value = serde_json::from_str(&out).unwrap();
    let docs = listed["entries"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["entry"]["kind"] == "document")
                .count()
        })
        .unwrap_or(0) as u64;
    assert!(
        docs >= stored_total,
        "{docs} documents in the ledger, {stored_total} uploads acknowledged"
    );
    // The spool is emptied at the next start: nothing half-uploaded lingers.
    let mut last = start(&ws);
    let spool = ws.join(".assay-server/uploads");
    assert_eq!(std::fs::read_dir(&spool).unwrap().count(), 0);
    last.child.kill().unwrap();
    let _ = last.child.wait();
}

#[test]
fn serve_over_tls_with_rustls() {
    if !assay_testkit::has_program("openssl") {
        assay_testkit::missing(
            "openssl (to make a test certificate; TLS was not tested)",
            "apt-get install openssl",
        );
        return;
    }
    let tmp = workspace();
    let ws = tmp.path().to_path_buf();
    let certs = tempfile::tempdir().unwrap();
    let (cert, key) = (certs.path().join("cert.pem"), certs.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(made.success());
    let mut s = start_with(
        &ws,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert!(s.base.starts_with("https://"), "{}", s.base);
    let root = reqwest::Certificate::from_pem(&std::fs::read(&cert).unwrap()).unwrap();
    let https = reqwest::blocking::Client::builder()
        .add_root_certificate(root)
        .build()
        .unwrap();
    let r = https.get(format!("{}/healthz", s.base)).send().unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers().contains_key("strict-transport-security"),
        "HSTS over TLS"
    );
    // The session cookie is Secure and host-pinned over TLS.
    let setup = https
        .post(format!("{}/api/v1/setup", s.base))
        .json(&json!({ "token": s.setup.clone().unwrap(), "email": "lead@acme.test", "name": "Lee Adams", "password": PASSWORD }))
        .send()
        .unwrap();
    let cookie = setup.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("__Host-assay_session=") && cookie.contains("; Secure"),
        "{cookie}"
    );
    // Plain HTTP to the TLS port gets no answer.
    let plain = reqwest::blocking::Client::new()
        .get(s.base.replace("https://", "http://") + "/healthz")
        .send();
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
    s.child.kill().unwrap();
    let _ = s.child.wait();
}
