//! Every citation of a proposal is checked before anyone sees it: it must name a passage that
//! exists now, and that passage must support the question or the answer's words. Citations
//! that fail are dropped with a note; an answer left without one becomes `needs-info`.

use crate::answer::{Answer, Class};
use crate::extractive::{answers, cite, SUPPORT};
use crate::index::Index;

/// A cited passage supports a question when it covers this share of the question, or of the
/// answer's own words.
const CITED_SUPPORT: f64 = SUPPORT * 0.6;

/// The answer with only the citations that resolve and support it.
pub fn check(index: &Index, question: &str, mut answer: Answer) -> Answer {
    let mut kept = Vec::new();
    for c in std::mem::take(&mut answer.citations) {
        let Some((at, p)) = index
            .passages()
            .iter()
            .enumerate()
            .find(|(_, p)| p.id == c.id)
        else {
            answer.notes.push(format!(
                "dropped citation `{}`: no such passage in the workspace",
                c.id
            ));
            continue;
        };
        if !answers(p.kind) {
            answer.notes.push(format!(
                "dropped citation `{}`: a criterion says what is asked, not what the company does",
                c.id
            ));
            continue;
        }
        let supports = index.coverage(question, at) >= CITED_SUPPORT
            || index.coverage_by_text(&answer.text, &p.text) >= SUPPORT;
        if !supports {
            answer.notes.push(format!(
                "dropped citation `{}`: the passage does not support the question or the answer",
                c.id
            ));
            continue;
        }
        let now = cite(p);
        if !c.sha256.is_empty() && c.sha256 != now.sha256 {
            answer.notes.push(format!(
                "`{}` changed since it was cited; cited as it is now",
                c.id
            ));
        }
        if !kept
            .iter()
            .any(|k: &crate::answer::Citation| k.id == now.id)
        {
            kept.push(now);
        }
    }
    answer.citations = kept;
    if answer.citations.is_empty() && answer.class != Class::NeedsInfo {
        answer.notes.push(format!(
            "downgraded from `{}` to `needs-info`: no citation holds",
            answer.class.name()
        ));
        answer.class = Class::NeedsInfo;
        answer.confidence = 0.0;
    }
    answer
}
