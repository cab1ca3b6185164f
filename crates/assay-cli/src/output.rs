//! Rendering for people: diagnostics with their source line, coverage tables, colours only
//! on a terminal (and never when NO_COLOR is set).

use assay_core::Coverage;
use assay_workspace::{Diagnostic, Severity};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use std::io::IsTerminal;

/// Text styles.
#[derive(Clone, Copy)]
pub enum Style {
    /// Red, bold.
    Error,
    /// Yellow, bold.
    Warning,
    /// Green.
    Good,
    /// Bold.
    Strong,
}

fn color_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Whether to colour standard output.
pub fn stdout_color() -> bool {
    color_allowed() && std::io::stdout().is_terminal()
}

/// Whether to colour standard error.
pub fn stderr_color() -> bool {
    color_allowed() && std::io::stderr().is_terminal()
}

/// `text` in `style` when `color` is on.
pub fn paint(text: &str, style: Style, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = match style {
        Style::Error => "1;31",
        Style::Warning => "1;33",
        Style::Good => "32",
        Style::Strong => "1",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// One diagnostic, with the offending source line and a caret under the position.
pub fn diagnostic(d: &Diagnostic, color: bool) -> String {
    let (label, style) = match d.severity {
        Severity::Error => ("error", Style::Error),
        Severity::Warning => ("warning", Style::Warning),
    };
    let mut out = format!(
        "{}: {}\n  --> {}\n",
        paint(&format!("{label}[{}]", d.code), style, color),
        paint(&d.message, Style::Strong, color),
        d.location()
    );
    if let Some(src) = &d.source_line {
        let num = d.line.to_string();
        let pad = " ".repeat(num.len());
        out.push_str(&format!("{pad} |\n{num} | {src}\n"));
        if d.column > 0 {
            let lead: String = src
                .chars()
                .take(d.column - 1)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!(
                "{pad} | {lead}{}\n",
                paint(&"^".repeat(d.width.max(1)), style, color)
            ));
        }
    }
    if let Some(help) = &d.help {
        out.push_str(&format!("  = help: {help}\n"));
    }
    out
}

/// The design coverage table, one row per category in scope.
pub fn coverage_table(cov: &Coverage, color: bool) -> String {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(vec!["category", "criteria", "covered", "gaps"]);
    for c in &cov.categories {
        let gaps = if c.uncovered.is_empty() {
            paint("none", Style::Good, color)
        } else {
            paint(&c.uncovered.join(", "), Style::Warning, color)
        };
        table.add_row(vec![
            Cell::new(c.category.title()),
            Cell::new(c.criteria).set_alignment(CellAlignment::Right),
            Cell::new(c.covered).set_alignment(CellAlignment::Right),
            Cell::new(gaps),
        ]);
    }
    table.to_string()
}

/// Prints a value as pretty JSON with a trailing newline.
pub fn json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// A count with thousands separators: 1,234,567.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n thing` or `n things`.
pub fn plural(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("{n} {thing}")
    } else {
        format!("{n} {thing}s")
    }
}
