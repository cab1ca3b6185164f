//! A proposed answer to one question: its class, text, citations and confidence, and how it
//! was made. Proposals are never facts: a person accepts, edits or rejects each.

use serde::{Deserialize, Serialize};

/// The answer's class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// The workspace shows it is done, and its tests (if any) pass.
    Yes,
    /// It is set out, but a test found exceptions or only part of it is covered.
    Partial,
    /// The workspace says it is not done or not allowed.
    No,
    /// Nothing in the workspace supports an answer: a person must answer.
    NeedsInfo,
}

impl Class {
    /// The class as written in files: `yes`, `partial`, `no`, `needs-info`.
    pub fn name(self) -> &'static str {
        match self {
            Class::Yes => "yes",
            Class::Partial => "partial",
            Class::No => "no",
            Class::NeedsInfo => "needs-info",
        }
    }

    /// The class named `s` (as [`Class::name`] writes it; case and `_` are forgiven).
    pub fn parse(s: &str) -> Option<Class> {
        match s.trim().to_lowercase().replace('_', "-").as_str() {
            "yes" => Some(Class::Yes),
            "partial" | "partially" => Some(Class::Partial),
            "no" => Some(Class::No),
            "needs-info" | "needs info" | "n/a" | "unknown" => Some(Class::NeedsInfo),
            _ => None,
        }
    }
}

/// How the answer was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// From the best-supported passages, without a model.
    Extractive,
    /// By a model (its name), from the retrieved passages.
    Model(String),
    /// A person's accepted answer from the answer library.
    Library,
}

/// One citation: a passage's id and the SHA-256 of its text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Citation {
    /// The passage's citation id.
    pub id: String,
    /// SHA-256 of the passage as cited.
    pub sha256: String,
    /// For a test result: its result and period, e.g. `not-effective, 2026-01-01..2026-06-30`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
}

/// A proposed answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// Its class.
    pub class: Class,
    /// The answer in words.
    pub text: String,
    /// What supports it (empty only for `needs-info`).
    pub citations: Vec<Citation>,
    /// 0 to 1.
    pub confidence: f64,
    /// How it was made.
    pub origin: Origin,
    /// What a reviewer should know: citations dropped, a model's error, a downgrade.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Answer {
    /// The citation ids, joined for a spreadsheet cell.
    pub fn sources(&self) -> String {
        self.citations
            .iter()
            .map(|c| match &c.result {
                Some(r) => format!("{} ({r})", c.id),
                None => c.id.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}
