//! HTTP for collectors: GET with retries on transient failures (5xx, timeouts, connection
//! errors), rate limits honoured (`429` or `403` with `Retry-After`, or
//! `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset`), and `Link: <...>; rel="next"`
//! pagination. Credentials travel only in the `Authorization` header and only to the
//! configured origin (scheme, host, port): a next-page link or a redirect to another origin is
//! an error, and nothing is sent there. Every URL, error text and stored body passes through a
//! [`Scrubber`] first, so the credential never appears in an error, a locator or the sink.

use crate::scrub::Scrubber;
use reqwest::Url;
use std::time::Duration;

/// A credential: shown as `***` by `Debug`, never formatted into messages.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(s: String) -> Self {
        Secret(s)
    }

    /// A scrubber that removes this credential (and its encodings) from text.
    pub fn scrubber(&self) -> Scrubber {
        Scrubber::new([self.0.as_str()])
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
    /// The URL answered (after any same-origin redirects), with the credential scrubbed.
    pub url: String,
    /// The body as received, except that an echoed credential is replaced by `[redacted]`.
    pub body: Vec<u8>,
    /// The `rel="next"` link, if any: absolute, and on the configured origin.
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
    /// A URL to follow (next-page link or redirect) is on another origin than the configured
    /// one: nothing was sent there.
    #[error("{via} points to {origin} ({url}), but the credential is only sent to {configured}; refused: nothing was sent to {origin}. If the API really moved, set base_url to the new address")]
    OtherOrigin {
        /// Where the URL came from (`the next-page link of GET ...`, `the redirect from GET ...`).
        via: String,
        /// The URL refused.
        url: String,
        /// Its origin (`scheme://host:port`).
        origin: String,
        /// The configured origin.
        configured: String,
    },
    /// A URL could not be read.
    #[error("{via}: {url} is not a valid absolute URL: {message}")]
    BadUrl {
        /// Where the URL came from (`base_url`, `the next-page link of GET ...`).
        via: String,
        /// The URL.
        url: String,
        /// What is wrong.
        message: String,
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
    origin: reqwest::Url,
    scrub: Scrubber,
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

/// The start of a body, for messages (scrubbed over the whole body first, so a secret cut
/// at the 300th character cannot leak its first half).
fn snippet(scrub: &Scrubber, body: &[u8]) -> String {
    let text = scrub.text(&String::from_utf8_lossy(body));
    let t: String = text.chars().take(300).collect();
    t.replace('\n', " ")
}

/// `scheme://host:port` of a URL, the port always written.
pub fn origin_of(u: &Url) -> String {
    format!(
        "{}://{}:{}",
        u.scheme(),
        u.host_str().unwrap_or(""),
        u.port_or_known_default().unwrap_or(0)
    )
}

/// How many redirects (to the same origin) one request follows.
const MAX_REDIRECTS: u32 = 10;

impl Client {
    /// A client with `auth` for the API at `base_url` (the only origin that receives the
    /// credential); `token_hint` names where the token came from (for messages).
    pub fn new(auth: Auth, token_hint: &str, base_url: &str) -> Result<Client, HttpError> {
        let scrub = match &auth {
            Auth::Bearer(s) | Auth::Ssws(s) => s.scrubber(),
        };
        let origin = Url::parse(base_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| HttpError::BadUrl {
                via: "base_url".into(),
                url: scrub.text(base_url),
                message: "write it as https://HOST[:PORT][/PATH]".into(),
            })?;
        // Redirects are followed here, by `get`, which checks each one's origin.
        let inner = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
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
            origin,
            scrub,
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

    /// `text` (a URL, a message) with the credential removed, for messages, locators and
    /// progress lines.
    pub fn shown(&self, text: &str) -> String {
        self.scrub.text(text)
    }

    /// The configured origin, `scheme://host:port`.
    pub fn origin(&self) -> String {
        origin_of(&self.origin)
    }

    /// `url` (relative to `base` when given) if it is on the configured origin; `via` says
    /// where it came from, for the error.
    fn allowed(&self, base: Option<&Url>, url: &str, via: &str) -> Result<Url, HttpError> {
        let parsed = match base {
            Some(b) => b.join(url),
            None => Url::parse(url),
        };
        let u = parsed.map_err(|e| HttpError::BadUrl {
            via: via.to_string(),
            url: self.shown(url),
            message: e.to_string(),
        })?;
        if origin_of(&u) != self.origin() {
            return Err(HttpError::OtherOrigin {
                via: via.to_string(),
                url: self.shown(u.as_str()),
                origin: self.shown(&origin_of(&u)),
                configured: self.origin(),
            });
        }
        Ok(u)
    }

    /// GET `url` with the retry rules. `ok_statuses` lists failing statuses that are
    /// evidence rather than errors (e.g. 404 "Branch not protected"). `url`, every redirect
    /// and the `rel="next"` link must be on the configured origin; the returned `url` is the
    /// one finally answered, scrubbed, and the body has the credential (if echoed) removed.
    pub fn get(&self, url: &str, ok_statuses: &[u16]) -> Result<Response, HttpError> {
        let mut target = self.allowed(None, url, "the request URL")?;
        let mut redirects = 0;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.requests
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let shown = self.shown(target.as_str());
            let req = self
                .inner
                .get(target.clone())
                .header("Accept", "application/json");
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
                            url: shown,
                            message: self.shown(&message),
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
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                if let Some(location) = header(&headers, "location") {
                    redirects += 1;
                    if redirects > MAX_REDIRECTS {
                        return Err(HttpError::Status {
                            url: shown,
                            status,
                            body: format!("more than {MAX_REDIRECTS} redirects; stopped"),
                        });
                    }
                    let via = format!("the redirect ({status}) from GET {shown}");
                    target = self.allowed(Some(&target), location, &via)?;
                    attempt = 0;
                    continue;
                }
            }
            if (200..300).contains(&status) || ok_statuses.contains(&status) {
                let next = match header(&headers, "link").and_then(next_link) {
                    Some(n) => {
                        let via = format!("the next-page link (Link: rel=\"next\") of GET {shown}");
                        Some(self.allowed(Some(&target), &n, &via)?.to_string())
                    }
                    None => None,
                };
                return Ok(Response {
                    status,
                    url: shown,
                    body: self.scrub.bytes(body),
                    next,
                });
            }
            if status == 401 {
                return Err(HttpError::Unauthorized {
                    url: shown,
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
                url: shown,
                status,
                body: snippet(&self.scrub, &body),
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
