//! AI assistance against a local fake OpenAI-compatible server, which answers each question
//! the way its `[case:...]` tag asks: a valid answer, malformed JSON, an invented citation, no
//! reply in time, or 429 with `Retry-After` first. The server keeps every request, so the test
//! sees exactly what left the machine: never the secret planted in a policy, nor the API key
//! anywhere but the `Authorization` header.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{run, workspace};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "ghp_Zq8XbY2kLm4NpR7sTu9VwX1yZa3Bc5De6Fg0";
const KEY: &str = "sk-test-8f2d1c9e";

/// One request the fake server received.
#[derive(Clone)]
struct Seen {
    at: Instant,
    authorization: String,
    body: String,
}

fn read_request(r: &mut BufReader<TcpStream>) -> Option<(String, String)> {
    let mut auth = String::new();
    let mut len = 0usize;
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    loop {
        line.clear();
        r.read_line(&mut line).ok()?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':')?;
        match k.to_ascii_lowercase().as_str() {
            "content-length" => len = v.trim().parse().ok()?,
            "authorization" => auth = v.trim().to_string(),
            _ => {}
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some((auth, String::from_utf8_lossy(&body).into_owned()))
}

fn respond(s: &mut TcpStream, status: &str, extra: &str, body: &str) {
    let _ = write!(
        s,
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}\r\n{body}",
        body.len()
    );
}

fn completion(content: &str) -> String {
    json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}).to_string()
}

/// The fake server: its address and what it received.
fn fake_provider() -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}/v1", listener.local_addr().unwrap());
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let log = log.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut conn = conn;
                while let Some((authorization, body)) = read_request(&mut reader) {
                    let earlier = log
                        .lock()
                        .unwrap()
                        .iter()
                        .filter(|s: &&Seen| s.body == body)
                        .count();
                    log.lock().unwrap().push(Seen {
                        at: Instant::now(),
                        authorization,
                        body: body.clone(),
                    });
                    let v: Value = serde_json::from_str(&body).unwrap();
                    let user = v["messages"][1]["content"]
                        .as_str()
                        .unwrap_or("")
                        .to_string();
                    let first_id = user
                        .split("Passages:")
                        .nth(1)
                        .unwrap_or("")
                        .split('[')
                        .nth(1)
                        .and_then(|s| s.split(']').next())
                        .unwrap_or("")
                        .to_string();
                    let answer = |cites: &str| {
                        completion(&json!({"class": "yes", "answer": "Yes, as the policy states.", "citations": [cites], "confidence": 0.8}).to_string())
                    };
                    if user.contains("[case:malformed]") {
                        respond(
                            &mut conn,
                            "200 OK",
                            "",
                            &completion("Sure! It is done, trust me."),
                        );
                    } else if user.contains("[case:hallucinate]") {
                        respond(&mut conn, "200 OK", "", &answer("policy:POL-NOPE#9.9"));
                    } else if user.contains("[case:slow]") {
                        std::thread::sleep(Duration::from_millis(2500));
                        respond(&mut conn, "200 OK", "", &answer(&first_id));
                    } else if user.contains("[case:busy]") && earlier == 0 {
                        respond(
                            &mut conn,
                            "429 Too Many Requests",
                            "retry-after: 1\r\n",
                            "{\"error\":\"slow down\"}",
                        );
                    } else {
                        respond(&mut conn, "200 OK", "", &answer(&first_id));
                    }
                }
            });
        }
    });
    (addr, seen)
}

fn configure(ws: &std::path::Path, base_url: &str) {
    let toml = ws.join("assay.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str(&format!(
        "\n[ai]\nprovider = \"openai-compatible\"\nbase_url = \"{base_url}\"\nmodel = \"fake-1\"\napi_key_env = \"ASSAY_TEST_AI_KEY\"\ntimeout_seconds = 1\nretries = 1\n"
    ));
    std::fs::write(&toml, text).unwrap();
    // A secret pasted into a policy, in a statement the first question retrieves.
    let policy = ws.join("policies/access-control.md");
    let mut p = std::fs::read_to_string(&policy).unwrap();
    p.push_str(&format!(
        "\n\n## 9. Break-glass deployment token\n\n9.1 The break-glass deployment token is {SECRET} and is kept in the deployment vault.\n"
    ));
    std::fs::write(&policy, p).unwrap();
}

fn questions(ws: &std::path::Path) -> std::path::PathBuf {
    let q = ws.join("q.csv");
    std::fs::write(
        &q,
        "Ref,Question\n\
         1,Where is the break-glass deployment token kept? [case:ok]\n\
         2,Is multi-factor authentication required for workforce access? [case:malformed]\n\
         3,Are backups encrypted at rest? [case:hallucinate]\n\
         4,Are security incidents classified by severity? [case:slow]\n\
         5,Are code changes reviewed before they merge? [case:busy]\n",
    )
    .unwrap();
    q
}

