//! The web app in a real browser: Debian's Chromium driven through chromedriver (WebDriver)
//! against `assay serve` on the demo company. It signs in and out, uploads a file and finds
//! it by hash, follows a failing control's exception to its evidence row, triages a finding
//! and reads the file it wrote, runs a query, downloads the SOC 2 PDF, checks that an
//! auditor is refused the upload page, runs axe-core over every page, and checks that every
//! page fits a 375-pixel phone without horizontal scrolling. With `UPDATE_SCREENSHOTS=1` it
//! rewrites `docs/screenshots/` (desktop and phone).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "browser/webdriver.rs"]
mod webdriver;

use common::*;
use serde_json::json;
use sha2::Digest as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use webdriver::{Driver, Session};

const OWNER: (&str, &str) = ("lead@acme.test", "correct horse battery staple");
const AUDITOR: (&str, &str) = ("auditor@cpa.test", "another long passphrase here");
const AXE: &str = include_str!("browser/axe.min.js");

/// The owner, through the setup link; returns the audit's page address.
fn owner(s: &Server) -> String {
    let o = common::setup_owner(s, OWNER.0, OWNER.1);
    format!("{}/app/{}/{}", s.base, o.org, o.audit)
}

fn sign_in(b: &Session, base: &str, who: (&str, &str)) {
    b.go(&format!("{base}/login"));
    sign_in_here(b, who);
}

/// Fills the sign-in form the browser is on.
fn sign_in_here(b: &Session, who: (&str, &str)) {
    b.fill(&b.find("#email"), who.0);
    b.fill(&b.find("#password"), who.1);
    b.click(&b.find("form.stack button[type=submit]"));
    b.wait_url("the app after signing in", |u| u.contains("/app"));
}

fn sign_out(b: &Session) {
    b.click(&b.find("form.signout button"));
    b.wait_url("the sign-in page", |u| u.contains("/login"));
}

/// axe-core's serious and critical violations on the page (WCAG 2.x A and AA rules).
fn axe(b: &Session) -> Vec<String> {
    b.script(AXE, json!([]));
    let v = b.script_async(
        "const done = arguments[arguments.length - 1];\
         axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })\
           .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }))))\
           .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));",
        json!([]),
    );
    v.as_array()
        .unwrap()
        .iter()
        .filter(|x| matches!(x["impact"].as_str(), Some("serious" | "critical")))
        .map(|x| {
            format!(
                "{} ({}): {} at {}",
                x["id"], x["impact"], x["help"], x["nodes"]
            )
        })
        .collect()
}

/// Whether the page is wider than the window (it would scroll sideways).
fn overflows(b: &Session) -> Option<String> {
    let v = b.script(
        "const w = window.innerWidth;\
         const wide = [...document.querySelectorAll('body *')]\
           .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.scroll'))\
           .slice(-3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''));\
         return [document.documentElement.scrollWidth, w, wide];",
        json!([]),
    );
    let (w, inner) = (v[0].as_u64().unwrap(), v[1].as_u64().unwrap());
    (w > inner).then(|| {
        format!(
            "page is {w} px wide in a {inner} px window; too wide: {}",
            v[2]
        )
    })
}

fn screenshots_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots")
}

/// Checks one page: accessibility, desktop and phone widths, and screenshots when asked.
fn check_page(b: &Session, url: &str, name: &str, problems: &mut Vec<String>) {
    b.go(url);
    b.find("main");
    for v in axe(b) {
        problems.push(format!("{name}: {v}"));
    }
    let update = std::env::var("UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1");
    if update {
        std::fs::write(
            screenshots_dir().join(format!("{name}-desktop.png")),
            b.screenshot(),
        )
        .unwrap();
    }
    b.size(375, 812);
    b.go(url);
    b.find("main");
    let inner = b
        .script("return window.innerWidth;", json!([]))
        .as_u64()
        .unwrap();
    assert!(inner <= 400, "the phone-width window is {inner} px wide");
    if let Some(o) = overflows(b) {
        problems.push(format!("{name} at phone width: {o}"));
    }
    if update {
        std::fs::write(
            screenshots_dir().join(format!("{name}-phone.png")),
            b.screenshot(),
        )
        .unwrap();
    }
    b.size(1280, 900);
}

