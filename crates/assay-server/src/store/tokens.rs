//! API tokens for automation. A token reads `assay_<id>_<secret>`; the database keeps the
//! digest of the secret, the account, and the scope: one organization, one audit (or all
//! of the organization's audits), a role, an expiry. Shown once, revocable.

use crate::auth::secret;
use crate::db::{Conn, DbError, Row};
use crate::permissions::Role;

/// A token as listed (never its secret).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Token {
    /// Its public id.
    pub id: String,
    /// Its name, for people.
    pub name: String,
    /// The account it acts for.
    #[serde(skip)]
    pub user: String,
    /// Internal organization id.
    #[serde(skip)]
    pub org: String,
    /// Internal audit id; empty for all the organization's audits.
    #[serde(skip)]
    pub audit: String,
    /// The most it may do (never more than the account's own role).
    pub role: Role,
    /// Created, Unix seconds.
    pub created: i64,
    /// Expires, Unix seconds.
    pub expires: i64,
    /// Revoked, Unix seconds.
    pub revoked: Option<i64>,
}

fn token_of(r: &Row) -> Option<Token> {
    Some(Token {
        id: r.text(0),
        name: r.text(1),
        user: r.text(2),
        org: r.text(3),
        audit: r.text(4),
        role: Role::parse(&r.text(5))?,
        created: r.int(6),
        expires: r.int(7),
        revoked: r.opt_int(8),
    })
}

const COLUMNS: &str = "id, name, user_id, org, audit, role, created, expires, revoked";

/// Creates a token; returns it and the full token string (shown once).
pub fn create(
    c: &mut dyn Conn,
    user: &str,
    org: &str,
    audit: &str,
    role: Role,
    name: &str,
    ttl: i64,
) -> Result<(Token, String), DbError> {
    let (id, s) = (secret::id().replace(['-', '_'], "x"), secret::secret());
    let now = super::now();
    c.exec(
        "INSERT INTO tokens (id, secret, user_id, org, audit, role, name, created, expires)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            id.as_str().into(),
            secret::digest(&s).into(),
            user.into(),
            org.into(),
            audit.into(),
            role.name().into(),
            name.into(),
            now.into(),
            (now + ttl).into(),
        ],
    )?;
    let t = Token {
        id: id.clone(),
        name: name.to_string(),
        user: user.to_string(),
        org: org.to_string(),
        audit: audit.to_string(),
        role,
        created: now,
        expires: now + ttl,
        revoked: None,
    };
    Ok((t, format!("assay_{id}_{s}")))
}

/// The live token this string names: the secret matches, it is not revoked, not expired.
pub fn find(c: &mut dyn Conn, presented: &str) -> Result<Option<Token>, DbError> {
    let Some(rest) = presented.strip_prefix("assay_") else {
        return Ok(None);
    };
    let Some((id, s)) = rest.split_once('_') else {
        return Ok(None);
    };
    let Some(r) = c.one(
        &format!("SELECT {COLUMNS}, secret FROM tokens WHERE id = $1"),
        &[id.into()],
    )?
    else {
        return Ok(None);
    };
    let Some(t) = token_of(&r) else {
        return Ok(None);
    };
    if !secret::same(&r.text(9), &secret::digest(s))
        || t.revoked.is_some()
        || t.expires <= super::now()
    {
        return Ok(None);
    }
    c.exec(
        "UPDATE tokens SET last_used = $1 WHERE id = $2",
        &[super::now().into(), id.into()],
    )?;
    Ok(Some(t))
}

/// The tokens `user` made in organization `org`, newest first.
pub fn list(c: &mut dyn Conn, user: &str, org: &str) -> Result<Vec<Token>, DbError> {
    Ok(c.query(
        &format!("SELECT {COLUMNS} FROM tokens WHERE user_id = $1 AND org = $2 ORDER BY created DESC, id"),
        &[user.into(), org.into()],
    )?
    .iter()
    .filter_map(token_of)
    .collect())
}

/// Revokes token `id` of `user` in `org`; false when there is no such live token.
pub fn revoke(c: &mut dyn Conn, user: &str, org: &str, id: &str) -> Result<bool, DbError> {
    Ok(c.exec(
        "UPDATE tokens SET revoked = $1 WHERE id = $2 AND user_id = $3 AND org = $4 AND revoked IS NULL",
        &[super::now().into(), id.into(), user.into(), org.into()],
    )? == 1)
}
