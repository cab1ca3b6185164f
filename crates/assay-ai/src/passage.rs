//! What retrieval finds and answers cite: a passage of the workspace (a policy section, a
//! control, a test and its latest result, a criterion or one of its points of focus, a piece
//! of evidence's metadata), with a stable citation id and the SHA-256 of its text.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a passage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A numbered section or statement of a policy.
    Policy,
    /// A control's title and description.
    Control,
    /// A control test and its latest result.
    Test,
    /// A trust services criterion.
    Criterion,
    /// One point of focus of a criterion.
    PointOfFocus,
    /// An evidence record's metadata.
    Evidence,
}

impl Kind {
    /// The prefix of citation ids of this kind.
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Policy => "policy",
            Kind::Control => "control",
            Kind::Test => "test",
            Kind::Criterion => "criterion",
            Kind::PointOfFocus => "pof",
            Kind::Evidence => "evidence",
        }
    }
}

/// The latest result of the test a passage describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestState {
    /// `effective`, `not-effective`, `not-tested`, ...
    pub result: String,
    /// Exceptions found.
    pub exceptions: usize,
    /// The period tested, `from..to`, or the day.
    pub as_of: String,
}

/// One passage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    /// The citation id, e.g. `policy:POL-ACCESS#4.1.3`, `control:ACC-02`,
    /// `test:ACC-02.3`, `criterion:CC6.1`, `pof:CC6.1/2`, `evidence:<sha256>`.
    pub id: String,
    /// Its kind.
    pub kind: Kind,
    /// A short heading (policy and section title, control title, ...).
    pub title: String,
    /// The text that is searched and quoted.
    pub text: String,
    /// The controls the passage belongs to or names (a test's control; a control itself).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<String>,
    /// For a test: its latest result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<TestState>,
}

impl Passage {
    /// A passage; its id is `<kind prefix>:<reference>`.
    pub fn new(kind: Kind, reference: &str, title: &str, text: &str) -> Passage {
        Passage {
            id: format!("{}:{reference}", kind.prefix()),
            kind,
            title: title.trim().to_string(),
            text: text.trim().to_string(),
            controls: Vec::new(),
            state: None,
        }
    }

    /// SHA-256 of the title, a newline and the text: what a citation's hash names.
    pub fn sha256(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.title.as_bytes());
        h.update(b"\n");
        h.update(self.text.as_bytes());
        hex::encode(h.finalize())
    }

    /// Whether the latest result is a failure (not effective, or exceptions found).
    pub fn failing(&self) -> bool {
        self.state
            .as_ref()
            .is_some_and(|s| s.result == "not-effective" || s.exceptions > 0)
    }
}
