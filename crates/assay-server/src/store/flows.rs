//! Single sign-on flows in progress: keyed by the digest of their `state`, used once, and
//! valid for ten minutes.

use crate::auth::secret;
use crate::db::{Conn, DbError};
use crate::oidc::Flow;

/// How long a sign-in may take at the provider.
pub const TTL: i64 = 600;

/// Keeps a flow until the browser returns.
pub fn keep(c: &mut dyn Conn, f: &Flow) -> Result<(), DbError> {
    c.exec(
        "DELETE FROM oidc_flows WHERE created < $1",
        &[(super::now() - TTL).into()],
    )?;
    c.exec(
        "INSERT INTO oidc_flows (id, nonce, verifier, created) VALUES ($1, $2, $3, $4)",
        &[
            secret::digest(&f.state).into(),
            f.nonce.as_str().into(),
            f.verifier.as_str().into(),
            super::now().into(),
        ],
    )?;
    Ok(())
}

/// Takes the flow with this `state` (once): none when unknown, used or expired.
pub fn take(c: &mut dyn Conn, state: &str) -> Result<Option<Flow>, DbError> {
    let id = secret::digest(state);
    let Some(r) = c.one(
        "SELECT nonce, verifier, created FROM oidc_flows WHERE id = $1",
        &[id.as_str().into()],
    )?
    else {
        return Ok(None);
    };
    c.exec(
        "DELETE FROM oidc_flows WHERE id = $1",
        &[id.as_str().into()],
    )?;
    if super::now() - r.int(2) > TTL {
        return Ok(None);
    }
    Ok(Some(Flow {
        state: state.to_string(),
        nonce: r.text(0),
        verifier: r.text(1),
    }))
}
