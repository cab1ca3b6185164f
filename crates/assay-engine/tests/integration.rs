//! The engine: tests, the judgment library's fixtures, the SQL sandbox and the
//! evidence sources.
//!
//! One test binary for all of them: each links the whole pipeline (DataFusion), and one link
//! instead of several keeps a cold CI build small on disk (ARCHITECTURE.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod common;
mod engine;
mod incidents;
mod ipe;
mod library;
mod sandbox;
mod sources;
