//! The synthetic company behind `assay demo`: a year of evidence for Northwind Analytics in
//! the formats the real sources produce (HR roster CSV, AWS credential report, CloudTrail log
//! files, Okta System Log, GitHub pull requests, and the CSV/JSON exports of the other
//! systems), with deliberate control failures that the assessment must find. Everything is
//! derived from the seed, so a seed always gives the same files.

mod exports;
mod logs;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// How big the company is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    /// People in the HR roster.
    pub people: usize,
    /// Audit events (CloudTrail and Okta) in the year.
    pub events: usize,
    /// Pull requests in the year.
    pub changes: usize,
    /// Accounts in identity systems and applications.
    pub accounts: usize,
}

impl Scale {
    /// `small`, `medium` or `large`.
    pub fn named(name: &str) -> Option<Scale> {
        Some(match name {
            "small" => Scale {
                people: 50,
                events: 10_000,
                changes: 600,
                accounts: 120,
            },
            "medium" => Scale {
                people: 500,
                events: 1_000_000,
                changes: 100_000,
                accounts: 10_000,
            },
            "large" => Scale {
                people: 5_000,
                events: 10_000_000,
                changes: 1_000_000,
                accounts: 100_000,
            },
            _ => return None,
        })
    }
}

/// A deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    /// Seeded (any seed, zero included).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
    /// True `per_mille` times in a thousand.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

/// Days since 1970-01-01 of 2025-10-01, the first day of the generated year.
pub const YEAR_START_DAY: i64 = 20_362;
/// The audit period, as days since 1970-01-01: 2026-01-01 to 2026-09-30.
pub const PERIOD: (i64, i64) = (20_454, 20_726);

