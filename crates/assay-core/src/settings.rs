//! Engine settings a workspace may change in `assay.toml`: the sample-size table and risk,
//! judgment thresholds, and named parameters control tests use in their SQL.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which sample-size table manual tests of event-driven controls use.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SamplingTable {
    /// Common auditor practice (AICPA attestation sampling guidance as firms publish it).
    #[default]
    Common,
    /// The stricter Chiaro methodology table for event-driven populations.
    Chiaro,
    /// The service auditor's firm's own table (`[sampling.firm]`).
    Firm(FirmTable),
}

impl SamplingTable {
    /// Every value, as written in files.
    pub const NAMES: &'static str = "common, chiaro, firm";
}

/// A firm's own sample sizes for event-driven populations: bands by population size, in
/// ascending order, the last one open-ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirmTable {
    /// The methodology's name, quoted in every sample's basis.
    pub name: String,
    /// The bands, smallest populations first.
    pub bands: Vec<Band>,
}

/// One band of a firm's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    /// The largest population in the band; none for the last, open-ended band.
    pub up_to: Option<u64>,
    /// The sample size; none to test every item.
    pub size: Option<u64>,
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

impl Risk {
    /// Every value, as written in files.
    pub const NAMES: &'static str = "low, higher";

    /// As written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Higher => "higher",
        }
    }

    /// The default risk of a control that sets none, where the workspace sets none either: a
    /// manual control depends on a person each time (higher), an automated one repeats what
    /// its configuration does (low). The frequency then picks the row of the size table.
    pub fn by_nature(nature: crate::Nature) -> Risk {
        match nature {
            crate::Nature::Manual => Risk::Higher,
            crate::Nature::Automated => Risk::Low,
        }
    }

    /// The risk a control is sampled at: its own, else the workspace's `[sampling] risk`,
    /// else [`Risk::by_nature`].
    pub fn of(own: Option<Risk>, workspace: Option<Risk>, nature: crate::Nature) -> Risk {
        own.or(workspace).unwrap_or_else(|| Risk::by_nature(nature))
    }
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
    /// Risk level used to pick sample sizes, for controls that set none of their own; none
    /// (the default): by the control's nature, higher for a manual control and low for an
    /// automated one ([`Risk::by_nature`]).
    #[serde(default)]
    pub risk: Option<Risk>,
    /// Populations of this many items or fewer are tested in full, whatever the table says.
    /// Default 0: the table's own rows decide.
    pub test_all_up_to: u32,
    /// Matters touching more criterion series than this (CC1 to CC9, A1, C1, PI1, P1 to P8)
    /// are not confined, so pervasive. Default 3.
    pub pervasive_series: u32,
    /// Matters touching more than this share of one category's criteria in scope are a
    /// substantial part of it, so pervasive. Default 0.5.
    pub pervasive_category_share: f64,
    /// Whether the service auditor has finished fieldwork: what is still not tested then is
    /// a scope limitation, not remaining work. Default false.
    pub fieldwork_complete: bool,
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
            risk: None,
            test_all_up_to: 0,
            pervasive_series: 3,
            pervasive_category_share: 0.5,
            fieldwork_complete: false,
            event_gap_days: 7,
            params: BTreeMap::new(),
        }
    }
}
