//! Answers without a model: the best-supported passages of the workspace are quoted, and the
//! class follows from what they say and from the latest results of the controls they
//! belong to. Criteria and points of focus say what an auditor asks, not what the company
//! does, so they never support an answer.

use crate::answer::{Answer, Citation, Class, Origin};
use crate::index::{Hit, Index};
use crate::passage::{Kind, Passage};
use crate::text::{asks_prevention, clauses, negative, sentences};

/// A passage supports a question when it covers at least this share of the question's
/// terms, weighted by rarity.
pub const SUPPORT: f64 = 0.5;
/// Passages cited beside the best one score at least this share of its score.
const NEAR_BEST: f64 = 0.6;
/// At most this many passages are quoted.
const MAX_CITED: usize = 3;
/// Passages retrieved per question.
pub const RETRIEVED: usize = 8;

/// Whether a passage of this kind can support an answer about the company.
pub fn answers(kind: Kind) -> bool {
    !matches!(kind, Kind::Criterion | Kind::PointOfFocus)
}

/// The retrieved passages that can support an answer, best first.
pub fn retrieve(index: &Index, question: &str) -> Vec<Hit> {
    index
        .search(question, RETRIEVED * 2)
        .into_iter()
        .filter(|h| answers(index.passages()[h.at].kind))
        .take(RETRIEVED)
        .collect()
}

/// A citation of `p`.
pub fn cite(p: &Passage) -> Citation {
    Citation {
        id: p.id.clone(),
        sha256: p.sha256(),
        result: p
            .state
            .as_ref()
            .map(|s| format!("{}, {} exceptions, {}", s.result, s.exceptions, s.as_of)),
    }
}

/// The sentences of `p` a quote may come from: a control's title, then its text (without
/// the `Why:` line, which explains rather than states). A test's procedure says what an
/// auditor checks, not what the company does, so it is cited for its result, never quoted.
fn quotable(p: &Passage) -> Vec<String> {
    let mut out = Vec::new();
    if p.kind == Kind::Test {
        return out;
    }
    if matches!(p.kind, Kind::Control) {
        out.push(
            p.title
                .split_once(' ')
                .map_or(p.title.as_str(), |(_, t)| t)
                .to_string(),
        );
    }
    for line in p.text.lines().filter(|l| !l.starts_with("Why: ")) {
        out.extend(sentences(line));
    }
    out
}

/// The sentence of `p` that covers most of the question, and how much (the first of equals).
pub fn best_sentence(index: &Index, question: &str, p: &Passage) -> (String, f64) {
    let mut best = (String::new(), f64::MIN);
    for s in quotable(p) {
        let c = index.coverage_by_text(question, &s);
        if c > best.1 {
            best = (s, c);
        }
    }
    best
}

/// Whether `sentence` answers `question` with a denial: the clause that covers most of the
/// question is negative, and the question does not itself ask about preventing something.
fn denies(index: &Index, question: &str, sentence: &str) -> bool {
    if asks_prevention(question) {
        return false;
    }
    let mut best = (f64::MIN, false);
    for c in clauses(sentence) {
        let cov = index.coverage_by_text(question, &c);
        if cov > best.0 {
            best = (cov, negative(&c));
        }
    }
    best.1
}

/// The extractive answer to `question`.
pub fn answer(index: &Index, question: &str) -> Answer {
    let hits = retrieve(index, question);
    let supported: Vec<&Hit> = hits.iter().filter(|h| h.coverage >= SUPPORT).collect();
    let Some(best) = supported.first() else {
        return Answer {
            class: Class::NeedsInfo,
            text: "Nothing in the workspace answers this; a person must answer. (Extractive: no model was used.)".into(),
            citations: Vec::new(),
            confidence: 0.0,
            origin: Origin::Extractive,
            notes: hits
                .first()
                .map(|h| {
                    format!(
                        "the closest passage, {}, covers {:.0}% of the question",
                        index.passages()[h.at].id,
                        h.coverage * 100.0
                    )
                })
                .into_iter()
                .collect(),
        };
    };
    let passages = index.passages();
    let mut cited: Vec<&Passage> = supported
        .iter()
        .filter(|h| h.score >= best.score * NEAR_BEST)
        .take(MAX_CITED)
        .map(|h| &passages[h.at])
        .collect();
    // The quote is the best sentence of any cited passage; its passage leads.
    let (lead, quote) = cited
        .iter()
        .map(|p| (*p, best_sentence(index, question, p)))
        .fold(None::<(&Passage, (String, f64))>, |acc, (p, s)| match acc {
            Some((_, (_, c))) if c >= s.1 => acc,
            _ => Some((p, s)),
        })
        .filter(|(_, (s, _))| !s.is_empty())
        .map(|(p, (s, _))| (p, s))
        .unwrap_or_else(|| (cited[0], cited[0].title.clone()));
    let mut controls: Vec<&str> = cited
        .iter()
        .flat_map(|p| p.controls.iter().map(String::as_str))
        .collect();
    controls.sort_unstable();
    controls.dedup();
    // The latest results of the controls behind the cited passages.
    let failing: Vec<&Passage> = passages
        .iter()
        .filter(|p| p.kind == Kind::Test && p.failing())
        .filter(|p| p.controls.iter().any(|c| controls.contains(&c.as_str())))
        .collect();
    let said_no = denies(index, question, &quote);
    let class = if said_no {
        Class::No
    } else if failing.is_empty() {
        Class::Yes
    } else {
        Class::Partial
    };
    let mut text = format!(
        "{} {} [{}]",
        match class {
            Class::Yes => "Yes.",
            Class::No => "No.",
            _ => "Partly.",
        },
        quote.trim_end_matches('.').to_string() + ".",
        lead.id
    );
    if class == Class::Partial {
        for p in failing.iter().take(2) {
            if let Some(s) = &p.state {
                text.push_str(&format!(
                    " The latest test {} is {} with {} ({}) [{}].",
                    p.id.trim_start_matches("test:"),
                    s.result,
                    if s.exceptions == 1 {
                        "1 exception".to_string()
                    } else {
                        format!("{} exceptions", s.exceptions)
                    },
                    s.as_of,
                    p.id
                ));
            }
            if !cited.iter().any(|c| c.id == p.id) {
                cited.push(p);
            }
        }
    }
    text.push_str(" (Extractive: no model was used; proposed from the cited passages.)");
    Answer {
        class,
        text,
        citations: cited.into_iter().map(cite).collect(),
        confidence: (best.coverage * 100.0).round() / 100.0,
        origin: Origin::Extractive,
        notes: Vec::new(),
    }
}