/// A day number as `YYYY-MM-DD`.
pub fn day(d: i64) -> String {
    jiff::Timestamp::from_second(d * 86_400)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// A day number and seconds into it as RFC 3339 UTC.
pub fn instant(d: i64, secs: i64) -> String {
    jiff::Timestamp::from_second(d * 86_400 + secs)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// A person of the company.
#[derive(Debug, Clone)]
pub struct Person {
    /// Work email (lower case).
    pub email: String,
    /// First name.
    pub first: String,
    /// Last name.
    pub last: String,
    /// Department.
    pub department: &'static str,
    /// Start day.
    pub start: i64,
    /// Last day, for leavers.
    pub end: Option<i64>,
}

impl Person {
    /// The GitHub login: the email's local part with dashes, unique like the email.
    pub fn login(&self) -> String {
        self.email
            .split('@')
            .next()
            .unwrap_or_default()
            .replace('.', "-")
    }
}

/// A failure planted on purpose (the test must report it), or a clean item that looks like a
/// failure but is not (the test must never report it): the test and the exception key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Planted {
    /// Test id.
    pub test: &'static str,
    /// Exception key (row key or missing window).
    pub key: String,
}

/// A file to import, with the options `assay evidence import` takes.
#[derive(Debug, Clone)]
pub struct Import {
    /// File or folder.
    pub path: PathBuf,
    /// Evidence kind.
    pub kind: &'static str,
    /// Target table, for csv/json.
    pub table: Option<&'static str>,
    /// Column mapping, for csv/json.
    pub map: Option<String>,
    /// Source system.
    pub source: &'static str,
    /// `--effective`.
    pub effective: Option<String>,
}

/// Everything generated.
#[derive(Default)]
pub struct Generated {
    /// Files to import, in order.
    pub imports: Vec<Import>,
    /// Failures planted.
    pub planted: Vec<Planted>,
    /// Clean near-misses: a leaver deprovisioned on time, a change approved by someone other
    /// than its author, a sign-in with MFA. Reporting any of them is a false alarm.
    pub clean: Vec<Planted>,
    /// Bytes written.
    pub bytes: u64,
    /// Audit events written.
    pub events: usize,
}

impl Generated {
    /// Records a failure that `test` must report under `key`.
    pub fn plant(&mut self, test: &'static str, key: impl Into<String>) {
        self.planted.push(Planted {
            test,
            key: key.into(),
        });
    }

    /// Records a clean item that `test` must never report; a few of each kind are enough.
    pub fn clean(&mut self, test: &'static str, key: impl Into<String>) {
        if self.clean.iter().filter(|c| c.test == test).count() < 5 {
            self.clean.push(Planted {
                test,
                key: key.into(),
            });
        }
    }

    /// Adds what another generator wrote (its imports after these).
    fn absorb(&mut self, other: Generated) {
        self.imports.extend(other.imports);
        self.planted.extend(other.planted);
        self.clean.extend(other.clean);
        self.bytes += other.bytes;
        self.events += other.events;
    }
}

const FIRST: &[&str] = &[
    "ada", "ben", "chen", "dana", "eli", "fatima", "gus", "hana", "ivan", "jia", "kofi", "lena",
    "mateo", "nia", "omar", "priya", "quinn", "rosa", "sam", "tariq", "uma", "vik", "wen", "xavi",
    "yara", "zoe",
];
const LAST: &[&str] = &[
    "kim", "ortega", "shah", "okafor", "novak", "silva", "brandt", "tanaka", "haddad", "lopez",
    "meyer", "reyes", "ito", "walsh", "costa", "berg",
];
const DEPARTMENTS: &[&str] = &[
    "Engineering",
    "Engineering",
    "Engineering",
    "Product",
    "Sales",
    "Customer Success",
    "Finance",
    "Security",
    "People",
];

/// The people: most employed before the year, some hired in the period, one in ten leaving.
pub fn people(scale: Scale, rng: &mut Rng) -> Vec<Person> {
    (0..scale.people)
        .map(|i| {
            let first = FIRST[i % FIRST.len()].to_string();
            let last = LAST[(i / FIRST.len()) % LAST.len()].to_string();
            let suffix = if i >= FIRST.len() * LAST.len() {
                format!("{}", i / (FIRST.len() * LAST.len()))
            } else {
                String::new()
            };
            // The first person (the head of the company) is always there.
            let hired_in_period = i > 0 && rng.chance(150);
            let start = if hired_in_period {
                PERIOD.0 + rng.below(240) as i64
            } else {
                PERIOD.0 - 60 - rng.below(1500) as i64
            };
            let end = (i > 0 && rng.chance(100) && start < PERIOD.1 - 40)
                .then(|| (start.max(PERIOD.0) + 20 + rng.below(200) as i64).min(PERIOD.1 - 5));
            Person {
                email: format!("{first}.{last}{suffix}@northwind.example"),
                first,
                last,
                department: DEPARTMENTS[i % DEPARTMENTS.len()],
                start,
                end,
            }
        })
        .collect()
}

/// Writes every file under `dir` and lists what to import. `progress` is told the bytes
/// written so far.
pub fn generate(
    dir: &Path,
    scale: Scale,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> std::io::Result<Generated> {
    let mut rng = Rng::new(seed);
    let people = people(scale, &mut rng);
    let mut g = Generated::default();
    exports::hr_roster(dir, &people, &mut g)?;
    exports::identity(dir, &people, scale, &mut rng, &mut g)?;
    exports::credential_report(dir, &people, &mut rng, &mut g)?;
    // The two largest logs on two threads, each with its own random sequence.
    let before = g.bytes;
    let (trail_bytes, other_bytes) = (AtomicU64::new(0), AtomicU64::new(0));
    let report = || {
        progress(before + trail_bytes.load(Ordering::Relaxed) + other_bytes.load(Ordering::Relaxed))
    };
    let (trail, other) = std::thread::scope(|s| {
        let trail = s.spawn(|| -> std::io::Result<Generated> {
            let mut rng = Rng::new(seed ^ 0x00C1_0D7A_11C0_FFEE);
            let mut t = Generated::default();
            logs::cloudtrail(dir, &people, scale, &mut rng, &mut t, &|b| {
                trail_bytes.store(b, Ordering::Relaxed);
                report();
            })?;
            Ok(t)
        });
        let mut o = Generated::default();
        let to_other = |b| {
            other_bytes.store(b, Ordering::Relaxed);
            report();
        };
        let other = logs::okta(dir, &people, scale, &mut rng, &mut o, &to_other)
            .and_then(|_| logs::pulls(dir, &people, scale, &mut rng, &mut o, &to_other))
            .map(|_| o);
        (trail.join(), other)
    });
    let trail = trail.map_err(|_| std::io::Error::other("the CloudTrail generator stopped"))??;
    g.absorb(trail);
    g.absorb(other?);
    exports::records(dir, &people, &mut rng, &mut g)?;
    g.planted.sort();
    g.planted.dedup();
    g.clean.sort();
    g.clean.dedup();
    Ok(g)
}
