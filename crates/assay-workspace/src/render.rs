//! Writing workspace files: controls as YAML and policy front matter, formatted for people
//! (folded long text, stable key order) and guaranteed to read back to the same values.

use assay_core::{Control, ControlType, Frequency, Nature};
use std::fmt::Write;

const WIDTH: usize = 92;

/// Words YAML 1.1 readers might take for booleans or null.
const RESERVED: &[&str] = &[
    "yes", "no", "on", "off", "true", "false", "null", "y", "n", "~",
];

fn needs_quotes(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    s.is_empty()
        || RESERVED.contains(&lower.as_str())
        || s.parse::<f64>().is_ok()
        || s.starts_with(|c: char| !(c.is_alphanumeric() || c == '(' || c == '/'))
        || s.ends_with([' ', ':'])
        || s.contains(": ")
        || s.contains(" #")
        || s.chars().any(|c| {
            c.is_control()
                || matches!(
                    c,
                    '"' | '\''
                        | '{'
                        | '}'
                        | '['
                        | ']'
                        | '`'
                        | '|'
                        | '>'
                        | '*'
                        | '&'
                        | '!'
                        | '%'
                        | '@'
                )
        })
}

/// A scalar on one line: plain when safe, double-quoted otherwise.
pub fn scalar(s: &str) -> String {
    if needs_quotes(s) {
        serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
    } else {
        s.to_string()
    }
}

/// Writes `key: value` at `indent`, folding long text into a `>-` block.
fn field(out: &mut String, indent: usize, key: &str, value: &str) {
    let pad = " ".repeat(indent);
    let text = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.len() + indent + key.len() + 2 <= WIDTH || text.is_empty() {
        let _ = writeln!(out, "{pad}{key}: {}", scalar(&text));
        return;
    }
    let _ = writeln!(out, "{pad}{key}: >-");
    let inner = " ".repeat(indent + 2);
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && inner.len() + line.len() + 1 + word.len() > WIDTH {
            let _ = writeln!(out, "{inner}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    let _ = writeln!(out, "{inner}{line}");
}

fn name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A control as YAML, in the order people read it.
pub fn control_yaml(c: &Control) -> String {
    let mut out = String::new();
    field(&mut out, 0, "id", &c.id);
    field(&mut out, 0, "title", &c.title);
    field(&mut out, 0, "description", &c.description);
    field(&mut out, 0, "owner", &c.owner);
    let commented = |out: &mut String, line: String, comment: &str| {
        let _ = writeln!(out, "{line:<26}# {comment}");
    };
    commented(
        &mut out,
        format!("frequency: {}", name::<Frequency>(&c.frequency)),
        &Frequency::NAMES.replace(", ", " | "),
    );
    commented(
        &mut out,
        format!("nature: {}", name::<Nature>(&c.nature)),
        "automated | manual",
    );
    commented(
        &mut out,
        format!("type: {}", name::<ControlType>(&c.control_type)),
        "preventive | detective | corrective",
    );
    out.push_str("criteria:\n");
    for link in &c.criteria {
        field(&mut out, 2, "- id", &link.id);
        field(&mut out, 4, "rationale", &link.rationale);
        if let Some(key) = link.key {
            let _ = writeln!(out, "    key: {key}");
        }
        if !link.compensates.is_empty() {
            let _ = writeln!(out, "    compensates: [{}]", link.compensates.join(", "));
        }
    }
    out.push_str("tests:\n");
    for t in &c.tests {
        field(&mut out, 2, "- id", &t.id);
        field(&mut out, 4, "procedure", &t.procedure);
        if let Some(p) = &t.population {
            let _ = writeln!(out, "    population: |");
            for l in p.lines() {
                let _ = writeln!(out, "      {l}");
            }
        }
        if let Some(e) = &t.expect {
            field(&mut out, 4, "expect", e);
        }
        if let Some(r) = &t.reason {
            field(&mut out, 4, "reason", r);
        }
        if let Some(o) = &t.occurrence {
            field(&mut out, 4, "occurrence", o);
        }
        if let Some(a) = &t.at {
            field(&mut out, 4, "at", a);
        }
        if let Some(s) = t.severity {
            field(&mut out, 4, "severity", s.as_str());
        }
        if !t.sources.is_empty() {
            let _ = writeln!(out, "    sources: {}", inline_list(&t.sources));
        }
    }
    if let Some(g) = &c.guidance {
        out.push_str("guidance:\n");
        field(&mut out, 2, "why", &g.why);
        out.push_str("  evidence:\n");
        for e in &g.evidence {
            let _ = writeln!(out, "    - {}", scalar(e));
        }
        field(&mut out, 2, "remediation", &g.remediation);
    }
    out
}

/// A list written inline: `[A, B, C]`.
pub fn inline_list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| scalar(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}
