//! Evidence that travels: exporting a verified locker as a signed bundle for a period, and
//! verifying a bundle offline against a key the recipient pinned and a checkpoint they
//! recorded. The decisions (what a period, a recorded checkpoint or a pinned key must look
//! like, and when a locker may be exported) live here, for every front end.

use crate::inputs::date;
use crate::{Project, ProjectError};
use assay_locker::bundle::Bundle;
use assay_locker::checkpoint::Keys;
use assay_locker::verify::Report;
use jiff::civil::Date;
use std::path::{Path, PathBuf};

fn invalid(m: String) -> ProjectError {
    ProjectError::Invalid(m)
}

/// A period `START..END` given as `flag`.
pub fn span(flag: &str, text: &str) -> Result<(Date, Date), ProjectError> {
    let (a, b) = text.split_once("..").ok_or_else(|| {
        invalid(format!(
            "{flag} {text}: write the period as START..END, e.g. 2026-01-01..2026-06-30"
        ))
    })?;
    let (a, b) = (date(flag, a)?, date(flag, b)?);
    if b < a {
        return Err(invalid(format!(
            "{flag} {text}: the period ends before it starts"
        )));
    }
    Ok((a, b))
}

/// A checkpoint the verifier recorded earlier, `SIZE:ROOT` as `assay checkpoint` prints it,
/// given as `flag`.
pub fn recorded(flag: &str, text: &str) -> Result<(u64, String), ProjectError> {
    let (size, root) = text.split_once(':').ok_or_else(|| {
        invalid(format!(
            "{flag} {text}: write the checkpoint as SIZE:ROOT, as `assay checkpoint` prints it"
        ))
    })?;
    let size = size.trim().parse::<u64>().map_err(|_| {
        invalid(format!(
            "{flag} {text}: SIZE must be a whole number of ledger entries"
        ))
    })?;
    let root = root.trim().to_ascii_lowercase();
    if root.len() != 64 || !root.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid(format!(
            "{flag} {text}: ROOT is the tree root in 64 hex digits, as `assay checkpoint` prints it"
        )));
    }
    Ok((size, root))
}

/// A key id the recipient pinned, given as `flag`: 16 hex digits, or the 64-digit
/// fingerprint; lower case.
pub fn key_id(flag: &str, text: &str) -> Result<String, ProjectError> {
    let id = text.trim().to_ascii_lowercase();
    if !(16..=64).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid(format!(
            "{flag} {id}: a key id is 16 hex digits (or the 64-digit fingerprint), as `assay bundle key` prints it"
        )));
    }
    Ok(id)
}

/// The fingerprint of the public key in `file`, given as `flag` (the file
/// `.assay/keys/ledger.ed25519.pub` holds: 64 hex digits).
pub fn key_file(flag: &str, file: &Path) -> Result<String, ProjectError> {
    Keys::public_from(file)
        .map(|k| k.fingerprint())
        .map_err(|e| {
            invalid(format!(
                "{flag} {}: {e}; pass the organization's public key file (64 hex digits), as .assay/keys/ledger.ed25519.pub holds",
                file.display()
            ))
        })
}

/// A bundle read from `path` and verified: its report says whether it holds.
pub fn verify(
    path: &Path,
    recorded: Option<(u64, String)>,
    pinned: Option<&str>,
) -> Result<(Bundle, Report), ProjectError> {
    let bundle = Bundle::read(path, crate::limits(None)?)?;
    let report = bundle.verify(recorded, pinned)?;
    Ok((bundle, report))
}

/// The key id of the key a bundle carries (empty when it carries none that parses).
pub fn carried_key_id(bundle: &Bundle) -> String {
    Keys::public_from_hex(&bundle.manifest.public_key)
        .map(|k| k.key_id())
        .unwrap_or_default()
}

/// The organization's signing key, as recipients pin it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SigningKey {
    /// 16 hex digits.
    pub key_id: String,
    /// The key's SHA-256, 64 hex digits.
    pub fingerprint: String,
    /// The public key, 64 hex digits.
    pub public_key: String,
    /// The file that holds it.
    pub file: PathBuf,
}

impl Project {
    /// Exports the locker's entries in `span` (all when `None`) as a signed bundle. A locker
    /// that fails verification is refused: a bundle vouches for what it carries.
    pub fn export_bundle(&self, span: Option<(Date, Date)>) -> Result<Bundle, ProjectError> {
        let mut locker = self.locker()?;
        let report = locker.verify()?;
        if !report.ok() {
            let n = report.problems.len();
            return Err(invalid(format!(
                "the locker fails verification ({n} fault{}); run `assay verify` before exporting",
                if n == 1 { "" } else { "s" }
            )));
        }
        let organization = self
            .workspace()
            .config
            .map(|c| c.scope.organization)
            .unwrap_or_default();
        let span = span.map(|(a, b)| (a.to_string(), b.to_string()));
        Ok(locker.export_bundle(&organization, span, &crate::now())?)
    }

    /// The organization's public signing key. The key is created with the locker; without
    /// one, the error says how to get it.
    pub fn signing_key(&self) -> Result<SigningKey, ProjectError> {
        let file = assay_locker::Locker::dir_of(&self.root)
            .join("keys")
            .join(assay_locker::checkpoint::PUBLIC_FILE);
        if !file.exists() {
            return Err(invalid(format!(
                "no signing key at {}; it is created with the locker by `assay evidence add`",
                file.display()
            )));
        }
        let keys = Keys::public_from(&file)?;
        let public_key = std::fs::read_to_string(&file)
            .map_err(ProjectError::io(&file))?
            .trim()
            .to_string();
        Ok(SigningKey {
            key_id: keys.key_id(),
            fingerprint: keys.fingerprint(),
            public_key,
            file,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_are_checked_and_errors_show_the_form() {
        let (a, b) = span("--period", "2026-01-01..2026-06-30").unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2026-01-01".into(), "2026-06-30".into())
        );
        assert!(span("--period", "2026-06-30..2026-01-01")
            .unwrap_err()
            .to_string()
            .contains("ends before it starts"));
        assert!(span("--period", "2026-01-01")
            .unwrap_err()
            .to_string()
            .contains("START..END"));
        let root = "AB".repeat(32);
        assert_eq!(
            recorded("--recorded", &format!("12:{root}")).unwrap(),
            (12, "ab".repeat(32))
        );
        for bad in ["12", "x:ab", "12:abc"] {
            assert!(recorded("--recorded", bad).is_err(), "{bad}");
        }
        assert_eq!(
            key_id("--key-id", " 0123456789ABCDEF ").unwrap(),
            "0123456789abcdef"
        );
        assert!(key_id("--key-id", "0123").is_err());
        assert!(key_id("--key-id", &"g".repeat(16)).is_err());
    }
}
