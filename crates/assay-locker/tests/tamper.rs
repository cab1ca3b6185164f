//! The tamper suite, on both ledger backends: every way of quietly changing the locker is
//! detected by `verify` and located at the entry, blob or checkpoint at fault.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use crate::common;
use assay_locker::entry::{Provenance, Record};
use assay_locker::verify::{Fault, Report};
use common::{lit, Harness};

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
        params: Default::default(),
    }
}

/// Five entries (two share a blob) and a checkpoint over all of them; returns the blobs.
fn setup(h: &Harness) -> Vec<String> {
    let mut l = h.locker();
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
    let r = l.verify().unwrap();
    assert!(r.ok(), "{:#?}", r.problems);
    blobs
}

/// The ledger's size and its tail are read without the whole ledger, and agree with it.
fn size_and_tail_agree_with_the_whole_ledger(h: &Harness) {
    setup(h);
    let l = h.locker();
    assert_eq!(l.size().unwrap(), 5);
    assert_eq!(l.size().unwrap(), l.head().unwrap().0);
    let all = l.entries().unwrap();
    let tail = l.entries_after(3).unwrap();
    assert_eq!(tail.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![4, 5]);
    assert_eq!(tail[..], all[3..]);
    assert!(l.entries_after(5).unwrap().is_empty());
    assert_eq!(l.entries_after(0).unwrap(), all);
}

fn verify(h: &Harness) -> Report {
    h.locker().verify().unwrap()
}

fn blob_path(h: &Harness, hash: &str) -> std::path::PathBuf {
    h.root()
        .join(".assay/objects")
        .join(&hash[..2])
        .join(&hash[2..])
}

fn has(r: &Report, fault: Fault, entry: Option<u64>) -> bool {
    r.problems
        .iter()
        .any(|p| p.fault == fault && (entry.is_none() || p.entry == entry))
}

fn set_body(h: &Harness, seq: u64, body: &str) {
    h.exec(&format!(
        "UPDATE entries SET body = {} WHERE seq = {seq}",
        lit(body)
    ));
}

fn flipped_byte_in_a_blob(h: &Harness) {
    let blobs = setup(h);
    let p = blob_path(h, &blobs[2]);
    let mut bytes = std::fs::read(&p).unwrap();
    bytes[3] ^= 0x01;
    std::fs::write(&p, bytes).unwrap();
    let r = verify(h);
    assert!(has(&r, Fault::BlobAltered, Some(3)), "{:#?}", r.problems);
    assert_eq!(r.problems[0].blob.as_deref(), Some(blobs[2].as_str()));
}

fn deleted_blob(h: &Harness) {
    let blobs = setup(h);
    std::fs::remove_file(blob_path(h, &blobs[0])).unwrap();
    assert!(has(&verify(h), Fault::BlobMissing, Some(1)));
}

fn blob_swapped_for_another_valid_blob(h: &Harness) {
    let blobs = setup(h);
    std::fs::copy(blob_path(h, &blobs[4]), blob_path(h, &blobs[0])).unwrap();
    assert!(has(&verify(h), Fault::BlobAltered, Some(1)));
}

fn edited_ledger_field(h: &Harness) {
    setup(h);
    set_body(h, 2, &h.body(2).replace("hr-roster", "document"));
    let r = verify(h);
    assert!(
        has(&r, Fault::ChainBroken, Some(3)),
        "entry 3 no longer chains to the edited #2: {:#?}",
        r.problems
    );
    assert!(has(&r, Fault::RootMismatch, None));
}

fn edited_last_entry_is_caught_by_the_checkpoint(h: &Harness) {
    setup(h);
    set_body(h, 5, &h.body(5).replace("roster.csv", "other.csv"));
    let r = verify(h);
    assert!(has(&r, Fault::RootMismatch, None), "{:#?}", r.problems);
    assert_eq!(r.problems[0].checkpoint, Some(5));
}

