//! `walkthroughs/<CONTROL>.yaml`: the service auditor's walkthrough of a control, the test of
//! its design and implementation. Tests of operating effectiveness rest on it: a control whose
//! design is deficient, or which was not implemented, did not operate effectively whatever its
//! tests found (`C-DESIGN-DEFICIENT`), and a control not yet walked through is work left.
//!
//! ```yaml
//! control: ACC-01
//! performed_by: Dana Reyes <dana@cpa.example>
//! performed_on: 2026-07-15
//! procedure: >-
//!   Inquired of the IT admin how applications are added to Okta; inspected the Okta
//!   application catalog and the sign-in settings of insights-web; observed a sign-in
//!   redirected to Okta with local login disabled.
//! conclusion: designed-and-implemented   # | design-deficient | not-implemented
//! notes: ""
//! evidence: [3f2a9c1b0d4e]               # locker ids of what was inspected
//! ```

use serde::{Deserialize, Serialize};

/// What the walkthrough concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Design {
    /// Suitably designed and placed in operation.
    DesignedAndImplemented,
    /// The design would not meet the criteria even if it operated as described.
    DesignDeficient,
    /// Designed, but not in operation.
    NotImplemented,
}

impl Design {
    /// The word used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Design::DesignedAndImplemented => "designed and implemented",
            Design::DesignDeficient => "design deficient",
            Design::NotImplemented => "not implemented",
        }
    }
}

/// A walkthrough record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Walkthrough {
    /// The control walked through.
    pub control: String,
    /// Who performed it.
    pub performed_by: String,
    /// When.
    pub performed_on: jiff::civil::Date,
    /// What was done: inquiry of whom, what was observed and inspected, for one instance.
    pub procedure: String,
    /// The conclusion on design and implementation.
    pub conclusion: Design,
    /// Anything else the reviewer should know.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// Locker ids (hash prefixes) of what was inspected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// The file it was read from (workspace-relative).
    #[serde(skip)]
    pub file: String,
}

/// Parses one walkthrough file; `Err` names the file and field and says how to fix it.
pub fn parse(file: &str, text: &str) -> Result<Walkthrough, String> {
    let mut w: Walkthrough = serde_saphyr::from_str(text).map_err(|e| {
        format!("{file}: {e}\n  help: a walkthrough has `control`, `performed_by`, `performed_on` (YYYY-MM-DD), `procedure`, and `conclusion` (designed-and-implemented, design-deficient or not-implemented); optionally `notes` and `evidence`")
    })?;
    w.file = file.to_string();
    if let Some(field) = crate::required::first_empty(&[
        ("control", &w.control),
        ("performed_by", &w.performed_by),
        ("procedure", &w.procedure),
    ]) {
        return Err(format!(
            "{file}: field `{field}` is empty\n  help: a walkthrough names the control, who performed it and what was inquired, observed and inspected"
        ));
    }
    let stem = file
        .rsplit('/')
        .next()
        .and_then(|n| n.strip_suffix(".yaml").or_else(|| n.strip_suffix(".yml")))
        .unwrap_or("");
    if !stem.is_empty() && stem != w.control {
        return Err(format!(
            "{file}: field `control` is `{}`, but the file is named for `{stem}`\n  help: name the file walkthroughs/{}.yaml, or correct the field",
            w.control, w.control
        ));
    }
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "control: ACC-01\nperformed_by: Dana\nperformed_on: 2026-07-15\nprocedure: Inquired and inspected one instance.\nconclusion: designed-and-implemented\n";

    #[test]
    fn a_walkthrough_names_its_control_and_concludes_in_one_of_three_words() {
        let w = parse("walkthroughs/ACC-01.yaml", OK).unwrap();
        assert_eq!(w.conclusion, Design::DesignedAndImplemented);
        let err = parse("walkthroughs/ACC-02.yaml", OK).unwrap_err();
        assert!(err.contains("named for `ACC-02`"), "{err}");
        let err = parse(
            "walkthroughs/ACC-01.yaml",
            &OK.replace("designed-and-implemented", "fine"),
        )
        .unwrap_err();
        assert!(
            err.starts_with("walkthroughs/ACC-01.yaml:") && err.contains("conclusion"),
            "{err}"
        );
        let err = parse(
            "walkthroughs/ACC-01.yaml",
            &OK.replace("Inquired and inspected one instance.", "''"),
        )
        .unwrap_err();
        assert!(err.contains("field `procedure` is empty"), "{err}");
    }
}
