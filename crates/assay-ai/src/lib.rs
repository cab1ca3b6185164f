//! AI assistance that proposes and cites, and never decides. Questions (a customer's
//! security questionnaire, for now) are answered from the workspace's own passages: policy
//! sections, controls, tests with their latest results, and evidence metadata.
//!
//! - [`index`]: a BM25 index over [`passage::Passage`]s, in memory and deterministic.
//! - [`extractive`]: answers without a model, quoting the best-supported passage; the
//!   class follows from what it says and from its controls' latest test results.
//! - [`provider`]: an OpenAI-compatible model client (structured output, timeouts,
//!   retries); what it sends is redacted by the caller and hashed.
//! - [`citation`]: every citation must resolve and support the answer, or it is dropped; an
//!   answer without one becomes `needs-info`.
//! - [`questionnaire`], [`sheet`], [`decision`], [`library`]: CSV and XLSX in and out, the
//!   person's decisions read back, and the library of accepted answers reused first.
//! - [`eval`]: accuracy and citation measures over a labelled question set.
//!
//! The deterministic judgment (`assay-engine`) never reads anything made here. A proposal
//! becomes a fact only when a person accepts it, and the acceptance is recorded as evidence
//! by the pipeline library. This crate does no I/O beyond the files and the model endpoint
//! it is given, and never prints.

pub mod answer;
pub mod citation;
pub mod decision;
pub mod document;
mod error;
pub mod eval;
pub mod extractive;
pub mod index;
pub mod library;
pub mod passage;
pub mod policy;
pub mod provider;
pub mod questionnaire;
pub mod review;
pub mod sheet;
pub mod text;
pub mod vendor;

pub use error::AiError;
