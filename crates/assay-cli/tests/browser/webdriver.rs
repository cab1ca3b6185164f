//! A small W3C WebDriver client over blocking HTTP, enough to drive Debian's Chromium
//! through chromedriver in the browser tests: sessions, navigation, elements, scripts,
//! window size and screenshots.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test support

use base64::Engine as _;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The W3C key for an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A running chromedriver.
pub struct Driver {
    child: Child,
    pub url: String,
    http: reqwest::blocking::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Driver {
    /// Starts `chromedriver` on a free loopback port and waits until it is ready.
    pub fn start(chromedriver: &str) -> Driver {
        let port = free_port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {chromedriver}: {e}"));
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = http
                .get(format!("{url}/status"))
                .send()
                .ok()
                .and_then(|r| r.json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == json!(true));
            if ready {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { child, url, http }
    }

    /// A new headless Chromium session with `extra` Chrome options merged in.
    pub fn session(&self, chromium: &str, downloads: &std::path::Path) -> Session {
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900", "--hide-scrollbars", "--force-device-scale-factor=1"],
                "prefs": { "download.default_directory": downloads.to_str().unwrap(), "download.prompt_for_download": false }
            }
        }}});
        let v: Value = self
            .http
            .post(format!("{}/session", self.url))
            .json(&caps)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let id = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {v}"))
            .to_string();
        Session {
            base: format!("{}/session/{id}", self.url),
            http: self.http.clone(),
        }
    }
}

/// One browser session.
pub struct Session {
    base: String,
    http: reqwest::blocking::Client,
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.http.delete(&self.base).send();
    }
}

/// An element in the page.
#[derive(Clone, Debug)]
pub struct El(String);

impl Session {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let req = match method {
            "GET" => self.http.get(&url),
            "DELETE" => self.http.delete(&url),
            _ => self.http.post(&url).json(&body.unwrap_or(json!({}))),
        };
        let v: Value = req.send().unwrap().json().unwrap();
        if let Some(err) = v["value"]["error"].as_str() {
            panic!(
                "WebDriver {method} {path}: {err}: {}",
                v["value"]["message"].as_str().unwrap_or("")
            );
        }
        v["value"].clone()
    }

    /// Opens `url` and waits for the page to load.
    pub fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    /// The current address.
    pub fn url(&self) -> String {
        self.call("GET", "/url", None).as_str().unwrap().to_string()
    }

    /// The page's HTML.
    pub fn source(&self) -> String {
        self.call("GET", "/source", None)
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Elements matching a CSS selector.
    pub fn all(&self, css: &str) -> Vec<El> {
        let v = self.call(
            "POST",
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        );
        let list = v
            .as_array()
            .unwrap_or_else(|| panic!("WebDriver answered {v} for the elements `{css}`"));
        list.iter()
            .map(|e| match e[ELEMENT].as_str() {
                Some(id) => El(id.to_string()),
                None => panic!("WebDriver answered {e} for an element of `{css}`"),
            })
            .collect()
    }

    /// The first element matching `css`, waiting up to 20 s for it to appear.
    pub fn find(&self, css: &str) -> El {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(e) = self.all(css).into_iter().next() {
                return e;
            }
            assert!(
                Instant::now() < deadline,
                "no `{css}` on {} after 20 s:\n{}",
                self.url(),
                self.text("body")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the address satisfies `ok`.
    pub fn wait_url(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let u = self.url();
            if ok(&u) {
                return u;
            }
            assert!(
                Instant::now() < deadline,
                "still at {u}, waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Clicks.
    pub fn click(&self, e: &El) {
        self.call("POST", &format!("/element/{}/click", e.0), None);
    }

    /// Clears a field and types into it (for a file input: the file's path).
    pub fn fill(&self, e: &El, text: &str) {
        let _ = self
            .http
            .post(format!("{}/element/{}/clear", self.base, e.0))
            .json(&json!({}))
            .send();
        self.call(
            "POST",
            &format!("/element/{}/value", e.0),
            Some(json!({ "text": text })),
        );
    }

    /// Types into a field without clearing it.
    pub fn type_into(&self, e: &El, text: &str) {
        self.call(
            "POST",
            &format!("/element/{}/value", e.0),
            Some(json!({ "text": text })),
        );
    }

    /// An element's visible text.
    pub fn text_of(&self, e: &El) -> String {
        self.call("GET", &format!("/element/{}/text", e.0), None)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// An attribute or property of an element.
    pub fn attr(&self, e: &El, name: &str) -> Option<String> {
        self.call("GET", &format!("/element/{}/attribute/{name}", e.0), None)
            .as_str()
            .map(str::to_string)
    }

    /// The visible text of the first element matching `css`.
    pub fn text(&self, css: &str) -> String {
        match self.all(css).into_iter().next() {
            Some(e) => self.text_of(&e),
            None => String::new(),
        }
    }

    /// Runs a script with arguments; returns its value.
    pub fn script(&self, js: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": js, "args": args })),
        )
    }

    /// Runs an asynchronous script (it calls `arguments[arguments.length - 1]` with its
    /// answer).
    pub fn script_async(&self, js: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/async",
            Some(json!({ "script": js, "args": args })),
        )
    }

    /// Sets the script timeout, in milliseconds.
    pub fn script_timeout(&self, ms: u64) {
        self.call("POST", "/timeouts", Some(json!({ "script": ms })));
    }

    /// Resizes the window.
    pub fn size(&self, width: u32, height: u32) {
        self.call(
            "POST",
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        );
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self) -> Vec<u8> {
        let b64 = self.call("GET", "/screenshot", None);
        base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap())
            .unwrap()
    }
}
