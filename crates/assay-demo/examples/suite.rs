//! Times the default library's whole test suite over the demo company built straight into
//! tables: `cargo run --release -p assay-demo --example suite -- [PEOPLE EVENTS CHANGES]`
//! (defaults: 5,000 people, 10,000,000 audit events, 1,000,000 changes). `bench/engine.sh`
//! runs it; the output is one JSON object.

use assay_demo::{synth::Scale, tables};
use std::time::Instant;

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let people = arg(1, 5_000);
    let size = Scale {
        people,
        events: arg(2, 10_000_000),
        changes: arg(3, 1_000_000),
        accounts: people * 20,
    };
    let catalog = assay_catalog::Catalog::embedded()?;
    // The example is the caller, so it owns the runtime the engine's queries run on.
    let rt = tokio::runtime::Builder::new_multi_thread().build()?;
    let _entered = rt.enter();
    let t0 = Instant::now();
    let (tables, evidence) = tables::build(size, 0x5eed);
    let generated = t0.elapsed();
    let marks = std::cell::RefCell::new(Vec::new());
    let progress =
        |_: usize, _: usize, id: &str| marks.borrow_mut().push((id.to_string(), Instant::now()));
    let t1 = Instant::now();
    let a = tables::assess(catalog, &tables, &evidence, Some(&progress))?;
    let total = t1.elapsed();
    let end = Instant::now();
    let marks = marks.into_inner();
    let first = marks.first().map_or(end, |m| m.1);
    let mut per_test: Vec<(String, f64)> = marks
        .iter()
        .zip(marks.iter().skip(1).map(|m| m.1).chain([end]))
        .map(|((id, start), stop)| (id.clone(), (stop - *start).as_secs_f64()))
        .collect();
    per_test.sort_by(|a, b| b.1.total_cmp(&a.1));
    let automated = a
        .controls
        .iter()
        .flat_map(|c| &c.tests)
        .filter(|t| t.population.is_some())
        .count();
    let slowest: Vec<serde_json::Value> = per_test
        .iter()
        .take(8)
        .map(|(id, s)| serde_json::json!({"test": id, "seconds": (s * 1000.0).round() / 1000.0}))
        .collect();
    let out = serde_json::json!({
        "people": size.people,
        "audit_events": size.events,
        "changes": size.changes,
        "generate_seconds": generated.as_secs_f64(),
        "prepare_seconds": (first - t1).as_secs_f64(),
        "suite_seconds": total.as_secs_f64(),
        "tests": per_test.len(),
        "tests_with_population": automated,
        "exceptions": a.controls.iter().flat_map(|c| &c.tests).map(|t| t.exception_count).sum::<usize>(),
        "slowest": slowest,
        "summary": a.summary,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
