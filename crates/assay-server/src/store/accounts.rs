//! Accounts, the one-time setup link, roles in organizations and audits, and invitations.

use crate::auth::secret;
use crate::db::{Conn, DbError, Row};
use crate::permissions::Role;

/// An account.
#[derive(Debug, Clone, serde::Serialize)]
pub struct User {
    /// Its id.
    pub id: String,
    /// Email address (unique, lowercase).
    pub email: String,
    /// Display name.
    pub name: String,
    /// The argon2id hash (PHC string); none for single sign-on only.
    #[serde(skip)]
    pub password: Option<String>,
}

fn user_of(r: &Row) -> User {
    User {
        id: r.text(0),
        email: r.text(1),
        name: r.text(2),
        password: r.opt_text(3),
    }
}

const USER: &str = "SELECT id, email, name, password FROM users";

/// How many accounts exist.
pub fn user_count(c: &mut dyn Conn) -> Result<i64, DbError> {
    Ok(c.one("SELECT COUNT(*) FROM users", &[])?
        .map(|r| r.int(0))
        .unwrap_or(0))
}

/// The account with this email (compared lowercase).
pub fn user_by_email(c: &mut dyn Conn, email: &str) -> Result<Option<User>, DbError> {
    Ok(c.one(
        &format!("{USER} WHERE email = $1"),
        &[email.to_lowercase().into()],
    )?
    .map(|r| user_of(&r)))
}

/// The account with this id.
pub fn user(c: &mut dyn Conn, id: &str) -> Result<Option<User>, DbError> {
    Ok(c.one(&format!("{USER} WHERE id = $1"), &[id.into()])?
        .map(|r| user_of(&r)))
}

/// Creates an account.
pub fn create_user(
    c: &mut dyn Conn,
    email: &str,
    name: &str,
    password_hash: Option<String>,
) -> Result<User, DbError> {
    let id = secret::id();
    c.exec(
        "INSERT INTO users (id, email, name, password, created) VALUES ($1, $2, $3, $4, $5)",
        &[
            id.as_str().into(),
            email.to_lowercase().into(),
            name.into(),
            password_hash.clone().into(),
            super::now().into(),
        ],
    )?;
    Ok(User {
        id,
        email: email.to_lowercase(),
        name: name.to_string(),
        password: password_hash,
    })
}

/// A new one-time setup secret (replacing any earlier one), when no account exists yet.
pub fn new_setup_secret(c: &mut dyn Conn) -> Result<Option<String>, DbError> {
    if user_count(c)? > 0 {
        c.exec("DELETE FROM setup", &[])?;
        return Ok(None);
    }
    let s = secret::secret();
    c.exec("DELETE FROM setup", &[])?;
    c.exec(
        "INSERT INTO setup (id, secret, created) VALUES (1, $1, $2)",
        &[secret::digest(&s).into(), super::now().into()],
    )?;
    Ok(Some(s))
}

/// Consumes the setup secret: true once, when it matches and no account exists yet.
pub fn take_setup_secret(c: &mut dyn Conn, given: &str) -> Result<bool, DbError> {
    let Some(r) = c.one("SELECT secret FROM setup WHERE id = 1", &[])? else {
        return Ok(false);
    };
    if user_count(c)? > 0 || !secret::same(&r.text(0), &secret::digest(given)) {
        return Ok(false);
    }
    c.exec("DELETE FROM setup", &[])?;
    Ok(true)
}

/// A role held: in an organization (audit empty) or in one audit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Membership {
    /// The account.
    pub user: String,
    /// Internal organization id.
    #[serde(skip)]
    pub org: String,
    /// Internal audit id; empty for the whole organization.
    #[serde(skip)]
    pub audit: String,
    /// The role.
    pub role: Role,
}

fn membership_of(r: &Row) -> Option<Membership> {
    Some(Membership {
        user: r.text(0),
        org: r.text(1),
        audit: r.text(2),
        role: Role::parse(&r.text(3))?,
    })
}

/// Grants `role` (replacing any role held at the same level).
pub fn grant(
    c: &mut dyn Conn,
    user: &str,
    org: &str,
    audit: &str,
    role: Role,
) -> Result<(), DbError> {
    c.exec(
        "DELETE FROM memberships WHERE user_id = $1 AND org = $2 AND audit = $3",
        &[user.into(), org.into(), audit.into()],
    )?;
    c.exec(
        "INSERT INTO memberships (user_id, org, audit, role) VALUES ($1, $2, $3, $4)",
        &[user.into(), org.into(), audit.into(), role.name().into()],
    )?;
    Ok(())
}

/// Removes every role `user` holds in organization `org`; how many were removed.
pub fn revoke_all(c: &mut dyn Conn, user: &str, org: &str) -> Result<u64, DbError> {
    c.exec(
        "DELETE FROM memberships WHERE user_id = $1 AND org = $2",
        &[user.into(), org.into()],
    )
}

/// The roles `user` holds in organization `org` (at the organization and per audit).
pub fn roles_of(c: &mut dyn Conn, user: &str, org: &str) -> Result<Vec<Membership>, DbError> {
    Ok(c.query(
        "SELECT user_id, org, audit, role FROM memberships WHERE user_id = $1 AND org = $2",
        &[user.into(), org.into()],
    )?
    .iter()
    .filter_map(membership_of)
    .collect())
}

/// The organizations where `user` holds any role, by slug.
pub fn orgs_of(c: &mut dyn Conn, user: &str) -> Result<Vec<super::tenants::Org>, DbError> {
    Ok(c.query(
        "SELECT DISTINCT o.id, o.slug, o.name FROM orgs o JOIN memberships m ON m.org = o.id
         WHERE m.user_id = $1 ORDER BY o.slug",
        &[user.into()],
    )?
    .iter()
    .map(|r| super::tenants::Org {
        id: r.text(0),
        slug: r.text(1),
        name: r.text(2),
    })
    .collect())
}

