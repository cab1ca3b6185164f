//! `cargo bench -p assay-engine`: the whole default test suite over a synthetic company at
//! two sizes (events, changes); `bench/engine.sh` runs the 10M-event size once.

#[path = "../examples/synthetic/mod.rs"]
mod synthetic;

use assay_core::{AuditPeriod, Category, EngineSettings, Scope};

fn main() {
    divan::main();
}

#[divan::bench(args = [(100_000, 10_000), (1_000_000, 100_000)], sample_count = 3, sample_size = 1)]
fn default_suite(bencher: divan::Bencher, (events, changes): (usize, usize)) {
    let (tables, evidence) = synthetic::build(synthetic::Size {
        people: 2_000,
        events,
        changes,
    });
    let catalog = assay_catalog::Catalog::embedded().unwrap_or_else(|e| unreachable!("{e}"));
    let controls: Vec<assay_core::Control> =
        catalog.controls.iter().map(|c| c.control.clone()).collect();
    let scope = Scope {
        organization: "Acme Synthetic".into(),
        system_name: "Acme".into(),
        system_description: String::new(),
        period: AuditPeriod::Type2 {
            start: jiff::civil::date(2026, 1, 1),
            end: jiff::civil::date(2026, 12, 31),
        },
        categories: Category::ALL.to_vec(),
    };
    bencher.bench_local(|| {
        assay_engine::assess(&assay_engine::Inputs {
            scope: &scope,
            settings: &EngineSettings::default(),
            controls: &controls,
            criteria: &catalog.criteria,
            inventory: &Default::default(),
            tables: &tables,
            evidence: &evidence,
            results: &[],
            triage: &[],
            ledger: None,
            only_control: None,
            progress: None,
        })
        .map(|a| a.findings.len())
        .unwrap_or(0)
    });
}
