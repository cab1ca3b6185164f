//! Reading, validating and creating an audit workspace on disk.
//!
//! A workspace is a folder with `assay.toml`, `controls/*.yaml`, `policies/*.md` and
//! `inventory/*.yaml` (see `docs/workspace.md`). Loading parses each file into raw types that
//! keep source positions, then validates them into the domain types of `assay-core`; every
//! problem becomes a [`Diagnostic`] naming file, line and column, with help on how to fix it.
//! Loading never stops at the first problem and never panics on malformed input.
//!
//! **Architecture invariant:** this crate reads and writes workspace files only; it prints
//! nothing (the CLI renders diagnostics) and never touches the evidence locker.

pub mod ai_config;
pub mod config;
mod controls;
pub mod diagnostic;
mod discover;
mod engine_config;
pub mod framework_coverage;
mod inventory;
mod load;
pub mod monitor_config;
pub mod notify_config;
mod policies;
pub mod render;
pub mod scaffold;
mod source;
mod sql;
mod validate;

pub use config::{CollectorConfig, Config, LockerSettings, S3Settings};
pub use diagnostic::{Code, Diagnostic, Severity};
pub use discover::{find_root, WORKSPACE_FILE};
pub use load::{LoadedControl, LoadedPolicy, Origin, Workspace};
pub use scaffold::{init, InitError, InitOptions, InitReport};
