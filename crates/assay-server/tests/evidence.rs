//! Evidence through the API, on both backends: an upload is redacted, recorded in the
//! ledger with an inclusion proof that checks offline, and the ledger verifies afterwards;
//! an oversized or bad upload stores nothing; queries are read-only; reports download.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use assay_server::permissions::Role;
use common::{Backend, Harness, BACKENDS};
use serde_json::json;

fn upload_redact_prove_verify(backend: Backend) {
    let Some(h) = Harness::with(
        backend,
        assay_server::state::Options {
            max_upload: 64 * 1024,
            ..Default::default()
        },
    ) else {
        return;
    };
    let owner = h.member("owner@acme.test", Some(&h.a), false, Role::Owner);
    let base = format!("/api/v1/orgs/{}/audits/{}", h.a.org, h.a.audit);
    let secret = "AKIAIOSFODNN7EXAMPLE";
    let text = format!("deploy notes\naws_access_key_id = {secret}\nall good\n");
    let up = h.upload(
        &format!("{base}/evidence?name=deploy-notes.txt&kind=document&from=2026-03-01"),
        &owner,
        text.into_bytes(),
    );
    assert_eq!(up.status, 201, "{}", up.text());
    let entry = &up.json()["added"][0];
    let seq = entry["seq"].as_u64().unwrap();
    assert_eq!(
        entry["provenance"]["locator"], "upload/owner@acme.test/deploy-notes.txt",
        "recorded by who uploaded it, not by a temporary path"
    );
    assert!(
        !entry["redactions"].as_array().unwrap().is_empty(),
        "the key was found: {entry}"
    );
    // The stored bytes hold no secret.
    let content = h.send(
        "GET",
        &format!("{base}/evidence/{seq}/content"),
        &owner,
        None,
    );
    assert_eq!(content.status, 200);
    assert!(!content.text().contains(secret), "{}", content.text());
    assert!(content.text().contains("deploy notes"));
    // The inclusion proof checks against the root, offline.
    let p = h
        .send("GET", &format!("{base}/evidence/{seq}/proof"), &owner, None)
        .json();
    let hex32 = |v: &serde_json::Value| -> [u8; 32] {
        hex::decode(v.as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap()
    };
    let path: Vec<[u8; 32]> = p["path"].as_array().unwrap().iter().map(hex32).collect();
    assert!(
        assay_locker::merkle::verify_inclusion(
            seq - 1,
            p["tree_size"].as_u64().unwrap(),
            &hex32(&p["leaf_hash"]),
            &path,
            &hex32(&p["root"])
        ),
        "{p}"
    );
    // Too big: 413, nothing stored.
    let project =
        assay_project::Project::open(&h.root_a(), assay_catalog::Catalog::embedded().unwrap())
            .unwrap();
    let before = project.locker().unwrap().entries().unwrap().len();
    let big = h.upload(
        &format!("{base}/evidence?name=big.bin&kind=document"),
        &owner,
        vec![b'x'; 65 * 1024],
    );
    assert_eq!(big.status, 413, "{}", big.text());
    // A bad import (not the format it claims): 400, nothing stored.
    let bad = h.upload(
        &format!("{base}/evidence?name=roster.csv&kind=hr-roster"),
        &owner,
        b"this is not a roster\n".to_vec(),
    );
    assert_eq!(bad.status, 400, "{}", bad.text());
    assert!(
        bad.json()["detail"]
            .as_str()
            .unwrap()
            .contains("nothing was stored"),
        "{}",
        bad.text()
    );
    let collector = h.upload(
        &format!("{base}/evidence?name=users.json&kind=okta-api"),
        &owner,
        b"[]".to_vec(),
    );
    assert_eq!(collector.status, 400, "{}", collector.text());
    let bad_date = h.upload(
        &format!("{base}/evidence?name=late.txt&kind=document&from=2026-13-45"),
        &owner,
        b"x".to_vec(),
    );
    assert_eq!(bad_date.status, 400, "{}", bad_date.text());
    assert!(bad_date.json()["detail"]
        .as_str()
        .unwrap()
        .contains("YYYY-MM-DD"));
    let backwards = h.upload(
        &format!("{base}/evidence?name=late.txt&kind=document&from=2026-06-30&to=2026-01-01"),
        &owner,
        b"x".to_vec(),
    );
    assert_eq!(backwards.status, 400, "{}", backwards.text());
    let bad_name = h.upload(
        &format!("{base}/evidence?name=../../etc/passwd&kind=document"),
        &owner,
        b"x".to_vec(),
    );
    assert_eq!(bad_name.status, 400);
    assert_eq!(
        project.locker().unwrap().entries().unwrap().len(),
        before,
        "nothing stored by refused uploads"
    );
    let report = project.locker().unwrap().verify().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    // Listed with paging.
    let list = h
        .send(
            "GET",
            &format!("{base}/evidence?kind=document&limit=1"),
            &owner,
            None,
        )
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["total"], 1);
}

fn query_assess_report(backend: Backend) {
    let Some(h) = Harness::new(backend) else {
        return;
    };
    let cm = h.member("cm@acme.test", Some(&h.a), false, Role::ComplianceManager);
    let base = format!("/api/v1/orgs/{}/audits/{}", h.a.org, h.a.audit);
    let q = h.send(
        "POST",
        &format!("{base}/query"),
        &cm,
        Some(json!({ "sql": "SELECT 1 + 1 AS two" })),
    );
    assert_eq!(q.status, 200, "{}", q.text());
    assert_eq!(q.json()["rows"][0]["two"], 2);
    let w = h.send(
        "POST",
        &format!("{base}/query"),
        &cm,
        Some(json!({ "sql": "CREATE TABLE x (a INT)" })),
    );
    assert_eq!(w.status, 400, "workspace SQL is read-only: {}", w.text());
    assert_eq!(
        h.send("GET", &format!("{base}/reports/readiness"), &cm, None)
            .status,
        404,
        "no assessment yet"
    );
    let a = h.send("POST", &format!("{base}/assessments"), &cm, None);
    assert_eq!(a.status, 200, "{}", a.text());
    let r = h.send(
        "GET",
        &format!("{base}/reports/readiness?format=md"),
        &cm,
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("readiness.md"));
    assert!(r.text().contains("Acme Corp"));
    let oscal = h
        .send("GET", &format!("{base}/reports/oscal"), &cm, None)
        .json();
    let first = oscal["files"][0].as_str().unwrap().to_string();
    let doc = h.send(
        "GET",
        &format!("{base}/reports/oscal?file={first}"),
        &cm,
        None,
    );
    assert_eq!(doc.status, 200, "{}", doc.text());
    assert!(doc.json().is_object());
    let bad = h.send("GET", &format!("{base}/reports/nonsense"), &cm, None);
    assert_eq!(bad.status, 400);
    assert!(bad.json()["detail"]
        .as_str()
        .unwrap()
        .contains("readiness, soc2"));
}

#[test]
fn uploads_are_redacted_proven_and_bounded_on_both_backends() {
    for b in BACKENDS {
        upload_redact_prove_verify(b);
    }
}

#[test]
fn queries_are_read_only_and_reports_download_on_both_backends() {
    for b in BACKENDS {
        query_assess_report(b);
    }
}
