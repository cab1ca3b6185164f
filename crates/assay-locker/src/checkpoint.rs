//! Signed checkpoints: the Merkle root of the first `size` entries, signed with the
//! workspace's Ed25519 key, whose public half anyone can use to check it.

use crate::LockerError;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// A signed statement of the ledger's size and root at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Number of entries covered.
    pub size: u64,
    /// Hex Merkle root of those entries.
    pub root: String,
    /// When it was signed (RFC 3339, UTC).
    pub signed_at: String,
    /// First 16 hex digits of the SHA-256 of the public key.
    pub key_id: String,
    /// Hex Ed25519 signature of [`Checkpoint::message`].
    pub signature: String,
}

impl Checkpoint {
    /// The exact bytes signed.
    pub fn message(size: u64, root: &str, signed_at: &str) -> String {
        format!("assay-checkpoint/v1\nsize {size}\nroot {root}\nsigned-at {signed_at}\n")
    }

    /// Whether the signature is valid for `key`.
    pub fn verify(&self, key: &VerifyingKey) -> bool {
        let Ok(bytes) = hex::decode(&self.signature) else {
            return false;
        };
        let Ok(sig) = Signature::from_slice(&bytes) else {
            return false;
        };
        key.verify_strict(
            Checkpoint::message(self.size, &self.root, &self.signed_at).as_bytes(),
            &sig,
        )
        .is_ok()
    }
}

/// The signed statement of a bundle: who exported which entries, for which period, and the
/// hash of the manifest that lists them. Nothing in a bundle counts unless this covers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// Number of ledger entries the bundle holds (all of them are covered).
    pub size: u64,
    /// Hex Merkle root of those entries.
    pub root: String,
    /// Hex SHA-256 of `bundle.json` exactly as stored.
    pub manifest_sha256: String,
    /// When it was signed (RFC 3339, UTC).
    pub signed_at: String,
    /// First 16 hex digits of the SHA-256 of the public key.
    pub key_id: String,
    /// Hex Ed25519 signature of [`Statement::message`].
    pub signature: String,
}

/// What a [`Statement`] signs besides its own fields: the organization and the period the
/// manifest names.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The organization, as in the manifest.
    pub organization: &'a str,
    /// The period, as in the manifest (`START..END`), or `None` for all evidence.
    pub period: Option<&'a str>,
}

impl Statement {
    /// The exact bytes signed. Organization and period are JSON strings (so no newline or
    /// other character in them can change the meaning of a line).
    pub fn message(&self, scope: Scope<'_>) -> String {
        let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
        format!(
            "assay-bundle-statement/v1\norganization {}\nperiod {}\nsize {}\nroot {}\nmanifest-sha256 {}\nsigned-at {}\n",
            quote(scope.organization),
            scope.period.map_or_else(|| "all".to_string(), quote),
            self.size,
            self.root,
            self.manifest_sha256,
            self.signed_at
        )
    }

    /// Whether the signature is valid for `key` and this scope.
    pub fn verify(&self, key: &VerifyingKey, scope: Scope<'_>) -> bool {
        let Ok(bytes) = hex::decode(&self.signature) else {
            return false;
        };
        let Ok(sig) = Signature::from_slice(&bytes) else {
            return false;
        };
        key.verify_strict(self.message(scope).as_bytes(), &sig)
            .is_ok()
    }
}

/// The workspace's signing key pair, kept under `.assay/keys/`.
pub struct Keys {
    signing: Option<SigningKey>,
    verifying: VerifyingKey,
}

/// File names under the keys folder.
pub const SECRET_FILE: &str = "ledger.ed25519";
/// The exported public key.
pub const PUBLIC_FILE: &str = "ledger.ed25519.pub";

