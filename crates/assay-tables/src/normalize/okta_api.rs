//! `okta-api`: the responses the Okta collector stored in one run, read together →
//! `accounts` (every user, deprovisioned ones included, with MFA from their enrolled
//! factors) and `audit_events` (the System Log).

use super::jsonutil::{array, endpoint, s};
use super::okta_system_log;
use super::{Input, NormalizeError, Normalizer, Output};
use crate::rows::set;
use crate::value::{self, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The normalizer.
pub const NORMALIZER: Normalizer = Normalizer {
    kind: "okta-api",
    version: 1,
    tables: &["accounts", "audit_events"],
    format: "Okta API responses stored by the okta collector",
    run: super::Run::Batch(run),
    importable: false,
};

/// Statuses in which an Okta user can still sign in.
const CAN_SIGN_IN: &[&str] = &["ACTIVE", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT"];

fn run(inputs: &[Input<'_>], out: &mut Output) -> Result<usize, NormalizeError> {
    // Users with an active factor; users whose factors were fetched.
    let mut factors: BTreeMap<String, bool> = BTreeMap::new();
    for i in inputs.iter().filter(|i| endpoint(i) == "factors") {
        let id = i.params.get("user_id").cloned().unwrap_or_default();
        let active = array(i)?.iter().any(|f| s(f, "/status") == Some("ACTIVE"));
        factors.insert(id, active);
    }
    let (rows, c) = out.table("accounts")?;
    let mut seen = BTreeSet::new();
    let mut n = 0;
    for i in inputs
        .iter()
        .filter(|i| matches!(endpoint(i), "users" | "users-deprovisioned"))
    {
        rows.set_source(i.evidence, i.snapshot_at);
        for (k, u) in array(i)?.iter().enumerate() {
            let Some(id) = s(u, "/id") else {
                return Err(NormalizeError::at(k + 1, "a user has no `id`"));
            };
            if !seen.insert(id.to_string()) {
                continue;
            }
            let login = s(u, "/profile/login").unwrap_or(id);
            let status = s(u, "/status").unwrap_or("");
            let time = |p: &str| {
                value::time(s(u, p).unwrap_or(""))
                    .map_err(|m| NormalizeError::at(k + 1, format!("user {login}: {m}")))
            };
            let mut row = rows.blank();
            set(&mut row, c.at("key"), Value::Text(format!("okta:{login}")));
            set(&mut row, c.at("system"), Value::Text("okta".into()));
            set(&mut row, c.at("user_id"), Value::Text(id.to_string()));
            set(&mut row, c.at("login"), Value::Text(login.to_string()));
            set(
                &mut row,
                c.at("email"),
                value::opt_text(
                    s(u, "/profile/email")
                        .map(str::to_ascii_lowercase)
                        .as_deref(),
                ),
            );
            set(&mut row, c.at("status"), value::text(status));
            set(
                &mut row,
                c.at("active"),
                Value::Bool(CAN_SIGN_IN.contains(&status)),
            );
            set(
                &mut row,
                c.at("mfa"),
                factors.get(id).map(|a| Value::Bool(*a)).unwrap_or_default(),
            );
            set(&mut row, c.at("created_at"), time("/created")?);
            if matches!(status, "DEPROVISIONED" | "SUSPENDED") {
                set(&mut row, c.at("deactivated_at"), time("/statusChanged")?);
            }
            set(&mut row, c.at("last_login_at"), time("/lastLogin")?);
            rows.push(&mut row);
            n += 1;
        }
    }
    let (rows, c) = out.table("audit_events")?;
    for i in inputs.iter().filter(|i| endpoint(i) == "logs") {
        rows.set_source(i.evidence, i.snapshot_at);
        for (k, e) in array(i)?.iter().enumerate() {
            let event = okta_system_log::event(e);
            let mut row = rows.blank_cells();
            okta_system_log::push(rows, &c, &mut row, &event, k + 1)?;
            n += 1;
        }
    }
    Ok(n)
}
