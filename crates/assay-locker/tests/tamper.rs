//! The tamper suite: every way of quietly changing the locker is detected and located.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use assay_locker::entry::{Provenance, Record};
use assay_locker::verify::{Fault, Report};
use assay_locker::Locker;
use rusqlite::{params, Connection};
use std::path::Path;

fn record(kind: &str, at: &str) -> Record {
    Record {
        blob: String::new(),
        size: 0,
        media_type: "text/csv".into(),
        kind: kind.into(),
        provenance: Provenance {
            agent: "test".into(),
            system: "fixture".into(),
            locator: "roster.csv".into(),
            tool_version: "0".into(),
            batch: None,
        },
        collected_at: at.into(),
        effective_from: Some("2026-03-31".into()),
        effective_to: Some("2026-03-31".into()),
        redactions: vec![],
    }
}

/// A locker with five entries (two share a blob) and a checkpoint over all of them.
fn setup() -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Locker::open_or_create(dir.path()).unwrap();
    let contents = [
        "email,start\na@x.com,2026-01-05\n",
        "user,mfa\nbob,true\n",
        "config: secure\n",
        "user,mfa\nbob,true\n",
        "final\n",
    ];
    let mut blobs = Vec::new();
    for (i, c) in contents.iter().enumerate() {
        let e = l
            .add(
                c.as_bytes(),
                record("hr-roster", &format!("2026-04-0{}T10:00:00Z", i + 1)),
            )
            .unwrap();
        blobs.push(e.record.blob);
    }
    l.checkpoint("2026-04-06T00:00:00Z").unwrap();
    assert!(
        l.verify().unwrap().ok(),
        "{:#?}",
        l.verify().unwrap().problems
    );
    (dir, blobs)
}

fn verify(root: &Path) -> Report {
    Locker::open(root).unwrap().verify().unwrap()
}

fn db(root: &Path) -> Connection {
    Connection::open(root.join(".assay/ledger.db")).unwrap()
}

fn blob_path(root: &Path, hash: &str) -> std::path::PathBuf {
    root.join(".assay/objects")
        .join(&hash[..2])
        .join(&hash[2..])
}

fn has(r: &Report, fault: Fault, entry: Option<u64>) -> bool {
    r.problems
        .iter()
        .any(|p| p.fault == fault && (entry.is_none() || p.entry == entry))
}

#[test]
fn a_flipped_byte_in_a_blob() {
    let (dir, blobs) = setup();
    let p = blob_path(dir.path(), &blobs[2]);
    let mut bytes = std::fs::read(&p).unwrap();
    bytes[3] ^= 0x01;
    std::fs::write(&p, bytes).unwrap();
    let r = verify(dir.path());
    assert!(has(&r, Fault::BlobAltered, Some(3)), "{:#?}", r.problems);
    assert_eq!(r.problems[0].blob.as_deref(), Some(blobs[2].as_str()));
}

#[test]
fn a_deleted_blob() {
    let (dir, blobs) = setup();
    std::fs::remove_file(blob_path(dir.path(), &blobs[0])).unwrap();
    let r = verify(dir.path());
    assert!(has(&r, Fault::BlobMissing, Some(1)), "{:#?}", r.problems);
}

#[test]
fn a_blob_swapped_for_another_valid_blob() {
    let (dir, blobs) = setup();
    std::fs::copy(
        blob_path(dir.path(), &blobs[4]),
        blob_path(dir.path(), &blobs[0]),
    )
    .unwrap();
    let r = verify(dir.path());
    assert!(has(&r, Fault::BlobAltered, Some(1)), "{:#?}", r.problems);
}

#[test]
fn an_edited_ledger_field() {
    let (dir, _) = setup();
    let c = db(dir.path());
    let body: String = c
        .query_row("SELECT body FROM entries WHERE seq = 2", [], |r| r.get(0))
        .unwrap();
    c.execute(
        "UPDATE entries SET body = ?1 WHERE seq = 2",
        params![body.replace("hr-roster", "document")],
    )
    .unwrap();
    let r = verify(dir.path());
    assert!(
        has(&r, Fault::ChainBroken, Some(3)),
        "entry 3 no longer chains to the edited #2: {:#?}",
        r.problems
    );
    assert!(has(&r, Fault::RootMismatch, None));
}

#[test]
fn an_edited_last_entry_is_caught_by_the_checkpoint() {
    let (dir, _) = setup();
    let c = db(dir.path());
    let body: String = c
        .query_row("SELECT body FROM entries WHERE seq = 5", [], |r| r.get(0))
        .unwrap();
    c.execute(
        "UPDATE entries SET body = ?1 WHERE seq = 5",
        params![body.replace("roster.csv", "other.csv")],
    )
    .unwrap();
    let r = verify(dir.path());
    assert!(has(&r, Fault::RootMismatch, None), "{:#?}", r.problems);
    assert_eq!(r.problems[0].checkpoint, Some(5));
}

#[test]
fn a_deleted_entry() {
    let (dir, _) = setup();
    db(dir.path())
        .execute("DELETE FROM entries WHERE seq = 3", [])
        .unwrap();
    let r = verify(dir.path());
    assert!(has(&r, Fault::SequenceBroken, Some(4)), "{:#?}", r.problems);
    assert!(has(&r, Fault::ChainBroken, Some(4)));
}