fn io(path: &Path, e: std::io::Error) -> LockerError {
    LockerError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

fn bad_key(path: &Path, what: &str) -> LockerError {
    LockerError::Key {
        path: path.to_path_buf(),
        message: what.to_string(),
    }
}

impl Keys {
    /// Loads the key pair from `dir`, creating it when absent.
    pub fn load_or_create(dir: &Path) -> Result<Keys, LockerError> {
        let secret = dir.join(SECRET_FILE);
        if !secret.exists() {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed)
                .map_err(|e| bad_key(&secret, &format!("no randomness: {e}")))?;
            let key = SigningKey::from_bytes(&seed);
            write_private(&secret, &hex::encode(seed))?;
            let public = dir.join(PUBLIC_FILE);
            std::fs::write(&public, hex::encode(key.verifying_key().as_bytes()) + "\n")
                .map_err(|e| io(&public, e))?;
        }
        Keys::load(dir)
    }

    /// Loads the key pair from `dir`; never creates one (reading a locker writes nothing).
    pub fn load(dir: &Path) -> Result<Keys, LockerError> {
        let secret = dir.join(SECRET_FILE);
        if !secret.exists() {
            return Err(bad_key(
                &secret,
                "the ledger's signing key is missing; restore it from a backup of .assay/keys/ \
                 (a new key would not verify the checkpoints signed so far)",
            ));
        }
        let text = std::fs::read_to_string(&secret).map_err(|e| io(&secret, e))?;
        let seed: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| bad_key(&secret, "not 64 hex digits"))?;
        let signing = SigningKey::from_bytes(&seed);
        Ok(Keys {
            verifying: signing.verifying_key(),
            signing: Some(signing),
        })
    }

    /// Loads only the public key (for verification on any machine).
    pub fn public_from(path: &Path) -> Result<Keys, LockerError> {
        let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
        Keys::public_from_hex(&text).map_err(|m| bad_key(path, &m))
    }

    /// The public key from its hex form.
    pub fn public_from_hex(text: &str) -> Result<Keys, String> {
        let bytes: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| "not 64 hex digits".to_string())?;
        let verifying = VerifyingKey::from_bytes(&bytes)
            .map_err(|_| "not an Ed25519 public key".to_string())?;
        Ok(Keys {
            signing: None,
            verifying,
        })
    }

    /// The public key.
    pub fn verifying(&self) -> &VerifyingKey {
        &self.verifying
    }

    /// Short id of the public key: the first 16 hex digits of its [`Keys::fingerprint`].
    pub fn key_id(&self) -> String {
        self.fingerprint()[..16].to_string()
    }

    /// Hex SHA-256 of the public key's 32 bytes (64 hex digits).
    pub fn fingerprint(&self) -> String {
        hex::encode(Sha256::digest(self.verifying.as_bytes()))
    }

    /// Signs a bundle statement of `size` entries with root `root` over a manifest whose
    /// SHA-256 is `manifest_sha256`.
    pub fn sign_statement(
        &self,
        scope: Scope<'_>,
        size: u64,
        root: &str,
        manifest_sha256: &str,
        signed_at: &str,
    ) -> Result<Statement, LockerError> {
        let key = self
            .signing
            .as_ref()
            .ok_or_else(|| bad_key(Path::new(SECRET_FILE), "only the public key is loaded"))?;
        let mut st = Statement {
            size,
            root: root.to_string(),
            manifest_sha256: manifest_sha256.to_string(),
            signed_at: signed_at.to_string(),
            key_id: self.key_id(),
            signature: String::new(),
        };
        st.signature = hex::encode(key.sign(st.message(scope).as_bytes()).to_bytes());
        Ok(st)
    }

    /// Signs a checkpoint of `size` entries with root `root`.
    pub fn sign(&self, size: u64, root: &str, signed_at: &str) -> Result<Checkpoint, LockerError> {
        let key = self
            .signing
            .as_ref()
            .ok_or_else(|| bad_key(Path::new(SECRET_FILE), "only the public key is loaded"))?;
        let sig = key.sign(Checkpoint::message(size, root, signed_at).as_bytes());
        Ok(Checkpoint {
            size,
            root: root.to_string(),
            signed_at: signed_at.to_string(),
            key_id: self.key_id(),
            signature: hex::encode(sig.to_bytes()),
        })
    }
}

fn write_private(path: &PathBuf, text: &str) -> Result<(), LockerError> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| io(path, e))?;
        f.write_all(text.as_bytes()).map_err(|e| io(path, e))?;
        f.sync_all().map_err(|e| io(path, e))
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, text).map_err(|e| io(path, e))
    }
}
