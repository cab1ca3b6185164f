//! The production setup end to end: application state in PostgreSQL, each workspace's
//! ledger in PostgreSQL and its blobs in S3-compatible storage (`moto_server`). An upload
//! through the API is redacted, stored in S3, chained in the PostgreSQL ledger, proven and
//! verified; the audit log lands in the same ledger.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use assay_server::permissions::Role;
use common::{Backend, Harness};
use std::io::{Read, Write};

/// A raw, unsigned HTTP request (moto accepts them): creates the bucket.
fn put_bucket(endpoint: &str, bucket: &str) -> u16 {
    let hostport = endpoint.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(hostport).unwrap();
    let head = format!("PUT /{bucket} HTTP/1.1\r\nHost: {hostport}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    s.write_all(head.as_bytes()).unwrap();
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    resp.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn postgres_state_postgres_ledger_and_s3_blobs() {
    let Ok(url) = std::env::var("ASSAY_TEST_DATABASE_URL") else {
        assay_testkit::missing(
            "PostgreSQL (the server's production setup was not tested)",
            "set ASSAY_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test",
        );
        return;
    };
    let Some(s3) = assay_testkit::moto::start("ASSAY_TEST_S3_ENDPOINT", "the server with S3 blobs")
    else {
        return;
    };
    std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
    std::env::set_var("ASSAY_DATABASE_URL", &url);
    let bucket = format!("assay-srv-{}", std::process::id());
    assert!((200..300).contains(&put_bucket(&s3.endpoint, &bucket)));
    let n = std::sync::atomic::AtomicU32::new(0);
    let edit = |root: &std::path::Path| {
        let i = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(root.join("assay.toml"))
            .unwrap();
        writeln!(
            f,
            "\n[locker]\nledger = \"postgres\"\nschema = \"assay_ledger_{}_{i}\"\nblobs = \"s3\"\nbucket = \"{bucket}\"\nprefix = \"ws{i}/\"\nendpoint = \"{}\"\nallow_http = true",
            std::process::id(),
            s3.endpoint
        )
        .unwrap();
    };
    let h = Harness::build(Backend::Postgres, Default::default(), None, &edit).unwrap();
    let owner = h.member("owner@acme.test", Some(&h.a), false, Role::Owner);
    let base = format!("/api/v1/orgs/{}/audits/{}", h.a.org, h.a.audit);
    let up = h.upload(
        &format!("{base}/evidence?name=notes.txt&kind=document"),
        &owner,
        b"ops notes\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n".to_vec(),
    );
    assert_eq!(up.status, 201, "{}", up.text());
    let seq = up.json()["added"][0]["seq"].as_u64().unwrap();
    let content = h.send(
        "GET",
        &format!("{base}/evidence/{seq}/content"),
        &owner,
        None,
    );
    assert_eq!(content.status, 200);
    assert!(
        content.text().contains("ops notes") && !content.text().contains("wJalrXUtnFEMI"),
        "{}",
        content.text()
    );
    let proof = h.send("GET", &format!("{base}/evidence/{seq}/proof"), &owner, None);
    assert_eq!(proof.status, 200, "{}", proof.text());
    // The locker as the CLI opens it: PostgreSQL ledger, S3 blobs; it verifies, and holds
    // the upload and its audit-log event.
    let _rt = assay_testkit::runtime().enter();
    let project =
        assay_project::Project::open(&h.root_a(), assay_catalog::Catalog::embedded().unwrap())
            .unwrap();
    let locker = project.locker().unwrap();
    let kinds: Vec<String> = locker
        .entries()
        .unwrap()
        .iter()
        .map(|e| e.record.kind.clone())
        .collect();
    assert_eq!(
        kinds,
        vec!["document".to_string(), "assay-server-log".to_string()]
    );
    let report = locker.verify().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}
