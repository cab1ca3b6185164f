//! Secrets found by the shape of a file rather than by a pattern: a CSV column named for a
//! secret (the AWS console's credentials CSV), and the values of a Kubernetes `Secret`'s
//! `data` and `stringData` (YAML and JSON).

use super::value::{is_non_secret_value, line_end, line_start};
use regex::bytes::Regex;
use std::sync::OnceLock;

/// A structural scan: the input, the positions of its rule's trigger words (ascending), and
/// where to put what it finds (start, end, kind).
pub(super) type Scanner = fn(&[u8], &[usize], &mut Vec<(usize, usize, &'static str)>);

/// Longest header line read as CSV.
const MAX_HEADER: usize = 64 * 1024;
/// How far around a JSON `"kind": "Secret"` its `data` objects are looked for.
const JSON_REACH: usize = 64 * 1024;

/// The kind a secret column's values are redacted as, by its header (trimmed, any case).
fn secret_column(name: &[u8]) -> Option<&'static str> {
    let n = name.trim_ascii().to_ascii_lowercase();
    let n = n.strip_prefix(b"\"").unwrap_or(&n);
    let n = n.strip_suffix(b"\"").unwrap_or(n);
    match n {
        b"secret access key"
        | b"secret_access_key"
        | b"aws_secret_access_key"
        | b"secretaccesskey" => Some("aws-secret-access-key"),
        b"password" | b"secret" | b"client secret" | b"client_secret" | b"api key" | b"api_key"
        | b"token" | b"access token" | b"access_token" | b"private key" | b"private_key" => {
            Some("csv-secret-column")
        }
        _ => None,
    }
}

/// The fields of one CSV line: (start, end) of each field's content, quotes excluded.
fn fields(line: &[u8], delim: u8) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        if line.get(i) == Some(&b'"') {
            let start = i + 1;
            let mut j = start;
            while j < line.len() {
                if line.get(j) == Some(&b'"') {
                    if line.get(j + 1) == Some(&b'"') {
                        j += 2;
                        continue;
                    }
                    break;
                }
                j += 1;
            }
            out.push((start, j.min(line.len())));
            // Skip to the delimiter after the closing quote.
            let next = line
                .get(j..)
                .and_then(|r| r.iter().position(|&b| b == delim))
                .map(|p| j + p);
            match next {
                Some(d) => i = d + 1,
                None => return out,
            }
        } else {
            let end = line
                .get(i..)
                .and_then(|r| r.iter().position(|&b| b == delim))
                .map_or(line.len(), |p| i + p);
            out.push((i, end));
            if end >= line.len() {
                return out;
            }
            i = end + 1;
        }
    }
}

/// Step from a line's end to the next line's start.
fn next_line(input: &[u8], end: usize) -> usize {
    if input.get(end..end + 2) == Some(b"\r\n") {
        end + 2
    } else {
        end + 1
    }
}

