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

    /// Short id of the public key.
    pub fn key_id(&self) -> String {
        hex::encode(Sha256::digest(self.verifying.as_bytes()))[..16].to_string()
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
