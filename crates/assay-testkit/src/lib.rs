//! Test support shared by Assay's test suites (a dev-dependency only, never shipped).
//!
//! Some tests need something outside Rust: PostgreSQL, `moto_server`, LibreOffice, pdftoppm,
//! the OSCAL schemas in `../shared`. On a developer's machine such a test says what it
//! skipped and passes; with `ASSAY_REQUIRE_ALL=1` (set by `.ci/run`) the same test fails,
//! naming what is missing and how to install it, so CI is never green with a backend untested.
//! Test support may print: it is the voice of a test, not of a library.

pub mod moto;

/// The environment variable that turns every missing dependency into a failure.
pub const REQUIRE_ALL: &str = "ASSAY_REQUIRE_ALL";

/// Whether missing dependencies fail tests (`ASSAY_REQUIRE_ALL=1`).
pub fn require_all() -> bool {
    std::env::var(REQUIRE_ALL).is_ok_and(|v| v == "1")
}

/// Reports that `what` is missing, with `how` to get it: a failure under
/// `ASSAY_REQUIRE_ALL=1`, otherwise a line saying what this test skipped.
///
/// # Panics
/// Under `ASSAY_REQUIRE_ALL=1`, always: that is its purpose.
#[allow(clippy::panic)]
pub fn missing(what: &str, how: &str) {
    if require_all() {
        panic!("{REQUIRE_ALL}=1 and {what} is missing, so this test cannot run: {how}");
    }
    eprintln!("skipped: {what} is missing ({how}); set {REQUIRE_ALL}=1 to make this a failure");
}

/// Whether a program is on `PATH` (it answers `--version` or `-v`).
pub fn has_program(name: &str) -> bool {
    ["--version", "-v"].iter().any(|flag| {
        std::process::Command::new(name)
            .arg(flag)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok()
    })
}

/// A PostgreSQL schema name no other test (in this process or another) uses:
/// `PREFIX_<pid>_<counter>_<nanos>`.
pub fn unique_schema(prefix: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}

/// The number of cases for a property test: `PROPTEST_CASES` when set (`bench/fuzz.sh` runs
/// many more), else `default`. Needed because `ProptestConfig::with_cases` ignores the variable.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One multi-threaded Tokio runtime for a test binary: the caller-owned runtime that the
/// libraries' async parts (queries, S3, the AWS collector) run on. Enter it
/// (`runtime().enter()`) before calling the engine, or `block_on` an async call.
#[allow(clippy::expect_used)]
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("a Tokio runtime for the tests")
    })
}

/// Runs a future to completion on [`runtime`], from a test's own (non-async) thread.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    runtime().block_on(f)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_missing_program_is_not_found() {
        assert!(!super::has_program("assay-no-such-program-here"));
        assert!(super::has_program("sh") || super::has_program("ls"));
    }
}
