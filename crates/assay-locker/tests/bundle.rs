//! Bundles verify offline, and the tamper suite is detected and located in a bundle too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use crate::common;
use assay_locker::bundle::Bundle;
use assay_locker::entry::{Provenance, Record};
use assay_locker::limits::Limits;
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
    let read = Bundle::read(&path, Limits::default()).unwrap();
    assert_eq!(&read, b);
    read.verify(recorded, None).unwrap()
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
    let gone: serde_json::Value = serde_json::from_str(&body(&b, 4)).unwrap();
    deleted.manifest.entries.remove(3);
    deleted.blobs.remove(gone["blob"].as_str().unwrap());
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
    let r = other_key.verify(None, None);
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

// ---- Hostile bundles (issue 13): each attack is refused or fails verification. ----

use assay_locker::bundle::{BundleRow, Manifest};
use assay_locker::entry::{Entry, GENESIS};
use assay_locker::ledger::StoredRow;
use common::Backend;
use std::io::Write;

fn sqlite_bundle() -> (Harness, Bundle) {
    let h = Harness::new(Backend::Sqlite).unwrap();
    let b = setup(&h, None);
    (h, b)
}

/// Writes a `.tar.gz` holding exactly `files` (name, bytes, type) in order, as an attacker
/// would, with no checks.
fn raw_tar(files: &[(&str, &[u8], tar::EntryType)]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let mut t = tar::Builder::new(gz);
    for (name, bytes, kind) in files {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(*kind);
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        if *kind == tar::EntryType::Symlink || *kind == tar::EntryType::Link {
            h.set_size(0);
            h.set_link_name("../../etc/passwd").unwrap();
        }
        // Raw name bytes, so `..` and absolute paths get through the builder unchecked.
        let field = &mut h.as_old_mut().name;
        field.fill(0);
        field[..name.len()].copy_from_slice(name.as_bytes());
        h.set_cksum();
        let body: &[u8] = if h.entry_size().unwrap() == 0 {
            &[]
        } else {
            bytes
        };
        t.append(&h, body).unwrap();
    }
    t.into_inner().unwrap().finish().unwrap()
}

/// The files of a bundle as the exporter writes them.
fn files_of(b: &Bundle) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![
        ("bundle.json".to_string(), b.manifest.to_bytes().unwrap()),
        (
            "public-key.txt".to_string(),
            format!("{}\n", b.manifest.public_key).into_bytes(),
        ),
    ];
    if let Some(st) = &b.statement {
        out.push((
            "signature.json".to_string(),
            serde_json::to_vec_pretty(st).unwrap(),
        ));
    }
    for (h, bytes) in &b.blobs {
        out.push((format!("blobs/{h}"), bytes.clone()));
    }
    out
}

fn read_bytes(bytes: &[u8], limits: Limits) -> Result<Bundle, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.tar.gz");
    std::fs::write(&path, bytes).unwrap();
    Bundle::read(&path, limits).map_err(|e| e.to_string())
}

fn tar_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let list: Vec<(&str, &[u8], tar::EntryType)> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice(), tar::EntryType::Regular))
        .collect();
    raw_tar(&list)
}

