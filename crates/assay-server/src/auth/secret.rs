//! Random identifiers and secrets, and the one-way form in which secrets are stored.

use base64::Engine;
use sha2::{Digest, Sha256};

/// `n` random bytes from the operating system, as URL-safe base64 without padding.
pub fn random(n: usize) -> String {
    let mut buf = vec![0u8; n];
    // The OS generator failing is unrecoverable for a server handing out credentials; an
    // all-zero buffer must never become a secret, so refuse loudly.
    if getrandom::fill(&mut buf).is_err() {
        #[allow(clippy::panic)]
        {
            panic!("the operating system's random number generator failed");
        }
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// A new identifier (96 random bits).
pub fn id() -> String {
    random(12)
}

/// A new secret (256 random bits).
pub fn secret() -> String {
    random(32)
}

/// The stored form of a secret: hex SHA-256. Secrets are long and random, so a fast hash is
/// enough (passwords use argon2id instead).
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two strings in time independent of where they differ.
pub fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_unique_and_digested() {
        let (a, b) = (secret(), secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(digest(&a).len(), 64);
        assert!(same(&a, &a.clone()) && !same(&a, &b) && !same("a", "ab"));
    }
}
