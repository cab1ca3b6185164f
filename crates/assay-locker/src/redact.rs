//! Secret redaction before storage: credentials found in evidence are replaced by
//! `[REDACTED:<kind>]` so the secret never reaches disk. Each removal is recorded (kind,
//! offset, length in the original, and the secret's hash only when the user opts in).
//!
//! Patterns cover AWS access key ids and secret keys, GitHub and Slack tokens, PEM private
//! keys, JWTs, bearer tokens, passwords in URLs, and values of common secret config keys.
//! Gzip files are decompressed, redacted, and recompressed when anything was found.

use crate::entry::Redaction;
use aho_corasick::{AhoCorasick, MatchKind};
use regex::bytes::Regex;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::sync::OnceLock;

/// A pattern; `group` is the capture holding the secret (0 = the whole match).
struct Rule {
    kind: &'static str,
    re: Regex,
    group: usize,
    /// How far before a trigger literal a match may start, and after it end.
    back: usize,
    fwd: usize,
}

/// One row per rule: kind, pattern, secret group, trigger literals (any case), bytes a match
/// may start before its trigger, bytes it may extend past it. Patterns are byte-oriented and
/// ASCII-only (`(?-u)`): secrets are ASCII, and Unicode word boundaries would slow the engine.
type Row = (
    &'static str,
    &'static str,
    usize,
    &'static [&'static str],
    usize,
    usize,
);

const TABLE: &[Row] = &[
    (
        "private-key",
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----",
        0,
        &["private key-----"],
        64,
        65536,
    ),
    (
        "aws-access-key-id",
        r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b",
        0,
        &["akia", "asia", "agpa", "aida", "aroa", "anpa"],
        1,
        32,
    ),
    (
        "aws-secret-access-key",
        r#"(?i)aws_?secret_?(?:access_?)?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})\b"#,
        1,
        &["secret"],
        16,
        160,
    ),
    (
        "github-token",
        r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b|\bgithub_pat_[A-Za-z0-9_]{22,255}\b",
        0,
        &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        1,
        300,
    ),
    (
        "slack-token",
        r"\bxox[abposr]-[A-Za-z0-9-]{10,250}\b",
        0,
        &["xox"],
        1,
        300,
    ),
    (
        "slack-webhook",
        r"https://hooks\.slack\.com/services/[A-Za-z0-9/]{20,}",
        0,
        &["hooks.slack.com"],
        16,
        512,
    ),
    (
        "jwt",
        r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
        0,
        &["eyj"],
        1,
        16384,
    ),
    (
        "bearer-token",
        r"(?i)\bbearer\s+([A-Za-z0-9._~+/-]{16,}=*)",
        1,
        &["bearer"],
        1,
        4096,
    ),
    (
        "url-password",
        r"\b[a-zA-Z][a-zA-Z0-9+.-]{1,15}://[^/\s:@]{1,128}:([^@\s/]{1,256})@",
        1,
        &["://"],
        17,
        400,
    ),
    (
        "config-secret",
        r#"(?i)["']?\b[a-z0-9_.-]*?(?:password|passwd|pwd|secret|client_secret|api[_-]?key|access[_-]?token|auth[_-]?token|private[_-]?key|token)["']?\s*[:=]\s*["']?([^\s"',;}{\]]{4,})"#,
        1,
        &[
            "password",
            "passwd",
            "pwd",
            "secret",
            "api_key",
            "apikey",
            "api-key",
            "access_token",
            "access-token",
            "auth_token",
            "auth-token",
            "private_key",
            "private-key",
            "token",
        ],
        256,
        1024,
    ),
];

