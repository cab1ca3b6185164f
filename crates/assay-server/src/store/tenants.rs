//! Organizations and their audits. Each audit is one workspace folder the server was started
//! with; the organization is the workspace's `[scope] organization`.

use crate::db::{Conn, DbError, Row};

/// An organization.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Org {
    /// Internal id.
    #[serde(skip)]
    pub id: String,
    /// The id in URLs.
    pub slug: String,
    /// Its name.
    pub name: String,
}

/// An audit: one workspace.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Audit {
    /// Internal id.
    #[serde(skip)]
    pub id: String,
    /// Internal id of its organization.
    #[serde(skip)]
    pub org: String,
    /// The id in URLs, unique in its organization.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// The workspace folder.
    #[serde(skip)]
    pub root: String,
}

/// Lowercase letters, digits and single dashes, from any name.
pub fn slugify(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() {
        "audit".into()
    } else {
        s
    }
}

fn org_of(r: &Row) -> Org {
    Org {
        id: r.text(0),
        slug: r.text(1),
        name: r.text(2),
    }
}

fn audit_of(r: &Row) -> Audit {
    Audit {
        id: r.text(0),
        org: r.text(1),
        slug: r.text(2),
        name: r.text(3),
        root: r.text(4),
    }
}

/// The audit registered for the workspace at `root`, registering it (and its organization,
/// found by name) when new. Names are refreshed from the workspace on every start.
pub fn register(
    c: &mut dyn Conn,
    org_name: &str,
    audit_name: &str,
    folder: &str,
    root: &str,
) -> Result<(Org, Audit), DbError> {
    let org_slug = slugify(org_name);
    let org = match c.one(
        "SELECT id, slug, name FROM orgs WHERE slug = $1",
        &[org_slug.as_str().into()],
    )? {
        Some(r) => org_of(&r),
        None => {
            let id = crate::auth::secret::id();
            c.exec(
                "INSERT INTO orgs (id, slug, name, created) VALUES ($1, $2, $3, $4)",
                &[
                    id.as_str().into(),
                    org_slug.as_str().into(),
                    org_name.into(),
                    super::now().into(),
                ],
            )?;
            Org {
                id,
                slug: org_slug,
                name: org_name.to_string(),
            }
        }
    };
    if let Some(r) = c.one(
        "SELECT id, org, slug, name, root FROM audits WHERE root = $1",
        &[root.into()],
    )? {
        let a = audit_of(&r);
        c.exec(
            "UPDATE audits SET name = $1 WHERE id = $2",
            &[audit_name.into(), a.id.as_str().into()],
        )?;
        return Ok((
            org,
            Audit {
                name: audit_name.to_string(),
                ..a
            },
        ));
    }
    let base = slugify(folder);
    let mut slug = base.clone();
    let mut n = 1;
    while c
        .one(
            "SELECT id FROM audits WHERE org = $1 AND slug = $2",
            &[org.id.as_str().into(), slug.as_str().into()],
        )?
        .is_some()
    {
        n += 1;
        slug = format!("{base}-{n}");
    }
    let id = crate::auth::secret::id();
    c.exec(
        "INSERT INTO audits (id, org, slug, name, root, created) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            id.as_str().into(),
            org.id.as_str().into(),
            slug.as_str().into(),
            audit_name.into(),
            root.into(),
            super::now().into(),
        ],
    )?;
    let audit = Audit {
        id,
        org: org.id.clone(),
        slug,
        name: audit_name.to_string(),
        root: root.to_string(),
    };
    Ok((org, audit))
}

/// The organization with this slug.
pub fn org_by_slug(c: &mut dyn Conn, slug: &str) -> Result<Option<Org>, DbError> {
    Ok(c.one(
        "SELECT id, slug, name FROM orgs WHERE slug = $1",
        &[slug.into()],
    )?
    .map(|r| org_of(&r)))
}

/// The organization with this id.
pub fn org(c: &mut dyn Conn, id: &str) -> Result<Option<Org>, DbError> {
    Ok(c.one(
        "SELECT id, slug, name FROM orgs WHERE id = $1",
        &[id.into()],
    )?
    .map(|r| org_of(&r)))
}

/// The audit with this slug in organization `org`.
pub fn audit_by_slug(c: &mut dyn Conn, org: &str, slug: &str) -> Result<Option<Audit>, DbError> {
    Ok(c.one(
        "SELECT id, org, slug, name, root FROM audits WHERE org = $1 AND slug = $2",
        &[org.into(), slug.into()],
    )?
    .map(|r| audit_of(&r)))
}

/// The audits of organization `org`, by slug.
pub fn audits(c: &mut dyn Conn, org: &str) -> Result<Vec<Audit>, DbError> {
    Ok(c.query(
        "SELECT id, org, slug, name, root FROM audits WHERE org = $1 ORDER BY slug",
        &[org.into()],
    )?
    .iter()
    .map(audit_of)
    .collect())
}
