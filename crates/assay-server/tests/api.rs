//! The HTTP API and the web app against both state backends: accounts and sessions,
//! evidence, findings, the authorization matrix, single sign-on and the generated
//! permissions page.
//!
//! One test binary for all of them: each links the whole pipeline (DataFusion), and one link
//! instead of several keeps a cold CI build small on disk (ARCHITECTURE.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod auth;
mod common;
mod evidence;
mod findings;
mod matrix;
mod oidc;
mod permissions;