/// The rules and one automaton over every trigger literal (pattern id → rule index).
fn rules() -> &'static (Vec<Rule>, Option<AhoCorasick>, Vec<usize>) {
    static RULES: OnceLock<(Vec<Rule>, Option<AhoCorasick>, Vec<usize>)> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut rules = Vec::new();
        let mut literals = Vec::new();
        let mut owner = Vec::new();
        for (kind, pat, group, triggers, back, fwd) in TABLE {
            let Ok(re) = Regex::new(&format!("(?-u){pat}")) else {
                continue;
            };
            for t in *triggers {
                literals.push(*t);
                owner.push(rules.len());
            }
            rules.push(Rule {
                kind,
                re,
                group: *group,
                back: *back,
                fwd: *fwd,
            });
        }
        // Literals are lowercase and matched against lowercased chunks of the input: asking
        // the automaton for case-insensitivity would multiply the literals past what its SIMD
        // search handles.
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&literals)
            .ok();
        (rules, ac, owner)
    })
}

/// Values that are not secrets even where a secret key names them.
fn is_non_secret_value(v: &[u8]) -> bool {
    let s = String::from_utf8_lossy(v).to_ascii_lowercase();
    s.starts_with("[redacted")
        || s.starts_with("${")
        || s.starts_with("<")
        || s.chars().all(|c| c == '*' || c == 'x')
        || matches!(
            s.as_str(),
            "null" | "none" | "true" | "false" | "changeme" | "redacted" | "required" | "optional"
        )
}

/// The result of redaction: the bytes to store and what was removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    /// The bytes to store.
    pub bytes: Vec<u8>,
    /// What was removed, in order of position.
    pub redactions: Vec<Redaction>,
}

/// Where the secrets in `input` (plain bytes) are: (start, end, rule), unordered.
fn spans(input: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    let (rules, ac, owner) = rules();
    // One SIMD pass finds trigger literals; each rule's regex then runs only in windows around
    // its triggers (merged when they are close), so clean evidence costs one scan.
    let mut windows: Vec<Option<(usize, usize)>> = vec![None; rules.len()];
    let search = |i: usize, (from, to): (usize, usize), spans: &mut Vec<(usize, usize, usize)>| {
        let rule = &rules[i];
        let hay = &input[..to];
        let mut at = from;
        while let Some(caps) = rule.re.captures_at(hay, at) {
            let Some(whole) = caps.get(0) else { break };
            if let Some(m) = caps.get(rule.group) {
                if rule.group == 0 || !is_non_secret_value(m.as_bytes()) {
                    spans.push((m.start(), m.end(), i));
                }
            }
            at = if whole.end() > whole.start() {
                whole.end()
            } else {
                whole.end() + 1
            };
            if at >= to {
                break;
            }
        }
    };
    let Some(ac) = ac else {
        // Without the automaton (it always builds), fall back to searching everywhere.
        for i in 0..rules.len() {
            search(i, (0, input.len()), &mut spans);
        }
        return spans;
    };
    const CHUNK: usize = 64 * 1024;
    const OVERLAP: usize = 32; // longer than the longest trigger literal
    let mut lower = Vec::with_capacity(CHUNK + OVERLAP);
    let mut hits: Vec<(usize, usize, usize)> = Vec::new();
    let mut base = 0;
    while base < input.len() {
        let end = (base + CHUNK + OVERLAP).min(input.len());
        lower.clear();
        lower.extend_from_slice(&input[base..end]);
        lower.make_ascii_lowercase();
        for m in ac.find_iter(&lower) {
            // A hit starting in the overlap belongs to the next chunk.
            if m.start() < CHUNK || end == input.len() {
                hits.push((
                    base + m.start(),
                    base + m.end(),
                    owner[m.pattern().as_usize()],
                ));
            }
        }
        base += CHUNK;
    }
    for (start, stop, i) in hits {
        let (from, to) = (
            start.saturating_sub(rules[i].back),
            (stop + rules[i].fwd).min(input.len()),
        );
        windows[i] = match windows[i] {
            Some((f, t)) if from <= t => Some((f, t.max(to))),
            Some(w) => {
                search(i, w, &mut spans);
                Some((from, to))
            }
            None => Some((from, to)),
        };
    }
    for (i, w) in windows.into_iter().enumerate() {
        if let Some(w) = w {
            search(i, w, &mut spans);
        }
    }
    spans
}

