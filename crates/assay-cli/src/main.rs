//! The `assay` binary: parses the command line, finds the workspace, runs a command and
//! turns its outcome into an exit code (0 ok, 1 findings or validation errors, 2 usage or
//! I/O error). **Architecture invariant:** only this crate prints.

// Doc comments on the command-line types are clap's help text, written for a terminal
// (`findings/<id>.yaml`, `[[collector]]`), not rustdoc markup.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

mod cli;
mod cmd;
mod output;
mod workspace_report;

use clap::Parser;
use std::process::ExitCode;

/// mimalloc keeps freed memory for reuse rather than returning it to the kernel at once:
/// building tables allocates and frees large column buffers, and with the system allocator
/// a quarter of that time went to page faults.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What a command concluded, for the exit code.
pub enum Outcome {
    /// All good: exit 0.
    Ok,
    /// Findings or validation errors: exit 1.
    Findings,
}

/// The one Tokio runtime of the process, owned here: the pipeline's async parts (queries, S3,
/// the AWS collector) run on it, and no library starts another.
static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();

/// The process's runtime (entered for the whole command by `main`).
pub fn runtime() -> anyhow::Result<&'static tokio::runtime::Runtime> {
    RUNTIME
        .get()
        .ok_or_else(|| anyhow::anyhow!("the Tokio runtime is not running"))
}

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => RUNTIME.get_or_init(|| rt),
        Err(e) => {
            eprintln!("error: cannot start the Tokio runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let _entered = rt.enter();
    match cmd::run(args) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(e) => {
            eprintln!(
                "{} {e:#}",
                output::paint("error:", output::Style::Error, output::stderr_color())
            );
            ExitCode::from(2)
        }
    }
}
