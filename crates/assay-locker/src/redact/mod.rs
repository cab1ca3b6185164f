//! Secret redaction before storage: credentials found in evidence are replaced by
//! `[REDACTED:<kind>]` so the secret never reaches disk. Each removal is recorded (kind,
//! offset, length in the original, and the secret's hash only when the user opts in).
//!
//! - `rules.rs`: the table of rules (vendor token prefixes, private key blocks, headers,
//!   URLs with passwords, keys that name a secret) and their trigger words.
//! - `scan.rs`: one automaton pass finds trigger words; patterns run only near them.
//! - `value.rs`: a value is taken whole (quotes, block scalars, to the end of the line).
//! - `structure.rs`: CSV secret columns and Kubernetes `Secret` data.
//! - `utf16.rs`: UTF-16 text is scanned and redacted in its own encoding.
//! - `gzip.rs`: gzip content is decompressed, redacted, and recompressed when anything was
//!   found.
//!
//! Redaction is pattern-based: a secret in a shape no rule knows is stored as given.
//! Redacting redacted bytes changes nothing.

mod gate;
mod gzip;
mod rules;
mod scan;
mod structure;
mod utf16;
mod value;

use crate::entry::Redaction;
use gzip::gunzip;
use scan::{merged, spans, Span};
use sha2::{Digest, Sha256};
use std::io::Write;

/// The result of redaction: the bytes to store and what was removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    /// The bytes to store.
    pub bytes: Vec<u8>,
    /// What was removed, in order of position.
    pub redactions: Vec<Redaction>,
}

fn record(kind: &str, original: &[u8], offset: usize, keep_hashes: bool) -> Redaction {
    Redaction {
        kind: kind.to_string(),
        offset: offset as u64,
        length: original.len() as u64,
        original_sha256: keep_hashes.then(|| hex::encode(Sha256::digest(original))),
    }
}

/// Replaces the merged spans of byte text.
fn replace_bytes(input: &[u8], found: &[Span], keep_hashes: bool) -> Redacted {
    let mut out = Vec::with_capacity(input.len());
    let mut redactions = Vec::with_capacity(found.len());
    let mut pos = 0;
    for s in found {
        out.extend_from_slice(input.get(pos..s.start).unwrap_or_default());
        out.extend_from_slice(format!("[REDACTED:{}]", s.kind).as_bytes());
        let original = input.get(s.start..s.end).unwrap_or_default();
        redactions.push(record(s.kind, original, s.start, keep_hashes));
        pos = s.end;
    }
    out.extend_from_slice(input.get(pos..).unwrap_or_default());
    Redacted {
        bytes: out,
        redactions,
    }
}

/// Replaces the merged spans (in code units) of UTF-16 text whose units start at `mark`.
fn replace_utf16(
    input: &[u8],
    mark: usize,
    order: utf16::Order,
    found: &[Span],
    keep_hashes: bool,
) -> Redacted {
    let mut out = Vec::with_capacity(input.len());
    let mut redactions = Vec::with_capacity(found.len());
    let mut pos = mark;
    out.extend_from_slice(input.get(..mark).unwrap_or_default());
    for s in found {
        let (start, end) = (mark + 2 * s.start, mark + 2 * s.end);
        out.extend_from_slice(input.get(pos..start).unwrap_or_default());
        out.extend(utf16::widen(
            format!("[REDACTED:{}]", s.kind).as_bytes(),
            order,
        ));
        let original = input.get(start..end).unwrap_or_default();
        redactions.push(record(s.kind, original, start, keep_hashes));
        pos = end;
    }
    out.extend_from_slice(input.get(pos..).unwrap_or_default());
    Redacted {
        bytes: out,
        redactions,
    }
}

/// Redacts plain (not compressed) content; `None` when no secret is found.
fn redact_plain(input: &[u8], keep_hashes: bool) -> Option<Redacted> {
    if let Some((order, mark)) = utf16::detect(input) {
        let units = utf16::narrow(input.get(mark..).unwrap_or_default(), order);
        let found = merged(spans(&units));
        return (!found.is_empty()).then(|| replace_utf16(input, mark, order, &found, keep_hashes));
    }
    let found = merged(spans(input));
    (!found.is_empty()).then(|| replace_bytes(input, &found, keep_hashes))
}

/// Redacts owned bytes, returning them as they are (no copy) when nothing is found, with
/// the decompressed, redacted content of gzip input for callers that read it next (so it
/// is decompressed once).
pub fn redact_owned(input: Vec<u8>, keep_hashes: bool) -> (Redacted, Option<Vec<u8>>) {
    if let Some(plain) = gunzip(&input) {
        let Some(r) = redact_plain(&plain, keep_hashes) else {
            let clean = Redacted {
                bytes: input,
                redactions: Vec::new(),
            };
            return (clean, Some(plain));
        };
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
    match redact_plain(&input, keep_hashes) {
        Some(r) => (r, None),
        None => {
            let clean = Redacted {
                bytes: input,
                redactions: Vec::new(),
            };
            (clean, None)
        }
    }
}

/// Redacts `input`; gzip content is redacted inside and recompressed when needed
/// (offsets then refer to the decompressed stream). UTF-16 text stays UTF-16, and its
/// offsets and lengths count bytes of the original encoding.
pub fn redact(input: &[u8], keep_hashes: bool) -> Redacted {
    redact_owned(input.to_vec(), keep_hashes).0
}

#[cfg(test)]
mod tests;
