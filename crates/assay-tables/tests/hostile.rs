//! Property tests: no normalizer panics, whatever the bytes. Each one gets arbitrary bytes and
//! its own fixtures with bytes flipped, cut and spliced; it must return rows or an error.
//! `bench/fuzz.sh` runs these with many more cases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use assay_tables::{Input, Output, Run, REGISTRY};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Fixtures in each kind's real format, as seeds for mutation.
const SEEDS: &[&str] = &[
    "access_reviews.csv",
    "aws_credential_report.csv",
    "github_pulls.json",
    "hr_roster_bamboohr.csv",
    "hr_roster_us_dates.csv",
    "okta_system_log.json",
    "okta_system_log.ndjson",
];

fn seed(i: usize) -> Vec<u8> {
    let name = SEEDS[i % SEEDS.len()];
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Runs every normalizer over `bytes`, with and without the parameters a mapped import takes.
fn run_all(bytes: &[u8]) {
    let none = BTreeMap::new();
    let mapped: BTreeMap<String, String> = [
        ("table".to_string(), "access_reviews".to_string()),
        (
            "map".to_string(),
            "reviewer=Reviewer,completed_at=Completed".to_string(),
        ),
    ]
    .into_iter()
    .collect();
    for n in REGISTRY {
        for params in [&none, &mapped] {
            let input = Input {
                bytes,
                evidence: "e",
                snapshot_at: Some(1_782_777_600_000_000),
                params,
                batch: Some("b"),
            };
            let mut out = Output::for_input(&input);
            // Rows or an error: both are fine; a panic fails the property.
            let _ = match n.run {
                Run::Each(f) => f(&input, &mut out),
                Run::Batch(f) => f(std::slice::from_ref(&input), &mut out),
            };
        }
    }
}

/// A fixture with a few edits: byte flips, a cut, or a spliced piece of punctuation.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    (
        0..SEEDS.len(),
        proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..6),
    )
        .prop_map(|(i, edits)| {
            let mut b = seed(i);
            for (at, byte, how) in edits {
                if b.is_empty() {
                    break;
                }
                let at = at.index(b.len());
                match how {
                    0 => b[at] = byte,
                    1 => b.truncate(at),
                    2 => {
                        let punct: &[u8] = b",\"{[\n:";
                        let piece = punct.get(..usize::from(byte % 6)).unwrap_or_default();
                        b.splice(at..at, piece.iter().copied());
                    }
                    _ => {
                        b.remove(at);
                    }
                };
            }
            b
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(assay_testkit::cases(128)))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        run_all(&bytes);
    }

    #[test]
    fn mutated_fixtures_never_panic(bytes in mutated()) {
        run_all(&bytes);
    }
}
