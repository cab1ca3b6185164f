//! Where a secret value ends, and which values are not secrets.
//!
//! A key rule (`password: …`, `client_secret=…`) finds the key; the value is then taken
//! whole: a quoted value up to its closing quote (every word inside), a YAML block scalar
//! (`|`, `>`) with all its lines, and an unquoted value up to the end of its line, so text
//! after `,`, `;`, `/` or a space is not left behind. Two narrower cases: after a quoted
//! JSON key an unquoted value (a number, `true`) ends at `,` `}` `]` or a space, and in a
//! URL query (`?password=…&`) a value ends at `&` or `#`.

/// How far an unquoted value may run (bytes).
const MAX_UNQUOTED: usize = 4096;
/// How far a quoted value or a block scalar may run (bytes).
const MAX_QUOTED: usize = 65536;
/// Shortest value taken for a secret (shorter ones are left alone: `pwd: 1`).
const MIN_VALUE: usize = 4;

/// Where an unquoted value ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum End {
    /// At the end of the line (trailing blanks excluded).
    Line,
    /// At the first blank or quote (command-line flags).
    Word,
}

/// What a key rule matched: the match's start and end (the value starts at `end`), whether
/// a quote closed the key, and the quote opening the value (`escaped` when written `\"`).
pub(super) struct KeyMatch {
    pub start: usize,
    pub end: usize,
    pub key_quoted: bool,
    pub open: Option<(u8, bool)>,
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// Keys that end with a secret word but hold no secret (pagination cursors, the shell's
/// working directory), and Azure keys that their own rule takes exactly.
fn is_non_secret_key(key: &[u8]) -> bool {
    let k = key.to_ascii_lowercase();
    let k = k.as_slice();
    const EXACT: &[&[u8]] = &[b"pwd", b"oldpwd", b"accountkey", b"sharedaccesskey"];
    const ENDS: &[&[u8]] = &[
        b"nexttoken",
        b"next_token",
        b"pagetoken",
        b"page_token",
        b"continuationtoken",
        b"continuation_token",
        b"paginationtoken",
        b"pagination_token",
        b"synctoken",
        b"sync_token",
    ];
    EXACT.contains(&k) || ENDS.iter().any(|e| k.ends_with(e))
}

/// Values that are not secrets even where a secret key names them: placeholders, template
/// and variable references, empty-ish words, and earlier redactions (so redacting twice
/// changes nothing).
pub(super) fn is_non_secret_value(v: &[u8]) -> bool {
    let s = v.to_ascii_lowercase();
    let s = s.as_slice();
    s.starts_with(b"[redacted")
        || s.starts_with(b"<redacted")
        || s.starts_with(b"${")
        || s.starts_with(b"$(")
        || s.starts_with(b"{{")
        || s.starts_with(b"%(")
        || s.starts_with(b"<")
        || (s.first() == Some(&b'$') && s.get(1).is_some_and(|b| b.is_ascii_alphabetic()))
        || s.iter().all(|&c| c == b'*' || c == b'x' || c == b'.')
        || matches!(
            s,
            b"null"
                | b"none"
                | b"nil"
                | b"true"
                | b"false"
                | b"undefined"
                | b"changeme"
                | b"redacted"
                | b"required"
                | b"optional"
        )
}

/// The end of the line holding `at` (the position of its `\r` or `\n`, or the input's end).
pub(super) fn line_end(input: &[u8], at: usize) -> usize {
    input
        .get(at..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n' || b == b'\r'))
        .map_or(input.len(), |p| at + p)
}

/// The start of the line holding `at`.
pub(super) fn line_start(input: &[u8], at: usize) -> usize {
    input
        .get(..at)
        .and_then(|before| before.iter().rposition(|&b| b == b'\n' || b == b'\r'))
        .map_or(0, |p| p + 1)
}

fn indent(line: &[u8]) -> usize {
    line.iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count()
}

/// The lines of a YAML block scalar opened on the line ending at `from`: every following line
/// indented more than the key's line (blank lines inside included). Returns the block's end.
fn block_scalar_end(input: &[u8], key_line_indent: usize, from: usize) -> usize {
    let mut end = from;
    let mut at = from;
    while at < input.len() {
        // Step over the line break.
        at += if input.get(at..at + 2) == Some(b"\r\n") {
            2
        } else {
            1
        };
        let stop = line_end(input, at);
        let line = input.get(at..stop).unwrap_or_default();
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            at = stop;
            continue;
        }
        if indent(line) <= key_line_indent || stop - from > MAX_QUOTED {
            break;
        }
        end = stop;
        at = stop;
    }
    end
}

/// The secret value after a key match, or `None` when there is none or it is not a secret.
pub(super) fn extent(input: &[u8], m: &KeyMatch, end_mode: End) -> Option<(usize, usize)> {
    let start = m.end;
    let mut key_start = m.start;
    while key_start > 0 && input.get(key_start - 1).is_some_and(|&b| is_key_byte(b)) {
        key_start -= 1;
    }
    let key_end = input
        .get(m.start..)?
        .iter()
        .position(|&b| !is_key_byte(b))
        .map_or(input.len(), |p| m.start + p);
    if is_non_secret_key(input.get(key_start..key_end)?) {
        return None;
    }
    let end = match m.open {
        Some((q, escaped)) => {
            let limit = (start + MAX_QUOTED).min(input.len());
            let mut i = start;
            let mut close = None;
            // In a string inside a string (`\"password\":\"…\"`) the inner text is the outer
            // text unescaped once: read it a character at a time, then apply its own escapes.
            let mut inner_escape = false;
            while i < limit {
                let b = input.get(i).copied()?;
                if b == b'\n' || b == b'\r' {
                    break;
                }
                let (c, width) = if b == b'\\' {
                    (input.get(i + 1).copied().unwrap_or(b'\\'), 2)
                } else {
                    (b, 1)
                };
                if escaped {
                    if inner_escape {
                        inner_escape = false;
                    } else if width == 2 && c == b'\\' {
                        inner_escape = true;
                    } else if c == q {
                        // `\"` closes the inner string; a bare quote ends the outer one.
                        close = Some(i);
                        break;
                    }
                } else if width == 1 && c == q {
                    close = Some(i);
                    break;
                }
                i += width;
            }
            match close {
                Some(c) => c,
                None => trim_end(input, start, i.min(limit)),
            }
        }
        None => {
            let first = *input.get(start)?;
            if matches!(first, b'{' | b'[' | b'=' | b'\r' | b'\n' | b',' | b';') {
                return None;
            }
            // Bounded, so that many keys on one long line cost no more than the line.
            let limit = (start + MAX_UNQUOTED).min(input.len());
            let stop = line_end(input.get(..limit)?, start);
            let rest = input.get(start..stop)?;
            let query = key_start > 0 && matches!(input.get(key_start - 1), Some(b'?' | b'&'));
            if matches!(first, b'|' | b'>')
                && rest
                    .iter()
                    .skip(1)
                    .all(|b| matches!(b, b'+' | b'-' | b'0'..=b'9' | b' ' | b'\t'))
            {
                let ls = line_start(input, start);
                let key_indent = indent(input.get(ls..start)?);
                block_scalar_end(input, key_indent, stop)
            } else {
                let stop_at = |pred: fn(u8) -> bool| {
                    rest.iter()
                        .position(|&b| pred(b))
                        .map_or(stop, |p| start + p)
                };
                let e = if query {
                    stop_at(|b| {
                        matches!(b, b'&' | b'#' | b'"' | b'\'' | b'<' | b'>')
                            || b.is_ascii_whitespace()
                    })
                } else if m.key_quoted {
                    stop_at(|b| {
                        matches!(b, b',' | b'}' | b']' | b'"' | b'\'') || b.is_ascii_whitespace()
                    })
                } else if end_mode == End::Word {
                    stop_at(|b| matches!(b, b'"' | b'\'') || b.is_ascii_whitespace())
                } else {
                    stop
                };
                trim_end(input, start, e)
            }
        }
    };
    let value = input.get(start..end)?;
    if value.len() < MIN_VALUE || is_non_secret_value(value) {
        return None;
    }
    Some((start, end))
}

fn trim_end(input: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && input.get(end - 1).is_some_and(|b| b.is_ascii_whitespace()) {
        end -= 1;
    }
    end
}

/// Decodes standard base64 (padding optional); `None` when it is not base64.
fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    let text = text
        .strip_suffix(b"==")
        .or(text.strip_suffix(b"="))
        .unwrap_or(text);
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in text {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Whether base64 `text` decodes to printable `user:password` (Basic auth, Docker `auth`):
/// ordinary words after "Basic" do not.
pub(super) fn is_basic_credential(text: &[u8]) -> bool {
    base64_decode(text).is_some_and(|d| {
        d.len() >= 3
            && d.contains(&b':')
            && d.iter().all(|&b| (0x20..0x7f).contains(&b) || b >= 0x80)
    })
}

/// Whether the text between `user:` and `@` of a URL is a password rather than a port and a
/// path (`https://host:8080/a@b`), a placeholder or an earlier redaction.
pub(super) fn is_url_password(text: &[u8]) -> bool {
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    let port_then_path =
        (1..=5).contains(&digits) && matches!(text.get(digits), Some(b'/' | b'?' | b'#'));
    !port_then_path && !text.is_empty() && !is_non_secret_value(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_after(text: &str, key: &str, open: Option<(u8, bool)>, key_quoted: bool) -> String {
        let at = text.find(key).unwrap_or(0);
        let m = KeyMatch {
            start: at,
            end: at + key.len(),
            key_quoted,
            open,
        };
        extent(text.as_bytes(), &m, End::Line)
            .map(|(s, e)| text[s..e].to_string())
            .unwrap_or_default()
    }

    #[test]
    fn quoted_values_are_taken_whole() {
        let t = r#"{"passphrase": "correct horse, battery; staple", "x": 1}"#;
        assert_eq!(
            value_after(t, "passphrase\": \"", Some((b'"', false)), true),
            "correct horse, battery; staple"
        );
        let t = r#"{"cfg": "{\"password\":\"a b\\\" c\"}"}"#;
        assert_eq!(
            value_after(t, "password\\\":\\\"", Some((b'"', true)), true),
            r#"a b\\\" c"#
        );
    }

    #[test]
    fn unquoted_values_run_to_the_end_of_the_line() {
        let t = "DB_PASS=abc,def;ghi/jkl mno  \nNEXT=1";
        assert_eq!(
            value_after(t, "DB_PASS=", None, false),
            "abc,def;ghi/jkl mno"
        );
        let t = "jdbc:postgresql://db/app?user=u&password=p4ss;w/rd&ssl=true";
        assert_eq!(value_after(t, "password=", None, false), "p4ss;w/rd");
        let t = r#"{"pin": 12345678, "user": "x"}"#;
        assert_eq!(value_after(t, "pin\": ", None, true), "12345678");
    }

    #[test]
    fn yaml_block_scalars_take_every_line() {
        let t = "db:\n  password: |\n    line one\n    line two\nnext: 1\n";
        assert_eq!(
            value_after(t, "password: ", None, false),
            "|\n    line one\n    line two"
        );
    }

    #[test]
    fn placeholders_and_cursor_keys_are_not_secrets() {
        for v in [
            "${DB_PASS}",
            "<your-token>",
            "********",
            "null",
            "[REDACTED:x]",
            "$DB_PASS",
        ] {
            assert!(is_non_secret_value(v.as_bytes()), "{v}");
        }
        assert_eq!(
            value_after(
                r#"{"NextToken": "abcdef"}"#,
                "Token\": \"",
                Some((b'"', false)),
                true
            ),
            ""
        );
        assert_eq!(value_after("PWD=/home/ana", "PWD=", None, false), "");
    }

    #[test]
    fn basic_credentials_and_url_passwords_are_checked() {
        assert!(is_basic_credential(b"dXNlcjpwYXNz")); // user:pass
        assert!(!is_basic_credential(b"authentication"));
        assert!(is_url_password(b"pa/ss"));
        assert!(!is_url_password(b"8080/path"));
    }
}