/// Replaces the found spans (earliest first; overlaps keep the earlier, longer one).
fn finish(input: &[u8], mut spans: Vec<(usize, usize, usize)>, keep_hashes: bool) -> Redacted {
    // Earliest first; at the same start the longest; on a tie the more specific (earlier) rule.
    spans.sort_unstable_by_key(|&(start, end, rule)| (start, std::cmp::Reverse(end), rule));
    spans.dedup();
    if spans.is_empty() {
        return Redacted {
            bytes: input.to_vec(),
            redactions: Vec::new(),
        };
    }
    let mut out = Vec::with_capacity(input.len());
    let mut redactions = Vec::new();
    let mut pos = 0;
    let (rules, _, _) = rules();
    for (start, end, rule) in spans {
        if start < pos {
            continue;
        }
        let kind = rules.get(rule).map_or("secret", |r| r.kind);
        out.extend_from_slice(&input[pos..start]);
        out.extend_from_slice(format!("[REDACTED:{kind}]").as_bytes());
        redactions.push(Redaction {
            kind: kind.to_string(),
            offset: start as u64,
            length: (end - start) as u64,
            original_sha256: keep_hashes.then(|| hex::encode(Sha256::digest(&input[start..end]))),
        });
        pos = end;
    }
    out.extend_from_slice(&input[pos..]);
    Redacted {
        bytes: out,
        redactions,
    }
}

/// The decompressed content of gzip `input` (every member), or `None` when it is not gzip
/// or is damaged. The buffer is sized from the gzip trailer, so it is filled without copies.
fn gunzip(input: &[u8]) -> Option<Vec<u8>> {
    if !input.starts_with(&[0x1f, 0x8b]) {
        return None;
    }
    let hint = input
        .len()
        .checked_sub(4)
        .and_then(|at| input.get(at..))
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, |b| u32::from_le_bytes(b) as usize);
    let mut plain = Vec::with_capacity(hint.min(input.len().saturating_mul(64)).min(1 << 30));
    flate2::read::MultiGzDecoder::new(input)
        .read_to_end(&mut plain)
        .ok()
        .map(|_| plain)
}

/// Redacts owned bytes, returning them as they are (no copy) when nothing is found, with
/// the decompressed, redacted content of gzip input for callers that read it next (so it
/// is decompressed once).
pub fn redact_owned(input: Vec<u8>, keep_hashes: bool) -> (Redacted, Option<Vec<u8>>) {
    if let Some(plain) = gunzip(&input) {
        let found = spans(&plain);
        if found.is_empty() {
            let clean = Redacted {
                bytes: input,
                redactions: Vec::new(),
            };
            return (clean, Some(plain));
        }
        let r = finish(&plain, found, keep_hashes);
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        if enc.write_all(&r.bytes).is_ok() {
            if let Ok(bytes) = enc.finish() {
                let redacted = Redacted {
                    bytes,
                    redactions: r.redactions,
                };
                return (redacted, Some(r.bytes));
            }
        }
    }
    let found = spans(&input);
    if found.is_empty() {
        let clean = Redacted {
            bytes: input,
            redactions: Vec::new(),
        };
        return (clean, None);
    }
    (finish(&input, found, keep_hashes), None)
}