/// The attack of issue 13: a bundle written from scratch with one fabricated entry and its
/// blob, a correct chain, no checkpoints, and the organization's real public key.
#[test]
fn attack_forged_bundle_without_checkpoints_fails() {
    let (_h, real) = sqlite_bundle();
    let blob = b"email,dept\nceo@evil.example,eng\n".to_vec();
    let hash = assay_locker::blob::sha256_hex(&blob);
    let mut rec = record("2026-03-01T00:00:00Z", "2026-03-01");
    rec.blob = hash.clone();
    rec.size = blob.len() as u64;
    let entry = Entry {
        seq: 1,
        prev: GENESIS.to_string(),
        record: rec,
    };
    let body = serde_json::to_string(&entry).unwrap();
    let manifest = Manifest {
        schema: assay_locker::bundle::SCHEMA.into(),
        organization: "Acme".into(),
        period: None,
        public_key: real.manifest.public_key.clone(),
        entries: vec![BundleRow {
            seq: 1,
            body: body.clone(),
        }],
        checkpoints: vec![],
        included: vec![1],
        inclusion_proofs: [(1u64, vec![])].into_iter().collect(),
        consistency_proofs: Default::default(),
    };
    let forged = Bundle {
        manifest,
        statement: None,
        blobs: [(hash, blob)].into_iter().collect(),
    };
    // Sanity: the forged chain itself is correct, so only the signature checks can catch it.
    assert_eq!(StoredRow { seq: 1, body }.hash().len(), 64);
    let r = roundtrip(&forged, None);
    assert!(!r.ok(), "a forged bundle must not verify");
    assert!(has(&r, Fault::Unsigned, None), "{:#?}", r.problems);

    // Even with the real statement of another bundle attached, it does not verify.
    let mut with_stolen = forged.clone();
    with_stolen.statement = real.statement.clone();
    let r = roundtrip(&with_stolen, None);
    assert!(!r.ok(), "{:#?}", r.problems);
    assert!(has(&r, Fault::ManifestAltered, None) || has(&r, Fault::RootMismatch, None));
}

#[test]
fn attack_empty_ledger_neither_exports_nor_verifies() {
    let h = Harness::new(Backend::Sqlite).unwrap();
    let mut l = h.locker();
    let e = l
        .export_bundle("Acme", None, "2026-07-01T00:00:00Z")
        .unwrap_err();
    assert!(e.to_string().contains("ledger is empty"), "{e}");

    let (_h, real) = sqlite_bundle();
    let mut empty = real.clone();
    empty.manifest.entries.clear();
    empty.manifest.checkpoints.clear();
    empty.manifest.included.clear();
    empty.manifest.inclusion_proofs.clear();
    empty.manifest.consistency_proofs.clear();
    empty.blobs.clear();
    let r = roundtrip(&empty, None);
    assert!(has(&r, Fault::Unsigned, None), "{:#?}", r.problems);
}

#[test]
fn attack_renamed_organization_and_period_fail_the_signature() {
    let (_h, real) = sqlite_bundle();
    let mut evil = real.clone();
    evil.manifest.organization = "EVIL CORP".into();
    let r = roundtrip(&evil, None);
    assert!(has(&r, Fault::SignatureInvalid, None), "{:#?}", r.problems);
    assert!(has(&r, Fault::ManifestAltered, None), "{:#?}", r.problems);

    let mut period = real.clone();
    period.manifest.period = Some("2026-01-01..2026-12-31".into());
    let r = roundtrip(&period, None);
    assert!(has(&r, Fault::SignatureInvalid, None), "{:#?}", r.problems);
}

#[test]
fn attack_second_bundle_json_is_refused() {
    let (_h, real) = sqlite_bundle();
    let mut files = files_of(&real);
    let mut evil = real.manifest.clone();
    evil.organization = "EVIL CORP".into();
    files.push(("bundle.json".into(), evil.to_bytes().unwrap()));
    let e = read_bytes(&tar_of(&files), Limits::default()).unwrap_err();
    assert!(e.contains("`bundle.json` appears twice"), "{e}");
}

#[test]
fn attack_unlisted_blob_and_unknown_names_are_refused() {
    let (_h, real) = sqlite_bundle();
    let mut files = files_of(&real);
    let extra = b"planted".to_vec();
    files.push((
        format!("blobs/{}", assay_locker::blob::sha256_hex(&extra)),
        extra,
    ));
    let e = read_bytes(&tar_of(&files), Limits::default()).unwrap_err();
    assert!(
        e.contains("is not the evidence of any included entry"),
        "{e}"
    );

    let mut files = files_of(&real);
    files.push(("notes.txt".into(), b"hello".to_vec()));
    let e = read_bytes(&tar_of(&files), Limits::default()).unwrap_err();
    assert!(
        e.contains("`notes.txt` is not part of an Assay bundle"),
        "{e}"
    );
}

