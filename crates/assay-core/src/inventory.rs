//! The system inventory: the boundary of the system under audit (DC 200): its components,
//! data, people, subservice organizations with their CSOCs, and user-entity controls (CUECs).

use serde::{Deserialize, Serialize};

/// A component of the system: an application, infrastructure, a SaaS tool, endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct System {
    /// Unique id across the inventory.
    pub id: String,
    /// Display name.
    pub name: String,
    /// application, infrastructure, database, network, saas, endpoint or tooling.
    pub kind: String,
    /// What it does and who uses it.
    #[serde(default)]
    pub description: String,
    /// production, staging or corporate.
    #[serde(default)]
    pub environment: String,
    /// The vendor id that hosts it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosting: Option<String>,
    /// The role that owns it.
    pub owner: String,
    /// Whether it is inside the system boundary.
    pub in_scope: bool,
}

/// Where data of a given classification is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataStore {
    /// Unique id across the inventory.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The system id it belongs to.
    pub system: String,
    /// public, internal, confidential or restricted.
    pub classification: String,
    /// Whether it holds personal information.
    pub personal_data: bool,
    /// Whether it is encrypted at rest.
    pub encrypted_at_rest: bool,
    /// Region or place.
    #[serde(default)]
    pub location: String,
    /// How long data is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    /// The role that owns it.
    pub owner: String,
}

/// A role named as an owner of controls, policies and systems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// Role id, e.g. `security-lead`.
    pub id: String,
    /// Job title.
    pub title: String,
    /// What the role is accountable for.
    #[serde(default)]
    pub responsibilities: String,
    /// The person in the role, `Name <email>`.
    #[serde(default)]
    pub holder: String,
}

/// A team, for the people section of the system description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    /// Team name.
    pub name: String,
    /// Number of people.
    #[serde(default)]
    pub headcount: u32,
    /// What it does.
    #[serde(default)]
    pub description: String,
}

/// A control the service organization expects a subservice organization to operate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Csoc {
    /// Unique id.
    pub id: String,
    /// What the subservice organization is expected to do.
    pub description: String,
    /// Criteria that depend on it.
    pub criteria: Vec<String>,
}

/// A vendor; a subservice organization when its controls matter to the criteria.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vendor {
    /// Unique id across the inventory.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What it provides.
    #[serde(default)]
    pub service: String,
    /// high, medium or low.
    #[serde(default)]
    pub criticality: String,
    /// Whether it is a subservice organization.
    #[serde(default)]
    pub subservice: bool,
    /// `carve-out` or `inclusive`, for a subservice organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Whether it stores or can access customer data.
    #[serde(default)]
    pub data_access: bool,
    /// Its own SOC 2 report, when one was obtained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soc2_report: Option<VendorReport>,
    /// Complementary subservice organization controls.
    #[serde(default)]
    pub csocs: Vec<Csoc>,
}

/// A vendor's SOC report that the service organization reviewed, with what the review found:
/// the opinion, the exceptions, which CSOCs the report covers, and the bridge letter for the
/// months between its period and the audit's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorReport {
    /// type1 or type2.
    #[serde(rename = "type")]
    pub report_type: String,
    /// First day of the period the report covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_start: Option<String>,
    /// End of the period the report covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_end: Option<String>,
    /// The report's opinion: unmodified, qualified, adverse or disclaimer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opinion: Option<String>,
    /// Exceptions the report lists that bear on the system, one sentence each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<String>,
    /// The CSOCs (ids) the report was found to cover.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub csocs_covered: Vec<String>,
    /// The bridge letter for the months after the report's period, when obtained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bridge_letter: Option<BridgeLetter>,
    /// When the service organization reviewed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<String>,
    /// Who reviewed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<String>,
}

/// A subservice organization's bridge (gap) letter: management's statement that nothing
/// changed in its controls from the report's period end through a later date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BridgeLetter {
    /// The last day it speaks for.
    pub through: String,
    /// When it was received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
}

/// A control the service organization's customers must operate for the criteria to be met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cuec {
    /// Unique id.
    pub id: String,
    /// What the user entity is responsible for.
    pub description: String,
    /// Criteria that depend on it.
    pub criteria: Vec<String>,
}

/// Everything under `inventory/`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// Components of the system.
    pub systems: Vec<System>,
    /// Data stores.
    pub data_stores: Vec<DataStore>,
    /// Roles.
    pub roles: Vec<Role>,
    /// Teams.
    pub teams: Vec<Team>,
    /// Vendors and subservice organizations.
    pub vendors: Vec<Vendor>,
    /// Complementary user-entity controls.
    pub cuecs: Vec<Cuec>,
}
