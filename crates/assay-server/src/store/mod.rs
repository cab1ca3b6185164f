//! Typed operations on the application database. Every query that reads or changes an
//! organization's data takes the organization's id and filters on it: tenants are isolated
//! in the store itself, not only by the router.

pub mod accounts;
pub mod assessments;
pub mod flows;
pub mod log;
pub mod sessions;
pub mod tenants;
pub mod tokens;

/// Now, in Unix seconds (the server's clock: sessions, tokens and the log record it).
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}
