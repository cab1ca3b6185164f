//! Policy review: for each criterion in scope and each of its points of focus, whether the
//! company's policy documents cover it (`covered`, `partial`, `missing`), with the passages that
//! support the proposal, and the existing controls whose text matches it, proposed as links
//! where the control is not mapped to the criterion yet. Proposals only: a person decides.

use crate::answer::Citation;
use crate::extractive::{cite, SUPPORT};
use crate::index::Index;
use crate::passage::{Kind, Passage};
use serde::Serialize;

/// A point of focus is partly covered from this share of its terms (weighted by rarity).
pub const PARTIAL: f64 = 0.3;
/// Passages cited per point of focus.
const CITED: usize = 2;
/// Controls proposed per point of focus.
const PROPOSED: usize = 2;

/// One criterion to review: its id, text and points of focus, and the controls already
/// mapped to it.
#[derive(Debug, Clone)]
pub struct Asked {
    /// The criterion's id.
    pub id: String,
    /// Its subject and summary.
    pub text: String,
    /// Its points of focus.
    pub points: Vec<String>,
    /// Controls of the workspace mapped to it.
    pub mapped: Vec<String>,
}

/// How well the policies cover something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cover {
    /// A passage covers at least half of it.
    Covered,
    /// A passage covers some of it.
    Partial,
    /// Nothing does.
    Missing,
}

/// The proposal for one point of focus.
#[derive(Debug, Clone, Serialize)]
pub struct PointReview {
    /// Its number within the criterion, from 1.
    pub number: usize,
    /// Its text.
    pub text: String,
    /// The proposed coverage.
    pub cover: Cover,
    /// How much of it the best passage covers, 0 to 1.
    pub score: f64,
    /// The supporting policy passages.
    pub citations: Vec<Citation>,
    /// Controls whose text matches it but that are not mapped to the criterion.
    pub proposed_controls: Vec<String>,
}

/// The proposal for one criterion.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionReview {
    /// The criterion's id.
    pub id: String,
    /// The least coverage among its points of focus (of the criterion's own text when it
    /// has none).
    pub cover: Cover,
    /// Per point of focus.
    pub points: Vec<PointReview>,
}

fn classify(score: f64) -> Cover {
    if score >= SUPPORT {
        Cover::Covered
    } else if score >= PARTIAL {
        Cover::Partial
    } else {
        Cover::Missing
    }
}

fn point(index: &Index, number: usize, text: &str, mapped: &[String]) -> PointReview {
    let hits = index.search(text, 40);
    let policies: Vec<_> = hits
        .iter()
        .filter(|h| index.passages()[h.at].kind == Kind::Policy)
        .collect();
    let score = policies.iter().map(|h| h.coverage).fold(0.0, f64::max);
    let cover = classify(score);
    let mut best: Vec<_> = policies.iter().filter(|h| h.coverage >= PARTIAL).collect();
    best.sort_by(|a, b| {
        b.coverage
            .total_cmp(&a.coverage)
            .then(b.score.total_cmp(&a.score))
    });
    let citations = best
        .iter()
        .take(CITED)
        .map(|h| cite(&index.passages()[h.at]))
        .collect();
    let proposed_controls = hits
        .iter()
        .map(|h| &index.passages()[h.at])
        .filter(|p: &&Passage| p.kind == Kind::Control)
        .filter(|p| p.controls.iter().all(|c| !mapped.contains(c)))
        .filter(|p| index.coverage_by_text(text, &format!("{}\n{}", p.title, p.text)) >= SUPPORT)
        .take(PROPOSED)
        .flat_map(|p| p.controls.clone())
        .collect();
    PointReview {
        number,
        text: text.to_string(),
        cover,
        score: (score * 100.0).round() / 100.0,
        citations,
        proposed_controls,
    }
}

/// Reviews every criterion of `asked` against the policy and control passages of `index`.
pub fn review(index: &Index, asked: &[Asked]) -> Vec<CriterionReview> {
    asked
        .iter()
        .map(|a| {
            let points: Vec<PointReview> = if a.points.is_empty() {
                vec![point(index, 0, &a.text, &a.mapped)]
            } else {
                a.points
                    .iter()
                    .enumerate()
                    .map(|(i, t)| point(index, i + 1, t, &a.mapped))
                    .collect()
            };
            CriterionReview {
                id: a.id.clone(),
                cover: points
                    .iter()
                    .map(|p| p.cover)
                    .max()
                    .unwrap_or(Cover::Missing),
                points,
            }
        })
        .collect()
}
