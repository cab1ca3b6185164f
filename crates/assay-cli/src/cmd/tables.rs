//! `assay tables` and `assay query`: the standard tables built from the locker's evidence.

use crate::output::{self, plural};
use crate::Outcome;
use anyhow::bail;
use assay_locker::entry::Entry;
use assay_locker::Locker;
use assay_tables::{cache, Input, Tables};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use serde_json::json;
use std::path::Path;

/// The moment a piece of evidence speaks for, in microseconds: its effective day (midnight
/// UTC) when given, else when it was collected.
pub fn snapshot_at(e: &Entry) -> Option<i64> {
    let day = e
        .record
        .effective_to
        .as_deref()
        .map(|d| format!("{d}T00:00:00Z"));
    let text = day.as_deref().unwrap_or(&e.record.collected_at);
    text.parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_microsecond())
}

/// Every table, from every entry of a known kind in the locker (empty without a locker).
pub fn load(root: &Path) -> anyhow::Result<Tables> {
    Ok(load_all(root)?.tables)
}

/// The tables with what they were built from.
pub struct Loaded {
    /// The standard tables.
    pub tables: Tables,
    /// The ledger entries of known kinds, in ledger order.
    pub entries: Vec<Entry>,
    /// The ledger's size and Merkle root (none without a locker).
    pub head: Option<(u64, String)>,
}

/// The tables, the entries they were built from, and the ledger head; from the table
/// cache when nothing changed since it was written.
pub fn load_all(root: &Path) -> anyhow::Result<Loaded> {
    let locker = match Locker::open(root, &super::locker_config(root)?) {
        Ok(l) => Some(l),
        Err(assay_locker::LockerError::NoLocker(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let Some(l) = &locker else {
        return Ok(Loaded {
            tables: Tables::build([]).map_err(|(_, e)| anyhow::anyhow!("{e}"))?,
            entries: Vec::new(),
            head: None,
        });
    };
    let entries: Vec<Entry> = l
        .entries()?
        .into_iter()
        .filter(|e| assay_tables::for_kind(&e.record.kind).is_some())
        .collect();
    let moments: Vec<Option<i64>> = entries.iter().map(snapshot_at).collect();
    let stubs: Vec<Input<'_>> = entries
        .iter()
        .zip(&moments)
        .map(|(e, at)| Input {
            bytes: &[],
            evidence: &e.record.blob,
            snapshot_at: *at,
            params: &e.record.params,
            batch: e.record.provenance.batch.as_deref(),
        })
        .collect();
    let key = cache::key(entries.iter().zip(&stubs).map(|(e, input)| cache::KeyPart {
        kind: &e.record.kind,
        input,
    }));
    let cache_root = l.dir().join("cache").join("tables");
    let head = Some(l.head()?);
    match cache::read(&cache_root, &key) {
        Ok(Some(tables)) => {
            return Ok(Loaded {
                tables,
                entries,
                head,
            })
        }
        Ok(None) => {}
        Err(e) => eprintln!("warning: the table cache cannot be read ({e}); rebuilding it"),
    }
    // One piece at a time: a file export's bytes are dropped once it is normalized.
    let mut builder = assay_tables::Builder::default();
    let which = |i: usize| {
        entries
            .get(i)
            .map(|e| format!("entry #{} ({})", e.seq, e.record.provenance.locator))
            .unwrap_or_default()
    };
    for (e, at) in entries.iter().zip(&moments) {
        let bytes = l.content(e)?;
        builder
            .add(assay_tables::Owned {
                kind: e.record.kind.clone(),
                bytes,
                evidence: e.record.blob.clone(),
                snapshot_at: *at,
                params: e.record.params.clone(),
                batch: e.record.provenance.batch.clone(),
            })
            .map_err(|(i, err)| anyhow::anyhow!("cannot read {}: {err}", which(i)))?;
    }
    let tables = builder
        .finish()
        .map_err(|(i, err)| anyhow::anyhow!("cannot read {}: {err}", which(i)))?;
    if let Err(e) = cache::write(&cache_root, &key, &tables) {
        eprintln!(
            "warning: the table cache cannot be written ({e}); the next run rebuilds the tables"
        );
    }
    Ok(Loaded {
        tables,
        entries,
        head,
    })
}

pub fn tables(root: &Path, schema: bool, json: bool) -> anyhow::Result<Outcome> {
    if schema {
        let tables = assay_tables::schema::TABLES;
        if json {
            let v: Vec<_> = tables
                .iter()
                .map(|t| {
                    let cols: Vec<_> = t
                        .all_columns()
                        .iter()
                        .map(|(n, k, doc)| json!({"name": n, "type": k.name(), "doc": doc}))
                        .collect();
                    json!({"table": t.name, "row": t.row, "snapshot": t.snapshot, "columns": cols})
                })
                .collect();
            output::json(&json!({ "schema": "assay.tables-schema/v1", "tables": v }))?;
        } else {
            for t in tables {
                println!("{}: one row per {}", t.name, t.row);
                for (n, k, doc) in t.all_columns() {
                    println!("  {n:<28} {:<16} {doc}", k.name());
                }
                println!();
            }
        }
        return Ok(Outcome::Ok);
    }
    let t = load(root)?;
    if json {
        let counts: serde_json::Map<String, serde_json::Value> = t
            .counts()
            .into_iter()
            .map(|(n, c)| (n.to_string(), json!(c)))
            .collect();
        output::json(&json!({ "schema": "assay.tables/v1", "rows": counts }))?;
    } else {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_header(vec!["table", "rows"]);
        for (n, c) in t.counts() {
            table.add_row(vec![n.to_string(), c.to_string()]);
        }
        println!("{table}");
    }
    Ok(Outcome::Ok)
}

pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn query(root: &Path, sql: &str, json: bool, csv: bool) -> anyhow::Result<Outcome> {
    let t = load(root)?;
    let result = match t.query(sql) {
        Ok(r) => r,
        Err(e) => bail!("query failed: {e}\n`assay tables --schema` lists the tables and columns"),
    };
    if json {
        output::json(
            &json!({ "schema": "assay.query/v1", "columns": result.columns, "rows": result.json_rows() }),
        )?;
    } else if csv {
        println!(
            "{}",
            result
                .columns
                .iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(",")
        );
        for row in result.text_rows() {
            println!(
                "{}",
                row.iter()
                    .map(|c| csv_field(c.as_deref().unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join(",")
            );
        }
    } else {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .set_header(result.columns.clone());
        for row in result.text_rows() {
            table.add_row(
                row.into_iter()
                    .map(|c| c.unwrap_or_else(|| "NULL".into()))
                    .collect::<Vec<_>>(),
            );
        }
        println!("{table}");
        println!("{}", plural(result.rows(), "row"));
    }
    Ok(Outcome::Ok)
}
