//! `csv` and `json`: any export into any standard table, with the column mapping recorded
//! alongside the evidence (`--table T --map column=Header,...`). `key` must be mapped.

use super::csvutil::{csv_error, headers, norm_header, reader};
use super::jsonutil::records;
use super::{Input, NormalizeError, Normalizer, Output};
use crate::rows::{set, Cols};
use crate::schema::{self, Kind, Table};
use crate::value::{self, Value};
use serde_json::Value as Json;

/// CSV with a mapping.
pub const CSV: Normalizer = Normalizer {
    kind: "csv",
    version: 1,
    tables: &["(any, by --table)"],
    format: "CSV with --table T --map column=Header,...",
    run: super::Run::Each(run_csv),
    importable: true,
};

/// JSON (array of objects, or NDJSON) with a mapping.
pub const JSON: Normalizer = Normalizer {
    kind: "json",
    version: 1,
    tables: &["(any, by --table)"],
    format: "JSON array of objects or NDJSON with --table T --map column=field,...",
    run: super::Run::Each(run_json),
    importable: true,
};

/// A mapped import's target table and (column, type, source name) triples.
pub type Mapping = (&'static Table, Vec<(&'static str, Kind, String)>);

/// The target table and (column, source name) pairs from the recorded parameters.
pub fn mapping(
    params: &std::collections::BTreeMap<String, String>,
) -> Result<Mapping, NormalizeError> {
    let name = params
        .get("table")
        .ok_or_else(|| NormalizeError::whole("no --table given for a csv/json import"))?;
    let table = schema::table(name).ok_or_else(|| {
        let all: Vec<&str> = schema::TABLES.iter().map(|t| t.name).collect();
        NormalizeError::whole(format!(
            "unknown table `{name}`; the tables are {}",
            all.join(", ")
        ))
    })?;
    let cols = table.all_columns();
    let mut out = Vec::new();
    for pair in params
        .get("map")
        .map(String::as_str)
        .unwrap_or("")
        .split(',')
        .filter(|p| !p.trim().is_empty())
    {
        let (col, src) = pair.split_once('=').ok_or_else(|| {
            NormalizeError::whole(format!("`{pair}` in --map is not column=Header"))
        })?;
        let col = col.trim();
        let (cname, kind, _) = cols.iter().find(|(n, _, _)| *n == col).ok_or_else(|| {
            NormalizeError::whole(format!(
                "`{col}` is not a column of {name}; `assay tables --schema` lists them"
            ))
        })?;
        if *cname == "evidence" || *cname == "snapshot_at" {
            return Err(NormalizeError::whole(format!(
                "`{cname}` is filled in by Assay; do not map it"
            )));
        }
        out.push((*cname, *kind, src.trim().to_string()));
    }
    if !out.iter().any(|(c, _, _)| *c == "key") {
        return Err(NormalizeError::whole(
            "--map must map `key` (the row's name in the source system), e.g. key=ID",
        ));
    }
    Ok((table, out))
}

fn convert(kind: Kind, raw: &str) -> Result<Value, String> {
    match kind {
        Kind::Text => Ok(value::text(raw)),
        Kind::Bool => value::boolean(raw),
        Kind::Int => {
            if value::is_none(raw) {
                Ok(Value::Null)
            } else {
                raw.trim()
                    .parse()
                    .map(Value::Int)
                    .map_err(|_| format!("`{}` is not a whole number", raw.trim()))
            }
        }
        Kind::Time => value::time(raw),
        Kind::Date => value::date(raw),
    }
}

fn run_csv(input: &Input<'_>, out: &mut Output) -> Result<usize, NormalizeError> {
    let (table, map) = mapping(input.params)?;
    let mut r = reader(input.bytes)?;
    let h = headers(&mut r)?;
    let mut idx = Vec::new();
    for (col, kind, src) in &map {
        let want = norm_header(src);
        let pos = h.iter().position(|x| *x == want).ok_or_else(|| {
            NormalizeError::at(
                1,
                format!(
                    "no column `{src}` for `{col}`; the headers are: {}",
                    h.join(", ")
                ),
            )
        })?;
        idx.push((*col, *kind, pos));
    }
    let c = Cols::of(table);
    let rows = out
        .rows(table.name)
        .ok_or_else(|| NormalizeError::whole("table missing"))?;
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.map_err(|e| csv_error(&e))?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        let mut row = rows.blank();
        for (col, kind, pos) in &idx {
            let v = convert(*kind, rec.get(*pos).unwrap_or(""))
                .map_err(|m| NormalizeError::at(line, format!("{col}: {m}")))?;
            set(&mut row, c.at(col), v);
        }
        if row.get(c.at("key")).is_none_or(|k| *k == Value::Null) {
            return Err(NormalizeError::at(line, "the key column is empty"));
        }
        rows.push(&mut row);
        n += 1;
    }
    Ok(n)
}

fn run_json(input: &Input<'_>, out: &mut Output) -> Result<usize, NormalizeError> {
    let (table, map) = mapping(input.params)?;
    let c = Cols::of(table);
    let recs = records(input.bytes, None)?;
    let rows = out
        .rows(table.name)
        .ok_or_else(|| NormalizeError::whole("table missing"))?;
    let mut n = 0;
    for (i, r) in recs {
        let mut row = rows.blank();
        for (col, kind, src) in &map {
            let pointer = format!("/{}", src.replace('.', "/"));
            let raw = match r.pointer(&pointer) {
                None | Some(Json::Null) => String::new(),
                Some(Json::String(s)) => s.clone(),
                Some(other) => other.to_string(),
            };
            let v =
                convert(*kind, &raw).map_err(|m| NormalizeError::at(i, format!("{col}: {m}")))?;
            set(&mut row, c.at(col), v);
        }
        if row.get(c.at("key")).is_none_or(|k| *k == Value::Null) {
            return Err(NormalizeError::at(i, "the key field is empty or missing"));
        }
        rows.push(&mut row);
        n += 1;
    }
    Ok(n)
}
