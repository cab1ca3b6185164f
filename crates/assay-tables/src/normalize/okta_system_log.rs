//! `okta-system-log`: Okta System Log events (`GET /api/v1/logs`, a JSON array or NDJSON)
//! → `audit_events`, keyed by the event's `uuid`.

use super::jsonutil::{records, s};
use super::{Input, NormalizeError, Normalizer, Output};
use crate::rows::{set, Cols, Rows};
use crate::value::{self, Value};

/// The normalizer.
pub const NORMALIZER: Normalizer = Normalizer {
    kind: "okta-system-log",
    version: 1,
    tables: &["audit_events"],
    format: "Okta System Log events: JSON array or NDJSON",
    run: super::Run::Each(run),
    importable: true,
};

fn run(input: &Input<'_>, out: &mut Output) -> Result<usize, NormalizeError> {
    let recs = records(input.bytes, None)?;
    let (rows, c) = out.table("audit_events")?;
    for (i, r) in &recs {
        push(rows, &c, r, input.evidence, *i)?;
    }
    Ok(recs.len())
}

/// Appends one System Log event to `audit_events`.
pub(super) fn push(
    rows: &mut Rows,
    c: &Cols,
    r: &serde_json::Value,
    evidence: &str,
    i: usize,
) -> Result<(), NormalizeError> {
    let Some(id) = s(r, "/uuid") else {
        return Err(NormalizeError::at(
            i,
            "an event has no `uuid`; is this the Okta System Log (/api/v1/logs)?",
        ));
    };
    let published = s(r, "/published")
        .ok_or_else(|| NormalizeError::at(i, format!("event {id} has no `published` time")))?;
    let event_type = s(r, "/eventType").unwrap_or("");
    let mut row = rows.blank();
    set(&mut row, c.at("key"), Value::Text(id.to_string()));
    set(&mut row, c.at("source"), Value::Text("okta".into()));
    set(
        &mut row,
        c.at("time"),
        value::time(published).map_err(|m| NormalizeError::at(i, format!("event {id}: {m}")))?,
    );
    set(
        &mut row,
        c.at("actor"),
        value::opt_text(s(r, "/actor/alternateId").or_else(|| s(r, "/actor/displayName"))),
    );
    set(
        &mut row,
        c.at("actor_type"),
        value::opt_text(s(r, "/actor/type").map(str::to_ascii_lowercase).as_deref()),
    );
    set(&mut row, c.at("action"), value::text(event_type));
    set(
        &mut row,
        c.at("target"),
        value::opt_text(s(r, "/target/0/alternateId").or_else(|| s(r, "/target/0/displayName"))),
    );
    set(
        &mut row,
        c.at("source_ip"),
        value::opt_text(s(r, "/client/ipAddress")),
    );
    if event_type == "user.authentication.auth_via_mfa" {
        set(&mut row, c.at("mfa_used"), Value::Bool(true));
    }
    set(
        &mut row,
        c.at("outcome"),
        value::opt_text(
            s(r, "/outcome/result")
                .map(str::to_ascii_lowercase)
                .as_deref(),
        ),
    );
    set(
        &mut row,
        c.at("evidence"),
        Value::Text(evidence.to_string()),
    );
    rows.push(&mut row);
    Ok(())
}
