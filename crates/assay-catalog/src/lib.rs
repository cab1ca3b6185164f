//! The data Assay ships: the 61 Trust Services Criteria with points of focus in our own
//! words, the default control library, policy templates and inventory templates, and the
//! other frameworks the controls serve ([`framework`]) with crosswalks derived through them
//! ([`crosswalk`]).
//!
//! Everything here is embedded in the binary from `data/` and parsed once on first use.
//! **Architecture invariant:** no file system access at run time; the data is checked by
//! this crate's tests, so a broken library never ships.

pub mod crosswalk;
mod embedded;
pub mod framework;
pub mod lookup;
mod nist_oscal;

use assay_core::{Category, Control, Criterion};
use serde::Deserialize;

pub use embedded::{Catalog, CatalogError};

/// A control of the default library: the control plus the policies that mandate it.
#[derive(Debug, Clone, Deserialize)]
pub struct LibraryControl {
    /// The control as `assay init` writes it.
    #[serde(flatten)]
    pub control: Control,
    /// Ids of the policies that mandate it.
    #[serde(default)]
    pub policies: Vec<String>,
}

/// Front matter of a policy template (the `controls` list is computed at init).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyTemplateMeta {
    /// Stable id, e.g. `POL-ACCESS`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Version.
    pub version: String,
    /// Owner role.
    pub owner: String,
    /// Approver role.
    #[serde(default)]
    pub approver: Option<String>,
    /// `draft` in templates.
    pub status: String,
    /// Review cycle, e.g. `annual`.
    pub review_cycle: String,
    /// Criteria the policy supports.
    pub criteria: Vec<String>,
}

/// A policy template: file name, front matter and Markdown body with `{{org}}` markers.
#[derive(Debug, Clone)]
pub struct PolicyTemplate {
    /// File name under `policies/`, e.g. `access-control.md`.
    pub file_name: String,
    /// Parsed front matter.
    pub meta: PolicyTemplateMeta,
    /// The document body.
    pub body: String,
}

/// A file copied into a new workspace as text (inventory templates).
#[derive(Debug, Clone)]
pub struct TemplateFile {
    /// Path relative to the workspace root, e.g. `inventory/systems.yaml`.
    pub path: String,
    /// Its text, with `{{org}}` markers.
    pub text: String,
}

impl Catalog {
    /// The framework with this id (`soc2`, `iso27001`, `nist-800-53-moderate`, `hipaa`, `csf2`).
    pub fn framework(&self, id: &str) -> Option<&framework::Framework> {
        self.frameworks.iter().find(|f| f.id == id)
    }

    /// The criterion with this id.
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }

    /// Criteria of the given categories, in catalog order.
    pub fn criteria_in<'a>(
        &'a self,
        categories: &'a [Category],
    ) -> impl Iterator<Item = &'a Criterion> {
        self.criteria
            .iter()
            .filter(move |c| categories.contains(&c.category))
    }

    /// The library control with this id.
    pub fn control(&self, id: &str) -> Option<&LibraryControl> {
        self.controls.iter().find(|c| c.control.id == id)
    }
}

#[cfg(test)]
mod tests;
