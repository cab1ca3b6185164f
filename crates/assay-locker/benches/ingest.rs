//! `cargo bench -p assay-locker`: the costs of storing evidence, per stage, on inputs shaped
//! like real exports (CSV rosters, JSON API responses with URLs, gzip logs, binary files).
//! The end-to-end comparison with `sha256sum` is `bench/ingest.sh`.

use std::io::Write;

fn main() {
    divan::main();
}

const MB: usize = 1 << 20;

fn csv() -> Vec<u8> {
    let mut s = String::from("email,department,start,end\n");
    let mut i = 0;
    while s.len() < 8 * MB {
        s.push_str(&format!(
            "user{i}@acme.example,engineering,2025-0{}-1{},\n",
            1 + i % 9,
            i % 10
        ));
        i += 1;
    }
    s.into_bytes()
}

fn json_with_urls() -> Vec<u8> {
    let mut s = String::from("[");
    let mut i = 0;
    while s.len() < 8 * MB {
        s.push_str(&format!(
            "{{\"id\":{i},\"login\":\"user{i}\",\"url\":\"https://api.github.com/users/user{i}\",\"html_url\":\"https://github.com/user{i}\",\"site_admin\":false}},"
        ));
        i += 1;
    }
    s.push_str("{}]");
    s.into_bytes()
}

fn binary() -> Vec<u8> {
    let mut x: u64 = 0x1234_5678_9abc_def1;
    (0..8 * MB)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn gzip_log() -> Vec<u8> {
    let mut s = String::from("{\"Records\":[");
    let mut i = 0;
    while s.len() < 8 * MB {
        s.push_str(&format!("{{\"eventTime\":\"2026-03-01T00:00:00Z\",\"eventName\":\"ConsoleLogin\",\"sourceIPAddress\":\"10.0.{}.{}\"}},", i % 255, i % 7));
        i += 1;
    }
    s.push_str("{}]}");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = enc.write_all(s.as_bytes());
    enc.finish().unwrap_or_default()
}

#[divan::bench(args = ["csv", "json-with-urls", "binary", "gzip-log"])]
fn redact(bencher: divan::Bencher, input: &str) {
    let data = match input {
        "csv" => csv(),
        "json-with-urls" => json_with_urls(),
        "binary" => binary(),
        _ => gzip_log(),
    };
    bencher
        .counter(divan::counter::BytesCount::new(data.len()))
        .bench(|| assay_locker::redact::redact(divan::black_box(&data), false));
}

#[divan::bench]
fn sha256(bencher: divan::Bencher) {
    let data = csv();
    bencher
        .counter(divan::counter::BytesCount::new(data.len()))
        .bench(|| assay_locker::blob::sha256_hex(divan::black_box(&data)));
}