fn tools() -> Option<(String, String)> {
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|p| assay_testkit::has_program(p));
    let driver = assay_testkit::has_program("chromedriver").then_some("chromedriver");
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((which(c), d.to_string())),
        _ => {
            assay_testkit::missing(
                "Chromium and chromedriver",
                "apt-get install chromium chromium-driver (.ci/run does)",
            );
            None
        }
    }
}

fn which(p: &str) -> String {
    let out = Command::new("sh")
        .args(["-c", &format!("command -v {p}")])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn the_web_app_in_a_real_browser() {
    let Some((chromium, chromedriver)) = tools() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run(tmp.path(), &["demo", "--out", "ws"]);
    assert!(code == 0 || code == 1, "assay demo failed: {err}");
    let ws = tmp.path().join("ws");
    // An in-app notification rule, and a run of `assay ci` that finds changes for it (with no
    // baseline, every failing test is new).
    let toml = std::fs::read_to_string(ws.join("assay.toml")).unwrap();
    std::fs::write(
        ws.join("assay.toml"),
        format!(
            "{toml}\n[[notify]]\nname = \"inbox\"\nchannel = \"app\"\non = [\"new-failure\"]\n"
        ),
    )
    .unwrap();
    let (code, _, err) = run(&ws, &["ci"]);
    assert_eq!(code, 1, "{err}");
    let server = start(&ws);
    let audit = owner(&server);
    let downloads = tmp.path().join("downloads");
    std::fs::create_dir(&downloads).unwrap();
    let driver = Driver::start(&chromedriver);
    let b = driver.session(&chromium, &downloads);
    b.script_timeout(60_000);

    // Sign in, then log out; a page asked for while signed out comes back after sign-in.
    b.go(&format!("{audit}/controls"));
    b.wait_url("the sign-in page", |u| u.contains("/login?next="));
    sign_in_here(&b, OWNER);
    sign_in_lands(&b, &audit);
    sign_out(&b);
    b.go(&format!("{audit}/controls"));
    b.wait_url("the sign-in page again", |u| u.contains("/login"));
    b.fill(&b.find("#email"), OWNER.0);
    b.fill(&b.find("#password"), "not the password at all");
    b.click(&b.find("form.stack button[type=submit]"));
    let error = b.find("#login-error");
    assert!(b.text_of(&error).contains("wrong email or password"));
    sign_in(&b, &server.base, OWNER);

    // Assess from the dashboard.
    b.go(&audit);
    b.click(&b.find("form[action$='/assess'] button"));
    // The dashboard comes back with the draft opinion (the address does not change).
    let opinion = b.find(".opinion");
    assert!(!b.text_of(&opinion).is_empty());

    // Upload a file and see it in the evidence list with its hash.
    let file = tmp.path().join("access-review-q2.txt");
    let content = b"Quarterly access review, Q2 2026: 42 accounts reviewed, 3 removed.\n";
    std::fs::write(&file, content).unwrap();
    let hash = hex(&sha2::Sha256::digest(content));
    b.go(&format!("{audit}/evidence/upload"));
    b.fill(&b.find("#file"), file.to_str().unwrap());
    b.fill(&b.find("#kind"), "document");
    b.script(
        "document.getElementById('from').value = '2026-04-01'; document.getElementById('to').value = '2026-06-30';",
        json!([]),
    );
    b.click(&b.find("#upload button[type=submit]"));
    b.wait_url("the evidence list after the upload", |u| {
        u.ends_with("/evidence")
    });
    let listed = b.text_of(&b.find("#evidence-list"));
    assert!(
        listed.contains(&hash),
        "the uploaded file's hash {hash} is not in the list:\n{listed}"
    );

    // A failing control: follow an exception to its evidence row.
    b.go(&format!("{audit}/controls?status=not-effective"));
    b.click(&b.find("main table tbody a"));
    let link = b.find("a.evidence-link");
    let href = b.attr(&link, "href").unwrap();
    let key = href.split("key=").nth(1).unwrap().to_string();
    b.click(&link);
    b.wait_url("the evidence entry", |u| {
        u.contains("/evidence/") && u.contains("key=")
    });
    let marked = b.find(".marked");
    let key_text = urldecode(&key);
    // A key joined from several records (a leaver and their account) marks the rows that
    // hold any of its parts.
    let row = b.text_of(&marked);
    assert!(
        key_text.split(" / ").any(|part| row.contains(part)),
        "the marked row does not hold {key_text}: {row}"
    );

    // Triage a finding and see its file change.
    b.go(&format!("{audit}/findings"));
    let section = b.find("section.finding");
    let id = b.attr(&section, "id").unwrap();
    let status = b.find(&format!("[id='status-{id}']"));
    b.click(&status);
    b.click(&b.find(&format!("[id='status-{id}'] option[value='in-progress']")));
    b.fill(
        &b.find(&format!("[id='response-{id}']")),
        "Retraining scheduled for all engineers by August.",
    );
    b.click(&b.find(&format!("section[id='{id}'] form.triage button")));
    // The page comes back with the new status once the file is written.
    b.find(&format!("section[id='{id}'] .triage-status"));
    let file = ws.join("findings").join(format!("{id}.yaml"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let yaml = loop {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        if text.contains("Retraining scheduled") || std::time::Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(
        yaml.contains("in-progress") && yaml.contains("Retraining scheduled"),
        "{yaml}"
    );

    // Run a query.
    b.go(&format!("{audit}/query"));
    b.fill(&b.find("#sql"), "SELECT count(*) AS people FROM people");
    b.click(&b.find("#query button[value=table]"));
    let result = b.text_of(&b.find("#result"));
    assert!(
        result.contains("people") && result.chars().any(|c| c.is_ascii_digit()),
        "{result}"
    );

    // Download the SOC 2 report as PDF.
    b.go(&format!("{audit}/reports"));
    b.click(&b.find("a.report-link[href*='/soc2?format=pdf']"));
    let pdf = wait_for_file(&downloads, "soc2.pdf");
    assert!(pdf.starts_with(b"%PDF"), "the download is not a PDF");

    // Every page: accessibility and phone width (and screenshots when asked).
    let entry = href
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let mut problems = Vec::new();
    let pages = [
        ("dashboard", audit.clone()),
        ("controls", format!("{audit}/controls")),
        (
            "control",
            format!("{audit}/controls/{}", first_failing_control(&b, &audit)),
        ),
        ("criteria", format!("{audit}/criteria")),
        ("evidence", format!("{audit}/evidence")),
        (
            "evidence-entry",
            format!("{audit}/evidence/{entry}?key={key}"),
        ),
        ("upload", format!("{audit}/evidence/upload")),
        ("findings", format!("{audit}/findings")),
        ("notifications", format!("{audit}/notifications")),
        ("query", format!("{audit}/query")),
        ("reports", format!("{audit}/reports")),
        (
            "settings",
            format!("{}/settings", audit.rsplit_once('/').unwrap().0),
        ),
    ];
    for (name, url) in &pages {
        check_page(&b, url, name, &mut problems);
    }
    // The dashboard draws every test observed day by day over the period.
    b.go(&audit);
    let over = b.text("figure.history figcaption");
    assert!(over.contains("days operating"), "{over}");
    // The in-app notifications: the run's new failures, each linked to its control.
    b.go(&format!("{audit}/notifications"));
    let first = b.text("li.event");
    assert!(first.starts_with("new failure:"), "{first}");
    let link = b.find("li.event a");
    b.click(&link);
    b.wait_url("a control's page", |u| u.contains("/controls/"));
    // The failing control's page draws its tests day by day over the period, with a failing
    // day among them and the same in words.
    b.go(&pages[2].1);
    let caption = b.text("figure.history figcaption");
    assert!(caption.contains("days operating"), "{caption}");
    let failing = b.script(
        "return document.querySelectorAll('figure.history rect[fill=\"#c0392b\"]').length;",
        json!([]),
    );
    assert!(
        failing.as_u64().unwrap_or(0) > 1,
        "no failing day drawn: {failing}"
    );
    if std::env::var("UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        // The README's view of a failing test: its exception rows, linked to the evidence.
        b.go(&pages[2].1);
        b.script(
            "document.querySelector('tr.exception').closest('section').scrollIntoView();",
            json!([]),
        );
        std::fs::write(
            screenshots_dir().join("control-exceptions-desktop.png"),
            b.screenshot(),
        )
        .unwrap();
        // The same control's history over the period (docs/monitoring.md).
        b.script(
            "document.querySelector('figure.history').scrollIntoView();",
            json!([]),
        );
        std::fs::write(
            screenshots_dir().join("control-history-desktop.png"),
            b.screenshot(),
        )
        .unwrap();
    }
    sign_out(&b);
    check_page(
        &b,
        &format!("{}/login", server.base),
        "login",
        &mut problems,
    );
    check_page(
        &b,
        &format!("{}/invite", server.base),
        "invite",
        &mut problems,
    );

    // The owner invites an auditor into this audit from the settings page; the auditor
    // accepts through the link, is signed in, and is refused the upload page.
    sign_in(&b, &server.base, OWNER);
    b.go(&format!("{}/settings", audit.rsplit_once('/').unwrap().0));
    b.fill(&b.find("#inv-email"), AUDITOR.0);
    b.click(&b.find("#inv-role option[value='auditor']"));
    let slug = audit.rsplit('/').next().unwrap().to_string();
    b.click(&b.find(&format!("#inv-audit option[value='{slug}']")));
    b.click(&b.find("form[action$='/settings/invitations'] button"));
    let link = b.text_of(&b.find("#secret"));
    let (_, query) = link
        .split_once("/invite?")
        .unwrap_or_else(|| panic!("no invitation link: {link}"));
    sign_out(&b);
    b.go(&format!("{}/invite?{query}", server.base));
    b.fill(&b.find("#name"), "Casey Auditor");
    b.fill(&b.find("#password"), AUDITOR.1);
    b.click(&b.find("form.stack button[type=submit]"));
    b.wait_url("the audit after accepting", |u| u.starts_with(&audit));
    let who = b.find(".who");
    assert!(b.text_of(&who).contains(AUDITOR.0), "{}", b.text("header"));
    b.go(&audit);
    assert!(
        b.all("nav a[href$='/evidence/upload']").is_empty(),
        "an auditor is offered the upload page"
    );
    b.go(&format!("{audit}/evidence/upload"));
    assert!(
        b.text("h1").starts_with("403"),
        "an auditor opened the upload page: {}",
        b.text("main")
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

fn sign_in_lands(b: &Session, audit: &str) {
    let u = b.wait_url("the controls page", |u| u.contains("/controls"));
    assert!(u.starts_with(audit), "{u}");
}

fn first_failing_control(b: &Session, audit: &str) -> String {
    b.go(&format!("{audit}/controls?status=not-effective"));
    b.text("main table tbody a")
}

fn wait_for_file(dir: &Path, name: &str) -> Vec<u8> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let p = dir.join(name);
        if p.is_file() {
            let bytes = std::fs::read(&p).unwrap();
            if !bytes.is_empty() {
                return bytes;
            }
        }
        let seen: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            std::time::Instant::now() < deadline,
            "no {name} downloaded; the folder has {seen:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn urldecode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
