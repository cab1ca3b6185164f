//! `assay demo` end to end on the small company: every planted control failure appears in
//! the assessment, checked both by the demo and independently through `assay assess --json`;
//! the same seed gives the same evidence.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "demo_checks/drift.rs"]
mod drift;
#[path = "demo_checks/quiet.rs"]
mod quiet;
#[path = "demo_checks/replay.rs"]
mod replay;
#[path = "demo_checks/reuse.rs"]
mod reuse;

use common::run;
use serde_json::Value;

/// Precision: no clean near-miss is reported (by the demo's own check and by `assess`), and
/// every exception of a test with planted failures is one of them: an engine that flagged
/// every row would fail here.
fn precise(demo: &Value, exceptions: &dyn Fn(&str) -> Vec<String>) {
    let clean = demo["pipeline"]["clean"].as_array().unwrap();
    let kinds: std::collections::BTreeSet<&str> =
        clean.iter().map(|c| c["test"].as_str().unwrap()).collect();
    for t in [
        "ACC-07.1", "ACC-07.3", "ACC-02.1", "ACC-11.2", "CHG-01.1", "ACC-08.2",
    ] {
        assert!(kinds.contains(t), "no clean item for {t}: {kinds:?}");
    }
    let reported: Vec<&Value> = clean.iter().filter(|c| c["reported"] != false).collect();
    assert!(reported.is_empty(), "clean items reported: {reported:?}");
    for c in clean {
        let keys = exceptions(c["test"].as_str().unwrap());
        assert!(
            !keys.contains(&c["key"].as_str().unwrap().to_string()),
            "clean item {c} reported"
        );
    }
    let planted = demo["pipeline"]["planted"].as_array().unwrap();
    let tests: std::collections::BTreeSet<&str> = planted
        .iter()
        .map(|p| p["test"].as_str().unwrap())
        .collect();
    for t in tests {
        let want: std::collections::BTreeSet<&str> = planted
            .iter()
            .filter(|p| p["test"] == t)
            .map(|p| p["key"].as_str().unwrap())
            .collect();
        let extra: Vec<String> = exceptions(t)
            .into_iter()
            .filter(|k| !want.contains(k.as_str()))
            .collect();
        assert!(
            extra.is_empty(),
            "{t} reports what was not planted: {extra:?}"
        );
    }
}

