//! Incremental re-testing on the demo: `assay ci` keeps each whole-population run and reuses
//! it while the test's query and tables are unchanged; after new evidence for one table, only
//! the tests reading that table query again. The assessment is the same, value for value, as a
//! fresh `assay assess` every time.

use super::common::run;
use serde_json::Value;
use std::path::Path;

fn ci(ws: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["ci", "--json", "--no-collect"];
    args.extend_from_slice(extra);
    let (code, out, err) = run(ws, &args);
    assert!(code == 0 || code == 1, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// The assessment `assay ci` kept equals a fresh one.
fn same_as_fresh(ws: &Path) -> Value {
    let kept: Value = serde_json::from_str(
        &std::fs::read_to_string(ws.join(".assay/ci/assessment.json")).unwrap(),
    )
    .unwrap();
    let (code, fresh, err) = run(ws, &["assess", "--json"]);
    assert!(code == 0 || code == 1, "{err}");
    let fresh: Value = serde_json::from_str(&fresh).unwrap();
    assert!(
        kept == fresh,
        "the reused assessment differs from a fresh one"
    );
    fresh
}

pub fn reused(ws: &Path) {
    let first = ci(ws, &[]);
    let n = |r: &Value, k: &str| r["populations"][k].as_u64().unwrap();
    let total = n(&first, "reused") + n(&first, "ran");
    // Nothing changed: every whole-population test is reused.
    let second = ci(ws, &[]);
    assert_eq!(n(&second, "ran"), 0, "{}", second["populations"]);
    assert_eq!(n(&second, "reused"), total);
    let a = same_as_fresh(ws);
    let population_tests: Vec<&Value> = a["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["tests"].as_array().unwrap())
        .filter(|t| t["method"] == "population" && t["population"].is_object())
        .collect();
    assert_eq!(
        population_tests.len() as u64,
        total,
        "one run per population test"
    );
    // New evidence for one table read by a population test: a mapped CSV import of the demo
    // again, with one more row (a fresh key).
    let read_by = |table: &str| -> u64 {
        population_tests
            .iter()
            .filter(|t| {
                t["population"]["tables"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x == table)
            })
            .count() as u64
    };
    let (code, list, err) = run(ws, &["evidence", "list", "--json"]);
    assert_eq!(code, 0, "{err}");
    let list: Value = serde_json::from_str(&list).unwrap();
    let import = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["entry"])
        .find(|e| {
            e["params"]["table"]
                .as_str()
                .is_some_and(|t| read_by(t) > 0 && read_by(t) < total)
        })
        .expect("a mapped CSV import read by some population tests");
    let table = import["params"]["table"].as_str().unwrap();
    let map = import["params"]["map"].as_str().unwrap();
    let csv = std::fs::read_to_string(import["provenance"]["locator"].as_str().unwrap()).unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    let first = lines.next().unwrap();
    assert!(!first.contains('"'), "a plain CSV row: {first}");
    let key_header = map
        .split(',')
        .find_map(|kv| kv.strip_prefix("key="))
        .unwrap();
    let at = header.split(',').position(|h| h == key_header).unwrap();
    let row: Vec<String> = first
        .split(',')
        .enumerate()
        .map(|(i, v)| {
            if i == at {
                format!("{v}-again")
            } else {
                v.to_string()
            }
        })
        .collect();
    let extra = ws.join("extra-rows.csv");
    std::fs::write(&extra, format!("{header}\n{}\n", row.join(","))).unwrap();
    let (code, out, err) = run(
        ws,
        &[
            "evidence",
            "import",
            extra.to_str().unwrap(),
            "--kind",
            "csv",
            "--table",
            table,
            "--map",
            map,
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let reading = read_by(table);
    let third = ci(ws, &[]);
    assert_eq!(
        n(&third, "ran"),
        reading,
        "{table}: {}",
        third["populations"]
    );
    assert_eq!(n(&third, "reused"), total - reading);
    same_as_fresh(ws);
    // --fresh queries everything and says nothing of reuse.
    let fresh = ci(ws, &["--fresh"]);
    assert!(fresh["populations"].is_null(), "{fresh}");
}