/// Redacts `input`; gzip content is redacted inside and recompressed when needed
/// (offsets then refer to the decompressed stream).
pub fn redact(input: &[u8], keep_hashes: bool) -> Redacted {
    redact_owned(input.to_vec(), keep_hashes).0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> (String, Vec<String>) {
        let r = redact(text.as_bytes(), false);
        (
            String::from_utf8_lossy(&r.bytes).into_owned(),
            r.redactions.into_iter().map(|x| x.kind).collect(),
        )
    }

    #[test]
    fn aws_keys_in_a_credentials_file() {
        let (out, k) = kinds("[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
        assert_eq!(k, ["aws-access-key-id", "aws-secret-access-key"]);
        assert!(
            !out.contains("AKIAIOSFODNN7EXAMPLE") && !out.contains("wJalrXUtnFEMI"),
            "{out}"
        );
    }

    #[test]
    fn tokens_keys_and_urls() {
        let cases = [
            ("token ghp_0123456789abcdefghijABCDEFGHIJ012345 in log", "github-token"),
            ("hook https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "slack-webhook"),
            ("slack xoxb-1234567890-abcdefghijkl", "slack-token"),
            ("Authorization: Bearer abcdef0123456789abcdef.ghij", "bearer-token"),
            ("DATABASE_URL=postgres://app:s3cr3tpass@db.internal:5432/prod", "url-password"),
            ("{\"password\": \"hunter2hunter2\"}", "config-secret"),
            ("DB_PASSWORD=hunter2hunter2", "config-secret"),
            ("GITHUB_TOKEN: abcd1234efgh", "config-secret"),
            ("X-Api-Key: 0123456789abcdef", "config-secret"),
            ("id_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt"),
        ];
        for (text, kind) in cases {
            let (out, k) = kinds(text);
            assert!(k.contains(&kind.to_string()), "{text}: {k:?}");
            assert!(out.contains(&format!("[REDACTED:{kind}]")), "{out}");
        }
    }

    #[test]
    fn pem_private_key_is_removed_whole() {
        let pem = "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234\nabcd\n-----END RSA PRIVATE KEY-----\nafter\n";
        let (out, k) = kinds(pem);
        assert_eq!(k, ["private-key"]);
        assert_eq!(out, "key:\n[REDACTED:private-key]\nafter\n");
    }

    #[test]
    fn ordinary_evidence_is_untouched() {
        for text in [
            "user,arn,password_enabled,password_last_used\nbob,arn:aws:iam::123456789012:user/bob,true,2026-01-02T03:04:05+00:00\n",
            "{\"password\": null, \"token\": \"\", \"secret\": \"${VAULT_SECRET}\"}",
            "email,start\nalice@acme.com,2026-01-05\n",
            "tokens_used: 4000\nsecretary: Jane\n",
        ] {
            let r = redact(text.as_bytes(), false);
            assert!(r.redactions.is_empty(), "{text}: {:?}", r.redactions);
            assert_eq!(r.bytes, text.as_bytes());
        }
    }

    #[test]
    fn records_offsets_and_optional_hashes() {
        let text = "x AKIAIOSFODNN7EXAMPLE y";
        let r = redact(text.as_bytes(), true);
        assert_eq!((r.redactions[0].offset, r.redactions[0].length), (2, 20));
        assert_eq!(
            r.redactions[0].original_sha256.as_deref(),
            Some(hex::encode(Sha256::digest(b"AKIAIOSFODNN7EXAMPLE")).as_str())
        );
        assert!(redact(text.as_bytes(), false).redactions[0]
            .original_sha256
            .is_none());
    }

    #[test]
    fn owned_redaction_matches_and_hands_back_the_plain_content() {
        let text = b"user=ana\nDB_PASSWORD=hunter2hunter2\n".to_vec();
        for input in [text.clone(), b"nothing secret here\n".to_vec()] {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(&input).unwrap();
            let gz = enc.finish().unwrap();
            for bytes in [input.clone(), gz.clone()] {
                let (owned, plain) = redact_owned(bytes.clone(), false);
                assert_eq!(owned, redact(&bytes, false));
                let expected_plain = redact(&input, false).bytes;
                assert_eq!(plain.is_some(), bytes == gz);
                if let Some(p) = plain {
                    assert_eq!(p, expected_plain);
                }
            }
        }
    }

    #[test]
    fn gzip_content_is_redacted_inside() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"{\"Records\":[{\"accessKeyId\":\"AKIAIOSFODNN7EXAMPLE\"}]}")
            .unwrap_or_default();
        let gz = enc.finish().unwrap_or_default();
        let r = redact(&gz, false);
        assert_eq!(r.redactions.len(), 1);
        let mut plain = String::new();
        flate2::read::GzDecoder::new(&r.bytes[..])
            .read_to_string(&mut plain)
            .unwrap_or_default();
        assert_eq!(
            plain,
            "{\"Records\":[{\"accessKeyId\":\"[REDACTED:aws-access-key-id]\"}]}"
        );
    }
}
