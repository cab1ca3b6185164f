//! The workpapers' subservice organization sheet: for each carved-out (or inclusive)
//! subservice organization of the inventory, the SOC report reviewed (type, period, opinion,
//! exceptions), each CSOC the system relies on and whether the report covers it, the bridge
//! letter, and the months between the report and the audit period's end that nothing covers.

use crate::workpapers::{header, put, Fit, Styles};
use crate::Context;
use assay_core::inventory::Vendor;
use rust_xlsxwriter::{Workbook, XlsxError};

/// The sheet's name.
pub const SHEET: &str = "Subservice organizations";

/// Its column widths, in characters.
const WIDTHS: [f64; 10] = [20.0, 10.0, 28.0, 24.0, 11.0, 36.0, 44.0, 22.0, 32.0, 20.0];

/// One row per subservice organization, as cells.
fn row(v: &Vendor, audit_end: &str) -> Vec<String> {
    let method = v.method.clone().unwrap_or_else(|| "not stated".into());
    let Some(r) = &v.soc2_report else {
        return vec![
            v.name.clone(),
            method,
            v.service.clone(),
            "NO REPORT OBTAINED: obtain the subservice organization's SOC report".into(),
            String::new(),
            String::new(),
            csocs(v, &[]),
            String::new(),
            "the whole audit period".into(),
            String::new(),
        ];
    };
    let period = match (&r.period_start, &r.period_end) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        (None, Some(b)) => format!("to {b}"),
        _ => "not recorded".into(),
    };
    // The last day something speaks for: the bridge letter, else the report.
    let covered_to = r
        .bridge_letter
        .as_ref()
        .map(|b| b.through.clone())
        .or_else(|| r.period_end.clone());
    let gap = match covered_to {
        Some(to) if to.as_str() >= audit_end => "none".to_string(),
        Some(to) => format!(
            "GAP: nothing covers {to} to {audit_end}; obtain a bridge letter or a later report"
        ),
        None => "not known: record the report's period".into(),
    };
    vec![
        v.name.clone(),
        method,
        v.service.clone(),
        format!("{} {period}", r.report_type),
        r.opinion.clone().unwrap_or_else(|| "not recorded".into()),
        if r.exceptions.is_empty() {
            "none".into()
        } else {
            r.exceptions.join("\n")
        },
        csocs(v, &r.csocs_covered),
        r.bridge_letter
            .as_ref()
            .map(|b| match &b.received {
                Some(on) => format!("through {}, received {on}", b.through),
                None => format!("through {}", b.through),
            })
            .unwrap_or_else(|| "none".into()),
        gap,
        match (&r.reviewed_by, &r.reviewed) {
            (Some(who), Some(on)) => format!("{who}, {on}"),
            (None, Some(on)) => on.clone(),
            (Some(who), None) => who.clone(),
            (None, None) => "not yet reviewed".into(),
        },
    ]
}

/// Each CSOC with its criteria and whether the report covers it.
fn csocs(v: &Vendor, covered: &[String]) -> String {
    v.csocs
        .iter()
        .map(|c| {
            format!(
                "{} ({}): {}",
                c.id,
                c.criteria.join(", "),
                if covered.contains(&c.id) {
                    "covered by the report"
                } else {
                    "NOT COVERED by the report"
                }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Adds the sheet: one row per subservice organization, or a line saying there is none.
pub(crate) fn sheet(wb: &mut Workbook, cx: &Context<'_>, s: &Styles) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(SHEET)?;
    ws.set_landscape().set_print_fit_to_pages(1, 0);
    let audit_end = cx.assessment.audit.period_end.clone();
    let subs: Vec<&Vendor> = cx
        .inventory
        .vendors
        .iter()
        .filter(|v| v.subservice)
        .collect();
    put(
        ws,
        0,
        0,
        &format!(
            "Review of subservice organizations' SOC reports and bridge letters, against the audit period ending {audit_end}"
        ),
        &s.bold,
    )?;
    if subs.is_empty() {
        put(
            ws,
            2,
            0,
            "The inventory names no subservice organization.",
            &s.wrap,
        )?;
        return Ok(());
    }
    header(
        ws,
        2,
        &[
            "organization",
            "method",
            "services",
            "report and period",
            "opinion",
            "exceptions",
            "CSOCs relied on (criteria)",
            "bridge letter",
            "gap to the audit period's end",
            "reviewed",
        ],
        s,
    )?;
    let mut fit = Fit::with(&WIDTHS);
    for (i, v) in subs.iter().enumerate() {
        for (j, text) in row(v, &audit_end).iter().enumerate() {
            fit.put(ws, 3 + i as u32, j as u16, text, &s.wrap)?;
        }
    }
    for (col, width) in WIDTHS.iter().enumerate() {
        ws.set_column_width(col as u16, *width)?;
    }
    fit.apply(ws)
}

#[cfg(test)]
mod tests {
    use super::*;
    use assay_core::inventory::{BridgeLetter, Csoc, VendorReport};

    fn vendor(report: Option<VendorReport>) -> Vendor {
        Vendor {
            id: "okta".into(),
            name: "Okta".into(),
            service: "SSO".into(),
            criticality: "high".into(),
            subservice: true,
            method: Some("carve-out".into()),
            data_access: false,
            soc2_report: report,
            csocs: vec![
                Csoc {
                    id: "CSOC-1".into(),
                    description: "d".into(),
                    criteria: vec!["CC6.1".into()],
                },
                Csoc {
                    id: "CSOC-2".into(),
                    description: "d".into(),
                    criteria: vec!["CC7.2".into()],
                },
            ],
        }
    }

    fn report(bridge: Option<&str>) -> VendorReport {
        VendorReport {
            report_type: "type2".into(),
            period_start: Some("2025-01-01".into()),
            period_end: Some("2025-12-31".into()),
            opinion: Some("unmodified".into()),
            exceptions: Vec::new(),
            csocs_covered: vec!["CSOC-1".into()],
            bridge_letter: bridge.map(|t| BridgeLetter {
                through: t.into(),
                received: None,
            }),
            reviewed: Some("2026-02-18".into()),
            reviewed_by: Some("Security lead".into()),
        }
    }

    #[test]
    fn gaps_and_uncovered_csocs_are_flagged() {
        let cells = row(&vendor(Some(report(None))), "2026-09-30");
        assert!(
            cells[8].starts_with("GAP: nothing covers 2025-12-31 to 2026-09-30"),
            "{cells:?}"
        );
        assert!(
            cells[6].contains("CSOC-1 (CC6.1): covered by the report"),
            "{cells:?}"
        );
        assert!(
            cells[6].contains("CSOC-2 (CC7.2): NOT COVERED"),
            "{cells:?}"
        );
        let cells = row(&vendor(Some(report(Some("2026-09-30")))), "2026-09-30");
        assert_eq!(cells[8], "none");
        let cells = row(&vendor(None), "2026-09-30");
        assert!(cells[3].starts_with("NO REPORT OBTAINED"), "{cells:?}");
    }
}
