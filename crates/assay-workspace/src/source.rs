//! Turning parser positions into [`Origin`]s and parser errors into [`Diagnostic`]s.

use crate::diagnostic::{Code, Diagnostic};
use crate::Origin;
use serde_saphyr::{Location, Spanned};

/// A position in a YAML file; `line_offset` shifts lines for front matter inside Markdown.
pub(crate) fn yaml_origin(file: &str, loc: &Location, width: usize, line_offset: usize) -> Origin {
    let line = loc.line() as usize;
    Origin {
        file: file.to_string(),
        line: if line == 0 { 0 } else { line + line_offset },
        column: loc.column() as usize,
        width,
    }
}

/// Where a spanned YAML string value sits.
pub(crate) fn at<T>(file: &str, s: &Spanned<T>, line_offset: usize) -> Origin
where
    T: AsRef<str>,
{
    yaml_origin(
        file,
        &s.referenced,
        s.value.as_ref().chars().count(),
        line_offset,
    )
}

/// Where any spanned YAML value starts.
pub(crate) fn at_any<T>(file: &str, s: &Spanned<T>, line_offset: usize) -> Origin {
    yaml_origin(file, &s.referenced, 1, line_offset)
}

/// A diagnostic for a YAML parse or shape error, with help matched to the kind of error.
pub(crate) fn yaml_error(file: &str, err: &serde_saphyr::Error, line_offset: usize) -> Diagnostic {
    let origin = err
        .location()
        .map(|l| yaml_origin(file, &l, 1, line_offset))
        .unwrap_or_else(|| Origin::file(file));
    let plain = err
        .without_snippet()
        .render_with_options(serde_saphyr::render_options! {
            snippets: serde_saphyr::SnippetMode::Off,
        });
    // Keep the message and drop the location suffix the library appends; we print our own.
    let message = strip_location_suffix(&plain);
    let (code, help) = classify(&message);
    Diagnostic::error(code, &origin, message).help(help)
}

fn strip_location_suffix(msg: &str) -> String {
    let first = msg.lines().next().unwrap_or(msg).trim();
    match first.rfind(" at line ") {
        Some(i) => first[..i].trim_end_matches(',').to_string(),
        None => first.to_string(),
    }
}

fn classify(message: &str) -> (Code, String) {
    let m = message.to_ascii_lowercase();
    if m.contains("missing field") {
        (
            Code::MissingField,
            "add the field; docs/workspace.md lists every field of each file".into(),
        )
    } else if m.contains("unknown field") {
        (
            Code::UnknownField,
            "check the spelling against docs/workspace.md, or remove the field".into(),
        )
    } else if m.contains("invalid type")
        || m.contains("invalid value")
        || m.contains("unknown variant")
    {
        (
            Code::InvalidValue,
            "give the field a value of the kind docs/workspace.md describes".into(),
        )
    } else {
        (
            Code::YamlSyntax,
            "fix the YAML at this position: check indentation (spaces, not tabs), unclosed quotes or brackets, and quote text containing `: `".into(),
        )
    }
}

/// Line and column (1-based, in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// Fills in each diagnostic's source line from the file texts.
pub(crate) fn attach_source_lines(
    diags: &mut [Diagnostic],
    texts: &std::collections::BTreeMap<String, String>,
) {
    for d in diags.iter_mut() {
        if d.line == 0 {
            continue;
        }
        if let Some(text) = texts.get(&d.file) {
            d.source_line = text.lines().nth(d.line - 1).map(str::to_string);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let t = "ab\ncé d\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, t.find('d').unwrap_or(0)), (2, 4));
    }
}
