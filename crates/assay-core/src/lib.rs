//! Domain types of Assay: Trust Services Criteria, controls and their tests, policies,
//! the audit scope and the system inventory, and design coverage.
//!
//! **Architecture invariant:** this crate does no I/O. It holds the vocabulary every other
//! crate speaks; parsing files and printing results happen elsewhere.

pub mod category;
pub mod control;
pub mod coverage;
pub mod criterion;
pub mod cron;
pub mod freshness;
pub mod inventory;
pub mod policy;
pub mod scope;
pub mod settings;
pub mod source;

pub use category::Category;
pub use control::{
    Control, ControlType, CriterionLink, Frequency, Guidance, Nature, Severity, TestDef,
};
pub use coverage::{CategoryCoverage, Coverage};
pub use criterion::Criterion;
pub use inventory::{Csoc, Cuec, DataStore, Inventory, Role, System, Team, Vendor};
pub use policy::PolicyMeta;
pub use scope::{AuditPeriod, AuditType, Scope};
pub use settings::{Band, EngineSettings, FirmTable, Param, Risk, SamplingTable};
pub use source::SourceRole;
