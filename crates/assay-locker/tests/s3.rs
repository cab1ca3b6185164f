//! The S3-compatible blob backend against a local server: `moto_server` from PyPI, started
//! here on a free port (or the server at `ASSAY_TEST_S3_ENDPOINT`). Skipped, saying so, when
//! neither is available, and failing then under `ASSAY_REQUIRE_ALL=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use assay_locker::blob::S3Config;
use assay_locker::entry::{Provenance, Record};
use assay_locker::verify::Fault;
use assay_locker::{BlobConfig, Locker, LockerConfig};
use std::io::{Read, Write};
use std::net::TcpStream;

fn server() -> Option<assay_testkit::moto::Moto> {
    assay_testkit::moto::start("ASSAY_TEST_S3_ENDPOINT", "the S3 blob backend")
}

/// A raw, unsigned HTTP request (moto accepts them), for setting up and tampering.
fn http(endpoint: &str, method: &str, path: &str, body: &[u8]) -> u16 {
    let hostport = endpoint.trim_start_matches("http://");
    let mut s = TcpStream::connect(hostport).unwrap();
    let head = format!("{method} {path} HTTP/1.1\r\nHost: {hostport}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    resp.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn record(i: usize) -> Record {
    Record {
        blob: String::new(),
        size: 0,
        media_type: "text/plain".into(),
        kind: "document".into(),
        provenance: Provenance {
            agent: "test".into(),
            system: "s3".into(),
            locator: format!("doc{i}.txt"),
            tool_version: "0".into(),
            batch: None,
        },
        collected_at: format!("2026-05-0{}T00:00:00Z", i + 1),
        effective_from: None,
        effective_to: None,
        redactions: vec![],
        params: Default::default(),
    }
}

#[test]
fn blobs_in_s3_store_verify_and_detect_tampering() {
    let Some(srv) = server() else { return };
    std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
    let bucket = format!("assay-test-{}", std::process::id());
    let code = http(&srv.endpoint, "PUT", &format!("/{bucket}"), b"");
    assert!((200..300).contains(&code), "create bucket: HTTP {code}");

    let dir = tempfile::tempdir().unwrap();
    let config = LockerConfig {
        blobs: BlobConfig::S3(S3Config {
            bucket: bucket.clone(),
            prefix: "acme/objects".into(),
            endpoint: Some(srv.endpoint.clone()),
            region: "us-east-1".into(),
            allow_http: true,
        }),
        ..LockerConfig::default()
    };
    // The caller owns the runtime the S3 requests run on.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let _entered = rt.enter();
    let mut l = Locker::open_or_create(dir.path(), &config).unwrap();
    let mut blobs = Vec::new();
    for i in 0..3 {
        blobs.push(
            l.add(format!("document {i}\n").as_bytes(), record(i))
                .unwrap()
                .record
                .blob,
        );
    }
    l.add(b"document 0\n", record(3)).unwrap();
    l.checkpoint("2026-05-09T00:00:00Z").unwrap();
    assert!(
        l.verify().unwrap().ok(),
        "{:#?}",
        l.verify().unwrap().problems
    );
    assert!(
        !dir.path().join(".assay/objects").exists(),
        "no blob was written locally"
    );
    let e = l.find("2").unwrap();
    assert_eq!(l.content(&e).unwrap(), b"document 1\n");

    // Tamper the way someone with bucket access would: signed requests.
    use object_store::ObjectStoreExt;
    let store = object_store::aws::AmazonS3Builder::from_env()
        .with_bucket_name(&bucket)
        .with_region("us-east-1")
        .with_endpoint(&srv.endpoint)
        .with_allow_http(true)
        .build()
        .unwrap();
    let key =
        |h: &str| object_store::path::Path::from(format!("acme/objects/{}/{}", &h[..2], &h[2..]));
    rt.block_on(store.put(
        &key(&blobs[1]),
        object_store::PutPayload::from_static(b"document X\n"),
    ))
    .unwrap();
    let r = l.verify().unwrap();
    assert!(
        r.problems
            .iter()
            .any(|p| p.fault == Fault::BlobAltered && p.entry == Some(2)),
        "{:#?}",
        r.problems
    );

    rt.block_on(store.delete(&key(&blobs[2]))).unwrap();
    let r = l.verify().unwrap();
    assert!(
        r.problems
            .iter()
            .any(|p| p.fault == Fault::BlobMissing && p.entry == Some(3)),
        "{:#?}",
        r.problems
    );
}
