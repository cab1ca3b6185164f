//! The readiness charts, drawn from an assessment alone: criteria met, not met and not
//! tested per category (stacked bars) and per criterion series (heatmap). The readiness
//! report and the web app's dashboard draw the same two.

use crate::readiness::title_case;
use crate::svg;
use assay_engine::assessment::{CriterionResult, CriterionVerdict};
use assay_engine::Assessment;

/// A chart: the SVG, a text alternative, and its figures as (label, met, not met, not tested).
#[derive(Debug, Clone)]
pub struct Chart {
    /// Inline SVG, with no script.
    pub svg: String,
    /// The same in words, for screen readers and text reports.
    pub alt: String,
    /// The figures behind it.
    pub rows: Vec<(String, usize, usize, usize)>,
}

/// The series of a criterion id: `CC6.1` → `CC6`, `A1.2` → `A1`.
pub fn series_of(id: &str) -> &str {
    id.split('.').next().unwrap_or(id)
}

/// Criteria (of one category and one series, when given) met, not met and not tested.
pub fn counts(
    a: &Assessment,
    category: Option<&str>,
    series: Option<&str>,
) -> (usize, usize, usize) {
    let mut c = (0, 0, 0);
    for k in matching(&a.criteria, category, series) {
        match k.verdict {
            CriterionResult::Met => c.0 += 1,
            CriterionResult::NotMet => c.1 += 1,
            CriterionResult::NotTested => c.2 += 1,
        }
    }
    c
}

fn matching<'a>(
    all: &'a [CriterionVerdict],
    category: Option<&'a str>,
    series: Option<&'a str>,
) -> impl Iterator<Item = &'a CriterionVerdict> {
    all.iter().filter(move |k| {
        category.is_none_or(|x| k.category == x) && series.is_none_or(|s| series_of(&k.id) == s)
    })
}

/// The series in the order their criteria come.
pub fn series_list(a: &Assessment) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in &a.criteria {
        let s = series_of(&k.id).to_string();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Stacked bars of criterion verdicts per category in scope.
pub fn by_category(a: &Assessment) -> Chart {
    let rows: Vec<(String, usize, usize, usize)> = a
        .categories
        .iter()
        .map(|cat| {
            let (m, n, t) = counts(a, Some(cat), None);
            (title_case(cat), m, n, t)
        })
        .collect();
    let alt = format!(
        "Criteria met per category: {}.",
        rows.iter()
            .map(|(c, m, n, t)| format!("{c} {m} of {}", m + n + t))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Chart {
        svg: svg::bars(&rows),
        alt,
        rows,
    }
}

/// A heatmap of every criterion in scope, one row per series.
pub fn by_series(a: &Assessment) -> Chart {
    let series = series_list(a);
    let heat: Vec<(String, Vec<(String, CriterionResult)>)> = series
        .iter()
        .map(|s| {
            let cells = matching(&a.criteria, None, Some(s))
                .map(|k| (k.id.clone(), k.verdict))
                .collect();
            (s.clone(), cells)
        })
        .collect();
    let rows: Vec<(String, usize, usize, usize)> = series
        .iter()
        .map(|s| {
            let (m, n, t) = counts(a, None, Some(s));
            (s.clone(), m, n, t)
        })
        .collect();
    let (met, not_met, not_tested) = counts(a, None, None);
    Chart {
        svg: svg::heatmap(&heat),
        alt: format!(
            "Heatmap of {} criteria by series: {met} met, {not_met} not met, {not_tested} not tested.",
            a.criteria.len()
        ),
        rows,
    }
}
