//! Sample sizes and reproducible selection for tests a person performs.
//!
//! Sizes follow common auditor practice (see `docs/assessment.md`): by frequency for a
//! recurring control, by population size for an event-driven one. Selection ranks every
//! population key by SHA-256 of `seed:key` and takes the lowest: anyone with the seed and
//! the population can re-perform it, and an extended sample contains the first one.

use assay_core::{Frequency, Risk, SamplingTable};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The selection algorithm's name, recorded with every sample.
pub const ALGORITHM: &str =
    "sha256-rank/v1: keys ordered by SHA-256(seed + \":\" + key), lowest first";

/// `seed_from` of a sample seeded by default: anyone, management included, can compute it.
pub const FROM_DEFAULT: &str = "default";
/// `seed_from` of a sample seeded by the auditor's secret, before the seed is recorded.
pub const FROM_SECRET: &str = "auditor's secret";

/// A sample size and the table row that produced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Size {
    /// Items to test.
    pub size: usize,
    /// Items after an extension for one deviation.
    pub extended: usize,
    /// The table and row it came from.
    pub basis: String,
}

fn extend(base: usize) -> usize {
    if base >= 25 {
        base + 15
    } else {
        base * 2
    }
}

/// The size a firm's table gives a population of `n`, with its basis.
fn firm(t: &assay_core::FirmTable, n: usize) -> (usize, String) {
    let mut from = 1u64;
    for b in &t.bands {
        if b.up_to.is_none_or(|up| n as u64 <= up) {
            let range = match b.up_to {
                Some(up) => format!("{from}-{up}"),
                None => format!("{from} or more"),
            };
            return match b.size {
                None => (n, format!("{} by population: {range}, all", t.name)),
                Some(k) => (
                    k as usize,
                    format!("{} by population: {range}, {k}", t.name),
                ),
            };
        }
        from = b.up_to.map_or(from, |up| up + 1);
    }
    // A table without an open-ended band is refused when assay.toml is read; test all.
    (
        n,
        format!("{} by population: beyond its last band, all", t.name),
    )
}

/// Sample size for a population of `n` items of a control with `frequency`; populations of
/// `test_all_up_to` items or fewer are tested in full.
pub fn size(
    frequency: Frequency,
    n: usize,
    table: &SamplingTable,
    risk: Risk,
    test_all_up_to: usize,
) -> Size {
    let higher = risk == Risk::Higher;
    let by_frequency = |label: &str, low: usize, high: usize| {
        let s = if higher { high } else { low };
        (
            s,
            format!(
                "common practice by frequency: {label}, {} risk",
                if higher { "higher" } else { "low" }
            ),
        )
    };
    let (base, basis) = match frequency {
        Frequency::Annual => by_frequency("annual", 1, 1),
        Frequency::Quarterly => by_frequency("quarterly", 2, 2),
        Frequency::Monthly => by_frequency("monthly", 2, 3),
        Frequency::Weekly => by_frequency("weekly", 5, 10),
        Frequency::Daily => by_frequency("daily", 20, 25),
        Frequency::Continuous => by_frequency("several times a day", 25, 40),
        Frequency::Event => match table {
            SamplingTable::Common => match n {
                0..=5 => (n, "common practice by population: 1-5, all".to_string()),
                6..=50 => (5, "common practice by population: 6-50, 5".to_string()),
                51..=250 => (
                    n.div_ceil(10),
                    "common practice by population: 51-250, 10% rounded up".to_string(),
                ),
                _ => (
                    25,
                    "common practice by population: more than 250, 25".to_string(),
                ),
            },
            SamplingTable::Chiaro => match n {
                0..=10 => (n, "Chiaro by population: 10 or fewer, all".to_string()),
                11..=50 => (8, "Chiaro by population: 11-50, 8".to_string()),
                51..=250 => (15, "Chiaro by population: 51-250, 15".to_string()),
                _ => (25, "Chiaro by population: more than 250, 25".to_string()),
            },
            SamplingTable::Firm(t) => firm(t, n),
        },
    };
    if n <= test_all_up_to && base < n {
        return Size {
            size: n,
            extended: n,
            basis: format!(
                "population of {n}, tested in full ([sampling] test_all_up_to = {test_all_up_to})"
            ),
        };
    }
    Size {
        size: base.min(n),
        extended: extend(base).min(n),
        basis,
    }
}

/// The default seed: derived from the organization, the period and the test, so it is the
/// same on every machine and differs between tests.
pub fn default_seed(organization: &str, period: &str, test: &str) -> String {
    let h = Sha256::digest(format!("{organization}\n{period}\n{test}").as_bytes());
    hex::encode(h)[..16].to_string()
}

/// A seed management cannot compute in advance: HMAC-SHA256 keyed with the auditor's
/// secret over the same organization, period and test as the default seed. The secret
/// never leaves the auditor's machine; the seed it gives is recorded in the results file
/// once the sample is drawn, so anyone can re-perform the selection afterwards.
pub fn secret_seed(secret: &str, organization: &str, period: &str, test: &str) -> String {
    let mac = hmac_sha256(
        secret.as_bytes(),
        format!("{organization}\n{period}\n{test}").as_bytes(),
    );
    hex::encode(mac)[..16].to_string()
}

