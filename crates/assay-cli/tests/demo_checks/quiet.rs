//! Quiet hours and in-app notifications on the demo: a webhook rule whose quiet hours hold
//! now records its message as held (nothing reaches the receiver), and the first run after
//! them sends the held changes with the new ones, signed, in one message; an in-app rule is
//! recorded with its changes in full. Config mistakes are refused with their line.

use super::common::{self, run};
use serde_json::Value;
use std::path::Path;

/// A quiet-hours window two hours wide around now (UTC), or one that starts in two hours.
fn window(quiet: bool) -> String {
    let now = jiff::tz::TimeZone::UTC.to_datetime(jiff::Timestamp::now());
    let m = i32::from(now.hour()) * 60 + i32::from(now.minute());
    let (a, b) = if quiet {
        (m - 60, m + 60)
    } else {
        (m + 120, m + 180)
    };
    let f = |x: i32| {
        let x = x.rem_euclid(1440);
        format!("{:02}:{:02}", x / 60, x % 60)
    };
    format!("{}-{}", f(a), f(b))
}

/// `assay ci --json` against the baseline with the receiver's URL and secret.
fn ci(ws: &Path, url: &str, secret: &str) -> Value {
    let out = common::assay(ws)
        .args(["ci", "--json", "--baseline", "ci/base.json"])
        .env("ASSAY_TEST_NIGHT_URL", url)
        .env("ASSAY_TEST_HOOK_SECRET", secret)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).unwrap()
}

pub fn held_then_sent(ws: &Path, new_test: &str) {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let dir = tempfile::tempdir().unwrap();
    let (mut receiver, port, log) = common::webhook_receiver(dir.path(), secret);
    let url = format!("http://127.0.0.1:{port}/ok");
    let toml = std::fs::read_to_string(ws.join("assay.toml")).unwrap();
    let rules = |quiet: &str| {
        format!("{toml}\n[[notify]]\nname = \"night\"\nchannel = \"webhook\"\nurl_env = \"ASSAY_TEST_NIGHT_URL\"\nsecret_env = \"ASSAY_TEST_HOOK_SECRET\"\nquiet_hours = \"{quiet}\"\ntimezone = \"UTC\"\n\n[[notify]]\nname = \"inbox\"\nchannel = \"app\"\n")
    };

    // In quiet hours: held, recorded, nothing sent.
    std::fs::write(ws.join("assay.toml"), rules(&window(true))).unwrap();
    let first = ci(ws, &url, secret);
    let by_rule = |record: &Value, name: &str| -> Value {
        record["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["rule"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no delivery for {name}: {record}"))
    };
    let held = by_rule(&first, "night");
    assert_eq!(held["outcome"], "held", "{held}");
    assert_eq!(held["attempts"], 0);
    assert!(
        held["error"].as_str().unwrap().contains("quiet hours"),
        "{held}"
    );
    assert!(ws.join(".assay/notify/held/night.json").is_file());
    // Only critical changes go out in quiet hours.
    let critical: usize = first["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "night" && d["outcome"] == "sent")
        .map(|d| d["events"].as_array().unwrap().len())
        .sum();
    let sent_before = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(sent_before.lines().count(), usize::from(critical > 0));
    for l in sent_before.lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        for e in v["body"]["data"]["events"].as_array().unwrap() {
            assert_eq!(e["severity"], "critical", "sent in quiet hours: {e}");
        }
    }
    // The in-app rule is never held; its record carries the changes in full.
    let inbox = by_rule(&first, "inbox");
    assert_eq!(inbox["outcome"], "sent", "{inbox}");
    let detail = inbox["detail"].as_array().unwrap();
    assert!(detail.iter().any(|e| e["test"] == new_test), "{inbox}");

    // After the quiet hours: the held change and this run's, in one signed message.
    std::fs::write(ws.join("assay.toml"), rules(&window(false))).unwrap();
    let second = ci(ws, &url, secret);
    let _ = receiver.kill();
    let _ = receiver.wait();
    std::fs::write(ws.join("assay.toml"), &toml).unwrap();
    let sent = by_rule(&second, "night");
    assert_eq!(sent["outcome"], "sent", "{sent}");
    assert!(
        !ws.join(".assay/notify/held/night.json").exists(),
        "sent twice"
    );
    let lines: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let lines = &lines[usize::from(critical > 0)..];
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["verified"], true);
    let events = lines[0]["body"]["data"]["events"].as_array().unwrap();
    let held_n = held["events"].as_array().unwrap().len();
    assert_eq!(
        events.len(),
        held_n * 2 + critical,
        "held and new: {events:?}"
    );
    assert_eq!(events.iter().filter(|e| e["test"] == new_test).count(), 2);

    // Mistakes are refused with their line.
    for (bad, says) in [
        ("[[notify]]\nchannel = \"webhook\"\nurl_env = \"U\"\nsecret_env = \"S\"\nquiet_hours = \"22:00\"\n", "is not a window HH:MM-HH:MM"),
        ("[[notify]]\nchannel = \"slack\"\nurl_env = \"U\"\nquiet_hours = \"22:00-07:00\"\ntimezone = \"Mars/Olympus\"\n", "unknown time zone `Mars/Olympus`"),
        ("[[notify]]\nchannel = \"app\"\nurl_env = \"U\"\n", "an in-app rule sends nothing out"),
        ("[[notify]]\nchannel = \"slack\"\n", "a slack rule needs `url_env`"),
    ] {
        std::fs::write(ws.join("assay.toml"), format!("{toml}\n{bad}")).unwrap();
        let (code, out, _) = run(ws, &["validate"]);
        std::fs::write(ws.join("assay.toml"), &toml).unwrap();
        assert_eq!(code, 1, "{out}");
        assert!(out.contains(says), "{bad}: {out}");
        assert!(out.contains("assay.toml:"), "{out}");
    }
}
