//! `assay tables` and `assay query`: the standard tables built from the locker's evidence.

use crate::output::{self, plural};
use crate::Outcome;
use anyhow::{bail, Context};
use assay_locker::blob::BlobStore;
use assay_locker::entry::Entry;
use assay_locker::Locker;
use assay_tables::{cache, Fragment, Input, Tables};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::path::PathBuf;
use std::time::Instant;

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

/// Where the rows cache of a workspace lives (see [`assay_tables::cache`]).
pub fn rows_cache(root: &Path) -> PathBuf {
    Locker::dir_of(root).join("cache").join("rows")
}

/// "1,234,567 rows, 2.1M rows/s" since `started`.
pub fn rate(rows: usize, started: Instant) -> String {
    let secs = started.elapsed().as_secs_f64().max(1e-3);
    let per = rows as f64 / secs;
    let per = if per >= 1e6 {
        format!("{:.1}M", per / 1e6)
    } else if per >= 1e3 {
        format!("{:.0}k", per / 1e3)
    } else {
        format!("{per:.0}")
    };
    format!("{} rows, {per} rows/s", output::thousands(rows))
}

/// A collection run: its kind and batch.
type RunId<'a> = (&'a str, Option<&'a str>);

/// A collection run's piece of evidence as a normalizer input.
fn input<'a>(e: &'a Entry, snapshot_at: Option<i64>, bytes: &'a [u8]) -> Input<'a> {
    Input {
        bytes,
        evidence: &e.record.blob,
        snapshot_at,
        params: &e.record.params,
        batch: e.record.provenance.batch.as_deref(),
    }
}

/// One piece of evidence's rows: from the rows cache, else normalized from its blob (and
/// then cached). `Err` says which entry and what is wrong.
fn fragment_of(
    store: &dyn BlobStore,
    cache_root: &Path,
    e: &Entry,
    key: &str,
) -> anyhow::Result<Fragment> {
    let tables = cache::tables_of(&e.record.kind, &e.record.params);
    match cache::read(cache_root, key, &tables) {
        Ok(Some(f)) => return Ok(f),
        Ok(None) => {}
        Err(err) => {
            eprintln!("warning: the rows cache cannot be read ({err}); reading the evidence again")
        }
    }
    let which = || format!("entry #{} ({})", e.seq, e.record.provenance.locator);
    let bytes = store
        .get(&e.record.blob)
        .with_context(|| format!("cannot read {}", which()))?;
    let f = assay_tables::fragment::each(&e.record.kind, &bytes, &e.record.blob, &e.record.params)
        .with_context(|| format!("cannot read {}", which()))?
        .unwrap_or_default();
    if let Err(err) = cache::write(cache_root, key, &tables, &f) {
        eprintln!("warning: the rows cache cannot be written ({err}); the next run reads the evidence again");
    }
    Ok(f)
}

/// The tables, the entries they were built from, and the ledger head. Each piece of
/// evidence's rows come from the rows cache when it has them (`assay evidence import` puts
/// them there), else from the blob; pieces are read on every core.
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
    let head = Some(l.head()?);
    let cache_root = rows_cache(root);
    // The whole-table cache of earlier versions.
    let _ = std::fs::remove_dir_all(l.dir().join("cache").join("tables"));
    if let Err(e) = std::fs::create_dir_all(&cache_root) {
        eprintln!("warning: the rows cache cannot be created ({e})");
    }
    let each_kind = |e: &Entry| {
        matches!(
            assay_tables::for_kind(&e.record.kind).map(|n| n.run),
            Some(assay_tables::Run::Each(_))
        )
    };
    let each: Vec<(&Entry, String)> = entries
        .iter()
        .filter(|e| each_kind(e))
        .map(|e| {
            let key = cache::each_key(&e.record.kind, &e.record.blob, &e.record.params);
            (e, key)
        })
        .collect();

    let bar = ProgressBar::new(entries.len() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} building tables [{bar:30}] {pos}/{len} pieces of evidence {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let store = l.blob_store();
    let mut rows = 0usize;
    let fragments = super::parallel::map(
        &each,
        |_, (e, key)| fragment_of(store, &cache_root, e, key),
        |_, r| {
            bar.inc(1);
            if let Ok(f) = r {
                rows += f.rows();
            }
            bar.set_message(rate(rows, started));
        },
    );
    let mut builder = assay_tables::Builder::default();
    let mut keep: BTreeSet<String> = each.iter().map(|(_, k)| k.clone()).collect();
    for ((e, _), f) in each.iter().zip(fragments) {
        builder.add_fragment(f?.stamped(snapshot_at(e))?);
    }

    // Collection runs: the responses of one run are read together.
    let mut runs: Vec<(RunId<'_>, Vec<&Entry>)> = Vec::new();
    for e in entries.iter().filter(|e| !each_kind(e)) {
        let id = (e.record.kind.as_str(), e.record.provenance.batch.as_deref());
        match runs.iter_mut().find(|(k, _)| *k == id) {
            Some((_, list)) => list.push(e),
            None => runs.push((id, vec![e])),
        }
    }
    for ((kind, _), list) in runs {
        let moments: Vec<Option<i64>> = list.iter().map(|e| snapshot_at(e)).collect();
        let stubs: Vec<Input<'_>> = list
            .iter()
            .zip(&moments)
            .map(|(e, at)| input(e, *at, &[]))
            .collect();
        let key = cache::run_key(kind, &stubs);
        keep.insert(key.clone());
        let tables = cache::tables_of(kind, &BTreeMap::new());
        let cached = cache::read(&cache_root, &key, &tables).unwrap_or_else(|err| {
            eprintln!("warning: the rows cache cannot be read ({err}); reading the evidence again");
            None
        });
        let f = match cached {
            Some(f) => f,
            None => {
                let which = format!(
                    "the {kind} collection run of entry #{}",
                    list.first().map_or(0, |e| e.seq)
                );
                let bytes: Vec<Vec<u8>> = list
                    .iter()
                    .map(|e| l.content(e))
                    .collect::<Result<_, _>>()
                    .with_context(|| format!("cannot read {which}"))?;
                let inputs: Vec<Input<'_>> = list
                    .iter()
                    .zip(&moments)
                    .zip(&bytes)
                    .map(|((e, at), b)| input(e, *at, b))
                    .collect();
                let f = assay_tables::fragment::run(kind, &inputs)
                    .with_context(|| format!("cannot read {which}"))?
                    .unwrap_or_default();
                if let Err(err) = cache::write(&cache_root, &key, &tables, &f) {
                    eprintln!("warning: the rows cache cannot be written ({err}); the next run reads the evidence again");
                }
                f
            }
        };
        bar.inc(list.len() as u64);
        builder.add_fragment(f);
    }
    bar.finish_and_clear();
    cache::prune(&cache_root, &keep);
    let tables = builder
        .finish()
        .map_err(|(_, err)| anyhow::anyhow!("cannot build the tables: {err}"))?;
    Ok(Loaded {
        tables,
        entries,
        head,
    })
}

pub fn tables(
    root: &Path,
    schema: bool,
    json: bool,
    export: Option<&Path>,
) -> anyhow::Result<Outcome> {
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
    if let Some(dir) = export {
        let files = t
            .write_parquet(dir)
            .with_context(|| format!("cannot export the tables to {}", dir.display()))?;
        if !json {
            println!(
                "Wrote {} to {}",
                plural(files.len(), "Parquet file"),
                dir.display()
            );
        }
    }
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
