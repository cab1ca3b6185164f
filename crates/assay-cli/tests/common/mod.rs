//! Helpers shared by the CLI tests: run the real binary, make a workspace.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test support

use assert_cmd::Command;
use std::io::BufRead as _;
use std::path::Path;

/// The `assay` binary, started in `dir`, without colours.
pub fn assay(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("assay").unwrap();
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("ASSAY_SAMPLE_SECRET");
    c
}

/// Runs `assay` in `dir`; returns (exit code, stdout, stderr).
pub fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = assay(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A new workspace for Acme: Type II, first half of 2026.
pub fn workspace() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = run(
        tmp.path(),
        &[
            "init",
            ".",
            "--org",
            "Acme",
            "--type",
            "type2",
            "--period-start",
            "2026-01-01",
            "--period-end",
            "2026-06-30",
        ],
    );
    assert_eq!(code, 0, "{err}");
    tmp
}

/// Entries in the workspace's ledger.
pub fn entry_count(ws: &Path) -> usize {
    let (code, out, err) = run(ws, &["evidence", "list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["entries"].as_array().unwrap().len()
}

/// A running server: the process, its base URL and the setup secret it printed, if any.
pub struct Server {
    pub child: std::process::Child,
    pub base: String,
    pub setup: Option<String>,
}

/// `assay -C WS serve` on a free loopback port, once it is listening.
pub fn start(ws: &Path) -> Server {
    start_with(ws, &[])
}

/// The same, with more arguments.
pub fn start_with(ws: &Path, extra: &[&str]) -> Server {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("assay"))
        .args([
            "-C",
            ws.to_str().unwrap(),
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first
        .split(" on ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    let mut setup = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some((_, t)) = line.split_once("/setup?token=") {
            setup = Some(t.trim().to_string());
        }
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    Server { child, base, setup }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first owner, made through a server's setup link: their session and the first audit.
pub struct Owner {
    /// The session cookie (`name=value`).
    pub cookie: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// The organization's slug.
    pub org: String,
    /// The first audit's slug.
    pub audit: String,
}

/// Creates the first owner (`email`, `password`) through the setup link `s` printed.
pub fn setup_owner(s: &Server, email: &str, password: &str) -> Owner {
    let http = reqwest::blocking::Client::new();
    let r = http
        .post(format!("{}/api/v1/setup", s.base))
        .json(&serde_json::json!({ "token": s.setup.clone().unwrap(), "email": email, "name": "Lee Adams", "password": password }))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = r.json::<serde_json::Value>().unwrap()["csrf"]
        .as_str()
        .unwrap()
        .to_string();
    let get = |path: &str| -> serde_json::Value {
        http.get(format!("{}{path}", s.base))
            .header("cookie", &cookie)
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let org = get("/api/v1/orgs")["items"][0]["slug"]
        .as_str()
        .unwrap()
        .to_string();
    let audit = get(&format!("/api/v1/orgs/{org}/audits"))["items"][0]["slug"]
        .as_str()
        .unwrap()
        .to_string();
    Owner {
        cookie,
        csrf,
        org,
        audit,
    }
}

/// LibreOffice converts `file` to `to` (`xlsx`, `csv`, `docx`) in `dir`; the converted path.
pub fn libreoffice(
    file: &std::path::Path,
    to: &str,
    dir: &std::path::Path,
) -> Option<std::path::PathBuf> {
    let home = tempfile::tempdir().unwrap();
    let Ok(out) = std::process::Command::new("libreoffice")
        .env("HOME", home.path())
        .args(["--headless", "--convert-to", to, "--outdir"])
        .arg(dir)
        .arg(file)
        .output()
    else {
        assay_testkit::missing("libreoffice", "apt-get install libreoffice-calc-nogui");
        return None;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let converted = dir.join(format!(
        "{}.{to}",
        file.file_stem().unwrap().to_string_lossy()
    ));
    assert!(
        converted.exists(),
        "LibreOffice wrote no {to} (Writer saves DOCX: apt-get install libreoffice-writer-nogui): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(converted)
}

/// The local webhook receiver (`tests/webhook_receiver.py`, checking Standard Webhooks
/// signatures with `secret`), started in `dir`: the process, its port and its request log.
pub fn webhook_receiver(
    dir: &Path,
    secret: &str,
) -> (std::process::Child, String, std::path::PathBuf) {
    let (port_file, log) = (dir.join("port"), dir.join("log.jsonl"));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/webhook_receiver.py");
    let receiver = std::process::Command::new("python3")
        .arg(&script)
        .arg(&port_file)
        .arg(&log)
        .arg(secret)
        .spawn()
        .unwrap();
    let mut port = String::new();
    for _ in 0..100 {
        if let Ok(p) = std::fs::read_to_string(&port_file) {
            port = p;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(!port.is_empty(), "the receiver did not start");
    (receiver, port, log)
}
