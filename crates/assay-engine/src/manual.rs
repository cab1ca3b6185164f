//! `results/*.yaml`: what a tester found on each sampled item of a manual test.
//!
//! ```yaml
//! test: HR-02.1
//! tester: Dana Reyes <dana@cpa.example>
//! tested_at: 2026-10-14
//! extended: false            # true once the sample was extended after one deviation
//! items:
//!   - key: alice@northwind.example
//!     result: pass           # pass | fail
//!     notes: background check report dated 2026-02-20, before access on 2026-03-01
//!     evidence: [3f2a9c1b0d4e]
//! ```

use serde::{Deserialize, Serialize};

/// A tester's result on one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The control operated on this item.
    Pass,
    /// A deviation.
    Fail,
}

/// One item's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// The sampled key.
    pub key: String,
    /// Pass or fail.
    pub result: Outcome,
    /// What the tester saw.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// Locker ids (hash prefixes) of the evidence inspected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// A results file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Results {
    /// The test id.
    pub test: String,
    /// Who performed it.
    pub tester: String,
    /// When (a date).
    pub tested_at: jiff::civil::Date,
    /// A seed replacing the default one (recorded in the assessment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
    /// Whether the sample was extended after one deviation.
    #[serde(default)]
    pub extended: bool,
    /// Results per item.
    #[serde(default)]
    pub items: Vec<Item>,
    /// Notes on the whole test.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// The file it was read from (workspace-relative).
    #[serde(skip)]
    pub file: String,
}

/// Parses one results file; `Err` says where and what is wrong.
pub fn parse(file: &str, text: &str) -> Result<Results, String> {
    let mut r: Results = serde_saphyr::from_str(text).map_err(|e| {
        format!("{file}: {e}\n  help: a results file has `test`, `tester`, `tested_at` (YYYY-MM-DD) and `items` with `key` and `result: pass|fail`")
    })?;
    r.file = file.to_string();
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_results_file_and_names_the_bad_field() {
        let ok = "test: HR-02.1\ntester: Dana\ntested_at: 2026-10-14\nitems:\n  - key: a@x.example\n    result: fail\n    notes: no check\n";
        let r = parse("results/HR-02.1.yaml", ok).unwrap();
        assert_eq!(r.items[0].result, Outcome::Fail);
        let bad = "test: HR-02.1\ntester: Dana\ntested_at: 2026-10-14\nitems:\n  - key: a@x.example\n    result: maybe\n";
        let e = parse("results/HR-02.1.yaml", bad).unwrap_err();
        assert!(e.starts_with("results/HR-02.1.yaml: "), "{e}");
        assert!(e.contains("line 6") || e.contains("6:"), "{e}");
    }
}
