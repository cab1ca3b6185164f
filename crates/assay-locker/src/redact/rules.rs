//! The redaction rules: one row per kind of secret, with the trigger words that wake it.
//!
//! Token prefixes are public facts about each vendor's formats; the patterns are our own.
//! Every pattern is byte-oriented and ASCII-only (compiled with `(?-u)`). A trigger word is
//! lowercase and is looked for in lowercased input; one word may feed several rules (the
//! scanner maps each word to every rule that lists it).

use super::structure;
use super::value::{is_basic_credential, End};

/// How a rule finds the secret once one of its trigger words is seen.
pub(super) enum How {
    /// The whole match is the secret.
    Token(&'static str),
    /// The first capture group that took part is the secret.
    Group(&'static str),
    /// Capture group 1 is the secret when the check accepts it.
    Checked(&'static str, fn(&[u8]) -> bool),
    /// The match is a key and its separator, ending where the value starts; the secret is the
    /// whole value (see `value.rs`). Group 1: a quote closing the key; group 2: a quote
    /// opening the value (both optional).
    Value(&'static str, End),
    /// The match opens a block that runs to the end of the second pattern's match, or to the
    /// end of the input when that end marker is missing.
    Block(&'static str, &'static str),
    /// A structural scan given the positions of the trigger words (CSV columns, Kubernetes
    /// secrets).
    Scan(structure::Scanner),
}

/// One rule: kind, how it matches, its trigger words, and how far before a trigger word a
/// match may start (`back`) and after it a pattern match may end (`fwd`). Values and blocks
/// continue past `fwd`: only the key or the opening line must fit.
pub(super) struct Spec {
    pub kind: &'static str,
    pub how: How,
    pub triggers: &'static [&'static str],
    pub back: usize,
    pub fwd: usize,
}

const fn spec(
    kind: &'static str,
    how: How,
    triggers: &'static [&'static str],
    back: usize,
    fwd: usize,
) -> Spec {
    Spec {
        kind,
        how,
        triggers,
        back,
        fwd,
    }
}

/// Separator after a key: `:`, `=`, `:=`, `=>`, with an optional quote on either side.
macro_rules! kv {
    ($key:literal) => {
        concat!($key, r#"(\\?["'])?[ \t]*(?::=|[:=]>?)[ \t]*(\\?["'])?"#)
    };
}

/// Words that name a secret when they end a key (`DB_PASSWORD`, `client_secret`, `x-api-key`).
const KEY_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "key",
];

/// The rules, most specific first: at equal positions the earlier row names the kind.
pub(super) const TABLE: &[Spec] = &[
    // Private key blocks, to their END line or the end of the input.
    spec(
        "private-key",
        How::Block(
            r"-----BEGIN[ A-Z0-9]*PRIVATE KEY-----",
            r"-----END[ A-Z0-9]*-----",
        ),
        &["private key-----"],
        48,
        16,
    ),
    spec(
        "pgp-private-key",
        How::Block(
            r"-----BEGIN PGP PRIVATE KEY BLOCK-----",
            r"-----END[ A-Z0-9]*-----",
        ),
        &["private key block-----"],
        24,
        16,
    ),
    spec(
        "ssh2-private-key",
        How::Block(
            r"(?i)---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----",
            r"(?i)---- END SSH2 ENCRYPTED PRIVATE KEY ----",
        ),
        &["begin ssh2 encrypted private key"],
        8,
        16,
    ),
    spec(
        "putty-private-key",
        How::Block(
            r"PuTTY-User-Key-File-[0-9]+:",
            r"Private-MAC:[ \t]*[0-9A-Fa-f]*",
        ),
        &["putty-user-key-file-"],
        1,
        32,
    ),
    // Vendor tokens recognised by their prefixes.
    spec(
        "aws-access-key-id",
        How::Token(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|ABIA|ACCA|AIPA)[A-Z0-9]{16}\b"),
        &[
            "akia", "asia", "agpa", "aida", "aroa", "anpa", "anva", "abia", "acca", "aipa",
        ],
        1,
        24,
    ),
    spec(
        "github-token",
        How::Token(
            r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b|\bgithub_pat_[A-Za-z0-9_]{22,255}\b",
        ),
        &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        1,
        300,
    ),
    spec(
        "gitlab-token",
        How::Token(
            r"\b(?:glpat|glptt|gldt|glrt|glcbt|glft|glsoat|glimt|glagent|gloas)-[A-Za-z0-9_-]{20,255}",
        ),
        &[
            "glpat-", "glptt-", "gldt-", "glrt-", "glcbt-", "glft-", "glsoat-", "glimt-",
            "glagent-", "gloas-",
        ],
        1,
        300,
    ),
    spec(
        "slack-token",
        How::Token(r"\bxox[abposre]-[A-Za-z0-9-]{10,250}|\bxapp-[0-9]-[A-Za-z0-9-]{10,250}"),
        &["xox", "xapp-"],
        1,
        300,
    ),
    spec(
        "slack-webhook",
        How::Token(
            r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{20,}",
        ),
        &["hooks.slack.com"],
        16,
        512,
    ),
    spec(
        "stripe-key",
        How::Token(r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,247}\b|\bwhsec_[A-Za-z0-9+/=]{24,}"),
        &["sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_"],
        1,
        300,
    ),
    spec(
        "google-api-key",
        How::Token(r"\bAIza[0-9A-Za-z_-]{35}"),
        &["aiza"],
        1,
        48,
    ),
    spec(
        "google-oauth",
        How::Token(
            r"\bGOCSPX-[A-Za-z0-9_-]{28}|\bya29\.[0-9A-Za-z_-]{20,}|\b1//0[0-9A-Za-z_-]{40,}",
        ),
        &["gocspx-", "ya29.", "1//0"],
        1,
        4096,
    ),
    spec(
        "sendgrid-key",
        How::Token(r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"),
        &["sg."],
        1,
        80,
    ),
    spec(
        "npm-token",
        How::Token(r"\bnpm_[A-Za-z0-9]{36}\b"),
        &["npm_"],
        1,
        48,
    ),
    spec(
        "pypi-token",
        How::Token(r"\bpypi-[A-Za-z0-9_-]{50,}"),
        &["pypi-"],
        1,
        512,
    ),
    spec(
        "anthropic-key",
        How::Token(r"\bsk-ant-[A-Za-z0-9_-]{32,}"),
        &["sk-ant-"],
        1,
        256,
    ),
    spec(
        "openai-key",
        How::Token(
            r"\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|\bsk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}\b|\bsk-[A-Za-z0-9]{48}\b",
        ),
        &["sk-proj-", "sk-svcacct-", "sk-admin-", "t3blbkfj", "sk-"],
        24,
        300,
    ),
    spec(
        "huggingface-token",
        How::Token(r"\bhf_[A-Za-z0-9]{34,}\b"),
        &["hf_"],
        1,
        64,
    ),
    spec(
        "databricks-token",
        How::Token(r"\bdapi[a-f0-9]{32}(?:-[0-9])?\b"),
        &["dapi"],
        1,
        48,
    ),
    spec(
        "shopify-token",
        How::Token(r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b"),
        &["shpat_", "shpca_", "shppa_", "shpss_"],
        1,
        48,
    ),
    spec(
        "square-token",
        How::Token(r"\bEAAA[A-Za-z0-9_-]{60,80}\b|\bsq0(?:atp|csp|idp)-[A-Za-z0-9_-]{22,}"),
        &["eaaa", "sq0atp-", "sq0csp-", "sq0idp-"],
        1,
        128,
    ),
    spec(
        "heroku-key",
        How::Token(r"\bHRKU-[A-Za-z0-9_-]{60}"),
        &["hrku-"],
        1,
        72,
    ),
    spec(
        "digitalocean-token",
        How::Token(r"\bdo[opr]_v1_[a-f0-9]{64}\b"),
        &["dop_v1_", "doo_v1_", "dor_v1_"],
        1,
        80,
    ),
    spec(
        "vault-token",
        How::Token(r"\bhv[sbr]\.[A-Za-z0-9_-]{24,}"),
        &["hvs.", "hvb.", "hvr."],
        1,
        512,
    ),
    spec(
        "terraform-token",
        How::Token(r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}"),
        &["atlasv1."],
        16,
        512,
    ),
    spec(
        "doppler-token",
        How::Token(r"\bdp\.(?:st|sa|ct|pt|scim|audit)\.[A-Za-z0-9_.-]{40,}"),
        &[
            "dp.st.",
            "dp.sa.",
            "dp.ct.",
            "dp.pt.",
            "dp.scim.",
            "dp.audit.",
        ],
        1,
        256,
    ),
    spec(
        "atlassian-token",
        How::Token(r"\bAT(?:ATT|CTT)3[A-Za-z0-9_=-]{100,}|\bATBB[A-Za-z0-9_=.-]{28,}"),
        &["atatt3", "atctt3", "atbb"],
        1,
        512,
    ),
    spec(
        "sentry-token",
        How::Token(r"\bsntry[su]_[A-Za-z0-9+/=_]{40,}"),
        &["sntrys_", "sntryu_"],
        1,
        512,
    ),
    spec(
        "sentry-dsn",
        How::Group(r"(?i)\bhttps?://([0-9a-f]{32}(?::[0-9a-f]{32})?)@[a-z0-9.-]*sentry"),
        &["sentry"],
        128,
        16,
    ),
    spec(
        "discord-webhook",
        How::Token(
            r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]+/[A-Za-z0-9_-]{20,}",
        ),
        &["discord"],
        16,
        256,
    ),
    spec(
        "telegram-bot-token",
        How::Group(r"(?:^|[^0-9])([0-9]{8,10}:AA[A-Za-z0-9_-]{33})"),
        &[":aa"],
        12,
        40,
    ),
    spec(
        "azure-client-secret",
        How::Group(r"(?:^|[^A-Za-z0-9_~.-])([A-Za-z0-9_~.-]{3}8Q~[A-Za-z0-9_~.-]{31,34})"),
        &["8q~"],
        4,
        40,
    ),
    spec(
        "azure-storage-key",
        How::Group(r"(?i)\b(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{16,}={0,2})"),
        &["accountkey=", "sharedaccesskey="],
        16,
        256,
    ),
    spec(
        "azure-sas-signature",
        How::Group(r"[?&;]sig=([A-Za-z0-9%+/=]{16,})"),
        &["sig="],
        1,
        256,
    ),
    spec(
        "postman-key",
        How::Token(r"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b"),
        &["pmak-"],
        1,
        72,
    ),
    spec(
        "linear-key",
        How::Token(r"\blin_api_[A-Za-z0-9]{40}\b"),
        &["lin_api_"],
        1,
        56,
    ),
    spec(
        "newrelic-key",
        How::Token(r"\bNRAK-[A-Z0-9]{27}\b"),
        &["nrak-"],
        1,
        40,
    ),
    spec(
        "grafana-token",
        How::Token(r"\bglc_[A-Za-z0-9+/]{32,}={0,2}|\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b"),
        &["glc_", "glsa_"],
        1,
        512,
    ),
    spec(
        "pulumi-token",
        How::Token(r"\bpul-[a-f0-9]{40}\b"),
        &["pul-"],
        1,
        48,
    ),
    spec(
        "supabase-token",
        How::Token(r"\bsbp_[a-f0-9]{40}\b"),
        &["sbp_"],
        1,
        48,
    ),
    spec(
        "age-secret-key",
        How::Token(r"\bAGE-SECRET-KEY-1[0-9A-Z]{58}\b"),
        &["age-secret-key-1"],
        1,
        80,
    ),
    spec(
        "mailgun-key",
        How::Token(r"\bkey-[0-9a-f]{32}\b"),
        &["key-"],
        1,
        40,
    ),
    spec(
        "mailchimp-key",
        How::Token(r"\b[0-9a-f]{32}-us[0-9]{1,2}\b"),
        &["-us"],
        33,
        8,
    ),
    spec(
        "jwt",
        How::Token(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
        &["eyj"],
        1,
        65536,
    ),
    // Credentials in headers, URLs and Docker configs.
    spec(
        "basic-auth",
        How::Checked(
            r"(?i)\bbasic[ \t]+([A-Za-z0-9+/]{4,}={0,2})",
            is_basic_credential,
        ),
        &["basic"],
        1,
        4096,
    ),
    spec(
        "bearer-token",
        How::Group(r"(?i)\bbearer[ \t]+([A-Za-z0-9._~+/-]{16,}=*)"),
        &["bearer"],
        1,
        4096,
    ),
    spec(
        "authorization",
        How::Value(
            concat!(
                r#"(?i)\b(?:proxy-)?authorization(\\?["'])?[ \t]*[:=][ \t]*(\\?["'])?"#,
                r"(?:(?:basic|bearer|token|bot|ssws|digest|negotiate|ntlm|apikey|api-key|sso-key|key|otp|dsn)[ \t]+)?"
            ),
            End::Line,
        ),
        &["authorization"],
        8,
        64,
    ),
    spec(
        "cookie",
        How::Value(
            r#"(?i)\b(?:set-)?cookie(\\?["'])?[ \t]*:[ \t]*(\\?["'])?"#,
            End::Line,
        ),
        &["cookie"],
        4,
        32,
    ),
    spec(
        "url-password",
        How::Checked(
            r#"(?i)\b[a-z][a-z0-9+.-]{1,20}://[^/\s:@"'<>]{0,128}:([^\s"'<>]{1,256})@"#,
            super::value::is_url_password,
        ),
        &["://"],
        24,
        400,
    ),
    spec(
        "docker-auth",
        How::Checked(
            r#""auth"[ \t]*:[ \t]*"([A-Za-z0-9+/]{8,}={0,2})""#,
            is_basic_credential,
        ),
        &["\"auth\""],
        1,
        4096,
    ),
    // Structured files.
    spec(
        "csv-secret-column",
        How::Scan(structure::csv_columns),
        &[
            "secret access key",
            "secret_access_key",
            "password",
            "secret",
            "token",
            "api key",
            "private key",
        ],
        0,
        0,
    ),
    spec(
        "kubernetes-secret",
        How::Scan(structure::kubernetes_secret),
        &[
            "kind: secret",
            "\"kind\": \"secret\"",
            "\"kind\":\"secret\"",
        ],
        0,
        0,
    ),
    // Values of keys that name a secret.
    spec(
        "aws-secret-access-key",
        How::Value(
            kv!(r"(?i)(?:secret[_ ]?access[_ ]?key|aws[_ ]?secret[_ ]?key)"),
            End::Line,
        ),
        &["secret"],
        8,
        64,
    ),
    spec(
        "config-secret",
        How::Value(
            concat!(
                r"(?i)(?:password|passwd|passphrase|pwd|secret|secret_?string|secret_?value|token",
                r"|(?:api|access|private|signing|encryption|master|app|application|subscription|client|secret)[_-]?key(?:[_-]?base)?)",
                r#"(\\?["'])?[ \t]*(?::=|[:=]>?)[ \t]*(\\?["'])?"#
            ),
            End::Line,
        ),
        KEY_WORDS,
        16,
        48,
    ),
    spec(
        "config-secret",
        How::Value(
            r#"[A-Z0-9]_(?:KEY|KEY_BASE|PASS|PASSWD|PW|PWD|PASSPHRASE|SECRETS?|TOKEN|CREDENTIALS|CREDS|SALT|DSN)()[ \t]*=[ \t]*(["'])?"#,
            End::Line,
        ),
        &[
            "_key", "_pass", "_pw", "_secret", "_token", "_cred", "_salt", "_dsn",
        ],
        2,
        48,
    ),
    spec(
        "config-secret",
        How::Value(
            concat!(
                r#"(?i)\bname()["']?[ \t]*:[ \t]*["']?[A-Za-z0-9_.-]*(?:key|password|passwd|pass|secret|token|credentials?|cookie|authorization)["']?"#,
                r#"(?:[ \t]*\r?\n[ \t]*-?[ \t]*value|[ \t]*,[ \t]*"value")["']?[ \t]*:[ \t]*(["'])?"#
            ),
            End::Line,
        ),
        &[
            "password",
            "passwd",
            "secret",
            "token",
            "key",
            "_pass",
            "cookie",
            "authorization",
        ],
        80,
        160,
    ),
    spec(
        "config-secret",
        How::Value(
            r#"(?im)(?:^|[ \t])--?[a-z0-9-]*(?:password|passwd|secret|token|api-key|apikey)()[ \t]+(["'])?"#,
            End::Word,
        ),
        &["password", "passwd", "secret", "token", "api-key", "apikey"],
        48,
        32,
    ),
    spec(
        "config-secret",
        How::Group(
            r"(?im)\bmachine[ \t]+\S+[ \t]+(?:login[ \t]+\S+[ \t]+)?password[ \t]+(\S+)|^[ \t]*login[ \t]+\S+[ \t]*\r?\n[ \t]*password[ \t]+(\S+)",
        ),
        &["password"],
        160,
        300,
    ),
    spec(
        "config-secret",
        How::Group(r"(?i)\bidentified[ \t]+by[ \t]+(?:password[ \t]+)?'([^'\r\n]+)'"),
        &["identified by"],
        1,
        300,
    ),
    spec(
        "config-secret",
        How::Group(
            r"(?i)<[a-z0-9_:.-]*(?:password|passwd|secret|token|api[_-]?key|apikey|private[_-]?key)>([^<]+)</",
        ),
        &["password>", "passwd>", "secret>", "token>", "key>"],
        48,
        65600,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles_and_every_trigger_is_lowercase() {
        for s in TABLE {
            let patterns: Vec<&str> = match &s.how {
                How::Token(p) | How::Group(p) | How::Checked(p, _) | How::Value(p, _) => vec![p],
                How::Block(a, b) => vec![a, b],
                How::Scan(_) => vec![],
            };
            for p in patterns {
                assert!(
                    regex::bytes::Regex::new(&format!("(?-u){p}")).is_ok(),
                    "{}: {p}",
                    s.kind
                );
            }
            assert!(!s.triggers.is_empty(), "{}", s.kind);
            for t in s.triggers {
                assert_eq!(*t, t.to_ascii_lowercase(), "{}", s.kind);
            }
        }
    }
}
