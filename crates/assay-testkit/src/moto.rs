//! `moto_server` (PyPI `moto[server]`), an S3/IAM/CloudTrail-compatible server, started on a
//! free loopback port for one test, or an endpoint given in an environment variable.

use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A running server; stopped when dropped (if this test started it).
pub struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    child: Option<std::process::Child>,
}

impl Drop for Moto {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The server at `$endpoint_var` if set, else a new `moto_server`; `None` (reported through
/// [`crate::missing`], which fails under `ASSAY_REQUIRE_ALL=1`) when neither can be had.
///
/// # Panics
/// When the server started but did not accept connections within 60 seconds.
#[allow(clippy::panic)]
pub fn start(endpoint_var: &str, tested: &str) -> Option<Moto> {
    if let Ok(endpoint) = std::env::var(endpoint_var) {
        return Some(Moto {
            endpoint,
            child: None,
        });
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = std::process::Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(child) = child else {
        crate::missing(
            &format!("moto_server (so {tested} was not tested)"),
            &format!("pip install 'moto[server]', or set {endpoint_var} to a running server"),
        );
        return None;
    };
    let server = Moto {
        endpoint: format!("http://127.0.0.1:{port}"),
        child: Some(child),
    };
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if start.elapsed() > Duration::from_secs(60) {
            panic!("moto_server did not start on port {port} within 60 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(server)
}
