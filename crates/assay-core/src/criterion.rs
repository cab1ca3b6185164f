//! A Trust Services Criterion as Assay ships it: id, category, series, a short subject and
//! points of focus written in our own words (the AICPA text is not reproduced).

use crate::Category;
use serde::{Deserialize, Serialize};

/// One of the 61 Trust Services Criteria.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Its id, e.g. `CC6.1`.
    pub id: String,
    /// The category it belongs to.
    pub category: Category,
    /// The series code, e.g. `CC6`.
    pub series: String,
    /// The series title, e.g. `Logical and physical access`.
    pub series_title: String,
    /// A short subject line.
    pub subject: String,
    /// One or two sentences on what the criterion asks.
    pub summary: String,
    /// What an auditor looks for, in our words.
    pub points_of_focus: Vec<String>,
}

/// Orders criterion ids the way the TSC lists them: CC before A, C, PI, P; numerically within.
pub fn sort_key(id: &str) -> (u8, u32, u32) {
    let (prefix, rest) = id.split_at(id.find(|c: char| c.is_ascii_digit()).unwrap_or(id.len()));
    let rank = match prefix {
        "CC" => 0,
        "A" => 1,
        "PI" => 2,
        "C" => 3,
        "P" => 4,
        _ => 5,
    };
    let mut nums = rest
        .split('.')
        .map(|n| n.parse::<u32>().unwrap_or(u32::MAX));
    (rank, nums.next().unwrap_or(0), nums.next().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::sort_key;

    #[test]
    fn sorts_numerically_and_by_category() {
        let mut ids = vec![
            "P1.1", "CC10.1", "CC9.2", "CC1.1", "A1.1", "PI1.2", "C1.1", "CC6.10", "CC6.2",
        ];
        ids.sort_by_key(|i| sort_key(i));
        assert_eq!(
            ids,
            ["CC1.1", "CC6.2", "CC6.10", "CC9.2", "CC10.1", "A1.1", "PI1.2", "C1.1", "P1.1"]
        );
    }
}
