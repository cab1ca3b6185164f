//! Keeping credentials out of messages: every text a collector puts in an error, a locator or
//! a progress line passes through [`Scrubber::text`], which removes the exact secret, its
//! common encodings (base64 as in `Authorization: Basic`, percent-encoding) and anything shaped
//! like a credential that a server may echo (`Bearer ...`, `SSWS ...`, `Basic ...`,
//! `token ...`, GitHub token prefixes, AWS signing fields). Stored bodies pass through
//! [`Scrubber::bytes`], which removes only the exact secret and its encodings (the rest of the
//! evidence stays as the server sent it; the locker's redaction runs on it afterwards).

/// What replaces a removed credential.
pub const MARK: &str = "[redacted]";

/// Removes one set of secrets (and credential-shaped text) from messages.
#[derive(Clone, Default)]
pub struct Scrubber {
    /// The forms of the secrets to remove, longest first.
    forms: Vec<String>,
}

impl std::fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scrubber({} forms)", self.forms.len())
    }
}

/// Standard base64 (with padding).
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Percent-encoding of everything but unreserved characters.
fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether `c` can be part of a token (base64, base64url, hex, JWT and API-key alphabets).
fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '=')
}

/// Words after which a server's echo of a request puts a credential.
const SCHEMES: &[&str] = &[
    "bearer ",
    "ssws ",
    "basic ",
    "token ",
    "x-amz-security-token=",
    "x-amz-security-token: ",
    "signature=",
    "aws_secret_access_key=",
    "aws_session_token=",
];

/// Prefixes of GitHub credentials (documented token formats).
const PREFIXES: &[&str] = &["github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"];

impl Scrubber {
    /// A scrubber for `secrets` (blank ones are ignored).
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Scrubber {
        let mut forms = Vec::new();
        for s in secrets {
            let s = s.trim();
            if s.is_empty() {
                continue;
            }
            forms.push(s.to_string());
            forms.push(percent(s));
            // As sent in `Authorization: Basic`: the secret alone, as user or password, and
            // GitHub's `x-access-token:TOKEN`.
            for basic in [
                s.to_string(),
                format!("{s}:"),
                format!(":{s}"),
                format!("x-access-token:{s}"),
            ] {
                let b = base64(basic.as_bytes());
                forms.push(b.trim_end_matches('=').to_string());
                forms.push(
                    b.replace('+', "-")
                        .replace('/', "_")
                        .trim_end_matches('=')
                        .to_string(),
                );
            }
        }
        forms.retain(|f| f.len() >= 4);
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        forms.dedup();
        Scrubber { forms }
    }

    /// `text` without the secrets, their encodings, or credential-shaped words.
    pub fn text(&self, text: &str) -> String {
        let mut out = self.exact(text);
        for scheme in SCHEMES {
            out = redact_after(&out, scheme);
        }
        for prefix in PREFIXES {
            out = redact_prefixed(&out, prefix);
        }
        out
    }

    /// `bytes` with the exact secrets and their encodings replaced (nothing else changes).
    pub fn bytes(&self, bytes: Vec<u8>) -> Vec<u8> {
        if self.forms.is_empty() {
            return bytes;
        }
        let mut out = bytes;
        for form in &self.forms {
            out = replace_bytes(&out, form.as_bytes(), MARK.as_bytes());
        }
        out
    }

    fn exact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for form in &self.forms {
            if out.contains(form.as_str()) {
                out = out.replace(form.as_str(), MARK);
            }
        }
        out
    }
}

fn replace_bytes(hay: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    if needle.is_empty() || hay.len() < needle.len() {
        return hay.to_vec();
    }
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

/// Replaces the token following each (ASCII case-insensitive) `word` in `text`.
fn redact_after(text: &str, word: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut from = 0;
    while let Some(at) = lower[from..].find(word) {
        let start = from + at + word.len();
        let end = text[start..]
            .char_indices()
            .find(|&(_, c)| !token_char(c))
            .map_or(text.len(), |(i, _)| start + i);
        // A short word after "token " is prose, not a credential.
        if end - start >= 8 && !text[start..end].starts_with(MARK) {
            out.push_str(&text[last..start]);
            out.push_str(MARK);
            last = end;
        }
        from = end.max(start);
    }
    out.push_str(&text[last..]);
    out
}

/// Replaces every token starting with `prefix` (case-sensitive) in `text`.
fn redact_prefixed(text: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut from = 0;
    while let Some(at) = text[from..].find(prefix) {
        let start = from + at;
        let boundary = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !token_char(c));
        let end = text[start..]
            .char_indices()
            .find(|&(_, c)| !token_char(c))
            .map_or(text.len(), |(i, _)| start + i);
        if boundary && end - start > prefix.len() + 8 {
            out.push_str(&text[last..start]);
            out.push_str(MARK);
            last = end;
        }
        from = end.max(start + prefix.len());
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::{base64, Scrubber, MARK};

    #[test]
    fn base64_matches_the_rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, enc) in cases {
            assert_eq!(base64(plain.as_bytes()), enc);
        }
    }

    #[test]
    fn the_secret_and_its_encodings_are_removed() {
        let secret = "00aSecret+Value/with=odd&chars123";
        let s = Scrubber::new([secret]);
        let basic = base64(format!("x-access-token:{secret}").as_bytes());
        let alone = base64(secret.as_bytes());
        let text = format!(
            "you sent {secret}; basic {basic}; b64 {alone}; url ?t=00aSecret%2BValue%2Fwith%3Dodd%26chars123"
        );
        let out = s.text(&text);
        assert!(!out.contains(secret), "{out}");
        assert!(!out.contains(basic.trim_end_matches('=')), "{out}");
        assert!(!out.contains(alone.trim_end_matches('=')), "{out}");
        assert!(!out.contains("00aSecret%2BValue"), "{out}");
        assert!(out.contains(MARK));
        let body = s.bytes(format!("{{\"echo\":\"{secret}\"}}").into_bytes());
        assert_eq!(body, b"{\"echo\":\"[redacted]\"}");
    }

    #[test]
    fn credential_shaped_words_are_removed_from_messages() {
        let s = Scrubber::new(["unrelated-secret-value"]);
        let out = s.text(
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc, SSWS 00abcdefghijklmnop, \
             ghp_0123456789abcdefghijABCDEFGHIJ012345 and token aaaabbbbccccdddd; X-Amz-Security-Token=FwoGZXIvYXdzEJr",
        );
        for leaked in [
            "eyJhbGciOiJIUzI1NiJ9",
            "00abcdefghijklmnop",
            "ghp_0123456789",
            "aaaabbbbccccdddd",
            "FwoGZXIvYXdzEJr",
        ] {
            assert!(!out.contains(leaked), "{leaked} in {out}");
        }
        // Prose survives.
        assert_eq!(
            s.text("the token was refused; check GITHUB_TOKEN"),
            "the token was refused; check GITHUB_TOKEN"
        );
    }
}