fn deleted_entry(h: &Harness) {
    setup(h);
    h.exec("DELETE FROM entries WHERE seq = 3");
    let r = verify(h);
    assert!(
        has(&r, Fault::SequenceBroken, Some(4)) && has(&r, Fault::ChainBroken, Some(4)),
        "{:#?}",
        r.problems
    );
}

fn deleted_tail_entry(h: &Harness) {
    setup(h);
    h.exec("DELETE FROM entries WHERE seq = 5");
    assert!(has(&verify(h), Fault::EntriesMissing, None));
}

fn two_entries_swapped(h: &Harness) {
    setup(h);
    let (b2, b3) = (h.body(2), h.body(3));
    set_body(h, 2, &b3);
    set_body(h, 3, &b2);
    let r = verify(h);
    assert!(
        has(&r, Fault::SequenceBroken, Some(3)) && has(&r, Fault::SequenceBroken, Some(2)),
        "{:#?}",
        r.problems
    );
}

/// Through the locker, a back-dated record is stamped with the ledger's clock (never
/// before the last entry); written into the database around the locker, it is caught.
fn back_dated_entry_appended(h: &Harness) {
    setup(h);
    let mut l = h.locker();
    let late = l
        .add(b"late", record("document", "2026-01-01T00:00:00Z"))
        .unwrap();
    assert_ne!(late.record.collected_at, "2026-01-01T00:00:00Z");
    assert!(l.verify().unwrap().ok());
    drop(l);
    let forged = h
        .body(6)
        .replace(&late.record.collected_at, "2026-01-01T00:00:00Z");
    set_body(h, 6, &forged);
    assert!(has(&verify(h), Fault::TimeReversed, Some(6)));
}

fn back_dated_entry_inserted_in_the_middle(h: &Harness) {
    setup(h);
    // A forged entry dated before its neighbours, slipped in at position 3.
    let forged = h
        .body(2)
        .replace("\"seq\":2", "\"seq\":3")
        .replace("2026-04-02T10", "2026-03-01T10");
    for s in (3..=5).rev() {
        h.exec(&format!(
            "UPDATE entries SET seq = {} WHERE seq = {s}",
            s + 1
        ));
    }
    h.exec(&format!(
        "INSERT INTO entries (seq, body) VALUES (3, {})",
        lit(&forged)
    ));
    let r = verify(h);
    assert!(
        r.problems
            .iter()
            .any(|p| p.entry == Some(3) || p.entry == Some(4)),
        "{:#?}",
        r.problems
    );
    assert!(has(&r, Fault::RootMismatch, None));
}

fn forged_checkpoint_signature(h: &Harness) {
    setup(h);
    let sig = h.text("SELECT signature FROM checkpoints");
    let flipped = format!(
        "{}{}",
        if sig.starts_with('0') { '1' } else { '0' },
        &sig[1..]
    );
    h.exec(&format!(
        "UPDATE checkpoints SET signature = {}",
        lit(&flipped)
    ));
    assert!(has(&verify(h), Fault::SignatureInvalid, None));
}

fn rewritten_root_fails_the_signature(h: &Harness) {
    setup(h);
    h.exec(&format!(
        "UPDATE checkpoints SET root = {}",
        lit(&"00".repeat(32))
    ));
    assert!(has(&verify(h), Fault::SignatureInvalid, None));
}

