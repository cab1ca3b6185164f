//! Finding things in the catalog the way people name them, for every front end: one id that
//! may be a criterion (`cc6.1`), a default control (`ACC-01`) or a framework requirement
//! (`A.5.15`, `AC-2`), and the criteria or controls of one category.

use crate::framework::{self, Framework, Link, Requirement};
use crate::{Catalog, LibraryControl};
use assay_core::{Category, Criterion};

/// What an id names in the catalog.
#[derive(Debug)]
pub enum Found<'a> {
    /// A Trust Services Criterion, with the default controls linked to it (from the SOC 2
    /// mapping), in the mapping's order.
    Criterion {
        /// The criterion.
        criterion: &'a Criterion,
        /// The links from default controls to it.
        controls: Vec<&'a Link>,
    },
    /// A control of the default library.
    Control(&'a LibraryControl),
    /// A requirement of another framework, with its links and gaps.
    Requirement {
        /// The framework.
        framework: &'a Framework,
        /// The requirement.
        requirement: &'a Requirement,
    },
}

impl Catalog {
    /// What `id` names: a criterion first (case-insensitive), then a default control, then a
    /// framework requirement; `None` when it names nothing.
    pub fn lookup(&self, id: &str) -> Option<Found<'_>> {
        let key = id.trim().to_ascii_uppercase();
        if let Some(criterion) = self.criterion(&key) {
            let controls = self
                .framework("soc2")
                .into_iter()
                .flat_map(|f| f.links_to(&criterion.id))
                .collect();
            return Some(Found::Criterion {
                criterion,
                controls,
            });
        }
        if let Some(c) = self.control(&key) {
            return Some(Found::Control(c));
        }
        framework::find(self, id).map(|(framework, requirement)| Found::Requirement {
            framework,
            requirement,
        })
    }

    /// The criteria of `category` (all when `None`), in catalog order.
    pub fn criteria_of(&self, category: Option<Category>) -> Vec<&Criterion> {
        self.criteria
            .iter()
            .filter(|c| category.is_none_or(|k| c.category == k))
            .collect()
    }

    /// The default controls that address a criterion of `category` (all when `None`), in
    /// catalog order.
    pub fn controls_of(&self, category: Option<Category>) -> Vec<&LibraryControl> {
        self.controls
            .iter()
            .filter(|lc| {
                category.is_none_or(|k| {
                    lc.control
                        .criteria
                        .iter()
                        .any(|l| self.criterion(&l.id).is_some_and(|c| c.category == k))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_found_as_a_criterion_a_control_or_a_requirement() {
        let c = Catalog::embedded().unwrap();
        match c.lookup(" cc6.1 ") {
            Some(Found::Criterion {
                criterion,
                controls,
            }) => {
                assert_eq!(criterion.id, "CC6.1");
                assert!(!controls.is_empty());
            }
            other => panic!("{other:?}"),
        }
        let first = &c.controls[0].control.id;
        assert!(matches!(c.lookup(first), Some(Found::Control(lc)) if &lc.control.id == first));
        let iso = c.framework("iso27001").unwrap();
        let req = &iso.requirements[0].id;
        assert!(
            matches!(c.lookup(req), Some(Found::Requirement { framework, .. }) if framework.id == "iso27001")
        );
        assert!(c.lookup("NOPE-99").is_none());
    }

    #[test]
    fn a_category_narrows_criteria_and_controls() {
        let c = Catalog::embedded().unwrap();
        let all = c.criteria_of(None);
        let avail = c.criteria_of(Some(Category::Availability));
        assert_eq!(all.len(), c.criteria.len());
        assert!(!avail.is_empty() && avail.len() < all.len());
        assert!(avail.iter().all(|k| k.category == Category::Availability));
        let controls = c.controls_of(Some(Category::Availability));
        assert!(!controls.is_empty() && controls.len() < c.controls.len());
    }
}
