//! Workbooks for frameworks beside SOC 2, from the assessment's per-framework verdicts:
//! the ISO/IEC 27001 Statement of Applicability (every Annex A control, whether it applies,
//! why, the controls that implement it, and its status from the tests) and the HIPAA
//! safeguard matrix (every standard and implementation specification, required or
//! addressable, its status, and for each addressable one the decision to document).

use crate::workpapers::{header, put, workbook};
use crate::Context;
use assay_engine::assessment::{CriterionResult, FrameworkResult, RequirementVerdict};
use rust_xlsxwriter::XlsxError;

/// A verdict as the workbooks write it.
pub fn status(v: CriterionResult) -> &'static str {
    match v {
        CriterionResult::Met => "met",
        CriterionResult::NotMet => "not met",
        CriterionResult::NotTested => "not tested",
    }
}

fn implemented_by(r: &RequirementVerdict) -> String {
    if r.controls.is_empty() {
        "none in the workspace".to_string()
    } else {
        r.controls.join(", ")
    }
}

/// The verdict's statement followed by its caveats.
fn basis(r: &RequirementVerdict) -> String {
    let mut basis = r.statement.clone();
    for c in &r.caveats {
        basis.push_str(&format!(" Caveat: {c}."));
    }
    basis
}

/// The framework's verdicts, if the assessment has them.
pub fn find<'a>(cx: &Context<'a>, id: &str) -> Option<&'a FrameworkResult> {
    cx.assessment.frameworks.iter().find(|f| f.id == id)
}

/// The Statement of Applicability. Assay cannot decide applicability for the company: every
/// Annex A control is listed as applicable, with the basis (controls and test status) or,
/// where nothing implements it, a decision for the company to record.
pub fn soa(cx: &Context<'_>, iso: &FrameworkResult) -> Result<Vec<u8>, XlsxError> {
    let title = format!(
        "ISO/IEC 27001:2022 Statement of Applicability: {}",
        cx.scope.organization
    );
    let (mut wb, s) = workbook(cx, title.clone())?;
    let ws = wb.add_worksheet();
    ws.set_name("Statement of Applicability")?;
    put(ws, 0, 0, &title, &s.bold)?;
    let note = format!(
        "Scope: {}. Status from the assessment of {} to {} by {} (judgment rules version {}). \
         Applicability is the organization's decision: confirm each row, and for a control \
         excluded, replace the justification with the reason.",
        cx.scope.system_name,
        cx.assessment.audit.period_start,
        cx.assessment.audit.period_end,
        cx.assessment.generator,
        cx.assessment.rules_version
    );
    put(ws, 1, 0, &note, &s.wrap)?;
    header(
        ws,
        3,
        &[
            "Control",
            "Name",
            "Theme",
            "Applicable",
            "Justification",
            "Implemented by",
            "Status",
            "Rule",
            "Basis",
        ],
        &s,
    )?;
    let annex = iso.requirements.iter().filter(|r| r.id.starts_with("A."));
    for (row, r) in (4..).zip(annex) {
        let justification = match (&r.gap, r.controls.is_empty()) {
            (Some(gap), true) => format!("Applicable; no control implements it: {gap}"),
            (_, true) => "Applicable; no implementing control in the workspace".to_string(),
            _ => format!("Applicable; implemented by {}", r.controls.join(", ")),
        };
        let basis = basis(r);
        let cells = [
            r.id.as_str(),
            r.title.as_str(),
            r.group.as_str(),
            "Yes",
            justification.as_str(),
            &implemented_by(r),
            status(r.verdict),
            r.rule.id(),
            basis.as_str(),
        ];
        for (col, text) in (0..).zip(cells) {
            put(ws, row, col, text, &s.wrap)?;
        }
    }
    for (col, width) in [10, 36, 26, 11, 60, 24, 12, 16, 70].iter().enumerate() {
        ws.set_column_width(col as u16, *width)?;
    }
    wb.save_to_buffer()
}

/// The HIPAA Security Rule safeguard matrix.
pub fn hipaa(cx: &Context<'_>, h: &FrameworkResult) -> Result<Vec<u8>, XlsxError> {
    let title = format!(
        "HIPAA Security Rule safeguard matrix: {}",
        cx.scope.organization
    );
    let (mut wb, s) = workbook(cx, title.clone())?;
    let ws = wb.add_worksheet();
    ws.set_name("Safeguards")?;
    put(ws, 0, 0, &title, &s.bold)?;
    let note = format!(
        "Status from the assessment of {} to {} by {}. For an addressable specification the \
         covered entity implements it, implements an equivalent alternative, or documents why \
         neither is reasonable and appropriate (45 CFR 164.306(d)(3)).",
        cx.assessment.audit.period_start, cx.assessment.audit.period_end, cx.assessment.generator
    );
    put(ws, 1, 0, &note, &s.wrap)?;
    header(
        ws,
        3,
        &[
            "Section",
            "Id",
            "Name",
            "Designation",
            "Status",
            "Rule",
            "Implemented by",
            "Documented decision",
            "Basis",
        ],
        &s,
    )?;
    for (row, r) in (4..).zip(&h.requirements) {
        let designation = r.specification.as_deref().unwrap_or("");
        let decision = match (designation, r.controls.is_empty(), r.verdict) {
            ("addressable", true, _) => format!(
                "Decision to record: implement, adopt an equivalent alternative, or document why \
                 not reasonable and appropriate.{}",
                r.gap.as_ref().map(|g| format!(" {g}")).unwrap_or_default()
            ),
            ("addressable", false, CriterionResult::Met) => {
                format!("Implemented by {}", r.controls.join(", "))
            }
            ("addressable", false, _) => format!(
                "Implemented by {}; the status shows it is not yet demonstrated",
                r.controls.join(", ")
            ),
            (_, true, _) => format!(
                "Required: must be implemented.{}",
                r.gap.as_ref().map(|g| format!(" {g}")).unwrap_or_default()
            ),
            _ => String::new(),
        };
        let basis = basis(r);
        let cells = [
            r.group.as_str(),
            r.id.as_str(),
            r.title.as_str(),
            designation,
            status(r.verdict),
            r.rule.id(),
            &implemented_by(r),
            decision.as_str(),
            basis.as_str(),
        ];
        for (col, text) in (0..).zip(cells) {
            put(ws, row, col, text, &s.wrap)?;
        }
    }
    for (col, width) in [28, 22, 36, 13, 12, 16, 24, 60, 70].iter().enumerate() {
        ws.set_column_width(col as u16, *width)?;
    }
    wb.save_to_buffer()
}