fn identical_content_is_stored_once_and_observed_twice(h: &Harness) {
    let blobs = setup(h);
    assert_eq!(blobs[1], blobs[3]);
    let l = h.locker();
    assert_eq!(l.entries().unwrap().len(), 5);
    fn walk(p: &std::path::Path) -> usize {
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
    assert_eq!(
        walk(&h.root().join(".assay/objects")),
        4,
        "five entries, four distinct blobs"
    );
    let e = l.find(&blobs[1][..10]).unwrap();
    assert_eq!(e.seq, 2);
    assert_eq!(l.content(&e).unwrap(), b"user,mfa\nbob,true\n");
}

fn inclusion_proofs_verify_against_the_checkpoint(h: &Harness) {
    setup(h);
    let l = h.locker();
    let cp = l.checkpoints().unwrap().remove(0);
    let root: [u8; 32] = hex::decode(&cp.root).unwrap().try_into().unwrap();
    for seq in 1..=5u64 {
        let proof: Vec<[u8; 32]> = l
            .inclusion_proof(seq, cp.size)
            .unwrap()
            .iter()
            .map(|x| hex::decode(x).unwrap().try_into().unwrap())
            .collect();
        let leaf = assay_locker::merkle::leaf_hash(h.body(seq).as_bytes());
        assert!(
            assay_locker::merkle::verify_inclusion(seq - 1, cp.size, &leaf, &proof, &root),
            "entry {seq}"
        );
    }
}

/// Files staged by a caller are stored and recorded together, chained, and a second run of
/// the same batch records nothing again.
fn staged_files_are_recorded_together(h: &Harness) {
    use assay_locker::areas::Stage;
    use assay_locker::import::{plan, ImportMeta, Staged};
    let dir = h.root().join("export");
    std::fs::create_dir_all(&dir).unwrap();
    let contents = ["a,b\n1,2\n", "a,b\n3,4\n", "a,b\n1,2\n"];
    for (i, c) in contents.iter().enumerate() {
        std::fs::write(dir.join(format!("{i}.csv")), c).unwrap();
    }
    let p = plan(std::slice::from_ref(&dir)).unwrap();
    let meta = ImportMeta {
        kind: "csv".into(),
        agent: "test".into(),
        system: "fixture".into(),
        tool_version: "0".into(),
        effective_from: None,
        effective_to: None,
        keep_secret_hashes: false,
        params: Default::default(),
        observation: None,
    };
    // Each round stages through a Stage (redacting), kept alive until recorded.
    let stage = |_round: usize| -> (Stage, Vec<Staged>) {
        let stage = Stage::new(h.root()).unwrap();
        let staged = p
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                stage
                    .put(i, std::fs::read(&f.path).unwrap())
                    .unwrap()
                    .staged
            })
            .collect();
        (stage, staged)
    };
    let mut l = h.locker();
    let mut n = 0;
    let mut now = || {
        n += 1;
        format!("2026-04-0{n}T10:00:00Z")
    };
    let (_one, staged) = stage(1);
    let first = l.record_staged(&p, &meta, staged, &mut now).unwrap();
    assert_eq!(
        first.added.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(
        first.added[0].record.blob, first.added[2].record.blob,
        "same content, one blob"
    );
    let (_two, staged) = stage(2);
    let again = l.record_staged(&p, &meta, staged, &mut now).unwrap();
    assert!(again.added.is_empty());
    assert_eq!(again.already_stored, 3);
    // The same files under another batch (another system) are another observation: the
    // ledger's search for the batch finds none of them stored.
    let other = ImportMeta {
        system: "other".into(),
        ..meta
    };
    let (_three, staged) = stage(3);
    let third = l.record_staged(&p, &other, staged, &mut now).unwrap();
    assert_eq!(third.added.len(), 3);
    let r = l.verify().unwrap();
    assert!(r.ok(), "{:#?}", r.problems);
    assert_eq!(l.content(&first.added[1]).unwrap(), b"a,b\n3,4\n");
}

on_both_backends!(
    size_and_tail_agree_with_the_whole_ledger,
    staged_files_are_recorded_together,
    flipped_byte_in_a_blob,
    deleted_blob,
    blob_swapped_for_another_valid_blob,
    edited_ledger_field,
    edited_last_entry_is_caught_by_the_checkpoint,
    deleted_entry,
    deleted_tail_entry,
    two_entries_swapped,
    back_dated_entry_appended,
    back_dated_entry_inserted_in_the_middle,
    forged_checkpoint_signature,
    rewritten_root_fails_the_signature,
    identical_content_is_stored_once_and_observed_twice,
    inclusion_proofs_verify_against_the_checkpoint,
);
