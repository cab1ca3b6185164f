//! Progress of long work, reported to whoever drives the pipeline (a terminal's progress bar,
//! a server's job status). The pipeline never prints: it calls these methods.

/// What a unit of progress counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Bytes of input files.
    Bytes,
    /// Pieces of evidence.
    Pieces,
    /// Tests of the assessment.
    Tests,
    /// Requests of a collector (no known total).
    Requests,
    /// Questions of a questionnaire.
    Questions,
}

/// Receives progress from a pipeline operation. Every method has a default that ignores it.
/// Called from several threads at once, hence `Sync`.
pub trait Progress: Sync {
    /// A phase starts: `total` units (0 when unknown), e.g. "checking" 12 MB.
    fn start(&self, _phase: &str, _total: u64, _unit: Unit) {}
    /// The phase has done `done` units; `message` says what is going on.
    fn update(&self, _done: u64, _message: &str) {}
    /// The phase is over.
    fn finish(&self) {}
    /// Something the user should know, though the operation goes on (e.g. a cache that
    /// cannot be written).
    fn warn(&self, _message: &str) {}
}

/// Progress nobody watches.
pub struct Silent;

impl Progress for Silent {}

/// "1,234,567 rows, 2.1M rows/s" since `started`.
pub fn rate(rows: usize, started: std::time::Instant) -> String {
    let secs = started.elapsed().as_secs_f64().max(1e-3);
    let per = rows as f64 / secs;
    let per = if per >= 1e6 {
        format!("{:.1}M", per / 1e6)
    } else if per >= 1e3 {
        format!("{:.0}k", per / 1e3)
    } else {
        format!("{per:.0}")
    };
    format!("{} rows, {per} rows/s", thousands(rows))
}

/// 1234567 as "1,234,567".
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
