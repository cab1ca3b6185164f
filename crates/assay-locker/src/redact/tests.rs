//! Unit tests of redaction: each rule on a line in its usual context, whole values,
//! overlaps, encodings, and values that must survive.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use super::*;
use std::io::Read;

fn kinds(text: &str) -> (String, Vec<String>) {
    let r = redact(text.as_bytes(), false);
    (
        String::from_utf8_lossy(&r.bytes).into_owned(),
        r.redactions.into_iter().map(|x| x.kind).collect(),
    )
}

#[test]
fn aws_keys_in_a_credentials_file() {
    let (out, k) = kinds("[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
    assert_eq!(k, ["aws-access-key-id", "aws-secret-access-key"]);
    assert!(
        !out.contains("AKIAIOSFODNN7EXAMPLE") && !out.contains("wJalrXUtnFEMI"),
        "{out}"
    );
}

#[test]
fn tokens_keys_and_urls() {
    let cases = [
        ("token ghp_0123456789abcdefghijABCDEFGHIJ012345 in log", "github-token"),
        ("hook https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "slack-webhook"),
        ("slack xoxb-1234567890-abcdefghijkl", "slack-token"),
        ("Authorization: Bearer abcdef0123456789abcdef.ghij", "bearer-token"),
        ("DATABASE_URL=postgres://app:s3cr3tpass@db.internal:5432/prod", "url-password"),
        ("{\"password\": \"hunter2hunter2\"}", "config-secret"),
        ("DB_PASSWORD=hunter2hunter2", "config-secret"),
        ("GITHUB_TOKEN: abcd1234efgh", "config-secret"),
        ("X-Api-Key: 0123456789abcdef", "config-secret"),
        ("id_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt"),
    ];
    for (text, kind) in cases {
        let (out, k) = kinds(text);
        assert!(k.contains(&kind.to_string()), "{text}: {k:?}");
        assert!(out.contains(&format!("[REDACTED:{kind}]")), "{out}");
    }
}

#[test]
fn pem_private_key_is_removed_whole() {
    let pem = "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234\nabcd\n-----END RSA PRIVATE KEY-----\nafter\n";
    let (out, k) = kinds(pem);
    assert_eq!(k, ["private-key"]);
    assert_eq!(out, "key:\n[REDACTED:private-key]\nafter\n");
}

#[test]
fn ordinary_evidence_is_untouched() {
    for text in [
        "user,arn,password_enabled,password_last_used\nbob,arn:aws:iam::123456789012:user/bob,true,2026-01-02T03:04:05+00:00\n",
        "{\"password\": null, \"token\": \"\", \"secret\": \"${VAULT_SECRET}\"}",
        "email,start\nalice@acme.com,2026-01-05\n",
        "tokens_used: 4000\nsecretary: Jane\n",
    ] {
        let r = redact(text.as_bytes(), false);
        assert!(r.redactions.is_empty(), "{text}: {:?}", r.redactions);
        assert_eq!(r.bytes, text.as_bytes());
    }
}

#[test]
fn records_offsets_and_optional_hashes() {
    let text = "x AKIAIOSFODNN7EXAMPLE y";
    let r = redact(text.as_bytes(), true);
    assert_eq!((r.redactions[0].offset, r.redactions[0].length), (2, 20));
    assert_eq!(
        r.redactions[0].original_sha256.as_deref(),
        Some(hex::encode(Sha256::digest(b"AKIAIOSFODNN7EXAMPLE")).as_str())
    );
    assert!(redact(text.as_bytes(), false).redactions[0]
        .original_sha256
        .is_none());
}

#[test]
fn owned_redaction_matches_and_hands_back_the_plain_content() {
    let text = b"user=ana\nDB_PASSWORD=hunter2hunter2\n".to_vec();
    for input in [text.clone(), b"nothing secret here\n".to_vec()] {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&input).unwrap();
        let gz = enc.finish().unwrap();
        for bytes in [input.clone(), gz.clone()] {
            let (owned, plain) = redact_owned(bytes.clone(), false);
            assert_eq!(owned, redact(&bytes, false));
            let expected_plain = redact(&input, false).bytes;
            assert_eq!(plain.is_some(), bytes == gz);
            if let Some(p) = plain {
                assert_eq!(p, expected_plain);
            }
        }
    }
}

#[test]
fn gzip_content_is_redacted_inside() {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(b"{\"Records\":[{\"accessKeyId\":\"AKIAIOSFODNN7EXAMPLE\"}]}")
        .unwrap_or_default();
    let gz = enc.finish().unwrap_or_default();
    let r = redact(&gz, false);
    assert_eq!(r.redactions.len(), 1);
    let mut plain = String::new();
    flate2::read::GzDecoder::new(&r.bytes[..])
        .read_to_string(&mut plain)
        .unwrap_or_default();
    assert_eq!(
        plain,
        "{\"Records\":[{\"accessKeyId\":\"[REDACTED:aws-access-key-id]\"}]}"
    );
}

/// The redacted text and the kinds removed, for one input.
fn redacted(text: &str) -> (String, Vec<String>) {
    kinds(text)
}

#[test]
fn one_trigger_word_feeds_every_rule_that_lists_it() {
    // `secret` wakes the AWS secret key rule, the generic key rule and the CSV column rule.
    for (text, kind) in [
        ("secret: s3cr3t-value-1", "config-secret"),
        ("client_secret=abcd1234efgh", "config-secret"),
        ("{\"client_secret\": \"abcd1234efgh\"}", "config-secret"),
        ("SECRET=abcd1234efgh", "config-secret"),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws-secret-access-key",
        ),
        (
            "\"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"",
            "aws-secret-access-key",
        ),
    ] {
        let (out, k) = redacted(text);
        assert_eq!(k, [kind], "{text} -> {out}");
        assert!(
            !out.contains("abcd1234efgh") && !out.contains("wJalr") && !out.contains("s3cr3t"),
            "{out}"
        );
    }
}

