//! Redaction against a corpus of fake secrets in their real contexts
//! (`fixtures/secrets/corpus.txt`), the file formats named in the hostile-input review
//! (issue 13: `.env`, the AWS credentials CSV, STS JSON, UTF-16), and properties that hold
//! for any input: redacting twice equals redacting once, and nothing panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use assay_locker::redact::redact;
use proptest::prelude::*;
use std::io::{Read, Write};

const CORPUS: &str = "tests/fixtures/secrets/corpus.txt";

/// One record of the corpus: its format, its text without markers, and each secret with the
/// corpus line it is on. A record starts with `%% format`; secrets are marked `«…»`.
struct Record {
    format: String,
    text: String,
    secrets: Vec<(String, usize)>,
}

fn corpus() -> Vec<Record> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS);
    let raw = std::fs::read_to_string(&path).unwrap();
    let mut out: Vec<Record> = Vec::new();
    for (i, line) in raw.lines().enumerate() {
        if let Some(format) = line.strip_prefix("%% ") {
            out.push(Record {
                format: format.to_string(),
                text: String::new(),
                secrets: Vec::new(),
            });
            continue;
        }
        let rec = out.last_mut().expect("the corpus starts with a %% line");
        let mut rest = line;
        while let Some(open) = rest.find('«') {
            let after = &rest[open + '«'.len_utf8()..];
            let close = after
                .find('»')
                .unwrap_or_else(|| panic!("{CORPUS}:{}: unclosed «", i + 1));
            rec.secrets.push((after[..close].to_string(), i + 1));
            rest = &after[close..];
        }
        rec.text.push_str(&line.replace(['«', '»'], ""));
        rec.text.push('\n');
    }
    out
}

/// Pieces of a secret that must not survive either (a value cut at a space, `,`, `;`, `/`).
fn fragments(secret: &str) -> impl Iterator<Item = &str> {
    secret
        .split(|c: char| c.is_whitespace() || ",;/:@&='\"".contains(c))
        .filter(|f| f.len() >= 6)
}

#[test]
fn every_corpus_secret_is_removed_whole() {
    let records = corpus();
    let secrets: usize = records.iter().map(|r| r.secrets.len()).sum();
    let formats: std::collections::BTreeSet<&str> =
        records.iter().map(|r| r.format.as_str()).collect();
    assert!(
        secrets >= 80,
        "{secrets} secrets in the corpus; keep at least 80"
    );
    assert!(
        formats.len() >= 40,
        "{} formats; keep at least 40",
        formats.len()
    );
    let mut survivors = Vec::new();
    for rec in &records {
        let r = redact(rec.text.as_bytes(), false);
        let out = String::from_utf8_lossy(&r.bytes);
        for (secret, line) in &rec.secrets {
            if out.contains(secret.as_str()) {
                survivors.push(format!(
                    "{CORPUS}:{line}: [{}] {secret} survived",
                    rec.format
                ));
            } else if let Some(f) = fragments(secret).find(|f| out.contains(f)) {
                survivors.push(format!(
                    "{CORPUS}:{line}: [{}] part {f:?} of {secret} survived",
                    rec.format
                ));
            }
        }
        assert_eq!(
            redact(&r.bytes, false).bytes,
            r.bytes,
            "redacting [{}] twice changed it",
            rec.format
        );
    }
    assert!(survivors.is_empty(), "\n{}\n\n", survivors.join("\n"));
}

/// The corpus records of these formats, joined into one file.
fn joined(formats: &[&str]) -> String {
    let records = corpus();
    formats
        .iter()
        .map(|f| {
            let rec = records.iter().find(|r| r.format == *f).unwrap();
            rec.text.clone()
        })
        .collect()
}

fn assert_gone(out: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!out.contains(s), "{s} survived in:\n{out}");
    }
}

#[test]
fn dotenv_file() {
    let env = concat!(
        "# app settings\n",
        "RAILS_ENV=production\n",
        "SECRET_KEY_BASE=0123456789abcdeffedcba98765432100123456789abcdeffedcba9876543210\n",
        "STRIPE_PUBLISHABLE_KEY=pk_live_FAKEexample0000\n",
        "MAILER_KEY='fake key with spaces'\n",
        "DB_PASS=p@ss,word;with/slash\n",
        "export API_TOKEN=\"FakeExportedToken0\"\n",
        "SECRET=FakeBareSecret0\n",
        "LOG_LEVEL=info\n",
    );
    let out = String::from_utf8(redact(env.as_bytes(), false).bytes).unwrap();
    assert_gone(
        &out,
        &[
            "0123456789abcdef",
            "pk_live",
            "fake key",
            "p@ss",
            "word;with",
            "FakeExported",
            "FakeBare",
        ],
    );
    assert!(
        out.contains("RAILS_ENV=production\n") && out.contains("LOG_LEVEL=info\n"),
        "{out}"
    );
}

