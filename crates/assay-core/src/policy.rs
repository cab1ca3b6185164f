//! The front matter of a policy document: who owns it, which version is in force, and which
//! criteria and controls it supports.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A policy's metadata (its YAML front matter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyMeta {
    /// Stable id, e.g. `POL-ACCESS`.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Version in force, e.g. `1.0`.
    pub version: String,
    /// The role that owns and reviews it.
    pub owner: String,
    /// The role that approves it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
    /// `draft` until approved, then `approved`.
    pub status: String,
    /// When management approved this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved: Option<Date>,
    /// How often it is reviewed, e.g. `annual`.
    pub review_cycle: String,
    /// Criteria it supports.
    #[serde(default)]
    pub criteria: Vec<String>,
    /// Controls it mandates.
    #[serde(default)]
    pub controls: Vec<String>,
}

/// Splits a Markdown document into its YAML front matter and body.
///
/// Returns `(front_matter, body, body_first_line)` where `body_first_line` is the 1-based
/// line number the body starts on, or `None` when the text does not open with `---`.
pub fn split_front_matter(text: &str) -> Option<(&str, &str, usize)> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let body_line = 2 + yaml.lines().count() + 1;
            return Some((yaml, body, body_line));
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::split_front_matter;

    #[test]
    fn splits_front_matter_and_counts_lines() {
        let (y, b, l) =
            split_front_matter("---\nid: X\ntitle: T\n---\n# Body\n").unwrap_or_default();
        assert_eq!(y, "id: X\ntitle: T\n");
        assert_eq!(b, "# Body\n");
        assert_eq!(l, 5);
        assert!(split_front_matter("# no front matter").is_none());
        assert!(split_front_matter("---\nid: X\nunterminated").is_none());
    }
}
