//! `cargo bench -p assay-demo --bench digest`: the frozen population's rows digest, the two
//! constructions side by side on one population (ACC-02.3's console sign-ins over the demo
//! company's audit events): `sha256-ordered-rows/v1` (every row sorted by every column in
//! the query, then hashed in sequence) against `sha256-sorted-rows/v2` (rows hashed as they
//! come, then only the 32-byte hashes sorted, as the engine does now).

use assay_demo::{synth::Scale, tables};
use datafusion::arrow::array::{Array, RecordBatch};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::prelude::SessionContext;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

fn main() {
    divan::main();
}

/// The population: every successful console sign-in, with its columns as the test selects them.
const POPULATION: &str = "SELECT key, time, actor, actor_type, source_ip, mfa_used, evidence \
     FROM audit_events WHERE source = 'aws-cloudtrail' AND action = 'ConsoleLogin' \
     AND outcome = 'success' AND actor_type IN ('user', 'root') AND federated IS NOT TRUE";

const COLUMNS: &str = "key, time, actor, actor_type, source_ip, mfa_used, evidence";

struct Fixture {
    rt: tokio::runtime::Runtime,
    ctx: SessionContext,
}

fn fixture(events: usize) -> &'static Fixture {
    static CACHE: OnceLock<std::sync::Mutex<Vec<(usize, &'static Fixture)>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, f)) = cache.iter().find(|(e, _)| *e == events) {
        return f;
    }
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread().build() else {
        unreachable!("a Tokio runtime starts")
    };
    let (t, _) = tables::build(
        Scale {
            people: 2_000,
            events,
            changes: 10_000,
            accounts: 40_000,
        },
        0x5eed,
    );
    let Ok(ctx) = t.session() else {
        unreachable!("the demo tables register")
    };
    let f: &'static Fixture = Box::leak(Box::new(Fixture { rt, ctx }));
    cache.push((events, f));
    f
}

fn collect(f: &Fixture, sql: &str) -> Vec<RecordBatch> {
    let Ok(batches) =
        f.rt.block_on(async { f.ctx.sql(sql).await?.collect().await })
    else {
        unreachable!("the population query runs")
    };
    batches
}

/// Each row's cells as Arrow's display text (None for a null), handed to `each`.
fn rows(batches: &[RecordBatch], mut each: impl FnMut(&[Option<String>])) {
    let opts = FormatOptions::default();
    let mut cells = Vec::new();
    for b in batches {
        let Ok(fmts) = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &opts))
            .collect::<Result<Vec<_>, _>>()
        else {
            unreachable!("every column type displays")
        };
        for r in 0..b.num_rows() {
            cells.clear();
            cells.extend(
                (0..b.num_columns())
                    .map(|c| (!b.column(c).is_null(r)).then(|| fmts[c].value(r).to_string())),
            );
            each(&cells);
        }
    }
}

#[divan::bench(args = [1_000_000, 3_000_000], sample_count = 5, sample_size = 1)]
fn ordered_rows_v1(bencher: divan::Bencher, events: usize) {
    let f = fixture(events);
    bencher.bench_local(|| {
        let batches = collect(
            f,
            &format!("SELECT * FROM ({POPULATION}) ORDER BY {COLUMNS}"),
        );
        let mut h = Sha256::new();
        rows(&batches, |cells| {
            for (i, c) in cells.iter().enumerate() {
                if i > 0 {
                    h.update([0x1f]);
                }
                h.update(c.as_deref().map_or(&b"\0"[..], str::as_bytes));
            }
            h.update([0x1e]);
        });
        hex::encode(h.finalize())
    });
}

#[divan::bench(args = [1_000_000, 3_000_000], sample_count = 5, sample_size = 1)]
fn sorted_rows_v2(bencher: divan::Bencher, events: usize) {
    let f = fixture(events);
    bencher.bench_local(|| {
        let batches = collect(f, POPULATION);
        // The engine's own row hashing (on every core), then the key of each row for the
        // population's order (by key, then row hash), as `population::run` does.
        let Ok(per_batch) = assay_engine::digest::row_hashes(&batches, COLUMNS.split(',').count())
        else {
            unreachable!("every column type displays")
        };
        let hashes: Vec<[u8; 32]> = per_batch.iter().flatten().copied().collect();
        let mut order = Vec::with_capacity(hashes.len());
        let opts = FormatOptions::default();
        let mut i = 0;
        for b in &batches {
            let Ok(key) = ArrayFormatter::try_new(b.column(0).as_ref(), &opts) else {
                unreachable!("the key column displays")
            };
            for r in 0..b.num_rows() {
                order.push((key.value(r).to_string(), hashes[i]));
                i += 1;
            }
        }
        order.sort_unstable();
        (assay_engine::digest::rows(hashes), order.len())
    });
}
