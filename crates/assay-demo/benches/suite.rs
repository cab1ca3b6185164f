//! `cargo bench -p assay-demo`: the default library's whole test suite over the demo
//! company built straight into tables, at two sizes (events, changes); `bench/engine.sh`
//! runs the 10M-event size once.

use assay_demo::{synth::Scale, tables};

fn main() {
    divan::main();
}

#[divan::bench(args = [(100_000, 10_000), (1_000_000, 100_000)], sample_count = 3, sample_size = 1)]
fn default_suite(bencher: divan::Bencher, (events, changes): (usize, usize)) {
    let Ok(catalog) = assay_catalog::Catalog::embedded() else {
        unreachable!("the embedded catalog loads (assay-catalog's tests)")
    };
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread().build() else {
        unreachable!("a Tokio runtime starts")
    };
    let _entered = rt.enter();
    let (tables, evidence) = tables::build(
        Scale {
            people: 2_000,
            events,
            changes,
            accounts: 40_000,
        },
        0x5eed,
    );
    bencher.bench_local(|| {
        tables::assess(catalog, &tables, &evidence, None)
            .map(|a| a.findings.len())
            .unwrap_or(0)
    });
}
