//! Authentication: passwords (argon2id, rules after NIST SP 800-63B), secrets and their
//! digests, login throttling, and resolving the caller of a request from its session cookie
//! or API token.

pub mod caller;
pub mod cookie;
pub mod password;
pub mod ratelimit;
pub mod secret;
