//! `okta-system-log`: Okta System Log events (`GET /api/v1/logs`, a JSON array or NDJSON)
//! → `audit_events`, keyed by the event's `uuid`. Events are read into typed structs that
//! borrow from the file (see [`super::loose`]).

use super::jsonutil::maybe_gunzip;
use super::loose::{records, utf8, List, Obj, Str};
use super::{Input, NormalizeError, Normalizer, Output};
use crate::rows::{put, Cell, Cols, Rows};
use crate::value;
use serde::Deserialize;
use std::borrow::Cow;

/// The normalizer.
pub const NORMALIZER: Normalizer = Normalizer {
    kind: "okta-system-log",
    version: 1,
    tables: &["audit_events"],
    format: "Okta System Log events: JSON array or NDJSON",
    run: super::Run::Each(run),
    importable: true,
};

/// One System Log event, as far as the tables need it.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct Event<'a> {
    #[serde(borrow, default)]
    uuid: Str<'a>,
    #[serde(borrow, default)]
    published: Str<'a>,
    #[serde(borrow, default)]
    event_type: Str<'a>,
    #[serde(borrow, default)]
    actor: Obj<Party<'a>>,
    #[serde(borrow, default)]
    target: List<Party<'a>>,
    #[serde(borrow, default)]
    client: Obj<Client<'a>>,
    #[serde(borrow, default)]
    outcome: Obj<Outcome<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Party<'a> {
    #[serde(borrow, default)]
    alternate_id: Str<'a>,
    #[serde(borrow, default)]
    display_name: Str<'a>,
    #[serde(rename = "type", borrow, default)]
    kind: Str<'a>,
}

impl Party<'_> {
    fn name(&self) -> Option<&str> {
        self.alternate_id.get().or_else(|| self.display_name.get())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Client<'a> {
    #[serde(borrow, default)]
    ip_address: Str<'a>,
}

#[derive(Deserialize)]
struct Outcome<'a> {
    #[serde(borrow, default)]
    result: Str<'a>,
}

fn run(input: &Input<'_>, out: &mut Output) -> Result<usize, NormalizeError> {
    let data = maybe_gunzip(input.bytes)?;
    let recs: Vec<(usize, Event<'_>)> = records(utf8(&data)?, None)?;
    let (rows, c) = out.table("audit_events")?;
    let mut row = rows.blank_cells();
    for (i, e) in &recs {
        push(rows, &c, &mut row, e, *i)?;
    }
    Ok(recs.len())
}

/// Reads an event from a stored API response (the Okta collector's `logs`).
pub(super) fn event(v: &serde_json::Value) -> Event<'_> {
    Event::deserialize(v).unwrap_or_default()
}

fn lower(s: Option<&str>) -> Cell<'static> {
    match s.map(str::to_ascii_lowercase) {
        Some(t) if !value::is_none(&t) => Cell::Text(Cow::Owned(t.trim().to_string())),
        _ => Cell::Null,
    }
}

/// Appends one System Log event to `audit_events` (`row` is a reusable buffer from
/// [`Rows::blank_cells`]).
pub(super) fn push<'a>(
    rows: &mut Rows,
    c: &Cols,
    row: &mut [Cell<'a>],
    r: &'a Event<'a>,
    i: usize,
) -> Result<(), NormalizeError> {
    let Some(id) = r.uuid.get() else {
        return Err(NormalizeError::at(
            i,
            "an event has no `uuid`; is this the Okta System Log (/api/v1/logs)?",
        ));
    };
    let published = r
        .published
        .get()
        .ok_or_else(|| NormalizeError::at(i, format!("event {id} has no `published` time")))?;
    let event_type = r.event_type.get().unwrap_or("");
    let actor = r.actor.get();
    put(row, c.at("key"), Cell::exact(id));
    put(row, c.at("source"), Cell::exact("okta"));
    put(
        row,
        c.at("time"),
        value::time(published)
            .map_err(|m| NormalizeError::at(i, format!("event {id}: {m}")))?
            .into(),
    );
    put(
        row,
        c.at("actor"),
        Cell::opt_text(actor.and_then(Party::name)),
    );
    put(
        row,
        c.at("actor_type"),
        lower(actor.and_then(|a| a.kind.get())),
    );
    put(row, c.at("action"), Cell::text(event_type));
    put(
        row,
        c.at("target"),
        Cell::opt_text(r.target.items.first().and_then(Party::name)),
    );
    put(
        row,
        c.at("source_ip"),
        Cell::opt_text(r.client.get().and_then(|x| x.ip_address.get())),
    );
    if event_type == "user.authentication.auth_via_mfa" {
        put(row, c.at("mfa_used"), Cell::Bool(true));
    }
    put(
        row,
        c.at("outcome"),
        lower(r.outcome.get().and_then(|o| o.result.get())),
    );
    rows.push_cells(row);
    Ok(())
}