#[test]
fn attack_unsigned_manifest_fields_and_hand_edits_are_refused() {
    let (_h, real) = sqlite_bundle();
    // An extra field nothing signs.
    let mut v: serde_json::Value =
        serde_json::from_slice(&real.manifest.to_bytes().unwrap()).unwrap();
    v["auditor_opinion"] = "unqualified".into();
    let mut files = files_of(&real);
    files[0].1 = serde_json::to_vec_pretty(&v).unwrap();
    let e = read_bytes(&tar_of(&files), Limits::default()).unwrap_err();
    assert!(e.contains("unknown field `auditor_opinion`"), "{e}");
    // The same manifest, reformatted: its hash could not be checked, so it is refused.
    let mut files = files_of(&real);
    files[0].1 = serde_json::to_vec(&real.manifest).unwrap();
    let e = read_bytes(&tar_of(&files), Limits::default()).unwrap_err();
    assert!(e.contains("not byte for byte"), "{e}");
    // A v1 bundle (no statement) is refused with the way out.
    let mut old = real.manifest.clone();
    old.schema = "assay.bundle/v1".into();
    let mut files = files_of(&real);
    files[0].1 = old.to_bytes().unwrap();
    let e = read_bytes(&tar_of(&files), Limits::default()).unwrap_err();
    assert!(e.contains("export the bundle again"), "{e}");
    // A bundle without signature.json reads but never verifies.
    let mut unsigned = real.clone();
    unsigned.statement = None;
    let r = roundtrip(&unsigned, None);
    assert!(has(&r, Fault::Unsigned, None), "{:#?}", r.problems);
}

#[test]
fn attack_traversal_absolute_paths_and_links_are_refused() {
    let (_h, real) = sqlite_bundle();
    let manifest = real.manifest.to_bytes().unwrap();
    for name in ["../evil.sh", "/etc/cron.d/evil", "blobs/../../x"] {
        let bytes = raw_tar(&[
            ("bundle.json", &manifest, tar::EntryType::Regular),
            (name, b"x", tar::EntryType::Regular),
        ]);
        let e = read_bytes(&bytes, Limits::default()).unwrap_err();
        assert!(e.contains("is not part of an Assay bundle"), "{name}: {e}");
    }
    for kind in [
        tar::EntryType::Symlink,
        tar::EntryType::Link,
        tar::EntryType::Directory,
    ] {
        let bytes = raw_tar(&[
            ("bundle.json", &manifest, tar::EntryType::Regular),
            ("public-key.txt", b"", kind),
        ]);
        let e = read_bytes(&bytes, Limits::default()).unwrap_err();
        assert!(e.contains("is not a regular file"), "{kind:?}: {e}");
    }
}

#[test]
fn attack_truncated_and_trailing_data_are_refused() {
    let (_h, real) = sqlite_bundle();
    let bytes = tar_of(&files_of(&real));
    assert!(read_bytes(&bytes, Limits::default()).is_ok());
    for cut in [10, bytes.len() / 2, bytes.len() - 3] {
        let e = read_bytes(&bytes[..cut], Limits::default()).unwrap_err();
        assert!(e.contains("damaged or cut off"), "cut at {cut}: {e}");
    }
    // A second gzip member after the archive's end (a hidden second bundle).
    let mut hidden = bytes.clone();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(b"bundle.json hidden").unwrap();
    hidden.extend(enc.finish().unwrap());
    let e = read_bytes(&hidden, Limits::default()).unwrap_err();
    assert!(e.contains("data after the end"), "{e}");
}

#[test]
fn a_pinned_key_must_match() {
    let (h, real) = sqlite_bundle();
    let id = real.statement.as_ref().unwrap().key_id.clone();
    let r = roundtrip_pinned(&real, &id);
    assert!(r.ok(), "{:#?}", r.problems);
    let fp = assay_locker::checkpoint::Keys::public_from(
        &h.root().join(".assay/keys/ledger.ed25519.pub"),
    )
    .unwrap()
    .fingerprint();
    assert!(roundtrip_pinned(&real, &fp).ok());

    // A bundle signed by another organization's key, pinned to ours: refused.
    let (_h2, other) = sqlite_bundle();
    let r = roundtrip_pinned(&other, &id);
    assert!(has(&r, Fault::KeyNotTrusted, None), "{:#?}", r.problems);
    // Too short a pin is never a match.
    assert!(has(
        &roundtrip_pinned(&real, &id[..8]),
        Fault::KeyNotTrusted,
        None
    ));
}

