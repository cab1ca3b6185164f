//! Design coverage: which criteria in scope have at least one control mapped to them.

use crate::{criterion, Category, Control, Criterion};
use serde::Serialize;
use std::collections::BTreeMap;

/// Coverage of one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryCoverage {
    /// The category.
    pub category: Category,
    /// Criteria of the category.
    pub criteria: usize,
    /// Criteria with at least one control.
    pub covered: usize,
    /// Criteria with no control, in catalog order.
    pub uncovered: Vec<String>,
}

/// Design coverage of the criteria in scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Criteria in scope.
    pub in_scope: usize,
    /// Criteria in scope with at least one control.
    pub covered: usize,
    /// Per category, in category order.
    pub categories: Vec<CategoryCoverage>,
    /// For each criterion in scope, the ids of the controls mapped to it (sorted).
    pub controls_by_criterion: BTreeMap<String, Vec<String>>,
}

impl Coverage {
    /// Computes coverage of `catalog` criteria whose category is in `scope` by `controls`.
    pub fn compute(catalog: &[Criterion], scope: &[Category], controls: &[Control]) -> Coverage {
        let mut by_criterion: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for c in catalog.iter().filter(|c| scope.contains(&c.category)) {
            by_criterion.insert(c.id.clone(), Vec::new());
        }
        for control in controls {
            for id in control.criterion_ids() {
                if let Some(list) = by_criterion.get_mut(id) {
                    if !list.contains(&control.id) {
                        list.push(control.id.clone());
                    }
                }
            }
        }
        for list in by_criterion.values_mut() {
            list.sort();
        }
        let mut categories = Vec::new();
        for cat in Category::ALL.into_iter().filter(|c| scope.contains(c)) {
            let mut ids: Vec<&Criterion> = catalog.iter().filter(|c| c.category == cat).collect();
            ids.sort_by_key(|c| criterion::sort_key(&c.id));
            let uncovered: Vec<String> = ids
                .iter()
                .filter(|c| by_criterion.get(&c.id).is_none_or(|l| l.is_empty()))
                .map(|c| c.id.clone())
                .collect();
            categories.push(CategoryCoverage {
                category: cat,
                criteria: ids.len(),
                covered: ids.len() - uncovered.len(),
                uncovered,
            });
        }
        Coverage {
            in_scope: categories.iter().map(|c| c.criteria).sum(),
            covered: categories.iter().map(|c| c.covered).sum(),
            categories,
            controls_by_criterion: by_criterion,
        }
    }

    /// Criteria in scope with no control, in catalog order.
    pub fn uncovered(&self) -> impl Iterator<Item = &str> {
        self.categories
            .iter()
            .flat_map(|c| c.uncovered.iter().map(String::as_str))
    }
}
