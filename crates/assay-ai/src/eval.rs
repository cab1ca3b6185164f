//! The evaluation of answering against a labelled question set: class accuracy (on the
//! questions the workspace can answer, and on all), citation precision and recall against
//! the sources a reviewer expects, the `needs-info` rate, and every final citation checked
//! to resolve to the passage and hash it names.

use crate::answer::{Answer, Class};
use crate::error::AiError;
use crate::index::Index;
use serde::Serialize;
use std::path::Path;

/// One labelled question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled {
    /// Its id, e.g. `Q07`.
    pub id: String,
    /// The question.
    pub question: String,
    /// The class a reviewer expects.
    pub class: Class,
    /// The sources a reviewer expects cited (`policy:POL-X#4.1`, `policy:POL-X`,
    /// `control:ACC-02`, `test:ACC-02.3`).
    pub sources: Vec<String>,
}

/// Reads `id,question,class,sources` CSV (sources separated by `;`).
pub fn read(path: &Path) -> Result<Vec<Labelled>, AiError> {
    let mut r = csv::Reader::from_path(path).map_err(|e| AiError::file(path, e.to_string()))?;
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| AiError::file(path, e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        let field = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
        let class = Class::parse(&field(2)).ok_or_else(|| {
            AiError::file(
                path,
                format!(
                    "line {line}, column `class`: `{}` is not yes, partial, no or needs-info",
                    field(2)
                ),
            )
        })?;
        out.push(Labelled {
            id: field(0),
            question: field(1),
            class,
            sources: crate::decision::source_ids(&field(3)),
        });
    }
    Ok(out)
}

/// Whether citation `got` is one of the sources `want` names: the same id, a test of a
/// named control, or a section of a named policy.
pub fn matches(got: &str, want: &str) -> bool {
    if got == want {
        return true;
    }
    if let Some(c) = want.strip_prefix("control:") {
        return got
            .strip_prefix("test:")
            .is_some_and(|t| t.rsplit_once('.').is_some_and(|(ctl, _)| ctl == c));
    }
    if want.starts_with("policy:") && !want.contains('#') {
        return got.starts_with(&format!("{want}#"));
    }
    false
}

/// One question's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Scored {
    /// The question's id.
    pub id: String,
    /// Expected class.
    pub expected: Class,
    /// Proposed class.
    pub got: Class,
    /// The citations proposed.
    pub cited: Vec<String>,
    /// The sources expected.
    pub sources: Vec<String>,
}

/// The evaluation's measures.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Passages in the index.
    pub passages: usize,
    /// Questions.
    pub questions: usize,
    /// Questions a reviewer can answer from the workspace (expected class not `needs-info`).
    pub answerable: usize,
    /// Class accuracy on those.
    pub class_accuracy_answerable: f64,
    /// Class accuracy on all.
    pub class_accuracy: f64,
    /// Share of citations that are expected sources.
    pub citation_precision: f64,
    /// Share of expected sources cited.
    pub citation_recall: f64,
    /// Share of questions answered `needs-info`.
    pub needs_info_rate: f64,
    /// Final citations that do not resolve to the passage and hash they name (must be 0).
    pub unresolved_citations: usize,
    /// Citations the check dropped (a model's invented or unsupported ones).
    pub dropped_citations: usize,
    /// Per question.
    pub scored: Vec<Scored>,
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        1.0
    } else {
        ((n as f64 / d as f64) * 1000.0).round() / 1000.0
    }
}

/// Scores `answers` (in the order of `set`) over `index`.
pub fn score(set: &[Labelled], answers: &[Answer], index: &Index) -> Report {
    let mut right = 0;
    let mut right_answerable = 0;
    let mut answerable = 0;
    let (mut cited, mut cited_ok, mut wanted, mut wanted_hit) = (0, 0, 0, 0);
    let mut unresolved = 0;
    let mut dropped = 0;
    let mut needs = 0;
    let mut scored = Vec::new();
    for (l, a) in set.iter().zip(answers) {
        if a.class == l.class {
            right += 1;
        }
        if l.class != Class::NeedsInfo {
            answerable += 1;
            if a.class == l.class {
                right_answerable += 1;
            }
        }
        if a.class == Class::NeedsInfo {
            needs += 1;
        }
        for c in &a.citations {
            if index.get(&c.id).is_none_or(|p| p.sha256() != c.sha256) {
                unresolved += 1;
            }
            cited += 1;
            if l.sources.iter().any(|w| matches(&c.id, w)) {
                cited_ok += 1;
            }
        }
        for w in &l.sources {
            wanted += 1;
            if a.citations.iter().any(|c| matches(&c.id, w)) {
                wanted_hit += 1;
            }
        }
        dropped += a
            .notes
            .iter()
            .filter(|n| n.starts_with("dropped citation"))
            .count();
        scored.push(Scored {
            id: l.id.clone(),
            expected: l.class,
            got: a.class,
            cited: a.citations.iter().map(|c| c.id.clone()).collect(),
            sources: l.sources.clone(),
        });
    }
    Report {
        passages: index.passages().len(),
        questions: set.len(),
        answerable,
        class_accuracy_answerable: ratio(right_answerable, answerable),
        class_accuracy: ratio(right, set.len()),
        citation_precision: ratio(cited_ok, cited),
        citation_recall: ratio(wanted_hit, wanted),
        needs_info_rate: ratio(needs, set.len()),
        unresolved_citations: unresolved,
        dropped_citations: dropped,
        scored,
    }
}