#[test]
fn a_deleted_tail_entry() {
    let (dir, _) = setup();
    db(dir.path())
        .execute("DELETE FROM entries WHERE seq = 5", [])
        .unwrap();
    let r = verify(dir.path());
    assert!(has(&r, Fault::EntriesMissing, None), "{:#?}", r.problems);
}

#[test]
fn two_entries_swapped() {
    let (dir, _) = setup();
    let c = db(dir.path());
    let b2: String = c
        .query_row("SELECT body FROM entries WHERE seq = 2", [], |r| r.get(0))
        .unwrap();
    let b3: String = c
        .query_row("SELECT body FROM entries WHERE seq = 3", [], |r| r.get(0))
        .unwrap();
    c.execute("UPDATE entries SET body = ?1 WHERE seq = 2", params![b3])
        .unwrap();
    c.execute("UPDATE entries SET body = ?1 WHERE seq = 3", params![b2])
        .unwrap();
    let r = verify(dir.path());
    assert!(has(&r, Fault::SequenceBroken, Some(3)), "{:#?}", r.problems);
    assert!(has(&r, Fault::SequenceBroken, Some(2)));
}

#[test]
fn a_back_dated_entry_appended_through_the_api() {
    let (dir, _) = setup();
    let mut l = Locker::open(dir.path()).unwrap();
    l.add(b"late", record("document", "2026-01-01T00:00:00Z"))
        .unwrap();
    let r = l.verify().unwrap();
    assert!(has(&r, Fault::TimeReversed, Some(6)), "{:#?}", r.problems);
}

#[test]
fn a_back_dated_entry_inserted_in_the_middle() {
    let (dir, _) = setup();
    let c = db(dir.path());
    let body: String = c
        .query_row("SELECT body FROM entries WHERE seq = 2", [], |r| r.get(0))
        .unwrap();
    // A forged entry dated before its neighbours, slipped in at position 3.
    let forged = body
        .replace("\"seq\":2", "\"seq\":3")
        .replace("2026-04-02T10", "2026-03-01T10");
    for s in (3..=5).rev() {
        c.execute(
            "UPDATE entries SET seq = ?1 WHERE seq = ?2",
            params![s + 1, s],
        )
        .unwrap();
    }
    c.execute(
        "INSERT INTO entries (seq, body) VALUES (3, ?1)",
        params![forged],
    )
    .unwrap();
    let r = verify(dir.path());
    assert!(!r.ok());
    assert!(
        r.problems
            .iter()
            .any(|p| p.entry == Some(3) || p.entry == Some(4)),
        "{:#?}",
        r.problems
    );
    assert!(has(&r, Fault::RootMismatch, None));
}

#[test]
fn a_forged_checkpoint_signature() {
    let (dir, _) = setup();
    let c = db(dir.path());
    let sig: String = c
        .query_row("SELECT signature FROM checkpoints", [], |r| r.get(0))
        .unwrap();
    let flipped = format!(
        "{}{}",
        if sig.starts_with('0') { '1' } else { '0' },
        &sig[1..]
    );
    c.execute("UPDATE checkpoints SET signature = ?1", params![flipped])
        .unwrap();
    let r = verify(dir.path());
    assert!(has(&r, Fault::SignatureInvalid, None), "{:#?}", r.problems);
}

#[test]
fn a_rewritten_history_with_a_new_root_fails_the_signature() {
    let (dir, _) = setup();
    let c = db(dir.path());
    c.execute("UPDATE checkpoints SET root = ?1", params!["00".repeat(32)])
        .unwrap();
    let r = verify(dir.path());
    assert!(has(&r, Fault::SignatureInvalid, None), "{:#?}", r.problems);
}

#[test]
fn identical_content_is_stored_once_and_observed_twice() {
    let (dir, blobs) = setup();
    assert_eq!(blobs[1], blobs[3]);
    let l = Locker::open(dir.path()).unwrap();
    assert_eq!(l.entries().unwrap().len(), 5);
    let files = walk(&dir.path().join(".assay/objects"));
    assert_eq!(files, 4, "five entries, four distinct blobs");
    let e = l.find(&blobs[1][..10]).unwrap();
    assert_eq!(e.seq, 2);
    assert_eq!(l.content(&e).unwrap(), b"user,mfa\nbob,true\n");
}

fn walk(p: &Path) -> usize {
    std::fs::read_dir(p)
        .unwrap()
        .flatten()
        .map(|e| {
            if e.path().is_dir() {
                walk(&e.path())
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn inclusion_proofs_verify_against_the_checkpoint() {
    let (dir, _) = setup();
    let l = Locker::open(dir.path()).unwrap();
    let cp = l.checkpoints().unwrap().remove(0);
    let c = db(dir.path());
    for seq in 1..=5u64 {
        let body: String = c
            .query_row(
                "SELECT body FROM entries WHERE seq = ?1",
                params![seq as i64],
                |r| r.get(0),
            )
            .unwrap();
        let proof: Vec<[u8; 32]> = l
            .inclusion_proof(seq, cp.size)
            .unwrap()
            .iter()
            .map(|h| hex::decode(h).unwrap().try_into().unwrap())
            .collect();
        let root: [u8; 32] = hex::decode(&cp.root).unwrap().try_into().unwrap();
        let leaf = assay_locker::merkle::leaf_hash(body.as_bytes());
        assert!(
            assay_locker::merkle::verify_inclusion(seq - 1, cp.size, &leaf, &proof, &root),
            "entry {seq}"
        );
    }
}
