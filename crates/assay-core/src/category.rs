//! The five Trust Services Categories. Security (the common criteria) is always in scope.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A Trust Services Category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// The common criteria, CC1.1 to CC9.2; always in scope.
    Security,
    /// A1.1 to A1.3.
    Availability,
    /// PI1.1 to PI1.5.
    ProcessingIntegrity,
    /// C1.1 and C1.2.
    Confidentiality,
    /// P1.1 to P8.1.
    Privacy,
}

impl Category {
    /// Every category, in the order reports list them.
    pub const ALL: [Category; 5] = [
        Category::Security,
        Category::Availability,
        Category::ProcessingIntegrity,
        Category::Confidentiality,
        Category::Privacy,
    ];

    /// The kebab-case name used in files and on the command line.
    pub fn slug(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Availability => "availability",
            Category::ProcessingIntegrity => "processing-integrity",
            Category::Confidentiality => "confidentiality",
            Category::Privacy => "privacy",
        }
    }

    /// The name as a report prints it.
    pub fn title(self) -> &'static str {
        match self {
            Category::Security => "Security",
            Category::Availability => "Availability",
            Category::ProcessingIntegrity => "Processing Integrity",
            Category::Confidentiality => "Confidentiality",
            Category::Privacy => "Privacy",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// The text was not one of the five category names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown category `{0}`: expected one of security, availability, processing-integrity, confidentiality, privacy")]
pub struct UnknownCategory(pub String);

impl FromStr for Category {
    type Err = UnknownCategory;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        Category::ALL
            .into_iter()
            .find(|c| c.slug() == norm)
            .ok_or_else(|| UnknownCategory(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_slugs_and_common_spellings() {
        assert_eq!(
            "Processing_Integrity".parse(),
            Ok(Category::ProcessingIntegrity)
        );
        assert_eq!("privacy".parse(), Ok(Category::Privacy));
        assert!("integrity".parse::<Category>().is_err());
    }
}
