//! Bundles verify offline, and the tamper suite is detected and located in a bundle too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod common;
use assay_locker::bundle::Bundle;
use assay_locker::entry::{Provenance, Record};
use assay_locker::verify::{Fault, Report};
use common::Harness;

fn record(at: &str, effective: &str) -> Record {
    Record {
        blob: String::new(),
        size: 0,
        media_type: "text/csv".into(),
        kind: "hr-roster".into(),
        provenance: Provenance {
            agent: "test".into(),
            system: "hris".into(),
            locator: format!("roster-{effective}.csv"),
            tool_version: "0".into(),
            batch: None,
        },
        collected_at: at.into(),
        effective_from: Some(effective.into()),
        effective_to: Some(effective.into()),
        redactions: vec![],
        params: Default::default(),
    }
}

/// A locker with six entries over two quarters, checkpoints after 3 and 6, and its bundle.
fn setup(h: &Harness, span: Option<(&str, &str)>) -> Bundle {
    let mut l = h.locker();
    let days = [
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
        "2026-05-31",
        "2026-06-30",
    ];
    for (i, d) in days.iter().enumerate() {
        l.add(
            format!("email,dept\nuser{i}@acme.com,eng\n").as_bytes(),
            record(&format!("{d}T12:00:00Z"), d),
        )
        .unwrap();
        if i == 2 {
            l.checkpoint("2026-04-01T00:00:00Z").unwrap();
        }
    }
    l.export_bundle(
        "Acme",
        span.map(|(a, b)| (a.to_string(), b.to_string())),
        "2026-07-01T00:00:00Z",
    )
    .unwrap()
}

/// Writes the bundle to a file, reads it back and verifies it, as another machine would.
fn roundtrip(b: &Bundle, recorded: Option<(u64, String)>) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evidence.tar.gz");
    b.write(&path).unwrap();
    let read = Bundle::read(&path).unwrap();
    assert_eq!(&read, b);
    read.verify(recorded).unwrap()
}

fn has(r: &Report, fault: Fault, entry: Option<u64>) -> bool {
    r.problems
        .iter()
        .any(|p| p.fault == fault && (entry.is_none() || p.entry == entry))
}

fn body(b: &Bundle, seq: u64) -> String {
    b.manifest
        .entries
        .iter()
        .find(|r| r.seq == seq)
        .unwrap()
        .body
        .clone()
}

fn a_clean_bundle_verifies_with_proofs(h: &Harness) {
    let b = setup(h, None);
    assert_eq!(
        b.manifest.checkpoints.len(),
        2,
        "a fresh checkpoint was signed at export"
    );
    assert_eq!(b.manifest.included.len(), 6);
    assert!(b.manifest.consistency_proofs.contains_key("3..6"));
    let r = roundtrip(&b, None);
    assert!(r.ok(), "{:#?}", r.problems);
}

fn a_period_slice_carries_only_its_blobs_and_still_verifies(h: &Harness) {
    let b = setup(h, Some(("2026-04-01", "2026-06-30")));
    assert_eq!(b.manifest.included, vec![4, 5, 6]);
    assert_eq!(b.blobs.len(), 3);
    assert_eq!(
        b.manifest.entries.len(),
        6,
        "the whole ledger travels, so the chain can be checked"
    );
    let r = roundtrip(&b, None);
    assert!(r.ok(), "{:#?}", r.problems);
}

fn a_recorded_checkpoint_proves_the_ledger_only_grew(h: &Harness) {
    let b = setup(h, None);
    let first = b.manifest.checkpoints[0].clone();
    assert!(roundtrip(&b, Some((first.size, first.root.clone()))).ok());
    let r = roundtrip(&b, Some((first.size, "ab".repeat(32))));
    assert!(has(&r, Fault::RootMismatch, None), "{:#?}", r.problems);
}

fn tamper_flipped_byte_deleted_and_swapped_blobs(h: &Harness) {
    let b = setup(h, None);
    let e2: serde_json::Value = serde_json::from_str(&body(&b, 2)).unwrap();
    let h2 = e2["blob"].as_str().unwrap().to_string();
    let e5: serde_json::Value = serde_json::from_str(&body(&b, 5)).unwrap();
    let h5 = e5["blob"].as_str().unwrap().to_string();

    let mut flipped = b.clone();
    flipped.blobs.get_mut(&h2).unwrap()[0] ^= 1;
    assert!(has(&roundtrip(&flipped, None), Fault::BlobAltered, Some(2)));

    let mut deleted = b.clone();
    deleted.blobs.remove(&h2);
    assert!(has(&roundtrip(&deleted, None), Fault::BlobMissing, Some(2)));

    let mut swapped = b.clone();
    let other = swapped.blobs[&h5].clone();
    swapped.blobs.insert(h2.clone(), other);
    assert!(has(&roundtrip(&swapped, None), Fault::BlobAltered, Some(2)));
}

fn tamper_edited_deleted_swapped_and_inserted_entries(h: &Harness) {
    let b = setup(h, None);

    let mut edited = b.clone();
    edited.manifest.entries[1].body = body(&b, 2).replace("hris", "manual");
    let r = roundtrip(&edited, None);
    assert!(has(&r, Fault::ChainBroken, Some(3)), "{:#?}", r.problems);

    let mut deleted = b.clone();
    deleted.manifest.entries.remove(3);
    let r = roundtrip(&deleted, None);
    assert!(has(&r, Fault::SequenceBroken, Some(5)), "{:#?}", r.problems);

    let mut swapped = b.clone();
    swapped.manifest.entries.swap(1, 2);
    let r = roundtrip(&swapped, None);
    assert!(
        has(&r, Fault::SequenceBroken, Some(3)) && has(&r, Fault::SequenceBroken, Some(2)),
        "{:#?}",
        r.problems
    );

    let mut inserted = b.clone();
    let mut forged = inserted.manifest.entries[3].clone();
    forged.body = forged.body.replace("2026-04-30T12", "2026-01-01T12");
    inserted.manifest.entries.insert(3, forged);
    let r = roundtrip(&inserted, None);
    assert!(
        !r.ok() && r.problems.iter().any(|p| p.entry == Some(4)),
        "{:#?}",
        r.problems
    );
}

fn tamper_forged_checkpoint_signature_and_rewritten_history(h: &Harness) {
    let b = setup(h, None);
    let mut forged = b.clone();
    let sig = &mut forged.manifest.checkpoints[1].signature;
    let first = if sig.starts_with('0') { "1" } else { "0" };
    sig.replace_range(0..1, first);
    assert!(has(
        &roundtrip(&forged, None),
        Fault::SignatureInvalid,
        None
    ));

    let mut other_key = b.clone();
    other_key.manifest.public_key = "11".repeat(32);
    let r = other_key.verify(None);
    assert!(
        r.map(|r| !r.ok()).unwrap_or(true),
        "a different key cannot verify the signatures"
    );
}

on_both_backends!(
    a_clean_bundle_verifies_with_proofs,
    a_period_slice_carries_only_its_blobs_and_still_verifies,
    a_recorded_checkpoint_proves_the_ledger_only_grew,
    tamper_flipped_byte_deleted_and_swapped_blobs,
    tamper_edited_deleted_swapped_and_inserted_entries,
    tamper_forged_checkpoint_signature_and_rewritten_history,
);