fn roundtrip_pinned(b: &Bundle, pin: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evidence.tar.gz");
    b.write(&path).unwrap();
    Bundle::read(&path, Limits::default())
        .unwrap()
        .verify(None, Some(pin))
        .unwrap()
}

/// A bundle whose blob entry is a run of zeros (a bomb once the tar.gz is inflated): refused
/// at the limit, with the limit named. Small limits keep the test quick; the full 10 GiB
/// case is `bench/gzip-bomb.sh`.
#[test]
fn attack_bundle_gzip_bomb_is_refused_at_the_limit() {
    let (_h, real) = sqlite_bundle();
    let mut files = files_of(&real);
    let hash = files.last().unwrap().0.clone();
    files.pop();
    files.push((hash, vec![0u8; 96 << 20]));
    let bytes = tar_of(&files);
    // Ratio: 96 MiB of zeros compress far beyond 200:1.
    let e = read_bytes(&bytes, Limits::default()).unwrap_err();
    assert!(
        e.contains("limit of expansion ratio") && e.contains("max_expansion_ratio"),
        "{e}"
    );
    // Size: with a generous ratio and a small maximum, the size limit is named.
    let small = Limits {
        max_expanded: 8 << 20,
        max_ratio: 100_000,
    };
    let e = read_bytes(&bytes, small).unwrap_err();
    assert!(
        e.contains("8 MiB") && e.contains("ASSAY_MAX_EXPANDED_MIB"),
        "{e}"
    );
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn valid() -> &'static (Bundle, Vec<u8>) {
        static B: std::sync::OnceLock<(Bundle, Vec<u8>)> = std::sync::OnceLock::new();
        B.get_or_init(|| {
            let (_h, real) = sqlite_bundle();
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("b.tar.gz");
            real.write(&path).unwrap();
            (real, std::fs::read(path).unwrap())
        })
    }

    fn valid_bytes() -> &'static Vec<u8> {
        &valid().1
    }

    /// Reads and verifies without panicking; the bundle when it verified.
    fn read_and_verify(bytes: &[u8]) -> Option<Bundle> {
        let small = Limits {
            max_expanded: 16 << 20,
            max_ratio: 200,
        };
        let b = read_bytes(bytes, small).ok()?;
        b.verify(None, None).ok()?.ok().then_some(b)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(assay_testkit::cases(200)))]
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            prop_assert!(read_and_verify(&bytes).is_none());
        }

        #[test]
        fn mutated_bundles_never_panic_or_verify_changed(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
            let mut bytes = valid_bytes().clone();
            for (at, x) in flips {
                let i = at % bytes.len();
                bytes[i] ^= x.max(1);
            }
            if let Some(read) = read_and_verify(&bytes) {
                prop_assert_eq!(&read, &valid().0);
            }
        }

        #[test]
        fn mutated_tar_contents_never_verify(at in any::<usize>(), x in 1u8..=255) {
            // Mutate the tar itself (then recompress), so gzip's CRC does not hide the change.
            let mut tar = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&valid_bytes()[..]), &mut tar).unwrap();
            let i = at % tar.len();
            let before = tar[i];
            tar[i] ^= x;
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(&tar).unwrap();
            let bytes = enc.finish().unwrap();
            // A mutation may only verify when it touched nothing a reader looks at (header
            // padding, unused header fields, the zero blocks at the end): the bundle read
            // is then exactly the one exported.
            if let Some(read) = read_and_verify(&bytes) {
                prop_assert_eq!(&read, &valid().0, "byte {} changed from {} and still verified", i, before);
            }
        }
    }
}
