//! Collectors: raw evidence from real systems, exactly as they return it.
//!
//! A collector is one file (its config, its requests, its tests) plus one line in
//! [`REGISTRY`]. It reads the system's API and hands each raw response to a [`Sink`] with
//! where it came from; it never interprets what it fetched (the normalizers of
//! `assay-tables` do, later) and never judges it.
//!
//! **Architecture invariant:** collectors gather and never judge; they touch nothing but
//! the network and the sink; secrets come from the environment and never reach a message,
//! a locator or the sink.

#[cfg(feature = "aws")]
pub mod aws;
pub mod git;
pub mod github;
pub mod host;
pub mod http;
pub mod okta;
pub mod scrub;

use std::collections::BTreeMap;

/// One raw response to store.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Evidence kind (e.g. `github-api`).
    pub kind: &'static str,
    /// The request it answers (URL without credentials).
    pub locator: String,
    /// The body, untouched.
    pub bytes: Vec<u8>,
    /// What a normalizer needs to read it (endpoint, repository, ...).
    pub params: BTreeMap<String, String>,
}

/// Where collected evidence goes (the locker, in the CLI).
pub trait Sink {
    /// Stores one response; `Err` stops the collector.
    fn store(&mut self, item: Stored) -> Result<(), String>;
}

/// What a collector run needs.
pub struct Context<'a> {
    /// Where responses go.
    pub sink: &'a mut dyn Sink,
    /// The cursor the last successful run left (collector-specific text).
    pub cursor: Option<String>,
    /// Only evidence since this instant (from `--since`), when the collector supports it.
    pub since: Option<jiff::Timestamp>,
    /// The first instant of the audit period: where event logs start by default (before a
    /// cursor exists), so the first collection covers the whole period the API still holds.
    pub period_start: Option<jiff::Timestamp>,
    /// Now, as the caller's clock says (a test injects it): the end of what is requested,
    /// and where an API's retention is counted back from.
    pub now: jiff::Timestamp,
    /// Told what is being fetched.
    pub progress: &'a mut dyn FnMut(&str),
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Responses stored.
    pub stored: usize,
    /// HTTP requests made (retries included).
    pub requests: u64,
    /// The cursor for the next run.
    pub cursor: Option<String>,
    /// Things worth telling the user.
    pub notes: Vec<String>,
}

/// Why a collector failed.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// Its configuration is wrong.
    #[error("{0}")]
    Config(String),
    /// A request failed.
    #[error(transparent)]
    Http(#[from] http::HttpError),
    /// The sink refused a response.
    #[error("storing evidence: {0}")]
    Store(String),
    /// A response was not what the API documents.
    #[error("{url}: unexpected response: {message}")]
    Unexpected {
        /// The request.
        url: String,
        /// What was wrong.
        message: String,
    },
}

/// A configured collector.
pub trait Collector {
    /// Runs it.
    fn collect(&self, cx: &mut Context<'_>) -> Result<Report, CollectError>;
}

/// A collector kind: its name and how to build it from its `[[collector]]` table.
pub struct Spec {
    /// The `kind` in `assay.toml`.
    pub kind: &'static str,
    /// What it collects, in a phrase.
    pub about: &'static str,
    /// Builds it from the table (secrets read from the environment here).
    pub build: fn(&toml::Table) -> Result<Box<dyn Collector>, CollectError>,
    /// How far back its event log reaches, when the API keeps only recent days.
    pub retention: Option<Retention>,
}

/// An API that keeps only its most recent days of events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Days it keeps.
    pub days: u32,
    /// What it keeps, e.g. "the Okta System Log".
    pub what: &'static str,
    /// The evidence kind to import older days as.
    pub export_kind: &'static str,
}

/// Every collector kind.
pub const REGISTRY: &[Spec] = &[
    github::SPEC,
    okta::SPEC,
    git::SPEC,
    host::SPEC,
    #[cfg(feature = "aws")]
    aws::SPEC,
];

/// The spec for a kind.
pub fn spec(kind: &str) -> Option<&'static Spec> {
    REGISTRY.iter().find(|s| s.kind == kind)
}

impl Context<'_> {
    /// Stores one HTTP response as evidence of `kind`, with its URL as the locator.
    pub fn store_response(
        &mut self,
        kind: &'static str,
        r: &http::Response,
        params: &[(&str, &str)],
        report: &mut Report,
    ) -> Result<(), CollectError> {
        let params = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.sink
            .store(Stored {
                kind,
                locator: r.url.clone(),
                bytes: r.body.clone(),
                params,
            })
            .map_err(CollectError::Store)?;
        report.stored += 1;
        Ok(())
    }
}

/// A string option of a collector table.
pub fn opt<'a>(t: &'a toml::Table, key: &str) -> Option<&'a str> {
    t.get(key).and_then(|v| v.as_str())
}

/// The secret named by `token_env` (or `default_env`), from the environment.
pub fn token(t: &toml::Table, default_env: &str) -> Result<(http::Secret, String), CollectError> {
    let var = opt(t, "token_env").unwrap_or(default_env).to_string();
    match std::env::var(&var) {
        Ok(v) if !v.trim().is_empty() => Ok((http::Secret::new(v.trim().to_string()), var)),
        _ => Err(CollectError::Config(format!(
            "the environment variable {var} is not set; export the API token there (secrets are read only from the environment)"
        ))),
    }
}