#[test]
fn values_are_redacted_whole() {
    for (text, left) in [
        ("passphrase: \"correct horse battery staple\"\n", "passphrase: \"[REDACTED:config-secret]\"\n"),
        ("DB_PASSWORD=abc,def;ghi\nNEXT=1\n", "DB_PASSWORD=[REDACTED:config-secret]\nNEXT=1\n"),
        ("url: postgres://app:pa/ss@db:5432/x\n", "url: postgres://app:[REDACTED:url-password]@db:5432/x\n"),
        ("redis://:hunter2hunter2@cache:6379/0", "redis://:[REDACTED:url-password]@cache:6379/0"),
        ("GET /cb?code=1&client_secret=abcd1234&state=9", "GET /cb?code=1&client_secret=[REDACTED:config-secret]&state=9"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==\n", "Authorization: Basic [REDACTED:basic-auth]\n"),
        ("Cookie: session=abc123def456; theme=dark\n", "Cookie: [REDACTED:cookie]\n"),
        ("DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=bm90LWEtcmVhbC1rZXktanVzdC1hLXRlc3Q=;EndpointSuffix=core.windows.net",
         "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=[REDACTED:azure-storage-key];EndpointSuffix=core.windows.net"),
    ] {
        assert_eq!(redacted(text).0, left, "{text}");
    }
}

#[test]
fn private_key_blocks_run_to_their_end_or_the_end_of_the_input() {
    let cut = "a\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nlost END line\n";
    assert_eq!(redacted(cut).0, "a\n[REDACTED:private-key]");
    let pgp = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF0fake\n-----END PGP PRIVATE KEY BLOCK-----\nz";
    assert_eq!(redacted(pgp).0, "[REDACTED:pgp-private-key]\nz");
    let ppk = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\nAAAAIFAKE\nPrivate-MAC: 0a1b2c\nafter";
    assert_eq!(redacted(ppk).0, "[REDACTED:putty-private-key]\nafter");
}

#[test]
fn utf16_text_is_redacted_in_its_encoding() {
    let text = "user=ana\r\npassword=hunter2 hunter3\r\n";
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let want = "user=ana\r\npassword=[REDACTED:config-secret]\r\n";
    for (input, mark, order) in [
        ([&[0xFF, 0xFE][..], &le].concat(), 2, utf16::Order::Le),
        ([&[0xFE, 0xFF][..], &be].concat(), 2, utf16::Order::Be),
        (le.clone(), 0, utf16::Order::Le),
    ] {
        let r = redact(&input, true);
        let body = r.bytes.get(mark..).unwrap().chunks_exact(2);
        let units: Vec<u16> = body
            .map(|u| match order {
                utf16::Order::Le => u16::from_le_bytes([u[0], u[1]]),
                utf16::Order::Be => u16::from_be_bytes([u[0], u[1]]),
            })
            .collect();
        assert_eq!(String::from_utf16(&units).unwrap(), want);
        assert_eq!(r.bytes.get(..mark), input.get(..mark));
        let x = &r.redactions[0];
        let original = &input[x.offset as usize..(x.offset + x.length) as usize];
        assert_eq!(
            x.original_sha256.as_deref(),
            Some(hex::encode(Sha256::digest(original)).as_str())
        );
        assert_eq!(redact(&r.bytes, false).bytes, r.bytes, "idempotent");
    }
}

#[test]
fn identifiers_dates_and_emails_survive() {
    let text = concat!(
        "evidence: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n",
        "id: 3f2b8c1e-7d4a-4e5b-9c6d-1a2b3c4d5e6f\n",
        "commit: 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n",
        "sha: 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n",
        "collected_at: 2026-03-01T12:34:56Z, period_end: 2026-06-30\n",
        "owner: ana.lima@acme.example, reviewer: bob+audit@acme.example\n",
        "{\"NextToken\": \"AAEAAVx0b2tlbg==\", \"token_type\": \"Bearer\", \"tokens_used\": 4000}\n",
        "path: /home/ana/.ssh/known_hosts, PWD=/srv/app\n",
        "url: https://api.github.com:443/repos/acme/app@main\n",
        "basic authentication is disabled; secretary: Jane\n",
        "arn: arn:aws:iam::123456789012:role/audit, region: us-east-1, tz: Asia/Tokyo\n",
    );
    let r = redact(text.as_bytes(), false);
    assert!(r.redactions.is_empty(), "{:?}", r.redactions);
    assert_eq!(r.bytes, text.as_bytes());
}

#[test]
fn overlapping_finds_are_merged() {
    let (out, k) = redacted("password=ghp_0123456789abcdefghijABCDEFGHIJ012345 tail words");
    assert_eq!(out, "password=[REDACTED:github-token]");
    assert_eq!(k.len(), 1);
}
