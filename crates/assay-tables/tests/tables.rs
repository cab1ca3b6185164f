//! The normalizers: golden outputs, hostile inputs, each normalizer, the Panther
//! corpus and the SQL sandbox.
//!
//! One test binary for all of them: each links the whole pipeline (DataFusion), and one link
//! instead of several keeps a cold CI build small on disk (ARCHITECTURE.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod golden;
mod hostile;
mod normalizers;
mod panther;
mod sandbox;
