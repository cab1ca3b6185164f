//! Builds engine inputs from small YAML fixtures through the real `json` import normalizer,
//! and runs one library test over them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assay_core::{AuditPeriod, Category, Control, EngineSettings, Inventory, Scope};
use assay_engine::assessment::TestOutcome;
use assay_engine::{Assessment, EvidenceInfo, Inputs};
use assay_tables::{Input, Tables};
use jiff::civil::Date;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// One table's planted rows.
pub struct TableData {
    /// Table name.
    pub name: String,
    /// The moment the evidence speaks for (microseconds).
    pub snapshot_at: i64,
    /// Recorded effective range, if any.
    pub effective: Option<(i64, i64)>,
    /// Rows as JSON objects.
    pub rows: Vec<Value>,
}

/// A fixture.
pub struct Fixture {
    /// Test id.
    pub test: String,
    /// Period.
    pub start: Date,
    /// Period end.
    pub end: Date,
    /// Tables.
    pub tables: Vec<TableData>,
    /// Expected exception keys, sorted.
    pub exceptions: Vec<String>,
}

/// Microseconds of an RFC 3339 instant or a date (its midnight).
pub fn micros(text: &str) -> i64 {
    let t = if text.len() == 10 {
        format!("{text}T00:00:00Z")
    } else {
        text.to_string()
    };
    t.parse::<jiff::Timestamp>()
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .as_microsecond()
}

/// Reads a fixture file.
pub fn load(path: &Path) -> Fixture {
    let text = std::fs::read_to_string(path).unwrap();
    let v: Value =
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let period = v["period"].as_str().unwrap();
    let (a, b) = period.split_once("..").unwrap();
    let (start, end): (Date, Date) = (a.parse().unwrap(), b.parse().unwrap());
    let after = micros(&end.tomorrow().unwrap().to_string());
    let mut tables = Vec::new();
    for (name, t) in v["tables"].as_object().unwrap() {
        let snapshot_at = t
            .get("snapshot_at")
            .and_then(Value::as_str)
            .map_or(after, micros);
        let effective = t.get("effective").and_then(Value::as_str).map(|r| {
            let (a, b) = r.split_once("..").unwrap();
            (micros(a), micros(b) + 86_400_000_000 - 1)
        });
        tables.push(TableData {
            name: name.clone(),
            snapshot_at,
            effective,
            rows: t["rows"].as_array().cloned().unwrap_or_default(),
        });
    }
    let mut exceptions: Vec<String> = v["expect_exceptions"]
        .as_array()
        .map(|a| a.iter().map(|k| k.as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    exceptions.sort();
    Fixture {
        test: v["test"].as_str().unwrap().to_string(),
        start,
        end,
        tables,
        exceptions,
    }
}

/// Evidence built from a fixture's tables: bytes, hash and import parameters per table.
pub struct Built {
    /// The tables.
    pub tables: Tables,
    /// What the engine knows of each piece of evidence.
    pub evidence: Vec<EvidenceInfo>,
}

/// Runs the fixture's tables through the `json` normalizer, as `assay evidence import`
/// would, in the given table order.
pub fn build(tables: &[&TableData]) -> Built {
    let mut owned = Vec::new();
    for t in tables {
        let bytes = serde_json::to_vec(&t.rows).unwrap();
        let hash = hex::encode(Sha256::digest(&bytes));
        let mut cols: Vec<String> = t
            .rows
            .iter()
            .flat_map(|r| r.as_object().unwrap().keys().cloned())
            .collect();
        cols.sort();
        cols.dedup();
        if !cols.contains(&"key".to_string()) {
            cols.push("key".into());
        }
        let map: Vec<String> = cols.iter().map(|c| format!("{c}={c}")).collect();
        let mut params = BTreeMap::new();
        params.insert("table".to_string(), t.name.clone());
        params.insert("map".to_string(), map.join(","));
        owned.push((bytes, hash, params, t));
    }
    let inputs = owned.iter().map(|(bytes, hash, params, t)| {
        (
            "json",
            Input {
                bytes,
                evidence: hash,
                snapshot_at: Some(t.snapshot_at),
                params,
                batch: None,
            },
        )
    });
    let built = Tables::build(inputs).unwrap_or_else(|(i, e)| panic!("table #{i}: {e}"));
    let evidence = owned
        .iter()
        .enumerate()
        .map(|(i, (_, hash, params, t))| EvidenceInfo {
            blob: hash.clone(),
            kind: "json".into(),
            source: "fixture".into(),
            params: params.clone(),
            unit: format!("entry-{i}"),
            snapshot_at: Some(t.snapshot_at),
            effective: t.effective,
            ttl_days: None,
            system_generated: true,
        })
        .collect();
    Built {
        tables: built,
        evidence,
    }
}

/// A Type II scope with every category.
pub fn scope(start: Date, end: Date) -> Scope {
    Scope {
        organization: "Acme Test".into(),
        system_name: "Acme Platform".into(),
        system_description: String::new(),
        period: AuditPeriod::Type2 { start, end },
        categories: Category::ALL.to_vec(),
    }
}

/// The library's controls.
pub fn library() -> Vec<Control> {
    let catalog = assay_catalog::Catalog::embedded().unwrap();
    catalog.controls.iter().map(|c| c.control.clone()).collect()
}

/// Assesses everything (or one control) over built evidence.
pub fn assess(
    scope: &Scope,
    controls: &[Control],
    built: &Built,
    only: Option<&str>,
) -> Assessment {
    let catalog = assay_catalog::Catalog::embedded().unwrap();
    let _rt = assay_testkit::runtime().enter();
    assay_engine::assess(&Inputs {
        scope,
        settings: &EngineSettings::default(),
        controls,
        criteria: &catalog.criteria,
        inventory: &Inventory::default(),
        tables: &built.tables,
        evidence: &built.evidence,
        results: &[],
        triage: &[],
        ipe: &[],
        walkthroughs: &[],
        ledger: None,
        collectors: &[],
        source_bindings: &Default::default(),
        sample_secret: None,
        only_control: only,
        progress: None,
        populations: None,
        population_cache: None,
    })
    .unwrap()
}

/// The outcome of one test of the library on a fixture.
pub fn run_fixture(fx: &Fixture, controls: &[Control]) -> TestOutcome {
    let control = fx.test.rsplit_once('.').unwrap().0;
    let tables: Vec<&TableData> = fx.tables.iter().collect();
    let built = build(&tables);
    let a = assess(&scope(fx.start, fx.end), controls, &built, Some(control));
    a.controls
        .into_iter()
        .flat_map(|c| c.tests)
        .find(|t| t.id == fx.test)
        .unwrap_or_else(|| panic!("no test {} in the library", fx.test))
}
