//! `cargo bench -p assay-engine`: the whole default test suite over a synthetic company at
//! two sizes (events, changes); `bench/engine.sh` runs the 10M-event size once.

#[path = "../examples/synthetic/mod.rs"]
mod synthetic;

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
    bencher.bench_local(|| {
        synthetic::assess(&tables, &evidence, None)
            .map(|a| a.findings.len())
            .unwrap_or(0)
    });
}