/// Secret columns of CSV (or tab-separated) text: a header line with a column named for a
/// secret, then every row below it up to a blank line.
pub(super) fn csv_columns(
    input: &[u8],
    hits: &[usize],
    out: &mut Vec<(usize, usize, &'static str)>,
) {
    let mut done = 0;
    for &hit in hits {
        if hit < done {
            continue;
        }
        let (ls, le) = (line_start(input, hit), line_end(input, hit));
        done = le;
        if le - ls > MAX_HEADER {
            continue;
        }
        let header = input.get(ls..le).unwrap_or_default();
        let delim = if header.contains(&b',') {
            b','
        } else if header.contains(&b'\t') {
            b'\t'
        } else {
            continue;
        };
        let cols: Vec<(usize, &'static str)> = fields(header, delim)
            .into_iter()
            .enumerate()
            .filter_map(|(i, (s, e))| secret_column(header.get(s..e)?).map(|k| (i, k)))
            .collect();
        if cols.is_empty() {
            continue;
        }
        let mut at = next_line(input, le);
        while at < input.len() {
            let end = line_end(input, at);
            let row = input.get(at..end).unwrap_or_default();
            if row.iter().all(|b| b.is_ascii_whitespace()) {
                break;
            }
            for (i, (s, e)) in fields(row, delim).into_iter().enumerate() {
                let Some(&(_, kind)) = cols.iter().find(|(c, _)| *c == i) else {
                    continue;
                };
                let value = row.get(s..e).unwrap_or_default();
                if !value.trim_ascii().is_empty() && !is_non_secret_value(value.trim_ascii()) {
                    out.push((at + s, at + e, kind));
                }
            }
            at = next_line(input, end);
        }
        done = at;
    }
}

fn indent(line: &[u8]) -> usize {
    line.iter().take_while(|&&b| b == b' ').count()
}

/// The YAML document around `at`: from the line after the previous `---` to the next one.
fn yaml_document(input: &[u8], at: usize) -> (usize, usize) {
    let is_sep = |s: usize, e: usize| {
        input
            .get(s..e)
            .is_some_and(|l| l.trim_ascii_end() == b"---")
    };
    let mut start = line_start(input, at);
    while start > 0 {
        let prev_end = start - 1;
        let prev_start = line_start(input, prev_end);
        if is_sep(prev_start, prev_end) {
            break;
        }
        start = prev_start;
    }
    let mut end = line_end(input, at);
    while end < input.len() {
        let next = next_line(input, end);
        let next_end = line_end(input, next);
        if is_sep(next, next_end) {
            break;
        }
        end = next_end;
    }
    (start, end)
}

/// Every value under `data:` and `stringData:` in the YAML document holding a
/// `kind: Secret` line, block scalars included.
fn yaml_secret(input: &[u8], hit: usize, out: &mut Vec<(usize, usize, &'static str)>) -> usize {
    // `kind: Secret` and not `kind: SecretProviderClass`.
    let after = input.get(hit + "kind: secret".len()).copied();
    if after.is_some_and(|b| !b.is_ascii_whitespace() && b != b'"' && b != b'\'') {
        return line_end(input, hit);
    }
    let (start, end) = yaml_document(input, hit);
    let mut at = start;
    while at < end {
        let le = line_end(input, at);
        let line = input.get(at..le).unwrap_or_default();
        let body = line
            .trim_ascii()
            .strip_prefix(b"- ")
            .unwrap_or(line.trim_ascii());
        if body == b"data:" || body == b"stringData:" {
            let section =
                indent(line) + usize::from(line.trim_ascii_start().starts_with(b"- ")) * 2;
            at = next_line(input, le);
            let mut block_indent = None;
            while at < end {
                let le = line_end(input, at);
                let line = input.get(at..le).unwrap_or_default();
                if line.trim_ascii().is_empty() {
                    at = next_line(input, le);
                    continue;
                }
                let ind = indent(line);
                if ind <= section {
                    break;
                }
                match block_indent {
                    Some(b) if ind > b => {
                        // A line of a block scalar: all of it is secret.
                        out.push((
                            at + ind,
                            at + line.trim_ascii_end().len(),
                            "kubernetes-secret",
                        ));
                    }
                    _ => {
                        block_indent = None;
                        if let Some(colon) = line.iter().position(|&b| b == b':') {
                            let v = line.get(colon + 1..).unwrap_or_default();
                            let lead = v.len() - v.trim_ascii_start().len();
                            let s = at + colon + 1 + lead;
                            let e = at + line.trim_ascii_end().len();
                            let val = input.get(s..e).unwrap_or_default();
                            if val.starts_with(b"|") || val.starts_with(b">") {
                                block_indent = Some(ind);
                            } else if !val.is_empty() && !is_non_secret_value(val) {
                                let quoted = matches!(val.first(), Some(b'"' | b'\''))
                                    && val.len() >= 2
                                    && val.last() == val.first();
                                let (s, e) = if quoted { (s + 1, e - 1) } else { (s, e) };
                                if e > s {
                                    out.push((s, e, "kubernetes-secret"));
                                }
                            }
                        }
                    }
                }
                at = next_line(input, le);
            }
            continue;
        }
        at = next_line(input, le);
    }
    end
}

fn json_patterns() -> Option<&'static (Regex, Regex)> {
    static RE: OnceLock<Option<(Regex, Regex)>> = OnceLock::new();
    RE.get_or_init(|| {
        let section = Regex::new(r#"(?-u)"(?:data|stringData)"\s*:\s*\{"#).ok()?;
        let entry = Regex::new(r#"(?-u)"(?:[^"\\]|\\.)*"\s*:\s*"((?:[^"\\]|\\.)*)""#).ok()?;
        Some((section, entry))
    })
    .as_ref()
}

/// Every string value in the `data` and `stringData` objects near a JSON
/// `"kind": "Secret"` (kubectl's `-o json` puts `data` before `kind`).
fn json_secret(input: &[u8], hit: usize, out: &mut Vec<(usize, usize, &'static str)>) -> usize {
    let Some((section, entry)) = json_patterns() else {
        return hit + 1;
    };
    let from = hit.saturating_sub(JSON_REACH);
    let to = (hit + JSON_REACH).min(input.len());
    let hay = input.get(..to).unwrap_or_default();
    let mut at = from;
    while let Some(m) = section.find_at(hay, at) {
        let close = hay
            .get(m.end()..)
            .and_then(|r| r.iter().position(|&b| b == b'}'))
            .map_or(to, |p| m.end() + p);
        let body = hay.get(..close).unwrap_or_default();
        let mut e_at = m.end();
        while let Some(c) = entry.captures_at(body, e_at) {
            let (Some(whole), Some(v)) = (c.get(0), c.get(1)) else {
                break;
            };
            if !v.as_bytes().is_empty() && !is_non_secret_value(v.as_bytes()) {
                out.push((v.start(), v.end(), "kubernetes-secret"));
            }
            e_at = whole.end();
        }
        at = close.max(m.end());
    }
    to
}

/// Kubernetes `Secret` values, in YAML or JSON.
pub(super) fn kubernetes_secret(
    input: &[u8],
    hits: &[usize],
    out: &mut Vec<(usize, usize, &'static str)>,
) {
    let mut done = 0;
    for &hit in hits {
        if hit < done {
            continue;
        }
        done = if input.get(hit) == Some(&b'"') {
            json_secret(input, hit, out)
        } else {
            yaml_secret(input, hit, out)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, scan: Scanner, word: &str) -> Vec<String> {
        let lower = text.to_ascii_lowercase();
        let hits: Vec<usize> = lower.match_indices(word).map(|(i, _)| i).collect();
        let mut out = Vec::new();
        scan(text.as_bytes(), &hits, &mut out);
        out.iter()
            .map(|&(s, e, _)| text[s..e].to_string())
            .collect()
    }

    #[test]
    fn csv_secret_columns_are_found_below_their_header() {
        let t = "User name,Password,Access key ID,Secret access key,Console login link\nana,\"p,w\"\"d\",AKIAEXAMPLE,wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,https://x\n\nafter,blank\n";
        assert_eq!(
            found(t, csv_columns, "secret access key"),
            ["p,w\"\"d", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"]
        );
        let report = "user,password_enabled,password_last_used\nbob,true,2026-01-01\n";
        assert!(found(report, csv_columns, "password").is_empty());
    }

    #[test]
    fn kubernetes_secret_values_in_yaml_and_json() {
        let y = "apiVersion: v1\ndata:\n  password: cGFzc3dvcmQ=\n  tls.key: |\n    LS0tLS1CRUdJTg==\n    QUJD\nkind: Secret\nmetadata:\n  name: db\n---\nkind: ConfigMap\ndata:\n  mode: fast\n";
        assert_eq!(
            found(y, kubernetes_secret, "kind: secret"),
            ["cGFzc3dvcmQ=", "LS0tLS1CRUdJTg==", "QUJD"]
        );
        let j =
            r#"{"apiVersion":"v1","data":{"token":"dG9rZW4=","ca.crt":"Q0E="},"kind":"Secret"}"#;
        assert_eq!(
            found(j, kubernetes_secret, "\"kind\":\"secret\""),
            ["dG9rZW4=", "Q0E="]
        );
    }
}