/// A member as listed: account and roles.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Member {
    /// Account id.
    pub id: String,
    /// Email.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role in the whole organization, if any.
    pub role: Option<Role>,
    /// Roles in single audits (audit slug → role).
    pub audits: std::collections::BTreeMap<String, Role>,
}

/// The members of organization `org`, by email.
pub fn members(c: &mut dyn Conn, org: &str) -> Result<Vec<Member>, DbError> {
    let rows = c.query(
        "SELECT u.id, u.email, u.name, m.audit, m.role, COALESCE(a.slug, '') FROM memberships m
         JOIN users u ON u.id = m.user_id LEFT JOIN audits a ON a.id = m.audit
         WHERE m.org = $1 ORDER BY u.email, m.audit",
        &[org.into()],
    )?;
    let mut out: Vec<Member> = Vec::new();
    for r in rows {
        let Some(role) = Role::parse(&r.text(4)) else {
            continue;
        };
        if out.last().is_none_or(|m| m.id != r.text(0)) {
            out.push(Member {
                id: r.text(0),
                email: r.text(1),
                name: r.text(2),
                role: None,
                audits: Default::default(),
            });
        }
        if let Some(m) = out.last_mut() {
            if r.text(3).is_empty() {
                m.role = Some(role);
            } else {
                m.audits.insert(r.text(5), role);
            }
        }
    }
    Ok(out)
}

/// A pending invitation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Invitation {
    /// Its id.
    pub id: String,
    /// Who is invited.
    pub email: String,
    /// The role offered.
    pub role: Role,
    /// The audit slug, for a role in one audit.
    pub audit: Option<String>,
    /// When it expires (Unix seconds).
    pub expires: i64,
}

/// Records an invitation; returns it and its one-time secret.
#[allow(clippy::too_many_arguments)]
pub fn invite(
    c: &mut dyn Conn,
    org: &str,
    audit: Option<(&str, &str)>,
    role: Role,
    email: &str,
    by: &str,
    ttl: i64,
) -> Result<(Invitation, String), DbError> {
    let (id, s) = (secret::id(), secret::secret());
    let now = super::now();
    c.exec(
        "INSERT INTO invitations (id, secret, org, audit, role, email, invited_by, created, expires)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            id.as_str().into(),
            secret::digest(&s).into(),
            org.into(),
            audit.map(|a| a.0).unwrap_or("").into(),
            role.name().into(),
            email.to_lowercase().into(),
            by.into(),
            now.into(),
            (now + ttl).into(),
        ],
    )?;
    let inv = Invitation {
        id: id.clone(),
        email: email.to_lowercase(),
        role,
        audit: audit.map(|a| a.1.to_string()),
        expires: now + ttl,
    };
    Ok((inv, format!("{id}.{s}")))
}

/// The pending (not accepted, not expired) invitations of organization `org`.
pub fn invitations(c: &mut dyn Conn, org: &str) -> Result<Vec<Invitation>, DbError> {
    Ok(c.query(
        "SELECT i.id, i.email, i.role, a.slug, i.expires FROM invitations i
         LEFT JOIN audits a ON a.id = i.audit
         WHERE i.org = $1 AND i.accepted IS NULL AND i.expires > $2 ORDER BY i.email, i.id",
        &[org.into(), super::now().into()],
    )?
    .iter()
    .filter_map(|r| {
        Some(Invitation {
            id: r.text(0),
            email: r.text(1),
            role: Role::parse(&r.text(2))?,
            audit: r.opt_text(3),
            expires: r.int(4),
        })
    })
    .collect())
}

/// Accepts an invitation by its token (`id.secret`): the organization, audit and role it
/// grants, and the invited email. Only once, and only before it expires.
pub fn accept(
    c: &mut dyn Conn,
    token: &str,
) -> Result<Option<(String, String, Role, String)>, DbError> {
    let Some((id, s)) = token.split_once('.') else {
        return Ok(None);
    };
    let Some(r) = c.one(
        "SELECT secret, org, audit, role, email, expires, accepted FROM invitations WHERE id = $1",
        &[id.into()],
    )?
    else {
        return Ok(None);
    };
    if !secret::same(&r.text(0), &secret::digest(s))
        || r.int(5) <= super::now()
        || r.opt_int(6).is_some()
    {
        return Ok(None);
    }
    let Some(role) = Role::parse(&r.text(3)) else {
        return Ok(None);
    };
    c.exec(
        "UPDATE invitations SET accepted = $1 WHERE id = $2",
        &[super::now().into(), id.into()],
    )?;
    Ok(Some((r.text(1), r.text(2), role, r.text(4))))
}

/// The account signed in through single sign-on as `subject` (`issuer|sub`): found by
/// subject, else by email (and linked), else created without a password.
pub fn sso_user(c: &mut dyn Conn, subject: &str, email: &str, name: &str) -> Result<User, DbError> {
    if let Some(r) = c.one(
        &format!("{USER} WHERE oidc_subject = $1"),
        &[subject.into()],
    )? {
        return Ok(user_of(&r));
    }
    let user = match user_by_email(c, email)? {
        Some(u) => u,
        None => create_user(c, email, name, None)?,
    };
    c.exec(
        "UPDATE users SET oidc_subject = $1 WHERE id = $2",
        &[subject.into(), user.id.as_str().into()],
    )?;
    Ok(user)
}
