//! Times the default library's whole test suite over a synthetic company:
//! `cargo run --release -p assay-engine --example suite -- [PEOPLE EVENTS CHANGES]`
//! (defaults: 5,000 people, 10,000,000 audit events, 1,000,000 changes). `bench/engine.sh`
//! runs it; the output is one JSON object.

mod synthetic;

use std::time::Instant;

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let size = synthetic::Size {
        people: arg(1, 5_000),
        events: arg(2, 10_000_000),
        changes: arg(3, 1_000_000),
    };
    let t0 = Instant::now();
    let (tables, evidence) = synthetic::build(size);
    let generated = t0.elapsed();
    let marks = std::cell::RefCell::new(Vec::new());
    let progress =
        |_: usize, _: usize, id: &str| marks.borrow_mut().push((id.to_string(), Instant::now()));
    let t1 = Instant::now();
    let a = synthetic::assess(&tables, &evidence, Some(&progress))?;
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
