//! Charts as inline SVG (no scripts): stacked bars of criterion verdicts per category, and
//! a heatmap of every criterion by series.

use crate::doc::esc;
use assay_engine::assessment::CriterionResult;
use std::fmt::Write as _;

/// Colour of a verdict.
pub fn colour(v: CriterionResult) -> &'static str {
    match v {
        CriterionResult::Met => "#2e8b57",
        CriterionResult::NotMet => "#c0392b",
        CriterionResult::NotTested => "#b8c0cc",
    }
}

fn legend(out: &mut String, y: u32) {
    let items = [
        (CriterionResult::Met, "met"),
        (CriterionResult::NotMet, "not met"),
        (CriterionResult::NotTested, "not tested"),
    ];
    for (i, (v, label)) in items.iter().enumerate() {
        let x = 10 + i as u32 * 120;
        let _ = write!(
            out,
            r#"<rect x="{x}" y="{y}" width="12" height="12" fill="{}"/><text x="{}" y="{}" font-size="12" fill="rgb(29,36,51)">{label}</text>"#,
            colour(*v),
            x + 18,
            y + 11
        );
    }
}

/// Horizontal stacked bars: for each (label, met, not met, not tested) one bar.
pub fn bars(rows: &[(String, usize, usize, usize)]) -> String {
    let label_w = 190u32;
    let bar_w = 560u32;
    let h = 26u32;
    let height = 40 + rows.len() as u32 * h;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{height}" viewBox="0 0 {} {height}" font-family="Helvetica, Arial, sans-serif">"#,
        label_w + bar_w + 90,
        label_w + bar_w + 90
    );
    for (i, (label, met, not_met, not_tested)) in rows.iter().enumerate() {
        let y = 6 + i as u32 * h;
        let total = (met + not_met + not_tested).max(1) as u32;
        let _ = write!(
            out,
            r#"<text x="0" y="{}" font-size="13" fill="rgb(29,36,51)">{}</text>"#,
            y + 14,
            esc(label)
        );
        let mut x = label_w;
        for (n, v) in [
            (*met, CriterionResult::Met),
            (*not_met, CriterionResult::NotMet),
            (*not_tested, CriterionResult::NotTested),
        ] {
            let w = n as u32 * bar_w / total;
            if w > 0 {
                let _ = write!(
                    out,
                    r#"<rect x="{x}" y="{y}" width="{w}" height="18" fill="{}"><title>{n} {}</title></rect>"#,
                    colour(v),
                    word(v)
                );
            }
            x += w;
        }
        let pct = *met * 100 / (met + not_met + not_tested).max(1);
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="13" fill="rgb(29,36,51)">{pct}% met</text>"#,
            label_w + bar_w + 8,
            y + 14
        );
    }
    legend(&mut out, height - 22);
    out.push_str("</svg>");
    out
}

fn word(v: CriterionResult) -> &'static str {
    match v {
        CriterionResult::Met => "met",
        CriterionResult::NotMet => "not met",
        CriterionResult::NotTested => "not tested",
    }
}

/// A heatmap: one row per series, one cell per criterion, coloured by verdict.
pub fn heatmap(series: &[(String, Vec<(String, CriterionResult)>)]) -> String {
    let label_w = 70u32;
    let cell = 58u32;
    let h = 30u32;
    let widest = series.iter().map(|(_, c)| c.len()).max().unwrap_or(1) as u32;
    let width = label_w + widest * (cell + 4) + 10;
    let height = 36 + series.len() as u32 * h;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif">"#
    );
    for (i, (name, cells)) in series.iter().enumerate() {
        let y = 4 + i as u32 * h;
        let _ = write!(
            out,
            r#"<text x="0" y="{}" font-size="13" font-weight="bold" fill="rgb(29,36,51)">{}</text>"#,
            y + 17,
            esc(name)
        );
        for (j, (id, v)) in cells.iter().enumerate() {
            let x = label_w + j as u32 * (cell + 4);
            let text = if *v == CriterionResult::NotTested {
                "#1d2433"
            } else {
                "#ffffff"
            };
            let _ = write!(
                out,
                r#"<rect x="{x}" y="{y}" width="{cell}" height="24" rx="3" fill="{}"><title>{} {}</title></rect><text x="{}" y="{}" font-size="11" text-anchor="middle" fill="{text}">{}</text>"#,
                colour(*v),
                esc(id),
                word(*v),
                x + cell / 2,
                y + 16,
                esc(id)
            );
        }
    }
    legend(&mut out, height - 22);
    out.push_str("</svg>");
    out
}
