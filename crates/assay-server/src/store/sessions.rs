//! Browser sessions. The cookie holds a random secret; the database holds only its digest,
//! the account, the CSRF token and two times (created, last seen) for the absolute and idle
//! expiry. A login always creates a new session (never reuses the one the browser sent), so
//! a session id planted before login is worthless.

use crate::auth::secret;
use crate::db::{Conn, DbError};

/// A live session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The digest of its secret (the row's key).
    pub key: String,
    /// The account.
    pub user: String,
    /// The token that state-changing requests must echo in `X-CSRF-Token`.
    pub csrf: String,
}

/// Starts a session for `user`; returns the cookie secret and the session.
pub fn start(c: &mut dyn Conn, user: &str) -> Result<(String, Session), DbError> {
    let s = secret::secret();
    let session = Session {
        key: secret::digest(&s),
        user: user.to_string(),
        csrf: secret::secret(),
    };
    let now = super::now();
    c.exec(
        "INSERT INTO sessions (id, user_id, csrf, created, seen) VALUES ($1, $2, $3, $4, $5)",
        &[
            session.key.as_str().into(),
            user.into(),
            session.csrf.as_str().into(),
            now.into(),
            now.into(),
        ],
    )?;
    Ok((s, session))
}

/// The session whose cookie secret is `s`, when it has not expired (idle for more than `idle`
/// seconds, or older than `absolute`); touching it extends the idle expiry. An expired
/// session is deleted.
pub fn find(
    c: &mut dyn Conn,
    s: &str,
    idle: i64,
    absolute: i64,
) -> Result<Option<Session>, DbError> {
    let key = secret::digest(s);
    let Some(r) = c.one(
        "SELECT user_id, csrf, created, seen FROM sessions WHERE id = $1",
        &[key.as_str().into()],
    )?
    else {
        return Ok(None);
    };
    let now = super::now();
    if now - r.int(3) > idle || now - r.int(2) > absolute {
        c.exec("DELETE FROM sessions WHERE id = $1", &[key.as_str().into()])?;
        return Ok(None);
    }
    // Write the last-seen time at most once a minute, so reads stay reads.
    if now - r.int(3) >= 60 {
        c.exec(
            "UPDATE sessions SET seen = $1 WHERE id = $2",
            &[now.into(), key.as_str().into()],
        )?;
    }
    Ok(Some(Session {
        key,
        user: r.text(0),
        csrf: r.text(1),
    }))
}

/// Ends one session.
pub fn end(c: &mut dyn Conn, key: &str) -> Result<(), DbError> {
    c.exec("DELETE FROM sessions WHERE id = $1", &[key.into()])?;
    Ok(())
}

/// Ends every session of `user` (logout everywhere); how many there were.
pub fn end_all(c: &mut dyn Conn, user: &str) -> Result<u64, DbError> {
    c.exec("DELETE FROM sessions WHERE user_id = $1", &[user.into()])
}
