//! HTTP for collectors: GET with retries on transient failures (5xx, timeouts, connection
//! errors), rate limits honoured (`429` or `403` with `Retry-After`, or
//! `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset`), and `Link: <...>; rel="next"`
//! pagination. Credentials travel only in the `Authorization` header and never appear in an
//! error or a stored locator.

use std::time::Duration;

/// A credential: shown as `***` by `Debug`, never formatted into messages.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(s: String) -> Self {
        Secret(s)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A response, kept raw.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// The URL requested.
    pub url: String,
    /// The body, exactly as received.
    pub body: Vec<u8>,
    /// The `rel="next"` link, if any.
    pub next: Option<String>,
}

/// Why a request failed for good.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// 401: the credential is wrong or expired.
    #[error("GET {url}: 401 Unauthorized: the token was refused; check that {hint} holds a valid, unexpired token")]
    Unauthorized {
        /// The URL.
        url: String,
        /// Where the token comes from.
        hint: String,
    },
    /// Any other failing status, after retries where retrying made sense.
    #[error("GET {url}: HTTP {status}: {body}")]
    Status {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
        /// The start of the body (the API's own message).
        body: String,
    },
    /// The network failed, after retries.
    #[error("GET {url}: {message} (after {attempts} attempts)")]
    Network {
        /// The URL.
        url: String,
        /// What failed.
        message: String,
        /// How many attempts were made.
        attempts: u32,
    },
}

/// How a client authenticates.
#[derive(Debug, Clone)]
pub enum Auth {
    /// `Authorization: Bearer <token>` (GitHub).
    Bearer(Secret),
    /// `Authorization: SSWS <token>` (Okta).
    Ssws(Secret),
}

/// A blocking HTTP client with the collectors' retry rules.
pub struct Client {
    inner: reqwest::blocking::Client,
    auth: Auth,
    token_hint: String,
    /// Attempts per request (first try included).
    pub max_attempts: u32,
    /// The longest wait accepted for a rate limit before giving up.
    pub max_wait: Duration,
    sleep: Box<dyn Fn(Duration) + Send + Sync>,
    /// Requests made (all attempts).
    pub requests: std::sync::atomic::AtomicU64,
}

fn header<'a>(h: &'a reqwest::header::HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// The `rel="next"` URL of a `Link` header.
pub fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, rest) = part.split_once(';')?;
        rest.split(';')
            .any(|p| p.trim().trim_start_matches("rel=").trim_matches('"') == "next")
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

/// How long a rate-limited or failing response asks us to wait, if it says.
fn wait_for(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    if let Some(s) = header(h, "retry-after") {
        if let Ok(secs) = s.trim().parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
    }
    if header(h, "x-ratelimit-remaining") == Some("0") {
        if let Some(reset) =
            header(h, "x-ratelimit-reset").and_then(|r| r.trim().parse::<i64>().ok())
        {
            let now = jiff::Timestamp::now().as_second();
            return Some(Duration::from_secs((reset - now).max(1) as u64));
        }
    }
    None
}

/// The start of a body, for messages.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let t: String = text.chars().take(300).collect();
    t.replace('\n', " ")
}

impl Client {
    /// A client with `auth`; `token_hint` names where the token came from (for messages).
    pub fn new(auth: Auth, token_hint: &str) -> Result<Client, HttpError> {
        let inner = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("assay/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| HttpError::Network {
                url: String::new(),
                message: e.to_string(),
                attempts: 0,
            })?;
        Ok(Client {
            inner,
            auth,
            token_hint: token_hint.to_string(),
            max_attempts: 5,
            max_wait: Duration::from_secs(15 * 60),
            sleep: Box::new(std::thread::sleep),
            requests: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// Replaces how the client waits (tests record waits instead of sleeping).
    pub fn set_sleep(&mut self, sleep: impl Fn(Duration) + Send + Sync + 'static) {
        self.sleep = Box::new(sleep);
    }

    /// GET `url` with the retry rules. `ok_statuses` lists failing statuses that are
    /// evidence rather than errors (e.g. 404 "Branch not protected").
    pub fn get(&self, url: &str, ok_statuses: &[u16]) -> Result<Response, HttpError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.requests
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let req = self.inner.get(url).header("Accept", "application/json");
            let req = match &self.auth {
                Auth::Bearer(Secret(t)) => req
                    .header("Authorization", format!("Bearer {t}"))
                    .header("X-GitHub-Api-Version", "2022-11-28"),
                Auth::Ssws(Secret(t)) => req.header("Authorization", format!("SSWS {t}")),
            };
            let backoff = Duration::from_secs(1 << (attempt - 1).min(5));
            let resp = match req.send() {
                Ok(r) => r,
                Err(e) => {
                    if attempt >= self.max_attempts {
                        let message = if e.is_timeout() {
                            "timed out".to_string()
                        } else {
                            format!("connection failed: {}", e.without_url())
                        };
                        return Err(HttpError::Network {
                            url: url.to_string(),
                            message,
                            attempts: attempt,
                        });
                    }
                    (self.sleep)(backoff);
                    continue;
                }
            };
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let body = resp.bytes().map(|b| b.to_vec()).unwrap_or_default();
            let next = header(&headers, "link").and_then(next_link);
            if (200..300).contains(&status) || ok_statuses.contains(&status) {
                return Ok(Response {
                    status,
                    url: url.to_string(),
                    body,
                    next,
                });
            }
            if status == 401 {
                return Err(HttpError::Unauthorized {
                    url: url.to_string(),
                    hint: self.token_hint.clone(),
                });
            }
            let limited = status == 429 || (status == 403 && wait_for(&headers).is_some());
            let transient = limited || status >= 500;
            if transient && attempt < self.max_attempts {
                let wait = wait_for(&headers).unwrap_or(backoff);
                if wait <= self.max_wait {
                    (self.sleep)(wait);
                    continue;
                }
            }
            return Err(HttpError::Status {
                url: url.to_string(),
                status,
                body: snippet(&body),
            });
        }
    }

    /// Every page of a paginated list, following `Link: rel="next"`.
    pub fn pages(&self, url: &str) -> Result<Vec<Response>, HttpError> {
        let mut out = Vec::new();
        let mut next = Some(url.to_string());
        while let Some(u) = next {
            let r = self.get(&u, &[])?;
            next = r.next.clone();
            out.push(r);
            if out.len() > 10_000 {
                break;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::next_link;

    #[test]
    fn finds_the_next_link_among_others() {
        let h = r#"<https://api.github.com/orgs/acme/members?page=3>; rel="next", <https://api.github.com/orgs/acme/members?page=5>; rel="last""#;
        assert_eq!(
            next_link(h).as_deref(),
            Some("https://api.github.com/orgs/acme/members?page=3")
        );
        assert_eq!(next_link(r#"<https://x/?page=1>; rel="prev""#), None);
        let okta = r#"<https://acme.okta.com/api/v1/logs?after=abc>; rel="next", <https://acme.okta.com/api/v1/logs>; rel="self""#;
        assert_eq!(
            next_link(okta).as_deref(),
            Some("https://acme.okta.com/api/v1/logs?after=abc")
        );
    }
}
