//! Passwords: hashed with argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes, one
//! lane, a random salt) and checked against rules after NIST SP 800-63B: a length floor with
//! no composition rules, a generous ceiling, and a refusal of passwords that are easy to
//! guess from context (the email, the name, the service) or by pattern (one repeated
//! character, a keyboard or alphabet run).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// The shortest password accepted when it is the only factor (SP 800-63B-4, 3.1.1.2).
pub const MIN_CHARS: usize = 15;
/// The longest accepted (the guideline asks for at least 64).
pub const MAX_CHARS: usize = 256;

/// Why a password was refused; the text tells the user what to choose instead.
pub fn check(password: &str, email: &str, name: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_CHARS {
        return Err(format!(
            "the password has {n} characters; use at least {MIN_CHARS} (a few unrelated words work well)"
        ));
    }
    if n > MAX_CHARS {
        return Err(format!(
            "the password has {n} characters; use at most {MAX_CHARS}"
        ));
    }
    let lower = password.to_lowercase();
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    let mut context = vec![
        "assay".to_string(),
        "password".to_string(),
        "soc2".to_string(),
    ];
    if local.len() >= 4 {
        context.push(local);
    }
    context.extend(
        name.to_lowercase()
            .split_whitespace()
            .filter(|w| w.len() >= 4)
            .map(str::to_string),
    );
    let stripped: String = context
        .iter()
        .fold(lower.clone(), |s, w| s.replace(w.as_str(), ""));
    if stripped.chars().count() < 8 {
        return Err("the password is mostly your email, your name or the service's name; choose words unrelated to them".into());
    }
    let distinct: std::collections::BTreeSet<char> = lower.chars().collect();
    if distinct.len() < 5 {
        return Err(
            "the password repeats too few characters; choose one that is harder to guess".into(),
        );
    }
    for run in [
        "abcdefghijklmnopqrstuvwxyz",
        "01234567890",
        "qwertyuiopasdfghjklzxcvbnm",
        "9876543210",
    ] {
        if run_share(&lower, run) * 2 > n {
            return Err("the password is mostly a keyboard, alphabet or number sequence; choose one that is harder to guess".into());
        }
    }
    Ok(())
}

/// How many characters of `s` sit in runs of 4 or more consecutive characters of `seq`.
fn run_share(s: &str, seq: &str) -> usize {
    let chars: Vec<char> = s.chars().collect();
    let (mut covered, mut i) = (0, 0);
    while i < chars.len() {
        let mut j = i + 1;
        while j < chars.len() {
            let pair: String = [chars[j - 1], chars[j]].iter().collect();
            if !seq.contains(&pair) {
                break;
            }
            j += 1;
        }
        if j - i >= 4 {
            covered += j - i;
        }
        i = j;
    }
    covered
}

/// The argon2id hash of a password, as a PHC string.
pub fn hash(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no randomness for the salt: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches the stored PHC string.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash to verify against when the account does not exist, so that a wrong email takes as
/// long as a wrong password and cannot be told apart by timing.
pub fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password for unknown accounts").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_after_sp_800_63b() {
        let ok = |p: &str| check(p, "dana.lee@example.com", "Dana Lee").is_ok();
        assert!(ok("correct horse battery staple"));
        assert!(ok("Tr0ub4dor&3-plus-more")); // no composition rule either way
        assert!(!ok("short pass"), "under 15 characters");
        assert!(!ok(&"x".repeat(257)), "over the ceiling");
        assert!(!ok("aaaaaaaaaaaaaaaaaaaa"), "one repeated character");
        assert!(!ok("abcdefghijklmnop1"), "an alphabet run");
        assert!(!ok("qwertyuiopasdfgh"), "a keyboard run");
        assert!(!ok("dana.lee-dana.lee-assay"), "the email and the service");
        assert!(
            ok("dana likes long walks by the river"),
            "the name inside a long phrase is fine"
        );
    }

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let (a, b) = (
            hash("correct horse battery staple").unwrap_or_default(),
            hash("correct horse battery staple").unwrap_or_default(),
        );
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify("correct horse battery staple", &a));
        assert!(!verify("correct horse battery stapler", &a));
        assert!(!verify("anything", "not a phc string"));
    }
}
