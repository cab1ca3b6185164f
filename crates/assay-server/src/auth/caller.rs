//! Who is calling: an account through a browser session (cookie) or through an API token
//! (`Authorization: Bearer assay_...`). A token is checked first and never falls back to a
//! cookie, so automation never acts with a browser's ambient credentials.

use crate::db::{Conn, DbError};
use crate::store::{accounts, sessions, tokens};
use axum::http::HeaderMap;

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    /// A browser session; state-changing requests must echo its CSRF token.
    Session(sessions::Session),
    /// An API token, with its scope.
    Token(tokens::Token),
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account.
    pub user: accounts::User,
    /// How.
    pub via: Via,
}

impl Caller {
    /// The name the audit log records: the email, plus the token id for a token.
    pub fn actor(&self) -> String {
        match &self.via {
            Via::Session(_) => self.user.email.clone(),
            Via::Token(t) => format!("{} (token {})", self.user.email, t.id),
        }
    }
}

/// What the request presented.
pub enum Presented {
    /// Nothing.
    Nothing,
    /// Something, but not valid (unknown, expired, revoked).
    Invalid,
    /// A valid caller.
    Valid(Box<Caller>),
}

/// The bearer token in `Authorization`, if any.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// Resolves the caller from the request's headers.
pub fn resolve(
    c: &mut dyn Conn,
    headers: &HeaderMap,
    secure: bool,
    idle: i64,
    absolute: i64,
) -> Result<Presented, DbError> {
    if let Some(t) = bearer(headers) {
        let Some(token) = tokens::find(c, &t)? else {
            return Ok(Presented::Invalid);
        };
        let Some(user) = accounts::user(c, &token.user)? else {
            return Ok(Presented::Invalid);
        };
        return Ok(Presented::Valid(Box::new(Caller {
            user,
            via: Via::Token(token),
        })));
    }
    if let Some(s) = super::cookie::read(headers, secure) {
        let Some(session) = sessions::find(c, &s, idle, absolute)? else {
            return Ok(Presented::Invalid);
        };
        let Some(user) = accounts::user(c, &session.user)? else {
            return Ok(Presented::Invalid);
        };
        return Ok(Presented::Valid(Box::new(Caller {
            user,
            via: Via::Session(session),
        })));
    }
    Ok(Presented::Nothing)
}
