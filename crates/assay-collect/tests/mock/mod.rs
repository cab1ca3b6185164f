//! A scripted HTTP/1.1 server on 127.0.0.1 for collector tests: each request path (with
//! query) has a queue of responses (the last one repeats); every request is recorded.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test support

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// One scripted response.
#[derive(Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: String,
}

/// A 200 with a JSON body.
pub fn ok(body: &str) -> Reply {
    Reply {
        status: 200,
        headers: vec![],
        body: body.to_string(),
    }
}

/// A reply with a status and body.
pub fn status(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: vec![],
        body: body.to_string(),
    }
}

impl Reply {
    /// Adds a header.
    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }
}

/// A request as received.
#[derive(Clone, Debug)]
pub struct Seen {
    /// Path with query.
    pub path: String,
    /// The Authorization header.
    pub authorization: Option<String>,
}

/// The server.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    routes: Arc<Mutex<HashMap<String, Vec<Reply>>>>,
    /// Every request.
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    /// Starts a server with no routes (unknown paths answer 404).
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let routes: Arc<Mutex<HashMap<String, Vec<Reply>>>> = Arc::default();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let (r, s) = (routes.clone(), seen.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                let mut auth = None;
                let mut len = 0usize;
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                    let (k, v) = h.split_once(':').unwrap_or((&h, ""));
                    match k.to_ascii_lowercase().as_str() {
                        "authorization" => auth = Some(v.trim().to_string()),
                        "content-length" => len = v.trim().parse().unwrap_or(0),
                        _ => {}
                    }
                }
                let mut body = vec![0u8; len];
                let _ = reader.read_exact(&mut body);
                s.lock().unwrap().push(Seen {
                    path: path.clone(),
                    authorization: auth,
                });
                let reply = {
                    let mut routes = r.lock().unwrap();
                    // Exact routes first; then routes ending in `*` match by prefix.
                    let key = if routes.contains_key(&path) {
                        path.clone()
                    } else {
                        routes
                            .keys()
                            .filter(|k| {
                                k.ends_with('*') && path.starts_with(k.trim_end_matches('*'))
                            })
                            .max_by_key(|k| k.len())
                            .cloned()
                            .unwrap_or_default()
                    };
                    match routes.get_mut(&key) {
                        Some(q) if q.len() > 1 => q.remove(0),
                        Some(q) if q.len() == 1 => q[0].clone(),
                        _ => status(
                            404,
                            r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}"#,
                        ),
                    }
                };
                let body = reply.body.replace("{BASE}", &base_of(&stream));
                let mut out = format!("HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n", reply.status, body.len());
                for (k, v) in &reply.headers {
                    out.push_str(&format!(
                        "{k}: {}\r\n",
                        v.replace("{BASE}", &base_of(&stream))
                    ));
                }
                out.push_str("\r\n");
                out.push_str(&body);
                let mut w = stream;
                let _ = w.write_all(out.as_bytes());
            }
        });
        Server { base, routes, seen }
    }

    /// Scripts the responses for a path (with query; a trailing `*` matches by prefix);
    /// `{BASE}` in bodies and headers becomes the server's address.
    pub fn route(&self, path: &str, replies: Vec<Reply>) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_string(), replies);
    }

    /// How many requests reached `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path == path)
            .count()
    }
}

fn base_of(stream: &std::net::TcpStream) -> String {
    stream
        .local_addr()
        .map(|a| format!("http://{a}"))
        .unwrap_or_default()
}

/// A sink that keeps what collectors store.
#[derive(Default)]
pub struct Memory(pub Vec<assay_collect::Stored>);

impl assay_collect::Sink for Memory {
    fn store(&mut self, item: assay_collect::Stored) -> Result<(), String> {
        self.0.push(item);
        Ok(())
    }
}

/// Runs a collector into a fresh [`Memory`].
pub fn collect(
    c: &dyn assay_collect::Collector,
    cursor: Option<String>,
) -> (
    Result<assay_collect::Report, assay_collect::CollectError>,
    Vec<assay_collect::Stored>,
) {
    let mut sink = Memory::default();
    let mut progress = |_: &str| {};
    let mut cx = assay_collect::Context {
        sink: &mut sink,
        cursor,
        since: None,
        period_start: None,
        now: jiff::Timestamp::now(),
        progress: &mut progress,
    };
    let r = c.collect(&mut cx);
    (r, sink.0)
}

/// Normalizes what one run stored (as one batch) and answers SQL with rows of `a|b|c`.
pub struct Normalized(assay_tables::Tables);

impl Normalized {
    /// The tables from `items`, each with evidence hash `e<i>`.
    pub fn of(items: &[assay_collect::Stored]) -> Normalized {
        let evidence: Vec<String> = (0..items.len()).map(|i| format!("e{i}")).collect();
        let inputs = items.iter().zip(&evidence).map(|(s, ev)| {
            (
                s.kind,
                assay_tables::Input {
                    bytes: &s.bytes,
                    evidence: ev,
                    snapshot_at: Some(0),
                    params: &s.params,
                    batch: Some("run"),
                },
            )
        });
        Normalized(
            assay_tables::Tables::build(inputs)
                .map_err(|(i, e)| format!("{i}: {e}"))
                .unwrap(),
        )
    }

    /// The rows of a query, cells joined by `|`, nulls as `NULL`.
    pub fn rows(&self, sql: &str) -> Vec<String> {
        assay_testkit::block_on(self.0.query(sql))
            .unwrap()
            .text_rows()
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|c| c.unwrap_or("NULL".into()))
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect()
    }
}
