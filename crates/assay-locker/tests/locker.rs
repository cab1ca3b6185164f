//! The locker: bundles, Merkle vectors, opening, redaction and tamper detection.
//!
//! One test binary for all of them: each links the whole pipeline (DataFusion), and one link
//! instead of several keeps a cold CI build small on disk (ARCHITECTURE.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

#[macro_use]
mod common;
mod bundle;
mod merkle_vectors;
mod open;
mod redaction;
mod tamper;