#[test]
fn aws_credentials_csv_column() {
    let csv = "Access key ID,Secret access key\nAKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
    let r = redact(csv.as_bytes(), false);
    let out = String::from_utf8(r.bytes).unwrap();
    assert_eq!(
        out,
        "Access key ID,Secret access key\n[REDACTED:aws-access-key-id],[REDACTED:aws-secret-access-key]\n"
    );
    let out = joined(&["aws credentials csv (console download)"]);
    let red = String::from_utf8(redact(out.as_bytes(), false).bytes).unwrap();
    assert_gone(&red, &["Fake-Console-Pass", "je7MtGbClwBF"]);
    assert!(
        red.contains("https://123456789012.signin.aws.amazon.com/console"),
        "{red}"
    );
}

#[test]
fn sts_json() {
    let json = joined(&["aws sts json"]);
    let out = String::from_utf8(redact(json.as_bytes(), false).bytes).unwrap();
    assert_gone(
        &out,
        &["wJalrXUtnFEMI", "IQoJb3JpZ2lu", "ASIAIOSFODNN7EXAMPLE"],
    );
    assert!(
        out.contains("\"Expiration\": \"2026-03-01T12:00:00Z\""),
        "{out}"
    );
}

fn utf16(text: &str, big_endian: bool, mark: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if mark {
        out.extend_from_slice(if big_endian {
            &[0xFE, 0xFF]
        } else {
            &[0xFF, 0xFE]
        });
    }
    for u in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

fn from_utf16(bytes: &[u8], big_endian: bool) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|u| {
            if big_endian {
                u16::from_be_bytes([u[0], u[1]])
            } else {
                u16::from_le_bytes([u[0], u[1]])
            }
        })
        .collect();
    String::from_utf16(&units).unwrap()
}

#[test]
fn utf16_exports_keep_their_encoding() {
    let text = joined(&[
        "aws credentials file",
        "azure storage connection string",
        "pem private key without an end line",
    ]);
    let text = format!("Résumé des clés — café\r\n{text}");
    for (be, mark) in [(false, true), (true, true), (false, false)] {
        let input = utf16(&text, be, mark);
        let r = redact(&input, false);
        let skip = if mark { 2 } else { 0 };
        assert_eq!(&r.bytes[..skip], &input[..skip]);
        let out = from_utf16(&r.bytes[skip..], be);
        assert!(out.starts_with("Résumé des clés — café\r\n"), "{out}");
        assert_gone(
            &out,
            &[
                "AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMI",
                "RkFLRWV4",
                "MIIEvAIBAD",
            ],
        );
        assert!(out.contains("[REDACTED:aws-secret-access-key]"), "{out}");
        assert!(out.contains("EndpointSuffix=core.windows.net"), "{out}");
        assert_eq!(redact(&r.bytes, false).bytes, r.bytes, "idempotent");
    }
}

#[test]
fn gzip_of_utf16_is_redacted_inside() {
    let input = utf16("token: FakeGzipUtf16Token0\n", false, true);
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&input).unwrap();
    let r = redact(&enc.finish().unwrap(), false);
    let mut plain = Vec::new();
    flate2::read::MultiGzDecoder::new(&r.bytes[..])
        .read_to_end(&mut plain)
        .unwrap();
    assert_eq!(
        from_utf16(&plain[2..], false),
        "token: [REDACTED:config-secret]\n"
    );
}

