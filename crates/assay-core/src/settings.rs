//! Engine settings a workspace may change in `assay.toml`: the sample-size table and risk,
//! judgment thresholds, and named parameters control tests use in their SQL.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which published sample-size table manual tests use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SamplingTable {
    /// Common auditor practice (AICPA attestation sampling guidance as firms publish it).
    #[default]
    Common,
    /// The stricter Chiaro methodology table for event-driven populations.
    Chiaro,
}

impl SamplingTable {
    /// Every value, as written in files.
    pub const NAMES: &'static str = "common, chiaro";
}

/// The assessed risk of a control, which picks the low or higher sample size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    /// Low risk: the smaller sample.
    #[default]
    Low,
    /// Higher risk: the larger sample.
    Higher,
}

/// A named parameter's value (`:name` in a test's SQL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Param {
    /// A whole number (days, counts).
    Int(i64),
    /// Text.
    Text(String),
}

/// Settings of the engine, from `[sampling]`, `[judgment]` and `[parameters]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineSettings {
    /// Sample-size table for manual tests.
    pub sampling_table: SamplingTable,
    /// Risk level used to pick sample sizes.
    pub risk: Risk,
    /// Share of a whole population that may be exceptions while a test is still only
    /// "exceptions noted" (above it: not effective). Default 0.05.
    pub tolerable_rate: f64,
    /// Share of in-scope criteria not met (or not tested) above which the effect on the
    /// opinion is pervasive. Default 0.25.
    pub pervasive_share: f64,
    /// Days event evidence may fall short of the period's start or end before a test that
    /// reads it is not tested. Default 7.
    pub event_gap_days: u32,
    /// Named parameters overriding the library defaults.
    pub params: BTreeMap<String, Param>,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            sampling_table: SamplingTable::Common,
            risk: Risk::Low,
            tolerable_rate: 0.05,
            pervasive_share: 0.25,
            event_gap_days: 7,
            params: BTreeMap::new(),
        }
    }
}