/// HMAC (RFC 2104) with SHA-256 (also signs webhook deliveries).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let inner = Sha256::new()
        .chain_update(k.map(|b| b ^ 0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(k.map(|b| b ^ 0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// The first `n` keys by rank (lowest SHA-256 of `seed:key`), in rank order.
pub fn select(keys: &[String], seed: &str, n: usize) -> Vec<String> {
    let mut ranked: Vec<([u8; 32], &String)> = keys
        .iter()
        .map(|k| {
            let h: [u8; 32] = Sha256::digest(format!("{seed}:{k}").as_bytes()).into();
            (h, k)
        })
        .collect();
    ranked.sort();
    ranked.dedup_by(|a, b| a.1 == b.1);
    ranked.into_iter().take(n).map(|(_, k)| k.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_firm_table_sizes_event_populations_by_its_bands() {
        let t = SamplingTable::Firm(assay_core::FirmTable {
            name: "Ledgerline 2026".into(),
            bands: vec![
                assay_core::Band {
                    up_to: Some(10),
                    size: None,
                },
                assay_core::Band {
                    up_to: Some(50),
                    size: Some(8),
                },
                assay_core::Band {
                    up_to: None,
                    size: Some(25),
                },
            ],
        });
        let s = |n| size(Frequency::Event, n, &t, Risk::Low, 0);
        assert_eq!(
            (s(10).size, s(10).basis.as_str()),
            (10, "Ledgerline 2026 by population: 1-10, all")
        );
        assert_eq!(
            (s(11).size, s(11).basis.as_str()),
            (8, "Ledgerline 2026 by population: 11-50, 8")
        );
        assert_eq!(
            (s(51).size, s(51).basis.as_str()),
            (25, "Ledgerline 2026 by population: 51 or more, 25")
        );
        // Recurring controls keep the frequency table.
        assert_eq!(size(Frequency::Monthly, 12, &t, Risk::Higher, 0).size, 3);
    }

    #[test]
    fn sizes_follow_the_tables() {
        let s = |f, n| size(f, n, &SamplingTable::Common, Risk::Low, 0).size;
        assert_eq!(s(Frequency::Quarterly, 2), 2);
        assert_eq!(s(Frequency::Weekly, 26), 5);
        assert_eq!(s(Frequency::Daily, 181), 20);
        assert_eq!(s(Frequency::Event, 4), 4);
        assert_eq!(s(Frequency::Event, 40), 5);
        assert_eq!(s(Frequency::Event, 101), 11);
        assert_eq!(s(Frequency::Event, 5000), 25);
        assert_eq!(
            size(Frequency::Event, 5000, &SamplingTable::Common, Risk::Low, 0).extended,
            40
        );
        assert_eq!(
            size(Frequency::Event, 40, &SamplingTable::Chiaro, Risk::Low, 0).size,
            8
        );
        assert_eq!(
            size(
                Frequency::Weekly,
                52,
                &SamplingTable::Common,
                Risk::Higher,
                0
            )
            .size,
            10
        );
    }

    #[test]
    fn small_populations_are_tested_in_full_up_to_the_threshold() {
        let all = size(Frequency::Event, 40, &SamplingTable::Common, Risk::Low, 50);
        assert_eq!((all.size, all.extended), (40, 40));
        assert!(all.basis.contains("tested in full"), "{}", all.basis);
        let above = size(Frequency::Event, 51, &SamplingTable::Common, Risk::Low, 50);
        assert_eq!(above.size, 6);
        // A table row that already tests everything keeps its own basis.
        let own = size(Frequency::Event, 4, &SamplingTable::Common, Risk::Low, 50);
        assert!(own.basis.contains("1-5, all"), "{}", own.basis);
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2: a short key.
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            hex::encode(hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn the_secret_seed_differs_from_the_default_and_by_secret() {
        let period = "2026-01-01..2026-06-30";
        let secret = secret_seed("s3cret", "Acme", period, "HR-02.1");
        assert_eq!(secret.len(), 16);
        assert_ne!(secret, default_seed("Acme", period, "HR-02.1"));
        assert_ne!(secret, secret_seed("other", "Acme", period, "HR-02.1"));
        assert_ne!(secret, secret_seed("s3cret", "Acme", period, "HR-02.2"));
    }

    #[test]
    fn selection_is_reproducible_and_extension_keeps_the_first_sample() {
        let keys: Vec<String> = (0..100).map(|i| format!("user{i}@acme.example")).collect();
        let a = select(&keys, "seed", 5);
        let mut shuffled = keys.clone();
        shuffled.reverse();
        assert_eq!(a, select(&shuffled, "seed", 5));
        assert_ne!(a, select(&keys, "other", 5));
        assert_eq!(&select(&keys, "seed", 10)[..5], &a[..]);
        assert_eq!(select(&keys[..3], "seed", 5).len(), 3);
    }
}
