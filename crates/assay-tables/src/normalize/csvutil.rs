//! Reading CSV exports: UTF-8 with or without a byte-order mark, headers matched by their
//! normalized form, every error naming its line.

use super::NormalizeError;

/// A header in comparable form: lower case, `_`/`-` as spaces, single spaces.
pub fn norm_header(h: &str) -> String {
    h.trim()
        .to_ascii_lowercase()
        .replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A CSV reader over `bytes` (BOM stripped), checking it is UTF-8 first.
pub fn reader(bytes: &[u8]) -> Result<csv::Reader<&[u8]>, NormalizeError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        return Err(NormalizeError::at(
            line,
            "the file is not UTF-8 text; export it again as CSV (UTF-8)",
        ));
    }
    Ok(csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(bytes))
}

/// The headers, normalized.
pub fn headers(r: &mut csv::Reader<&[u8]>) -> Result<Vec<String>, NormalizeError> {
    let h = r.headers().map_err(|e| csv_error(&e))?;
    Ok(h.iter().map(norm_header).collect())
}

/// The first header position matching one of `aliases` (given in normalized form).
pub fn find(headers: &[String], aliases: &[&str]) -> Option<usize> {
    aliases
        .iter()
        .find_map(|a| headers.iter().position(|h| h == a))
}

/// A csv error with its line.
pub fn csv_error(e: &csv::Error) -> NormalizeError {
    let line = e.position().map(|p| p.line() as usize);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("this row has {len} fields but the header has {expected_len}; check for an unquoted comma or a cut-off line")
        }
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text; export it again as CSV (UTF-8)".into(),
        _ => e.to_string(),
    };
    NormalizeError { line, message }
}
