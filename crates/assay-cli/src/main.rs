//! The `assay` binary: parses the command line, finds the workspace, runs a command and
//! turns its outcome into an exit code (0 ok, 1 findings or validation errors, 2 usage or
//! I/O error). **Architecture invariant:** only this crate prints.

// Doc comments on the command-line types are clap's help text, written for a terminal
// (`findings/<id>.yaml`, `[[collector]]`), not rustdoc markup.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

mod cli;
mod cmd;
mod output;
mod synth;

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

fn main() -> ExitCode {
    let args = cli::Cli::parse();
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
