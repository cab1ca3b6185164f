//! `assay tables` and `assay query`: the standard tables built from the locker's evidence
//! (by the pipeline), shown, exported or queried.

use crate::output::{self, plural};
use crate::Outcome;
use anyhow::{bail, Context};
use assay_tables::Tables;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use serde_json::json;
use std::path::Path;

/// Every table, from every entry of a known kind in the locker (empty without a locker).
fn load(root: &Path) -> anyhow::Result<Tables> {
    Ok(super::project(root)?
        .tables(&output::Bars::default())?
        .tables)
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

pub fn query(root: &Path, sql: &str, json: bool, csv: bool) -> anyhow::Result<Outcome> {
    let t = load(root)?;
    // The one runtime of the process: DataFusion runs the query on it.
    let result = match crate::runtime()?.block_on(t.query(sql)) {
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
                .map(|c| output::csv_field(c))
                .collect::<Vec<_>>()
                .join(",")
        );
        for row in result.text_rows() {
            println!(
                "{}",
                row.iter()
                    .map(|c| output::csv_field(c.as_deref().unwrap_or("")))
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