#[test]
fn a_model_proposes_and_every_failure_mode_is_caught() {
    let tmp = workspace();
    let ws = tmp.path();
    let (base, seen) = fake_provider();
    configure(ws, &base);
    questions(ws);

    // Without the key in the environment: a clear error, exit 2, nothing sent.
    let (code, _, err) = run(
        ws,
        &[
            "questionnaire",
            "answer",
            "q.csv",
            "--question-column",
            "Question",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ASSAY_TEST_AI_KEY"), "{err}");
    assert!(seen.lock().unwrap().is_empty());

    // --dry-run shows what would leave the machine, redacted, and sends nothing.
    let out = common::assay(ws)
        .env("ASSAY_TEST_AI_KEY", KEY)
        .args([
            "questionnaire",
            "answer",
            "q.csv",
            "--question-column",
            "Question",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(shown.lines().count(), 5, "{shown}");
    assert!(shown.contains("[REDACTED"), "{shown}");
    assert!(!shown.contains(SECRET) && !shown.contains(KEY));
    assert!(seen.lock().unwrap().is_empty(), "a dry run sent something");

    let out = common::assay(ws)
        .env("ASSAY_TEST_AI_KEY", KEY)
        .args([
            "questionnaire",
            "answer",
            "q.csv",
            "--question-column",
            "Question",
            "--out",
            "a.csv",
            "--json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["model"], "fake-1");
    let p = v["proposals"].as_array().unwrap();
    let class = |i: usize| p[i]["answer"]["class"].as_str().unwrap().to_string();
    let notes = |i: usize| p[i]["answer"]["notes"].to_string();

    // 1: a valid answer citing a passage that exists and supports it.
    assert_eq!(class(0), "yes", "{}", p[0]);
    let cited = p[0]["answer"]["citations"][0]["id"].as_str().unwrap();
    assert!(cited.starts_with("policy:POL-ACCESS#9"), "{cited}");
    assert_eq!(
        p[0]["answer"]["citations"][0]["sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert_eq!(p[0]["prompt_sha256"].as_str().unwrap().len(), 64);
    // 2: malformed JSON is not an answer.
    assert_eq!(class(1), "needs-info");
    assert!(notes(1).contains("not a valid answer"), "{}", notes(1));
    // 3: an invented citation is dropped, and the answer downgraded.
    assert_eq!(class(2), "needs-info");
    assert!(
        notes(2).contains("POL-NOPE") && notes(2).contains("downgraded"),
        "{}",
        notes(2)
    );
    // 4: no reply in time, after the retry.
    assert_eq!(class(3), "needs-info");
    assert!(notes(3).contains("no reply within"), "{}", notes(3));
    // 5: 429 first, then the answer, no earlier than Retry-After said.
    assert_eq!(class(4), "yes", "{}", p[4]);

    let seen = seen.lock().unwrap().clone();
    let busy: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.body.contains("[case:busy]"))
        .collect();
    assert_eq!(busy.len(), 2, "one 429, one retry");
    assert!(busy[1].at.duration_since(busy[0].at) >= Duration::from_millis(950));
    let slow = seen
        .iter()
        .filter(|s| s.body.contains("[case:slow]"))
        .count();
    assert_eq!(slow, 2, "the timed-out call is retried once");
    // What left the machine: the questions and passages, never the secret; the key only in
    // the header.
    for s in &seen {
        assert!(!s.body.contains(SECRET), "the secret was sent");
        assert!(!s.body.contains(KEY));
        assert_eq!(s.authorization, format!("Bearer {KEY}"));
    }
    assert!(seen
        .iter()
        .any(|s| s.body.contains("[REDACTED:github-token]")));
    // Nor does the key reach the answered file or the ledger's record of the proposals.
    let answered = std::fs::read_to_string(ws.join("a.csv")).unwrap();
    assert!(!answered.contains(KEY) && !answered.contains(SECRET));
    let (code, list, _) = run(ws, &["evidence", "list", "--json"]);
    assert_eq!(code, 0);
    assert!(list.contains("assay-ai-proposals"), "{list}");
    let (code, _, err) = run(ws, &["verify"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_provider_without_a_model_is_refused_with_the_field_named() {
    let tmp = workspace();
    let ws = tmp.path();
    let toml = ws.join("assay.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str(
        "\n[ai]\nprovider = \"openai-compatible\"\nbase_url = \"http://127.0.0.1:9/v1\"\n",
    );
    std::fs::write(&toml, text).unwrap();
    let (code, out, err) = run(ws, &["validate"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("needs `model`"), "{out}");
    assert!(out.contains("assay.toml"), "{out}");
}

/// Policy review proposes coverage per point of focus from the workspace's own policies, and
/// from a company's DOCX (saved by LibreOffice): a document about one topic covers that topic
/// and leaves the rest missing; every citation names a passage of what was reviewed.
#[test]
fn policy_review_proposes_coverage_with_its_passages() {
    let tmp = workspace();
    let ws = tmp.path();
    let (code, out, err) = run(ws, &["policy", "review", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["mode"], "extractive");
    let criteria = v["criteria"].as_array().unwrap();
    assert!(
        criteria.iter().any(|c| c["id"] == "CC6.1"),
        "security is in scope"
    );
    let points: Vec<&Value> = criteria
        .iter()
        .flat_map(|c| c["points"].as_array().unwrap())
        .collect();
    let covered = points.iter().filter(|p| p["cover"] == "covered").count();
    assert!(
        covered * 2 > points.len(),
        "the starter policies cover most points: {covered} of {}",
        points.len()
    );
    for p in &points {
        for c in p["citations"].as_array().unwrap() {
            assert!(c["id"].as_str().unwrap().starts_with("policy:POL-"), "{c}");
        }
    }

    // A company's own document, one topic only, as DOCX.
    let txt = ws.join("remote-access.txt");
    std::fs::write(
        &txt,
        "Remote access standard\n\nMulti-factor authentication is enforced for all workforce access to production systems, cloud consoles, source control and email. Administrators use phishing-resistant security keys.\n\nNew user accounts are created only after an approved access request, and access is removed within one business day of a person leaving.\n",
    )
    .unwrap();
    if common::libreoffice(&txt, "docx", ws).is_none() {
        return;
    }
    let (code, out, err) = run(ws, &["policy", "review", "remote-access.docx", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let points: Vec<&Value> = v["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["points"].as_array().unwrap())
        .collect();
    let cited: Vec<&str> = points
        .iter()
        .flat_map(|p| p["citations"].as_array().unwrap())
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        !cited.is_empty() && cited.iter().all(|c| c.starts_with("policy:remote-access#")),
        "{cited:?}"
    );
    let missing = points.iter().filter(|p| p["cover"] == "missing").count();
    assert!(
        missing * 2 > points.len(),
        "one topic leaves most points missing: {missing} of {}",
        points.len()
    );
    let mfa = points
        .iter()
        .filter(|p| {
            p["text"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("mfa is enforced")
        })
        .filter(|p| p["cover"] != "missing")
        .count();
    assert!(mfa > 0, "the MFA point of focus is found in the document");

    // A file that is not a PDF is refused, naming it.
    std::fs::write(ws.join("scan.pdf"), b"not a pdf\n").unwrap();
    let (code, _, err) = run(ws, &["policy", "review", "scan.pdf"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("scan.pdf") && err.contains("is it a PDF"),
        "{err}"
    );
}

/// A vendor's SOC 2 Type II report, typeset as a PDF with Typst the way such reports are laid
/// out (opinion, tests of controls with results, CUECs), read back through pdftotext: the
/// facts an auditor extracts are proposed, each with its line, and recorded with the
/// document's SHA-256.
#[test]
fn a_vendor_soc_report_pdf_yields_its_facts() {
    use assay_report::doc::{Block, Doc};
    if !assay_testkit::has_program("pdftotext") {
        assay_testkit::missing("pdftotext", "apt-get install poppler-utils");
        return;
    }
    let tmp = workspace();
    let ws = tmp.path();
    let doc = Doc {
        title: "Harbor Payments, Inc.".into(),
        subtitle: vec![
            "Report on Controls Relevant to Security (SOC 2 Type II)".into(),
            "For the period January 1, 2026 to June 30, 2026".into(),
        ],
        watermark: None,
        contents: false,
        blocks: vec![
            Block::Heading(1, "Section I: Independent Service Auditor's Report".into()),
            Block::Para("We have examined Harbor Payments' description of its payments platform and the suitability of the design and operating effectiveness of its controls.".into()),
            Block::Heading(2, "Opinion".into()),
            Block::Para("In our opinion, except for the matter described in the basis for qualified opinion paragraph, in all material respects the controls operated effectively.".into()),
            Block::Para("Whitfield & Crane LLP".into()),
            Block::Para("Denver, Colorado, August 14, 2026".into()),
            Block::Heading(1, "Section IV: Tests of Controls and Results".into()),
            Block::Table {
                header: vec!["Control".into(), "Test".into(), "Result".into()],
                rows: vec![
                    vec!["CC6.2".into(), "Inspected 25 access requests".into(), "Exception noted: 2 of 25 lacked approval.".into()],
                    vec!["CC7.1".into(), "Inspected weekly scans".into(), "No exceptions noted.".into()],
                    vec!["CC8.1".into(), "Inspected 40 changes".into(), "Exception noted: 1 change lacked review.".into()],
                ],
            },
            Block::Heading(2, "Complementary User Entity Controls".into()),
            Block::List(vec![
                "User entities review their users' access each quarter.".into(),
                "User entities protect the API keys issued to them.".into(),
                "User entities report suspected incidents to Harbor Payments.".into(),
            ]),
            Block::Heading(2, "Subservice Organizations".into()),
            Block::Para("Harbor Payments uses a cloud hosting provider, carved out of this report.".into()),
        ],
    };
    let pdf = assay_report::pdf::render(&doc).unwrap();
    std::fs::write(ws.join("harbor-soc2.pdf"), &pdf).unwrap();
    let (code, out, err) = run(
        ws,
        &[
            "vendor",
            "review",
            "harbor-soc2.pdf",
            "--vendor",
            "Harbor Payments",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let f = &v["facts"];
    assert_eq!(f["report"]["value"], "SOC 2 Type II", "{f}");
    assert_eq!(f["period_start"]["value"], "2026-01-01", "{f}");
    assert_eq!(f["period_end"]["value"], "2026-06-30", "{f}");
    assert_eq!(f["auditor"]["value"], "Whitfield & Crane LLP", "{f}");
    assert_eq!(f["opinion"]["value"], "qualified", "{f}");
    let exceptions: Vec<&str> = f["exceptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["quote"].as_str().unwrap())
        .collect();
    assert_eq!(exceptions.len(), 2, "{exceptions:?}");
    assert!(
        exceptions[0].contains("CC6.2") && exceptions[1].contains("CC8.1"),
        "{exceptions:?}"
    );
    let cuecs: Vec<&str> = f["cuecs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        cuecs,
        [
            "User entities review their users' access each quarter.",
            "User entities protect the API keys issued to them.",
            "User entities report suspected incidents to Harbor Payments.",
        ]
    );
    use sha2::Digest as _;
    assert_eq!(v["sha256"], hex_sha(&sha2::Sha256::digest(&pdf)));
    let (_, list, _) = run(ws, &["evidence", "list", "--json"]);
    assert!(list.contains("assay-ai-proposals"), "{list}");
    // Not a SOC report: said so, exit 2.
    std::fs::write(ws.join("menu.txt"), "Lunch menu\n\nSoup of the day.\n").unwrap();
    let (code, _, err) = run(ws, &["vendor", "review", "menu.txt"]);
    assert_eq!(code, 2);
    assert!(err.contains("no SOC report found"), "{err}");
}

fn hex_sha(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// A penetration test report, typeset with Typst: the tester, the test dates and the findings
/// by severity are proposed, each with its line.
#[test]
fn a_pentest_report_pdf_yields_its_findings_by_severity() {
    use assay_report::doc::{Block, Doc};
    if !assay_testkit::has_program("pdftotext") {
        assay_testkit::missing("pdftotext", "apt-get install poppler-utils");
        return;
    }
    let tmp = workspace();
    let ws = tmp.path();
    let doc = Doc {
        title: "Harbor Payments: Penetration Test Report".into(),
        subtitle: vec!["Web application and external network".into()],
        watermark: None,
        contents: false,
        blocks: vec![
            Block::Heading(1, "Engagement".into()),
            Block::Para("Performed by Redline Security LLC.".into()),
            Block::Para("Tested from March 2, 2026 to March 13, 2026.".into()),
            Block::Para("We found one high, one medium and two low severity issues.".into()),
            Block::Heading(1, "Findings".into()),
            Block::Table {
                header: vec!["ID".into(), "Finding".into(), "Severity".into()],
                rows: vec![
                    vec![
                        "PT-01".into(),
                        "SQL injection in search".into(),
                        "High".into(),
                    ],
                    vec![
                        "PT-02".into(),
                        "No rate limit on login".into(),
                        "Medium".into(),
                    ],
                    vec!["PT-03".into(), "Verbose error pages".into(), "Low".into()],
                    vec![
                        "PT-04".into(),
                        "Weak TLS cipher offered".into(),
                        "Low".into(),
                    ],
                ],
            },
        ],
    };
    std::fs::write(
        ws.join("pentest.pdf"),
        assay_report::pdf::render(&doc).unwrap(),
    )
    .unwrap();
    let (code, out, err) = run(ws, &["vendor", "review", "pentest.pdf", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["kind"], "pentest-report");
    let p = &v["pentest"];
    assert_eq!(p["tester"]["value"], "Redline Security LLC", "{p}");
    assert_eq!(p["tested_from"]["value"], "2026-03-02", "{p}");
    assert_eq!(p["tested_to"]["value"], "2026-03-13", "{p}");
    assert_eq!(
        p["by_severity"],
        serde_json::json!({"high": 1, "low": 2, "medium": 1}),
        "{p}"
    );
    let first = p["findings"][0]["quote"].as_str().unwrap();
    assert!(
        first.starts_with("PT-01") && first.contains("SQL injection"),
        "{first}"
    );
}