/// Issue 13, "Secrets stored unredacted": each reported leak, as reported.
#[test]
fn issue_13_reported_leaks_are_closed() {
    let cases: &[(&str, &str)] = &[
        ("secret: FakeLeak000001\n", "FakeLeak000001"),
        ("client_secret=FakeLeak000002\n", "FakeLeak000002"),
        ("{\"client_secret\": \"FakeLeak000003\"}", "FakeLeak000003"),
        ("SECRET=FakeLeak000004\n", "FakeLeak000004"),
        ("STRIPE=sk_live_FakeLeak0000000000000005\n", "FakeLeak0000000000000005"),
        ("key=AIzaFakeLeak000000000000000000000000006\n", "AIzaFakeLeak"),
        ("k=SG.FakeLeak00000000000007.FakeLeakFakeLeakFakeLeakFakeLeak00000000007\n", "FakeLeak00000000000007"),
        ("//r/:_x=npm_FakeLeak0000000000000000000000000008\n", "npm_FakeLeak"),
        ("u=pypi-FakeLeakFakeLeakFakeLeakFakeLeakFakeLeakFakeLeak0009\n", "pypi-FakeLeak"),
        ("t=glpat-FakeLeak000000000010\n", "glpat-FakeLeak"),
        ("k=sk-proj-FakeLeak00000000000011\n", "sk-proj-FakeLeak"),
        ("AccountKey=RmFrZUxlYWswMDAwMDAwMDAwMTI=;x=1\n", "RmFrZUxlYWsw"),
        ("https://a.blob.core.windows.net/c?sv=1&sig=FakeLeak0000000013%3D\n", "FakeLeak0000000013"),
        ("Authorization: Basic RmFrZTpMZWFrMDAwMDE0\n", "RmFrZTpMZWFr"),
        ("-----BEGIN PGP PRIVATE KEY BLOCK-----\nFakeLeak000015\n-----END PGP PRIVATE KEY BLOCK-----\n", "FakeLeak000015"),
        ("-----BEGIN RSA PRIVATE KEY-----\nFakeLeak000016\n", "FakeLeak000016"),
        ("PuTTY-User-Key-File-2: ssh-rsa\nPrivate-Lines: 1\nFakeLeak000017\nPrivate-MAC: 00\n", "FakeLeak000017"),
        ("SECRET_KEY_BASE=FakeLeak000018\n", "FakeLeak000018"),
        ("PAYMENTS_KEY=FakeLeak000019\n", "FakeLeak000019"),
        ("DB_PASS=FakeLeak000020\n", "FakeLeak000020"),
        ("passphrase: \"first FakeLeak000021 third\"\n", "FakeLeak000021"),
        ("password=first,FakeLeak000022\n", "FakeLeak000022"),
        ("password=first;FakeLeak000023\n", "FakeLeak000023"),
        ("postgres://app:Fake/Leak000024@db/x\n", "Leak000024"),
    ];
    for (text, leak) in cases {
        let out = String::from_utf8(redact(text.as_bytes(), false).bytes).unwrap();
        assert!(!out.contains(leak), "{text:?} kept {leak}: {out:?}");
        assert!(out.contains("[REDACTED:"), "{text:?}: {out:?}");
    }
    let utf16_leak = utf16("secret: FakeLeak000025\n", false, true);
    let out = redact(&utf16_leak, false).bytes;
    assert!(!from_utf16(&out[2..], false).contains("FakeLeak000025"));
}

/// Pieces that make inputs close to secrets: keys, separators, quotes, prefixes, markers.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    let fixed: Vec<&'static str> = vec![
        "password",
        "secret",
        "token",
        "_KEY",
        "api_key",
        ": ",
        "=",
        "\"",
        "'",
        "\\\"",
        " ",
        ",",
        ";",
        "/",
        "@",
        "&",
        "?",
        "\n",
        "\r\n",
        "  ",
        "|",
        "{",
        "}",
        "[",
        "]",
        "://",
        "user:",
        "AKIA",
        "ghp_",
        "sk_live_",
        "xoxb-",
        "eyJ",
        ".",
        "Bearer ",
        "Basic ",
        "Authorization: ",
        "-----BEGIN RSA PRIVATE KEY-----",
        "-----END RSA PRIVATE KEY-----",
        "PuTTY-User-Key-File-2:",
        "Private-MAC:",
        "[REDACTED:config-secret]",
        "kind: Secret",
        "data:",
        "Secret access key,",
        "AccountKey=",
        "sig=",
        "\"auth\": \"",
        "dXNlcjpwYXNz",
        "--token ",
        "machine h password ",
    ];
    prop_oneof![
        proptest::sample::select(fixed).prop_map(|s| s.as_bytes().to_vec()),
        "[A-Za-z0-9+/]{1,48}".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 0..8),
    ]
}

fn input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(piece(), 0..40).prop_map(|v| v.concat()),
        proptest::collection::vec(any::<u8>(), 0..512),
        proptest::collection::vec(piece(), 0..20).prop_map(|v| {
            let text = String::from_utf8_lossy(&v.concat()).into_owned();
            let mut out = vec![0xFF, 0xFE];
            out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            out
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(assay_testkit::cases(256)))]

    #[test]
    fn redacting_twice_equals_redacting_once(bytes in input()) {
        let once = redact(&bytes, false).bytes;
        let twice = redact(&once, false).bytes;
        prop_assert_eq!(
            &twice,
            &once,
            "input {:?}\nonce {:?}",
            String::from_utf8_lossy(&bytes),
            String::from_utf8_lossy(&once)
        );
    }

    #[test]
    fn redactions_describe_the_original(bytes in input()) {
        let r = redact(&bytes, true);
        let mut last = 0;
        for x in &r.redactions {
            prop_assert!(x.offset >= last && x.length > 0);
            last = x.offset + x.length;
            prop_assert!(last as usize <= bytes.len());
        }
    }
}
