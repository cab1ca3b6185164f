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

/// A table with a header row that wraps its cells to the terminal's width.
pub fn table(header: Vec<&str>) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_header(header);
    t
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

pub use assay_project::thousands;

/// The pipeline's progress as bars on standard error (drawn only on a terminal), and its
/// warnings as `warning:` lines.
#[derive(Default)]
pub struct Bars {
    bar: std::sync::Mutex<Option<indicatif::ProgressBar>>,
}

impl assay_project::Progress for Bars {
    fn start(&self, phase: &str, total: u64, unit: assay_project::Unit) {
        use assay_project::Unit;
        use indicatif::{ProgressBar, ProgressStyle};
        let template = match (unit, total) {
            (Unit::Bytes, 0) => format!("{{spinner}} {phase} {{bytes}} ({{bytes_per_sec}}) {{elapsed}}"),
            (Unit::Bytes, _) => format!("{{spinner}} {phase} [{{bar:30}}] {{bytes}}/{{total_bytes}} {{bytes_per_sec}} eta {{eta}} {{msg}}"),
            (Unit::Pieces, _) => format!("{{spinner}} {phase} [{{bar:30}}] {{pos}}/{{len}} pieces of evidence {{msg}}"),
            (Unit::Tests, _) => format!("{{spinner}} {phase} {{pos}}/{{len}} {{msg}}"),
            (Unit::Requests, _) => "{spinner} {msg}".to_string(),
            (Unit::Questions, _) => format!("{{spinner}} {phase} [{{bar:30}}] {{pos}}/{{len}} questions {{msg}}"),
        };
        let bar = if total == 0 {
            ProgressBar::new_spinner()
        } else {
            ProgressBar::new(total)
        };
        bar.set_style(
            ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        if let Ok(mut slot) = self.bar.lock() {
            if let Some(old) = slot.replace(bar) {
                old.finish_and_clear();
            }
        }
    }

    fn update(&self, done: u64, message: &str) {
        if let Some(bar) = self.bar.lock().ok().as_ref().and_then(|b| b.as_ref()) {
            bar.set_position(done);
            bar.set_message(message.to_string());
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.lock().ok().and_then(|mut b| b.take()) {
            bar.finish_and_clear();
        }
    }

    fn warn(&self, message: &str) {
        eprintln!(
            "{} {message}",
            paint("warning:", Style::Warning, stderr_color())
        );
    }
}

/// Prints the problems of a rejected input, one `error:` line each, and returns the
/// summary as the command's error.
pub fn rejected(e: assay_project::ProjectError) -> anyhow::Error {
    if let assay_project::ProjectError::Rejected { problems, summary } = &e {
        for p in problems {
            eprintln!("{} {p}", paint("error:", Style::Error, stderr_color()));
        }
        return anyhow::anyhow!("{summary}");
    }
    e.into()
}

/// `n thing` or `n things`.
pub fn plural(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("{n} {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// A CSV field, quoted when it must be.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The faults of a verification, one line each.
pub fn print_problems(problems: &[assay_locker::verify::Problem], color: bool) {
    for p in problems {
        let at = match (p.entry, &p.checkpoint) {
            (Some(e), _) => format!("entry #{e}"),
            (None, Some(c)) => format!("checkpoint of size {c}"),
            _ => "ledger".into(),
        };
        let code = serde_json::to_value(p.fault)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        println!(
            "{} [{code}] {at}: {}",
            paint("FAULT", Style::Error, color),
            p.message
        );
    }
}

/// What an import stored, for people or as JSON.
pub fn import_outcome(
    o: &assay_project::ImportOutcome,
    kind: &str,
    json: bool,
) -> anyhow::Result<()> {
    for w in &o.warnings {
        eprintln!("{} {w}", paint("warning:", Style::Warning, stderr_color()));
    }
    let s = &o.summary;
    if json {
        return self::json(&serde_json::json!({
            "schema": "assay.evidence-import/v1",
            "kind": kind,
            "batch": s.batch,
            "added": s.added,
            "already_stored": s.already_stored,
            "rows": o.rows.iter().map(|(t, n)| serde_json::json!({"table": t, "rows": n})).collect::<Vec<_>>(),
        }));
    }
    let color = stdout_color();
    println!(
        "{} {} as `{}` ({} rows: {}); batch {}",
        paint("Imported", Style::Good, color),
        plural(s.added.len(), "file"),
        kind,
        o.rows.values().sum::<usize>(),
        o.rows
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        s.batch
    );
    if s.already_stored > 0 {
        println!(
            "  {} already stored by this batch; not stored again",
            plural(s.already_stored, "file")
        );
    }
    Ok(())
}
