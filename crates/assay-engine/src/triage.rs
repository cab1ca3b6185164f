//! `findings/*.yaml`: what management decided about a finding (owner, due date, status,
//! response), carried across runs by the finding's stable id.
//!
//! ```yaml
//! id: F-CHG-01.1
//! owner: head-of-engineering
//! due: 2026-12-15
//! status: in-progress        # open | in-progress | remediated | risk-accepted
//! response: >-
//!   Branch rulesets now require one non-author approval on every production repository.
//! evaluation:                # the auditor's evaluation of the test's deviations
//!   extent: isolated         # isolated | systemic
//!   cause: One merge by the on-call engineer during the 2026-05-14 outage.
//!   by: auditor@cpa.example
//!   on: 2026-10-20
//! ```

use serde::{Deserialize, Serialize};

/// Where a finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Not yet worked on.
    Open,
    /// Being fixed.
    InProgress,
    /// Fixed; the next run should no longer show it.
    Remediated,
    /// Management accepts the risk.
    RiskAccepted,
}

impl Status {
    /// The word used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::InProgress => "in-progress",
            Status::Remediated => "remediated",
            Status::RiskAccepted => "risk-accepted",
        }
    }
}

/// How far a test's deviations reach, as the service auditor evaluated them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Extent {
    /// One cause confined to the items found (one person, one event): the control otherwise
    /// operated.
    Isolated,
    /// The control did not operate as designed.
    Systemic,
}

impl Extent {
    /// The word used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Extent::Isolated => "isolated",
            Extent::Systemic => "systemic",
        }
    }
}

/// The evaluation of the deviations a whole-population test found: their cause and extent.
/// A whole population has no sampling risk, so no rate decides for the auditor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    /// Isolated or systemic.
    pub extent: Extent,
    /// The cause found, in a sentence (the same cause across tests is named the same way).
    pub cause: String,
    /// Who evaluated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "date_schema")]
    pub on: Option<jiff::civil::Date>,
}

/// The JSON Schema of a date field: `YYYY-MM-DD`.
pub fn date_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "format": "date" })
}

/// Management's triage of one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Triage {
    /// The finding id.
    pub id: String,
    /// Owner role or person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Due date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<jiff::civil::Date>,
    /// Status.
    pub status: Status,
    /// Management's response, for Section IV of the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// The evaluation of the test's deviations, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<Evaluation>,
    /// The file it was read from (workspace-relative).
    #[serde(skip)]
    pub file: String,
}

/// Parses one findings file; `Err` says where and what is wrong.
pub fn parse(file: &str, text: &str) -> Result<Triage, String> {
    let mut t: Triage = serde_saphyr::from_str(text).map_err(|e| {
        format!("{file}: {e}\n  help: a findings file has `id`, `status` (open, in-progress, remediated, risk-accepted) and optionally `owner`, `due` (YYYY-MM-DD), `response`, and `evaluation` (`extent`: isolated or systemic, `cause`, `by`, `on`)")
    })?;
    t.file = file.to_string();
    Ok(t)
}

/// The text of a findings file holding `t` (strings quoted, the response as a literal
/// block), which [`parse`] reads back to the same triage.
pub fn render(t: &Triage) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let mut out = format!("id: {}\n", q(&t.id));
    if let Some(o) = &t.owner {
        out.push_str(&format!("owner: {}\n", q(o)));
    }
    if let Some(d) = t.due {
        out.push_str(&format!("due: {d}\n"));
    }
    out.push_str(&format!(
        "status: {}   # open | in-progress | remediated | risk-accepted\n",
        t.status.as_str()
    ));
    if let Some(r) = t.response.as_deref().filter(|r| !r.trim().is_empty()) {
        out.push_str("response: |-\n");
        for line in r.trim_end().lines() {
            if line.is_empty() {
                out.push('\n');
            } else {
                out.push_str(&format!("  {line}\n"));
            }
        }
    }
    if let Some(e) = &t.evaluation {
        out.push_str(&format!(
            "evaluation:\n  extent: {}   # isolated | systemic\n  cause: {}\n",
            e.extent.as_str(),
            q(&e.cause)
        ));
        if let Some(by) = &e.by {
            out.push_str(&format!("  by: {}\n", q(by)));
        }
        if let Some(on) = e.on {
            out.push_str(&format!("  on: {on}\n"));
        }
    }
    out
}

/// The text of a new findings file for a finding (status open).
pub fn new_file(id: &str, owner: &str, due: jiff::civil::Date, title: &str) -> String {
    format!(
        "# {title}\nid: {id}\nowner: {owner}\ndue: {due}\nstatus: open   # open | in-progress | remediated | risk-accepted\n# response: >-\n#   Management's response, quoted in Section IV of the report.\n"
    )
}

#[cfg(test)]
mod render_tests {
    use super::*;

    #[test]
    fn rendered_files_read_back_the_same() {
        let t = Triage {
            id: "F-CHG-01.1".into(),
            owner: Some("head-of-engineering: \"eng\"".into()),
            due: Some(jiff::civil::date(2026, 12, 15)),
            status: Status::InProgress,
            response: Some(
                "Rulesets now require review.\n\n  - indented: yes\n# not a comment".into(),
            ),
            evaluation: Some(Evaluation {
                extent: Extent::Isolated,
                cause: "one merge: \"hotfix\" during an outage".into(),
                by: Some("auditor@cpa.example".into()),
                on: Some(jiff::civil::date(2026, 10, 20)),
            }),
            file: "findings/F-CHG-01.1.yaml".into(),
        };
        let back = parse("findings/F-CHG-01.1.yaml", &render(&t)).unwrap_or_else(|e| panic_msg(&e));
        assert_eq!(back, t);
    }

    #[allow(clippy::panic)]
    fn panic_msg(e: &str) -> Triage {
        panic!("{e}")
    }
}
