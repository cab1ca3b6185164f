//! The tables of the application database, created when missing. Times are Unix seconds;
//! secrets are stored only as SHA-256 (tokens, sessions, invitations, the setup link) or
//! argon2id (passwords).

use super::{Conn, DbError};

const TABLES: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS orgs (
        id TEXT PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL, created BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS audits (
        id TEXT PRIMARY KEY, org TEXT NOT NULL REFERENCES orgs(id), slug TEXT NOT NULL,
        name TEXT NOT NULL, root TEXT NOT NULL UNIQUE, created BIGINT NOT NULL,
        UNIQUE (org, slug))",
    "CREATE TABLE IF NOT EXISTS users (
        id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
        password TEXT, oidc_subject TEXT UNIQUE, created BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS memberships (
        user_id TEXT NOT NULL REFERENCES users(id), org TEXT NOT NULL REFERENCES orgs(id),
        audit TEXT NOT NULL, role TEXT NOT NULL, PRIMARY KEY (user_id, org, audit))",
    "CREATE TABLE IF NOT EXISTS sessions (
        id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), csrf TEXT NOT NULL,
        created BIGINT NOT NULL, seen BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tokens (
        id TEXT PRIMARY KEY, secret TEXT NOT NULL, user_id TEXT NOT NULL REFERENCES users(id),
        org TEXT NOT NULL REFERENCES orgs(id), audit TEXT NOT NULL, role TEXT NOT NULL,
        name TEXT NOT NULL, created BIGINT NOT NULL, expires BIGINT NOT NULL, revoked BIGINT,
        last_used BIGINT)",
    "CREATE TABLE IF NOT EXISTS invitations (
        id TEXT PRIMARY KEY, secret TEXT NOT NULL, org TEXT NOT NULL REFERENCES orgs(id),
        audit TEXT NOT NULL, role TEXT NOT NULL, email TEXT NOT NULL, invited_by TEXT NOT NULL,
        created BIGINT NOT NULL, expires BIGINT NOT NULL, accepted BIGINT)",
    "CREATE TABLE IF NOT EXISTS setup (
        id BIGINT PRIMARY KEY, secret TEXT NOT NULL, created BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS oidc_flows (
        id TEXT PRIMARY KEY, nonce TEXT NOT NULL, verifier TEXT NOT NULL, created BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS log (
        seq BIGINT PRIMARY KEY, at TEXT NOT NULL, org TEXT NOT NULL, audit TEXT NOT NULL,
        actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, ip TEXT NOT NULL,
        ledger_audit TEXT NOT NULL, entry_seq BIGINT NOT NULL, entry_hash TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS assessments (
        audit TEXT PRIMARY KEY, body TEXT NOT NULL, created BIGINT NOT NULL)",
];

/// Creates every table that does not exist yet.
pub fn create(c: &mut dyn Conn) -> Result<(), DbError> {
    for t in TABLES {
        c.exec(t, &[])?;
    }
    Ok(())
}
