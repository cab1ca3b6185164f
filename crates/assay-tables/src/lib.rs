//! Assay's standard evidence tables: their schemas, the normalizers that turn raw evidence
//! into rows, and SQL over them (Apache DataFusion).
//!
//! **Architecture invariant:** pure with respect to the locker: callers hand in evidence
//! bytes and facts about them; this crate never reads the ledger or the workspace, so the
//! same evidence always gives the same rows.

pub mod cache;
pub mod fragment;
pub mod normalize;
pub mod query;
pub mod rows;
pub mod sandbox;
pub mod schema;
pub mod value;

pub use fragment::Fragment;
pub use normalize::{for_kind, Input, NormalizeError, Normalizer, Output, Run, REGISTRY};
pub use query::{Builder, Owned, Tables};
