//! The answer library: answers a person accepted, kept in the workspace
//! (`answers/library.json`, in git beside the policies) and offered first the next time the
//! same question, or nearly the same, is asked.

use crate::answer::{Citation, Class};
use crate::text::terms;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The library file's schema name.
pub const SCHEMA: &str = "assay.answers/v1";
/// Two questions are the same when their terms overlap this much (Jaccard).
const SAME: f64 = 0.8;

/// One accepted answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accepted {
    /// The question as asked.
    pub question: String,
    /// The class the person chose.
    pub class: Class,
    /// The answer as the person left it.
    pub answer: String,
    /// Its sources.
    pub citations: Vec<Citation>,
    /// Who accepted it.
    pub accepted_by: String,
    /// When (RFC 3339).
    pub accepted_at: String,
    /// The proposal it came from (its SHA-256), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<String>,
    /// Whether the person changed the proposal's class or text.
    pub edited: bool,
}

/// The library.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Library {
    /// `assay.answers/v1`.
    pub schema: String,
    /// Accepted answers, sorted by question.
    pub answers: Vec<Accepted>,
}

fn key(q: &str) -> BTreeSet<String> {
    terms(q).into_iter().collect()
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

impl Library {
    /// The accepted answer for `question`, if the library holds the same question.
    pub fn find(&self, question: &str) -> Option<&Accepted> {
        let k = key(question);
        self.answers
            .iter()
            .map(|a| (jaccard(&k, &key(&a.question)), a))
            .filter(|(s, _)| *s >= SAME)
            .max_by(|x, y| {
                x.0.total_cmp(&y.0)
                    .then_with(|| y.1.question.cmp(&x.1.question))
            })
            .map(|(_, a)| a)
    }

    /// Adds or replaces (same question text) an accepted answer; keeps the order sorted.
    pub fn put(&mut self, a: Accepted) {
        self.schema = SCHEMA.into();
        self.answers
            .retain(|x| x.question.trim() != a.question.trim());
        self.answers.push(a);
        self.answers.sort_by(|x, y| x.question.cmp(&y.question));
    }
}