/// Every population's `rows_sha256`, re-performed outside Assay: the rows it hashed, written
/// as Parquet by `assay test --populations`, hashed again by docs/reperform/rows_digest.py
/// (Python and pyarrow). The digests and exceptions agree with `assess`.
fn reperformed(ws: &std::path::Path, a: &Value) {
    let has_pyarrow = std::process::Command::new("python3")
        .args(["-c", "import pyarrow"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_pyarrow {
        assay_testkit::missing("python3 with pyarrow", "pip install pyarrow");
        return;
    }
    let pops = ws.join("populations");
    let (code, out, err) = run(
        ws,
        &["test", "--json", "--populations", pops.to_str().unwrap()],
    );
    assert_eq!(code, 1, "the demo's tests have findings: {err}");
    assert!(err.contains("population files to"), "{err}");
    let tests_json = ws.join("tests.json");
    std::fs::write(&tests_json, &out).unwrap();
    let t: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(t["controls"], a["controls"], "test and assess disagree");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/reperform/rows_digest.py");
    let py = std::process::Command::new("python3")
        .arg(&script)
        .arg(&tests_json)
        .arg(&pops)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&py.stdout);
    assert!(
        py.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let with_population = a["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["tests"].as_array().unwrap())
        .filter(|t| t["population"]["rows_digest"] == "sha256-sorted-rows/v2")
        .count();
    assert!(with_population >= 30, "{with_population}");
    assert!(
        said.contains(&format!(
            "{with_population} populations re-performed, 0 differ"
        )),
        "{said}"
    );
}

/// A JUnit file read by Python's junitparser: each case's name and what it holds
/// (`pass`, `failure`, `error` or `skipped`), and the case count.
fn junit_cases(file: &std::path::Path) -> Option<Value> {
    let script = r#"
import json, sys
from junitparser import JUnitXml, Failure, Error, Skipped
cases = {}
for suite in JUnitXml.fromfile(sys.argv[1]):
    for case in suite:
        kinds = [type(r).__name__.lower() for r in case.result if isinstance(r, (Failure, Error, Skipped))]
        cases[case.name] = kinds[0] if kinds else "pass"
print(json.dumps(cases))
"#;
    let has = std::process::Command::new("python3")
        .args(["-c", "import junitparser"])
        .status()
        .is_ok_and(|s| s.success());
    if !has {
        assay_testkit::missing("python3 with junitparser", "pip install junitparser");
        return None;
    }
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// `assay ci` on the demo: JUnit XML a JUnit reader accepts (a case per test, named by its
/// id, failures where the assessment has them), a Markdown summary, a baseline kept for the
/// next run so `--new-only` passes when nothing changed and fails on a new failure, a bad
/// baseline refused with nothing stored, and a failed collector failing the run.
fn in_a_pipeline(ws: &std::path::Path, a: &Value) {
    let tests: Vec<&Value> = a["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["tests"].as_array().unwrap())
        .collect();
    let failing = |r: &Value| {
        matches!(
            r.as_str(),
            Some("not-effective" | "exceptions-noted" | "error")
        )
    };
    let (code, out, err) = run(
        ws,
        &[
            "ci",
            "--junit",
            "ci/junit.xml",
            "--summary",
            "ci/summary.md",
        ],
    );
    assert_eq!(code, 1, "the demo has failing tests: {out}{err}");
    let failing_ids: Vec<&str> = tests
        .iter()
        .filter(|t| failing(&t["result"]))
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(!failing_ids.is_empty());
    let summary = std::fs::read_to_string(ws.join("ci/summary.md")).unwrap();
    assert!(
        summary.contains(&format!(
            "**{} of {} tests failing**",
            failing_ids.len(),
            tests.len()
        )),
        "{summary}"
    );
    assert!(summary.contains("no baseline to compare with"), "{summary}");
    assert!(
        summary.contains(&format!("| {} |", failing_ids[0])),
        "{summary}"
    );
    if let Some(cases) = junit_cases(&ws.join("ci/junit.xml")) {
        let cases = cases.as_object().unwrap();
        assert_eq!(cases.len(), tests.len(), "one case per test");
        for t in &tests {
            let id = t["id"].as_str().unwrap();
            let want = match t["result"].as_str().unwrap() {
                "effective" => "pass",
                "not-tested" => "skipped",
                "error" => "error",
                _ => "failure",
            };
            assert_eq!(cases[id], want, "{id}");
        }
    }
    // Nothing changed since the run just kept: --new-only passes.
    let (code, out, err) = run(ws, &["ci", "--new-only"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("0 new and 0 recovered since the baseline"),
        "{out}"
    );
    // A baseline in which the first failing test was effective: that failure is new.
    let (_, record, _) = run(ws, &["ci", "--json"]);
    let mut base: Value = serde_json::from_str(&record).unwrap();
    base["baseline"]["tests"][failing_ids[0]]["result"] = "effective".into();
    std::fs::write(ws.join("ci/base.json"), base.to_string()).unwrap();
    let (code, out, _) = run(
        ws,
        &[
            "ci",
            "--new-only",
            "--baseline",
            "ci/base.json",
            "--summary",
            "ci/new.md",
        ],
    );
    assert_eq!(code, 1, "{out}");
    let new = std::fs::read_to_string(ws.join("ci/new.md")).unwrap();
    assert!(
        new.contains(&format!("| {} |", failing_ids[0])) && new.contains("**new**"),
        "{new}"
    );
    assert!(
        new.contains("; 1 new and 0 recovered since the baseline"),
        "{new}"
    );
    // A baseline in which a criterion now not met was met: the change is listed with both
    // verdicts and the controls behind it.
    let not_met = a["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["verdict"] == "not-met")
        .expect("the demo has a criterion not met");
    let id = not_met["id"].as_str().unwrap();
    let mut crit_base = base.clone();
    crit_base["baseline"]["tests"][failing_ids[0]]["result"] = "exceptions-noted".into();
    crit_base["baseline"]["criteria"][id] = "met".into();
    std::fs::write(ws.join("ci/base-criteria.json"), crit_base.to_string()).unwrap();
    let (_, out, err) = run(
        ws,
        &[
            "ci",
            "--baseline",
            "ci/base-criteria.json",
            "--summary",
            "ci/criteria.md",
        ],
    );
    let crit =
        std::fs::read_to_string(ws.join("ci/criteria.md")).unwrap_or_else(|_| panic!("{out}{err}"));
    assert!(crit.contains("## Criteria whose verdict changed"), "{crit}");
    assert!(
        crit.contains(&format!("| {id} | met | not-met |")),
        "{crit}"
    );
    assert_eq!(
        crit.matches("| met | not-met |").count(),
        1,
        "only the one changed: {crit}"
    );
    // `assay test --json` output is a baseline too.
    let (_, tests_json, _) = run(ws, &["test", "--json"]);
    std::fs::write(ws.join("ci/tests.json"), tests_json).unwrap();
    let (code, out, _) = run(ws, &["ci", "--new-only", "--baseline", "ci/tests.json"]);
    assert_eq!(code, 0, "{out}");
    // A broken baseline: exit 2, naming the file and line, and the kept run is untouched.
    let kept = std::fs::read(ws.join(".assay/ci/last.json")).unwrap();
    std::fs::write(ws.join("ci/bad.json"), "{\n  \"controls\": [\n").unwrap();
    let (code, _, err) = run(ws, &["ci", "--baseline", "ci/bad.json"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.json:3:"), "{err}");
    assert_eq!(std::fs::read(ws.join(".assay/ci/last.json")).unwrap(), kept);
    // A collector that fails (its token is not in the environment) fails the run, even with
    // --new-only, and is an error in the JUnit file.
    let toml = std::fs::read_to_string(ws.join("assay.toml")).unwrap();
    std::fs::write(
        ws.join("assay.toml"),
        format!("{toml}\n[[collector]]\nkind = \"github\"\nname = \"gh\"\norg = \"northwind\"\nbase_url = \"http://127.0.0.1:9\"\ntoken_env = \"ASSAY_TEST_UNSET_TOKEN\"\n"),
    )
    .unwrap();
    let (code, out, err) = run(ws, &["ci", "--new-only", "--junit", "ci/junit2.xml"]);
    std::fs::write(ws.join("assay.toml"), toml).unwrap();
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("1 collector failed"), "{out}");
    if let Some(cases) = junit_cases(&ws.join("ci/junit2.xml")) {
        assert_eq!(cases["gh"], "error", "{cases}");
    }
    notified(ws, failing_ids[0]);
    quiet::held_then_sent(ws, failing_ids[0]);
    drift::overdue(ws);
    reuse::reused(ws);
}

/// The `[[notify]]` rules on `assay ci`'s changes: a signed webhook checked by an independent
/// receiver (Python's hmac), a receiver that keeps failing (retried, then recorded as failed),
/// and a Slack message; every delivery is a ledger entry. A rule naming a URL instead of a
/// variable is refused by `assay validate` with its line.
fn notified(ws: &std::path::Path, new_test: &str) {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let dir = tempfile::tempdir().unwrap();
    let (mut receiver, port, log) = common::webhook_receiver(dir.path(), secret);
    // A real SMTP server (aiosmtpd) for the e-mail rule.
    let has_aiosmtpd = std::process::Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_aiosmtpd {
        assay_testkit::missing("python3 with aiosmtpd", "pip install aiosmtpd");
        let _ = receiver.kill();
        let _ = receiver.wait();
        return;
    }
    let (smtp_port_file, mail_log) = (dir.path().join("smtp-port"), dir.path().join("mail.jsonl"));
    let mut smtp = std::process::Command::new("python3")
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_receiver.py"))
        .arg(&smtp_port_file)
        .arg(&mail_log)
        .spawn()
        .unwrap();
    let mut smtp_port = String::new();
    for _ in 0..100 {
        if let Ok(p) = std::fs::read_to_string(&smtp_port_file) {
            smtp_port = p;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(!smtp_port.is_empty(), "the SMTP server did not start");
    let toml = std::fs::read_to_string(ws.join("assay.toml")).unwrap();
    std::fs::write(
        ws.join("assay.toml"),
        format!(
            "{toml}\n[[notify]]\nname = \"hook\"\nchannel = \"webhook\"\nurl_env = \"ASSAY_TEST_HOOK_URL\"\nsecret_env = \"ASSAY_TEST_HOOK_SECRET\"\nlink = \"https://assay.example/controls/{{control}}\"\n\n[[notify]]\nname = \"down\"\nchannel = \"webhook\"\nurl_env = \"ASSAY_TEST_DOWN_URL\"\nsecret_env = \"ASSAY_TEST_HOOK_SECRET\"\nattempts = 3\nbackoff_ms = 10\n\n[[notify]]\nname = \"chat\"\nchannel = \"slack\"\nurl_env = \"ASSAY_TEST_SLACK_URL\"\neach = true\n\n[[notify]]\nname = \"mail\"\nchannel = \"email\"\nurl_env = \"ASSAY_TEST_SMTP_URL\"\nto = [\"security@northwind.example\", \"cto@northwind.example\"]\nfrom = \"assay@northwind.example\"\nlink = \"https://assay.example/controls/{{control}}\"\n"
        ),
    )
    .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let out = common::assay(ws)
        .args(["ci", "--json", "--baseline", "ci/base.json"])
        .env("ASSAY_TEST_HOOK_URL", format!("{base}/ok"))
        .env("ASSAY_TEST_DOWN_URL", format!("{base}/fail"))
        .env("ASSAY_TEST_SLACK_URL", format!("{base}/slack"))
        .env("ASSAY_TEST_HOOK_SECRET", secret)
        .env(
            "ASSAY_TEST_SMTP_URL",
            format!("smtp://127.0.0.1:{smtp_port}"),
        )
        .output()
        .unwrap();
    let _ = receiver.kill();
    let _ = receiver.wait();
    let _ = smtp.kill();
    let _ = smtp.wait();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "notification `down` failed after 3 attempts: the receiver answered HTTP 503"
        ),
        "{stderr}"
    );
    assert!(!stdout.contains(secret) && !stderr.contains(secret));
    let record: Value = serde_json::from_str(&stdout).unwrap();
    let by_rule = |name: &str| -> Value {
        record["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["rule"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no delivery for {name}: {record}"))
    };
    assert_eq!(by_rule("hook")["outcome"], "sent");
    assert_eq!(by_rule("hook")["attempts"], 1);
    assert_eq!(by_rule("down")["outcome"], "failed");
    assert_eq!(by_rule("down")["attempts"], 3);
    assert_eq!(by_rule("down")["status"], 503);
    assert_eq!(by_rule("chat")["outcome"], "sent");
    // The e-mail: delivered once to both recipients, naming the control, the change, the
    // exception keys and the link.
    assert_eq!(by_rule("mail")["outcome"], "sent", "{}", by_rule("mail"));
    assert_eq!(by_rule("mail")["status"], 250);
    let mails: Vec<Value> = std::fs::read_to_string(&mail_log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let m = &mails[0];
    assert_eq!(m["mail_from"], "assay@northwind.example");
    assert_eq!(
        m["rcpt_tos"],
        serde_json::json!(["security@northwind.example", "cto@northwind.example"])
    );
    assert!(
        m["subject"]
            .as_str()
            .unwrap()
            .contains("1 compliance change"),
        "{m}"
    );
    let body = m["body"].as_str().unwrap();
    assert!(body.contains(&format!("failing: {new_test}")), "{body}");
    assert!(body.contains("exceptions: "), "{body}");
    assert!(body.contains("https://assay.example/controls/"), "{body}");
    assert_eq!(
        m["message_id"].as_str().unwrap(),
        format!("<{}@assay>", by_rule("mail")["id"].as_str().unwrap())
    );
    let lines: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ok: Vec<&Value> = lines.iter().filter(|l| l["path"] == "/ok").collect();
    assert_eq!(ok.len(), 1, "{lines:?}");
    assert_eq!(
        ok[0]["verified"], true,
        "the receiver rejected the signature"
    );
    let events = ok[0]["body"]["data"]["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(
        (e["change"].as_str(), e["test"].as_str()),
        (Some("new-failure"), Some(new_test))
    );
    let control = e["control"].as_str().unwrap();
    assert!(new_test.starts_with(control), "{e}");
    assert_eq!(
        e["link"],
        format!("https://assay.example/controls/{control}")
    );
    assert!(!e["exception_keys"].as_array().unwrap().is_empty(), "{e}");
    assert!(!e["evidence"].as_array().unwrap().is_empty(), "{e}");
    assert_eq!(
        lines.iter().filter(|l| l["path"] == "/fail").count(),
        3,
        "three attempts"
    );
    let slack: Vec<&Value> = lines.iter().filter(|l| l["path"] == "/slack").collect();
    assert_eq!(slack.len(), 1);
    assert!(
        slack[0]["body"]["text"]
            .as_str()
            .unwrap()
            .contains(new_test),
        "{slack:?}"
    );
    // Every delivery, sent or failed, is in the ledger.
    let (code, list, err) = run(
        ws,
        &["evidence", "list", "--kind", "assay-notification", "--json"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(list.matches("assay-notification").count() >= 3, "{list}");
    // A URL written where a variable's name belongs is refused, with its line.
    std::fs::write(
        ws.join("assay.toml"),
        format!("{toml}\n[[notify]]\nchannel = \"slack\"\nurl_env = \"https://hooks.slack.com/services/T0/B0/x\"\n"),
    )
    .unwrap();
    let (code, out, _) = run(ws, &["validate"]);
    std::fs::write(ws.join("assay.toml"), &toml).unwrap();
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("`url_env` must name an environment variable"),
        "{out}"
    );
    assert!(!out.contains("hooks.slack.com/services/T0/B0/x`"), "{out}");
}

/// Every test with exceptions had failures planted.
fn nothing_unplanted(demo: &Value, a: &Value) {
    let mut planted: std::collections::BTreeSet<&str> = demo["pipeline"]["planted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["test"].as_str().unwrap())
        .collect();
    // The deviation the demo's auditor records in one sample is planted too.
    planted.extend(demo["pipeline"]["fieldwork"]["deviation"]["test"].as_str());
    for t in a["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["tests"].as_array().unwrap())
    {
        let n = t["exceptions"].as_array().unwrap().len();
        let id = t["id"].as_str().unwrap();
        assert!(
            n == 0 || planted.contains(id),
            "{id} reports {n} exceptions and none was planted"
        );
    }
}

/// A security questionnaire answered from the demo workspace, offline:
/// - the labelled set (crates/assay-ai/eval/questions.csv) meets the goals: class accuracy
///   at least 85% on answerable questions, and no citation that fails to resolve;
/// - a workbook saved by LibreOffice is answered into a workbook LibreOffice opens, with every
///   input column kept and the answer columns added;
/// - a person's decisions are recorded (ledger and library), a source that does not resolve
///   is refused with nothing stored, and accepted answers are reused first.
fn questionnaire(ws: &std::path::Path) {
    let set =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assay-ai/eval/questions.csv");
    let (code, out, err) = run(
        ws,
        &[
            "questionnaire",
            "eval",
            set.to_str().unwrap(),
            "--offline",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert!(r["questions"].as_u64().unwrap() >= 60, "{r}");
    assert!(
        r["class_accuracy_answerable"].as_f64().unwrap() >= 0.85,
        "{}",
        out
    );
    assert_eq!(r["unresolved_citations"], 0);

    let dir = ws.join("questionnaire");
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("customer.csv");
    std::fs::write(
        &csv,
        "Section,Question,Vendor comment\n\
         Access,Can two people share one user account?,\n\
         Access,Is multi-factor authentication required for every employee who signs in?,\n\
         Resilience,Do you test restoring data from backups at least quarterly?,\n\
         Other,Do you hold a FedRAMP authorization?,ask legal\n",
    )
    .unwrap();
    let Some(xlsx) = common::libreoffice(&csv, "xlsx", &dir) else {
        return;
    };
    let (code, out, err) = run(
        ws,
        &[
            "questionnaire",
            "answer",
            xlsx.to_str().unwrap(),
            "--question-column",
            "Question",
            "--out",
            "questionnaire/answered.xlsx",
            "--offline",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("1 yes, 1 partial, 1 no, 1 needs info"),
        "{out}"
    );
    let back = common::libreoffice(&dir.join("answered.xlsx"), "csv", &dir.join("back")).unwrap();
    let text = std::fs::read_to_string(back).unwrap();
    let header = text.lines().next().unwrap();
    assert_eq!(
        header,
        "Section,Question,Vendor comment,Answer,Class,Status,Sources,Confidence,Proposal"
    );
    assert!(text.contains("ask legal"), "{text}");
    assert!(text.contains("POL-ACCESS#4.1.1"), "{text}");

    // The person's review: accept two (one edited), reject one, leave one.
    let (code, _, err) = run(
        ws,
        &[
            "questionnaire",
            "answer",
            csv.to_str().unwrap(),
            "--question-column",
            "Question",
            "--out",
            "questionnaire/answered.csv",
            "--offline",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let answered = std::fs::read_to_string(dir.join("answered.csv")).unwrap();
    let mut lines: Vec<String> = answered.lines().map(str::to_string).collect();
    let status = |l: &str, s: &str| l.replacen(",proposed,", &format!(",{s},"), 1);
    lines[1] = status(&lines[1], "accepted");
    lines[2] = status(&lines[2], "accepted").replacen("Partly.", "Partly (being remediated).", 1);
    lines[3] = status(&lines[3], "rejected");
    // First with a source that does not exist: refused, nothing stored.
    let bad = lines[1].replacen("\"policy:POL-ACCESS#4.1.1;", "\"policy:POL-ACCESS#99.9;", 1);
    assert_ne!(bad, lines[1], "the Sources cell names the policy section");
    let mut with_bad = lines.clone();
    with_bad[1] = bad;
    std::fs::write(dir.join("decided.csv"), with_bad.join("\n") + "\n").unwrap();
    let (code, _, err) = run(
        ws,
        &[
            "questionnaire",
            "accept",
            "questionnaire/decided.csv",
            "--question-column",
            "Question",
            "--by",
            "alice",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("decided.csv: Sheet1:2, column `Sources`: `policy:POL-ACCESS#99.9`"),
        "{err}"
    );
    assert!(!ws.join("answers/library.json").exists());
    std::fs::write(dir.join("decided.csv"), lines.join("\n") + "\n").unwrap();
    let (code, out, err) = run(
        ws,
        &[
            "questionnaire",
            "accept",
            "questionnaire/decided.csv",
            "--question-column",
            "Question",
            "--by",
            "alice",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("2 accepted (1 edited) and 1 rejected by alice"),
        "{out}"
    );
    let lib: Value =
        serde_json::from_str(&std::fs::read_to_string(ws.join("answers/library.json")).unwrap())
            .unwrap();
    assert_eq!(lib["answers"].as_array().unwrap().len(), 2, "{lib}");
    let (_, list, _) = run(ws, &["evidence", "list", "--json"]);
    assert!(
        list.contains("assay-ai-decisions"),
        "decisions are in the ledger"
    );
    // Asked again: the accepted answers come from the library, as the person left them.
    let (code, out, err) = run(
        ws,
        &[
            "questionnaire",
            "answer",
            csv.to_str().unwrap(),
            "--question-column",
            "Question",
            "--out",
            "questionnaire/again.csv",
            "--offline",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let origins: Vec<String> = v["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["answer"]["origin"].to_string())
        .collect();
    assert_eq!(origins[..2], ["\"library\"", "\"library\""], "{origins:?}");
    assert!(v["proposals"][1]["answer"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Partly (being remediated)."));
    assert_eq!(
        origins[2], "\"extractive\"",
        "a rejected proposal is proposed again"
    );
}

#[test]
fn the_demo_finds_every_planted_failure() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run(tmp.path(), &["demo", "--out", "ws", "--json"]);
    assert_eq!(code, 0, "{err}");
    let demo: Value = serde_json::from_str(&out).unwrap();
    let planted = demo["pipeline"]["planted"].as_array().unwrap();
    assert!(
        planted.len() >= 20,
        "a realistic number of failures: {}",
        planted.len()
    );
    let missed: Vec<&Value> = planted.iter().filter(|p| p["found"] != true).collect();
    assert!(missed.is_empty(), "missed: {missed:?}");
    // The planted failures span access, logging, change, backup, vendor and endpoint tests.
    let tests: std::collections::BTreeSet<&str> = planted
        .iter()
        .map(|p| p["test"].as_str().unwrap())
        .collect();
    for t in [
        "ACC-07.1", "ACC-08.2", "LOG-01.1", "CHG-01.1", "BAK-01.1", "ACC-06.1", "VEN-02.1",
        "END-01.1",
    ] {
        assert!(tests.contains(t), "no planted failure for {t}: {tests:?}");
    }

    // Independently: the workspace the demo left, assessed again.
    let ws = tmp.path().join("ws");
    let (code, json, err) = run(&ws, &["assess", "--json"]);
    assert_eq!(code, 0, "{err}");
    let a: Value = serde_json::from_str(&json).unwrap();
    let exceptions = |test: &str| -> Vec<String> {
        a["controls"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["tests"].as_array().unwrap())
            .filter(|t| t["id"] == test)
            .flat_map(|t| t["exceptions"].as_array().unwrap())
            .map(|e| e["key"].as_str().unwrap().to_string())
            .collect()
    };
    for p in planted {
        let keys = exceptions(p["test"].as_str().unwrap());
        assert!(
            keys.contains(&p["key"].as_str().unwrap().to_string()),
            "{p} not among {keys:?}"
        );
    }
    reperformed(&ws, &a);
    in_a_pipeline(&ws, &a);
    questionnaire(&ws);
    replay::replayed(&ws, &a);

    // The auditor's fieldwork: every sampled test has its results, and the one deviation
    // extended its sample and ends as exceptions noted.
    let fieldwork = &demo["pipeline"]["fieldwork"];
    assert!(
        fieldwork["results"].as_array().unwrap().len() >= 20,
        "{fieldwork}"
    );
    let all_tests: Vec<&Value> = a["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["tests"].as_array().unwrap())
        .collect();
    let pending: Vec<&str> = all_tests
        .iter()
        .filter(|t| t["rule"] == "T-SAMPLE-PENDING")
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(pending.is_empty(), "samples still pending: {pending:?}");
    // Every test without a population query had one obtained from management, with its IPE;
    // every whole-population deviation is evaluated; fieldwork is closed.
    let left: Vec<&str> = all_tests
        .iter()
        .filter(|t| matches!(t["rule"].as_str(), Some("T-NO-POPULATION" | "T-DEVIATION")))
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(left.is_empty(), "work left: {left:?}");
    let obtained = all_tests
        .iter()
        .filter(|t| t["sample"]["obtained"]["completeness"].is_string())
        .count();
    assert_eq!(fieldwork["obtained"], obtained, "{fieldwork}");
    assert!(obtained >= 90, "{obtained}");
    assert!(
        fieldwork["evaluated"].as_array().unwrap().len() >= 15,
        "{fieldwork}"
    );
    // Every control was walked through, and the workpapers show it.
    let walked = all_tests.len();
    assert!(walked > 0);
    for c in a["controls"].as_array().unwrap() {
        assert_eq!(
            c["walkthrough"]["conclusion"], "designed-and-implemented",
            "{}",
            c["id"]
        );
    }
    assert_eq!(
        fieldwork["walkthroughs"].as_u64().unwrap() as usize,
        a["controls"].as_array().unwrap().len()
    );
    // Every imported source behind a population had its completeness and accuracy tested.
    assert!(
        fieldwork["ipe"].as_array().unwrap().len() >= 10,
        "{fieldwork}"
    );
    let untested: Vec<&Value> = all_tests
        .iter()
        .flat_map(|t| t["provided"].as_array().into_iter().flatten())
        .filter(|p| p["ipe"].is_null())
        .collect();
    assert!(untested.is_empty(), "IPE untested: {untested:?}");
    assert!(
        all_tests
            .iter()
            .any(|t| t["provided"][0]["ipe"]["procedure"].is_string()),
        "no test names its provided sources"
    );
    // Ready for conclusion, with a qualified opinion "except for" the criteria the systemic
    // and critical deviations and the one scope limitation touch, and the assertion to match.
    assert_eq!(a["engagement"]["rule"], "E-READY", "{}", a["engagement"]);
    assert_eq!(a["opinion"]["rule"], "O-QUALIFIED", "{}", a["opinion"]);
    let except: Vec<&str> = a["opinion"]["except_for"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for c in ["CC6.2", "CC7.2", "A1.2"] {
        assert!(except.contains(&c), "{c} not in {except:?}");
    }
    let soc2 = std::fs::read_to_string(ws.join("reports/soc2.html")).unwrap();
    assert!(
        soc2.contains("Basis for Qualified Opinion")
            && soc2.contains("except for the matters described in the following paragraph"),
        "the report's opinion and assertion are not both qualified"
    );
    // Section III describes the significant incidents (sev1 and sev2), not only counts them.
    let significant = a["significant_incidents"].as_array().unwrap();
    assert_eq!(significant.len(), 6, "{significant:?}");
    for i in significant {
        assert!(
            soc2.contains(i["title"].as_str().unwrap()),
            "{i} not in Section III"
        );
    }
    let deviation = fieldwork["deviation"]["test"].as_str().unwrap();
    let t = all_tests.iter().find(|t| t["id"] == deviation).unwrap();
    assert_eq!(t["rule"], "T-SAMPLE-EXTENDED", "{t}");
    assert_eq!(t["sample"]["extended"], true);
    assert_eq!(
        exceptions(deviation),
        vec![fieldwork["deviation"]["key"].as_str().unwrap().to_string()]
    );
    // The root sign-in planted before the period is not reported.
    assert_eq!(exceptions("ACC-08.2").len(), 2);
    precise(&demo, &exceptions);
    nothing_unplanted(&demo, &a);
    for f in [
        "reports/readiness.html",
        "reports/soc2.pdf",
        "reports/workpapers.xlsx",
        "reports/oscal/assessment-results.json",
        "exports/planted.json",
    ] {
        assert!(ws.join(f).is_file(), "{f}");
    }
    let (code, _, err) = run(&ws, &["verify"]);
    assert_eq!(code, 0, "{err}");

    // The same seed gives the same evidence files.
    let (code, _, err) = run(tmp.path(), &["demo", "--out", "again", "--json"]);
    assert_eq!(code, 0, "{err}");
    for f in [
        "exports/hr/bamboohr-employees.csv",
        "exports/okta/system-log/2026-03-01.ndjson",
        "exports/identity/accounts.csv",
        "exports/planted.json",
    ] {
        assert_eq!(
            std::fs::read(ws.join(f)).unwrap(),
            std::fs::read(tmp.path().join("again").join(f)).unwrap(),
            "{f}"
        );
    }
    let (code, _, err) = run(tmp.path(), &["demo", "--out", "bad", "--scale", "huge"]);
    assert_eq!(code, 2);
    assert!(err.contains("small, medium or large"), "{err}");
}
