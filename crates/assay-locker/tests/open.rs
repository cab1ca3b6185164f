//! Opening an existing locker writes nothing: read commands (`assess`, `verify`) must not
//! create a signing key where one went missing (issue 12).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use assay_locker::{Locker, LockerConfig};

#[test]
fn open_never_creates_a_signing_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = LockerConfig::default();
    assert!(Locker::open(dir.path(), &config).is_err(), "no locker yet");
    drop(Locker::open_or_create(dir.path(), &config).unwrap());
    let keys = dir.path().join(".assay/keys");
    let secret = keys.join("ledger.ed25519");
    assert!(secret.exists());
    drop(Locker::open(dir.path(), &config).unwrap());

    std::fs::remove_file(&secret).unwrap();
    let err = Locker::open(dir.path(), &config)
        .err()
        .expect("missing key");
    let msg = err.to_string();
    assert!(
        msg.contains("ledger.ed25519") && msg.contains("restore it from a backup"),
        "{msg}"
    );
    assert!(!secret.exists(), "open created a key");
}
